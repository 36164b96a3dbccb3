//! The kiosk: calls for staff and the hand-off to a phone.

use serde::{Deserialize, Serialize};

/// `POST /api/kiosk/calls`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewCall {
    pub place: String,
    #[serde(default)]
    pub product: Option<String>,
}

/// Whether staff have answered a call.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CallState {
    Waiting,
    Answered,
}

/// A call for staff, as the kiosk and the staff page see it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Call {
    pub id: String,
    pub place: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product: Option<String>,
    pub state: CallState,
    pub waiting_seconds: i64,
}

/// `GET /api/staff/calls`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Calls {
    pub calls: Vec<Call>,
}

/// `POST /api/handoff`: a configuration to continue on a phone.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewHandoff {
    pub product: String,
    pub code: String,
}

/// The answer to a new hand-off: its one-time code and address.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HandoffMade {
    pub code: String,
    pub url: String,
    pub expires_in: i64,
}

/// `GET /api/handoff/{code}`: the configuration, claimed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HandoffClaimed {
    pub product: String,
    pub code: String,
}

/// `GET /api/handoff/{code}/state`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HandoffState {
    pub claimed: bool,
    pub expired: bool,
}
