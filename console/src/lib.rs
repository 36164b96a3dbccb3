//! The shop's console (issue 18): one page per role under `/staff`, signed
//! in with a staff key that is exchanged at once for a session cookie the
//! page's script cannot read (the key is kept nowhere). Its own wasm, so
//! no staff code reaches customers, and no engine: pictures come from the
//! server, drawn from the stored orders.

mod pages;

use leptos::prelude::*;
use leptos::task::spawn_local;
use serde::Deserialize;
use tailor_web_common::fetch::{self, ApiError};
use tailor_web_common::locale::{self, Locale, LanguageSwitch, pick, use_locale};
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;

/// Who is signed in (`GET /api/staff/session`).
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct Session {
    pub id: String,
    pub name: String,
    pub role: String,
}

/// The console's shared state.
#[derive(Clone, Copy)]
pub struct Console {
    /// `None` while asking the server, then whether someone is signed in.
    pub session: RwSignal<Option<Option<Session>>>,
    /// The path, in step with the address bar.
    pub path: RwSignal<String>,
    /// Why the sign-in form shows (a session that ended).
    pub notice: RwSignal<Option<&'static str>>,
}

pub fn use_console() -> Console {
    expect_context::<Console>()
}

/// A role's pages: (path, English, Chinese).
pub fn pages_of(role: &str) -> &'static [(&'static str, &'static str, &'static str)] {
    match role {
        "fulfilment" => &[("/staff/orders", "Orders", "订单")],
        "support" => &[("/staff/customers", "Customers", "客户"), ("/staff/calls", "Kiosk calls", "终端呼叫")],
        "marketing" => &[("/staff/marketing", "Customers and consent", "客户与同意")],
        "store" => &[("/staff/calls", "Kiosk calls", "终端呼叫")],
        "admin" => &[("/staff/admin", "Keys, partners, catalogue", "密钥、合作伙伴、产品目录")],
        _ => &[],
    }
}

fn role_name(locale: Locale, role: &str) -> &'static str {
    match role {
        "fulfilment" => pick(locale, "fulfilment", "履约"),
        "support" => pick(locale, "support", "客服"),
        "marketing" => pick(locale, "marketing", "营销"),
        "store" => pick(locale, "store", "门店"),
        "admin" => pick(locale, "admin", "管理员"),
        _ => "?",
    }
}

impl Console {
    /// Goes to `path` as a link would, and moves focus to the page.
    pub fn go(self, path: &str) {
        if let Some(w) = web_sys::window() {
            if let Ok(h) = w.history() {
                let _ = h.push_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(path));
            }
            if let Some(main) = w.document().and_then(|d| d.get_element_by_id("main")).and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()) {
                let _ = main.focus();
            }
        }
        self.path.set(path.to_string());
    }

    /// The answer of a staff request; when the session has ended (401),
    /// the console says so and asks for the key again.
    pub async fn call<T: serde::de::DeserializeOwned>(self, method: &str, url: &str, body: Option<String>) -> Result<T, ApiError> {
        let answer = fetch::request::<T>(method, url, body.as_deref(), None).await;
        if let Err(e) = &answer
            && e.status == 401
        {
            self.notice.set(Some("ended"));
            self.session.set(Some(None));
        }
        answer
    }
}

fn current_path() -> String {
    web_sys::window().and_then(|w| w.location().pathname().ok()).unwrap_or_else(|| "/staff".into())
}

/// Follows the back button, and takes over clicks on links within the
/// console (other links, and modified clicks, are the browser's).
fn follow_links(console: Console) {
    let Some(window) = web_sys::window() else { return };
    let on_pop = Closure::<dyn Fn()>::new(move || console.path.set(current_path()));
    let _ = window.add_event_listener_with_callback("popstate", on_pop.as_ref().unchecked_ref());
    on_pop.forget();
    let on_click = Closure::<dyn Fn(web_sys::MouseEvent)>::new(move |ev: web_sys::MouseEvent| {
        if ev.default_prevented() || ev.button() != 0 || ev.meta_key() || ev.ctrl_key() || ev.shift_key() || ev.alt_key() {
            return;
        }
        let anchor = ev.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()).and_then(|e| e.closest("a[href^='/staff']").ok().flatten());
        if let Some(href) = anchor.filter(|a| a.get_attribute("target").is_none()).and_then(|a| a.get_attribute("href")) {
            ev.prevent_default();
            console.go(&href);
        }
    });
    if let Some(doc) = window.document() {
        let _ = doc.add_event_listener_with_callback("click", on_click.as_ref().unchecked_ref());
    }
    on_click.forget();
}

#[component]
pub fn App() -> impl IntoView {
    let locale = RwSignal::new(locale::initial_locale());
    provide_context(locale);
    locale::set_locale(locale, locale.get_untracked());
    let console = Console { session: RwSignal::new(None), path: RwSignal::new(current_path()), notice: RwSignal::new(None) };
    provide_context(console);
    follow_links(console);
    spawn_local(async move {
        let who = fetch::request::<Session>("GET", "/api/staff/session", None, None).await.ok();
        console.session.set(Some(who));
    });

    let sign_out = move |_| {
        spawn_local(async move {
            let _ = fetch::request::<serde_json::Value>("DELETE", "/api/staff/session", None, None).await;
            console.notice.set(Some("signed-out"));
            console.session.set(Some(None));
            console.go("/staff");
        });
    };

    view! {
        <a class="skip-link" href="#main">{move || pick(locale.get(), "Skip to content", "跳到主要内容")}</a>
        <header class="site-header console-header">
            <a href="/staff" class="brand">
                <span class="brand-name">"Tailor"</span>
                <span class="brand-tagline">{move || pick(locale.get(), "Shop console", "店铺控制台")}</span>
            </a>
            {move || console.session.get().flatten().map(|s| {
                let role = s.role.clone();
                view! {
                    <nav class="site-nav" aria-label=move || pick(locale.get(), "Console", "控制台")>
                        {pages_of(&role).iter().map(|&(href, en, zh)| view! {
                            <a href=href aria-current=move || console.path.get().starts_with(href).then_some("page")>{move || pick(locale.get(), en, zh)}</a>
                        }).collect_view()}
                    </nav>
                    <p class="console-who" data-testid="console-who">
                        {s.name.clone()}" · "{move || role_name(locale.get(), &s.role)}
                    </p>
                    <button type="button" class="button button-small" on:click=sign_out>{move || pick(locale.get(), "Sign out", "退出")}</button>
                }
            })}
            <LanguageSwitch label=|l| pick(l, "Language", "语言")/>
        </header>
        <main id="main" tabindex="-1">
            {move || match console.session.get() {
                None => view! { <p class="page" aria-busy="true">{move || pick(locale.get(), "Loading…", "加载中…")}</p> }.into_any(),
                Some(None) => view! { <pages::SignIn/> }.into_any(),
                Some(Some(s)) => pages::page(&s, &console.path.get()),
            }}
        </main>
    }
}

/// A failure in words, for a `role="alert"` line.
pub fn said(e: &ApiError) -> String {
    e.message.clone()
}

/// Today's locale, for pages.
pub fn locale() -> RwSignal<Locale> {
    use_locale()
}

/// A text in both languages, as the catalogue writes it.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
pub struct Text {
    pub en: String,
    #[serde(default)]
    pub zh: Option<String>,
}

impl Text {
    pub fn get(&self, locale: Locale) -> String {
        match (locale, &self.zh) {
            (Locale::Zh, Some(zh)) => zh.clone(),
            _ => self.en.clone(),
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
struct IndexEntry {
    id: String,
    name: Text,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
struct Index {
    products: Vec<IndexEntry>,
}

/// The products' names (from `catalogue/index.json`), loaded once; a
/// product's id stands for its name until they arrive.
#[derive(Clone, Copy)]
pub struct Names(RwSignal<Vec<(String, Text)>>);

impl Names {
    pub fn load() -> Names {
        let names = Names(RwSignal::new(Vec::new()));
        spawn_local(async move {
            if let Ok(index) = fetch::get_json::<Index>("/catalogue/index.json", None).await {
                names.0.set(index.products.into_iter().map(|p| (p.id, p.name)).collect());
            }
        });
        names
    }

    pub fn of(self, id: &str, locale: Locale) -> String {
        self.0.with(|n| n.iter().find(|(p, _)| p == id).map(|(_, t)| t.get(locale))).unwrap_or_else(|| id.to_string())
    }
}

/// A stored moment (RFC 3339, UTC) as staff read it: `2026-12-06 17:53 UTC`.
pub fn when(rfc3339: &str) -> String {
    match (rfc3339.get(..10), rfc3339.get(11..16)) {
        (Some(day), Some(time)) if rfc3339.ends_with('Z') => format!("{day} {time} UTC"),
        _ => rfc3339.to_string(),
    }
}

/// `s` as one part of a URL (a path segment or a query value).
pub fn encode(s: &str) -> String {
    String::from(js_sys::encode_uri_component(s))
}
