//! Fit recommendation from measurements, and free-text checks.

use std::collections::BTreeMap;

use tailor_engine::fit::{CM_PER_INCH, FitError, Measurements, Preference};
use tailor_engine::{Choices, Model, TextError};

/// A small grid: waists 76..=96 cm in 5 cm steps, each with a narrow and a
/// wide hip; inseams 76..=86 cm.
fn model() -> Model {
    let mut sizes = Vec::new();
    for w in (76..=96).step_by(5) {
        for (h, tag) in [(w + 14, "n"), (w + 22, "w")] {
            sizes.push(format!(r#"{{"id":"w{w}{tag}","label":{{"en":"{w}/{h}"}},"properties":{{"waist_cm":{w},"hip_cm":{h}}}}}"#));
        }
    }
    let inseams: Vec<String> = (76..=86).step_by(2).map(|l| format!(r#"{{"id":"{l}","label":{{"en":"{l}"}},"properties":{{"inseam_cm":{l}}}}}"#)).collect();
    let text = format!(
        r#"{{"format":"tailor-model/1","id":"j","version":"1","name":{{"en":"J"}},"currency":"EUR",
        "attributes":[{{"id":"size","label":{{"en":"Size"}},"options":[{}]}},{{"id":"inseam","label":{{"en":"Inseam"}},"options":[{}]}},
          {{"id":"monogram","label":{{"en":"Monogram"}},"options":[{{"id":"none","label":{{"en":"None"}}}},{{"id":"initials","label":{{"en":"Initials"}},"price":900}}]}}],
        "texts":[{{"id":"monogram_text","label":{{"en":"Monogram text"}},"max_length":12,"when":{{"attribute":"monogram","options":["initials"]}}}}],
        "fit":{{"size":"size","waist_property":"waist_cm","hip_property":"hip_cm","inseam":"inseam","inseam_property":"inseam_cm","ease_cm":{{"slim":0,"regular":2,"relaxed":5}}}}}}"#,
        sizes.join(","),
        inseams.join(",")
    );
    Model::from_json("j.json", &text).unwrap()
}

fn measure(waist: f64, hip: f64, inseam: f64) -> Measurements {
    Measurements { waist_cm: waist, hip_cm: hip, inseam_cm: inseam, rise_cm: None, thigh_cm: None }
}

fn size_id(m: &Model, o: usize) -> &str {
    &m.attributes()[0].options[o].id
}

#[test]
fn the_nearest_waist_with_room_for_the_hip_is_recommended() {
    let m = model();
    // 79 + 2 cm ease = 81: exactly the 81 cm waist; hip 93 fits the narrow cut (95).
    let r = m.recommend_fit(&measure(79.0, 93.0, 80.0), Preference::Regular).unwrap();
    assert_eq!(size_id(&m, r.size), "w81n");
    assert_eq!((r.ease_cm, r.target_waist_cm, r.size_waist_cm), (2.0, 81.0, 81.0));
    // A fuller hip needs the wide cut of the same waist.
    let r = m.recommend_fit(&measure(79.0, 99.0, 80.0), Preference::Regular).unwrap();
    assert_eq!(size_id(&m, r.size), "w81w");
    // Relaxed adds more ease: 79 + 5 = 84, nearest is 86 over 81? |86-84|=2 < |81-84|=3.
    let r = m.recommend_fit(&measure(79.0, 93.0, 80.0), Preference::Relaxed).unwrap();
    assert_eq!(size_id(&m, r.size), "w86n");
    // A tie between 81 and 86 (target 83.5) takes the larger.
    let r = m.recommend_fit(&measure(83.5, 90.0, 80.0), Preference::Slim).unwrap();
    assert_eq!(size_id(&m, r.size), "w86n");
    // Inseam: nearest, the longer on a tie.
    assert_eq!(r.inseam_cm, 80.0);
    let r = m.recommend_fit(&measure(80.0, 90.0, 81.0), Preference::Slim).unwrap();
    assert_eq!(r.inseam_cm, 82.0);
    // Inches convert.
    let r = m.recommend_fit(&measure(31.0 * CM_PER_INCH, 37.0 * CM_PER_INCH, 31.5 * CM_PER_INCH), Preference::Slim).unwrap();
    assert_eq!(size_id(&m, r.size), "w81n");
}

#[test]
fn implausible_measurements_are_named() {
    let m = model();
    // Inches typed into centimetre fields.
    match m.recommend_fit(&measure(32.0, 40.0, 30.0), Preference::Regular) {
        Err(FitError::Implausible(p)) => {
            let fields: Vec<&str> = p.iter().map(|x| x.field).collect();
            assert_eq!(fields, vec!["waist", "hip", "inseam"]);
            assert!(p[0].to_string().contains("waist of 32 cm is outside 45–170 cm"));
        }
        other => panic!("{other:?}"),
    }
    let swapped = m.recommend_fit(&measure(110.0, 70.0, 80.0), Preference::Regular).unwrap_err();
    assert!(swapped.to_string().contains("hip"), "{swapped}");
    let nan = m.recommend_fit(&measure(f64::NAN, 90.0, 80.0), Preference::Regular);
    assert!(matches!(nan, Err(FitError::Implausible(_))));
}

#[test]
fn monogram_text_is_required_bounded_and_stitchable() {
    let m = model();
    let mono = m.attribute("monogram").unwrap();
    let mut with = Choices::empty(&m);
    with.0[mono] = m.option(mono, "initials");
    let mut without = Choices::empty(&m);
    without.0[mono] = m.option(mono, "none");
    let texts = |s: &str| BTreeMap::from([("monogram_text".to_string(), s.to_string())]);

    assert_eq!(m.check_texts(&with, &texts("  A.B. & 李 ")).unwrap()["monogram_text"], "A.B. & 李");
    assert_eq!(m.check_texts(&with, &texts("ABCDEFGHIJKL")).unwrap()["monogram_text"].len(), 12);
    assert_eq!(
        m.check_texts(&with, &texts("ABCDEFGHIJKLM")).unwrap_err(),
        vec![TextError::TooLong { text: "monogram_text".into(), max: 12, found: 13 }]
    );
    assert_eq!(m.check_texts(&with, &texts("   ")).unwrap_err(), vec![TextError::Missing { text: "monogram_text".into() }]);
    assert_eq!(
        m.check_texts(&with, &texts("AB😀")).unwrap_err(),
        vec![TextError::BadCharacter { text: "monogram_text".into(), character: '😀' }]
    );
    assert_eq!(m.check_texts(&without, &texts("AB")).unwrap_err(), vec![TextError::NotWanted { text: "monogram_text".into() }]);
    assert!(m.check_texts(&without, &BTreeMap::new()).is_ok());
    let unknown = BTreeMap::from([("note".to_string(), "hi".to_string())]);
    assert_eq!(m.check_texts(&without, &unknown).unwrap_err(), vec![TextError::Unknown { text: "note".into() }]);
}
