//! Staff on the shop floor: the kiosks' open "Call staff" calls, oldest
//! first, refreshed every 5 s, each with an "On my way" button (the kiosk
//! then tells its customer). Needs a staff key of role `store` or
//! `support`, typed once and kept for this tab only (session storage).

use leptos::prelude::*;
use leptos::task::spawn_local;
use tailor_api::{Call, Calls};
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;

use crate::api;
use crate::i18n::{pick, use_locale};

const KEY_STORAGE: &str = "tailor.staff-key";

fn session() -> Option<web_sys::Storage> {
    web_sys::window().and_then(|w| w.session_storage().ok().flatten())
}

#[component]
pub fn StaffCallsPage() -> impl IntoView {
    let locale = use_locale();
    let key = RwSignal::new(session().and_then(|s| s.get_item(KEY_STORAGE).ok().flatten()));
    let typed = RwSignal::new(String::new());
    let calls = RwSignal::new(None::<Vec<Call>>);
    let error = RwSignal::new(None::<String>);
    // Product names for the calls (the id if the catalogue cannot be read).
    let (index, _) = crate::pages::shared::load(crate::pages::shared::load_index);
    let product_name = move |id: &str| {
        index
            .with(|i| i.as_ref().and_then(|r| r.as_ref().ok()).and_then(|ix| ix.product(id)).map(|p| p.name.get(locale.get().key()).to_string()))
            .unwrap_or_else(|| id.to_string())
    };

    let refresh = move || {
        let Some(k) = key.get_untracked() else { return };
        spawn_local(async move {
            match api::request_as::<Calls>("GET", "/api/staff/calls", None, None, Some(&k)).await {
                Ok(c) => {
                    error.set(None);
                    calls.set(Some(c.calls));
                }
                Err(e) => {
                    if e.status == 401 {
                        // An unknown or revoked key: ask again.
                        forget(key, calls);
                    }
                    error.set(Some(e.message));
                }
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

    let use_key = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let k = typed.get_untracked().trim().to_string();
        if k.is_empty() {
            error.set(Some(pick(locale.get_untracked(), "Type your staff key.", "请输入您的员工密钥。").to_string()));
            return;
        }
        if let Some(s) = session() {
            let _ = s.set_item(KEY_STORAGE, &k);
        }
        typed.set(String::new());
        key.set(Some(k));
        refresh();
    };
    let answer = move |id: String| {
        let Some(k) = key.get_untracked() else { return };
        spawn_local(async move {
            match api::request_as::<Call>("POST", &format!("/api/staff/calls/{id}/answer"), None, None, Some(&k)).await {
                Ok(_) => refresh(),
                Err(e) => error.set(Some(e.message)),
            }
        });
    };
    let minutes = move |s: i64| {
        let m = (s.max(0) + 30) / 60;
        match locale.get() {
            crate::i18n::Locale::En if m < 1 => "just now".to_string(),
            crate::i18n::Locale::En => format!("waiting {m} min"),
            crate::i18n::Locale::Zh if m < 1 => "刚刚".to_string(),
            crate::i18n::Locale::Zh => format!("已等待 {m} 分钟"),
        }
    };

    view! {
        <section class="page">
            <h1>{move || pick(locale.get(), "Calls from the kiosks", "自助终端的呼叫")}</h1>
            <p role="alert" class="form-status">{move || error.get()}</p>
            {move || match key.get() {
                None => view! {
                    <form class="staff-key" on:submit=use_key>
                        <div class="field">
                            <label for="staff-key">{move || pick(locale.get(), "Staff key (role store or support)", "员工密钥（门店或客服角色）")}</label>
                            <input id="staff-key" type="password" autocomplete="off" prop:value=move || typed.get() on:input=move |ev| typed.set(event_target_value(&ev))/>
                        </div>
                        <button type="submit" class="button button-primary">{move || pick(locale.get(), "Show the calls", "显示呼叫")}</button>
                    </form>
                }.into_any(),
                Some(_) => view! {
                    <p aria-live="polite" data-testid="calls-count">{move || match calls.get() {
                        None => pick(locale.get(), "Loading…", "加载中…").to_string(),
                        Some(c) if c.is_empty() => pick(locale.get(), "No one is waiting.", "没有人在等候。").to_string(),
                        Some(c) => match locale.get() {
                            crate::i18n::Locale::En => format!("{} waiting", c.len()),
                            crate::i18n::Locale::Zh => format!("{} 处在等候", c.len()),
                        },
                    }}</p>
                    <ul class="staff-calls">
                        {move || calls.get().unwrap_or_default().into_iter().map(|c| {
                            let id = c.id.clone();
                            view! {
                                <li class="purpose" data-testid="staff-call">
                                    <h2>{c.place.clone()}</h2>
                                    <p class="muted">{minutes(c.waiting_seconds)}{c.product.clone().map(|p| format!(" · {}", product_name(&p)))}</p>
                                    <button type="button" class="button button-primary" on:click=move |_| answer(id.clone())>
                                        {move || pick(locale.get(), "On my way", "我这就过去")}
                                    </button>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                    <button type="button" class="button button-small" on:click=move |_| forget(key, calls)>
                        {move || pick(locale.get(), "Forget my key on this device", "在此设备上忘记我的密钥")}
                    </button>
                }.into_any(),
            }}
        </section>
    }
}

fn forget(key: RwSignal<Option<String>>, calls: RwSignal<Option<Vec<Call>>>) {
    if let Some(s) = session() {
        let _ = s.remove_item(KEY_STORAGE);
    }
    key.set(None);
    calls.set(None);
}
