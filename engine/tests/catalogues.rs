//! The shipped catalogue as data: every product in `public/catalogue/index.json`
//! loads, its defaults are a valid product, no option is dead, every text is
//! in both languages, and every rule demonstrably bites. The checks use only
//! the engine's public answers (availability, counts, quotes, explanations),
//! never enumeration, so they stay fast on catalogues with billions of
//! configurations.
//!
//! Run `cargo test -p tailor-engine --test catalogues -- --nocapture` to see
//! the number of configurations of each product.

use std::collections::{BTreeSet, HashSet};
use std::path::{Path, PathBuf};

use num_bigint::BigUint;
use tailor_engine::{CatalogueIndex, Choices, Model, OrderError, Text};

fn catalogue_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../public/catalogue")
}

fn index() -> CatalogueIndex {
    let text = std::fs::read_to_string(catalogue_dir().join("index.json")).unwrap();
    CatalogueIndex::from_json("index.json", &text).unwrap_or_else(|e| panic!("{e}"))
}

/// Every model the index lists, in its order.
fn catalogue() -> Vec<Model> {
    index()
        .products
        .iter()
        .map(|p| {
            let text = std::fs::read_to_string(catalogue_dir().join(&p.file)).unwrap_or_else(|e| panic!("{}: {e}", p.file));
            let model = Model::from_json(&p.file, &text).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(model.id(), p.id, "index entry and model id differ");
            model
        })
        .collect()
}

fn product(id: &str) -> Model {
    catalogue().into_iter().find(|m| m.id() == id).unwrap_or_else(|| panic!("no product \"{id}\" in the index"))
}

fn attr(model: &Model, id: &str) -> usize {
    model.attribute(id).unwrap_or_else(|| panic!("{}: no attribute \"{id}\"", model.id()))
}

fn opt(model: &Model, attr_id: &str, opt_id: &str) -> (usize, usize) {
    let a = attr(model, attr_id);
    let o = model.option(a, opt_id).unwrap_or_else(|| panic!("{}: attribute \"{attr_id}\" has no option \"{opt_id}\"", model.id()));
    (a, o)
}

fn choose(model: &Model, picks: &[(&str, &str)]) -> Choices {
    let mut choices = Choices::empty(model);
    for (a, o) in picks {
        let (a, o) = opt(model, a, o);
        choices.0[a] = Some(o);
    }
    choices
}

fn available(model: &Model, picks: &[(&str, &str)], attr_id: &str, opt_id: &str) -> bool {
    let (a, o) = opt(model, attr_id, opt_id);
    model.evaluate(&choose(model, picks)).attributes[a].available[o]
}

fn number(model: &Model, a: usize, o: usize, property: &str) -> Option<f64> {
    model.attributes()[a].options[o].properties.get(property).and_then(|v| v.as_f64())
}

fn string(model: &Model, a: usize, o: usize, property: &str) -> String {
    let option = &model.attributes()[a].options[o];
    option.properties.get(property).and_then(|v| v.as_str()).unwrap_or_else(|| panic!("{}: option \"{}\" has no text \"{property}\"", model.id(), option.id)).to_string()
}

fn strings(model: &Model, a: usize, o: usize, property: &str) -> Vec<String> {
    let option = &model.attributes()[a].options[o];
    let list = option.properties.get(property).and_then(|v| v.as_array()).unwrap_or_else(|| panic!("{}: option \"{}\" has no list \"{property}\"", model.id(), option.id));
    list.iter().map(|v| v.as_str().unwrap().to_string()).collect()
}

#[test]
fn every_product_loads_and_its_defaults_are_a_valid_complete_product() {
    let models = catalogue();
    assert_eq!(models[0].id(), "pc-starter", "pc-starter stays first: the end-to-end tests use it");
    for id in ["pc", "jeans"] {
        assert!(models.iter().any(|m| m.id() == id), "\"{id}\" is missing from the index");
    }
    for model in &models {
        for a in model.attributes() {
            assert!(a.default.is_some(), "{}: attribute \"{}\" has no default", model.id(), a.id);
        }
        let defaults = Choices::defaults(model);
        assert!(defaults.0.iter().all(Option::is_some), "{}: a default names no option", model.id());
        let eval = model.evaluate(&defaults);
        assert!(eval.consistent && eval.complete, "{}: the defaults are not a valid product", model.id());
        let quote = model.quote(&defaults).unwrap_or_else(|e| panic!("{}: defaults refused: {e}", model.id()));
        assert_eq!(quote.total, eval.total);
        assert_eq!(quote.lines.len(), model.attributes().len());
        assert!(quote.total > 0);
        // Completing the defaults changes nothing.
        assert_eq!(model.complete(&defaults), Some(defaults.clone()));
    }
}

#[test]
fn no_option_is_dead() {
    for model in catalogue() {
        let eval = model.evaluate(&Choices::empty(&model));
        assert!(eval.consistent);
        for (a, state) in eval.attributes.iter().enumerate() {
            let attr = &model.attributes()[a];
            for (o, &ok) in state.available.iter().enumerate() {
                assert!(ok, "{}: option \"{}\" of \"{}\" is in no valid product", model.id(), attr.options[o].id, attr.id);
            }
        }
    }
}

#[test]
fn configuration_counts_add_up() {
    for model in catalogue() {
        let total = model.count(&Choices::empty(&model));
        println!("{}: {} valid configurations", model.id(), total);
        assert!(total > BigUint::from(0u32));
        // Every valid product takes exactly one option of each attribute.
        for (a, attr) in model.attributes().iter().enumerate() {
            let mut sum = BigUint::from(0u32);
            for o in 0..attr.options.len() {
                let mut c = Choices::empty(&model);
                c.0[a] = Some(o);
                sum += model.count(&c);
            }
            assert_eq!(sum, total, "{}: counts over \"{}\"", model.id(), attr.id);
        }
    }
}

#[test]
fn every_text_is_in_english_and_chinese() {
    fn check(place: &str, text: &Text) {
        assert!(!text.en.trim().is_empty(), "{place}: empty English text");
        let zh = text.zh.as_deref().unwrap_or_else(|| panic!("{place}: no Chinese text"));
        assert!(!zh.trim().is_empty(), "{place}: empty Chinese text");
    }
    for p in &index().products {
        check(&format!("index {} name", p.id), &p.name);
        check(&format!("index {} summary", p.id), &p.summary);
    }
    for model in catalogue() {
        let def = model.def();
        let id = model.id();
        check(&format!("{id} name"), &def.name);
        if let Some(d) = &def.description {
            check(&format!("{id} description"), d);
        }
        for a in &def.attributes {
            check(&format!("{id} {} label", a.id), &a.label);
            for o in &a.options {
                check(&format!("{id} {}.{} label", a.id, o.id), &o.label);
                if let Some(d) = &o.description {
                    check(&format!("{id} {}.{} description", a.id, o.id), d);
                }
            }
        }
        for r in &def.rules {
            check(&format!("{id} rule {} message", r.id), &r.message);
        }
        for s in &def.surcharges {
            check(&format!("{id} surcharge {}", s.id), &s.label);
        }
        for s in &def.steps {
            check(&format!("{id} step {}", s.id), &s.label);
        }
    }
}

#[test]
fn steps_cover_every_attribute_once() {
    for model in catalogue() {
        let def = model.def();
        if def.steps.is_empty() {
            continue;
        }
        let in_steps: Vec<&String> = def.steps.iter().flat_map(|s| &s.attributes).collect();
        let all: Vec<&String> = def.attributes.iter().map(|a| &a.id).collect();
        assert_eq!(in_steps, all, "{}: steps should list every attribute once, in model order", model.id());
    }
}

// ---------------------------------------------------------------------------
// Every rule bites.

/// One demonstration that a rule works: after `picks`, option `target` is
/// unavailable (it was available with nothing chosen), while `still`, another
/// option of the same attribute, remains available; the explanation names the
/// rule, and a full product with the picks and the target is refused.
struct Bite {
    product: &'static str,
    rule: &'static str,
    picks: &'static [(&'static str, &'static str)],
    target: (&'static str, &'static str),
    still: &'static str,
}

const BITES: &[Bite] = &[
    // pc-starter
    Bite { product: "pc-starter", rule: "cpu-socket-am5", picks: &[("cpu", "r5-7600")], target: ("board", "b760"), still: "b650" },
    Bite { product: "pc-starter", rule: "cpu-socket-lga1700", picks: &[("cpu", "i5-14400")], target: ("board", "b650"), still: "b760" },
    // pc: sockets
    Bite { product: "pc", rule: "socket-am5", picks: &[("cpu", "r7-9700x")], target: ("motherboard", "msi-z890-tomahawk"), still: "gigabyte-b650-elite" },
    Bite { product: "pc", rule: "socket-lga1851", picks: &[("cpu", "cu7-265k")], target: ("motherboard", "asus-x870e-e"), still: "msi-z890-tomahawk" },
    Bite { product: "pc", rule: "socket-lga1700", picks: &[("cpu", "i7-14700")], target: ("motherboard", "asus-b860m-tuf"), still: "msi-b760m-a-ddr4" },
    // pc: memory type
    Bite { product: "pc", rule: "memory-ddr5", picks: &[("motherboard", "gigabyte-b650-elite")], target: ("memory", "corsair-lpx-32-ddr4"), still: "corsair-vengeance-32-ddr5" },
    Bite { product: "pc", rule: "memory-ddr4", picks: &[("motherboard", "msi-b760m-a-ddr4")], target: ("memory", "corsair-vengeance-32-ddr5"), still: "corsair-lpx-32-ddr4" },
    // pc: board size
    Bite { product: "pc", rule: "board-fits-case", picks: &[("chassis", "fractal-terra")], target: ("motherboard", "msi-b650m-gaming-plus"), still: "asus-x870-i" },
    Bite { product: "pc", rule: "board-fits-case", picks: &[("chassis", "cm-q300l-v2")], target: ("motherboard", "gigabyte-b650-elite"), still: "msi-b650m-gaming-plus" },
    // pc: drives
    Bite { product: "pc", rule: "m2-slots", picks: &[("motherboard", "msi-a620m-e")], target: ("storage2", "samsung-990-evo-plus-2tb"), still: "samsung-870-evo-2tb" },
    Bite { product: "pc", rule: "sata-ports", picks: &[("motherboard", "asus-x870-i")], target: ("storage2", "samsung-870-evo-2tb"), still: "samsung-990-evo-plus-2tb" },
    Bite { product: "pc", rule: "hdd-bays", picks: &[("chassis", "fractal-terra")], target: ("storage2", "seagate-barracuda-4tb"), still: "samsung-870-evo-2tb" },
    // pc: graphics card length
    Bite { product: "pc", rule: "gpu-length", picks: &[("graphics", "msi-rtx-5090")], target: ("chassis", "fractal-north"), still: "corsair-4000d-airflow" },
    Bite { product: "pc", rule: "gpu-length", picks: &[("graphics", "asus-rtx-5080")], target: ("chassis", "fractal-terra"), still: "fractal-north" },
    // pc: cooling
    Bite { product: "pc", rule: "cooler-height", picks: &[("chassis", "cm-q300l-v2")], target: ("cooling", "noctua-nh-d15-g2"), still: "arctic-freezer-36" },
    Bite { product: "pc", rule: "cooler-height", picks: &[("chassis", "fractal-terra")], target: ("cooling", "thermalright-pa120-se"), still: "noctua-nh-l12sx77" },
    Bite { product: "pc", rule: "cooler-tdp", picks: &[("cooling", "noctua-nh-l12sx77")], target: ("cpu", "r9-9950x3d"), still: "cu9-285k" },
    Bite { product: "pc", rule: "radiator-fits", picks: &[("chassis", "cm-q300l-v2")], target: ("cooling", "arctic-lf3-pro-360"), still: "arctic-lf3-pro-240" },
    // pc: power supply
    Bite { product: "pc", rule: "sfx-psu-in-terra", picks: &[("chassis", "fractal-terra")], target: ("psu", "corsair-rm750e"), still: "corsair-sf750" },
    Bite { product: "pc", rule: "power-budget", picks: &[("graphics", "asus-rtx-5080")], target: ("psu", "bequiet-pure-power-12-550"), still: "corsair-rm750e" },
    Bite { product: "pc", rule: "power-budget", picks: &[("cpu", "cu9-285k"), ("graphics", "msi-rtx-5090")], target: ("psu", "corsair-rm1000x"), still: "corsair-hx1200i" },
    // pc: integrated graphics
    Bite { product: "pc", rule: "graphics-card-needed", picks: &[("graphics", "none")], target: ("cpu", "r5-7500f"), still: "r5-9600x" },
    // jeans
    Bite { product: "jeans", rule: "skinny-needs-stretch", picks: &[("leg", "skinny")], target: ("fabric", "rigid"), still: "stretch" },
    Bite { product: "jeans", rule: "selvedge-washes", picks: &[("fabric", "selvedge")], target: ("wash", "mid-stone"), still: "raw" },
    Bite { product: "jeans", rule: "selvedge-washes", picks: &[("wash", "light")], target: ("fabric", "selvedge"), still: "rigid" },
    Bite { product: "jeans", rule: "chain-stitch-rigid-only", picks: &[("hem", "chain-stitch")], target: ("fabric", "stretch"), still: "selvedge" },
    Bite { product: "jeans", rule: "black-no-copper", picks: &[("wash", "black")], target: ("thread", "copper"), still: "gold" },
    Bite { product: "jeans", rule: "roomy-legs-no-low-rise", picks: &[("leg", "wide")], target: ("rise", "low"), still: "mid" },
    Bite { product: "jeans", rule: "roomy-legs-no-low-rise", picks: &[("rise", "low")], target: ("leg", "relaxed"), still: "straight" },
    Bite { product: "jeans", rule: "bootcut-min-waist", picks: &[("size", "w24-h30")], target: ("leg", "bootcut"), still: "straight" },
    Bite { product: "jeans", rule: "bootcut-min-waist", picks: &[("leg", "bootcut")], target: ("size", "w25-h33"), still: "w26-h32" },
    Bite { product: "jeans", rule: "no-cuff-on-bootcut", picks: &[("hem", "cuffed")], target: ("leg", "bootcut"), still: "straight" },
    // window: sizes per opening type
    Bite { product: "window", rule: "casement-width", picks: &[("opening", "casement")], target: ("width", "100"), still: "80" },
    Bite { product: "window", rule: "casement-height", picks: &[("opening", "casement")], target: ("height", "200"), still: "120" },
    Bite { product: "window", rule: "awning-width", picks: &[("opening", "awning")], target: ("width", "200"), still: "100" },
    Bite { product: "window", rule: "awning-height", picks: &[("opening", "awning")], target: ("height", "120"), still: "80" },
    Bite { product: "window", rule: "double-hung-width", picks: &[("opening", "double-hung")], target: ("width", "150"), still: "100" },
    Bite { product: "window", rule: "double-hung-height", picks: &[("opening", "double-hung")], target: ("height", "60"), still: "120" },
    Bite { product: "window", rule: "sliding-width", picks: &[("opening", "sliding")], target: ("width", "60"), still: "120" },
    Bite { product: "window", rule: "sliding-height", picks: &[("opening", "sliding")], target: ("height", "200"), still: "120" },
    // window: finishes, glass and hardware
    Bite { product: "window", rule: "stain-on-wood", picks: &[("frame", "vinyl")], target: ("colour", "pine"), still: "white" },
    Bite { product: "window", rule: "grilles-need-room", picks: &[("glazing", "triple")], target: ("grille", "prairie"), still: "colonial" },
    Bite { product: "window", rule: "fixed-has-no-hardware", picks: &[("opening", "fixed")], target: ("hardware", "white"), still: "none" },
    Bite { product: "window", rule: "opening-needs-hardware", picks: &[("opening", "casement")], target: ("hardware", "none"), still: "white" },
];

#[test]
fn every_rule_bites() {
    let models = catalogue();
    for bite in BITES {
        let model = models.iter().find(|m| m.id() == bite.product).unwrap();
        let what = format!("{} rule \"{}\" after {:?}", bite.product, bite.rule, bite.picks);
        let (ta, to) = opt(model, bite.target.0, bite.target.1);
        let (_, so) = opt(model, bite.target.0, bite.still);
        assert!(available(model, &[], bite.target.0, bite.target.1), "{what}: {:?} is unavailable even with nothing chosen", bite.target);

        let choices = choose(model, bite.picks);
        let eval = model.evaluate(&choices);
        assert!(eval.consistent, "{what}: the picks are not a valid start");
        assert!(!eval.attributes[ta].available[to], "{what}: {:?} should be unavailable", bite.target);
        assert!(eval.attributes[ta].available[so], "{what}: \"{}\" should remain available", bite.still);

        // The engine names the rule.
        let order: Vec<usize> = bite.picks.iter().map(|(a, _)| attr(model, a)).collect();
        let why = model.explain(&choices, &order, ta, to);
        let rules: Vec<&str> = why.rules.iter().map(|&r| model.def().rules[r].id.as_str()).collect();
        assert!(rules.contains(&bite.rule), "{what}: the explanation names {rules:?}");
        assert!(why.give_up.is_some(), "{what}: nothing would make {:?} possible", bite.target);

        // A full product with the picks and the target is refused.
        let mut full = model.complete(&choices).expect("the picks complete to a product");
        assert!(model.quote(&full).is_ok());
        full.0[ta] = Some(to);
        assert!(matches!(model.quote(&full), Err(OrderError::Violates { .. })), "{what}: a product with {:?} was accepted", bite.target);
    }
}

#[test]
fn every_rule_of_every_product_has_a_bite() {
    for model in catalogue() {
        let rules: BTreeSet<&str> = model.def().rules.iter().map(|r| r.id.as_str()).collect();
        let bitten: BTreeSet<&str> = BITES.iter().filter(|b| b.product == model.id()).map(|b| b.rule).collect();
        assert_eq!(rules, bitten, "{}: rules without a check that they bite (or checks of unknown rules)", model.id());
    }
}

// ---------------------------------------------------------------------------
// The desktop PC.

#[test]
fn pc_has_real_parts_with_the_properties_its_rules_use() {
    let model = product("pc");
    let parts: usize = model.attributes().iter().map(|a| a.options.iter().filter(|o| o.id != "none").count()).sum();
    assert!(parts >= 40, "only {parts} parts");
    let ids: Vec<&str> = model.attributes().iter().map(|a| a.id.as_str()).collect();
    assert_eq!(ids, ["chassis", "cpu", "motherboard", "cooling", "memory", "storage", "storage2", "graphics", "psu", "os", "warranty"]);
    let needs: &[(&str, &[&str])] = &[
        ("chassis", &["gpu_clearance_mm", "cooler_height_max_mm", "radiator_max_mm", "bays_35in"]),
        ("cpu", &["cores", "tdp_w", "power_w"]),
        ("motherboard", &["m2_slots", "sata_ports", "memory_slots"]),
        ("cooling", &["rated_tdp_w"]),
        ("memory", &["capacity_gb"]),
        ("storage", &["capacity_gb", "m2"]),
        ("storage2", &["capacity_gb"]),
        ("graphics", &["length_mm", "power_w", "vram_gb"]),
        ("psu", &["watts"]),
    ];
    for (attr_id, properties) in needs {
        let a = attr(&model, attr_id);
        for (o, option) in model.attributes()[a].options.iter().enumerate() {
            if option.id == "none" {
                continue;
            }
            for p in *properties {
                assert!(number(&model, a, o, p).is_some(), "pc: {attr_id} \"{}\" has no number \"{p}\"", option.id);
            }
        }
    }
    // A cooler is either a tower with a height or a liquid cooler with a radiator.
    let cooling = attr(&model, "cooling");
    for o in 0..model.attributes()[cooling].options.len() {
        assert!(number(&model, cooling, o, "height_mm").is_some() != number(&model, cooling, o, "radiator_mm").is_some());
    }
    // Every system drive is an M.2 drive: the rule "m2-slots" counts one
    // slot for it (its bound is -1) and the second drive's on top.
    let storage = attr(&model, "storage");
    for o in 0..model.attributes()[storage].options.len() {
        assert_eq!(number(&model, storage, o, "m2"), Some(1.0));
    }
    let m2_rule = model.def().rules.iter().find(|r| r.id == "m2-slots").unwrap();
    assert_eq!(m2_rule.bound, Some(-1.0));
    // A second drive is M.2 or SATA.
    let storage2 = attr(&model, "storage2");
    for (o, option) in model.attributes()[storage2].options.iter().enumerate().filter(|(_, o)| o.id != "none") {
        assert!(number(&model, storage2, o, "m2").is_some() != number(&model, storage2, o, "sata").is_some(), "{}", option.id);
    }
}

/// For every pair of options of `a` and `b`: with the first chosen, the second
/// is available exactly when `fits` says so. This ties the rules to the
/// properties they stand for (socket = socket, memory type = memory type, ...).
fn assert_pairs(model: &Model, a_id: &str, b_id: &str, fits: impl Fn(usize, usize) -> bool) {
    let a = attr(model, a_id);
    let b = attr(model, b_id);
    let mut both = [false, false];
    for x in 0..model.attributes()[a].options.len() {
        let mut choices = Choices::empty(model);
        choices.0[a] = Some(x);
        let eval = model.evaluate(&choices);
        for y in 0..model.attributes()[b].options.len() {
            let expected = fits(x, y);
            both[usize::from(expected)] = true;
            assert_eq!(
                eval.attributes[b].available[y],
                expected,
                "pc: {a_id} \"{}\" with {b_id} \"{}\"",
                model.attributes()[a].options[x].id,
                model.attributes()[b].options[y].id
            );
        }
    }
    assert!(both[0] && both[1], "pc: {a_id} and {b_id} never conflict, or never fit");
}

#[test]
fn pc_rules_agree_with_the_part_properties() {
    let model = product("pc");
    let m = &model;
    assert_pairs(m, "cpu", "motherboard", |x, y| string(m, attr(m, "cpu"), x, "socket") == string(m, attr(m, "motherboard"), y, "socket"));
    assert_pairs(m, "motherboard", "memory", |x, y| {
        string(m, attr(m, "motherboard"), x, "memory_type") == string(m, attr(m, "memory"), y, "memory_type")
    });
    assert_pairs(m, "chassis", "motherboard", |x, y| {
        strings(m, attr(m, "chassis"), x, "board_form_factors").contains(&string(m, attr(m, "motherboard"), y, "form_factor"))
    });
    assert_pairs(m, "chassis", "psu", |x, y| strings(m, attr(m, "chassis"), x, "psu_form_factors").contains(&string(m, attr(m, "psu"), y, "form_factor")));
    assert_pairs(m, "chassis", "graphics", |x, y| {
        number(m, attr(m, "graphics"), y, "length_mm").unwrap_or(0.0) <= number(m, attr(m, "chassis"), x, "gpu_clearance_mm").unwrap()
    });
    assert_pairs(m, "chassis", "cooling", |x, y| {
        let (c, k) = (attr(m, "chassis"), attr(m, "cooling"));
        number(m, k, y, "height_mm").unwrap_or(0.0) <= number(m, c, x, "cooler_height_max_mm").unwrap()
            && number(m, k, y, "radiator_mm").unwrap_or(0.0) <= number(m, c, x, "radiator_max_mm").unwrap()
    });
    assert_pairs(m, "cooling", "cpu", |x, y| number(m, attr(m, "cpu"), y, "tdp_w").unwrap() <= number(m, attr(m, "cooling"), x, "rated_tdp_w").unwrap());
    assert_pairs(m, "graphics", "cpu", |x, y| {
        m.attributes()[attr(m, "graphics")].options[x].id != "none" || m.attributes()[attr(m, "cpu")].options[y].properties["integrated_graphics"] == true
    });
}

#[test]
fn pc_power_budget_is_eighty_percent_of_the_supply() {
    let model = product("pc");
    let (cpu, gpu, psu) = (attr(&model, "cpu"), attr(&model, "graphics"), attr(&model, "psu"));
    let mut tight = 0;
    for c in 0..model.attributes()[cpu].options.len() {
        for g in 0..model.attributes()[gpu].options.len() {
            let mut choices = Choices::empty(&model);
            choices.0[cpu] = Some(c);
            choices.0[gpu] = Some(g);
            let eval = model.evaluate(&choices);
            if !eval.consistent {
                continue; // e.g. a processor without graphics and no card
            }
            // In whole watts: draw <= 0.8 * rating, i.e. 10 * draw <= 8 * rating.
            let draw = number(&model, cpu, c, "power_w").unwrap() as i64 + number(&model, gpu, g, "power_w").unwrap_or(0.0) as i64 + 75;
            for p in 0..model.attributes()[psu].options.len() {
                let fits = 10 * draw <= 8 * number(&model, psu, p, "watts").unwrap() as i64;
                tight += usize::from(!fits);
                assert_eq!(eval.attributes[psu].available[p], fits, "cpu {c} gpu {g} psu {p}");
            }
        }
    }
    assert!(tight > 0);
}

// ---------------------------------------------------------------------------
// The jeans.

#[test]
fn jeans_grid_is_227_sizes_by_25_inseams() {
    let model = product("jeans");
    let size = attr(&model, "size");
    let inseam = attr(&model, "inseam");
    let sizes = &model.attributes()[size].options;
    let inseams = &model.attributes()[inseam].options;
    assert_eq!(sizes.len(), 227);
    assert_eq!(inseams.len(), 25);

    let mut seen = HashSet::new();
    for (o, option) in sizes.iter().enumerate() {
        let w = number(&model, size, o, "waist_in").unwrap();
        let h = number(&model, size, o, "hip_in").unwrap();
        assert_eq!(option.id, format!("w{w}-h{h}"));
        assert!(seen.insert((w as i64, h as i64)), "size {} twice", option.id);
        assert!((24.0..=50.0).contains(&w), "{}", option.id);
        assert!(h >= w + 3.0 && h <= w + 14.0, "{}: implausible hip", option.id);
        assert!((number(&model, size, o, "waist_cm").unwrap() - w * 2.54).abs() < 0.006, "{}", option.id);
        assert!((number(&model, size, o, "hip_cm").unwrap() - h * 2.54).abs() < 0.006, "{}", option.id);
    }
    // Every waist from 24 to 50 inches is offered.
    let waists: BTreeSet<i64> = seen.iter().map(|&(w, _)| w).collect();
    assert_eq!(waists, (24..=50).collect::<BTreeSet<i64>>());

    for (o, option) in inseams.iter().enumerate() {
        let inches = 26.0 + 0.5 * o as f64;
        assert_eq!(option.id, tailor_engine::format_number(inches));
        assert_eq!(number(&model, inseam, o, "inseam_in"), Some(inches));
        assert!((number(&model, inseam, o, "inseam_cm").unwrap() - inches * 2.54).abs() < 0.006, "{}", option.id);
    }

    // Size and inseam are free of each other: every pair is a valid product.
    let all = model.count(&Choices::empty(&model));
    let mut one = Choices::empty(&model);
    one.0[inseam] = model.option(inseam, "32");
    assert_eq!(all, model.count(&one) * 25u32);
}

#[test]
fn jeans_selvedge_surcharge_applies_from_inseam_36() {
    let model = product("jeans");
    let mut choices = Choices::defaults(&model);
    let (fabric, selvedge) = opt(&model, "fabric", "selvedge");
    choices.0[fabric] = Some(selvedge);
    let inseam = attr(&model, "inseam");
    for (id, surcharged) in [("35.5", false), ("36", true), ("38", true)] {
        choices.0[inseam] = model.option(inseam, id);
        let quote = model.quote(&choices).unwrap();
        let extra: i64 = quote.surcharges.iter().filter(|s| s.attribute == "long-selvedge").map(|s| s.price).sum();
        assert_eq!(extra > 0, surcharged, "inseam {id}");
        let options: i64 = quote.lines.iter().map(|l| l.price).sum();
        assert_eq!(quote.total, model.def().base_price + options + extra);
    }
    // Not for other fabrics.
    choices.0[fabric] = model.option(fabric, "rigid");
    choices.0[inseam] = model.option(inseam, "38");
    assert!(model.quote(&choices).unwrap().surcharges.is_empty());
}

#[test]
fn the_pc_power_meter_reads_the_parts_chosen() {
    let model = product("pc");
    let choices = Choices::defaults(&model);
    let meters = model.meters(&choices);
    let power = meters.iter().find(|m| model.def().rules[m.rule].id == "power-budget").expect("a power meter");
    let part = |id: &str, prop: &str| {
        let a = attr(&model, id);
        number(&model, a, choices.0[a].unwrap(), prop).unwrap_or(0.0)
    };
    let load = part("cpu", "power_w") + part("graphics", "power_w") + 75.0;
    let capacity = 0.8 * part("psu", "watts");
    assert!(power.known && (power.load - load).abs() < 1e-9 && (power.capacity - capacity).abs() < 1e-9, "{power:?}");
    assert_eq!(power.unit, "W");
    assert!(power.fits(), "the defaults fit the budget");
    // Every meter of a valid configuration fits; an open attribute makes it unknown.
    assert!(meters.iter().all(|m| m.fits() && m.known));
    let mut open = choices.clone();
    open.0[attr(&model, "graphics")] = None;
    let reread = model.meters(&open);
    let power = reread.iter().find(|m| model.def().rules[m.rule].id == "power-budget").unwrap();
    assert!(!power.known && (power.load - (load - part("graphics", "power_w"))).abs() < 1e-9);
}

#[test]
fn the_strongest_graphics_card_on_the_smallest_supply_overloads_the_meter() {
    let model = product("pc");
    let g = attr(&model, "graphics");
    let p = attr(&model, "psu");
    let watts = |a: usize, o: usize, prop: &str| number(&model, a, o, prop).unwrap_or(0.0);
    let hungriest = (0..model.attributes()[g].options.len()).max_by(|&x, &y| watts(g, x, "power_w").total_cmp(&watts(g, y, "power_w"))).unwrap();
    let weakest = (0..model.attributes()[p].options.len()).min_by(|&x, &y| watts(p, x, "watts").total_cmp(&watts(p, y, "watts"))).unwrap();
    let mut choices = Choices::defaults(&model);
    choices.0[g] = Some(hungriest);
    choices.0[p] = Some(weakest);
    let power = model.meters(&choices).into_iter().find(|m| model.def().rules[m.rule].id == "power-budget").unwrap();
    assert!(!power.fits(), "{power:?}");
    assert!(model.quote(&choices).is_err(), "an overloaded supply is not a valid order");
}

#[test]
fn a_meter_needs_a_linear_rule_with_less_or_equal() {
    let path = catalogue_dir().join("pc.json");
    let text = std::fs::read_to_string(&path).unwrap();
    let model = Model::from_json("pc.json", &text).unwrap();
    let r = model.def().rules.iter().position(|r| r.id == "power-budget").unwrap();
    let start = text.find("\"id\": \"power-budget\"").unwrap();
    let ge = format!("{}{}", &text[..start], text[start..].replacen("\"op\": \"<=\"", "\"op\": \">=\"", 1));
    let err = Model::from_json("pc.json", &ge).unwrap_err();
    assert_eq!(err.place, format!("rules[{r}].meter"));
    assert!(err.reason.contains("<="), "{}", err.reason);

    // On a table rule the field is refused by name.
    let t = model.def().rules.iter().position(|r| r.kind == tailor_engine::RuleKind::Table).unwrap();
    let tid = &model.def().rules[t].id;
    let at = text.find(&format!("\"id\": \"{tid}\"")).unwrap();
    let with_meter = format!("{}\"meter\": {{ \"label\": {{ \"en\": \"x\" }}, \"unit\": \"W\" }}, {}", &text[..at], &text[at..]);
    let err = Model::from_json("pc.json", &with_meter).unwrap_err();
    assert_eq!(err.place, format!("rules[{t}].meter"));
}

/// The window is priced by its area plus its options, and its picture is
/// drawn to the size entered.
#[test]
fn the_window_is_priced_by_area_and_drawn_to_size() {
    let w = product("window");
    let defaults = Choices::defaults(&w);
    let quote = w.quote(&defaults).expect("the defaults are a window");
    // 80 cm by 120 cm at 180.00 EUR per square metre, a casement, the base price.
    assert_eq!(w.area_price(&defaults), Some(17_280));
    assert_eq!(quote.total, 9_900 + 12_000 + 17_280);
    let wider = {
        let mut c = defaults.clone();
        c.0[attr(&w, "width")] = w.option(attr(&w, "width"), "90");
        c
    };
    assert_eq!(w.quote(&wider).unwrap().total - quote.total, 2_160, "10 cm wider costs 0.12 m2 more");
    let draw = |c: &Choices| w.picture(c, &Default::default(), "en", "t").unwrap().svg;
    assert!(draw(&defaults).contains(r#"width="80" height="120""#), "{}", draw(&defaults));
    assert!(draw(&wider).contains(r#"width="90" height="120""#));
    assert!(w.picture_alt(&defaults, "zh").starts_with("定制窗户："));
}
