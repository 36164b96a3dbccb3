//! The picture of what the customer builds, drawn by the engine from the
//! model's visual section and redrawn on every change. The SVG is the
//! engine's own output (a closed vocabulary, every text escaped; see
//! `tailor_engine::visual`), so it is set as markup; it carries `role="img"`
//! and its text alternative.

use leptos::prelude::*;

use super::Ctx;
use crate::i18n::use_locale;

#[component]
pub(super) fn Picture(ctx: Ctx) -> impl IntoView {
    let locale = use_locale();
    let Ctx { model, session, .. } = ctx;
    let svg = Memo::new(move |_| {
        let lang = locale.get().key();
        model.with_value(|m| session.with(|s| m.picture(s.choices(), s.texts(), lang, "cfg").map(|p| p.svg)))
    });
    move || svg.get().map(|svg| view! { <figure class="picture" data-testid="picture" inner_html=svg></figure> })
}
