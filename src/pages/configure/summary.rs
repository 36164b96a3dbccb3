//! The summary beside the steps: the choices, the total, undo and redo, the
//! share link with its QR code, and saving to the customer's account.

use leptos::prelude::*;
use leptos::task::spawn_local;
use tailor_api::SaveBody;
use tailor_engine::explain_text::price_range;

use super::Ctx;
use super::meters::Meters;
use crate::api;
use crate::i18n::{Key, Words, money, pick, t, use_locale};

/// The summary: choices by step, running total, history and share link.
#[component]
pub(super) fn Summary(ctx: Ctx, steps: StoredValue<Vec<(tailor_engine::Text, Vec<usize>)>>) -> impl IntoView {
    let locale = use_locale();
    let lang = move || locale.get().key();
    let Ctx { model, session, eval, .. } = ctx;
    let currency = model.with_value(|m| m.def().currency.clone());
    let rows = move || {
        session.with(|s| {
            model.with_value(|m| {
                steps.with_value(|st| {
                    st.iter()
                        .flat_map(|(_, attrs)| attrs.iter().copied())
                        .map(|a| {
                            let attr = &m.attributes()[a];
                            let (value, open) = match s.choices().0[a] {
                                Some(o) => (attr.options[o].label.get(lang()).to_string(), false),
                                None => (t(locale.get(), Key::Open).to_string(), true),
                            };
                            view! { <dt>{attr.label.get(lang()).to_string()}</dt><dd class:open=open>{value}</dd> }
                        })
                        .collect_view()
                })
            })
        })
    };
    let total = {
        let currency = currency.clone();
        move || money(locale.get(), &currency, eval.get().total)
    };
    let range = {
        let currency = currency.clone();
        move || eval.with(|e| price_range(e, &Words { locale: locale.get(), currency: &currency }))
    };
    let share_url = move || {
        let origin = web_sys::window().and_then(|w| w.location().origin().ok()).unwrap_or_default();
        model.with_value(|m| session.with(|s| format!("{origin}/p/{}?c={}", m.id(), m.encode(s.choices()))))
    };
    let qr_src = move || {
        let url = share_url();
        format!("/api/qr?text={}", String::from(js_sys::encode_uri_component(&url)))
    };
    let me = crate::profile::use_me();
    let member_currency = currency.clone();
    let save_name = RwSignal::new(String::new());
    let save_status = RwSignal::new(None::<(bool, String)>);
    let save = move |_| {
        let l = locale.get_untracked();
        let (product, code, default_name) =
            model.with_value(|m| session.with_untracked(|s| (m.id().to_string(), m.encode(s.choices()), m.def().name.get(l.key()).to_string())));
        let name = Some(save_name.get_untracked().trim().to_string()).filter(|n| !n.is_empty()).unwrap_or(default_name);
        let body = api::json(&SaveBody { product, code, name });
        spawn_local(async move {
            match api::request::<crate::profile::Me>("POST", "/api/me/configurations", Some(&body), None).await {
                Ok(m) => {
                    me.0.set(Some(m));
                    save_status.set(Some((true, pick(l, "Saved to your account.", "已保存到您的账户。").to_string())));
                }
                Err(e) => save_status.set(Some((false, e.message))),
            }
        });
    };
    let copied = RwSignal::new(false);
    let copy = move |_| {
        if let Some(w) = web_sys::window() {
            let _ = w.navigator().clipboard().write_text(&share_url());
            copied.set(true);
        }
    };
    view! {
        <aside class="summary" aria-labelledby="summary-title">
            <h2 id="summary-title">{move || t(locale.get(), Key::Summary)}</h2>
            <dl class="summary-list">{rows}</dl>
            <p class="total">
                <span>{move || t(locale.get(), Key::Total)}</span>
                <output data-testid="total" aria-live="polite">{total}</output>
            </p>
            {move || me.member_percent().map(|p| view! {
                <p class="member-total">
                    <span>{format!("{} ({p}% {})", pick(locale.get(), "Member price", "会员价"), pick(locale.get(), "off", "折扣"))}</span>
                    <output data-testid="member-total">{money(locale.get(), &member_currency, tailor_engine::member_price(eval.get().total, Some(p)))}</output>
                </p>
            })}
            <p class="muted price-range">{range}</p>
            <Meters ctx only=None/>
            <div class="history">
                <button type="button" class="button button-small" disabled=move || !session.with(|s| s.can_undo()) on:click=move |_| { ctx.proposal.set(None); session.update(|s| s.undo()) }>
                    {move || t(locale.get(), Key::Undo)}
                </button>
                <button type="button" class="button button-small" disabled=move || !session.with(|s| s.can_redo()) on:click=move |_| { ctx.proposal.set(None); session.update(|s| s.redo()) }>
                    {move || t(locale.get(), Key::Redo)}
                </button>
                <button type="button" class="button button-small" on:click=move |_| { ctx.proposal.set(None); ctx.update(|m, s| s.start_over(m)) }>
                    {move || t(locale.get(), Key::StartOver)}
                </button>
            </div>
            {crate::kiosk::use_kiosk().map(|k| {
                let code = Signal::derive(move || model.with_value(|m| session.with(|s| m.encode(s.choices()))));
                let product = model.with_value(|m| m.id().to_string());
                view! { <crate::kiosk::Handoff kiosk=k product code/> }
            })}
            <details class="share">
                <summary>{move || t(locale.get(), Key::Share)}</summary>
                <label class="visually-hidden" for="share-link">{move || t(locale.get(), Key::Share)}</label>
                <input id="share-link" type="text" readonly prop:value=share_url data-testid="share-link"/>
                <button type="button" class="button button-small" on:click=copy>{move || t(locale.get(), Key::CopyLink)}</button>
                <span role="status">{move || copied.get().then(|| t(locale.get(), Key::Copied))}</span>
                <div class="save-config" hidden=crate::kiosk::use_kiosk().is_some() || crate::embed::use_embed().is_some()>
                    <label for="save-name">{move || pick(locale.get(), "Name (optional)", "名称（可选）")}</label>
                    <input id="save-name" type="text" maxlength="80" prop:value=move || save_name.get() on:input=move |ev| save_name.set(event_target_value(&ev))/>
                    <button type="button" class="button button-small" data-testid="save-config" on:click=save>{move || pick(locale.get(), "Save to my account", "保存到我的账户")}</button>
                    <span role="status">{move || save_status.get().map(|(_, text)| text)}</span>
                </div>
                <figure class="qr">
                    <img src=qr_src alt=move || t(locale.get(), Key::QrCode) width="160" height="160" loading="lazy" data-testid="share-qr"/>
                    <figcaption>{move || t(locale.get(), Key::ScanQr)}</figcaption>
                </figure>
            </details>
        </aside>
    }
}
