//! Placing the order, as plain values the review form wires to its signals:
//! the stages, the body sent to the server, its idempotency key, and what
//! the server's answer (or no answer at all) leads to.

use tailor_api::{Channel, NewOrder, Placed};
use tailor_engine::contact::{Contact, Shipping};
use tailor_engine::{Model, Session};

use crate::api::ApiError;

/// Where the configurator is, from choosing to a placed order.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Stage {
    Configure,
    Review,
    Sending,
    /// Made offline: waiting in this browser's outbox under its key.
    Queued(String),
    Placed(String),
}

/// Where an order is made: its channel, and in a partner's frame the
/// partner and the embed token its page gave.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Placement {
    pub channel: Channel,
    pub partner_id: Option<String>,
    pub partner_token: Option<String>,
}

/// Where an order is made, from the partner whose frame it is made in (its
/// id and token): in a partner's frame the order is the partner's,
/// whatever else; else a kiosk's, else the web's.
pub(super) fn channel(partner: Option<(String, Option<String>)>, kiosk: bool) -> Placement {
    match partner {
        Some((id, token)) => Placement { channel: Channel::Partner, partner_id: Some(id), partner_token: token },
        None => Placement { channel: if kiosk { Channel::Kiosk } else { Channel::Web }, partner_id: None, partner_token: None },
    }
}

/// The order of the session's configuration, the body of
/// `POST /api/orders`: the price the customer sees (a member's price when
/// `member_percent` is given), its free texts and where it is made (from
/// [`channel`]). `None` when the engine does not quote the configuration
/// (incomplete, or breaking a rule).
pub(super) fn order_body(
    model: &Model,
    session: &Session,
    contact: Contact,
    shipping: Shipping,
    member_percent: Option<u32>,
    locale: &str,
    placement: Placement,
) -> Option<NewOrder> {
    let quote = model.quote(session.choices()).ok()?;
    Some(NewOrder {
        product: model.id().to_string(),
        catalogue_version: model.version().to_string(),
        code: model.encode(session.choices()),
        price_seen: tailor_engine::member_price(quote.total, member_percent),
        texts: session.texts().clone(),
        contact,
        shipping,
        locale: locale.to_string(),
        channel: placement.channel,
        partner_id: placement.partner_id,
        partner_token: placement.partner_token,
    })
}

/// The body as JSON and the idempotency key to send it with: the key of
/// `last_sent` when the body is the same (a retry after a lost answer, so
/// the server makes one order), otherwise a fresh one from `new_key`.
pub(super) fn to_send(body: &NewOrder, last_sent: Option<(String, String)>, new_key: impl FnOnce() -> String) -> Option<(String, String)> {
    let json = serde_json::to_string(body).ok()?;
    let key = match last_sent {
        Some((sent, key)) if sent == json => key,
        _ => new_key(),
    };
    Some((json, key))
}

/// What the answer to the order leads to.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Outcome {
    /// Placed: keep its access token (for the status page) and confirm it.
    Placed { id: String, access_token: String },
    /// No network at all (not just a lost answer): keep it in the outbox,
    /// to be sent when the network is back.
    Queued,
    /// Refused or failed: the form again, with the reason.
    Failed(String),
}

/// The outcome of an answer. Only a browser that knows it is offline
/// queues the order, and never a kiosk (its customer does not come back).
pub(super) fn outcome(answer: Result<Placed, ApiError>, kiosk: bool, online: bool) -> Outcome {
    match answer {
        Ok(placed) => Outcome::Placed { id: placed.id, access_token: placed.access_token },
        Err(e) if e.status == 0 && !kiosk && !online => Outcome::Queued,
        Err(e) => Outcome::Failed(e.message),
    }
}

impl Outcome {
    /// The stage it leads to; `key` is the order's idempotency key.
    pub(super) fn stage(&self, key: &str) -> Stage {
        match self {
            Outcome::Placed { id, .. } => Stage::Placed(id.clone()),
            Outcome::Queued => Stage::Queued(key.to_string()),
            Outcome::Failed(_) => Stage::Review,
        }
    }
}

/// What became of an order queued in the outbox.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Settled {
    /// Sent: the order's id.
    Placed(String),
    /// Refused by the server: the reason.
    Refused(String),
}

/// What became of the order queued under `key`, once the outbox has sent
/// it (`sent`: key and order id) or the server refused it (`refused`: key
/// and reason); `None` while it waits.
pub(super) fn settled(key: &str, sent: &[(String, String)], refused: &[(String, String)]) -> Option<Settled> {
    if let Some((_, id)) = sent.iter().find(|(k, _)| k == key) {
        Some(Settled::Placed(id.clone()))
    } else {
        refused.iter().find(|(k, _)| k == key).map(|(_, reason)| Settled::Refused(reason.clone()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tailor_engine::Choices;

    fn model() -> Model {
        Model::from_json("pc-starter.json", include_str!("../../../public/catalogue/pc-starter.json")).unwrap()
    }

    fn details() -> (Contact, Shipping) {
        (
            Contact { name: "Ada Lovelace".into(), email: "ada@example.com".into(), phone: String::new() },
            Shipping { line1: "1 Main St".into(), line2: String::new(), city: "Berlin".into(), postcode: "10115".into(), country: "DE".into() },
        )
    }

    fn body(model: &Model, session: &Session, member: Option<u32>, channel: Placement) -> Option<NewOrder> {
        let (contact, shipping) = details();
        order_body(model, session, contact, shipping, member, "zh-CN", channel)
    }

    fn web() -> Placement {
        channel(None, false)
    }

    fn json(order: &NewOrder) -> serde_json::Value {
        serde_json::to_value(order).unwrap()
    }

    #[test]
    fn the_body_carries_the_configuration_and_the_price_the_customer_sees() {
        let m = model();
        let session = Session::new(&m);
        let total = m.quote(session.choices()).expect("the defaults can be ordered").total;
        let order = json(&body(&m, &session, None, web()).unwrap());
        assert_eq!(order["product"], m.id());
        assert_eq!(order["catalogue_version"], m.version());
        assert_eq!(order["code"], m.encode(session.choices()));
        assert_eq!(m.decode(order["code"].as_str().unwrap()).unwrap(), *session.choices());
        assert_eq!(order["price_seen"], total);
        assert_eq!(order["locale"], "zh-CN");
        assert_eq!(order["contact"]["email"], "ada@example.com");
        assert_eq!(order["shipping"]["city"], "Berlin");
        assert_eq!(order["texts"], serde_json::Value::Object(Default::default()));
        // A member sees (and is charged) the member's price.
        let member = json(&body(&m, &session, Some(10), web()).unwrap());
        assert_eq!(member["price_seen"], tailor_engine::member_price(total, Some(10)));
        assert_ne!(member["price_seen"], total);
    }

    #[test]
    fn a_configuration_the_engine_does_not_quote_is_not_sent() {
        let m = model();
        let open = Session::from_choices(Choices::empty(&m));
        assert!(m.quote(open.choices()).is_err());
        assert!(body(&m, &open, None, web()).is_none());
    }

    #[test]
    fn the_channel_is_the_partner_in_its_frame_then_the_kiosk_then_the_web() {
        let p1 = || Some(("p1".to_string(), Some("v1.9.ab".to_string())));
        let partner = Placement { channel: Channel::Partner, partner_id: Some("p1".into()), partner_token: Some("v1.9.ab".into()) };
        assert_eq!(channel(p1(), true), partner);
        assert_eq!(channel(p1(), false), partner);
        assert_eq!(channel(None, true).channel, Channel::Kiosk);
        assert_eq!(channel(None, false), Placement { channel: Channel::Web, partner_id: None, partner_token: None });
        let m = model();
        let session = Session::new(&m);
        let sent = |partner, kiosk| json(&body(&m, &session, None, channel(partner, kiosk)).unwrap());
        let partner = sent(p1(), true);
        assert_eq!((&partner["channel"], &partner["partner_id"], &partner["partner_token"]), (&"partner".into(), &"p1".into(), &"v1.9.ab".into()));
        for (kiosk, name) in [(true, "kiosk"), (false, "web")] {
            let order = sent(None, kiosk);
            assert_eq!(order["channel"], name);
            assert!(order.get("partner_id").is_none() && order.get("partner_token").is_none(), "no partner outside a frame: {order}");
        }
    }

    #[test]
    fn the_same_body_sent_again_keeps_its_key() {
        let m = model();
        let session = Session::new(&m);
        let order = body(&m, &session, None, web()).unwrap();
        let (json, key) = to_send(&order, None, || "k1".into()).unwrap();
        assert_eq!(key, "k1");
        assert_eq!(serde_json::from_str::<serde_json::Value>(&json).unwrap(), serde_json::to_value(&order).unwrap());
        let again = to_send(&order, Some((json.clone(), key.clone())), || panic!("a retry needs no new key")).unwrap();
        assert_eq!(again, (json.clone(), key));
        // Changed details are a new order: a new key.
        let (mut contact, shipping) = details();
        contact.name = "Grace Hopper".into();
        let changed = order_body(&m, &session, contact, shipping, None, "zh-CN", web()).unwrap();
        let (changed_json, changed_key) = to_send(&changed, Some((json, "k1".into())), || "k2".into()).unwrap();
        assert_eq!(changed_key, "k2");
        assert!(changed_json.contains("Grace Hopper"));
    }

    /// The server's answer to a new order.
    const CREATED: &str = r#"{"id": "T1", "status": "new", "product": "pc", "catalogue_version": "1", "code": "1abc",
        "choices": {"case": "tower"}, "texts": {}, "currency": "EUR", "total": 129900, "created_at": "2026-11-24T10:00:00Z",
        "contact": {"name": "Ada Lovelace", "email": "ada@example.com"}, "shipping": {"line1": "1 Main St", "city": "Berlin", "postcode": "10115", "country": "DE"},
        "locale": "en", "channel": "web", "access_token": "secret"}"#;

    fn failure(status: u16, message: &str) -> Result<Placed, ApiError> {
        Err(ApiError { status, message: message.into(), kind: String::new() })
    }

    #[test]
    fn an_answer_places_the_order_no_network_queues_it_anything_else_is_shown() {
        let created: Placed = serde_json::from_str(CREATED).unwrap();
        let placed = outcome(Ok(created), false, true);
        assert_eq!(placed, Outcome::Placed { id: "T1".into(), access_token: "secret".into() });
        assert_eq!(placed.stage("key"), Stage::Placed("T1".into()));
        // No answer and no network: kept for later, under its key.
        let queued = outcome(failure(0, "network error"), false, false);
        assert_eq!(queued, Outcome::Queued);
        assert_eq!(queued.stage("key"), Stage::Queued("key".into()));
        // No answer although online (a lost answer): shown, so the customer
        // can send it again with the same key.
        assert_eq!(outcome(failure(0, "network error"), false, true), Outcome::Failed("network error".into()));
        // A kiosk never keeps an order for later.
        assert_eq!(outcome(failure(0, "network error"), true, false), Outcome::Failed("network error".into()));
        // The server's refusal is shown, online or not.
        for online in [true, false] {
            let refused = outcome(failure(422, "the price has changed"), false, online);
            assert_eq!(refused, Outcome::Failed("the price has changed".into()));
            assert_eq!(refused.stage("key"), Stage::Review);
        }
    }

    #[test]
    fn a_queued_order_is_settled_by_its_own_key() {
        let pair = |k: &str, v: &str| (k.to_string(), v.to_string());
        let sent = [pair("other", "T0"), pair("key", "T1")];
        let refused = [pair("else", "no"), pair("key", "sold out")];
        assert_eq!(settled("key", &sent, &[]), Some(Settled::Placed("T1".into())));
        assert_eq!(settled("key", &[], &refused), Some(Settled::Refused("sold out".into())));
        assert_eq!(settled("key", &sent[..1], &refused[..1]), None);
        assert_eq!(settled("key", &[], &[]), None);
        // Sent wins: the order exists.
        assert_eq!(settled("key", &sent, &refused), Some(Settled::Placed("T1".into())));
    }
}
