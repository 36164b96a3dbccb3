//! Every type that crosses the wire between the web app and the server:
//! request bodies, answers, and the enums for channels, consent and switch
//! states, roles and fit preferences. The server (`tailor-server`) and the
//! browser (`tailor-web`) both use these, so a misspelled field or an
//! unknown state is a compile error on both sides, not a refusal at run
//! time.
//!
//! Depends on serde and the engine's own value types (contact details,
//! texts, fit preference) only; builds for `wasm32-unknown-unknown`. No
//! behaviour lives here beyond naming and parsing.

pub mod kiosk;
pub mod notice;
pub mod orders;
pub mod partners;
pub mod privacy;
pub mod staff;

pub use kiosk::*;
pub use notice::*;
pub use orders::*;
pub use partners::*;
pub use privacy::*;
pub use staff::*;

#[cfg(test)]
mod tests {
    use super::*;

    /// Enums travel as the words the API document names.
    #[test]
    fn enums_are_the_documented_words() {
        let words = |v: &dyn erased::Ser| v.json();
        assert_eq!(words(&Channel::Partner), "\"partner\"");
        assert_eq!(words(&SwitchState::AskAgain), "\"ask-again\"");
        assert_eq!(words(&ChangeState::Withdrawn), "\"withdrawn\"");
        assert_eq!(words(&ConsentState::Renewed), "\"renewed\"");
        assert_eq!(words(&Role::Fulfilment), "\"fulfilment\"");
        assert_eq!(words(&CallState::Answered), "\"answered\"");
        assert_eq!(serde_json::from_str::<SwitchState>("\"on\"").unwrap(), SwitchState::On);
        assert!(serde_json::from_str::<Channel>("\"fax\"").is_err());
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Ok(r));
            assert_eq!(words(&r), format!("\"{}\"", r.as_str()));
        }
        assert!(Role::parse("owner").unwrap_err().contains("fulfilment, support, marketing, store, admin"));
        for s in [ConsentState::Given, ConsentState::Refused, ConsentState::Withdrawn, ConsentState::Renewed, ConsentState::Erased] {
            assert_eq!(ConsentState::parse(s.as_str()), Some(s));
            assert_eq!(words(&s), format!("\"{}\"", s.as_str()));
        }
    }

    /// A new order survives the trip (what the browser sends is what the
    /// server reads), and the server refuses fields it does not know.
    #[test]
    fn a_new_order_round_trips() {
        let order = NewOrder {
            product: "pc".into(),
            catalogue_version: "2026.1".into(),
            code: "ABC".into(),
            price_seen: 1234,
            texts: [("monogram".to_string(), "JD".to_string())].into(),
            contact: Default::default(),
            shipping: Default::default(),
            locale: "zh-CN".into(),
            channel: Channel::Partner,
            partner_id: Some("acme".into()),
            partner_token: Some("v1.1.ab".into()),
        };
        let text = serde_json::to_string(&order).unwrap();
        let back: NewOrder = serde_json::from_str(&text).unwrap();
        assert_eq!(back, order);
        let mut value: serde_json::Value = serde_json::from_str(&text).unwrap();
        value["coupon"] = "FREE".into();
        assert!(serde_json::from_value::<NewOrder>(value).unwrap_err().to_string().contains("coupon"));
        let web: NewOrder = serde_json::from_str(r#"{"product":"pc","catalogue_version":"1","code":"A","price_seen":1,"contact":{"name":"","email":"","phone":""},"shipping":{"line1":"","line2":"","city":"","postcode":"","country":""}}"#).unwrap();
        assert_eq!((web.channel, web.locale.as_str(), web.partner_id), (Channel::Web, "en", None));
    }

    /// The answer to a new order reads back on the browser's side: the
    /// view, its JSON columns as sent, and the token.
    #[test]
    fn a_created_order_reads_back() {
        let text = r#"{"id":"T1","status":"new","product":"pc","catalogue_version":"2026.1","code":"ABC","choices":{"cpu":"i5"},"texts":{},"currency":"EUR","total":129900,"created_at":"2026-11-24T10:00:00Z","contact":{"name":"Ada"},"shipping":{"city":"Berlin"},"locale":"en","channel":"partner","partner_id":"acme","access_token":"secret"}"#;
        let created: Created = serde_json::from_str(text).unwrap();
        assert_eq!((created.order.id.as_str(), created.access_token.as_str(), created.order.channel), ("T1", "secret", Channel::Partner));
        assert_eq!((created.order.choices.get(), created.order.shipping.get()), (r#"{"cpu":"i5"}"#, r#"{"city":"Berlin"}"#));
        let again: serde_json::Value = serde_json::to_value(&created).unwrap();
        assert_eq!(again, serde_json::from_str::<serde_json::Value>(text).unwrap());
        let missing = text.replace(r#","access_token":"secret""#, "");
        assert!(serde_json::from_str::<Created>(&missing).unwrap_err().to_string().contains("access_token"));
    }

    /// The shipped notice is what both sides read: every purpose and the
    /// offer with their texts, the questions, the words.
    #[test]
    fn the_shipped_notice_reads() {
        let notice: NoticeFile = serde_json::from_str(include_str!("../../public/catalogue/privacy.json")).unwrap();
        assert!(notice.purposes.iter().any(|p| !p.optional));
        let marketing = notice.purposes.iter().find(|p| p.id == "marketing").unwrap();
        assert!(!marketing.channels.is_empty() && !marketing.gpc && !marketing.title.en.is_empty());
        assert!(notice.purposes.iter().any(|p| p.gpc));
        let offer = notice.offer.as_ref().unwrap();
        assert!(!offer.purposes.is_empty() && offer.estimate.zh.is_some());
        assert!(notice.questions.iter().all(|q| !q.options.is_empty()));
        for p in &notice.purposes {
            for id in p.data.iter().chain(&p.recipients) {
                assert!(notice.words.contains_key(id), "no words for {id}");
            }
        }
        // What the file may leave out.
        let mut bare: serde_json::Value = serde_json::to_value(&notice).unwrap();
        let file = bare.as_object_mut().unwrap();
        for key in ["offer", "questions", "questions_note", "words"] {
            file.remove(key);
        }
        let bare: NoticeFile = serde_json::from_value(bare).unwrap();
        assert_eq!((bare.offer, bare.questions.len(), bare.words.len()), (None, 0, 0));
    }

    mod erased {
        pub trait Ser {
            fn json(&self) -> String;
        }
        impl<T: serde::Serialize> Ser for T {
            fn json(&self) -> String {
                serde_json::to_string(self).unwrap()
            }
        }
    }
}
