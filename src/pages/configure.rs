//! The configurator: one step per attribute, a summary with the running total,
//! and the order button. What is available and what it costs come from the
//! engine; this file only wires signals to it.

use std::collections::BTreeMap;

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_params_map;
use serde::{Deserialize, Serialize};
use tailor_engine::{Choices, Model};

use crate::api;
use crate::i18n::{Key, money, price_effect, t, use_locale};
use crate::pages::LoadError;
use crate::pages::catalogue::load_index;

/// The body of `POST /api/orders`.
#[derive(Serialize)]
struct NewOrder {
    product: String,
    catalogue_version: String,
    choices: BTreeMap<String, String>,
    price_seen: i64,
}

/// The part of the server's answer the page uses.
#[derive(Deserialize)]
struct Created {
    id: String,
    access_token: String,
}

#[derive(Clone, Debug, PartialEq)]
enum OrderState {
    Idle,
    Sending,
    Placed(String),
    Refused(String),
}

async fn load_model(product: String) -> Result<Model, String> {
    let index = load_index().await?;
    let entry = index.product(&product).ok_or_else(|| format!("unknown product \"{product}\""))?;
    let path = format!("/catalogue/{}", entry.file);
    let text = api::get_text(&path, None).await.map_err(|e| e.message)?;
    Model::from_json(&path, &text).map_err(|e| e.to_string())
}

#[component]
pub fn ConfigurePage() -> impl IntoView {
    let locale = use_locale();
    let params = use_params_map();
    let product = move || params.read().get("product").unwrap_or_default();
    let model = LocalResource::new(move || load_model(product()));
    let retry = Callback::new(move |_| model.refetch());
    view! {
        <Suspense fallback=move || view! { <p class="page skeleton" aria-busy="true">{move || t(locale.get(), Key::Loading)}</p> }>
            {move || model.get().map(|result| match result {
                Ok(model) => view! { <Configurator model/> }.into_any(),
                Err(message) => view! { <section class="page"><LoadError message retry/></section> }.into_any(),
            })}
        </Suspense>
    }
}

#[component]
fn Configurator(model: Model) -> impl IntoView {
    let locale = use_locale();
    let choices = RwSignal::new(Choices::defaults(&model));
    let model = StoredValue::new(model);
    let eval = Memo::new(move |_| model.with_value(|m| m.evaluate(&choices.get())));
    let gave_up = RwSignal::new(Vec::<usize>::new());
    let order = RwSignal::new(OrderState::Idle);
    let lang = move || locale.get().key();
    let currency = model.with_value(|m| m.def().currency.clone());
    let name = model.with_value(|m| m.def().name.clone());

    let steps = (0..model.with_value(|m| m.attributes().len()))
        .map(|a| view! { <Step model a choices eval gave_up order/> })
        .collect_view();

    let submit = move |_| {
        let Some(body) = model.with_value(|m| {
            let c = choices.get_untracked();
            m.quote(&c).ok().map(|q| NewOrder {
                product: m.id().to_string(),
                catalogue_version: m.version().to_string(),
                choices: c.to_ids(m),
                price_seen: q.total,
            })
        }) else {
            return;
        };
        order.set(OrderState::Sending);
        spawn_local(async move {
            match api::post_json::<_, Created>("/api/orders", &body).await {
                Ok(created) => {
                    api::remember_token(&created.id, &created.access_token);
                    order.set(OrderState::Placed(created.id));
                }
                Err(e) => order.set(OrderState::Refused(e.message)),
            }
        });
    };

    let summary_rows = move || {
        let c = choices.get();
        model.with_value(|m| {
            m.attributes()
                .iter()
                .enumerate()
                .map(|(a, attr)| {
                    let value = match c.0[a] {
                        Some(o) => attr.options[o].label.get(lang()).to_string(),
                        None => t(locale.get(), Key::Open).to_string(),
                    };
                    view! { <dt>{attr.label.get(lang()).to_string()}</dt><dd class:open=c.0[a].is_none()>{value}</dd> }
                })
                .collect_view()
        })
    };
    let total_text = {
        let currency = currency.clone();
        move || money(locale.get(), &currency, eval.get().total)
    };

    view! {
        <div class="configurator">
            <section class="steps" aria-labelledby="product-title">
                <p><a href="/">{move || t(locale.get(), Key::Back)}</a></p>
                <h1 id="product-title">{move || name.get(lang()).to_string()}</h1>
                <Show when=move || !gave_up.get().is_empty()>
                    <div class="notice" role="status">
                        <p>{move || t(locale.get(), Key::GaveUp)}</p>
                        <ul>
                            {move || gave_up.get().into_iter().map(|a| {
                                let label = model.with_value(|m| m.attributes()[a].label.get(lang()).to_string());
                                view! { <li>{label}</li> }
                            }).collect_view()}
                        </ul>
                    </div>
                </Show>
                {steps}
            </section>
            <aside class="summary" aria-labelledby="summary-title">
                <h2 id="summary-title">{move || t(locale.get(), Key::Summary)}</h2>
                <dl class="summary-list">{summary_rows}</dl>
                <p class="total">
                    <span>{move || t(locale.get(), Key::Total)}</span>
                    <output data-testid="total" aria-live="polite">{total_text}</output>
                </p>
                <button
                    type="button"
                    class="button button-primary order-button"
                    disabled=move || !eval.get().complete || !eval.get().consistent || order.get() == OrderState::Sending
                    on:click=submit
                >
                    {move || t(locale.get(), Key::Order)}
                </button>
                <div role="status" class="order-status">
                    {move || match order.get() {
                        OrderState::Idle if !eval.get().complete => view! { <p>{t(locale.get(), Key::CompleteFirst)}</p> }.into_any(),
                        OrderState::Idle => ().into_any(),
                        OrderState::Sending => view! { <p>{t(locale.get(), Key::Ordering)}</p> }.into_any(),
                        OrderState::Placed(id) => view! {
                            <div class="notice notice-success">
                                <p>{t(locale.get(), Key::OrderPlaced)}</p>
                                <p>{t(locale.get(), Key::OrderNumber)} ": " <strong data-testid="order-id">{id.clone()}</strong></p>
                                <a href=format!("/orders/{id}")>{t(locale.get(), Key::ViewOrder)}</a>
                            </div>
                        }.into_any(),
                        OrderState::Refused(message) => view! {
                            <div class="notice notice-error"><p>{t(locale.get(), Key::OrderRefused)} " " {message}</p></div>
                        }.into_any(),
                    }}
                </div>
            </aside>
        </div>
    }
}

/// One attribute: a group of radio buttons, each with its price effect; an
/// unavailable option says why and can be chosen anyway.
#[component]
fn Step(
    model: StoredValue<Model>,
    a: usize,
    choices: RwSignal<Choices>,
    eval: Memo<tailor_engine::Evaluation>,
    gave_up: RwSignal<Vec<usize>>,
    order: RwSignal<OrderState>,
) -> impl IntoView {
    let locale = use_locale();
    let lang = move || locale.get().key();
    let (attr, currency) = model.with_value(|m| (m.attributes()[a].clone(), m.def().currency.clone()));
    let legend = attr.label.clone();
    let choose = move |o: usize, anyway: bool| {
        let (next, dropped) = model.with_value(|m| {
            let current = choices.get_untracked();
            let fallback = || {
                let mut c = current.clone();
                c.0[a] = Some(o);
                (c, Vec::new())
            };
            if anyway { m.choose_anyway(&current, &[], a, o).unwrap_or_else(fallback) } else { fallback() }
        });
        gave_up.set(dropped);
        order.set(OrderState::Idle);
        choices.set(next);
    };
    let options = attr
        .options
        .iter()
        .enumerate()
        .map(|(o, opt)| {
            let id = format!("opt-{}-{}", attr.id, opt.id);
            let reason_id = format!("{id}-why");
            let label = opt.label.clone();
            let effect = price_effect_fn(opt.price, currency.clone());
            let available = move || eval.with(|e| e.attributes[a].available[o]);
            let reasons = move || {
                model.with_value(|m| {
                    let why = m.explain(&choices.get(), &[], a, o);
                    why.rules.iter().map(|&r| m.def().rules[r].message.get(lang()).to_string()).collect::<Vec<_>>().join(" ")
                })
            };
            let name_for_button = opt.label.clone();
            view! {
                <div class="option" class:unavailable=move || !available()>
                    <input
                        type="radio"
                        id=id.clone()
                        name=attr.id.clone()
                        value=opt.id.clone()
                        prop:checked=move || choices.with(|c| c.0[a] == Some(o))
                        disabled=move || !available()
                        aria-describedby=move || (!available()).then(|| reason_id.clone())
                        on:change=move |_| choose(o, false)
                    />
                    <label for=id.clone()>
                        <span class="option-name">{move || label.get(lang()).to_string()}</span>
                        <span class="option-price">{move || effect(locale.get())}</span>
                    </label>
                    <Show when=move || !available()>
                        <div class="option-why" id=format!("{id}-why")>
                            <p>{move || t(locale.get(), Key::Unavailable)} ". " {reasons}</p>
                            <button
                                type="button"
                                class="button button-small"
                                aria-label={let n = name_for_button.clone(); move || format!("{}: {}", t(locale.get(), Key::ChooseAnyway), n.get(lang()))}
                                on:click=move |_| choose(o, true)
                            >
                                {move || t(locale.get(), Key::ChooseAnyway)}
                            </button>
                        </div>
                    </Show>
                </div>
            }
        })
        .collect_view();
    view! {
        <fieldset class="step">
            <legend>{move || legend.get(lang()).to_string()}</legend>
            <div class="options">{options}</div>
        </fieldset>
    }
}

fn price_effect_fn(price: i64, currency: String) -> impl Fn(crate::i18n::Locale) -> String + Clone + Send + Sync + 'static {
    move |l| price_effect(l, &currency, price)
}
