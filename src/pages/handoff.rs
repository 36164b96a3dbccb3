//! A kiosk's hand-off opened on a phone (`/h/CODE`).

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::i18n::{Key, t, use_locale};
use crate::pages::shared::Loading;

/// A kiosk's hand-off opened on the phone: claims the code, then shows the
/// configurator with the kiosk's configuration.
#[component]
pub fn HandoffPage(code: String) -> impl IntoView {
    let locale = use_locale();
    let location = expect_context::<crate::route::Location>();
    let error = RwSignal::new(None::<String>);
    spawn_local(async move {
        match crate::api::request::<tailor_api::HandoffClaimed>("GET", &format!("/api/handoff/{code}"), None, None).await {
            Ok(c) => location.replace(&format!("/p/{}?c={}", c.product, c.code)),
            Err(e) => error.set(Some(e.message)),
        }
    });
    view! {
        <section class="page">
            <h1>{move || crate::i18n::pick(locale.get(), "Opening the kiosk's configuration", "正在打开自助终端上的配置")}</h1>
            {move || match error.get() {
                None => view! { <Loading/> }.into_any(),
                Some(message) => view! {
                    <p class="notice notice-error" role="alert" data-testid="handoff-error">{message}</p>
                    <a href="/">{t(locale.get(), Key::Back)}</a>
                }.into_any(),
            }}
        </section>
    }
}
