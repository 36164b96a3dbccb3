//! The real server binary, started for a test on a free port.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A free `127.0.0.1:port`.
pub fn free_addr() -> String {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().to_string()
}

/// Starts `tailor-server` on `addr` with the database `db`, the shipped
/// catalogue, no site, `extra` arguments and its output to `log` (or
/// nowhere); returns once it accepts connections.
pub fn start_server(addr: &str, db: &Path, extra: &[&str], log: Option<std::fs::File>, env: &[(&str, &str)]) -> Child {
    let catalogue = Path::new(env!("CARGO_MANIFEST_DIR")).join("../public/catalogue");
    let (out, err) = match log {
        Some(f) => (Stdio::from(f.try_clone().unwrap()), Stdio::from(f)),
        None => (Stdio::null(), Stdio::null()),
    };
    let child = Command::new(env!("CARGO_BIN_EXE_tailor-server"))
        .args(["--addr", addr, "--site", "/nonexistent-site", "--catalogue"])
        .arg(&catalogue)
        .arg("--database-url")
        .arg(format!("sqlite://{}", db.display()))
        .args(extra)
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(err)
        .spawn()
        .unwrap();
    let t0 = Instant::now();
    while std::net::TcpStream::connect(addr).is_err() {
        assert!(t0.elapsed() < Duration::from_secs(20), "the server did not start");
        std::thread::sleep(Duration::from_millis(20));
    }
    child
}
