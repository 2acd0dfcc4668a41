//! Checks IAM ARNs written in profiles (`role_arn`, `mfa_serial`) and explains exactly what
//! is wrong, with the corrected ARN when it can be inferred.
//!
//! The expected shape is `arn:PARTITION:iam::ACCOUNT:KIND/[PATH/]NAME` with `KIND` `role`
//! or `mfa`, a known partition, no region, and a 12-digit account.

/// The AWS partitions an IAM ARN can name.
pub const PARTITIONS: &[&str] = &[
    "aws",
    "aws-cn",
    "aws-us-gov",
    "aws-iso",
    "aws-iso-b",
    "aws-iso-e",
    "aws-iso-f",
    "aws-eusc",
];

/// What is wrong with an ARN.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ArnProblems {
    /// Each problem as a phrase, e.g. `names the wrong service (sts instead of iam)`.
    pub problems: Vec<String>,
    /// The ARN with every problem fixed, when all of them could be.
    pub suggestion: Option<String>,
}

/// `None` when `value` is a well-formed IAM ARN of `kind` (`"role"` or `"mfa"`).
pub fn check_iam_arn(value: &str, kind: &str) -> Option<ArnProblems> {
    let mut checker = Checker {
        kind,
        problems: Vec::new(),
        fixable: true,
    };
    let fixed = checker.check(value);
    if checker.problems.is_empty() {
        return None;
    }
    let suggestion = fixed.filter(|f| checker.fixable && f != value);
    Some(ArnProblems {
        problems: checker.problems,
        suggestion,
    })
}

struct Checker<'k> {
    kind: &'k str,
    problems: Vec<String>,
    fixable: bool,
}

impl Checker<'_> {
    fn problem(&mut self, text: String) {
        self.problems.push(text);
    }

    fn unfixable(&mut self, text: String) {
        self.problems.push(text);
        self.fixable = false;
    }

    /// Returns the ARN rebuilt with every fixable problem fixed.
    fn check(&mut self, value: &str) -> Option<String> {
        let kind = self.kind;
        // The AWS CLI keeps surrounding quotes and spaces as part of the value.
        let trimmed = value.trim().trim_matches(['"', '\'']).trim();
        if trimmed != value && !trimmed.is_empty() {
            self.problem(
                "has surrounding spaces or quotes, which the AWS CLI keeps as part of the value".into(),
            );
            return self.check(trimmed);
        }
        if value.chars().any(char::is_whitespace) {
            self.unfixable("contains whitespace".into());
            return None;
        }
        let Some(rest) = value.strip_prefix("arn:") else {
            if value.to_ascii_lowercase().starts_with("arn:") {
                self.problem("must start with lower-case 'arn:'".into());
                return self.check(&format!("arn:{}", &value[4..]));
            }
            self.unfixable(format!(
                "is not an ARN (expected arn:aws:iam::ACCOUNT:{kind}/NAME)"
            ));
            return None;
        };
        let parts: Vec<&str> = rest.splitn(5, ':').collect();
        let (partition, service, region, account, resource) = match parts[..] {
            [p, s, r, a, res] => (p, s, r, a.to_string(), res.to_string()),
            [p, s, r, acct_and_name] => {
                let (account, resource) = self.split_missing_colon(acct_and_name)?;
                (p, s, r, account, resource)
            }
            _ => {
                self.unfixable(format!(
                    "has too few ':'-separated parts (expected arn:PARTITION:iam::ACCOUNT:{kind}/NAME)"
                ));
                return None;
            }
        };
        let partition = self.partition(partition);
        let service = self.service(service);
        if !region.is_empty() {
            self.problem(format!("has a region ('{region}'), but IAM ARNs have none"));
        }
        if account.len() != 12 || !account.bytes().all(|b| b.is_ascii_digit()) {
            self.unfixable(format!("account '{account}' is not 12 digits"));
        }
        let resource = self.resource(&resource, service == "sts-assumed-role");
        Some(format!("arn:{partition}:iam::{account}:{resource}"))
    }

    /// `222222222222/Name` (the `:role/` was left out) -> account and `role/Name`.
    fn split_missing_colon(&mut self, text: &str) -> Option<(String, String)> {
        let kind = self.kind;
        let Some((account, name)) = text.split_once('/') else {
            self.unfixable(format!(
                "has no resource part (expected ':{kind}/NAME' after the account)"
            ));
            return None;
        };
        if let Some(account) = account.strip_suffix(kind) {
            self.problem(format!("is missing ':' before '{kind}/'"));
            return Some((account.to_string(), format!("{kind}/{name}")));
        }
        self.problem(format!("is missing ':{kind}/' between the account and the name"));
        Some((account.to_string(), format!("{kind}/{name}")))
    }

    fn partition(&mut self, partition: &str) -> String {
        if PARTITIONS.contains(&partition) {
            return partition.to_string();
        }
        let lower = partition.to_ascii_lowercase();
        if PARTITIONS.contains(&lower.as_str()) {
            self.problem(format!("partition '{partition}' must be lower-case"));
            return lower;
        }
        self.unfixable(format!(
            "partition '{partition}' is unknown (known: {})",
            PARTITIONS.join(", ")
        ));
        partition.to_string()
    }

    /// Returns `iam`, or the marker `sts-assumed-role` when the service was `sts`.
    fn service(&mut self, service: &str) -> &'static str {
        if service == "iam" {
            return "iam";
        }
        self.problem(format!("names the wrong service ({service} instead of iam)"));
        if service == "sts" {
            "sts-assumed-role"
        } else {
            "iam"
        }
    }

    fn resource(&mut self, resource: &str, from_sts: bool) -> String {
        let kind = self.kind;
        if let Some(name_path) = resource.strip_prefix(kind).and_then(|r| r.strip_prefix('/')) {
            self.name(name_path);
            return resource.to_string();
        }
        let (head, tail) = resource.split_once('/').unwrap_or(("", resource));
        if head.eq_ignore_ascii_case(kind) {
            self.problem(format!("'{head}/' must be lower-case '{kind}/'"));
            self.name(tail);
            return format!("{kind}/{tail}");
        }
        if from_sts && head == "assumed-role" && kind == "role" {
            // arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION is a session of role ROLE.
            let role = tail.split('/').next().unwrap_or_default();
            self.problem(format!(
                "is an assumed-role session, not the role (the role is '{kind}/{role}')"
            ));
            self.name(role);
            return format!("{kind}/{role}");
        }
        match head {
            "" => {
                self.problem(format!("is missing '{kind}/' before the name"));
                self.name(tail);
                format!("{kind}/{tail}")
            }
            "user" if kind == "mfa" => {
                self.problem(
                    "names an IAM user; an MFA device ARN ends in ':mfa/NAME' (often the user's name)".into(),
                );
                format!("{kind}/{tail}")
            }
            other => {
                self.unfixable(format!(
                    "names an IAM {other}, not a {kind} (expected '{kind}/NAME')"
                ));
                resource.to_string()
            }
        }
    }

    /// The part after `KIND/`: an optional path and a name of IAM's allowed characters.
    fn name(&mut self, path_and_name: &str) {
        let name = crate::arn::name_of(path_and_name);
        let kind = self.kind;
        if name.is_empty() {
            self.unfixable(format!("has an empty {kind} name"));
        } else if !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_+=,.@-".contains(c))
        {
            self.unfixable(format!(
                "{kind} name '{name}' has characters IAM does not allow (allowed: A-Z a-z 0-9 _ + = , . @ -)"
            ));
        } else if kind == "role" && name.len() > 64 {
            self.unfixable(format!("role name '{name}' is longer than 64 characters"));
        }
    }
}
