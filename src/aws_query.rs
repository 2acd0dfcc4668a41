//! The AWS query protocol's answers (STS, IAM), read as the SDK reads them: the XML by
//! `aws-smithy-xml`'s decoder, error codes classified, error sources said once. Below the
//! STS client, the resolver and the doctor, which all read such answers.

use crate::error::ErrorKind;
use aws_smithy_xml::decode::{Document, try_data};

/// An error and its sources, each said once: `dispatch failure: io error: … refused`.
pub(crate) fn error_chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut current = Some(err);
    while let Some(e) = current {
        let text = e.to_string();
        if !text.is_empty() && !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        current = e.source();
    }
    parts.join(": ")
}

/// Classifies an STS error code.
pub fn kind_of_code(code: Option<&str>) -> ErrorKind {
    match code {
        Some("AccessDenied" | "AccessDeniedException" | "UnauthorizedOperation") => ErrorKind::Denied,
        Some("Throttling" | "ThrottlingException" | "RequestLimitExceeded" | "TooManyRequestsException") => {
            ErrorKind::Throttled
        }
        Some(
            "ExpiredToken"
            | "ExpiredTokenException"
            | "InvalidClientTokenId"
            | "SignatureDoesNotMatch"
            | "IncompleteSignature"
            | "InvalidAccessKeyId"
            | "MissingAuthenticationToken",
        ) => ErrorKind::Credentials,
        Some(
            "ValidationError"
            | "MalformedPolicyDocument"
            | "PackedPolicyTooLarge"
            | "RegionDisabledException",
        ) => ErrorKind::Config,
        _ => ErrorKind::Other,
    }
}

/// The principal named by an AccessDenied message: `User: arn:… is not authorized …`.
pub fn caller_from_message(message: &str) -> Option<String> {
    let rest = message.split("User: ").nth(1)?;
    let arn = rest.split_whitespace().next()?;
    arn.starts_with("arn:").then(|| arn.to_string())
}

/// Text of the first element named `tag` (at any depth, in any namespace) in `xml`, with
/// entities, numeric character references and CDATA sections decoded; `None` when there
/// is none or the document breaks off before it.
pub(crate) fn xml_tag(xml: &str, tag: &str) -> Option<String> {
    let xml = cdata_as_text(xml);
    let mut doc = Document::new(&xml);
    while let Some(el) = doc.next_start_element() {
        if el.local() == tag {
            let mut scoped = doc.scoped_to(el);
            return try_data(&mut scoped).ok().map(|text| text.into_owned());
        }
    }
    None
}

/// `xml` with each `<![CDATA[…]]>` section replaced by its text, escaped: the same
/// characters, which the decoder (it skips CDATA) then reads as text.
fn cdata_as_text(xml: &str) -> std::borrow::Cow<'_, str> {
    const OPEN: &str = "<![CDATA[";
    if !xml.contains(OPEN) {
        return xml.into();
    }
    let mut out = String::with_capacity(xml.len());
    let mut rest = xml;
    while let Some(start) = rest.find(OPEN) {
        out.push_str(&rest[..start]);
        let body = &rest[start + OPEN.len()..];
        let Some(end) = body.find("]]>") else {
            // An open section never closed: the document breaks off here.
            return out.into();
        };
        for c in body[..end].chars() {
            match c {
                '&' => out.push_str("&amp;"),
                '<' => out.push_str("&lt;"),
                '>' => out.push_str("&gt;"),
                c => out.push(c),
            }
        }
        rest = &body[end + 3..];
    }
    out.push_str(rest);
    out.into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_both_error_shapes() {
        let nested = "<ErrorResponse><Errors><Error><Code>AccessDenied</Code><Message>User: arn:aws:iam::111111111111:user/alice is not authorized to perform: sts:AssumeRole</Message></Error></Errors></ErrorResponse>";
        assert_eq!(xml_tag(nested, "Code").as_deref(), Some("AccessDenied"));
        let msg = xml_tag(nested, "Message").unwrap();
        assert_eq!(
            caller_from_message(&msg).as_deref(),
            Some("arn:aws:iam::111111111111:user/alice")
        );
        assert_eq!(
            xml_tag("<Message>a &amp; &lt;b&gt;</Message>", "Message").as_deref(),
            Some("a & <b>")
        );
    }

    #[test]
    fn reads_attributes_namespaces_cdata_and_character_references() {
        let answer = r#"<?xml version="1.0" encoding="UTF-8"?>
<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <Error type="Sender"><Code lang="en">AccessDenied</Code>
  <Message><![CDATA[User: <alice> & co]]> said &#39;no&#x27; &#233;</Message></Error>
</ErrorResponse>"#;
        assert_eq!(xml_tag(answer, "Code").as_deref(), Some("AccessDenied"));
        assert_eq!(
            xml_tag(answer, "Message").as_deref(),
            Some("User: <alice> & co said 'no' \u{e9}")
        );
        let prefixed = r#"<sts:Result xmlns:sts="urn:x"><sts:Code>Throttling</sts:Code></sts:Result>"#;
        assert_eq!(xml_tag(prefixed, "Code").as_deref(), Some("Throttling"));
        // A tag's name in an attribute, in text or in a comment is not the tag.
        let decoy =
            r#"<R Code="x"><A>&lt;Code&gt;y&lt;/Code&gt;</A><!-- <Code>w</Code> --><Code>z</Code></R>"#;
        assert_eq!(xml_tag(decoy, "Code").as_deref(), Some("z"));
        assert_eq!(xml_tag("<R><Codes>a</Codes></R>", "Code"), None);
    }

    #[test]
    fn broken_documents_give_what_came_before_the_break() {
        let cut = "<R><Code>A</Code><Message>cut";
        assert_eq!(xml_tag(cut, "Code").as_deref(), Some("A"));
        assert_eq!(xml_tag(cut, "Message").as_deref(), Some("cut"));
        let open = "<R><Message>kept <![CDATA[never closed";
        assert_eq!(xml_tag(open, "Message").as_deref(), Some("kept "));
        assert_eq!(xml_tag("not xml at all", "Code"), None);
        assert_eq!(xml_tag("", "Code"), None);
    }

    #[test]
    fn classifies_codes() {
        assert_eq!(kind_of_code(Some("AccessDenied")), ErrorKind::Denied);
        assert_eq!(kind_of_code(Some("Throttling")), ErrorKind::Throttled);
        assert_eq!(kind_of_code(Some("ExpiredToken")), ErrorKind::Credentials);
        assert_eq!(kind_of_code(Some("ValidationError")), ErrorKind::Config);
        assert_eq!(kind_of_code(None), ErrorKind::Other);
    }
}
