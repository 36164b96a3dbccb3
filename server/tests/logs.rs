//! The server's logs hold no personal data: a customer's name, e-mail,
//! phone, address and access token never appear, whether the order is
//! stored, refused or read back.

use std::path::Path;
use std::process::Command;

use tailor_server::catalogue::Catalogue;
use tailor_server::client::Connection;
use tailor_server::load;

mod common;

#[tokio::test]
async fn no_personal_data_reaches_the_logs() {
    let dir = tempfile::tempdir().unwrap();
    let log_path = dir.path().join("server.log");
    let log = std::fs::File::create(&log_path).unwrap();
    let addr = common::free_addr();
    let catalogue_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../public/catalogue");
    let mut server = common::start_server(&addr, &dir.path().join("t.db"), &[], Some(log), &[("RUST_LOG", "debug")]);

    let catalogue = Catalogue::load(&catalogue_dir).unwrap();
    let body = load::random_orders(&catalogue, &["jeans"], 1, 3).unwrap().remove(0);
    let mut order: serde_json::Value = serde_json::from_str(&body).unwrap();
    order["contact"] = serde_json::json!({"name": "Zhang Weiqing", "email": "zhang.weiqing@example.org", "phone": "+49 30 1234 5678"});
    order["shipping"] = serde_json::json!({"line1": "Kastanienallee 77", "city": "Berlin", "postcode": "10435", "country": "DE"});
    let mut conn = Connection::open(&addr).await.unwrap();
    let post = |key: &'static str| [("Content-Type", "application/json"), ("Idempotency-Key", key)];
    let created = conn.request("POST", "/api/orders", &post("log-1"), order.to_string().as_bytes()).await.unwrap();
    assert_eq!(created.status, 201, "{}", String::from_utf8_lossy(&created.body));
    let v: serde_json::Value = serde_json::from_slice(&created.body).unwrap();
    let (id, token) = (v["id"].as_str().unwrap().to_string(), v["access_token"].as_str().unwrap().to_string());
    let auth = format!("Bearer {token}");
    let read = conn.request("GET", &format!("/api/orders/{id}"), &[("Authorization", auth.as_str())], b"").await.unwrap();
    assert_eq!(read.status, 200);
    // Refused orders too: a bad e-mail, then a price mismatch.
    let mut bad = order.clone();
    bad["contact"]["email"] = serde_json::json!("zhang.weiqing(at)example.org");
    assert_eq!(conn.request("POST", "/api/orders", &post("log-2"), bad.to_string().as_bytes()).await.unwrap().status, 422);
    let mut cheap = order.clone();
    cheap["price_seen"] = serde_json::json!(1);
    assert_eq!(conn.request("POST", "/api/orders", &post("log-3"), cheap.to_string().as_bytes()).await.unwrap().status, 409);

    let _ = Command::new("kill").args(["-TERM", &server.id().to_string()]).status();
    server.wait().unwrap();
    let text = std::fs::read_to_string(&log_path).unwrap();
    assert!(text.contains("order stored") && text.contains(&id), "the order is logged by id:\n{text}");
    for personal in ["Zhang", "Weiqing", "zhang.weiqing", "1234 5678", "Kastanienallee", "10435", token.as_str()] {
        assert!(!text.contains(personal), "the log holds \"{personal}\":\n{text}");
    }
}
