//! Customer profiles and the privacy preference centre: a profile made when
//! a customer first saves something and held by an HttpOnly session cookie,
//! sign-in by a one-time e-mail code (linking devices, merging profiles),
//! per-purpose and per-channel consent in a hash-chained log with receipts,
//! Global Privacy Control, export and erasure, and the staff reads that need
//! to know (support, logged; marketing, counts only).

pub mod consent;
pub mod db;
pub mod notice;

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::api::{now_rfc3339, random_bytes, require_json, sha256_hex, store_failed};
use crate::catalogue::Catalogue;
use crate::problem::Problem;
use crate::store::StoreError;
use crate::store::sql::Db;
use consent::{ConsentEvent, OfferTerms};

pub const COOKIE: &str = "tailor_sid";
/// Sessions last 180 days.
const SESSION_SECONDS: u64 = 180 * 24 * 3600;
const CODE_SECONDS: i64 = 600;
const CODE_TRIES: i64 = 5;
pub const PLACES: [&str; 6] = ["preference-centre", "checkout", "kiosk", "partner-embed", "staff-assisted", "account"];

/// The session token from the request's cookie, if any.
pub fn session_token(headers: &HeaderMap) -> Option<String> {
    headers.get_all(header::COOKIE).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(';')).find_map(|pair| {
        let (name, value) = pair.trim().split_once('=')?;
        (name == COOKIE && !value.is_empty() && value.len() <= 100).then(|| value.to_string())
    })
}

/// `Sec-GPC: 1` exactly.
pub fn gpc_header(headers: &HeaderMap) -> bool {
    headers.get("sec-gpc").map(|v| v.as_bytes() == b"1").unwrap_or(false)
}

fn set_cookie(token: &str) -> HeaderValue {
    HeaderValue::from_str(&format!("{COOKIE}={token}; Path=/; Max-Age={SESSION_SECONDS}; HttpOnly; Secure; SameSite=Lax"))
        .expect("cookie text is ASCII")
}

fn clear_cookie() -> HeaderValue {
    HeaderValue::from_static("tailor_sid=; Path=/; Max-Age=0; HttpOnly; Secure; SameSite=Lax")
}

fn new_token() -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(random_bytes::<32>())
}

fn new_id(prefix: char) -> String {
    let bytes = random_bytes::<10>();
    let mut s = String::with_capacity(17);
    s.push(prefix);
    s.push_str(&crate::api::sha256_hex_of_digest(&bytes)[..16]);
    s
}

/// The request as privacy sees it.
#[derive(Clone)]
struct Visitor {
    /// Digest of the session cookie's token, when there is one.
    token_sha256: Option<String>,
    gpc: bool,
}

impl Visitor {
    fn of(headers: &HeaderMap) -> Visitor {
        Visitor { token_sha256: session_token(headers).map(|t| sha256_hex(t.as_bytes())), gpc: gpc_header(headers) }
    }

    /// The same visitor holding `token`, a session just made for it.
    fn with_token(&self, token: Option<&str>) -> Visitor {
        match token {
            Some(t) => Visitor { token_sha256: Some(sha256_hex(t.as_bytes())), gpc: self.gpc },
            None => self.clone(),
        }
    }
}

fn bad(kind: &str, title: &str, detail: impl Into<String>) -> Problem {
    Problem::new(StatusCode::UNPROCESSABLE_ENTITY, kind, title, detail)
}

pub(crate) fn json_body<T: serde::de::DeserializeOwned>(headers: &HeaderMap, body: Result<Bytes, BytesRejection>) -> Result<T, Problem> {
    require_json(headers)?;
    let body = body.map_err(|e| Problem::new(StatusCode::BAD_REQUEST, "unreadable-body", "Unreadable body", e.body_text()))?;
    serde_json::from_slice(&body)
        .map_err(|e| Problem::new(StatusCode::BAD_REQUEST, "malformed-body", "Malformed request", format!("The body is not valid: {e}")))
}

fn no_profile() -> Problem {
    Problem::new(StatusCode::NOT_FOUND, "no-profile", "No profile", "This browser holds no profile: nothing is stored about you here.")
}

/// Runs `work` in one transaction on the store: committed when it answers
/// `Ok`, rolled back when it refuses.
async fn in_tx<T: Send + 'static>(
    state: &AppState,
    work: impl FnOnce(&mut dyn Db) -> Result<T, Problem> + Send + 'static,
) -> Result<T, Problem> {
    state.store.transaction(work).await.map_err(store_failed)?
}

/// The customer behind the visitor's session.
fn customer(conn: &mut dyn Db, visitor: &Visitor) -> Result<Option<(String, bool)>, Problem> {
    match &visitor.token_sha256 {
        Some(t) => db::session_customer(conn, t).map_err(store_failed),
        None => Ok(None),
    }
}

/// The customer, made (with a session) when the browser has none; the
/// second value is the new session token to set as a cookie.
fn customer_or_new(conn: &mut dyn Db, visitor: &Visitor, catalogue: &Catalogue) -> Result<(String, Option<String>), Problem> {
    if let Some((id, _)) = customer(conn, visitor)? {
        return Ok((id, None));
    }
    let now = now_rfc3339();
    let id = new_id('C');
    db::create_customer(conn, &id, &now).map_err(store_failed)?;
    let token = new_token();
    db::create_session(conn, &sha256_hex(token.as_bytes()), &id, &now, visitor.gpc).map_err(store_failed)?;
    if visitor.gpc {
        record_gpc(conn, catalogue, &id, "en")?;
    }
    Ok((id, Some(token)))
}

/// An event for `purpose` (and channel) in the current notice.
fn event(catalogue: &Catalogue, customer: &str, purpose: &notice::Purpose, channel: &str, state: &str, method: &str, place: &str, language: &str) -> ConsentEvent {
    let n = &catalogue.notice;
    ConsentEvent {
        id: new_id('E'),
        schema: consent::SCHEMA.into(),
        customer: customer.into(),
        jurisdiction: n.jurisdiction.clone(),
        language: language.into(),
        notice_id: n.id.clone(),
        notice_version: n.version,
        notice_sha256: n.sha256.clone(),
        place: place.into(),
        method: method.into(),
        purpose: purpose.id.clone(),
        dpv: purpose.dpv.clone(),
        legal_basis: purpose.legal_basis.clone(),
        channel: channel.into(),
        data: purpose.data.clone(),
        recipients: purpose.recipients.clone(),
        retention: purpose.retention.clone(),
        optional: purpose.optional,
        state: state.into(),
        at: now_rfc3339(),
        actor: "customer".into(),
        actor_role: None,
        offer: None,
        erased: None,
    }
}

/// GPC: an opt-out of every purpose marked `gpc` (sale or sharing),
/// recorded as a GPC event once (not again while the last event is one).
fn record_gpc(conn: &mut dyn Db, catalogue: &Catalogue, customer: &str, language: &str) -> Result<Vec<String>, Problem> {
    let latest = db::latest(conn, customer).map_err(store_failed)?;
    let mut ids = Vec::new();
    for (p, channel) in catalogue.notice.switches() {
        if !p.gpc {
            continue;
        }
        let last = latest.get(&(p.id.clone(), channel.to_string()));
        if last.is_some_and(|e| e.method == "gpc" && !e.grants()) {
            continue;
        }
        let state = if last.is_some_and(ConsentEvent::grants) { "withdrawn" } else { "refused" };
        let e = event(catalogue, customer, p, channel, state, "gpc", "preference-centre", language);
        db::append(conn, &e).map_err(store_failed)?;
        ids.push(e.id);
    }
    Ok(ids)
}

/// One switch as the customer sees it.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct Switch {
    pub purpose: String,
    #[serde(skip_serializing_if = "String::is_empty", default)]
    pub channel: String,
    /// on, off, or ask-again (given under a notice that has since widened
    /// the purpose: it covers only the old scope until asked again).
    pub state: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last: Option<EventSummary>,
}

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct EventSummary {
    pub id: String,
    pub state: String,
    pub method: String,
    pub at: String,
    pub notice_version: u32,
}

fn switches(catalogue: &Catalogue, latest: &BTreeMap<(String, String), ConsentEvent>) -> Vec<Switch> {
    catalogue
        .notice
        .switches()
        .into_iter()
        .map(|(p, channel)| {
            let last = latest.get(&(p.id.clone(), channel.to_string()));
            let state = match last {
                Some(e) if e.grants() && e.notice_version >= p.scope_version => "on",
                Some(e) if e.grants() => "ask-again",
                _ => "off",
            };
            Switch {
                purpose: p.id.clone(),
                channel: channel.to_string(),
                state: state.into(),
                last: last.map(|e| EventSummary {
                    id: e.id.clone(),
                    state: e.state.clone(),
                    method: e.method.clone(),
                    at: e.at.clone(),
                    notice_version: e.notice_version,
                }),
            }
        })
        .collect()
}

fn is_on(switches: &[Switch], purpose: &str) -> bool {
    switches.iter().any(|s| s.purpose == purpose && s.channel.is_empty() && s.state == "on")
}

/// A member: the offer's purposes are all on and were given with the offer.
fn member(catalogue: &Catalogue, latest: &BTreeMap<(String, String), ConsentEvent>, switches: &[Switch]) -> Option<u32> {
    let offer = catalogue.notice.offer.as_ref()?;
    let all = offer.purposes.iter().all(|p| {
        is_on(switches, p)
            && latest.get(&(p.clone(), String::new())).and_then(|e| e.offer.as_ref()).is_some_and(|o| o.accepted && o.id == offer.id)
    });
    all.then_some(offer.percent_off)
}

#[derive(Serialize, Deserialize, Debug)]
pub struct OrderSummary {
    pub id: String,
    pub product: String,
    pub code: String,
    pub status: String,
    pub total: i64,
    pub currency: String,
    pub created_at: String,
    /// Reads the order's status page.
    pub access_token: String,
    /// What ordering the same again costs now, or why it cannot be.
    pub again: Again,
}

#[derive(Serialize, Deserialize, Debug)]
pub struct Again {
    pub available: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

#[derive(Serialize, Deserialize, Debug)]
pub struct ProfileView {
    pub id: String,
    pub created_at: String,
    pub signed_in: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    pub measurements: Option<serde_json::Value>,
    pub answers: serde_json::Value,
    pub saved: Vec<db::Saved>,
    pub orders: Vec<OrderSummary>,
    /// The member discount in percent, when a member.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub member_percent_off: Option<u32>,
}

#[derive(Serialize, Deserialize, Debug)]
pub struct MeView {
    pub profile: Option<ProfileView>,
    pub consents: Vec<Switch>,
    /// The browser sends Global Privacy Control (now or before, in this session).
    pub gpc: bool,
    pub notice: NoticeRef,
}

#[derive(Serialize, Deserialize, Debug)]
pub struct NoticeRef {
    pub id: String,
    pub version: u32,
    pub sha256: String,
}

fn again(catalogue: &Catalogue, row: &crate::store::OrderRow, percent_off: Option<u32>) -> Again {
    let no = |reason: &str| Again { available: false, total: None, reason: Some(reason.into()) };
    let Some(model) = catalogue.model(&row.product) else { return no("product-withdrawn") };
    if model.version() != row.catalogue_version {
        return no("catalogue-changed");
    }
    if row.contact_json == "{}" {
        return no("details-erased");
    }
    match model.decode(&row.code).ok().and_then(|c| model.quote(&c).ok()) {
        Some(q) => Again { available: true, total: Some(discounted(q.total, percent_off)), reason: None },
        None => no("no-longer-valid"),
    }
}

/// The member price: `percent` off, rounded to the nearest minor unit.
pub fn discounted(total: i64, percent: Option<u32>) -> i64 {
    tailor_engine::member_price(total, percent)
}

fn me_view(conn: &mut dyn Db, catalogue: &Catalogue, secret: &[u8; 32], visitor: &Visitor) -> Result<MeView, Problem> {
    let found = customer(conn, visitor)?;
    let notice = NoticeRef { id: catalogue.notice.id.clone(), version: catalogue.notice.version, sha256: catalogue.notice.sha256.clone() };
    let Some((id, session_gpc)) = found else {
        return Ok(MeView { profile: None, consents: switches(catalogue, &BTreeMap::new()), gpc: visitor.gpc, notice });
    };
    let profile = db::profile(conn, &id).map_err(store_failed)?.ok_or_else(no_profile)?;
    let latest = db::latest(conn, &id).map_err(store_failed)?;
    let consents = switches(catalogue, &latest);
    let member = member(catalogue, &latest, &consents);
    let orders = db::orders(conn, &id)
        .map_err(store_failed)?
        .into_iter()
        .map(|row| OrderSummary {
            again: again(catalogue, &row, member),
            access_token: crate::api::order_token(secret, &row.id),
            id: row.id,
            product: row.product,
            code: row.code,
            status: row.status,
            total: row.total_minor,
            currency: row.currency,
            created_at: row.created_at,
        })
        .collect();
    Ok(MeView {
        profile: Some(ProfileView {
            signed_in: profile.email.is_some(),
            email: profile.email,
            measurements: profile.measurements_json.as_deref().and_then(|m| serde_json::from_str(m).ok()),
            answers: serde_json::from_str(&profile.answers_json).unwrap_or_default(),
            saved: db::saved(conn, &id).map_err(store_failed)?,
            orders,
            member_percent_off: member,
            id: profile.id,
            created_at: profile.created_at,
        }),
        consents,
        gpc: visitor.gpc || session_gpc,
        notice,
    })
}

fn with_cookie(mut response: Response, token: Option<String>) -> Response {
    if let Some(token) = token {
        response.headers_mut().append(header::SET_COOKIE, set_cookie(&token));
    }
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// `GET /api/privacy/notice`: the notice with its version and digest.
pub async fn get_notice(State(state): State<AppState>) -> Response {
    let n = &state.catalogue.notice;
    Json(serde_json::json!({ "sha256": n.sha256, "notice": n.json })).into_response()
}

/// Records a GPC signal for the visitor's profile (and session), if any;
/// then the profile view.
fn gpc_then_view(conn: &mut dyn Db, catalogue: &Catalogue, secret: &[u8; 32], visitor: &Visitor, language: &str) -> Result<MeView, Problem> {
    if visitor.gpc
        && let Some((id, _)) = customer(conn, visitor)?
    {
        record_gpc(conn, catalogue, &id, language)?;
        if let Some(t) = &visitor.token_sha256 {
            db::mark_session_gpc(conn, t).map_err(store_failed)?;
        }
    }
    me_view(conn, catalogue, secret, visitor)
}

/// `GET /api/me`: the profile and every switch. A browser sending GPC with a
/// profile gets the opt-out recorded.
pub async fn get_me(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, Problem> {
    let visitor = Visitor::of(&headers);
    let catalogue = state.catalogue.clone();
    let secret = *state.store.token_secret();
    let view = in_tx(&state, move |conn| gpc_then_view(conn, &catalogue, &secret, &visitor, "en")).await?;
    Ok(with_cookie(Json(view).into_response(), None))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GpcSignal {
    /// `navigator.globalPrivacyControl` as the page read it.
    pub global_privacy_control: bool,
    #[serde(default)]
    pub language: Option<String>,
}

/// `POST /api/me/gpc`: the page saw `navigator.globalPrivacyControl`.
pub async fn post_gpc(State(state): State<AppState>, headers: HeaderMap, body: Result<Bytes, BytesRejection>) -> Result<Response, Problem> {
    let signal: GpcSignal = json_body(&headers, body)?;
    let mut visitor = Visitor::of(&headers);
    visitor.gpc |= signal.global_privacy_control;
    let language = language(signal.language.as_deref())?;
    let catalogue = state.catalogue.clone();
    let secret = *state.store.token_secret();
    let view = in_tx(&state, move |conn| gpc_then_view(conn, &catalogue, &secret, &visitor, &language)).await?;
    Ok(with_cookie(Json(view).into_response(), None))
}

fn language(l: Option<&str>) -> Result<String, Problem> {
    match l.unwrap_or("en") {
        "en" => Ok("en".into()),
        "zh-CN" => Ok("zh-CN".into()),
        other => Err(bad("invalid-language", "Unknown language", format!("language must be \"en\" or \"zh-CN\", not \"{other}\"."))),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Change {
    pub purpose: String,
    #[serde(default)]
    pub channel: String,
    /// "given" or "withdrawn" (recorded as "refused" when nothing was given).
    pub state: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConsentChanges {
    pub notice_version: u32,
    pub notice_sha256: String,
    pub place: String,
    #[serde(default)]
    pub language: Option<String>,
    pub changes: Vec<Change>,
    /// Accepting the member offer: `changes` give exactly its purposes.
    #[serde(default)]
    pub offer: Option<String>,
}

/// `POST /api/me/consents`: one or more switches changed; each becomes an
/// event in the customer's chain (a profile is made on the first one).
pub async fn post_consents(State(state): State<AppState>, headers: HeaderMap, body: Result<Bytes, BytesRejection>) -> Result<Response, Problem> {
    let req: ConsentChanges = json_body(&headers, body)?;
    let visitor = Visitor::of(&headers);
    let catalogue = state.catalogue.clone();
    let n = &catalogue.notice;
    if req.notice_version != n.version || req.notice_sha256 != n.sha256 {
        return Err(Problem::new(
            StatusCode::CONFLICT,
            "notice-changed",
            "The privacy notice changed",
            format!("You saw version {} of the notice; the current one is version {}. Reload to read it before choosing.", req.notice_version, n.version),
        )
        .with("current_version", n.version));
    }
    if !PLACES.contains(&req.place.as_str()) {
        return Err(bad("invalid-place", "Unknown place", format!("place must be one of {}.", PLACES.join(", "))));
    }
    let language = language(req.language.as_deref())?;
    if req.changes.is_empty() || req.changes.len() > 32 {
        return Err(bad("invalid-changes", "No changes", "Send 1 to 32 changes."));
    }
    for c in &req.changes {
        let p = n
            .purpose(&c.purpose)
            .ok_or_else(|| bad("unknown-purpose", "Unknown purpose", format!("There is no purpose \"{}\" in the notice.", c.purpose)))?;
        if !p.optional {
            return Err(bad(
                "required-purpose",
                "Required, not a choice",
                format!("\"{}\" is needed to fulfil orders; it is shown, not switched.", p.id),
            ));
        }
        let channel_ok = if p.channels.is_empty() { c.channel.is_empty() } else { p.channels.contains(&c.channel) };
        if !channel_ok {
            return Err(bad(
                "invalid-channel",
                "Unknown channel",
                if p.channels.is_empty() {
                    format!("\"{}\" has no channels.", p.id)
                } else {
                    format!("\"{}\" has the channels {}.", p.id, p.channels.join(", "))
                },
            ));
        }
        if !matches!(c.state.as_str(), "given" | "withdrawn") {
            return Err(bad("invalid-state", "Unknown state", "state must be \"given\" or \"withdrawn\"."));
        }
        if c.state == "given" && p.gpc && visitor.gpc {
            return Err(Problem::new(
                StatusCode::CONFLICT,
                "gpc-opt-out",
                "Your browser opts out",
                "Your browser sends Global Privacy Control, which opts out of sharing; it is not switched on from this browser.",
            ));
        }
    }
    let offer = match &req.offer {
        None => None,
        Some(id) => {
            let o = n.offer.as_ref().filter(|o| &o.id == id).ok_or_else(|| bad("unknown-offer", "Unknown offer", format!("There is no offer \"{id}\".")))?;
            let mut asked: Vec<&str> = req.changes.iter().filter(|c| c.state == "given").map(|c| c.purpose.as_str()).collect();
            asked.sort();
            let mut wanted: Vec<&str> = o.purposes.iter().map(String::as_str).collect();
            wanted.sort();
            if asked != wanted || req.changes.len() != wanted.len() {
                return Err(bad("invalid-offer", "Offer mismatch", format!("Accepting \"{id}\" gives exactly: {}.", o.purposes.join(", "))));
            }
            Some(OfferTerms {
                id: o.id.clone(),
                terms_version: o.terms_version,
                value: format!("{}% off every order", o.percent_off),
                estimate: o.estimate.get("en").and_then(|v| v.as_str()).unwrap_or_default().to_string(),
                purposes: o.purposes.clone(),
                accepted: true,
            })
        }
    };
    let secret = *state.store.token_secret();
    let catalogue = state.catalogue.clone();
    let (view, token, events) = in_tx(&state, move |conn| {
        let (id, token) = customer_or_new(conn, &visitor, &catalogue)?;
        let latest = db::latest(conn, &id).map_err(store_failed)?;
        let mut events = Vec::new();
        for c in &req.changes {
            let p = catalogue.notice.purpose(&c.purpose).expect("checked above");
            let last = latest.get(&(c.purpose.clone(), c.channel.clone()));
            let current = last.is_some_and(|e| e.grants() && e.notice_version >= p.scope_version);
            let granted_before = last.is_some_and(ConsentEvent::grants);
            let new_state = match (c.state.as_str(), current, granted_before) {
                ("given", true, _) if offer.is_none() => continue,
                ("given", _, true) => "renewed",
                ("given", _, false) => "given",
                (_, _, true) => "withdrawn",
                _ if last.is_some_and(|e| e.state == "refused") => continue,
                _ => "refused",
            };
            let mut e = event(&catalogue, &id, p, &c.channel, new_state, "toggle", &req.place, &language);
            e.offer = offer.clone();
            db::append(conn, &e).map_err(store_failed)?;
            events.push(e.id.clone());
            if !e.grants() {
                // Kept only with consent: withdrawing deletes it.
                match p.id.as_str() {
                    "measurements" => db::set_measurements(conn, &id, None).map_err(store_failed)?,
                    "recommendations" => db::set_answers(conn, &id, "{}").map_err(store_failed)?,
                    _ => {}
                }
            }
        }
        let visitor = visitor.with_token(token.as_deref());
        Ok((me_view(conn, &catalogue, &secret, &visitor)?, token, events))
    })
    .await?;
    tracing::info!(events = events.len(), "consent recorded");
    let body = serde_json::json!({ "events": events, "me": view });
    Ok(with_cookie(Json(body).into_response(), token))
}

/// `GET /api/me/consents/{id}/receipt`: one event as a receipt to keep.
pub async fn get_receipt(State(state): State<AppState>, headers: HeaderMap, Path(event_id): Path<String>) -> Result<Response, Problem> {
    let visitor = Visitor::of(&headers);
    let catalogue = state.catalogue.clone();
    let receipt = in_tx(&state, move |conn| {
        let (id, _) = customer(conn, &visitor)?.ok_or_else(no_profile)?;
        let link = db::event(conn, &id, &event_id)
            .map_err(store_failed)?
            .ok_or_else(|| Problem::new(StatusCode::NOT_FOUND, "not-found", "No such receipt", "You have no consent change with this id."))?;
        let event: serde_json::Value = serde_json::from_str(&link.event_json).map_err(|_| Problem::internal())?;
        Ok(serde_json::json!({
            "receipt": "Tailor consent receipt",
            "controller": catalogue.notice.json.get("controller"),
            "event": event,
            "chain": { "prev_sha256": link.prev_sha256, "sha256": link.sha256 },
        }))
    })
    .await?;
    let name = format!("attachment; filename=\"tailor-consent-{}.json\"", receipt["event"]["id"].as_str().unwrap_or("receipt"));
    let mut response = Json(receipt).into_response();
    response.headers_mut().insert(header::CONTENT_DISPOSITION, HeaderValue::from_str(&name).map_err(|_| Problem::internal())?);
    Ok(with_cookie(response, None))
}

#[derive(Deserialize, Serialize, Clone, Debug)]
#[serde(deny_unknown_fields)]
pub struct MeasurementsBody {
    pub waist_cm: f64,
    pub hip_cm: f64,
    pub inseam_cm: f64,
    #[serde(default)]
    pub rise_cm: Option<f64>,
    #[serde(default)]
    pub thigh_cm: Option<f64>,
    /// slim, regular or relaxed.
    #[serde(default)]
    pub preference: Option<String>,
}

/// `PUT /api/me/measurements`: kept only while "measurements" is on.
pub async fn put_measurements(State(state): State<AppState>, headers: HeaderMap, body: Result<Bytes, BytesRejection>) -> Result<Response, Problem> {
    let m: MeasurementsBody = json_body(&headers, body)?;
    let check = tailor_engine::fit::Measurements { waist_cm: m.waist_cm, hip_cm: m.hip_cm, inseam_cm: m.inseam_cm, rise_cm: m.rise_cm, thigh_cm: m.thigh_cm }.check();
    if !check.is_empty() {
        let list: Vec<String> = check.iter().map(ToString::to_string).collect();
        return Err(bad("implausible-measurements", "Check your measurements", format!("{}.", list.join("; "))));
    }
    if m.preference.as_deref().is_some_and(|p| !matches!(p, "slim" | "regular" | "relaxed")) {
        return Err(bad("invalid-preference", "Unknown fit", "preference is slim, regular or relaxed."));
    }
    let visitor = Visitor::of(&headers);
    let catalogue = state.catalogue.clone();
    let secret = *state.store.token_secret();
    let view = in_tx(&state, move |conn| {
        let (id, _) = customer(conn, &visitor)?.ok_or_else(consent_needed)?;
        let consents = switches(&catalogue, &db::latest(conn, &id).map_err(store_failed)?);
        if !is_on(&consents, "measurements") {
            return Err(consent_needed());
        }
        let json = serde_json::to_string(&m).map_err(|_| Problem::internal())?;
        db::set_measurements(conn, &id, Some(&json)).map_err(store_failed)?;
        me_view(conn, &catalogue, &secret, &visitor)
    })
    .await?;
    Ok(with_cookie(Json(view).into_response(), None))
}

fn consent_needed() -> Problem {
    Problem::new(
        StatusCode::CONFLICT,
        "consent-needed",
        "Not without your consent",
        "Measurements are kept only when \"Remember my measurements\" is on.",
    )
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SaveBody {
    pub product: String,
    pub code: String,
    pub name: String,
}

/// `POST /api/me/configurations`: saves a configuration (making the profile
/// on the first save).
pub async fn post_configuration(State(state): State<AppState>, headers: HeaderMap, body: Result<Bytes, BytesRejection>) -> Result<Response, Problem> {
    let b: SaveBody = json_body(&headers, body)?;
    let model = state
        .catalogue
        .model(&b.product)
        .ok_or_else(|| bad("unknown-product", "Unknown product", format!("There is no product \"{}\".", b.product)))?;
    let choices = model.decode(&b.code).map_err(|e| bad("invalid-code", "Invalid configuration code", format!("{}: {e}.", b.code)))?;
    let name = b.name.trim().to_string();
    if name.is_empty() || name.chars().count() > 80 || name.chars().any(char::is_control) {
        return Err(bad("invalid-name", "Name the configuration", "A name of 1 to 80 characters, without control characters."));
    }
    let saved = db::Saved { id: new_id('G'), product: b.product.clone(), code: model.encode(&choices), name, created_at: now_rfc3339() };
    let visitor = Visitor::of(&headers);
    let catalogue = state.catalogue.clone();
    let secret = *state.store.token_secret();
    let (view, token) = in_tx(&state, move |conn| {
        let (id, token) = customer_or_new(conn, &visitor, &catalogue)?;
        if db::saved(conn, &id).map_err(store_failed)?.len() >= 100 {
            return Err(bad("too-many-saved", "Too many saved", "You can keep 100 configurations; delete one first."));
        }
        db::save_configuration(conn, &id, &saved).map_err(store_failed)?;
        let visitor = visitor.with_token(token.as_deref());
        Ok((me_view(conn, &catalogue, &secret, &visitor)?, token))
    })
    .await?;
    Ok(with_cookie((StatusCode::CREATED, Json(view)).into_response(), token))
}

/// `DELETE /api/me/configurations/{id}`.
pub async fn delete_configuration(State(state): State<AppState>, headers: HeaderMap, Path(saved): Path<String>) -> Result<Response, Problem> {
    let visitor = Visitor::of(&headers);
    let catalogue = state.catalogue.clone();
    let secret = *state.store.token_secret();
    let view = in_tx(&state, move |conn| {
        let (id, _) = customer(conn, &visitor)?.ok_or_else(no_profile)?;
        if !db::delete_configuration(conn, &id, &saved).map_err(store_failed)? {
            return Err(Problem::new(StatusCode::NOT_FOUND, "not-found", "Not found", "You have no saved configuration with this id."));
        }
        me_view(conn, &catalogue, &secret, &visitor)
    })
    .await?;
    Ok(with_cookie(Json(view).into_response(), None))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnswerBody {
    pub question: String,
    pub answer: String,
}

/// `POST /api/me/answers`: the answer to an optional profile question (used
/// for recommendations, so kept only while they are on).
pub async fn post_answer(State(state): State<AppState>, headers: HeaderMap, body: Result<Bytes, BytesRejection>) -> Result<Response, Problem> {
    let b: AnswerBody = json_body(&headers, body)?;
    let questions = state.catalogue.notice.json.get("questions").and_then(|q| q.as_array()).cloned().unwrap_or_default();
    let q = questions
        .iter()
        .find(|q| q["id"] == b.question.as_str())
        .ok_or_else(|| bad("unknown-question", "Unknown question", format!("There is no question \"{}\".", b.question)))?;
    let ok = q["options"].as_array().is_some_and(|o| o.iter().any(|o| o["id"] == b.answer.as_str()));
    if !ok {
        return Err(bad("invalid-answer", "Unknown answer", format!("\"{}\" is not an answer to \"{}\".", b.answer, b.question)));
    }
    let visitor = Visitor::of(&headers);
    let catalogue = state.catalogue.clone();
    let secret = *state.store.token_secret();
    let view = in_tx(&state, move |conn| {
        let (id, _) = customer(conn, &visitor)?.ok_or_else(no_profile)?;
        if !is_on(&switches(&catalogue, &db::latest(conn, &id).map_err(store_failed)?), "recommendations") {
            return Err(Problem::new(
                StatusCode::CONFLICT,
                "consent-needed",
                "Not without your consent",
                "Answers are kept only while personalised recommendations are on.",
            ));
        }
        let profile = db::profile(conn, &id).map_err(store_failed)?.ok_or_else(no_profile)?;
        let mut answers: serde_json::Map<String, serde_json::Value> = serde_json::from_str(&profile.answers_json).unwrap_or_default();
        answers.insert(b.question, b.answer.into());
        db::set_answers(conn, &id, &serde_json::Value::Object(answers).to_string()).map_err(store_failed)?;
        me_view(conn, &catalogue, &secret, &visitor)
    })
    .await?;
    Ok(with_cookie(Json(view).into_response(), None))
}

/// `GET /api/me/export`: everything held about the customer.
pub async fn get_export(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, Problem> {
    let visitor = Visitor::of(&headers);
    let export = in_tx(&state, move |conn| {
        let (id, _) = customer(conn, &visitor)?.ok_or_else(no_profile)?;
        let profile = db::profile(conn, &id).map_err(store_failed)?.ok_or_else(no_profile)?;
        let orders: Vec<crate::api::OrderView> = db::orders(conn, &id).map_err(store_failed)?.iter().map(crate::api::view).collect::<Result<_, _>>()?;
        let events: Vec<serde_json::Value> = db::links(conn, &id)
            .map_err(store_failed)?
            .into_iter()
            .map(|l| {
                let mut e: serde_json::Value = serde_json::from_str(&l.event_json).unwrap_or_default();
                e["chain"] = serde_json::json!({ "prev_sha256": l.prev_sha256, "sha256": l.sha256 });
                e
            })
            .collect();
        let reads: Vec<serde_json::Value> = db::staff_reads(conn, &id)
            .map_err(store_failed)?
            .into_iter()
            .map(|(staff, role, reason, at)| serde_json::json!({ "staff": staff, "role": role, "reason": reason, "at": at }))
            .collect();
        Ok(serde_json::json!({
            "exported_at": now_rfc3339(),
            "profile": {
                "id": profile.id,
                "created_at": profile.created_at,
                "email": profile.email,
                "measurements": profile.measurements_json.as_deref().and_then(|m| serde_json::from_str::<serde_json::Value>(m).ok()),
                "answers": serde_json::from_str::<serde_json::Value>(&profile.answers_json).unwrap_or_default(),
            },
            "saved_configurations": db::saved(conn, &id).map_err(store_failed)?,
            "orders": orders,
            "consent_events": events,
            "staff_reads": reads,
        }))
    })
    .await?;
    let mut response = Json(export).into_response();
    response.headers_mut().insert(header::CONTENT_DISPOSITION, HeaderValue::from_static("attachment; filename=\"tailor-my-data.json\""));
    Ok(with_cookie(response, None))
}

/// `POST /api/me/erase`: deletes the personal data, keeps order records
/// without personal fields, keeps only the erasure in the consent log, and
/// signs every device out.
pub async fn post_erase(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, Problem> {
    let visitor = Visitor::of(&headers);
    let catalogue = state.catalogue.clone();
    let (customer_id, removed) = in_tx(&state, move |conn| {
        let (id, _) = customer(conn, &visitor)?.ok_or_else(no_profile)?;
        let erased = db::erase(conn, &id, &now_rfc3339()).map_err(store_failed)?;
        let required = catalogue.notice.purposes.iter().find(|p| !p.optional).or(catalogue.notice.purposes.first()).ok_or_else(Problem::internal)?;
        let mut e = event(&catalogue, &id, required, "", "erased", "erasure-request", "account", "en");
        let removed = erased.events;
        e.erased = Some(erased);
        db::append(conn, &e).map_err(store_failed)?;
        Ok((id, removed))
    })
    .await?;
    tracing::info!(customer = %customer_id, consent_events_removed = removed, "profile erased");
    let mut response = StatusCode::NO_CONTENT.into_response();
    response.headers_mut().append(header::SET_COOKIE, clear_cookie());
    response.headers_mut().insert("clear-site-data", HeaderValue::from_static("\"cache\", \"storage\""));
    Ok(response)
}

/// `POST /api/me/sign-out`: this browser forgets the profile.
pub async fn post_sign_out(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, Problem> {
    if let Some(t) = Visitor::of(&headers).token_sha256 {
        state.store.transaction(move |db| db::delete_session(db, &t)).await.map_err(store_failed)?.map_err(store_failed)?;
    }
    let mut response = StatusCode::NO_CONTENT.into_response();
    response.headers_mut().append(header::SET_COOKIE, clear_cookie());
    Ok(response)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignInBody {
    pub email: String,
    #[serde(default)]
    pub language: Option<String>,
}

fn normal_email(email: &str) -> Result<String, Problem> {
    let e = email.trim().to_lowercase();
    if e.len() > 254 || !tailor_engine::contact::email_ok(&e) {
        return Err(bad("invalid-email", "Check the e-mail address", "Enter an e-mail address such as name@example.com."));
    }
    Ok(e)
}

/// `POST /api/sign-in`: mails a one-time code. The answer is the same
/// whether or not a profile has this address.
pub async fn post_sign_in(State(state): State<AppState>, headers: HeaderMap, body: Result<Bytes, BytesRejection>) -> Result<Response, Problem> {
    let b: SignInBody = json_body(&headers, body)?;
    let email = normal_email(&b.email)?;
    let language = language(b.language.as_deref())?;
    let digest = sha256_hex(email.as_bytes());
    let code = format!("{:06}", u32::from_be_bytes(random_bytes::<4>()) % 1_000_000);
    let code_digest = sha256_hex(format!("{digest}:{code}").as_bytes());
    let now = crate::api::unix_seconds() as i64;
    let d = digest.clone();
    let fresh = in_tx(&state, move |conn| {
        // One code per address per 30 s.
        if let Some((_, expires, _)) = db::code(conn, &d).map_err(store_failed)?
            && expires - CODE_SECONDS + 30 > now
        {
            return Ok(false);
        }
        db::put_code(conn, &d, &code_digest, now + CODE_SECONDS).map_err(store_failed)?;
        Ok(true)
    })
    .await?;
    if !fresh {
        return Err(Problem::new(StatusCode::TOO_MANY_REQUESTS, "code-just-sent", "Code just sent", "A code was sent less than 30 seconds ago; check your mail."));
    }
    let (subject, text) = if language == "zh-CN" {
        ("您的 Tailor 登录验证码".to_string(), format!("您的验证码是 {code}，10 分钟内有效。\n如果这不是您本人的操作，请忽略此邮件。"))
    } else {
        ("Your Tailor sign-in code".to_string(), format!("Your code is {code}. It works for 10 minutes.\nIf you did not ask for it, ignore this message."))
    };
    state.mailer.send(crate::mail::Mail { to: email, subject, body: text }).map_err(|e| {
        tracing::error!(error = %e, "the mailer failed");
        Problem::new(StatusCode::SERVICE_UNAVAILABLE, "mail-failed", "Could not send", "The code could not be sent; please try again.")
    })?;
    tracing::info!("sign-in code sent");
    Ok((StatusCode::ACCEPTED, Json(serde_json::json!({ "sent": true, "expires_in": CODE_SECONDS }))).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VerifyBody {
    pub email: String,
    pub code: String,
}

/// `POST /api/sign-in/verify`: the code signs this browser in to the
/// profile with this address; a profile this browser had already is merged
/// into it (one customer, not one record per device).
pub async fn post_verify(State(state): State<AppState>, headers: HeaderMap, body: Result<Bytes, BytesRejection>) -> Result<Response, Problem> {
    let b: VerifyBody = json_body(&headers, body)?;
    let email = normal_email(&b.email)?;
    let code = b.code.trim().to_string();
    let digest = sha256_hex(email.as_bytes());
    let visitor = Visitor::of(&headers);
    let catalogue = state.catalogue.clone();
    let secret = *state.store.token_secret();
    let now = crate::api::unix_seconds() as i64;
    let outcome = in_tx(&state, move |conn| {
        let wrong = |left: i64| {
            bad("wrong-code", "Wrong code", format!("That code is not right; {left} tries left.")).with("tries_left", left)
        };
        let Some((code_digest, expires, tries)) = db::code(conn, &digest).map_err(store_failed)? else {
            return Ok(Err(bad("no-code", "Ask for a new code", "There is no code for this address, or it was used; ask for a new one.")));
        };
        if expires < now || tries >= CODE_TRIES {
            db::drop_code(conn, &digest).map_err(store_failed)?;
            return Ok(Err(bad("code-expired", "Ask for a new code", "This code has expired or was tried too often; ask for a new one.")));
        }
        if sha256_hex(format!("{digest}:{code}").as_bytes()) != code_digest {
            db::count_try(conn, &digest).map_err(store_failed)?;
            return Ok(Err(wrong(CODE_TRIES - tries - 1)));
        }
        db::drop_code(conn, &digest).map_err(store_failed)?;
        let now_text = now_rfc3339();
        let here = customer(conn, &visitor)?.map(|(id, _)| id);
        let owner = db::customer_by_email(conn, &digest).map_err(store_failed)?;
        let mut token = None;
        let mut merged = false;
        let target = match (here, owner) {
            (None, None) => {
                let id = new_id('C');
                db::create_customer(conn, &id, &now_text).map_err(store_failed)?;
                db::set_email(conn, &id, &email, &digest).map_err(store_failed)?;
                id
            }
            (Some(here), None) => {
                db::set_email(conn, &here, &email, &digest).map_err(store_failed)?;
                here
            }
            (None, Some(owner)) => owner,
            (Some(here), Some(owner)) if here == owner => owner,
            (Some(here), Some(owner)) => {
                merge_consents(conn, &catalogue, &here, &owner)?;
                db::merge(conn, &here, &owner).map_err(store_failed)?;
                merged = true;
                owner
            }
        };
        if customer(conn, &visitor)?.is_none() {
            let t = new_token();
            db::create_session(conn, &sha256_hex(t.as_bytes()), &target, &now_text, visitor.gpc).map_err(store_failed)?;
            token = Some(t);
        }
        let visitor = visitor.with_token(token.as_deref());
        if visitor.gpc {
            record_gpc(conn, &catalogue, &target, "en")?;
        }
        Ok(Ok((me_view(conn, &catalogue, &secret, &visitor)?, token, merged)))
    })
    .await?;
    let (view, token, merged) = outcome?;
    tracing::info!(merged, "signed in");
    Ok(with_cookie(Json(serde_json::json!({ "merged": merged, "me": view })).into_response(), token))
}

/// Before merging `from` into `to`: for each switch where `from` decided
/// later than `to`, that decision is carried over as an event in `to`'s
/// chain (method "sign-in-merge", same state and notice version).
fn merge_consents(conn: &mut dyn Db, catalogue: &Catalogue, from: &str, to: &str) -> Result<(), Problem> {
    let theirs = db::latest(conn, from).map_err(store_failed)?;
    let ours = db::latest(conn, to).map_err(store_failed)?;
    for (key, e) in theirs {
        if ours.get(&key).is_some_and(|o| o.at >= e.at) {
            continue;
        }
        let Some(_) = catalogue.notice.purpose(&e.purpose) else { continue };
        let mut carried = e.clone();
        carried.id = new_id('E');
        carried.customer = to.to_string();
        carried.method = "sign-in-merge".into();
        carried.at = now_rfc3339();
        db::append(conn, &carried).map_err(store_failed)?;
    }
    Ok(())
}

/// Links an order to the customer behind the request's session (orders
/// placed signed out stay unlinked).
pub async fn link_order(state: &AppState, headers: &HeaderMap, order_id: &str) {
    let visitor = Visitor::of(headers);
    if visitor.token_sha256.is_none() {
        return;
    }
    let order = order_id.to_string();
    let linked = state
        .store
        .transaction(move |conn| {
            if let Some(t) = &visitor.token_sha256
                && let Some((id, _)) = db::session_customer(conn, t)?
            {
                db::link_order(conn, &id, &order)?;
            }
            Ok::<_, StoreError>(())
        })
        .await;
    if let Err(e) | Ok(Err(e)) = linked {
        tracing::error!(error = %e, "could not link the order to the profile");
    }
}

/// The member discount for the request's customer, if a member.
pub async fn member_discount(state: &AppState, headers: &HeaderMap) -> Option<u32> {
    let visitor = Visitor::of(headers);
    visitor.token_sha256.as_ref()?;
    let catalogue = state.catalogue.clone();
    state
        .store
        .transaction(move |conn| {
            let Some(t) = &visitor.token_sha256 else { return Ok(None) };
            let Some((id, _)) = db::session_customer(conn, t)? else { return Ok(None) };
            let latest = db::latest(conn, &id)?;
            Ok::<_, StoreError>(member(&catalogue, &latest, &switches(&catalogue, &latest)))
        })
        .await
        .ok()
        .and_then(Result::ok)
        .flatten()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgainBody {
    /// The total the customer saw on the button.
    pub price_seen: i64,
}

/// `POST /api/me/orders/{id}/again`: the same order again (same choices,
/// texts, contact and address), checked and priced as a new order.
pub async fn post_again(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(order_id): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, Problem> {
    let b: AgainBody = json_body(&headers, body)?;
    let visitor = Visitor::of(&headers);
    let row = in_tx(&state, move |conn| {
        let (id, _) = customer(conn, &visitor)?.ok_or_else(no_profile)?;
        let mine = db::orders(conn, &id).map_err(store_failed)?.into_iter().find(|o| o.id == order_id);
        mine.ok_or_else(|| Problem::new(StatusCode::NOT_FOUND, "not-found", "No such order", "You have no order with this id."))
    })
    .await?;
    if row.contact_json == "{}" {
        return Err(bad("details-erased", "Details erased", "This order's contact details were erased; order it from the configurator."));
    }
    let order = serde_json::json!({
        "product": row.product,
        "catalogue_version": row.catalogue_version,
        "code": row.code,
        "price_seen": b.price_seen,
        "texts": serde_json::from_str::<serde_json::Value>(&row.texts_json).unwrap_or_default(),
        "contact": serde_json::from_str::<serde_json::Value>(&row.contact_json).unwrap_or_default(),
        "shipping": serde_json::from_str::<serde_json::Value>(&row.shipping_json).unwrap_or_default(),
        "locale": row.locale,
    });
    crate::api::create_order(State(state), headers, Ok(Bytes::from(order.to_string()))).await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SupportQuery {
    /// Why the profile is read (a ticket, the customer's request); logged.
    pub reason: Option<String>,
    pub email: Option<String>,
}

fn reason(q: &SupportQuery) -> Result<String, Problem> {
    let r = q.reason.as_deref().map(str::trim).unwrap_or_default();
    if r.is_empty() || r.chars().count() > 200 || r.chars().any(char::is_control) {
        return Err(Problem::new(
            StatusCode::BAD_REQUEST,
            "reason-required",
            "Say why",
            "Support reads a customer's data only on request: give ?reason= (1 to 200 characters, such as a ticket number).",
        ));
    }
    Ok(r.to_string())
}

/// `GET /api/staff/customers?email=&reason=` (support): which profile has
/// this address. Logged as a read.
pub async fn staff_find(State(state): State<AppState>, headers: HeaderMap, Query(q): Query<SupportQuery>) -> Result<Response, Problem> {
    let staff = crate::staff::authenticate(&state, &headers, &["support"]).await?;
    let why = reason(&q)?;
    let email = normal_email(q.email.as_deref().unwrap_or_default())?;
    let found = in_tx(&state, move |conn| {
        let id = db::customer_by_email(conn, &sha256_hex(email.as_bytes())).map_err(store_failed)?;
        if let Some(id) = &id {
            db::log_staff_read(conn, &staff.id, &staff.role, id, &why, &now_rfc3339()).map_err(store_failed)?;
        }
        Ok(id)
    })
    .await?;
    Ok(Json(serde_json::json!({ "customers": found.into_iter().collect::<Vec<_>>() })).into_response())
}

/// `GET /api/staff/customers/{id}?reason=` (support): the customer's
/// profile, orders and switches. Every read is logged (and shown to the
/// customer in their export).
pub async fn staff_customer(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(customer_id): Path<String>,
    Query(q): Query<SupportQuery>,
) -> Result<Response, Problem> {
    let staff = crate::staff::authenticate(&state, &headers, &["support"]).await?;
    let why = reason(&q)?;
    let catalogue = state.catalogue.clone();
    let staff_id = staff.id.clone();
    let view = in_tx(&state, move |conn| {
        let profile = db::profile(conn, &customer_id)
            .map_err(store_failed)?
            .ok_or_else(|| Problem::new(StatusCode::NOT_FOUND, "not-found", "No such customer", "There is no (unerased) customer with this id."))?;
        db::log_staff_read(conn, &staff.id, &staff.role, &customer_id, &why, &now_rfc3339()).map_err(store_failed)?;
        let orders: Vec<crate::api::OrderView> =
            db::orders(conn, &customer_id).map_err(store_failed)?.iter().map(crate::api::view).collect::<Result<_, _>>()?;
        Ok(serde_json::json!({
            "id": profile.id,
            "created_at": profile.created_at,
            "email": profile.email,
            "measurements": profile.measurements_json.as_deref().and_then(|m| serde_json::from_str::<serde_json::Value>(m).ok()),
            "saved": db::saved(conn, &customer_id).map_err(store_failed)?,
            "orders": orders,
            "consents": switches(&catalogue, &db::latest(conn, &customer_id).map_err(store_failed)?),
        }))
    })
    .await?;
    tracing::info!(staff = %staff_id, "support read a customer profile");
    Ok(with_cookie(Json(view).into_response(), None))
}

/// `GET /api/staff/consents` (marketing): counts per purpose, channel and
/// state; no names, no ids.
pub async fn staff_consent_counts(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, Problem> {
    crate::staff::authenticate(&state, &headers, &["marketing"]).await?;
    let counts = state.store.transaction(|conn| db::consent_counts(conn)).await.map_err(store_failed)?.map_err(store_failed)?;
    let rows: Vec<serde_json::Value> = counts
        .into_iter()
        .map(|(purpose, channel, state, count)| serde_json::json!({ "purpose": purpose, "channel": channel, "state": state, "count": count }))
        .collect();
    Ok(Json(serde_json::json!({ "counts": rows })).into_response())
}

/// `GET /.well-known/gpc.json`.
pub async fn gpc_json(State(catalogue): State<Arc<Catalogue>>) -> Response {
    let updated = catalogue.notice.json.get("updated").and_then(|v| v.as_str()).unwrap_or("2026-11-24").to_string();
    Json(serde_json::json!({ "gpc": true, "lastUpdate": updated })).into_response()
}

/// Verifies every customer's consent chain in the store.
pub async fn verify_chain(store: &crate::store::Store) -> Result<consent::Verification, StoreError> {
    store.transaction(|conn| db::all_links(conn).map(|links| consent::verify(&links))).await?
}
