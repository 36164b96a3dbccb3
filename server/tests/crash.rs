//! The server is killed (SIGKILL) in the middle of a load and started again
//! on the same database: every order it acknowledged is there, and clients
//! retrying every request with its idempotency key create no duplicates.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tailor_server::catalogue::Catalogue;
use tailor_load::client::Connection;
use tailor_load as load;

mod common;
use common::free_addr;

fn start(addr: &str, db: &Path) -> std::process::Child {
    // All load comes from one address: no per-client order limit.
    common::start_server(addr, db, &["--order-rate", "0"], None, &[])
}

#[derive(Default)]
struct Log {
    /// Every key sent, with the body it carried.
    sent: BTreeMap<String, usize>,
    /// Key -> (order id, token) for every 201 received.
    acked: BTreeMap<String, (String, String)>,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_orders_survive_sigkill_and_retries_make_no_duplicates() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("crash.db");
    let catalogue_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../public/catalogue");
    let catalogue = Catalogue::load(&catalogue_dir).unwrap();
    let bodies = Arc::new(load::random_orders(&catalogue, &["pc", "jeans"], 300, 7).unwrap());
    let addr = free_addr();
    let mut server = start(&addr, &db);

    let log = Arc::new(Mutex::new(Log::default()));
    let mut clients = Vec::new();
    for c in 0..16 {
        let (addr, bodies, log) = (addr.clone(), bodies.clone(), log.clone());
        clients.push(tokio::spawn(async move {
            let Ok(mut conn) = Connection::open(&addr).await else { return };
            for i in 0.. {
                let key = format!("crash-{c}-{i}");
                let b = (c * 7919 + i) % bodies.len();
                log.lock().unwrap().sent.insert(key.clone(), b);
                let headers = [("Content-Type", "application/json"), ("Idempotency-Key", key.as_str())];
                match conn.request("POST", "/api/orders", &headers, bodies[b].as_bytes()).await {
                    Ok(a) if a.status == 201 => {
                        let v: serde_json::Value = serde_json::from_slice(&a.body).unwrap();
                        let id = v["id"].as_str().unwrap().to_string();
                        let token = v["access_token"].as_str().unwrap().to_string();
                        log.lock().unwrap().acked.insert(key, (id, token));
                    }
                    Ok(a) => panic!("unexpected answer {}: {}", a.status, String::from_utf8_lossy(&a.body)),
                    Err(_) => return, // the server is gone
                }
            }
        }));
    }
    // Kill it once a good number of orders went through.
    let t0 = Instant::now();
    while log.lock().unwrap().acked.len() < 500 && t0.elapsed() < Duration::from_secs(30) {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    server.kill().unwrap(); // SIGKILL
    server.wait().unwrap();
    for c in clients {
        c.await.unwrap();
    }
    let (sent, acked) = {
        let l = log.lock().unwrap();
        (l.sent.clone(), l.acked.clone())
    };
    assert!(acked.len() >= 500, "only {} orders before the kill", acked.len());

    let mut server = start(&addr, &db);
    let mut conn = Connection::open(&addr).await.unwrap();
    // Every acknowledged order is there, readable with its token.
    for (id, token) in acked.values() {
        let auth = format!("Bearer {token}");
        let a = conn.request("GET", &format!("/api/orders/{id}"), &[("Authorization", auth.as_str())], b"").await.unwrap();
        assert_eq!(a.status, 200, "acknowledged order {id} is missing after the crash");
    }
    // Every request sent again with its key: one order per key.
    let mut ids = BTreeSet::new();
    for (key, &b) in &sent {
        let headers = [("Content-Type", "application/json"), ("Idempotency-Key", key.as_str())];
        let a = conn.request("POST", "/api/orders", &headers, bodies[b].as_bytes()).await.unwrap();
        assert_eq!(a.status, 201, "{}", String::from_utf8_lossy(&a.body));
        let v: serde_json::Value = serde_json::from_slice(&a.body).unwrap();
        let id = v["id"].as_str().unwrap().to_string();
        if let Some((acked_id, _)) = acked.get(key) {
            assert_eq!(&id, acked_id, "a retry of an acknowledged order made another");
            assert_eq!(a.header("idempotent-replayed"), Some("true"));
        }
        ids.insert(id);
    }
    assert_eq!(ids.len(), sent.len());
    server.kill().unwrap();
    server.wait().unwrap();
    let conn = rusqlite::Connection::open(&db).unwrap();
    let rows: i64 = conn.query_row("SELECT COUNT(*) FROM orders", [], |r| r.get(0)).unwrap();
    let (keys, distinct): (i64, i64) =
        conn.query_row("SELECT COUNT(*), COUNT(DISTINCT key) FROM idempotency_log", [], |r| Ok((r.get(0)?, r.get(1)?))).unwrap();
    assert_eq!((rows as usize, keys as usize, distinct as usize), (sent.len(), sent.len(), sent.len()), "one order per key, no more");
    eprintln!("crash test: {} acknowledged before SIGKILL, {} sent, {} orders after retries", acked.len(), sent.len(), rows);
}
