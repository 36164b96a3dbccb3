//! Consent events (after ISO/IEC 27560 and the Kantara Consent Receipt) and
//! their hash chain. Each customer's events form one chain: an event's hash
//! covers the previous event's hash and the event's own JSON, so changing,
//! removing or reordering an event breaks every hash after it.

use serde::{Deserialize, Serialize};
use tailor_api::ConsentState;

pub const SCHEMA: &str = "tailor-consent/1";
/// The `prev_sha256` of a customer's first event.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The member offer as it was accepted or declined.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfferTerms {
    pub id: String,
    pub terms_version: u32,
    /// "10% off every order".
    pub value: String,
    pub estimate: String,
    pub purposes: Vec<String>,
    pub accepted: bool,
}

/// What an erasure removed from the log (the rest of the record proves the
/// request itself).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Erased {
    pub events: u64,
    /// The hash of the last event removed.
    pub head_sha256: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsentEvent {
    pub id: String,
    pub schema: String,
    /// Pseudonymous: the profile id, never a name or an address.
    pub customer: String,
    pub jurisdiction: String,
    pub language: String,
    pub notice_id: String,
    pub notice_version: u32,
    pub notice_sha256: String,
    /// preference-centre, checkout, kiosk, partner-embed, staff-assisted, account.
    pub place: String,
    /// toggle, gpc, sign-in-merge, erasure-request.
    pub method: String,
    pub purpose: String,
    pub dpv: String,
    pub legal_basis: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub channel: String,
    pub data: Vec<String>,
    pub recipients: Vec<String>,
    pub retention: String,
    pub optional: bool,
    pub state: ConsentState,
    pub at: String,
    /// "customer" or "staff".
    pub actor: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor_role: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offer: Option<OfferTerms>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub erased: Option<Erased>,
}

impl ConsentEvent {
    /// Does this state let the purpose be used (within its scope)?
    pub fn grants(&self) -> bool {
        matches!(self.state, ConsentState::Given | ConsentState::Renewed)
    }
}

/// The hash of an event stored as `event_json` after `prev_sha256`.
pub fn link_hash(prev_sha256: &str, event_json: &str) -> String {
    let mut bytes = Vec::with_capacity(prev_sha256.len() + 1 + event_json.len());
    bytes.extend_from_slice(prev_sha256.as_bytes());
    bytes.push(b'\n');
    bytes.extend_from_slice(event_json.as_bytes());
    crate::secrets::sha256_hex(&bytes)
}

/// A stored link of the chain.
#[derive(Clone, Debug)]
pub struct Link {
    pub seq: i64,
    pub id: String,
    pub customer_id: String,
    pub event_json: String,
    pub prev_sha256: String,
    pub sha256: String,
}

/// What `tailor-server consent verify` found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Verification {
    pub events: usize,
    pub customers: usize,
    /// One line per break: which event, and what does not hold.
    pub breaks: Vec<String>,
}

/// Checks every customer's chain; `links` in log order (by `seq`).
pub fn verify(links: &[Link]) -> Verification {
    let mut heads: std::collections::HashMap<&str, &str> = std::collections::HashMap::new();
    let mut breaks = Vec::new();
    for link in links {
        let expected_prev = heads.get(link.customer_id.as_str()).copied().unwrap_or(GENESIS);
        let at = format!("event {} (seq {}) of customer {}", link.id, link.seq, link.customer_id);
        if link.prev_sha256 != expected_prev {
            breaks.push(format!("{at}: does not follow the customer's previous event (an event before it was changed, removed or inserted)"));
        }
        if link_hash(&link.prev_sha256, &link.event_json) != link.sha256 {
            breaks.push(format!("{at}: its hash does not match its contents (the event was changed)"));
        }
        match serde_json::from_str::<ConsentEvent>(&link.event_json) {
            Ok(e) if e.id != link.id || e.customer != link.customer_id => {
                breaks.push(format!("{at}: the stored id or customer differs from the event's own"))
            }
            Ok(_) => {}
            Err(e) => breaks.push(format!("{at}: not a consent event: {e}")),
        }
        heads.insert(&link.customer_id, &link.sha256);
    }
    Verification { events: links.len(), customers: heads.len(), breaks }
}
