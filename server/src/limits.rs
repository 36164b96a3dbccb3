//! Protection against load: at most so many API requests in flight (the
//! rest are refused at once with 503 and `Retry-After`, instead of queueing
//! until they time out), of which one client address may hold only a share,
//! and a per-client rate limit on new orders (a token bucket per client
//! address; 429 with `Retry-After` when empty).

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::http::{ClientLimits, Gate, Problem};

/// The server's limits; `Limits::default()` is what production uses.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// API requests handled at once; more are refused with 503.
    pub max_in_flight: usize,
    /// Of those, how many one client address may hold (so one client
    /// holding requests open cannot take every slot).
    pub per_client_in_flight: usize,
    /// New orders per second per client address (0 = no limit), and how
    /// many may come at once.
    pub orders_per_second: f64,
    pub orders_burst: f64,
    /// New profiles per hour per client address (0 = no limit), which is
    /// also how many may come at once.
    pub profiles_per_hour: f64,
    /// Sign-in codes mailed per day per client address (0 = no limit), and
    /// over all clients together (in the store, so every instance counts).
    pub codes_per_client_day: f64,
    pub codes_per_day: i64,
    /// How long a client may take to send a request's headers before its
    /// connection is closed.
    pub header_timeout: std::time::Duration,
    /// How long a connection may go without traffic before it is closed.
    pub idle_timeout: std::time::Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { max_in_flight: 1024, per_client_in_flight: 128, orders_per_second: 5.0, orders_burst: 20.0, profiles_per_hour: 60.0, codes_per_client_day: 20.0, codes_per_day: 10_000, header_timeout: std::time::Duration::from_secs(10), idle_timeout: std::time::Duration::from_secs(30) }
    }
}

/// Token buckets by client address.
#[derive(Clone)]
pub struct RateLimiter {
    /// Tokens per second, and how many a bucket holds.
    rate: f64,
    burst: f64,
    buckets: Arc<Mutex<HashMap<IpAddr, (f64, Instant)>>>,
}

impl RateLimiter {
    /// The limiter of new orders and sign-in attempts.
    pub fn new(limits: Limits) -> RateLimiter {
        RateLimiter::with_rate(limits.orders_per_second, limits.orders_burst)
    }

    /// The limiter of new profiles.
    pub fn profiles(limits: Limits) -> RateLimiter {
        RateLimiter::with_rate(limits.profiles_per_hour / 3600.0, limits.profiles_per_hour)
    }

    /// The limiter of sign-in codes mailed.
    pub fn codes(limits: Limits) -> RateLimiter {
        RateLimiter::with_rate(limits.codes_per_client_day / 86_400.0, limits.codes_per_client_day)
    }

    pub fn with_rate(rate: f64, burst: f64) -> RateLimiter {
        RateLimiter { rate, burst: burst.max(1.0), buckets: Arc::new(Mutex::new(HashMap::new())) }
    }

    /// Takes a token for `ip` at `now`; `Err(seconds)` until the next one.
    pub fn take(&self, ip: IpAddr, now: Instant) -> Result<(), f64> {
        let (rate, burst) = (self.rate, self.burst);
        if rate <= 0.0 {
            return Ok(());
        }
        let mut buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        if buckets.len() > 100_000 {
            // Forget clients whose buckets have refilled: they lose nothing.
            buckets.retain(|_, (tokens, at)| *tokens + now.duration_since(*at).as_secs_f64() * rate < burst);
        }
        let (tokens, at) = buckets.entry(ip).or_insert((burst, now));
        *tokens = (*tokens + now.duration_since(*at).as_secs_f64() * rate).min(burst);
        *at = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            Ok(())
        } else {
            Err((1.0 - *tokens) / rate)
        }
    }
}

/// Middleware: new orders and sign-in attempts (`POST`) pass through the
/// client's bucket; other changes (a consent switch, a saved configuration)
/// do not, but a request that makes a new profile takes from the client's
/// bucket of new profiles and one that mails a sign-in code from its bucket of codes (through
/// the `ClientLimits` put in the request). The client is the connection's peer address (behind a proxy,
/// configure the proxy to limit instead).
pub async fn rate_limit(State(limiters): State<Limiters>, mut request: Request<Body>, next: Next) -> Response {
    let Limiters { requests: limiter, profiles, codes } = limiters;
    let path = request.uri().path();
    let limited = path.ends_with("/orders") || path.ends_with("/again") || path.contains("/sign-in") || path.ends_with("/handoff") || path.ends_with("/kiosk/calls") || path.ends_with("/staff/session");
    // Only changes to a profile may make one, and only sign-in mails codes
    // (nothing is added on the order path).
    let may_make = request.method() != Method::GET && (path.contains("/me/") || path.contains("/sign-in"));
    if may_make && let Some(ConnectInfo(peer)) = request.extensions().get::<ConnectInfo<SocketAddr>>() {
        // Routes that may make a profile or mail a code take from this
        // client's buckets when (and only when) they do.
        let ip = peer.ip();
        let gate = |limiter: RateLimiter| Gate(Arc::new(move || limiter.take(ip, Instant::now()).map_err(|wait| wait.ceil().max(1.0) as u64)));
        request.extensions_mut().insert(ClientLimits { new_profile: gate(profiles), sign_in_mail: gate(codes) });
    }
    if request.method() == Method::POST && limited {
        if let Some(ConnectInfo(peer)) = request.extensions().get::<ConnectInfo<SocketAddr>>() {
            if let Err(wait) = limiter.take(peer.ip(), Instant::now()) {
                let seconds = wait.ceil().max(1.0) as u64;
                let mut response = Problem::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    "rate-limited",
                    "Too many requests",
                    format!("Too many new orders or sign-in attempts from your address; please try again in {seconds} s."),
                )
                .into_response();
                response.headers_mut().insert("retry-after", seconds.into());
                return response;
            }
        }
    }
    next.run(request).await
}

/// The per-client buckets: new orders and sign-in attempts, new profiles,
/// sign-in codes mailed.
#[derive(Clone)]
pub struct Limiters {
    pub requests: RateLimiter,
    pub profiles: RateLimiter,
    pub codes: RateLimiter,
}

impl Limiters {
    pub fn new(limits: Limits) -> Limiters {
        Limiters { requests: RateLimiter::new(limits), profiles: RateLimiter::profiles(limits), codes: RateLimiter::codes(limits) }
    }
}

/// Requests in flight by client address.
#[derive(Clone)]
pub struct ClientShare {
    per_client: usize,
    held: Arc<Mutex<HashMap<IpAddr, usize>>>,
}

impl ClientShare {
    pub fn new(limits: Limits) -> ClientShare {
        ClientShare { per_client: limits.per_client_in_flight.max(1), held: Arc::new(Mutex::new(HashMap::new())) }
    }

    /// A slot for `ip`, given back when the guard is dropped (the answer
    /// sent, or the request abandoned or timed out); `None` when the client
    /// holds its share already.
    fn enter(&self, ip: IpAddr) -> Option<Slot> {
        let mut held = self.held.lock().unwrap_or_else(|p| p.into_inner());
        let n = held.entry(ip).or_insert(0);
        if *n >= self.per_client {
            return None;
        }
        *n += 1;
        Some(Slot { share: self.clone(), ip })
    }
}

struct Slot {
    share: ClientShare,
    ip: IpAddr,
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut held = self.share.held.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(n) = held.get_mut(&self.ip) {
            *n -= 1;
            if *n == 0 {
                held.remove(&self.ip);
            }
        }
    }
}

/// Middleware: a client address beyond its share of requests in flight is
/// refused at once (503, `Retry-After`), before it can take a slot of the
/// server's own limit.
pub async fn client_share(State(share): State<ClientShare>, request: Request<Body>, next: Next) -> Response {
    let peer = request.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
    let _slot = match peer {
        Some(ip) => match share.enter(ip) {
            Some(slot) => Some(slot),
            None => {
                tracing::warn!("a client beyond its share of requests in flight was refused");
                let mut response = Problem::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "overloaded",
                    "Busy",
                    "Too many of your requests are still open; please try again in a moment.",
                )
                .into_response();
                response.headers_mut().insert("retry-after", 1.into());
                return response;
            }
        },
        None => None,
    };
    next.run(request).await
}

/// Behind a load balancer every request comes from the balancer's address,
/// so every per-client limit would be one limit for all. A request whose
/// peer is one of the `trusted` proxies counts as coming from the address
/// in the last `X-Forwarded-For` entry (the one that proxy added; the
/// project's nginx sets only that one). From any other peer the header is
/// ignored, so a client cannot choose its own address. Installed outermost,
/// before the limits read the address.
pub async fn forwarded_client(State(trusted): State<Arc<[IpAddr]>>, mut request: Request, next: Next) -> Response {
    let peer = request.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0);
    if let Some(peer) = peer
        && trusted.contains(&peer.ip())
        && let Some(client) = request
            .headers()
            .get_all("x-forwarded-for")
            .iter()
            .next_back()
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.rsplit(',').next())
            .and_then(|v| v.trim().parse::<IpAddr>().ok())
    {
        request.extensions_mut().insert(ConnectInfo(SocketAddr::new(client, peer.port())));
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    /// The address the limits see, for a request from `peer` with these
    /// X-Forwarded-For headers, behind `trusted` proxies.
    async fn seen(trusted: &[&str], peer: &str, forwarded: &[&str]) -> String {
        use tower::ServiceExt;
        let trusted: Arc<[IpAddr]> = trusted.iter().map(|t| t.parse().unwrap()).collect::<Vec<_>>().into();
        let app = axum::Router::new()
            .route("/", axum::routing::get(|ConnectInfo(a): ConnectInfo<SocketAddr>| async move { a.ip().to_string() }))
            .layer(axum::middleware::from_fn_with_state(trusted, forwarded_client));
        let mut request = Request::builder().uri("/");
        for f in forwarded {
            request = request.header("x-forwarded-for", *f);
        }
        let mut request = request.body(Body::empty()).unwrap();
        request.extensions_mut().insert(ConnectInfo::<SocketAddr>(format!("{peer}:5000").parse().unwrap()));
        let answer = app.oneshot(request).await.unwrap();
        let body = axum::body::to_bytes(answer.into_body(), 1024).await.unwrap();
        String::from_utf8(body.to_vec()).unwrap()
    }

    #[tokio::test]
    async fn only_a_trusted_proxy_names_the_client() {
        assert_eq!(seen(&["127.0.0.1"], "127.0.0.1", &["203.0.113.7"]).await, "203.0.113.7");
        // The proxy's own entry is the last one; what the client sent before it is not believed.
        assert_eq!(seen(&["127.0.0.1"], "127.0.0.1", &["10.9.9.9, 203.0.113.7"]).await, "203.0.113.7");
        assert_eq!(seen(&["127.0.0.1"], "127.0.0.1", &["10.9.9.9", "2001:db8::1"]).await, "2001:db8::1");
        // From anyone else the header is ignored: a client cannot pick its address.
        assert_eq!(seen(&["127.0.0.1"], "198.51.100.2", &["203.0.113.7"]).await, "198.51.100.2");
        assert_eq!(seen(&[], "127.0.0.1", &["203.0.113.7"]).await, "127.0.0.1");
        // A trusted proxy without the header, or with rubbish, is itself the client.
        assert_eq!(seen(&["127.0.0.1"], "127.0.0.1", &[]).await, "127.0.0.1");
        assert_eq!(seen(&["127.0.0.1"], "127.0.0.1", &["not-an-address"]).await, "127.0.0.1");
    }

    #[test]
    fn a_bucket_allows_its_burst_then_its_rate() {
        let limiter = RateLimiter::new(Limits { max_in_flight: 1, orders_per_second: 2.0, orders_burst: 3.0, ..Limits::default() });
        let (a, b): (IpAddr, IpAddr) = ("10.0.0.1".parse().unwrap(), "10.0.0.2".parse().unwrap());
        let t0 = Instant::now();
        for _ in 0..3 {
            assert!(limiter.take(a, t0).is_ok());
        }
        let wait = limiter.take(a, t0).unwrap_err();
        assert!((wait - 0.5).abs() < 1e-9, "{wait}");
        assert!(limiter.take(b, t0).is_ok(), "another client has its own bucket");
        assert!(limiter.take(a, t0 + Duration::from_millis(500)).is_ok());
        assert!(limiter.take(a, t0 + Duration::from_millis(500)).is_err());
        let off = RateLimiter::new(Limits { orders_per_second: 0.0, ..Limits::default() });
        for _ in 0..1000 {
            assert!(off.take(a, t0).is_ok());
        }
    }
}
