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
mod review;
mod submit;
mod summary;
mod text_input;

use leptos::prelude::*;
use tailor_engine::{Evaluation, Model, Proposal, Session};

use crate::i18n::{Key, money, pick, t, use_locale};
use crate::pages::shared::{LoadError, Loading, load, load_model};
use attribute::Attribute;
use fit::FitPanel;
use meters::Meters;
use review::{Review, ReviewForm};
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
