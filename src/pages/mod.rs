pub mod account;
pub mod catalogue;
pub mod configure;
pub mod order;
pub mod privacy;
pub mod staff;

use std::future::Future;

use leptos::prelude::*;
use leptos::task::spawn_local;

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

/// A kiosk's hand-off opened on the phone: claims the code, then shows the
/// configurator with the kiosk's configuration.
#[component]
pub fn HandoffPage(code: String) -> impl IntoView {
    let locale = use_locale();
    let location = expect_context::<crate::route::Location>();
    let error = RwSignal::new(None::<String>);
    spawn_local(async move {
        #[derive(serde::Deserialize)]
        struct Claimed {
            product: String,
            code: String,
        }
        match crate::api::request::<Claimed>("GET", &format!("/api/handoff/{code}"), None, None).await {
            Ok(c) => location.replace(&format!("/p/{}?c={}", c.product, c.code)),
            Err(e) => error.set(Some(e.message)),
        }
    });
    view! {
        <section class="page">
            <h1>{move || crate::i18n::pick(locale.get(), "Opening the kiosk's configuration", "正在打开自助终端上的配置")}</h1>
            {move || match error.get() {
                None => view! { <Loading/> }.into_any(),
                Some(message) => view! {
                    <p class="notice notice-error" role="alert" data-testid="handoff-error">{message}</p>
                    <a href="/">{t(locale.get(), Key::Back)}</a>
                }.into_any(),
            }}
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

/// Something the page loads: `None` while it loads, then the result.
pub type Loaded<T> = RwSignal<Option<Result<T, String>>, LocalStorage>;

/// Starts `load` now and again on each `retry`; a result that arrives after a
/// newer attempt began is dropped. (A small stand-in for a resource with
/// suspense, at a fraction of its size in the first screen's wasm.)
pub fn load<T, Fut>(load: impl Fn() -> Fut + 'static) -> (Loaded<T>, Callback<()>)
where
    T: 'static,
    Fut: Future<Output = Result<T, String>> + 'static,
{
    let state: Loaded<T> = RwSignal::new_local(None);
    let attempt = StoredValue::new(0u32);
    let load = StoredValue::new_local(load);
    let start = move || {
        attempt.update_value(|a| *a += 1);
        let this = attempt.get_value();
        state.set(None);
        let fut = load.with_value(|f| f());
        spawn_local(async move {
            let result = fut.await;
            if attempt.try_get_value() == Some(this) {
                state.try_set(Some(result));
            }
        });
    };
    start();
    (state, Callback::new(move |_| start()))
}

/// The placeholder shown while something loads.
#[component]
pub fn Loading() -> impl IntoView {
    let locale = use_locale();
    view! { <p class="skeleton" aria-busy="true">{move || t(locale.get(), Key::Loading)}</p> }
}
