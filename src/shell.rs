//! The static first screen (`index.html`'s `#shell`) giving way to the app.
//!
//! Usually the shell goes as the app starts, in the same task, so no frame
//! shows neither. A product page drawn at build time (`p/ID.html`, its
//! `main.prerendered`) stays until the app has drawn the same configurator
//! out of sight (`html.app-pending` hides it): the configurator calls
//! [`done`] from its first effect, in the task that drew it, so the two
//! swap in one frame, with no layout shift and no flash of "Loading".

use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;

fn document() -> Option<web_sys::Document> {
    web_sys::window().and_then(|w| w.document())
}

/// Called once, before the app is mounted.
pub fn hand_over() {
    let Some(doc) = document() else { return };
    let prerendered = doc.query_selector("#shell main.prerendered").ok().flatten().is_some();
    if !prerendered {
        done();
        return;
    }
    if let Some(html) = doc.document_element() {
        let _ = html.class_list().add_1("app-pending");
    }
    // Whatever happens to the app's first screen, the page does not stay
    // frozen: after 10 s the app is shown as it is.
    if let Some(w) = web_sys::window() {
        let later = Closure::once_into_js(done);
        let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(later.unchecked_ref(), 10_000);
    }
}

/// Removes the shell and shows the app (again: a no-op). The language the
/// shell shows when the app takes over (its buttons work while the app
/// starts out of sight) is the one the app continues in.
pub fn done() {
    let Some(doc) = document() else { return };
    if doc.get_element_by_id("shell").is_some()
        && let Some(lang) = doc.document_element().and_then(|h| h.get_attribute("lang"))
        && let Some(shown) = crate::i18n::Locale::from_tag(&lang)
        && let Some(locale) = leptos::prelude::use_context::<leptos::prelude::RwSignal<crate::i18n::Locale>>()
        && leptos::prelude::GetUntracked::get_untracked(&locale) != shown
    {
        crate::i18n::set_locale(locale, shown);
    }
    if let Some(shell) = doc.get_element_by_id("shell") {
        shell.remove();
    }
    if let Some(html) = doc.document_element() {
        let _ = html.class_list().remove_1("app-pending");
    }
}
