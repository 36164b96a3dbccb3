//! Any text given as a configuration code of the shipped products: choices
//! or an error, never a panic; decoded choices encode to a code that decodes
//! to them again, and a quote of them is an answer, not a panic.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use tailor_engine::Model;

fn models() -> &'static [Model] {
    static MODELS: OnceLock<Vec<Model>> = OnceLock::new();
    MODELS.get_or_init(|| {
        [
            ("pc.json", include_str!("../../public/catalogue/pc.json")),
            ("jeans.json", include_str!("../../public/catalogue/jeans.json")),
            ("pc-starter.json", include_str!("../../public/catalogue/pc-starter.json")),
        ]
        .iter()
        .map(|(name, text)| Model::from_json(name, text).expect("shipped models load"))
        .collect()
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(code) = std::str::from_utf8(data) else { return };
    for model in models() {
        if let Ok(choices) = model.decode(code) {
            let again = model.encode(&choices);
            assert_eq!(model.decode(&again).ok().as_ref(), Some(&choices));
            let _ = model.quote(&choices);
            let _ = model.evaluate(&choices);
        }
    }
});
