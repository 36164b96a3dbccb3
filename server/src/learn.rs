//! Learning from the shop's own orders (issue 16): each product's orders of
//! its current catalogue version become the aggregate statistics of
//! `tailor_engine::recommend::Learned` (counts under k dropped; only the
//! choices are read, never a customer or a personal field), stored in
//! `learned` and served as a cacheable file, `GET /api/learned/{product}`.
//! Remade at start-up and every hour, or with `tailor-server learn`.

use std::collections::BTreeMap;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use tailor_engine::Choices;
use tailor_engine::recommend::Learned;

use crate::catalogue::Catalogue;
use crate::http::Problem;
use crate::state::AppState;
use crate::store::sql::Param::{Int, Text};
use crate::store::{Store, StoreError};

/// Counts resting on fewer orders are dropped, unless configured otherwise.
pub const DEFAULT_K: u32 = 5;

/// Learns every product of the catalogue from its orders; (product, orders
/// learned from) for each.
pub async fn learn_all(store: &Store, catalogue: &Catalogue, k: u32) -> Result<Vec<(String, u32)>, StoreError> {
    let mut out = Vec::new();
    for entry in &catalogue.index.products {
        let Some(model) = catalogue.model(&entry.id) else { continue };
        let (product, version) = (model.id().to_string(), model.version().to_string());
        let rows = store
            .transaction(move |db| {
                db.rows("SELECT choices_json FROM orders WHERE product = $1 AND catalogue_version = $2", &[Text(&product), Text(&version)])?
                    .iter()
                    .map(|r| r.text(0))
                    .collect::<Result<Vec<_>, _>>()
            })
            .await??;
        // An order whose choices no longer read against the model is left out.
        let orders: Vec<Choices> = rows
            .iter()
            .filter_map(|text| serde_json::from_str::<BTreeMap<String, String>>(text).ok())
            .filter_map(|ids| Choices::from_ids(model, &ids).ok())
            .collect();
        let learned = Learned::from_orders(model, &orders, k);
        let json = serde_json::to_string(&learned).map_err(|e| StoreError::Database(e.to_string()))?;
        let (product, version, count) = (model.id().to_string(), model.version().to_string(), learned.orders);
        let now = crate::clock::now_rfc3339();
        store
            .transaction(move |db| {
                db.exec(
                    "INSERT INTO learned (product, version, orders, json, made_at) VALUES ($1, $2, $3, $4, $5)
                     ON CONFLICT (product) DO UPDATE SET version = excluded.version, orders = excluded.orders, json = excluded.json, made_at = excluded.made_at",
                    &[Text(&product), Text(&version), Int(count as i64), Text(&json), Text(&now)],
                )
            })
            .await??;
        out.push((model.id().to_string(), count));
    }
    Ok(out)
}

/// Learns now and then every `every`, for as long as the server runs.
pub async fn run(store: Store, catalogue: std::sync::Arc<Catalogue>, k: u32, every: std::time::Duration) {
    let mut tick = tokio::time::interval(every);
    // Logged when what was learned changes (not at every run).
    let mut last = None;
    loop {
        tick.tick().await;
        match learn_all(&store, &catalogue, k).await {
            Ok(learned) if last.as_ref() != Some(&learned) => {
                tracing::info!(products = learned.len(), orders = learned.iter().map(|l| l.1 as u64).sum::<u64>(), "learned from the orders");
                last = Some(learned);
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "learning from the orders failed; trying again later"),
        }
    }
}

/// `GET /api/learned/{product}`: the product's learned statistics for the
/// current catalogue version (public aggregate data, cached for five
/// minutes, with an ETag); 404 while nothing is learned (a new shop).
pub async fn get_learned(State(state): State<AppState>, Path(product): Path<String>, headers: HeaderMap) -> Result<Response, Problem> {
    let nothing = || Problem::new(StatusCode::NOT_FOUND, "nothing-learned", "Nothing learned yet", "There are not yet enough orders of this product to learn from.");
    let model = state
        .catalogue
        .model(&product)
        .ok_or_else(|| Problem::new(StatusCode::NOT_FOUND, "unknown-product", "Unknown product", format!("There is no product \"{product}\".")))?;
    let version = model.version().to_string();
    let found = state
        .store
        .transaction(move |db| {
            db.row("SELECT json, made_at FROM learned WHERE product = $1 AND version = $2 AND orders > 0", &[Text(&product), Text(&version)])?
                .map(|r| Ok::<_, StoreError>((r.text(0)?, r.text(1)?)))
                .transpose()
        })
        .await??;
    let (json, made_at) = found.ok_or_else(nothing)?;
    let etag = format!("\"{}\"", &crate::secrets::sha256_hex(format!("{made_at}:{json}").as_bytes())[..16]);
    let cache = [(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=300")), (header::ETAG, HeaderValue::from_str(&etag).map_err(|_| Problem::internal())?)];
    if headers.get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()).is_some_and(|v| v.split(',').any(|t| t.trim() == etag)) {
        return Ok((StatusCode::NOT_MODIFIED, cache).into_response());
    }
    Ok((cache, [(header::CONTENT_TYPE, HeaderValue::from_static("application/json"))], json).into_response())
}
