//! The pages, one module each. Pages do not import from each other: what
//! more than one page needs lives in `shared.rs`.

// The account bundle's pages, compiled only with the `account` feature
// (`crate::Bundle`).
#[cfg(feature = "account")]
pub mod account;
pub mod catalogue;
pub mod configure;
// The hand-off is drawn by the channels bundle only (`crate::bundle_of`).
#[cfg(feature = "kiosk")]
pub mod handoff;
#[cfg(feature = "account")]
pub mod order;
#[cfg(feature = "account")]
pub mod privacy;
pub mod shared;

use leptos::prelude::*;

use crate::i18n::{Key, t, use_locale};

#[component]
pub fn NotFound() -> impl IntoView {
    let locale = use_locale();
    view! {
        <section class="page">
            <h1>{move || t(locale.get(), Key::NotFound)}</h1>
            <p>{move || t(locale.get(), Key::NotFoundText)}</p>
            <a href="/">{move || t(locale.get(), Key::Back)}</a>
        </section>
    }
}

/// A page of the other bundle, met when this bundle's page was served for
/// its address (an offline copy): a link that loads it. Not loaded at once,
/// so that an offline page cannot go round in a loop.
#[component]
pub fn ElsewherePage() -> impl IntoView {
    let locale = use_locale();
    let href = web_sys::window().and_then(|w| w.location().href().ok()).unwrap_or_else(|| "/".into());
    view! {
        <section class="page">
            <h1>{move || crate::i18n::pick(locale.get(), "This page opens on its own", "此页面需要单独打开")}</h1>
            <p><a href=href>{move || crate::i18n::pick(locale.get(), "Open it", "打开此页面")}</a></p>
        </section>
    }
}
