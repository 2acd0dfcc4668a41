//! Recorded HTTP traffic of the AWS SDK for Rust's provider tests (`http-traffic.json`),
//! replayed from loopback: each incoming request is matched to the first unused recorded
//! exchange with the same path and query (and, for STS, the same `Action`), and gets its
//! recorded answer. STS GetCallerIdentity, which the SDK tests never make but rswitch
//! makes to name base credentials, is answered with the caller's key as its user.

use rswitch::fake_aws::loopback::{Request, Response, Server, handler};
use serde_json::Value;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

#[derive(Clone, Debug, Default)]
pub struct Exchange {
    pub uri: String,
    pub request_body: String,
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Exchange {
    /// `scheme://authority` of the recorded URI.
    pub fn base(&self) -> String {
        match self.uri.split_once("://") {
            Some((scheme, r)) => format!("{scheme}://{}", r.split('/').next().unwrap_or_default()),
            None => self.uri.clone(),
        }
    }

    fn path(&self) -> String {
        let after = self.uri.split_once("://").map(|(_, r)| r).unwrap_or(&self.uri);
        match after.find('/') {
            Some(i) => after[i..].to_string(),
            None => "/".to_string(),
        }
    }
}

/// The exchanges of a recording, in the order their connections started.
pub fn exchanges(traffic: &Value) -> Vec<Exchange> {
    let mut by_conn: BTreeMap<u64, Exchange> = BTreeMap::new();
    let mut order = Vec::new();
    for event in traffic["events"].as_array().into_iter().flatten() {
        let id = event["connection_id"].as_u64().unwrap_or_default();
        let action = &event["action"];
        let ex = by_conn.entry(id).or_insert_with(|| {
            order.push(id);
            Exchange::default()
        });
        if let Some(req) = action.get("Request") {
            ex.uri = req["request"]["uri"].as_str().unwrap_or_default().to_string();
        } else if let Some(resp) = action.get("Response") {
            let ok = &resp["response"]["Ok"];
            ex.status = ok["status"].as_u64().unwrap_or(200) as u16;
            for (k, v) in ok["headers"].as_object().into_iter().flatten() {
                // Framing is the loopback server's own business.
                let framing = ["content-length", "transfer-encoding", "connection"];
                if !framing.iter().any(|f| k.eq_ignore_ascii_case(f)) {
                    for v in v.as_array().into_iter().flatten() {
                        ex.headers
                            .push((k.clone(), v.as_str().unwrap_or_default().to_string()));
                    }
                }
            }
        } else if let Some(data) = action.get("Data") {
            let text = data["data"]["Utf8"].as_str().unwrap_or_default();
            match data["direction"].as_str() {
                Some("Request") => ex.request_body.push_str(text),
                _ => ex.body.push_str(text),
            }
        }
    }
    order.iter().map(|id| by_conn[id].clone()).collect()
}

/// Same path and the same query parameters, in any order.
fn same_target(a: &str, b: &str) -> bool {
    let split = |t: &str| {
        let (path, query) = t.split_once('?').unwrap_or((t, ""));
        let mut pairs: Vec<(String, String)> =
            form_urlencoded::parse(query.as_bytes()).into_owned().collect();
        pairs.sort();
        (path.to_string(), pairs)
    };
    split(a) == split(b)
}

fn action(body: &str) -> Option<String> {
    form_urlencoded::parse(body.as_bytes())
        .find(|(k, _)| k == "Action")
        .map(|(_, v)| v.into_owned())
}

pub struct Replay {
    pub server: Server,
    /// Each recorded exchange and whether it was answered.
    remaining: Arc<Mutex<Vec<(Exchange, bool)>>>,
    pub problems: Arc<Mutex<Vec<String>>>,
}

impl Replay {
    pub fn start(recorded: Vec<Exchange>) -> Replay {
        let remaining = Arc::new(Mutex::new(
            recorded.into_iter().map(|e| (e, false)).collect::<Vec<_>>(),
        ));
        let problems = Arc::new(Mutex::new(Vec::new()));
        let (queue, log) = (remaining.clone(), problems.clone());
        let server = crate::support::runtime()
            .block_on(Server::start(handler(move |req: Request| {
                let (queue, log) = (queue.clone(), log.clone());
                async move { answer(&req, &queue, &log) }
            })))
            .expect("start the replay server");
        Replay {
            server,
            remaining,
            problems,
        }
    }

    /// Recorded exchanges nobody asked for.
    pub fn unused(&self) -> Vec<String> {
        self.remaining
            .lock()
            .unwrap()
            .iter()
            .filter(|(_, used)| !used)
            .map(|(e, _)| e.uri.clone())
            .collect()
    }
}

fn answer(req: &Request, queue: &Mutex<Vec<(Exchange, bool)>>, log: &Mutex<Vec<String>>) -> Response {
    let body = String::from_utf8_lossy(&req.body).to_string();
    let wanted = action(&body);
    if wanted.as_deref() == Some("GetCallerIdentity") {
        let key = req
            .header("authorization")
            .and_then(|a| a.split("Credential=").nth(1))
            .and_then(|c| c.split('/').next())
            .unwrap_or("unknown");
        return Response::new(
            200,
            "text/xml",
            format!(
                "<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><GetCallerIdentityResult>\
                 <Arn>arn:aws:iam::123456789012:user/{key}</Arn><UserId>AIDA{key}</UserId><Account>123456789012</Account>\
                 </GetCallerIdentityResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></GetCallerIdentityResponse>"
            ),
        );
    }
    let mut queue = queue.lock().unwrap();
    let matches = |e: &Exchange| {
        same_target(&e.path(), &req.path) && (wanted.is_none() || action(&e.request_body) == wanted)
    };
    // The first unanswered match; else a retry of an answered server error, answered alike.
    let index = queue
        .iter()
        .position(|(e, used)| !used && matches(e))
        .or_else(|| {
            queue
                .iter()
                .rposition(|(e, used)| *used && e.status >= 500 && matches(e))
        });
    let Some(index) = index else {
        log.lock().unwrap().push(format!(
            "unrecorded request {} {} {body} (recorded: {:?})",
            req.method,
            req.path,
            queue.iter().map(|(e, _)| e.path()).collect::<Vec<_>>()
        ));
        return Response::text(500, "not in the recording");
    };
    queue[index].1 = true;
    let exchange = &queue[index].0;
    let mut response = Response::new(exchange.status, "text/plain", exchange.body.clone());
    response.headers = exchange.headers.clone();
    response
}
