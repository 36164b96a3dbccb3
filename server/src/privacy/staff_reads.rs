//! What staff may read of customers, by need to know: support a profile
//! with a reason (logged, shown in the customer's export); marketing
//! counts only.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use crate::clock::now_rfc3339;
use crate::http::Problem;
use crate::secrets::sha256_hex;
use crate::state::AppState;
use super::db;
use super::consents::switches;
use super::signin::normal_email;
use super::sessions::in_tx;
use crate::staff::Role;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SupportQuery {
    /// Why the profile is read (a ticket, the customer's request); logged.
    pub reason: Option<String>,
    pub email: Option<String>,
}

pub(super) fn reason(q: &SupportQuery) -> Result<String, Problem> {
    let r = q.reason.as_deref().map(str::trim).unwrap_or_default();
    if r.is_empty() || r.chars().count() > 200 || !tailor_engine::contact::printable(r) {
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
pub async fn staff_find(State(state): State<AppState>, bearer: crate::staff::StaffCredential, Query(q): Query<SupportQuery>) -> Result<Response, Problem> {
    let staff = crate::staff::authenticate(&state, bearer, &[Role::Support]).await?;
    let why = reason(&q)?;
    let email = normal_email(q.email.as_deref().unwrap_or_default())?;
    let found = in_tx(&state, move |conn| {
        let id = db::customer_by_email(conn, &sha256_hex(email.as_bytes()))?;
        if let Some(id) = &id {
            db::log_staff_read(conn, &staff.id, &staff.role, id, &why, &now_rfc3339())?;
        }
        Ok(id)
    })
    .await?;
    Ok(Json(serde_json::json!({ "customers": found.into_iter().collect::<Vec<_>>() })).into_response())
}

/// `GET /api/staff/customers/{id}?reason=` (support): the customer's
/// profile, orders, switches and value tier. Every read is logged (and shown to the
/// customer in their export).
pub async fn staff_customer(
    State(state): State<AppState>,
    bearer: crate::staff::StaffCredential,
    Path(customer_id): Path<String>,
    Query(q): Query<SupportQuery>,
) -> Result<Response, Problem> {
    let staff = crate::staff::authenticate(&state, bearer, &[Role::Support]).await?;
    let why = reason(&q)?;
    let catalogue = state.catalogue.clone();
    let staff_id = staff.id.clone();
    let view = in_tx(&state, move |conn| {
        let profile = db::profile(conn, &customer_id)
            ?
            .ok_or_else(|| Problem::new(StatusCode::NOT_FOUND, "not-found", "No such customer", "There is no (unerased) customer with this id."))?;
        db::log_staff_read(conn, &staff.id, &staff.role, &customer_id, &why, &now_rfc3339())?;
        let orders: Vec<crate::orders::OrderView> =
            db::orders(conn, &customer_id)?.iter().map(crate::orders::view).collect::<Result<_, _>>()?;
        Ok(serde_json::json!({
            "id": profile.id,
            "created_at": profile.created_at,
            "email": profile.email,
            "measurements": profile.measurements_json.as_deref().and_then(|m| serde_json::from_str::<serde_json::Value>(m).ok()),
            "saved": db::saved(conn, &customer_id)?,
            "orders": orders,
            "consents": switches(&catalogue, &db::latest(conn, &customer_id)?),
            // Their value tier (none without orders), as marketing sees it.
            "tier": super::differentiate::tier_of(conn, &catalogue, &customer_id)?,
        }))
    })
    .await?;
    tracing::info!(staff = %staff_id, "support read a customer profile");
    Ok(Json(view).into_response())
}

/// `GET /api/staff/consents` (marketing): counts per purpose, channel and
/// state; no names, no ids.
pub async fn staff_consent_counts(State(state): State<AppState>, bearer: crate::staff::StaffCredential) -> Result<Response, Problem> {
    crate::staff::authenticate(&state, bearer, &[Role::Marketing]).await?;
    let counts = state.store.transaction(|conn| db::consent_counts(conn)).await??;
    let rows: Vec<serde_json::Value> = counts
        .into_iter()
        .map(|(purpose, channel, state, count)| serde_json::json!({ "purpose": purpose, "channel": channel, "state": state, "count": count }))
        .collect();
    Ok(Json(serde_json::json!({ "counts": rows })).into_response())
}
