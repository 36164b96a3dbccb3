//! `/api/orders`: place an order, read it back with its token.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;

use super::{IdempotencyKey, OrderView, Placed};
use crate::http::{Bearer, JsonBytes, JsonContent, Problem, Visitor};
use crate::privacy::sessions;
use crate::secrets::sha256_hex;
use crate::state::AppState;

/// `POST /api/orders`: a member gets the member price; an order placed with
/// a profile's session is linked to that profile. Refusals come in this
/// order: not JSON, no idempotency key, an unreadable body.
pub async fn create(
    State(state): State<AppState>,
    _: JsonContent,
    key: IdempotencyKey,
    visitor: Visitor,
    JsonBytes(body): JsonBytes,
) -> Result<Response, Problem> {
    let percent_off = sessions::member_discount(&state, &visitor).await;
    let placed = super::place(&state, &body, key, percent_off).await?;
    if let Placed::Created(row) = &placed {
        sessions::link_order(&state, &visitor, &row.id).await;
    }
    super::created(&state, &placed)
}

/// `GET /api/orders/{id}` with the order's access token.
pub async fn get(State(state): State<AppState>, Path(id): Path<String>, bearer: Bearer) -> Result<Json<OrderView>, Problem> {
    Ok(Json(super::view(&read_with_token(&state, &id, bearer).await?)?))
}

/// The stored order `id`, if `bearer` is its access token (401 without
/// one, 404 for a wrong one or no such order).
pub(crate) async fn read_with_token(state: &AppState, id: &str, bearer: Bearer) -> Result<crate::store::OrderRow, Problem> {
    let token = bearer.or(|| {
        Problem::new(StatusCode::UNAUTHORIZED, "unauthorized", "Credentials required", "Send the order's access token as \"Authorization: Bearer TOKEN\".")
    })?;
    let not_found = || Problem::new(StatusCode::NOT_FOUND, "not-found", "Order not found", "No order with this id can be read with this token.");
    let row = state.store.get(id).await?.ok_or_else(not_found)?;
    // Compare digests, so the comparison time says nothing about the token.
    if sha256_hex(token.as_bytes()) != row.token_sha256 {
        return Err(not_found());
    }
    Ok(row)
}
