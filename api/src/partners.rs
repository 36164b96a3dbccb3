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
