//! The configurator: steps with progress, options with their price effect,
//! unavailable options that explain themselves and can be chosen anyway
//! (after the customer accepts the proposed change), undo/redo/start over, a
//! summary with the running total, a share link, then review and order.
//! Every rule, price and explanation comes from the engine; this file only
//! wires signals to it.

use std::collections::BTreeMap;

use leptos::prelude::*;
use leptos::task::spawn_local;
use serde::{Deserialize, Serialize};
use tailor_engine::contact::{self, COUNTRIES, Contact, Shipping};
use tailor_engine::fit::{CM_PER_INCH, FitError, Measurements, Preference};
use tailor_engine::{Evaluation, Model, Proposal, Session};

use crate::api;
use crate::i18n::{Key, money, number, pick, price_effect, t, use_locale};
use crate::pages::shared::{LoadError, Loading, country_name, load, load_model};

/// The body of `POST /api/orders`.
#[derive(Serialize)]
struct NewOrder {
    product: String,
    catalogue_version: String,
    code: String,
    price_seen: i64,
    texts: BTreeMap<String, String>,
    contact: Contact,
    shipping: Shipping,
    locale: String,
    /// `web`, `kiosk` or `partner` (in a partner's frame, with its id).
    channel: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    partner_id: Option<String>,
}

/// The part of the server's answer the page uses.
#[derive(Deserialize)]
struct Created {
    id: String,
    access_token: String,
}

#[derive(Clone, Debug, PartialEq)]
enum Stage {
    Configure,
    Review,
    Sending,
    /// Made offline: waiting in this browser's outbox under its key.
    Queued(String),
    Placed(String),
}

#[component]
pub fn ConfigurePage(product: String, code: Option<String>) -> impl IntoView {
    let (model, retry) = load(move || load_model(product.clone()));
    view! {
            {move || match model.get() {
                None => view! { <section class="page"><Loading/></section> }.into_any(),
                Some(result) => match result {
                Ok(model) => {
                    let code = code.clone();
                    view! { <Configurator model code/> }.into_any()
                }
                Err(message) => {
                    if let Some(e) = crate::embed::use_embed() {
                        e.error("load-failed", &message);
                    }
                    view! { <section class="page"><LoadError message retry/></section> }.into_any()
                }
            }}}
    }
}

/// Everything the parts of the configurator share.
#[derive(Clone, Copy)]
struct Ctx {
    model: StoredValue<Model>,
    session: RwSignal<Session>,
    eval: Memo<Evaluation>,
    proposal: RwSignal<Option<Proposal>>,
    stage: RwSignal<Stage>,
}

impl Ctx {
    /// Applies `f` to a copy of the session and stores the result.
    fn update<R>(&self, f: impl FnOnce(&Model, &mut Session) -> R) -> R {
        let mut s = self.session.get_untracked();
        let r = self.model.with_value(|m| f(m, &mut s));
        self.session.set(s);
        r
    }

    fn choose(&self, a: usize, o: usize) {
        let result = self.update(|m, s| s.choose(m, a, o));
        self.proposal.set(result.err());
    }
}

#[component]
fn Configurator(model: Model, code: Option<String>) -> impl IntoView {
    let locale = use_locale();
    let lang = move || locale.get().key();
    let (start, code_error) = match code.as_deref().map(|c| model.decode(c)) {
        Some(Ok(choices)) => (Session::from_choices(choices), None),
        Some(Err(e)) => (Session::new(&model), Some(e.to_string())),
        None => (Session::new(&model), None),
    };
    let steps = model.steps();
    let step_count = steps.len();
    let model = StoredValue::new(model);
    let session = RwSignal::new(start);
    let eval = Memo::new(move |_| model.with_value(|m| session.with(|s| m.evaluate(s.choices()))));
    let ctx = Ctx { model, session, eval, proposal: RwSignal::new(None), stage: RwSignal::new(Stage::Configure) };
    let step = RwSignal::new(0usize);
    // Only a move between configuring and reviewing rebuilds the panel (not
    // the review's own stages, which would drop what was typed).
    let configuring = Memo::new(move |_| ctx.stage.get() == Stage::Configure);
    let form = ReviewForm::new();
    let name = model.with_value(|m| m.def().name.clone());
    let embed = crate::embed::use_embed();
    let kiosk_mode = crate::kiosk::use_kiosk().is_some();
    // A partner's page hears every change of the configuration.
    if let Some(e) = embed {
        Effect::new(move |_| {
            let ev = eval.get();
            let fields = model.with_value(|m| {
                session.with(|s| {
                    serde_json::json!({
                        "product": m.id(),
                        "code": m.encode(s.choices()),
                        "price": ev.total,
                        "currency": m.def().currency,
                        "complete": ev.complete,
                        "valid": ev.complete && ev.consistent,
                    })
                })
            });
            e.change(fields);
        });
    }
    let steps = StoredValue::new(steps);

    let step_done = move |i: usize| steps.with_value(|st| session.with(|s| st[i].1.iter().all(|&a| s.choices().0[a].is_some())));
    let nav = move || {
        (0..step_count)
            .map(|i| {
                let label = steps.with_value(|st| st[i].0.clone());
                view! {
                    <li class:done=move || step_done(i) class:current=move || step.get() == i>
                        <button
                            type="button"
                            aria-current=move || (step.get() == i && ctx.stage.get() == Stage::Configure).then_some("step")
                            on:click=move |_| {
                                ctx.stage.set(Stage::Configure);
                                step.set(i);
                            }
                        >
                            <span class="step-number">{i + 1}</span>
                            <span>{move || label.get(lang()).to_string()}</span>
                            <span class="visually-hidden">{move || if step_done(i) { format!(" ({})", t(locale.get(), Key::Complete)) } else { String::new() }}</span>
                        </button>
                    </li>
                }
            })
            .collect_view()
    };

    let current_step = move || {
        let i = step.get();
        let (label, attrs) = steps.with_value(|st| st[i].clone());
        let fit_here = model.with_value(|m| m.def().fit.as_ref().and_then(|f| m.attribute(&f.size)).is_some_and(|a| attrs.contains(&a)));
        view! {
            <section class="step-panel" aria-labelledby="step-title">
                <h2 id="step-title">
                    <span class="step-count">{move || format!("{} {} / {}", t(locale.get(), Key::StepOf), i + 1, step_count)}</span>
                    " "
                    {move || label.get(lang()).to_string()}
                </h2>
                {fit_here.then(|| view! { <FitPanel ctx/> })}
                {attrs.clone().into_iter().map(|a| view! { <Attribute ctx a/> }).collect_view()}
                <Meters ctx only=Some(attrs)/>
                <div class="step-buttons">
                    <button type="button" class="button" disabled=move || step.get() == 0 on:click=move |_| step.update(|s| *s = s.saturating_sub(1))>
                        {move || t(locale.get(), Key::Previous)}
                    </button>
                    {move || if step.get() + 1 < step_count {
                        view! { <button type="button" class="button button-primary" on:click=move |_| step.update(|s| *s += 1)>{t(locale.get(), Key::Next)}</button> }.into_any()
                    } else if kiosk_mode {
                        // A kiosk takes no contact details: the order is finished on the customer's phone.
                        view! {
                            <p class="notice" data-testid="kiosk-order-hint">
                                {pick(locale.get(),
                                    "To order, choose \"Continue on your phone\" beside the total: you type your name and address on your own phone, not on this screen.",
                                    "如需下单，请点击总价旁的\"在手机上继续\"：姓名和地址在您自己的手机上填写，而不是在此屏幕上。")}
                            </p>
                        }.into_any()
                    } else {
                        view! {
                            <button type="button" class="button button-primary" disabled=move || !(eval.get().complete && eval.get().consistent) on:click=move |_| ctx.stage.set(Stage::Review)>
                                {t(locale.get(), Key::Review)}
                            </button>
                        }.into_any()
                    }}
                </div>
            </section>
        }
    };

    view! {
        <div class="configurator">
            <div class="steps">
                {embed.is_none().then(|| view! { <p><a href="/">{move || t(locale.get(), Key::Back)}</a></p> })}
                <h1 id="product-title">{move || name.get(lang()).to_string()}</h1>
                {code_error.map(|e| view! { <div class="notice notice-error" role="alert">{move || t(locale.get(), Key::BadCode)} " " {e.clone()}</div> })}
                <nav aria-label=move || t(locale.get(), Key::StepOf)>
                    <ol class="stepper">{nav}</ol>
                </nav>
                {move || if configuring.get() {
                    current_step().into_any()
                } else {
                    view! { <Review ctx form/> }.into_any()
                }}
            </div>
            <Summary ctx steps/>
            // Phones: the summary follows the steps, so the total stays in
            // view in a bar (the summary's total is the one announced).
            <div class="total-bar" aria-hidden="true">
                <span>{move || t(locale.get(), Key::Total)}</span>
                <strong>{move || model.with_value(|m| money(locale.get(), &m.def().currency, eval.get().total))}</strong>
            </div>
        </div>
    }
}

/// One attribute: radio buttons (a list for long ones), each with its price
/// effect; an unavailable option says why and can be chosen anyway.
#[component]
fn Attribute(ctx: Ctx, a: usize) -> impl IntoView {
    let locale = use_locale();
    let lang = move || locale.get().key();
    let Ctx { model, session, eval, proposal, .. } = ctx;
    let (attr, currency) = model.with_value(|m| (m.attributes()[a].clone(), m.def().currency.clone()));
    let legend = attr.label.clone();
    let long = attr.options.len() > 12;
    let select_id = format!("attr-{}", attr.id);
    let texts = model.with_value(|m| {
        m.def().texts.iter().filter(|t| t.when.as_ref().is_some_and(|c| c.attribute == attr.id)).cloned().collect::<Vec<_>>()
    });

    let why = move |o: usize| {
        model.with_value(|m| {
            session.with(|s| {
                let ex = m.explain(s.choices(), s.order(), a, o);
                let because: Vec<String> = ex
                    .because
                    .iter()
                    .map(|&b| {
                        let at = &m.attributes()[b];
                        let chosen = s.choices().0[b].map(|x| at.options[x].label.get(lang()).to_string()).unwrap_or_default();
                        format!("{}: {}", at.label.get(lang()), chosen)
                    })
                    .collect();
                let rules: Vec<String> = ex.rules.iter().map(|&r| m.def().rules[r].message.get(lang()).to_string()).collect();
                (because.join(", "), rules.join(" "), ex.give_up.is_some())
            })
        })
    };

    let proposal_view = move || {
        proposal.get().filter(|p| p.attr == a).map(|p| {
            let (names, possible) = model.with_value(|m| {
                let names: Vec<String> = p
                    .explanation
                    .give_up
                    .clone()
                    .unwrap_or_default()
                    .iter()
                    .map(|&b| {
                        let at = &m.attributes()[b];
                        let chosen = session.with_untracked(|s| s.choices().0[b]).map(|x| at.options[x].label.get(lang()).to_string()).unwrap_or_default();
                        format!("{}: {}", at.label.get(lang()), chosen)
                    })
                    .collect();
                (names, p.explanation.give_up.is_some())
            });
            let accept = {
                let p = p.clone();
                move |_| {
                    ctx.update(|m, s| s.accept(m, &p));
                    proposal.set(None);
                }
            };
            view! {
                <div class="proposal" role="alertdialog" aria-labelledby=format!("proposal-{a}") aria-live="assertive">
                    {if possible {
                        view! {
                            <p id=format!("proposal-{a}")>{move || t(locale.get(), Key::WouldChange)}</p>
                            <ul>{names.into_iter().map(|n| view! { <li>{n}</li> }).collect_view()}</ul>
                            <div class="step-buttons">
                                <button type="button" class="button button-primary" autofocus on:click=accept>{move || t(locale.get(), Key::Accept)}</button>
                                <button type="button" class="button" on:click=move |_| proposal.set(None)>{move || t(locale.get(), Key::Cancel)}</button>
                            </div>
                        }.into_any()
                    } else {
                        view! {
                            <p id=format!("proposal-{a}")>{move || t(locale.get(), Key::Impossible)}</p>
                            <button type="button" class="button" on:click=move |_| proposal.set(None)>{move || t(locale.get(), Key::Cancel)}</button>
                        }.into_any()
                    }}
                </div>
            }
        })
    };

    let options_view = if long {
        let options = attr.options.clone();
        let currency = currency.clone();
        view! {
            <label class="visually-hidden" for=select_id.clone()>{move || legend.get(lang()).to_string()}</label>
            <select
                id=select_id.clone()
                on:change=move |ev| {
                    let value = event_target_value(&ev);
                    if let Ok(o) = value.parse::<usize>() {
                        ctx.choose(a, o);
                    }
                }
            >
                <option value="" selected=move || session.with(|s| s.choices().0[a].is_none())>{move || format!("— {} —", t(locale.get(), Key::Open))}</option>
                {options.into_iter().enumerate().map(|(o, opt)| {
                    let currency = currency.clone();
                    view! {
                        <option value=o.to_string() selected=move || session.with(|s| s.choices().0[a] == Some(o))>
                            {move || {
                                let available = eval.with(|e| e.attributes[a].available[o]);
                                let mark = if available { String::new() } else { format!(" ({})", t(locale.get(), Key::Unavailable)) };
                                let effect = if opt.price == 0 { String::new() } else { format!(" {}", price_effect(locale.get(), &currency, opt.price)) };
                                format!("{}{}{}", opt.label.get(lang()), effect, mark)
                            }}
                        </option>
                    }
                }).collect_view()}
            </select>
        }
        .into_any()
    } else {
        attr.options
            .iter()
            .enumerate()
            .map(|(o, opt)| {
                let id = format!("opt-{}-{}", attr.id, opt.id);
                let why_id = format!("{id}-why");
                let label = opt.label.clone();
                let description = opt.description.clone();
                let price = opt.price;
                let currency = currency.clone();
                let available = move || eval.with(|e| e.attributes[a].available[o]);
                let button_name = opt.label.clone();
                view! {
                    <div class="option" class:unavailable=move || !available() class:chosen=move || session.with(|s| s.choices().0[a] == Some(o))>
                        <input
                            type="radio"
                            id=id.clone()
                            name=attr.id.clone()
                            value=opt.id.clone()
                            prop:checked=move || session.with(|s| s.choices().0[a] == Some(o))
                            disabled=move || !available()
                            aria-describedby=move || (!available()).then(|| why_id.clone())
                            on:change=move |_| ctx.choose(a, o)
                        />
                        <label for=id.clone()>
                            <span class="option-name">{move || label.get(lang()).to_string()}</span>
                            <span class="option-price">{move || price_effect(locale.get(), &currency, price)}</span>
                            {description.map(|d| view! { <span class="option-description">{move || d.get(lang()).to_string()}</span> })}
                        </label>
                        <Show when=move || !available()>
                            <div class="option-why" id=format!("{id}-why")>
                                {let button_name = button_name.clone(); move || {
                                    let (because, rules, possible) = why(o);
                                    let name = button_name.clone();
                                    view! {
                                        <p>
                                            {t(locale.get(), Key::Unavailable)} ". "
                                            {(!because.is_empty()).then(|| format!("{} {}. ", t(locale.get(), Key::Because), because))}
                                            {rules}
                                        </p>
                                        {possible.then(|| view! {
                                            <button
                                                type="button"
                                                class="button button-small"
                                                aria-label=format!("{}: {}", t(locale.get(), Key::ChooseAnyway), name.get(lang()))
                                                on:click=move |_| ctx.choose(a, o)
                                            >
                                                {t(locale.get(), Key::ChooseAnyway)}
                                            </button>
                                        })}
                                    }
                                }}
                            </div>
                        </Show>
                    </div>
                }
            })
            .collect_view()
            .into_any()
    };

    view! {
        <fieldset class="step">
            <legend>{move || attr.label.get(lang()).to_string()}</legend>
            {proposal_view}
            <div class="options">{options_view}</div>
            {texts.into_iter().map(|text| view! { <TextInput ctx text/> }).collect_view()}
        </fieldset>
    }
}

/// A free text (a monogram), shown while its option is chosen.
#[component]
fn TextInput(ctx: Ctx, text: tailor_engine::TextDef) -> impl IntoView {
    let locale = use_locale();
    let lang = move || locale.get().key();
    let id = format!("text-{}", text.id);
    let text_id = text.id.clone();
    let wanted = {
        let text_id = text.id.clone();
        move || ctx.model.with_value(|m| ctx.session.with(|s| m.text_wanted(&text_id, s.choices())))
    };
    let value = {
        let text_id = text.id.clone();
        move || ctx.session.with(|s| s.texts().get(&text_id).cloned().unwrap_or_default())
    };
    let error = {
        let value = value.clone();
        let max = text.max_length;
        move || {
            let v = value();
            let count = v.trim().chars().count();
            if count > max {
                Some(format!("{} ({count}/{max})", t(locale.get(), Key::ErrTooLong)))
            } else if v.trim().chars().any(|c| !(c.is_alphanumeric() || " .&'-".contains(c))) {
                Some(t(locale.get(), Key::ErrChars).to_string())
            } else {
                None
            }
        }
    };
    let label = text.label.clone();
    let max = text.max_length;
    let error_id = format!("{id}-error");
    view! {
        <Show when=wanted.clone()>
            <div class="field">
                <label for=id.clone()>{let l = label.clone(); move || l.get(lang()).to_string()} " (" {max} " " {move || t(locale.get(), Key::Characters)} ")"</label>
                <input
                    id=id.clone()
                    type="text"
                    autocomplete="off"
                    prop:value=value.clone()
                    aria-invalid={let e = error.clone(); move || e().is_some().to_string()}
                    aria-describedby=error_id.clone()
                    on:input={let text_id = text_id.clone(); move |ev| {
                        let v = event_target_value(&ev);
                        ctx.update(|_, s| s.set_text(&text_id, &v));
                    }}
                />
                <p class="field-error" id=error_id.clone() aria-live="polite">{error.clone()}</p>
            </div>
        </Show>
    }
}

/// Measurements to a recommended size, with the reason in numbers.
#[component]
fn FitPanel(ctx: Ctx) -> impl IntoView {
    let locale = use_locale();
    let open = RwSignal::new(true);
    let inches = RwSignal::new(false);
    let fields: [(Key, &'static str, bool); 5] =
        [(Key::Waist, "waist", true), (Key::Hip, "hip", true), (Key::Inseam, "inseam", true), (Key::Rise, "rise", false), (Key::Thigh, "thigh", false)];
    let values: [RwSignal<String>; 5] = std::array::from_fn(|_| RwSignal::new(String::new()));
    let preference = RwSignal::new(Preference::Regular);
    let result = RwSignal::new(None::<Result<String, String>>);
    // Remembered measurements (kept by the server only with consent) fill
    // the form; "remember" is off until the customer ticks it.
    let me = crate::profile::use_me();
    // A kiosk types measurements on its own keypad and remembers nothing.
    let kiosk_mode = crate::kiosk::use_kiosk().is_some();
    let keypad_target = RwSignal::new(Some(values[0]));
    let remember = RwSignal::new(false);
    let remember_status = RwSignal::new(None::<String>);
    let filled = StoredValue::new(false);
    Effect::new(move |_| {
        let m = me.0.with(|m| m.as_ref().and_then(|m| m.profile.as_ref()).and_then(|p| p.measurements.clone()));
        if let Some(m) = m {
            remember.set(me.switch("measurements", "") == "on");
            if !filled.get_value() && values.iter().all(|v| v.get_untracked().is_empty()) {
                filled.set_value(true);
                for (i, key) in ["waist_cm", "hip_cm", "inseam_cm", "rise_cm", "thigh_cm"].iter().enumerate() {
                    if let Some(v) = m.get(*key).and_then(|v| v.as_f64()) {
                        values[i].set(v.to_string());
                    }
                }
                match m.get("preference").and_then(|p| p.as_str()) {
                    Some("slim") => preference.set(Preference::Slim),
                    Some("relaxed") => preference.set(Preference::Relaxed),
                    _ => {}
                }
            }
        }
    });
    let keep = move |m: Measurements, pref: Preference| {
        let l = locale.get_untracked();
        let body = serde_json::json!({
            "waist_cm": m.waist_cm, "hip_cm": m.hip_cm, "inseam_cm": m.inseam_cm, "rise_cm": m.rise_cm, "thigh_cm": m.thigh_cm,
            "preference": match pref { Preference::Slim => "slim", Preference::Regular => "regular", Preference::Relaxed => "relaxed" },
        })
        .to_string();
        spawn_local(async move {
            if me.switch("measurements", "") != "on"
                && let Err(e) = crate::profile::change(me, l, "checkout", vec![("measurements".into(), String::new(), true)], None).await
            {
                remember_status.set(Some(e.message));
                return;
            }
            match api::request::<crate::profile::Me>("PUT", "/api/me/measurements", Some(&body), None).await {
                Ok(m) => {
                    me.0.set(Some(m));
                    remember_status.set(Some(pick(l, "Your measurements are remembered.", "已记住您的尺寸。").to_string()));
                }
                Err(e) => remember_status.set(Some(e.message)),
            }
        });
    };
    let unit = move || if inches.get() { "in" } else { "cm" };

    let recommend = move |_| {
        let l = locale.get_untracked();
        let factor = if inches.get_untracked() { CM_PER_INCH } else { 1.0 };
        let read = |i: usize| -> Option<f64> { values[i].get_untracked().trim().replace(',', ".").parse::<f64>().ok().map(|v| v * factor) };
        let (Some(waist), Some(hip), Some(inseam)) = (read(0), read(1), read(2)) else {
            result.set(Some(Err(t(l, Key::ErrRequired).to_string())));
            return;
        };
        let m = Measurements { waist_cm: waist, hip_cm: hip, inseam_cm: inseam, rise_cm: read(3), thigh_cm: read(4) };
        let pref = preference.get_untracked();
        let outcome = ctx.model.with_value(|model| model.recommend_fit(&m, pref).map(|r| (r, model.def().fit.clone())));
        match outcome {
            Ok((r, Some(fit))) => {
                let (size_attr, inseam_attr) = ctx.model.with_value(|model| (model.attribute(&fit.size), model.attribute(&fit.inseam)));
                let (Some(sa), Some(ia)) = (size_attr, inseam_attr) else { return };
                ctx.update(|model, s| {
                    for (a, o) in [(sa, r.size), (ia, r.inseam)] {
                        if let Err(p) = s.choose(model, a, o) {
                            s.accept(model, &p);
                        }
                    }
                });
                ctx.proposal.set(None);
                if remember.get_untracked() {
                    keep(m, pref);
                }
                let size_label = ctx.model.with_value(|model| model.attributes()[sa].options[r.size].label.get(l.key()).to_string());
                let pref_word = t(l, match pref {
                    Preference::Slim => Key::Slim,
                    Preference::Regular => Key::Regular,
                    Preference::Relaxed => Key::Relaxed,
                });
                result.set(Some(Ok(format!(
                    "{} {} cm {} {} {} (+{} cm) → {} ({} cm); {} {} cm",
                    t(l, Key::Waist),
                    number(l, waist, 1),
                    t(l, Key::WithEase),
                    pref_word,
                    t(l, Key::Ease),
                    number(l, r.ease_cm, 1),
                    size_label,
                    number(l, r.size_waist_cm, 1),
                    t(l, Key::Inseam),
                    number(l, r.inseam_cm, 1)
                ))));
            }
            Ok((_, None)) | Err(FitError::NoFit) => {}
            Err(FitError::Implausible(problems)) => {
                let factor = if inches.get_untracked() { CM_PER_INCH } else { 1.0 };
                let list: Vec<String> = problems
                    .iter()
                    .map(|p| {
                        let field = match p.field {
                            "waist" => Key::ImplausibleWaist,
                            "hip" => Key::ImplausibleHip,
                            "inseam" => Key::ImplausibleInseam,
                            "rise" => Key::ImplausibleRise,
                            _ => Key::ImplausibleThigh,
                        };
                        format!("{} {} {}–{} {}", t(l, field), t(l, Key::Outside), number(l, p.min_cm / factor, 0), number(l, p.max_cm / factor, 0), unit())
                    })
                    .collect();
                result.set(Some(Err(format!("{} {}", t(l, Key::CheckMeasure), list.join("; ")))));
            }
        }
    };

    view! {
        <div class="fit-panel">
            <div class="step-buttons">
                <button type="button" class="button" aria-expanded=move || open.get().to_string() on:click=move |_| open.update(|o| *o = !*o)>
                    {move || t(locale.get(), if open.get() { Key::KnowSize } else { Key::FindSize })}
                </button>
            </div>
            <Show when=move || open.get()>
                <fieldset class="fit-form">
                    <legend>{move || t(locale.get(), Key::FindSize)}</legend>
                    <div class="field-row" role="radiogroup" aria-label=move || t(locale.get(), Key::Units)>
                        <label><input type="radio" name="fit-unit" prop:checked=move || !inches.get() on:change=move |_| inches.set(false)/> " cm"</label>
                        <label><input type="radio" name="fit-unit" prop:checked=move || inches.get() on:change=move |_| inches.set(true)/> " in"</label>
                    </div>
                    <div class="field-grid">
                        {fields.into_iter().enumerate().map(|(i, (key, id, required))| {
                            let input_id = format!("fit-{id}");
                            view! {
                                <div class="field">
                                    <label for=input_id.clone()>{move || if required {
                                        format!("{} ({})", t(locale.get(), key), unit())
                                    } else {
                                        format!("{} ({}, {})", t(locale.get(), key), unit(), t(locale.get(), Key::Optional))
                                    }}</label>
                                    <input id=input_id type="text" autocomplete="off"
                                        inputmode=if kiosk_mode { "none" } else { "decimal" }
                                        readonly=kiosk_mode
                                        class:keypad-target=move || keypad_target.get() == Some(values[i])
                                        on:focus=move |_| keypad_target.set(Some(values[i]))
                                        prop:value=move || values[i].get() on:input=move |ev| values[i].set(event_target_value(&ev))/>
                                </div>
                            }
                        }).collect_view()}
                    </div>
                    {kiosk_mode.then(|| view! { <crate::kiosk::Keypad target=keypad_target/> })}
                    <div class="field-row" role="radiogroup" aria-label=move || t(locale.get(), Key::FitPref)>
                        {[(Preference::Slim, Key::Slim), (Preference::Regular, Key::Regular), (Preference::Relaxed, Key::Relaxed)].into_iter().map(|(p, k)| view! {
                            <label><input type="radio" name="fit-pref" prop:checked=move || preference.get() == p on:change=move |_| preference.set(p)/> " " {move || t(locale.get(), k)}</label>
                        }).collect_view()}
                    </div>
                    <div class="field-row" hidden=kiosk_mode || crate::embed::use_embed().is_some()>
                        <label>
                            <input type="checkbox" data-testid="remember-measurements" prop:checked=move || remember.get() on:change=move |ev| remember.set(event_target_checked(&ev))/>
                            " " {move || pick(locale.get(), "Remember my measurements for next time (you can switch this off in Privacy)", "下次记住我的尺寸（可在“隐私”中关闭）")}
                        </label>
                    </div>
                    <button type="button" class="button button-primary" on:click=recommend>{move || t(locale.get(), Key::Recommend)}</button>
                    <p role="status" class="muted" data-testid="remember-status">{move || remember_status.get()}</p>
                    <div aria-live="polite" data-testid="fit-result">
                        {move || result.get().map(|r| match r {
                            Ok(text) => view! { <p class="notice notice-success"><strong>{t(locale.get(), Key::Recommended)} ": "</strong>{text}</p> }.into_any(),
                            Err(text) => view! { <p class="notice notice-error" role="alert">{text}</p> }.into_any(),
                        })}
                    </div>
                </fieldset>
            </Show>
        </div>
    }
}

/// The summary: choices by step, running total, history and share link.
#[component]
fn Summary(ctx: Ctx, steps: StoredValue<Vec<(tailor_engine::Text, Vec<usize>)>>) -> impl IntoView {
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
        move || {
            let e = eval.get();
            match (e.complete, e.total_min, e.total_max) {
                (false, Some(lo), Some(hi)) => Some(format!("{}: {} – {}", t(locale.get(), Key::PriceRange), money(locale.get(), &currency, lo), money(locale.get(), &currency, hi))),
                _ => None,
            }
        }
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
        let body = serde_json::json!({ "product": product, "code": code, "name": name }).to_string();
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

/// The compatibility gauges of the model (power budget, clearances), all of
/// them or those reading one of `only`'s attributes.
#[component]
fn Meters(ctx: Ctx, only: Option<Vec<usize>>) -> impl IntoView {
    let locale = use_locale();
    let Ctx { model, session, .. } = ctx;
    let id_prefix = if only.is_some() { "step-meter" } else { "meter" };
    let meters = move || {
        model.with_value(|m| session.with(|s| m.meters(s.choices())))
            .into_iter()
            .filter(|m| only.as_ref().is_none_or(|only| m.attributes.iter().any(|a| only.contains(a))))
            .collect::<Vec<_>>()
    };
    move || {
        let list = meters();
        (!list.is_empty()).then(|| {
            let l = locale.get();
            view! {
                <div class="meters">
                    <h3>{t(l, Key::Compatibility)}</h3>
                    <ul>
                        {list.into_iter().map(|m| {
                            let id = format!("{id_prefix}-{}", m.rule);
                            let (testid, label_for) = (id.clone(), id.clone());
                            let unit = if m.unit.is_empty() { String::new() } else { format!(" {}", m.unit) };
                            let places = |x: f64| if x.fract() == 0.0 { 0 } else { 1 };
                            let state = if !m.known {
                                t(l, Key::NotYetKnown).to_string()
                            } else if m.fits() {
                                format!("✓ {}", t(l, Key::Fits))
                            } else {
                                format!("✗ {} {}{unit}", t(l, Key::OverBy), number(l, m.load - m.capacity, places(m.load - m.capacity)))
                            };
                            let text = format!("{}{unit} / {}{unit}", number(l, m.load, places(m.load)), number(l, m.capacity, places(m.capacity)));
                            view! {
                                <li class="meter" class:over=!m.fits() data-testid=testid>
                                    <label for=label_for>{m.label.get(l.key()).to_string()}</label>
                                    <meter id=id min="0" max=m.capacity.max(m.load).max(1.0) value=m.load high=m.capacity * 0.9 optimum="0"></meter>
                                    <span class="meter-text">{text} " " <span class="meter-state">{state}</span></span>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                </div>
            }
        })
    }
}

/// What the customer typed into the review form, kept while they go back to
/// change the configuration or an attempt to order fails.
#[derive(Clone, Copy)]
struct ReviewForm {
    name: RwSignal<String>,
    email: RwSignal<String>,
    phone: RwSignal<String>,
    line1: RwSignal<String>,
    line2: RwSignal<String>,
    city: RwSignal<String>,
    postcode: RwSignal<String>,
    country: RwSignal<String>,
    tried: RwSignal<bool>,
    server_error: RwSignal<Option<String>>,
    /// The body last sent and its idempotency key: sending the same order
    /// again (after a lost answer) reuses the key, so it is stored once.
    last_sent: StoredValue<Option<(String, String)>>,
}

impl ReviewForm {
    fn new() -> ReviewForm {
        let text = || RwSignal::new(String::new());
        ReviewForm {
            name: text(),
            email: text(),
            phone: text(),
            line1: text(),
            line2: text(),
            city: text(),
            postcode: text(),
            country: RwSignal::new("DE".to_string()),
            tried: RwSignal::new(false),
            server_error: RwSignal::new(None),
            last_sent: StoredValue::new(None),
        }
    }
}

/// Contact and shipping details, then the order.
#[component]
fn Review(ctx: Ctx, form: ReviewForm) -> impl IntoView {
    let locale = use_locale();
    let ReviewForm { name, email, phone, line1, line2, city, postcode, country, tried, server_error, last_sent } = form;

    let details = move || {
        (
            Contact { name: name.get(), email: email.get(), phone: phone.get() },
            Shipping { line1: line1.get(), line2: line2.get(), city: city.get(), postcode: postcode.get(), country: country.get() },
        )
    };
    let errors = move || {
        let (c, s) = details();
        contact::check(&c, &s)
    };
    let text_errors = move || ctx.model.with_value(|m| ctx.session.with(|s| m.check_texts(s.choices(), s.texts()).err().unwrap_or_default()));
    let error_for = move |field: &'static str| {
        move || {
            if !tried.get() {
                return None;
            }
            errors().into_iter().find(|e| e.field == field).map(|e| {
                t(locale.get(), match e.code.as_str() {
                    "required" => Key::ErrRequired,
                    "too_long" => Key::ErrTooLong,
                    "invalid_email" => Key::ErrEmail,
                    "invalid_phone" => Key::ErrPhone,
                    "invalid_postcode" => Key::ErrPostcode,
                    "unsupported_country" => Key::ErrCountry,
                    _ => Key::ErrChars,
                })
            })
        }
    };
    let field = move |field: &'static str, key: Key, value: RwSignal<String>, kind: &'static str, autocomplete: &'static str| {
        let id = format!("f-{}", field.replace('.', "-"));
        let error_id = format!("{id}-error");
        let err = error_for(field);
        view! {
            <div class="field">
                <label for=id.clone()>{move || t(locale.get(), key)}</label>
                <input
                    id=id
                    type=kind
                    autocomplete=autocomplete
                    prop:value=move || value.get()
                    aria-invalid=move || err().is_some().to_string()
                    aria-describedby=error_id.clone()
                    on:input=move |ev| value.set(event_target_value(&ev))
                />
                <p class="field-error" id=error_id>{err}</p>
            </div>
        }
    };

    let me_state = crate::profile::use_me();
    let outbox = crate::outbox::use_outbox();
    let kiosk_mode = crate::kiosk::use_kiosk().is_some();
    let embed = crate::embed::use_embed();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        tried.set(true);
        server_error.set(None);
        if !errors().is_empty() || !text_errors().is_empty() {
            return;
        }
        let (contact, shipping) = details();
        let member = me_state.member_percent();
        let Some(body) = ctx.model.with_value(|m| {
            ctx.session.with_untracked(|s| {
                m.quote(s.choices()).ok().map(|q| NewOrder {
                    product: m.id().to_string(),
                    catalogue_version: m.version().to_string(),
                    code: m.encode(s.choices()),
                    price_seen: tailor_engine::member_price(q.total, member),
                    texts: s.texts().clone(),
                    contact,
                    shipping,
                    locale: locale.get_untracked().tag().to_string(),
                    channel: if embed.is_some() { "partner" } else if kiosk_mode { "kiosk" } else { "web" },
                    partner_id: embed.map(|e| e.partner()),
                })
            })
        }) else {
            return;
        };
        let Ok(json) = serde_json::to_string(&body) else { return };
        let key = match last_sent.get_value() {
            Some((sent, key)) if sent == json => key,
            _ => api::new_key(),
        };
        last_sent.set_value(Some((json.clone(), key.clone())));
        ctx.stage.set(Stage::Sending);
        spawn_local(async move {
            match api::post_json::<Created>("/api/orders", &json, &key).await {
                Ok(created) => {
                    api::remember_token(&created.id, &created.access_token);
                    ctx.stage.set(Stage::Placed(created.id));
                }
                // Offline (not just a lost answer): keep it and send it later.
                Err(e) if e.status == 0 && !kiosk_mode && !crate::outbox::online() => {
                    crate::outbox::keep(&key, &json);
                    ctx.stage.set(Stage::Queued(key));
                }
                Err(e) => {
                    server_error.set(Some(e.message));
                    ctx.stage.set(Stage::Review);
                }
            }
        });
    };
    // A queued order that was sent (or refused) moves the page on.
    Effect::new(move |_| {
        let Stage::Queued(key) = ctx.stage.get() else { return };
        if let Some((_, id)) = outbox.sent.get().into_iter().find(|(k, _)| *k == key) {
            ctx.stage.set(Stage::Placed(id));
        } else if let Some((_, reason)) = outbox.refused.get().into_iter().find(|(k, _)| *k == key) {
            server_error.set(Some(reason));
            ctx.stage.set(Stage::Review);
        }
    });

    let placed = Memo::new(move |_| match ctx.stage.get() {
        Stage::Placed(id) => Some(id),
        _ => None,
    });
    let queued = Memo::new(move |_| matches!(ctx.stage.get(), Stage::Queued(_)));
    // The confirmation takes the focus (the button that was pressed is
    // gone), which also brings it into view, in a partner's frame too.
    Effect::new(move |_| {
        if placed.get().is_some() {
            request_animation_frame(|| {
                if let Some(h) = web_sys::window()
                    .and_then(|w| w.document())
                    .and_then(|d| d.get_element_by_id("placed-title"))
                    .and_then(|e| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(e).ok())
                {
                    let _ = h.focus();
                    h.scroll_into_view_with_bool(true);
                }
            });
        }
    });
    // A partner's page hears of the order once it is placed.
    if let Some(e) = embed {
        Effect::new(move |_| {
            let Some(id) = placed.get() else { return };
            let fields = ctx.model.with_value(|m| {
                ctx.session.with_untracked(|s| {
                    serde_json::json!({
                        "orderId": id,
                        "product": m.id(),
                        "code": m.encode(s.choices()),
                        "total": ctx.eval.get_untracked().total,
                        "currency": m.def().currency,
                    })
                })
            });
            e.post("complete", fields);
        });
    }
    view! {
        {move || queued.get().then(|| view! {
            <section class="step-panel notice" role="status" data-testid="queued">
                <h2>{pick(locale.get(), "Saved, will be sent", "已保存，稍后发送")}</h2>
                <p>{pick(locale.get(),
                    "There is no network right now. Your order is kept on this device and sent as soon as the network is back; it will be placed once, not twice.",
                    "当前没有网络。您的订单已保存在此设备上，网络恢复后会立即发送；订单只会提交一次。")}</p>
            </section>
        })}
        {move || match placed.get() {
            Some(id) => view! {
                <section class="step-panel notice notice-success" aria-labelledby="placed-title">
                    <h2 id="placed-title" tabindex="-1">{t(locale.get(), Key::OrderPlaced)}</h2>
                    <p>{t(locale.get(), Key::OrderNumber)} ": " <strong data-testid="order-id">{id.clone()}</strong></p>
                    <a href=format!("/orders/{id}")>{t(locale.get(), Key::ViewOrder)}</a>
                </section>
            }.into_any(),
            None => view! {
                <form class="step-panel review" on:submit=submit novalidate hidden=move || queued.get()>
                    <h2>{move || t(locale.get(), Key::Review)}</h2>
                    <p><button type="button" class="button" on:click=move |_| ctx.stage.set(Stage::Configure)>{move || t(locale.get(), Key::BackToConfig)}</button></p>
                    {move || {
                        let errs = text_errors();
                        (!errs.is_empty()).then(|| view! { <div class="notice notice-error" role="alert">{errs.iter().map(ToString::to_string).collect::<Vec<_>>().join("; ")}</div> })
                    }}
                    <fieldset>
                        <legend>{move || t(locale.get(), Key::Contact)}</legend>
                        {field("contact.name", Key::Name, name, "text", "name")}
                        {field("contact.email", Key::Email, email, "email", "email")}
                        {field("contact.phone", Key::Phone, phone, "tel", "tel")}
                    </fieldset>
                    <fieldset>
                        <legend>{move || t(locale.get(), Key::Shipping)}</legend>
                        {field("shipping.line1", Key::Line1, line1, "text", "address-line1")}
                        {field("shipping.line2", Key::Line2, line2, "text", "address-line2")}
                        {field("shipping.city", Key::City, city, "text", "address-level2")}
                        {field("shipping.postcode", Key::Postcode, postcode, "text", "postal-code")}
                        <div class="field">
                            <label for="f-shipping-country">{move || t(locale.get(), Key::Country)}</label>
                            <select id="f-shipping-country" autocomplete="country" on:change=move |ev| country.set(event_target_value(&ev))>
                                {COUNTRIES.iter().map(|c| view! { <option value=*c selected=move || country.get() == *c>{country_name(locale.get(), c)}</option> }).collect_view()}
                            </select>
                        </div>
                    </fieldset>
                    <div role="alert" class="form-status">
                        {move || (tried.get() && !errors().is_empty()).then(|| t(locale.get(), Key::FixErrors))}
                        {move || server_error.get().map(|e| format!("{} {e}", t(locale.get(), Key::OrderRefused)))}
                    </div>
                    <button type="submit" class="button button-primary order-button" disabled=move || ctx.stage.get() == Stage::Sending>
                        {move || t(locale.get(), if ctx.stage.get() == Stage::Sending { Key::Ordering } else { Key::PlaceOrder })}
                    </button>
                </form>
            }.into_any(),
        }}
    }
}
