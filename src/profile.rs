//! The visitor's profile and privacy choices as the server holds them
//! (`GET /api/me`), shared by every page: the account and privacy pages, the
//! configurator's "save" and "remember my measurements", and the member
//! price at checkout.

use leptos::prelude::*;
use leptos::task::spawn_local;
use serde::Deserialize;
use tailor_engine::Text;

use crate::api;

#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct Me {
    pub profile: Option<Profile>,
    pub consents: Vec<Switch>,
    pub gpc: bool,
    pub notice: NoticeRef,
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct Profile {
    pub id: String,
    pub created_at: String,
    pub signed_in: bool,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub measurements: Option<serde_json::Value>,
    #[serde(default)]
    pub answers: serde_json::Value,
    pub saved: Vec<Saved>,
    pub orders: Vec<OrderSummary>,
    #[serde(default)]
    pub member_percent_off: Option<u32>,
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct Saved {
    pub id: String,
    pub product: String,
    pub code: String,
    pub name: String,
    pub created_at: String,
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct OrderSummary {
    pub id: String,
    pub product: String,
    pub code: String,
    pub status: String,
    pub total: i64,
    pub currency: String,
    pub created_at: String,
    pub access_token: String,
    pub again: Again,
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct Again {
    pub available: bool,
    #[serde(default)]
    pub total: Option<i64>,
    #[serde(default)]
    pub reason: Option<String>,
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct Switch {
    pub purpose: String,
    #[serde(default)]
    pub channel: String,
    /// on, off or ask-again.
    pub state: String,
    #[serde(default)]
    pub last: Option<EventSummary>,
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct EventSummary {
    pub id: String,
    pub state: String,
    pub method: String,
    pub at: String,
    pub notice_version: u32,
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct NoticeRef {
    pub id: String,
    pub version: u32,
    pub sha256: String,
}

/// The privacy notice file, as shown.
#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct Notice {
    pub version: u32,
    pub updated: String,
    pub controller: Text,
    pub purposes: Vec<Purpose>,
    #[serde(default)]
    pub offer: Option<Offer>,
    #[serde(default)]
    pub questions: Vec<Question>,
    #[serde(default)]
    pub questions_note: Option<Text>,
    /// Words for the ids of data categories and recipients.
    #[serde(default)]
    pub words: std::collections::BTreeMap<String, Text>,
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct Purpose {
    pub id: String,
    pub optional: bool,
    #[serde(default)]
    pub channels: Vec<String>,
    #[serde(default)]
    pub gpc: bool,
    pub data: Vec<String>,
    pub recipients: Vec<String>,
    pub retention: String,
    pub title: Text,
    pub text: Text,
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct Offer {
    pub id: String,
    pub terms_version: u32,
    pub percent_off: u32,
    pub purposes: Vec<String>,
    pub title: Text,
    pub terms: Text,
    pub estimate: Text,
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct Question {
    pub id: String,
    pub title: Text,
    pub options: Vec<QuestionOption>,
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct QuestionOption {
    pub id: String,
    pub label: Text,
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct NoticeAnswer {
    pub sha256: String,
    pub notice: Notice,
}

/// The shared state: `None` until the first answer.
#[derive(Clone, Copy)]
pub struct MeState(pub RwSignal<Option<Me>>);

/// `navigator.globalPrivacyControl === true`.
pub fn browser_gpc() -> bool {
    web_sys::window()
        .and_then(|w| js_sys::Reflect::get(&w.navigator(), &"globalPrivacyControl".into()).ok())
        .and_then(|v| v.as_bool())
        .unwrap_or(false)
}

/// Provides the state and loads it; a page that sends GPC tells the server
/// (which records it for a profile, and nothing without one).
pub fn provide_me() -> MeState {
    let state = MeState(RwSignal::new(None));
    provide_context(state);
    state.reload();
    state
}

pub fn use_me() -> MeState {
    expect_context::<MeState>()
}

impl MeState {
    pub fn reload(self) {
        spawn_local(async move {
            let me = if browser_gpc() {
                api::request::<Me>("POST", "/api/me/gpc", Some(r#"{"global_privacy_control":true}"#), None).await
            } else {
                api::request::<Me>("GET", "/api/me", None, None).await
            };
            if let Ok(me) = me {
                self.0.set(Some(me));
            }
        });
    }

    pub fn member_percent(self) -> Option<u32> {
        self.0.with(|m| m.as_ref().and_then(|m| m.profile.as_ref()).and_then(|p| p.member_percent_off))
    }

    /// The switch's state (`off` before the first answer).
    pub fn switch(self, purpose: &str, channel: &str) -> String {
        self.0.with(|m| {
            m.as_ref()
                .and_then(|m| m.consents.iter().find(|s| s.purpose == purpose && s.channel == channel))
                .map(|s| s.state.clone())
                .unwrap_or_else(|| "off".into())
        })
    }
}

/// Gives or withdraws consent for one switch (or the offer's purposes);
/// the new state on success.
pub async fn change(me: MeState, locale: crate::i18n::Locale, place: &str, changes: Vec<(String, String, bool)>, offer: Option<String>) -> Result<(), api::ApiError> {
    let notice = me.0.with_untracked(|m| m.as_ref().map(|m| m.notice.clone()));
    let notice = match notice {
        Some(n) => n,
        None => api::request::<Me>("GET", "/api/me", None, None).await?.notice,
    };
    let changes: Vec<serde_json::Value> = changes
        .into_iter()
        .map(|(purpose, channel, on)| serde_json::json!({ "purpose": purpose, "channel": channel, "state": if on { "given" } else { "withdrawn" } }))
        .collect();
    let locale = locale.tag();
    let body = serde_json::json!({
        "notice_version": notice.version,
        "notice_sha256": notice.sha256,
        "place": place,
        "language": locale,
        "changes": changes,
        "offer": offer,
    });
    #[derive(Deserialize)]
    struct Changed {
        me: Me,
    }
    let changed: Changed = api::request("POST", "/api/me/consents", Some(&body.to_string()), None).await?;
    me.0.set(Some(changed.me));
    Ok(())
}

pub async fn load_notice() -> Result<NoticeAnswer, String> {
    api::request::<NoticeAnswer>("GET", "/api/privacy/notice", None, None).await.map_err(|e| e.message)
}
