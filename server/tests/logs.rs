//! The server's logs hold no personal data: a customer's name, e-mail,
//! phone, address and access token never appear, whether the order is
//! stored, refused or read back, nor when the customer signs in, saves,
//! consents, downloads and erases their data. Also: `tailor-server consent
//! verify` on the real database, before and after tampering.

use std::path::Path;
use std::process::Command;

use tailor_server::catalogue::Catalogue;
use tailor_load::client::Connection;
use tailor_load as load;

mod common;

#[tokio::test]
async fn no_personal_data_reaches_the_logs() {
    let dir = tempfile::tempdir().unwrap();
    let log_path = dir.path().join("server.log");
    let addr = common::free_addr();
    let catalogue_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../public/catalogue");
    let outbox = dir.path().join("outbox");
    let outbox_text = outbox.display().to_string();
    let db = dir.path().join("t.db");
    let mut server = common::start_server(&addr, &db, &["--outbox", &outbox_text], Some(&log_path), &[("RUST_LOG", "debug")]);

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

    // The profile side: sign in by code (from the outbox), save, consent,
    // place an order, download, erase.
    let json = [("Content-Type", "application/json")];
    let asked = conn.request("POST", "/api/sign-in", &json, br#"{"email":"zhang.weiqing@example.org"}"#).await.unwrap();
    assert_eq!(asked.status, 202);
    // The code works only in the browser that asked: it sends the cookie back.
    let binding = asked.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case("set-cookie")).unwrap().1.split(';').next().unwrap().to_string();
    let mail = std::fs::read_dir(&outbox).unwrap().next().expect("the sign-in code is in the outbox").unwrap().path();
    let mail = std::fs::read_to_string(mail).unwrap();
    assert!(mail.contains("To: zhang.weiqing@example.org"), "{mail}");
    let code = mail.split("Your code is ").nth(1).unwrap()[..6].to_string();
    let verify = format!(r#"{{"email":"zhang.weiqing@example.org","code":"{code}"}}"#);
    let signed = conn.request("POST", "/api/sign-in/verify", &[json[0], ("Cookie", binding.as_str())], verify.as_bytes()).await.unwrap();
    assert_eq!(signed.status, 200, "{}", String::from_utf8_lossy(&signed.body));
    let set = signed.headers.iter().find(|(k, v)| k.eq_ignore_ascii_case("set-cookie") && v.starts_with("__Host-tailor_sid=")).unwrap().1.clone();
    let cookie = set.split(';').next().unwrap().to_string();
    let with_cookie = [("Content-Type", "application/json"), ("Cookie", cookie.as_str())];
    let model = catalogue.model("jeans").unwrap();
    let saved = format!(r#"{{"product":"jeans","code":"{}","name":"Zhang Weiqing's jeans"}}"#, order["code"].as_str().unwrap());
    assert_eq!(conn.request("POST", "/api/me/configurations", &with_cookie, saved.as_bytes()).await.unwrap().status, 201, "{}", model.id());
    let consent = format!(
        r#"{{"notice_version":{},"notice_sha256":"{}","place":"account","changes":[{{"purpose":"marketing","channel":"email","state":"given"}}]}}"#,
        catalogue.notice.version, catalogue.notice.sha256
    );
    assert_eq!(conn.request("POST", "/api/me/consents", &with_cookie, consent.as_bytes()).await.unwrap().status, 200);
    let placed = conn.request("POST", "/api/orders", &[with_cookie[0], with_cookie[1], ("Idempotency-Key", "log-4")], order.to_string().as_bytes()).await.unwrap();
    assert_eq!(placed.status, 201);
    let export = conn.request("GET", "/api/me/export", &with_cookie[1..], b"").await.unwrap();
    assert!(String::from_utf8_lossy(&export.body).contains("Zhang Weiqing's jeans"));
    assert_eq!(conn.request("POST", "/api/me/erase", &with_cookie[1..], b"").await.unwrap().status, 204);

    let _ = Command::new("kill").args(["-TERM", &server.id().to_string()]).status();
    server.wait().unwrap();
    let text = std::fs::read_to_string(&log_path).unwrap();
    assert!(text.contains("order stored") && text.contains(&id), "the order is logged by id:\n{text}");
    assert!(text.contains("signed in") && text.contains("profile erased"), "{text}");
    for personal in ["Zhang", "Weiqing", "zhang.weiqing", "1234 5678", "Kastanienallee", "10435", token.as_str(), &code, cookie.split_once('=').unwrap().1, binding.split_once('=').unwrap().1] {
        assert!(!holds(&text, personal), "the log holds \"{personal}\":\n{text}");
    }

    // The consent log checks; after tampering it does not.
    let verify = |db: &Path| {
        Command::new(env!("CARGO_BIN_EXE_tailor-server"))
            .args(["consent", "verify", "--database-url", &format!("sqlite://{}", db.display())])
            .output()
            .unwrap()
    };
    let ok = verify(&db);
    assert!(ok.status.success(), "{}", String::from_utf8_lossy(&ok.stderr));
    // The command's answer, and nothing else (no log lines of opening the store).
    let said = String::from_utf8_lossy(&ok.stdout);
    assert!(said.starts_with("consent log intact: 1 events of 1 customers") && said.lines().count() == 1, "{said}");
    // Logs, however verbose, go to standard error, never into the answer.
    let verbose = Command::new(env!("CARGO_BIN_EXE_tailor-server"))
        .args(["consent", "verify", "--database-url", &format!("sqlite://{}", db.display())])
        .env("RUST_LOG", "debug")
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&verbose.stdout);
    assert!(said.lines().count() == 1 && said.starts_with("consent log intact"), "{said}");
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.execute("UPDATE consent_events SET event_json = replace(event_json, 'erasure-request', 'toggle')", []).unwrap();
    drop(conn);
    let broken = verify(&db);
    assert!(!broken.status.success());
    let out = String::from_utf8_lossy(&broken.stdout);
    assert!(out.contains("BROKEN") && out.contains("was changed"), "{out}");
}

/// Whether `text` holds `needle`. A needle of digits (the postcode, the
/// sign-in code) counts only where no digit runs on either side, so that a
/// timestamp's or a port's digits holding it by chance do not count.
fn holds(text: &str, needle: &str) -> bool {
    if !needle.bytes().all(|b| b.is_ascii_digit() || b == b' ') {
        return text.contains(needle);
    }
    text.match_indices(needle).any(|(at, _)| {
        let before = text[..at].bytes().next_back();
        let after = text[at + needle.len()..].bytes().next();
        !before.is_some_and(|b| b.is_ascii_digit()) && !after.is_some_and(|b| b.is_ascii_digit())
    })
}

#[test]
fn a_digit_needle_counts_only_on_its_own() {
    assert!(!holds("\"timestamp\":\"2026-12-06T20:25:06.104352Z\"", "10435"));
    assert!(holds("postcode 10435 here", "10435"));
    assert!(holds("{\"postcode\":\"10435\"}", "10435"));
    assert!(holds("Zhang", "Zhang"));
    assert!(!holds("zhan", "Zhang"));
}

