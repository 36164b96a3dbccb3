//! The automatic method choice ([`Engine::new`]): on models built to favour
//! each method it takes that one, says why, and answers exactly like the
//! other method forced.

use std::path::Path;

use tailor_engine::bench::Rng;
use tailor_engine::mdd::DEFAULT_BUDGET;
use tailor_engine::problem::{Constraint, Problem, Var};
use tailor_engine::{Engine, Model};

/// `vars` variables of `size` values each; only the first two are linked
/// (a three-tuple table). A diagram passes over that one small part only;
/// a trace also lists every value of every free variable.
fn wide(vars: usize, size: usize) -> Problem {
    let vars: Vec<Var> = (0..vars)
        .map(|i| Var {
            name: format!("x{i}"),
            values: (0..size).map(|v| v.to_string()).collect(),
        })
        .collect();
    let table = Constraint::Table {
        vars: vec![0, 1],
        tuples: vec![vec![0, 1], vec![1, 2], vec![2, 3]],
        allowed: true,
    };
    Problem {
        vars,
        constraints: vec![table],
    }
}

/// The same answers from both engines over a few random sessions.
fn same_answers(a: &Engine, b: &Engine, seed: u64) {
    let mut rng = Rng::new(seed);
    let n = a.vars();
    for _ in 0..3 {
        let mut fixed: Vec<Option<u32>> = vec![None; n];
        for _ in 0..6 {
            let answer = a.analyse(&fixed);
            assert_eq!(b.analyse(&fixed), answer);
            assert_eq!(b.count(&fixed), a.count(&fixed));
            let x = rng.below(n);
            let open: Vec<u32> = (0..answer.valid[x].len() as u32)
                .filter(|&v| answer.valid[x][v as usize])
                .collect();
            if open.is_empty() {
                break;
            }
            fixed[x] = Some(open[rng.below(open.len())]);
        }
    }
}

#[test]
fn wide_free_domains_favour_the_diagram() {
    let problem = wide(20, 400);
    let auto = Engine::new(problem.clone(), None, DEFAULT_BUDGET).unwrap();
    let search = Engine::with_search(problem, None, DEFAULT_BUDGET);
    let c = auto.choice();
    assert_eq!((auto.method(), c.method), ("diagram", "diagram"), "{c:?}");
    let (d, s) = (c.diagram_us.unwrap(), c.search_us.unwrap());
    assert!(d < s, "{c:?}");
    assert_eq!(
        search.choice().search_us,
        Some(s),
        "the same estimate whichever way the trace is made"
    );
    assert!(c.reason.contains("diagram"), "{c:?}");
    same_answers(&auto, &search, 1);
}

#[test]
fn linked_tables_with_wide_domains_favour_search_and_the_diagram_is_abandoned_early() {
    // The shipped window: prices by area over wide width and height domains.
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../public/catalogue/window.json");
    let model = Model::from_json("window.json", &std::fs::read_to_string(path).unwrap()).unwrap();
    let problem = model.problem().clone();
    let prices = Some(model.prices().to_vec());
    let auto = Engine::new(problem.clone(), prices.clone(), DEFAULT_BUDGET).unwrap();
    let diagram = Engine::with_diagram(problem, prices, DEFAULT_BUDGET).unwrap();
    let c = auto.choice();
    assert_eq!(auto.method(), "search", "{c:?}");
    // The diagram attempt stopped at the size where it could no longer win,
    // far below the full diagram.
    assert_eq!(c.diagram_us, None, "{c:?}");
    assert!(c.reason.contains("went past"), "{c:?}");
    assert!(diagram.nodes() > 10 * auto.nodes());
    assert!(
        diagram.choice().diagram_us.unwrap() > 5.0 * c.search_us.unwrap(),
        "{c:?} / {:?}",
        diagram.choice()
    );
    same_answers(&auto, &diagram, 2);
}

#[test]
fn budgets_decide_when_only_one_form_fits() {
    // Tables linking every neighbour: a trace and a diagram of some size.
    let mut rng = Rng::new(5);
    let vars: Vec<Var> = (0..12)
        .map(|i| Var {
            name: format!("x{i}"),
            values: (0..4).map(|v| v.to_string()).collect(),
        })
        .collect();
    let constraints = (0..11)
        .map(|i| Constraint::Table {
            vars: vec![i, i + 1],
            tuples: (0..10)
                .map(|_| vec![rng.below(4) as u32, rng.below(4) as u32])
                .collect(),
            allowed: false,
        })
        .collect();
    let problem = Problem { vars, constraints };
    let full = Engine::with_search(problem.clone(), None, DEFAULT_BUDGET);
    let forced = Engine::with_diagram(problem.clone(), None, DEFAULT_BUDGET).unwrap();
    // Nothing fits: each question is searched anew, with the same answers.
    let none = Engine::new(problem.clone(), None, 2).unwrap();
    assert_eq!(
        (none.method(), none.nodes()),
        ("search", 0),
        "{:?}",
        none.choice()
    );
    assert!(
        none.choice().reason.contains("searched anew"),
        "{:?}",
        none.choice()
    );
    same_answers(&none, &full, 3);
    same_answers(&forced, &full, 4);
}
