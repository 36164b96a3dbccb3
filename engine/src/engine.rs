//! One interface over the ways of answering a problem: a compiled decision
//! diagram when it fits the budget, otherwise search (slower, same answers).

use num_bigint::BigUint;

use crate::bench::Rng;
use crate::mdd::{Analysis, BuildError, Forest};
use crate::problem::Problem;

/// A problem ready for interactive questions.
pub struct Engine {
    problem: Problem,
    prices: Vec<Vec<i64>>,
    forest: Forest,
}

impl Engine {
    /// Compiles `problem` within `budget` diagram nodes. `prices[var][value]`
    /// are the price effects (zero when `None`).
    pub fn new(problem: Problem, prices: Option<Vec<Vec<i64>>>, budget: usize) -> Result<Engine, BuildError> {
        let prices = prices.unwrap_or_else(|| problem.vars.iter().map(|v| vec![0; v.values.len()]).collect());
        let forest = Forest::compile(&problem, budget)?;
        Ok(Engine { problem, prices, forest })
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
        self.forest.parts()
    }

    /// Diagram nodes, terminals included.
    pub fn nodes(&self) -> usize {
        self.forest.nodes()
    }

    /// Valid values and price bounds after the fixed values.
    pub fn analyse(&self, fixed: &[Option<u32>]) -> Analysis {
        self.forest.analyse(fixed, &self.prices)
    }

    /// The number of valid configurations keeping the fixed values.
    pub fn count(&self, fixed: &[Option<u32>]) -> BigUint {
        self.forest.count(fixed)
    }

    pub fn consistent(&self, fixed: &[Option<u32>]) -> bool {
        self.forest.consistent(fixed)
    }
}
