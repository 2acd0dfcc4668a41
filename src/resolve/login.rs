//! Console-credentials logins (`login_session`, written by `aws login`): aws-config's
//! [`LoginCredentialsProvider`](aws_config::login::LoginCredentialsProvider) reads the
//! token cache and refreshes it through AWS Sign-In; this module says what to do when
//! that login is missing, expired or refused.

use super::outcome::{ErrorKind, HopError};

/// The command that renews a profile's console login.
pub(crate) fn login_command(profile: &str) -> String {
    if profile == "default" {
        "aws login".to_string()
    } else {
        format!("aws login --profile {profile}")
    }
}

/// Names the profile and the session in an error of the login provider and, since every
/// such error means the cached login cannot be used (missing file, expired and not
/// renewable, refused refresh), the command that renews it. Network failures and
/// timeouts keep their own words: logging in again would not help.
pub(crate) fn explain(profile: &str, session_arn: &str, mut error: HopError) -> HopError {
    if matches!(error.kind, ErrorKind::Network | ErrorKind::Timeout) {
        return error;
    }
    let detail = error
        .message
        .trim_start_matches("an error occurred while loading credentials: ")
        .trim_start_matches("unexpected credentials error: ")
        .to_string();
    error.kind = ErrorKind::Credentials;
    error.message = format!(
        "profile '{profile}': the console login for {session_arn} cannot be used ({detail}); run `{}`",
        login_command(profile)
    );
    error
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_the_renewing_command() {
        assert_eq!(login_command("default"), "aws login");
        assert_eq!(login_command("dev"), "aws login --profile dev");
        let e = explain(
            "dev",
            "arn:aws:iam::1:user/a",
            HopError::new(ErrorKind::Other, None, "cached Login token is expired"),
        );
        assert_eq!(e.kind, ErrorKind::Credentials);
        assert!(
            e.message.ends_with("run `aws login --profile dev`"),
            "{}",
            e.message
        );
        assert!(e.message.contains("cached Login token is expired"));
        let net = HopError::new(ErrorKind::Network, None, "dns error");
        assert_eq!(explain("dev", "arn", net.clone()), net);
    }
}
