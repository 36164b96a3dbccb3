//! The picture of an order (issue 17), rendered by the server from the
//! stored order (its choices and free texts, in the order's language) with
//! the engine the browser uses, never taken from the browser: for the
//! customer (the order's token), fulfilment staff, and the partner whose
//! page took the order (its key). It may hold a monogram, so it is never
//! cached and is served with a CSP that lets it load nothing.

use std::collections::BTreeMap;

use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use tailor_engine::Choices;

use crate::catalogue::Catalogue;
use crate::http::{Bearer, Problem};
use crate::staff::Role;
use crate::state::AppState;
use crate::store::OrderRow;

/// The SVG of a stored order.
pub fn render(catalogue: &Catalogue, row: &OrderRow) -> Result<String, Problem> {
    let none = |why: &str| Problem::new(StatusCode::NOT_FOUND, "no-picture", "No picture", why.to_string());
    let model = catalogue.model(&row.product).ok_or_else(|| none("The order's product is no longer in the catalogue."))?;
    let ids: BTreeMap<String, String> = serde_json::from_str(&row.choices_json).map_err(|_| Problem::internal())?;
    let choices = Choices::from_ids(model, &ids).map_err(|_| none("The order's choices are not in the current catalogue."))?;
    let texts: BTreeMap<String, String> = serde_json::from_str(&row.texts_json).unwrap_or_default();
    let lang = if row.locale.starts_with("zh") { "zh" } else { "en" };
    let picture = model.picture(&choices, &texts, lang, &row.id).ok_or_else(|| none("This product has no picture."))?;
    Ok(picture.svg)
}

fn svg(body: String) -> Response {
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("image/svg+xml")),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
            (header::CONTENT_SECURITY_POLICY, HeaderValue::from_static("default-src 'none'; style-src 'unsafe-inline'; sandbox")),
            (header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")),
        ],
        body,
    )
        .into_response()
}

/// `GET /api/orders/{id}/picture` with the order's access token.
pub async fn for_customer(State(state): State<AppState>, Path(id): Path<String>, bearer: Bearer) -> Result<Response, Problem> {
    let row = super::routes::read_with_token(&state, &id, bearer).await?;
    Ok(svg(render(&state.catalogue, &row)?))
}

/// `GET /api/staff/orders/{id}/picture` (fulfilment).
pub async fn for_staff(State(state): State<AppState>, Path(id): Path<String>, bearer: crate::staff::StaffCredential) -> Result<Response, Problem> {
    crate::staff::authenticate(&state, bearer, &[Role::Fulfilment]).await?;
    let row = state.store.get(&id).await?.ok_or_else(|| Problem::new(StatusCode::NOT_FOUND, "not-found", "Order not found", format!("There is no order {id}.")))?;
    Ok(svg(render(&state.catalogue, &row)?))
}

/// `GET /api/partner/orders/{id}/picture` with the partner's key: only the
/// partner's own orders.
pub async fn for_partner(State(state): State<AppState>, bearer: Bearer, Path(id): Path<String>) -> Result<Response, Problem> {
    let (_, row) = crate::partners::own_order(&state, bearer, &id).await?;
    Ok(svg(render(&state.catalogue, &row)?))
}
