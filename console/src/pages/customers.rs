//! Support: a customer looked up by e-mail or id, always with a stated
//! reason (the server logs each read and shows it in the customer's
//! export): their consents, orders, saved configurations and value tier.

use leptos::prelude::*;
use leptos::task::spawn_local;
use serde::Deserialize;
use tailor_web_common::locale::{money, pick};

use crate::{Names, encode, locale, said, use_console};

#[derive(Clone, Debug, Deserialize)]
struct Found {
    customers: Vec<String>,
}

#[derive(Clone, Debug, Deserialize)]
struct Switch {
    purpose: String,
    #[serde(default)]
    channel: String,
    state: String,
}

#[derive(Clone, Debug, Deserialize)]
struct OrderRow {
    id: String,
    status: String,
    product: String,
    currency: String,
    total: i64,
    created_at: String,
}

#[derive(Clone, Debug, Deserialize)]
struct Saved {
    product: String,
    name: String,
    created_at: String,
}

#[derive(Clone, Debug, Deserialize)]
struct Profile {
    id: String,
    created_at: String,
    #[serde(default)]
    email: Option<String>,
    consents: Vec<Switch>,
    orders: Vec<OrderRow>,
    saved: Vec<Saved>,
    #[serde(default)]
    tier: Option<String>,
}

#[component]
pub fn Customers() -> impl IntoView {
    let locale = locale();
    let console = use_console();
    let names = Names::load();
    let who = RwSignal::new(String::new());
    let reason = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let profile = RwSignal::new(None::<Profile>);
    let look_up = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (w, r) = (who.get_untracked().trim().to_string(), reason.get_untracked().trim().to_string());
        let l = locale.get_untracked();
        if w.is_empty() || r.is_empty() {
            error.set(Some(pick(l, "Give the customer's e-mail or id, and the reason for reading their data.", "请填写客户的电子邮件或编号，以及查看其数据的理由。").to_string()));
            return;
        }
        profile.set(None);
        spawn_local(async move {
            let id = if w.contains('@') {
                match console.call::<Found>("GET", &format!("/api/staff/customers?email={}&reason={}", encode(&w), encode(&r)), None).await {
                    Ok(f) => f.customers.into_iter().next(),
                    Err(e) => {
                        error.set(Some(said(&e)));
                        return;
                    }
                }
            } else {
                Some(w.clone())
            };
            let Some(id) = id else {
                error.set(Some(pick(l, "No customer has this e-mail address.", "没有客户使用此电子邮件地址。").to_string()));
                return;
            };
            match console.call::<Profile>("GET", &format!("/api/staff/customers/{}?reason={}", encode(&id), encode(&r)), None).await {
                Ok(p) => {
                    error.set(None);
                    profile.set(Some(p));
                }
                Err(e) => error.set(Some(said(&e))),
            }
        });
    };
    view! {
        <section class="page">
            <h1>{move || pick(locale.get(), "Look up a customer", "查找客户")}</h1>
            <p class="muted">{move || pick(locale.get(), "Every look-up is logged with its reason and shown to the customer in their data export.", "每次查找都会连同理由一起记录，并在客户导出数据时向其显示。")}</p>
            <form on:submit=look_up class="console-form">
                <div class="field">
                    <label for="customer">{move || pick(locale.get(), "E-mail or customer id", "电子邮件或客户编号")}</label>
                    <input id="customer" type="text" autocomplete="off" prop:value=move || who.get() on:input=move |ev| who.set(event_target_value(&ev))/>
                </div>
                <div class="field">
                    <label for="reason">{move || pick(locale.get(), "Reason (such as a ticket number)", "理由（例如工单号）")}</label>
                    <input id="reason" type="text" maxlength="200" autocomplete="off" prop:value=move || reason.get() on:input=move |ev| reason.set(event_target_value(&ev))/>
                </div>
                <button type="submit" class="button button-primary">{move || pick(locale.get(), "Look up", "查找")}</button>
            </form>
            <p role="alert" class="form-status">{move || error.get()}</p>
            {move || profile.get().map(|p| {
                let tier = p.tier.clone();
                view! {
                    <article class="customer" data-testid="customer-profile" aria-labelledby="customer-title">
                        <h2 id="customer-title">{move || pick(locale.get(), "Customer ", "客户 ")}{p.id.clone()}</h2>
                        <p>{p.email.clone().unwrap_or_default()}" · "{move || pick(locale.get(), "since ", "注册于 ")}{crate::when(&p.created_at)}
                            " · "{move || pick(locale.get(), "value tier: ", "价值等级：")}
                            <strong data-testid="customer-tier">{move || match tier.as_deref() {
                                Some("top") => pick(locale.get(), "top", "顶级"),
                                Some("high") => pick(locale.get(), "high", "高"),
                                Some(_) => pick(locale.get(), "regular", "普通"),
                                None => pick(locale.get(), "none (no orders)", "无（没有订单）"),
                            }}</strong></p>
                        <h3>{move || pick(locale.get(), "Consents", "同意")}</h3>
                        <table class="console-table">
                            <thead><tr>
                                <th scope="col">{move || pick(locale.get(), "Purpose", "目的")}</th>
                                <th scope="col">{move || pick(locale.get(), "Channel", "渠道")}</th>
                                <th scope="col">{move || pick(locale.get(), "State", "状态")}</th>
                            </tr></thead>
                            <tbody>{p.consents.iter().map(|s| view! {
                                <tr><td>{s.purpose.clone()}</td><td>{s.channel.clone()}</td><td>{s.state.clone()}</td></tr>
                            }).collect_view()}</tbody>
                        </table>
                        <h3>{move || pick(locale.get(), "Orders", "订单")}</h3>
                        {if p.orders.is_empty() {
                            view! { <p class="muted">{move || pick(locale.get(), "None.", "无。")}</p> }.into_any()
                        } else {
                            view! { <ul>{p.orders.iter().map(|o| {
                                let (product, currency, total) = (o.product.clone(), o.currency.clone(), o.total);
                                view! { <li>{o.id.clone()}" · "{move || names.of(&product, locale.get())}" · "{o.status.clone()}" · "{move || money(locale.get(), &currency, total)}" · "{crate::when(&o.created_at)}</li> }
                            }).collect_view()}</ul> }.into_any()
                        }}
                        <h3>{move || pick(locale.get(), "Saved configurations", "已保存的配置")}</h3>
                        {if p.saved.is_empty() {
                            view! { <p class="muted">{move || pick(locale.get(), "None.", "无。")}</p> }.into_any()
                        } else {
                            view! { <ul>{p.saved.iter().map(|s| {
                                let product = s.product.clone();
                                view! { <li>{s.name.clone()}" · "{move || names.of(&product, locale.get())}" · "{crate::when(&s.created_at)}</li> }
                            }).collect_view()}</ul> }.into_any()
                        }}
                    </article>
                }
            })}
        </section>
    }
}
