//! Orders made without a network: kept in this browser's storage with their
//! idempotency key ("saved, will be sent") and sent when the network comes
//! back (the `online` event, and every 10 s while any wait). The key makes
//! a resend after a lost answer safe: the server makes one order per key.
//! Also registers the service worker that keeps the app for offline use.

use leptos::prelude::*;
use leptos::task::spawn_local;
use serde::{Deserialize, Serialize};
use tailor_api::Placed;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;

use crate::api;

const KEY: &str = "tailor.outbox";

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Queued {
    pub key: String,
    pub json: String,
    /// What the server said when it refused the order (it then waits for
    /// the customer, not for the network).
    #[serde(default)]
    pub refused: Option<String>,
}

/// What became of queued orders, by idempotency key: the order id once sent.
#[derive(Clone, Copy)]
pub struct Outbox {
    pub sent: RwSignal<Vec<(String, String)>>,
    pub refused: RwSignal<Vec<(String, String)>>,
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

pub fn queued() -> Vec<Queued> {
    storage().and_then(|s| s.get_item(KEY).ok().flatten()).and_then(|t| serde_json::from_str(&t).ok()).unwrap_or_default()
}

fn store(list: &[Queued]) {
    if let Some(s) = storage() {
        if list.is_empty() {
            let _ = s.remove_item(KEY);
        } else if let Ok(text) = serde_json::to_string(list) {
            let _ = s.set_item(KEY, &text);
        }
    }
}

/// Keeps an order to send later (once per key).
pub fn keep(key: &str, json: &str) {
    let mut list = queued();
    if !list.iter().any(|q| q.key == key) {
        list.push(Queued { key: key.into(), json: json.into(), refused: None });
        store(&list);
    }
}

/// Sends every waiting order once; network errors leave them waiting.
pub fn flush(outbox: Outbox) {
    for q in queued().into_iter().filter(|q| q.refused.is_none()) {
        spawn_local(async move {
            match api::post_json::<Placed>("/api/orders", &q.json, &q.key).await {
                Ok(c) => {
                    api::remember_token(&c.id, &c.access_token);
                    store(&queued().into_iter().filter(|x| x.key != q.key).collect::<Vec<_>>());
                    outbox.sent.update(|s| s.push((q.key.clone(), c.id)));
                }
                Err(e) if e.status == 0 || e.status >= 500 || e.status == 429 => {}
                Err(e) => {
                    let list: Vec<Queued> =
                        queued().into_iter().map(|mut x| { if x.key == q.key { x.refused = Some(e.message.clone()) } x }).collect();
                    store(&list);
                    outbox.refused.update(|r| r.push((q.key.clone(), e.message)));
                }
            }
        });
    }
}

/// Starts the sender (and the service worker); call once.
pub fn provide_outbox() -> Outbox {
    let outbox = Outbox { sent: RwSignal::new(Vec::new()), refused: RwSignal::new(Vec::new()) };
    provide_context(outbox);
    let Some(window) = web_sys::window() else { return outbox };
    register_service_worker(&window);
    let again = Closure::<dyn Fn()>::new(move || {
        if !queued().is_empty() {
            flush(outbox);
        }
    });
    let _ = window.add_event_listener_with_callback("online", again.as_ref().unchecked_ref());
    let _ = window.set_interval_with_callback_and_timeout_and_arguments_0(again.as_ref().unchecked_ref(), 10_000);
    again.forget();
    flush(outbox);
    outbox
}

/// `navigator.onLine`.
pub fn online() -> bool {
    web_sys::window().map(|w| w.navigator().on_line()).unwrap_or(true)
}

pub fn use_outbox() -> Outbox {
    expect_context::<Outbox>()
}

fn register_service_worker(window: &web_sys::Window) {
    let navigator = window.navigator();
    let Ok(container) = js_sys::Reflect::get(&navigator, &"serviceWorker".into()) else { return };
    if container.is_undefined() {
        return;
    }
    if let Ok(register) = js_sys::Reflect::get(&container, &"register".into())
        && let Some(register) = register.dyn_ref::<js_sys::Function>()
    {
        let _ = register.call1(&container, &"/sw.js".into());
    }
}
