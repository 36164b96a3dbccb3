//! One interface over the ways of answering a problem: a compiled decision
//! diagram, or search over a traced decision-DNNF (or, when even that is too
//! large, a new search per question). Every way gives the same answers; the
//! automatic choice takes the one whose clicks are estimated cheapest.
//!
//! **The estimate.** One click is one bottom-up and one top-down pass over
//! the prepared form, plus work per variable (allocating and combining the
//! answers, per part for diagrams). Fitted on every benchmark and shipped
//! model natively (mean click time against [`Forest::work`] and
//! [`Search::work`]; within a factor of 2 on all but the widest domains,
//! where the diagram is overestimated 3x and still loses by 17x):
//! a diagram costs about 20 ns per unit of work and 900 ns per variable, a
//! trace 8 ns and 350 ns, and either 40 ns per value. Search is prepared first, as it is also the
//! fallback; the diagram is then compiled only within the node budget at
//! which it could still be cheaper, so a diagram heading past that budget is
//! abandoned early instead of being finished and thrown away.

use num_bigint::BigUint;

use crate::bench::Rng;
use crate::mdd::{Analysis, BuildError, Forest};
use crate::prepared::{self, PreparedError};
use crate::problem::Problem;
use crate::search::Search;

/// A problem ready for interactive questions.
pub struct Engine {
    problem: Problem,
    prices: Vec<Vec<i64>>,
    method: Method,
    choice: Choice,
}

/// What [`Engine::new`] weighed: the estimated time of one click (µs,
/// natively) for each form it prepared within budget, and why it chose.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Choice {
    pub method: &'static str,
    pub diagram_us: Option<f64>,
    pub search_us: Option<f64>,
    pub reason: String,
}

/// The fitted cost model (see the module documentation), in nanoseconds.
const DIAGRAM_NS_PER_WORK: f64 = 20.0;
const DIAGRAM_NS_PER_VAR: f64 = 900.0;
const SEARCH_NS_PER_WORK: f64 = 8.0;
const SEARCH_NS_PER_VAR: f64 = 350.0;
/// Either way, each value's answer (validity, cheapest and dearest total).
const NS_PER_VALUE: f64 = 40.0;

fn values(problem: &Problem) -> usize {
    problem.vars.iter().map(|v| v.values.len()).sum()
}

fn diagram_click_us(work: usize, problem: &Problem) -> f64 {
    let (vars, values) = (problem.vars.len() as f64, values(problem) as f64);
    (DIAGRAM_NS_PER_WORK * work as f64 + DIAGRAM_NS_PER_VAR * vars + NS_PER_VALUE * values) / 1000.0
}

fn search_click_us(work: usize, problem: &Problem) -> f64 {
    let (vars, values) = (problem.vars.len() as f64, values(problem) as f64);
    (SEARCH_NS_PER_WORK * work as f64 + SEARCH_NS_PER_VAR * vars + NS_PER_VALUE * values) / 1000.0
}

/// How the answers are found.
enum Method {
    Diagram(Forest),
    Search(Box<Search>),
}

impl Engine {
    /// The method with the cheapest estimated click (see the module
    /// documentation), each tried within `budget` (diagram nodes, or their
    /// memory equivalent for the trace); [`Engine::choice`] says what was
    /// weighed. `prices[var][value]` are the price effects (zero when
    /// `None`).
    ///
    /// Never fails at present: the error type is kept for callers that
    /// handle budgets themselves.
    pub fn new(
        problem: Problem,
        prices: Option<Vec<Vec<i64>>>,
        budget: usize,
    ) -> Result<Engine, BuildError> {
        let search = Search::with_budget(&problem, budget);
        let search_us = search.work().map(|w| search_click_us(w, &problem));
        // The largest diagram that could still answer faster than the trace
        // (each node holds one child slot per value of its variable; nodes
        // are counted as they are made, so twice that is allowed before
        // giving up, and the finished diagram is then weighed exactly).
        let slots_per_node = 1.0 + values(&problem) as f64 / (problem.vars.len() as f64).max(1.0);
        let diagram_budget = match search_us {
            None => budget,
            Some(us) => ((((us - diagram_click_us(0, &problem)) * 1000.0)
                / DIAGRAM_NS_PER_WORK
                / slots_per_node
                * 2.0)
                .max(0.0) as usize)
                .min(budget),
        };
        let forest = if diagram_budget > 2 {
            Forest::compile(&problem, diagram_budget).ok()
        } else {
            None
        };
        let diagram_us = forest
            .as_ref()
            .map(|f| diagram_click_us(f.work(), &problem));
        let (method, reason) = match (forest, search_us) {
            (Some(f), Some(s_us)) if diagram_us.is_some_and(|d| d < s_us) => (
                Method::Diagram(f),
                "the diagram's clicks are estimated cheaper".to_string(),
            ),
            (_, Some(_)) if diagram_budget <= 2 => (
                Method::Search(Box::new(search)),
                "no diagram could answer faster than the trace".to_string(),
            ),
            (_, Some(_)) => (
                Method::Search(Box::new(search)),
                match diagram_us {
                    Some(_) => "the trace's clicks are estimated cheaper".to_string(),
                    None => format!(
                        "the diagram went past {diagram_budget} nodes, where it could no longer answer faster"
                    ),
                },
            ),
            (Some(f), None) => (
                Method::Diagram(f),
                format!("the trace went past its budget of {budget}"),
            ),
            (None, None) => (
                Method::Search(Box::new(search)),
                format!(
                    "both the diagram and the trace went past their budget of {budget}: each question is searched anew"
                ),
            ),
        };
        let mut engine = Engine::with_method(problem, prices, method);
        engine.choice = Choice {
            method: engine.method(),
            diagram_us,
            search_us,
            reason,
        };
        Ok(engine)
    }

    /// Compiles a diagram within `budget` nodes, whatever it costs.
    pub fn with_diagram(
        problem: Problem,
        prices: Option<Vec<Vec<i64>>>,
        budget: usize,
    ) -> Result<Engine, BuildError> {
        let forest = Forest::compile(&problem, budget)?;
        let us = diagram_click_us(forest.work(), &problem);
        let mut engine = Engine::with_method(problem, prices, Method::Diagram(forest));
        engine.choice = Choice {
            method: "diagram",
            diagram_us: Some(us),
            search_us: None,
            reason: "forced".into(),
        };
        Ok(engine)
    }

    /// Uses search whatever the problem's size: the whole problem's search
    /// trace is kept when it fits `budget` (see [`Search::with_budget`];
    /// 0 never keeps it), otherwise every question is searched anew.
    pub fn with_search(problem: Problem, prices: Option<Vec<Vec<i64>>>, budget: usize) -> Engine {
        let search = Search::with_budget(&problem, budget);
        let us = search.work().map(|w| search_click_us(w, &problem));
        let mut engine = Engine::with_method(problem, prices, Method::Search(Box::new(search)));
        engine.choice = Choice {
            method: "search",
            diagram_us: None,
            search_us: us,
            reason: "forced".into(),
        };
        engine
    }

    fn with_method(problem: Problem, prices: Option<Vec<Vec<i64>>>, method: Method) -> Engine {
        let prices = prices.unwrap_or_else(|| {
            problem
                .vars
                .iter()
                .map(|v| vec![0; v.values.len()])
                .collect()
        });
        Engine {
            problem,
            prices,
            method,
            choice: Choice::default(),
        }
    }

    /// The prepared form as a file (see [`crate::prepared`]): the diagram,
    /// or the whole problem's search trace; `None` when each question is
    /// searched anew (there is nothing to keep).
    pub fn to_prepared(&self) -> Option<Vec<u8>> {
        match &self.method {
            Method::Diagram(f) => Some(f.to_prepared(&self.problem)),
            Method::Search(s) => {
                let mut w = prepared::Writer::default();
                s.write_whole(&mut w).then(|| prepared::seal(prepared::fingerprint(&self.problem), 1, w))
            }
        }
    }

    /// The engine from a prepared file written by [`Engine::to_prepared`]
    /// for this very problem (with any prices), without compiling; the error says
    /// why the file cannot be used (see [`PreparedError`]).
    pub fn from_prepared(
        problem: Problem,
        prices: Option<Vec<Vec<i64>>>,
        bytes: &[u8],
    ) -> Result<Engine, PreparedError> {
        let (method, mut r) = prepared::open(bytes, prepared::fingerprint(&problem))?;
        let method = match method {
            0 => Method::Diagram(Forest::read(&mut r, &problem)?),
            1 => {
                let mut search = Search::new(&problem);
                search.read_whole(&mut r)?;
                Method::Search(Box::new(search))
            }
            other => return Err(prepared::malformed(format!("unknown method {other}"))),
        };
        r.end()?;
        let mut engine = Engine::with_method(problem, prices, method);
        let us = match &engine.method {
            Method::Diagram(f) => (Some(diagram_click_us(f.work(), &engine.problem)), None),
            Method::Search(s) => (None, s.work().map(|w| search_click_us(w, &engine.problem))),
        };
        engine.choice = Choice {
            method: engine.method(),
            diagram_us: us.0,
            search_us: us.1,
            reason: "loaded from the prepared file".into(),
        };
        Ok(engine)
    }

    /// The engine from `prepared` when it is given and good, otherwise
    /// compiled as [`Engine::new`] does; with the reason the file was not
    /// used, for the caller to report.
    pub fn open(
        problem: Problem,
        prices: Option<Vec<Vec<i64>>>,
        prepared: Option<&[u8]>,
        budget: usize,
    ) -> (Engine, Option<PreparedError>) {
        let refused = match prepared {
            None => None,
            Some(bytes) => match Engine::from_prepared(problem.clone(), prices.clone(), bytes) {
                Ok(engine) => return (engine, None),
                Err(e) => Some(e),
            },
        };
        let engine = Engine::new(problem, prices, budget).expect("Engine::new does not fail");
        (engine, refused)
    }

    /// What the method choice weighed.
    pub fn choice(&self) -> &Choice {
        &self.choice
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
        problem
            .vars
            .iter()
            .map(|v| v.values.iter().map(|_| rng.below(10_000) as i64).collect())
            .collect()
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

    /// What one click's passes touch (see [`Forest::work`] and
    /// [`Search::work`]); 0 when every question is searched anew.
    pub fn work(&self) -> usize {
        match &self.method {
            Method::Diagram(f) => f.work(),
            Method::Search(s) => s.work().unwrap_or(0),
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
