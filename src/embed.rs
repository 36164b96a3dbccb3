//! The portal inside a partner's page (`/embed/...?partner=ID`): the same
//! app, framed by the partner's page through `public/embed.js`, talking to it
//! with versioned postMessage messages.
//!
//! Messages are JSON objects `{"protocol": "tailor-embed", "version": 1,
//! "type": ..., ...fields}`.
//! - From the host: `init {partner, locale?, theme?}` (repeated by the host
//!   until `ready` arrives), `setTheme {theme}`, `setLocale {locale}`,
//!   `reset {}`.
//! - To the host: `ready {product?}`, `resize {height}`, `change {product,
//!   code, price, currency, complete, valid}`, `complete {orderId, product,
//!   code, total, currency, pictureUrl}` (the order's picture, which the
//!   partner's server reads with its key), `cancel {}`, `theme {theme}` (the
//!   tokens in force after a theme was accepted), `error {code, message}`.
//!
//! Origins are checked exactly, both ways: a message is read only when it
//! comes from the window that frames this page and from one of the
//! partner's registered origins (`GET /api/partners/{id}`); the first good
//! `init` fixes that origin as the host, and every message this page sends
//! goes to that origin only, never to `*`. Nothing is sent before `init`.
//! Host messages never change server state: they set the look, the
//! language, or start the configuration again.

use std::cell::RefCell;
use std::collections::BTreeMap;

use leptos::prelude::*;
use leptos::task::spawn_local;
use serde_json::{Value, json};
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;

use crate::i18n::{Locale, pick, use_locale};

pub const PROTOCOL: &str = "tailor-embed";
pub const VERSION: u64 = 1;

thread_local! {
    /// The partner id, when this page is a partner's frame (read by the
    /// router to keep links inside the embed address).
    static PARTNER: RefCell<Option<String>> = const { RefCell::new(None) };
    /// The partner page's embed token (`?token=`), kept in links likewise.
    static TOKEN: RefCell<Option<String>> = const { RefCell::new(None) };
    /// The product the frame was opened at (`?entry=` after the first page), likewise.
    static ENTRY: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Present (in context) when the app runs in a partner's frame.
#[derive(Clone, Copy)]
pub struct Embed {
    partner: StoredValue<String>,
    /// The partner page's embed token, sent with the order.
    token: StoredValue<Option<String>>,
    /// The origins the partner registered; empty until they are loaded.
    origins: StoredValue<Vec<String>>,
    /// The host page's origin, fixed by its first good `init`.
    host: RwSignal<Option<String>>,
    /// The registered theme, then what `setTheme` added.
    theme: StoredValue<BTreeMap<String, String>>,
    /// The last `change`, sent again after `ready`.
    last_change: StoredValue<Option<Value>>,
    /// Bumped by `reset`: the page is built again from the start.
    pub generation: RwSignal<u32>,
    /// Why the frame cannot talk to its host, in words for the customer.
    pub trouble: RwSignal<Option<String>>,
}

/// The partner id, when the app was opened at `/embed/...?partner=ID`.
pub fn from_location() -> Option<String> {
    if !cfg!(feature = "embed") {
        return None;
    }
    let loc = web_sys::window()?.location();
    let path = loc.pathname().ok()?;
    if path != "/embed" && !path.starts_with("/embed/") {
        return None;
    }
    crate::route::query_param(&loc.search().unwrap_or_default(), "partner")
        .filter(|p| (2..=40).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'))
}

/// The embed token the partner's page gave the frame (`?token=`), if it
/// looks like one; orders in the frame carry it.
fn token_from_location() -> Option<String> {
    let search = web_sys::window()?.location().search().ok()?;
    crate::route::query_param(&search, "token").filter(|t| (1..=200).contains(&t.len()) && t.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.'))
}

pub fn use_embed() -> Option<Embed> {
    if !cfg!(feature = "embed") {
        return None;
    }
    use_context::<Option<Embed>>().flatten()
}

/// `href` (a path of this site) as it must be inside the partner's frame:
/// under `/embed` with the partner named, so a reload is framed as well, and
/// the product the frame was opened at (for `reset`).
/// Outside a frame, `href` unchanged.
pub fn href(href: &str) -> String {
    PARTNER.with_borrow(|p| match p {
        Some(partner) if !href.starts_with("/embed/") && href.starts_with('/') => {
            let (path, fragment) = href.split_once('#').map_or((href, ""), |(p, f)| (p, f));
            let sep = if path.contains('?') { '&' } else { '?' };
            let fragment = if fragment.is_empty() { String::new() } else { format!("#{fragment}") };
            let token = TOKEN.with_borrow(|t| t.as_ref().map(|t| format!("&token={t}")).unwrap_or_default());
            let entry = ENTRY.with_borrow(|e| e.as_ref().map(|e| format!("&entry={e}")).unwrap_or_default());
            format!("/embed{path}{sep}partner={partner}{token}{entry}{fragment}")
        }
        _ => href.to_string(),
    })
}

/// The product the frame was opened at, where `reset` goes back to. The order
/// status page is another bundle's page, so the frame may have loaded a new
/// document since: the frame's links carry the product (`entry=ID`, see
/// [`href`]); a frame's storage is no help, as browsers that block
/// third-party storage refuse it.
fn entry_product(page: crate::route::Page) -> Option<String> {
    match page {
        crate::route::Page::Configure { product, .. } => Some(product),
        _ => {
            let search = web_sys::window()?.location().search().ok()?;
            crate::route::query_param(&search, "entry")
        }
    }
    .filter(|id| (1..=64).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'))
}

/// Starts the frame's side of the protocol; call once, in the app.
pub fn provide(partner: Option<String>, locale: RwSignal<Locale>, location: crate::route::Location) -> Option<Embed> {
    let Some(partner) = partner else {
        provide_context(None::<Embed>);
        return None;
    };
    PARTNER.with_borrow_mut(|p| *p = Some(partner.clone()));
    let token = token_from_location();
    TOKEN.with_borrow_mut(|t| t.clone_from(&token));
    let entry = entry_product(location.0.get_untracked());
    ENTRY.with_borrow_mut(|e| e.clone_from(&entry));
    let embed = Embed {
        partner: StoredValue::new(partner.clone()),
        token: StoredValue::new(token),
        origins: StoredValue::new(Vec::new()),
        host: RwSignal::new(None),
        theme: StoredValue::new(BTreeMap::new()),
        last_change: StoredValue::new(None),
        generation: RwSignal::new(0),
        trouble: RwSignal::new(None),
    };
    provide_context(Some(embed));
    if let Some(html) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.document_element()) {
        let _ = html.class_list().add_1("embed");
    }
    spawn_local(async move {
        match crate::api::get_json::<tailor_api::Partner>(&format!("/api/partners/{partner}"), None).await {
            Ok(s) => {
                embed.origins.set_value(s.origins);
                if apply_theme(&s.theme).is_ok() {
                    embed.theme.set_value(s.theme);
                }
                listen(embed, locale, location);
            }
            Err(e) => embed.trouble.set(Some(e.message)),
        }
    });
    Some(embed)
}

impl Embed {
    pub fn partner(self) -> String {
        self.partner.get_value()
    }

    pub fn token(self) -> Option<String> {
        self.token.get_value()
    }

    /// Sends `kind` with `fields` to the host, once it has said `init`.
    pub fn post(self, kind: &str, fields: Value) {
        if let Some(origin) = self.host.get_untracked() {
            post_to(&origin, kind, fields);
        }
    }

    /// The configuration as it is now (sent at once, and again after `ready`).
    pub fn change(self, fields: Value) {
        self.last_change.set_value(Some(fields.clone()));
        self.post("change", fields);
    }

    pub fn error(self, code: &str, message: &str) {
        self.post("error", json!({ "code": code, "message": message }));
    }
}

/// Posts `kind` with `fields` to the parent window, for `origin` only.
fn post_to(origin: &str, kind: &str, fields: Value) {
    let Some(parent) = web_sys::window().and_then(|w| w.parent().ok().flatten()) else { return };
    let mut message = json!({ "protocol": PROTOCOL, "version": VERSION, "type": kind });
    if let (Some(m), Value::Object(f)) = (message.as_object_mut(), fields) {
        m.extend(f);
    }
    if let Ok(value) = js_sys::JSON::parse(&message.to_string()) {
        let _ = parent.post_message(&value, origin);
    }
}

/// Sets the theme's CSS custom properties on the page (through the CSSOM,
/// which the page's CSP allows; no style text is ever inserted).
fn apply_theme(theme: &BTreeMap<String, String>) -> Result<(), String> {
    let props = tailor_engine::theme::css_properties(theme)?;
    let Some(html) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
    else {
        return Ok(());
    };
    let style = html.style();
    for (_, name) in tailor_engine::theme::PROPERTIES {
        let _ = style.remove_property(name);
    }
    for (name, value) in props {
        let _ = style.set_property(name, &value);
    }
    Ok(())
}

fn listen(embed: Embed, locale: RwSignal<Locale>, location: crate::route::Location) {
    let Some(window) = web_sys::window() else { return };
    let on_message = Closure::<dyn Fn(web_sys::MessageEvent)>::new(move |ev: web_sys::MessageEvent| {
        let origin = ev.origin();
        // Only the framing window, only from a registered origin, and after
        // `init` only from the host's own origin.
        let from_parent = match (ev.source(), web_sys::window().and_then(|w| w.parent().ok().flatten())) {
            (Some(source), Some(parent)) => js_sys::Object::is(source.as_ref(), parent.as_ref()),
            _ => false,
        };
        if !from_parent || !embed.origins.with_value(|o| o.contains(&origin)) {
            return;
        }
        if embed.host.get_untracked().is_some_and(|h| h != origin) {
            return;
        }
        let Some(text) = js_sys::JSON::stringify(&ev.data()).ok().and_then(|s| s.as_string()) else { return };
        let Ok(Value::Object(message)) = serde_json::from_str::<Value>(&text) else { return };
        if message.get("protocol").and_then(Value::as_str) != Some(PROTOCOL) {
            return; // someone else's messages
        }
        let kind = message.get("type").and_then(Value::as_str).unwrap_or_default().to_string();
        let version = message.get("version").and_then(Value::as_u64);
        let first = embed.host.get_untracked().is_none();
        if first && kind != "init" {
            return; // `init` first
        }
        // A refusal goes back to the sender: a registered origin framing
        // this page (the host itself once `init` has fixed it).
        let refuse = |code: &str, text: &str| post_to(&origin, "error", json!({ "code": code, "message": text }));
        if version != Some(VERSION) {
            let text = format!("protocol version {} is not supported; this page speaks version {VERSION}", version.map_or("(none)".into(), |v| v.to_string()));
            refuse("unsupported-version", &text);
            return;
        }
        match kind.as_str() {
            "init" => {
                let partner = message.get("partner").and_then(Value::as_str).unwrap_or_default();
                if embed.partner.with_value(|p| p != partner) {
                    let text = format!("this frame was opened for partner \"{}\", not \"{partner}\"", embed.partner.get_value());
                    refuse("wrong-partner", &text);
                    return;
                }
                embed.host.set(Some(origin));
                if let Some(l) = message.get("locale").and_then(Value::as_str) {
                    set_locale(embed, locale, l);
                }
                if let Some(theme) = message.get("theme").filter(|t| !t.is_null()) {
                    set_theme(embed, theme);
                }
                let product = match location.0.get_untracked() {
                    crate::route::Page::Configure { product, .. } => Some(product),
                    _ => None,
                };
                embed.post("ready", json!({ "product": product }));
                post_height(embed);
                if let Some(change) = embed.last_change.get_value() {
                    embed.post("change", change);
                }
                if first {
                    observe_height(embed);
                }
            }
            "setTheme" => set_theme(embed, message.get("theme").unwrap_or(&Value::Null)),
            "setLocale" => set_locale(embed, locale, message.get("locale").and_then(Value::as_str).unwrap_or_default()),
            "reset" => {
                embed.last_change.set_value(None);
                // Where the frame started (`/p/PRODUCT`, without a configuration).
                let entry = ENTRY.with_borrow(|e| e.as_ref().map_or_else(|| "/".to_string(), |id| format!("/p/{id}")));
                location.replace(&entry);
                embed.generation.update(|g| *g += 1);
            }
            other => embed.error("unknown-type", &format!("unknown message type \"{other}\"")),
        }
    });
    let _ = window.add_event_listener_with_callback("message", on_message.as_ref().unchecked_ref());
    on_message.forget();
}

fn set_locale(embed: Embed, locale: RwSignal<Locale>, tag: &str) {
    match Locale::from_tag(tag) {
        Some(l) => crate::i18n::set_locale(locale, l),
        None => embed.error("invalid-locale", &format!("locale \"{tag}\": en or zh-CN")),
    }
}

/// Adds the tokens of `theme` (an object of strings) to the current theme,
/// all checked before any is applied.
fn set_theme(embed: Embed, theme: &Value) {
    let Some(tokens) = theme.as_object() else {
        embed.error("invalid-theme", "theme: an object of token names to values");
        return;
    };
    let mut next = embed.theme.get_value();
    for (name, value) in tokens {
        match value.as_str() {
            Some(v) => next.insert(name.clone(), v.to_string()),
            None => {
                embed.error("invalid-theme", &format!("theme {name}: a string value"));
                return;
            }
        };
    }
    match apply_theme(&next) {
        Ok(()) => {
            // The host keeps it, to start its next page in the frame (the
            // order status page is one) with the same look.
            embed.post("theme", json!({ "theme": &next }));
            embed.theme.set_value(next);
        }
        Err(e) => embed.error("invalid-theme", &e),
    }
}

/// The page's height in CSS pixels (what the host's frame must be).
fn page_height() -> Option<f64> {
    let html = web_sys::window()?.document()?.document_element()?;
    Some(html.get_bounding_client_rect().height().ceil())
}

fn post_height(embed: Embed) {
    if let Some(h) = page_height() {
        embed.post("resize", json!({ "height": h }));
    }
}

/// Posts `resize` whenever the page's height changes.
fn observe_height(embed: Embed) {
    // The height just sent with `ready` is not sent again.
    let last = StoredValue::new(page_height().unwrap_or(0.0));
    let on_resize = Closure::<dyn Fn()>::new(move || {
        if let Some(h) = page_height()
            && h != last.get_value()
        {
            last.set_value(h);
            embed.post("resize", json!({ "height": h }));
        }
    });
    let Ok(observer) = web_sys::ResizeObserver::new(on_resize.as_ref().unchecked_ref()) else { return };
    on_resize.forget();
    if let Some(html) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.document_element()) {
        observer.observe(&html);
    }
    std::mem::forget(observer);
}

/// The frame's own bar: "Cancel" (the host decides what it means, such as
/// closing its dialog) and the privacy notice, which opens on the portal in
/// a new tab (a frame cannot hold the customer's profile: browsers keep
/// third-party storage and cookies apart).
#[component]
pub fn EmbedBar(embed: Embed) -> impl IntoView {
    let locale = use_locale();
    view! {
        <div class="embed-bar">
            {move || embed.trouble.get().map(|t| view! {
                <p class="notice notice-error" role="alert">
                    {pick(locale.get(), "This frame cannot reach the shop's page: ", "此框架无法与商店页面通信：")}{t}
                </p>
            })}
            <a href="/privacy" target="_blank" rel="noopener">{move || pick(locale.get(), "Privacy (opens a new tab)", "隐私（在新标签页中打开）")}</a>
            <button type="button" class="button button-small" data-testid="embed-cancel" on:click=move |_| embed.post("cancel", json!({}))>
                {move || pick(locale.get(), "Cancel", "取消")}
            </button>
        </div>
    }
}
