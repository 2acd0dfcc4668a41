//! Which URL an STS client calls: the SDK's own endpoint rules (partitions, FIPS,
//! dual-stack, a configured URL), asked directly so `whoami --json` and errors can name it.

use super::{FALLBACK_REGION, StsSettings};
use crate::aws_query::error_chain;

/// The STS endpoint the SDK's rules give for these settings (partition, FIPS, dual-stack,
/// a configured URL), or the rules' own words when they refuse the combination.
pub(crate) fn resolve_endpoint(settings: &StsSettings) -> Result<String, String> {
    use aws_sdk_sts::config::endpoint::{DefaultResolver, Params, ResolveEndpoint};
    use futures::FutureExt;
    let region = settings
        .region
        .clone()
        .unwrap_or_else(|| FALLBACK_REGION.to_string());
    let params = Params::builder()
        .region(region)
        .use_fips(settings.use_fips)
        .use_dual_stack(settings.use_dual_stack)
        .set_endpoint(settings.endpoint.clone())
        .build()
        .map_err(|e| format!("cannot resolve the STS endpoint: {e}"))?;
    let resolved = DefaultResolver::new()
        .resolve_endpoint(&params)
        .now_or_never()
        .unwrap_or_else(|| Err("the endpoint resolver did not answer".into()));
    resolved.map(|endpoint| endpoint.url().to_string()).map_err(|e| {
        let hint = if settings.endpoint.is_some() && (settings.use_fips || settings.use_dual_stack) {
            " (FIPS and dual-stack name AWS's own endpoints: turn off use_fips_endpoint / \
                 use_dualstack_endpoint, or AWS_USE_FIPS_ENDPOINT / AWS_USE_DUALSTACK_ENDPOINT, or \
                 remove the configured endpoint URL)"
        } else {
            ""
        };
        format!("cannot resolve the STS endpoint: {}{hint}", error_chain(&*e))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn endpoint(region: &str, fips: bool, dual: bool, url: Option<&str>) -> Result<String, String> {
        resolve_endpoint(&StsSettings {
            region: Some(region.into()),
            endpoint: url.map(str::to_string),
            use_fips: fips,
            use_dual_stack: dual,
            timeout: Duration::from_secs(1),
        })
    }

    #[test]
    fn endpoints_follow_the_sdk_rules_for_fips_dual_stack_and_partitions() {
        let ok = |region, fips, dual| endpoint(region, fips, dual, None).unwrap();
        assert_eq!(
            ok("us-east-1", false, false),
            "https://sts.us-east-1.amazonaws.com"
        );
        assert_eq!(
            ok("us-east-1", true, false),
            "https://sts-fips.us-east-1.amazonaws.com"
        );
        assert_eq!(ok("us-east-1", false, true), "https://sts.us-east-1.api.aws");
        assert_eq!(ok("us-east-1", true, true), "https://sts-fips.us-east-1.api.aws");
        assert_eq!(
            ok("cn-north-1", false, false),
            "https://sts.cn-north-1.amazonaws.com.cn"
        );
        assert_eq!(
            ok("cn-north-1", false, true),
            "https://sts.cn-north-1.api.amazonwebservices.com.cn"
        );
        assert_eq!(
            ok("us-gov-west-1", false, false),
            "https://sts.us-gov-west-1.amazonaws.com"
        );
        assert_eq!(
            ok("us-gov-west-1", true, false),
            "https://sts.us-gov-west-1.amazonaws.com"
        );
        // A configured URL wins, and cannot be combined with FIPS or dual-stack.
        assert_eq!(
            endpoint("us-east-1", false, false, Some("http://127.0.0.1:9")).unwrap(),
            "http://127.0.0.1:9"
        );
        let refused = endpoint("us-east-1", true, false, Some("http://127.0.0.1:9")).unwrap_err();
        assert!(
            refused.contains("FIPS and custom endpoint are not supported"),
            "{refused}"
        );
    }
}
