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

/// The whole app: header with the language switch, then the page.
#[component]
pub fn App() -> impl IntoView {
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
                    match page.get() {
                    Page::Catalogue | Page::Kiosk if kiosk.is_some() => view! { <kiosk::Attract/> }.into_any(),
                    Page::Catalogue => view! { <pages::catalogue::CataloguePage/> }.into_any(),
                    Page::Configure { product, code } => view! { <pages::configure::ConfigurePage product code/> }.into_any(),
                    Page::Order { id } => view! { <pages::order::OrderPage id/> }.into_any(),
                    Page::Account => view! { <pages::account::AccountPage/> }.into_any(),
                    Page::Privacy => view! { <pages::privacy::PrivacyPage/> }.into_any(),
                    Page::Kiosk => view! { <pages::catalogue::CataloguePage/> }.into_any(),
                    Page::Handoff { code } => view! { <pages::HandoffPage code/> }.into_any(),
                    Page::NotFound => view! { <pages::NotFound/> }.into_any(),
                }}}
            </main>
    }
}

#[component]
fn LanguageSwitch() -> impl IntoView {
    view! { <tailor_web_common::locale::LanguageSwitch label=|l| t(l, Key::Language)/> }
}
