//! "Call staff" on a kiosk: the kiosk posts a call naming its place (and the
//! product open on it, if any); staff on the shop floor (role `store`, or
//! `support`) list the open calls and answer them; the kiosk asks for its
//! call's state and tells the customer when someone is on the way. A second
//! tap while a call from the same place is open answers that same call.
//! Only a registered kiosk calls, with its place's key (`tailor-server place
//! add`), and only to its own place. Nothing personal is involved.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::clock::unix_seconds;
use crate::http::{Bearer, JsonBody, Problem};
use crate::staff::Role;
use tailor_api::{Call, CallState, Calls, NewCall};
use crate::state::AppState;
use crate::store::sql::Param::{Int, OptText, Text};

/// The roles that answer calls.
pub const ROLES: [Role; 2] = [Role::Store, Role::Support];
/// A call left unanswered this long is no longer listed (the customer has
/// most likely gone); a new tap makes a new call.
pub const OPEN_SECONDS: i64 = 30 * 60;

/// A place: 1 to 40 letters, digits, spaces, hyphens or dots (such as
/// "Entrance" or "Floor 2"); trimmed.
pub fn check_place(place: &str) -> Result<String, Problem> {
    let p = place.trim();
    let ok = (1..=40).contains(&p.chars().count()) && p.chars().all(|c| c.is_alphanumeric() || matches!(c, ' ' | '-' | '.'));
    if ok {
        Ok(p.to_string())
    } else {
        Err(Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid-place",
            "Invalid place",
            "The kiosk's place is 1 to 40 letters, digits, spaces, hyphens or dots.",
        ))
    }
}

fn new_id() -> String {
    crate::secrets::new_id::<10>('K')
}

fn unknown() -> Problem {
    Problem::new(StatusCode::NOT_FOUND, "call-unknown", "Unknown call", "There is no call with this id.")
}

fn call_row(r: &crate::store::sql::Row, now: i64) -> Result<Call, crate::store::StoreError> {
    let answered = r.int(3).is_ok();
    Ok(Call {
        id: r.text(0)?,
        place: r.text(1)?,
        product: r.opt_text(2)?,
        state: if answered { CallState::Answered } else { CallState::Waiting },
        waiting_seconds: now - r.int(4)?,
    })
}

const COLUMNS: &str = "id, place, product, answered_at, created_at";

/// A new kiosk key (`tkk_` and 32 random bytes) and its digest.
pub fn new_key() -> (String, String) {
    crate::secrets::new_key("tkk")
}

/// Registers a kiosk place with its key's digest.
pub fn add_place(db: &mut dyn crate::store::sql::Db, name: &str, key_sha256: &str, now: &str) -> Result<(), crate::store::StoreError> {
    db.exec("INSERT INTO kiosk_places (name, key_sha256, created_at) VALUES ($1, $2, $3)", &[Text(name), Text(key_sha256), Text(now)])?;
    Ok(())
}

/// Every registered place, with when it was revoked if it was.
pub fn places(db: &mut dyn crate::store::sql::Db) -> Result<Vec<(String, String, Option<String>)>, crate::store::StoreError> {
    db.rows("SELECT name, created_at, revoked_at FROM kiosk_places ORDER BY name", &[])?
        .iter()
        .map(|r| Ok((r.text(0)?, r.text(1)?, r.opt_text(2)?)))
        .collect()
}

pub fn revoke_place(db: &mut dyn crate::store::sql::Db, name: &str, now: &str) -> Result<bool, crate::store::StoreError> {
    Ok(db.exec("UPDATE kiosk_places SET revoked_at = $2 WHERE name = $1 AND revoked_at IS NULL", &[Text(name), Text(now)])? == 1)
}

/// The registered place whose kiosk key the request carries.
async fn kiosk_place(state: &AppState, bearer: Bearer) -> Result<String, Problem> {
    let unregistered = |detail: &str| Problem::new(StatusCode::UNAUTHORIZED, "kiosk-key", "Kiosk not registered", detail.to_string());
    let key = bearer.or(|| unregistered("Only a registered kiosk calls staff: staff register its place with \"tailor-server place add\" and open the kiosk with the key it shows."))?;
    let digest = crate::secrets::sha256_hex(key.as_bytes());
    state
        .store
        .transaction(move |db| {
            db.row("SELECT name FROM kiosk_places WHERE key_sha256 = $1 AND revoked_at IS NULL", &[Text(&digest)])?.map(|r| r.text(0)).transpose()
        })
        .await??
        .ok_or_else(|| unregistered("This kiosk key is unknown or revoked; staff can register the kiosk again with \"tailor-server place add\"."))
}

/// Deletes calls a day old (answered or not: they left the staff list
/// after [`OPEN_SECONDS`]); how many.
pub fn expire(db: &mut dyn crate::store::sql::Db, now: i64) -> Result<u64, crate::store::StoreError> {
    db.exec("DELETE FROM staff_calls WHERE created_at < $1", &[Int(now - 24 * 3600)])
}

/// `POST /api/kiosk/calls` with `Authorization: Bearer <kiosk key>`: calls
/// staff to the kiosk's place (or answers the call already open there).
pub async fn create(State(state): State<AppState>, bearer: Bearer, JsonBody(b): JsonBody<NewCall>) -> Result<Response, Problem> {
    let place = check_place(&b.place)?;
    let registered = kiosk_place(&state, bearer).await?;
    if registered != place {
        return Err(Problem::new(
            StatusCode::FORBIDDEN,
            "kiosk-place",
            "Another place's kiosk",
            format!("This kiosk's key is for \"{registered}\", not \"{place}\"."),
        ));
    }
    let product = match b.product {
        Some(p) if state.catalogue.model(&p).is_none() => {
            return Err(Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "unknown-product", "Unknown product", format!("There is no product \"{p}\".")));
        }
        p => p,
    };
    let now = unix_seconds() as i64;
    let (call, made) = state
        .store
        .transaction(move |db| {
            let open = db.row(
                &format!("SELECT {COLUMNS} FROM staff_calls WHERE place = $1 AND answered_at IS NULL AND created_at > $2 ORDER BY created_at DESC LIMIT 1"),
                &[Text(&place), Int(now - OPEN_SECONDS)],
            )?;
            if let Some(r) = open {
                return Ok::<_, crate::store::StoreError>((call_row(&r, now)?, false));
            }
            let id = new_id();
            db.exec(
                "INSERT INTO staff_calls (id, place, product, created_at) VALUES ($1, $2, $3, $4)",
                &[Text(&id), Text(&place), OptText(product.as_deref()), Int(now)],
            )?;
            Ok((Call { id, place, product, state: CallState::Waiting, waiting_seconds: 0 }, true))
        })
        .await
        ??;
    if made {
        tracing::info!(call = %call.id, place = %call.place, "staff called from a kiosk");
    }
    Ok((if made { StatusCode::CREATED } else { StatusCode::OK }, Json(call)).into_response())
}

/// `GET /api/kiosk/calls/{id}`: whether staff have answered.
pub async fn get_one(State(state): State<AppState>, Path(id): Path<String>) -> Result<Response, Problem> {
    if id.len() != 21 || !id.starts_with('K') {
        return Err(unknown());
    }
    let now = unix_seconds() as i64;
    let call = state
        .store
        .transaction(move |db| db.row(&format!("SELECT {COLUMNS} FROM staff_calls WHERE id = $1"), &[Text(&id)])?.map(|r| call_row(&r, now)).transpose())
        .await
        ??
        .ok_or_else(unknown)?;
    Ok(Json(call).into_response())
}

/// `GET /api/staff/calls` (roles store, support): the open calls, oldest first.
pub async fn list(State(state): State<AppState>, bearer: crate::staff::StaffCredential) -> Result<Response, Problem> {
    crate::staff::authenticate(&state, bearer, &ROLES).await?;
    let now = unix_seconds() as i64;
    let calls = state
        .store
        .transaction(move |db| {
            db.rows(
                &format!("SELECT {COLUMNS} FROM staff_calls WHERE answered_at IS NULL AND created_at > $1 ORDER BY created_at, id"),
                &[Int(now - OPEN_SECONDS)],
            )?
            .iter()
            .map(|r| call_row(r, now))
            .collect::<Result<Vec<_>, _>>()
        })
        .await
        ??;
    Ok(Json(Calls { calls }).into_response())
}

/// `POST /api/staff/calls/{id}/answer` (roles store, support): "on my way".
/// Answering an answered call again changes nothing.
pub async fn answer(State(state): State<AppState>, bearer: crate::staff::StaffCredential, Path(id): Path<String>) -> Result<Response, Problem> {
    let staff = crate::staff::authenticate(&state, bearer, &ROLES).await?;
    let now = unix_seconds() as i64;
    let call = state
        .store
        .transaction(move |db| {
            db.exec("UPDATE staff_calls SET answered_at = $2, answered_by = $3 WHERE id = $1 AND answered_at IS NULL", &[Text(&id), Int(now), Text(&staff.id)])?;
            db.row(&format!("SELECT {COLUMNS} FROM staff_calls WHERE id = $1"), &[Text(&id)])?.map(|r| call_row(&r, now)).transpose()
        })
        .await
        ??
        .ok_or_else(unknown)?;
    tracing::info!(call = %call.id, "kiosk call answered");
    Ok(Json(call).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn places_are_short_plain_names() {
        assert_eq!(check_place("  Floor 2 - entrance ").ok(), Some("Floor 2 - entrance".to_string()));
        assert!(check_place("二楼入口").is_ok());
        for bad in ["", "   ", "<script>", "a/b", &"x".repeat(41)] {
            assert!(check_place(bad).is_err(), "{bad:?}");
        }
        let id = new_id();
        assert_eq!(id.len(), 21);
        assert!(id.starts_with('K'));
    }
}

/// `POST /api/kiosk/seen` with the kiosk's key: the kiosk is on (it says so
/// every minute); 204.
pub async fn seen(State(state): State<AppState>, bearer: Bearer) -> Result<Response, Problem> {
    let place = kiosk_place(&state, bearer).await?;
    let now = unix_seconds() as i64;
    state.store.transaction(move |db| db.exec("UPDATE kiosk_places SET last_seen_at = $2 WHERE name = $1", &[Text(&place), Int(now)])).await??;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// A registered kiosk as the shop floor sees it.
#[derive(serde::Serialize)]
pub struct KioskSeen {
    place: String,
    /// Seconds since it last said it is on; absent if it never did.
    #[serde(skip_serializing_if = "Option::is_none")]
    seen_seconds_ago: Option<i64>,
}

/// `GET /api/staff/kiosks` (roles store, support): the registered kiosks,
/// the most recently seen first.
pub async fn kiosks(State(state): State<AppState>, bearer: crate::staff::StaffCredential) -> Result<Response, Problem> {
    crate::staff::authenticate(&state, bearer, &ROLES).await?;
    let now = unix_seconds() as i64;
    let mut kiosks = state
        .store
        .transaction(move |db| {
            db.rows("SELECT name, last_seen_at FROM kiosk_places WHERE revoked_at IS NULL", &[])?
                .iter()
                .map(|r| Ok(KioskSeen { place: r.text(0)?, seen_seconds_ago: r.opt_int(1)?.map(|t| (now - t).max(0)) }))
                .collect::<Result<Vec<_>, crate::store::StoreError>>()
        })
        .await??;
    kiosks.sort_by(|a, b| (a.seen_seconds_ago.is_none(), a.seen_seconds_ago, &a.place).cmp(&(b.seen_seconds_ago.is_none(), b.seen_seconds_ago, &b.place)));
    Ok(Json(serde_json::json!({ "kiosks": kiosks })).into_response())
}
