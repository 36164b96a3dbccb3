//! One attribute of the configurator with its options, the explanation of
//! an unavailable option and the proposal that chooses it anyway.

use leptos::prelude::*;

use super::Ctx;
use super::text_input::TextInput;
use crate::i18n::{Key, Words, price_effect, t, use_locale};

/// One attribute: radio buttons (a list for long ones), each with its price
/// effect; an unavailable option says why and can be chosen anyway.
#[component]
pub(super) fn Attribute(ctx: Ctx, a: usize) -> impl IntoView {
    let locale = use_locale();
    let lang = move || locale.get().key();
    let Ctx { model, session, eval, proposal, advice, .. } = ctx;
    let (attr, currency) = model.with_value(|m| (m.attributes()[a].clone(), m.def().currency.clone()));
    let legend = attr.label.clone();
    let long = attr.options.len() > 12;
    let select_id = format!("attr-{}", attr.id);
    let texts = model.with_value(|m| {
        m.def().texts.iter().filter(|t| t.when.as_ref().is_some_and(|c| c.attribute == attr.id)).cloned().collect::<Vec<_>>()
    });

    // The recommended option, when there is a choice to make (at least two
    // options available). A memo, so that what hangs on it (the reason's
    // open or closed state) is drawn again only when the option changes,
    // not when the language does.
    let advised = move || advice.with(|v| v.get(a).cloned().flatten());
    let recommended = Memo::new(move |_| {
        let x = advised()?;
        (eval.with(|e| e.attributes[a].available.iter().filter(|&&v| v).count()) >= 2).then_some(x.option)
    });
    // Its reason, in words, in the current language.
    let reason = Signal::derive(move || {
        advised().map(|x| model.with_value(|m| m.advice_text(&x, &Words { locale: locale.get(), currency: &m.def().currency }))).unwrap_or_default()
    });
    let rec_id = format!("rec-{}", attr.id);

    // Why option `o` is unavailable, in words, and whether it can be chosen anyway.
    let why = move |o: usize| {
        model.with_value(|m| {
            session.with(|s| {
                let ex = m.explain(s.choices(), s.order(), a, o);
                let words = Words { locale: locale.get(), currency: &m.def().currency };
                (m.unavailable_text(s.choices(), &ex, &words), ex.give_up.is_some())
            })
        })
    };

    let proposal_view = move || {
        proposal.get().filter(|p| p.attr == a).map(|p| {
            let names = model.with_value(|m| session.with_untracked(|s| m.give_up_labels(s.choices(), &p.explanation, lang())));
            let possible = p.explanation.give_up.is_some();
            // The picture the change would lead to (the engine's own SVG).
            let preview = model.with_value(|m| {
                session.with_untracked(|s| {
                    let (next, _) = m.choose_anyway(s.choices(), s.order(), p.attr, p.option)?;
                    m.picture(&next, s.texts(), lang(), "proposal").map(|pic| pic.svg)
                })
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
                            {preview.map(|svg| view! { <figure class="picture proposal-picture" data-testid="proposal-picture" inner_html=svg></figure> })}
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
        let hint_id = rec_id.clone();
        let options_label = attr.options.iter().map(|o| o.label.clone()).collect::<Vec<_>>();
        view! {
            <label class="visually-hidden" for=select_id.clone()>{move || legend.get(lang()).to_string()}</label>
            <select
                id=select_id.clone()
                aria-describedby=move || recommended.get().map(|_| format!("{hint_id}-text"))
                on:change=move |ev| {
                    let value = event_target_value(&ev);
                    if let Ok(o) = value.parse::<usize>() {
                        ctx.choose(a, o);
                    }
                }
            >
                <option value="" selected=move || session.with(|s| s.choices().0[a].is_none())>{move || format!("— {} —", t(locale.get(), Key::Open))}</option>
                {(0..attr.options.len()).map(|o| {
                    view! {
                        <option value=o.to_string() selected=move || session.with(|s| s.choices().0[a] == Some(o))>
                            {move || {
                                let available = eval.with(|e| e.attributes[a].available[o]);
                                let line = model.with_value(|m| m.option_line(a, o, available, &Words { locale: locale.get(), currency: &m.def().currency }));
                                if recommended.get() == Some(o) { format!("{line} · {}", t(locale.get(), Key::Recommended)) } else { line }
                            }}
                        </option>
                    }
                }).collect_view()}
            </select>
            {let id = rec_id.clone(); move || recommended.get().map(|o| {
                let name = options_label[o].get(lang()).to_string();
                view! {
                    <div class="recommend-hint" data-testid="recommended">
                        <span class="recommended-badge">{move || t(locale.get(), Key::Recommended)}</span>
                        " " {name}
                        <Why id=id.clone() text=reason/>
                    </div>
                }
            })}
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
                let swatch = model.with_value(|m| m.swatch(a, o));
                let my_rec_id = format!("{id}-rec");
                let is_recommended = move || recommended.get() == Some(o);
                view! {
                    <div class="option" class:unavailable=move || !available() class:chosen=move || session.with(|s| s.choices().0[a] == Some(o))>
                        <input
                            type="radio"
                            id=id.clone()
                            name=attr.id.clone()
                            value=opt.id.clone()
                            prop:checked=move || session.with(|s| s.choices().0[a] == Some(o))
                            disabled=move || !available()
                            aria-describedby={let my_rec_id = my_rec_id.clone(); move || if !available() { Some(why_id.clone()) } else { is_recommended().then(|| format!("{my_rec_id}-text")) }}
                            on:change=move |_| ctx.choose(a, o)
                        />
                        <label for=id.clone()>
                            <span class="option-title">
                                // The option's colour or tiny drawing (decorative: the
                                // name says it), drawn by the engine from checked data.
                                {swatch.clone().map(|svg| view! { <span class="swatch" inner_html=svg></span> })}
                                <span class="option-name">{move || label.get(lang()).to_string()}</span>
                                {move || is_recommended().then(|| view! { " " <span class="recommended-badge" data-testid="recommended">{move || t(locale.get(), Key::Recommended)}</span> })}
                            </span>
                            <span class="option-price">{move || price_effect(locale.get(), &currency, price)}</span>
                            {description.map(|d| view! { <span class="option-description">{move || d.get(lang()).to_string()}</span> })}
                        </label>
                        {let my_rec_id = my_rec_id.clone(); move || is_recommended().then(|| view! { <Why id=my_rec_id.clone() text=reason/> })}
                        <Show when=move || !available()>
                            <div class="option-why" id=format!("{id}-why")>
                                {let button_name = button_name.clone(); move || {
                                    let (text, possible) = why(o);
                                    let name = button_name.clone();
                                    view! {
                                        <p>{text}</p>
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

/// A recommendation's reason on demand: a button that shows or hides it.
/// The text is in the page even while hidden, so the option's
/// `aria-describedby` reads it to screen readers with the option.
#[component]
fn Why(id: String, text: Signal<String>) -> impl IntoView {
    let locale = use_locale();
    let open = RwSignal::new(false);
    let text_id = format!("{id}-text");
    view! {
        <button
            type="button"
            class="link-button why-recommended"
            aria-expanded=move || open.get().to_string()
            aria-controls=text_id.clone()
            on:click=move |_| open.update(|o| *o = !*o)
        >
            {move || t(locale.get(), Key::WhyRecommended)}
        </button>
        <p class="recommend-reason" id=text_id hidden=move || !open.get() data-testid="recommend-reason">{text}</p>
    }
}
