//! Default role session names: `rswitch-<local user>`, so CloudTrail shows who switched.

/// Sanitises `raw` to STS's `[\w+=,.@-]{2,64}`: other characters become `-`.
pub(crate) fn sanitize(raw: &str) -> String {
    let mut s: String = raw
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "_+=,.@-".contains(c) {
                c
            } else {
                '-'
            }
        })
        .take(64)
        .collect();
    while s.len() < 2 {
        s.push('-');
    }
    s
}

/// The session name used when a profile sets no `role_session_name`.
pub(crate) fn default_for_user(user: &str) -> String {
    sanitize(&format!("rswitch-{user}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sanitises_to_sts_charset_and_length() {
        assert_eq!(default_for_user("alice"), "rswitch-alice");
        assert_eq!(default_for_user("J Doe/ü"), "rswitch-J-Doe--");
        assert_eq!(sanitize(""), "--");
        assert_eq!(sanitize(&"x".repeat(100)).len(), 64);
        let name = default_for_user("DOMAIN\\user name");
        assert!(
            name.chars()
                .all(|c| c.is_ascii_alphanumeric() || "_+=,.@-".contains(c))
        );
    }
}
