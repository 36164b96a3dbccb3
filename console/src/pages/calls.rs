//! Staff on the shop floor (roles store and support): the kiosks' open
//! "Call staff" calls, oldest first, refreshed every 5 s, each with an "On
//! my way" button (the kiosk then tells its customer); and the kiosks seen
//! recently (each says every minute that it is on).

use leptos::prelude::*;
use leptos::task::spawn_local;
use tailor_api::{Call, Calls as CallList};
use tailor_web_common::locale::{Locale, pick};
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;

use crate::{Names, locale, said, use_console};

#[derive(Clone, Debug, serde::Deserialize)]
struct Kiosk {
    place: String,
    #[serde(default)]
    seen_seconds_ago: Option<i64>,
}

#[derive(Clone, Debug, serde::Deserialize)]
struct Kiosks {
    kiosks: Vec<Kiosk>,
}

/// When a kiosk was last seen, in words; a kiosk quiet for over three
/// minutes (it says so every minute) is probably off.
fn seen(locale: Locale, ago: Option<i64>) -> String {
    match (locale, ago) {
        (Locale::En, None) => "never seen".into(),
        (Locale::Zh, None) => "从未上线".into(),
        (Locale::En, Some(s)) if s < 90 => "on: seen just now".into(),
        (Locale::Zh, Some(s)) if s < 90 => "在线：刚刚上线".into(),
        (Locale::En, Some(s)) if s <= 180 => format!("on: seen {} min ago", (s + 30) / 60),
        (Locale::Zh, Some(s)) if s <= 180 => format!("在线：{} 分钟前上线", (s + 30) / 60),
        (Locale::En, Some(s)) if s < 7200 => format!("quiet: last seen {} min ago", (s + 30) / 60),
        (Locale::Zh, Some(s)) if s < 7200 => format!("无响应：最后一次 {} 分钟前", (s + 30) / 60),
        (Locale::En, Some(s)) => format!("quiet: last seen {} h ago", s / 3600),
        (Locale::Zh, Some(s)) => format!("无响应：最后一次 {} 小时前", s / 3600),
    }
}

#[component]
pub fn Calls() -> impl IntoView {
    let locale = locale();
    let console = use_console();
    let names = Names::load();
    let calls = RwSignal::new(None::<Vec<Call>>);
    let error = RwSignal::new(None::<String>);
    let kiosks = RwSignal::new(Vec::<Kiosk>::new());
    let refresh = move || {
        spawn_local(async move {
            match console.call::<CallList>("GET", "/api/staff/calls", None).await {
                Ok(c) => {
                    error.set(None);
                    calls.set(Some(c.calls));
                }
                Err(e) => error.set(Some(said(&e))),
            }
            if let Ok(k) = console.call::<Kiosks>("GET", "/api/staff/kiosks", None).await {
                kiosks.set(k.kiosks);
            }
        });
    };
    refresh();
    if let Some(window) = web_sys::window() {
        let tick = Closure::<dyn Fn()>::new(refresh);
        if let Ok(handle) = window.set_interval_with_callback_and_timeout_and_arguments_0(tick.as_ref().unchecked_ref(), 5000) {
            on_cleanup(move || {
                if let Some(w) = web_sys::window() {
                    w.clear_interval_with_handle(handle);
                }
            });
        }
        tick.forget();
    }
    let answer = move |id: String| {
        spawn_local(async move {
            match console.call::<Call>("POST", &format!("/api/staff/calls/{id}/answer"), None).await {
                Ok(_) => refresh(),
                Err(e) => error.set(Some(said(&e))),
            }
        });
    };
    let minutes = move |s: i64| {
        let m = (s.max(0) + 30) / 60;
        match locale.get() {
            Locale::En if m < 1 => "just now".to_string(),
            Locale::En => format!("waiting {m} min"),
            Locale::Zh if m < 1 => "刚刚".to_string(),
            Locale::Zh => format!("已等待 {m} 分钟"),
        }
    };
    view! {
        <section class="page">
            <h1>{move || pick(locale.get(), "Calls from the kiosks", "自助终端的呼叫")}</h1>
            <p role="alert" class="form-status">{move || error.get()}</p>
            <p aria-live="polite" data-testid="calls-count">{move || match calls.get() {
                None => pick(locale.get(), "Loading…", "加载中…").to_string(),
                Some(c) if c.is_empty() => pick(locale.get(), "No one is waiting.", "没有人在等候。").to_string(),
                Some(c) => match locale.get() {
                    Locale::En => format!("{} waiting", c.len()),
                    Locale::Zh => format!("{} 处在等候", c.len()),
                },
            }}</p>
            <ul class="staff-calls">
                {move || calls.get().unwrap_or_default().into_iter().map(|c| {
                    let id = c.id.clone();
                    let product = c.product.clone();
                    view! {
                        <li class="purpose" data-testid="staff-call">
                            <h2>{c.place.clone()}</h2>
                            <p class="muted">{minutes(c.waiting_seconds)}{move || product.as_ref().map(|p| format!(" · {}", names.of(p, locale.get())))}</p>
                            <button type="button" class="button button-primary" on:click=move |_| answer(id.clone())>
                                {move || pick(locale.get(), "On my way", "我这就过去")}
                            </button>
                        </li>
                    }
                }).collect_view()}
            </ul>
            <h2>{move || pick(locale.get(), "Kiosks", "自助终端")}</h2>
            <ul class="kiosk-places">
                {move || kiosks.get().into_iter().map(|k| {
                    let ago = k.seen_seconds_ago;
                    view! {
                        <li data-testid="kiosk-place" class:quiet=ago.is_none_or(|s| s > 180)>
                            <strong>{k.place.clone()}</strong>" · "{move || seen(locale.get(), ago)}
                        </li>
                    }
                }).collect_view()}
            </ul>
        </section>
    }
}
