//! Prepared files (`tailor-engine compile`, the site build): the loaded
//! engine answers exactly like a fresh compile, and a stale or damaged file
//! is refused with a clear reason and the model compiled instead.

mod common;

use std::path::Path;

use tailor_engine::bench::Rng;
use tailor_engine::import::parse_file;
use tailor_engine::mdd::DEFAULT_BUDGET;
use tailor_engine::prepared::PreparedError;
use tailor_engine::problem::Problem;
use tailor_engine::{CatalogueIndex, Engine, Model};

type Prices = Option<Vec<Vec<i64>>>;

fn shipped() -> Vec<(String, Problem, Prices)> {
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
            let model = Model::from_json(
                &p.file,
                &std::fs::read_to_string(dir.join(&p.file)).unwrap(),
            )
            .unwrap();
            (
                p.file.clone(),
                model.problem().clone(),
                Some(model.prices().to_vec()),
            )
        })
        .collect()
}

/// Random sessions: at each step the answers (valid values, price bounds,
/// count, consistency) of `a` and `b` agree; then one available value is
/// fixed, or now and then an unavailable one (a conflicting click).
fn same_answers(a: &Engine, b: &Engine, sessions: usize, seed: u64, what: &str) {
    let mut rng = Rng::new(seed);
    let n = a.vars();
    for session in 0..sessions {
        let mut fixed: Vec<Option<u32>> = vec![None; n];
        for step in 0..n.min(25) {
            let answer = a.analyse(&fixed);
            assert_eq!(
                b.analyse(&fixed),
                answer,
                "{what}: session {session} step {step}"
            );
            assert_eq!(
                b.count(&fixed),
                a.count(&fixed),
                "{what}: session {session} step {step}"
            );
            assert_eq!(b.consistent(&fixed), answer.consistent);
            let x = rng.below(n);
            let size = answer.valid[x].len() as u32;
            let open: Vec<u32> = (0..size).filter(|&v| answer.valid[x][v as usize]).collect();
            fixed[x] = if open.is_empty() || rng.below(8) == 0 {
                Some(rng.below(size as usize) as u32)
            } else {
                Some(open[rng.below(open.len())])
            };
        }
    }
}

fn round_trip(name: &str, problem: &Problem, prices: &Prices, sessions: usize) {
    // The automatic choice too, except for the window, whose trace debug
    // builds make slowly (its choice is one of the two forms anyway).
    let mut forced: Vec<(&str, Engine)> = vec![
        (
            "diagram",
            Engine::with_diagram(problem.clone(), prices.clone(), DEFAULT_BUDGET).unwrap(),
        ),
        (
            "search",
            Engine::with_search(problem.clone(), prices.clone(), DEFAULT_BUDGET),
        ),
    ];
    if !name.starts_with("window") {
        forced.push((
            "auto",
            Engine::new(problem.clone(), prices.clone(), DEFAULT_BUDGET).unwrap(),
        ));
    }
    for (how, fresh) in forced {
        let bytes = fresh
            .to_prepared()
            .unwrap_or_else(|| panic!("{name} {how}: nothing to prepare"));
        let loaded = Engine::from_prepared(problem.clone(), prices.clone(), &bytes)
            .unwrap_or_else(|e| panic!("{name} {how}: {e}"));
        assert_eq!(
            (loaded.method(), loaded.nodes()),
            (fresh.method(), fresh.nodes()),
            "{name} {how}"
        );
        assert_eq!(loaded.choice().reason, "loaded from the prepared file");
        assert_eq!(
            loaded.to_prepared().unwrap(),
            bytes,
            "{name} {how}: writing the loaded form gives the same file"
        );
        same_answers(&fresh, &loaded, sessions, 11, &format!("{name} {how}"));
    }
}

#[test]
fn every_shipped_product_loads_its_prepared_form_with_the_same_answers() {
    for (name, problem, prices) in shipped() {
        round_trip(&name, &problem, &prices, 3);
    }
}

#[test]
fn renault_medium_loads_its_prepared_form_with_the_same_answers() {
    let Some(dir) = common::benchmarks_dir() else {
        return;
    };
    let path = dir.join("renault-br4cp/medium_domainsorted.xml");
    let problem = parse_file(
        &path.display().to_string(),
        &std::fs::read_to_string(&path).unwrap(),
    )
    .unwrap();
    let prices = Some(Engine::synthetic_prices(&problem, 7));
    round_trip("renault medium", &problem, &prices, 2);
}

#[test]
fn stale_and_damaged_files_are_refused_by_name_and_the_model_is_compiled() {
    // The small products (debug builds trace the window slowly).
    let models: Vec<_> = shipped()
        .into_iter()
        .filter(|(name, _, _)| !name.starts_with("window"))
        .collect();
    let (name, problem, prices) = &models[0];
    let engine = Engine::new(problem.clone(), prices.clone(), DEFAULT_BUDGET).unwrap();
    let bytes = engine.to_prepared().unwrap();
    let expect_refused = |file: &[u8], p: &Problem, pr: &Prices, what: &str| -> PreparedError {
        let err = Engine::from_prepared(p.clone(), pr.clone(), file)
            .err()
            .unwrap_or_else(|| panic!("{what}: accepted"));
        let (opened, why) = Engine::open(p.clone(), pr.clone(), Some(file), DEFAULT_BUDGET);
        assert_eq!(why.as_ref(), Some(&err), "{what}");
        assert_eq!(
            opened.choice().reason,
            Engine::new(p.clone(), pr.clone(), DEFAULT_BUDGET)
                .unwrap()
                .choice()
                .reason,
            "{what}: compiled instead"
        );
        same_answers(
            &Engine::new(p.clone(), pr.clone(), DEFAULT_BUDGET).unwrap(),
            &opened,
            2,
            5,
            what,
        );
        err
    };
    // Another product's file.
    for (other, p, pr) in &models[1..] {
        let err = expect_refused(&bytes, p, pr, &format!("{name}'s file for {other}"));
        assert!(matches!(err, PreparedError::Stale { .. }), "{err:?}");
        assert!(
            err.to_string()
                .starts_with("prepared for another version of the model"),
            "{err}"
        );
    }
    // Another version of this product: one rule's table loses a tuple.
    let mut changed = problem.clone();
    let table = changed.constraints.iter_mut().find_map(|c| match c {
        tailor_engine::problem::Constraint::Table { tuples, .. } if tuples.len() > 1 => {
            Some(tuples)
        }
        _ => None,
    });
    table.expect("a table").pop();
    assert!(matches!(
        expect_refused(&bytes, &changed, prices, "a changed rule"),
        PreparedError::Stale { .. }
    ));
    // Prices are applied to each question: new prices keep the file good.
    let mut dearer = prices.clone().unwrap();
    dearer[0][0] += 1_000;
    let loaded = Engine::from_prepared(problem.clone(), Some(dearer.clone()), &bytes).unwrap();
    same_answers(
        &Engine::new(problem.clone(), Some(dearer), DEFAULT_BUDGET).unwrap(),
        &loaded,
        3,
        6,
        "new prices",
    );
    // Damage anywhere after the version is caught by the checksum.
    let mut rng = Rng::new(3);
    for _ in 0..8 {
        let mut bad = bytes.clone();
        let i = 12 + rng.below(bad.len() - 12);
        bad[i] ^= 1 << rng.below(8);
        let err = expect_refused(&bad, problem, prices, &format!("byte {i} flipped"));
        assert_eq!(err, PreparedError::Checksum);
        assert_eq!(
            err.to_string(),
            "the checksum does not match: the file is damaged or truncated"
        );
    }
    assert_eq!(
        expect_refused(&bytes[..bytes.len() / 2], problem, prices, "truncated"),
        PreparedError::Checksum
    );
    assert_eq!(
        expect_refused(b"{\"format\": 1}", problem, prices, "a JSON file"),
        PreparedError::NotPrepared
    );
    let mut newer = bytes.clone();
    newer[8] = 2;
    assert_eq!(
        expect_refused(&newer, problem, prices, "format 2"),
        PreparedError::Version { found: 2 }
    );
    // Without a file, nothing is refused.
    assert_eq!(
        Engine::open(problem.clone(), prices.clone(), None, DEFAULT_BUDGET).1,
        None
    );
}

/// Files damaged past the checksum (the checksum recomputed): each is
/// refused as malformed or stale, or loads and answers without panicking.
#[test]
fn damaged_content_with_a_good_checksum_never_panics() {
    let mut rng = Rng::new(17);
    let mut refused = 0;
    // The small products (debug builds trace the window slowly).
    for (name, problem, prices) in shipped()
        .into_iter()
        .filter(|(name, _, _)| !name.starts_with("window"))
    {
        for engine in [
            Engine::with_diagram(problem.clone(), prices.clone(), DEFAULT_BUDGET).unwrap(),
            Engine::with_search(problem.clone(), prices.clone(), DEFAULT_BUDGET),
        ] {
            let good = engine.to_prepared().unwrap();
            for round in 0..80 {
                let mut bad = good.clone();
                for _ in 0..1 + rng.below(3) {
                    let i = 21 + rng.below(bad.len() - 25);
                    bad[i] = if rng.below(2) == 0 {
                        bad[i] ^ (1 << rng.below(8))
                    } else {
                        rng.below(256) as u8
                    };
                }
                if round % 20 == 0 {
                    bad.truncate(21 + rng.below(bad.len() - 21));
                    bad.extend_from_slice(&[0; 4]);
                }
                tailor_engine::prepared::reseal(&mut bad);
                match Engine::from_prepared(problem.clone(), prices.clone(), &bad) {
                    Err(e) => {
                        assert!(matches!(e, PreparedError::Malformed(_)), "{name}: {e:?}");
                        refused += 1;
                    }
                    Ok(loaded) => {
                        let mut fixed = vec![None; loaded.vars()];
                        for x in 0..loaded.vars().min(4) {
                            let a = loaded.analyse(&fixed);
                            let _ = loaded.count(&fixed);
                            fixed[x] = a.valid[x].iter().position(|&v| v).map(|v| v as u32);
                        }
                    }
                }
            }
        }
    }
    assert!(refused > 40, "only {refused} damaged files refused");
}

/// A catalogue product's rules from its prepared file (the diagram form the
/// browser and the server would load): every evaluation, count and
/// explanation is the fresh compile's; a foreign or search-form file is
/// refused by name and the rules compiled.
#[test]
fn shipped_models_load_their_prepared_rules_with_the_same_answers() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../public/catalogue");
    let index = CatalogueIndex::from_json(
        "index.json",
        &std::fs::read_to_string(dir.join("index.json")).unwrap(),
    )
    .unwrap();
    let texts: Vec<(String, String)> = index
        .products
        .iter()
        .map(|p| {
            (
                p.file.clone(),
                std::fs::read_to_string(dir.join(&p.file)).unwrap(),
            )
        })
        .collect();
    let mut rng = Rng::new(23);
    for (i, (file, text)) in texts.iter().enumerate() {
        let fresh = Model::from_json(file, text).unwrap();
        let bytes = fresh.to_prepared();
        let (loaded, refused) = Model::from_json_prepared(file, text, &bytes).unwrap();
        assert_eq!(refused, None, "{file}");
        assert_eq!(loaded.to_prepared(), bytes, "{file}");
        // The shop's loader (no compiler): the same model from the file.
        let strict = Model::from_json_with_prepared_rules(file, text, &bytes).unwrap();
        assert_eq!(strict.to_prepared(), bytes, "{file}");
        assert_eq!(strict.fingerprint(), fresh.fingerprint(), "{file}");
        for _ in 0..20 {
            let mut choices = tailor_engine::bench::random_choices(&fresh, &mut rng);
            for a in 0..choices.0.len() {
                if rng.below(2) == 0 {
                    choices.0[a] = None;
                }
            }
            assert_eq!(
                loaded.evaluate(&choices),
                fresh.evaluate(&choices),
                "{file}"
            );
            assert_eq!(loaded.count(&choices), fresh.count(&choices), "{file}");
            let a = rng.below(choices.0.len());
            let options = fresh.attributes()[a].options.len();
            if options > 0 {
                let o = rng.below(options);
                let order: Vec<usize> = (0..choices.0.len())
                    .filter(|&b| choices.0[b].is_some())
                    .collect();
                assert_eq!(
                    loaded.explain(&choices, &order, a, o),
                    fresh.explain(&choices, &order, a, o),
                    "{file}"
                );
                assert_eq!(
                    loaded.choose_anyway(&choices, &order, a, o),
                    fresh.choose_anyway(&choices, &order, a, o),
                    "{file}"
                );
            }
        }
        // Another product's file, and this product's search trace.
        let (other_file, other_text) = &texts[(i + 1) % texts.len()];
        let other = Model::from_json(other_file, other_text)
            .unwrap()
            .to_prepared();
        let (compiled, why) = Model::from_json_prepared(file, text, &other).unwrap();
        assert!(
            matches!(why, Some(PreparedError::Stale { .. })),
            "{file}: {why:?}"
        );
        assert_eq!(compiled.to_prepared(), bytes, "{file}: compiled instead");
        // ... which the shop's loader refuses, saying why, rather than compile.
        let refused = Model::from_json_with_prepared_rules(file, text, &other).unwrap_err();
        assert_eq!(refused.place, "rules", "{file}");
        assert!(
            refused.reason.starts_with(
                "the prepared rules cannot be used: prepared for another version of the model"
            ),
            "{file}: {refused}"
        );
        let damaged =
            Model::from_json_with_prepared_rules(file, text, b"not the rules at all").unwrap_err();
        assert_eq!(
            damaged.to_string(),
            format!("{file}: rules: the prepared rules cannot be used: not a prepared model file")
        );
        if file.starts_with("window") {
            continue; // its trace is slow to make in debug builds
        }
        let trace = Engine::with_search(fresh.problem().clone(), None, DEFAULT_BUDGET)
            .to_prepared()
            .unwrap();
        let (_, why) = Model::from_json_prepared(file, text, &trace).unwrap();
        assert_eq!(
            why.map(|e| e.to_string()).as_deref(),
            Some("malformed prepared model: a search trace where a diagram is needed")
        );
    }
}
