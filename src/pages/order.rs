//! The order status page, read with the token kept when the order was placed.

use std::collections::BTreeMap;

use leptos::prelude::*;

use tailor_api::OrderView;
use tailor_engine::contact::Shipping;
use tailor_engine::{Model, Text};

use crate::api;
use crate::i18n::{Key, money, t, use_locale};
use crate::pages::shared::{LoadError, Loading, country_name, load, load_model, when_in};

/// The parts of an order the API sends as stored JSON, read: the choices
/// (attribute id to option id), the free texts and the shipping address.
#[derive(Clone)]
struct Stored {
    choices: BTreeMap<String, String>,
    texts: BTreeMap<String, String>,
    shipping: Shipping,
}

impl Stored {
    fn of(order: &OrderView) -> Result<Stored, String> {
        let read = |e: serde_json::Error| e.to_string();
        Ok(Stored {
            choices: serde_json::from_str(order.choices.get()).map_err(read)?,
            texts: serde_json::from_str(order.texts.get()).map_err(read)?,
            shipping: serde_json::from_str(order.shipping.get()).map_err(read)?,
        })
    }
}

/// The order's choices in the product's words, in step order: (attribute,
/// option) labels; ids the catalogue no longer knows are shown as stored.
fn described(model: Option<&Model>, order: &Stored) -> Vec<(Text, Text)> {
    let plain = |s: &str| Text::plain(s);
    let Some(m) = model else {
        return order.choices.iter().map(|(k, v)| (plain(k), plain(v))).collect();
    };
    let mut rows = Vec::new();
    for (_, attrs) in m.steps() {
        for a in attrs {
            let attr = &m.attributes()[a];
            if let Some(v) = order.choices.get(&attr.id) {
                let option = m.option(a, v).map(|o| attr.options[o].label.clone()).unwrap_or_else(|| plain(v));
                rows.push((attr.label.clone(), option));
            }
        }
    }
    for (k, v) in &order.choices {
        if m.attribute(k).is_none() {
            rows.push((plain(k), plain(v)));
        }
    }
    for (k, v) in &order.texts {
        let label = m.def().texts.iter().find(|t| &t.id == k).map(|t| t.label.clone()).unwrap_or_else(|| plain(k));
        rows.push((label, plain(v)));
    }
    rows
}

#[component]
pub fn OrderPage(id: String) -> impl IntoView {
    let locale = use_locale();
    let (order, retry) = load(move || {
        let id = id.clone();
        async move {
            let token = api::token_for(&id);
            let order = api::get_json::<OrderView>(&format!("/api/orders/{id}"), token.as_deref()).await.map_err(|e| e.message)?;
            let stored = Stored::of(&order)?;
            // Without the catalogue the ids are still shown, as stored.
            let model = load_model(order.product.clone()).await.ok();
            // The picture the server draws from the stored order (what the
            // workshop sees); none for a product without one. It is the
            // engine's own SVG (escaped texts, a closed vocabulary).
            let picture = api::get_text(&format!("/api/orders/{id}/picture"), token.as_deref()).await.ok().filter(|svg| svg.starts_with("<svg "));
            Ok((order, stored, model, picture))
        }
    });
    view! {
        <section class="page">
            <h1>{move || t(locale.get(), Key::OrderStatus)}</h1>
                {move || match order.get() {
                    None => view! { <Loading/> }.into_any(),
                    Some(result) => match result {
                    Ok((o, stored, model, picture)) => {
                        let l = locale.get();
                        let status = match o.status.as_str() {
                            "new" => t(l, Key::StatusNew).to_string(),
                            "in_production" => t(l, Key::StatusInProduction).to_string(),
                            "shipped" => t(l, Key::StatusShipped).to_string(),
                            "cancelled" => t(l, Key::StatusCancelled).to_string(),
                            other => other.to_string(),
                        };
                        let product = model.as_ref().map(|m| m.def().name.get(l.key()).to_string()).unwrap_or_else(|| o.product.clone());
                        let rows = described(model.as_ref(), &stored);
                        let s = &stored.shipping;
                        let lines: Vec<String> = [s.line1.clone(), s.line2.clone(), format!("{} {}", s.postcode, s.city), country_name(l, &s.country)]
                            .into_iter()
                            .filter(|x| !x.trim().is_empty())
                            .collect();
                        view! {
                            <dl class="summary-list">
                                <dt>{t(l, Key::OrderNumber)}</dt><dd data-testid="order-id">{o.id.clone()}</dd>
                                <dt>{t(l, Key::Status)}</dt><dd data-testid="order-status">{status}</dd>
                                <dt>{t(l, Key::PlacedOn)}</dt><dd>{when_in(l, &o.created_at, "long")}</dd>
                                <dt>{t(l, Key::Total)}</dt><dd data-testid="order-total">{money(l, &o.currency, o.total)}</dd>
                            </dl>
                            <h2>{product}</h2>
                            {picture.map(|svg| view! { <figure class="picture order-picture" data-testid="order-picture" inner_html=svg></figure> })}
                            <h3>{t(l, Key::YourChoices)}</h3>
                            <dl class="summary-list" data-testid="order-choices">
                                {rows.into_iter().map(|(k, v)| view! { <dt>{k.get(l.key()).to_string()}</dt><dd>{v.get(l.key()).to_string()}</dd> }).collect_view()}
                            </dl>
                            <h3>{t(l, Key::Shipping)}</h3>
                            <address data-testid="order-address">{lines.into_iter().map(|x| view! { <span class="address-line">{x}</span> }).collect_view()}</address>
                        }.into_any()
                    }
                    Err(message) => view! { <LoadError message retry/> }.into_any(),
                }}}
        </section>
    }
}
