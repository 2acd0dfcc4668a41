//! The credential server of `shell` and `exec`: while the child runs, this process answers
//! the container credentials protocol that every AWS SDK and the AWS CLI read
//! (`AWS_CONTAINER_CREDENTIALS_FULL_URI` + `AWS_CONTAINER_AUTHORIZATION_TOKEN`), with the
//! profile's credentials renewed before they expire ([`renew`]).
//!
//! Safe by construction:
//! - it listens on 127.0.0.1 only, on a port the kernel picks;
//! - every request must carry the token in `Authorization`: 32 bytes from the operating
//!   system's generator (256 bits), made fresh for each server, compared in constant time;
//! - the `Host` header must be the server's own `127.0.0.1:PORT`, so a web page that
//!   rebinds a DNS name to 127.0.0.1 cannot read it from a browser;
//! - a request failing either check gets `403` with an empty body, whatever it asked;
//!   methods other than `GET` get `405`, other paths `404`;
//! - the body of a request is never read; headers must arrive within 5 seconds;
//! - the token reaches the child through its environment only (never argv), and neither
//!   the token nor a key is ever logged.
//!
//! The server lives in the rswitch process that waits for the child ([`child`]): it stops
//! when the child exits, and the child is signalled when rswitch is asked to stop.

pub(crate) mod child;
pub(crate) mod child_env;
pub mod renew;

use bytes::Bytes;
use http_body_util::Full;
use hyper::header::{AUTHORIZATION, HOST};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use renew::Renewer;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use subtle::ConstantTimeEq;
use tokio::net::TcpListener;
use tokio::sync::watch;

/// The path the credentials are served at.
pub(crate) const PATH: &str = "/rswitch/credentials";

/// How often the server retries on its own after a failed renewal.
const OVERDUE_RETRY: Duration = Duration::from_secs(30);

/// How long a client may take to send its request headers.
const HEADER_TIMEOUT: Duration = Duration::from_secs(5);

/// The secret a client must present. `Debug` is redacted.
#[derive(Clone)]
pub(crate) struct Token(String);

impl Token {
    /// 32 bytes from the operating system's random generator, as 64 hex digits.
    pub(crate) fn generate() -> std::io::Result<Token> {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).map_err(|e| std::io::Error::other(format!("no random bytes: {e}")))?;
        let mut hex = String::with_capacity(64);
        for b in bytes {
            hex.push_str(&format!("{b:02x}"));
        }
        Ok(Token(hex))
    }

    /// The token itself, for the child's environment only.
    pub(crate) fn expose(&self) -> &str {
        &self.0
    }

    /// Constant-time comparison with what a client sent.
    fn matches(&self, presented: &[u8]) -> bool {
        self.0.as_bytes().ct_eq(presented).into()
    }
}

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Token(<redacted>)")
    }
}

/// A running credential server; stops when dropped.
pub(crate) struct CredentialServer {
    addr: SocketAddr,
    token: Token,
    stop: watch::Sender<bool>,
}

impl CredentialServer {
    /// Binds 127.0.0.1 on a free port and serves `renewer`'s credentials on the current
    /// tokio runtime.
    pub(crate) async fn start(renewer: Arc<Renewer>) -> std::io::Result<CredentialServer> {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
        let addr = listener.local_addr()?;
        let token = Token::generate()?;
        let (stop, stopped) = watch::channel(false);
        let gate = Arc::new(Gate {
            host: addr.to_string(),
            token: token.clone(),
        });
        tokio::spawn(renew_ahead(renewer.clone(), stopped.clone()));
        tokio::spawn(accept_loop(listener, gate, renewer, stopped));
        Ok(CredentialServer { addr, token, stop })
    }

    pub(crate) fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT/rswitch/credentials`: `AWS_CONTAINER_CREDENTIALS_FULL_URI`.
    pub(crate) fn url(&self) -> String {
        format!("http://{}{PATH}", self.addr)
    }

    /// `AWS_CONTAINER_AUTHORIZATION_TOKEN`.
    pub(crate) fn token(&self) -> &Token {
        &self.token
    }
}

impl Drop for CredentialServer {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}

/// What a request must show before anything else is looked at.
struct Gate {
    /// `127.0.0.1:PORT`, the only `Host` accepted.
    host: String,
    token: Token,
}

impl Gate {
    fn admits(&self, req: &Request<hyper::body::Incoming>) -> bool {
        let host_ok = req
            .headers()
            .get(HOST)
            .is_some_and(|h| h.as_bytes() == self.host.as_bytes());
        let token_ok = req
            .headers()
            .get(AUTHORIZATION)
            .is_some_and(|t| self.token.matches(t.as_bytes()));
        // Both are evaluated, so the time taken does not say which one failed.
        host_ok & token_ok
    }
}

/// Renews when due even if no client asks, so that an SDK asking in the last seconds
/// (aws-config refreshes 10 s before expiry) gets fresh credentials at once.
async fn renew_ahead(renewer: Arc<Renewer>, mut stopped: watch::Receiver<bool>) {
    loop {
        // Overdue means the last attempt failed: try again, but not often (clients that
        // ask still get an attempt every RETRY_AFTER).
        let wait = match renewer.schedule().renew_at {
            Some(at) => at
                .duration_since(std::time::SystemTime::now())
                .unwrap_or(OVERDUE_RETRY),
            None => return,
        };
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = stopped.changed() => return,
        }
        let _ = renewer.current().await;
    }
}

async fn accept_loop(
    listener: TcpListener,
    gate: Arc<Gate>,
    renewer: Arc<Renewer>,
    mut stopped: watch::Receiver<bool>,
) {
    loop {
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(_) => {
                    // Out of file descriptors or similar: wait instead of spinning.
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = stopped.changed() => return,
        };
        let _ = stream.set_nodelay(true);
        let (gate, renewer, mut stopped) = (gate.clone(), renewer.clone(), stopped.clone());
        tokio::spawn(async move {
            let service = service_fn(move |req| {
                let (gate, renewer) = (gate.clone(), renewer.clone());
                async move { Ok::<_, std::convert::Infallible>(answer(&gate, &renewer, req).await) }
            });
            let mut builder = http1::Builder::new();
            builder
                .timer(TokioTimer::new())
                .header_read_timeout(HEADER_TIMEOUT)
                .max_buf_size(16 * 1024);
            let conn = builder.serve_connection(TokioIo::new(stream), service);
            tokio::select! {
                _ = conn => {}
                _ = stopped.changed() => {}
            }
        });
    }
}

async fn answer(
    gate: &Gate,
    renewer: &Renewer,
    req: Request<hyper::body::Incoming>,
) -> Response<Full<Bytes>> {
    if !gate.admits(&req) {
        return empty(StatusCode::FORBIDDEN);
    }
    if req.method() != Method::GET {
        let mut response = empty(StatusCode::METHOD_NOT_ALLOWED);
        response.headers_mut().insert(
            hyper::header::ALLOW,
            hyper::header::HeaderValue::from_static("GET"),
        );
        return response;
    }
    if req.uri().path() != PATH {
        return empty(StatusCode::NOT_FOUND);
    }
    let (status, body) = match renewer.current().await {
        Ok(json) => (StatusCode::OK, json),
        Err(message) => (
            StatusCode::SERVICE_UNAVAILABLE,
            serde_json::json!({ "Code": "RswitchRenewalFailed", "Message": message }).to_string(),
        ),
    };
    let mut response = Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("application/json"),
    );
    headers.insert(
        hyper::header::CACHE_CONTROL,
        hyper::header::HeaderValue::from_static("no-store"),
    );
    response
}

fn empty(status: StatusCode) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::new()));
    *response.status_mut() = status;
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_256_bits_of_fresh_randomness_and_compare_exactly() {
        let (a, b) = (Token::generate().unwrap(), Token::generate().unwrap());
        assert_eq!(a.expose().len(), 64);
        assert!(a.expose().bytes().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a.expose(), b.expose());
        assert!(a.matches(a.expose().as_bytes()));
        assert!(!a.matches(b.expose().as_bytes()));
        assert!(!a.matches(&a.expose().as_bytes()[..63]));
        assert!(!a.matches(b""));
        assert!(!format!("{a:?}").contains(a.expose()));
    }
}
