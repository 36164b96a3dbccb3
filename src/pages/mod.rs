pub mod catalogue;
pub mod configure;
pub mod order;

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

/// A failed load, in plain words, with a way to try again.
#[component]
pub fn LoadError(message: String, retry: Callback<()>) -> impl IntoView {
    let locale = use_locale();
    view! {
        <div class="notice notice-error" role="alert">
            <p>{move || t(locale.get(), Key::LoadFailed)} " " {message.clone()}</p>
            <button type="button" on:click=move |_| retry.run(())>{move || t(locale.get(), Key::Retry)}</button>
        </div>
    }
}
