//! Orders as a service: an order body checked and priced again with the
//! engine, stored once per idempotency key, and read back. Both the order
//! route and "order again" place orders through [`place`]. Depends on the
//! store, the catalogue, the engine and the partner registry; never on the
//! routes of any module.

pub mod picture;
pub mod routes;

use axum::Json;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use serde_json::value::RawValue;
use sha2::Sha256;
use tailor_engine::contact::{self, Contact, Shipping};
use tailor_engine::{CodeError, OrderError};

use crate::clock::{now_rfc3339, unix_seconds};
use crate::http::Problem;
use crate::secrets::{random_bytes, sha256_hex};
use crate::state::AppState;
use crate::store::{Idempotency, Inserted, OrderRow};

pub use tailor_api::{Channel, Created, IDEMPOTENCY_KEY, NewOrder, OrderView};

/// The `Idempotency-Key` header: 1 to 255 visible ASCII characters.
pub struct IdempotencyKey(pub String);

impl<S: Send + Sync> FromRequestParts<S> for IdempotencyKey {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Problem> {
        let value = parts.headers.get(IDEMPOTENCY_KEY).ok_or_else(|| {
            Problem::new(
                StatusCode::BAD_REQUEST,
                "missing-idempotency-key",
                "Idempotency-Key required",
                "Send a new order with an \"Idempotency-Key\" header (a random value such as a UUID), and the same key when you retry it.",
            )
        })?;
        let key = value.to_str().ok().filter(|k| (1..=255).contains(&k.len()) && k.bytes().all(|b| (0x21..=0x7e).contains(&b)));
        key.map(|k| IdempotencyKey(k.to_string())).ok_or_else(|| {
            Problem::new(
                StatusCode::BAD_REQUEST,
                "invalid-idempotency-key",
                "Invalid Idempotency-Key",
                "The Idempotency-Key must be 1 to 255 visible ASCII characters (no spaces).",
            )
        })
    }
}

/// What placing an order came to.
pub enum Placed {
    /// Stored now.
    Created(OrderRow),
    /// Stored before under the same key with the same body: the same order.
    Replayed(OrderRow),
}

/// Places an order: `body` (a [`NewOrder`] as JSON) checked and priced with
/// the engine (with the member's `percent_off`), then stored under `key`
/// unless that key already holds it.
pub async fn place(state: &AppState, body: &[u8], key: IdempotencyKey, percent_off: Option<u32>) -> Result<Placed, Problem> {
    let key = Idempotency { key: key.0, request_sha256: sha256_hex(body) };
    let mut row = match priced_order(state, body, percent_off) {
        Ok(row) => row,
        Err(problem) => {
            // A retry of an order stored before (say, before the catalogue
            // changed) still gets that order.
            return match state.store.by_key(&key.key).await? {
                Some((order, digest)) => replay(order, &digest, &key),
                None => Err(problem),
            };
        }
    };
    // An order through a partner names a registered, active partner.
    if let Some(partner) = &row.partner_id
        && !crate::partners::exists(state, partner).await?
    {
        return Err(Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknown-partner",
            "Unknown partner",
            format!("No partner \"{partner}\" is registered."),
        ));
    }
    let mut attempts = 0;
    let inserted = loop {
        match state.store.insert(row.clone(), key.clone()).await {
            Err(crate::store::StoreError::DuplicateId) if attempts < 5 => {
                attempts += 1;
                row.id = new_order_id(unix_seconds());
                row.token_sha256 = sha256_hex(order_token(state.store.token_secret(), &row.id).as_bytes());
            }
            other => break other?,
        }
    };
    match inserted {
        Inserted::Created => {
            tracing::info!(order = %row.id, product = %row.product, total = row.total_minor, "order stored");
            Ok(Placed::Created(row))
        }
        Inserted::Existing { order, request_sha256 } => replay(order, &request_sha256, &key),
    }
}

/// The answer to a key seen before: the same order for the same body, a
/// conflict for another.
fn replay(order: OrderRow, digest: &str, key: &Idempotency) -> Result<Placed, Problem> {
    if digest != key.request_sha256 {
        return Err(Problem::new(
            StatusCode::CONFLICT,
            "idempotency-key-reused",
            "Key used for another order",
            "This Idempotency-Key was already used with a different order body; send a new key for a new order.",
        ));
    }
    Ok(Placed::Replayed(order))
}

/// The HTTP answer to a placed order: 201 with the order and its access
/// token (`Idempotent-Replayed: true` for a replay).
pub fn created(state: &AppState, placed: &Placed) -> Result<Response, Problem> {
    let (row, replayed) = match placed {
        Placed::Created(row) => (row, false),
        Placed::Replayed(row) => (row, true),
    };
    let created = Created { order: view(row)?, access_token: order_token(state.store.token_secret(), &row.id) };
    let location = format!("/api/orders/{}", created.order.id);
    let mut response = (StatusCode::CREATED, [(header::LOCATION, location)], Json(created)).into_response();
    if replayed {
        response.headers_mut().insert("idempotent-replayed", axum::http::HeaderValue::from_static("true"));
    }
    Ok(response)
}

/// The order access token: derived from the order id with the server's
/// secret, so a replayed answer carries the same token without the token
/// itself being stored (only its digest is).
pub fn order_token(secret: &[u8; 32], order_id: &str) -> String {
    use hmac::{Hmac, Mac};
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes any key length");
    mac.update(b"tailor order token\0");
    mac.update(order_id.as_bytes());
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
}

/// Checks and prices an order body with the engine; the row to store.
fn priced_order(state: &AppState, body: &[u8], percent_off: Option<u32>) -> Result<OrderRow, Problem> {
    let order: NewOrder = serde_json::from_slice(body).map_err(|e| {
        Problem::new(StatusCode::BAD_REQUEST, "malformed-body", "Malformed order", format!("The order body is not valid: {e}"))
    })?;
    let model = state.catalogue.model(&order.product).ok_or_else(|| {
        Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknown-product",
            "Unknown product",
            format!("There is no product \"{}\" in the catalogue.", order.product),
        )
    })?;
    if order.catalogue_version != model.version() {
        return Err(Problem::new(
            StatusCode::CONFLICT,
            "outdated-catalogue",
            "Outdated catalogue",
            format!(
                "The order was made with catalogue version \"{}\" of \"{}\"; the current version is \"{}\". Reload the page and check your choices.",
                order.catalogue_version,
                order.product,
                model.version()
            ),
        )
        .with("current_version", model.version()));
    }
    let choices = model.decode(&order.code).map_err(|e| match e {
        CodeError::OtherCatalogue => Problem::new(
            StatusCode::CONFLICT,
            "outdated-catalogue",
            "Outdated catalogue",
            "The configuration code was made for another version of this product. Reload the page and check your choices.",
        ),
        other => Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid-code", "Invalid configuration code", format!("{}: {other}.", order.code)),
    })?;
    let quote = model.quote(&choices).map_err(|e| match e {
        OrderError::Incomplete(missing) => Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "incomplete-configuration",
            "Incomplete configuration",
            format!("No choice was made for: {}.", missing.join(", ")),
        )
        .with("missing", missing),
        OrderError::Violates { rule, message } => Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid-configuration",
            "Invalid configuration",
            format!("The choices break a rule: {}", message.en),
        )
        .with("rule", rule),
    })?;
    let texts = model.check_texts(&choices, &order.texts).map_err(|errors| {
        let list: Vec<String> = errors.iter().map(ToString::to_string).collect();
        Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid-text", "Invalid text", format!("{}.", list.join("; ")))
    })?;
    let field_errors = contact::check(&order.contact, &order.shipping);
    if !field_errors.is_empty() {
        let list: Vec<&str> = field_errors.iter().map(|e| e.message.as_str()).collect();
        return Err(Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid-contact", "Check your details", format!("{}.", list.join("; ")))
            .with("errors", field_errors));
    }
    if !matches!(order.locale.as_str(), "en" | "zh-CN") {
        return Err(Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid-locale", "Unknown language", "locale must be \"en\" or \"zh-CN\"."));
    }
    if (order.channel == Channel::Partner) != order.partner_id.is_some() {
        return Err(Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid-channel",
            "Partner mismatch",
            "A partner id is given exactly when the channel is \"partner\".",
        ));
    }
    // Only the partner's own page places orders in its name: its frame
    // carries a token the partner's server got with its key.
    if let Some(partner) = &order.partner_id
        && !order.partner_token.as_deref().is_some_and(|t| crate::partners::embed_token_ok(state.store.token_secret(), partner, t, unix_seconds() as i64))
    {
        return Err(Problem::new(
            StatusCode::FORBIDDEN,
            "partner-token",
            "Not from the partner's page",
            format!(
                "An order through partner \"{partner}\" is taken only from the partner's own page, with a valid embed token; this one is missing, wrong or expired. Reload the partner's page."
            ),
        ));
    }
    let total = tailor_engine::member_price(quote.total, percent_off);
    if total != order.price_seen {
        return Err(Problem::new(
            StatusCode::CONFLICT,
            "price-mismatch",
            "Price changed",
            format!(
                "The price shown was {} but this configuration costs {} ({} minor units). Please check the new price.",
                order.price_seen, total, quote.currency
            ),
        )
        .with("price", total));
    }
    let id = new_order_id(unix_seconds());
    let token = order_token(state.store.token_secret(), &id);
    Ok(OrderRow {
        id,
        token_sha256: sha256_hex(token.as_bytes()),
        product: order.product.clone(),
        catalogue_version: order.catalogue_version.clone(),
        choices_json: serde_json::to_string(&choices.to_ids(model)).map_err(|_| Problem::internal())?,
        currency: quote.currency.clone(),
        total_minor: total,
        status: "new".into(),
        created_at: now_rfc3339(),
        code: model.encode(&choices),
        texts_json: serde_json::to_string(&texts).map_err(|_| Problem::internal())?,
        contact_json: serde_json::to_string(&trimmed_contact(&order.contact)).map_err(|_| Problem::internal())?,
        shipping_json: serde_json::to_string(&trimmed_shipping(&order.shipping)).map_err(|_| Problem::internal())?,
        locale: order.locale.clone(),
        channel: order.channel.as_str().to_string(),
        partner_id: order.partner_id.clone(),
    })
}

pub fn view(row: &OrderRow) -> Result<OrderView, Problem> {
    Ok(OrderView {
        id: row.id.clone(),
        status: row.status.clone(),
        product: row.product.clone(),
        catalogue_version: row.catalogue_version.clone(),
        code: row.code.clone(),
        choices: raw(&row.choices_json)?,
        texts: raw(&row.texts_json)?,
        currency: row.currency.clone(),
        total: row.total_minor,
        created_at: row.created_at.clone(),
        contact: raw(&row.contact_json)?,
        shipping: raw(&row.shipping_json)?,
        locale: row.locale.clone(),
        channel: json(&format!("\"{}\"", row.channel))?,
        partner_id: row.partner_id.clone(),
    })
}

pub fn raw(text: &str) -> Result<Box<RawValue>, Problem> {
    RawValue::from_string(text.to_string()).map_err(|_| Problem::internal())
}

fn json<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, Problem> {
    serde_json::from_str(text).map_err(|_| Problem::internal())
}

fn trimmed_contact(c: &Contact) -> Contact {
    Contact { name: c.name.trim().into(), email: c.email.trim().into(), phone: c.phone.trim().into() }
}

fn trimmed_shipping(s: &Shipping) -> Shipping {
    Shipping {
        line1: s.line1.trim().into(),
        line2: s.line2.trim().into(),
        city: s.city.trim().into(),
        postcode: s.postcode.trim().into(),
        country: s.country.clone(),
    }
}

/// `T`, 6 Crockford base-32 characters of the second it was made (since
/// 2025; they sort in time order, so new orders land at the end of the
/// index instead of all over it) and 7 random ones (35 bits). A clash in one
/// second is possible and handled: the store refuses it and a new id is
/// drawn.
pub fn new_order_id(unix_seconds: u64) -> String {
    const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    let since = unix_seconds.saturating_sub(1_735_689_600) & ((1 << 30) - 1);
    let random = u64::from_le_bytes(random_bytes::<8>());
    let mut id = String::with_capacity(14);
    id.push('T');
    for i in (0..6).rev() {
        id.push(ALPHABET[((since >> (i * 5)) & 31) as usize] as char);
    }
    for i in 0..7 {
        id.push(ALPHABET[((random >> (i * 5)) & 31) as usize] as char);
    }
    id
}

