//! The visitor's profile and privacy choices as the server holds them
//! (`GET /api/me`), shared by every page: the account and privacy pages, the
//! configurator's "save" and "remember my measurements", and the member
//! price at checkout.

use leptos::prelude::*;
use leptos::task::spawn_local;
use tailor_api::{ConsentChange, ConsentChanges, GpcSignal, NoticeAnswer, SwitchState};

use crate::api;

/// What this bundle reads of `GET /api/me`: the whole view in the account
/// bundle (feature `account`), which shows it; elsewhere only what the
/// shop's pages use ([`tailor_api::MeBrief`], the same JSON), so that the
/// decoders of the rest are not in those bundles' wasm.
#[cfg(feature = "account")]
pub type Me = tailor_api::MeView;
#[cfg(not(feature = "account"))]
pub type Me = tailor_api::MeBrief;

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
                let body = GpcSignal { global_privacy_control: true, language: None };
                api::request::<Me>("POST", "/api/me/gpc", Some(&api::json(&body)), None).await
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

    /// The switch's state (off before the first answer).
    pub fn switch(self, purpose: &str, channel: &str) -> SwitchState {
        self.0.with(|m| {
            m.as_ref()
                .and_then(|m| m.consents.iter().find(|s| s.purpose == purpose && s.channel == channel))
                .map(|s| s.state)
                .unwrap_or(SwitchState::Off)
        })
    }
}

/// Gives or withdraws consent for switches (or the offer's purposes); the
/// new state on success.
pub async fn change(me: MeState, locale: crate::i18n::Locale, place: &str, changes: Vec<ConsentChange>, offer: Option<String>) -> Result<(), api::ApiError> {
    let notice = me.0.with_untracked(|m| m.as_ref().map(|m| m.notice.clone()));
    let notice = match notice {
        Some(n) => n,
        None => api::request::<Me>("GET", "/api/me", None, None).await?.notice,
    };
    let body = ConsentChanges {
        notice_version: notice.version,
        notice_sha256: notice.sha256,
        place: place.to_string(),
        language: Some(locale.tag().to_string()),
        changes,
        offer,
    };
    /// `tailor_api::ConsentsRecorded` as this bundle reads it.
    #[derive(serde::Deserialize)]
    struct Recorded {
        me: Me,
    }
    let changed: Recorded = api::request("POST", "/api/me/consents", Some(&api::json(&body)), None).await?;
    me.0.set(Some(changed.me));
    Ok(())
}

pub async fn load_notice() -> Result<NoticeAnswer, String> {
    api::request::<NoticeAnswer>("GET", "/api/privacy/notice", None, None).await.map_err(|e| e.message)
}
