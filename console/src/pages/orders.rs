//! Fulfilment: the orders to make and to ship, each with the product's
//! picture (drawn by the server from the stored order), its choices,
//! texts and ship-to; status moves as the server's rules allow; and a
//! printable work order with a QR code of its own link.

use std::collections::BTreeMap;

use leptos::prelude::*;
use leptos::task::spawn_local;
use serde::Deserialize;
use serde_json::json;
use tailor_web_common::locale::{Locale, pick};

use crate::{Names, encode, locale, said, use_console};

#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct ShipTo {
    name: String,
    line1: String,
    #[serde(default)]
    line2: String,
    city: String,
    postcode: String,
    country: String,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct Order {
    id: String,
    status: String,
    product: String,
    choices: BTreeMap<String, String>,
    #[serde(default)]
    texts: BTreeMap<String, String>,
    created_at: String,
    ship_to: ShipTo,
}

#[derive(Deserialize)]
struct WorkList {
    orders: Vec<Order>,
    #[serde(default)]
    next_after: Option<String>,
}

const STATUSES: [(&str, &str, &str); 4] =
    [("new", "New", "新订单"), ("in_production", "In production", "生产中"), ("shipped", "Shipped", "已发货"), ("cancelled", "Cancelled", "已取消")];

fn status_name(locale: Locale, status: &str) -> &'static str {
    STATUSES.iter().find(|s| s.0 == status).map_or("?", |s| pick(locale, s.1, s.2))
}

/// The moves fulfilment may make from `status`: (to, English, Chinese).
fn moves(status: &str) -> &'static [(&'static str, &'static str, &'static str)] {
    match status {
        "new" => &[("in_production", "Start production", "开始生产"), ("cancelled", "Cancel order", "取消订单")],
        "in_production" => &[("shipped", "Mark shipped", "标记为已发货"), ("cancelled", "Cancel order", "取消订单")],
        _ => &[],
    }
}

/// The order's choices, texts and ship-to, shared by the list and the
/// work order; their headings sit one level below the page's `level`.
#[component]
fn Details(order: Order, level: u8) -> impl IntoView {
    let locale = locale();
    let s = order.ship_to.clone();
    let heading = move |en: &'static str, zh: &'static str| {
        let text = move || pick(locale.get(), en, zh);
        if level <= 1 { view! { <h2 class="work-heading">{text}</h2> }.into_any() } else { view! { <h3 class="work-heading">{text}</h3> }.into_any() }
    };
    view! {
        <div class="work-details">
            <div>
                {heading("Choices", "选择")}
                <dl class="work-choices">
                    {order.choices.iter().map(|(a, o)| view! { <dt>{a.clone()}</dt><dd>{o.clone()}</dd> }).collect_view()}
                </dl>
                {(!order.texts.is_empty()).then(|| view! {
                    {heading("Texts", "文字")}
                    <dl class="work-choices">
                        {order.texts.iter().map(|(k, v)| view! { <dt>{k.clone()}</dt><dd class="work-text">{v.clone()}</dd> }).collect_view()}
                    </dl>
                })}
            </div>
            <div>
                {heading("Ship to", "收货地址")}
                <address>
                    {s.name}<br/>{s.line1}<br/>
                    {(!s.line2.is_empty()).then(|| view! { {s.line2.clone()}<br/> })}
                    {format!("{} {}", s.postcode, s.city)}<br/>{s.country}
                </address>
            </div>
        </div>
    }
}

#[component]
pub fn Orders() -> impl IntoView {
    let locale = locale();
    let console = use_console();
    let names = Names::load();
    let status = RwSignal::new("new".to_string());
    let orders = RwSignal::new(None::<Vec<Order>>);
    let next = RwSignal::new(None::<String>);
    let error = RwSignal::new(None::<String>);
    let said_last = RwSignal::new(String::new());
    let load = move |after: Option<String>| {
        let s = status.get_untracked();
        spawn_local(async move {
            let url = format!("/api/staff/orders?status={s}&limit=50{}", after.as_deref().map(|a| format!("&after={a}")).unwrap_or_default());
            match console.call::<WorkList>("GET", &url, None).await {
                Ok(list) => {
                    error.set(None);
                    next.set(list.next_after);
                    if after.is_some() {
                        orders.update(|o| o.get_or_insert_with(Vec::new).extend(list.orders));
                    } else {
                        orders.set(Some(list.orders));
                    }
                }
                Err(e) => error.set(Some(said(&e))),
            }
        });
    };
    load(None);
    // One order by its number, whatever its status (a customer on the phone).
    let wanted = RwSignal::new(String::new());
    let find = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let id = wanted.get_untracked().trim().to_uppercase();
        if id.is_empty() {
            orders.set(None);
            load(None);
            return;
        }
        spawn_local(async move {
            match console.call::<Order>("GET", &format!("/api/staff/orders/{}", encode(&id)), None).await {
                Ok(o) => {
                    error.set(None);
                    next.set(None);
                    orders.set(Some(vec![o]));
                }
                Err(e) => error.set(Some(said(&e))),
            }
        });
    };
    let change = move |id: String, to: &'static str| {
        spawn_local(async move {
            let body = json!({ "status": to }).to_string();
            match console.call::<serde_json::Value>("POST", &format!("/api/staff/orders/{id}/status"), Some(body)).await {
                Ok(_) => {
                    orders.update(|o| {
                        if let Some(o) = o {
                            o.retain(|x| x.id != id);
                        }
                    });
                    let l = locale.get_untracked();
                    said_last.set(match l {
                        Locale::En => format!("Order {id} is now {}.", status_name(l, to).to_lowercase()),
                        Locale::Zh => format!("订单 {id} 现在为{}。", status_name(l, to)),
                    });
                    error.set(None);
                }
                Err(e) => error.set(Some(said(&e))),
            }
        });
    };
    view! {
        <section class="page">
            <h1>{move || pick(locale.get(), "Orders", "订单")}</h1>
            <div class="field console-filter">
                <label for="order-status">{move || pick(locale.get(), "Show orders that are", "显示以下状态的订单")}</label>
                <select id="order-status" on:change=move |ev| {
                    status.set(event_target_value(&ev));
                    wanted.set(String::new());
                    orders.set(None);
                    load(None);
                }>
                    {STATUSES.iter().map(|&(id, en, zh)| view! {
                        <option value=id selected=move || status.get() == id>{move || pick(locale.get(), en, zh)}</option>
                    }).collect_view()}
                </select>
            </div>
            <form class="console-form console-find" role="search" on:submit=find>
                <div class="field">
                    <label for="order-number">{move || pick(locale.get(), "Find an order by its number", "按编号查找订单")}</label>
                    <input id="order-number" type="text" autocomplete="off" spellcheck="false" prop:value=move || wanted.get() on:input=move |ev| wanted.set(event_target_value(&ev))/>
                </div>
                <button type="submit" class="button">{move || pick(locale.get(), "Find", "查找")}</button>
            </form>
            <p role="alert" class="form-status">{move || error.get()}</p>
            <p aria-live="polite" class="console-said" data-testid="orders-said">{move || said_last.get()}</p>
            <p aria-live="polite" data-testid="orders-count">{move || match orders.get() {
                None => pick(locale.get(), "Loading…", "加载中…").to_string(),
                Some(o) if o.is_empty() => pick(locale.get(), "No orders here.", "这里没有订单。").to_string(),
                Some(o) => match locale.get() {
                    Locale::En if o.len() == 1 => "1 order".to_string(),
                    Locale::En => format!("{} orders", o.len()),
                    Locale::Zh => format!("{} 个订单", o.len()),
                },
            }}</p>
            <ul class="work-list">
                {move || orders.get().unwrap_or_default().into_iter().map(|o| {
                    let id = o.id.clone();
                    let product = o.product.clone();
                    let current = o.status.clone();
                    let picture = format!("/api/staff/orders/{id}/picture");
                    let print = format!("/staff/orders/{id}/print");
                    let alt_product = product.clone();
                    let title = o.id.clone();
                    view! {
                        <li class="work-card" data-testid="work-order">
                            <h2>{move || match locale.get() {
                                Locale::En => format!("Order {title}"),
                                Locale::Zh => format!("订单 {title}"),
                            }}</h2>
                            <p class="muted">{move || names.of(&product, locale.get())}" · "{crate::when(&o.created_at)}" · "{move || status_name(locale.get(), &current)}</p>
                            <img class="work-picture" src=picture width="240" height="180" loading="lazy"
                                alt=move || match locale.get() {
                                    Locale::En => format!("Picture of the {} as ordered", names.of(&alt_product, Locale::En)),
                                    Locale::Zh => format!("所订购的{}的图片", names.of(&alt_product, Locale::Zh)),
                                }/>
                            <Details order=o.clone() level=2/>
                            <div class="work-actions">
                                {moves(&o.status).iter().map(|&(to, en, zh)| {
                                    let id = id.clone();
                                    view! {
                                        <button type="button" class=if to == "cancelled" { "button button-small" } else { "button button-primary" }
                                            on:click=move |_| change(id.clone(), to)>{move || pick(locale.get(), en, zh)}</button>
                                    }
                                }).collect_view()}
                                <a class="button button-small" href=print>{move || pick(locale.get(), "Work order to print", "打印工单")}</a>
                            </div>
                        </li>
                    }
                }).collect_view()}
            </ul>
            {move || next.get().map(|after| view! {
                <button type="button" class="button" on:click=move |_| load(Some(after.clone()))>{move || pick(locale.get(), "More orders", "更多订单")}</button>
            })}
        </section>
    }
}

/// The printable work order: the picture, the choices, the ship-to, and a
/// QR code of this page's address (for the person at the bench).
#[component]
pub fn WorkOrder(id: String) -> impl IntoView {
    let locale = locale();
    let console = use_console();
    let names = Names::load();
    let order = RwSignal::new(None::<Result<Order, String>>);
    {
        let id = id.clone();
        spawn_local(async move {
            order.set(Some(console.call::<Order>("GET", &format!("/api/staff/orders/{id}"), None).await.map_err(|e| said(&e))));
        });
    }
    let link = web_sys::window().and_then(|w| w.location().origin().ok()).unwrap_or_default() + &format!("/staff/orders/{id}/print");
    let qr = format!("/api/qr?text={}", encode(&link));
    let print = move |_| {
        if let Some(w) = web_sys::window() {
            let _ = w.print();
        }
    };
    view! {
        <section class="page work-order">
            <p class="no-print"><a href="/staff/orders">{move || pick(locale.get(), "Back to the orders", "返回订单")}</a></p>
            {move || match order.get() {
                None => view! { <p aria-busy="true">{move || pick(locale.get(), "Loading…", "加载中…")}</p> }.into_any(),
                Some(Err(e)) => view! { <p role="alert" class="form-status">{e}</p> }.into_any(),
                Some(Ok(o)) => {
                    let product = o.product.clone();
                    let alt_product = product.clone();
                    let qr = qr.clone();
                    let title = o.id.clone();
                    view! {
                        <h1>{move || match locale.get() {
                            Locale::En => format!("Work order {title}"),
                            Locale::Zh => format!("工单 {title}"),
                        }}</h1>
                        <p>{move || names.of(&product, locale.get())}" · "{crate::when(&o.created_at)}</p>
                        <div class="work-order-top">
                            <img class="work-order-picture" src=format!("/api/staff/orders/{}/picture", o.id) width="360" height="270"
                                alt=move || match locale.get() {
                                    Locale::En => format!("Picture of the {} as ordered", names.of(&alt_product, Locale::En)),
                                    Locale::Zh => format!("所订购的{}的图片", names.of(&alt_product, Locale::Zh)),
                                }/>
                            <figure class="work-qr">
                                <img src=qr width="140" height="140" data-testid="work-qr"
                                    alt=move || pick(locale.get(), "QR code of this work order's address", "此工单地址的二维码")/>
                                <figcaption class="muted">{link.clone()}</figcaption>
                            </figure>
                        </div>
                        <Details order=o.clone() level=1/>
                        <button type="button" class="button button-primary no-print" on:click=print>{move || pick(locale.get(), "Print", "打印")}</button>
                    }.into_any()
                }
            }}
        </section>
    }
}
