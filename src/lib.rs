//! Tailor's customer portal: a Leptos client-side app. Components stay thin:
//! every rule, price and explanation comes from `tailor-engine`.

pub mod api;
pub mod i18n;
mod pages;
pub mod profile;
pub mod route;

use leptos::prelude::*;
use crate::i18n::{Key, Locale, t};
use crate::route::Page;

/// The whole app: header with the language switch, then the page.
#[component]
pub fn App() -> impl IntoView {
    let locale = RwSignal::new(i18n::initial_locale());
    provide_context(locale);
    i18n::set_locale(locale, locale.get_untracked());
    let tr = move |k| t(locale.get(), k);
    let location = route::provide_location();
    let page = Memo::new(move |_| location.0.get());
    profile::provide_me();
    view! {
            <a class="skip-link" href="#main">{move || tr(Key::SkipToContent)}</a>
            <header class="site-header">
                <a href="/" class="brand">
                    <span class="brand-name">"Tailor"</span>
                    <span class="brand-tagline">{move || tr(Key::Tagline)}</span>
                </a>
                <nav class="site-nav" aria-label=move || i18n::pick(locale.get(), "Your account", "您的账户")>
                    <a href="/account" aria-current=move || (page.get() == Page::Account).then_some("page")>{move || i18n::pick(locale.get(), "My account", "我的账户")}</a>
                    <a href="/privacy" aria-current=move || (page.get() == Page::Privacy).then_some("page")>{move || i18n::pick(locale.get(), "Privacy", "隐私")}</a>
                </nav>
                <LanguageSwitch/>
            </header>
            <main id="main" tabindex="-1">
                {move || match page.get() {
                    Page::Catalogue => view! { <pages::catalogue::CataloguePage/> }.into_any(),
                    Page::Configure { product, code } => view! { <pages::configure::ConfigurePage product code/> }.into_any(),
                    Page::Order { id } => view! { <pages::order::OrderPage id/> }.into_any(),
                    Page::Account => view! { <pages::account::AccountPage/> }.into_any(),
                    Page::Privacy => view! { <pages::privacy::PrivacyPage/> }.into_any(),
                    Page::NotFound => view! { <pages::NotFound/> }.into_any(),
                }}
            </main>
    }
}

/// Two real buttons; the current language is marked with `aria-pressed`.
#[component]
fn LanguageSwitch() -> impl IntoView {
    let locale = i18n::use_locale();
    let button = move |l: Locale, label: &'static str| {
        view! {
            <button
                type="button"
                class="lang-button"
                lang=l.tag()
                aria-pressed=move || (locale.get() == l).to_string()
                on:click=move |_| i18n::set_locale(locale, l)
            >
                {label}
            </button>
        }
    };
    view! {
        <div class="lang-switch" role="group" aria-label=move || t(locale.get(), Key::Language)>
            {button(Locale::En, "English")}
            {button(Locale::Zh, "简体中文")}
        </div>
    }
}
