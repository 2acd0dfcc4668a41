//! A loopback STS that records every request (with its `Host` header) and answers
//! AssumeRole and GetCallerIdentity as STS does, for the endpoint tests.

use rswitch::fake_aws::loopback::{Request, Response, Server, handler};
use std::sync::{Arc, Mutex};

pub struct FakeSts {
    pub server: Server,
    seen: Arc<Mutex<Vec<Request>>>,
}

impl FakeSts {
    pub fn start() -> FakeSts {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = seen.clone();
        let server = crate::support::runtime()
            .block_on(Server::start(handler(move |req: Request| {
                let log = log.clone();
                async move {
                    let action = form_urlencoded::parse(&req.body)
                        .find(|(k, _)| k == "Action")
                        .map(|(_, v)| v.into_owned())
                        .unwrap_or_default();
                    log.lock().unwrap().push(req);
                    answer(&action)
                }
            })))
            .expect("start the loopback STS");
        FakeSts { server, seen }
    }

    pub fn url(&self) -> String {
        self.server.url()
    }

    /// Every request received: its form parameters, and the access key that signed it.
    pub fn calls(&self) -> Vec<(std::collections::BTreeMap<String, String>, Option<String>)> {
        self.seen
            .lock()
            .unwrap()
            .iter()
            .map(|r| {
                let params = form_urlencoded::parse(&r.body).into_owned().collect();
                let key = r
                    .header("authorization")
                    .and_then(|a| a.split("Credential=").nth(1))
                    .and_then(|c| c.split('/').next())
                    .map(str::to_string);
                (params, key)
            })
            .collect()
    }

    /// `Action` of every STS request received, in order. The account-name lookup after a
    /// resolution (IAM `ListAccountAliases`, sent to the same configured endpoint) is
    /// not an STS call and is left out.
    pub fn actions(&self) -> Vec<String> {
        self.seen
            .lock()
            .unwrap()
            .iter()
            .map(|r| {
                form_urlencoded::parse(&r.body)
                    .find(|(k, _)| k == "Action")
                    .map(|(_, v)| v.into_owned())
                    .unwrap_or_default()
            })
            .filter(|action| action != "ListAccountAliases")
            .collect()
    }
}

fn answer(action: &str) -> Response {
    const NS: &str = "https://sts.amazonaws.com/doc/2011-06-15/";
    let body = match action {
        "AssumeRole" => format!(
            "<AssumeRoleResponse xmlns=\"{NS}\"><AssumeRoleResult><Credentials>\
             <AccessKeyId>ASIAROLE</AccessKeyId><SecretAccessKey>secret</SecretAccessKey>\
             <SessionToken>token</SessionToken><Expiration>2099-01-01T00:00:00Z</Expiration>\
             </Credentials><AssumedRoleUser><Arn>arn:aws:sts::222222222222:assumed-role/Target/s</Arn>\
             <AssumedRoleId>AROATARGET:s</AssumedRoleId></AssumedRoleUser></AssumeRoleResult>\
             <ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></AssumeRoleResponse>"
        ),
        "AssumeRoleWithWebIdentity" => format!(
            "<AssumeRoleWithWebIdentityResponse xmlns=\"{NS}\"><AssumeRoleWithWebIdentityResult><Credentials>\
             <AccessKeyId>ASIAWEB</AccessKeyId><SecretAccessKey>secret</SecretAccessKey>\
             <SessionToken>token</SessionToken><Expiration>2099-01-01T00:00:00Z</Expiration>\
             </Credentials><AssumedRoleUser><Arn>arn:aws:sts::123456789:assumed-role/Web/s</Arn>\
             <AssumedRoleId>AROAWEB:s</AssumedRoleId></AssumedRoleUser></AssumeRoleWithWebIdentityResult>\
             <ResponseMetadata><RequestId>3</RequestId></ResponseMetadata></AssumeRoleWithWebIdentityResponse>"
        ),
        "GetCallerIdentity" => format!(
            "<GetCallerIdentityResponse xmlns=\"{NS}\"><GetCallerIdentityResult>\
             <Arn>arn:aws:iam::111111111111:user/alice</Arn><UserId>AIDAALICE</UserId>\
             <Account>111111111111</Account></GetCallerIdentityResult>\
             <ResponseMetadata><RequestId>2</RequestId></ResponseMetadata></GetCallerIdentityResponse>"
        ),
        other => return Response::text(400, format!("unexpected action {other}")),
    };
    Response::new(200, "text/xml", body)
}
