//! One interface over the ways of answering a problem: a compiled decision
//! diagram when it fits the budget, otherwise search (slower, same answers).

use num_bigint::BigUint;

use crate::bench::Rng;
use crate::mdd::{Analysis, BuildError, Forest};
use crate::problem::Problem;
use crate::search::Search;

/// A problem ready for interactive questions.
pub struct Engine {
    problem: Problem,
    prices: Vec<Vec<i64>>,
    method: Method,
}

/// How the answers are found.
enum Method {
    Diagram(Forest),
    Search(Box<Search>),
}

impl Engine {
    /// Compiles `problem` within `budget` diagram nodes; when some part needs
    /// more, falls back to search (same answers; see [`Engine::with_search`],
    /// with the same budget). `prices[var][value]` are the price effects
    /// (zero when `None`).
    ///
    /// Never fails at present: the error type is kept for callers that
    /// handle budgets themselves.
    pub fn new(problem: Problem, prices: Option<Vec<Vec<i64>>>, budget: usize) -> Result<Engine, BuildError> {
        match Forest::compile(&problem, budget) {
            Ok(forest) => Ok(Engine::with_method(problem, prices, Method::Diagram(forest))),
            Err(BuildError::TooLarge { .. }) => Ok(Engine::with_search(problem, prices, budget)),
        }
    }

    /// Uses search whatever the problem's size: the whole problem's search
    /// trace is kept when it fits `budget` (see [`Search::with_budget`];
    /// 0 never keeps it), otherwise every question is searched anew.
    pub fn with_search(problem: Problem, prices: Option<Vec<Vec<i64>>>, budget: usize) -> Engine {
        let search = Search::with_budget(&problem, budget);
        Engine::with_method(problem, prices, Method::Search(Box::new(search)))
    }

    fn with_method(problem: Problem, prices: Option<Vec<Vec<i64>>>, method: Method) -> Engine {
        let prices = prices.unwrap_or_else(|| problem.vars.iter().map(|v| vec![0; v.values.len()]).collect());
        Engine { problem, prices, method }
    }

    /// `"diagram"` (compiled) or `"search"` (the fallback).
    pub fn method(&self) -> &'static str {
        match self.method {
            Method::Diagram(_) => "diagram",
            Method::Search(_) => "search",
        }
    }

    /// Made-up prices for imported problems (which have none), so that
    /// benchmarks exercise the price bounds too.
    pub fn synthetic_prices(problem: &Problem, seed: u64) -> Vec<Vec<i64>> {
        let mut rng = Rng::new(seed);
        problem.vars.iter().map(|v| v.values.iter().map(|_| rng.below(10_000) as i64).collect()).collect()
    }

    pub fn problem(&self) -> &Problem {
        &self.problem
    }

    pub fn vars(&self) -> usize {
        self.problem.vars.len()
    }

    /// Independent parts the problem fell into.
    pub fn parts(&self) -> usize {
        match &self.method {
            Method::Diagram(f) => f.parts(),
            Method::Search(s) => s.parts(),
        }
    }

    /// Diagram nodes, terminals included; with search, the nodes of the
    /// whole problem's trace (0 when every question is searched anew).
    pub fn nodes(&self) -> usize {
        match &self.method {
            Method::Diagram(f) => f.nodes(),
            Method::Search(s) => s.trace_nodes(),
        }
    }

    /// Valid values and price bounds after the fixed values.
    pub fn analyse(&self, fixed: &[Option<u32>]) -> Analysis {
        match &self.method {
            Method::Diagram(f) => f.analyse(fixed, &self.prices),
            Method::Search(s) => s.analyse(fixed, &self.prices),
        }
    }

    /// The number of valid configurations keeping the fixed values; `None`
    /// when the search method cannot count them exactly in reasonable time
    /// (the diagram method always can).
    pub fn count(&self, fixed: &[Option<u32>]) -> Option<BigUint> {
        match &self.method {
            Method::Diagram(f) => Some(f.count(fixed)),
            Method::Search(s) => s.count(fixed),
        }
    }

    pub fn consistent(&self, fixed: &[Option<u32>]) -> bool {
        match &self.method {
            Method::Diagram(f) => f.consistent(fixed),
            Method::Search(s) => s.consistent(fixed),
        }
    }
}
