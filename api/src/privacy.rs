//! The customer's profile and privacy choices (`/api/me`, `/api/sign-in`).

use serde::{Deserialize, Serialize};
use tailor_engine::fit::Preference;

/// A switch as the customer sees it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SwitchState {
    On,
    #[default]
    Off,
    /// Given under a notice that has since widened the purpose: it covers
    /// only the old scope until asked again.
    AskAgain,
}

/// The state a consent event records.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ConsentState {
    Given,
    Refused,
    Withdrawn,
    /// Given again after the notice widened the purpose.
    Renewed,
    /// The profile was erased.
    Erased,
}

impl ConsentState {
    pub fn as_str(self) -> &'static str {
        match self {
            ConsentState::Given => "given",
            ConsentState::Refused => "refused",
            ConsentState::Withdrawn => "withdrawn",
            ConsentState::Renewed => "renewed",
            ConsentState::Erased => "erased",
        }
    }

    pub fn parse(word: &str) -> Option<ConsentState> {
        [ConsentState::Given, ConsentState::Refused, ConsentState::Withdrawn, ConsentState::Renewed, ConsentState::Erased]
            .into_iter()
            .find(|s| s.as_str() == word)
    }
}

/// One switch: a purpose, or a purpose's channel (marketing).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Switch {
    pub purpose: String,
    #[serde(skip_serializing_if = "String::is_empty", default)]
    pub channel: String,
    pub state: SwitchState,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last: Option<EventSummary>,
}

/// The last consent event of a switch.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventSummary {
    pub id: String,
    pub state: ConsentState,
    pub method: String,
    pub at: String,
    pub notice_version: u32,
}

/// A saved configuration.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Saved {
    pub id: String,
    pub product: String,
    pub code: String,
    pub name: String,
    pub created_at: String,
}

/// One of the customer's orders in their profile.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderSummary {
    pub id: String,
    pub product: String,
    pub code: String,
    pub status: String,
    pub total: i64,
    pub currency: String,
    pub created_at: String,
    /// Reads the order's status page.
    pub access_token: String,
    /// What ordering the same again costs now, or why it cannot be.
    pub again: Again,
}

/// Whether an order can be placed again, at what price, or why not.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Again {
    pub available: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total: Option<i64>,
    /// `product-withdrawn`, `catalogue-changed`, `details-erased` or
    /// `no-longer-valid`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// The profile, once there is one.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProfileView {
    pub id: String,
    pub created_at: String,
    pub signed_in: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default)]
    pub measurements: Option<serde_json::Value>,
    #[serde(default)]
    pub answers: serde_json::Value,
    pub saved: Vec<Saved>,
    pub orders: Vec<OrderSummary>,
    /// The member discount in percent, when a member.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub member_percent_off: Option<u32>,
}

/// `GET /api/me`: the profile (if any) and every switch.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MeView {
    pub profile: Option<ProfileView>,
    pub consents: Vec<Switch>,
    /// The browser sends Global Privacy Control (now or before, in this session).
    pub gpc: bool,
    pub notice: NoticeRef,
}

/// What the shop's and the channels bundle's pages read of `GET /api/me`
/// and of the answers that carry it: the same JSON as [`MeView`], its other
/// fields skipped, so that those bundles carry no decoder of the rest (the
/// saved configurations, the orders' details, the consent history).
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct MeBrief {
    pub profile: Option<ProfileBrief>,
    pub consents: Vec<SwitchBrief>,
    pub notice: NoticeRef,
}

/// [`ProfileView`] as [`MeBrief`] reads it.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct ProfileBrief {
    #[serde(default)]
    pub measurements: Option<serde_json::Value>,
    #[serde(default)]
    pub orders: Vec<OrderBrief>,
    #[serde(default)]
    pub member_percent_off: Option<u32>,
}

/// An [`OrderSummary`]'s product and configuration (for recommendations
/// from the customer's own orders).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct OrderBrief {
    pub product: String,
    pub code: String,
}

/// A [`Switch`] without its history.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct SwitchBrief {
    pub purpose: String,
    #[serde(default)]
    pub channel: String,
    pub state: SwitchState,
}

/// The notice version the customer is shown.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoticeRef {
    pub id: String,
    pub version: u32,
    pub sha256: String,
}

/// `POST /api/me/gpc`: the page read `navigator.globalPrivacyControl`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GpcSignal {
    pub global_privacy_control: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
}

/// What a customer does to a switch.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ChangeState {
    Given,
    /// Recorded as `refused` when nothing was given.
    Withdrawn,
}

/// One switch changed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConsentChange {
    pub purpose: String,
    #[serde(default)]
    pub channel: String,
    pub state: ChangeState,
}

/// `POST /api/me/consents`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConsentChanges {
    pub notice_version: u32,
    pub notice_sha256: String,
    /// Where the choice was made (`preference-centre`, `checkout`, ...).
    pub place: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    pub changes: Vec<ConsentChange>,
    /// Accepting the member offer: `changes` give exactly its purposes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offer: Option<String>,
}

/// The answer to consent changes: the events recorded and the new view.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ConsentsRecorded {
    pub events: Vec<String>,
    pub me: MeView,
}

/// `PUT /api/me/measurements` (centimetres).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MeasurementsBody {
    pub waist_cm: f64,
    pub hip_cm: f64,
    pub inseam_cm: f64,
    #[serde(default)]
    pub rise_cm: Option<f64>,
    #[serde(default)]
    pub thigh_cm: Option<f64>,
    #[serde(default)]
    pub preference: Option<Preference>,
}

/// `POST /api/me/configurations`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SaveBody {
    pub product: String,
    pub code: String,
    pub name: String,
}

/// `POST /api/me/answers`: the answer to an optional profile question.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnswerBody {
    pub question: String,
    pub answer: String,
}

/// `POST /api/me/orders/{id}/again`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgainBody {
    /// The total the customer saw on the button.
    pub price_seen: i64,
}

/// `POST /api/sign-in`: mail a one-time code to this address.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignInBody {
    pub email: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
}

/// The answer to a sign-in request (the same whether or not the address
/// has a profile).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodeSent {
    pub sent: bool,
    pub expires_in: i64,
}

/// `POST /api/sign-in/verify`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VerifyBody {
    pub email: String,
    pub code: String,
}

/// Signed in: whether a profile this browser had was merged, and the view.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SignedIn {
    pub merged: bool,
    pub me: MeView,
}

#[cfg(test)]
mod brief_tests {
    use super::*;

    #[test]
    fn the_brief_view_reads_what_the_full_view_writes() {
        let me = MeView {
            profile: Some(ProfileView {
                id: "P1".into(),
                created_at: "2026-12-01T10:00:00Z".into(),
                signed_in: true,
                email: Some("a@example.com".into()),
                measurements: Some(serde_json::json!({"waist": 81.5})),
                answers: serde_json::json!({}),
                saved: vec![Saved { id: "S1".into(), product: "pc".into(), code: "1x".into(), name: "Mine".into(), created_at: "t".into() }],
                orders: vec![OrderSummary {
                    id: "T1".into(),
                    product: "jeans".into(),
                    code: "2ab".into(),
                    status: "placed".into(),
                    total: 9_900,
                    currency: "EUR".into(),
                    created_at: "t".into(),
                    access_token: "secret".into(),
                    again: Again { available: false, total: None, reason: Some("gone".into()) },
                }],
                member_percent_off: Some(10),
            }),
            consents: vec![
                Switch { purpose: "recommendations".into(), channel: String::new(), state: SwitchState::On, last: None },
                Switch {
                    purpose: "marketing".into(),
                    channel: "email".into(),
                    state: SwitchState::AskAgain,
                    last: Some(EventSummary { id: "E1".into(), state: ConsentState::Renewed, method: "m".into(), at: "t".into(), notice_version: 3 }),
                },
            ],
            gpc: false,
            notice: NoticeRef { id: "privacy".into(), version: 3, sha256: "ab".into() },
        };
        let brief: MeBrief = serde_json::from_value(serde_json::to_value(&me).unwrap()).unwrap();
        let profile = brief.profile.unwrap();
        assert_eq!(profile.member_percent_off, Some(10));
        assert_eq!(profile.measurements, Some(serde_json::json!({"waist": 81.5})));
        assert_eq!(profile.orders, vec![OrderBrief { product: "jeans".into(), code: "2ab".into() }]);
        let switches: Vec<(&str, &str, SwitchState)> = brief.consents.iter().map(|s| (s.purpose.as_str(), s.channel.as_str(), s.state)).collect();
        assert_eq!(switches, vec![("recommendations", "", SwitchState::On), ("marketing", "email", SwitchState::AskAgain)]);
        assert_eq!(brief.notice, me.notice);
        // A visitor without a profile, and a member without measurements.
        let mut anonymous = me.clone();
        anonymous.profile = None;
        let brief: MeBrief = serde_json::from_value(serde_json::to_value(&anonymous).unwrap()).unwrap();
        assert_eq!(brief.profile, None);
        let mut bare = me;
        if let Some(p) = bare.profile.as_mut() {
            p.measurements = None;
            p.member_percent_off = None;
        }
        let brief: MeBrief = serde_json::from_value(serde_json::to_value(&bare).unwrap()).unwrap();
        assert_eq!(brief.profile.as_ref().map(|p| (p.measurements.clone(), p.member_percent_off)), Some((None, None)));
    }
}
