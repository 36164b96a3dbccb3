//! Search-based answers: the questions a compiled [`Forest`](crate::mdd::Forest)
//! answers, answered by search instead, for problems whose diagrams exceed
//! their budget. Every answer is exactly the one the diagrams would give.
//!
//! **Propagation.** A state holds the still-possible values of every
//! variable, with an undo trail. Clauses propagate by two watched literals
//! (binary clauses by implication lists), allowed tables by generalised arc
//! consistency over their tuples, forbidden tables once all but one of their
//! variables are decided, linear rules by bounds.
//!
//! **Traced search.** The open variables fall apart into components linked
//! by constraints that are not yet entailed. Each component is searched
//! depth first: branch on one variable, propagate each value, split what
//! remains into components again and solve those independently; identical
//! sub-problems met twice (same variables, domains and live constraints) are
//! solved once (component caching). Two branching orders are tried and the
//! smaller trace kept: the most constrained variables first (on car lines a
//! few central options tie everything, and deciding them first splits the
//! rest at once), and a tree decomposition of the constraint graph
//! (separators of balanced cuts first), so that components split early and
//! evenly. The search records its
//! own trace, a decision-DNNF of the solutions, on which one bottom-up and
//! one top-down pass give exactly the cheapest and dearest total of every
//! value, and an exact count. Literal lists that propagation decides (a
//! subtree switched off, in many contexts) are stored once.
//!
//! **Two ways to use it.** [`Search::with_budget`] traces the whole problem
//! once with nothing fixed, when that fits the budget; each question is then
//! two passes over that trace conditioned on the fixed values, with a fixed
//! variable's alternatives read where only its own choice contradicts them
//! (as the diagrams do). Without that trace, each question is searched anew
//! under its fixed values: all of them set for the other variables' answers;
//! for each fixed variable's alternatives, a divide and conquer over the
//! fixed variables reaches the state with all the *other* fixed values set,
//! in `O(f log f)` assignments, where only that variable's own component can
//! differ and is searched again.
//!
//! All searches use explicit stacks; the only recursion (the divide and
//! conquer) is logarithmic in the number of fixed variables, so deep problems
//! are safe on small (WebAssembly) stacks.
//!
//! The parts, one idea a file:
//! - `prepare.rs`: normalising a [`Problem`] into clauses, tables and linear
//!   rules, and the branching order (a tree decomposition);
//! - `propagate.rs`: the search state (domains with an undo trail) and its
//!   propagation (watched literals, table arc consistency, linear bounds);
//! - `components.rs`: splitting the open variables into independent
//!   components;
//! - `trace.rs`: the decision-DNNF trace, and the passes over one question's
//!   trace (counts, per-literal best totals);
//! - `compile.rs`: the traced search recording a component's trace, with
//!   component caching;
//! - `passes.rs`: the trace of the whole problem, and the passes over it that
//!   answer every question;
//! - `alternatives.rs`: answering a question by search under its fixed
//!   values, with each fixed variable's alternatives.

mod alternatives;
mod compile;
mod components;
mod passes;
mod prepare;
mod propagate;
mod trace;

#[cfg(test)]
pub(crate) mod brute;

use std::sync::Mutex;

use num_bigint::BigUint;

use crate::mdd::Analysis;
use crate::problem::Problem;
use passes::{Passes, Whole};
use prepare::{Linear, Table};
use propagate::State;

/// A tuple position that matches every value (a tuple shorter than its
/// table's scope leaves the remaining positions open).
const WILD: u32 = u32::MAX;

/// No value (in per-variable value arrays).
const NONE: u32 = u32::MAX;

/// The largest trace (in budget units, see
/// [`Trace::weight`](trace::Trace::weight)) that [`Search::count`] builds,
/// without a whole trace, before it gives up.
const COUNT_NODES: usize = 1 << 22;

/// Trace nodes 0 and 1: no solution, and the empty solution.
const FALSE: u32 = 0;
const TRUE: u32 = 1;

/// The problem prepared for search. Immutable once built; the mutable
/// search states live in a small pool so that `&self` queries can run
/// concurrently.
pub struct Search {
    /// Domain size per variable.
    sizes: Vec<u32>,
    /// First literal of each variable (`offset[n]` = number of literals).
    /// The literal `offset[x] + v` stands for "x has value v"; it is false
    /// once `v` is removed from `x`'s domain.
    offset: Vec<u32>,
    lit_var: Vec<u32>,
    /// Clauses of two or more literals: `clits[cstart[c]..cstart[c + 1]]`.
    cstart: Vec<u32>,
    clits: Vec<u32>,
    /// Binary clauses as implications: when the literal is false, each
    /// listed literal must hold.
    bin: Vec<Vec<u32>>,
    tables: Vec<Table>,
    linears: Vec<Linear>,
    /// Per variable: the propagators (tables, then linear rules) to run when
    /// its domain changes.
    wake: Vec<Vec<u32>>,
    /// Per variable: every constraint mentioning it (clauses, then tables,
    /// then linear rules), for finding components; binary clauses over two
    /// variables are in `pairs` instead (the other variable), as they link
    /// exactly when both variables are open (at a propagation fixpoint).
    touch: Vec<Vec<u32>>,
    pairs: Vec<Vec<u32>>,
    /// The state after propagating the problem alone; `None` when that
    /// already fails (no configuration at all).
    root: Option<State>,
    parts: usize,
    /// Branching priority per variable (higher first; see
    /// [`Search::elimination_priority`]).
    priority: Vec<u32>,
    pool: Mutex<Vec<State>>,
    /// The whole problem's trace, when [`Search::with_budget`] could afford it.
    whole: Option<Whole>,
    passes: Mutex<Vec<Passes<i64>>>,
    wide_passes: Mutex<Vec<Passes<i128>>>,
}

/// `v` as an `i64`, saturated.
fn clamp(v: i128) -> i64 {
    i64::try_from(v).unwrap_or(if v < 0 { i64::MIN } else { i64::MAX })
}

impl Search {
    /// Prepares `problem` for search: normalises its constraints and
    /// propagates them once; each question is then searched anew (see also
    /// [`Search::with_budget`]). Never fails; a problem without solutions
    /// simply answers that nothing is valid.
    ///
    /// Constraints that mention a variable the problem does not have can
    /// never be satisfied; clause literals of non-Boolean variables mean
    /// "value 1" and "not value 1", as
    /// [`Constraint::holds`](crate::problem::Constraint::holds) reads them.
    pub fn new(problem: &Problem) -> Search {
        Search::prepare(problem)
    }

    /// Like [`Search::new`], and also traces the whole problem once (with
    /// nothing fixed) when that takes at most `budget` diagram-node
    /// equivalents of memory (about 50 bytes each, as for
    /// [`Diagram::compile`](crate::mdd::Diagram::compile)). Every question
    /// is then two linear passes over that trace, as with a compiled
    /// diagram; otherwise each question is searched anew.
    ///
    /// The branching order is chosen by the trace it makes: the most
    /// constrained variables first is tried first (quick where it suits,
    /// as on car lines), then the tree decomposition's order within the
    /// memory that trace took; the trace with less to pass over is kept,
    /// with its order for the questions searched anew.
    pub fn with_budget(problem: &Problem, budget: usize) -> Search {
        let mut s = Search::new(problem);
        if budget > 0
            && let Some(mut st) = s.state(&[])
        {
            let by_degree_order = s.degree_priority();
            let decomposition = std::mem::replace(&mut s.priority, by_degree_order);
            let by_degree = s.trace_whole(&mut st, budget);
            let limit = by_degree.as_ref().map_or(budget, |w| w.trace.weight().clamp(1_000, budget));
            let degree = std::mem::replace(&mut s.priority, decomposition);
            let by_decomposition = s.trace_whole(&mut st, limit);
            s.whole = match (by_degree, by_decomposition) {
                (Some(a), Some(b)) if Self::work_of(&a) < Self::work_of(&b) => {
                    s.priority = degree;
                    Some(a)
                }
                (a, None) => {
                    s.priority = degree;
                    a
                }
                (_, b) => b,
            };
            s.give_back(st);
        }
        s
    }

    fn work_of(w: &Whole) -> usize {
        let t = &w.trace;
        t.kind.len() + t.edges.len() + t.kids.len() + t.lists.len() + t.lits.len()
    }

    /// Whether the whole problem is traced (see [`Search::with_budget`]).
    pub fn traced(&self) -> bool {
        self.whole.is_some()
    }

    /// The size of the whole problem's trace (0 when not traced).
    pub fn trace_nodes(&self) -> usize {
        self.whole.as_ref().map_or(0, |w| w.trace.kind.len())
    }

    /// What one pass over the whole trace touches (nodes, edges, children,
    /// literal lists and their literals); `None` when not traced.
    pub fn work(&self) -> Option<usize> {
        self.whole.as_ref().map(Self::work_of)
    }

    /// Independent parts of the problem after propagation (components
    /// linked by at least one constraint).
    pub fn parts(&self) -> usize {
        self.parts
    }

    /// A state at the root position, with `prices` loaded.
    fn state(&self, prices: &[Vec<i64>]) -> Option<State> {
        let root = self.root.as_ref()?;
        let pooled = self.pool.lock().unwrap_or_else(|e| e.into_inner()).pop();
        let mut st = pooled.unwrap_or_else(|| root.clone());
        st.set_prices(self, prices);
        Some(st)
    }

    fn give_back(&self, mut st: State) {
        st.undo(self, 0);
        self.pool.lock().unwrap_or_else(|e| e.into_inner()).push(st);
    }

    /// `fixed` as (variable, value) pairs over existing variables.
    fn fixed_list(&self, fixed: &[Option<u32>]) -> Vec<(usize, u32)> {
        fixed
            .iter()
            .take(self.sizes.len())
            .enumerate()
            .filter_map(|(x, f)| f.map(|v| (x, v)))
            .collect()
    }

    /// Whether any valid configuration keeps every fixed value.
    pub fn consistent(&self, fixed: &[Option<u32>]) -> bool {
        if let Some(w) = &self.whole {
            return self.whole_passes(w, fixed, &[], None);
        }
        let Some(mut st) = self.state(&[]) else {
            return false;
        };
        let list = self.fixed_list(fixed);
        let ok = st.assign_all(self, &list) && {
            st.trace.reset();
            let all: Vec<usize> = (0..self.sizes.len()).collect();
            let top = st.open_components(self, &all);
            (0..top).all(|i| {
                let sub = st.subs[i];
                !sub.linked || st.compile(self, sub, true, usize::MAX) != Some(FALSE)
            })
        };
        self.give_back(st);
        ok
    }

    /// The number of valid configurations keeping the fixed values. Always
    /// known with a whole trace; otherwise `None` when this question's own
    /// trace would grow too large to count them.
    pub fn count(&self, fixed: &[Option<u32>]) -> Option<BigUint> {
        let zero = BigUint::from(0u32);
        if let Some(w) = &self.whole {
            return Some(self.count_whole(w, fixed));
        }
        let Some(mut st) = self.state(&[]) else {
            return Some(zero);
        };
        let list = self.fixed_list(fixed);
        let mut result = Some(zero.clone());
        if st.assign_all(self, &list) {
            st.trace.reset();
            let all: Vec<usize> = (0..self.sizes.len()).collect();
            let top = st.open_components(self, &all);
            let mut roots = Vec::with_capacity(top);
            for i in 0..top {
                let sub = st.subs[i];
                let root = if sub.linked {
                    st.compile(self, sub, false, COUNT_NODES)
                } else {
                    Some(st.free(self, st.arena[sub.vars.0]))
                };
                match root {
                    Some(r) => roots.push(r),
                    None => {
                        roots.clear();
                        result = None;
                        break;
                    }
                }
            }
            if result.is_some() {
                let counts = st.trace.counts();
                result = Some(
                    roots
                        .iter()
                        .fold(BigUint::from(1u32), |p, &r| p * &counts[r as usize]),
                );
            }
        }
        self.give_back(st);
        result
    }

    /// Valid values and price bounds under `fixed`, with exactly the meaning
    /// of [`Forest::analyse`](crate::mdd::Forest::analyse): a fixed
    /// variable's other values are valid when some configuration has them
    /// while keeping the fixed values of every other variable.
    /// `prices[var][value]` is added to the total when that value is chosen
    /// (missing prices count as zero).
    pub fn analyse(&self, fixed: &[Option<u32>], prices: &[Vec<i64>]) -> Analysis {
        let valid: Vec<Vec<bool>> = self
            .sizes
            .iter()
            .map(|&s| vec![false; s as usize])
            .collect();
        let min: Vec<Vec<Option<i64>>> = valid.iter().map(|v| vec![None; v.len()]).collect();
        let max = min.clone();
        let mut out = Analysis {
            consistent: false,
            valid,
            min,
            max,
            total_min: None,
            total_max: None,
        };
        if self.root.is_none() {
            return out;
        }
        if let Some(w) = &self.whole {
            self.whole_passes(w, fixed, prices, Some(&mut out));
            return out;
        }
        let Some(mut st) = self.state(prices) else {
            return out;
        };
        let list = self.fixed_list(fixed);
        let base = self.phase_fixed(&mut st, &list, &mut out);
        st.undo(self, 0);
        if !list.is_empty() {
            self.alternatives(&mut st, &list, base.as_ref(), &mut out);
        }
        self.give_back(st);
        out
    }

    fn note(out: &mut Analysis, x: usize, v: usize, lo: i128, hi: i128) {
        out.valid[x][v] = true;
        out.min[x][v] = Some(clamp(lo));
        out.max[x][v] = Some(clamp(hi));
    }

    fn lits_of(&self, x: usize) -> std::ops::Range<usize> {
        self.offset[x] as usize..self.offset[x + 1] as usize
    }
}
