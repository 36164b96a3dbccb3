//! In-store kiosk mode: the same app, entered at `/kiosk` (`?idle=SECONDS`
//! sets the idle time, default 120 s; `?place=NAME` names where the kiosk
//! stands, for staff answering "Call staff", and `?key=KEY` is that place's
//! kiosk key from `tailor-server place add`, without which no call is made). "Start over" and "Call staff" stay in
//! view; after the idle time a warning gives the customer 30 s and one large
//! button, then everything is reset: storage emptied, any session cookie
//! dropped, and the page reloaded at the attract screen, so nothing of the
//! last customer stays in memory, storage or the URL. The kiosk never
//! offers to save, sign in or remember anything.

use leptos::prelude::*;
use leptos::task::spawn_local;
use tailor_api::{Call, CallState, HandoffMade, HandoffState, NewCall, NewHandoff};
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;

use crate::api;
use crate::i18n::{pick, use_locale};

/// Seconds the warning waits for an answer before the reset.
pub const WARNING_SECONDS: f64 = 30.0;
pub const DEFAULT_IDLE_SECONDS: f64 = 120.0;

/// Present (in context) when the app runs as a kiosk.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Kiosk {
    pub idle_seconds: f64,
    /// Where the kiosk stands ("Entrance"), told to staff when called.
    pub place: &'static str,
    /// The place's kiosk key, which "Call staff" sends.
    pub key: Option<&'static str>,
}

pub const DEFAULT_PLACE: &str = "Kiosk";

/// The kiosk settings, when the app was opened at `/kiosk`.
pub fn from_location() -> Option<Kiosk> {
    if !cfg!(feature = "kiosk") {
        return None;
    }
    let loc = web_sys::window()?.location();
    let path = loc.pathname().ok()?;
    if path != "/kiosk" && !path.starts_with("/kiosk/") {
        return None;
    }
    let idle = crate::route::query_param(&loc.search().unwrap_or_default(), "idle")
        .and_then(|v| tailor_engine::parse_number(&v))
        .filter(|v| v.is_finite() && *v >= 10.0)
        .unwrap_or(DEFAULT_IDLE_SECONDS);
    let place = crate::route::query_param(&loc.search().unwrap_or_default(), "place")
        .map(|p| p.trim().to_string())
        .filter(|p| (1..=40).contains(&p.chars().count()) && p.chars().all(|c| c.is_alphanumeric() || matches!(c, ' ' | '-' | '.')));
    let key = crate::route::query_param(&loc.search().unwrap_or_default(), "key")
        .filter(|k| (1..=100).contains(&k.len()) && k.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-'));
    // Made once per page load (a reset reloads the page).
    let place: &'static str = place.map_or(DEFAULT_PLACE, |p| Box::leak(p.into_boxed_str()));
    let key: Option<&'static str> = key.map(|k| &*Box::leak(k.into_boxed_str()));
    Some(Kiosk { idle_seconds: idle, place, key })
}

pub fn use_kiosk() -> Option<Kiosk> {
    if !cfg!(feature = "kiosk") {
        return None;
    }
    use_context::<Option<Kiosk>>().flatten()
}

/// The kiosk's own address (what a reset returns to).
fn home(k: Kiosk) -> String {
    let mut query = Vec::new();
    if k.idle_seconds != DEFAULT_IDLE_SECONDS {
        query.push(format!("idle={}", k.idle_seconds));
    }
    if k.place != DEFAULT_PLACE {
        query.push(format!("place={}", String::from(js_sys::encode_uri_component(k.place))));
    }
    if let Some(key) = k.key {
        query.push(format!("key={key}"));
    }
    if query.is_empty() { "/kiosk".into() } else { format!("/kiosk?{}", query.join("&")) }
}

/// What "Call staff" has done so far.
#[derive(Clone, Debug, PartialEq)]
enum StaffCall {
    None,
    Calling,
    Waiting(String),
    Answered,
    Failed(String),
}

/// Calls staff to the kiosk's place, then asks every 3 s whether someone
/// has answered.
fn call_staff(kiosk: Kiosk, product: Option<String>, status: RwSignal<StaffCall>) {
    if matches!(status.get_untracked(), StaffCall::Calling | StaffCall::Waiting(_)) {
        return;
    }
    status.set(StaffCall::Calling);
    let body = api::json(&NewCall { place: kiosk.place.to_string(), product });
    spawn_local(async move {
        let call = match api::request_as::<Call>("POST", "/api/kiosk/calls", Some(&body), None, kiosk.key).await {
            Ok(c) => c,
            Err(e) => return status.set(StaffCall::Failed(e.message)),
        };
        if call.state == CallState::Answered {
            return status.set(StaffCall::Answered);
        }
        status.set(StaffCall::Waiting(call.id.clone()));
        poll_until(
            3000,
            move || {
                let id = call.id.clone();
                async move { api::request::<Call>("GET", &format!("/api/kiosk/calls/{id}"), None, None).await.is_ok_and(|c| c.state == CallState::Answered) }
            },
            move || status.set(StaffCall::Answered),
        );
    });
}

/// Forgets everything and starts again at the attract screen.
pub fn reset(k: Kiosk) {
    let Some(window) = web_sys::window() else { return };
    if let Ok(Some(s)) = window.local_storage() {
        let _ = s.clear();
    }
    if let Ok(Some(s)) = window.session_storage() {
        let _ = s.clear();
    }
    let to = home(k);
    spawn_local(async move {
        // A kiosk makes no profile, but drop any session cookie all the same.
        let _ = api::request::<serde_json::Value>("POST", "/api/me/sign-out", None, None).await;
        if let Some(w) = web_sys::window() {
            let _ = w.location().replace(&to);
        }
    });
}

/// The bar with "Start over" and "Call staff", and the idle watch.
#[component]
pub fn KioskBar(kiosk: Kiosk) -> impl IntoView {
    let locale = use_locale();
    let last_touch = StoredValue::new(js_sys::Date::now());
    let warning_since = RwSignal::new(None::<f64>);
    let seconds_left = RwSignal::new(WARNING_SECONDS as i32);
    let staff_call = RwSignal::new(StaffCall::None);
    let location = expect_context::<crate::route::Location>();

    // A registered kiosk tells the shop floor it is on: now and every minute
    // (a reset reloads the page, which starts again).
    if let Some(key) = kiosk.key {
        let beat = move || {
            leptos::task::spawn_local(async move {
                let _ = crate::api::request_as::<serde_json::Value>("POST", "/api/kiosk/seen", None, None, Some(key)).await;
            });
        };
        beat();
        if let Some(w) = web_sys::window() {
            let tick = Closure::<dyn Fn()>::new(beat);
            let _ = w.set_interval_with_callback_and_timeout_and_arguments_0(tick.as_ref().unchecked_ref(), 60_000);
            tick.forget();
        }
    }

    if let Some(window) = web_sys::window() {
        let touched = Closure::<dyn Fn()>::new(move || {
            if warning_since.get_untracked().is_none() {
                last_touch.set_value(js_sys::Date::now());
            }
        });
        if let Some(doc) = window.document() {
            for ev in ["pointerdown", "keydown", "touchstart", "wheel"] {
                let _ = doc.add_event_listener_with_callback(ev, touched.as_ref().unchecked_ref());
            }
        }
        touched.forget();
        // A tick each second compares the clock with the last touch, so a
        // clock that jumps (a sleeping device, a test's clock) still counts.
        let tick = Closure::<dyn Fn()>::new(move || {
            let now = js_sys::Date::now();
            match warning_since.get_untracked() {
                None if now - last_touch.get_value() >= kiosk.idle_seconds * 1000.0 => {
                    warning_since.set(Some(now));
                    seconds_left.set(WARNING_SECONDS as i32);
                }
                Some(since) => {
                    let left = WARNING_SECONDS - (now - since) / 1000.0;
                    if left <= 0.0 {
                        reset(kiosk);
                    } else {
                        seconds_left.set(left.ceil() as i32);
                    }
                }
                None => {}
            }
        });
        let _ = window.set_interval_with_callback_and_timeout_and_arguments_0(tick.as_ref().unchecked_ref(), 1000);
        tick.forget();
    }

    let still_here = move |_| {
        last_touch.set_value(js_sys::Date::now());
        warning_since.set(None);
    };
    view! {
        <div class="kiosk-bar" role="region" aria-label=move || pick(locale.get(), "Kiosk", "自助终端")>
            <button type="button" class="button kiosk-button" data-testid="kiosk-start-over" on:click=move |_| reset(kiosk)>
                {move || pick(locale.get(), "Start over", "重新开始")}
            </button>
            <button type="button" class="button kiosk-button" data-testid="kiosk-call-staff"
                on:click=move |_| {
                    let product = match location.0.get_untracked() {
                        crate::route::Page::Configure { product, .. } => Some(product),
                        _ => None,
                    };
                    call_staff(kiosk, product, staff_call);
                }>
                {move || pick(locale.get(), "Call staff", "呼叫店员")}
            </button>
            <p role="status" class="kiosk-status" data-testid="kiosk-staff-status">
                {move || match staff_call.get() {
                    StaffCall::None => String::new(),
                    StaffCall::Calling => pick(locale.get(), "Calling staff…", "正在呼叫店员…").to_string(),
                    StaffCall::Waiting(_) => pick(locale.get(), "Staff have been called. Please wait here.", "已呼叫店员，请在此稍候。").to_string(),
                    StaffCall::Answered => pick(locale.get(), "A member of staff is on the way.", "店员马上就来。").to_string(),
                    StaffCall::Failed(reason) => format!("{} {reason}", pick(locale.get(), "Staff could not be called; please ask at the counter.", "无法呼叫店员，请到柜台咨询。")),
                }}
            </p>
        </div>
        {move || warning_since.get().map(|_| view! {
            <div class="kiosk-overlay">
                <div class="kiosk-warning" role="alertdialog" aria-modal="true" aria-labelledby="idle-title" aria-describedby="idle-text" data-testid="idle-warning">
                    <h2 id="idle-title">{pick(locale.get(), "Are you still there?", "您还在吗？")}</h2>
                    <p id="idle-text" aria-live="polite">{move || format!("{} {} {}",
                        pick(locale.get(), "Everything will be cleared for the next customer in", "为了下一位顾客，所有内容将在"),
                        seconds_left.get(),
                        pick(locale.get(), "seconds.", "秒后清除。"))}</p>
                    <button type="button" class="button button-primary kiosk-still-here" autofocus on:click=still_here>
                        {pick(locale.get(), "I'm still here", "我还在")}
                    </button>
                </div>
            </div>
        })}
    }
}

/// The attract screen: what the kiosk shows between customers.
#[component]
pub fn Attract() -> impl IntoView {
    let locale = use_locale();
    let (index, retry) = crate::pages::shared::load(crate::pages::shared::load_index);
    view! {
        <section class="page kiosk-attract">
            <h1>{move || pick(locale.get(), "Make it yours: touch a product to start", "打造属于您的产品：轻触一件产品开始")}</h1>
            {move || match index.get() {
                None => view! { <crate::pages::shared::Loading/> }.into_any(),
                Some(Err(message)) => view! { <crate::pages::shared::LoadError message retry/> }.into_any(),
                Some(Ok(index)) => view! {
                    <ul class="product-list">
                        {index.products.into_iter().map(|p| {
                            let name = p.name.clone();
                            let summary = p.summary.clone();
                            view! {
                                <li class="product-card">
                                    <a class="kiosk-product" href=format!("/p/{}", p.id)>
                                        <span class="kiosk-product-name">{move || name.get(locale.get().key()).to_string()}</span>
                                        <span class="muted">{move || summary.get(locale.get().key()).to_string()}</span>
                                    </a>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any(),
            }}
        </section>
    }
}

/// An on-screen numeric keypad for the measurement fields (a kiosk never
/// opens the system keyboard): digits, a decimal point and delete, typing
/// into `target`.
#[component]
pub fn Keypad(target: RwSignal<Option<RwSignal<String>>>) -> impl IntoView {
    let locale = use_locale();
    let press = move |key: &'static str| {
        if let Some(field) = target.get_untracked() {
            field.update(|v| match key {
                "del" => {
                    v.pop();
                }
                "." if v.contains('.') => {}
                k if v.len() < 6 => v.push_str(k),
                _ => {}
            });
        }
    };
    let keys: [&'static str; 12] = ["1", "2", "3", "4", "5", "6", "7", "8", "9", ".", "0", "del"];
    view! {
        <div class="keypad" role="group" aria-label=move || pick(locale.get(), "Number keypad", "数字键盘") data-testid="keypad">
            {keys.into_iter().map(|k| view! {
                <button type="button" class="button keypad-key" data-key=k
                    aria-label=move || if k == "del" { pick(locale.get(), "Delete", "删除").to_string() } else { k.to_string() }
                    on:click=move |_| press(k)>
                    {if k == "del" { "⌫" } else { k }}
                </button>
            }).collect_view()}
        </div>
    }
}

/// "Continue on your phone": keeps the configuration on the server under a
/// one-time code, shows it as a QR code, and resets the kiosk once the
/// phone has opened it. Contact details are then typed on the phone.
#[component]
pub fn Handoff(kiosk: Kiosk, product: String, code: Signal<String>) -> impl IntoView {
    let locale = use_locale();
    let made = RwSignal::new(None::<(String, String)>);
    let error = RwSignal::new(None::<String>);
    let start = move |_| {
        let body = api::json(&NewHandoff { product: product.clone(), code: code.get_untracked() });
        error.set(None);
        spawn_local(async move {
            match api::request::<HandoffMade>("POST", "/api/handoff", Some(&body), None).await {
                Ok(m) => {
                    let origin = web_sys::window().and_then(|w| w.location().origin().ok()).unwrap_or_default();
                    made.set(Some((m.code.clone(), format!("{origin}{}", m.url))));
                    watch(kiosk, m.code);
                }
                Err(e) => error.set(Some(e.message)),
            }
        });
    };
    view! {
        <div class="handoff">
            <button type="button" class="button button-primary" data-testid="handoff" on:click=start>
                {move || pick(locale.get(), "Continue on your phone", "在手机上继续")}
            </button>
            <div role="alert">{move || error.get()}</div>
            {move || made.get().map(|(short, url)| {
                let src = format!("/api/qr?text={}", String::from(js_sys::encode_uri_component(&url)));
                view! {
                    <figure class="qr" data-testid="handoff-qr" data-url=url.clone()>
                        <img src=src alt=pick(locale.get(), "QR code to open this configuration on your phone", "用手机打开此配置的二维码") width="200" height="200"/>
                        <figcaption>
                            {pick(locale.get(), "Scan with your phone's camera, or open the address and type the code:", "用手机相机扫描，或打开以下地址并输入代码：")}
                            " " <strong>{short}</strong>
                            <br/>{pick(locale.get(), "This screen clears itself once your phone has it (the code works once, for 10 minutes).", "手机打开后此屏幕会自动清空（代码只能使用一次，10 分钟内有效）。")}
                        </figcaption>
                    </figure>
                }
            })}
        </div>
    }
}

/// Asks every 2 s whether the phone has the hand-off; then resets.
fn watch(kiosk: Kiosk, code: String) {
    poll_until(
        2000,
        move || {
            let code = code.clone();
            async move { api::request::<HandoffState>("GET", &format!("/api/handoff/{code}/state"), None, None).await.is_ok_and(|s| s.claimed || s.expired) }
        },
        move || reset(kiosk),
    );
}

/// Runs `check` every `ms` milliseconds until a run answers `true`; then
/// stops and calls `then`, once (even if runs overlap).
fn poll_until<F, Fut>(ms: i32, check: F, then: impl FnOnce() + 'static)
where
    F: Fn() -> Fut + 'static,
    Fut: std::future::Future<Output = bool> + 'static,
{
    let Some(window) = web_sys::window() else { return };
    let handle = std::rc::Rc::new(std::cell::Cell::new(None::<i32>));
    let then = std::rc::Rc::new(std::cell::Cell::new(Some(Box::new(then) as Box<dyn FnOnce()>)));
    let h = handle.clone();
    let tick = Closure::<dyn Fn()>::new(move || {
        let (run, h, then) = (check(), h.clone(), then.clone());
        spawn_local(async move {
            if run.await
                && let Some(then) = then.take()
            {
                if let (Some(w), Some(i)) = (web_sys::window(), h.take()) {
                    w.clear_interval_with_handle(i);
                }
                then();
            }
        });
    });
    if let Ok(i) = window.set_interval_with_callback_and_timeout_and_arguments_0(tick.as_ref().unchecked_ref(), ms) {
        handle.set(Some(i));
    }
    tick.forget();
}
