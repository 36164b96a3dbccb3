//! English and Simplified Chinese texts, the chosen language (remembered in
//! local storage), and locale-aware money formatting.

use leptos::prelude::*;
use tailor_engine::explain_text::{self, Word, Wording};

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

/// Every fixed text of the portal.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Key {
    SkipToContent,
    Tagline,
    Language,
    Products,
    Configure,
    Loading,
    LoadFailed,
    Retry,
    Summary,
    Total,
    Open,
    Included,
    Unavailable,
    ChooseAnyway,
    GaveUp,
    Order,
    Ordering,
    OrderPlaced,
    OrderNumber,
    ViewOrder,
    OrderRefused,
    CompleteFirst,
    Back,
    OrderStatus,
    Status,
    StatusNew,
    StatusInProduction,
    StatusShipped,
    StatusCancelled,
    NotFound,
    NotFoundText,
    StepOf,
    Next,
    Previous,
    Review,
    Undo,
    Redo,
    StartOver,
    Share,
    Optional,
    PlacedOn,
    YourChoices,
    QrCode,
    ScanQr,
    Compatibility,
    Fits,
    OverBy,
    NotYetKnown,
    CopyLink,
    Copied,
    WouldChange,
    Accept,
    Cancel,
    Impossible,
    Because,
    From,
    PriceRange,
    Contact,
    Shipping,
    Name,
    Email,
    Phone,
    Line1,
    Line2,
    City,
    Postcode,
    Country,
    PlaceOrder,
    BackToConfig,
    ErrRequired,
    ErrTooLong,
    ErrEmail,
    ErrPhone,
    ErrPostcode,
    ErrCountry,
    ErrChars,
    ChosenWith,
    ChosenByAll,
    ChosenByYou,
    WhyRecommended,
    CompleteRest,
    CompletedRest,
    FixErrors,
    BadCode,
    Meter,
    FindSize,
    KnowSize,
    Waist,
    Hip,
    Inseam,
    Rise,
    Thigh,
    Units,
    FitPref,
    Slim,
    Regular,
    Relaxed,
    Recommend,
    Recommended,
    WithEase,
    Ease,
    ImplausibleWaist,
    ImplausibleHip,
    ImplausibleInseam,
    ImplausibleRise,
    ImplausibleThigh,
    CheckMeasure,
    Outside,
    Complete,
    Current,
    Chosen,
    Text,
    Characters,
}

pub fn t(locale: Locale, key: Key) -> &'static str {
    use Key::*;
    match locale {
        Locale::En => match key {
            SkipToContent => "Skip to content",
            Tagline => "Made for you, to order",
            Language => "Language",
            Products => "Choose a product to make your own",
            Configure => "Configure",
            Loading => "Loading…",
            LoadFailed => "This could not be loaded.",
            Retry => "Try again",
            Summary => "Your configuration",
            Total => "Total",
            Open => "not chosen yet",
            Included => "included",
            Unavailable => "Not available with your other choices",
            ChooseAnyway => "Choose it anyway",
            GaveUp => "To make this possible, these choices were cleared:",
            Order => "Order",
            Ordering => "Placing your order…",
            OrderPlaced => "Thank you, your order is placed.",
            OrderNumber => "Order number",
            ViewOrder => "See the order's status",
            OrderRefused => "The order was not accepted:",
            CompleteFirst => "Make a choice for every step to order.",
            Back => "All products",
            OrderStatus => "Order status",
            Status => "Status",
            StatusNew => "received, waiting to be built",
            StatusInProduction => "being made",
            StatusShipped => "shipped",
            StatusCancelled => "cancelled",
            NotFound => "Page not found",
            NotFoundText => "There is nothing at this address.",
            StepOf => "Step",
            Next => "Next",
            Previous => "Back",
            Review => "Review and order",
            Undo => "Undo",
            Redo => "Redo",
            StartOver => "Start over",
            Share => "Share this configuration",
            PlacedOn => "Placed",
            YourChoices => "Your choices",
            QrCode => "QR code of the link to this configuration",
            ScanQr => "Scan it to open this configuration on another device.",
            Compatibility => "Compatibility",
            Fits => "fits",
            OverBy => "over by",
            NotYetKnown => "so far; some parts are still open",
            CopyLink => "Copy link",
            Copied => "Link copied",
            WouldChange => "To choose this, these earlier choices will be cleared:",
            Accept => "Accept the change",
            Cancel => "Cancel",
            Impossible => "This option cannot be part of any valid product.",
            Because => "Because you chose",
            From => "from",
            PriceRange => "Depending on the remaining choices",
            Contact => "Contact details",
            Shipping => "Shipping address",
            Name => "Full name",
            Email => "E-mail",
            Phone => "Phone (optional)",
            Line1 => "Street and number",
            Line2 => "Address line 2 (optional)",
            City => "City",
            Postcode => "Postcode",
            Country => "Country",
            PlaceOrder => "Place order",
            BackToConfig => "Change the configuration",
            ErrRequired => "Please fill this in.",
            ErrTooLong => "This is too long.",
            ErrEmail => "Please enter an e-mail address like name@example.com.",
            ErrPhone => "Please enter 6 to 20 digits.",
            ErrPostcode => "Letters, digits, spaces and - only.",
            ErrCountry => "We do not ship there yet.",
            ErrChars => "This contains characters we cannot use.",
            ChosenWith => "Chosen by {share} of customers who also chose {choice}.",
            ChosenByAll => "Chosen by {share} of customers.",
            ChosenByYou => "You chose it in {times} of your {orders} orders of this product.",
            WhyRecommended => "Why recommended?",
            CompleteRest => "Complete the rest as most customers do",
            CompletedRest => "The open choices were completed as most customers do. Undo puts them back.",
            FixErrors => "Please correct the marked fields.",
            BadCode => "The shared configuration could not be opened:",
            Meter => "of",
            FindSize => "Find my size",
            KnowSize => "I know my size",
            Waist => "Waist",
            Hip => "Hip",
            Inseam => "Inseam",
            Rise => "Rise",
            Thigh => "Thigh",
            Optional => "optional",
            Units => "Units",
            FitPref => "Fit",
            Slim => "Slim",
            Regular => "Regular",
            Relaxed => "Relaxed",
            Recommend => "Recommend my size",
            Recommended => "Recommended",
            WithEase => "with",
            Ease => "ease",
            ImplausibleWaist => "waist",
            ImplausibleHip => "hip",
            ImplausibleInseam => "inseam",
            ImplausibleRise => "rise",
            ImplausibleThigh => "thigh",
            CheckMeasure => "Please check your measurements:",
            Outside => "should be between",
            Complete => "complete",
            Current => "current step",
            Chosen => "Chosen",
            Text => "Text",
            Characters => "characters",
        },
        Locale::Zh => match key {
            SkipToContent => "跳到主要内容",
            Tagline => "为您量身定制",
            Language => "语言",
            Products => "选择一件产品，按您的需要定制",
            Configure => "定制",
            Loading => "正在加载…",
            LoadFailed => "无法加载。",
            Retry => "重试",
            Summary => "您的配置",
            Total => "总价",
            Open => "尚未选择",
            Included => "已包含",
            Unavailable => "与您的其他选择不兼容",
            ChooseAnyway => "仍然选择",
            GaveUp => "为此已清除以下选择：",
            Order => "下单",
            Ordering => "正在提交订单…",
            OrderPlaced => "谢谢，您的订单已提交。",
            OrderNumber => "订单号",
            ViewOrder => "查看订单状态",
            OrderRefused => "订单未被接受：",
            CompleteFirst => "请完成每一步的选择后再下单。",
            Back => "全部产品",
            OrderStatus => "订单状态",
            Status => "状态",
            StatusNew => "已收到，等待生产",
            StatusInProduction => "生产中",
            StatusShipped => "已发货",
            StatusCancelled => "已取消",
            NotFound => "页面不存在",
            NotFoundText => "此地址没有内容。",
            StepOf => "步骤",
            Next => "下一步",
            Previous => "上一步",
            Review => "确认并下单",
            Undo => "撤销",
            Redo => "重做",
            StartOver => "重新开始",
            Share => "分享此配置",
            PlacedOn => "下单时间",
            YourChoices => "您的选择",
            QrCode => "此配置链接的二维码",
            ScanQr => "扫描即可在其他设备上打开此配置。",
            Compatibility => "兼容性",
            Fits => "合适",
            OverBy => "超出",
            NotYetKnown => "（部分部件尚未选择）",
            CopyLink => "复制链接",
            Copied => "链接已复制",
            WouldChange => "选择此项将清除以下先前的选择：",
            Accept => "接受更改",
            Cancel => "取消",
            Impossible => "此选项无法组成有效的产品。",
            Because => "因为您选择了",
            From => "起",
            PriceRange => "取决于其余选择",
            Contact => "联系方式",
            Shipping => "收货地址",
            Name => "姓名",
            Email => "电子邮件",
            Phone => "电话（可选）",
            Line1 => "街道和门牌号",
            Line2 => "地址第二行（可选）",
            City => "城市",
            Postcode => "邮政编码",
            Country => "国家/地区",
            PlaceOrder => "提交订单",
            BackToConfig => "修改配置",
            ErrRequired => "请填写此项。",
            ErrTooLong => "内容过长。",
            ErrEmail => "请输入有效的电子邮件地址，例如 name@example.com。",
            ErrPhone => "请输入 6 到 20 位数字。",
            ErrPostcode => "只能包含字母、数字、空格和 -。",
            ErrCountry => "我们暂不配送到该地区。",
            ErrChars => "包含无法使用的字符。",
            ChosenWith => "选了{choice}的顾客中，{share} 选择了它。",
            ChosenByAll => "{share} 的顾客选择了它。",
            ChosenByYou => "您在此产品的 {orders} 个订单中有 {times} 个选择了它。",
            WhyRecommended => "为什么推荐？",
            CompleteRest => "按多数顾客的选择完成其余部分",
            CompletedRest => "已按多数顾客的选择完成未选的项目。点击“撤销”可恢复。",
            FixErrors => "请更正标出的字段。",
            BadCode => "无法打开分享的配置：",
            Meter => "/",
            FindSize => "帮我选尺码",
            KnowSize => "我知道我的尺码",
            Waist => "腰围",
            Hip => "臀围",
            Inseam => "内长",
            Rise => "裆长",
            Thigh => "大腿围",
            Optional => "可选",
            Units => "单位",
            FitPref => "版型偏好",
            Slim => "修身",
            Regular => "常规",
            Relaxed => "宽松",
            Recommend => "推荐尺码",
            Recommended => "推荐",
            WithEase => "加",
            Ease => "放松量",
            ImplausibleWaist => "腰围",
            ImplausibleHip => "臀围",
            ImplausibleInseam => "内长",
            ImplausibleRise => "裆长",
            ImplausibleThigh => "大腿围",
            CheckMeasure => "请检查您的尺寸：",
            Outside => "应介于",
            Complete => "已完成",
            Current => "当前步骤",
            Chosen => "已选",
            Text => "文字",
            Characters => "个字符",
        },
    }
}

/// `amount` minor units of `currency`, formatted for `locale` by the
/// browser's `Intl` (so no locale tables ship with the app).
pub fn money(locale: Locale, currency: &str, amount: i64) -> String {
    let options = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&options, &"style".into(), &"currency".into());
    let _ = js_sys::Reflect::set(&options, &"currency".into(), &currency.into());
    intl_format(locale, &options, amount as f64 / 100.0).unwrap_or_else(|| format!("{currency} {}.{:02}", amount / 100, (amount % 100).abs()))
}

/// A measurement or other number with exactly `decimals` decimals, in the
/// locale's digits and separators ("81.5", "81,5" ...).
pub fn number(locale: Locale, value: f64, decimals: u32) -> String {
    let options = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&options, &"minimumFractionDigits".into(), &decimals.into());
    let _ = js_sys::Reflect::set(&options, &"maximumFractionDigits".into(), &decimals.into());
    intl_format(locale, &options, value).unwrap_or_else(|| (value.round() as i64).to_string())
}

fn intl_format(locale: Locale, options: &js_sys::Object, value: f64) -> Option<String> {
    let locales = js_sys::Array::of1(&locale.tag().into());
    let format = js_sys::Intl::NumberFormat::new(&locales, options).format();
    format.call1(&wasm_bindgen::JsValue::UNDEFINED, &value.into()).ok().and_then(|v| v.as_string())
}

/// A price effect: "+€40.00", or "included" for zero (composed by the engine).
pub fn price_effect(locale: Locale, currency: &str, amount: i64) -> String {
    explain_text::price_effect(amount, &Words { locale, currency })
}

/// The app's side of the engine's sentences (`tailor_engine::explain_text`):
/// the portal's words in `locale`, numbers and money in `currency` by `Intl`.
pub struct Words<'a> {
    pub locale: Locale,
    pub currency: &'a str,
}

impl Wording for Words<'_> {
    fn lang(&self) -> &str {
        self.locale.key()
    }

    fn word(&self, word: Word) -> &str {
        t(self.locale, word_key(word))
    }

    fn number(&self, value: f64, decimals: u32) -> String {
        number(self.locale, value, decimals)
    }

    fn money(&self, minor: i64) -> String {
        money(self.locale, self.currency, minor)
    }
}

/// The portal's text of each word the engine's sentences use.
fn word_key(word: Word) -> Key {
    match word {
        Word::Unavailable => Key::Unavailable,
        Word::Because => Key::Because,
        Word::Included => Key::Included,
        Word::PriceRange => Key::PriceRange,
        Word::Fits => Key::Fits,
        Word::OverBy => Key::OverBy,
        Word::NotYetKnown => Key::NotYetKnown,
        Word::Waist => Key::Waist,
        Word::Inseam => Key::Inseam,
        Word::WithEase => Key::WithEase,
        Word::Ease => Key::Ease,
        Word::Slim => Key::Slim,
        Word::Regular => Key::Regular,
        Word::Relaxed => Key::Relaxed,
        Word::CheckMeasure => Key::CheckMeasure,
        Word::Outside => Key::Outside,
        Word::ImplausibleWaist => Key::ImplausibleWaist,
        Word::ImplausibleHip => Key::ImplausibleHip,
        Word::ImplausibleInseam => Key::ImplausibleInseam,
        Word::ImplausibleRise => Key::ImplausibleRise,
        Word::ImplausibleThigh => Key::ImplausibleThigh,
        Word::ErrTooLong => Key::ErrTooLong,
        Word::ErrChars => Key::ErrChars,
        Word::ChosenWith => Key::ChosenWith,
        Word::ChosenByAll => Key::ChosenByAll,
        Word::ChosenByYou => Key::ChosenByYou,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_word_of_the_engine_has_its_own_text_in_both_languages() {
        let (en, zh) = (Words { locale: Locale::En, currency: "EUR" }, Words { locale: Locale::Zh, currency: "EUR" });
        assert_eq!((en.lang(), zh.lang()), ("en", "zh"));
        let keys: Vec<Key> = Word::ALL.iter().map(|&w| word_key(w)).collect();
        for (i, (word, key)) in Word::ALL.iter().zip(&keys).enumerate() {
            assert!(!keys[..i].contains(key), "{word:?} has the text of another word ({key:?})");
            assert!(!en.word(*word).is_empty() && !zh.word(*word).is_empty(), "{word:?}");
            assert_ne!(en.word(*word), zh.word(*word), "{word:?} is not translated");
        }
    }
}
