//! Partner sites: what the embedded page may know about its host.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// `GET /api/partners/{id}`: the origins allowed to frame the portal and
/// the partner's theme tokens (public, no key).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Partner {
    pub id: String,
    pub name: String,
    pub origins: Vec<String>,
    pub theme: BTreeMap<String, String>,
}

/// `POST /api/partner/embed-tokens` (with the partner's key): a token for
/// the partner's page to hand its configurator frame (the element's `token`
/// attribute); orders in the frame carry it, so only the partner's own page
/// places orders in its name.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmbedToken {
    pub partner: String,
    pub token: String,
    /// Seconds the token is accepted for.
    pub expires_in: i64,
}
