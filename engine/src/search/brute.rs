//! Test support: brute force over every assignment of a small problem, the
//! reference the unit tests of the search's parts check against.

use num_bigint::BigUint;

use crate::bench::Rng;
use crate::mdd::Analysis;
use crate::problem::{Constraint, Lit, Problem, Var};

/// Every assignment whose values lie in `domains` (per variable, per value:
/// allowed), in odometer order.
pub(super) fn assignments(domains: &[Vec<bool>]) -> Vec<Vec<u32>> {
    let mut out = vec![Vec::new()];
    for allowed in domains {
        let values: Vec<u32> = (0..allowed.len() as u32).filter(|&v| allowed[v as usize]).collect();
        out = out
            .into_iter()
            .flat_map(|prefix| {
                values.iter().map(move |&v| {
                    let mut a = prefix.clone();
                    a.push(v);
                    a
                })
            })
            .collect();
    }
    out
}

/// Every value allowed by the problem's domains.
pub(super) fn full_domains(p: &Problem) -> Vec<Vec<bool>> {
    p.vars.iter().map(|v| vec![true; v.values.len()]).collect()
}

/// Every solution of `p`.
pub(crate) fn solutions(p: &Problem) -> Vec<Vec<u32>> {
    assignments(&full_domains(p)).into_iter().filter(|a| p.holds(a)).collect()
}

/// Per variable and value, whether some solution of `p` within `domains`
/// has it; `None` when there is no such solution.
pub(super) fn supported(p: &Problem, domains: &[Vec<bool>]) -> Option<Vec<Vec<bool>>> {
    let mut out: Vec<Vec<bool>> = domains.iter().map(|d| vec![false; d.len()]).collect();
    let mut any = false;
    for a in assignments(domains).into_iter().filter(|a| p.holds(a)) {
        any = true;
        for (x, &v) in a.iter().enumerate() {
            out[x][v as usize] = true;
        }
    }
    any.then_some(out)
}

/// What [`Search::analyse`](super::Search::analyse) must answer, from the
/// solutions of the problem: a value is valid when some solution has it
/// while keeping the fixed value of every *other* variable, with the
/// cheapest and dearest such total; the totals are over the solutions
/// keeping every fixed value.
pub(super) fn analysis(solutions: &[Vec<u32>], sizes: &[usize], fixed: &[Option<u32>], prices: &[Vec<i64>]) -> Analysis {
    let keeps = |a: &[u32], except: Option<usize>| fixed.iter().enumerate().all(|(x, f)| Some(x) == except || f.is_none_or(|f| a[x] == f));
    // Totals in 128 bits, saturated to 64 at the end (as the search does).
    let cost = |a: &[u32]| -> i128 { a.iter().enumerate().map(|(x, &v)| i128::from(prices[x][v as usize])).sum() };
    let clamp = |v: i128| i64::try_from(v).unwrap_or(if v < 0 { i64::MIN } else { i64::MAX });
    let totals: Vec<i128> = solutions.iter().filter(|a| keeps(a, None)).map(|a| cost(a)).collect();
    let mut out = Analysis {
        consistent: !totals.is_empty(),
        valid: Vec::new(),
        min: Vec::new(),
        max: Vec::new(),
        total_min: totals.iter().copied().min().map(clamp),
        total_max: totals.iter().copied().max().map(clamp),
    };
    for (x, &size) in sizes.iter().enumerate() {
        let with = |v: usize| -> Vec<i128> { solutions.iter().filter(|a| a[x] as usize == v && keeps(a, Some(x))).map(|a| cost(a)).collect() };
        out.valid.push((0..size).map(|v| !with(v).is_empty()).collect());
        out.min.push((0..size).map(|v| with(v).into_iter().min().map(clamp)).collect());
        out.max.push((0..size).map(|v| with(v).into_iter().max().map(clamp)).collect());
    }
    out
}

/// The number of solutions keeping every fixed value.
pub(super) fn count(solutions: &[Vec<u32>], fixed: &[Option<u32>]) -> BigUint {
    BigUint::from(solutions.iter().filter(|a| fixed.iter().enumerate().all(|(x, f)| f.is_none_or(|f| a[x] == f))).count())
}

/// Every way of fixing at most two variables to values in range.
pub(super) fn fixings(sizes: &[usize]) -> Vec<Vec<Option<u32>>> {
    let n = sizes.len();
    let mut out = vec![vec![None; n]];
    for x in 0..n {
        for v in 0..sizes[x] as u32 {
            let mut one = vec![None; n];
            one[x] = Some(v);
            for y in x + 1..n {
                for w in 0..sizes[y] as u32 {
                    let mut two = one.clone();
                    two[y] = Some(w);
                    out.push(two);
                }
            }
            out.push(one);
        }
    }
    out
}

/// A small problem whose whole trace has every kind of node: a Boolean
/// decided at the root (a unit clause), a loose variable (free at the root),
/// a hub whose tables and linear rule leave its neighbours independent once
/// it is decided (and-nodes, free nodes, edges deciding several variables),
/// and a Boolean part with a long clause, binary clauses and a forbidden
/// table. Random prices (negative ones too).
pub(super) fn sampler(seed: u64) -> (Problem, Vec<Vec<i64>>) {
    let three = |name: &str| Var { name: name.into(), values: vec!["0".into(), "1".into(), "2".into()] };
    let vars = vec![
        Var::boolean("root"),
        three("hub"),
        three("left"),
        three("right"),
        three("tail"),
        Var::boolean("p"),
        Var::boolean("q"),
        Var::boolean("r"),
        Var { name: "loose".into(), values: (0..4).map(|v| v.to_string()).collect() },
    ];
    let lit = |var: usize, positive: bool| Lit { var, positive };
    let constraints = vec![
        Constraint::Clause(vec![lit(0, true)]),
        Constraint::Table { vars: vec![1, 2], tuples: vec![vec![0, 0], vec![0, 1], vec![1, 1], vec![2, 0], vec![2, 1], vec![2, 2]], allowed: true },
        // `[1]` matches hub 1 with any right.
        Constraint::Table { vars: vec![1, 3], tuples: vec![vec![0, 1], vec![0, 2], vec![1], vec![2, 1]], allowed: true },
        Constraint::Linear { terms: vec![(1, vec![0, 1, 2]), (4, vec![0, 2, 4])], min: 0, max: 4 },
        Constraint::Clause(vec![lit(5, true), lit(6, true), lit(7, true)]),
        Constraint::Clause(vec![lit(5, false), lit(6, false)]),
        Constraint::Clause(vec![lit(7, false), lit(5, true)]),
        Constraint::Table { vars: vec![6, 7], tuples: vec![vec![1, 1]], allowed: false },
    ];
    let problem = Problem { vars, constraints };
    let mut rng = Rng::new(seed);
    let prices = problem.vars.iter().map(|v| v.values.iter().map(|_| rng.below(41) as i64 - 10).collect()).collect();
    (problem, prices)
}

/// The domain size of every variable.
pub(super) fn sizes(p: &Problem) -> Vec<usize> {
    p.vars.iter().map(|v| v.values.len()).collect()
}

/// Every sequence of `len` decisions (distinct variables, each with a value
/// in range) over variables of these sizes: every order of every partial
/// assignment of that many variables.
pub(super) fn sequences(sizes: &[usize], len: usize) -> Vec<Vec<(usize, u32)>> {
    let mut out = vec![Vec::new()];
    for _ in 0..len {
        let mut longer = Vec::new();
        for seq in &out {
            for x in (0..sizes.len()).filter(|&x| seq.iter().all(|&(y, _)| y != x)) {
                for v in 0..sizes[x] as u32 {
                    let mut s: Vec<(usize, u32)> = seq.clone();
                    s.push((x, v));
                    longer.push(s);
                }
            }
        }
        out = longer;
    }
    out
}

/// A random problem over `n` variables (Booleans and others of one to four
/// values): clauses of one to four literals over the Booleans, allowed and
/// forbidden tables (some tuples shorter than the scope), linear rules.
pub(crate) fn random_problem(rng: &mut Rng, n: usize, constraints: usize) -> Problem {
    let vars: Vec<Var> = (0..n)
        .map(|i| match rng.below(2) {
            0 => Var::boolean(format!("x{i}")),
            _ => Var { name: format!("x{i}"), values: (0..1 + rng.below(4)).map(|v| v.to_string()).collect() },
        })
        .collect();
    let booleans: Vec<usize> = (0..n).filter(|&x| vars[x].values.len() == 2).collect();
    let scope = |rng: &mut Rng, arity: usize| -> Vec<usize> {
        let mut all: Vec<usize> = (0..n).collect();
        rng.shuffle(&mut all);
        all.truncate(arity);
        all
    };
    let mut out = Vec::new();
    while out.len() < constraints {
        match rng.below(3) {
            0 if !booleans.is_empty() => {
                let lits = (0..1 + rng.below(4)).map(|_| Lit { var: booleans[rng.below(booleans.len())], positive: rng.below(2) == 0 }).collect();
                out.push(Constraint::Clause(lits));
            }
            1 => {
                let arity = 1 + rng.below(3);
                let vars_of = scope(rng, arity);
                let tuples = (0..rng.below(8))
                    .map(|_| {
                        let len = if rng.below(5) == 0 { rng.below(vars_of.len()) } else { vars_of.len() };
                        vars_of[..len].iter().map(|&x| rng.below(vars[x].values.len()) as u32).collect()
                    })
                    .collect();
                out.push(Constraint::Table { vars: vars_of, tuples, allowed: rng.below(2) == 0 });
            }
            2 => {
                let arity = 1 + rng.below(3);
                let terms: Vec<(usize, Vec<i64>)> =
                    scope(rng, arity).into_iter().map(|x| (x, vars[x].values.iter().map(|_| rng.below(7) as i64 - 3).collect())).collect();
                let min = rng.below(7) as i64 - 3;
                out.push(Constraint::Linear { terms, min, max: min + rng.below(5) as i64 });
            }
            _ => {}
        }
    }
    Problem { vars, constraints: out }
}

/// Checks `search`'s answers (valid values, prices, consistency) against
/// brute force for every fixing of the small problem `p`, conflicting ones
/// included.
pub(super) fn check_every_fixing(search: &super::Search, p: &Problem, prices: &[Vec<i64>], seed: u64) {
    let (solutions, sizes) = (solutions(p), sizes(p));
    let fixings = fixings(&sizes);
    assert!(fixings.iter().any(|f| count(&solutions, f) == 0u32.into()), "seed {seed}: no conflicting fixing to check");
    for fixed in fixings {
        let expected = analysis(&solutions, &sizes, &fixed, prices);
        assert_eq!(search.analyse(&fixed, prices), expected, "seed {seed}, fixed {fixed:?}");
        assert_eq!(search.consistent(&fixed), expected.consistent, "seed {seed}, fixed {fixed:?}");
    }
}
