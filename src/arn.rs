//! ARNs: the one place that takes `arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE` apart.
//!
//! [`Arn::parse`] splits any ARN into its six fields without judging them; the names a
//! caller wants (the account, a role's name, who a principal is) are methods. Whether an
//! IAM ARN written in a profile is *well formed* is the config checker's question
//! ([`crate::config::arn::check_iam_arn`]); [`Arn::parse_iam`] asks it first. Pure.

use crate::config::arn::{ArnProblems, check_iam_arn};

/// An ARN split into its fields, borrowing the text it was parsed from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Arn<'a> {
    partition: &'a str,
    service: &'a str,
    region: &'a str,
    account: &'a str,
    resource: &'a str,
}

impl<'a> Arn<'a> {
    /// Splits `text` when it has the shape `arn:P:S:R:A:RESOURCE` (six `:`-separated
    /// fields, the resource may itself hold `:`); `None` otherwise. The fields are not
    /// validated: an STS answer or a cached ARN is taken as it is.
    pub fn parse(text: &'a str) -> Option<Arn<'a>> {
        let mut fields = text.splitn(6, ':');
        if fields.next()? != "arn" {
            return None;
        }
        Some(Arn {
            partition: fields.next()?,
            service: fields.next()?,
            region: fields.next()?,
            account: fields.next()?,
            resource: fields.next()?,
        })
    }

    /// Parses an IAM ARN of `kind` (`"role"` or `"mfa"`) written in a profile, refusing it
    /// with the config checker's problems (and suggested fix) when it is not well formed.
    pub(crate) fn parse_iam(text: &'a str, kind: &str) -> Result<Arn<'a>, ArnProblems> {
        if let Some(problems) = check_iam_arn(text, kind) {
            return Err(problems);
        }
        Arn::parse(text).ok_or_else(|| ArnProblems {
            problems: vec!["is not an ARN".into()],
            suggestion: None,
        })
    }

    pub(crate) fn partition(&self) -> &'a str {
        self.partition
    }

    pub(crate) fn service(&self) -> &'a str {
        self.service
    }

    /// The account id field, `None` when empty (as in `arn:aws:s3:::bucket`).
    pub(crate) fn account(&self) -> Option<&'a str> {
        (!self.account.is_empty()).then_some(self.account)
    }

    /// Everything after the account: `role/team/Admin`, `assumed-role/Admin/session`.
    pub(crate) fn resource(&self) -> &'a str {
        self.resource
    }

    /// The resource's type and the rest: `role/team/Admin` -> (`role`, `team/Admin`).
    pub(crate) fn resource_kind(&self) -> Option<(&'a str, &'a str)> {
        self.resource.split_once('/')
    }

    /// The role an ARN names: `role/PATH/NAME` of IAM, or the role of an STS
    /// `assumed-role/ROLE/SESSION`. `None` for any other resource.
    pub fn role_name(&self) -> Option<&'a str> {
        match self.resource_kind()? {
            ("role", rest) if self.service == "iam" => Some(last_segment(rest)),
            ("assumed-role", rest) if self.service == "sts" => rest.split('/').next(),
            _ => None,
        }
    }

    /// A short name for who a principal is: the role of an assumed-role session, else the
    /// whole resource (`user/alice`, `root`).
    pub fn principal_name(&self) -> &'a str {
        match self.resource.strip_prefix("assumed-role/") {
            Some(rest) => rest.split('/').next().unwrap_or(rest),
            None => self.resource,
        }
    }
}

/// The name at the end of an ARN (`arn:aws:iam::1:role/team/Admin` -> `Admin`): what
/// follows its last `/`, all of the text when it has none, so a malformed `role_arn` still
/// shows as written.
pub(crate) fn name_of(text: &str) -> &str {
    last_segment(text)
}

/// The account id of an ARN, `None` when it is not an ARN or the field is empty.
pub fn account_of(text: &str) -> Option<&str> {
    Arn::parse(text)?.account()
}

/// A short name for who an ARN is ([`Arn::principal_name`]); text that is not an ARN is
/// returned as it is.
pub(crate) fn principal_name(text: &str) -> &str {
    Arn::parse(text).map_or(text, |arn| arn.principal_name())
}

fn last_segment(text: &str) -> &str {
    text.rsplit('/').next().unwrap_or(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_splits_the_six_fields_and_keeps_colons_in_the_resource() {
        let arn = Arn::parse("arn:aws-cn:s3:eu-west-1:123456789012:bucket:key/a").unwrap();
        assert_eq!(arn.partition(), "aws-cn");
        assert_eq!(arn.service(), "s3");
        assert_eq!(arn.region, "eu-west-1");
        assert_eq!(arn.account(), Some("123456789012"));
        assert_eq!(arn.resource(), "bucket:key/a");
    }

    #[test]
    fn parse_refuses_text_that_is_not_an_arn() {
        assert_eq!(Arn::parse("not-an-arn"), None);
        assert_eq!(Arn::parse("arn:aws:iam::123456789012"), None);
        assert_eq!(Arn::parse("xrn:aws:iam::123456789012:role/x"), None);
        assert_eq!(Arn::parse(""), None);
    }

    #[test]
    fn an_empty_account_field_is_no_account() {
        assert_eq!(
            account_of("arn:aws:iam::123456789012:role/Admin"),
            Some("123456789012")
        );
        assert_eq!(account_of("not-an-arn"), None);
        assert_eq!(account_of("arn:aws:iam:::role/x"), None);
        assert_eq!(account_of("arn:aws:s3:::bucket"), None);
        assert_eq!(account_of("nonsense"), None);
        assert_eq!(
            account_of("arn:aws:sts::222222222222:assumed-role/R/s"),
            Some("222222222222")
        );
    }

    #[test]
    fn role_name_reads_iam_roles_with_paths_and_sts_sessions() {
        let role = Arn::parse("arn:aws:iam::123456789012:role/team/ops/Admin").unwrap();
        assert_eq!(role.role_name(), Some("Admin"));
        assert_eq!(role.resource_kind(), Some(("role", "team/ops/Admin")));
        let session = Arn::parse("arn:aws:sts::123456789012:assumed-role/Deploy/ci-42").unwrap();
        assert_eq!(session.role_name(), Some("Deploy"));
        assert_eq!(last_segment(session.resource()), "ci-42");
        let user = Arn::parse("arn:aws:iam::123456789012:user/alice").unwrap();
        assert_eq!(user.role_name(), None);
        assert_eq!(last_segment(user.resource()), "alice");
    }

    #[test]
    fn principal_name_is_the_role_of_a_session_else_the_resource() {
        assert_eq!(
            principal_name("arn:aws:sts::1:assumed-role/Admin/session"),
            "Admin"
        );
        assert_eq!(principal_name("arn:aws:iam::1:user/alice"), "user/alice");
        assert_eq!(principal_name("arn:aws:iam::1:root"), "root");
        assert_eq!(principal_name("weird"), "weird");
    }

    #[test]
    fn name_of_falls_back_to_the_text_after_its_last_slash() {
        assert_eq!(name_of("arn:aws:iam::123456789012:role/a/b/C"), "C");
        assert_eq!(name_of("role/x"), "x");
        assert_eq!(name_of("plain"), "plain");
    }

    #[test]
    fn parse_iam_asks_the_config_checker_first() {
        let ok = Arn::parse_iam("arn:aws:iam::123456789012:role/Admin", "role").unwrap();
        assert_eq!(ok.role_name(), Some("Admin"));
        let bad = Arn::parse_iam("arn:aws:sts::123456789012:role/Admin", "role").unwrap_err();
        assert!(bad.problems[0].contains("wrong service"), "{bad:?}");
        assert_eq!(
            bad.suggestion.as_deref(),
            Some("arn:aws:iam::123456789012:role/Admin")
        );
        assert!(Arn::parse_iam("Admin", "role").is_err());
    }
}
