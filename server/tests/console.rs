//! The shop's console on the server (issue 18): staff sessions (sign-in
//! with a key, expiry, sign-out, origin checks) and every role boundary of
//! the staff API, driven through the router in-process on SQLite or, with
//! `TAILOR_TEST_BACKEND=postgres`, on PostgreSQL.

mod common;

use axum::http::{StatusCode, header};
use common::browser::{Browser, Env, env, staff_key};
use serde_json::json;

const ROLES: [&str; 5] = ["fulfilment", "support", "marketing", "store", "admin"];

/// A browser signed in with a new key of `role` (id `S-ROLE-N`).
async fn signed_in(env: &Env, role: &str) -> (Browser, String) {
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let key = staff_key(env, &format!("S-{role}-{n}"), role).await;
    let mut b = Browser::default();
    let a = b.send(env, "POST", "/api/staff/session", Some(json!({ "key": key }))).await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.body);
    (b, key)
}

/// The digest of a browser's staff session token, as the table keeps it.
fn digest(b: &Browser) -> String {
    tailor_server::secrets::sha256_hex(b.staff.as_ref().expect("a staff cookie").as_bytes())
}

fn now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_typed_once_becomes_a_session_cookie_and_the_key_is_kept_nowhere() {
    let env = env();
    let key = staff_key(&env, "F1", "fulfilment").await;
    let mut b = Browser::default();
    let a = b.send(&env, "POST", "/api/staff/session", Some(json!({ "key": key }))).await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.body);
    assert_eq!((a.body["id"].as_str(), a.body["role"].as_str()), (Some("F1"), Some("fulfilment")));
    assert_eq!(a.body["idle_seconds"], 1800);
    let lifetime = a.body["expires_at"].as_i64().unwrap() - now();
    assert!((12 * 3600 - 5..=12 * 3600).contains(&lifetime), "{lifetime}");
    // The cookie (its attributes are checked by the test browser) holds a
    // fresh token, not the key; the answer does not echo the key.
    let set = a.headers.get(header::SET_COOKIE).unwrap().to_str().unwrap().to_string();
    assert!(set.starts_with("__Host-tailor_staff=") && set.contains("Max-Age=43200") && !set.contains(&key), "{set}");
    assert!(!a.body.to_string().contains(&key));
    let token = b.staff.clone().unwrap();
    assert_ne!(token, key);
    // The table keeps the token's digest only.
    let rows = env.sql("SELECT token_sha256 FROM staff_sessions").await;
    assert_eq!(rows, [digest(&b)]);
    assert!(!rows[0].contains(&token) && !rows[0].contains(&key));

    // The cookie alone authorises the holder's role, and only that.
    let me = b.send(&env, "GET", "/api/staff/session", None).await;
    assert_eq!((me.status, me.body["name"].as_str()), (StatusCode::OK, Some("fulfilment tester")));
    assert_eq!(b.send(&env, "GET", "/api/staff/orders", None).await.status, StatusCode::OK);
    assert_eq!(b.send(&env, "GET", "/api/staff/consents", None).await.status, StatusCode::FORBIDDEN);

    // Signing in again replaces this browser's session.
    let again = b.send(&env, "POST", "/api/staff/session", Some(json!({ "key": key }))).await;
    assert_eq!(again.status, StatusCode::CREATED);
    assert_ne!(b.staff.as_deref(), Some(token.as_str()));
    assert_eq!(env.sql("SELECT COUNT(*) FROM staff_sessions").await, ["1"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_keys_are_refused_with_the_reason() {
    let env = env();
    let key = staff_key(&env, "F1", "fulfilment").await;
    let mut b = Browser::default();
    for (body, status, kind) in [
        (json!({ "key": "tsk_not-a-key" }), StatusCode::UNAUTHORIZED, "/problems/unauthorized"),
        (json!({ "key": "  " }), StatusCode::BAD_REQUEST, "/problems/invalid-key"),
        (json!({ "key": "x".repeat(201) }), StatusCode::BAD_REQUEST, "/problems/invalid-key"),
        (json!({ "key": key, "role": "admin" }), StatusCode::BAD_REQUEST, "/problems/malformed-body"),
        (json!({}), StatusCode::BAD_REQUEST, "/problems/malformed-body"),
    ] {
        let a = b.send(&env, "POST", "/api/staff/session", Some(body.clone())).await;
        assert_eq!((a.status, a.body["type"].as_str()), (status, Some(kind)), "{body}: {}", a.body);
        assert!(b.staff.is_none(), "no cookie for a refused sign-in");
    }
    // A revoked key cannot sign in.
    env.store.revoke_staff("F1", "2026-12-01T00:00:00Z").await.unwrap();
    assert_eq!(b.send(&env, "POST", "/api/staff/session", Some(json!({ "key": key }))).await.status, StatusCode::UNAUTHORIZED);
    // Nobody signed in: the session answers 401.
    let me = b.send(&env, "GET", "/api/staff/session", None).await;
    assert_eq!((me.status, me.body["type"].as_str()), (StatusCode::UNAUTHORIZED, Some("/problems/signed-out")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_ends_at_sign_out_when_idle_when_old_and_when_its_key_is_revoked() {
    let env = env();
    // Sign-out: the cookie is cleared and the token is dead on the server,
    // even if a copy of it is replayed.
    let (mut b, _) = signed_in(&env, "support").await;
    let copy = b.clone();
    let out = b.send(&env, "DELETE", "/api/staff/session", None).await;
    assert_eq!(out.status, StatusCode::NO_CONTENT);
    assert!(b.staff.is_none(), "the cookie is cleared");
    assert_eq!(copy.clone().send(&env, "GET", "/api/staff/session", None).await.status, StatusCode::UNAUTHORIZED);
    let replay = copy.clone().send(&env, "GET", "/api/staff/customers?email=a@example.org&reason=x", None).await;
    assert_eq!((replay.status, replay.body["type"].as_str()), (StatusCode::UNAUTHORIZED, Some("/problems/signed-out")));

    // Idle: 29 minutes unused still counts, 31 do not.
    let (mut idle, _) = signed_in(&env, "marketing").await;
    let seen = |b: &Browser, ago: i64| format!("UPDATE staff_sessions SET last_seen_at = {} WHERE token_sha256 = '{}'", now() - ago, digest(b));
    env.sql(&seen(&idle, 29 * 60)).await;
    assert_eq!(idle.send(&env, "GET", "/api/staff/consents", None).await.status, StatusCode::OK);
    // ... and that use marked it seen now.
    let last: i64 = env.sql(&format!("SELECT last_seen_at FROM staff_sessions WHERE token_sha256 = '{}'", digest(&idle))).await[0].parse().unwrap();
    assert!(now() - last < 5, "seen {} s ago", now() - last);
    env.sql(&seen(&idle, 31 * 60)).await;
    assert_eq!(idle.send(&env, "GET", "/api/staff/consents", None).await.status, StatusCode::UNAUTHORIZED);

    // Lifetime: used a minute ago but signed in 12 hours and a minute ago.
    let (mut old, _) = signed_in(&env, "marketing").await;
    env.sql(&format!("UPDATE staff_sessions SET created_at = {} WHERE token_sha256 = '{}'", now() - 12 * 3600 - 60, digest(&old))).await;
    assert_eq!(old.send(&env, "GET", "/api/staff/session", None).await.status, StatusCode::UNAUTHORIZED);

    // Revoking the key ends its sessions at once.
    let (mut revoked, _) = signed_in(&env, "store").await;
    assert_eq!(revoked.send(&env, "GET", "/api/staff/calls", None).await.status, StatusCode::OK);
    let id = revoked.send(&env, "GET", "/api/staff/session", None).await.body["id"].as_str().unwrap().to_string();
    env.store.revoke_staff(&id, "2026-12-01T00:00:00Z").await.unwrap();
    assert_eq!(revoked.send(&env, "GET", "/api/staff/calls", None).await.status, StatusCode::UNAUTHORIZED);

    // Housekeeping deletes the ended ones and keeps the live one.
    let (live, _) = signed_in(&env, "fulfilment").await;
    let swept = tailor_server::housekeeping::sweep(&env.store, now()).await.unwrap();
    assert_eq!(swept.staff_sessions, 2, "the idle and the old session ({swept:?})");
    assert_eq!(env.sql("SELECT token_sha256 FROM staff_sessions").await, [digest(&live)]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_sent_from_another_site_is_refused_before_the_cookie_counts() {
    let env = env();
    let (mut b, key) = signed_in(&env, "fulfilment").await;
    let cross = [("sec-fetch-site", "cross-site")];
    for (method, uri) in [("DELETE", "/api/staff/session"), ("POST", "/api/staff/orders/O-1/status")] {
        let a = b.send_with(&env, method, uri, Some(json!({ "status": "shipped" })), &cross).await;
        assert_eq!((a.status, a.body["type"].as_str()), (StatusCode::FORBIDDEN, Some("/problems/cross-site")), "{method} {uri}");
    }
    let mut other = Browser::default();
    let a = other.send_with(&env, "POST", "/api/staff/session", Some(json!({ "key": key })), &[("origin", "https://evil.example"), ("host", "shop.example")]).await;
    assert_eq!(a.status, StatusCode::FORBIDDEN);
    assert!(other.staff.is_none());
    assert_eq!(b.send(&env, "GET", "/api/staff/session", None).await.status, StatusCode::OK, "still signed in");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_attempts_are_limited_per_client() {
    let env = env();
    let mut guesser = Browser::at("10.1.1.1");
    let mut refused = 0;
    for i in 0..40 {
        let a = guesser.send(&env, "POST", "/api/staff/session", Some(json!({ "key": format!("tsk_guess{i}") }))).await;
        if a.status == StatusCode::TOO_MANY_REQUESTS {
            assert!(a.headers.contains_key("retry-after"));
            refused += 1;
        } else {
            assert_eq!(a.status, StatusCode::UNAUTHORIZED);
        }
    }
    assert!(refused >= 15, "{refused} of 40 guesses refused");
    let key = staff_key(&env, "F1", "fulfilment").await;
    let a = Browser::at("10.2.2.2").send(&env, "POST", "/api/staff/session", Some(json!({ "key": key }))).await;
    assert_eq!(a.status, StatusCode::CREATED, "another client is not held back");
}

/// Every staff route, and the roles that may use it.
const BOUNDARIES: &[(&str, &str, &[&str])] = &[
    ("GET", "/api/staff/orders", &["fulfilment"]),
    ("GET", "/api/staff/orders/O-none", &["fulfilment"]),
    ("POST", "/api/staff/orders/O-none/status", &["fulfilment"]),
    ("GET", "/api/staff/orders/O-none/picture", &["fulfilment"]),
    ("GET", "/api/staff/customers?email=a@example.org&reason=check", &["support"]),
    ("GET", "/api/staff/customers/C-none?reason=check", &["support"]),
    ("GET", "/api/staff/consents", &["marketing"]),
    ("GET", "/api/staff/differentiation", &["marketing"]),
    ("GET", "/api/staff/calls", &["store", "support"]),
    ("POST", "/api/staff/calls/K-none/answer", &["store", "support"]),
    ("GET", "/api/staff/kiosks", &["store", "support"]),
    ("GET", "/api/staff/keys", &["admin"]),
    ("POST", "/api/staff/keys", &["admin"]),
    ("POST", "/api/staff/keys/S-none/revoke", &["admin"]),
    ("GET", "/api/staff/partners", &["admin"]),
    ("POST", "/api/staff/partners", &["admin"]),
    ("PUT", "/api/staff/partners/p-none", &["admin"]),
    ("POST", "/api/staff/partners/p-none/revoke", &["admin"]),
    ("GET", "/api/staff/catalogue/health", &["admin"]),
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_staff_route_admits_its_roles_only_by_session_and_by_key() {
    let env = env();
    let mut checked = 0;
    for role in ROLES {
        let (mut session, key) = signed_in(&env, role).await;
        let mut scripted = Browser::default();
        let auth = format!("Bearer {key}");
        for &(method, uri, allowed) in BOUNDARIES {
            let body = (method != "GET").then(|| json!({ "status": "shipped" }));
            let by_session = session.send(&env, method, uri, body.clone()).await;
            let by_key = scripted.send_with(&env, method, uri, body.clone(), &[("authorization", &auth)]).await;
            let nobody = Browser::default().send(&env, method, uri, body).await;
            assert_eq!(nobody.status, StatusCode::UNAUTHORIZED, "{method} {uri} without credentials");
            for a in [&by_session, &by_key] {
                if allowed.contains(&role) {
                    assert!(a.status != StatusCode::FORBIDDEN && a.status != StatusCode::UNAUTHORIZED, "{role} {method} {uri}: {} {}", a.status, a.body);
                } else {
                    assert_eq!((a.status, a.body["type"].as_str()), (StatusCode::FORBIDDEN, Some("/problems/forbidden")), "{role} {method} {uri}");
                }
            }
            checked += 1;
        }
    }
    assert_eq!(checked, ROLES.len() * BOUNDARIES.len());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_makes_a_key_shown_once_and_revokes_it_ending_its_sessions() {
    let env = env();
    let (mut admin, _) = signed_in(&env, "admin").await;
    let made = admin.send(&env, "POST", "/api/staff/keys", Some(json!({ "name": "  Lin Wei ", "role": "fulfilment" }))).await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);
    let (id, key) = (made.body["id"].as_str().unwrap().to_string(), made.body["key"].as_str().unwrap().to_string());
    assert_eq!((made.body["name"].as_str(), made.body["role"].as_str()), (Some("Lin Wei"), Some("fulfilment")));
    assert!(key.starts_with("tsk_") && key.len() > 40, "{key}");
    // Listed, but never with its key.
    let list = admin.send(&env, "GET", "/api/staff/keys", None).await;
    let row = list.body["keys"].as_array().unwrap().iter().find(|k| k["id"] == id.as_str()).cloned().expect("listed");
    assert!(row.get("key").is_none() && !list.body.to_string().contains(&key));
    // The new key signs in and works for its role.
    let mut lin = Browser::default();
    assert_eq!(lin.send(&env, "POST", "/api/staff/session", Some(json!({ "key": key }))).await.status, StatusCode::CREATED);
    assert_eq!(lin.send(&env, "GET", "/api/staff/orders", None).await.status, StatusCode::OK);
    // Bad requests say why.
    for (body, needle) in [(json!({ "name": "", "role": "store" }), "name"), (json!({ "name": "X", "role": "owner" }), "role")] {
        let a = admin.send(&env, "POST", "/api/staff/keys", Some(body)).await;
        assert_eq!(a.status, StatusCode::BAD_REQUEST);
        assert!(a.body["detail"].as_str().unwrap().starts_with(needle), "{}", a.body);
    }
    // Revoked: the key and its session stop at once.
    assert_eq!(admin.send(&env, "POST", &format!("/api/staff/keys/{id}/revoke"), None).await.status, StatusCode::NO_CONTENT);
    assert_eq!(lin.send(&env, "GET", "/api/staff/orders", None).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(admin.send(&env, "POST", &format!("/api/staff/keys/{id}/revoke"), None).await.status, StatusCode::NOT_FOUND);
    // Not one's own key.
    let me = admin.send(&env, "GET", "/api/staff/session", None).await.body["id"].as_str().unwrap().to_string();
    let own = admin.send(&env, "POST", &format!("/api/staff/keys/{me}/revoke"), None).await;
    assert_eq!((own.status, own.body["type"].as_str()), (StatusCode::CONFLICT, Some("/problems/own-key")));
    assert_eq!(admin.send(&env, "GET", "/api/staff/session", None).await.status, StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_adds_edits_and_revokes_a_partner() {
    let env = env();
    let (mut admin, _) = signed_in(&env, "admin").await;
    let body = json!({ "id": "denim-mag", "name": "Denim Mag", "origins": ["https://denim.example"], "theme": { "primary": "#0f766e" } });
    let made = admin.send(&env, "POST", "/api/staff/partners", Some(body.clone())).await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);
    let key = made.body["key"].as_str().unwrap().to_string();
    assert!(key.starts_with("tpk_"));
    assert_eq!(admin.send(&env, "POST", "/api/staff/partners", Some(body)).await.status, StatusCode::CONFLICT);
    // The partner's key works for the partner's own API.
    let token = Browser::default().send_with(&env, "POST", "/api/partner/embed-tokens", None, &[("authorization", &format!("Bearer {key}"))]).await;
    assert_eq!(token.status, StatusCode::CREATED);

    // Edits are checked: origins, theme tokens and contrast.
    for (edit, needle) in [
        (json!({ "name": "D", "origins": ["http://denim.example"] }), "origins"),
        (json!({ "name": "D", "origins": [] }), "origins"),
        (json!({ "name": "D", "origins": ["https://denim.example"], "theme": { "primary": "#ffff00" } }), "theme"),
        (json!({ "name": "D", "origins": ["https://denim.example"], "theme": { "script": "x" } }), "theme"),
    ] {
        let a = admin.send(&env, "PUT", "/api/staff/partners/denim-mag", Some(edit.clone())).await;
        assert_eq!(a.status, StatusCode::BAD_REQUEST, "{edit}: {}", a.body);
        assert!(a.body["detail"].as_str().unwrap().starts_with(needle), "{}", a.body);
    }
    let edit = json!({ "name": "Denim Magazine", "origins": ["https://denim.example", "https://www.denim.example"], "theme": { "primary": "#1e3a8a", "radius": "4px" } });
    let edited = admin.send(&env, "PUT", "/api/staff/partners/denim-mag", Some(edit)).await;
    assert_eq!(edited.status, StatusCode::OK, "{}", edited.body);
    let public = Browser::default().send(&env, "GET", "/api/partners/denim-mag", None).await;
    assert_eq!(public.body["origins"], json!(["https://denim.example", "https://www.denim.example"]));
    assert_eq!(public.body["theme"]["primary"], "#1e3a8a");

    assert_eq!(admin.send(&env, "POST", "/api/staff/partners/denim-mag/revoke", None).await.status, StatusCode::NO_CONTENT);
    assert_eq!(Browser::default().send(&env, "GET", "/api/partners/denim-mag", None).await.status, StatusCode::NOT_FOUND);
    let list = admin.send(&env, "GET", "/api/staff/partners", None).await;
    assert!(list.body["partners"][0]["revoked_at"].is_string(), "{}", list.body);
    assert_eq!(admin.send(&env, "PUT", "/api/staff/partners/denim-mag", Some(json!({ "name": "D", "origins": ["https://d.example"] }))).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_catalogue_health_is_the_engines_lint_of_every_product() {
    let env = env();
    let (mut admin, _) = signed_in(&env, "admin").await;
    let a = admin.send(&env, "GET", "/api/staff/catalogue/health", None).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    let products = a.body["products"].as_array().unwrap();
    let ids: Vec<&str> = products.iter().map(|p| p["product"].as_str().unwrap()).collect();
    let index: Vec<&str> = env.catalogue.index.products.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(ids, index);
    for p in products {
        let model = env.catalogue.model(p["product"].as_str().unwrap()).unwrap();
        let lint = tailor_engine::lint::health(model);
        assert_eq!(p["configurations"].as_str(), Some(lint.configurations.as_str()));
        assert_eq!(p["price_min"].as_i64(), lint.price_min);
        assert_eq!(p["errors"], json!(lint.errors()));
        assert_eq!(p["warnings"], json!(lint.warnings()));
    }
}

/// A kiosk saying it is on, with its key.
async fn seen(env: &Env, key: &str) -> StatusCode {
    Browser::default().send_with(env, "POST", "/api/kiosk/seen", None, &[("authorization", &format!("Bearer {key}"))]).await.status
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_shop_floor_sees_which_kiosks_are_on() {
    let env = env();
    let mut keys = Vec::new();
    for place in ["Entrance", "Fitting rooms", "Old till"] {
        let (key, digest) = tailor_server::calls::new_key();
        let name = place.to_string();
        env.store.transaction(move |db| tailor_server::calls::add_place(db, &name, &digest, "2026-12-01T00:00:00Z")).await.unwrap().unwrap();
        keys.push(key);
    }
    assert_eq!(seen(&env, &keys[0]).await, StatusCode::NO_CONTENT);
    assert_eq!(seen(&env, "tkk_unknown").await, StatusCode::UNAUTHORIZED);
    // Fitting rooms was seen an hour ago; the old till is revoked.
    env.sql(&format!("UPDATE kiosk_places SET last_seen_at = {} WHERE name = 'Fitting rooms'", now() - 3600)).await;
    env.store.transaction(|db| tailor_server::calls::revoke_place(db, "Old till", "2026-12-02T00:00:00Z")).await.unwrap().unwrap();
    assert_eq!(seen(&env, &keys[2]).await, StatusCode::UNAUTHORIZED, "a revoked kiosk is not seen");

    let (mut floor, _) = signed_in(&env, "store").await;
    let a = floor.send(&env, "GET", "/api/staff/kiosks", None).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    let kiosks = a.body["kiosks"].as_array().unwrap();
    let places: Vec<&str> = kiosks.iter().map(|k| k["place"].as_str().unwrap()).collect();
    assert_eq!(places, ["Entrance", "Fitting rooms"], "most recently seen first, revoked ones left out");
    assert!(kiosks[0]["seen_seconds_ago"].as_i64().unwrap() < 5);
    assert!((3595..3700).contains(&kiosks[1]["seen_seconds_ago"].as_i64().unwrap()));
    // One never seen comes last, without a time.
    let (_, digest) = tailor_server::calls::new_key();
    env.store.transaction(move |db| tailor_server::calls::add_place(db, "Back door", &digest, "2026-12-03T00:00:00Z")).await.unwrap().unwrap();
    let a = floor.send(&env, "GET", "/api/staff/kiosks", None).await;
    assert_eq!(a.body["kiosks"][2], json!({ "place": "Back door" }));
}
