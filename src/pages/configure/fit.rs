//! The fit panel: body measurements to a recommended size, remembered on
//! the customer's account when they ask.

use leptos::prelude::*;
use leptos::task::spawn_local;
use tailor_api::{ChangeState, ConsentChange, MeasurementsBody, SwitchState};
use tailor_engine::explain_text::implausible_text;
use tailor_engine::fit::{CM_PER_INCH, FitError, Measurements, Preference};

use super::Ctx;
use crate::api;
use crate::i18n::{Key, Words, pick, t, use_locale};

/// Measurements to a recommended size, with the reason in numbers.
#[component]
pub(super) fn FitPanel(ctx: Ctx) -> impl IntoView {
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
            remember.set(me.switch("measurements", "") == SwitchState::On);
            if !filled.get_value() && values.iter().all(|v| v.get_untracked().is_empty()) {
                filled.set_value(true);
                for (i, key) in ["waist_cm", "hip_cm", "inseam_cm", "rise_cm", "thigh_cm"].iter().enumerate() {
                    if let Some(v) = m.get(*key).and_then(|v| v.as_f64()) {
                        values[i].set(v.to_string());
                    }
                }
                if let Some(Ok(p @ (Preference::Slim | Preference::Relaxed))) = m.get("preference").map(|p| serde_json::from_value(p.clone())) {
                    preference.set(p);
                }
            }
        }
    });
    let keep = move |m: Measurements, pref: Preference| {
        let l = locale.get_untracked();
        let body = api::json(&MeasurementsBody {
            waist_cm: m.waist_cm,
            hip_cm: m.hip_cm,
            inseam_cm: m.inseam_cm,
            rise_cm: m.rise_cm,
            thigh_cm: m.thigh_cm,
            preference: Some(pref),
        });
        spawn_local(async move {
            let give = ConsentChange { purpose: "measurements".into(), channel: String::new(), state: ChangeState::Given };
            if me.switch("measurements", "") != SwitchState::On
                && let Err(e) = crate::profile::change(me, l, "checkout", vec![give], None).await
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
        let read = |i: usize| -> Option<f64> { tailor_engine::parse_number(&values[i].get_untracked().trim().replace(',', ".")).map(|v| v * factor) };
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
                let reason = ctx.model.with_value(|model| model.fit_text(&m, pref, &r, &Words { locale: l, currency: &model.def().currency }));
                result.set(Some(Ok(reason)));
            }
            Ok((_, None)) | Err(FitError::NoFit) => {}
            Err(FitError::Implausible(problems)) => {
                let text = ctx.model.with_value(|model| implausible_text(&problems, inches.get_untracked(), &Words { locale: l, currency: &model.def().currency }));
                result.set(Some(Err(text)));
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
