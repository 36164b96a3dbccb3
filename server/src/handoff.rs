//! Kiosk hand-off to a phone: the kiosk keeps its configuration on the
//! server under a short one-time code (shown as a QR code of `/h/CODE`); the
//! phone claims it once and opens the configurator with it; the kiosk sees
//! the claim and resets. Codes last ten minutes and only their digest is
//! stored; nothing personal is involved.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::clock::unix_seconds;
use crate::http::{JsonBody, Problem};
use crate::secrets::{random_bytes, sha256_hex};
use crate::state::AppState;
use tailor_api::{HandoffClaimed, HandoffMade, HandoffState, NewHandoff};
use crate::store::sql::Param::{Int, Text};

pub const SECONDS: i64 = 600;
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// 8 characters of Crockford base 32 (40 random bits).
fn new_code() -> String {
    random_bytes::<8>().iter().map(|b| ALPHABET[(b & 31) as usize] as char).collect()
}

/// A code as typed or scanned: upper case, the look-alikes mapped.
fn normal(code: &str) -> Option<String> {
    let c: String = code.trim().to_uppercase().chars().map(|c| match c { 'O' => '0', 'I' | 'L' => '1', c => c }).collect();
    (c.len() == 8 && c.bytes().all(|b| ALPHABET.contains(&b))).then_some(c)
}

fn unknown() -> Problem {
    Problem::new(StatusCode::NOT_FOUND, "handoff-unknown", "Unknown code", "There is no hand-off with this code; scan the code on the kiosk again.")
}

/// Deletes hand-offs an hour past their expiry (until then the kiosk is
/// told "expired" rather than "unknown"); how many.
pub fn expire(db: &mut dyn crate::store::sql::Db, now: i64) -> Result<u64, crate::store::StoreError> {
    db.exec("DELETE FROM handoffs WHERE expires_at < $1", &[Int(now - 3600)])
}

/// `POST /api/handoff`: keeps a checked configuration under a new code.
pub async fn create(State(state): State<AppState>, JsonBody(b): JsonBody<NewHandoff>) -> Result<Response, Problem> {
    let model = state.catalogue.model(&b.product).ok_or_else(|| {
        Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "unknown-product", "Unknown product", format!("There is no product \"{}\".", b.product))
    })?;
    let choices = model.decode(&b.code).map_err(|e| {
        Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid-code", "Invalid configuration code", format!("{}: {e}.", b.code))
    })?;
    let config = model.encode(&choices);
    let code = new_code();
    let digest = sha256_hex(code.as_bytes());
    let expires = unix_seconds() as i64 + SECONDS;
    let product = b.product.clone();
    state
        .store
        .transaction(move |db| {
            db.exec(
                "INSERT INTO handoffs (code_sha256, product, config_code, expires_at) VALUES ($1, $2, $3, $4)",
                &[Text(&digest), Text(&product), Text(&config), Int(expires)],
            )
        })
        .await
        ??;
    tracing::info!("hand-off code made");
    let url = format!("/h/{code}");
    Ok((StatusCode::CREATED, Json(HandoffMade { code, url, expires_in: SECONDS })).into_response())
}

/// `GET /api/handoff/{code}`: claims the hand-off (once) and answers the
/// configuration.
pub async fn claim(State(state): State<AppState>, Path(code): Path<String>) -> Result<Response, Problem> {
    let code = normal(&code).ok_or_else(unknown)?;
    let digest = sha256_hex(code.as_bytes());
    let now = unix_seconds() as i64;
    let found = state
        .store
        .transaction(move |db| {
            let claimed = db.row(
                "UPDATE handoffs SET claimed_at = $2 WHERE code_sha256 = $1 AND claimed_at IS NULL AND expires_at > $2 RETURNING product, config_code",
                &[Text(&digest), Int(now)],
            )?;
            match claimed {
                Some(r) => Ok::<_, crate::store::StoreError>(Ok((r.text(0)?, r.text(1)?))),
                None => Ok(Err(db.row("SELECT claimed_at FROM handoffs WHERE code_sha256 = $1", &[Text(&digest)])?.map(|r| r.int(0).is_ok()))),
            }
        })
        .await
        ??;
    match found {
        Ok((product, code)) => Ok(Json(HandoffClaimed { product, code }).into_response()),
        Err(Some(true)) => Err(Problem::new(StatusCode::GONE, "handoff-used", "Already opened", "This code was already opened on a phone; each code works once.")),
        Err(Some(false)) => Err(Problem::new(StatusCode::GONE, "handoff-expired", "Code expired", "This code has expired; make a new one on the kiosk.")),
        Err(None) => Err(unknown()),
    }
}

/// `GET /api/handoff/{code}/state`: whether the phone has claimed it (the
/// kiosk asks, then resets).
pub async fn status(State(state): State<AppState>, Path(code): Path<String>) -> Result<Response, Problem> {
    let code = normal(&code).ok_or_else(unknown)?;
    let digest = sha256_hex(code.as_bytes());
    let row = state
        .store
        .transaction(move |db| db.row("SELECT claimed_at, expires_at FROM handoffs WHERE code_sha256 = $1", &[Text(&digest)]))
        .await
        ??
        .ok_or_else(unknown)?;
    let claimed = row.int(0).is_ok();
    let expired = row.int(1).map(|e| e <= unix_seconds() as i64).unwrap_or(true);
    Ok(Json(HandoffState { claimed, expired }).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_eight_unambiguous_characters_and_typing_slips_are_forgiven() {
        let c = new_code();
        assert_eq!(normal(&c), Some(c.clone()));
        assert_eq!(normal(&c.to_lowercase()), Some(c));
        assert_eq!(normal("o1il0ABC"), Some("0111" .to_string() + "0ABC"));
        assert_eq!(normal("short"), None);
        assert_eq!(normal("UUUUUUUU"), None, "U is not in the alphabet");
    }
}
