//! Tailor's configuration engine.
//!
//! Pure Rust with no web or database dependency: the same code runs in the
//! customer's browser (compiled to WebAssembly) and on the server (native),
//! so the server can check every order with exactly the rules the customer saw.
//!
//! ```
//! use tailor_engine::{Choices, Model};
//!
//! let json = r#"{
//!   "format": "tailor-model/1", "id": "mug", "version": "1", "currency": "EUR",
//!   "name": {"en": "Mug"}, "base_price": 500,
//!   "attributes": [
//!     {"id": "size", "label": {"en": "Size"}, "options": [
//!       {"id": "s", "label": {"en": "Small"}},
//!       {"id": "l", "label": {"en": "Large"}, "price": 200}]},
//!     {"id": "lid", "label": {"en": "Lid"}, "options": [
//!       {"id": "none", "label": {"en": "None"}},
//!       {"id": "cork", "label": {"en": "Cork"}, "price": 150}]}],
//!   "rules": [{"id": "cork-large", "kind": "requires",
//!     "if": {"attribute": "lid", "options": ["cork"]},
//!     "then": {"attribute": "size", "options": ["l"]},
//!     "message": {"en": "The cork lid fits the large mug only."}}]
//! }"#;
//! let model = Model::from_json("mug.json", json).unwrap();
//! let mut choices = Choices::empty(&model);
//! choices.0[0] = model.option(0, "s");
//! let eval = model.evaluate(&choices);
//! assert_eq!(eval.attributes[1].available, vec![true, false]); // no cork on a small mug
//! choices.0[1] = model.option(1, "none");
//! assert_eq!(model.quote(&choices).unwrap().total, 500);
//! ```

pub mod advice;
pub mod bench;
mod catalogue;
mod code;
mod config;
pub mod contact;
mod engine;
pub mod explain_text;
pub mod fit;
pub mod import;
pub mod lint;
pub mod mdd;
mod model;
pub mod oracle;
pub mod prepared;
pub mod problem;
pub mod recommend;
pub mod search;
pub mod segments;
mod session;
mod texts;
pub mod theme;
pub mod visual;

pub use catalogue::{CatalogueEntry, CatalogueIndex};
pub use code::CodeError;
pub use config::{
    AttributeState, ChoiceError, Choices, Evaluation, Explanation, OrderError, Quote, QuoteLine,
};
pub use engine::Engine;
pub use model::{
    AreaPriceDef, AttributeDef, Condition, EaseDef, FORMAT, FitDef, Meter, MeterDef, Model,
    ModelDef, ModelError, Op, OptionDef, RangeDef, RuleDef, RuleKind, StepDef, SurchargeDef, Term,
    Text, TextDef, format_number, parse_number,
};
pub use session::{Proposal, Session};
pub use texts::TextError;

/// A member's price: `percent_off` taken off `total` (minor units), the
/// discount rounded half up to a whole minor unit. `None` is no discount.
/// The browser shows it and the server charges it, from this one rule.
pub fn member_price(total: i64, percent_off: Option<u32>) -> i64 {
    match percent_off {
        Some(p) => total - (total * i64::from(p.min(100)) + 50) / 100,
        None => total,
    }
}

#[cfg(test)]
mod member_price_tests {
    use super::member_price;

    #[test]
    fn ten_percent_off_rounds_the_discount_half_up() {
        assert_eq!(member_price(10_000, Some(10)), 9_000);
        assert_eq!(member_price(12_345, Some(10)), 12_345 - 1_235);
        assert_eq!(member_price(12_344, Some(10)), 12_344 - 1_234);
        assert_eq!(member_price(999, None), 999);
        assert_eq!(member_price(500, Some(250)), 0, "never below zero");
    }
}
