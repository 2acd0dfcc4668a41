//! The STS query-protocol XML the demo endpoint answers with, in the exact element shapes
//! real STS (API version 2011-06-15) sends, so aws-sdk-sts parses them unchanged.

use crate::creds::{Credentials, rfc3339};
use crate::fake_aws::loopback::Response;

const NS: &str = "https://sts.amazonaws.com/doc/2011-06-15/";

/// Escapes element text (the demo never writes attributes from data).
pub(crate) fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

fn credentials(c: &Credentials) -> String {
    format!(
        "<Credentials><AccessKeyId>{}</AccessKeyId><SecretAccessKey>{}</SecretAccessKey>\
         <SessionToken>{}</SessionToken><Expiration>{}</Expiration></Credentials>",
        escape(&c.access_key_id),
        escape(c.secret_access_key.expose()),
        escape(c.session_token.as_ref().map_or("", |t| t.expose())),
        c.expiration.map(rfc3339).unwrap_or_default()
    )
}

fn envelope(action: &str, result: &str, request_id: &str) -> Response {
    let body = format!(
        "<{action}Response xmlns=\"{NS}\">\n  <{action}Result>{result}</{action}Result>\n  \
         <ResponseMetadata><RequestId>{request_id}</RequestId></ResponseMetadata>\n</{action}Response>\n"
    );
    with_request_id(Response::new(200, "text/xml", body), request_id)
}

fn with_request_id(mut r: Response, request_id: &str) -> Response {
    r.headers.push(("x-amzn-requestid".into(), request_id.into()));
    r
}

pub(crate) fn assume_role(c: &Credentials, assumed_role_id: &str, arn: &str, request_id: &str) -> Response {
    let result = format!(
        "<AssumedRoleUser><AssumedRoleId>{}</AssumedRoleId><Arn>{}</Arn></AssumedRoleUser>{}",
        escape(assumed_role_id),
        escape(arn),
        credentials(c)
    );
    envelope("AssumeRole", &result, request_id)
}

pub(crate) fn federation_token(
    c: &Credentials,
    federated_user_id: &str,
    arn: &str,
    request_id: &str,
) -> Response {
    let result = format!(
        "{}<FederatedUser><FederatedUserId>{}</FederatedUserId><Arn>{}</Arn></FederatedUser>\
         <PackedPolicySize>6</PackedPolicySize>",
        credentials(c),
        escape(federated_user_id),
        escape(arn)
    );
    envelope("GetFederationToken", &result, request_id)
}

pub(crate) fn session_token(c: &Credentials, request_id: &str) -> Response {
    envelope("GetSessionToken", &credentials(c), request_id)
}

pub(crate) fn caller_identity(arn: &str, user_id: &str, account: &str, request_id: &str) -> Response {
    let result = format!(
        "<Arn>{}</Arn><UserId>{}</UserId><Account>{}</Account>",
        escape(arn),
        escape(user_id),
        escape(account)
    );
    envelope("GetCallerIdentity", &result, request_id)
}

/// `<ErrorResponse>` as STS sends it; `Type` is `Sender` for every error the demo raises.
pub(crate) fn error(status: u16, code: &str, message: &str, request_id: &str) -> Response {
    let body = format!(
        "<ErrorResponse xmlns=\"{NS}\">\n  <Error>\n    <Type>Sender</Type>\n    <Code>{}</Code>\n    \
         <Message>{}</Message>\n  </Error>\n  <RequestId>{request_id}</RequestId>\n</ErrorResponse>\n",
        escape(code),
        escape(message)
    );
    with_request_id(Response::new(status, "text/xml", body), request_id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_shape_matches_sts() {
        let r = error(403, "AccessDenied", "User: a is not authorized <&>", "rid-1");
        assert_eq!(r.status, 403);
        let body = String::from_utf8_lossy(&r.body).into_owned();
        let compact: String = body.lines().map(str::trim).collect();
        assert_eq!(
            compact,
            "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error><Type>Sender</Type>\
             <Code>AccessDenied</Code><Message>User: a is not authorized &lt;&amp;&gt;</Message></Error>\
             <RequestId>rid-1</RequestId></ErrorResponse>"
        );
    }

    #[test]
    fn caller_identity_shape() {
        let r = caller_identity(
            "arn:aws:iam::111111111111:user/alice",
            "AIDA1",
            "111111111111",
            "rid",
        );
        let body = String::from_utf8_lossy(&r.body).into_owned();
        assert!(
            body.starts_with(
                "<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"
            )
        );
        assert!(body.contains(
            "<GetCallerIdentityResult><Arn>arn:aws:iam::111111111111:user/alice</Arn><UserId>AIDA1</UserId>\
             <Account>111111111111</Account></GetCallerIdentityResult>"
        ));
        assert!(body.contains("<ResponseMetadata><RequestId>rid</RequestId></ResponseMetadata>"));
    }
}
