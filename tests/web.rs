//! Browser tests of the app compiled to WebAssembly, run in headless Chromium
//! by `wasm-bindgen-test-runner` (`cargo xtask test`).

use tailor_engine::{Choices, Model};
use tailor_web::i18n::{Locale, money, number, price_effect};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn money_follows_the_locale() {
    let en = money(Locale::En, "EUR", 123_456);
    assert!(en.contains("1,234.56"), "{en}");
    assert!(en.contains('€'), "{en}");
    let zh = money(Locale::Zh, "EUR", 123_456);
    assert!(zh.contains("1,234.56"), "{zh}");
    assert_eq!(price_effect(Locale::En, "EUR", 0), "included");
    assert_eq!(price_effect(Locale::Zh, "EUR", 0), "已包含");
    assert!(price_effect(Locale::En, "EUR", 4_000).starts_with('+'));
}

#[wasm_bindgen_test]
fn formats_kept_between_calls_still_follow_currency_and_decimals() {
    // Each formatter is made once and kept: a second currency, or other
    // decimals, must get its own.
    for _ in 0..2 {
        assert!(money(Locale::En, "EUR", 100).contains('€'));
        assert!(money(Locale::En, "USD", 100).contains('$'));
        assert_eq!(number(Locale::En, 81.25, 2), "81.25");
        assert_eq!(number(Locale::En, 81.25, 0), "81");
        assert_eq!(number(Locale::En, 1234.5, 1), "1,234.5");
        assert_eq!(number(Locale::Zh, 1234.5, 1), "1,234.5");
    }
}

#[wasm_bindgen_test]
fn the_engine_runs_in_the_browser_on_the_shipped_catalogue() {
    let model = Model::from_json("pc-starter.json", include_str!("../public/catalogue/pc-starter.json")).unwrap();
    let choices = Choices::defaults(&model);
    let eval = model.evaluate(&choices);
    let board = model.attribute("board").unwrap();
    assert!(eval.consistent && eval.complete);
    assert!(!eval.attributes[board].available[model.option(board, "b760").unwrap()]);
    assert_eq!(model.quote(&choices).unwrap().total, eval.total);
}

#[wasm_bindgen_test]
async fn the_app_mounts_and_switches_language() {
    use wasm_bindgen::JsCast;
    let document = web_sys::window().unwrap().document().unwrap();
    leptos::mount::mount_to_body(tailor_web::shop_app);
    let buttons = document.query_selector_all(".lang-button").unwrap();
    assert_eq!(buttons.length(), 2);
    let zh: web_sys::HtmlElement = buttons.item(1).unwrap().dyn_into().unwrap();
    zh.click();
    // Let the reactive system flush.
    wasm_bindgen_futures::JsFuture::from(js_sys::Promise::resolve(&wasm_bindgen::JsValue::NULL)).await.unwrap();
    let html = document.document_element().unwrap();
    assert_eq!(html.get_attribute("lang").as_deref(), Some("zh-CN"));
    assert_eq!(zh.get_attribute("aria-pressed").as_deref(), Some("true"));
    let skip = document.query_selector(".skip-link").unwrap().unwrap();
    assert_eq!(skip.text_content().as_deref(), Some("跳到主要内容"));
}

#[wasm_bindgen_test]
fn each_path_goes_to_the_bundle_the_server_sends_for_it() {
    use tailor_web::{Bundle, bundle_of};
    // The server's `site::bundle_page` sends these paths the same bundles' pages.
    for (path, bundle) in [
        ("/account", Bundle::Account),
        ("/privacy", Bundle::Account),
        ("/orders/T1", Bundle::Account),
        ("/embed/orders/T1", Bundle::Account),
        ("/embed/privacy", Bundle::Account),
        ("/", Bundle::Shop),
        ("/p/pc", Bundle::Shop),
        ("/orders", Bundle::Shop),
        ("/nowhere", Bundle::Shop),
        ("/kiosks", Bundle::Shop),
        ("/embedded/p/pc", Bundle::Shop),
        ("/h", Bundle::Shop),
        ("/p/kiosk", Bundle::Shop),
        ("/kiosk/p/pc", Bundle::Channels),
        ("/embed/h/CODE", Bundle::Channels),
        ("/embed/p/pc", Bundle::Channels),
        ("/embed", Bundle::Channels),
        ("/kiosk", Bundle::Channels),
        ("/kiosk/", Bundle::Channels),
        ("/h/CODE", Bundle::Channels),
    ] {
        assert_eq!(bundle_of(path), bundle, "{path}");
    }
    // A kiosk goes from its attract screen to a product without a page load;
    // the shop and the account bundle draw only their own pages.
    assert!(Bundle::Channels.draws(Bundle::Shop));
    assert!(!Bundle::Channels.draws(Bundle::Account));
    assert!(!Bundle::Shop.draws(Bundle::Channels));
    assert!(!Bundle::Shop.draws(Bundle::Account));
    assert!(!Bundle::Account.draws(Bundle::Shop));
    assert!(Bundle::Account.draws(Bundle::Account));
}

#[wasm_bindgen_test]
fn addresses_map_to_pages() {
    use tailor_web::route::{Page, query_param};
    assert_eq!(Page::parse("/", ""), Page::Catalogue);
    assert_eq!(Page::parse("", ""), Page::Catalogue);
    assert_eq!(Page::parse("/p/pc", "?c=1abc"), Page::Configure { product: "pc".into(), code: Some("1abc".into()) });
    assert_eq!(Page::parse("/p/pc/", ""), Page::Configure { product: "pc".into(), code: None });
    assert_eq!(Page::parse("/p/my%20pc", "?x=1&c=1%2Dz"), Page::Configure { product: "my pc".into(), code: Some("1-z".into()) });
    assert_eq!(Page::parse("/orders/T123", ""), Page::Order { id: "T123".into() });
    assert_eq!(Page::parse("/orders", ""), Page::NotFound);
    assert_eq!(Page::parse("/p/pc/extra", ""), Page::NotFound);
    assert_eq!(Page::parse("/nowhere", ""), Page::NotFound);
    assert_eq!(query_param("?a=1&b=two+words", "b"), Some("two words".into()));
    assert_eq!(query_param("?a=1", "b"), None);
    assert_eq!(query_param("?flag", "flag"), Some(String::new()));
    // A malformed escape is kept as written rather than dropped.
    assert_eq!(query_param("?c=%E0%A4%A", "c"), Some("%E0%A4%A".into()));
}
