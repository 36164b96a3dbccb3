//! The review: contact and shipping details, then the order, its
//! confirmation, or its wait in the outbox while offline.

use leptos::prelude::*;
use leptos::task::spawn_local;
use tailor_api::Placed;
use tailor_engine::contact::{self, COUNTRIES, Contact, Shipping};

use super::Ctx;
use super::submit::{self, Outcome, Settled, Stage};
use crate::api;
use crate::i18n::{Key, pick, t, use_locale};
use crate::pages::shared::country_name;

/// What the customer typed into the review form, kept while they go back to
/// change the configuration or an attempt to order fails.
#[derive(Clone, Copy)]
pub(super) struct ReviewForm {
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
    pub(super) fn new() -> ReviewForm {
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

/// The words for a contact or shipping problem the engine found (by its
/// code; see `tailor_engine::contact`).
fn error_key(code: &str) -> Key {
    match code {
        "required" => Key::ErrRequired,
        "too_long" => Key::ErrTooLong,
        "invalid_email" => Key::ErrEmail,
        "invalid_phone" => Key::ErrPhone,
        "invalid_postcode" => Key::ErrPostcode,
        "unsupported_country" => Key::ErrCountry,
        _ => Key::ErrChars,
    }
}

crate::lazy::part!(review, 
    /// The review as the configurator shows it: fetched the first time it
    /// is shown (a product page's first screen has none of it).
    pub(super) fn review_panel(ctx: Ctx, form: ReviewForm) -> Result<AnyView, crate::lazy::SplitLoaderError> {
        Ok(view! { <Review ctx form/> }.into_any())
    }
);

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
            errors().into_iter().find(|e| e.field == field).map(|e| t(locale.get(), error_key(&e.code)))
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
        let channel = submit::channel(embed.map(|e| (e.partner(), e.token())), kiosk_mode);
        let member = me_state.member_percent();
        let locale_tag = locale.get_untracked().tag();
        let body = ctx.model.with_value(|m| ctx.session.with_untracked(|s| submit::order_body(m, s, contact, shipping, member, locale_tag, channel)));
        let Some((json, key)) = body.and_then(|body| submit::to_send(&body, last_sent.get_value(), api::new_key)) else { return };
        last_sent.set_value(Some((json.clone(), key.clone())));
        ctx.stage.set(Stage::Sending);
        spawn_local(async move {
            let answer = api::post_json::<Placed>("/api/orders", &json, &key).await;
            let outcome = submit::outcome(answer, kiosk_mode, crate::outbox::online());
            match &outcome {
                Outcome::Placed { id, access_token } => api::remember_token(id, access_token),
                Outcome::Queued => crate::outbox::keep(&key, &json),
                Outcome::Failed(message) => server_error.set(Some(message.clone())),
            }
            ctx.stage.set(outcome.stage(&key));
        });
    };
    // A queued order that was sent (or refused) moves the page on.
    Effect::new(move |_| {
        let Stage::Queued(key) = ctx.stage.get() else { return };
        match outbox.sent.with(|sent| outbox.refused.with(|refused| submit::settled(&key, sent, refused))) {
            Some(Settled::Placed(id)) => ctx.stage.set(Stage::Placed(id)),
            Some(Settled::Refused(reason)) => {
                server_error.set(Some(reason));
                ctx.stage.set(Stage::Review);
            }
            None => {}
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
                        // The partner's server fetches it with its key.
                        "pictureUrl": picture_url(&id),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_problem_the_engine_finds_in_the_details_has_its_own_words() {
        let good = || {
            (
                Contact { name: "Mei Chen".into(), email: "mei@example.org".into(), phone: String::new() },
                Shipping { line1: "Hauptstr. 1".into(), line2: String::new(), city: "Berlin".into(), postcode: "10115".into(), country: "DE".into() },
            )
        };
        let changes: [fn(&mut Contact, &mut Shipping); 7] = [
            |c, _| c.name = String::new(),
            |c, _| c.name = "x".repeat(1000),
            |c, _| c.email = "mei.example.org".into(),
            |c, _| c.phone = "12".into(),
            |_, s| s.postcode = "10115!".into(),
            |_, s| s.country = "XX".into(),
            |_, s| s.line1 = "a\u{0}b".into(),
        ];
        // The codes come from the engine's own check, not from a list here.
        let mut words: Vec<(String, Key)> = Vec::new();
        for change in changes {
            let (mut c, mut s) = good();
            change(&mut c, &mut s);
            let problems = contact::check(&c, &s);
            assert!(!problems.is_empty());
            for p in problems {
                words.push((p.code.clone(), error_key(&p.code)));
            }
        }
        for (code, key) in &words {
            for (other, other_key) in &words {
                assert!(code == other || key != other_key, "\"{code}\" and \"{other}\" are worded alike ({key:?})");
            }
        }
    }
}

/// The absolute URL of a partner order's picture (`GET
/// /api/partner/orders/{id}/picture`, read with the partner's key).
fn picture_url(id: &str) -> String {
    let origin = web_sys::window().and_then(|w| w.location().origin().ok()).unwrap_or_default();
    format!("{origin}/api/partner/orders/{}/picture", js_sys::encode_uri_component(id))
}
