//! Marketing: consent counts per purpose and channel, and the customers
//! told apart by value (the value curve, tiers) and needs (segments of at
//! least k customers); individuals only where they gave the marketing
//! consent. Charts are SVG, each beside the table that says the same.

use leptos::prelude::*;
use leptos::task::spawn_local;
use serde::Deserialize;
use tailor_web_common::locale::{Locale, money, pick};

use crate::{Text, locale, said, use_console};

#[derive(Clone, Debug, Deserialize)]
struct Count {
    purpose: String,
    #[serde(default)]
    channel: Option<String>,
    state: String,
    count: i64,
}

#[derive(Clone, Debug, Deserialize)]
struct Counts {
    counts: Vec<Count>,
}

#[derive(Clone, Debug, Deserialize)]
struct Point {
    customers_share: f64,
    revenue_share: f64,
}

#[derive(Clone, Debug, Deserialize)]
struct Curve {
    top_10_percent_share: f64,
    top_20_percent_share: f64,
    points: Vec<Point>,
}

#[derive(Clone, Debug, Deserialize)]
struct Tier {
    tier: String,
    customers: usize,
    revenue_share: f64,
    min_value_minor: i64,
}

#[derive(Clone, Debug, Deserialize)]
struct Trait {
    label: Text,
    share: f64,
    lift: f64,
}

#[derive(Clone, Debug, Deserialize)]
struct Segment {
    id: usize,
    customers: usize,
    revenue_share: f64,
    traits: Vec<Trait>,
}

#[derive(Clone, Debug, Deserialize)]
struct Individual {
    id: String,
    #[serde(default)]
    email: Option<String>,
    tier: String,
    value_minor: i64,
    orders: u32,
}

#[derive(Clone, Debug, Deserialize)]
struct Differentiation {
    customers: usize,
    currency: String,
    value_curve: Curve,
    tiers: Vec<Tier>,
    segments: Vec<Segment>,
    segments_hidden_customers: usize,
    k: usize,
    individuals: Vec<Individual>,
}

fn percent(x: f64) -> String {
    format!("{:.0}%", x * 100.0)
}

fn tier_name(locale: Locale, tier: &str) -> &'static str {
    match tier {
        "top" => pick(locale, "top 10%", "前 10%"),
        "high" => pick(locale, "next 20%", "其后 20%"),
        _ => pick(locale, "the rest", "其余"),
    }
}

/// The value curve as a line from (0, 0) through each decile: the share of
/// revenue (up) brought by the best customers (across).
#[component]
fn CurveChart(curve: Curve) -> impl IntoView {
    let locale = locale();
    let (w, h, pad) = (320.0, 200.0, 30.0);
    let x = move |s: f64| pad + s * (w - 2.0 * pad);
    let y = move |s: f64| h - pad - s * (h - 2.0 * pad);
    let line: String = std::iter::once((0.0, 0.0))
        .chain(curve.points.iter().map(|p| (p.customers_share, p.revenue_share)))
        .map(|(c, r)| format!("{:.1},{:.1}", x(c), y(r)))
        .collect::<Vec<_>>()
        .join(" ");
    let top = curve.top_20_percent_share;
    view! {
        <svg class="value-curve" viewBox=format!("0 0 {w} {h}") role="img" aria-labelledby="curve-title" data-testid="value-curve">
            <title id="curve-title">{move || match locale.get() {
                Locale::En => format!("Value curve: the best 20% of customers bring {} of revenue", percent(top)),
                Locale::Zh => format!("价值曲线：最好的 20% 客户带来 {} 的收入", percent(top)),
            }}</title>
            <line x1=x(0.0) y1=y(0.0) x2=x(1.0) y2=y(0.0) class="axis"/>
            <line x1=x(0.0) y1=y(0.0) x2=x(0.0) y2=y(1.0) class="axis"/>
            <line x1=x(0.0) y1=y(0.0) x2=x(1.0) y2=y(1.0) class="even"/>
            <polyline points=line class="curve"/>
            <text x=x(1.0) y=h - 8.0 text-anchor="end">{move || pick(locale.get(), "customers, best first", "客户（由高到低）")}</text>
            <text x=8.0 y=pad - 12.0>{move || pick(locale.get(), "revenue", "收入")}</text>
        </svg>
    }
}

#[component]
pub fn Marketing() -> impl IntoView {
    let locale = locale();
    let console = use_console();
    let counts = RwSignal::new(None::<Vec<Count>>);
    let diff = RwSignal::new(None::<Differentiation>);
    let error = RwSignal::new(None::<String>);
    spawn_local(async move {
        match console.call::<Counts>("GET", "/api/staff/consents", None).await {
            Ok(c) => counts.set(Some(c.counts)),
            Err(e) => error.set(Some(said(&e))),
        }
        match console.call::<Differentiation>("GET", "/api/staff/differentiation", None).await {
            Ok(d) => diff.set(Some(d)),
            Err(e) => error.set(Some(said(&e))),
        }
    });
    view! {
        <section class="page">
            <h1>{move || pick(locale.get(), "Customers and consent", "客户与同意")}</h1>
            <p role="alert" class="form-status">{move || error.get()}</p>
            {move || diff.get().map(|d| {
                let curve = d.value_curve.clone();
                let currency = d.currency.clone();
                let (n, k, hidden) = (d.customers, d.k, d.segments_hidden_customers);
                view! {
                    <h2>{move || pick(locale.get(), "Value", "价值")}</h2>
                    <p data-testid="value-summary">{move || match locale.get() {
                        Locale::En => format!("{n} customers with orders. The best 10% bring {} of revenue, the best 20% bring {}.", percent(curve.top_10_percent_share), percent(curve.top_20_percent_share)),
                        Locale::Zh => format!("{n} 位有订单的客户。最好的 10% 带来 {} 的收入，最好的 20% 带来 {}。", percent(curve.top_10_percent_share), percent(curve.top_20_percent_share)),
                    }}</p>
                    <div class="console-chart">
                        <CurveChart curve=d.value_curve.clone()/>
                        <table class="console-table">
                            <caption>{move || pick(locale.get(), "Value curve", "价值曲线")}</caption>
                            <thead><tr>
                                <th scope="col">{move || pick(locale.get(), "Best customers", "最好的客户")}</th>
                                <th scope="col">{move || pick(locale.get(), "Share of revenue", "收入占比")}</th>
                            </tr></thead>
                            <tbody>{d.value_curve.points.iter().map(|p| view! {
                                <tr><td>{percent(p.customers_share)}</td><td>{percent(p.revenue_share)}</td></tr>
                            }).collect_view()}</tbody>
                        </table>
                    </div>
                    <table class="console-table" data-testid="tiers">
                        <caption>{move || pick(locale.get(), "Tiers", "等级")}</caption>
                        <thead><tr>
                            <th scope="col">{move || pick(locale.get(), "Tier", "等级")}</th>
                            <th scope="col">{move || pick(locale.get(), "Customers", "客户")}</th>
                            <th scope="col">{move || pick(locale.get(), "Share of revenue", "收入占比")}</th>
                            <th scope="col">{move || pick(locale.get(), "Least value in the tier", "等级内最低价值")}</th>
                        </tr></thead>
                        <tbody>{d.tiers.iter().map(|t| {
                            let (tier, currency, min) = (t.tier.clone(), currency.clone(), t.min_value_minor);
                            view! { <tr>
                                <td>{move || tier_name(locale.get(), &tier)}</td><td>{t.customers}</td><td>{percent(t.revenue_share)}</td>
                                <td>{move || money(locale.get(), &currency, min)}</td>
                            </tr> }
                        }).collect_view()}</tbody>
                    </table>
                    <h2>{move || pick(locale.get(), "Needs", "需求")}</h2>
                    <p class="muted">{move || match locale.get() {
                        Locale::En => format!("Segments of at least {k} customers; {hidden} customers are in smaller groups, not shown."),
                        Locale::Zh => format!("每个细分至少 {k} 位客户；{hidden} 位客户属于更小的群组，未显示。"),
                    }}</p>
                    <ul class="segments">{d.segments.iter().map(|s| {
                        let (id, customers, share) = (s.id, s.customers, s.revenue_share);
                        let traits = s.traits.clone();
                        view! {
                            <li class="purpose">
                                <h3>{move || match locale.get() {
                                    Locale::En => format!("Segment {id}: {customers} customers, {} of revenue", percent(share)),
                                    Locale::Zh => format!("细分 {id}：{customers} 位客户，收入占比 {}", percent(share)),
                                }}</h3>
                                <ul>{traits.into_iter().map(|t| view! {
                                    <li>{move || t.label.get(locale.get())}" · "{percent(t.share)}" · ×"{format!("{:.1}", t.lift)}</li>
                                }).collect_view()}</ul>
                            </li>
                        }
                    }).collect_view()}</ul>
                    <h2>{move || pick(locale.get(), "Customers who agreed to marketing", "同意接收营销信息的客户")}</h2>
                    {if d.individuals.is_empty() {
                        view! { <p class="muted">{move || pick(locale.get(), "None yet.", "暂无。")}</p> }.into_any()
                    } else {
                        view! { <table class="console-table">
                            <thead><tr>
                                <th scope="col">{move || pick(locale.get(), "Customer", "客户")}</th>
                                <th scope="col">{move || pick(locale.get(), "Tier", "等级")}</th>
                                <th scope="col">{move || pick(locale.get(), "Value", "价值")}</th>
                                <th scope="col">{move || pick(locale.get(), "Orders", "订单")}</th>
                            </tr></thead>
                            <tbody>{d.individuals.iter().map(|i| {
                                let (tier, currency, value) = (i.tier.clone(), currency.clone(), i.value_minor);
                                view! { <tr>
                                    <td>{i.email.clone().unwrap_or_else(|| i.id.clone())}</td>
                                    <td>{move || tier_name(locale.get(), &tier)}</td>
                                    <td>{move || money(locale.get(), &currency, value)}</td>
                                    <td>{i.orders}</td>
                                </tr> }
                            }).collect_view()}</tbody>
                        </table> }.into_any()
                    }}
                }
            })}
            <h2>{move || pick(locale.get(), "Consent", "同意")}</h2>
            {move || counts.get().map(|c| view! {
                <table class="console-table" data-testid="consent-counts">
                    <thead><tr>
                        <th scope="col">{move || pick(locale.get(), "Purpose", "目的")}</th>
                        <th scope="col">{move || pick(locale.get(), "Channel", "渠道")}</th>
                        <th scope="col">{move || pick(locale.get(), "State", "状态")}</th>
                        <th scope="col">{move || pick(locale.get(), "Customers", "客户")}</th>
                    </tr></thead>
                    <tbody>{c.into_iter().map(|r| view! {
                        <tr><td>{r.purpose}</td><td>{r.channel.unwrap_or_default()}</td><td>{r.state}</td><td>{r.count}</td></tr>
                    }).collect_view()}</tbody>
                </table>
            })}
        </section>
    }
}
