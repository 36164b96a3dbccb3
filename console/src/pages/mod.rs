//! The console's pages: sign-in, then each role's own.

mod admin;
mod calls;
mod customers;
mod marketing;
mod orders;

use leptos::prelude::*;
use leptos::task::spawn_local;
use serde_json::json;
use tailor_web_common::locale::pick;

use crate::{Session, locale, pages_of, use_console};

/// The page for `path`, or why the signed-in role may not see it.
pub fn page(session: &Session, path: &str) -> AnyView {
    let path = path.trim_end_matches('/');
    let home = pages_of(&session.role).first().map_or("/staff", |p| p.0);
    if path == "/staff" || path.is_empty() {
        // The role's first page, in place of the bare address.
        let console = use_console();
        let to = home.to_string();
        request_animation_frame(move || {
            if let Some(h) = web_sys::window().and_then(|w| w.history().ok()) {
                let _ = h.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&to));
            }
            console.path.set(to);
        });
        return ().into_any();
    }
    let allowed = pages_of(&session.role).iter().any(|(p, _, _)| path.starts_with(p));
    if !allowed {
        let known = ["fulfilment", "support", "marketing", "store", "admin"].iter().any(|r| pages_of(r).iter().any(|(p, _, _)| path.starts_with(p)));
        return view! { <Refused known home=home.to_string()/> }.into_any();
    }
    let parts: Vec<&str> = path.trim_start_matches("/staff/").split('/').collect();
    match parts.as_slice() {
        ["orders"] => view! { <orders::Orders/> }.into_any(),
        ["orders", id, "print"] => view! { <orders::WorkOrder id=id.to_string()/> }.into_any(),
        ["calls"] => view! { <calls::Calls/> }.into_any(),
        ["customers"] => view! { <customers::Customers/> }.into_any(),
        ["marketing"] => view! { <marketing::Marketing/> }.into_any(),
        ["admin"] => view! { <admin::Admin/> }.into_any(),
        _ => view! { <Refused known=false home=home.to_string()/> }.into_any(),
    }
}

/// A page the role may not see (or that does not exist).
#[component]
fn Refused(known: bool, home: String) -> impl IntoView {
    let locale = locale();
    view! {
        <section class="page">
            <h1>{move || if known { pick(locale.get(), "Not for your role", "您的角色无权查看") } else { pick(locale.get(), "No such page", "没有这个页面") }}</h1>
            <p>{move || if known {
                pick(locale.get(), "This page belongs to another role. Sign in with a key of that role to use it.", "此页面属于另一个角色。请使用该角色的密钥登录。")
            } else {
                pick(locale.get(), "The console has no page at this address.", "控制台在此地址没有页面。")
            }}</p>
            <p><a href=home>{move || pick(locale.get(), "Go to your page", "前往您的页面")}</a></p>
        </section>
    }
}

/// The sign-in form: the key is sent once and dropped from the page.
#[component]
pub fn SignIn() -> impl IntoView {
    let locale = locale();
    let console = use_console();
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let input = NodeRef::<leptos::html::Input>::new();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(field) = input.get_untracked() else { return };
        let key = field.value().trim().to_string();
        // The key leaves the page's state at once: only the request holds it.
        field.set_value("");
        if key.is_empty() {
            error.set(Some(pick(locale.get_untracked(), "Type your staff key.", "请输入您的员工密钥。").to_string()));
            let _ = field.focus();
            return;
        }
        busy.set(true);
        spawn_local(async move {
            let body = json!({ "key": key }).to_string();
            match tailor_web_common::fetch::request::<crate::Session>("POST", "/api/staff/session", Some(&body), None).await {
                Ok(s) => {
                    error.set(None);
                    console.notice.set(None);
                    console.session.set(Some(Some(s)));
                }
                Err(e) => {
                    error.set(Some(e.message));
                    if let Some(f) = input.get_untracked() {
                        let _ = f.focus();
                    }
                }
            }
            busy.set(false);
        });
    };
    view! {
        <section class="page console-sign-in">
            <h1>{move || pick(locale.get(), "Sign in to the console", "登录控制台")}</h1>
            <p class="muted" data-testid="sign-in-notice">{move || match console.notice.get() {
                Some("ended") => pick(locale.get(), "Your session ended (unused for 30 minutes, 12 hours old, or the key was revoked). Sign in again.", "您的会话已结束（30 分钟未使用、已满 12 小时或密钥已被撤销）。请重新登录。"),
                Some(_) => pick(locale.get(), "You are signed out.", "您已退出。"),
                None => pick(locale.get(), "Type the staff key you were given, once. This browser keeps only a session, never the key.", "请输入您获得的员工密钥，只需一次。此浏览器只保留会话，从不保存密钥。"),
            }}</p>
            <form on:submit=submit>
                <div class="field">
                    <label for="staff-key">{move || pick(locale.get(), "Staff key", "员工密钥")}</label>
                    <input id="staff-key" name="staff-key" type="password" autocomplete="off" spellcheck="false" node_ref=input
                        aria-describedby="sign-in-error" aria-invalid=move || error.get().is_some().to_string()/>
                </div>
                <p id="sign-in-error" role="alert" class="form-status">{move || error.get()}</p>
                <button type="submit" class="button button-primary" disabled=move || busy.get()>{move || pick(locale.get(), "Sign in", "登录")}</button>
            </form>
        </section>
    }
}
