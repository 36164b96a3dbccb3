//! The customer behind a request: the profile its session cookie holds,
//! made on the first save; linking orders to it; the member discount.

use crate::catalogue::Catalogue;
use crate::clock::now_rfc3339;
use crate::http::{Problem, Visitor};
use crate::secrets::{new_id, new_token, sha256_hex};
use crate::state::AppState;
use crate::store::StoreError;
use crate::store::sql::Db;
use super::db;
use super::consents::{member, record_gpc, switches};

/// Runs `work` in one transaction on the store: committed when it answers
/// `Ok`, rolled back when it refuses.
pub(super) async fn in_tx<T: Send + 'static>(
    state: &AppState,
    work: impl FnOnce(&mut dyn Db) -> Result<T, Problem> + Send + 'static,
) -> Result<T, Problem> {
    state.store.transaction(work).await?
}

/// The customer behind the visitor's session.
pub(super) fn customer(conn: &mut dyn Db, visitor: &Visitor) -> Result<Option<(String, bool)>, Problem> {
    match &visitor.token_sha256 {
        Some(t) => Ok(db::session_customer(conn, t)?),
        None => Ok(None),
    }
}

/// The customer, made (with a session) when the browser has none; the
/// second value is the new session token to set as a cookie.
pub(super) fn customer_or_new(conn: &mut dyn Db, visitor: &Visitor, catalogue: &Catalogue) -> Result<(String, Option<String>), Problem> {
    if let Some((id, _)) = customer(conn, visitor)? {
        return Ok((id, None));
    }
    // One client cannot make profiles without end (each is a row until it
    // is swept): a bucket per client address.
    if let Some(limits) = &visitor.limits
        && let Err(wait) = limits.new_profile.pass()
    {
        return Err(Problem::new(
            axum::http::StatusCode::TOO_MANY_REQUESTS,
            "too-many-profiles",
            "Too many new profiles",
            format!("Too many new profiles were made from your address; please try again in {wait} s."),
        )
        .retry_after(wait));
    }
    let now = now_rfc3339();
    let id = new_id::<8>('C');
    db::create_customer(conn, &id, &now)?;
    let token = new_token(None);
    db::create_session(conn, &sha256_hex(token.as_bytes()), &id, &now, visitor.gpc)?;
    if visitor.gpc {
        record_gpc(conn, catalogue, &id, "en")?;
    }
    Ok((id, Some(token)))
}

/// Links an order to the customer behind the request's session (orders
/// placed signed out stay unlinked).
pub async fn link_order(state: &AppState, visitor: &Visitor, order_id: &str) {
    let Some(token) = visitor.token_sha256.clone() else { return };
    let order = order_id.to_string();
    let linked = state
        .store
        .transaction(move |conn| {
            if let Some((id, _)) = db::session_customer(conn, &token)? {
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
pub async fn member_discount(state: &AppState, visitor: &Visitor) -> Option<u32> {
    let token = visitor.token_sha256.clone()?;
    let catalogue = state.catalogue.clone();
    state
        .store
        .transaction(move |conn| {
            let Some((id, _)) = db::session_customer(conn, &token)? else { return Ok(None) };
            let latest = db::latest(conn, &id)?;
            Ok::<_, StoreError>(member(&catalogue, &latest, &switches(&catalogue, &latest)))
        })
        .await
        .ok()
        .and_then(Result::ok)
        .flatten()
}
