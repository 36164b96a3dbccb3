//! Catalogue health (`tailor_engine::lint`, `tailor-engine lint`), checked
//! against independent computations: enumeration of every assignment on
//! small models, and on the large feature models the engine's other method
//! asked value by value whether any configuration has it.

mod common;

use std::collections::BTreeSet;
use std::path::Path;

use num_bigint::BigUint;
use tailor_engine::import::parse_file;
use tailor_engine::lint::{self, OptionRef, Space};
use tailor_engine::mdd::DEFAULT_BUDGET;
use tailor_engine::problem::{Constraint, Lit, Problem, Var};
use tailor_engine::{CatalogueIndex, Engine, Model};

/// What enumeration of every assignment says of a small problem.
fn brute_space(problem: &Problem) -> Space {
    let sizes: Vec<u32> = problem.vars.iter().map(|v| v.values.len() as u32).collect();
    let mut seen: Vec<Vec<bool>> = sizes.iter().map(|&n| vec![false; n as usize]).collect();
    let mut count = 0u64;
    let mut values = vec![0u32; sizes.len()];
    'all: loop {
        if problem.holds(&values) {
            count += 1;
            for (x, &v) in values.iter().enumerate() {
                seen[x][v as usize] = true;
            }
        }
        for x in (0..values.len()).rev() {
            values[x] += 1;
            if values[x] < sizes[x] {
                continue 'all;
            }
            values[x] = 0;
        }
        break;
    }
    let mut dead = Vec::new();
    let mut forced = Vec::new();
    for (x, s) in seen.iter().enumerate() {
        dead.extend((0..s.len()).filter(|&v| !s[v]).map(|v| (x, v as u32)));
        let left: Vec<usize> = (0..s.len()).filter(|&v| s[v]).collect();
        if left.len() == 1 && s.len() > 1 {
            forced.push((x, left[0] as u32));
        }
    }
    Space {
        configurations: Some(count.to_string()),
        consistent: count > 0,
        dead,
        forced,
    }
}

fn both_methods(problem: &Problem) -> (Space, Space) {
    let diagram = Engine::with_diagram(problem.clone(), None, DEFAULT_BUDGET).unwrap();
    let search = Engine::with_search(problem.clone(), None, DEFAULT_BUDGET);
    (lint::space(&diagram), lint::space(&search))
}

#[test]
fn the_space_of_random_small_problems_matches_enumeration() {
    let mut rng = common::Rng(0x5eed_1a7e);
    let mut with_dead = 0;
    let mut with_forced = 0;
    let mut inconsistent = 0;
    for _ in 0..300 {
        let n = 3 + rng.below(5);
        let mut vars: Vec<Var> = (0..n).map(|i| Var::boolean(format!("b{i}"))).collect();
        vars.push(Var {
            name: "m".into(),
            values: (0..1 + rng.below(4)).map(|v| v.to_string()).collect(),
        });
        let mut constraints = Vec::new();
        for _ in 0..rng.below(7) {
            let lits = (0..1 + rng.below(3))
                .map(|_| Lit {
                    var: rng.below(n),
                    positive: rng.below(2) == 1,
                })
                .collect();
            constraints.push(Constraint::Clause(lits));
        }
        if rng.below(2) == 1 {
            let m = vars.len() - 1;
            let size = vars[m].values.len();
            let tuples = (0..1 + rng.below(4))
                .map(|_| vec![rng.below(2) as u32, rng.below(size) as u32])
                .collect();
            constraints.push(Constraint::Table {
                vars: vec![rng.below(n), m],
                tuples,
                allowed: rng.below(2) == 1,
            });
        }
        let problem = Problem { vars, constraints };
        let expected = brute_space(&problem);
        let (diagram, search) = both_methods(&problem);
        assert_eq!(diagram, expected, "{problem:?}");
        assert_eq!(search, expected, "{problem:?}");
        with_dead += usize::from(expected.consistent && !expected.dead.is_empty());
        with_forced += usize::from(!expected.forced.is_empty());
        inconsistent += usize::from(!expected.consistent);
    }
    // The cases must exercise every answer, or the comparison proves little.
    assert!(
        with_dead > 20 && with_forced > 20 && inconsistent > 5,
        "{with_dead} {with_forced} {inconsistent}"
    );
}

/// A mug built to have every fault the health report names: a dead glaze
/// (black is excluded with every size), a forced handle (left is refused),
/// a rule that removes nothing (black is already dead), defaults that
/// conflict (a cork lid is refused on the large mug), a glaze drawn like
/// another without a swatch, and texts without Chinese.
const FAULTY: &str = r##"{
  "format": "tailor-model/1", "id": "mug", "version": "1", "currency": "EUR",
  "name": {"en": "Mug", "zh": "杯子"}, "base_price": 500,
  "attributes": [
    {"id": "size", "label": {"en": "Size", "zh": "尺寸"}, "default": "l", "options": [
      {"id": "s", "label": {"en": "Small", "zh": "小"}, "properties": {"width": 20}},
      {"id": "m", "label": {"en": "Medium", "zh": "中"}, "price": 100, "properties": {"width": 30}},
      {"id": "l", "label": {"en": "Large", "zh": "大"}, "price": 200, "properties": {"width": 40}}]},
    {"id": "lid", "label": {"en": "Lid", "zh": "盖子"}, "default": "cork", "options": [
      {"id": "none", "label": {"en": "None", "zh": "无"}},
      {"id": "cork", "label": {"en": "Cork", "zh": "软木"}, "price": 150}]},
    {"id": "glaze", "label": {"en": "Glaze", "zh": "釉"}, "default": "white", "options": [
      {"id": "white", "label": {"en": "White", "zh": "白"}, "properties": {"color": "#ffffff"}},
      {"id": "cream", "label": {"en": "Cream"}, "properties": {"color": "#ffffff"}},
      {"id": "blue", "label": {"en": "Blue", "zh": "蓝"}, "properties": {"color": "#ffffff"}, "swatch": "#0000ff"},
      {"id": "black", "label": {"en": "Black", "zh": "黑"}, "price": 50, "properties": {"color": "#000000"}}]},
    {"id": "handle", "label": {"en": "Handle", "zh": "把手"}, "options": [
      {"id": "left", "label": {"en": "Left", "zh": "左"}},
      {"id": "right", "label": {"en": "Right", "zh": "右"}, "price": 30}]}],
  "rules": [
    {"id": "no-large-cork", "kind": "excludes", "if": {"attribute": "lid", "options": ["cork"]},
     "then": {"attribute": "size", "options": ["l"]}, "message": {"en": "No cork on the large mug.", "zh": "大杯没有软木盖。"}},
    {"id": "no-black", "kind": "excludes", "if": {"attribute": "glaze", "options": ["black"]},
     "then": {"attribute": "size", "options": ["s", "m", "l"]}, "message": {"en": "Black is sold out."}},
    {"id": "black-not-large", "kind": "excludes", "if": {"attribute": "glaze", "options": ["black"]},
     "then": {"attribute": "size", "options": ["l"]}, "message": {"en": "Not black and large.", "zh": "不能又黑又大。"}},
    {"id": "right-only", "kind": "excludes", "if": {"attribute": "handle", "options": ["left"]},
     "then": {"attribute": "size", "options": ["s", "m", "l"]}, "message": {"en": "Right only.", "zh": "只有右手。"}}],
  "visual": {"view_box": [0, 0, 60, 60], "layers": [
    {"shapes": [{"rect": {"x": 5, "y": 10, "width": {"attribute": "size", "property": "width"}, "height": 40,
                          "paint": {"fill": {"attribute": "glaze", "property": "color", "otherwise": "#888"}}}}]},
    {"when": [{"attribute": "lid", "options": ["cork"]}], "shapes": [{"rect": {"x": 5, "y": 5, "width": 30, "height": 5, "paint": {"fill": "#a0522d"}}}]}]}
}"##;

fn refs(list: &[(&str, &str)]) -> Vec<OptionRef> {
    list.iter()
        .map(|(a, o)| OptionRef {
            attribute: a.to_string(),
            option: o.to_string(),
        })
        .collect()
}

/// The model's space by enumeration, named by attribute and option ids.
fn brute_options(model: &Model) -> (String, Vec<OptionRef>, Vec<OptionRef>) {
    let space = brute_space(model.problem());
    let name = |&(x, v): &(usize, u32)| OptionRef {
        attribute: model.attributes()[x].id.clone(),
        option: model.attributes()[x].options[v as usize].id.clone(),
    };
    let n = model.attributes().len();
    (
        space.configurations.unwrap(),
        space
            .dead
            .iter()
            .filter(|(x, _)| *x < n)
            .map(name)
            .collect(),
        space
            .forced
            .iter()
            .filter(|(x, _)| *x < n)
            .map(name)
            .collect(),
    )
}

#[test]
fn a_model_built_with_faults_has_each_one_reported() {
    let model = Model::from_json("mug.json", FAULTY).unwrap();
    let health = lint::health(&model);
    let (count, dead, forced) = brute_options(&model);
    assert_eq!(health.configurations, count);
    assert_eq!(health.dead, dead);
    assert_eq!(health.forced, forced);
    assert_eq!(health.dead, refs(&[("glaze", "black"), ("handle", "left")]));
    assert_eq!(health.forced, refs(&[("handle", "right")]));

    // A rule is idle exactly when the model without it counts the same.
    let def: serde_json::Value = serde_json::from_str(FAULTY).unwrap();
    let mut idle = Vec::new();
    for (r, rule) in def["rules"].as_array().unwrap().iter().enumerate() {
        let mut without = def.clone();
        without["rules"].as_array_mut().unwrap().remove(r);
        let m = Model::from_json("without.json", &without.to_string()).unwrap();
        if brute_options(&m).0 == count {
            idle.push(rule["id"].as_str().unwrap().to_string());
        }
    }
    assert_eq!(health.idle_rules.as_deref(), Some(&idle[..]));
    assert_eq!(idle, ["black-not-large"]);

    // The defaults that conflict: together impossible, each alone fine.
    assert_eq!(
        health.conflicting_defaults,
        refs(&[("size", "l"), ("lid", "cork")])
    );
    assert_eq!(health.no_default, ["handle"]);

    // Price: the cheapest and dearest valid mugs, by enumeration of quotes.
    let mut totals = Vec::new();
    for s in 0..3 {
        for l in 0..2 {
            for g in 0..4 {
                for h in 0..2 {
                    let c = tailor_engine::Choices(vec![Some(s), Some(l), Some(g), Some(h)]);
                    if let Ok(q) = model.quote(&c) {
                        totals.push(q.total);
                    }
                }
            }
        }
    }
    assert_eq!(
        (health.price_min, health.price_max),
        (totals.iter().min().copied(), totals.iter().max().copied())
    );
    assert_eq!((health.price_min, health.price_max), (Some(530), Some(780)));

    // Cream is drawn like white and has no swatch; blue is drawn alike too
    // but its swatch shows it; the handle is not drawn at all.
    assert!(health.has_visual);
    assert_eq!(
        health.no_picture,
        refs(&[
            ("glaze", "white"),
            ("glaze", "cream"),
            ("handle", "left"),
            ("handle", "right")
        ])
    );
    assert_eq!(
        health.no_chinese,
        [
            "attributes.glaze.options.cream.label",
            "rules.no-black.message"
        ]
    );

    let errors = health.errors();
    assert_eq!(errors.len(), 3, "{errors:?}");
    assert!(
        errors
            .iter()
            .any(|e| e.contains("glaze=black") && e.contains("dead")),
        "{errors:?}"
    );
    assert!(
        errors
            .iter()
            .any(|e| e.contains("defaults size=l, lid=cork")),
        "{errors:?}"
    );
    let report = health.report();
    assert!(
        report.starts_with("mug: 15 valid configurations, price 5.30 to 7.80 EUR\n"),
        "{report}"
    );
    assert!(
        report.contains("warning: rule black-not-large never removes anything"),
        "{report}"
    );
    assert!(
        report.ends_with(&format!("3 errors, {} warnings\n", health.warnings().len())),
        "{report}"
    );
}

fn catalogue() -> Vec<Model> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../public/catalogue");
    let index = CatalogueIndex::from_json(
        "index.json",
        &std::fs::read_to_string(dir.join("index.json")).unwrap(),
    )
    .unwrap();
    index
        .products
        .iter()
        .map(|p| {
            Model::from_json(
                &p.file,
                &std::fs::read_to_string(dir.join(&p.file)).unwrap(),
            )
            .unwrap()
        })
        .collect()
}

#[test]
fn the_shipped_products_are_healthy_and_their_figures_agree_with_search() {
    for model in catalogue() {
        let health = lint::health(&model);
        println!("{}", health.report());
        assert!(health.errors().is_empty(), "{}", health.report());
        assert_eq!(
            health.idle_rules.as_deref(),
            Some(&[][..]),
            "{}",
            model.id()
        );
        assert!(
            health.no_chinese.is_empty() && health.has_visual,
            "{}",
            health.report()
        );
        // The other method, from the same problem, names the same options.
        let search = lint::space(&Engine::with_search(
            model.problem().clone(),
            None,
            DEFAULT_BUDGET,
        ));
        assert_eq!(
            search.configurations.as_deref(),
            Some(health.configurations.as_str()),
            "{}",
            model.id()
        );
        let n = model.attributes().len();
        let name = |&(x, v): &(usize, u32)| {
            format!(
                "{}={}",
                model.attributes()[x].id,
                model.attributes()[x].options[v as usize].id
            )
        };
        let names = |list: &[OptionRef]| {
            list.iter()
                .map(|o| format!("{}={}", o.attribute, o.option))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            names(&health.dead),
            search
                .dead
                .iter()
                .filter(|(x, _)| *x < n)
                .map(name)
                .collect::<Vec<_>>()
        );
        assert_eq!(
            names(&health.forced),
            search
                .forced
                .iter()
                .filter(|(x, _)| *x < n)
                .map(name)
                .collect::<Vec<_>>()
        );
        let (lo, hi) = (health.price_min.unwrap(), health.price_max.unwrap());
        assert!(0 < lo && lo < hi, "{}: {lo} {hi}", model.id());
        // Small enough to enumerate: every figure by brute force too.
        let combinations: u64 = model
            .problem()
            .vars
            .iter()
            .map(|v| v.values.len() as u64)
            .product();
        if combinations <= 1_000_000 {
            let (count, dead, forced) = brute_options(&model);
            assert_eq!(
                (
                    health.configurations.clone(),
                    health.dead.clone(),
                    health.forced.clone()
                ),
                (count, dead, forced)
            );
        }
    }
}

/// The dead and core features of a real feature model, by the engine's
/// analysis (both methods) and independently by asking the search method,
/// value by value, whether any configuration has it.
fn feature_model(relative: &str) -> Option<(BTreeSet<String>, BTreeSet<String>)> {
    let dir = common::benchmarks_dir()?;
    let path = dir.join(relative);
    let problem = parse_file(
        &path.display().to_string(),
        &std::fs::read_to_string(&path).unwrap(),
    )
    .unwrap();
    let (diagram, search) = both_methods(&problem);
    assert_eq!(diagram, search, "{relative}");
    let engine = Engine::with_search(problem.clone(), None, DEFAULT_BUDGET);
    let mut open = vec![None; problem.vars.len()];
    let mut dead = BTreeSet::new();
    let mut core = BTreeSet::new();
    for x in 0..problem.vars.len() {
        open[x] = Some(1);
        let can_select = engine.consistent(&open);
        open[x] = Some(0);
        let can_leave = engine.consistent(&open);
        open[x] = None;
        if !can_select {
            dead.insert(problem.vars[x].name.clone());
        }
        if !can_leave {
            core.insert(problem.vars[x].name.clone());
        }
    }
    let lint_dead: BTreeSet<String> = diagram
        .dead
        .iter()
        .filter(|&&(_, v)| v == 1)
        .map(|&(x, _)| problem.vars[x].name.clone())
        .collect();
    let lint_core: BTreeSet<String> = diagram
        .forced
        .iter()
        .filter(|&&(_, v)| v == 1)
        .map(|&(x, _)| problem.vars[x].name.clone())
        .collect();
    assert_eq!(lint_dead, dead, "{relative}: dead features");
    assert_eq!(lint_core, core, "{relative}: core features");
    assert_eq!(
        diagram.dead.len(),
        dead.len() + core.len(),
        "{relative}: a dead value is a dead or a core feature"
    );
    assert_eq!(
        diagram.configurations.unwrap().parse::<BigUint>().unwrap(),
        Engine::with_diagram(problem, None, DEFAULT_BUDGET)
            .unwrap()
            .count(&vec![None; open.len()])
            .unwrap()
    );
    println!(
        "{relative}: {} dead features, {} core features",
        dead.len(),
        core.len()
    );
    Some((dead, core))
}

#[test]
fn busybox_dead_and_core_features_agree_with_value_by_value_search() {
    let Some((dead, core)) = feature_model("fm-busybox-1.18.0/BusyBox-1.18.0.dimacs") else {
        return;
    };
    assert!(
        !dead.is_empty() && !core.is_empty(),
        "the comparison must cover both kinds"
    );
}

#[test]
fn pc_richmond_core_features_agree_with_value_by_value_search() {
    let Some((_, core)) = feature_model("fm-pc-richmond/Sprey2020.dimacs") else {
        return;
    };
    assert!(!core.is_empty());
}

#[test]
fn the_command_exits_1_on_errors_and_0_on_a_healthy_product() {
    // Built only with the `cli` feature (as `cargo xtask test` does).
    let Some(bin) = option_env!("CARGO_BIN_EXE_tailor-engine") else {
        eprintln!("tailor-engine binary not built (feature cli off), skipping");
        return;
    };
    let dir = std::env::temp_dir().join(format!("tailor-lint-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let faulty = dir.join("mug.json");
    std::fs::write(&faulty, FAULTY).unwrap();
    let out = std::process::Command::new(bin)
        .arg("lint")
        .arg(&faulty)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("error: option glaze=black can never be chosen (dead)"),
        "{stdout}"
    );
    let json = std::process::Command::new(bin)
        .args(["lint", "--json"])
        .arg(&faulty)
        .output()
        .unwrap();
    let value: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(
        value["dead"][0],
        serde_json::json!({"attribute": "glaze", "option": "black"})
    );
    let healthy = Path::new(env!("CARGO_MANIFEST_DIR")).join("../public/catalogue/pc-starter.json");
    let out = std::process::Command::new(bin)
        .arg("lint")
        .arg(&healthy)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    std::fs::remove_dir_all(&dir).ok();
}
