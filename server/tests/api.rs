//! The order API, exercised in-process (no socket) against the shipped
//! catalogue and a fresh SQLite file per test.

use std::path::Path;
use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tailor_engine::Choices;
use tailor_server::{AppState, app, catalogue::Catalogue, site::Site, store};
use tower::ServiceExt;

mod common;

struct Env {
    router: axum::Router,
    catalogue: Arc<Catalogue>,
    _dir: tempfile::TempDir,
}

/// An `env()` whose server has the given limits.
fn env_with_limits(limits: tailor_server::limits::Limits) -> Env {
    let dir = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let catalogue = Arc::new(Catalogue::load(&root.join("public/catalogue")).unwrap());
    let state = AppState { catalogue: catalogue.clone(), store: test_store(dir.path()), mailer: Default::default(), limits: Default::default() };
    Env { router: tailor_server::app_with_limits(state, Site::load(&dir.path().join("no-site")), limits), catalogue, _dir: dir }
}

/// The store behind an `env()`, for tests that need to set up staff keys.
fn env_and_store() -> (Env, store::Store) {
    let dir = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let catalogue = Arc::new(Catalogue::load(&root.join("public/catalogue")).unwrap());
    let store = test_store(dir.path());
    let state = AppState { catalogue: catalogue.clone(), store: store.clone(), mailer: Default::default(), limits: Default::default() };
    (Env { router: app(state, Site::load(&dir.path().join("no-site"))), catalogue, _dir: dir }, store)
}

async fn staff_key(store: &store::Store, id: &str, role: &str) -> String {
    let (key, digest) = tailor_server::staff::new_key();
    let row = store::StaffKey { id: id.into(), name: format!("{role} tester"), role: role.into(), created_at: "2026-01-01T00:00:00Z".into(), revoked_at: None };
    store.add_staff(row, &digest).await.unwrap();
    key
}

fn staff_get(path: &str, key: Option<&str>) -> Request<Body> {
    let mut r = Request::get(path);
    if let Some(k) = key {
        r = r.header(header::AUTHORIZATION, format!("Bearer {k}"));
    }
    r.body(Body::empty()).unwrap()
}

fn staff_status(id: &str, key: &str, status: &str) -> Request<Body> {
    Request::post(format!("/api/staff/orders/{id}/status"))
        .header(header::AUTHORIZATION, format!("Bearer {key}"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(json!({ "status": status }).to_string()))
        .unwrap()
}

/// A store for a test: SQLite, or a fresh PostgreSQL database when
/// `TAILOR_TEST_BACKEND=postgres` (`cargo xtask test` runs this file both ways).
fn test_store(dir: &Path) -> store::Store {
    if std::env::var("TAILOR_TEST_BACKEND").as_deref() == Ok("postgres") {
        let server = common::postgres_url().expect("TAILOR_TEST_BACKEND=postgres needs TAILOR_TEST_POSTGRES_URL");
        return tokio::task::block_in_place(|| {
            tokio::runtime::Handle::current().block_on(async {
                let url = common::fresh_postgres_database(&server).await;
                store::Store::connect(&store::DatabaseUrl::parse(&url).unwrap()).await.unwrap()
            })
        });
    }
    store::Store::open(&store::DatabaseUrl::Sqlite(dir.join("t.db"))).unwrap()
}

fn env() -> Env {
    let dir = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let catalogue = Arc::new(Catalogue::load(&root.join("public/catalogue")).unwrap());
    let store = test_store(dir.path());
    let state = AppState { catalogue: catalogue.clone(), store, mailer: Default::default(), limits: Default::default() };
    Env { router: app(state, Site::load(&dir.path().join("no-site"))), catalogue, _dir: dir }
}

async fn send(env: &Env, request: Request<Body>) -> (StatusCode, String, Value) {
    let response = env.router.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let ctype = response.headers().get(header::CONTENT_TYPE).map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    (status, ctype, body)
}

/// A new order with a fresh idempotency key.
fn post(body: &str) -> Request<Body> {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let key = format!("test-{}-{}", std::process::id(), NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed));
    post_with_key(body, &key)
}

fn post_with_key(body: &str, key: &str) -> Request<Body> {
    Request::post("/api/orders")
        .header(header::CONTENT_TYPE, "application/json")
        .header("idempotency-key", key)
        .body(Body::from(body.to_string()))
        .unwrap()
}

/// The default PC configuration and the price the engine gives it.
fn default_order(env: &Env) -> Value {
    order_for(env, |_| {})
}

/// An order for the starter PC's defaults, changed by `change` first.
fn order_for(env: &Env, change: impl Fn(&mut Choices)) -> Value {
    let model = env.catalogue.model("pc-starter").unwrap();
    let mut choices = Choices::defaults(model);
    change(&mut choices);
    let total = model.quote(&choices).map(|q| q.total).unwrap_or(0);
    json!({
        "product": "pc-starter",
        "catalogue_version": model.version(),
        "code": model.encode(&choices),
        "price_seen": total,
        "contact": {"name": "Test Customer", "email": "test.customer@example.org"},
        "shipping": {"line1": "Hauptstr. 1", "city": "Berlin", "postcode": "10115", "country": "DE"},
        "locale": "en",
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_order_is_checked_priced_stored_and_read_back_with_its_token() {
    let env = env();
    let order = default_order(&env);
    let (status, _, created) = send(&env, post(&order.to_string())).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["total"], order["price_seen"]);
    assert_eq!(created["code"], order["code"]);
    assert_eq!(created["choices"]["cpu"], "r5-7600");
    assert_eq!(created["contact"]["email"], "test.customer@example.org");
    let id = created["id"].as_str().unwrap();
    let token = created["access_token"].as_str().unwrap();

    let read = |auth: Option<String>| {
        let mut r = Request::get(format!("/api/orders/{id}"));
        if let Some(a) = auth {
            r = r.header(header::AUTHORIZATION, a);
        }
        r.body(Body::empty()).unwrap()
    };
    let (status, _, back) = send(&env, read(Some(format!("Bearer {token}")))).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(back["id"], created["id"]);
    assert_eq!(back["total"], created["total"]);
    assert_eq!(back["status"], "new");
    assert!(back.get("access_token").is_none());

    let (status, ctype, _) = send(&env, read(None)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(ctype, "application/problem+json");
    let (status, _, _) = send(&env, read(Some("Bearer wrong".into()))).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // A second order with the same body and a new key is a different order with its own token.
    let (status, _, again) = send(&env, post(&order.to_string())).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_ne!(again["id"], created["id"]);
    assert_ne!(again["access_token"], created["access_token"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_key_makes_one_order_and_a_changed_body_is_a_conflict() {
    let env = env();
    let order = default_order(&env).to_string();
    let (status, _, first) = send(&env, post_with_key(&order, "retry-me")).await;
    assert_eq!(status, StatusCode::CREATED, "{first}");

    // The retry answers the same order and token, and says it is a replay.
    let response = env.router.clone().oneshot(post_with_key(&order, "retry-me")).await.unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    assert_eq!(response.headers()["idempotent-replayed"], "true");
    let again: Value = serde_json::from_slice(&response.into_body().collect().await.unwrap().to_bytes()).unwrap();
    assert_eq!(again, first);

    // Many retries at once still make one order.
    let many = futures::future::join_all((0..16).map(|_| send(&env, post_with_key(&order, "burst")))).await;
    let ids: std::collections::BTreeSet<_> = many.iter().map(|(s, _, v)| {
        assert_eq!(*s, StatusCode::CREATED, "{v}");
        v["id"].as_str().unwrap().to_string()
    }).collect();
    assert_eq!(ids.len(), 1, "{ids:?}");

    // Another body under a used key is refused, and makes nothing.
    let mut other: Value = serde_json::from_str(&order).unwrap();
    other["contact"]["name"] = json!("Someone Else");
    let (status, ctype, problem) = send(&env, post_with_key(&other.to_string(), "retry-me")).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(ctype, "application/problem+json");
    assert_eq!(problem["type"], "/problems/idempotency-key-reused");

    // A refused order stores nothing under its key: the retry is refused alike.
    let mut stale: Value = serde_json::from_str(&order).unwrap();
    stale["price_seen"] = json!(1);
    for _ in 0..2 {
        let (status, _, refused) = send(&env, post_with_key(&stale.to_string(), "fresh")).await;
        assert_eq!((status, refused["type"].clone()), (StatusCode::CONFLICT, json!("/problems/price-mismatch")));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retry_after_the_catalogue_changed_still_gets_its_order() {
    let dir = tempfile::tempdir().unwrap();
    let shipped = Path::new(env!("CARGO_MANIFEST_DIR")).join("../public/catalogue");
    let catalogue_dir = dir.path().join("catalogue");
    std::fs::create_dir(&catalogue_dir).unwrap();
    for entry in std::fs::read_dir(&shipped).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, catalogue_dir.join(path.file_name().unwrap())).unwrap();
    }
    let db = store::DatabaseUrl::Sqlite(dir.path().join("t.db"));
    let start = || {
        let catalogue = Arc::new(Catalogue::load(&catalogue_dir).unwrap());
        let store = store::Store::open(&db).unwrap();
        Env { router: app(AppState { catalogue: catalogue.clone(), store, mailer: Default::default(), limits: Default::default() }, Site::load(&dir.path().join("no-site"))), catalogue, _dir: tempfile::tempdir().unwrap() }
    };
    let before = start();
    let order = default_order(&before).to_string();
    let (status, _, first) = send(&before, post_with_key(&order, "k1")).await;
    assert_eq!(status, StatusCode::CREATED, "{first}");
    drop(before);

    let file = catalogue_dir.join("pc-starter.json");
    let text = std::fs::read_to_string(&file).unwrap();
    let version = format!("\"version\": \"{}\"", serde_json::from_str::<Value>(&order).unwrap()["catalogue_version"].as_str().unwrap());
    assert!(text.contains(&version));
    std::fs::write(&file, text.replacen(&version, "\"version\": \"2099.1\"", 1)).unwrap();
    let after = start();
    let (status, _, retried) = send(&after, post_with_key(&order, "k1")).await;
    assert_eq!(status, StatusCode::CREATED, "{retried}");
    assert_eq!(retried, first);
    let (status, _, fresh) = send(&after, post_with_key(&order, "k2")).await;
    assert_eq!((status, fresh["type"].clone()), (StatusCode::CONFLICT, json!("/problems/outdated-catalogue")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_idempotency_key_is_required_and_checked() {
    let env = env();
    let order = default_order(&env).to_string();
    let bare = Request::post("/api/orders").header(header::CONTENT_TYPE, "application/json").body(Body::from(order.clone())).unwrap();
    let (status, _, problem) = send(&env, bare).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(problem["type"], "/problems/missing-idempotency-key");
    for bad in ["", "has space", &"k".repeat(256)] {
        let (status, _, problem) = send(&env, post_with_key(&order, bad)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad:?}");
        assert_eq!(problem["type"], "/problems/invalid-idempotency-key");
    }
    let (status, _, _) = send(&env, post_with_key(&order, &"k".repeat(255))).await;
    assert_eq!(status, StatusCode::CREATED);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refusals_are_problem_details_that_say_what_is_wrong() {
    let env = env();
    let good = default_order(&env);
    let with = |key: &str, value: Value| {
        let mut o = good.clone();
        o[key] = value;
        o.to_string()
    };
    let model = env.catalogue.model("pc-starter").unwrap();
    let cpu = model.attribute("cpu").unwrap();
    let memory = model.attribute("memory").unwrap();
    let bad_rule = order_for(&env, |c| c.0[cpu] = model.option(cpu, "i5-14400"));
    let incomplete = order_for(&env, |c| c.0[memory] = None);
    let price = good["price_seen"].as_i64().unwrap();
    let mut damaged = good.clone();
    let code = good["code"].as_str().unwrap();
    damaged["code"] = json!(format!("{}{}", &code[..code.len() - 1], if code.ends_with('A') { "B" } else { "A" }));
    let other_version = model.def().clone();
    let mut other_version = other_version;
    other_version.version = "1999.1".into();
    let other = tailor_engine::Model::from_def("old", other_version).unwrap();
    let mut old_code = good.clone();
    old_code["code"] = json!(other.encode(&Choices::defaults(&other)));
    let mut bad_email = good.clone();
    bad_email["contact"]["email"] = json!("not-an-address");
    let mut no_city = good.clone();
    no_city["shipping"]["city"] = json!("");
    let mut partner_without_id = good.clone();
    partner_without_id["channel"] = json!("partner");

    let cases: Vec<(String, StatusCode, &str, &str)> = vec![
        (with("price_seen", json!(price - 1)), StatusCode::CONFLICT, "/problems/price-mismatch", "costs"),
        (with("product", json!("toaster")), StatusCode::UNPROCESSABLE_ENTITY, "/problems/unknown-product", "toaster"),
        (with("catalogue_version", json!("1999.1")), StatusCode::CONFLICT, "/problems/outdated-catalogue", "1999.1"),
        (bad_rule.to_string(), StatusCode::UNPROCESSABLE_ENTITY, "/problems/invalid-configuration", "LGA1700"),
        (incomplete.to_string(), StatusCode::UNPROCESSABLE_ENTITY, "/problems/incomplete-configuration", "memory"),
        (damaged.to_string(), StatusCode::UNPROCESSABLE_ENTITY, "/problems/invalid-code", "damaged"),
        (old_code.to_string(), StatusCode::CONFLICT, "/problems/outdated-catalogue", "another version"),
        (bad_email.to_string(), StatusCode::UNPROCESSABLE_ENTITY, "/problems/invalid-contact", "contact.email"),
        (no_city.to_string(), StatusCode::UNPROCESSABLE_ENTITY, "/problems/invalid-contact", "shipping.city"),
        (with("locale", json!("fr")), StatusCode::UNPROCESSABLE_ENTITY, "/problems/invalid-locale", "zh-CN"),
        (partner_without_id.to_string(), StatusCode::UNPROCESSABLE_ENTITY, "/problems/invalid-channel", "partner"),
        (with("channel", json!("fax")), StatusCode::BAD_REQUEST, "/problems/malformed-body", "unknown variant"),
        (with("coupon", json!("FREE")), StatusCode::BAD_REQUEST, "/problems/malformed-body", "unknown field `coupon`"),
        ("{\"product\":".to_string(), StatusCode::BAD_REQUEST, "/problems/malformed-body", "EOF"),
        (format!("{{\"pad\":\"{}\"}}", "x".repeat(tailor_server::BODY_LIMIT)), StatusCode::PAYLOAD_TOO_LARGE, "/problems/body-too-large", "at most"),
    ];
    for (body, status, kind, detail) in cases {
        let (got, ctype, problem) = send(&env, post(&body)).await;
        assert_eq!(got, status, "{problem}");
        assert_eq!(ctype, "application/problem+json");
        assert_eq!(problem["type"], kind, "{problem}");
        assert_eq!(problem["status"], status.as_u16());
        assert!(problem["detail"].as_str().unwrap().contains(detail), "{problem}");
    }

    let text = Request::post("/api/orders").header(header::CONTENT_TYPE, "text/plain").body(Body::from(good.to_string())).unwrap();
    let (status, _, problem) = send(&env, text).await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(problem["type"], "/problems/unsupported-media-type");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_api_paths_and_a_missing_site_answer_clearly() {
    let env = env();
    let (status, ctype, _) = send(&env, Request::get("/api/nope").body(Body::empty()).unwrap()).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(ctype, "application/problem+json");
    let response = env.router.clone().oneshot(Request::get("/p/pc-starter").body(Body::empty()).unwrap()).await.unwrap();
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(response.headers()["x-content-type-options"], "nosniff");
    assert!(response.headers()["content-security-policy"].to_str().unwrap().contains("'wasm-unsafe-eval'"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn too_many_orders_from_one_address_are_refused_for_a_while() {
    let env = env_with_limits(tailor_server::limits::Limits { max_in_flight: 64, orders_per_second: 1.0, orders_burst: 2.0, ..Default::default() });
    let order = default_order(&env).to_string();
    let from = |ip: &str| {
        let mut r = post(&order);
        r.extensions_mut().insert(axum::extract::ConnectInfo(std::net::SocketAddr::new(ip.parse().unwrap(), 5000)));
        r
    };
    for _ in 0..2 {
        assert_eq!(send(&env, from("192.0.2.1")).await.0, StatusCode::CREATED);
    }
    let response = env.router.clone().oneshot(from("192.0.2.1")).await.unwrap();
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(response.headers()["retry-after"], "1");
    assert_eq!(send(&env, from("192.0.2.2")).await.0, StatusCode::CREATED, "other clients are not held up");
    // Reading is not limited.
    let read = Request::get("/api/health").body(Body::empty()).unwrap();
    assert_eq!(send(&env, read).await.0, StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_beyond_the_in_flight_limit_are_shed_at_once() {
    let env = env_with_limits(tailor_server::limits::Limits { max_in_flight: 1, orders_per_second: 0.0, orders_burst: 1.0, ..Default::default() });
    let router = env.router.clone();
    // One order whose body is still arriving holds the only slot.
    let (mut tx, rx) = futures::channel::mpsc::channel::<Result<axum::body::Bytes, std::io::Error>>(1);
    let slow = Request::post("/api/orders")
        .header(header::CONTENT_TYPE, "application/json")
        .header("idempotency-key", "slow")
        .body(Body::from_stream(rx))
        .unwrap();
    let held = tokio::spawn(router.clone().oneshot(slow));
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    let t0 = std::time::Instant::now();
    let response = router.clone().oneshot(Request::get("/api/health").body(Body::empty()).unwrap()).await.unwrap();
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(response.headers()["retry-after"], "1");
    assert!(t0.elapsed() < std::time::Duration::from_secs(1), "shed at once, not queued");
    let body: Value = serde_json::from_slice(&response.into_body().collect().await.unwrap().to_bytes()).unwrap();
    assert_eq!(body["type"], "/problems/overloaded");
    // The slot frees when the slow request ends.
    use futures::SinkExt;
    tx.send(Ok(axum::body::Bytes::from_static(b"{"))).await.unwrap();
    drop(tx);
    assert_eq!(held.await.unwrap().unwrap().status(), StatusCode::BAD_REQUEST);
    let response = router.clone().oneshot(Request::get("/api/health").body(Body::empty()).unwrap()).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fulfilment_sees_what_to_make_and_where_to_ship_and_moves_the_status() {
    let (env, store) = env_and_store();
    let (status, _, first) = send(&env, post(&default_order(&env).to_string())).await;
    assert_eq!(status, StatusCode::CREATED);
    let (_, _, second) = send(&env, post(&default_order(&env).to_string())).await;
    let id = first["id"].as_str().unwrap();
    let fulfilment = staff_key(&store, "S1", "fulfilment").await;
    let marketing = staff_key(&store, "S2", "marketing").await;

    // Need to know: what to make and where to ship, nothing else.
    let response = env.router.clone().oneshot(staff_get("/api/staff/orders", Some(&fulfilment))).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let text = String::from_utf8(response.into_body().collect().await.unwrap().to_bytes().to_vec()).unwrap();
    let list: Value = serde_json::from_str(&text).unwrap();
    let mine = list["orders"].as_array().unwrap().iter().find(|o| o["id"] == id).expect("the new order is listed");
    assert_eq!(mine["ship_to"]["name"], "Test Customer");
    assert_eq!(mine["ship_to"]["city"], "Berlin");
    assert_eq!(mine["choices"]["cpu"], "r5-7600");
    for secret in ["test.customer@example.org", "access_token", "token_sha256", "\"total\"", "phone"] {
        assert!(!text.contains(secret), "fulfilment sees {secret}: {text}");
    }

    // Other roles, no key, unknown keys.
    for (key, want) in [(Some(marketing.as_str()), StatusCode::FORBIDDEN), (None, StatusCode::UNAUTHORIZED), (Some("tsk_nope"), StatusCode::UNAUTHORIZED)] {
        let (got, ctype, problem) = send(&env, staff_get("/api/staff/orders", key)).await;
        assert_eq!(got, want, "{problem}");
        assert_eq!(ctype, "application/problem+json");
    }
    // A customer token is not a staff key, and a staff key does not read a customer's order.
    let (got, _, _) = send(&env, staff_get("/api/staff/orders", Some(first["access_token"].as_str().unwrap()))).await;
    assert_eq!(got, StatusCode::UNAUTHORIZED);
    let (got, _, _) = send(&env, staff_get(&format!("/api/orders/{id}"), Some(&fulfilment))).await;
    assert_eq!(got, StatusCode::NOT_FOUND);

    // Status moves only along new -> in_production -> shipped.
    let (got, _, problem) = send(&env, staff_status(id, &fulfilment, "shipped")).await;
    assert_eq!((got, problem["current"].clone()), (StatusCode::CONFLICT, json!("new")));
    for next in ["in_production", "shipped"] {
        let (got, _, body) = send(&env, staff_status(id, &fulfilment, next)).await;
        assert_eq!((got, body["status"].clone()), (StatusCode::OK, json!(next)));
    }
    let (got, _, _) = send(&env, staff_status(id, &fulfilment, "cancelled")).await;
    assert_eq!(got, StatusCode::CONFLICT);
    let (got, _, problem) = send(&env, staff_status(id, &fulfilment, "lost")).await;
    assert_eq!((got, problem["type"].clone()), (StatusCode::BAD_REQUEST, json!("/problems/invalid-status")));
    let (got, _, _) = send(&env, staff_status("T00000000000000", &fulfilment, "cancelled")).await;
    assert_eq!(got, StatusCode::NOT_FOUND);
    let (got, _, _) = send(&env, staff_status(id, &marketing, "cancelled")).await;
    assert_eq!(got, StatusCode::FORBIDDEN);

    // The customer sees it; the lists follow.
    let token = first["access_token"].as_str().unwrap();
    let (_, _, mine) = send(&env, staff_get(&format!("/api/orders/{id}"), Some(token))).await;
    assert_eq!(mine["status"], "shipped");
    let (_, _, shipped) = send(&env, staff_get("/api/staff/orders?status=shipped", Some(&fulfilment))).await;
    assert_eq!(shipped["orders"].as_array().unwrap().len(), 1);
    let (_, _, new) = send(&env, staff_get("/api/staff/orders?status=new&limit=1", Some(&fulfilment))).await;
    assert_eq!(new["orders"][0]["id"], second["id"]);
    let (got, _, _) = send(&env, staff_get("/api/staff/orders?status=lost", Some(&fulfilment))).await;
    assert_eq!(got, StatusCode::BAD_REQUEST);
    let (got, _, _) = send(&env, staff_get("/api/staff/orders?limit=0", Some(&fulfilment))).await;
    assert_eq!(got, StatusCode::BAD_REQUEST);

    // A revoked key opens nothing.
    assert!(store.revoke_staff("S1", "2026-01-02T00:00:00Z").await.unwrap());
    let (got, _, _) = send(&env, staff_get("/api/staff/orders", Some(&fulfilment))).await;
    assert_eq!(got, StatusCode::UNAUTHORIZED);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_lists_page_through_every_order_once() {
    let (env, store) = env_and_store();
    let mut made = std::collections::BTreeSet::new();
    for _ in 0..5 {
        let (_, _, o) = send(&env, post(&default_order(&env).to_string())).await;
        made.insert(o["id"].as_str().unwrap().to_string());
    }
    let key = staff_key(&store, "S9", "fulfilment").await;
    let mut seen = std::collections::BTreeSet::new();
    let mut after = String::new();
    loop {
        let (_, _, page) = send(&env, staff_get(&format!("/api/staff/orders?limit=2&after={after}"), Some(&key))).await;
        for o in page["orders"].as_array().unwrap() {
            assert!(seen.insert(o["id"].as_str().unwrap().to_string()), "listed twice");
        }
        match page["next_after"].as_str() {
            Some(next) => after = next.to_string(),
            None => break,
        }
    }
    assert_eq!(seen, made);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_openapi_document_lists_exactly_the_routes_served() {
    let env = env();
    let (status, ctype, doc) = send(&env, Request::get("/api/openapi.json").body(Body::empty()).unwrap()).await;
    assert_eq!((status, ctype.as_str()), (StatusCode::OK, "application/json"));
    let mut documented = std::collections::BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            documented.insert((method.to_uppercase(), path.clone()));
        }
    }
    let served: std::collections::BTreeSet<_> = tailor_server::API_ROUTES.iter().map(|(m, p)| (m.to_string(), p.to_string())).collect();
    assert_eq!(documented, served);
    // Every documented route answers (not "no such endpoint", not 405).
    for (method, path) in &served {
        let path = format!("/api{}", path.replace("{id}", "T00000000000000"));
        let request = Request::builder().method(method.as_str()).uri(&path).header(header::CONTENT_TYPE, "application/json").body(Body::from("{}")).unwrap();
        let (status, _, body) = send(&env, request).await;
        assert_ne!(status, StatusCode::METHOD_NOT_ALLOWED, "{method} {path}");
        assert_ne!(body["type"], "/problems/no-endpoint", "{method} {path}");
    }
    let (status, _, body) = send(&env, Request::get("/api/nothing-here").body(Body::empty()).unwrap()).await;
    assert_eq!((status, body["type"].clone()), (StatusCode::NOT_FOUND, json!("/problems/no-endpoint")));
    // Every operation documents its answers.
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            assert!(op["responses"].as_object().is_some_and(|r| !r.is_empty()), "{method} {path} documents no response");
        }
    }
}

/// Issue 15, item 4: one client holding requests open (bodies that never
/// finish) gets only its share of the in-flight limit; others are served,
/// and the client is served again once its requests end.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_client_cannot_take_every_slot() {
    let env = env_with_limits(tailor_server::limits::Limits {
        max_in_flight: 8,
        per_client_in_flight: 3,
        orders_per_second: 0.0,
        ..Default::default()
    });
    let router = env.router.clone();
    let from = |ip: &str, mut r: Request<Body>| {
        r.extensions_mut().insert(axum::extract::ConnectInfo(std::net::SocketAddr::new(ip.parse().unwrap(), 5000)));
        r
    };
    let mut held = Vec::new();
    let mut senders = Vec::new();
    for i in 0..3 {
        let (tx, rx) = futures::channel::mpsc::channel::<Result<axum::body::Bytes, std::io::Error>>(1);
        let slow = Request::post("/api/orders")
            .header(header::CONTENT_TYPE, "application/json")
            .header("idempotency-key", format!("slow-{i}"))
            .body(Body::from_stream(rx))
            .unwrap();
        held.push(tokio::spawn(router.clone().oneshot(from("198.51.100.7", slow))));
        senders.push(tx);
    }
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    let health = || Request::get("/api/health").body(Body::empty()).unwrap();
    let refused = router.clone().oneshot(from("198.51.100.7", health())).await.unwrap();
    assert_eq!(refused.status(), StatusCode::SERVICE_UNAVAILABLE, "beyond its share");
    assert_eq!(refused.headers()["retry-after"], "1");
    assert_eq!(router.clone().oneshot(from("198.51.100.8", health())).await.unwrap().status(), StatusCode::OK, "another client is served");
    drop(senders);
    for h in held {
        let _ = h.await;
    }
    assert_eq!(router.clone().oneshot(from("198.51.100.7", health())).await.unwrap().status(), StatusCode::OK, "its slots came back");
}

/// The server draws an order's picture from the stored order, the very
/// picture the browser draws for the same configuration, in the order's
/// language, for the customer's token and fulfilment staff only.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_order_picture_is_the_browsers_drawn_from_the_stored_order() {
    let (env, store) = env_and_store();
    let model = env.catalogue.model("pc-starter").unwrap();
    let memory = model.attribute("memory").unwrap();
    let mut order = order_for(&env, |c| c.0[memory] = Some(1));
    order["locale"] = json!("zh-CN");
    let (status, _, created) = send(&env, post(&order.to_string())).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let id = created["id"].as_str().unwrap().to_string();
    let token = created["access_token"].as_str().unwrap().to_string();
    let raw = |path: String, key: Option<String>| {
        let env = &env;
        async move {
            let response = env.router.clone().oneshot(staff_get(&path, key.as_deref())).await.unwrap();
            let status = response.status();
            let headers = response.headers().clone();
            let bytes = response.into_body().collect().await.unwrap().to_bytes();
            (status, headers, String::from_utf8(bytes.to_vec()).unwrap())
        }
    };
    let (status, headers, svg) = raw(format!("/api/orders/{id}/picture"), Some(token.clone())).await;
    assert_eq!(status, StatusCode::OK, "{svg}");
    assert_eq!(headers[header::CONTENT_TYPE], "image/svg+xml");
    assert_eq!(headers[header::CACHE_CONTROL], "no-store");
    assert!(headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap().starts_with("default-src 'none'"));
    let mut choices = Choices::defaults(model);
    choices.0[memory] = Some(1);
    let browser = model.picture(&choices, &Default::default(), "zh", &id).unwrap();
    assert_eq!(svg, browser.svg, "the server's picture is the browser's");
    assert!(svg.contains("内存 32 GB DDR5-5600"), "in the order's language: {svg}");

    assert_eq!(raw(format!("/api/orders/{id}/picture"), None).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(raw(format!("/api/orders/{id}/picture"), Some("wrong".into())).await.0, StatusCode::NOT_FOUND);
    let fulfilment = staff_key(&store, "F9", "fulfilment").await;
    let support = staff_key(&store, "S9", "support").await;
    let (status, _, staff_svg) = raw(format!("/api/staff/orders/{id}/picture"), Some(fulfilment)).await;
    assert_eq!((status, staff_svg == svg), (StatusCode::OK, true));
    assert_eq!(raw(format!("/api/staff/orders/{id}/picture"), Some(support)).await.0, StatusCode::FORBIDDEN);
    assert_eq!(raw(format!("/api/partner/orders/{id}/picture"), Some(token)).await.0, StatusCode::UNAUTHORIZED, "an order token is no partner key");
}
