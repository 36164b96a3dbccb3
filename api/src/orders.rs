//! `/api/orders`: a new order, and the order as its customer reads it.

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::value::RawValue;
use tailor_engine::contact::{Contact, Shipping};

/// The header a client sends with every new order: the same key for every
/// retry of one order, a new key for a new order.
pub const IDEMPOTENCY_KEY: &str = "idempotency-key";

/// Where an order was placed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Channel {
    #[default]
    Web,
    Kiosk,
    Partner,
}

impl Channel {
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Web => "web",
            Channel::Kiosk => "kiosk",
            Channel::Partner => "partner",
        }
    }
}

fn default_locale() -> String {
    "en".into()
}

/// `POST /api/orders`. Only the configuration code (and texts) are taken
/// from it; the price the customer saw is compared, never trusted.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewOrder {
    pub product: String,
    pub catalogue_version: String,
    /// The configuration code (`Model::encode`).
    pub code: String,
    /// The total the customer saw, in minor units.
    pub price_seen: i64,
    #[serde(default)]
    pub texts: BTreeMap<String, String>,
    pub contact: Contact,
    pub shipping: Shipping,
    /// `en` or `zh-CN`.
    #[serde(default = "default_locale")]
    pub locale: String,
    #[serde(default)]
    pub channel: Channel,
    /// The partner whose page the order was placed in (channel `partner`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partner_id: Option<String>,
    /// The partner's embed token (`POST /api/partner/embed-tokens`), which
    /// an order through a partner must carry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partner_token: Option<String>,
}

/// An order as the API shows it to the customer who placed it.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct OrderView {
    pub id: String,
    pub status: String,
    pub product: String,
    pub catalogue_version: String,
    pub code: String,
    /// Attribute id to option id. The JSON objects are sent as stored.
    pub choices: Box<RawValue>,
    pub texts: Box<RawValue>,
    pub currency: String,
    pub total: i64,
    pub created_at: String,
    /// `Contact` and `Shipping` as stored (trimmed).
    pub contact: Box<RawValue>,
    pub shipping: Box<RawValue>,
    pub locale: String,
    pub channel: Channel,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partner_id: Option<String>,
}

/// The answer to a new order: the view plus the secret that reads it back.
#[derive(Clone, Debug, Serialize)]
pub struct Created {
    #[serde(flatten)]
    pub order: OrderView,
    /// Bearer token for `GET /api/orders/{id}`; shown once, stored hashed.
    pub access_token: String,
}

/// What the customer's app reads of the answer to a new order ([`Created`]'s
/// JSON, its other fields skipped): the order's id and the token that reads
/// it back, all it needs to go to the order's page; so that the shop's wasm
/// carries no reader of the whole view.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct Placed {
    pub id: String,
    pub access_token: String,
}

/// Read by hand: serde's `flatten` cannot hand a `RawValue` field on (it
/// buffers the object first), so the object is kept as written and read
/// twice, as the view (which ignores `access_token`) and for the token.
impl<'de> Deserialize<'de> for Created {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Created, D::Error> {
        #[derive(Deserialize)]
        struct Token {
            access_token: String,
        }
        let raw = <Box<RawValue>>::deserialize(deserializer)?;
        let order: OrderView = serde_json::from_str(raw.get()).map_err(serde::de::Error::custom)?;
        let Token { access_token } = serde_json::from_str(raw.get()).map_err(serde::de::Error::custom)?;
        Ok(Created { order, access_token })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_app_reads_the_id_and_token_of_a_new_order() {
        let json = r#"{"id": "T1", "status": "new", "product": "pc", "catalogue_version": "1", "code": "1abc",
            "choices": {"case": "tower"}, "texts": {}, "currency": "EUR", "total": 129900, "created_at": "2026-11-24T10:00:00Z",
            "contact": {"name": "Ada Lovelace", "email": "ada@example.com"}, "shipping": {"line1": "1 Main St", "city": "Berlin", "postcode": "10115", "country": "DE"},
            "locale": "en", "channel": "web", "access_token": "secret"}"#;
        let created: Created = serde_json::from_str(json).unwrap();
        let written = serde_json::to_string(&created).unwrap();
        let placed: Placed = serde_json::from_str(&written).unwrap();
        assert_eq!(placed, Placed { id: "T1".into(), access_token: "secret".into() });
        assert_eq!(serde_json::from_str::<Placed>(json).unwrap(), placed);
    }
}
