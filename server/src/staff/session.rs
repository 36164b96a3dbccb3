//! Staff sessions (issue 18): the console's sign-in. A staff key is typed
//! once and exchanged for a session whose token lives only in a
//! `__Host-`, HttpOnly, `SameSite=Strict` cookie (the key is never stored by
//! the browser; the server keeps only digests). A session ends at sign-out,
//! after [`IDLE_SECONDS`] unused, [`LIFETIME_SECONDS`] after sign-in, or when
//! its key is revoked. State-changing requests are origin-checked by the
//! API's guard (`http::guard::same_origin`) before a cookie can count.

use axum::Json;
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::SameSite;
use serde::{Deserialize, Serialize};

use crate::http::{Bearer, JsonBody, Problem};
use crate::secrets::{new_token, sha256_hex};
use crate::state::AppState;
use crate::store::sql::Db;
use crate::store::sql::Param::{Int, Text};
use crate::store::{StaffKey, StoreError};

/// The staff session cookie's name (`__Host-`: `Secure`, `Path=/`, no
/// `Domain`, so no sibling site can plant it).
pub const COOKIE: &str = "__Host-tailor_staff";
/// A session unused this long ends.
pub const IDLE_SECONDS: i64 = 30 * 60;
/// A session ends this long after sign-in, used or not.
pub const LIFETIME_SECONDS: i64 = 12 * 3600;
/// `last_seen_at` is written at most this often (reads stay reads).
const SEEN_EVERY_SECONDS: i64 = 60;

/// How a staff request proves who sends it: a key (`Authorization:
/// Bearer`, for scripts) or a session cookie (the console).
pub struct StaffCredential {
    pub bearer: Option<String>,
    /// The digest of the session cookie's token.
    pub session_sha256: Option<String>,
}

impl StaffCredential {
    pub fn of(headers: &HeaderMap, bearer: Bearer) -> StaffCredential {
        StaffCredential { bearer: bearer.0, session_sha256: crate::http::cookie_digest(headers, COOKIE) }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for StaffCredential {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let bearer = Bearer::from_request_parts(parts, state).await?;
        Ok(StaffCredential::of(&parts.headers, bearer))
    }
}

/// The key's columns in the order `store::shared::staff_row` reads them.
const STAFF_COLUMNS: &str = "k.id, k.name, k.role, k.created_at, k.revoked_at";

/// The holder of a live session, with its start (Unix seconds), marking it
/// seen at `now`.
pub fn session_staff(db: &mut dyn Db, token_sha256: &str, now: i64) -> Result<Option<(StaffKey, i64)>, StoreError> {
    let Some(r) = db.row(
        &format!(
            "SELECT {STAFF_COLUMNS}, s.created_at, s.last_seen_at FROM staff_sessions s JOIN staff_keys k ON k.id = s.staff_id
             WHERE s.token_sha256 = $1 AND k.revoked_at IS NULL AND s.created_at > $2 AND s.last_seen_at > $3"
        ),
        &[Text(token_sha256), Int(now - LIFETIME_SECONDS), Int(now - IDLE_SECONDS)],
    )?
    else {
        return Ok(None);
    };
    if r.int(6)? < now - SEEN_EVERY_SECONDS {
        db.exec("UPDATE staff_sessions SET last_seen_at = $2 WHERE token_sha256 = $1", &[Text(token_sha256), Int(now)])?;
    }
    Ok(Some((crate::store::shared::staff_row(&r)?, r.int(5)?)))
}

/// Deletes sessions past their lifetime or idle time, and those of revoked
/// keys; how many.
pub fn expire(db: &mut dyn Db, now: i64) -> Result<u64, StoreError> {
    db.exec(
        "DELETE FROM staff_sessions WHERE created_at <= $1 OR last_seen_at <= $2
           OR staff_id IN (SELECT id FROM staff_keys WHERE revoked_at IS NOT NULL)",
        &[Int(now - LIFETIME_SECONDS), Int(now - IDLE_SECONDS)],
    )
}

/// Ends every session of key `staff_id` (when it is revoked).
pub fn end_all(db: &mut dyn Db, staff_id: &str) -> Result<u64, StoreError> {
    db.exec("DELETE FROM staff_sessions WHERE staff_id = $1", &[Text(staff_id)])
}

fn cookie(value: &str, max_age: i64) -> HeaderValue {
    crate::http::cookie(COOKIE, value, max_age, SameSite::Strict)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignIn {
    key: String,
}

/// Who is signed in, and until when at the latest.
#[derive(Serialize)]
pub struct Signed {
    id: String,
    name: String,
    role: String,
    /// Unix seconds: the session ends then even if used.
    expires_at: i64,
    /// Seconds unused after which it ends.
    idle_seconds: i64,
}

fn signed(staff: StaffKey, started: i64) -> Signed {
    Signed { id: staff.id, name: staff.name, role: staff.role, expires_at: started + LIFETIME_SECONDS, idle_seconds: IDLE_SECONDS }
}

fn signed_out() -> Problem {
    Problem::new(StatusCode::UNAUTHORIZED, "signed-out", "Not signed in", "Sign in with your staff key; the session ended or never began.")
}

/// `POST /api/staff/session` `{"key": "tsk_..."}`: a new session for the
/// key's holder (201, `Set-Cookie`); any session this browser had ends.
pub async fn sign_in(State(state): State<AppState>, headers: HeaderMap, body: Result<JsonBody<SignIn>, Problem>) -> Result<Response, Problem> {
    let JsonBody(SignIn { key }) = body?;
    let key = key.trim().to_string();
    if key.is_empty() || key.len() > 200 {
        return Err(Problem::new(StatusCode::BAD_REQUEST, "invalid-key", "No staff key", "Type the staff key you were given (it begins with tsk_)."));
    }
    let old = StaffCredential::of(&headers, Bearer(None)).session_sha256;
    let token = new_token(None);
    let digest = sha256_hex(token.as_bytes());
    let now = crate::clock::unix_seconds() as i64;
    let key_digest = sha256_hex(key.as_bytes());
    let staff = state
        .store
        .transaction(move |db| {
            let Some(staff) = crate::store::shared::staff_by_digest(db, &key_digest)? else { return Ok(None) };
            if let Some(old) = old {
                db.exec("DELETE FROM staff_sessions WHERE token_sha256 = $1", &[Text(&old)])?;
            }
            db.exec(
                "INSERT INTO staff_sessions (token_sha256, staff_id, created_at, last_seen_at) VALUES ($1, $2, $3, $3)",
                &[Text(&digest), Text(&staff.id), Int(now)],
            )?;
            Ok::<_, StoreError>(Some(staff))
        })
        .await??;
    let Some(staff) = staff else {
        tracing::warn!("staff sign-in with an unknown or revoked key");
        return Err(Problem::new(StatusCode::UNAUTHORIZED, "unauthorized", "Unknown staff key", "This staff key is unknown or revoked."));
    };
    tracing::info!(staff = %staff.id, role = %staff.role, "staff signed in");
    let mut response = (StatusCode::CREATED, Json(signed(staff, now))).into_response();
    response.headers_mut().append(header::SET_COOKIE, cookie(&token, LIFETIME_SECONDS));
    Ok(response)
}

/// `GET /api/staff/session`: who is signed in (401 when nobody is).
pub async fn current(State(state): State<AppState>, credential: StaffCredential) -> Result<Json<Signed>, Problem> {
    let Some(digest) = credential.session_sha256 else { return Err(signed_out()) };
    let now = crate::clock::unix_seconds() as i64;
    let found = state.store.transaction(move |db| session_staff(db, &digest, now)).await??;
    let (staff, started) = found.ok_or_else(signed_out)?;
    Ok(Json(signed(staff, started)))
}

/// `DELETE /api/staff/session`: signs out (204); the cookie is cleared
/// whether or not the session was still live.
pub async fn sign_out(State(state): State<AppState>, credential: StaffCredential) -> Result<Response, Problem> {
    if let Some(digest) = credential.session_sha256 {
        let ended = state.store.transaction(move |db| db.exec("DELETE FROM staff_sessions WHERE token_sha256 = $1", &[Text(&digest)])).await??;
        if ended > 0 {
            tracing::info!("staff signed out");
        }
    }
    let mut response = StatusCode::NO_CONTENT.into_response();
    response.headers_mut().append(header::SET_COOKIE, cookie("", 0));
    Ok(response)
}
