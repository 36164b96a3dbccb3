//! "Order again": one of the customer's orders placed anew through the
//! order service, checked and priced as a new order.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;

use crate::http::{JsonContent, JsonBody, Problem, Visitor};
use crate::state::AppState;
use super::{bad, db, no_profile};
use super::sessions::{customer, in_tx, link_order, member_discount};
use crate::orders::{self, IdempotencyKey, Placed};
use tailor_api::{AgainBody, Channel, NewOrder};

/// `POST /api/me/orders/{id}/again`: the same order again (same choices,
/// texts, contact and address), checked and priced as a new order.
pub async fn post_again(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(order_id): Path<String>,
    _: JsonContent,
    key: IdempotencyKey,
    JsonBody(b): JsonBody<AgainBody>,
) -> Result<Response, Problem> {
    let who = visitor.clone();
    let row = in_tx(&state, move |conn| {
        let (id, _) = customer(conn, &who)?.ok_or_else(no_profile)?;
        let mine = db::orders(conn, &id)?.into_iter().find(|o| o.id == order_id);
        mine.ok_or_else(|| Problem::new(StatusCode::NOT_FOUND, "not-found", "No such order", "You have no order with this id."))
    })
    .await?;
    if row.contact_json == "{}" {
        return Err(bad("details-erased", "Details erased", "This order's contact details were erased; order it from the configurator."));
    }
    let order = NewOrder {
        product: row.product,
        catalogue_version: row.catalogue_version,
        code: row.code,
        price_seen: b.price_seen,
        texts: stored(&row.texts_json)?,
        contact: stored(&row.contact_json)?,
        shipping: stored(&row.shipping_json)?,
        locale: row.locale,
        channel: Channel::Web,
        partner_id: None,
        partner_token: None,
    };
    let body = serde_json::to_vec(&order).map_err(|_| Problem::internal())?;
    let percent_off = member_discount(&state, &visitor).await;
    let placed = orders::place(&state, &body, key, percent_off).await?;
    if let Placed::Created(row) = &placed {
        link_order(&state, &visitor, &row.id).await;
    }
    orders::created(&state, &placed)
}

/// A JSON column of a stored order.
fn stored<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, Problem> {
    serde_json::from_str(text).map_err(|_| Problem::internal())
}
