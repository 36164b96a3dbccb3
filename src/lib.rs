//! Tailor's customer portal: a Leptos client-side app. Components stay thin:
//! every rule, price and explanation comes from `tailor-engine`.

pub mod api;
pub mod embed;
pub mod i18n;
pub mod kiosk;
pub mod outbox;
mod pages;
pub mod profile;
pub mod route;
pub mod shell;

use leptos::prelude::*;
use crate::i18n::{Key, t};
use crate::route::Page;

/// The customer's app comes as two wasm bundles, so that a customer opening a
/// product downloads no code of the account, privacy and order pages (issue 17
/// and 18's size targets): this one and [`account_app`], each its own binary
/// (`src/main.rs`, `src/bin/tailor-account.rs`), sharing the header, routing
/// and everything in this library. A link to a page of the other bundle is
/// followed by a full page load ([`route::Location::navigate`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bundle {
    /// The catalogue, the configurators, the kiosk and the partner's frame.
    Shop,
    /// The account, privacy and order status pages.
    Account,
}

/// The bundle that draws `page`.
pub fn bundle_of(page: &Page) -> Bundle {
    match page {
        Page::Order { .. } | Page::Account | Page::Privacy => Bundle::Account,
        _ => Bundle::Shop,
    }
}

/// The shop's app: the catalogue, the configurators, the kiosk and the partner's frame.
pub fn shop_app() -> impl IntoView {
    view! { <App bundle=Bundle::Shop pages=shop_pages/> }
}

/// The account, privacy and order status pages.
pub fn account_app() -> impl IntoView {
    view! { <App bundle=Bundle::Account pages=account_pages/> }
}

fn shop_pages(page: Page, kiosk: bool) -> AnyView {
    match page {
        Page::Catalogue | Page::Kiosk if kiosk => view! { <kiosk::Attract/> }.into_any(),
        Page::Catalogue | Page::Kiosk => view! { <pages::catalogue::CataloguePage/> }.into_any(),
        Page::Configure { product, code } => view! { <pages::configure::ConfigurePage product code/> }.into_any(),
        Page::Handoff { code } => view! { <pages::HandoffPage code/> }.into_any(),
        Page::NotFound => view! { <pages::NotFound/> }.into_any(),
        _ => view! { <pages::ElsewherePage/> }.into_any(),
    }
}

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
