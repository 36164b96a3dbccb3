//! Tailor's customer portal: a Leptos client-side app. Components stay thin:
//! every rule, price and explanation comes from `tailor-engine`.

pub mod api;
pub mod embed;
pub mod i18n;
pub mod kiosk;
mod lazy;
pub mod outbox;
mod pages;
pub mod profile;
pub mod route;
pub mod shell;

use leptos::prelude::*;
use crate::i18n::{Key, t};
use crate::route::Page;

/// The customer's app comes as three wasm bundles, so that a customer opening
/// a product downloads no code of the pages or places they are not in
/// (issue 17 and 18's size targets): this one, [`account_app`] and
/// [`channels_app`], each its own binary (`src/main.rs`,
/// `src/bin/tailor-account.rs`, `src/bin/tailor-channels.rs`), sharing the
/// header, routing and everything in this library. A link to a page of
/// another bundle is followed by a full page load
/// ([`route::Location::navigate`]).
///
/// The account bundle's pages are compiled only with the `account` feature,
/// and the kiosk's and the partner frame's code only with the `kiosk` and
/// `embed` features (the channels bundle has both, the account bundle
/// `account` and `embed`): without them `kiosk::use_kiosk` and `embed::use_embed`
/// are `None` at compile time, and everything that depends on them is left
/// out of the wasm.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bundle {
    /// The catalogue and the configurators.
    Shop,
    /// The account, privacy and order status pages.
    Account,
    /// The shop's pages as the kiosk, a partner's frame and a kiosk's
    /// hand-off (opened on a phone) show them.
    Channels,
}

impl Bundle {
    /// Whether this bundle draws the pages the server sends `other`'s page
    /// for (the channels bundle draws the shop's as well: a kiosk goes from
    /// its attract screen to a product without a page load).
    pub fn draws(self, other: Bundle) -> bool {
        self == other || (self == Bundle::Channels && other == Bundle::Shop)
    }
}

/// The bundle whose page the server sends for `path` (as in
/// `location.pathname`; the server's `site::bundle_page` says the same).
pub fn bundle_of(path: &str) -> Bundle {
    let under = |prefix: &str| path == prefix || path.strip_prefix(prefix).is_some_and(|rest| rest.starts_with('/'));
    match route::Page::parse(path, "") {
        Page::Order { .. } | Page::Account | Page::Privacy => Bundle::Account,
        Page::Handoff { .. } => Bundle::Channels,
        _ if under("/embed") || under("/kiosk") => Bundle::Channels,
        _ => Bundle::Shop,
    }
}

/// The shop's app: the catalogue and the configurators.
pub fn shop_app() -> impl IntoView {
    view! { <App bundle=Bundle::Shop pages=shop_pages/> }
}

/// The shop's pages in the kiosk, a partner's frame or a kiosk's hand-off.
pub fn channels_app() -> impl IntoView {
    view! { <App bundle=Bundle::Channels pages=shop_pages/> }
}

/// The account, privacy and order status pages.
#[cfg(feature = "account")]
pub fn account_app() -> impl IntoView {
    view! { <App bundle=Bundle::Account pages=account_pages/> }
}

fn shop_pages(page: Page, kiosk: bool) -> AnyView {
    match page {
        Page::Catalogue | Page::Kiosk if kiosk && cfg!(feature = "kiosk") => view! { <kiosk::Attract/> }.into_any(),
        Page::Catalogue | Page::Kiosk => view! { <pages::catalogue::CataloguePage/> }.into_any(),
        Page::Configure { product, code } => view! { <pages::configure::ConfigurePage product code/> }.into_any(),
        // Only the channels bundle is sent for a hand-off (`bundle_of`).
        #[cfg(feature = "kiosk")]
        Page::Handoff { code } => view! { <pages::handoff::HandoffPage code/> }.into_any(),
        Page::NotFound => view! { <pages::NotFound/> }.into_any(),
        _ => view! { <pages::ElsewherePage/> }.into_any(),
    }
}

#[cfg(feature = "account")]
fn account_pages(page: Page, _kiosk: bool) -> AnyView {
    match page {
        Page::Order { id } => view! { <pages::order::OrderPage id/> }.into_any(),
        Page::Account => view! { <pages::account::AccountPage/> }.into_any(),
        Page::Privacy => view! { <pages::privacy::PrivacyPage/> }.into_any(),
        Page::NotFound => view! { <pages::NotFound/> }.into_any(),
        _ => view! { <pages::ElsewherePage/> }.into_any(),
    }
}

/// The whole app: header with the language switch, then the page, drawn by
/// `pages` (given the page and whether this is a kiosk) for the pages of `bundle`.
#[component]
fn App(bundle: Bundle, pages: fn(Page, bool) -> AnyView) -> impl IntoView {
    route::set_bundle(bundle);
    // Kiosk mode is decided once, from the address the app started at, and
    // kept in memory only.
    let kiosk = kiosk::from_location();
    provide_context(kiosk);
    // So is a partner's frame (`/embed/...?partner=ID`); the partner's page
    // sets its language, so the choice is not stored either.
    let embed_partner = embed::from_location();
    i18n::remember_choice(kiosk.is_none() && embed_partner.is_none());
    let locale = RwSignal::new(i18n::initial_locale());
    provide_context(locale);
    i18n::set_locale(locale, locale.get_untracked());
    let tr = move |k| t(locale.get(), k);
    let location = route::provide_location();
    let page = Memo::new(move |_| location.0.get());
    let embed = embed::provide(embed_partner, locale, location);
    profile::provide_me();
    outbox::provide_outbox();
    if kiosk.is_some()
        && let Some(html) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.document_element())
    {
        let _ = html.class_list().add_1("kiosk");
    }
    view! {
            <a class="skip-link" href="#main">{move || tr(Key::SkipToContent)}</a>
            <header class="site-header">
                {embed.is_none().then(|| view! {
                    <a href="/" class="brand">
                        <span class="brand-name">"Tailor"</span>
                        <span class="brand-tagline">{move || tr(Key::Tagline)}</span>
                    </a>
                })}
                {embed.map(|e| view! { <embed::EmbedBar embed=e/> })}
                {(kiosk.is_none() && embed.is_none()).then(|| view! {
                    <nav class="site-nav" aria-label=move || i18n::pick(locale.get(), "Your account", "您的账户")>
                        <a href="/account" aria-current=move || (page.get() == Page::Account).then_some("page")>{move || i18n::pick(locale.get(), "My account", "我的账户")}</a>
                        <a href="/privacy" aria-current=move || (page.get() == Page::Privacy).then_some("page")>{move || i18n::pick(locale.get(), "Privacy", "隐私")}</a>
                    </nav>
                })}
                <LanguageSwitch/>
            </header>
            {kiosk.map(|k| view! { <kiosk::KioskBar kiosk=k/> })}
            <main id="main" tabindex="-1">
                {move || {
                    // A partner's `reset` builds the page again.
                    if let Some(e) = embed {
                        e.generation.track();
                    }
                    pages(page.get(), kiosk.is_some())
                }}
            </main>
    }
}

#[component]
fn LanguageSwitch() -> impl IntoView {
    view! { <tailor_web_common::locale::LanguageSwitch label=|l| t(l, Key::Language)/> }
}
