//! `runBench(name, model, sales, sessions, seed, recommend, picture)` for
//! the browser: the same replay as `tailor-engine bench [--recommend |
//! --picture]`, timed
//! with `performance.now()`.

use tailor_engine::import::{parse_file, parse_sales};
use tailor_engine::mdd::DEFAULT_BUDGET;
use tailor_engine::recommend::Recommender;
use tailor_engine::{Engine, Model, bench};
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = performance, js_name = now)]
    fn performance_now() -> f64;
}

/// Runs the replay and returns one JSON line (or an error message).
#[wasm_bindgen(js_name = runBench)]
pub fn run_bench(
    name: &str,
    model: &str,
    sales: &str,
    sessions: usize,
    seed: u64,
    recommend: bool,
    picture: bool,
    prepared: &[u8],
    fetch_ms: f64,
) -> Result<String, String> {
    // Opening starts with the model's text already fetched (`fetch_ms`).
    let opening = performance_now();
    let catalogue = if name.to_ascii_lowercase().ends_with(".json") {
        Some(Model::from_json(name, model).map_err(|e| e.to_string())?)
    } else {
        None
    };
    if picture {
        let m = catalogue
            .as_ref()
            .filter(|m| m.def().visual.is_some())
            .ok_or_else(|| format!("{name}: not a catalogue model with a visual section"))?;
        let mut clock = performance_now;
        let (report, bytes) = bench::replay_picture(m, sessions, seed, &mut clock);
        return Ok(report.to_json(
            0.0,
            0.0,
            &[
                ("picture", "true".into()),
                ("max_svg_bytes", bytes.to_string()),
                ("target", "\"wasm32 in Chromium\"".into()),
            ],
        ));
    }
    let (problem, prices) = match &catalogue {
        Some(m) => (m.problem().clone(), Some(m.prices().to_vec())),
        None => (parse_file(name, model).map_err(|e| e.to_string())?, None),
    };
    let sales_started = performance_now();
    let sales = if sales.is_empty() {
        None
    } else {
        Some(parse_sales("sales", sales, &problem).map_err(|e| e.to_string())?)
    };
    let sales_ms = performance_now() - sales_started;
    let prices = prices.unwrap_or_else(|| Engine::synthetic_prices(&problem, seed));
    let started = performance_now();
    let (engine, refused) = Engine::open(
        problem,
        Some(prices),
        (!prepared.is_empty()).then_some(prepared),
        DEFAULT_BUDGET,
    );
    if let Some(why) = refused {
        return Err(format!("the prepared file was refused: {why}"));
    }
    let compile_ms = performance_now() - started;
    let _ = engine.analyse(&vec![None; engine.vars()]);
    // The sales file is parsed in between but is not part of opening.
    let open_ms = fetch_ms + (performance_now() - opening) - sales_ms;
    let mut clock = performance_now;
    let mut extra = vec![
        ("vars", engine.vars().to_string()),
        ("nodes", engine.nodes().to_string()),
        ("method", format!("\"{}\"", engine.method())),
        ("open_ms", format!("{open_ms:.1}")),
        ("open_bytes", (model.len() + prepared.len()).to_string()),
        ("target", "\"wasm32 in Chromium\"".to_string()),
    ];
    let report = if recommend {
        let learned = bench::bench_learned(&engine, catalogue.as_ref(), sales.as_ref(), seed);
        let shop = Recommender::new(engine.problem(), &learned).map_err(|e| e.0)?;
        let (clicks, ranking) =
            bench::replay_recommend(&engine, &shop, sales.as_ref(), sessions, seed, &mut clock);
        extra.extend(bench::recommend_fields(&learned, &ranking));
        clicks
    } else {
        bench::replay(&engine, sales.as_ref(), sessions, seed, &mut clock)
    };
    let memory = wasm_bindgen::memory().unchecked_into::<js_sys::WebAssembly::Memory>();
    let bytes = memory
        .buffer()
        .unchecked_into::<js_sys::ArrayBuffer>()
        .byte_length();
    // wasm memory only grows, so its size now is its peak.
    let peak_mb = f64::from(bytes) / (1024.0 * 1024.0);
    Ok(report.to_json(compile_ms, peak_mb, &extra))
}
