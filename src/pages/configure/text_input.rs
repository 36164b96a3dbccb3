//! A free text of an option, such as a monogram.

use leptos::prelude::*;

use super::Ctx;
use crate::i18n::{Key, Words, t, use_locale};

/// A free text (a monogram), shown while its option is chosen.
#[component]
pub(super) fn TextInput(ctx: Ctx, text: tailor_engine::TextDef) -> impl IntoView {
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
    // Checked by the engine as typed: too long, or a character it cannot use.
    let error = {
        let text_id = text.id.clone();
        move || {
            ctx.model.with_value(|m| {
                ctx.session.with(|s| {
                    let value = s.texts().get(&text_id).map(String::as_str).unwrap_or_default();
                    m.text_problem(s.choices(), &text_id, value, &Words { locale: locale.get(), currency: &m.def().currency })
                })
            })
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
