//! Read-only IAM questions asked with the failing hop's caller credentials:
//! `iam:GetRole` on the target (same account only) and `iam:SimulatePrincipalPolicy` on
//! the caller itself. Two SigV4-signed Query API calls through the SDK's own HTTP
//! connector and signer, so aws-sdk-iam is not needed.
//!
//! Never writes to IAM. Any failure (AccessDenied, no network) becomes a note and the
//! causes stay inferred.

use super::HopContext;
use super::arn::parse_role_arn;
use super::enrich::{Decision, IamFindings, RoleAnswer};
use crate::aws_query::xml_tag;
use crate::creds::Credentials;
use crate::env::Env;
use crate::resolve::{Deadline, Plan, Resolver};
use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings, sign};
use aws_sigv4::sign::v4;
use aws_smithy_runtime_api::client::http::{HttpConnector, HttpConnectorSettings};
use aws_smithy_runtime_api::client::identity::Identity;
use aws_smithy_runtime_api::client::orchestrator::HttpRequest;
use aws_smithy_types::body::SdkBody;
use std::time::SystemTime;

/// Most bytes of one IAM answer read (a role with a 10 KB trust policy, URL-encoded, is
/// far below it).
const ANSWER_MAX: usize = 256 * 1024;

/// Asks IAM what it can about `hop`, both questions at once, within `deadline`; never
/// fails, never changes anything.
pub(crate) async fn check(
    resolver: &Resolver,
    plan: &Plan,
    hop: &HopContext,
    deadline: &Deadline,
) -> IamFindings {
    let skipped = |why: String| IamFindings {
        skipped: Some(why),
        ..IamFindings::default()
    };
    let Some(caller_arn) = hop.caller.as_ref().and_then(|c| c.policy_arn()) else {
        return skipped("the caller is not a user or role that IAM can be asked about".into());
    };
    let Some(target) = hop
        .target_role_arn
        .as_deref()
        .and_then(|a| parse_role_arn(a).ok())
    else {
        return skipped("the role ARN is malformed".into());
    };
    let Some((url, region)) = endpoint(resolver.env(), plan, &target.partition) else {
        let fips = if plan.use_fips { "FIPS " } else { "" };
        return skipped(format!(
            "no {fips}IAM endpoint known for partition '{}'",
            target.partition
        ));
    };
    if deadline.passed() {
        return skipped("not asked: the --timeout was spent".into());
    }
    // The caller's credentials: the chain up to the failing hop (memoised: no new AssumeRole).
    let credentials = match resolver.caller_of(plan, hop.index, deadline).await {
        Ok(resolved) => resolved.credentials,
        Err(error) => {
            return skipped(format!(
                "the caller's credentials are not available: {}",
                error.summary()
            ));
        }
    };
    let iam = Iam {
        url,
        region,
        credentials,
        deadline: deadline.clone(),
    };
    let role = async {
        if hop.same_account == Some(true) {
            iam.get_role(&target.name).await
        } else {
            Err(format!(
                "not asked: the role is in account {}, the caller's credentials are for account {}",
                target.account,
                hop.caller.as_ref().map(|c| c.account()).unwrap_or("?")
            ))
        }
    };
    let target_arn = target.arn();
    let (role, simulation) = futures::join!(role, iam.simulate(caller_arn, &target_arn));
    IamFindings {
        role: Some(role),
        simulation: Some(simulation),
        skipped: None,
    }
}

/// `AWS_ENDPOINT_URL_IAM`, `AWS_ENDPOINT_URL`, the profile's STS endpoint when it is not
/// AWS's own (a local emulator serves every service), else the partition's IAM endpoint:
/// its FIPS variant when the profile asks for FIPS (GovCloud's one endpoint is FIPS; the
/// China partition has none, so `None`), as the SDKs' endpoint data list them.
pub(crate) fn endpoint(env: &Env, plan: &Plan, partition: &str) -> Option<(String, String)> {
    let region = plan.region.clone().unwrap_or_else(|| "us-east-1".into());
    if let Some(url) = env
        .get("AWS_ENDPOINT_URL_IAM")
        .or_else(|| env.get("AWS_ENDPOINT_URL"))
    {
        return Some((url.to_string(), region));
    }
    if let Some(url) = &plan.sts_endpoint {
        let parsed = ::url::Url::parse(url).ok();
        let host = parsed.as_ref().and_then(|u| u.host_str()).unwrap_or("");
        if !host.ends_with(".amazonaws.com") && !host.ends_with(".amazonaws.com.cn") {
            return Some((url.clone(), region));
        }
    }
    let (url, region) = match (partition, plan.use_fips) {
        ("aws", false) => ("https://iam.amazonaws.com", "us-east-1"),
        ("aws", true) => ("https://iam-fips.amazonaws.com", "us-east-1"),
        ("aws-cn", false) => ("https://iam.cn-north-1.amazonaws.com.cn", "cn-north-1"),
        ("aws-us-gov", _) => ("https://iam.us-gov.amazonaws.com", "us-gov-west-1"),
        _ => return None,
    };
    Some((url.to_string(), region.to_string()))
}

/// Signed IAM Query API calls with one set of credentials, cut by `deadline`.
pub(crate) struct Iam {
    pub url: String,
    pub region: String,
    pub credentials: Credentials,
    pub deadline: Deadline,
}

impl Iam {
    async fn get_role(&self, name: &str) -> Result<RoleAnswer, String> {
        let body = self.call(&[("Action", "GetRole"), ("RoleName", name)]).await;
        let body = match body {
            Ok(b) => b,
            Err(e) if e.starts_with("NoSuchEntity") => return Ok(RoleAnswer::Missing),
            Err(e) => return Err(e),
        };
        let raw = xml_tag(&body, "AssumeRolePolicyDocument").ok_or("no trust policy in the answer")?;
        let text = if raw.trim_start().starts_with('{') {
            raw
        } else {
            percent_decode(&raw)
        };
        let trust_policy =
            serde_json::from_str(&text).map_err(|e| format!("unreadable trust policy: {e}"))?;
        Ok(RoleAnswer::Found {
            trust_policy,
            max_session_duration: xml_tag(&body, "MaxSessionDuration").and_then(|v| v.trim().parse().ok()),
        })
    }

    async fn simulate(&self, caller_arn: &str, target: &str) -> Result<Decision, String> {
        let body = self
            .call(&[
                ("Action", "SimulatePrincipalPolicy"),
                ("PolicySourceArn", caller_arn),
                ("ActionNames.member.1", "sts:AssumeRole"),
                ("ResourceArns.member.1", target),
            ])
            .await?;
        match xml_tag(&body, "EvalDecision").as_deref() {
            Some("allowed") => Ok(Decision::Allowed),
            Some("explicitDeny") => Ok(Decision::ExplicitDeny),
            Some("implicitDeny") => Ok(Decision::ImplicitDeny),
            other => Err(format!("unexpected EvalDecision {other:?}")),
        }
    }

    /// One signed Query API POST. `Err` is `CODE: message` for IAM errors.
    /// The Query API request for `params`, signed with SigV4 for IAM, and its URL.
    fn signed_request(&self, params: &[(&str, &str)]) -> Result<(String, HttpRequest), String> {
        // Scoped: the serializer is not `Send`, and the call runs in spawned tasks too.
        let body = {
            let mut form = form_urlencoded::Serializer::new(String::new());
            form.extend_pairs(params.iter().copied().chain([("Version", "2010-05-08")]));
            form.finish()
        };
        let parsed = ::url::Url::parse(&self.url).map_err(|e| format!("IAM endpoint '{}': {e}", self.url))?;
        let url = parsed.as_str().to_string();
        let host = match (parsed.host_str(), parsed.port()) {
            (Some(host), Some(port)) => format!("{host}:{port}"),
            (Some(host), None) => host.to_string(),
            (None, _) => return Err(format!("IAM endpoint '{url}' has no host")),
        };
        let headers = [
            ("content-type", "application/x-www-form-urlencoded; charset=utf-8"),
            ("host", host.as_str()),
        ];
        let identity: Identity = self.credentials.to_sdk().into();
        let signing = v4::SigningParams::builder()
            .identity(&identity)
            .region(&self.region)
            .name("iam")
            .time(SystemTime::now())
            .settings(SigningSettings::default())
            .build()
            .map_err(|e| e.to_string())?
            .into();
        let signable = SignableRequest::new(
            "POST",
            url.as_str(),
            headers.iter().copied(),
            SignableBody::Bytes(body.as_bytes()),
        )
        .map_err(|e| e.to_string())?;
        let (instructions, _) = sign(signable, &signing).map_err(|e| e.to_string())?.into_parts();

        let mut request = HttpRequest::new(SdkBody::from(body));
        request.set_method("POST").map_err(|e| e.to_string())?;
        request.set_uri(url.as_str()).map_err(|e| e.to_string())?;
        for (k, v) in headers.iter().copied().chain(instructions.headers()) {
            request.headers_mut().insert(k.to_string(), v.to_string());
        }
        Ok((url, request))
    }

    pub(crate) async fn call(&self, params: &[(&str, &str)]) -> Result<String, String> {
        let (url, request) = self.signed_request(params)?;
        let left = self.deadline.remaining();
        if left.is_zero() {
            return Err("not asked: the --timeout was spent".into());
        }
        // The deadline cuts the call; the connector's own timeouts are only a backstop.
        let backstop = left + std::time::Duration::from_secs(1);
        let settings = HttpConnectorSettings::builder()
            .connect_timeout(backstop)
            .read_timeout(backstop)
            .build();
        let connector = crate::sts::https_connector(&settings, None);
        let no_answer = || format!("no answer from {url} within the --timeout");
        let response = self
            .deadline
            .bound(connector.call(request))
            .await
            .ok_or_else(no_answer)?
            .map_err(|e| format!("cannot reach {url}: {}", crate::aws_query::error_chain(&e)))?;
        let status = response.status().as_u16();
        let body = http_body_util::Limited::new(response.into_body(), ANSWER_MAX);
        let bytes = self
            .deadline
            .bound(http_body_util::BodyExt::collect(body))
            .await
            .ok_or_else(no_answer)?
            .map_err(|e| format!("unreadable answer from {url}: {e}"))?
            .to_bytes();
        let text = String::from_utf8_lossy(&bytes).into_owned();
        if (200..300).contains(&status) {
            return Ok(text);
        }
        Err(match xml_tag(&text, "Code") {
            Some(code) => format!("{code}: {}", xml_tag(&text, "Message").unwrap_or_default()),
            None => format!("HTTP {status} without an IAM error (the endpoint may not support this action)"),
        })
    }
}

/// RFC 3986 percent-decoding (IAM URL-encodes policy documents).
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2]))
        {
            out.push((h * 16 + l) as u8);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan_of(config: &str, env: &Env) -> Plan {
        let set = crate::config::parse_str(Some((std::path::Path::new("config"), config)), None);
        crate::resolve::plan(&set, env, "p").expect("plan")
    }

    #[test]
    fn the_iam_endpoint_follows_the_partition_and_fips() {
        let env = Env::from_vars(Vec::<(&str, &str)>::new(), None);
        let plain = plan_of("[profile p]\ncredential_process = x\n", &env);
        let fips = plan_of(
            "[profile p]\ncredential_process = x\nuse_fips_endpoint = true\n",
            &env,
        );
        let url = |plan: &Plan, partition: &str| endpoint(&env, plan, partition).map(|(u, _)| u);
        assert_eq!(url(&plain, "aws").as_deref(), Some("https://iam.amazonaws.com"));
        assert_eq!(
            url(&fips, "aws").as_deref(),
            Some("https://iam-fips.amazonaws.com")
        );
        assert_eq!(
            url(&fips, "aws-us-gov").as_deref(),
            Some("https://iam.us-gov.amazonaws.com")
        );
        assert_eq!(
            url(&plain, "aws-cn").as_deref(),
            Some("https://iam.cn-north-1.amazonaws.com.cn")
        );
        assert_eq!(url(&fips, "aws-cn"), None, "no FIPS IAM endpoint in China");
        let env_fips = Env::from_vars([("AWS_USE_FIPS_ENDPOINT", "true")], None);
        let from_env = plan_of("[profile p]\ncredential_process = x\n", &env_fips);
        assert_eq!(
            endpoint(&env_fips, &from_env, "aws").map(|(u, _)| u).as_deref(),
            Some("https://iam-fips.amazonaws.com")
        );
        // An emulator's STS endpoint serves IAM too; AWS's own STS endpoint does not.
        let emulator = plan_of(
            "[profile p]\ncredential_process = x\nendpoint_url = http://127.0.0.1:5000\n",
            &env,
        );
        assert_eq!(url(&emulator, "aws").as_deref(), Some("http://127.0.0.1:5000"));
        let regional = plan_of(
            "[profile p]\ncredential_process = x\nendpoint_url = https://sts.eu-west-1.amazonaws.com\n",
            &env,
        );
        assert_eq!(
            url(&regional, "aws").as_deref(),
            Some("https://iam.amazonaws.com")
        );
        // A configured IAM URL is used as it is: the question goes where the user points IAM.
        let env_url = Env::from_vars([("AWS_ENDPOINT_URL_IAM", "http://127.0.0.1:9")], None);
        assert_eq!(
            endpoint(&env_url, &fips, "aws").map(|(u, _)| u).as_deref(),
            Some("http://127.0.0.1:9")
        );
    }

    #[test]
    fn decodes_iam_policy_documents() {
        assert_eq!(
            percent_decode("%7B%22Version%22%3A%222012-10-17%22%7D"),
            r#"{"Version":"2012-10-17"}"#
        );
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(xml_tag("<A>x &amp; y</A>", "A").as_deref(), Some("x & y"));
    }
}
