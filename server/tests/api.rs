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

struct Env {
    router: axum::Router,
    catalogue: Arc<Catalogue>,
    _dir: tempfile::TempDir,
}

fn env() -> Env {
    let dir = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let catalogue = Arc::new(Catalogue::load(&root.join("public/catalogue")).unwrap());
    let store = store::Store::open(&store::DatabaseUrl::Sqlite(dir.path().join("t.db"))).unwrap();
    let state = AppState { catalogue: catalogue.clone(), store };
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

fn post(body: &str) -> Request<Body> {
    Request::post("/api/orders").header(header::CONTENT_TYPE, "application/json").body(Body::from(body.to_string())).unwrap()
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

#[tokio::test]
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

    // A second order with the same body is a different order with its own token.
    let (status, _, again) = send(&env, post(&order.to_string())).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_ne!(again["id"], created["id"]);
}

#[tokio::test]
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

#[tokio::test]
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
