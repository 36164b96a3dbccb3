//! The staff API, by role and need to know. A staff key (made with
//! `tailor-server staff add`) is sent as `Authorization: Bearer KEY`.
//! Fulfilment lists the orders to make and ship (what to make, the ship-to
//! name and address; no e-mail, phone, price or customer token) and moves
//! their status along `new -> in_production -> shipped`, or cancels them.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use crate::http::{JsonBody, Problem};
use crate::orders::raw;
use crate::secrets::sha256_hex;
use crate::state::AppState;
use crate::store::{StaffKey, StatusChange};

pub use tailor_api::Role;
pub use session::StaffCredential;

pub mod admin;
pub mod session;

pub const STATUSES: [&str; 4] = ["new", "in_production", "shipped", "cancelled"];

/// A new staff key (`tsk_` and 32 random bytes) and its digest.
pub fn new_key() -> (String, String) {
    crate::secrets::new_key("tsk")
}

/// The statuses an order may move to from each status.
fn allowed_from(to: &str) -> Option<&'static [&'static str]> {
    match to {
        "in_production" => Some(&["new"]),
        "shipped" => Some(&["in_production"]),
        "cancelled" => Some(&["new", "in_production"]),
        _ => None,
    }
}

/// The holder of the request's staff key or staff session, if valid and
/// its role is one of `roles`.
pub async fn authenticate(state: &AppState, credential: StaffCredential, roles: &[Role]) -> Result<StaffKey, Problem> {
    let staff = match credential {
        StaffCredential { bearer: Some(key), .. } => state
            .store
            .staff_by_digest(&sha256_hex(key.as_bytes()))
            .await?
            .ok_or_else(|| Problem::new(StatusCode::UNAUTHORIZED, "unauthorized", "Unknown staff key", "This staff key is unknown or revoked."))?,
        StaffCredential { session_sha256: Some(digest), .. } => {
            let now = crate::clock::unix_seconds() as i64;
            let found = state.store.transaction(move |db| session::session_staff(db, &digest, now)).await??;
            found.map(|(staff, _)| staff).ok_or_else(|| {
                Problem::new(StatusCode::UNAUTHORIZED, "signed-out", "Signed out", "Your staff session ended (signed out, unused too long, or its key revoked); sign in again.")
            })?
        }
        _ => {
            return Err(Problem::new(
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "Staff key required",
                "Sign in on /staff, or send a staff key as \"Authorization: Bearer KEY\".",
            ));
        }
    };
    if !roles.iter().any(|r| r.as_str() == staff.role) {
        tracing::warn!(staff = %staff.id, role = %staff.role, "staff request outside the key's role");
        return Err(Problem::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "Not for this role",
            format!("A {} key may not do this; it needs the role {}.", staff.role, roles.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(" or ")),
        ));
    }
    Ok(staff)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    status: Option<String>,
    after: Option<String>,
    limit: Option<usize>,
}

/// An order as fulfilment needs it.
#[derive(Serialize)]
pub struct WorkOrder {
    id: String,
    status: String,
    product: String,
    catalogue_version: String,
    code: String,
    choices: Box<RawValue>,
    texts: Box<RawValue>,
    created_at: String,
    ship_to: ShipTo,
}

#[derive(Serialize)]
pub struct ShipTo {
    name: String,
    line1: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    line2: String,
    city: String,
    postcode: String,
    country: String,
}

#[derive(Serialize)]
pub struct WorkList {
    orders: Vec<WorkOrder>,
    /// Pass as `after` for the next page; absent on the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    next_after: Option<String>,
}

pub async fn list_orders(State(state): State<AppState>, bearer: StaffCredential, query: Result<Query<ListQuery>, axum::extract::rejection::QueryRejection>) -> Result<Json<WorkList>, Problem> {
    let staff = authenticate(&state, bearer, &[Role::Fulfilment]).await?;
    let Query(q) = query.map_err(|e| Problem::new(StatusCode::BAD_REQUEST, "invalid-query", "Invalid query", e.body_text()))?;
    let status = q.status.unwrap_or_else(|| "new".into());
    if !STATUSES.contains(&status.as_str()) {
        return Err(Problem::new(StatusCode::BAD_REQUEST, "invalid-query", "Unknown status", format!("status must be one of {}.", STATUSES.join(", "))));
    }
    let limit = q.limit.unwrap_or(100);
    if !(1..=500).contains(&limit) {
        return Err(Problem::new(StatusCode::BAD_REQUEST, "invalid-query", "Invalid limit", "limit must be 1 to 500."));
    }
    let rows = state.store.list(&status, q.after.as_deref().unwrap_or(""), limit).await?;
    let next_after = (rows.len() == limit).then(|| rows.last().map(|r| r.id.clone())).flatten();
    let orders = rows.into_iter().map(work_order).collect::<Result<Vec<_>, _>>()?;
    tracing::info!(staff = %staff.id, status = %status, count = orders.len(), "orders listed");
    Ok(Json(WorkList { orders, next_after }))
}

/// What fulfilment sees of a stored order.
fn work_order(row: crate::store::OrderRow) -> Result<WorkOrder, Problem> {
    let contact: serde_json::Value = serde_json::from_str(&row.contact_json).map_err(|_| Problem::internal())?;
    let shipping: tailor_engine::contact::Shipping = serde_json::from_str(&row.shipping_json).map_err(|_| Problem::internal())?;
    Ok(WorkOrder {
        choices: raw(&row.choices_json)?,
        texts: raw(&row.texts_json)?,
        ship_to: ShipTo {
            name: contact["name"].as_str().unwrap_or_default().to_string(),
            line1: shipping.line1,
            line2: shipping.line2,
            city: shipping.city,
            postcode: shipping.postcode,
            country: shipping.country,
        },
        id: row.id,
        status: row.status,
        product: row.product,
        catalogue_version: row.catalogue_version,
        code: row.code,
        created_at: row.created_at,
    })
}

/// `GET /api/staff/orders/{id}` (fulfilment): one order, as in the list
/// (the printable work order).
pub async fn get_order(State(state): State<AppState>, credential: StaffCredential, Path(id): Path<String>) -> Result<Json<WorkOrder>, Problem> {
    let staff = authenticate(&state, credential, &[Role::Fulfilment]).await?;
    let row = state.store.get(&id).await?.ok_or_else(|| Problem::new(StatusCode::NOT_FOUND, "not-found", "Order not found", format!("There is no order {id}.")))?;
    tracing::info!(staff = %staff.id, order = %id, "order read");
    Ok(Json(work_order(row)?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewStatus {
    status: String,
}

#[derive(Serialize)]
pub struct StatusSet {
    id: String,
    status: String,
}

pub async fn set_status(
    State(state): State<AppState>,
    Path(id): Path<String>,
    bearer: StaffCredential,
    body: Result<JsonBody<NewStatus>, Problem>,
) -> Result<Json<StatusSet>, Problem> {
    let staff = authenticate(&state, bearer, &[Role::Fulfilment]).await?;
    let JsonBody(body) = body?;
    let from = allowed_from(&body.status).ok_or_else(|| {
        Problem::new(
            StatusCode::BAD_REQUEST,
            "invalid-status",
            "Unknown status",
            "status must be \"in_production\", \"shipped\" or \"cancelled\".",
        )
    })?;
    match state.store.set_status(&id, from, &body.status).await? {
        StatusChange::Changed => {
            tracing::info!(staff = %staff.id, order = %id, status = %body.status, "order status changed");
            Ok(Json(StatusSet { id, status: body.status }))
        }
        StatusChange::NotFound => Err(Problem::new(StatusCode::NOT_FOUND, "not-found", "Order not found", format!("There is no order {id}."))),
        StatusChange::Conflict { current } => Err(Problem::new(
            StatusCode::CONFLICT,
            "status-conflict",
            "Status cannot change so",
            format!("Order {id} is {current}; it cannot become {} from there.", body.status),
        )
        .with("current", current)),
    }
}
