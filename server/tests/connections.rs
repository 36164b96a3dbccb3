//! Connections: a client that trickles its headers is cut off; a request in
//! flight when the server is asked to stop (SIGTERM) still gets its answer.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

mod common;

#[test]
fn slow_headers_are_cut_off_and_requests_in_flight_finish_at_shutdown() {
    let dir = tempfile::tempdir().unwrap();
    let addr = common::free_addr();
    let mut server = common::start_server(&addr, &dir.path().join("t.db"), &["--header-timeout-ms", "300"], None, &[]);

    // Headers that never end: the server closes the connection.
    let mut slow = TcpStream::connect(&addr).unwrap();
    slow.write_all(b"GET /api/health HTTP/1.1\r\nHost: x\r\n").unwrap();
    slow.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let t0 = Instant::now();
    let mut buf = Vec::new();
    let _ = slow.read_to_end(&mut buf);
    assert!(t0.elapsed() < Duration::from_secs(4), "the trickling connection stayed open");

    // A normal request is answered.
    let mut ok = TcpStream::connect(&addr).unwrap();
    ok.write_all(b"GET /api/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").unwrap();
    let mut answer = String::new();
    ok.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");

    // A request whose body is still arriving when SIGTERM comes is finished.
    let mut inflight = TcpStream::connect(&addr).unwrap();
    let body = b"{\"product\":\"pc\"}";
    let head = format!(
        "POST /api/orders HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nIdempotency-Key: k\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    inflight.write_all(head.as_bytes()).unwrap();
    inflight.write_all(&body[..5]).unwrap();
    std::thread::sleep(Duration::from_millis(100));
    std::process::Command::new("kill").args(["-TERM", &server.id().to_string()]).status().unwrap();
    std::thread::sleep(Duration::from_millis(200));
    inflight.write_all(&body[5..]).unwrap();
    let mut answer = String::new();
    inflight.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    inflight.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 400"), "the request in flight got no answer: {answer:?}");
    let status = server.wait().unwrap();
    assert!(status.success(), "{status}");
    assert!(TcpStream::connect(&addr).is_err(), "the server stopped listening");
}
