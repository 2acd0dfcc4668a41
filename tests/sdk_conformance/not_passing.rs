//! The one table of the SDK test cases that do not pass, with the reason for each, and
//! the rule every data set's runner applies: a case passes or is listed; an "expected
//! failure until …" case that passes now must leave the table.

/// (data set, case, reason). A case is its `docs` (JSON data) or its directory.
pub const NOT_PASSING: &[(&str, &str, &str)] = &[
    (
        "assume-role-tests.json",
        "profile only contains configuration",
        "out of scope: the SDK's profile provider alone; the AWS CLI's chain goes on to the container \
         and IMDS providers for a selected profile without credentials, as rswitch does",
    ),
    (
        "assume-role-tests.json",
        "SSO token profile selected",
        "out of scope: a bearer-token profile (no account or role) for the SSO token provider, not a \
         credentials source",
    ),
    (
        "imds-config/imds-endpoint-tests.json",
        "explicit endpoint override",
        "out of scope: sets the endpoint through aws-config's Rust builder, which has no configuration equivalent",
    ),
    (
        "imds-config/imds-endpoint-tests.json",
        "explicit mode override",
        "out of scope: sets the mode through aws-config's Rust builder, which has no configuration equivalent",
    ),
    (
        "provider-cases",
        "default-credential-provider-chain/ecs_credentials",
        NO_PROFILE,
    ),
    (
        "provider-cases",
        "default-credential-provider-chain/ecs_credentials_invalid_profile",
        NO_PROFILE,
    ),
    (
        "provider-cases",
        "default-credential-provider-chain/eks_pod_identity_credentials",
        NO_PROFILE,
    ),
    (
        "provider-cases",
        "default-credential-provider-chain/environment_variables",
        NO_PROFILE,
    ),
    (
        "provider-cases",
        "default-credential-provider-chain/imds_default_chain_retries",
        NO_PROFILE,
    ),
    (
        "provider-cases",
        "default-credential-provider-chain/imds_default_chain_success",
        NO_PROFILE,
    ),
    (
        "provider-cases",
        "default-credential-provider-chain/web_identity_token_env",
        NO_PROFILE,
    ),
    (
        "provider-cases",
        "default-credential-provider-chain/prefer_environment",
        "out of scope: credentials in the environment, which the default chain takes before any \
         profile; rswitch resolves the profile named",
    ),
];

const NO_PROFILE: &str = "out of scope: no profile at all (the selected profile does not exist); the \
    credentials come from the environment, a container or IMDS only";

/// Checks `results` (case, outcome) of one data set against the table.
pub fn judge(data: &str, results: Vec<(String, Result<(), String>)>) {
    let mut problems = Vec::new();
    for (case, result) in &results {
        let listed = NOT_PASSING.iter().find(|(d, c, _)| *d == data && c == case);
        match (result, listed) {
            (Ok(()), None) | (Err(_), Some(_)) => {}
            (Err(e), None) => problems.push(format!("{case}: {e}")),
            (Ok(()), Some((_, _, why))) if why.starts_with("expected failure") => {
                problems.push(format!("{case}: passes now; remove it from NOT_PASSING"))
            }
            (Ok(()), Some(_)) => {}
        }
    }
    for (d, c, _) in NOT_PASSING.iter().filter(|(d, _, _)| *d == data) {
        assert!(results.iter().any(|(case, _)| case == c), "{d}: no case {c}");
    }
    assert!(
        problems.is_empty(),
        "{data}: {} case(s):\n{}",
        problems.len(),
        problems.join("\n")
    );
}
