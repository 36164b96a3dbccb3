//! Partner sites that embed the configurator (issue 7, the server's part):
//! each registered with the origins allowed to frame it and exchange
//! messages with it, a small set of theme tokens (never arbitrary CSS), and
//! a key with which the partner's server reads the orders placed through it
//! and no one else's. Registered with `tailor-server partner add`.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::http::{Bearer, Problem};
use crate::secrets::sha256_hex;
use crate::state::AppState;
use crate::store::StoreError;
use crate::store::sql::{Db, Param::Text};

pub use tailor_api::Partner;

/// An id: 2 to 40 lower-case letters, digits and hyphens.
pub fn check_id(id: &str) -> Result<(), String> {
    let ok = (2..=40).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if ok { Ok(()) } else { Err(format!("partner id \"{id}\": 2 to 40 lower-case letters, digits and hyphens")) }
}

/// An origin as browsers send it: `https://host[:port]` (or `http://` for
/// localhost and 127.0.0.1), nothing after the host.
pub fn check_origin(origin: &str) -> Result<String, String> {
    let bad = || format!("origin \"{origin}\": expected https://host or https://host:port (http only for localhost), without a path");
    let (scheme, rest) = origin.split_once("://").ok_or_else(bad)?;
    let host = rest.rsplit_once(':').map_or(rest, |(h, port)| if port.bytes().all(|b| b.is_ascii_digit()) && !port.is_empty() { h } else { "" });
    let host_ok = !host.is_empty() && host.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-');
    let local = matches!(host, "localhost" | "127.0.0.1");
    if !host_ok || rest.contains('/') || !(scheme == "https" || (scheme == "http" && local)) {
        return Err(bad());
    }
    Ok(origin.to_ascii_lowercase())
}

fn partner_row(r: &crate::store::sql::Row) -> Result<Partner, StoreError> {
    Ok(Partner {
        id: r.text(0)?,
        name: r.text(1)?,
        origins: serde_json::from_str(&r.text(2)?).map_err(|e| StoreError::Database(e.to_string()))?,
        theme: serde_json::from_str(&r.text(3)?).map_err(|e| StoreError::Database(e.to_string()))?,
    })
}

pub fn add(db: &mut dyn Db, p: &Partner, key_sha256: &str, now: &str) -> Result<(), StoreError> {
    let origins = serde_json::to_string(&p.origins).map_err(|e| StoreError::Database(e.to_string()))?;
    let theme = serde_json::to_string(&p.theme).map_err(|e| StoreError::Database(e.to_string()))?;
    db.exec(
        "INSERT INTO partners (id, name, origins_json, theme_json, key_sha256, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
        &[Text(&p.id), Text(&p.name), Text(&origins), Text(&theme), Text(key_sha256), Text(now)],
    )?;
    Ok(())
}

pub fn active(db: &mut dyn Db, id: &str) -> Result<Option<Partner>, StoreError> {
    db.row("SELECT id, name, origins_json, theme_json FROM partners WHERE id = $1 AND revoked_at IS NULL", &[Text(id)])?
        .map(|r| partner_row(&r))
        .transpose()
}

pub fn by_key(db: &mut dyn Db, key_sha256: &str) -> Result<Option<Partner>, StoreError> {
    db.row("SELECT id, name, origins_json, theme_json FROM partners WHERE key_sha256 = $1 AND revoked_at IS NULL", &[Text(key_sha256)])?
        .map(|r| partner_row(&r))
        .transpose()
}

pub fn list(db: &mut dyn Db) -> Result<Vec<(Partner, Option<String>)>, StoreError> {
    db.rows("SELECT id, name, origins_json, theme_json, revoked_at FROM partners ORDER BY id", &[])?
        .iter()
        .map(|r| Ok((partner_row(r)?, r.opt_text(4)?)))
        .collect()
}

/// A partner's name, origins and theme; false when there is no such
/// active partner.
pub fn update(db: &mut dyn Db, p: &Partner) -> Result<bool, StoreError> {
    let origins = serde_json::to_string(&p.origins).map_err(|e| StoreError::Database(e.to_string()))?;
    let theme = serde_json::to_string(&p.theme).map_err(|e| StoreError::Database(e.to_string()))?;
    Ok(db.exec(
        "UPDATE partners SET name = $2, origins_json = $3, theme_json = $4 WHERE id = $1 AND revoked_at IS NULL",
        &[Text(&p.id), Text(&p.name), Text(&origins), Text(&theme)],
    )? == 1)
}

pub fn revoke(db: &mut dyn Db, id: &str, now: &str) -> Result<bool, StoreError> {
    Ok(db.exec("UPDATE partners SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL", &[Text(id), Text(now)])? == 1)
}

/// A new partner key (`tpk_` and 32 random bytes) and its digest.
pub fn new_key() -> (String, String) {
    crate::secrets::new_key("tpk")
}

/// How long an embed token is accepted: a day, so a partner's page may be
/// cached for hours and still take orders.
pub const EMBED_TOKEN_SECONDS: i64 = 24 * 3600;

fn embed_mac(secret: &[u8; 32], partner: &str, expires: i64) -> hmac::Hmac<sha2::Sha256> {
    use hmac::Mac;
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret).expect("HMAC takes any key length");
    mac.update(format!("tailor embed token\0{partner}\0{expires}").as_bytes());
    mac
}

/// An embed token for `partner`, accepted until `expires` (Unix seconds):
/// `v1.EXPIRES.MAC`, the MAC keyed with the server's secret.
pub fn embed_token(secret: &[u8; 32], partner: &str, expires: i64) -> String {
    use hmac::Mac;
    format!("v1.{expires}.{}", hex::encode(embed_mac(secret, partner, expires).finalize().into_bytes()))
}

/// Is `token` one this server made for `partner`, still accepted at `now`?
/// (The MAC is compared in constant time.)
pub fn embed_token_ok(secret: &[u8; 32], partner: &str, token: &str, now: i64) -> bool {
    use hmac::Mac;
    let mut parts = token.splitn(3, '.');
    let (Some("v1"), Some(expires), Some(mac)) = (parts.next(), parts.next(), parts.next()) else { return false };
    let (Ok(expires), Ok(mac)) = (expires.parse::<i64>(), hex::decode(mac)) else { return false };
    expires >= now && embed_mac(secret, partner, expires).verify_slice(&mac).is_ok()
}

/// `POST /api/partner/embed-tokens` with `Authorization: Bearer <partner
/// key>`: a token for the partner's page to give its configurator frame.
pub async fn post_embed_token(State(state): State<AppState>, bearer: Bearer) -> Result<Response, Problem> {
    let partner = partner_of(&state, bearer).await?;
    let expires = crate::clock::unix_seconds() as i64 + EMBED_TOKEN_SECONDS;
    let token = embed_token(state.store.token_secret(), &partner.id, expires);
    Ok((StatusCode::CREATED, Json(tailor_api::EmbedToken { partner: partner.id, token, expires_in: EMBED_TOKEN_SECONDS })).into_response())
}

/// The partner whose key the request carries.
/// The partner whose key `bearer` is, and its order `id` (404 for any
/// order that is not the partner's).
pub(crate) async fn own_order(state: &AppState, bearer: Bearer, id: &str) -> Result<(Partner, crate::store::OrderRow), Problem> {
    let partner = partner_of(state, bearer).await?;
    let not_found = || Problem::new(StatusCode::NOT_FOUND, "not-found", "No such order", "You have no order with this id.");
    let row = state.store.get(id).await?.ok_or_else(not_found)?;
    if row.partner_id.as_deref() != Some(partner.id.as_str()) {
        return Err(not_found());
    }
    Ok((partner, row))
}

async fn partner_of(state: &AppState, bearer: Bearer) -> Result<Partner, Problem> {
    let key = bearer
        .or(|| Problem::new(StatusCode::UNAUTHORIZED, "unauthorized", "Partner key required", "Send your partner key as \"Authorization: Bearer KEY\"."))?;
    let digest = sha256_hex(key.as_bytes());
    state
        .store
        .transaction(move |db| by_key(db, &digest))
        .await??
        .ok_or_else(|| Problem::new(StatusCode::UNAUTHORIZED, "unauthorized", "Unknown partner key", "This partner key is unknown or revoked."))
}

/// Is `id` a registered, active partner?
pub async fn exists(state: &AppState, id: &str) -> Result<bool, Problem> {
    let id = id.to_string();
    Ok(state.store.transaction(move |db| active(db, &id)).await??.is_some())
}

#[derive(serde::Deserialize)]
pub struct EmbedQuery {
    pub partner: Option<String>,
}

/// `GET /embed/...?partner=ID`: the app, framable only by that partner's
/// registered origins; an unknown or missing partner gets a page no one may
/// frame.
pub async fn embed(
    State((state, site)): State<(AppState, crate::site::Site)>,
    uri: axum::http::Uri,
    request: axum::http::HeaderMap,
    axum::extract::Query(q): axum::extract::Query<EmbedQuery>,
) -> Response {
    let Some(id) = q.partner.filter(|p| check_id(p).is_ok()) else {
        return site.embed_refused("This embed address needs ?partner=ID of a registered partner.");
    };
    let found = state.store.transaction(move |db| active(db, &id)).await;
    match found {
        Ok(Ok(Some(p))) => site.embed_page(uri.path(), &p.origins, &request),
        Ok(Ok(None)) => site.embed_refused("Unknown partner."),
        Ok(Err(e)) | Err(e) => {
            tracing::error!(error = %e, "partner lookup failed");
            site.embed_refused("Please try again.")
        }
    }
}

/// `GET /api/partners/{id}`: what the embedded page needs to know about its
/// host: the allowed origins and the theme (public, no key).
pub async fn get_public(State(state): State<AppState>, Path(id): Path<String>) -> Result<Response, Problem> {
    let found = state.store.transaction(move |db| active(db, &id)).await??;
    let p = found.ok_or_else(|| Problem::new(StatusCode::NOT_FOUND, "unknown-partner", "Unknown partner", "No partner is registered with this id."))?;
    Ok(Json(p).into_response())
}

/// An order as its partner sees it: what was ordered and its state; the
/// customer's contact and address stay with Tailor.
#[derive(Serialize)]
struct PartnerOrder {
    id: String,
    status: String,
    product: String,
    code: String,
    currency: String,
    total: i64,
    created_at: String,
    partner_id: String,
}

/// `GET /api/partner/orders/{id}` with `Authorization: Bearer <partner key>`:
/// one of the partner's own orders; any other order is "not found".
pub async fn get_order(State(state): State<AppState>, bearer: Bearer, Path(order): Path<String>) -> Result<Response, Problem> {
    let (partner, row) = own_order(&state, bearer, &order).await?;
    Ok(Json(PartnerOrder {
        id: row.id,
        status: row.status,
        product: row.product,
        code: row.code,
        currency: row.currency,
        total: row.total_minor,
        created_at: row.created_at,
        partner_id: partner.id,
    })
    .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_and_ids_are_checked() {
        assert_eq!(check_origin("https://Shop.Example.com"), Ok("https://shop.example.com".into()));
        assert!(check_origin("https://shop.example.com:8443").is_ok());
        assert!(check_origin("http://localhost:5173").is_ok());
        for bad in ["http://shop.example.com", "https://shop.example.com/path", "shop.example.com", "https://", "https://a b.com", "javascript://x"] {
            assert!(check_origin(bad).is_err(), "{bad}");
        }
        assert!(check_id("acme-shop").is_ok());
        assert!(check_id("Acme").is_err() && check_id("a").is_err());
    }

    #[test]
    fn embed_tokens_name_their_partner_and_expire() {
        let (secret, other) = ([7u8; 32], [8u8; 32]);
        let token = embed_token(&secret, "acme", 1_000);
        assert!(embed_token_ok(&secret, "acme", &token, 1_000));
        assert!(!embed_token_ok(&secret, "acme", &token, 1_001), "expired");
        assert!(!embed_token_ok(&secret, "other-shop", &token, 10), "another partner's");
        assert!(!embed_token_ok(&other, "acme", &token, 10), "another server's");
        let later = token.replacen("1000", "9999", 1);
        assert!(!embed_token_ok(&secret, "acme", &later, 10), "a changed expiry");
        for bad in ["", "v1", "v1.x.y", "v2.1000.00", "v1.1000.zz"] {
            assert!(!embed_token_ok(&secret, "acme", bad, 10), "{bad}");
        }
    }
}
