//! The compatibility gauges (power budget, clearances).

use leptos::prelude::*;

use super::Ctx;
use crate::i18n::{Key, Words, t, use_locale};

/// The compatibility gauges of the model (power budget, clearances), all of
/// them or those reading one of `only`'s attributes.
#[component]
pub(super) fn Meters(ctx: Ctx, only: Option<Vec<usize>>) -> impl IntoView {
    let locale = use_locale();
    let Ctx { model, session, .. } = ctx;
    let id_prefix = if only.is_some() { "step-meter" } else { "meter" };
    let currency = model.with_value(|m| m.def().currency.clone());
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
                            let (text, state) = m.reading(&Words { locale: l, currency: &currency });
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
