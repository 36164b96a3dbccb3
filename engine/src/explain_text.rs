//! The sentences a customer reads about a configuration, composed from the
//! engine's answers: why an option is unavailable, what choosing it anyway
//! gives up, price effects and the price range, a gauge's reading, the size
//! recommendation and its reason, and what is wrong with a free text.
//!
//! The model's own words (labels, rule messages) are read in the customer's
//! language here. The portal's fixed words, and numbers and money in the
//! customer's format, come from the app through [`Wording`], so no
//! translation table or formatting library is part of the engine.

use std::collections::BTreeMap;

use crate::config::{Choices, Evaluation, Explanation};
use crate::fit::{CM_PER_INCH, Implausible, Measurements, Preference, Recommendation};
use crate::model::{Meter, Model};
use crate::texts::TextError;

/// A fixed word or phrase of the portal that these sentences use; the app
/// translates it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Word {
    /// "Not available with your other choices"
    Unavailable,
    /// "Because you chose"
    Because,
    /// A price effect of zero: "included".
    Included,
    /// "Depending on the remaining choices"
    PriceRange,
    /// A gauge within its capacity: "fits".
    Fits,
    /// "over by"
    OverBy,
    /// A gauge with parts still open: "so far; some parts are still open".
    NotYetKnown,
    /// "Waist", "Inseam" at the start of a recommendation's reason.
    Waist,
    Inseam,
    /// "with" ... "ease"
    WithEase,
    Ease,
    /// The fit preferences.
    Slim,
    Regular,
    Relaxed,
    /// "Please check your measurements:"
    CheckMeasure,
    /// "should be between"
    Outside,
    /// A measurement named in a plausibility problem ("waist", ...).
    ImplausibleWaist,
    ImplausibleHip,
    ImplausibleInseam,
    ImplausibleRise,
    ImplausibleThigh,
    /// A free text longer than allowed: "This is too long."
    ErrTooLong,
    /// A free text with a character that cannot be used.
    ErrChars,
    /// A recommendation's reason, with `{share}` (a percentage) and
    /// `{choice}` ("Motherboard: B650") in the places the language puts
    /// them: "Chosen by {share} of customers who also chose {choice}."
    ChosenWith,
    /// "Chosen by {share} of customers."
    ChosenByAll,
    /// From the customer's own orders: "You chose it in {times} of your
    /// {orders} orders."
    ChosenByYou,
}

impl Word {
    /// Every word, for the app to check it translates each one.
    pub const ALL: [Word; 26] = [
        Word::Unavailable,
        Word::Because,
        Word::Included,
        Word::PriceRange,
        Word::Fits,
        Word::OverBy,
        Word::NotYetKnown,
        Word::Waist,
        Word::Inseam,
        Word::WithEase,
        Word::Ease,
        Word::Slim,
        Word::Regular,
        Word::Relaxed,
        Word::CheckMeasure,
        Word::Outside,
        Word::ImplausibleWaist,
        Word::ImplausibleHip,
        Word::ImplausibleInseam,
        Word::ImplausibleRise,
        Word::ImplausibleThigh,
        Word::ErrTooLong,
        Word::ErrChars,
        Word::ChosenWith,
        Word::ChosenByAll,
        Word::ChosenByYou,
    ];
}

/// What the app supplies for one customer: their language, the portal's
/// words in it, and numbers and money in their format.
pub trait Wording {
    /// The key of model texts (`"en"`, `"zh"`; see `Text::get`).
    fn lang(&self) -> &str;
    fn word(&self, word: Word) -> &str;
    /// `value` with exactly `decimals` decimals.
    fn number(&self, value: f64, decimals: u32) -> String;
    /// An amount in minor units of the model's currency.
    fn money(&self, minor: i64) -> String;
}

/// An option's price effect: "included" for zero, a plus sign before a
/// surcharge, a discount as the (negative) amount.
pub fn price_effect(amount: i64, w: &impl Wording) -> String {
    if amount == 0 {
        w.word(Word::Included).to_string()
    } else if amount > 0 {
        format!("+{}", w.money(amount))
    } else {
        w.money(amount)
    }
}

/// While the configuration is incomplete: the cheapest and dearest valid
/// product keeping every choice ("Depending on the remaining choices: a – b").
pub fn price_range(eval: &Evaluation, w: &impl Wording) -> Option<String> {
    match (eval.complete, eval.total_min, eval.total_max) {
        (false, Some(lo), Some(hi)) => Some(format!("{}: {} – {}", w.word(Word::PriceRange), w.money(lo), w.money(hi))),
        _ => None,
    }
}

/// The problems found in measurements, each with its plausible range in the
/// unit the customer typed (whole numbers): "Please check your measurements:
/// waist should be between 18–67 in; ...".
pub fn implausible_text(problems: &[Implausible], inches: bool, w: &impl Wording) -> String {
    let (factor, unit) = if inches { (CM_PER_INCH, "in") } else { (1.0, "cm") };
    let list: Vec<String> = problems
        .iter()
        .map(|p| {
            let field = match p.field {
                "waist" => Word::ImplausibleWaist,
                "hip" => Word::ImplausibleHip,
                "inseam" => Word::ImplausibleInseam,
                "rise" => Word::ImplausibleRise,
                _ => Word::ImplausibleThigh,
            };
            format!("{} {} {}–{} {unit}", w.word(field), w.word(Word::Outside), w.number(p.min_cm / factor, 0), w.number(p.max_cm / factor, 0))
        })
        .collect();
    format!("{} {}", w.word(Word::CheckMeasure), list.join("; "))
}

impl Meter {
    /// The gauge in words: the reading ("350 W / 600 W") and its state
    /// ("✓ fits", "✗ over by 50 W", or that parts are still open). Whole
    /// values are shown without decimals, others with one.
    pub fn reading(&self, w: &impl Wording) -> (String, String) {
        let unit = if self.unit.is_empty() { String::new() } else { format!(" {}", self.unit) };
        let places = |x: f64| if x.fract() == 0.0 { 0 } else { 1 };
        let state = if !self.known {
            w.word(Word::NotYetKnown).to_string()
        } else if self.fits() {
            format!("✓ {}", w.word(Word::Fits))
        } else {
            let over = self.load - self.capacity;
            format!("✗ {} {}{unit}", w.word(Word::OverBy), w.number(over, places(over)))
        };
        let text = format!("{}{unit} / {}{unit}", w.number(self.load, places(self.load)), w.number(self.capacity, places(self.capacity)));
        (text, state)
    }
}

impl Model {
    /// A current choice in words: "Motherboard: B650" (the option left empty
    /// while the attribute is open).
    pub fn choice_label(&self, choices: &Choices, attr: usize, lang: &str) -> String {
        let at = &self.attributes()[attr];
        let chosen = choices.0[attr].map(|o| at.options[o].label.get(lang).to_string()).unwrap_or_default();
        format!("{}: {}", at.label.get(lang), chosen)
    }

    /// Why an option is unavailable: "Not available with your other
    /// choices. Because you chose A: x, B: y. " and the rules' messages.
    pub fn unavailable_text(&self, choices: &Choices, explanation: &Explanation, w: &impl Wording) -> String {
        let lang = w.lang();
        let because: Vec<String> = explanation.because.iter().map(|&b| self.choice_label(choices, b, lang)).collect();
        let rules: Vec<&str> = explanation.rules.iter().map(|&r| self.def().rules[r].message.get(lang)).collect();
        let mut text = format!("{}. ", w.word(Word::Unavailable));
        if !because.is_empty() {
            text.push_str(&format!("{} {}. ", w.word(Word::Because), because.join(", ")));
        }
        text.push_str(&rules.join(" "));
        text
    }

    /// What choosing an unavailable option anyway clears, one current choice
    /// each ("Power supply: Corsair RM750e"); empty when nothing makes the
    /// option possible.
    pub fn give_up_labels(&self, choices: &Choices, explanation: &Explanation, lang: &str) -> Vec<String> {
        explanation.give_up.iter().flatten().map(|&a| self.choice_label(choices, a, lang)).collect()
    }

    /// An option as one line of a list: its name, its price effect unless
    /// it costs nothing extra, and "(Not available ...)" when unavailable.
    pub fn option_line(&self, attr: usize, option: usize, available: bool, w: &impl Wording) -> String {
        let opt = &self.attributes()[attr].options[option];
        let effect = if opt.price == 0 { String::new() } else { format!(" {}", price_effect(opt.price, w)) };
        let mark = if available { String::new() } else { format!(" ({})", w.word(Word::Unavailable)) };
        format!("{}{effect}{mark}", opt.label.get(w.lang()))
    }

    /// The reason for a recommendation, in numbers: "Waist 81.3 cm with
    /// Regular ease (+3.0 cm) → 84/98 (84.0 cm); Inseam 81.0 cm".
    pub fn fit_text(&self, m: &Measurements, preference: Preference, r: &Recommendation, w: &impl Wording) -> String {
        let size_label = self
            .def()
            .fit
            .as_ref()
            .and_then(|f| self.attribute(&f.size))
            .map(|a| self.attributes()[a].options[r.size].label.get(w.lang()).to_string())
            .unwrap_or_default();
        let preference = w.word(match preference {
            Preference::Slim => Word::Slim,
            Preference::Regular => Word::Regular,
            Preference::Relaxed => Word::Relaxed,
        });
        format!(
            "{} {} cm {} {} {} (+{} cm) → {} ({} cm); {} {} cm",
            w.word(Word::Waist),
            w.number(m.waist_cm, 1),
            w.word(Word::WithEase),
            preference,
            w.word(Word::Ease),
            w.number(r.ease_cm, 1),
            size_label,
            w.number(r.size_waist_cm, 1),
            w.word(Word::Inseam),
            w.number(r.inseam_cm, 1)
        )
    }

    /// What is wrong with free text `id` while it is typed: too long (with
    /// the count, "This is too long. (13/12)"), else a character that cannot
    /// be used. An empty text is not an error yet (the order form says so).
    pub fn text_problem(&self, choices: &Choices, id: &str, value: &str, w: &impl Wording) -> Option<String> {
        let texts = BTreeMap::from([(id.to_string(), value.to_string())]);
        let errors = self.check_texts(choices, &texts).err()?;
        errors.into_iter().find_map(|e| match e {
            TextError::TooLong { text, max, found } if text == id => Some(format!("{} ({found}/{max})", w.word(Word::ErrTooLong))),
            TextError::BadCharacter { text, .. } if text == id => Some(w.word(Word::ErrChars).to_string()),
            _ => None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::Session;

    /// Words as their names, numbers with a point, money as cents.
    struct Plain(&'static str);

    impl Wording for Plain {
        fn lang(&self) -> &str {
            self.0
        }
        fn word(&self, word: Word) -> &str {
            match word {
                Word::Unavailable => "UNAVAILABLE",
                Word::Because => "BECAUSE",
                Word::Included => "INCLUDED",
                Word::PriceRange => "RANGE",
                Word::Fits => "FITS",
                Word::OverBy => "OVER",
                Word::NotYetKnown => "SO-FAR",
                Word::Waist => "WAIST",
                Word::Inseam => "INSEAM",
                Word::WithEase => "WITH",
                Word::Ease => "EASE",
                Word::Slim => "SLIM",
                Word::Regular => "REGULAR",
                Word::Relaxed => "RELAXED",
                Word::CheckMeasure => "CHECK",
                Word::Outside => "BETWEEN",
                Word::ImplausibleWaist => "waist",
                Word::ImplausibleHip => "hip",
                Word::ImplausibleInseam => "inseam",
                Word::ImplausibleRise => "rise",
                Word::ImplausibleThigh => "thigh",
                Word::ErrTooLong => "TOO-LONG",
                Word::ErrChars => "BAD-CHARS",
                Word::ChosenWith => "{share} WITH {choice}",
                Word::ChosenByAll => "{share} OF ALL",
                Word::ChosenByYou => "{times} OF {orders}",
            }
        }
        fn number(&self, value: f64, decimals: u32) -> String {
            format!("{value:.*}", decimals as usize)
        }
        fn money(&self, minor: i64) -> String {
            format!("{minor}c")
        }
    }

    const EN: Plain = Plain("en");

    /// A mug: the cork lid needs the large size, the engraving costs extra,
    /// a tray has a weight gauge; sizes carry a waist grid for the fit.
    fn mug() -> Model {
        let json = r#"{
          "format": "tailor-model/1", "id": "mug", "version": "1", "currency": "EUR",
          "name": {"en": "Mug"}, "base_price": 500,
          "attributes": [
            {"id": "size", "label": {"en": "Size", "zh": "尺寸"}, "options": [
              {"id": "s", "label": {"en": "Small", "zh": "小"}, "properties": {"waist": 70, "hip": 100}},
              {"id": "l", "label": {"en": "Large", "zh": "大"}, "price": 200, "properties": {"waist": 80, "hip": 110}}]},
            {"id": "colour", "label": {"en": "Colour"}, "options": [
              {"id": "white", "label": {"en": "White"}},
              {"id": "black", "label": {"en": "Black"}, "price": -50}]},
            {"id": "lid", "label": {"en": "Lid", "zh": "盖子"}, "options": [
              {"id": "none", "label": {"en": "None"}},
              {"id": "cork", "label": {"en": "Cork", "zh": "软木"}, "price": 150}]},
            {"id": "length", "label": {"en": "Length"}, "options": [
              {"id": "80", "label": {"en": "80"}, "properties": {"cm": 80}},
              {"id": "85", "label": {"en": "85"}, "properties": {"cm": 85}}]},
            {"id": "engraving", "label": {"en": "Engraving"}, "options": [
              {"id": "no", "label": {"en": "No"}},
              {"id": "yes", "label": {"en": "Yes"}, "price": 900}]}],
          "rules": [
            {"id": "cork-large", "kind": "requires",
             "if": {"attribute": "lid", "options": ["cork"]},
             "then": {"attribute": "size", "options": ["l"]},
             "message": {"en": "The cork lid fits the large mug only.", "zh": "软木盖只适合大杯。"}},
            {"id": "black-no-cork", "kind": "excludes",
             "if": {"attribute": "colour", "options": ["black"]},
             "then": {"attribute": "lid", "options": ["cork"]},
             "message": {"en": "No cork on black.", "zh": "黑色无软木。"}}],
          "texts": [{"id": "words", "label": {"en": "Words"}, "max_length": 12,
             "when": {"attribute": "engraving", "options": ["yes"]}}],
          "fit": {"size": "size", "waist_property": "waist", "hip_property": "hip",
             "inseam": "length", "inseam_property": "cm", "ease_cm": {"slim": 0, "regular": 2.5, "relaxed": 5}}
        }"#;
        Model::from_json("mug.json", json).unwrap()
    }

    fn chosen(m: &Model, ids: &[(&str, &str)]) -> Choices {
        let mut c = Choices::empty(m);
        for (a, o) in ids {
            let a = m.attribute(a).unwrap();
            c.0[a] = m.option(a, o);
        }
        c
    }

    #[test]
    fn an_unavailable_option_names_the_choices_and_rules_that_exclude_it() {
        let m = mug();
        let (size, lid) = (m.attribute("size").unwrap(), m.attribute("lid").unwrap());
        let cork = m.option(lid, "cork").unwrap();
        let choices = chosen(&m, &[("size", "s")]);
        let ex = m.explain(&choices, &[size], lid, cork);
        assert!(!ex.because.is_empty() && !ex.rules.is_empty(), "{ex:?}");
        for lang in ["en", "zh"] {
            let w = Plain(lang);
            let text = m.unavailable_text(&choices, &ex, &w);
            let because: Vec<String> = ex
                .because
                .iter()
                .map(|&b| format!("{}: {}", m.attributes()[b].label.get(lang), m.attributes()[b].options[choices.0[b].unwrap()].label.get(lang)))
                .collect();
            let rules: Vec<&str> = ex.rules.iter().map(|&r| m.def().rules[r].message.get(lang)).collect();
            assert_eq!(text, format!("UNAVAILABLE. BECAUSE {}. {}", because.join(", "), rules.join(" ")));
        }
        // Chinese where the model has it.
        assert!(m.unavailable_text(&choices, &ex, &Plain("zh")).contains("尺寸: 小"));
        // Nothing chosen to blame: no "because" part.
        let alone = Explanation { because: vec![], rules: ex.rules.clone(), give_up: None };
        assert_eq!(m.unavailable_text(&choices, &alone, &EN), format!("UNAVAILABLE. {}", m.def().rules[ex.rules[0]].message.en));
    }

    #[test]
    fn choosing_anyway_lists_what_it_clears() {
        let m = mug();
        let (size, colour, lid) = (m.attribute("size").unwrap(), m.attribute("colour").unwrap(), m.attribute("lid").unwrap());
        let cork = m.option(lid, "cork").unwrap();
        let mut session = Session::from_choices(Choices::empty(&m));
        session.choose(&m, size, m.option(size, "s").unwrap()).unwrap();
        session.choose(&m, colour, m.option(colour, "black").unwrap()).unwrap();
        let proposal = session.choose(&m, lid, cork).unwrap_err();
        let give_up = proposal.explanation.give_up.clone().unwrap();
        assert!(give_up.len() >= 2, "both the size and the colour exclude the cork: {give_up:?}");
        let labels = m.give_up_labels(session.choices(), &proposal.explanation, "en");
        let expected: Vec<String> = give_up.iter().map(|&a| m.choice_label(session.choices(), a, "en")).collect();
        assert_eq!(labels, expected);
        let impossible = Explanation { give_up: None, ..proposal.explanation };
        assert!(m.give_up_labels(session.choices(), &impossible, "en").is_empty());
        // An open attribute is named with an empty choice.
        assert_eq!(m.choice_label(&Choices::empty(&m), lid, "zh"), "盖子: ");
    }

    #[test]
    fn price_effects_and_option_lines() {
        let m = mug();
        assert_eq!(price_effect(0, &EN), "INCLUDED");
        assert_eq!(price_effect(200, &EN), "+200c");
        assert_eq!(price_effect(-50, &EN), "-50c");
        let (size, colour) = (m.attribute("size").unwrap(), m.attribute("colour").unwrap());
        let large = m.option(size, "l").unwrap();
        let price = m.attributes()[size].options[large].price;
        assert_eq!(m.option_line(size, large, true, &EN), format!("Large +{price}c"));
        assert_eq!(m.option_line(size, large, false, &Plain("zh")), format!("大 +{price}c (UNAVAILABLE)"));
        // Nothing extra to pay: no price effect on the line.
        assert_eq!(m.option_line(size, m.option(size, "s").unwrap(), false, &EN), "Small (UNAVAILABLE)");
        let black = m.option(colour, "black").unwrap();
        assert_eq!(m.option_line(colour, black, true, &EN), format!("Black {}c", m.attributes()[colour].options[black].price));
    }

    #[test]
    fn the_price_range_is_shown_until_the_configuration_is_complete() {
        let m = mug();
        let open = m.evaluate(&chosen(&m, &[("size", "s")]));
        let (lo, hi) = (open.total_min.unwrap(), open.total_max.unwrap());
        assert!(lo < hi);
        assert_eq!(price_range(&open, &EN), Some(format!("RANGE: {lo}c – {hi}c")));
        let done = m.evaluate(&Choices(vec![Some(0); m.attributes().len()]));
        assert!(done.complete);
        assert_eq!(price_range(&done, &EN), None);
    }

    #[test]
    fn a_meter_reads_in_whole_numbers_unless_it_has_a_fraction() {
        let meter = |load: f64, capacity: f64, unit: &str, known: bool| Meter {
            rule: 0,
            attributes: vec![0],
            label: crate::Text::plain("Power"),
            unit: unit.to_string(),
            load,
            capacity,
            known,
        };
        assert_eq!(meter(350.0, 600.0, "W", true).reading(&EN), ("350 W / 600 W".to_string(), "✓ FITS".to_string()));
        assert_eq!(meter(600.0, 600.0, "W", true).reading(&EN).1, "✓ FITS");
        assert_eq!(meter(650.5, 600.0, "W", true).reading(&EN), ("650.5 W / 600 W".to_string(), "✗ OVER 50.5 W".to_string()));
        assert_eq!(meter(2.0, 1.0, "", true).reading(&EN), ("2 / 1".to_string(), "✗ OVER 1".to_string()));
        assert_eq!(meter(100.0, 600.0, "W", false).reading(&EN).1, "SO-FAR");
        // Over, but not everything is chosen yet: still "so far".
        assert_eq!(meter(700.0, 600.0, "W", false).reading(&EN).1, "SO-FAR");
    }

    #[test]
    fn a_recommendation_gives_its_reason_in_numbers() {
        let m = mug();
        let body = Measurements { waist_cm: 77.2, hip_cm: 90.0, inseam_cm: 84.0, rise_cm: None, thigh_cm: None };
        for (pref, word) in [(Preference::Slim, "SLIM"), (Preference::Regular, "REGULAR"), (Preference::Relaxed, "RELAXED")] {
            let r = m.recommend_fit(&body, pref).unwrap();
            let size = &m.attributes()[m.attribute("size").unwrap()].options[r.size].label.en;
            assert_eq!(
                m.fit_text(&body, pref, &r, &EN),
                format!("WAIST 77.2 cm WITH {word} EASE (+{:.1} cm) → {size} ({:.1} cm); INSEAM {:.1} cm", r.ease_cm, r.size_waist_cm, r.inseam_cm)
            );
        }
        let r = m.recommend_fit(&body, Preference::Relaxed).unwrap();
        assert!(m.fit_text(&body, Preference::Relaxed, &r, &Plain("zh")).contains(m.attributes()[0].options[r.size].label.get("zh")));
    }

    #[test]
    fn implausible_measurements_are_named_in_the_unit_typed() {
        let inches = Measurements { waist_cm: 32.0, hip_cm: 40.0, inseam_cm: 32.0, rise_cm: Some(5.0), thigh_cm: Some(5.0) };
        let problems = inches.check();
        assert!(problems.len() > 1, "{problems:?}");
        let list = |factor: f64, unit: &str| {
            problems.iter().map(|p| format!("{} BETWEEN {:.0}–{:.0} {unit}", p.field, p.min_cm / factor, p.max_cm / factor)).collect::<Vec<_>>().join("; ")
        };
        assert_eq!(implausible_text(&problems, false, &EN), format!("CHECK {}", list(1.0, "cm")));
        assert_eq!(implausible_text(&problems, true, &EN), format!("CHECK {}", list(CM_PER_INCH, "in")));
    }

    #[test]
    fn a_free_text_is_too_long_before_it_has_a_bad_character() {
        let m = mug();
        let choices = chosen(&m, &[("engraving", "yes")]);
        let max = m.def().texts[0].max_length;
        let long = "A".repeat(max + 1);
        assert_eq!(m.text_problem(&choices, "words", &long, &EN), Some(format!("TOO-LONG ({}/{max})", max + 1)));
        assert_eq!(m.text_problem(&choices, "words", &format!("{long}☺"), &EN), Some(format!("TOO-LONG ({}/{max})", max + 2)));
        assert_eq!(m.text_problem(&choices, "words", "A☺", &EN), Some("BAD-CHARS".to_string()));
        // Counted trimmed; empty is not an error while typing.
        assert_eq!(m.text_problem(&choices, "words", &format!("  {}  ", "A".repeat(max)), &EN), None);
        assert_eq!(m.text_problem(&choices, "words", "", &EN), None);
        assert_eq!(m.text_problem(&choices, "words", "M.C. 李", &EN), None);
    }
}
