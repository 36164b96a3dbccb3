//! The language (English or Simplified Chinese): the remembered choice,
//! `<html lang>`, the switch, and numbers and money formatted by the
//! browser's `Intl` (so no locale tables ship with the apps).

use leptos::prelude::*;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Locale {
    En,
    Zh,
}

impl Locale {
    /// The BCP 47 tag, for `lang` attributes and `Intl`.
    pub fn tag(self) -> &'static str {
        match self {
            Locale::En => "en",
            Locale::Zh => "zh-CN",
        }
    }

    /// The key used in model texts (`Text::get`).
    pub fn key(self) -> &'static str {
        match self {
            Locale::En => "en",
            Locale::Zh => "zh",
        }
    }

    pub fn from_tag(tag: &str) -> Option<Locale> {
        let tag = tag.to_ascii_lowercase();
        if tag.starts_with("zh") {
            Some(Locale::Zh)
        } else if tag.starts_with("en") {
            Some(Locale::En)
        } else {
            None
        }
    }
}

const STORAGE_KEY: &str = "tailor.locale";

/// The language: the remembered choice, else the browser's, else English.
pub fn initial_locale() -> Locale {
    let window = web_sys::window();
    let stored = window
        .as_ref()
        .and_then(|w| w.local_storage().ok().flatten())
        .and_then(|s| s.get_item(STORAGE_KEY).ok().flatten())
        .and_then(|t| Locale::from_tag(&t));
    let browser = window.and_then(|w| w.navigator().language()).and_then(|t| Locale::from_tag(&t));
    stored.or(browser).unwrap_or(Locale::En)
}

static REMEMBER: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(true);

/// Whether the language choice is kept in local storage (not on a kiosk,
/// where the next customer starts afresh and storage stays empty).
pub fn remember_choice(yes: bool) {
    REMEMBER.store(yes, std::sync::atomic::Ordering::Relaxed);
}

/// Switches the language, remembers it and updates `<html lang>`.
pub fn set_locale(signal: RwSignal<Locale>, locale: Locale) {
    signal.set(locale);
    if let Some(w) = web_sys::window() {
        if let Some(storage) = w.local_storage().ok().flatten().filter(|_| REMEMBER.load(std::sync::atomic::Ordering::Relaxed)) {
            let _ = storage.set_item(STORAGE_KEY, locale.tag());
        }
        if let Some(html) = w.document().and_then(|d| d.document_element()) {
            let _ = html.set_attribute("lang", locale.tag());
        }
    }
}

/// The current language, from context.
pub fn use_locale() -> RwSignal<Locale> {
    expect_context::<RwSignal<Locale>>()
}

/// A text given in place, in both languages (the privacy and account
/// pages keep their texts beside their markup).
pub fn pick(locale: Locale, en: &'static str, zh: &'static str) -> &'static str {
    match locale {
        Locale::En => en,
        Locale::Zh => zh,
    }
}

/// `amount` minor units of `currency`, formatted for `locale` by the
/// browser's `Intl` (so no locale tables ship with the app).
pub fn money(locale: Locale, currency: &str, amount: i64) -> String {
    let value = amount as f64 / 100.0;
    intl_format(locale, Style::Money(currency), value).unwrap_or_else(|| format!("{currency} {}.{:02}", amount / 100, (amount % 100).abs()))
}

/// A measurement or other number with exactly `decimals` decimals, in the
/// locale's digits and separators ("81.5", "81,5" ...).
pub fn number(locale: Locale, value: f64, decimals: u32) -> String {
    intl_format(locale, Style::Decimals(decimals), value).unwrap_or_else(|| (value.round() as i64).to_string())
}

/// What a number is formatted as.
#[derive(Clone, Copy)]
enum Style<'a> {
    Money(&'a str),
    Decimals(u32),
}

thread_local! {
    /// The `Intl.NumberFormat`s made so far, by language and style: making
    /// one is the browser's slow part (a product page with its prices made
    /// one per price, about 20 ms of its start), formatting with it is not.
    static FORMATS: std::cell::RefCell<Vec<(Locale, String, u32, js_sys::Function)>> = const { std::cell::RefCell::new(Vec::new()) };
}

fn intl_format(locale: Locale, style: Style, value: f64) -> Option<String> {
    // Kept by language, currency ("" for a plain number) and decimals.
    let (currency, decimals) = match style {
        Style::Money(currency) => (currency, u32::MAX),
        Style::Decimals(decimals) => ("", decimals),
    };
    let format = FORMATS.with_borrow_mut(|made| {
        if let Some((.., f)) = made.iter().find(|(l, c, d, _)| *l == locale && c == currency && *d == decimals) {
            return f.clone();
        }
        let options = js_sys::Object::new();
        if let Style::Money(currency) = style {
            let _ = js_sys::Reflect::set(&options, &"style".into(), &"currency".into());
            let _ = js_sys::Reflect::set(&options, &"currency".into(), &currency.into());
        } else {
            let _ = js_sys::Reflect::set(&options, &"minimumFractionDigits".into(), &decimals.into());
            let _ = js_sys::Reflect::set(&options, &"maximumFractionDigits".into(), &decimals.into());
        }
        let locales = js_sys::Array::of1(&locale.tag().into());
        let f = js_sys::Intl::NumberFormat::new(&locales, &options).format();
        made.push((locale, currency.to_owned(), decimals, f.clone()));
        f
    });
    format.call1(&wasm_bindgen::JsValue::UNDEFINED, &value.into()).ok().and_then(|v| v.as_string())
}

/// Two real buttons; the current language is marked with `aria-pressed`.
/// `label` is the group's name in each language.
#[component]
pub fn LanguageSwitch(label: fn(Locale) -> &'static str) -> impl IntoView {
    let locale = use_locale();
    let button = move |l: Locale, name: &'static str| {
        view! {
            <button
                type="button"
                class="lang-button"
                lang=l.tag()
                aria-pressed=move || (locale.get() == l).to_string()
                on:click=move |_| set_locale(locale, l)
            >
                {name}
            </button>
        }
    };
    view! {
        <div class="lang-switch" role="group" aria-label=move || label(locale.get())>
            {button(Locale::En, "English")}
            {button(Locale::Zh, "简体中文")}
        </div>
    }
}
