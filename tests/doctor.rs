//! `doctor` table tests: for each cause, a recorded STS error (XML as STS returns it) is
//! replayed by a loopback STS/IAM endpoint, the profile is resolved for real through the
//! SDK and `rswitch::sts`'s error conversion, and the doctor's verdict and policies are
//! checked. Also: the generated JSON parses and names exact ARNs, the commands survive a
//! POSIX shell, and the policy generator never emits a wildcard principal or resource.

use proptest::prelude::*;
use rswitch::doctor::arn::{Principal, parse_role_arn};
use rswitch::doctor::policy::{PolicyKind, identity_fix, identity_statement, shell_quote, trust_fix};
use rswitch::doctor::{CauseId, Confidence, Report, doctor};
use rswitch::env::Env;
use rswitch::fake_aws::loopback::{Request, Response, Server, handler};
use rswitch::resolve::{Resolver, ResolverOptions};
use serde_json::Value;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

const FROM_ROLE: &str = "arn:aws:iam::111111111111:role/SwitchFromRole";
const TO_ROLE_SAME: &str = "arn:aws:iam::111111111111:role/SwitchToRole";
const TO_ROLE_CROSS: &str = "arn:aws:iam::222222222222:role/SwitchToRole2";
const ALICE: &str = "arn:aws:iam::111111111111:user/alice";

/// What the replayed IAM says to the failing hop's caller.
#[derive(Clone, Default)]
enum IamScript {
    /// AccessDenied for every IAM call, as for a caller without IAM read access.
    #[default]
    Denied,
    Answers {
        /// `None`: NoSuchEntity.
        trust: Option<Value>,
        max_session_duration: i64,
        decision: &'static str,
    },
}

/// A recorded STS world: who each access key is, and how AssumeRole answers per role.
#[derive(Clone, Default)]
struct World {
    /// AssumeRole on this role ARN fails with (HTTP status, Code, Message).
    errors: HashMap<String, (u16, &'static str, String)>,
    iam: IamScript,
    /// The base keys belong to this principal.
    base_arn: Option<&'static str>,
}

struct Replay {
    server: Server,
    requests: Arc<Mutex<Vec<Request>>>,
}

fn param(body: &[u8], key: &str) -> Option<String> {
    form_urlencoded::parse(body)
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.into_owned())
}

fn error_xml(code: &str, message: &str) -> String {
    let escaped = message
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;");
    format!(
        "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\n  <Error>\n    <Type>Sender</Type>\n    \
         <Code>{code}</Code>\n    <Message>{escaped}</Message>\n  </Error>\n  \
         <RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId>\n</ErrorResponse>\n"
    )
}

fn percent_encode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

async fn replay(world: World) -> Replay {
    let requests = Arc::new(Mutex::new(Vec::new()));
    let log = requests.clone();
    // access key id -> principal ARN
    let keys = Arc::new(Mutex::new(HashMap::from([(
        "AKIAALICE".to_string(),
        world.base_arn.unwrap_or(ALICE).to_string(),
    )])));
    let world = Arc::new(world);
    let server = Server::start(handler(move |req: Request| {
        let (world, keys, log) = (world.clone(), keys.clone(), log.clone());
        async move {
            log.lock().unwrap().push(req.clone());
            let key = req
                .header("authorization")
                .and_then(|a| a.split("Credential=").nth(1))
                .and_then(|c| c.split('/').next())
                .unwrap_or_default()
                .to_string();
            let caller = keys.lock().unwrap().get(&key).cloned().unwrap_or_default();
            let action = param(&req.body, "Action").unwrap_or_default();
            let xml = |status, body: String| Response::new(status, "text/xml", body);
            match action.as_str() {
                "GetCallerIdentity" => xml(
                    200,
                    format!(
                        "<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><GetCallerIdentityResult><Arn>{caller}</Arn><UserId>AIDAEXAMPLE</UserId><Account>{}</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></GetCallerIdentityResponse>",
                        caller.split(':').nth(4).unwrap_or_default()
                    ),
                ),
                "GetSessionToken" => {
                    // An MFA session of the same user: its calls are made as the user.
                    keys.lock().unwrap().insert("ASIASESSION".to_string(), caller.clone());
                    xml(
                        200,
                        "<GetSessionTokenResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><GetSessionTokenResult><Credentials><AccessKeyId>ASIASESSION</AccessKeyId><SecretAccessKey>secret</SecretAccessKey><SessionToken>token</SessionToken><Expiration>2099-01-01T00:00:00Z</Expiration></Credentials></GetSessionTokenResult><ResponseMetadata><RequestId>3</RequestId></ResponseMetadata></GetSessionTokenResponse>".to_string(),
                    )
                }
                "AssumeRole" => {
                    let role = param(&req.body, "RoleArn").unwrap_or_default();
                    let session = param(&req.body, "RoleSessionName").unwrap_or_default();
                    if let Some((status, code, message)) = world.errors.get(&role) {
                        let message = message.replace("{caller}", &caller).replace("{role}", &role);
                        return xml(*status, error_xml(code, &message));
                    }
                    let account = role.split(':').nth(4).unwrap_or_default();
                    let name = role.rsplit('/').next().unwrap_or_default();
                    let arn = format!("arn:aws:sts::{account}:assumed-role/{name}/{session}");
                    let new_key = format!("ASIA{}", name.to_uppercase());
                    keys.lock().unwrap().insert(new_key.clone(), arn.clone());
                    xml(
                        200,
                        format!(
                            "<AssumeRoleResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><AssumeRoleResult><AssumedRoleUser><AssumedRoleId>AROAEXAMPLE:{session}</AssumedRoleId><Arn>{arn}</Arn></AssumedRoleUser><Credentials><AccessKeyId>{new_key}</AccessKeyId><SecretAccessKey>secret</SecretAccessKey><SessionToken>token</SessionToken><Expiration>2099-01-01T00:00:00Z</Expiration></Credentials></AssumeRoleResult><ResponseMetadata><RequestId>2</RequestId></ResponseMetadata></AssumeRoleResponse>"
                        ),
                    )
                }
                "GetRole" | "SimulatePrincipalPolicy" => {
                    let denied = |what: &str| {
                        xml(
                            403,
                            error_xml(
                                "AccessDenied",
                                &format!("User: {caller} is not authorized to perform: iam:{action} on resource: {what} because no identity-based policy allows the iam:{action} action"),
                            ),
                        )
                    };
                    match (&world.iam, action.as_str()) {
                        (IamScript::Denied, _) => denied("role"),
                        (IamScript::Answers { trust: None, .. }, "GetRole") => xml(
                            404,
                            error_xml("NoSuchEntity", "The role with name SwitchToRole cannot be found."),
                        ),
                        (IamScript::Answers { trust: Some(trust), max_session_duration, .. }, "GetRole") => {
                            let name = param(&req.body, "RoleName").unwrap_or_default();
                            xml(
                                200,
                                format!(
                                    "<GetRoleResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"><GetRoleResult><Role><Path>/</Path><AssumeRolePolicyDocument>{}</AssumeRolePolicyDocument><MaxSessionDuration>{max_session_duration}</MaxSessionDuration><RoleId>AROAEXAMPLE</RoleId><RoleName>{name}</RoleName><Arn>arn:aws:iam::111111111111:role/{name}</Arn><CreateDate>2024-01-01T00:00:00Z</CreateDate></Role></GetRoleResult><ResponseMetadata><RequestId>3</RequestId></ResponseMetadata></GetRoleResponse>",
                                    percent_encode(&trust.to_string())
                                ),
                            )
                        }
                        (IamScript::Answers { decision, .. }, _) => {
                            let resource = param(&req.body, "ResourceArns.member.1").unwrap_or_default();
                            xml(
                                200,
                                format!(
                                    "<SimulatePrincipalPolicyResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"><SimulatePrincipalPolicyResult><IsTruncated>false</IsTruncated><EvaluationResults><member><EvalResourceName>{resource}</EvalResourceName><EvalActionName>sts:AssumeRole</EvalActionName><EvalDecision>{decision}</EvalDecision><MatchedStatements/><MissingContextValues/></member></EvaluationResults></SimulatePrincipalPolicyResult><ResponseMetadata><RequestId>4</RequestId></ResponseMetadata></SimulatePrincipalPolicyResponse>"
                                ),
                            )
                        }
                    }
                }
                _ => xml(400, error_xml("InvalidAction", "unknown action")),
            }
        }
    }))
    .await
    .unwrap();
    Replay { server, requests }
}

/// alice (user, 111111111111) -> SwitchFromRole (111111111111) -> `target` profile.
fn config(target_role: &str, extra: &str) -> String {
    format!(
        "[profile alice]\naws_access_key_id = AKIAALICE\naws_secret_access_key = alicesecret\n\n\
         [profile SwitchFromRole]\nrole_arn = {FROM_ROLE}\nsource_profile = alice\n\n\
         [profile target]\nrole_arn = {target_role}\nsource_profile = SwitchFromRole\n{extra}\n\n\
         [profile direct]\nrole_arn = {target_role}\nsource_profile = alice\n{extra}\n"
    )
}

async fn run_doctor(replay: &Replay, config_text: &str, profile: &str) -> Report {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config");
    std::fs::write(&path, config_text).unwrap();
    let env = Env::from_vars(
        [
            ("AWS_CONFIG_FILE", path.to_str().unwrap().to_string()),
            (
                "AWS_SHARED_CREDENTIALS_FILE",
                dir.path().join("none").to_str().unwrap().to_string(),
            ),
            ("AWS_ENDPOINT_URL_STS", replay.server.url()),
            ("AWS_REGION", "eu-west-1".to_string()),
            ("USER", "alice".to_string()),
        ],
        Some(dir.path().to_path_buf()),
    );
    let set = Arc::new(rswitch::config::load(&env).unwrap());
    let resolver = Resolver::new(
        set,
        env,
        ResolverOptions {
            timeout: Duration::from_secs(3),
            concurrency: 2,
            cache: None,
        },
    )
    .with_mfa_prompt(Arc::new(|_, _| Box::pin(async { Ok("123456".to_string()) })));
    doctor(&resolver, profile).await
}

/// The doctor on `target`, denied by a same-account role, where the caller may read IAM:
/// GetRole answers `trust` (`None`: no such role, with a one-hour maximum session) and
/// SimulatePrincipalPolicy answers `decision`.
async fn same_account_denial_with_iam(
    trust: Option<serde_json::Value>,
    decision: &'static str,
) -> (Replay, Report) {
    let replay = replay(World {
        errors: denied(TO_ROLE_SAME, GENERIC),
        iam: IamScript::Answers {
            trust,
            max_session_duration: 3600,
            decision,
        },
        ..World::default()
    })
    .await;
    let report = run_doctor(&replay, &config(TO_ROLE_SAME, ""), "target").await;
    (replay, report)
}

fn denied(role: &str, message: &str) -> HashMap<String, (u16, &'static str, String)> {
    HashMap::from([(role.to_string(), (403, "AccessDenied", message.to_string()))])
}

const GENERIC: &str = "User: {caller} is not authorized to perform: sts:AssumeRole on resource: {role}";

fn ids(report: &Report) -> Vec<(CauseId, Confidence)> {
    report.causes.iter().map(|c| (c.id, c.confidence)).collect()
}

fn policy(report: &Report, kind: PolicyKind) -> Option<&rswitch::doctor::policy::PolicyFix> {
    report.policies.iter().find(|p| p.kind == kind)
}

#[tokio::test]
async fn cross_account_denial_needs_both_policies() {
    let replay = replay(World {
        errors: denied(TO_ROLE_CROSS, GENERIC),
        ..World::default()
    })
    .await;
    let report = run_doctor(&replay, &config(TO_ROLE_CROSS, ""), "target").await;
    let hop = report.hop.as_ref().unwrap();
    assert_eq!(hop.index, 2);
    assert_eq!(hop.same_account, Some(false));
    assert!(hop.chained);
    match hop.caller.as_ref().unwrap() {
        Principal::AssumedRole {
            session_arn,
            role_arn,
            ..
        } => {
            assert_eq!(
                session_arn,
                "arn:aws:sts::111111111111:assumed-role/SwitchFromRole/rswitch-alice"
            );
            assert_eq!(role_arn, FROM_ROLE);
        }
        other => panic!("{other:?}"),
    }
    let causes = ids(&report);
    assert_eq!(
        causes[0],
        (CauseId::TrustPolicy, Confidence::Inferred),
        "{causes:?}"
    );
    assert_eq!(
        causes[1],
        (CauseId::IdentityPolicy, Confidence::Inferred),
        "{causes:?}"
    );
    assert!(
        causes.iter().all(|(_, c)| *c == Confidence::Inferred),
        "{causes:?}"
    );
    assert!(!report.iam.used);

    let trust = policy(&report, PolicyKind::Trust).unwrap();
    assert_eq!(trust.account, "222222222222");
    assert_eq!(trust.document["Statement"][0]["Principal"]["AWS"], FROM_ROLE);
    assert!(
        trust
            .command
            .starts_with("aws iam update-assume-role-policy --role-name SwitchToRole2 ")
    );
    let identity = policy(&report, PolicyKind::RoleIdentity).unwrap();
    assert!(identity.required);
    assert_eq!(identity.account, "111111111111");
    assert_eq!(identity.document["Statement"][0]["Resource"], TO_ROLE_CROSS);
    assert!(identity.command.starts_with(
        "aws iam put-role-policy --role-name SwitchFromRole --policy-name rswitch-assume-SwitchToRole2 "
    ));

    let verdict = report.short_verdict();
    assert!(verdict.starts_with("Cross-account denial"), "{verdict}");
    assert!(verdict.lines().count() <= 2, "{verdict}");
    let text = report.to_text();
    assert!(
        text.contains("caller 111111111111 -> target 222222222222: cross-account"),
        "{text}"
    );
    assert!(text.contains("IAM checks:"), "{text}");
    println!("{text}");
}

#[tokio::test]
async fn same_account_user_needs_only_the_trust_policy() {
    let replay = replay(World {
        errors: denied(TO_ROLE_SAME, GENERIC),
        ..World::default()
    })
    .await;
    let report = run_doctor(&replay, &config(TO_ROLE_SAME, ""), "direct").await;
    let hop = report.hop.as_ref().unwrap();
    assert_eq!(hop.same_account, Some(true));
    assert!(!hop.chained);
    assert!(matches!(hop.caller, Some(Principal::User { .. })));
    assert_eq!(report.causes[0].id, CauseId::TrustPolicy);
    assert_eq!(report.policies.len(), 1, "{:?}", report.policies);
    let trust = &report.policies[0];
    assert_eq!(trust.kind, PolicyKind::Trust);
    assert_eq!(trust.document["Statement"][0]["Principal"]["AWS"], ALICE);
    assert!(report.short_verdict().starts_with("Same-account denial"));
    // The caller has no IAM read access: said, and nothing is confirmed.
    assert!(
        report.iam.notes.iter().any(|n| n.contains("AccessDenied")),
        "{:?}",
        report.iam.notes
    );
}

#[tokio::test]
async fn table_of_recorded_sts_errors() {
    struct Case {
        name: &'static str,
        role: &'static str,
        extra: &'static str,
        profile: &'static str,
        error: (u16, &'static str, &'static str),
        base_arn: Option<&'static str>,
        top: (CauseId, Confidence),
        policies: &'static [PolicyKind],
    }
    let cases = [
        Case {
            name: "explicit deny named by STS",
            role: TO_ROLE_CROSS,
            extra: "",
            profile: "target",
            error: (
                403,
                "AccessDenied",
                "User: {caller} is not authorized to perform: sts:AssumeRole on resource: {role} with an explicit deny in a service control policy",
            ),
            base_arn: None,
            top: (CauseId::ExplicitDeny, Confidence::Confirmed),
            policies: &[PolicyKind::Trust, PolicyKind::RoleIdentity],
        },
        Case {
            name: "identity policy named by STS",
            role: TO_ROLE_SAME,
            extra: "",
            profile: "target",
            error: (
                403,
                "AccessDenied",
                "User: {caller} is not authorized to perform: sts:AssumeRole on resource: {role} because no identity-based policy allows the sts:AssumeRole action",
            ),
            base_arn: None,
            top: (CauseId::IdentityPolicy, Confidence::Confirmed),
            policies: &[PolicyKind::Trust, PolicyKind::RoleIdentity],
        },
        Case {
            name: "role_arn without role/",
            role: "arn:aws:iam::222222222222/SwitchToRole",
            extra: "",
            profile: "target",
            error: (403, "AccessDenied", GENERIC),
            base_arn: None,
            top: (CauseId::MalformedRoleArn, Confidence::Confirmed),
            policies: &[],
        },
        Case {
            name: "sts instead of iam",
            role: "arn:aws:sts::222222222222:role/x",
            extra: "",
            profile: "target",
            error: (
                400,
                "ValidationError",
                "1 validation error detected: Value 'arn:aws:sts::222222222222:role/x' at 'roleArn' failed to satisfy constraint: Member must be a valid IAM role ARN",
            ),
            base_arn: None,
            top: (CauseId::MalformedRoleArn, Confidence::Confirmed),
            policies: &[],
        },
        Case {
            name: "duration above the role's maximum",
            role: TO_ROLE_SAME,
            extra: "duration_seconds = 43200",
            profile: "direct",
            error: (
                400,
                "ValidationError",
                "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
            ),
            base_arn: None,
            top: (CauseId::SessionDuration, Confidence::Confirmed),
            policies: &[],
        },
        Case {
            name: "duration above one hour on a chained hop",
            role: TO_ROLE_CROSS,
            extra: "duration_seconds = 7200",
            profile: "target",
            error: (
                400,
                "ValidationError",
                "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.",
            ),
            base_arn: None,
            top: (CauseId::ChainedSessionDuration, Confidence::Confirmed),
            policies: &[],
        },
        Case {
            name: "wrong MFA code",
            role: TO_ROLE_SAME,
            extra: "mfa_serial = arn:aws:iam::111111111111:mfa/alice",
            profile: "direct",
            error: (
                403,
                "AccessDenied",
                "MultiFactorAuthentication failed with invalid MFA one time pass code. ",
            ),
            base_arn: None,
            top: (CauseId::Mfa, Confidence::Confirmed),
            policies: &[],
        },
        Case {
            name: "expired source credentials",
            role: TO_ROLE_CROSS,
            extra: "",
            profile: "target",
            error: (
                400,
                "ExpiredToken",
                "The security token included in the request is expired",
            ),
            base_arn: None,
            top: (CauseId::SourceCredentials, Confidence::Inferred),
            policies: &[],
        },
        Case {
            name: "invalid source credentials",
            role: TO_ROLE_SAME,
            extra: "",
            profile: "direct",
            error: (
                403,
                "InvalidClientTokenId",
                "The security token included in the request is invalid.",
            ),
            base_arn: None,
            top: (CauseId::SourceCredentials, Confidence::Inferred),
            policies: &[],
        },
        Case {
            name: "STS region disabled",
            role: TO_ROLE_CROSS,
            extra: "",
            profile: "target",
            error: (
                403,
                "RegionDisabledException",
                "STS is not activated in this region for account:222222222222. Your account administrator can activate STS in this region using the IAM Console.",
            ),
            base_arn: None,
            top: (CauseId::RegionEndpoint, Confidence::Confirmed),
            policies: &[],
        },
        Case {
            name: "root user as caller",
            role: TO_ROLE_SAME,
            extra: "",
            profile: "direct",
            error: (403, "AccessDenied", "Roles may not be assumed by root accounts."),
            base_arn: Some("arn:aws:iam::111111111111:root"),
            top: (CauseId::RootCaller, Confidence::Confirmed),
            policies: &[],
        },
    ];
    for case in cases {
        let (status, code, message) = case.error;
        let replay = replay(World {
            errors: HashMap::from([(case.role.to_string(), (status, code, message.to_string()))]),
            base_arn: case.base_arn,
            ..World::default()
        })
        .await;
        let report = run_doctor(&replay, &config(case.role, case.extra), case.profile).await;
        let error = report.error.as_ref().unwrap();
        if rswitch::config::arn::check_iam_arn(case.role, "role").is_some() {
            // A malformed role ARN is stopped before the call; STS is never asked.
            assert_eq!(error.code, None, "{}", case.name);
            assert!(
                error.message.contains("not sent to STS"),
                "{}: {}",
                case.name,
                error.message
            );
        } else {
            assert_eq!(error.code.as_deref(), Some(code), "{}", case.name);
        }
        let causes = ids(&report);
        assert_eq!(
            causes.first(),
            Some(&case.top),
            "{}: {causes:?}\n{}",
            case.name,
            report.to_text()
        );
        let kinds: Vec<PolicyKind> = report.policies.iter().map(|p| p.kind).collect();
        assert_eq!(kinds, case.policies, "{}", case.name);
        let json: Value = serde_json::from_str(&report.to_json().to_string()).unwrap();
        assert_eq!(
            json["causes"][0]["confidence"],
            serde_json::to_value(case.top.1).unwrap()
        );
        assert!(!report.short_verdict().is_empty());
    }
}

#[tokio::test]
async fn malformed_arn_gets_the_corrected_arn() {
    let replay = replay(World {
        errors: denied("arn:aws:iam::222222222222/SwitchToRole", GENERIC),
        ..World::default()
    })
    .await;
    let report = run_doctor(
        &replay,
        &config("arn:aws:iam::222222222222/SwitchToRole", ""),
        "target",
    )
    .await;
    assert!(
        report.causes[0]
            .fix
            .contains("arn:aws:iam::222222222222:role/SwitchToRole")
    );
    assert!(
        report.causes[0].fix.contains("config:"),
        "{}",
        report.causes[0].fix
    );
    assert!(
        report
            .actions
            .iter()
            .any(|a| a.contains("'arn:aws:iam::222222222222:role/SwitchToRole'"))
    );
}

#[tokio::test]
async fn conditions_the_profile_uses_go_into_the_trust_statement() {
    let replay = replay(World {
        errors: denied(TO_ROLE_CROSS, GENERIC),
        ..World::default()
    })
    .await;
    let extra = "external_id = vendor-42\nmfa_serial = arn:aws:iam::111111111111:mfa/alice";
    let report = run_doctor(&replay, &config(TO_ROLE_CROSS, extra), "direct").await;
    let trust = policy(&report, PolicyKind::Trust).unwrap();
    let statement = &trust.document["Statement"][0];
    assert_eq!(statement["Principal"]["AWS"], ALICE);
    assert_eq!(
        statement["Condition"]["StringEquals"]["sts:ExternalId"],
        "vendor-42"
    );
    assert_eq!(
        statement["Condition"]["Bool"]["aws:MultiFactorAuthPresent"],
        "true"
    );
    assert!(
        policy(&report, PolicyKind::UserIdentity)
            .unwrap()
            .command
            .contains("put-user-policy --user-name alice")
    );
}

#[tokio::test]
async fn iam_answers_confirm_and_rule_out() {
    // Same account, the trust policy requires an external id the profile lacks.
    let trust = serde_json::json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"AWS": FROM_ROLE}, "Action": "sts:AssumeRole",
        "Condition": {"StringEquals": {"sts:ExternalId": "vendor-42"}}}]});
    let (replay, report) = same_account_denial_with_iam(Some(trust), "implicitDeny").await;
    assert!(report.iam.used);
    let causes = ids(&report);
    assert_eq!(
        causes[0],
        (CauseId::ExternalId, Confidence::Confirmed),
        "{causes:?}"
    );
    for ruled_out in [
        CauseId::TrustPolicy,
        CauseId::IdentityPolicy,
        CauseId::RoleMissing,
        CauseId::Mfa,
    ] {
        assert_eq!(
            report.cause(ruled_out).unwrap().confidence,
            Confidence::RuledOut,
            "{ruled_out:?}"
        );
    }
    assert!(report.policies.is_empty(), "{:?}", report.policies);
    // The IAM calls were signed with the caller's session, for IAM.
    let requests = replay.requests.lock().unwrap();
    let iam: Vec<_> = requests
        .iter()
        .filter(|r| {
            param(&r.body, "Action").is_some_and(|a| a == "GetRole" || a == "SimulatePrincipalPolicy")
        })
        .collect();
    assert_eq!(iam.len(), 2);
    for r in iam {
        let auth = r.header("authorization").unwrap();
        assert!(auth.contains("Credential=ASIASWITCHFROMROLE/"), "{auth}");
        assert!(auth.contains("/iam/aws4_request"), "{auth}");
        assert_eq!(r.header("x-amz-security-token"), Some("token"));
    }
    let sim = requests
        .iter()
        .find(|r| param(&r.body, "Action").as_deref() == Some("SimulatePrincipalPolicy"))
        .unwrap();
    assert_eq!(param(&sim.body, "PolicySourceArn").as_deref(), Some(FROM_ROLE));
    assert_eq!(
        param(&sim.body, "ResourceArns.member.1").as_deref(),
        Some(TO_ROLE_SAME)
    );
}

#[tokio::test]
async fn iam_shows_account_trust_needs_identity_policy_and_merges_trust() {
    let trust = serde_json::json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::111111111111:root"}, "Action": "sts:AssumeRole"}]});
    let (_, report) = same_account_denial_with_iam(Some(trust), "implicitDeny").await;
    assert_eq!(ids(&report)[0], (CauseId::IdentityPolicy, Confidence::Confirmed));
    assert_eq!(
        report.cause(CauseId::TrustPolicy).unwrap().confidence,
        Confidence::RuledOut
    );
    let kinds: Vec<_> = report.policies.iter().map(|p| p.kind).collect();
    assert_eq!(kinds, [PolicyKind::RoleIdentity]);
    assert!(report.policies[0].required);
}

#[tokio::test]
async fn iam_confirms_a_missing_role_and_a_trust_gap() {
    let (_, report) = same_account_denial_with_iam(None, "allowed").await;
    assert_eq!(ids(&report)[0], (CauseId::RoleMissing, Confidence::Confirmed));
    assert_eq!(
        report.cause(CauseId::IdentityPolicy).unwrap().confidence,
        Confidence::RuledOut
    );

    // The role exists but trusts someone else: the trust fix keeps the current statement.
    let other = serde_json::json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]});
    let (_, report) = same_account_denial_with_iam(Some(other), "allowed").await;
    assert_eq!(ids(&report)[0], (CauseId::TrustPolicy, Confidence::Confirmed));
    let trust = policy(&report, PolicyKind::Trust).unwrap();
    let statements = trust.document["Statement"].as_array().unwrap();
    assert_eq!(statements.len(), 2);
    assert_eq!(statements[1]["Principal"]["AWS"], FROM_ROLE);
    assert!(policy(&report, PolicyKind::RoleIdentity).is_none());
}

#[tokio::test]
async fn unreachable_endpoint_is_a_region_or_endpoint_problem() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let text = config(TO_ROLE_SAME, &format!("endpoint_url = http://127.0.0.1:{port}"));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config");
    std::fs::write(&path, &text).unwrap();
    let env = Env::from_vars(
        [
            ("AWS_CONFIG_FILE", path.to_str().unwrap().to_string()),
            (
                "AWS_SHARED_CREDENTIALS_FILE",
                dir.path().join("none").to_str().unwrap().to_string(),
            ),
            ("AWS_REGION", "eu-west-1".to_string()),
        ],
        Some(dir.path().to_path_buf()),
    );
    let set = Arc::new(rswitch::config::load(&env).unwrap());
    let resolver = Resolver::new(
        set,
        env,
        ResolverOptions {
            timeout: Duration::from_secs(2),
            concurrency: 1,
            cache: None,
        },
    );
    let report = doctor(&resolver, "direct").await;
    assert_eq!(
        report.causes[0].id,
        CauseId::RegionEndpoint,
        "{}",
        report.to_text()
    );
}

#[tokio::test]
async fn working_profile_and_unknown_profile() {
    let replay = replay(World::default()).await;
    let report = run_doctor(&replay, &config(TO_ROLE_CROSS, ""), "target").await;
    assert!(report.causes.is_empty());
    assert!(
        report
            .short_verdict()
            .starts_with("OK: resolves to arn:aws:sts::222222222222:assumed-role/SwitchToRole2/")
    );
    let report = run_doctor(&replay, &config(TO_ROLE_CROSS, ""), "nope").await;
    assert_eq!(ids(&report), [(CauseId::Configuration, Confidence::Confirmed)]);
    assert!(report.to_text().contains("'nope'"));
}

/// Runs a generated command in `sh` with `aws` stubbed to print its --policy-document.
fn policy_document_through_sh(command: &str) -> String {
    let script = format!(
        "aws() {{ while [ $# -gt 0 ]; do if [ \"$1\" = --policy-document ]; then printf '%s' \"$2\"; fi; shift; done; }}\n{command}\n"
    );
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg(script)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn commands_survive_a_posix_shell() {
    let caller = Principal::parse("arn:aws:sts::111111111111:assumed-role/SwitchFromRole/rswitch-alice");
    let fixes = [
        trust_fix(TO_ROLE_CROSS, FROM_ROLE, Some("a'b\"c $(x) `y`"), true, None).unwrap(),
        identity_fix(&caller, TO_ROLE_CROSS, true).unwrap(),
    ];
    for fix in fixes {
        let printed = policy_document_through_sh(&fix.command);
        let parsed: Value = serde_json::from_str(&printed).unwrap();
        assert_eq!(parsed, fix.document);
    }
}

fn iam_name() -> impl Strategy<Value = String> {
    "[A-Za-z0-9_+=,.@-]{1,64}"
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn policies_name_exact_arns_never_wildcards(
        account in "[0-9]{12}",
        caller_account in "[0-9]{12}",
        path in proptest::collection::vec(iam_name(), 0..3),
        name in iam_name(),
        caller_name in iam_name(),
        user in any::<bool>(),
    ) {
        let path = if path.is_empty() { String::new() } else { format!("{}/", path.join("/")) };
        let target = format!("arn:aws:iam::{account}:role/{path}{name}");
        prop_assert!(parse_role_arn(&target).is_ok());
        let caller_arn = if user {
            format!("arn:aws:iam::{caller_account}:user/{caller_name}")
        } else {
            format!("arn:aws:iam::{caller_account}:role/{caller_name}")
        };
        let trust = trust_fix(&target, &caller_arn, None, false, None).unwrap();
        let principal = &trust.document["Statement"][0]["Principal"]["AWS"];
        prop_assert_eq!(principal.as_str(), Some(caller_arn.as_str()));
        let session = Principal::parse(&if user {
            caller_arn.clone()
        } else {
            format!("arn:aws:sts::{caller_account}:assumed-role/{caller_name}/s")
        });
        let identity = identity_fix(&session, &target, true).unwrap();
        let resource = &identity.document["Statement"][0]["Resource"];
        prop_assert_eq!(resource.as_str(), Some(target.as_str()));
        for doc in [&trust.document, &identity.document] {
            let text = doc.to_string();
            prop_assert!(!text.contains('*'), "{}", text);
        }
    }

    #[test]
    fn wildcards_are_refused(prefix in "[a-z0-9:/-]{0,30}", suffix in "[a-z0-9/]{0,10}", wild in "[*?]") {
        let arn = format!("{prefix}{wild}{suffix}");
        prop_assert!(identity_statement(&arn).is_err());
        prop_assert!(trust_fix(TO_ROLE_CROSS, &arn, None, false, None).is_err());
        prop_assert!(trust_fix(&arn, FROM_ROLE, None, false, None).is_err());
    }

    #[test]
    fn shell_quote_round_trips(word in "\\PC{0,40}") {
        prop_assume!(!word.contains('\0'));
        let out = std::process::Command::new("sh")
            .arg("-c")
            .arg(format!("printf '%s' {}", shell_quote(&word)))
            .output()
            .unwrap();
        prop_assert_eq!(String::from_utf8_lossy(&out.stdout), word);
    }
}
