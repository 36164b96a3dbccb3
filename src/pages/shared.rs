//! What more than one page needs: loading with retry and its placeholders,
//! the catalogue index and a product's model, country names and dates in
//! the customer's language. Pages import from here, never from each other.

use std::future::Future;

use leptos::prelude::*;
use leptos::task::spawn_local;
use tailor_engine::{CatalogueIndex, Model};

use crate::api;
use crate::i18n::{Key, Locale, t, use_locale};

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

/// The catalogue index: every product and its model file.
pub async fn load_index() -> Result<CatalogueIndex, String> {
    let text = api::get_text("/catalogue/index.json", None).await.map_err(|e| e.message)?;
    CatalogueIndex::from_json("catalogue/index.json", &text).map_err(|e| e.to_string())
}

/// A product's model, found through the catalogue index.
pub async fn load_model(product: String) -> Result<Model, String> {
    let index = load_index().await?;
    let entry = index.product(&product).ok_or_else(|| format!("unknown product \"{product}\""))?;
    let path = format!("/catalogue/{}", entry.file);
    // The rules come compiled, in the prepared file the site build wrote
    // beside the model (fetched at the same time): the shop has no rule
    // compiler in it (a fifth less code to download). A catalogue the build
    // did not prepare is an error that says so.
    let prepared = entry
        .prepared
        .as_ref()
        .map(|name| api::get_bytes(&format!("/catalogue/{name}")))
        .ok_or_else(|| format!("{path}: the catalogue names no prepared rules for it (the site build writes them)"))?;
    let text = api::get_text(&path, None).await.map_err(|e| e.message)?;
    let bytes = prepared.await.map_err(|e| e.message)?;
    Model::from_json_with_prepared_rules(&path, &text, &bytes).map_err(|e| e.to_string())
}

/// A country's name in the customer's language, by the browser's `Intl`.
pub fn country_name(locale: Locale, code: &str) -> String {
    let options = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&options, &"type".into(), &"region".into());
    let locales = js_sys::Array::of1(&locale.tag().into());
    let names = js_sys::Intl::DisplayNames::new(&locales, &options);
    names.of(code).and_then(|s| s.as_string()).unwrap_or_else(|| code.to_string())
}

/// A date (and time) in the customer's language.
#[cfg(feature = "account")]
pub fn when(l: Locale, iso: &str) -> String {
    when_in(l, iso, "medium")
}

/// A date and time in the customer's language and time zone, the date in
/// `Intl`'s `date_style` (`medium`, `long`, ...); the text as given when it
/// is not a date.
#[cfg(feature = "account")]
pub fn when_in(l: Locale, iso: &str, date_style: &str) -> String {
    let date = js_sys::Date::new(&iso.into());
    if date.get_time().is_nan() {
        return iso.to_string();
    }
    let options = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&options, &"dateStyle".into(), &date_style.into());
    let _ = js_sys::Reflect::set(&options, &"timeStyle".into(), &"short".into());
    date.to_locale_string(l.tag(), &options).into()
}

/// The picture of a configuration given by its code (a saved configuration,
/// a past order), drawn in the browser by the engine; nothing while the
/// model loads, or when the product has no picture or the code no longer
/// reads in the current catalogue. The SVG is the engine's own output (a
/// closed vocabulary, every text escaped). For the account bundle's pages.
#[cfg(feature = "account")]
#[component]
pub fn CodePicture(product: String, code: String) -> impl IntoView {
    let locale = crate::i18n::use_locale();
    let model = LocalResource::new(move || load_model(product.clone()));
    move || {
        let lang = locale.get().key();
        model.get().and_then(|m| m.ok()).and_then(|m| {
            let choices = m.decode(&code).ok()?;
            let svg = m.picture(&choices, &Default::default(), lang, &format!("c{}", code.len()))?.svg;
            Some(view! { <figure class="picture thumb-picture" data-testid="code-picture" inner_html=svg></figure> })
        })
    }
}
