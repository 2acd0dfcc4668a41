//! The sign-in and console URLs, per partition. Pure: no network, no clock.
//!
//! - The federation endpoint is the partition's global sign-in host
//!   (`https://signin.aws.amazon.com/federation`, `signin.amazonaws.cn`,
//!   `signin.amazonaws-us-gov.com`) unless an endpoint override names another base URL.
//! - The console lands in a region: `https://REGION.console.aws.amazon.com/…?region=REGION`
//!   (the partition's first region uses the bare host, as the console itself does).
//! - `--destination` takes a service name (`s3`, `ec2`, `cloudwatch`, …) or a full `https://`
//!   URL on the partition's console domain; anything else is refused before any call.

use url::Url;

/// An AWS partition with a public console.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Partition {
    Aws,
    AwsCn,
    AwsUsGov,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub(crate) enum UrlError {
    #[error("partition '{0}' has no public AWS console (only aws, aws-cn and aws-us-gov have one)")]
    NoConsole(String),
    #[error(
        "region '{region}' belongs to partition {region_partition}, but the credentials are from {partition}"
    )]
    WrongPartition {
        region: String,
        region_partition: &'static str,
        partition: &'static str,
    },
    #[error("'{0}' is not a region name (expected e.g. eu-west-1)")]
    BadRegion(String),
    #[error("destination '{0}' is neither a service name (e.g. s3, ec2) nor an https:// console URL")]
    BadDestination(String),
    #[error("destination '{url}' is not on the {partition} console ({domain})")]
    ForeignDestination {
        url: String,
        partition: &'static str,
        domain: &'static str,
    },
    #[error("sign-in endpoint '{0}' is not an http(s) URL")]
    BadEndpoint(String),
}

impl Partition {
    /// The partition named by an ARN (`arn:aws-cn:sts::…` -> `aws-cn`).
    pub(crate) fn of_arn(arn: &str) -> Result<Partition, UrlError> {
        let name = crate::arn::Arn::parse(arn).map_or("", |a| a.partition());
        Partition::named(name)
    }

    pub(crate) fn named(name: &str) -> Result<Partition, UrlError> {
        match name {
            "aws" => Ok(Partition::Aws),
            "aws-cn" => Ok(Partition::AwsCn),
            "aws-us-gov" => Ok(Partition::AwsUsGov),
            other => Err(UrlError::NoConsole(other.to_string())),
        }
    }

    /// The partition a region belongs to (`None` for ISO and unknown prefixes).
    pub(crate) fn of_region(region: &str) -> Option<Partition> {
        if region.starts_with("cn-") {
            Some(Partition::AwsCn)
        } else if region.starts_with("us-gov-") {
            Some(Partition::AwsUsGov)
        } else if region.starts_with("us-iso") || region.starts_with("eu-isoe-") {
            None
        } else {
            Some(Partition::Aws)
        }
    }

    pub(crate) fn name(self) -> &'static str {
        match self {
            Partition::Aws => "aws",
            Partition::AwsCn => "aws-cn",
            Partition::AwsUsGov => "aws-us-gov",
        }
    }

    /// The global sign-in host of the federation endpoint.
    pub(crate) fn signin_host(self) -> &'static str {
        match self {
            Partition::Aws => "signin.aws.amazon.com",
            Partition::AwsCn => "signin.amazonaws.cn",
            Partition::AwsUsGov => "signin.amazonaws-us-gov.com",
        }
    }

    /// The console's domain; regional hosts are `REGION.` + this.
    pub(crate) fn console_domain(self) -> &'static str {
        match self {
            Partition::Aws => "console.aws.amazon.com",
            Partition::AwsCn => "console.amazonaws.cn",
            Partition::AwsUsGov => "console.amazonaws-us-gov.com",
        }
    }

    /// The region the console opens in when neither `--region` nor the profile names one.
    pub(crate) fn default_region(self) -> &'static str {
        match self {
            Partition::Aws => "us-east-1",
            Partition::AwsCn => "cn-north-1",
            Partition::AwsUsGov => "us-gov-west-1",
        }
    }

    /// `eu-west-1.console.aws.amazon.com`; the default region uses the bare domain.
    pub(crate) fn console_host(self, region: &str) -> String {
        if region == self.default_region() {
            self.console_domain().to_string()
        } else {
            format!("{region}.{}", self.console_domain())
        }
    }
}

/// Checks that `region` looks like a region and lies in `partition`.
pub(crate) fn check_region(partition: Partition, region: &str) -> Result<(), UrlError> {
    let well_formed = !region.is_empty()
        && region.len() <= 32
        && region
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && region.contains('-');
    if !well_formed {
        return Err(UrlError::BadRegion(region.to_string()));
    }
    match Partition::of_region(region) {
        Some(p) if p == partition => Ok(()),
        Some(p) => Err(UrlError::WrongPartition {
            region: region.to_string(),
            region_partition: p.name(),
            partition: partition.name(),
        }),
        None => Err(UrlError::NoConsole(region.to_string())),
    }
}

/// The console page to land on: a service's home in `region`, or the given console URL.
pub(crate) fn destination(
    partition: Partition,
    region: &str,
    wanted: Option<&str>,
) -> Result<String, UrlError> {
    let host = partition.console_host(region);
    let Some(wanted) = wanted.map(str::trim).filter(|w| !w.is_empty()) else {
        return Ok(format!("https://{host}/console/home?region={region}"));
    };
    if is_service_name(wanted) {
        let service = wanted.to_ascii_lowercase();
        return Ok(format!("https://{host}/{service}/home?region={region}"));
    }
    let url = Url::parse(wanted).map_err(|_| UrlError::BadDestination(wanted.to_string()))?;
    if url.scheme() != "https" {
        return Err(UrlError::BadDestination(wanted.to_string()));
    }
    let domain = partition.console_domain();
    let on_console = url
        .host_str()
        .is_some_and(|h| h == domain || h.ends_with(&format!(".{domain}")));
    if !on_console {
        return Err(UrlError::ForeignDestination {
            url: wanted.to_string(),
            partition: partition.name(),
            domain,
        });
    }
    Ok(url.to_string())
}

fn is_service_name(s: &str) -> bool {
    s.len() <= 64
        && s.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
}

/// The federation endpoint: `{base}/federation`, `base` being an override or the
/// partition's sign-in host.
pub(crate) fn federation_endpoint(partition: Partition, base: Option<&str>) -> Result<Url, UrlError> {
    let base = match base {
        Some(b) => b.trim_end_matches('/').to_string(),
        None => format!("https://{}", partition.signin_host()),
    };
    let url = Url::parse(&format!("{base}/federation")).map_err(|_| UrlError::BadEndpoint(base.clone()))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(UrlError::BadEndpoint(base));
    }
    Ok(url)
}

/// The `getSigninToken` request URL. `session_json` holds the credentials: the returned
/// URL is a secret too.
pub(crate) fn signin_token_request(endpoint: &Url, session_json: &str, session_duration: Option<u32>) -> Url {
    let mut url = endpoint.clone();
    {
        let mut q = url.query_pairs_mut();
        q.append_pair("Action", "getSigninToken");
        if let Some(seconds) = session_duration {
            q.append_pair("SessionDuration", &seconds.to_string());
        }
        q.append_pair("Session", session_json);
    }
    url
}

/// The sign-in URL handed to the user: `Action=login` with the token and destination.
pub(crate) fn login_url(endpoint: &Url, issuer: &str, destination: &str, signin_token: &str) -> Url {
    let mut url = endpoint.clone();
    url.query_pairs_mut()
        .append_pair("Action", "login")
        .append_pair("Issuer", issuer)
        .append_pair("Destination", destination)
        .append_pair("SigninToken", signin_token);
    url
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_partition_has_its_own_hosts() {
        let cases = [
            (
                "arn:aws:sts::111111111111:assumed-role/R/s",
                "eu-west-1",
                "https://signin.aws.amazon.com/federation",
                "https://eu-west-1.console.aws.amazon.com/console/home?region=eu-west-1",
            ),
            (
                "arn:aws:sts::111111111111:assumed-role/R/s",
                "us-east-1",
                "https://signin.aws.amazon.com/federation",
                "https://console.aws.amazon.com/console/home?region=us-east-1",
            ),
            (
                "arn:aws-cn:sts::111111111111:assumed-role/R/s",
                "cn-northwest-1",
                "https://signin.amazonaws.cn/federation",
                "https://cn-northwest-1.console.amazonaws.cn/console/home?region=cn-northwest-1",
            ),
            (
                "arn:aws-cn:sts::111111111111:assumed-role/R/s",
                "cn-north-1",
                "https://signin.amazonaws.cn/federation",
                "https://console.amazonaws.cn/console/home?region=cn-north-1",
            ),
            (
                "arn:aws-us-gov:sts::111111111111:assumed-role/R/s",
                "us-gov-east-1",
                "https://signin.amazonaws-us-gov.com/federation",
                "https://us-gov-east-1.console.amazonaws-us-gov.com/console/home?region=us-gov-east-1",
            ),
        ];
        for (arn, region, endpoint, dest) in cases {
            let p = Partition::of_arn(arn).expect(arn);
            check_region(p, region).expect(region);
            assert_eq!(federation_endpoint(p, None).expect("endpoint").as_str(), endpoint);
            assert_eq!(destination(p, region, None).expect("dest"), dest);
        }
    }

    #[test]
    fn regions_must_match_the_partition_and_iso_has_no_console() {
        assert_eq!(
            check_region(Partition::Aws, "cn-north-1"),
            Err(UrlError::WrongPartition {
                region: "cn-north-1".into(),
                region_partition: "aws-cn",
                partition: "aws"
            })
        );
        assert!(check_region(Partition::AwsUsGov, "eu-west-1").is_err());
        assert!(matches!(
            check_region(Partition::Aws, "EU WEST"),
            Err(UrlError::BadRegion(_))
        ));
        assert!(matches!(
            Partition::of_arn("arn:aws-iso:sts::1:assumed-role/R/s"),
            Err(UrlError::NoConsole(_))
        ));
        assert!(matches!(
            check_region(Partition::Aws, "us-iso-east-1"),
            Err(UrlError::NoConsole(_))
        ));
    }

    #[test]
    fn destinations_from_service_names_and_urls() {
        assert_eq!(
            destination(Partition::Aws, "eu-west-1", Some("S3")).expect("s3"),
            "https://eu-west-1.console.aws.amazon.com/s3/home?region=eu-west-1"
        );
        assert_eq!(
            destination(Partition::AwsCn, "cn-north-1", Some("ec2")).expect("ec2"),
            "https://console.amazonaws.cn/ec2/home?region=cn-north-1"
        );
        let full = "https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#alarmsV2:";
        assert_eq!(
            destination(Partition::Aws, "eu-west-1", Some(full)).expect("url"),
            full
        );
        assert!(matches!(
            destination(
                Partition::Aws,
                "eu-west-1",
                Some("https://evil.example/console.aws.amazon.com")
            ),
            Err(UrlError::ForeignDestination { .. })
        ));
        assert!(matches!(
            destination(
                Partition::Aws,
                "eu-west-1",
                Some("https://console.aws.amazon.com.evil.example/")
            ),
            Err(UrlError::ForeignDestination { .. })
        ));
        assert!(matches!(
            destination(
                Partition::Aws,
                "eu-west-1",
                Some("http://console.aws.amazon.com/")
            ),
            Err(UrlError::BadDestination(_))
        ));
        assert!(matches!(
            destination(
                Partition::AwsCn,
                "cn-north-1",
                Some("https://console.aws.amazon.com/s3")
            ),
            Err(UrlError::ForeignDestination { .. })
        ));
        assert!(matches!(
            destination(Partition::Aws, "eu-west-1", Some("s3 ec2")),
            Err(UrlError::BadDestination(_))
        ));
    }

    #[test]
    fn request_and_login_urls_encode_every_value() {
        let endpoint = federation_endpoint(Partition::Aws, Some("http://127.0.0.1:9/")).expect("override");
        assert_eq!(endpoint.as_str(), "http://127.0.0.1:9/federation");
        let req = signin_token_request(&endpoint, r#"{"sessionId":"A&B"}"#, Some(3600));
        assert_eq!(
            req.as_str(),
            "http://127.0.0.1:9/federation?Action=getSigninToken&SessionDuration=3600&Session=%7B%22sessionId%22%3A%22A%26B%22%7D"
        );
        let login = login_url(
            &endpoint,
            "rswitch",
            "https://console.aws.amazon.com/?a=1&b=2",
            "t+k/=",
        );
        let pairs: Vec<(String, String)> = login.query_pairs().into_owned().collect();
        assert_eq!(
            pairs,
            [
                ("Action".to_string(), "login".to_string()),
                ("Issuer".into(), "rswitch".into()),
                (
                    "Destination".into(),
                    "https://console.aws.amazon.com/?a=1&b=2".into()
                ),
                ("SigninToken".into(), "t+k/=".into()),
            ]
        );
        assert!(matches!(
            federation_endpoint(Partition::Aws, Some("ftp://x")),
            Err(UrlError::BadEndpoint(_))
        ));
    }
}
