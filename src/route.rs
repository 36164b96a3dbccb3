//! Client-side routing in a few lines: the page is a function of the URL's
//! path and query, links are ordinary `<a href>` elements that one document
//! listener turns into history pushes, and the back button works through
//! `popstate`. (A general router cost about a tenth of the first screen's
//! bytes; the portal has three pages.)

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;

/// The pages of the portal, parsed from a path and query.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Page {
    Catalogue,
    Configure { product: String, code: Option<String> },
    Order { id: String },
    Account,
    Privacy,
    /// The kiosk's attract screen (`/kiosk`).
    Kiosk,
    /// A kiosk's hand-off opened on a phone (`/h/CODE`).
    Handoff { code: String },
    NotFound,
}

impl Page {
    /// `path` as in `location.pathname`, `query` as in `location.search`
    /// (with or without the leading `?`).
    pub fn parse(path: &str, query: &str) -> Page {
        let mut segments: Vec<String> = path.split('/').filter(|s| !s.is_empty()).map(decode).collect();
        // A partner's frame (`/embed/...?partner=ID`) shows the same pages.
        if segments.first().is_some_and(|s| s == "embed") {
            segments.remove(0);
        }
        match segments.as_slice() {
            [] => Page::Catalogue,
            [p, product] if p == "p" => Page::Configure { product: product.clone(), code: query_param(query, "c") },
            [o, id] if o == "orders" => Page::Order { id: id.clone() },
            [a] if a == "account" => Page::Account,
            [p] if p == "privacy" => Page::Privacy,
            [k] if k == "kiosk" => Page::Kiosk,
            [h, code] if h == "h" => Page::Handoff { code: code.clone() },
            _ => Page::NotFound,
        }
    }
}

/// One query parameter, percent-decoded; the first if it repeats.
pub fn query_param(query: &str, name: &str) -> Option<String> {
    query
        .trim_start_matches('?')
        .split('&')
        .filter_map(|pair| pair.split_once('=').or(Some((pair, ""))))
        .find(|(k, _)| decode(k) == name)
        .map(|(_, v)| decode(&v.replace('+', " ")))
}

fn decode(s: &str) -> String {
    js_sys::decode_uri_component(s).ok().and_then(|v| v.as_string()).unwrap_or_else(|| s.to_string())
}

thread_local! {
    /// The bundle this document runs (set once, by the app).
    static BUNDLE: std::cell::Cell<crate::Bundle> = const { std::cell::Cell::new(crate::Bundle::Shop) };
}

/// Says which bundle this document runs; the app calls it first.
pub fn set_bundle(bundle: crate::Bundle) {
    BUNDLE.with(|b| b.set(bundle));
}

/// Whether `href` (a path on this site) is drawn by another bundle, so that
/// going there must load that bundle's page.
fn elsewhere(href: &str) -> bool {
    let path = href.split(['?', '#']).next().unwrap_or(href);
    !BUNDLE.with(|b| b.get()).draws(crate::bundle_of(path))
}

/// The current page, kept in step with the address bar.
#[derive(Clone, Copy)]
pub struct Location(pub RwSignal<Page>);

fn current() -> Page {
    let Some(loc) = web_sys::window().map(|w| w.location()) else { return Page::NotFound };
    Page::parse(&loc.pathname().unwrap_or_default(), &loc.search().unwrap_or_default())
}

/// Starts listening to link clicks and the back button; call once.
pub fn provide_location() -> Location {
    let page = RwSignal::new(current());
    let location = Location(page);
    provide_context(location);
    let Some(window) = web_sys::window() else { return location };

    let on_pop = Closure::<dyn Fn()>::new(move || page.set(current()));
    let _ = window.add_event_listener_with_callback("popstate", on_pop.as_ref().unchecked_ref());
    on_pop.forget();

    let on_click = Closure::<dyn Fn(web_sys::MouseEvent)>::new(move |ev: web_sys::MouseEvent| {
        if ev.default_prevented() || ev.button() != 0 || ev.meta_key() || ev.ctrl_key() || ev.shift_key() || ev.alt_key() {
            return;
        }
        let Some(anchor) = ev.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()).and_then(|e| e.closest("a[href]").ok().flatten()) else {
            return;
        };
        if anchor.has_attribute("download") || anchor.get_attribute("target").is_some_and(|t| t != "_self") {
            return;
        }
        let Some(href) = anchor.get_attribute("href") else { return };
        // Same-page fragments (the skip link) and other origins are left to the browser.
        if !href.starts_with('/') || href.starts_with("//") {
            return;
        }
        ev.prevent_default();
        location.navigate(&href);
    });
    if let Some(doc) = window.document() {
        let _ = doc.add_event_listener_with_callback("click", on_click.as_ref().unchecked_ref());
    }
    on_click.forget();
    location
}

impl Location {
    /// Goes to `href` in place of the current entry (Back skips it).
    pub fn replace(self, href: &str) {
        let href = &crate::embed::href(href);
        let Some(window) = web_sys::window() else { return };
        if elsewhere(href) {
            let _ = window.location().replace(href);
            return;
        }
        if let Ok(history) = window.history() {
            let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(href));
        }
        self.0.set(current());
    }

    /// Goes to `href` (a path on this site) as a link would.
    pub fn navigate(self, href: &str) {
        // A page drawn at build time shows what is no longer there.
        let href = &crate::embed::href(href);
        let Some(window) = web_sys::window() else { return };
        if elsewhere(href) {
            let _ = window.location().assign(href);
            return;
        }
        crate::shell::done();
        if let Ok(history) = window.history() {
            let _ = history.push_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(href));
        }
        self.0.set(current());
        window.scroll_to_with_x_and_y(0.0, 0.0);
        // Screen readers start reading the new page from its main region.
        if let Some(main) = window.document().and_then(|d| d.get_element_by_id("main")).and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()) {
            let _ = main.focus();
        }
    }
}
