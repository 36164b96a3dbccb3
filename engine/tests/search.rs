//! The search method against the compiled diagrams (and brute force, where
//! small enough): on random problems with clauses, tables and linear rules,
//! and on the real BusyBox model through the engine's fallback, every
//! answer must be identical.

mod common;

use num_bigint::BigUint;
use tailor_engine::Engine;
use tailor_engine::bench::Rng;
use tailor_engine::import::parse_file;
use tailor_engine::mdd::{Analysis, DEFAULT_BUDGET, Forest};
use tailor_engine::problem::{Constraint, Lit, Problem, Var};
use tailor_engine::search::Search;

/// A random problem over `n` variables: Boolean ones (in clauses) and
/// multi-valued ones, with tables (allowed and forbidden) and linear rules
/// over any of them.
fn random_problem(rng: &mut Rng, n: usize, constraints: usize) -> Problem {
    let vars: Vec<Var> = (0..n)
        .map(|i| {
            if rng.below(2) == 0 {
                Var::boolean(format!("x{i}"))
            } else {
                Var {
                    name: format!("x{i}"),
                    values: (0..1 + rng.below(4)).map(|v| v.to_string()).collect(),
                }
            }
        })
        .collect();
    let booleans: Vec<usize> = (0..n).filter(|&x| vars[x].values.len() == 2).collect();
    let scope = |rng: &mut Rng, arity: usize| -> Vec<usize> {
        let mut all: Vec<usize> = (0..n).collect();
        rng.shuffle(&mut all);
        all.truncate(arity.min(n));
        all
    };
    let mut out = Vec::new();
    for _ in 0..constraints {
        match rng.below(4) {
            0 | 1 if !booleans.is_empty() => {
                let lits = (0..1 + rng.below(3))
                    .map(|_| Lit {
                        var: booleans[rng.below(booleans.len())],
                        positive: rng.below(2) == 0,
                    })
                    .collect();
                out.push(Constraint::Clause(lits));
            }
            2 => {
                let arity = 1 + rng.below(3);
                let scope = scope(rng, arity);
                let tuples = (0..rng.below(10))
                    .map(|_| {
                        scope
                            .iter()
                            .map(|&x| rng.below(vars[x].values.len()) as u32)
                            .collect()
                    })
                    .collect();
                out.push(Constraint::Table {
                    vars: scope,
                    tuples,
                    allowed: rng.below(2) == 0,
                });
            }
            _ => {
                let arity = 1 + rng.below(4);
                let scope = scope(rng, arity);
                let terms: Vec<(usize, Vec<i64>)> = scope
                    .iter()
                    .map(|&x| {
                        (
                            x,
                            vars[x]
                                .values
                                .iter()
                                .map(|_| rng.below(7) as i64 - 3)
                                .collect(),
                        )
                    })
                    .collect();
                let a = rng.below(9) as i64 - 4;
                let b = a + rng.below(6) as i64;
                out.push(Constraint::Linear {
                    terms,
                    min: a,
                    max: b,
                });
            }
        }
    }
    Problem {
        vars,
        constraints: out,
    }
}

/// The search both ways: every question searched anew, and with the whole
/// problem traced once.
fn both(p: &Problem) -> [Search; 2] {
    let traced = Search::with_budget(p, DEFAULT_BUDGET);
    // Only a problem that propagation alone refutes has nothing to trace.
    assert!(traced.traced() || !traced.consistent(&[]));
    let fresh = Search::with_budget(p, 0);
    assert!(!fresh.traced());
    [fresh, traced]
}

fn random_prices(rng: &mut Rng, p: &Problem) -> Vec<Vec<i64>> {
    p.vars
        .iter()
        .map(|v| {
            v.values
                .iter()
                .map(|_| rng.below(200) as i64 - 50)
                .collect()
        })
        .collect()
}

/// Random fixed values, rarely out of range (which no configuration keeps).
fn random_fixed(rng: &mut Rng, p: &Problem, share: usize) -> Vec<Option<u32>> {
    p.vars
        .iter()
        .map(|v| {
            (rng.below(share) == 0).then(|| {
                if rng.below(40) == 0 {
                    v.values.len() as u32
                } else {
                    rng.below(v.values.len()) as u32
                }
            })
        })
        .collect()
}

fn all_assignments(p: &Problem) -> Vec<Vec<u32>> {
    let mut out = vec![Vec::new()];
    for v in &p.vars {
        out = out
            .into_iter()
            .flat_map(|prefix: Vec<u32>| {
                (0..v.values.len() as u32).map(move |x| {
                    let mut a = prefix.clone();
                    a.push(x);
                    a
                })
            })
            .collect();
    }
    out
}

/// What brute force finds (the semantics of `Analysis`).
fn brute_force(p: &Problem, fixed: &[Option<u32>], prices: &[Vec<i64>]) -> (Analysis, BigUint) {
    let solutions: Vec<Vec<u32>> = all_assignments(p)
        .into_iter()
        .filter(|a| p.holds(a))
        .collect();
    let keeps = |a: &[u32], except: Option<usize>| {
        fixed
            .iter()
            .enumerate()
            .all(|(x, f)| Some(x) == except || f.is_none_or(|f| a[x] == f))
    };
    let cost = |a: &[u32]| {
        a.iter()
            .enumerate()
            .map(|(x, &v)| prices[x][v as usize])
            .sum::<i64>()
    };
    let matching: Vec<&Vec<u32>> = solutions.iter().filter(|a| keeps(a, None)).collect();
    let mut an = Analysis {
        consistent: !matching.is_empty(),
        valid: Vec::new(),
        min: Vec::new(),
        max: Vec::new(),
        total_min: matching.iter().map(|a| cost(a)).min(),
        total_max: matching.iter().map(|a| cost(a)).max(),
    };
    for x in 0..p.vars.len() {
        let with = |v: usize| -> Vec<i64> {
            solutions
                .iter()
                .filter(|a| a[x] == v as u32 && keeps(a, Some(x)))
                .map(|a| cost(a))
                .collect()
        };
        an.valid.push(
            (0..p.vars[x].values.len())
                .map(|v| !with(v).is_empty())
                .collect(),
        );
        an.min.push(
            (0..p.vars[x].values.len())
                .map(|v| with(v).into_iter().min())
                .collect(),
        );
        an.max.push(
            (0..p.vars[x].values.len())
                .map(|v| with(v).into_iter().max())
                .collect(),
        );
    }
    (an, BigUint::from(matching.len()))
}

#[test]
fn search_answers_what_brute_force_and_the_diagrams_find() {
    let mut rng = Rng::new(0x5EA2C4);
    for round in 0..3000 {
        let n = 1 + rng.below(7);
        let m = rng.below(8);
        let p = random_problem(&mut rng, n, m);
        let searches = both(&p);
        let forest = Forest::compile(&p, DEFAULT_BUDGET).unwrap();
        let prices = random_prices(&mut rng, &p);
        for (fixed, search) in (0..6).map(|i| (random_fixed(&mut rng, &p, 3), &searches[i % 2])) {
            let (expected, count) = brute_force(&p, &fixed, &prices);
            let got = search.analyse(&fixed, &prices);
            assert_eq!(
                got,
                expected,
                "round {round} traced {}: fixed {fixed:?} prices {prices:?} {p:?}",
                search.traced()
            );
            if fixed
                .iter()
                .zip(&p.vars)
                .all(|(f, v)| f.is_none_or(|f| (f as usize) < v.values.len()))
            {
                assert_eq!(
                    forest.analyse(&fixed, &prices),
                    expected,
                    "round {round}: the diagrams disagree with brute force"
                );
            }
            assert_eq!(
                search.consistent(&fixed),
                expected.consistent,
                "round {round}"
            );
            assert_eq!(search.count(&fixed), Some(count), "round {round}");
        }
    }
}

#[test]
fn search_answers_what_the_diagrams_find_on_larger_problems() {
    let mut rng = Rng::new(77);
    for round in 0..600 {
        let n = 8 + rng.below(40);
        let m = n / 2 + rng.below(n);
        let p = random_problem(&mut rng, n, m);
        let searches = both(&p);
        let forest = Forest::compile(&p, DEFAULT_BUDGET).unwrap();
        let prices = random_prices(&mut rng, &p);
        for (share, search) in [1_000, 8, 4, 2].into_iter().zip(searches.iter().cycle()) {
            let fixed: Vec<Option<u32>> = random_fixed(&mut rng, &p, share)
                .iter()
                .zip(&p.vars)
                .map(|(f, v)| f.filter(|&f| (f as usize) < v.values.len()))
                .collect();
            let expected = forest.analyse(&fixed, &prices);
            assert_eq!(
                search.analyse(&fixed, &prices),
                expected,
                "round {round} traced {}: fixed {fixed:?} prices {prices:?} {p:?}",
                search.traced()
            );
            assert_eq!(
                search.consistent(&fixed),
                forest.consistent(&fixed),
                "round {round}"
            );
            if let Some(count) = search.count(&fixed) {
                assert_eq!(count, forest.count(&fixed), "round {round}");
            }
        }
    }
}

/// Large clause-only problems (feature-model-like: implications, groups and
/// a few cross-tree clauses), the search method's main use.
#[test]
fn search_answers_what_the_diagrams_find_on_feature_models() {
    let mut rng = Rng::new(5);
    for round in 0..40 {
        let n = 30 + rng.below(120);
        let vars: Vec<Var> = (0..n).map(|i| Var::boolean(format!("f{i}"))).collect();
        let lit = |var: usize, positive: bool| Lit { var, positive };
        let mut constraints = vec![Constraint::Clause(vec![lit(0, true)])];
        for x in 1..n {
            let parent = rng.below(x);
            constraints.push(Constraint::Clause(vec![lit(x, false), lit(parent, true)]));
            match rng.below(4) {
                0 => constraints.push(Constraint::Clause(vec![lit(parent, false), lit(x, true)])),
                1 if x > 1 => {
                    constraints.push(Constraint::Clause(vec![lit(x, false), lit(x - 1, false)]))
                }
                _ => {}
            }
        }
        for _ in 0..n / 10 {
            let k = 2 + rng.below(2);
            constraints.push(Constraint::Clause(
                (0..k)
                    .map(|_| lit(rng.below(n), rng.below(2) == 0))
                    .collect(),
            ));
        }
        let p = Problem { vars, constraints };
        let searches = both(&p);
        let forest = Forest::compile(&p, DEFAULT_BUDGET).unwrap();
        let prices = random_prices(&mut rng, &p);
        let mut fixed = vec![None; n];
        for step in 0..n {
            let expected = forest.analyse(&fixed, &prices);
            for search in &searches {
                assert_eq!(
                    search.analyse(&fixed, &prices),
                    expected,
                    "round {round} step {step} traced {}: fixed {fixed:?} {p:?}",
                    search.traced()
                );
            }
            if !expected.consistent {
                break;
            }
            let x = rng.below(n);
            // Mostly valid choices; now and then one that conflicts.
            let choices: Vec<u32> = (0..2)
                .filter(|&v| expected.valid[x][v as usize] || rng.below(8) == 0)
                .collect();
            if let Some(&v) = choices.get(rng.below(choices.len().max(1))) {
                fixed[x] = Some(v);
            }
        }
    }
}

/// Prices so large that sums need more than 63 bits in the worst case
/// (though every actual total still fits): the passes then use 128 bits.
#[test]
fn huge_prices_are_exact() {
    let mut rng = Rng::new(99);
    for round in 0..400 {
        let n = 5 + rng.below(3);
        let m = rng.below(8);
        let p = random_problem(&mut rng, n, m);
        let prices: Vec<Vec<i64>> = p
            .vars
            .iter()
            .map(|v| {
                v.values
                    .iter()
                    .map(|_| {
                        (1i64 << 60) * if rng.below(2) == 0 { 1 } else { -1 }
                            + rng.below(100) as i64
                    })
                    .collect()
            })
            .collect();
        let searches = both(&p);
        for (fixed, search) in (0..4).map(|i| (random_fixed(&mut rng, &p, 3), &searches[i % 2])) {
            let (expected, _) = brute_force(&p, &fixed, &prices);
            assert_eq!(
                search.analyse(&fixed, &prices),
                expected,
                "round {round} traced {}: {fixed:?} {prices:?} {p:?}",
                search.traced()
            );
        }
    }
}

#[test]
fn degenerate_inputs_do_not_panic() {
    let b = |name: &str| Var::boolean(name);
    let cases = vec![
        Problem::default(),
        Problem {
            vars: vec![b("a")],
            constraints: vec![Constraint::Clause(Vec::new())],
        },
        Problem {
            vars: vec![
                Var {
                    name: "e".into(),
                    values: Vec::new(),
                },
                b("a"),
            ],
            constraints: Vec::new(),
        },
        Problem {
            vars: vec![b("a")],
            constraints: vec![Constraint::Clause(vec![Lit {
                var: 5,
                positive: true,
            }])],
        },
        Problem {
            vars: vec![b("a"), b("b")],
            constraints: vec![Constraint::Table {
                vars: vec![0, 0, 1],
                tuples: vec![vec![1, 0, 1], vec![1], vec![0, 0, 0, 7], vec![9, 9, 9]],
                allowed: true,
            }],
        },
        Problem {
            vars: vec![b("a")],
            constraints: vec![Constraint::Table {
                vars: Vec::new(),
                tuples: vec![Vec::new()],
                allowed: false,
            }],
        },
        Problem {
            vars: vec![b("a"), b("b")],
            constraints: vec![Constraint::Linear {
                terms: vec![(0, vec![1]), (0, vec![0, 2]), (1, vec![i64::MAX, i64::MAX])],
                min: 0,
                max: i64::MAX,
            }],
        },
        Problem {
            vars: vec![b("a")],
            constraints: vec![Constraint::Linear {
                terms: Vec::new(),
                min: 1,
                max: 2,
            }],
        },
    ];
    for p in cases {
        for s in [Search::new(&p), Search::with_budget(&p, DEFAULT_BUDGET)] {
            for fixed in [vec![], vec![Some(1)], vec![Some(0), Some(3), None, Some(1)]] {
                let a = s.analyse(&fixed, &[vec![5, i64::MAX]]);
                assert_eq!(a.valid.len(), p.vars.len());
                let _ = (s.consistent(&fixed), s.count(&fixed));
            }
        }
    }
}

fn busybox() -> Option<Problem> {
    let dir = common::benchmarks_dir()?;
    let path = dir.join("fm-busybox-1.18.0/BusyBox-1.18.0.dimacs");
    let text = std::fs::read_to_string(&path).unwrap();
    Some(parse_file(&path.display().to_string(), &text).unwrap())
}

/// A budget of ten nodes makes the engine fall back to search (too small
/// for the whole trace too: every click is searched anew); its answers on
/// BusyBox click sessions (valid and conflicting clicks) must be the
/// compiled engine's, as must those of search with the whole trace kept.
#[test]
fn the_engine_falls_back_to_search_with_the_same_answers_on_busybox() {
    let Some(problem) = busybox() else { return };
    let prices = Engine::synthetic_prices(&problem, 3);
    let compiled =
        Engine::with_diagram(problem.clone(), Some(prices.clone()), DEFAULT_BUDGET).unwrap();
    let traced = Engine::with_search(problem.clone(), Some(prices.clone()), DEFAULT_BUDGET);
    let searched = Engine::new(problem, Some(prices), 10).unwrap();
    assert_eq!(
        (compiled.method(), searched.method(), traced.method()),
        ("diagram", "search", "search")
    );
    assert_eq!((searched.nodes(), traced.nodes() > 0), (0, true));
    let n = compiled.vars();
    let mut rng = Rng::new(9);
    for session in 0..3 {
        let mut fixed: Vec<Option<u32>> = vec![None; n];
        let mut step = 0;
        loop {
            let expected = compiled.analyse(&fixed);
            // Every click early on, then every 7th (debug builds are slow).
            if step < 40 || step % 7 == 0 {
                assert_eq!(
                    searched.analyse(&fixed),
                    expected,
                    "session {session} step {step}"
                );
                assert_eq!(searched.consistent(&fixed), expected.consistent);
            }
            assert_eq!(
                traced.analyse(&fixed),
                expected,
                "session {session} step {step} (traced)"
            );
            if step % 25 == 0 {
                assert_eq!(
                    traced.count(&fixed),
                    compiled.count(&fixed),
                    "session {session} step {step} (traced)"
                );
            }
            let open: Vec<usize> = (0..n).filter(|&x| fixed[x].is_none()).collect();
            if open.is_empty() {
                break;
            }
            let x = open[rng.below(open.len())];
            let choices: Vec<u32> = (0..2).filter(|&v| expected.valid[x][v as usize]).collect();
            if step % 50 == 25 {
                // A conflicting click: the alternatives must still match.
                if let Some(v) = (0..2).find(|&v| !expected.valid[x][v as usize]) {
                    let mut wrong = fixed.clone();
                    wrong[x] = Some(v);
                    let expected = compiled.analyse(&wrong);
                    assert_eq!(
                        searched.analyse(&wrong),
                        expected,
                        "session {session} step {step} conflict"
                    );
                    assert_eq!(
                        traced.analyse(&wrong),
                        expected,
                        "session {session} step {step} conflict (traced)"
                    );
                }
            }
            fixed[x] = Some(choices[rng.below(choices.len())]);
            step += 1;
        }
    }
    // Counting: exact when the search can, never a wrong number.
    let all = vec![None; n];
    if let Some(count) = searched.count(&all) {
        assert_eq!(Some(count), compiled.count(&all));
    }
}
