//! Recommendations for a customer of a catalogue product: for each open
//! attribute, the still-available option the shop's customers chose most
//! given the choices so far ([`Recommender`]), sharpened, when the customer
//! allows it, by their own past orders ([`Personal`], built in their
//! browser and never sent anywhere); the reason in words; and "complete the
//! rest as most customers do".

use crate::config::{Choices, Evaluation};
use crate::explain_text::{Word, Wording};
use crate::model::Model;
use crate::recommend::{Context, Learned, LearnedError, Recommender};

/// A customer's own past orders of one product: how often they chose each
/// option.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Personal {
    orders: u32,
    /// Per attribute, per option.
    counts: Vec<Vec<u32>>,
}

impl Personal {
    /// Counts the choices of `orders` (configurations of `model`).
    pub fn from_orders<'a>(model: &Model, orders: impl IntoIterator<Item = &'a Choices>) -> Personal {
        let mut counts: Vec<Vec<u32>> = model.attributes().iter().map(|a| vec![0; a.options.len()]).collect();
        let mut n = 0;
        for choices in orders {
            n += 1;
            for (a, o) in choices.0.iter().enumerate() {
                if let Some(c) = o.and_then(|o| counts.get_mut(a)?.get_mut(o)) {
                    *c += 1;
                }
            }
        }
        Personal { orders: n, counts }
    }

    fn count(&self, attr: usize, option: usize) -> u32 {
        self.counts.get(attr).and_then(|c| c.get(option)).copied().unwrap_or(0)
    }
}

/// Why an option is recommended.
#[derive(Clone, Debug, PartialEq)]
pub enum Reason {
    /// Chosen by this share (0..=1) of the shop's customers who also chose
    /// `with` (an attribute and option), or of all its customers.
    Shop { share: f64, with: Option<(usize, usize)> },
    /// The customer chose it in `times` of their `orders` past orders.
    Yours { times: u32, orders: u32 },
}

/// The recommended option of an open attribute.
#[derive(Clone, Debug, PartialEq)]
pub struct Advice {
    pub option: usize,
    pub reason: Reason,
}

impl Model {
    /// Makes the recommender of this model from learned statistics, which
    /// must be this product's, of this catalogue version.
    pub fn recommender(&self, learned: &Learned) -> Result<Recommender, LearnedError> {
        if learned.model != self.id() || learned.version != self.version() {
            return Err(LearnedError(format!(
                "learned statistics of {} version {}, but the catalogue has {} version {}",
                learned.model,
                learned.version,
                self.id(),
                self.version()
            )));
        }
        Recommender::new(self.problem(), learned)
    }

    /// The recommended option of attribute `attr` among those `eval` says
    /// are available, given the customer's own choices (read into the
    /// shop's context), or `None` when nothing speaks for any.
    fn advise_fixed(&self, shop: Option<(&Recommender, &Context)>, personal: Option<&Personal>, eval: &Evaluation, attr: usize) -> Option<Advice> {
        let valid = &eval.attributes.get(attr)?.available;
        let shop = shop.filter(|(r, _)| r.covers(attr));
        let personal = personal.filter(|p| p.orders > 0);
        let mut ranked: Vec<(u32, f64)> = match shop {
            Some((r, cx)) => r.rank_in(cx, attr, valid),
            None if personal.is_some() => (0..valid.len() as u32).filter(|&o| valid[o as usize]).map(|o| (o, 0.0)).collect(),
            None => return None,
        };
        if let Some(p) = personal {
            // The customer's own habit comes first: what they chose most
            // often before, among the available options, leads; the shop's
            // ranking orders the rest (a stable sort keeps it among ties).
            ranked.sort_by_key(|&(o, _)| std::cmp::Reverse(p.count(attr, o as usize)));
        }
        let (option, _) = *ranked.first()?;
        let times = personal.map_or(0, |p| p.count(attr, option as usize));
        let reason = if let (Some(p), true) = (personal, times > 0) {
            Reason::Yours { times, orders: p.orders }
        } else {
            match shop.and_then(|(r, cx)| r.reason(cx.fixed(), attr, option)) {
                Some((share, with)) => Reason::Shop { share, with: with.map(|(v, x)| (v, x as usize)) },
                // Only the customer's history spoke, and not for this one.
                None => return None,
            }
        };
        Some(Advice { option: option as usize, reason })
    }

    /// The customer's own choices (the attributes in `decided`) as the
    /// evidence recommendations rest on; defaults and earlier completions
    /// are not the customer's word.
    fn evidence(&self, choices: &Choices, decided: &[usize]) -> Choices {
        let mut own = Choices::empty(self);
        for &a in decided {
            if let Some(slot) = own.0.get_mut(a) {
                *slot = choices.0.get(a).copied().flatten();
            }
        }
        own
    }

    /// The shop's context after the customer's own choices `own`, with
    /// what the rules leave of every other attribute after them (`eval`
    /// when it is the evaluation of exactly `own`).
    fn shop_context(&self, shop: &Recommender, own: &Choices, eval: Option<&Evaluation>) -> Context {
        let fresh;
        let eval = match eval {
            Some(eval) => eval,
            None => {
                fresh = self.evaluate(own);
                &fresh
            }
        };
        let valid: Vec<Vec<bool>> = eval.attributes.iter().map(|a| a.available.clone()).collect();
        shop.context_within(&self.fixed(own), &valid)
    }

    /// The advice for every attribute the customer has not decided (not in
    /// `decided`; `None` for decided ones), from their decided choices,
    /// among the options `eval` (of `choices`) says are available.
    pub fn advise(&self, shop: Option<&Recommender>, personal: Option<&Personal>, choices: &Choices, decided: &[usize], eval: &Evaluation) -> Vec<Option<Advice>> {
        let own = self.evidence(choices, decided);
        // `eval` is of `choices`, which may hold more than the customer's word.
        let same = own == *choices;
        let cx = shop.map(|r| self.shop_context(r, &own, same.then_some(eval)));
        let shop = shop.zip(cx.as_ref());
        (0..self.attributes().len()).map(|a| if decided.contains(&a) { None } else { self.advise_fixed(shop, personal, eval, a) }).collect()
    }

    /// "Complete the rest as most customers do": the decided choices are
    /// kept and every other attribute, in order, takes its advice (or its
    /// first available option when nothing speaks for one) among the
    /// options still available after the ones before it. The result is
    /// complete and valid whenever the decided choices can be completed,
    /// since each step takes an option the engine says is available; and
    /// each option taken is the one [`Model::advise`] marks afterwards.
    pub fn complete_as_advised(&self, shop: Option<&Recommender>, personal: Option<&Personal>, choices: &Choices, decided: &[usize]) -> Choices {
        let own = self.evidence(choices, decided);
        let cx = shop.map(|r| self.shop_context(r, &own, None));
        let shop = shop.zip(cx.as_ref());
        let mut out = Choices::empty(self);
        for &a in decided {
            out.0[a] = choices.0[a];
        }
        for a in 0..self.attributes().len() {
            if out.0[a].is_some() {
                continue;
            }
            let eval = self.evaluate(&out);
            out.0[a] = self.advise_fixed(shop, personal, &eval, a).map(|x| x.option).or_else(|| eval.attributes[a].available.iter().position(|&v| v));
        }
        out
    }

    /// The reason in words: "Chosen by 62% of customers who also chose
    /// Motherboard: B650." or "You chose it in 2 of your 3 orders."
    pub fn advice_text(&self, advice: &Advice, w: &impl Wording) -> String {
        match &advice.reason {
            Reason::Shop { share, with } => {
                let percent = format!("{}%", w.number((share * 100.0).round(), 0));
                match with {
                    Some((a, o)) => {
                        let at = &self.attributes()[*a];
                        let choice = format!("{}: {}", at.label.get(w.lang()), at.options[*o].label.get(w.lang()));
                        w.word(Word::ChosenWith).replace("{share}", &percent).replace("{choice}", &choice)
                    }
                    None => w.word(Word::ChosenByAll).replace("{share}", &percent),
                }
            }
            Reason::Yours { times, orders } => w.word(Word::ChosenByYou).replace("{times}", &w.number(*times as f64, 0)).replace("{orders}", &w.number(*orders as f64, 0)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bench::{Rng, random_choices};

    struct En;
    impl Wording for En {
        fn lang(&self) -> &str {
            "en"
        }
        fn word(&self, word: Word) -> &str {
            match word {
                Word::ChosenWith => "Chosen by {share} of customers who also chose {choice}.",
                Word::ChosenByAll => "Chosen by {share} of customers.",
                Word::ChosenByYou => "You chose it in {times} of your {orders} orders.",
                _ => "",
            }
        }
        fn number(&self, value: f64, decimals: u32) -> String {
            format!("{value:.*}", decimals as usize)
        }
        fn money(&self, minor: i64) -> String {
            minor.to_string()
        }
    }

    fn model(file: &str) -> Model {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../public/catalogue").join(file);
        Model::from_json(file, &std::fs::read_to_string(path).unwrap()).unwrap()
    }

    fn shop(m: &Model, orders: &[Choices], k: u32) -> Recommender {
        m.recommender(&Learned::from_orders(m, orders, k)).unwrap()
    }

    /// Over random sessions of every shipped product, with statistics
    /// learned from random orders and a random personal history, each
    /// advice is an available option of an undecided attribute; completing
    /// as advised keeps the decided choices and gives a complete, valid
    /// configuration whose every other option is the one then advised.
    #[test]
    fn advice_is_always_available_and_completing_gives_a_valid_order() {
        for file in ["pc-starter.json", "pc.json", "jeans.json"] {
            let m = model(file);
            let mut rng = Rng::new(3);
            let orders: Vec<Choices> = (0..300).map(|_| random_choices(&m, &mut rng)).collect();
            let r = shop(&m, &orders, 1);
            let mine = Personal::from_orders(&m, &orders[..3]);
            for round in 0..40 {
                let personal = (round % 2 == 0).then_some(&mine);
                // A configuration (defaults or random) of which some
                // attributes were the customer's own choices.
                let choices = if round % 4 < 2 { Choices::defaults(&m) } else { random_choices(&m, &mut rng) };
                let mut decided: Vec<usize> = (0..m.attributes().len()).collect();
                rng.shuffle(&mut decided);
                decided.truncate(rng.below(decided.len() + 1));
                let eval = m.evaluate(&choices);
                for (a, advice) in m.advise(Some(&r), personal, &choices, &decided, &eval).iter().enumerate() {
                    if let Some(x) = advice {
                        assert!(!decided.contains(&a) && eval.attributes[a].available[x.option], "{file}: {a} {x:?}");
                        assert!(!m.advice_text(x, &En).is_empty());
                    }
                }
                let done = m.complete_as_advised(Some(&r), personal, &choices, &decided);
                assert!(m.quote(&done).is_ok(), "{file}: completing {choices:?} gave {done:?}");
                assert!(decided.iter().all(|&a| done.0[a] == choices.0[a]), "decided choices are kept");
                let after = m.advise(Some(&r), personal, &done, &decided, &m.evaluate(&done));
                for (a, x) in after.iter().enumerate() {
                    if let Some(x) = x {
                        assert_eq!(done.0[a], Some(x.option), "{file}: the completion took what is advised for {a}");
                    }
                }
            }
        }
    }

    #[test]
    fn the_advice_follows_the_shop_then_the_customers_own_orders() {
        let m = model("pc-starter.json");
        let mut rng = Rng::new(11);
        let orders: Vec<Choices> = (0..400).map(|_| random_choices(&m, &mut rng)).collect();
        let r = shop(&m, &orders, 5);
        let empty = Choices::empty(&m);
        let eval = m.evaluate(&empty);
        let a = (0..m.attributes().len()).find(|&a| eval.attributes[a].available.iter().filter(|&&v| v).count() >= 2).unwrap();
        let advise = |p: Option<&Personal>| m.advise(Some(&r), p, &empty, &[], &eval)[a].clone();
        let by_shop = advise(None).unwrap();
        let Reason::Shop { share, with: None } = by_shop.reason else { panic!("{by_shop:?}") };
        let most = orders.iter().filter(|c| c.0[a] == Some(by_shop.option)).count() as f64 / orders.len() as f64;
        assert!((share - most).abs() < 1e-9, "the share is the shop's: {share} {most}");
        // A customer who always took another available option gets it,
        // with their own reason; nothing personal when they have no orders.
        let other = (0..eval.attributes[a].available.len()).find(|&o| o != by_shop.option && eval.attributes[a].available[o]).unwrap();
        let mine: Vec<Choices> = orders.iter().filter(|c| c.0[a] == Some(other)).take(2).cloned().collect();
        assert_eq!(mine.len(), 2);
        let personal = Personal::from_orders(&m, &mine);
        let sharpened = advise(Some(&personal)).unwrap();
        assert_eq!(sharpened, Advice { option: other, reason: Reason::Yours { times: 2, orders: 2 } });
        assert_eq!(m.advice_text(&sharpened, &En), "You chose it in 2 of your 2 orders.");
        assert_eq!(advise(Some(&Personal::default())).unwrap(), by_shop);
        // A decided attribute gets no advice, and its choice is evidence.
        let mut chosen = empty.clone();
        chosen.0[a] = Some(other);
        assert!(m.advise(Some(&r), None, &chosen, &[a], &m.evaluate(&chosen))[a].is_none());
        // A new shop recommends nothing, and completing still works.
        let none = shop(&m, &[], 5);
        assert!(m.advise(Some(&none), None, &empty, &[], &eval).iter().all(Option::is_none));
        assert!(m.quote(&m.complete_as_advised(Some(&none), None, &empty, &[])).is_ok());
        // Statistics of another product or version are refused.
        let mut stale = Learned::from_orders(&m, &orders, 5);
        stale.version = "0-old".into();
        assert!(m.recommender(&stale).unwrap_err().0.contains("version 0-old"));
    }

    #[test]
    fn the_reason_names_the_choice_that_speaks_for_the_option() {
        let m = model("pc-starter.json");
        let advice = Advice { option: 0, reason: Reason::Shop { share: 0.624, with: Some((0, 0)) } };
        let at = &m.attributes()[0];
        assert_eq!(m.advice_text(&advice, &En), format!("Chosen by 62% of customers who also chose {}: {}.", at.label.get("en"), at.options[0].label.get("en")));
        let all = Advice { option: 0, reason: Reason::Shop { share: 0.5, with: None } };
        assert_eq!(m.advice_text(&all, &En), "Chosen by 50% of customers.");
    }
}
