//! Customer profiles and the privacy preference centre: a profile made when
//! a customer first saves something and held by an HttpOnly session cookie,
//! sign-in by a one-time e-mail code (linking devices, merging profiles),
//! per-purpose and per-channel consent in a hash-chained log with receipts,
//! Global Privacy Control, export and erasure, and the staff reads that need
//! to know (support, logged; marketing, counts only).
//!
//! Inside: `consent` (the event and its chain), `notice` (the notice file),
//! `db` (the tables), `consents` (switch state), `sessions` (the customer
//! behind a request), then one file per set of routes (`profile`,
//! `preferences`, `signin`, `again`, `erase`, `staff_reads`). Depends on
//! orders as a service (order views, tokens, placing an order again).

pub mod again;
pub mod consent;
pub mod consents;
pub mod db;
pub mod differentiate;
pub mod erase;
pub mod notice;
pub mod preferences;
pub mod profile;
pub mod sessions;
pub mod signin;
pub mod staff_reads;

use axum::http::StatusCode;

use crate::http::Problem;
use crate::store::StoreError;

pub(super) fn bad(kind: &str, title: &str, detail: impl Into<String>) -> Problem {
    Problem::new(StatusCode::UNPROCESSABLE_ENTITY, kind, title, detail)
}

pub(super) fn no_profile() -> Problem {
    Problem::new(StatusCode::NOT_FOUND, "no-profile", "No profile", "This browser holds no profile: nothing is stored about you here.")
}

pub(super) fn language(l: Option<&str>) -> Result<String, Problem> {
    match l.unwrap_or("en") {
        "en" => Ok("en".into()),
        "zh-CN" => Ok("zh-CN".into()),
        other => Err(bad("invalid-language", "Unknown language", format!("language must be \"en\" or \"zh-CN\", not \"{other}\"."))),
    }
}

/// The member price: `percent` off, rounded to the nearest minor unit.
pub fn discounted(total: i64, percent: Option<u32>) -> i64 {
    tailor_engine::member_price(total, percent)
}

/// Verifies every customer's consent chain in the store.
pub async fn verify_chain(store: &crate::store::Store) -> Result<consent::Verification, StoreError> {
    store.transaction(|conn| db::all_links(conn).map(|links| consent::verify(&links))).await?
}
