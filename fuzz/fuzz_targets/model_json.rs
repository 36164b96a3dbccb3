//! Any text given as a model file: a model or an error naming the place,
//! never a panic; a model that loads answers an evaluation of its defaults
//! and draws its picture (catalogue models with visuals are in the corpus).
#![no_main]

use libfuzzer_sys::fuzz_target;
use tailor_engine::{Choices, Model};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    match Model::from_json("fuzz.json", text) {
        Ok(model) => {
            let choices = Choices::defaults(&model);
            let eval = model.evaluate(&choices);
            assert_eq!(eval.attributes.len(), model.attributes().len());
            if let Some(p) = model.picture(&choices, &Default::default(), "en", "f") {
                assert!(p.svg.starts_with("<svg ") && !p.svg.contains("<script"));
            }
            let code = model.encode(&choices);
            assert_eq!(model.decode(&code).ok(), Some(choices));
        }
        Err(e) => assert!(!e.reason.is_empty()),
    }
});
