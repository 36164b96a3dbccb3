//! Placing the order: the stages of the review, the body sent to the
//! server, and what its answer leads to.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use tailor_engine::contact::{Contact, Shipping};

/// The body of `POST /api/orders`.
#[derive(Serialize)]
pub(super) struct NewOrder {
    pub(super) product: String,
    pub(super) catalogue_version: String,
    pub(super) code: String,
    pub(super) price_seen: i64,
    pub(super) texts: BTreeMap<String, String>,
    pub(super) contact: Contact,
    pub(super) shipping: Shipping,
    pub(super) locale: String,
    /// `web`, `kiosk` or `partner` (in a partner's frame, with its id).
    pub(super) channel: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) partner_id: Option<String>,
}

/// The part of the server's answer the page uses.
#[derive(Deserialize)]
pub(super) struct Created {
    pub(super) id: String,
    pub(super) access_token: String,
}

#[derive(Clone, Debug, PartialEq)]
pub(super) enum Stage {
    Configure,
    Review,
    Sending,
    /// Made offline: waiting in this browser's outbox under its key.
    Queued(String),
    Placed(String),
}
