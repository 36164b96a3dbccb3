//! The real server binary, started for a test on a free port.

pub mod browser;

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// A free `127.0.0.1:port`.
#[allow(dead_code)]
pub fn free_addr() -> String {
    // The port is free when the kernel hands it out, but is released before
    // the server binds it; tests of one binary run in parallel, so never
    // hand the same port to two of them (one server would fail to bind
    // while its test talked to the other's).
    static GIVEN: std::sync::Mutex<Vec<u16>> = std::sync::Mutex::new(Vec::new());
    let mut given = GIVEN.lock().unwrap_or_else(|e| e.into_inner());
    loop {
        let addr = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
        if !given.contains(&addr.port()) {
            given.push(addr.port());
            return addr.to_string();
        }
    }
}

#[allow(dead_code)]
/// Starts `tailor-server` on `addr` with the database `db`, the shipped
/// catalogue, no site, `extra` arguments and its output to the file `log`
/// (or to `DB.out` beside the database); returns once it accepts connections.
///
/// "Accepts connections" is the server's own word, its "Tailor is running at
/// http://ADDR/" line, not a connection that succeeds: on a cold machine the
/// unoptimised server takes seconds to start, and twice in a CI-like run
/// such a probe connected while the server had not yet bound its port (its
/// log still empty), and the test then found the port refused.
pub fn start_server(addr: &str, db: &Path, extra: &[&str], log: Option<&Path>, env: &[(&str, &str)]) -> Child {
    let catalogue = Path::new(env!("CARGO_MANIFEST_DIR")).join("../public/catalogue");
    let log = log.map(Path::to_path_buf).unwrap_or_else(|| db.with_extension("out"));
    let out = std::fs::File::create(&log).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_tailor-server"))
        .args(["--addr", addr, "--site", "/nonexistent-site", "--catalogue"])
        .arg(&catalogue)
        .arg("--database-url")
        .arg(format!("sqlite://{}", db.display()))
        .args(extra)
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .stdout(Stdio::from(out.try_clone().unwrap()))
        .stderr(Stdio::from(out))
        .spawn()
        .unwrap();
    let expected = format!("Tailor is running at http://{addr}/");
    let t0 = std::time::Instant::now();
    while !std::fs::read_to_string(&log).unwrap_or_default().contains(&expected) {
        if let Ok(Some(status)) = child.try_wait() {
            panic!("the server on {addr} exited before listening ({status}):\n{}", std::fs::read_to_string(&log).unwrap_or_default());
        }
        if t0.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            panic!("the server on {addr} did not say it was listening within 60 s:\n{}", std::fs::read_to_string(&log).unwrap_or_default());
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child
}

/// The PostgreSQL server tests may use, from `TAILOR_TEST_POSTGRES_URL`
/// (`cargo xtask test` starts one and sets it). Without it the PostgreSQL
/// half of a test is skipped with a note, except under CI, where that fails.
#[allow(dead_code)]
pub fn postgres_url() -> Option<String> {
    match std::env::var("TAILOR_TEST_POSTGRES_URL") {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            assert!(std::env::var_os("CI").is_none(), "CI is set but TAILOR_TEST_POSTGRES_URL is not: the PostgreSQL tests cannot run");
            eprintln!("note: TAILOR_TEST_POSTGRES_URL is not set; skipping the PostgreSQL half of this test");
            None
        }
    }
}

/// A fresh, empty database on the test PostgreSQL server; its URL.
#[allow(dead_code)]
pub async fn fresh_postgres_database(server_url: &str) -> String {
    let (client, connection) = tokio_postgres::connect(server_url, tokio_postgres::NoTls).await.expect("the test PostgreSQL server answers");
    tokio::spawn(connection);
    static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let name = format!("t_{}_{}_{}", std::process::id(), NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed), std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().subsec_nanos());
    client.batch_execute(&format!("CREATE DATABASE {name}")).await.unwrap();
    let base = server_url.rsplit_once('/').map_or(server_url, |(b, _)| b);
    format!("{base}/{name}")
}
