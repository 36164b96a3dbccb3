//! Customer profiles, consent, GPC, sign-in, export, erasure and the staff
//! roles that need to know, driven through the router in-process: on SQLite,
//! or on a fresh PostgreSQL database when `TAILOR_TEST_BACKEND=postgres`
//! (`cargo xtask test` runs this file both ways).

use std::path::Path;
use std::sync::Arc;

use axum::http::{StatusCode, header};
use serde_json::{Value, json};
use tailor_engine::Choices;
use tailor_server::catalogue::Catalogue;
use tailor_server::mail::Mailer;
use tailor_server::site::Site;
use tailor_server::{AppState, app};

mod common;

use common::browser::{Answer, Browser, Env, env, staff_key};

impl Browser {
    async fn me(&mut self, env: &Env) -> Value {
        let a = self.send(env, "GET", "/api/me", None).await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.body);
        a.body
    }

    async fn consent(&mut self, env: &Env, changes: Value) -> Answer {
        let n = &env.catalogue.notice;
        let body = json!({ "notice_version": n.version, "notice_sha256": n.sha256, "place": "preference-centre", "changes": changes });
        self.send(env, "POST", "/api/me/consents", Some(body)).await
    }

    async fn save(&mut self, env: &Env, name: &str) -> Answer {
        let model = env.catalogue.model("pc-starter").unwrap();
        let code = model.encode(&Choices::defaults(model));
        self.send(env, "POST", "/api/me/configurations", Some(json!({ "product": "pc-starter", "code": code, "name": name }))).await
    }

    async fn sign_in(&mut self, env: &Env, email: &str) -> Answer {
        let a = self.send(env, "POST", "/api/sign-in", Some(json!({ "email": email }))).await;
        assert_eq!(a.status, StatusCode::ACCEPTED, "{}", a.body);
        let code = last_code(env, email);
        self.send(env, "POST", "/api/sign-in/verify", Some(json!({ "email": email, "code": code }))).await
    }
}

/// The code in the last mail to `email`.
fn last_code(env: &Env, email: &str) -> String {
    let mail = env.mailer.sent().into_iter().rev().find(|m| m.to == email.to_lowercase()).expect("a mail to the address");
    let code: String = mail.body.split_whitespace().nth(3).unwrap().trim_end_matches('.').to_string();
    assert_eq!(code.len(), 6, "{}", mail.body);
    code
}

fn switch<'a>(me: &'a Value, purpose: &str, channel: &str) -> &'a Value {
    me["consents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["purpose"] == purpose && s["channel"].as_str().unwrap_or("") == channel)
        .unwrap_or_else(|| panic!("no switch {purpose}/{channel} in {me}"))
}

fn order_body(env: &Env, price: Option<i64>) -> Value {
    let model = env.catalogue.model("pc-starter").unwrap();
    let choices = Choices::defaults(model);
    let total = model.quote(&choices).unwrap().total;
    json!({
        "product": "pc-starter",
        "catalogue_version": model.version(),
        "code": model.encode(&choices),
        "price_seen": price.unwrap_or(total),
        "contact": {"name": "Private Person", "email": "private.person@example.org"},
        "shipping": {"line1": "Geheimweg 7", "city": "Berlin", "postcode": "10115", "country": "DE"},
        "locale": "en",
    })
}

async fn place(env: &Env, browser: &mut Browser, body: Value) -> Answer {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let key = format!("p-{}", NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed));
    browser.send_with(env, "POST", "/api/orders", Some(body), &[("idempotency-key", &key)]).await
}

/// Registers partners `ids` (origin https://ID.example); their keys.
async fn add_partners(env: &Env, ids: &[&str]) -> Vec<String> {
    use tailor_server::partners::{self, Partner};
    let mut keys = Vec::new();
    for &id in ids {
        let (key, digest) = partners::new_key();
        let p = Partner { id: id.into(), name: id.into(), origins: vec![format!("https://{id}.example")], theme: Default::default() };
        env.store.transaction(move |db| partners::add(db, &p, &digest, "2026-11-24T00:00:00Z")).await.unwrap().unwrap();
        keys.push(key);
    }
    keys
}

/// A kiosk key for a newly registered place.
async fn kiosk_key(env: &Env, place: &str) -> String {
    let (key, digest) = tailor_server::calls::new_key();
    let place = place.to_string();
    env.store.transaction(move |db| tailor_server::calls::add_place(db, &place, &digest, "2026-11-24T00:00:00Z")).await.unwrap().unwrap();
    key
}

/// A partner's embed token, asked for with its key.
async fn embed_token(env: &Env, key: &str) -> String {
    let a = Browser::default().send_with(env, "POST", "/api/partner/embed-tokens", None, &[("authorization", &format!("Bearer {key}"))]).await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.body);
    a.body["token"].as_str().unwrap().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nothing_optional_is_on_and_each_channel_is_given_and_withdrawn_on_its_own() {
    let env = env();
    let mut b = Browser::default();
    let me = b.me(&env).await;
    assert!(me["profile"].is_null(), "no profile before anything is saved");
    assert!(b.cookie.is_none(), "and no cookie");
    let switches = me["consents"].as_array().unwrap();
    assert_eq!(switches.len(), 3 + 4, "measurements, recommendations, partners and marketing by 4 channels");
    assert!(switches.iter().all(|s| s["state"] == "off"), "nothing optional is on by default: {me}");

    let given = b.consent(&env, json!([{ "purpose": "marketing", "channel": "email", "state": "given" }])).await;
    assert_eq!(given.status, StatusCode::OK, "{}", given.body);
    assert!(b.cookie.is_some(), "the first choice makes the profile");
    let me = &given.body["me"];
    assert_eq!(switch(me, "marketing", "email")["state"], "on");
    assert_eq!(switch(me, "marketing", "sms")["state"], "off", "one channel at a time");
    let gave = given.body["events"][0].as_str().unwrap().to_string();

    // Withdrawing: the same single request.
    let withdrawn = b.consent(&env, json!([{ "purpose": "marketing", "channel": "email", "state": "withdrawn" }])).await;
    assert_eq!(switch(&withdrawn.body["me"], "marketing", "email")["state"], "off");
    assert_eq!(switch(&withdrawn.body["me"], "marketing", "email")["last"]["state"], "withdrawn");
    // Refusing what was never given is "refused".
    let refused = b.consent(&env, json!([{ "purpose": "marketing", "channel": "post", "state": "withdrawn" }])).await;
    assert_eq!(switch(&refused.body["me"], "marketing", "post")["last"]["state"], "refused");

    // A receipt for each change, with the notice and the chain.
    let receipt = b.send(&env, "GET", &format!("/api/me/consents/{gave}/receipt"), None).await;
    assert_eq!(receipt.status, StatusCode::OK);
    assert!(receipt.headers[header::CONTENT_DISPOSITION].to_str().unwrap().starts_with("attachment"));
    let event = &receipt.body["event"];
    assert_eq!(event["state"], "given");
    assert_eq!(event["channel"], "email");
    assert_eq!(event["dpv"], "DirectMarketing");
    assert_eq!(event["notice_sha256"], env.catalogue.notice.sha256);
    assert_eq!(event["method"], "toggle");
    assert_eq!(receipt.body["chain"]["prev_sha256"], "0".repeat(64));
    // Nobody else's receipt.
    let mut other = Browser::default();
    other.save(&env, "mine").await;
    assert_eq!(other.send(&env, "GET", &format!("/api/me/consents/{gave}/receipt"), None).await.status, StatusCode::NOT_FOUND);

    let report = tailor_server::privacy::verify_chain(&env.store).await.unwrap();
    assert_eq!((report.events, report.customers), (3, 1));
    assert!(report.breaks.is_empty(), "{:?}", report.breaks);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_consent_requests_are_refused_with_the_reason() {
    let env = env();
    let mut b = Browser::default();
    let cases = [
        (json!([{ "purpose": "fulfilment", "state": "withdrawn" }]), "/problems/required-purpose"),
        (json!([{ "purpose": "nope", "state": "given" }]), "/problems/unknown-purpose"),
        (json!([{ "purpose": "marketing", "state": "given" }]), "/problems/invalid-channel"),
        (json!([{ "purpose": "marketing", "channel": "fax", "state": "given" }]), "/problems/invalid-channel"),
        (json!([{ "purpose": "measurements", "state": "maybe" }]), "/problems/malformed-body"),
        (json!([]), "/problems/invalid-changes"),
    ];
    for (changes, kind) in cases {
        let a = b.consent(&env, changes.clone()).await;
        assert_eq!(a.body["type"], kind, "{changes}: {}", a.body);
    }
    let stale = json!({ "notice_version": 0, "notice_sha256": "x", "place": "preference-centre", "changes": [{ "purpose": "measurements", "state": "given" }] });
    let a = b.send(&env, "POST", "/api/me/consents", Some(stale)).await;
    assert_eq!((a.status, a.body["type"].as_str()), (StatusCode::CONFLICT, Some("/problems/notice-changed")));
    assert!(b.cookie.is_none(), "refusals make no profile");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_widened_purpose_is_asked_again() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../public/catalogue");
    let v1 = env();
    let mut b = Browser::default();
    b.consent(&v1, json!([{ "purpose": "recommendations", "state": "given" }, { "purpose": "measurements", "state": "given" }])).await;
    // Version 2 widens recommendations (and only that).
    let dir = tempfile::tempdir().unwrap();
    for f in std::fs::read_dir(&root).unwrap() {
        let f = f.unwrap().path();
        std::fs::copy(&f, dir.path().join(f.file_name().unwrap())).unwrap();
    }
    let mut notice: Value = serde_json::from_str(&std::fs::read_to_string(root.join("privacy.json")).unwrap()).unwrap();
    notice["version"] = json!(2);
    let rec = notice["purposes"].as_array_mut().unwrap().iter_mut().find(|p| p["id"] == "recommendations").unwrap();
    rec["scope_version"] = json!(2);
    rec["data"].as_array_mut().unwrap().push(json!("browsing"));
    std::fs::write(dir.path().join("privacy.json"), notice.to_string()).unwrap();
    let catalogue = Arc::new(Catalogue::load(dir.path()).unwrap());
    let state = AppState { catalogue: catalogue.clone(), store: v1.store.clone(), mailer: Mailer::default(), limits: Default::default() };
    let v2 = Env { router: app(state, Site::load(&dir.path().join("no-site"))), catalogue, store: v1.store.clone(), mailer: Mailer::default(), db: v1.db.clone(), pg: v1.pg.clone(), _dir: tempfile::tempdir().unwrap() };
    let me = b.me(&v2).await;
    assert_eq!(switch(&me, "recommendations", "")["state"], "ask-again");
    assert_eq!(switch(&me, "measurements", "")["state"], "on", "an unchanged purpose stands");
    let again = b.consent(&v2, json!([{ "purpose": "recommendations", "state": "given" }])).await;
    assert_eq!(switch(&again.body["me"], "recommendations", "")["state"], "on");
    assert_eq!(switch(&again.body["me"], "recommendations", "")["last"]["state"], "renewed");
    assert_eq!(switch(&again.body["me"], "recommendations", "")["last"]["notice_version"], 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn global_privacy_control_opts_out_of_sharing_and_is_recorded_as_such() {
    let env = env();
    // A profile that had said yes to sharing...
    let mut b = Browser::default();
    let a = b.consent(&env, json!([{ "purpose": "partners", "state": "given" }])).await;
    assert_eq!(switch(&a.body["me"], "partners", "")["state"], "on");
    // ...then the browser sends GPC.
    b.gpc = true;
    let me = b.me(&env).await;
    assert_eq!(me["gpc"], true);
    let s = switch(&me, "partners", "");
    assert_eq!((s["state"].as_str(), s["last"]["state"].as_str(), s["last"]["method"].as_str()), (Some("off"), Some("withdrawn"), Some("gpc")));
    // Recorded once, not on every request.
    b.me(&env).await;
    let report = tailor_server::privacy::verify_chain(&env.store).await.unwrap();
    assert_eq!(report.events, 2);
    // Not switched back on from a GPC browser.
    let on = b.consent(&env, json!([{ "purpose": "partners", "state": "given" }])).await;
    assert_eq!((on.status, on.body["type"].as_str()), (StatusCode::CONFLICT, Some("/problems/gpc-opt-out")));
    // Other purposes are unaffected.
    let m = b.consent(&env, json!([{ "purpose": "marketing", "channel": "email", "state": "given" }])).await;
    assert_eq!(switch(&m.body["me"], "marketing", "email")["state"], "on");

    // A new profile from a GPC browser starts with the opt-out recorded.
    let mut fresh = Browser { gpc: true, ..Default::default() };
    fresh.save(&env, "x").await;
    let me = fresh.me(&env).await;
    assert_eq!(switch(&me, "partners", "")["last"]["state"], "refused");
    assert_eq!(switch(&me, "partners", "")["last"]["method"], "gpc");
    // The page's navigator.globalPrivacyControl, posted, counts the same.
    let mut page = Browser::default();
    page.save(&env, "y").await;
    let a = page.send(&env, "POST", "/api/me/gpc", Some(json!({ "global_privacy_control": true }))).await;
    assert_eq!(switch(&a.body, "partners", "")["last"]["method"], "gpc");
    assert_eq!(a.body["gpc"], true);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_well_known_gpc_file_is_served() {
    let env = env();
    let a = Browser::default().send(&env, "GET", "/.well-known/gpc.json", None).await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(a.body["gpc"], true);
    let date = a.body["lastUpdate"].as_str().unwrap();
    assert!(date.len() == 10 && date.as_bytes()[4] == b'-' && date.as_bytes()[7] == b'-', "{date}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signing_in_on_two_devices_merges_them_into_one_customer() {
    let env = env();
    let mut phone = Browser::default();
    phone.save(&env, "from the phone").await;
    let signed = phone.sign_in(&env, "Ana@Example.org").await;
    assert_eq!(signed.status, StatusCode::OK, "{}", signed.body);
    assert_eq!(signed.body["merged"], false);
    assert_eq!(signed.body["me"]["profile"]["email"], "ana@example.org");

    let mut laptop = Browser::default();
    laptop.save(&env, "from the laptop").await;
    laptop.consent(&env, json!([{ "purpose": "marketing", "channel": "sms", "state": "given" }])).await;
    let laptop_id = laptop.me(&env).await["profile"]["id"].as_str().unwrap().to_string();
    let signed = laptop.sign_in(&env, "ana@example.org").await;
    assert_eq!(signed.body["merged"], true, "{}", signed.body);

    for device in [&mut phone, &mut laptop] {
        let me = device.me(&env).await;
        let names: Vec<&str> = me["profile"]["saved"].as_array().unwrap().iter().map(|s| s["name"].as_str().unwrap()).collect();
        assert_eq!(names.len(), 2, "{names:?}");
        assert!(names.contains(&"from the phone") && names.contains(&"from the laptop"));
        assert_eq!(switch(&me, "marketing", "sms")["state"], "on", "the laptop's choice came along");
        assert_ne!(me["profile"]["id"], laptop_id.as_str(), "one customer: the address's profile");
    }
    let report = tailor_server::privacy::verify_chain(&env.store).await.unwrap();
    assert!(report.breaks.is_empty(), "{:?}", report.breaks);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_codes_are_single_use_and_tries_are_limited() {
    let env = env();
    let mut b = Browser::default();
    let a = b.send(&env, "POST", "/api/sign-in", Some(json!({ "email": "not an address" }))).await;
    assert_eq!(a.body["type"], "/problems/invalid-email");
    assert_eq!(b.send(&env, "POST", "/api/sign-in", Some(json!({ "email": "bo@example.org" }))).await.status, StatusCode::ACCEPTED);
    let again = b.send(&env, "POST", "/api/sign-in", Some(json!({ "email": "bo@example.org" }))).await;
    assert_eq!(again.status, StatusCode::TOO_MANY_REQUESTS, "one code per 30 s");
    let real = env.mailer.sent().last().unwrap().body.split_whitespace().nth(3).unwrap().trim_end_matches('.').to_string();
    let wrong = if real == "000000" { "111111" } else { "000000" };
    for left in (1..5).rev() {
        let a = b.send(&env, "POST", "/api/sign-in/verify", Some(json!({ "email": "bo@example.org", "code": wrong }))).await;
        assert_eq!((a.body["type"].as_str(), a.body["tries_left"].as_i64()), (Some("/problems/wrong-code"), Some(left)));
    }
    b.send(&env, "POST", "/api/sign-in/verify", Some(json!({ "email": "bo@example.org", "code": wrong }))).await;
    let late = b.send(&env, "POST", "/api/sign-in/verify", Some(json!({ "email": "bo@example.org", "code": real }))).await;
    assert_eq!(late.body["type"], "/problems/code-expired", "five wrong tries end the code: {}", late.body);
    assert!(b.cookie.is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn orders_are_remembered_and_ordered_again_in_one_request() {
    let env = env();
    let mut b = Browser::default();
    b.save(&env, "starter").await;
    let first = place(&env, &mut b, order_body(&env, None)).await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
    let me = b.me(&env).await;
    let orders = me["profile"]["orders"].as_array().unwrap();
    assert_eq!(orders.len(), 1);
    assert_eq!(orders[0]["id"], first.body["id"]);
    assert_eq!(orders[0]["again"]["available"], true);
    let price = orders[0]["again"]["total"].as_i64().unwrap();
    assert_eq!(price, first.body["total"].as_i64().unwrap());
    // The token in the profile reads the order.
    let token = orders[0]["access_token"].as_str().unwrap().to_string();
    let read = Browser::default()
        .send_with(&env, "GET", &format!("/api/orders/{}", first.body["id"].as_str().unwrap()), None, &[("authorization", &format!("Bearer {token}"))])
        .await;
    assert_eq!(read.status, StatusCode::OK);

    let uri = format!("/api/me/orders/{}/again", first.body["id"].as_str().unwrap());
    let again = b.send_with(&env, "POST", &uri, Some(json!({ "price_seen": price })), &[("idempotency-key", "again-1")]).await;
    assert_eq!(again.status, StatusCode::CREATED, "{}", again.body);
    assert_ne!(again.body["id"], first.body["id"]);
    assert_eq!(again.body["code"], first.body["code"]);
    assert_eq!(again.body["shipping"], first.body["shipping"]);
    // A retry is the same order.
    let retry = b.send_with(&env, "POST", &uri, Some(json!({ "price_seen": price })), &[("idempotency-key", "again-1")]).await;
    assert_eq!(retry.body["id"], again.body["id"]);
    assert_eq!(b.me(&env).await["profile"]["orders"].as_array().unwrap().len(), 2);
    // A wrong price is refused; someone else cannot order mine again.
    let wrong = b.send_with(&env, "POST", &uri, Some(json!({ "price_seen": price + 1 })), &[("idempotency-key", "again-2")]).await;
    assert_eq!(wrong.body["type"], "/problems/price-mismatch");
    let mut other = Browser::default();
    other.save(&env, "other").await;
    let theirs = other.send_with(&env, "POST", &uri, Some(json!({ "price_seen": price })), &[("idempotency-key", "again-3")]).await;
    assert_eq!(theirs.status, StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn measurements_are_kept_only_with_consent() {
    let env = env();
    let mut b = Browser::default();
    b.save(&env, "x").await;
    let m = json!({ "waist_cm": 84.0, "hip_cm": 100.0, "inseam_cm": 81.0, "preference": "regular" });
    let refused = b.send(&env, "PUT", "/api/me/measurements", Some(m.clone())).await;
    assert_eq!(refused.body["type"], "/problems/consent-needed");
    b.consent(&env, json!([{ "purpose": "measurements", "state": "given" }])).await;
    let kept = b.send(&env, "PUT", "/api/me/measurements", Some(m.clone())).await;
    assert_eq!(kept.status, StatusCode::OK, "{}", kept.body);
    assert_eq!(kept.body["profile"]["measurements"]["waist_cm"], 84.0);
    let implausible = b.send(&env, "PUT", "/api/me/measurements", Some(json!({ "waist_cm": 8.4, "hip_cm": 100.0, "inseam_cm": 81.0 }))).await;
    assert_eq!(implausible.body["type"], "/problems/implausible-measurements");
    let off = b.consent(&env, json!([{ "purpose": "measurements", "state": "withdrawn" }])).await;
    assert!(off.body["me"]["profile"]["measurements"].is_null(), "withdrawing deletes them");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_member_offer_gives_its_discount_and_declining_changes_nothing() {
    let env = env();
    let mut b = Browser::default();
    let offer = env.catalogue.notice.offer.clone().unwrap();
    // Giving the purposes without the offer is not membership.
    let plain = b.consent(&env, json!([{ "purpose": "measurements", "state": "given" }])).await;
    assert!(plain.body["me"]["profile"]["member_percent_off"].is_null());
    let full = order_body(&env, None)["price_seen"].as_i64().unwrap();
    assert_eq!(place(&env, &mut b, order_body(&env, None)).await.status, StatusCode::CREATED, "the full price without the offer");

    let n = &env.catalogue.notice;
    let changes: Vec<Value> = offer.purposes.iter().map(|p| json!({ "purpose": p, "state": "given" })).collect();
    let body = json!({ "notice_version": n.version, "notice_sha256": n.sha256, "place": "account", "changes": changes, "offer": offer.id });
    let accepted = b.send(&env, "POST", "/api/me/consents", Some(body)).await;
    assert_eq!(accepted.status, StatusCode::OK, "{}", accepted.body);
    assert_eq!(accepted.body["me"]["profile"]["member_percent_off"], offer.percent_off);
    let receipt = b.send(&env, "GET", &format!("/api/me/consents/{}/receipt", accepted.body["events"][0].as_str().unwrap()), None).await;
    assert_eq!(receipt.body["event"]["offer"]["id"], offer.id.as_str());
    assert_eq!(receipt.body["event"]["offer"]["terms_version"], offer.terms_version);

    let member_price = tailor_server::privacy::discounted(full, Some(offer.percent_off));
    assert!(member_price < full);
    let refused = place(&env, &mut b, order_body(&env, Some(full))).await;
    assert_eq!((refused.body["type"].as_str(), refused.body["price"].as_i64()), (Some("/problems/price-mismatch"), Some(member_price)));
    let ok = place(&env, &mut b, order_body(&env, Some(member_price))).await;
    assert_eq!((ok.status, ok.body["total"].as_i64()), (StatusCode::CREATED, Some(member_price)));
    // Switching one purpose off ends the membership.
    let off = b.consent(&env, json!([{ "purpose": "recommendations", "state": "withdrawn" }])).await;
    assert!(off.body["me"]["profile"]["member_percent_off"].is_null());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn download_then_erase_leaves_nothing_personal() {
    let env = env();
    let mut b = Browser::default();
    b.consent(&env, json!([{ "purpose": "measurements", "state": "given" }, { "purpose": "marketing", "channel": "email", "state": "given" }])).await;
    b.send(&env, "PUT", "/api/me/measurements", Some(json!({ "waist_cm": 84.0, "hip_cm": 100.0, "inseam_cm": 81.0 }))).await;
    b.save(&env, "my build").await;
    b.sign_in(&env, "cleo@example.org").await;
    let order = place(&env, &mut b, order_body(&env, None)).await;
    let order_id = order.body["id"].as_str().unwrap().to_string();
    let token = order.body["access_token"].as_str().unwrap().to_string();

    let export = b.send(&env, "GET", "/api/me/export", None).await;
    assert_eq!(export.status, StatusCode::OK);
    assert!(export.headers[header::CONTENT_DISPOSITION].to_str().unwrap().contains("attachment"));
    let text = export.body.to_string();
    for personal in ["cleo@example.org", "Private Person", "Geheimweg 7", "my build", "84.0"] {
        assert!(text.contains(personal), "the export holds {personal}: {text}");
    }
    assert_eq!(export.body["consent_events"].as_array().unwrap().len(), 2);
    let customer = export.body["profile"]["id"].as_str().unwrap().to_string();

    let mut other_device = b.clone();
    let erased = b.send(&env, "POST", "/api/me/erase", None).await;
    assert_eq!(erased.status, StatusCode::NO_CONTENT);
    assert!(b.cookie.is_none(), "signed out");
    assert!(b.me(&env).await["profile"].is_null());
    assert!(other_device.me(&env).await["profile"].is_null(), "every device is signed out");
    assert_eq!(other_device.send(&env, "GET", "/api/me/export", None).await.status, StatusCode::NOT_FOUND);

    // The order record stays, without personal fields.
    let kept = Browser::default()
        .send_with(&env, "GET", &format!("/api/orders/{order_id}"), None, &[("authorization", &format!("Bearer {token}"))])
        .await;
    assert_eq!(kept.status, StatusCode::OK);
    assert_eq!(kept.body["contact"], json!({}));
    assert_eq!(kept.body["shipping"], json!({}));
    assert_eq!(kept.body["code"], order.body["code"]);
    if env.pg.is_none() {
        // Nothing personal is left anywhere in the database files (erased
        // content is overwritten, not left in free pages).
        env.sql("PRAGMA wal_checkpoint(TRUNCATE)").await;
        let mut bytes = std::fs::read(&env.db).unwrap();
        bytes.extend(std::fs::read(env.db.with_extension("db-wal")).unwrap_or_default());
        let raw = String::from_utf8_lossy(&bytes);
        for personal in ["cleo@example.org", "Private Person", "Geheimweg", "my build"] {
            assert!(!raw.contains(personal), "{personal} is still in the database");
        }
    }
    // No table holds the personal data any more.
    let dump = env.sql("SELECT email FROM customers WHERE email IS NOT NULL").await;
    assert!(dump.is_empty(), "{dump:?}");
    let contacts = env.sql("SELECT contact_json || shipping_json FROM orders").await;
    assert!(contacts.iter().all(|c| !c.contains("Private Person") && !c.contains("Geheimweg")), "{contacts:?}");
    // The consent log keeps only the erasure, and the chain checks.
    let events = env.sql(&format!("SELECT event_json FROM consent_events WHERE customer_id = '{customer}'")).await;
    assert_eq!(events.len(), 1);
    let e: Value = serde_json::from_str(&events[0]).unwrap();
    assert_eq!((e["state"].as_str(), e["method"].as_str(), e["erased"]["events"].as_u64()), (Some("erased"), Some("erasure-request"), Some(2)));
    assert!(tailor_server::privacy::verify_chain(&env.store).await.unwrap().breaks.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tampered_consent_log_is_detected() {
    let env = env();
    let mut b = Browser::default();
    for ch in ["email", "sms", "phone"] {
        b.consent(&env, json!([{ "purpose": "marketing", "channel": ch, "state": "given" }])).await;
    }
    let mut c = Browser::default();
    c.consent(&env, json!([{ "purpose": "partners", "state": "given" }])).await;
    assert!(tailor_server::privacy::verify_chain(&env.store).await.unwrap().breaks.is_empty());
    // Someone turns an event of the first customer from "given" to "refused".
    let changed = env.sql("UPDATE consent_events SET event_json = replace(event_json, '\"state\":\"given\"', '\"state\":\"refused\"') WHERE seq = 2").await;
    assert_eq!(changed.last().map(String::as_str), Some("changed 1"));
    let report = tailor_server::privacy::verify_chain(&env.store).await.unwrap();
    assert_eq!(report.breaks.len(), 1, "{:?}", report.breaks);
    assert!(report.breaks[0].contains("seq 2") && report.breaks[0].contains("changed"), "{:?}", report.breaks);
    // Deleting an event breaks the next link.
    env.sql("DELETE FROM consent_events WHERE seq = 1").await;
    let report = tailor_server::privacy::verify_chain(&env.store).await.unwrap();
    assert!(report.breaks.iter().any(|b| b.contains("seq 2") && b.contains("does not follow")), "{:?}", report.breaks);
    assert!(!report.breaks.iter().any(|b| b.contains("seq 4")), "the other customer's chain is intact: {:?}", report.breaks);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_see_only_what_their_role_needs_and_support_reads_are_logged() {
    let env = env();
    let mut b = Browser::default();
    b.consent(&env, json!([{ "purpose": "marketing", "channel": "email", "state": "given" }])).await;
    b.sign_in(&env, "dana@example.org").await;
    place(&env, &mut b, order_body(&env, None)).await;
    let customer = b.me(&env).await["profile"]["id"].as_str().unwrap().to_string();
    let support = staff_key(&env, "S1", "support").await;
    let marketing = staff_key(&env, "S2", "marketing").await;
    let fulfilment = staff_key(&env, "S3", "fulfilment").await;
    let bearer = |k: &str| format!("Bearer {k}");
    let get = |uri: String, key: Option<String>| {
        let mut browser = Browser::default();
        let env = &env;
        async move {
            let h = key.map(|k| vec![("authorization".to_string(), k)]).unwrap_or_default();
            let extra: Vec<(&str, &str)> = h.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
            browser.send_with(env, "GET", &uri, None, &extra).await
        }
    };
    let profile_uri = format!("/api/staff/customers/{customer}?reason=ticket%2042");

    // Support, with a reason: the profile and orders; the read is logged.
    let read = get(profile_uri.clone(), Some(bearer(&support))).await;
    assert_eq!(read.status, StatusCode::OK, "{}", read.body);
    assert_eq!(read.body["email"], "dana@example.org");
    assert_eq!(read.body["orders"].as_array().unwrap().len(), 1);
    let no_reason = get(format!("/api/staff/customers/{customer}"), Some(bearer(&support))).await;
    assert_eq!(no_reason.body["type"], "/problems/reason-required");
    let found = get("/api/staff/customers?email=DANA@example.org&reason=call".into(), Some(bearer(&support))).await;
    assert_eq!(found.body["customers"], json!([customer]));
    let export = b.send(&env, "GET", "/api/me/export", None).await;
    let reads = export.body["staff_reads"].as_array().unwrap();
    assert_eq!(reads.len(), 2, "each read is logged and shown to the customer: {reads:?}");
    assert_eq!(reads[0]["reason"], "ticket 42");
    assert_eq!(reads[0]["role"], "support");

    // Marketing: counts, never names or ids; no profiles.
    let counts = get("/api/staff/consents".into(), Some(bearer(&marketing))).await;
    assert_eq!(counts.status, StatusCode::OK);
    let text = counts.body.to_string();
    assert!(!text.contains(&customer) && !text.contains("dana"), "{text}");
    let email_given = counts.body["counts"].as_array().unwrap().iter().find(|c| c["purpose"] == "marketing" && c["channel"] == "email").unwrap().clone();
    assert_eq!((email_given["state"].as_str(), email_given["count"].as_i64()), (Some("given"), Some(1)));
    assert_eq!(get(profile_uri.clone(), Some(bearer(&marketing))).await.status, StatusCode::FORBIDDEN);
    // Fulfilment: neither profiles nor consents.
    assert_eq!(get(profile_uri.clone(), Some(bearer(&fulfilment))).await.status, StatusCode::FORBIDDEN);
    assert_eq!(get("/api/staff/consents".into(), Some(bearer(&fulfilment))).await.status, StatusCode::FORBIDDEN);
    // Support sees no marketing counts; nobody without a key sees anything;
    // a customer's cookie is no staff key.
    assert_eq!(get("/api/staff/consents".into(), Some(bearer(&support))).await.status, StatusCode::FORBIDDEN);
    assert_eq!(get(profile_uri.clone(), None).await.status, StatusCode::UNAUTHORIZED);
    let with_cookie = b.send(&env, "GET", &profile_uri, None).await;
    assert_eq!(with_cookie.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_customer_cannot_reach_anothers_data() {
    let env = env();
    let mut a = Browser::default();
    let saved = a.save(&env, "a's build").await;
    let saved_id = saved.body["profile"]["saved"][0]["id"].as_str().unwrap().to_string();
    let mut b = Browser::default();
    b.save(&env, "b's build").await;
    let me = b.me(&env).await;
    assert_eq!(me["profile"]["saved"].as_array().unwrap().len(), 1);
    assert!(!me.to_string().contains("a's build"));
    let del = b.send(&env, "DELETE", &format!("/api/me/configurations/{saved_id}"), None).await;
    assert_eq!(del.status, StatusCode::NOT_FOUND);
    assert_eq!(a.me(&env).await["profile"]["saved"].as_array().unwrap().len(), 1, "still there");
    // A made-up cookie is no profile.
    let mut forged = Browser { cookie: Some("forged-token".into()), ..Default::default() };
    assert!(forged.me(&env).await["profile"].is_null());
    assert_eq!(forged.send(&env, "GET", "/api/me/export", None).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kiosk_hand_off_is_claimed_once_by_the_phone() {
    let env = env();
    let mut kiosk = Browser::default();
    let model = env.catalogue.model("pc-starter").unwrap();
    let code = model.encode(&Choices::defaults(model));
    let made = kiosk.send(&env, "POST", "/api/handoff", Some(json!({ "product": "pc-starter", "code": code }))).await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);
    assert!(kiosk.cookie.is_none(), "a hand-off makes no profile");
    let short = made.body["code"].as_str().unwrap().to_string();
    assert_eq!(made.body["url"], format!("/h/{short}"));
    let state = kiosk.send(&env, "GET", &format!("/api/handoff/{short}/state"), None).await;
    assert_eq!(state.body["claimed"], false);

    let mut phone = Browser::default();
    let claimed = phone.send(&env, "GET", &format!("/api/handoff/{}", short.to_lowercase()), None).await;
    assert_eq!(claimed.status, StatusCode::OK, "{}", claimed.body);
    assert_eq!((claimed.body["product"].as_str(), claimed.body["code"].as_str()), (Some("pc-starter"), Some(code.as_str())));
    assert_eq!(kiosk.send(&env, "GET", &format!("/api/handoff/{short}/state"), None).await.body["claimed"], true);
    let again = Browser::default().send(&env, "GET", &format!("/api/handoff/{short}"), None).await;
    assert_eq!((again.status, again.body["type"].as_str()), (StatusCode::GONE, Some("/problems/handoff-used")));
    assert_eq!(Browser::default().send(&env, "GET", "/api/handoff/ZZZZZZZZ", None).await.status, StatusCode::NOT_FOUND);
    assert_eq!(Browser::default().send(&env, "GET", "/api/handoff/nonsense!", None).await.status, StatusCode::NOT_FOUND);
    let bad = kiosk.send(&env, "POST", "/api/handoff", Some(json!({ "product": "pc-starter", "code": "nope" }))).await;
    assert_eq!(bad.body["type"], "/problems/invalid-code");
    let expired = env.sql("UPDATE handoffs SET expires_at = 0").await;
    assert!(!expired.is_empty());
    let made = kiosk.send(&env, "POST", "/api/handoff", Some(json!({ "product": "pc-starter", "code": code }))).await;
    env.sql("UPDATE handoffs SET expires_at = 0 WHERE claimed_at IS NULL").await;
    let late = phone.send(&env, "GET", &format!("/api/handoff/{}", made.body["code"].as_str().unwrap()), None).await;
    assert_eq!(late.body["type"], "/problems/handoff-expired");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kiosk_calls_staff_and_hears_when_someone_is_on_the_way() {
    let env = env();
    let mut kiosk = Browser::default();
    let (entrance, floor) = (kiosk_key(&env, "Entrance").await, kiosk_key(&env, "Floor 2").await);
    let key = |k: &str| format!("Bearer {k}");
    let call = kiosk.send_with(&env, "POST", "/api/kiosk/calls", Some(json!({ "place": " Entrance ", "product": "jeans" })), &[("authorization", &key(&entrance))]).await;
    assert_eq!(call.status, StatusCode::CREATED, "{}", call.body);
    assert!(kiosk.cookie.is_none(), "a call makes no profile");
    assert_eq!((call.body["place"].as_str(), call.body["product"].as_str(), call.body["state"].as_str()), (Some("Entrance"), Some("jeans"), Some("waiting")));
    let id = call.body["id"].as_str().unwrap().to_string();
    // A second tap at the same place is the same call; another place is another call.
    let again = kiosk.send_with(&env, "POST", "/api/kiosk/calls", Some(json!({ "place": "Entrance" })), &[("authorization", &key(&entrance))]).await;
    assert_eq!((again.status, again.body["id"].as_str()), (StatusCode::OK, Some(id.as_str())));
    let other = kiosk.send_with(&env, "POST", "/api/kiosk/calls", Some(json!({ "place": "Floor 2" })), &[("authorization", &key(&floor))]).await;
    assert_eq!(other.status, StatusCode::CREATED);
    assert_ne!(other.body["id"], call.body["id"]);

    // Staff on the floor see the open calls, oldest first; other roles and strangers do not.
    let store = staff_key(&env, "S-store", "store").await;
    let marketing = staff_key(&env, "S-mkt", "marketing").await;
    let auth = |k: &str| format!("Bearer {k}");
    let list = kiosk.send_with(&env, "GET", "/api/staff/calls", None, &[("authorization", &auth(&store))]).await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    let places: Vec<&str> = list.body["calls"].as_array().unwrap().iter().map(|c| c["place"].as_str().unwrap()).collect();
    assert_eq!(places.len(), 2);
    assert!(places.contains(&"Entrance") && places.contains(&"Floor 2"));
    assert_eq!(kiosk.send_with(&env, "GET", "/api/staff/calls", None, &[("authorization", &auth(&marketing))]).await.status, StatusCode::FORBIDDEN);
    assert_eq!(kiosk.send(&env, "GET", "/api/staff/calls", None).await.status, StatusCode::UNAUTHORIZED);
    let stranger = kiosk.send(&env, "POST", &format!("/api/staff/calls/{id}/answer"), None).await;
    assert_eq!(stranger.status, StatusCode::UNAUTHORIZED);
    assert_eq!(kiosk.send(&env, "GET", &format!("/api/kiosk/calls/{id}"), None).await.body["state"], "waiting");

    // Answered: the kiosk hears it, the call leaves the list, a new tap is a new call.
    let answered = kiosk.send_with(&env, "POST", &format!("/api/staff/calls/{id}/answer"), None, &[("authorization", &auth(&store))]).await;
    assert_eq!((answered.status, answered.body["state"].as_str()), (StatusCode::OK, Some("answered")));
    assert_eq!(kiosk.send(&env, "GET", &format!("/api/kiosk/calls/{id}"), None).await.body["state"], "answered");
    let list = kiosk.send_with(&env, "GET", "/api/staff/calls", None, &[("authorization", &auth(&store))]).await;
    assert_eq!(list.body["calls"].as_array().unwrap().len(), 1);
    let twice = kiosk.send_with(&env, "POST", &format!("/api/staff/calls/{id}/answer"), None, &[("authorization", &auth(&store))]).await;
    assert_eq!(twice.body["state"], "answered");
    let new = kiosk.send_with(&env, "POST", "/api/kiosk/calls", Some(json!({ "place": "Entrance" })), &[("authorization", &key(&entrance))]).await;
    assert_eq!(new.status, StatusCode::CREATED);
    assert_ne!(new.body["id"], call.body["id"]);

    // Bad input is refused with the reason.
    let bad = kiosk.send_with(&env, "POST", "/api/kiosk/calls", Some(json!({ "place": "<script>" })), &[("authorization", &key(&entrance))]).await;
    assert_eq!((bad.status, bad.body["type"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("/problems/invalid-place")));
    let bad = kiosk.send_with(&env, "POST", "/api/kiosk/calls", Some(json!({ "place": "Entrance", "product": "spaceship" })), &[("authorization", &key(&entrance))]).await;
    assert_eq!(bad.body["type"], "/problems/unknown-product");
    assert_eq!(kiosk.send(&env, "GET", "/api/kiosk/calls/K00000000000000000000", None).await.status, StatusCode::NOT_FOUND);
    assert_eq!(kiosk.send(&env, "GET", "/api/kiosk/calls/nonsense", None).await.status, StatusCode::NOT_FOUND);
    let unknown = kiosk.send_with(&env, "POST", "/api/staff/calls/K00000000000000000000/answer", None, &[("authorization", &auth(&store))]).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn partners_read_their_own_orders_and_no_one_elses() {
    use tailor_server::partners;
    let env = env();
    let keys = add_partners(&env, &["acme", "globex"]).await;
    let mut customer = Browser::default();
    let mut body = order_body(&env, None);
    body["channel"] = json!("partner");
    body["partner_id"] = json!("initech");
    let unknown = place(&env, &mut customer, body.clone()).await;
    assert_eq!(unknown.body["type"], "/problems/partner-token", "an unknown partner has no embed token: {}", unknown.body);
    body["partner_id"] = json!("acme");
    body["partner_token"] = json!(embed_token(&env, &keys[0]).await);
    let placed = place(&env, &mut customer, body).await;
    assert_eq!(placed.status, StatusCode::CREATED, "{}", placed.body);
    assert_eq!(placed.body["partner_id"], "acme");
    let id = placed.body["id"].as_str().unwrap().to_string();
    let plain = place(&env, &mut customer, order_body(&env, None)).await.body["id"].as_str().unwrap().to_string();

    let read = |key: Option<&str>, order: &str| {
        let auth = key.map(|k| format!("Bearer {k}"));
        let uri = format!("/api/partner/orders/{order}");
        let env = &env;
        async move {
            let extra: Vec<(&str, &str)> = auth.iter().map(|a| ("authorization", a.as_str())).collect();
            Browser::default().send_with(env, "GET", &uri, None, &extra).await
        }
    };
    let mine = read(Some(&keys[0]), &id).await;
    assert_eq!(mine.status, StatusCode::OK, "{}", mine.body);
    assert_eq!((mine.body["id"].as_str(), mine.body["total"].as_i64()), (Some(id.as_str()), placed.body["total"].as_i64()));
    let text = mine.body.to_string();
    assert!(!text.contains("Private Person") && !text.contains("Geheimweg") && !text.contains("private.person"), "no customer details: {text}");
    assert_eq!(read(Some(&keys[1]), &id).await.status, StatusCode::NOT_FOUND, "another partner's order is not found");
    assert_eq!(read(Some(&keys[0]), &plain).await.status, StatusCode::NOT_FOUND, "an order placed on the portal itself is not the partner's");
    assert_eq!(read(None, &id).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(read(Some("tpk_made-up"), &id).await.status, StatusCode::UNAUTHORIZED);
    let staff = staff_key(&env, "S9", "fulfilment").await;
    assert_eq!(read(Some(&staff), &id).await.status, StatusCode::UNAUTHORIZED, "a staff key is no partner key");
    // The picture of its own order (for its `complete` event), no one else's.
    let picture = |key: &str, order: &str| {
        let (auth, uri, env) = (format!("Bearer {key}"), format!("/api/partner/orders/{order}/picture"), &env);
        async move { Browser::default().send_with(env, "GET", &uri, None, &[("authorization", auth.as_str())]).await }
    };
    let own = picture(&keys[0], &id).await;
    assert_eq!((own.status, own.headers["content-type"].to_str().unwrap()), (StatusCode::OK, "image/svg+xml"));
    assert_eq!(picture(&keys[1], &id).await.status, StatusCode::NOT_FOUND);
    assert_eq!(picture(&keys[0], &plain).await.status, StatusCode::NOT_FOUND);
    // The public settings the embedded page needs; a revoked partner is gone.
    let public = Browser::default().send(&env, "GET", "/api/partners/acme", None).await;
    assert_eq!(public.body["origins"], json!(["https://acme.example"]));
    assert!(!public.body.to_string().contains("tpk_"));
    env.store.transaction(|db| partners::revoke(db, "acme", "2026-11-24T01:00:00Z")).await.unwrap().unwrap();
    assert_eq!(read(Some(&keys[0]), &id).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(Browser::default().send(&env, "GET", "/api/partners/acme", None).await.status, StatusCode::NOT_FOUND);
}

/// Issue 15, item 2: signing in gives the browser a new session token; the
/// token it had (perhaps planted by someone at a shared computer) reads
/// nothing afterwards.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signing_in_replaces_the_session_token() {
    let env = env();
    let mut kiosk = Browser::default();
    kiosk.save(&env, "on a shared screen").await;
    let planted = kiosk.cookie.clone().expect("a session");
    let signed = kiosk.sign_in(&env, "fixed@example.org").await;
    assert_eq!(signed.status, StatusCode::OK, "{}", signed.body);
    let fresh = kiosk.cookie.clone().expect("a session after signing in");
    assert_ne!(fresh, planted, "the session token is new at sign-in");
    assert_eq!(kiosk.me(&env).await["profile"]["email"], "fixed@example.org");
    let mut attacker = Browser { cookie: Some(planted), ..Default::default() };
    assert!(attacker.me(&env).await["profile"].is_null(), "the old token reads no profile");
    // Signing out ends the token on the server too, not only in the browser.
    let mut copy = kiosk.clone();
    assert_eq!(kiosk.send(&env, "POST", "/api/me/sign-out", None).await.status, StatusCode::NO_CONTENT);
    assert!(kiosk.cookie.is_none());
    assert!(copy.me(&env).await["profile"].is_null(), "a copy of the signed-out token reads nothing");
}

/// Issue 15, item 3: a change that the session cookie authorises is refused
/// when a browser sends it from another site (fetch metadata or Origin);
/// the page's own requests and non-browser clients go on.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changes_from_another_site_are_refused() {
    let env = env();
    let mut b = Browser::default();
    b.save(&env, "mine").await;
    let attacks: [&[(&str, &str)]; 3] = [
        &[("sec-fetch-site", "same-site"), ("origin", "http://localhost:8081"), ("host", "localhost:8080")],
        &[("sec-fetch-site", "cross-site")],
        &[("origin", "http://127.0.0.1:9999"), ("host", "127.0.0.1:8080")],
    ];
    for headers in attacks {
        for (method, uri) in [("POST", "/api/me/erase"), ("POST", "/api/me/sign-out"), ("POST", "/api/me/configurations")] {
            let a = b.send_with(&env, method, uri, Some(json!({})), headers).await;
            assert_eq!(a.status, StatusCode::FORBIDDEN, "{method} {uri} {headers:?}: {}", a.body);
            assert_eq!(a.body["type"], "/problems/cross-site");
        }
    }
    assert_eq!(b.me(&env).await["profile"]["saved"].as_array().unwrap().len(), 1, "nothing was erased or signed out");
    let same = b.send_with(&env, "POST", "/api/me/sign-out", None, &[("sec-fetch-site", "same-origin"), ("origin", "http://127.0.0.1:8080")]).await;
    assert_eq!(same.status, StatusCode::NO_CONTENT, "{}", same.body);
}

/// Issue 15, item 11: API answers are never sniffed, and answers with
/// personal data are never stored by a cache.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn personal_answers_are_not_cached_or_sniffed() {
    let env = env();
    let mut b = Browser::default();
    let placed = place(&env, &mut b, order_body(&env, None)).await;
    assert_eq!(placed.status, StatusCode::CREATED, "{}", placed.body);
    let (id, token) = (placed.body["id"].as_str().unwrap().to_string(), placed.body["access_token"].as_str().unwrap().to_string());
    let read = b.send_with(&env, "GET", &format!("/api/orders/{id}"), None, &[("authorization", &format!("Bearer {token}"))]).await;
    let refused = b.send(&env, "GET", "/api/staff/orders", None).await;
    let missing = b.send(&env, "GET", "/api/nowhere", None).await;
    b.save(&env, "mine").await;
    let profile = b.send(&env, "GET", "/api/me", None).await;
    for (what, a) in [("created", &placed), ("read back", &read), ("refused", &refused), ("no endpoint", &missing), ("profile", &profile)] {
        assert_eq!(a.headers.get("x-content-type-options").map(|v| v.to_str().unwrap()), Some("nosniff"), "{what}");
        assert_eq!(a.headers.get("cache-control").map(|v| v.to_str().unwrap()), Some("no-store"), "{what}");
    }
    let qr = b.send(&env, "GET", "/api/qr?text=https%3A%2F%2Fexample.org", None).await;
    assert!(qr.headers["cache-control"].to_str().unwrap().starts_with("public"), "a QR code of a public link may be cached");
}

/// Issue 15, item 10: an address that would break a mail header and a name
/// that hides or reorders text are refused where the server takes them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hidden_text_and_header_breaking_addresses_are_refused() {
    let env = env();
    let mut b = Browser::default();
    for email in ["\"victim>, <attacker\"@example.org", "a..b@example.org"] {
        let a = b.send(&env, "POST", "/api/sign-in", Some(json!({ "email": email }))).await;
        assert_eq!((a.status, a.body["type"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("/problems/invalid-email")), "{email}");
    }
    assert!(env.mailer.sent().is_empty(), "no mail went out");
    let model = env.catalogue.model("pc-starter").unwrap();
    let code = model.encode(&Choices::defaults(model));
    let a = b.send(&env, "POST", "/api/me/configurations", Some(json!({ "product": "pc-starter", "code": code, "name": "gift \u{202E}rof" }))).await;
    assert_eq!(a.body["type"], "/problems/invalid-name", "{}", a.body);
    let mut order = order_body(&env, None);
    order["contact"]["name"] = json!("Mei\u{200B} Chen");
    let placed = place(&env, &mut b, order).await;
    assert_eq!(placed.body["type"], "/problems/invalid-contact", "{}", placed.body);
}

/// Issue 15, items 2 and 8: a session past its lifetime signs nobody in,
/// and the sweep deletes what has served its purpose (expired codes, old
/// sessions, hand-offs an hour past expiry, day-old kiosk calls) and
/// nothing else.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expired_rows_are_swept_and_old_sessions_read_nothing() {
    let env = env();
    let mut old = Browser::default();
    old.save(&env, "long ago").await;
    let mut fresh = Browser::default();
    fresh.save(&env, "today").await;
    let token = old.cookie.clone().unwrap();
    let digest = tailor_server::secrets::sha256_hex(token.as_bytes());
    env.sql(&format!("UPDATE sessions SET created_at = '2025-01-01T00:00:00Z' WHERE token_sha256 = '{digest}'")).await;
    assert!(old.me(&env).await["profile"].is_null(), "a session older than its lifetime reads nothing");
    assert!(!fresh.me(&env).await["profile"].is_null());

    let now = tailor_server::clock::unix_seconds() as i64;
    for statement in [
        format!("INSERT INTO sign_in_codes (email_sha256, browser_sha256, code_sha256, expires_at, tries) VALUES ('gone', 'b', 'c', {}, 0)", now - 1),
        format!("INSERT INTO sign_in_codes (email_sha256, browser_sha256, code_sha256, expires_at, tries) VALUES ('kept', 'b', 'c', {}, 0)", now + 600),
        format!("INSERT INTO handoffs (code_sha256, product, config_code, expires_at) VALUES ('gone', 'pc', 'x', {})", now - 2 * 3600),
        format!("INSERT INTO handoffs (code_sha256, product, config_code, expires_at) VALUES ('kept', 'pc', 'x', {})", now - 60),
        format!("INSERT INTO staff_calls (id, place, created_at) VALUES ('Kgone', 'Entrance', {})", now - 2 * 24 * 3600),
        format!("INSERT INTO staff_calls (id, place, created_at) VALUES ('Kkept', 'Entrance', {})", now - 3600),
    ] {
        env.sql(&statement).await;
    }
    let swept = tailor_server::housekeeping::sweep(&env.store, now).await.unwrap();
    assert_eq!(swept, tailor_server::housekeeping::Swept { codes: 1, sessions: 1, profiles: 0, handoffs: 1, calls: 1, staff_sessions: 0 });
    assert_eq!(env.sql("SELECT email_sha256 FROM sign_in_codes").await, ["kept"]);
    assert_eq!(env.sql("SELECT code_sha256 FROM handoffs").await, ["kept"]);
    assert_eq!(env.sql("SELECT id FROM staff_calls").await, ["Kkept"]);
    assert_eq!(env.sql("SELECT COUNT(*) FROM sessions").await, ["1"], "the fresh session stays");
    assert!(!fresh.me(&env).await["profile"].is_null());
    assert_eq!(tailor_server::housekeeping::sweep(&env.store, now).await.unwrap(), Default::default(), "nothing twice");
}

/// Issue 15, items 1 and 6: codes to one mailbox slow down, code after
/// code, whatever happens to each code and however the address is written
/// (`+tag` variants), so guessing by asking for fresh codes, and flooding a
/// mailbox, run into a growing wait; signing in ends the wait.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn codes_to_one_mailbox_slow_down_across_codes_and_variants() {
    let env = env();
    let mut b = Browser::default();
    let ask = |email: &'static str| json!({ "email": email });
    let pass = |seconds: i64| format!("UPDATE sign_in_sends SET last_sent_at = last_sent_at - {seconds}");
    assert_eq!(b.send(&env, "POST", "/api/sign-in", Some(ask("guess@example.org"))).await.status, StatusCode::ACCEPTED);
    let mut expected_wait = 30;
    for round in 0..4 {
        // Five wrong tries end the code, as before (the sixth is told so)...
        for _ in 0..6 {
            b.send(&env, "POST", "/api/sign-in/verify", Some(json!({ "email": "guess@example.org", "code": "999999x" }))).await;
        }
        // ...but no new code comes at once, under any spelling of the mailbox.
        for variant in ["guess@example.org", "guess+again@example.org", "GUESS+x@Example.org"] {
            let a = b.send(&env, "POST", "/api/sign-in", Some(ask(variant))).await;
            assert_eq!(a.status, StatusCode::TOO_MANY_REQUESTS, "round {round}, {variant}: {}", a.body);
            let wait = a.body["retry_after"].as_i64().unwrap();
            assert!(wait > expected_wait - 5 && wait <= expected_wait, "round {round}: waits {wait} s, expected about {expected_wait}");
            assert_eq!(a.headers["retry-after"].to_str().unwrap(), wait.to_string());
        }
        env.sql(&pass(expected_wait)).await;
        assert_eq!(b.send(&env, "POST", "/api/sign-in", Some(ask("guess+again@example.org"))).await.status, StatusCode::ACCEPTED, "round {round}");
        expected_wait *= 2;
    }
    assert_eq!(env.mailer.sent().len(), 5, "one mail per allowed code, none for the refused");
    // A day without codes forgets them.
    env.sql(&pass(24 * 3600)).await;
    assert_eq!(b.send(&env, "POST", "/api/sign-in", Some(ask("guess@example.org"))).await.status, StatusCode::ACCEPTED);
    // Signing in ends the wait for the mailbox's owner.
    let mut owner = Browser::default();
    env.sql(&pass(3600)).await;
    assert_eq!(owner.sign_in(&env, "owner@example.org").await.status, StatusCode::OK);
    assert_eq!(owner.send(&env, "POST", "/api/sign-in", Some(ask("owner@example.org"))).await.status, StatusCode::ACCEPTED, "no wait after signing in");
    // Erasure takes the mailbox's count along.
    let count = format!("SELECT COUNT(*) FROM sign_in_sends WHERE mailbox_sha256 = '{}'", tailor_server::privacy::db::mailbox_sha256("owner+shop@example.org"));
    assert_eq!(env.sql(&count).await, ["1"]);
    assert_eq!(owner.send(&env, "POST", "/api/me/erase", None).await.status, StatusCode::NO_CONTENT);
    assert_eq!(env.sql(&count).await, ["0"]);
}

/// Issue 15, item 1: a sign-in code can be tried only in the browser that
/// asked for it. Someone else's tries for the same address (wrong, or even
/// right) neither reach it nor use it up, and it still signs the customer in.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tries_in_another_browser_do_not_use_up_the_customers_code() {
    let env = env();
    let mut customer = Browser::default();
    assert_eq!(customer.send(&env, "POST", "/api/sign-in", Some(json!({ "email": "mine@example.org" }))).await.status, StatusCode::ACCEPTED);
    assert!(customer.code.is_some(), "the code is bound to this browser");
    let real = last_code(&env, "mine@example.org");
    let wrong = if real == "000000" { "111111" } else { "000000" };
    let mut attacker = Browser::default();
    for code in [wrong; 12].into_iter().chain([real.as_str()]) {
        let a = attacker.send(&env, "POST", "/api/sign-in/verify", Some(json!({ "email": "mine@example.org", "code": code }))).await;
        assert_eq!(a.body["type"], "/problems/no-code", "{}", a.body);
    }
    assert!(attacker.cookie.is_none(), "the attacker is not signed in");
    let signed = customer.send(&env, "POST", "/api/sign-in/verify", Some(json!({ "email": "mine@example.org", "code": real }))).await;
    assert_eq!(signed.status, StatusCode::OK, "{}", signed.body);
    assert_eq!(customer.me(&env).await["profile"]["email"], "mine@example.org");
    assert!(customer.code.is_none(), "the binding ends with the sign-in");
}

/// Issue 15, items 2 and 8: a session unused for a month signs nobody in
/// (one in use is marked seen), and a day after it was made a profile that
/// nobody can reach any more (no session, address or order: an idle
/// anonymous one, one merged into another) is deleted with its saved
/// configurations and consent events; signed-in profiles stay.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_sessions_end_and_unreachable_profiles_are_deleted() {
    let env = env();
    let digest = |b: &Browser| tailor_server::secrets::sha256_hex(b.cookie.as_ref().unwrap().as_bytes());
    let seen = |b: &Browser, ago: &str| format!("UPDATE sessions SET last_seen_at = '{ago}' WHERE token_sha256 = '{}'", digest(b));
    let mut idle = Browser::default();
    assert_eq!(idle.consent(&env, json!([{ "purpose": "marketing", "channel": "email", "state": "given" }])).await.status, StatusCode::OK);
    idle.save(&env, "forgotten").await;
    let idle_id = idle.me(&env).await["profile"]["id"].as_str().unwrap().to_string();
    env.sql(&seen(&idle, &tailor_server::clock::rfc3339_ago(31 * 24 * 3600))).await;
    assert!(idle.me(&env).await["profile"].is_null(), "a month unused ends the session");

    let mut used = Browser::default();
    used.save(&env, "in use").await;
    let two_hours_ago = tailor_server::clock::rfc3339_ago(2 * 3600);
    env.sql(&seen(&used, &two_hours_ago)).await;
    assert!(!used.me(&env).await["profile"].is_null());
    let marked = env.sql(&format!("SELECT last_seen_at FROM sessions WHERE token_sha256 = '{}'", digest(&used))).await;
    assert!(marked[0] > two_hours_ago, "a session in use is marked seen: {marked:?}");

    let mut member = Browser::default();
    assert_eq!(member.sign_in(&env, "member@example.org").await.status, StatusCode::OK);
    let mut laptop = Browser::default();
    laptop.save(&env, "on the laptop").await;
    let merged_id = laptop.me(&env).await["profile"]["id"].as_str().unwrap().to_string();
    assert_eq!(laptop.sign_in(&env, "member@example.org").await.status, StatusCode::OK);
    assert_eq!(member.send(&env, "POST", "/api/me/sign-out", None).await.status, StatusCode::NO_CONTENT);

    let now = tailor_server::clock::unix_seconds() as i64;
    let fresh = tailor_server::housekeeping::sweep(&env.store, now).await.unwrap();
    assert_eq!((fresh.sessions, fresh.profiles), (1, 0), "profiles are kept for their first day");
    env.sql("UPDATE customers SET created_at = '2026-01-01T00:00:00Z'").await;
    let swept = tailor_server::housekeeping::sweep(&env.store, now).await.unwrap();
    assert_eq!(swept.profiles, 2, "the idle anonymous profile and the merged one");
    for id in [&idle_id, &merged_id] {
        for table in ["customers WHERE id", "saved_configurations WHERE customer_id", "consent_events WHERE customer_id"] {
            assert_eq!(env.sql(&format!("SELECT COUNT(*) FROM {table} = '{id}'")).await, ["0"], "{table} {id}");
        }
    }
    assert!(!used.me(&env).await["profile"].is_null(), "a profile in use stays");
    assert_eq!(laptop.me(&env).await["profile"]["email"], "member@example.org", "a signed-in profile stays");
    assert_eq!(laptop.me(&env).await["profile"]["saved"][0]["name"], "on the laptop", "with what was merged into it");
    let report = tailor_server::privacy::verify_chain(&env.store).await.unwrap();
    assert!(report.breaks.is_empty(), "{:?}", report.breaks);
}

/// Issue 15, item 8: one client address cannot make profiles without end
/// (60 an hour); beyond that a request that would make one is refused with
/// the wait, while profiles already made and other clients go on.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_client_cannot_make_profiles_without_end() {
    let env = env();
    let mut kept = Browser::at("10.0.0.1");
    assert_eq!(kept.save(&env, "first").await.status, StatusCode::CREATED);
    for i in 1..60 {
        assert_eq!(Browser::at("10.0.0.1").save(&env, "one more").await.status, StatusCode::CREATED, "profile {i}");
    }
    let mut over = Browser::at("10.0.0.1");
    for refused in [over.save(&env, "one too many").await, over.consent(&env, json!([{ "purpose": "marketing", "channel": "email", "state": "given" }])).await] {
        assert_eq!((refused.status, refused.body["type"].as_str()), (StatusCode::TOO_MANY_REQUESTS, Some("/problems/too-many-profiles")), "{}", refused.body);
        let wait = refused.headers["retry-after"].to_str().unwrap().parse::<u64>().unwrap();
        assert!((1..=60).contains(&wait), "the next profile in a minute at most: {wait}");
        assert_eq!(refused.body["retry_after"], wait);
    }
    assert!(over.cookie.is_none(), "no profile, no cookie");
    assert_eq!(kept.save(&env, "second").await.status, StatusCode::CREATED, "a profile already made goes on");
    assert_eq!(Browser::at("10.0.0.2").save(&env, "elsewhere").await.status, StatusCode::CREATED, "another client is not held back");
    assert_eq!(env.sql("SELECT COUNT(*) FROM customers").await, ["61"]);
}

/// Issue 15, item 7: erasure covers every copy: a profile merged into the
/// erased one (and its consent events), the free text of staff reads'
/// reasons, and orders placed signed out with the same address (which the
/// download holds too).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn erasure_covers_merged_profiles_staff_reasons_and_signed_out_orders() {
    let env = env();
    let mut guest = Browser::default();
    let mut signed_out = order_body(&env, None);
    signed_out["contact"] = json!({ "name": "Dana Guest", "email": "Dana@Example.org" });
    signed_out["shipping"]["line1"] = json!("Hidden Lane 3");
    let guest_order = place(&env, &mut guest, signed_out).await;
    assert_eq!(guest_order.status, StatusCode::CREATED, "{}", guest_order.body);
    let guest_order = guest_order.body["id"].as_str().unwrap().to_string();
    let mut stranger = order_body(&env, None);
    stranger["contact"] = json!({ "name": "Someone Else", "email": "someone@example.org" });
    let stranger_order = place(&env, &mut Browser::default(), stranger).await.body["id"].as_str().unwrap().to_string();

    let mut phone = Browser::default();
    phone.consent(&env, json!([{ "purpose": "marketing", "channel": "sms", "state": "given" }])).await;
    let merged = phone.me(&env).await["profile"]["id"].as_str().unwrap().to_string();
    let mut laptop = Browser::default();
    assert_eq!(laptop.sign_in(&env, "dana@example.org").await.status, StatusCode::OK);
    assert_eq!(phone.sign_in(&env, "dana@example.org").await.status, StatusCode::OK);
    let customer = laptop.me(&env).await["profile"]["id"].as_str().unwrap().to_string();
    assert_eq!(env.sql(&format!("SELECT merged_into FROM customers WHERE id = '{merged}'")).await, [customer.clone()]);
    let support = staff_key(&env, "S1", "support").await;
    let reason = "caller%20Dana%20Guest%2C%20phone%20555-0199";
    let read = Browser::default()
        .send_with(&env, "GET", &format!("/api/staff/customers/{customer}?reason={reason}"), None, &[("authorization", &format!("Bearer {support}"))])
        .await;
    assert_eq!(read.status, StatusCode::OK, "{}", read.body);

    let export = laptop.send(&env, "GET", "/api/me/export", None).await.body;
    let ids: Vec<&str> = export["orders"].as_array().unwrap().iter().map(|o| o["id"].as_str().unwrap()).collect();
    assert_eq!(ids, [guest_order.as_str()], "the download holds the order placed signed out with this address, and no one else's");
    assert!(export.to_string().contains("Hidden Lane 3"));

    assert_eq!(laptop.send(&env, "POST", "/api/me/erase", None).await.status, StatusCode::NO_CONTENT);
    assert_eq!(env.sql(&format!("SELECT COUNT(*) FROM consent_events WHERE customer_id = '{merged}'")).await, ["0"], "the merged profile's events");
    assert_eq!(env.sql(&format!("SELECT COUNT(*) FROM customers WHERE merged_into = '{customer}'")).await, ["0"], "nothing points at the erased profile");
    let reasons = env.sql("SELECT reason FROM staff_reads").await;
    assert_eq!(reasons.len(), 1, "the read itself stays logged");
    assert!(!reasons[0].contains("555") && !reasons[0].contains("Dana"), "{reasons:?}");
    let contacts = env.sql(&format!("SELECT contact_json || shipping_json FROM orders WHERE id = '{guest_order}'")).await;
    assert_eq!(contacts, ["{}{}"], "the signed-out order keeps no personal fields");
    let other = env.sql(&format!("SELECT contact_json FROM orders WHERE id = '{stranger_order}'")).await;
    assert!(other[0].contains("Someone Else"), "another customer's order is untouched");
    let report = tailor_server::privacy::verify_chain(&env.store).await.unwrap();
    assert!(report.breaks.is_empty(), "{:?}", report.breaks);
}

/// Issue 15, item 6: one client address mails at most 20 codes a day,
/// whatever the addresses, and past the day's cap over everyone no code is
/// sent at all until the next day (UTC); each refusal says how long to wait.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_mails_are_capped_per_client_and_per_day() {
    let env = env();
    let ask = |i: usize| json!({ "email": format!("person{i}@example.org") });
    let mut flooder = Browser::at("10.0.0.1");
    for i in 0..20 {
        assert_eq!(flooder.send(&env, "POST", "/api/sign-in", Some(ask(i))).await.status, StatusCode::ACCEPTED, "code {i}");
    }
    // (Past the request rate limit's burst, which refills in a moment.)
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let refused = flooder.send(&env, "POST", "/api/sign-in", Some(ask(20))).await;
    assert_eq!((refused.status, refused.body["type"].as_str()), (StatusCode::TOO_MANY_REQUESTS, Some("/problems/too-many-codes")), "{}", refused.body);
    let wait: u64 = refused.headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=86_400 / 20).contains(&wait), "{wait}");
    assert_eq!(env.mailer.sent().len(), 20, "no mail for the refused");
    let mut other = Browser::at("10.0.0.2");
    assert_eq!(other.send(&env, "POST", "/api/sign-in", Some(ask(21))).await.status, StatusCode::ACCEPTED, "another client goes on");

    let today = tailor_server::clock::utc_day(0);
    assert_eq!(env.sql(&format!("SELECT sent FROM mail_days WHERE day = '{today}'")).await, ["21"], "the day's count");
    env.sql(&format!("UPDATE mail_days SET sent = 10000 WHERE day = '{today}'")).await;
    let paused = other.send(&env, "POST", "/api/sign-in", Some(ask(22))).await;
    assert_eq!((paused.status, paused.body["type"].as_str()), (StatusCode::SERVICE_UNAVAILABLE, Some("/problems/sign-in-paused")), "{}", paused.body);
    let until_midnight: u64 = paused.headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=86_400).contains(&until_midnight));
    assert_eq!(env.mailer.sent().len(), 21);
    // A new day starts from nothing.
    env.sql(&format!("UPDATE mail_days SET day = '{}' WHERE day = '{today}'", tailor_server::clock::utc_day(1))).await;
    assert_eq!(other.send(&env, "POST", "/api/sign-in", Some(ask(23))).await.status, StatusCode::ACCEPTED);
    // Week-old counts are swept.
    env.sql(&format!("UPDATE mail_days SET day = '{}' WHERE day = '{}'", tailor_server::clock::utc_day(8), tailor_server::clock::utc_day(1))).await;
    tailor_server::housekeeping::sweep(&env.store, tailor_server::clock::unix_seconds() as i64).await.unwrap();
    assert_eq!(env.sql("SELECT day FROM mail_days").await, [today]);
}

/// Issue 15, item 9: an order is the partner's only when it comes from the
/// partner's own page: with an embed token that the partner's server got
/// with its key, for this partner, not expired.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn partner_orders_come_only_from_the_partners_page() {
    use tailor_server::partners;
    let env = env();
    let keys = add_partners(&env, &["acme", "globex"]).await;
    let staff = staff_key(&env, "S9", "fulfilment").await;
    for key in [None, Some("tpk_made-up"), Some(staff.as_str())] {
        let extra: Vec<(&str, String)> = key.iter().map(|k| ("authorization", format!("Bearer {k}"))).collect();
        let extra: Vec<(&str, &str)> = extra.iter().map(|(h, v)| (*h, v.as_str())).collect();
        let refused = Browser::default().send_with(&env, "POST", "/api/partner/embed-tokens", None, &extra).await;
        assert_eq!(refused.status, StatusCode::UNAUTHORIZED, "{key:?}");
    }
    let acme = embed_token(&env, &keys[0]).await;
    let globex = embed_token(&env, &keys[1]).await;
    let now = tailor_server::clock::unix_seconds() as i64;
    let expired = partners::embed_token(env.store.token_secret(), "acme", now - 1);
    // The last digit changed (to another digit: a token ending in 0 once
    // made this "tampered" token the real one, 1 run in 16).
    let tampered = format!("{}{}", &acme[..acme.len() - 1], if acme.ends_with('0') { '1' } else { '0' });
    let mut customer = Browser::default();
    let mut body = order_body(&env, None);
    body["channel"] = json!("partner");
    body["partner_id"] = json!("acme");
    for token in [None, Some(&globex), Some(&expired), Some(&tampered)] {
        let mut forged = body.clone();
        if let Some(t) = token {
            forged["partner_token"] = json!(t);
        }
        let a = place(&env, &mut customer, forged).await;
        assert_eq!((a.status, a.body["type"].as_str()), (StatusCode::FORBIDDEN, Some("/problems/partner-token")), "{token:?}: {}", a.body);
    }
    body["partner_token"] = json!(acme);
    let placed = place(&env, &mut customer, body).await;
    assert_eq!((placed.status, placed.body["partner_id"].as_str()), (StatusCode::CREATED, Some("acme")), "{}", placed.body);
    assert_eq!(env.sql("SELECT COUNT(*) FROM orders WHERE channel = 'partner'").await, ["1"]);
}

/// Issue 15, item 9: only a registered kiosk calls staff, and only to its
/// own place: no key, a made-up or revoked key, or another place's name is
/// refused with the reason.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kiosk_calls_come_only_from_registered_kiosks() {
    let env = env();
    let entrance = kiosk_key(&env, "Entrance").await;
    let call = |key: Option<&str>, place: &str| {
        let auth = key.map(|k| format!("Bearer {k}"));
        let body = json!({ "place": place });
        let (env, mut b) = (&env, Browser::default());
        async move {
            let extra: Vec<(&str, &str)> = auth.iter().map(|a| ("authorization", a.as_str())).collect();
            b.send_with(env, "POST", "/api/kiosk/calls", Some(body), &extra).await
        }
    };
    for (key, place, status, kind) in [
        (None, "Entrance", StatusCode::UNAUTHORIZED, "kiosk-key"),
        (Some("tkk_made-up"), "Entrance", StatusCode::UNAUTHORIZED, "kiosk-key"),
        (Some(entrance.as_str()), "Back door", StatusCode::FORBIDDEN, "kiosk-place"),
    ] {
        let a = call(key, place).await;
        assert_eq!((a.status, a.body["type"].as_str()), (status, Some(format!("/problems/{kind}").as_str())), "{key:?} {place}: {}", a.body);
    }
    assert_eq!(call(Some(&entrance), "Entrance").await.status, StatusCode::CREATED);
    env.store.transaction(|db| tailor_server::calls::revoke_place(db, "Entrance", "2026-12-01T00:00:00Z")).await.unwrap().unwrap();
    assert_eq!(call(Some(&entrance), "Entrance").await.status, StatusCode::UNAUTHORIZED, "a revoked kiosk calls no one");
    assert_eq!(env.sql("SELECT COUNT(*) FROM staff_calls").await, ["1"]);
}

/// Issue 16, item 3: the shop learns from its own orders only aggregate
/// counts of choices: no name, address or e-mail, no configuration chosen
/// by fewer than k orders; a new shop has nothing learned; the file is
/// public and cacheable.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn learned_statistics_hold_no_person_and_no_rare_choice() {
    let env = env();
    let mut b = Browser::default();
    let nothing = b.send(&env, "GET", "/api/learned/pc-starter", None).await;
    assert_eq!((nothing.status, nothing.body["type"].as_str()), (StatusCode::NOT_FOUND, Some("/problems/nothing-learned")));
    let model = env.catalogue.model("pc-starter").unwrap();
    let defaults = Choices::defaults(model);
    // One order changes one attribute to another option (a rare choice).
    let (rare_attr, rare_option, rare) = (0..model.attributes().len())
        .flat_map(|a| (0..model.attributes()[a].options.len()).map(move |o| (a, o)))
        .find_map(|(a, o)| {
            let mut c = defaults.clone();
            (c.0[a] != Some(o)).then(|| {
                c.0[a] = Some(o);
                c
            }).filter(|c| model.quote(c).is_ok()).map(|c| (a, o, c))
        })
        .expect("some other valid option");
    for (i, choices) in std::iter::repeat_n(&defaults, 6).chain([&rare]).enumerate() {
        let mut body = order_body(&env, None);
        body["code"] = json!(model.encode(choices));
        body["price_seen"] = json!(model.quote(choices).unwrap().total);
        body["contact"] = json!({ "name": "Learner Person", "email": format!("learner{i}@example.org") });
        body["shipping"]["line1"] = json!("Secret Street 9");
        assert_eq!(place(&env, &mut b, body).await.status, StatusCode::CREATED);
    }
    let learned = tailor_server::learn::learn_all(&env.store, &env.catalogue, 5).await.unwrap();
    assert!(learned.contains(&("pc-starter".to_string(), 7)), "{learned:?}");
    let file = b.send(&env, "GET", "/api/learned/pc-starter", None).await;
    assert_eq!(file.status, StatusCode::OK, "{}", file.body);
    let text = file.body.to_string();
    for personal in ["Learner", "learner", "example.org", "Secret", "T1"] {
        assert!(!text.contains(personal), "the learned file holds {personal}: {text}");
    }
    assert_eq!((file.body["model"].as_str(), file.body["version"].as_str(), file.body["orders"].as_u64()), (Some("pc-starter"), Some(model.version()), Some(7)));
    assert_eq!(file.body["single"][rare_attr][rare_option], 0, "a choice made by one order is dropped");
    let default_option = defaults.0[rare_attr].unwrap();
    assert_eq!(file.body["single"][rare_attr][default_option], 6);
    for pair in file.body["pairs"].as_array().unwrap() {
        for c in pair["counts"].as_array().unwrap() {
            assert!(c[2].as_u64().unwrap() >= 5, "{pair}");
            let rare_here = (pair["a"] == rare_attr && c[0] == rare_option) || (pair["b"] == rare_attr && c[1] == rare_option);
            assert!(!rare_here, "the rare choice is in a pair: {pair}");
        }
    }
    assert_eq!(file.headers["cache-control"], "public, max-age=300");
    let etag = file.headers["etag"].to_str().unwrap().to_string();
    let again = b.send_with(&env, "GET", "/api/learned/pc-starter", None, &[("if-none-match", &etag)]).await;
    assert_eq!(again.status, StatusCode::NOT_MODIFIED);
    assert_eq!(b.send(&env, "GET", "/api/learned/spaceship", None).await.body["type"], "/problems/unknown-product");
}

/// Marketing sees customers told apart by value and by needs; individuals
/// only with their marketing consent; support sees a customer's tier; every
/// other role, no key and a customer's cookie see nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn customers_are_told_apart_by_value_and_needs_with_consent_and_roles() {
    let env = env();
    let model = env.catalogue.model("pc-starter").unwrap();
    let config = |cpu: &str, board: &str, memory: &str, storage: &str| {
        let mut c = Choices::defaults(model);
        for (a, o) in [("cpu", cpu), ("board", board), ("memory", memory), ("storage", storage)] {
            let at = model.attribute(a).unwrap();
            c.0[at] = model.option(at, o);
        }
        assert!(model.quote(&c).is_ok());
        c
    };
    // Two kinds of need: Intel with 32 GB, AMD with 16 GB (storage varies).
    let intel = |i: usize| config("i5-14400", "b760", "32gb", ["ssd-500gb", "ssd-1tb", "ssd-2tb"][i % 3]);
    let amd = |i: usize| config("r5-7600", "b650", "16gb", ["ssd-500gb", "ssd-1tb", "ssd-2tb"][i % 3]);
    let order = |choices: &Choices, email: &str| {
        let mut body = order_body(&env, None);
        body["code"] = json!(model.encode(choices));
        body["price_seen"] = json!(model.quote(choices).unwrap().total);
        body["contact"] = json!({ "name": "Valued Person", "email": email });
        body
    };
    // What each customer spent, as the test itself counts it.
    let mut values: Vec<i64> = Vec::new();
    // Twelve customers ordering signed out, one to three orders each.
    for i in 0..12 {
        let mut b = Browser::at(&format!("10.7.0.{}", i + 1));
        let choices = if i < 6 { intel(i) } else { amd(i) };
        let mut value = 0;
        for _ in 0..(i % 3 + 1) {
            assert_eq!(place(&env, &mut b, order(&choices, &format!("buyer{i}@example.org"))).await.status, StatusCode::CREATED);
            value += model.quote(&choices).unwrap().total;
        }
        values.push(value);
    }
    // Two signed-in customers: the first says yes to marketing e-mail and
    // buys most (once signed out, with the same address); the second does not.
    let mut fan = Browser::at("10.7.1.1");
    fan.consent(&env, json!([{ "purpose": "marketing", "channel": "email", "state": "given" }])).await;
    fan.sign_in(&env, "fan@example.org").await;
    let big = config("i5-14400", "b760", "32gb", "ssd-2tb");
    for _ in 0..3 {
        assert_eq!(place(&env, &mut fan, order(&big, "fan@example.org")).await.status, StatusCode::CREATED);
    }
    let mut outside = Browser::at("10.7.1.2");
    assert_eq!(place(&env, &mut outside, order(&big, "FAN@example.org")).await.status, StatusCode::CREATED);
    values.push(4 * model.quote(&big).unwrap().total);
    let mut quiet = Browser::at("10.7.1.3");
    quiet.sign_in(&env, "quiet@example.org").await;
    assert_eq!(place(&env, &mut quiet, order(&amd(0), "quiet@example.org")).await.status, StatusCode::CREATED);
    values.push(model.quote(&amd(0)).unwrap().total);
    // A cancelled order brings nothing.
    let fulfilment = staff_key(&env, "F1", "fulfilment").await;
    let cancelled = place(&env, &mut quiet, order(&big, "quiet@example.org")).await;
    let id = cancelled.body["id"].as_str().unwrap().to_string();
    let cancel = Browser::default()
        .send_with(&env, "POST", &format!("/api/staff/orders/{id}/status"), Some(json!({ "status": "cancelled" })), &[("authorization", &format!("Bearer {fulfilment}"))])
        .await;
    assert_eq!(cancel.status, StatusCode::OK, "{}", cancel.body);
    let fan_id = fan.me(&env).await["profile"]["id"].as_str().unwrap().to_string();
    let quiet_id = quiet.me(&env).await["profile"]["id"].as_str().unwrap().to_string();

    let marketing = staff_key(&env, "M1", "marketing").await;
    let support = staff_key(&env, "S1", "support").await;
    let store_key = staff_key(&env, "T1", "store").await;
    let get = |uri: &str, key: Option<&str>| {
        let uri = uri.to_string();
        let key = key.map(|k| format!("Bearer {k}"));
        let env = &env;
        async move {
            let extra: Vec<(&str, &str)> = key.as_deref().map(|k| vec![("authorization", k)]).unwrap_or_default();
            Browser::default().send_with(env, "GET", &uri, None, &extra).await
        }
    };
    let d = get("/api/staff/differentiation", Some(&marketing)).await;
    assert_eq!(d.status, StatusCode::OK, "{}", d.body);
    let body = &d.body;

    // Value: the curve and the tiers, against the test's own count.
    values.sort_unstable_by(|a, b| b.cmp(a));
    let total: i64 = values.iter().sum();
    let n = values.len();
    assert_eq!((body["customers"].as_u64(), body["revenue_minor"].as_i64()), (Some(n as u64), Some(total)), "{body}");
    let top = |share: f64| values[..(n as f64 * share).ceil() as usize].iter().sum::<i64>() as f64 / total as f64;
    for (field, q) in [("top_10_percent_share", 0.1), ("top_20_percent_share", 0.2)] {
        let got = body["value_curve"][field].as_f64().unwrap();
        assert!((got - top(q)).abs() < 1e-3, "{field}: {got} against {}", top(q));
    }
    let tiers: Vec<(String, u64)> = body["tiers"].as_array().unwrap().iter().map(|t| (t["tier"].as_str().unwrap().into(), t["customers"].as_u64().unwrap())).collect();
    assert_eq!(tiers, vec![("top".into(), 2), ("high".into(), 3), ("regular".into(), 9)]);

    // Needs: the two kinds are found, each named by what sets it apart.
    let segments = body["segments"].as_array().unwrap();
    assert_eq!(segments.len(), 2, "{body}");
    let traits = |s: &Value| s["traits"].as_array().unwrap().iter().map(|t| format!("{}={}", t["attribute"].as_str().unwrap(), t["option"].as_str().unwrap())).collect::<Vec<_>>();
    let intel_segment = segments.iter().find(|s| traits(s).contains(&"cpu=i5-14400".to_string())).expect("an Intel segment");
    let amd_segment = segments.iter().find(|s| traits(s).contains(&"cpu=r5-7600".to_string())).expect("an AMD segment");
    assert_eq!((intel_segment["customers"].as_u64(), amd_segment["customers"].as_u64()), (Some(7), Some(7)));
    assert!(traits(intel_segment).contains(&"memory=32gb".to_string()) && !traits(intel_segment).iter().any(|t| t.starts_with("storage")), "{intel_segment}");

    // Individuals: only the customer who said yes to marketing.
    let people = body["individuals"].as_array().unwrap();
    assert_eq!(people.len(), 1, "{body}");
    assert_eq!((people[0]["id"].as_str(), people[0]["email"].as_str(), people[0]["tier"].as_str(), people[0]["orders"].as_u64()), (Some(fan_id.as_str()), Some("fan@example.org"), Some("top"), Some(4)));
    assert_eq!(people[0]["segment"], intel_segment["id"]);
    let text = body.to_string();
    for private in ["quiet", "buyer", "Valued", "Geheimweg", &quiet_id] {
        assert!(!text.contains(private), "the answer holds {private}");
    }

    // Support sees the tier of a customer they look up (logged as before).
    let read = |id: &str| get(&format!("/api/staff/customers/{id}?reason=ticket%207"), Some(&support));
    assert_eq!(read(&fan_id).await.body["tier"], "top");
    assert_eq!(read(&quiet_id).await.body["tier"], "regular");
    let mut empty = Browser::at("10.7.1.4");
    empty.sign_in(&env, "nobody-yet@example.org").await;
    let empty_id = empty.me(&env).await["profile"]["id"].as_str().unwrap().to_string();
    assert_eq!(read(&empty_id).await.body["tier"], Value::Null);

    // Role boundaries.
    for key in [&support, &fulfilment, &store_key] {
        assert_eq!(get("/api/staff/differentiation", Some(key)).await.status, StatusCode::FORBIDDEN);
    }
    assert_eq!(get("/api/staff/differentiation", None).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(fan.send(&env, "GET", "/api/staff/differentiation", None).await.status, StatusCode::UNAUTHORIZED, "a customer's cookie is no staff key");

    // Withdrawn, the customer is no longer shown.
    fan.consent(&env, json!([{ "purpose": "marketing", "channel": "email", "state": "withdrawn" }])).await;
    let after = get("/api/staff/differentiation", Some(&marketing)).await;
    assert_eq!(after.body["individuals"], json!([]));
    assert_eq!(after.body["customers"].as_u64(), Some(n as u64), "still counted in the aggregates");
}
