//! Load for benchmarks and the crash test: valid orders made with the engine
//! (random configurations of real catalogue products), posted over many
//! keep-alive connections, with every answer's latency recorded. Not part
//! of the server: `tailor-load` (this crate's binary) drives
//! `cargo xtask bench server`, and the server's crash and log tests use the
//! library.

pub mod client;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use tailor_api::{Channel, NewOrder};
use tailor_engine::bench::Rng;
use tailor_engine::contact::{Contact, Shipping};
use tailor_server::catalogue::Catalogue;

use crate::client::Connection;

pub use tailor_engine::bench::random_choices;

/// `count` order bodies (JSON) for the given products, in turn.
pub fn random_orders(catalogue: &Catalogue, products: &[&str], count: usize, seed: u64) -> Result<Vec<String>, String> {
    let mut rng = Rng::new(seed);
    let mut out = Vec::with_capacity(count);
    for i in 0..count {
        let product = products[i % products.len()];
        let model = catalogue.model(product).ok_or_else(|| format!("no product \"{product}\" in the catalogue"))?;
        let choices = random_choices(model, &mut rng);
        let quote = model.quote(&choices).map_err(|e| format!("{product}: a random configuration is invalid: {e:?}"))?;
        let texts: BTreeMap<String, String> =
            model.def().texts.iter().filter(|t| model.text_wanted(&t.id, &choices)).map(|t| (t.id.clone(), "A.B.".to_string())).collect();
        let order = NewOrder {
            product: product.to_string(),
            catalogue_version: model.version().to_string(),
            code: model.encode(&choices),
            price_seen: quote.total,
            texts,
            contact: Contact { name: "Load Test".into(), email: "load.test@example.org".into(), phone: String::new() },
            shipping: Shipping {
                line1: "Teststr. 1".into(),
                line2: String::new(),
                city: "Berlin".into(),
                postcode: "10115".into(),
                country: "DE".into(),
            },
            locale: "en".into(),
            channel: Channel::Web,
            partner_id: None,
            partner_token: None,
        };
        out.push(serde_json::to_string(&order).map_err(|e| e.to_string())?);
    }
    Ok(out)
}

/// What a load run saw.
#[derive(Debug, Default)]
pub struct Report {
    pub sent: u64,
    /// Answers by status code.
    pub statuses: BTreeMap<u16, u64>,
    /// Requests that got no answer (connection errors).
    pub failed: u64,
    /// Latency of every answered request, in microseconds, sorted.
    pub latencies_us: Vec<u32>,
    pub elapsed: Duration,
    /// Acknowledged orders (only recorded with [`Options::retry`]).
    pub acked: Vec<Ack>,
}

impl Report {
    pub fn quantile_ms(&self, q: f64) -> f64 {
        if self.latencies_us.is_empty() {
            return 0.0;
        }
        let i = ((self.latencies_us.len() as f64 * q) as usize).min(self.latencies_us.len() - 1);
        self.latencies_us[i] as f64 / 1000.0
    }

    pub fn created_per_second(&self) -> f64 {
        self.statuses.get(&201).copied().unwrap_or(0) as f64 / self.elapsed.as_secs_f64()
    }
}

/// How a load run behaves beyond its rate.
#[derive(Clone, Copy, Debug, Default)]
pub struct Options {
    /// A refused or failed order is sent again with the same key and body
    /// (as the browser's outbox does) until it is acknowledged or the run,
    /// with `grace` more, is over; otherwise each request gets a new key.
    pub retry: bool,
    /// How long after the run's end retries of unacknowledged orders go on.
    pub grace: Duration,
}

/// An acknowledged order: its key, the id the server answered and when
/// (milliseconds from the run's start).
#[derive(Clone, Debug)]
pub struct Ack {
    pub key: String,
    pub id: String,
    pub at_ms: u32,
}

/// Posts the bodies in turn, each with a new idempotency key, over
/// `connections` connections to `addr` (`host:port`) for `duration`.
pub async fn run(addr: &str, bodies: std::sync::Arc<Vec<String>>, connections: usize, duration: Duration) -> Result<Report, String> {
    run_with(addr, bodies, connections, duration, Options::default()).await
}

/// [`run`] with [`Options`].
pub async fn run_with(addr: &str, bodies: std::sync::Arc<Vec<String>>, connections: usize, duration: Duration, options: Options) -> Result<Report, String> {
    let started = Instant::now();
    let deadline = started + duration;
    let mut tasks = Vec::new();
    for c in 0..connections {
        let addr = addr.to_string();
        let bodies = bodies.clone();
        tasks.push(tokio::spawn(async move {
            let mut report = Report::default();
            // With retries, a connection refused for a moment is opened again.
            let reconnect_until = options.retry.then_some(deadline + options.grace);
            let mut conn = open(&addr, reconnect_until).await?;
            let mut i = c;
            // Keys as browsers make them: random (UUID v4 form), so they
            // land all over the key index as real ones do.
            let mut rng = Rng::new(0x5EED ^ (c as u64) << 32 ^ started.elapsed().as_nanos() as u64);
            while Instant::now() < deadline {
                let (a, b) = (rng.next(), rng.next());
                let key = format!(
                    "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
                    a >> 32,
                    (a >> 16) & 0xffff,
                    a & 0xfff,
                    0x8000 | (b >> 48) & 0x3fff,
                    b & 0xffff_ffff_ffff
                );
                let body = bodies[i % bodies.len()].as_bytes();
                loop {
                    let t0 = Instant::now();
                    report.sent += 1;
                    let headers = [("Content-Type", "application/json"), ("Idempotency-Key", key.as_str())];
                    let acknowledged = match conn.request("POST", "/api/orders", &headers, body).await {
                        Ok(answer) => {
                            report.latencies_us.push(t0.elapsed().as_micros().min(u32::MAX as u128) as u32);
                            *report.statuses.entry(answer.status).or_default() += 1;
                            let ok = matches!(answer.status, 200 | 201);
                            if ok && options.retry {
                                let id = serde_json::from_slice::<serde_json::Value>(&answer.body)
                                    .ok()
                                    .and_then(|v| v["id"].as_str().map(str::to_string))
                                    .ok_or("an acknowledged order without an id")?;
                                report.acked.push(Ack { key: key.clone(), id, at_ms: started.elapsed().as_millis() as u32 });
                            }
                            ok
                        }
                        Err(_) => {
                            report.failed += 1;
                            conn = open(&addr, reconnect_until).await?;
                            false
                        }
                    };
                    if acknowledged || !options.retry || Instant::now() > deadline + options.grace {
                        break;
                    }
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
                i += connections;
            }
            Ok::<Report, String>(report)
        }));
    }
    let mut total = Report::default();
    for t in tasks {
        let r = t.await.map_err(|e| e.to_string())??;
        total.sent += r.sent;
        total.failed += r.failed;
        for (s, n) in r.statuses {
            *total.statuses.entry(s).or_default() += n;
        }
        total.latencies_us.extend(r.latencies_us);
        total.acked.extend(r.acked);
    }
    total.elapsed = started.elapsed();
    total.latencies_us.sort_unstable();
    Ok(total)
}

/// Opens a connection; with `until`, keeps trying until then (the address
/// may be down for a moment in a fault test).
async fn open(addr: &str, until: Option<Instant>) -> Result<Connection, String> {
    loop {
        match Connection::open(addr).await {
            Ok(c) => return Ok(c),
            Err(e) if until.is_none_or(|u| Instant::now() > u) => return Err(format!("{addr}: {e}")),
            Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
        }
    }
}
