use super::*;
use serde_json::json;

const DEV: &str = "111111111111";
const PROD: &str = "222222222222";

fn doc(v: serde_json::Value) -> PolicyDocument {
    serde_json::from_value(v).expect("valid policy document")
}

fn user(name: &str) -> Caller {
    Caller {
        principal_arn: format!("arn:aws:iam::{DEV}:user/{name}"),
        session_arn: None,
        account: DEV.into(),
    }
}

fn role_session(account: &str, role: &str, session: &str) -> Caller {
    Caller {
        principal_arn: format!("arn:aws:iam::{account}:role/{role}"),
        session_arn: Some(format!("arn:aws:sts::{account}:assumed-role/{role}/{session}")),
        account: account.into(),
    }
}

fn allow_assume(resource: &str) -> PolicyDocument {
    doc(json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": resource}]}))
}

fn trusting(principal: serde_json::Value) -> PolicyDocument {
    doc(json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"}]}))
}

fn ctx() -> RequestContext {
    RequestContext::default()
}

#[test]
fn glob_matches_iam_wildcards() {
    let cases = [
        ("*", "anything", false, true),
        ("sts:*", "sts:AssumeRole", false, true),
        ("sts:assume*", "sts:AssumeRole", true, true),
        ("sts:assume*", "sts:AssumeRole", false, false),
        (
            "arn:aws:iam::222222222222:role/SwitchToRole*",
            "arn:aws:iam::222222222222:role/SwitchToRole2",
            false,
            true,
        ),
        (
            "arn:aws:iam::*:role/Audit*",
            "arn:aws:iam::111111111111:role/AuditReader",
            false,
            true,
        ),
        (
            "arn:aws:iam::*:role/Audit*",
            "arn:aws:iam::111111111111:role/audit",
            false,
            false,
        ),
        ("role/Switch?oRole", "role/SwitchToRole", false, true),
        ("role/Switch?oRole", "role/SwitchoRole", false, false),
        ("a*b*c", "aXXbYYc", false, true),
        ("a*b*c", "aXXbYY", false, false),
        ("", "", false, true),
        ("exact", "exactly", false, false),
    ];
    for (pattern, text, ignore_case, expected) in cases {
        assert_eq!(glob(pattern, text, ignore_case), expected, "{pattern} vs {text}");
    }
}

#[test]
fn documents_accept_strings_or_lists_everywhere() {
    let d = doc(
        json!({"Statement": {"Effect": "Allow", "Action": ["sts:AssumeRole", "sts:TagSession"],
        "Principal": {"AWS": "123456789012", "Service": ["ec2.amazonaws.com"]},
        "Condition": {"Bool": {"aws:MultiFactorAuthPresent": true}}}}),
    );
    let s = &d.statements[0];
    assert_eq!(s.actions.len(), 2);
    let p = s.principal.as_ref().expect("principal");
    assert_eq!(p.aws, vec!["123456789012"]);
    assert_eq!(p.service, vec!["ec2.amazonaws.com"]);
    assert_eq!(s.conditions["Bool"]["aws:MultiFactorAuthPresent"].0, vec!["true"]);
    let star = doc(json!({"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*"}]}));
    assert!(star.statements[0].principal.as_ref().expect("principal").any);
    assert!(serde_json::from_value::<PolicyDocument>(json!({"Statement": [{"Effect": "Maybe"}]})).is_err());
}

#[test]
fn identity_policies_deny_wins_then_allow_then_default_deny() {
    let prod = "arn:aws:iam::222222222222:role/SwitchToRole";
    let allow = allow_assume("arn:aws:iam::222222222222:role/*");
    let deny = doc(json!({"Statement": [
        {"Effect": "Deny", "Action": "STS:ASSUMEROLE", "Resource": prod}]}));
    let other = allow_assume("arn:aws:iam::333333333333:role/*");
    let cases: [(&[PolicyDocument], Decision); 5] = [
        (&[], Decision::NotAllowed),
        (std::slice::from_ref(&allow), Decision::Allow),
        (std::slice::from_ref(&other), Decision::NotAllowed),
        (&[allow.clone(), deny.clone()], Decision::ExplicitDeny),
        (&[deny.clone(), allow.clone()], Decision::ExplicitDeny),
    ];
    for (i, (policies, expected)) in cases.iter().enumerate() {
        assert_eq!(
            identity(policies, ASSUME_ROLE, prod, &ctx()),
            *expected,
            "case {i}"
        );
    }
    // Action names match case-insensitively, resources do not.
    let lower = doc(json!({"Statement": [{"Effect": "Allow", "Action": "sts:assumerole", "Resource": "*"}]}));
    assert_eq!(identity(&[lower], ASSUME_ROLE, prod, &ctx()), Decision::Allow);
    let wrong_case = allow_assume("arn:aws:iam::222222222222:role/switchtorole");
    assert_eq!(
        identity(&[wrong_case], ASSUME_ROLE, prod, &ctx()),
        Decision::NotAllowed
    );
}

#[test]
fn trust_policy_principal_forms() {
    let alice = user("alice");
    let session = role_session(DEV, "SwitchFromRole", "i-0abc");
    let cases = [
        (
            json!({"AWS": "arn:aws:iam::111111111111:user/alice"}),
            &alice,
            Trust::NamesPrincipal,
        ),
        (
            json!({"AWS": "arn:aws:iam::111111111111:user/bob"}),
            &alice,
            Trust::NoMatch,
        ),
        (
            json!({"AWS": "arn:aws:iam::111111111111:root"}),
            &alice,
            Trust::NamesAccount,
        ),
        (json!({"AWS": "111111111111"}), &alice, Trust::NamesAccount),
        (
            json!({"AWS": "arn:aws:iam::222222222222:root"}),
            &alice,
            Trust::NoMatch,
        ),
        (json!("*"), &alice, Trust::NamesPrincipal),
        (json!({"AWS": "*"}), &alice, Trust::NamesPrincipal),
        (json!({"Service": "ec2.amazonaws.com"}), &alice, Trust::NoMatch),
        // A role session is trusted through its role's ARN, or its own session ARN.
        (
            json!({"AWS": "arn:aws:iam::111111111111:role/SwitchFromRole"}),
            &session,
            Trust::NamesPrincipal,
        ),
        (
            json!({"AWS": "arn:aws:sts::111111111111:assumed-role/SwitchFromRole/i-0abc"}),
            &session,
            Trust::NamesPrincipal,
        ),
        (
            json!({"AWS": ["arn:aws:iam::111111111111:user/bob", "111111111111"]}),
            &session,
            Trust::NamesAccount,
        ),
    ];
    for (i, (principal, caller, expected)) in cases.into_iter().enumerate() {
        assert_eq!(trust(&trusting(principal), caller, &ctx()), expected, "case {i}");
    }
}

#[test]
fn trust_policy_explicit_deny_and_action_filter() {
    let alice = user("alice");
    let d = doc(json!({"Statement": [
        {"Effect": "Allow", "Principal": {"AWS": "111111111111"}, "Action": "sts:AssumeRole"},
        {"Effect": "Deny", "Principal": {"AWS": "arn:aws:iam::111111111111:user/alice"}, "Action": "sts:*"}]}));
    assert_eq!(trust(&d, &alice, &ctx()), Trust::ExplicitDeny);
    assert_eq!(trust(&d, &user("carol"), &ctx()), Trust::NamesAccount);
    let tag_only = doc(json!({"Statement": [
        {"Effect": "Allow", "Principal": {"AWS": "111111111111"}, "Action": "sts:TagSession"}]}));
    assert_eq!(trust(&tag_only, &alice, &ctx()), Trust::NoMatch);
}

#[test]
fn same_account_versus_cross_account() {
    let alice = user("alice");
    let dev_role = format!("arn:aws:iam::{DEV}:role/Admin");
    let prod_role = format!("arn:aws:iam::{PROD}:role/SwitchToRole");
    let by_name = trusting(json!({"AWS": "arn:aws:iam::111111111111:user/alice"}));
    let by_account = trusting(json!({"AWS": "arn:aws:iam::111111111111:root"}));
    let nobody = trusting(json!({"AWS": "arn:aws:iam::111111111111:user/bob"}));
    let allows_dev = allow_assume(&dev_role);
    let allows_prod = allow_assume(&prod_role);
    let none: &[PolicyDocument] = &[];
    type Case<'a> = (
        &'a str,
        &'a str,
        &'a PolicyDocument,
        &'a [PolicyDocument],
        Result<Grant, Denial>,
    );
    let cases: Vec<Case> = vec![
        // Same account: naming the user in trust is enough.
        (&dev_role, DEV, &by_name, none, Ok(Grant::TrustNamesCaller)),
        // Same account, trust names only the account: the identity policy decides.
        (
            &dev_role,
            DEV,
            &by_account,
            none,
            Err(Denial::IdentityPolicyDoesNotAllow),
        ),
        (
            &dev_role,
            DEV,
            &by_account,
            std::slice::from_ref(&allows_dev),
            Ok(Grant::TrustAndIdentity),
        ),
        // Same account, an identity Allow cannot replace trust.
        (
            &dev_role,
            DEV,
            &nobody,
            std::slice::from_ref(&allows_dev),
            Err(Denial::TrustPolicyDoesNotAllow),
        ),
        // Cross-account: both sides, always.
        (
            &prod_role,
            PROD,
            &by_name,
            none,
            Err(Denial::IdentityPolicyDoesNotAllow),
        ),
        (
            &prod_role,
            PROD,
            &by_name,
            std::slice::from_ref(&allows_prod),
            Ok(Grant::TrustAndIdentity),
        ),
        (
            &prod_role,
            PROD,
            &by_account,
            std::slice::from_ref(&allows_prod),
            Ok(Grant::TrustAndIdentity),
        ),
        (
            &prod_role,
            PROD,
            &nobody,
            std::slice::from_ref(&allows_prod),
            Err(Denial::TrustPolicyDoesNotAllow),
        ),
        (
            &prod_role,
            PROD,
            &by_name,
            std::slice::from_ref(&allows_dev),
            Err(Denial::IdentityPolicyDoesNotAllow),
        ),
    ];
    for (i, (role_arn, account, trust_policy, policies, expected)) in cases.into_iter().enumerate() {
        assert_eq!(
            may_assume(&alice, policies, role_arn, account, trust_policy, &ctx()),
            expected,
            "case {i}"
        );
    }
}

#[test]
fn explicit_deny_anywhere_wins() {
    let alice = user("alice");
    let dev_role = format!("arn:aws:iam::{DEV}:role/AuditReader");
    let by_name = trusting(json!({"AWS": "arn:aws:iam::111111111111:user/alice"}));
    let deny_audit = doc(json!({"Statement": [
        {"Effect": "Deny", "Action": "sts:*", "Resource": "arn:aws:iam::*:role/Audit*"}]}));
    // Even where trust alone would suffice (same account, named principal).
    assert_eq!(
        may_assume(&alice, &[deny_audit], &dev_role, DEV, &by_name, &ctx()),
        Err(Denial::ExplicitDenyInIdentityPolicy)
    );
    let trust_deny = doc(json!({"Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole"},
        {"Effect": "Deny", "Principal": {"AWS": "111111111111"}, "Action": "sts:AssumeRole"}]}));
    assert_eq!(
        may_assume(&alice, &[allow_assume("*")], &dev_role, DEV, &trust_deny, &ctx()),
        Err(Denial::ExplicitDenyInTrustPolicy)
    );
}

#[test]
fn external_id_conditions() {
    let alice = user("alice");
    let equals = doc(
        json!({"Statement": [{"Effect": "Allow", "Principal": {"AWS": "111111111111"},
        "Action": "sts:AssumeRole", "Condition": {"StringEquals": {"sts:ExternalId": "demo-partner-7f3a"}}}]}),
    );
    let like = doc(
        json!({"Statement": [{"Effect": "Allow", "Principal": {"AWS": "111111111111"},
        "Action": "sts:AssumeRole", "Condition": {"StringLike": {"sts:ExternalId": ["demo-*", "other"]}}}]}),
    );
    let with = |id: Option<&str>| RequestContext {
        external_id: id.map(str::to_string),
        ..Default::default()
    };
    let cases = [
        (&equals, None, Trust::NoMatch),
        (&equals, Some("demo-partner-7f3a"), Trust::NamesAccount),
        (&equals, Some("DEMO-PARTNER-7F3A"), Trust::NoMatch),
        (&equals, Some("wrong"), Trust::NoMatch),
        (&like, Some("demo-anything"), Trust::NamesAccount),
        (&like, Some("other"), Trust::NamesAccount),
        (&like, None, Trust::NoMatch),
    ];
    for (i, (policy, id, expected)) in cases.into_iter().enumerate() {
        assert_eq!(trust(policy, &alice, &with(id)), expected, "case {i}");
    }
}

#[test]
fn mfa_conditions_follow_missing_key_semantics() {
    let alice = user("alice");
    let requires = |op: &str, value: &str| {
        doc(
            json!({"Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111111111111:user/alice"},
            "Action": "sts:AssumeRole", "Condition": {op: {"aws:MultiFactorAuthPresent": value}}}]}),
        )
    };
    let with = |mfa: Option<bool>| RequestContext {
        mfa_present: mfa,
        ..Default::default()
    };
    let cases = [
        ("Bool", "true", Some(true), Trust::NamesPrincipal),
        ("Bool", "true", Some(false), Trust::NoMatch),
        ("Bool", "true", None, Trust::NoMatch),
        // The classic trap: long-term keys carry no MFA key at all, so "false" does not match.
        ("Bool", "false", None, Trust::NoMatch),
        ("Bool", "false", Some(false), Trust::NamesPrincipal),
        ("BoolIfExists", "false", None, Trust::NamesPrincipal),
        ("Null", "true", None, Trust::NamesPrincipal),
        ("Null", "true", Some(true), Trust::NoMatch),
        ("NumericLessThan", "1", Some(true), Trust::NoMatch),
    ];
    for (i, (op, value, mfa, expected)) in cases.into_iter().enumerate() {
        assert_eq!(
            trust(&requires(op, value), &alice, &with(mfa)),
            expected,
            "case {i}"
        );
    }
}

#[test]
fn negated_operators_hold_for_missing_keys() {
    assert!(condition_holds("StringNotEquals", None, &["x".into()]));
    assert!(!condition_holds("StringNotEquals", Some("x"), &["x".into()]));
    assert!(condition_holds("StringNotLike", Some("y"), &["x*".into()]));
    assert!(!condition_holds("StringEquals", None, &["x".into()]));
    assert!(condition_holds(
        "StringEqualsIgnoreCase",
        Some("ABC"),
        &["abc".into()]
    ));
}

#[test]
fn durations() {
    let cases = [
        (None, false, 3600, Ok(3600)),
        (Some(900), false, 3600, Ok(900)),
        (Some(899), false, 3600, Err(DurationError::TooShort(899))),
        (Some(43201), false, 43200, Err(DurationError::TooLong(43201))),
        (
            Some(7200),
            false,
            3600,
            Err(DurationError::ExceedsMaxSessionDuration),
        ),
        (Some(7200), false, 43200, Ok(7200)),
        // Role chaining caps at one hour whatever the role allows.
        (Some(7200), true, 43200, Err(DurationError::Chaining)),
        (Some(3600), true, 43200, Ok(3600)),
        (None, true, 43200, Ok(3600)),
    ];
    for (i, (requested, chained, max, expected)) in cases.into_iter().enumerate() {
        assert_eq!(check_duration(requested, chained, max), expected, "case {i}");
    }
    assert_eq!(
        DurationError::Chaining.to_string(),
        "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining."
    );
    assert_eq!(
        DurationError::TooShort(100).to_string(),
        "1 validation error detected: Value '100' at 'durationSeconds' failed to satisfy constraint: \
         Member must have value greater than or equal to 900"
    );
}
