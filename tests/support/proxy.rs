//! A fault-injecting HTTP proxy in front of moto, steered at run time by each test.
//!
//! Every request is read whole, counted by its STS `Action` (and `RoleArn`), delayed by
//! the configured latency, and then either forwarded byte for byte (SigV4 signatures stay
//! valid: the `Host` header is the proxy's, as the client signed it) or answered with the
//! next queued fault. Each connection carries one request and is then closed, as moto's
//! own server does.

use std::collections::{BTreeMap, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

/// What the proxy answers instead of forwarding.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    /// HTTP 400 with STS `Throttling` / `Rate exceeded`.
    Throttle,
    /// HTTP 500 `InternalFailure`.
    InternalError,
    /// HTTP 503 `ServiceUnavailable`.
    Unavailable,
    /// The TCP connection is reset (RST) after the request was read.
    Reset,
    /// No answer, ever (until the proxy is dropped).
    Hang,
    /// HTTP 403 `ExpiredToken`: STS no longer accepts the signing credentials.
    ExpiredToken,
}

/// One request the proxy received.
#[derive(Clone, Debug)]
pub struct Seen {
    pub action: String,
    pub role_arn: Option<String>,
    /// The access key id that signed the request (from the SigV4 `Credential=`).
    pub access_key: Option<String>,
    pub fault: Option<Fault>,
    /// The request body (an STS form), as received.
    pub body: String,
}

impl Seen {
    /// A parameter of the form body, e.g. `WebIdentityToken`.
    pub fn param(&self, name: &str) -> Option<String> {
        form_urlencoded::parse(self.body.as_bytes())
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    }
}

#[derive(Default)]
struct State {
    latency: Duration,
    /// Faults for the next requests, each optionally only for one Action.
    queue: VecDeque<(Option<String>, Fault)>,
    /// A fault for every request once the queue is empty.
    always: Option<Fault>,
    seen: Vec<Seen>,
}

pub struct Proxy {
    addr: SocketAddr,
    state: Arc<Mutex<State>>,
    stop: watch::Sender<bool>,
}

impl Proxy {
    /// Starts a proxy on 127.0.0.1 in front of `upstream` (`http://127.0.0.1:PORT`).
    pub fn start(upstream: &str) -> Proxy {
        let upstream: SocketAddr = upstream
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .parse()
            .unwrap_or_else(|e| panic!("proxy upstream {upstream:?}: {e}"));
        let state = Arc::new(Mutex::new(State::default()));
        let (stop, stopped) = watch::channel(false);
        let rt = super::runtime();
        let listener = rt
            .block_on(TcpListener::bind(("127.0.0.1", 0)))
            .expect("cannot bind the proxy");
        let addr = listener.local_addr().expect("proxy address");
        let shared = state.clone();
        rt.spawn(async move {
            let mut stop_accepting = stopped.clone();
            loop {
                let client = tokio::select! {
                    accepted = listener.accept() => match accepted {
                        Ok((client, _)) => client,
                        Err(_) => continue,
                    },
                    _ = stop_accepting.changed() => return,
                };
                let state = shared.clone();
                let mut stopped = stopped.clone();
                tokio::spawn(async move {
                    tokio::select! {
                        _ = serve(client, upstream, state) => {}
                        _ = stopped.changed() => {}
                    }
                });
            }
        });
        Proxy { addr, state, stop }
    }

    /// `http://127.0.0.1:PORT`
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    fn with<T>(&self, f: impl FnOnce(&mut State) -> T) -> T {
        f(&mut self.state.lock().expect("proxy state"))
    }

    /// Delay added before every answer (forwarded or faulted).
    pub fn set_latency(&self, latency: Duration) {
        self.with(|s| s.latency = latency);
    }

    /// The next `n` requests get `fault`.
    pub fn fail_next(&self, n: usize, fault: Fault) {
        self.with(|s| s.queue.extend(std::iter::repeat_n((None, fault), n)));
    }

    /// The next `n` requests with this STS `Action` get `fault`; others pass.
    pub fn fail_next_action(&self, action: &str, n: usize, fault: Fault) {
        self.with(|s| {
            s.queue
                .extend(std::iter::repeat_n((Some(action.to_string()), fault), n))
        });
    }

    /// Every request gets `fault` (after queued faults); `None` forwards again.
    pub fn fail_always(&self, fault: Option<Fault>) {
        self.with(|s| s.always = fault);
    }

    /// Every request received so far, in order.
    pub fn seen(&self) -> Vec<Seen> {
        self.with(|s| s.seen.clone())
    }

    /// How many requests with this STS `Action` arrived (faulted ones included).
    pub fn count(&self, action: &str) -> usize {
        self.with(|s| s.seen.iter().filter(|r| r.action == action).count())
    }

    /// How many `AssumeRole` requests named this role.
    pub fn assume_count(&self, role_arn: &str) -> usize {
        self.with(|s| {
            s.seen
                .iter()
                .filter(|r| r.action == "AssumeRole" && r.role_arn.as_deref() == Some(role_arn))
                .count()
        })
    }

    /// Requests per Action.
    pub fn counts(&self) -> BTreeMap<String, usize> {
        self.with(|s| {
            let mut m = BTreeMap::new();
            for r in &s.seen {
                *m.entry(r.action.clone()).or_default() += 1;
            }
            m
        })
    }

    pub fn total(&self) -> usize {
        self.with(|s| s.seen.len())
    }

    /// Forgets counts and faults; latency stays.
    pub fn reset(&self) {
        self.with(|s| {
            s.seen.clear();
            s.queue.clear();
            s.always = None;
        });
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}

async fn serve(mut client: TcpStream, upstream: SocketAddr, state: Arc<Mutex<State>>) {
    let Some((raw, body)) = read_request(&mut client).await else {
        return;
    };
    let (action, role_arn) = action_of(&raw, &body);
    let access_key = signer_of(&raw);
    let (latency, fault) = {
        let Ok(mut s) = state.lock() else { return };
        let fault = match s
            .queue
            .iter()
            .position(|(only, _)| only.as_ref().is_none_or(|a| *a == action))
        {
            Some(i) => s.queue.remove(i).map(|(_, f)| f),
            None => s.always,
        };
        s.seen.push(Seen {
            action,
            role_arn,
            access_key,
            fault,
            body: String::from_utf8_lossy(&body).into_owned(),
        });
        (s.latency, fault)
    };
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    match fault {
        None => {
            let Ok(mut up) = TcpStream::connect(upstream).await else {
                return;
            };
            let mut answer = Vec::new();
            if up.write_all(&raw).await.is_ok() && up.read_to_end(&mut answer).await.is_ok() {
                let _ = client.write_all(&answer).await;
            }
        }
        Some(Fault::Hang) => std::future::pending::<()>().await,
        Some(Fault::Reset) => {
            // Linger 0 makes close send RST instead of FIN; with a zero timeout the drop
            // does not block, which is what the deprecation warns about.
            #[allow(deprecated)]
            let _ = client.set_linger(Some(Duration::ZERO));
            drop(client);
            return;
        }
        Some(Fault::Throttle) => reply(&mut client, 400, "Sender", "Throttling", "Rate exceeded").await,
        Some(Fault::ExpiredToken) => {
            let msg = "The security token included in the request is expired";
            reply(&mut client, 403, "Sender", "ExpiredToken", msg).await
        }
        Some(Fault::InternalError) => {
            let msg = "An internal error occurred. Try again.";
            reply(&mut client, 500, "Receiver", "InternalFailure", msg).await
        }
        Some(Fault::Unavailable) => {
            let msg = "Service is unavailable. Try again later.";
            reply(&mut client, 503, "Receiver", "ServiceUnavailable", msg).await
        }
    }
    let _ = client.shutdown().await;
}

/// Reads one request; returns all its bytes (head and body) and the body alone.
async fn read_request(client: &mut TcpStream) -> Option<(Vec<u8>, Vec<u8>)> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        let n = client.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_ascii_lowercase();
    let length: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0);
    while buf.len() < head_end + length {
        let n = client.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    let body = buf[head_end..].to_vec();
    Some((buf, body))
}

/// The STS `Action` and `RoleArn` from the form body or the query string.
fn action_of(raw: &[u8], body: &[u8]) -> (String, Option<String>) {
    let line = raw.split(|b| *b == b'\r').next().unwrap_or_default();
    let line = String::from_utf8_lossy(line);
    let query = line
        .split(' ')
        .nth(1)
        .and_then(|target| target.split_once('?'))
        .map(|(_, q)| q.as_bytes().to_vec())
        .unwrap_or_default();
    let mut action = None;
    let mut role = None;
    for part in [body, query.as_slice()] {
        for (k, v) in form_urlencoded::parse(part) {
            match k.as_ref() {
                "Action" if action.is_none() => action = Some(v.into_owned()),
                "RoleArn" if role.is_none() => role = Some(v.into_owned()),
                _ => {}
            }
        }
    }
    (action.unwrap_or_else(|| "(none)".into()), role)
}

/// The access key id of the `Authorization: AWS4-HMAC-SHA256 Credential=KEY/…` header.
fn signer_of(raw: &[u8]) -> Option<String> {
    let head = String::from_utf8_lossy(raw);
    let line = head
        .lines()
        .take_while(|l| !l.is_empty())
        .find(|l| l.to_ascii_lowercase().starts_with("authorization:"))?;
    let credential = line.split("Credential=").nth(1)?;
    credential.split('/').next().map(str::to_string)
}

async fn reply(client: &mut TcpStream, status: u16, kind: &str, code: &str, message: &str) {
    let body = format!(
        "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\n  <Error>\n    \
         <Type>{kind}</Type>\n    <Code>{code}</Code>\n    <Message>{message}</Message>\n  \
         </Error>\n  <RequestId>00000000-0000-4000-8000-rswitchproxy</RequestId>\n</ErrorResponse>\n"
    );
    let reason = match status {
        400 => "Bad Request",
        403 => "Forbidden",
        500 => "Internal Server Error",
        _ => "Service Unavailable",
    };
    let head = format!(
        "HTTP/1.1 {status} {reason}\r\ncontent-type: text/xml\r\ncontent-length: {}\r\n\
         x-amzn-requestid: 00000000-0000-4000-8000-rswitchproxy\r\nconnection: close\r\n\r\n",
        body.len()
    );
    let _ = client.write_all(head.as_bytes()).await;
    let _ = client.write_all(body.as_bytes()).await;
}
