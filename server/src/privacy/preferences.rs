//! The preference centre's changes: consent switches per purpose and
//! channel (each an event in the customer's chain), receipts, the notice
//! and the GPC statement.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::catalogue::Catalogue;
use crate::http::{JsonBody, Problem, Visitor, with_session};
use crate::state::AppState;
use super::consent::{ConsentEvent, OfferTerms};
use super::{bad, db, language, no_profile};
use super::consents::event;
use super::profile::me_view;
use super::sessions::{customer, customer_or_new, in_tx};
use tailor_api::{ChangeState, ConsentChanges, ConsentState, ConsentsRecorded};

pub const PLACES: [&str; 6] = ["preference-centre", "checkout", "kiosk", "partner-embed", "staff-assisted", "account"];

/// `POST /api/me/consents`: one or more switches changed; each becomes an
/// event in the customer's chain (a profile is made on the first one).
pub async fn post_consents(State(state): State<AppState>, visitor: Visitor, JsonBody(req): JsonBody<ConsentChanges>) -> Result<Response, Problem> {
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
        if c.state == ChangeState::Given && p.gpc && visitor.gpc {
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
            let mut asked: Vec<&str> = req.changes.iter().filter(|c| c.state == ChangeState::Given).map(|c| c.purpose.as_str()).collect();
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
                estimate: o.estimate.en.clone(),
                purposes: o.purposes.clone(),
                accepted: true,
            })
        }
    };
    let secret = *state.store.token_secret();
    let catalogue = state.catalogue.clone();
    let (view, token, events) = in_tx(&state, move |conn| {
        let (id, token) = customer_or_new(conn, &visitor, &catalogue)?;
        let latest = db::latest(conn, &id)?;
        let mut events = Vec::new();
        for c in &req.changes {
            let p = catalogue.notice.purpose(&c.purpose).expect("checked above");
            let last = latest.get(&(c.purpose.clone(), c.channel.clone()));
            let current = last.is_some_and(|e| e.grants() && e.notice_version >= p.scope_version);
            let granted_before = last.is_some_and(ConsentEvent::grants);
            let new_state = match (c.state, current, granted_before) {
                (ChangeState::Given, true, _) if offer.is_none() => continue,
                (ChangeState::Given, _, true) => ConsentState::Renewed,
                (ChangeState::Given, _, false) => ConsentState::Given,
                (ChangeState::Withdrawn, _, true) => ConsentState::Withdrawn,
                _ if last.is_some_and(|e| e.state == ConsentState::Refused) => continue,
                (ChangeState::Withdrawn, _, false) => ConsentState::Refused,
            };
            let mut e = event(&catalogue, &id, p, &c.channel, new_state, "toggle", &req.place, &language);
            e.offer = offer.clone();
            db::append(conn, &e)?;
            events.push(e.id.clone());
            if !e.grants() {
                // Kept only with consent: withdrawing deletes it.
                match p.id.as_str() {
                    "measurements" => db::set_measurements(conn, &id, None)?,
                    "recommendations" => db::set_answers(conn, &id, "{}")?,
                    _ => {}
                }
            }
        }
        let visitor = visitor.with_token(token.as_deref());
        Ok((me_view(conn, &catalogue, &secret, &visitor)?, token, events))
    })
    .await?;
    tracing::info!(events = events.len(), "consent recorded");
    Ok(with_session(Json(ConsentsRecorded { events, me: view }).into_response(), token))
}

/// `GET /api/me/consents/{id}/receipt`: one event as a receipt to keep.
pub async fn get_receipt(State(state): State<AppState>, visitor: Visitor, Path(event_id): Path<String>) -> Result<Response, Problem> {
    let catalogue = state.catalogue.clone();
    let receipt = in_tx(&state, move |conn| {
        let (id, _) = customer(conn, &visitor)?.ok_or_else(no_profile)?;
        let link = db::event(conn, &id, &event_id)
            ?
            .ok_or_else(|| Problem::new(StatusCode::NOT_FOUND, "not-found", "No such receipt", "You have no consent change with this id."))?;
        let event: serde_json::Value = serde_json::from_str(&link.event_json).map_err(|_| Problem::internal())?;
        Ok(serde_json::json!({
            "receipt": "Tailor consent receipt",
            "controller": catalogue.notice.controller,
            "event": event,
            "chain": { "prev_sha256": link.prev_sha256, "sha256": link.sha256 },
        }))
    })
    .await?;
    let name = format!("attachment; filename=\"tailor-consent-{}.json\"", receipt["event"]["id"].as_str().unwrap_or("receipt"));
    let mut response = Json(receipt).into_response();
    response.headers_mut().insert(header::CONTENT_DISPOSITION, HeaderValue::from_str(&name).map_err(|_| Problem::internal())?);
    Ok(response)
}

/// `GET /api/privacy/notice`: the notice with its version and digest.
pub async fn get_notice(State(state): State<AppState>) -> Response {
    let n = &state.catalogue.notice;
    Json(serde_json::json!({ "sha256": n.sha256, "notice": n.json })).into_response()
}

/// `GET /.well-known/gpc.json`.
pub async fn gpc_json(State(catalogue): State<std::sync::Arc<Catalogue>>) -> Response {
    Json(serde_json::json!({ "gpc": true, "lastUpdate": catalogue.notice.updated })).into_response()
}
