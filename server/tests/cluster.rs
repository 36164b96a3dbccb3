//! Several server instances on one PostgreSQL database hold nothing a
//! customer or a member of staff needs in their own memory: a sign-in asked
//! on one instance is finished on another, the session works on each, a
//! signed-out session ends on all, a staff session opened on one is good on
//! another, and an order retried through another instance is the same order.
//! (Per-client limits are per instance by design.) Runs on PostgreSQL only
//! (`TAILOR_TEST_BACKEND=postgres`, as `cargo xtask test` does).

use axum::http::StatusCode;
use serde_json::{Value, json};
use tailor_engine::Choices;

mod common;

use common::browser::{Browser, env, staff_key};

fn order_body(env: &common::browser::Env) -> Value {
    let model = env.catalogue.model("pc-starter").unwrap();
    let choices = Choices::defaults(model);
    json!({
        "product": "pc-starter",
        "catalogue_version": model.version(),
        "code": model.encode(&choices),
        "price_seen": model.quote(&choices).unwrap().total,
        "contact": {"name": "Two Places", "email": "two.places@example.org"},
        "shipping": {"line1": "Ringstr. 2", "city": "Berlin", "postcode": "10115", "country": "DE"},
        "locale": "en",
    })
}

/// Whether these tests run on PostgreSQL; otherwise says why they are
/// skipped (`cargo xtask test` runs this file with TAILOR_TEST_BACKEND=postgres).
fn on_postgres(why: &str) -> bool {
    let on = std::env::var("TAILOR_TEST_BACKEND").as_deref() == Ok("postgres");
    if !on {
        eprintln!("note: skipped, {why}; run with TAILOR_TEST_BACKEND=postgres (cargo xtask test does)");
    }
    on
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn customers_and_staff_move_between_instances() {
    if !on_postgres("several instances share PostgreSQL only") {
        return;
    }
    let a = env();
    let b = a.second_instance().await.expect("a PostgreSQL database");
    let mut browser = Browser::default();

    // Sign-in asked on A, the code tried on B.
    let asked = browser.send(&a, "POST", "/api/sign-in", Some(json!({ "email": "two.places@example.org" }))).await;
    assert_eq!(asked.status, StatusCode::ACCEPTED, "{}", asked.body);
    let mail = a.mailer.sent().pop().expect("the code was sent");
    let code: String = mail.body.split_whitespace().nth(3).unwrap().trim_end_matches('.').to_string();
    let signed = browser.send(&b, "POST", "/api/sign-in/verify", Some(json!({ "email": "two.places@example.org", "code": code }))).await;
    assert_eq!(signed.status, StatusCode::OK, "{}", signed.body);

    // The session works on A: save there, see it on B.
    let model = a.catalogue.model("pc-starter").unwrap();
    let saved = browser
        .send(&a, "POST", "/api/me/configurations", Some(json!({ "product": "pc-starter", "code": model.encode(&Choices::defaults(model)), "name": "from A" })))
        .await;
    assert_eq!(saved.status, StatusCode::CREATED, "{}", saved.body);
    let me = browser.send(&b, "GET", "/api/me", None).await;
    assert_eq!(me.body["profile"]["email"], "two.places@example.org", "{}", me.body);
    assert!(me.body.to_string().contains("from A"), "{}", me.body);

    // An order sent to B and retried through A (its answer lost) is one order.
    let key = [("idempotency-key", "two-instances-1")];
    let first = browser.send_with(&b, "POST", "/api/orders", Some(order_body(&a)), &key).await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
    let again = browser.send_with(&a, "POST", "/api/orders", Some(order_body(&a)), &key).await;
    assert!(again.status.is_success(), "{}", again.body);
    assert_eq!(again.body["id"], first.body["id"]);
    assert_eq!(a.sql("SELECT count(*) FROM orders").await, vec!["1".to_string()]);

    // A staff session opened on A is good on B, and ended on B ends on A.
    let staff_key = staff_key(&a, "S-two", "fulfilment").await;
    let mut desk = Browser::default();
    assert_eq!(desk.send(&a, "POST", "/api/staff/session", Some(json!({ "key": staff_key }))).await.status, StatusCode::CREATED);
    let listed = desk.send(&b, "GET", "/api/staff/orders?status=new", None).await;
    assert_eq!(listed.status, StatusCode::OK, "{}", listed.body);
    assert!(listed.body.to_string().contains(first.body["id"].as_str().unwrap()), "{}", listed.body);
    assert_eq!(desk.send(&b, "DELETE", "/api/staff/session", None).await.status, StatusCode::NO_CONTENT);
    assert_eq!(desk.send(&a, "GET", "/api/staff/orders?status=new", None).await.status, StatusCode::UNAUTHORIZED);

    // Signed out on B: the session is gone on A too.
    assert_eq!(browser.send(&b, "POST", "/api/me/sign-out", None).await.status, StatusCode::NO_CONTENT);
    let after = browser.send(&a, "GET", "/api/me", None).await;
    assert!(after.body["profile"].is_null(), "{}", after.body);
}

/// The backup of the deployment guide (`docs/deploy.md`): `pg_dump` of a
/// database with orders and consent chains, restored into an empty one,
/// holds the same orders, and `tailor-server consent verify` finds every
/// chain intact there.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dump_restores_with_orders_and_consent_chains_intact() {
    if !on_postgres("the backup is PostgreSQL's") {
        return;
    }
    let env = env();
    let notice = &env.catalogue.notice;
    for (n, who) in ["first", "second"].iter().enumerate() {
        let mut b = Browser::default();
        for state in ["given", "withdrawn", "given"] {
            let body = json!({ "notice_version": notice.version, "notice_sha256": notice.sha256, "place": "preference-centre",
                               "changes": [{ "purpose": "marketing", "channel": "email", "state": state }] });
            assert_eq!(b.send(&env, "POST", "/api/me/consents", Some(body)).await.status, StatusCode::OK, "{who}");
        }
        let key = [("idempotency-key", if n == 0 { "dump-1" } else { "dump-2" })];
        assert_eq!(b.send_with(&env, "POST", "/api/orders", Some(order_body(&env)), &key).await.status, StatusCode::CREATED);
    }
    let source = env.pg.clone().unwrap();
    let target = common::fresh_postgres_database(&common::postgres_url().unwrap()).await;
    let dir = tempfile::tempdir().unwrap();
    let dump = dir.path().join("tailor.dump");
    let tool = |name: &str| {
        let debian = std::path::Path::new("/usr/lib/postgresql/15/bin").join(name);
        if debian.exists() { debian } else { std::path::PathBuf::from(name) }
    };
    let dumped = std::process::Command::new(tool("pg_dump")).args(["--format=custom", "--file"]).arg(&dump).args(["--dbname", &source]).output().unwrap();
    assert!(dumped.status.success(), "{}", String::from_utf8_lossy(&dumped.stderr));
    let restored = std::process::Command::new(tool("pg_restore")).args(["--no-owner", "--exit-on-error", "--dbname", &target]).arg(&dump).output().unwrap();
    assert!(restored.status.success(), "{}", String::from_utf8_lossy(&restored.stderr));

    let verify = std::process::Command::new(env!("CARGO_BIN_EXE_tailor-server")).args(["consent", "verify", "--database-url", &target]).output().unwrap();
    let said = String::from_utf8_lossy(&verify.stdout);
    assert!(verify.status.success(), "{said}{}", String::from_utf8_lossy(&verify.stderr));
    assert!(said.starts_with("consent log intact: 6 events of 2 customers"), "{said}");
    let (client, connection) = tokio_postgres::connect(&target, tokio_postgres::NoTls).await.unwrap();
    tokio::spawn(connection);
    let orders: i64 = client.query_one("SELECT count(*) FROM orders", &[]).await.unwrap().get(0);
    assert_eq!(orders, 2);
    // And the check can fail there: a changed event breaks its chain.
    client.batch_execute("UPDATE consent_events SET event_json = replace(event_json, 'withdrawn', 'given') WHERE seq = 2").await.unwrap();
    let broken = std::process::Command::new(env!("CARGO_BIN_EXE_tailor-server")).args(["consent", "verify", "--database-url", &target]).output().unwrap();
    assert!(!broken.status.success(), "{}", String::from_utf8_lossy(&broken.stdout));
}
