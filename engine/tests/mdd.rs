//! The compiled diagram against brute force on random problems: valid
//! values, price bounds, counts and consistency must all be exact.

mod common;

use common::Rng;
use num_bigint::BigUint;
use tailor_engine::mdd::{Diagram, Forest, DEFAULT_BUDGET};
use tailor_engine::problem::{Constraint, Lit, Problem, Var};


fn random_problem(rng: &mut Rng) -> Problem {
    let n = 1 + rng.below(6);
    let boolean = rng.below(3) == 0;
    let vars: Vec<Var> = (0..n)
        .map(|i| {
            if boolean {
                Var::boolean(format!("x{i}"))
            } else {
                Var { name: format!("x{i}"), values: (0..1 + rng.below(4)).map(|v| v.to_string()).collect() }
            }
        })
        .collect();
    let mut constraints = Vec::new();
    for _ in 0..rng.below(6) {
        if boolean {
            let lits = (0..1 + rng.below(3)).map(|_| Lit { var: rng.below(n), positive: rng.below(2) == 0 }).collect();
            constraints.push(Constraint::Clause(lits));
        } else {
            let arity = 1 + rng.below(n.min(3));
            let mut scope: Vec<usize> = (0..n).collect();
            for i in 0..n {
                let j = i + rng.below(n - i);
                scope.swap(i, j);
            }
            scope.truncate(arity);
            let tuples = (0..rng.below(8))
                .map(|_| scope.iter().map(|&x| rng.below(vars[x].values.len()) as u32).collect())
                .collect();
            constraints.push(Constraint::Table { vars: scope, tuples, allowed: rng.below(2) == 0 });
        }
    }
    Problem { vars, constraints }
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

fn random_fixed(rng: &mut Rng, p: &Problem) -> Vec<Option<u32>> {
    p.vars.iter().map(|v| (rng.below(3) == 0).then(|| rng.below(v.values.len()) as u32)).collect()
}

/// The monolithic diagram and the forest of parts must agree with brute force.
enum Answers<'a> {
    D(&'a Diagram),
    F(&'a Forest),
}

impl Answers<'_> {
    fn count(&self, f: &[Option<u32>]) -> BigUint {
        match self {
            Answers::D(d) => d.count(f),
            Answers::F(d) => d.count(f),
        }
    }
    fn consistent(&self, f: &[Option<u32>]) -> bool {
        match self {
            Answers::D(d) => d.consistent(f),
            Answers::F(d) => d.consistent(f),
        }
    }
    fn analyse(&self, f: &[Option<u32>], p: &[Vec<i64>]) -> tailor_engine::mdd::Analysis {
        match self {
            Answers::D(d) => d.analyse(f, p),
            Answers::F(d) => d.analyse(f, p),
        }
    }
}

#[test]
fn diagrams_answer_exactly_what_brute_force_finds() {
    let mut rng = Rng(0xDEAD_BEEF_1234_5678);
    for round in 0..1500 {
        let p = random_problem(&mut rng);
        let diagram = Diagram::compile(&p, DEFAULT_BUDGET).unwrap();
        let forest = Forest::compile(&p, DEFAULT_BUDGET).unwrap();
        let prices: Vec<Vec<i64>> = p.vars.iter().map(|v| v.values.iter().map(|_| rng.below(200) as i64 - 50).collect()).collect();
        let solutions: Vec<Vec<u32>> = all_assignments(&p).into_iter().filter(|a| p.holds(a)).collect();
        for (round_fixed, d) in (0..8).map(|i| (i, if i % 2 == 0 { Answers::D(&diagram) } else { Answers::F(&forest) })) {
            let _ = round_fixed;
            let fixed = random_fixed(&mut rng, &p);
            let keeps = |a: &[u32], except: Option<usize>| fixed.iter().enumerate().all(|(x, f)| Some(x) == except || f.is_none_or(|f| a[x] == f));
            let cost = |a: &[u32]| a.iter().enumerate().map(|(x, &v)| prices[x][v as usize]).sum::<i64>();
            let matching: Vec<&Vec<u32>> = solutions.iter().filter(|a| keeps(a, None)).collect();
            assert_eq!(d.count(&fixed), BigUint::from(matching.len()), "round {round} count {fixed:?} {p:?}");
            assert_eq!(d.consistent(&fixed), !matching.is_empty(), "round {round}");
            let an = d.analyse(&fixed, &prices);
            assert_eq!(an.consistent, !matching.is_empty());
            assert_eq!(an.total_min, matching.iter().map(|a| cost(a)).min(), "round {round}");
            assert_eq!(an.total_max, matching.iter().map(|a| cost(a)).max(), "round {round}");
            for x in 0..p.vars.len() {
                for v in 0..p.vars[x].values.len() {
                    let with: Vec<i64> = solutions.iter().filter(|a| a[x] == v as u32 && keeps(a, Some(x))).map(|a| cost(a)).collect();
                    assert_eq!(an.valid[x][v], !with.is_empty(), "round {round} var {x} value {v} fixed {fixed:?} {p:?}");
                    assert_eq!(an.min[x][v], with.iter().copied().min(), "round {round} min var {x} value {v} fixed {fixed:?} prices {prices:?} {p:?}");
                    assert_eq!(an.max[x][v], with.iter().copied().max(), "round {round} max var {x} value {v}");
                }
            }
        }
    }
}
