//! The configurator: steps with progress, options with their price effect,
//! unavailable options that explain themselves and can be chosen anyway
//! (after the customer accepts the proposed change), undo/redo/start over, a
//! summary with the running total, a share link, then review and order.
//! Every rule, price and explanation comes from the engine; these files
//! only wire signals to it. This one holds the page, the context its parts
//! share and the steps; each part has its own file.

mod attribute;
mod fit;
mod meters;
mod picture;
mod review;
mod submit;
mod summary;
mod text_input;

use std::sync::Arc;

use leptos::prelude::*;
use leptos::task::spawn_local;
use tailor_api::SwitchState;
use tailor_engine::advice::{Advice, Personal};
use tailor_engine::recommend::{Learned, Recommender};
use tailor_engine::{Evaluation, Model, Proposal, Session};

use crate::i18n::{Key, money, pick, t, use_locale};
use crate::pages::shared::{LoadError, Loading, load, load_model};
use attribute::Attribute;
use fit::FitPanel;
use meters::Meters;
use picture::Picture;
use review::ReviewForm;
use submit::Stage;
use summary::Summary;

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
                    crate::shell::done();
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
    /// The recommendation of each open attribute (see [`recommendations`]).
    advice: Memo<Vec<Option<Advice>>>,
    shop: RwSignal<Option<Arc<Recommender>>>,
    personal: Memo<Option<Personal>>,
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

    /// "Complete the rest as most customers do", as one step undo takes back.
    fn complete_rest(&self) {
        let shop = self.shop.get_untracked();
        let personal = self.personal.get_untracked();
        self.proposal.set(None);
        self.update(|m, s| {
            let done = m.complete_as_advised(shop.as_deref(), personal.as_ref(), s.choices(), s.order());
            s.fill(done);
        });
    }
}

/// Recommendations (issue 16): the shop's statistics learned from its
/// orders (`GET /api/learned/{product}`; none for a new shop), sharpened,
/// only while the customer's "recommendations" switch is on, by their own
/// past orders of the product, which are already in this browser (`/api/me`)
/// and are counted here, never sent anywhere. Not on a kiosk or in a
/// partner's frame, where the screen or the page is not the customer's own.
fn recommendations(
    model: StoredValue<Model>,
    session: RwSignal<Session>,
    eval: Memo<Evaluation>,
) -> (RwSignal<Option<Arc<Recommender>>>, Memo<Option<Personal>>, Memo<Vec<Option<Advice>>>) {
    let shop = RwSignal::new(None::<Arc<Recommender>>);
    let product = model.with_value(|m| m.id().to_string());
    spawn_local(async move {
        let url = format!("/api/learned/{}", js_sys::encode_uri_component(&product));
        // 404 (nothing learned yet) and any failure: no recommendations.
        let Ok(text) = crate::api::get_text(&url, None).await else { return };
        let made = serde_json::from_str::<Learned>(&text).map_err(|e| e.to_string()).and_then(|l| model.with_value(|m| m.recommender(&l)).map_err(|e| e.0));
        match made {
            Ok(r) => shop.set(Some(Arc::new(r))),
            Err(e) => web_sys::console::warn_1(&format!("recommendations not shown: {e}").into()),
        }
    });
    let own_screen = crate::kiosk::use_kiosk().is_none() && crate::embed::use_embed().is_none();
    let me = crate::profile::use_me();
    let personal = Memo::new(move |_| {
        if !own_screen || me.switch("recommendations", "") != SwitchState::On {
            return None;
        }
        me.0.with(|m| {
            let orders = &m.as_ref()?.profile.as_ref()?.orders;
            model.with_value(|model| {
                let mine: Vec<tailor_engine::Choices> = orders.iter().filter(|o| o.product == model.id()).filter_map(|o| model.decode(&o.code).ok()).collect();
                (!mine.is_empty()).then(|| Personal::from_orders(model, &mine))
            })
        })
    });
    let advice = Memo::new(move |_| {
        let shop = shop.get();
        let personal = personal.get();
        eval.with(|e| model.with_value(|m| session.with(|s| m.advise(shop.as_deref(), personal.as_ref(), s.choices(), s.order(), e))))
    });
    (shop, personal, advice)
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
    let (shop, personal, advice) = recommendations(model, session, eval);
    let ctx = Ctx { model, session, eval, proposal: RwSignal::new(None), stage: RwSignal::new(Stage::Configure), advice, shop, personal };
    // The configuration "complete the rest" made, while it is the current one.
    let completed = RwSignal::new(None::<tailor_engine::Choices>);
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
    // Drawn: a page drawn at build time gives way to this, in this task.
    Effect::new(move |_| crate::shell::done());
    let steps = StoredValue::new(steps);
    let is_completed = move || completed.with(|c| c.as_ref().is_some_and(|c| session.with(|s| s.choices() == c)));

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
                {move || advice.with(|a| a.iter().any(Option::is_some)).then(|| view! {
                    <p class="complete-rest">
                        <button type="button" class="button button-small" data-testid="complete-rest" on:click=move |_| {
                            ctx.complete_rest();
                            completed.set(Some(session.with_untracked(|s| s.choices().clone())));
                            step.set(step_count - 1);
                        }>
                            {move || t(locale.get(), Key::CompleteRest)}
                        </button>
                    </p>
                })}
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
                <p class="complete-note" role="status" data-testid="completed-note" class:notice=is_completed>
                    {move || is_completed().then(|| t(locale.get(), Key::CompletedRest))}
                </p>
                <nav aria-label=move || t(locale.get(), Key::StepOf)>
                    <ol class="stepper">{nav}</ol>
                </nav>
                {move || if configuring.get() {
                    current_step().into_any()
                } else {
                    crate::lazy::lazy!(review::review_panel(ctx, form))
                }}
            </div>
            // The picture above the summary on wide screens, at the top on phones (style/main.css).
            <div class="side">
                <Picture ctx/>
                <Summary ctx steps/>
            </div>
            // Phones: the summary follows the steps, so the total stays in
            // view in a bar (the summary's total is the one announced).
            <div class="total-bar" aria-hidden="true">
                <span>{move || t(locale.get(), Key::Total)}</span>
                <strong>{move || model.with_value(|m| money(locale.get(), &m.def().currency, eval.get().total))}</strong>
            </div>
        </div>
    }
}
