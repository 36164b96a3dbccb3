//! Prepared model files (the `Engine::from_prepared` loader): the input is
//! taken both as a whole file and as edits to a good file of the shipped
//! products (each 3 bytes: a position and a byte to xor there), with the
//! checksum then recomputed so the edits reach the content checks. Either
//! way the loader refuses the file or loads an engine whose answers do not
//! panic; it never panics itself.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use tailor_engine::mdd::DEFAULT_BUDGET;
use tailor_engine::problem::Problem;
use tailor_engine::{Engine, Model};

struct Case {
    problem: Problem,
    prices: Vec<Vec<i64>>,
    files: Vec<Vec<u8>>,
}

fn cases() -> &'static [Case] {
    static CASES: OnceLock<Vec<Case>> = OnceLock::new();
    CASES.get_or_init(|| {
        [
            ("pc.json", include_str!("../../public/catalogue/pc.json")),
            ("jeans.json", include_str!("../../public/catalogue/jeans.json")),
        ]
        .iter()
        .map(|(name, text)| {
            let model = Model::from_json(name, text).expect("shipped models load");
            let (problem, prices) = (model.problem().clone(), model.prices().to_vec());
            let diagram = Engine::with_diagram(problem.clone(), Some(prices.clone()), DEFAULT_BUDGET).expect("compiles");
            let search = Engine::with_search(problem.clone(), Some(prices.clone()), DEFAULT_BUDGET);
            let files = [diagram, search].iter().map(|e| e.to_prepared().expect("a prepared form")).collect();
            Case { problem, prices, files }
        })
        .collect()
    })
}

fn exercise(case: &Case, bytes: &[u8]) {
    if let Ok(engine) = Engine::from_prepared(case.problem.clone(), Some(case.prices.clone()), bytes) {
        let mut fixed = vec![None; engine.vars()];
        for x in 0..engine.vars().min(4) {
            let answer = engine.analyse(&fixed);
            let _ = engine.count(&fixed);
            fixed[x] = answer.valid[x].iter().position(|&v| v).map(|v| v as u32);
        }
    }
}

fuzz_target!(|data: &[u8]| {
    for case in cases() {
        exercise(case, data);
        for good in &case.files {
            let mut file = good.clone();
            for edit in data.chunks_exact(3) {
                let at = usize::from(u16::from_le_bytes([edit[0], edit[1]])) % file.len();
                file[at] ^= edit[2];
            }
            tailor_engine::prepared::reseal(&mut file);
            exercise(case, &file);
        }
    }
});
