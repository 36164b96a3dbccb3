//! The order status page, read with the token kept when the order was placed.

use std::collections::BTreeMap;

use leptos::prelude::*;
use serde::Deserialize;

use crate::api;
use crate::i18n::{Key, money, t, use_locale};
use crate::pages::{LoadError, Loading, load};

#[derive(Clone, Deserialize)]
struct OrderView {
    id: String,
    status: String,
    product: String,
    choices: BTreeMap<String, String>,
    currency: String,
    total: i64,
    created_at: String,
}

#[component]
pub fn OrderPage(id: String) -> impl IntoView {
    let locale = use_locale();
    let (order, retry) = load(move || {
        let id = id.clone();
        async move {
            let token = api::token_for(&id);
            api::get_json::<OrderView>(&format!("/api/orders/{id}"), token.as_deref()).await.map_err(|e| e.message)
        }
    });
    view! {
        <section class="page">
            <h1>{move || t(locale.get(), Key::OrderStatus)}</h1>
                {move || match order.get() {
                    None => view! { <Loading/> }.into_any(),
                    Some(result) => match result {
                    Ok(o) => {
                        let status = if o.status == "new" { t(locale.get(), Key::StatusNew).to_string() } else { o.status.clone() };
                        view! {
                            <dl class="summary-list">
                                <dt>{t(locale.get(), Key::OrderNumber)}</dt><dd data-testid="order-id">{o.id.clone()}</dd>
                                <dt>{t(locale.get(), Key::Status)}</dt><dd>{status}</dd>
                                <dt>{t(locale.get(), Key::Total)}</dt><dd>{money(locale.get(), &o.currency, o.total)}</dd>
                            </dl>
                            <p class="muted">{o.product.clone()} " · " {o.created_at.clone()}</p>
                            <ul class="muted">{o.choices.iter().map(|(k, v)| view! { <li>{format!("{k}: {v}")}</li> }).collect_view()}</ul>
                        }.into_any()
                    }
                    Err(message) => view! { <LoadError message retry/> }.into_any(),
                }}}
        </section>
    }
}
