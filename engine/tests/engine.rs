//! Engine behaviour on the shipped catalogue and on generated models, checked
//! against brute-force enumeration of every full configuration.

use std::collections::BTreeMap;
use std::path::Path;

mod common;
use common::Rng;

use tailor_engine::{CatalogueIndex, Choices, Model, OrderError};

fn catalogue_dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../public/catalogue")
}

fn shipped_models() -> Vec<Model> {
    let dir = catalogue_dir();
    let index_text = std::fs::read_to_string(dir.join("index.json")).unwrap();
    let index = CatalogueIndex::from_json("index.json", &index_text).unwrap();
    assert!(!index.products.is_empty());
    index
        .products
        .iter()
        .map(|p| {
            let text = std::fs::read_to_string(dir.join(&p.file)).unwrap();
            let model = Model::from_json(&p.file, &text).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(model.id(), p.id, "index entry and model id differ");
            model
        })
        .collect()
}

/// Every full configuration, by enumeration; valid ones are those `quote` accepts.
fn all_full(model: &Model) -> Vec<Vec<usize>> {
    let sizes: Vec<usize> = model.attributes().iter().map(|a| a.options.len()).collect();
    let mut out = Vec::new();
    let mut cur = vec![0; sizes.len()];
    loop {
        out.push(cur.clone());
        let mut i = 0;
        loop {
            if i == sizes.len() {
                return out;
            }
            cur[i] += 1;
            if cur[i] < sizes[i] {
                break;
            }
            cur[i] = 0;
            i += 1;
        }
    }
}

fn valid_full(model: &Model) -> Vec<Vec<usize>> {
    all_full(model)
        .into_iter()
        .filter(|c| model.quote(&Choices(c.iter().map(|&o| Some(o)).collect())).is_ok())
        .collect()
}

/// Availability by definition: some valid full configuration has the option
/// and agrees with every choice on the other attributes.
fn brute_available(_model: &Model, valid: &[Vec<usize>], choices: &Choices, a: usize, o: usize) -> bool {
    valid.iter().any(|c| {
        c[a] == o && choices.0.iter().enumerate().all(|(b, ch)| b == a || ch.is_none_or(|x| x == c[b]))
    })
}

/// All partial choice vectors (each attribute open or one option).
fn all_partial(model: &Model) -> Vec<Choices> {
    let mut out = vec![Vec::new()];
    for attr in model.attributes() {
        let mut next = Vec::new();
        for prefix in &out {
            let mut open = prefix.clone();
            open.push(None);
            next.push(open);
            for o in 0..attr.options.len() {
                let mut p = prefix.clone();
                p.push(Some(o));
                next.push(p);
            }
        }
        out = next;
    }
    out.into_iter().map(Choices).collect()
}

fn assert_matches_brute_force(model: &Model) {
    let valid = valid_full(model);
    for choices in all_partial(model) {
        let eval = model.evaluate(&choices);
        for (a, state) in eval.attributes.iter().enumerate() {
            for (o, &avail) in state.available.iter().enumerate() {
                assert_eq!(
                    avail,
                    brute_available(model, &valid, &choices, a, o),
                    "model {} choices {:?}: attribute {a} option {o}",
                    model.id(),
                    choices.0
                );
            }
        }
        let consistent = valid
            .iter()
            .any(|c| choices.0.iter().enumerate().all(|(b, ch)| ch.is_none_or(|x| x == c[b])));
        assert_eq!(eval.consistent, consistent, "choices {:?}", choices.0);
    }
}

/// Models small enough to enumerate every partial configuration.
fn small(model: &Model) -> bool {
    model.attributes().iter().map(|a| a.options.len() as u128 + 1).product::<u128>() <= 100_000
}

#[test]
fn shipped_catalogue_loads_and_availability_is_exact() {
    for model in shipped_models().into_iter().filter(small) {
        assert_matches_brute_force(&model);
    }
}

#[test]
fn starter_pc_socket_rule_hides_the_other_board() {
    let model = shipped_models().into_iter().find(|m| m.id() == "pc-starter").unwrap();
    let cpu = model.attribute("cpu").unwrap();
    let board = model.attribute("board").unwrap();
    let mut choices = Choices::empty(&model);
    choices.0[cpu] = model.option(cpu, "i5-14400");
    let eval = model.evaluate(&choices);
    let b650 = model.option(board, "b650").unwrap();
    let b760 = model.option(board, "b760").unwrap();
    assert!(!eval.attributes[board].available[b650]);
    assert!(eval.attributes[board].available[b760]);
    let why = model.explain(&choices, &[cpu], board, b650);
    assert_eq!(why.because, vec![cpu]);
    let rules: Vec<&str> = why.rules.iter().map(|&r| model.def().rules[r].id.as_str()).collect();
    assert_eq!(rules, vec!["cpu-socket-lga1700"]);
    assert_eq!(why.give_up, Some(vec![cpu]));
}

#[test]
fn choosing_an_unavailable_option_anyway_gives_up_only_what_blocks_it() {
    let model = shipped_models().into_iter().find(|m| m.id() == "pc-starter").unwrap();
    let defaults = Choices::defaults(&model);
    let cpu = model.attribute("cpu").unwrap();
    let board = model.attribute("board").unwrap();
    let intel = model.option(cpu, "i5-14400").unwrap();
    assert!(!model.evaluate(&defaults).attributes[cpu].available[intel]);
    let (next, dropped) = model.choose_anyway(&defaults, &[], cpu, intel).unwrap();
    assert_eq!(dropped, vec![board]);
    assert_eq!(next.0[cpu], Some(intel));
    assert_eq!(next.0[board], None);
    for (a, choice) in defaults.0.iter().enumerate() {
        if a != cpu && a != board {
            assert_eq!(next.0[a], *choice, "attribute {a} should be kept");
        }
    }
    let eval = model.evaluate(&next);
    assert!(eval.consistent);
    assert!(eval.attributes[board].available[model.option(board, "b760").unwrap()]);
}

#[test]
fn choose_anyway_always_leads_to_a_consistent_state_on_generated_models() {
    let mut rng = Rng(0x1234_5678_9ABC_DEF1);
    let mut tried = 0;
    for _ in 0..200 {
        let model = Model::from_json("generated.json", &random_model(&mut rng)).unwrap();
        let valid = valid_full(&model);
        for choices in all_partial(&model) {
            let eval = model.evaluate(&choices);
            for (a, state) in eval.attributes.iter().enumerate() {
                for (o, &avail) in state.available.iter().enumerate() {
                    let possible = valid.iter().any(|c| c[a] == o);
                    if avail || !possible {
                        continue;
                    }
                    tried += 1;
                    let order: Vec<usize> = (0..choices.0.len()).collect();
                    let (next, dropped) = model.choose_anyway(&choices, &order, a, o).unwrap();
                    assert!(model.evaluate(&next).consistent, "{:?} -> {:?}", choices.0, next.0);
                    for (b, ch) in next.0.iter().enumerate() {
                        if b != a && !dropped.contains(&b) {
                            assert_eq!(*ch, choices.0[b]);
                        }
                    }
                }
            }
        }
    }
    assert!(tried > 100, "only {tried} cases exercised");
}

#[test]
fn quote_recomputes_the_price_and_refuses_bad_orders() {
    let model = shipped_models().into_iter().find(|m| m.id() == "pc-starter").unwrap();
    let defaults = Choices::defaults(&model);
    let quote = model.quote(&defaults).unwrap();
    let expected: i64 = model.def().base_price
        + model
            .attributes()
            .iter()
            .map(|a| a.options.iter().find(|o| Some(&o.id) == a.default.as_ref()).unwrap().price)
            .sum::<i64>();
    assert_eq!(quote.total, expected);
    assert_eq!(quote.lines.len(), model.attributes().len());

    let mut incomplete = defaults.clone();
    incomplete.0[model.attribute("memory").unwrap()] = None;
    assert_eq!(model.quote(&incomplete), Err(OrderError::Incomplete(vec!["memory".into()])));

    let mut ids = defaults.to_ids(&model);
    ids.insert("cpu".into(), "i5-14400".into());
    let bad = Choices::from_ids(&model, &ids).unwrap();
    match model.quote(&bad) {
        Err(OrderError::Violates { rule, .. }) => assert_eq!(rule, "cpu-socket-lga1700"),
        other => panic!("expected a rule violation, got {other:?}"),
    }
}

#[test]
fn unknown_ids_in_choices_are_named() {
    let model = shipped_models().into_iter().next().unwrap();
    let mut ids = BTreeMap::new();
    ids.insert("colour".to_string(), "red".to_string());
    assert_eq!(Choices::from_ids(&model, &ids).unwrap_err().to_string(), "unknown attribute \"colour\"");
    let mut ids = BTreeMap::new();
    ids.insert("cpu".to_string(), "z80".to_string());
    assert_eq!(
        Choices::from_ids(&model, &ids).unwrap_err().to_string(),
        "\"z80\" is not an option of attribute \"cpu\""
    );
}


fn random_model(rng: &mut Rng) -> String {
    let attrs = 2 + rng.below(3);
    let sizes: Vec<usize> = (0..attrs).map(|_| 1 + rng.below(3)).collect();
    let attributes: Vec<String> = sizes
        .iter()
        .enumerate()
        .map(|(a, &n)| {
            let opts: Vec<String> = (0..n)
                .map(|o| format!(r#"{{"id":"o{o}","label":{{"en":"O{o}"}},"price":{},"properties":{{"w":{}}}}}"#, rng.below(500), rng.below(5)))
                .collect();
            format!(r#"{{"id":"a{a}","label":{{"en":"A{a}"}},"options":[{}]}}"#, opts.join(","))
        })
        .collect();
    let rules: Vec<String> = (0..rng.below(5))
        .map(|r| {
            let x = rng.below(attrs);
            let y = (x + 1 + rng.below(attrs - 1)) % attrs;
            let ox = rng.below(sizes[x]);
            let oy = rng.below(sizes[y]);
            match rng.below(4) {
                0 | 1 => {
                    let kind = if rng.below(2) == 0 { "requires" } else { "excludes" };
                    format!(
                        r#"{{"id":"r{r}","kind":"{kind}","if":{{"attribute":"a{x}","options":["o{ox}"]}},"then":{{"attribute":"a{y}","options":["o{oy}"]}},"message":{{"en":"m"}}}}"#
                    )
                }
                2 => {
                    let field = if rng.below(2) == 0 { "allowed" } else { "forbidden" };
                    let rows: Vec<String> = (0..1 + rng.below(3))
                        .map(|_| {
                            let a = if rng.below(4) == 0 { "*".to_string() } else { format!("o{}", rng.below(sizes[x])) };
                            format!(r#"["{a}","o{}"]"#, rng.below(sizes[y]))
                        })
                        .collect();
                    format!(
                        r#"{{"id":"r{r}","kind":"table","attributes":["a{x}","a{y}"],"{field}":[{}],"message":{{"en":"m"}}}}"#,
                        rows.join(",")
                    )
                }
                _ => {
                    let op = ["<=", ">=", "=="][rng.below(3)];
                    format!(
                        r#"{{"id":"r{r}","kind":"linear","terms":[{{"attribute":"a{x}","property":"w"}},{{"attribute":"a{y}","property":"w","factor":-0.5}}],"op":"{op}","bound":{},"message":{{"en":"m"}}}}"#,
                        rng.below(4)
                    )
                }
            }
        })
        .collect();
    let surcharges: Vec<String> = (0..rng.below(2))
        .map(|s| {
            let x = rng.below(attrs);
            format!(r#"{{"id":"s{s}","label":{{"en":"S"}},"when":[{{"attribute":"a{x}","options":["o0"]}}],"price":{}}}"#, rng.below(300))
        })
        .collect();
    format!(
        r#"{{"format":"tailor-model/1","id":"gen","version":"1","name":{{"en":"G"}},"currency":"EUR","base_price":1000,"attributes":[{}],"rules":[{}],"surcharges":[{}]}}"#,
        attributes.join(","),
        rules.join(","),
        surcharges.join(",")
    )
}

/// Price of a full configuration by definition: base, options, surcharges.
fn brute_price(model: &Model, c: &[usize]) -> i64 {
    let def = model.def();
    let options: i64 = c.iter().enumerate().map(|(a, &o)| def.attributes[a].options[o].price).sum();
    let surcharges: i64 = def
        .surcharges
        .iter()
        .filter(|s| s.when.iter().all(|w| {
            let a = model.attribute(&w.attribute).unwrap();
            w.options.contains(&def.attributes[a].options[c[a]].id)
        }))
        .map(|s| s.price)
        .sum();
    def.base_price + options + surcharges
}

#[test]
fn generated_models_prices_counts_and_explanations_are_exact() {
    let mut rng = Rng(0x0BAD_CAFE_F00D_1234);
    let mut explained = 0;
    for _ in 0..300 {
        let text = random_model(&mut rng);
        let model = Model::from_json("generated.json", &text).unwrap_or_else(|e| panic!("{e}\n{text}"));
        let valid = valid_full(&model);
        for choices in all_partial(&model) {
            let keeps = |c: &Vec<usize>, except: Option<usize>| choices.0.iter().enumerate().all(|(b, ch)| Some(b) == except || ch.is_none_or(|x| x == c[b]));
            let eval = model.evaluate(&choices);
            let matching: Vec<&Vec<usize>> = valid.iter().filter(|c| keeps(c, None)).collect();
            assert_eq!(model.count(&choices), num_bigint::BigUint::from(matching.len()), "{text}");
            assert_eq!(eval.total_min, matching.iter().map(|c| brute_price(&model, c)).min());
            for (a, state) in eval.attributes.iter().enumerate() {
                for o in 0..state.available.len() {
                    let prices: Vec<i64> = valid.iter().filter(|c| c[a] == o && keeps(c, Some(a))).map(|c| brute_price(&model, c)).collect();
                    assert_eq!(state.min[o], prices.iter().copied().min(), "{text} {:?} a{a} o{o}", choices.0);
                    assert_eq!(state.max[o], prices.iter().copied().max());
                    if state.available[o] {
                        continue;
                    }
                    // Explanations: the blamed choices alone exclude the
                    // option; leaving any one out, they no longer do.
                    let order: Vec<usize> = (0..choices.0.len()).collect();
                    let why = model.explain(&choices, &order, a, o);
                    let possible_with = |kept: &[usize]| valid.iter().any(|c| c[a] == o && kept.iter().all(|&b| choices.0[b] == Some(c[b])));
                    if !valid.iter().any(|c| c[a] == o) {
                        assert_eq!(why.give_up, None);
                        continue;
                    }
                    explained += 1;
                    assert!(!why.because.is_empty());
                    assert!(!possible_with(&why.because), "{text} blamed {:?}", why.because);
                    for i in 0..why.because.len() {
                        let mut fewer = why.because.clone();
                        fewer.remove(i);
                        assert!(possible_with(&fewer), "{text} not minimal {:?}", why.because);
                    }
                    // Giving up the proposed choices makes it available, and
                    // no smaller set would.
                    let give_up = why.give_up.clone().unwrap();
                    let kept: Vec<usize> = (0..choices.0.len()).filter(|b| *b != a && choices.0[*b].is_some() && !give_up.contains(b)).collect();
                    assert!(possible_with(&kept));
                    let chosen: Vec<usize> = (0..choices.0.len()).filter(|b| *b != a && choices.0[*b].is_some()).collect();
                    for mask in 0u32..(1 << chosen.len()) {
                        let drop: Vec<usize> = chosen.iter().enumerate().filter(|(i, _)| mask & (1 << i) != 0).map(|(_, &b)| b).collect();
                        if drop.len() < give_up.len() {
                            let kept: Vec<usize> = chosen.iter().copied().filter(|b| !drop.contains(b)).collect();
                            assert!(!possible_with(&kept), "{text}: dropping {drop:?} beats {give_up:?}");
                        }
                    }
                    let (next, dropped) = model.choose_anyway(&choices, &order, a, o).unwrap();
                    assert_eq!(dropped, give_up);
                    assert!(model.evaluate(&next).consistent);
                    // The completion from there is a valid, complete product.
                    let done = model.complete(&next).unwrap();
                    assert!(model.quote(&done).is_ok());
                }
            }
        }
    }
    assert!(explained > 200, "only {explained} explanations checked");
}

#[test]
fn generated_models_availability_is_exact() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for _ in 0..200 {
        let text = random_model(&mut rng);
        let model = Model::from_json("generated.json", &text).unwrap_or_else(|e| panic!("{e}\n{text}"));
        assert_matches_brute_force(&model);
    }
}

#[test]
fn invalid_models_name_file_place_and_reason() {
    let base = std::fs::read_to_string(catalogue_dir().join("pc-starter.json")).unwrap();
    let prize_line = base.lines().position(|l| l.contains("\"price\": 19900")).unwrap() + 1;
    let prize_place = format!("line {prize_line}, column");
    let cases: Vec<(String, &str, &str)> = vec![
        (base.replacen("tailor-model/1", "tailor-model/9", 1), "format", "expected"),
        (base.replacen("[\"i5-14400\"]", "[\"i9\"]", 1), "rules[1].if.options[0]", "\"i9\" is not an option"),
        (base.replacen("\"attribute\": \"board\"", "\"attribute\": \"gpu\"", 1), "rules[0].then.attribute", "unknown attribute \"gpu\""),
        (base.replacen("\"id\": \"b760\"", "\"id\": \"b650\"", 1), "attributes[1].options[1].id", "duplicate option id"),
        (base.replacen("\"default\": \"16gb\"", "\"default\": \"64gb\"", 1), "attributes[2].default", "\"64gb\""),
        (base.replacen("\"EUR\"", "\"euro\"", 1), "currency", "ISO 4217"),
        (base.replacen("\"price\": 19900", "\"prize\": 19900", 1), &prize_place, "unknown field `prize`"),
        (base[..base.len() / 2].to_string(), "line", "EOF"),
    ];
    for (text, place, reason) in cases {
        let err = Model::from_json("pc-starter.json", &text).expect_err(place);
        assert_eq!(err.source, "pc-starter.json");
        assert!(err.place.starts_with(place), "place {:?} for expected {place}", err.place);
        assert!(err.reason.contains(reason), "reason {:?} lacks {reason}", err.reason);
    }
}

#[test]
fn catalogue_index_refuses_paths_outside_the_catalogue() {
    let text = r#"{"products":[{"id":"x","file":"../secret.json","name":{"en":"X"},"summary":{"en":"X"}}]}"#;
    let err = CatalogueIndex::from_json("index.json", text).unwrap_err();
    assert_eq!(err.place, "products[0].file");
    for bad in ["../x.prep", "sub/x.prep", "/x.prep", ".prep", "x.json", "x y.prep", "x:y.prep"] {
        let text = format!(r#"{{"products":[{{"id":"x","file":"x.json","prepared":"{bad}","name":{{"en":"X"}},"summary":{{"en":"X"}}}}]}}"#);
        let err = CatalogueIndex::from_json("index.json", &text).expect_err(bad);
        assert_eq!(err.place, "products[0].prepared", "{bad}");
    }
    let good = r#"{"products":[{"id":"x","file":"x.json","prepared":"x-0123456789abcdef.prep","name":{"en":"X"},"summary":{"en":"X"}}]}"#;
    let index = CatalogueIndex::from_json("index.json", good).unwrap();
    assert_eq!(index.products[0].prepared.as_deref(), Some("x-0123456789abcdef.prep"));
}

#[test]
fn configuration_codes_round_trip_and_refuse_bad_input() {
    let mut rng = Rng(0x5EED_0000_0000_0001);
    let models: Vec<Model> = (0..50)
        .map(|_| Model::from_json("generated.json", &random_model(&mut rng)).unwrap())
        .chain(shipped_models().into_iter().filter(small))
        .collect();
    for model in &models {
        for choices in all_partial(model).into_iter().take(300) {
            let code = model.encode(&choices);
            assert!(code.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'), "{code}");
            assert_eq!(model.decode(&code), Ok(choices.clone()), "{code}");
            // Any single changed character is refused, never misread.
            for i in 0..code.len() {
                let mut bytes = code.clone().into_bytes();
                bytes[i] = if bytes[i] == b'x' { b'y' } else { b'x' };
                let damaged = String::from_utf8(bytes).unwrap();
                if let Ok(other) = model.decode(&damaged) {
                    // Two check characters let about 1 in 4096 through.
                    assert_ne!(other, choices, "{damaged}");
                }
            }
        }
    }
    let pc = shipped_models().into_iter().find(|m| m.id() == "pc-starter").unwrap();
    let code = pc.encode(&Choices::defaults(&pc));
    assert_eq!(pc.decode("").unwrap_err().to_string(), "not a configuration code: \"\" is too short");
    assert!(matches!(pc.decode(&format!("{code}!")), Err(tailor_engine::CodeError::Malformed(_))));
    assert_eq!(pc.decode(&format!("2{}", &code[1..])), Err(tailor_engine::CodeError::UnknownFormat('2')));
    // The same choices under another catalogue version.
    let text = std::fs::read_to_string(catalogue_dir().join("pc-starter.json")).unwrap();
    let newer = Model::from_json("pc-starter.json", &text.replacen("2026.11.1", "2026.12.1", 1)).unwrap();
    let newer_code = newer.encode(&Choices::defaults(&newer));
    assert_eq!(pc.decode(&newer_code), Err(tailor_engine::CodeError::OtherCatalogue));
}

#[test]
fn a_session_proposes_undoes_and_redoes() {
    let model = shipped_models().into_iter().find(|m| m.id() == "pc-starter").unwrap();
    let cpu = model.attribute("cpu").unwrap();
    let board = model.attribute("board").unwrap();
    let memory = model.attribute("memory").unwrap();
    let mut s = tailor_engine::Session::new(&model);
    assert!(!s.can_undo());
    s.choose(&model, memory, 1).unwrap();
    assert_eq!(s.order(), &[memory]);
    // Intel is unavailable with the AMD board: a proposal, nothing changed.
    let intel = model.option(cpu, "i5-14400").unwrap();
    let before = s.choices().clone();
    let proposal = s.choose(&model, cpu, intel).unwrap_err();
    assert_eq!(s.choices(), &before);
    assert_eq!(proposal.explanation.give_up, Some(vec![board]));
    assert!(s.accept(&model, &proposal));
    assert_eq!(s.choices().0[cpu], Some(intel));
    assert_eq!(s.choices().0[board], None);
    assert_eq!(s.choices().0[memory], Some(1), "the memory choice is kept");
    s.undo();
    assert_eq!(s.choices(), &before);
    s.redo();
    assert_eq!(s.choices().0[cpu], Some(intel));
    s.start_over(&model);
    assert_eq!(s.choices(), &Choices::defaults(&model));
    s.undo();
    assert_eq!(s.choices().0[cpu], Some(intel));
    assert!(s.can_redo());
    // A new choice after undo drops the redo branch.
    s.clear(memory);
    assert!(!s.can_redo());
    assert_eq!(s.choices().0[memory], None);
    // Filling in (complete the rest) keeps the customer's own choices as
    // theirs, does not count the filled ones as decided, and undoes in one step.
    let before = s.clone();
    let mut filled = s.choices().clone();
    filled.0[memory] = Some(0);
    filled.0[board] = model.option(board, "b760");
    assert_eq!(s.order(), &[cpu]);
    s.fill(filled.clone());
    assert_eq!((s.choices(), s.order()), (&filled, &[cpu][..]));
    s.undo();
    assert_eq!((s.choices(), s.order()), (before.choices(), before.order()));
    // A decided choice the filling changes is no longer the customer's.
    let mut other = filled.clone();
    other.0[cpu] = model.option(cpu, "i5-14400").filter(|&o| Some(o) != filled.0[cpu]).or(Some(0));
    s.fill(other);
    assert!(s.order().is_empty());
}

/// A price by area: the chosen width by height, in the total, the quote and
/// the price bounds; a model that names something else is refused.
#[test]
fn a_price_by_area_follows_width_and_height() {
    let model = |area: &str| {
        Model::from_json(
            "pane.json",
            &format!(
                r#"{{"format": "tailor-model/1", "id": "pane", "version": "1", "name": {{"en": "Pane"}}, "currency": "EUR", "base_price": 1000,
                    "attributes": [
                      {{"id": "width", "label": {{"en": "Width"}}, "range": {{"min": 40, "max": 100, "step": 10, "unit": "cm"}}}},
                      {{"id": "height", "label": {{"en": "Height"}}, "range": {{"min": 40, "max": 100, "step": 10, "unit": "cm"}}}},
                      {{"id": "glass", "label": {{"en": "Glass"}}, "options": [{{"id": "clear", "label": {{"en": "Clear"}}}}]}}],
                    "area_price": {area}}}"#
            ),
        )
    };
    let m = model(r#"{"width": "width", "height": "height", "per_m2": 10000, "label": {"en": "Size"}}"#).unwrap();
    let mut c = Choices::empty(&m);
    let eval = m.evaluate(&c);
    assert_eq!((eval.total_min, eval.total_max), (Some(1000 + 1600), Some(1000 + 10000)), "the bounds include the area's price");
    c.0[0] = m.option(0, "60");
    c.0[1] = m.option(1, "80");
    c.0[2] = Some(0);
    assert_eq!(m.area_price(&c), Some(4800));
    assert_eq!((m.attributes()[0].options[2].label.get("en"), m.attributes()[0].options[2].label.get("zh")), ("60 cm", "60 cm"), "a number reads the same in both languages");
    let quote = m.quote(&c).unwrap();
    assert_eq!(quote.total, 1000 + 4800);
    assert!(quote.surcharges.iter().any(|l| l.attribute == "area" && l.price == 4800), "{quote:?}");
    assert_eq!(m.evaluate(&c).total_min, Some(5800));
    // Only width chosen: the bounds follow the heights still possible.
    let mut w = Choices::empty(&m);
    w.0[0] = m.option(0, "50");
    assert_eq!(m.evaluate(&w).total_max, Some(1000 + 5000));
    for (bad, expected) in [
        (r#"{"width": "glass", "height": "height", "per_m2": 1, "label": {"en": "Size"}}"#, "area_price.width: \"glass\" must be a numeric input"),
        (r#"{"width": "width", "height": "depth", "per_m2": 1, "label": {"en": "Size"}}"#, "area_price.height: unknown attribute \"depth\""),
        (r#"{"width": "width", "height": "height", "per_m2": -5, "label": {"en": "Size"}}"#, "area_price.per_m2"),
    ] {
        let e = model(bad).unwrap_err().to_string();
        assert!(e.contains(expected), "{e}");
    }
}

#[test]
fn every_shipped_product_counts_the_same_by_variable_elimination_and_component_search() {
    for model in shipped_models() {
        let open = tailor_engine::Choices::empty(&model);
        let by_elimination = tailor_engine::oracle::count(model.problem()).unwrap_or_else(|e| panic!("{}: {e}", model.id()));
        assert_eq!(model.count(&open), num_bigint::BigUint::from(by_elimination), "{}", model.id());
        assert_eq!(tailor_engine::oracle::count_by_search(model.problem()), Ok(by_elimination), "{}", model.id());
    }
}
