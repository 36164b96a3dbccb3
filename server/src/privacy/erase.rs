//! The customer's rights of access and erasure: everything held, as one
//! download; erasure that keeps only what the law and the orders need.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::clock::now_rfc3339;
use crate::http::{Problem, Visitor, clear_session_cookie};
use crate::state::AppState;
use super::{db, no_profile};
use super::consents::event;
use super::sessions::{customer, in_tx};

/// `GET /api/me/export`: everything held about the customer.
pub async fn get_export(State(state): State<AppState>, visitor: Visitor) -> Result<Response, Problem> {
    let export = in_tx(&state, move |conn| {
        let (id, _) = customer(conn, &visitor)?.ok_or_else(no_profile)?;
        let profile = db::profile(conn, &id)?.ok_or_else(no_profile)?;
        let mut rows = db::orders(conn, &id)?;
        if let Some(email) = &profile.email {
            // Orders placed signed out with the profile's (verified) address.
            rows.extend(db::signed_out_orders(conn, email)?);
        }
        let orders: Vec<crate::orders::OrderView> = rows.iter().map(crate::orders::view).collect::<Result<_, _>>()?;
        let events: Vec<serde_json::Value> = db::links(conn, &id)
            ?
            .into_iter()
            .map(|l| {
                let mut e: serde_json::Value = serde_json::from_str(&l.event_json).unwrap_or_default();
                e["chain"] = serde_json::json!({ "prev_sha256": l.prev_sha256, "sha256": l.sha256 });
                e
            })
            .collect();
        let reads: Vec<serde_json::Value> = db::staff_reads(conn, &id)
            ?
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
            "saved_configurations": db::saved(conn, &id)?,
            "orders": orders,
            "consent_events": events,
            "staff_reads": reads,
        }))
    })
    .await?;
    let mut response = Json(export).into_response();
    response.headers_mut().insert(header::CONTENT_DISPOSITION, HeaderValue::from_static("attachment; filename=\"tailor-my-data.json\""));
    Ok(response)
}

/// `POST /api/me/erase`: deletes the personal data, keeps order records
/// without personal fields, keeps only the erasure in the consent log, and
/// signs every device out.
pub async fn post_erase(State(state): State<AppState>, visitor: Visitor) -> Result<Response, Problem> {
    let catalogue = state.catalogue.clone();
    let (customer_id, removed) = in_tx(&state, move |conn| {
        let (id, _) = customer(conn, &visitor)?.ok_or_else(no_profile)?;
        let erased = db::erase(conn, &id, &now_rfc3339())?;
        let required = catalogue.notice.purposes.iter().find(|p| !p.optional).or(catalogue.notice.purposes.first()).ok_or_else(Problem::internal)?;
        let mut e = event(&catalogue, &id, required, "", tailor_api::ConsentState::Erased, "erasure-request", "account", "en");
        let removed = erased.events;
        e.erased = Some(erased);
        db::append(conn, &e)?;
        Ok((id, removed))
    })
    .await?;
    tracing::info!(customer = %customer_id, consent_events_removed = removed, "profile erased");
    let mut response = StatusCode::NO_CONTENT.into_response();
    response.headers_mut().append(header::SET_COOKIE, clear_session_cookie());
    response.headers_mut().insert("clear-site-data", HeaderValue::from_static("\"cache\", \"storage\""));
    Ok(response)
}
