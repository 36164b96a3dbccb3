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
//! solved once (component caching). The branching order comes from a tree
//! decomposition of the constraint graph (separators of balanced cuts
//! first), so that components split early and evenly. The search records its
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

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, HashSet};
use std::hash::BuildHasherDefault;
use std::sync::Mutex;

use num_bigint::BigUint;

use crate::mdd::Analysis;
use crate::mdd::build::IntHasher;
use crate::problem::{Constraint, Problem};

/// A tuple position that matches every value (a tuple shorter than its
/// table's scope leaves the remaining positions open).
const WILD: u32 = u32::MAX;
/// No value (in per-variable value arrays).
const NONE: u32 = u32::MAX;
/// The largest trace (in budget units, see [`Trace::weight`]) that
/// [`Search::count`] builds, without a whole trace, before it gives up.
const COUNT_NODES: usize = 1 << 22;
/// Trace nodes 0 and 1: no solution, and the empty solution.
const FALSE: u32 = 0;
const TRUE: u32 = 1;

/// A table over distinct variables; `tuples` is flat (`vars.len()` values
/// per tuple, [`WILD`] for any value), every value in range.
#[derive(Clone, Debug)]
struct Table {
    vars: Vec<u32>,
    tuples: Vec<u32>,
    allowed: bool,
}

/// `min <= sum <= max` over distinct variables; one coefficient per value.
#[derive(Clone, Debug)]
struct Linear {
    terms: Vec<(u32, Vec<i64>)>,
    min: i64,
    max: i64,
}

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

/// The trace of the whole problem with nothing fixed: every question is
/// then answered by passes over it, conditioned on the fixed values.
#[derive(Debug)]
struct Whole {
    trace: Trace,
    /// The root of each independent part (a decision, or a free variable).
    roots: Vec<u32>,
    /// Per variable: its part, or NONE when decided at the root.
    part: Vec<u32>,
    /// The variables decided at the root, with their values.
    decided: Vec<(usize, u32)>,
    /// Per variable: its value when decided at the root, else NONE.
    value: Vec<u32>,
}

/// The number type of the passes over a whole trace: `i64` when the
/// prices are small enough that no total can overflow it (the usual case,
/// and twice less memory to sweep), else `i128`.
trait Cost: Copy + Ord + Default + std::ops::Add<Output = Self> + std::ops::Sub<Output = Self> {
    /// "No solution" bottom-up, "not reached" top-down (in `lo`).
    const NO: Self;
    fn of(v: i64) -> Self;
    fn wide(self) -> i128;
}

impl Cost for i64 {
    const NO: i64 = i64::MAX;
    fn of(v: i64) -> i64 {
        v
    }
    fn wide(self) -> i128 {
        i128::from(self)
    }
}

impl Cost for i128 {
    const NO: i128 = i128::MAX;
    fn of(v: i64) -> i128 {
        i128::from(v)
    }
    fn wide(self) -> i128 {
        self
    }
}

/// Scratch space for the passes over a [`Whole`] trace.
#[derive(Debug, Default)]
struct Passes<C> {
    /// Per literal: its price, and whether it contradicts a fixed value.
    price: Vec<i64>,
    bad: Vec<bool>,
    /// Per node: the cheapest and dearest total of its solutions keeping
    /// every fixed value (`lo` is `NO` when there is none); then of the best
    /// contexts above it (`lo` is `NO` when none is reached).
    up: Vec<(C, C)>,
    down: Vec<(C, C)>,
    /// Per literal list: its cost (for the prices in `costed`), its
    /// literal contradicting a fixed value (NONE: none; MANY: several), and
    /// the best totals through an edge deciding it, over edges without
    /// conflict (`all`) and with its one conflict (`alt`).
    cost: Vec<C>,
    costed: Option<Vec<i64>>,
    conflict: Vec<u32>,
    all: Vec<(C, C)>,
    alt: Vec<(C, C)>,
}

/// More than one literal of an edge contradicts the fixed values.
const MANY: u32 = u32::MAX - 1;

/// A search position: domains, trail and propagation queues, plus scratch
/// space and the trace. Back at the root position whenever it is pooled.
#[derive(Clone, Debug)]
struct State {
    alive: Vec<bool>,
    size: Vec<u32>,
    /// Removed literals, in order.
    trail: Vec<u32>,
    /// Trail entries before this one have been propagated.
    qhead: usize,
    /// The clause literals, reordered so that each long clause's first two
    /// are its watches.
    lits: Vec<u32>,
    watches: Vec<Vec<u32>>,
    queue: Vec<u32>,
    queued: Vec<bool>,
    /// Price per literal and the cheapest/dearest still possible price per
    /// variable, with their sums.
    price: Vec<i64>,
    lo: Vec<i64>,
    hi: Vec<i64>,
    sum_lo: i128,
    sum_hi: i128,
    /// Scratch: table supports per literal, per-variable flags, visit
    /// stamps (a constraint is live in this visit when `con_live` is the
    /// epoch).
    support: Vec<bool>,
    wild: Vec<bool>,
    flag: Vec<bool>,
    flag_comp: Vec<u32>,
    var_seen: Vec<u32>,
    con_seen: Vec<u32>,
    con_live: Vec<u32>,
    epoch: u32,
    /// The traced search's stacks: component variables and live
    /// constraints (`arena`, `cons`, described by `subs`), frames, cache
    /// keys, values to try, and finished edges and parts not yet in a node.
    arena: Vec<usize>,
    cons: Vec<u32>,
    subs: Vec<Sub>,
    frames: Vec<Frame>,
    keys: Vec<Vec<u8>>,
    vals: Vec<u32>,
    pend_edges: Vec<Edge>,
    pend_kids: Vec<u32>,
    /// Scratch: the literals one decision decided.
    decided: Vec<u32>,
    trace: Trace,
}

/// A component of open variables: `arena[vars]`, its live constraints
/// `cons[cons]`, the variable to branch on, and whether any constraint links
/// it (else it is a single variable free to take any remaining value).
#[derive(Clone, Copy, Debug)]
struct Sub {
    vars: (usize, usize),
    cons: (usize, usize),
    branch: usize,
    linked: bool,
}

/// One level of the traced search.
#[derive(Clone, Copy, Debug)]
enum Frame {
    /// Branching to solve `sub`: values `vals[next..end]` remain
    /// (they start at `first`); edges found so far start at `edges` in
    /// `pend_edges`; `mark` is the trail length on entry.
    Decide { sub: Sub, mark: usize, first: usize, next: usize, end: usize, edges: usize },
    /// After one value of the decision below: the list of literals it
    /// decided, and the components left (`subs[next..end]` still to solve;
    /// solved ones in `pend_kids` from `kids`). The stacks' lengths before
    /// the split are `subs`, `arena` and `cons`.
    Join { list: u32, subs: usize, next: usize, end: usize, kids: usize, arena: usize, cons: usize },
}

/// What a finished frame hands to the one below it.
enum Ret {
    Nothing,
    Node(u32),
    Edge(Edge),
}

/// A decision-DNNF recorded by the traced search. Nodes are created
/// children first, so increasing ids are a bottom-up order. Each node knows
/// the cheapest and dearest total of its variables.
#[derive(Clone, Debug, Default)]
struct Trace {
    kind: Vec<Kind>,
    lo: Vec<i128>,
    hi: Vec<i128>,
    edges: Vec<Edge>,
    kids: Vec<u32>,
    /// Literal lists (`lits[a..b]`, sorted), each stored once however many
    /// edges decide it (the same subtree switched off in many contexts),
    /// with their total price at tracing time.
    lists: Vec<(u32, u32)>,
    list_cost: Vec<i128>,
    list_index: HashMap<Vec<u32>, u32, BuildHasherDefault<IntHasher>>,
    lits: Vec<u32>,
    cache: HashMap<Vec<u8>, u32, BuildHasherDefault<IntHasher>>,
    /// The total length of the cache's keys.
    key_bytes: usize,
    /// The shared node of each variable left free with all its values.
    free: HashMap<u32, u32, BuildHasherDefault<IntHasher>>,
}

#[derive(Clone, Copy, Debug)]
enum Kind {
    False,
    True,
    /// One branching variable: `edges[a..b]`, one per value with solutions.
    Decision(u32, u32),
    /// Independent parts: `kids[a..b]`.
    And(u32, u32),
    /// A variable free to take any of `lits[a..b]`.
    Free(u32, u32),
}

/// A decision's value: the list of literals it decided (the branching one
/// included; see [`Trace::lists`]) and the node for what remains.
#[derive(Clone, Copy, Debug)]
struct Edge {
    list: u32,
    child: u32,
}

impl Trace {
    fn reset(&mut self) {
        self.kind.clear();
        self.lo.clear();
        self.hi.clear();
        self.edges.clear();
        self.kids.clear();
        self.lists.clear();
        self.list_cost.clear();
        self.list_index.clear();
        self.lits.clear();
        self.cache.clear();
        self.key_bytes = 0;
        self.free.clear();
        self.add(Kind::False, 0, 0);
        self.add(Kind::True, 0, 0);
    }

    /// The trace's memory while it is built, in diagram-node equivalents
    /// of about 50 bytes (so that one budget bounds both methods): nodes,
    /// edges, links, literals, and the cache with its keys.
    fn weight(&self) -> usize {
        let bytes = 48 * self.kind.len()
            + 8 * self.edges.len()
            + 4 * (self.kids.len() + self.lits.len())
            + 48 * (self.cache.len() + self.lists.len())
            + self.key_bytes;
        bytes / 50
    }

    /// The shared list holding `lits` (sorted), costing `cost`.
    fn list(&mut self, lits: &[u32], cost: i128) -> u32 {
        if let Some(&id) = self.list_index.get(lits) {
            return id;
        }
        let a = self.lits.len() as u32;
        self.lits.extend_from_slice(lits);
        let id = self.lists.len() as u32;
        self.lists.push((a, self.lits.len() as u32));
        self.list_cost.push(cost);
        self.list_index.insert(lits.to_vec(), id);
        self.key_bytes += 4 * lits.len();
        id
    }

    fn add(&mut self, kind: Kind, lo: i128, hi: i128) -> u32 {
        self.kind.push(kind);
        self.lo.push(lo);
        self.hi.push(hi);
        (self.kind.len() - 1) as u32
    }

    fn range<T: Copy>(items: &[T], (a, b): (u32, u32)) -> &[T] {
        &items[a as usize..b as usize]
    }

    /// Per literal, the cheapest and dearest total of the solutions of
    /// `roots` (independent components) that use it, local to its
    /// component: a top-down pass.
    fn marginals(&self, roots: &[u32], price: &[i64], wit: &mut Witnesses) {
        let m = self.kind.len();
        let mut down_lo = vec![i128::MAX; m];
        let mut down_hi = vec![i128::MIN; m];
        for &r in roots {
            down_lo[r as usize] = 0;
            down_hi[r as usize] = 0;
        }
        // Per list, the best solutions through an edge deciding it.
        let mut list_lo = vec![i128::MAX; self.lists.len()];
        let mut list_hi = vec![i128::MIN; self.lists.len()];
        for node in (2..m).rev() {
            let (dlo, dhi) = (down_lo[node], down_hi[node]);
            if dlo == i128::MAX {
                continue;
            }
            match self.kind[node] {
                Kind::Decision(a, b) => {
                    for e in Self::range(&self.edges, (a, b)) {
                        let (k, i) = (e.child as usize, e.list as usize);
                        let cost = self.list_cost[i];
                        let (tlo, thi) = (dlo + cost, dhi + cost);
                        down_lo[k] = down_lo[k].min(tlo);
                        down_hi[k] = down_hi[k].max(thi);
                        list_lo[i] = list_lo[i].min(tlo + self.lo[k]);
                        list_hi[i] = list_hi[i].max(thi + self.hi[k]);
                    }
                }
                Kind::And(a, b) => {
                    for &k in Self::range(&self.kids, (a, b)) {
                        let k = k as usize;
                        down_lo[k] = down_lo[k].min(dlo + self.lo[node] - self.lo[k]);
                        down_hi[k] = down_hi[k].max(dhi + self.hi[node] - self.hi[k]);
                    }
                }
                Kind::Free(a, b) => {
                    for &l in Self::range(&self.lits, (a, b)) {
                        let p = i128::from(price[l as usize]);
                        wit.note(l as usize, dlo + p, dhi + p);
                    }
                }
                Kind::False | Kind::True => {}
            }
        }
        for (i, &range) in self.lists.iter().enumerate() {
            if list_lo[i] != i128::MAX {
                for &l in Self::range(&self.lits, range) {
                    wit.note(l as usize, list_lo[i], list_hi[i]);
                }
            }
        }
    }

    /// The number of solutions below each node (bottom-up).
    fn counts(&self) -> Vec<BigUint> {
        let mut count: Vec<BigUint> = Vec::with_capacity(self.kind.len());
        for kind in &self.kind {
            let c = match *kind {
                Kind::False => BigUint::from(0u32),
                Kind::True => BigUint::from(1u32),
                Kind::Free(a, b) => BigUint::from(b - a),
                Kind::And(a, b) => Self::range(&self.kids, (a, b)).iter().fold(BigUint::from(1u32), |p, &k| p * &count[k as usize]),
                Kind::Decision(a, b) => Self::range(&self.edges, (a, b)).iter().fold(BigUint::from(0u32), |s, e| s + &count[e.child as usize]),
            };
            count.push(c);
        }
        count
    }
}

/// What the state with every fixed value set taught, for the alternatives
/// of fixed variables to reuse.
struct Base {
    total_min: i128,
    total_max: i128,
    /// Per variable: its value once everything fixed is propagated, or NONE.
    value: Vec<u32>,
    /// Per open variable: its component (index into cmin/cmax).
    comp: Vec<u32>,
    cmin: Vec<i128>,
    cmax: Vec<i128>,
}

/// Per literal: whether some solution uses it, and the cheapest and
/// dearest such total.
struct Witnesses {
    seen: Vec<bool>,
    min: Vec<i128>,
    max: Vec<i128>,
}

impl Witnesses {
    fn new(lits: usize) -> Witnesses {
        Witnesses { seen: vec![false; lits], min: vec![0; lits], max: vec![0; lits] }
    }

    fn note(&mut self, lit: usize, lo: i128, hi: i128) {
        if self.seen[lit] {
            self.min[lit] = self.min[lit].min(lo);
            self.max[lit] = self.max[lit].max(hi);
        } else {
            self.seen[lit] = true;
            self.min[lit] = lo;
            self.max[lit] = hi;
        }
    }
}

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
    /// "value 1" and "not value 1", as [`Constraint::holds`] reads them.
    pub fn new(problem: &Problem) -> Search {
        let n = problem.vars.len();
        let sizes: Vec<u32> = problem.vars.iter().map(|v| u32::try_from(v.values.len()).unwrap_or(u32::MAX)).collect();
        let mut offset = Vec::with_capacity(n + 1);
        let mut total = 0u32;
        for &s in &sizes {
            offset.push(total);
            total = total.saturating_add(s);
        }
        offset.push(total);
        let lits = total as usize;
        let mut lit_var = vec![0u32; lits];
        for x in 0..n {
            for l in offset[x]..offset[x + 1] {
                lit_var[l as usize] = x as u32;
            }
        }
        let mut s = Search {
            sizes,
            offset,
            lit_var,
            cstart: vec![0],
            clits: Vec::new(),
            bin: vec![Vec::new(); lits],
            tables: Vec::new(),
            linears: Vec::new(),
            wake: vec![Vec::new(); n],
            touch: vec![Vec::new(); n],
            pairs: vec![Vec::new(); n],
            root: None,
            parts: 0,
            priority: Vec::new(),
            pool: Mutex::new(Vec::new()),
            whole: None,
            passes: Mutex::new(Vec::new()),
            wide_passes: Mutex::new(Vec::new()),
        };
        let mut units: Vec<u32> = Vec::new();
        let mut unsat = s.sizes.contains(&0);
        for c in &problem.constraints {
            match c {
                Constraint::Clause(clause) => {
                    let mut out = Vec::with_capacity(clause.len());
                    for l in clause {
                        // A literal of a variable the problem lacks never holds.
                        let Some(&size) = s.sizes.get(l.var) else { continue };
                        let o = s.offset[l.var];
                        if l.positive {
                            if size > 1 {
                                out.push(o + 1);
                            }
                        } else {
                            out.extend((0..size).filter(|&v| v != 1).map(|v| o + v));
                        }
                    }
                    out.sort_unstable();
                    out.dedup();
                    // A clause naming every value of some variable always holds.
                    let tautology = out.chunk_by(|&a, &b| s.lit_var[a as usize] == s.lit_var[b as usize]).any(|run| {
                        let x = s.lit_var[run[0] as usize] as usize;
                        run.len() == s.sizes[x] as usize
                    });
                    if tautology {
                        continue;
                    }
                    match out.len() {
                        0 => unsat = true,
                        1 => units.push(out[0]),
                        _ => {
                            if out.len() == 2 {
                                s.bin[out[0] as usize].push(out[1]);
                                s.bin[out[1] as usize].push(out[0]);
                            }
                            let id = (s.cstart.len() - 1) as u32;
                            let mut vars: Vec<u32> = out.iter().map(|&l| s.lit_var[l as usize]).collect();
                            vars.dedup();
                            if let [a, b] = vars[..] {
                                s.pairs[a as usize].push(b);
                                s.pairs[b as usize].push(a);
                            } else {
                                for x in vars {
                                    s.touch[x as usize].push(id);
                                }
                            }
                            s.clits.extend_from_slice(&out);
                            s.cstart.push(s.clits.len() as u32);
                        }
                    }
                }
                Constraint::Table { vars, tuples, allowed } => match s.table(vars, tuples, *allowed) {
                    Ok(Some(t)) => s.tables.push(t),
                    Ok(None) => {}
                    Err(()) => unsat = true,
                },
                Constraint::Linear { terms, min, max } => match s.linear(terms, *min, *max) {
                    Ok(Some(l)) => s.linears.push(l),
                    Ok(None) => {}
                    Err(()) => unsat = true,
                },
            }
        }
        let clauses = (s.cstart.len() - 1) as u32;
        let tables = s.tables.len() as u32;
        for (i, t) in s.tables.iter().enumerate() {
            for &x in &t.vars {
                s.wake[x as usize].push(i as u32);
                s.touch[x as usize].push(clauses + i as u32);
            }
        }
        for (i, l) in s.linears.iter().enumerate() {
            for &(x, _) in &l.terms {
                s.wake[x as usize].push(tables + i as u32);
                s.touch[x as usize].push(clauses + tables + i as u32);
            }
        }
        if !unsat {
            s.root = s.root_state(&units);
        }
        s.priority = vec![0; n];
        if let Some(mut st) = s.root.clone() {
            s.priority = s.elimination_priority(&mut st);
            let all: Vec<usize> = (0..n).collect();
            let top = st.open_components(&s, &all);
            s.parts = st.subs[..top].iter().filter(|sub| sub.linked).count();
        }
        s
    }

    /// Branching priorities from a tree decomposition of the graph linking
    /// the open variables of each live constraint at the root. A min-degree
    /// elimination order gives the decomposition: each variable's bag is it
    /// and its neighbours eliminated later, its parent the first of those.
    /// Recursive balanced cuts of that elimination tree then rank each cut's
    /// separator before the pieces' own separators, so that deciding them
    /// splits components early and evenly. Scopes and fill-in are capped,
    /// as this is only a heuristic.
    fn elimination_priority(&self, st: &mut State) -> Vec<u32> {
        const CLIQUE_CAP: usize = 64;
        let n = self.sizes.len();
        let mut adj: Vec<HashSet<u32, BuildHasherDefault<IntHasher>>> = vec![HashSet::default(); n];
        let constraints = self.cstart.len() - 1 + self.tables.len() + self.linears.len();
        let mut scope = Vec::new();
        for c in 0..constraints {
            if st.entailed(self, c) {
                continue;
            }
            scope.clear();
            st.next_epoch();
            st.add_scope(self, c, &mut scope);
            for (i, &a) in scope.iter().enumerate() {
                // Large scopes as a chain, small ones as a clique.
                let others = if scope.len() > CLIQUE_CAP { &scope[i + 1..(i + 2).min(scope.len())] } else { &scope[i + 1..] };
                for &b in others {
                    adj[a].insert(b as u32);
                    adj[b].insert(a as u32);
                }
            }
        }
        // Min-degree elimination: position and bag of every variable.
        let mut heap: BinaryHeap<Reverse<(usize, u32)>> = (0..n).map(|x| Reverse((adj[x].len(), x as u32))).collect();
        let mut position = vec![u32::MAX; n];
        let mut bags: Vec<Vec<u32>> = vec![Vec::new(); n];
        let mut next = 0u32;
        while let Some(Reverse((degree, v))) = heap.pop() {
            let v = v as usize;
            if position[v] != u32::MAX || degree != adj[v].len() {
                continue;
            }
            position[v] = next;
            next += 1;
            let around: Vec<u32> = adj[v].drain().collect();
            for &u in &around {
                adj[u as usize].remove(&(v as u32));
            }
            if around.len() <= CLIQUE_CAP {
                for (i, &a) in around.iter().enumerate() {
                    for &b in &around[i + 1..] {
                        adj[a as usize].insert(b);
                        adj[b as usize].insert(a);
                    }
                }
            }
            for &u in &around {
                heap.push(Reverse((adj[u as usize].len(), u)));
            }
            bags[v] = around;
        }
        // The elimination forest: each variable's parent is its neighbour
        // eliminated next.
        let mut children: Vec<Vec<u32>> = vec![Vec::new(); n];
        let mut roots = Vec::new();
        for (v, bag) in bags.iter().enumerate() {
            match bag.iter().min_by_key(|&&u| position[u as usize]) {
                Some(&p) => children[p as usize].push(v as u32),
                None => roots.push(v as u32),
            }
        }
        // Recursive balanced cuts, level by level. Cutting the edge above v
        // separates v's subtree from the rest by v's bag (less v); among the
        // edges leaving both sides at least a quarter, the smallest separator
        // wins. Without one, the centroid's whole bag is the separator.
        let mut rank = vec![u32::MAX; n];
        let mut ranked = 0u32;
        let mut take = |u: u32, rank: &mut Vec<u32>| {
            if rank[u as usize] == u32::MAX {
                rank[u as usize] = ranked;
                ranked += 1;
            }
        };
        let mut cut = vec![false; n];
        let mut size = vec![0u32; n];
        let mut queue: std::collections::VecDeque<u32> = roots.into();
        let mut piece: Vec<u32> = Vec::new();
        while let Some(r) = queue.pop_front() {
            piece.clear();
            piece.push(r);
            let mut i = 0;
            while i < piece.len() {
                let v = piece[i] as usize;
                i += 1;
                piece.extend(children[v].iter().filter(|&&k| !cut[k as usize]));
            }
            for &v in piece.iter().rev() {
                let v = v as usize;
                size[v] = 1 + children[v].iter().filter(|&&k| !cut[k as usize]).map(|&k| size[k as usize]).sum::<u32>();
            }
            let total = size[r as usize];
            if total == 1 {
                take(r, &mut rank);
                continue;
            }
            let open_sep = |v: usize, rank: &Vec<u32>| bags[v].iter().filter(|&&u| rank[u as usize] == u32::MAX).count();
            let best = piece[1..]
                .iter()
                .map(|&v| v as usize)
                .filter(|&v| 4 * size[v].min(total - size[v]) >= total)
                .min_by_key(|&v| (open_sep(v, &rank), Reverse(size[v].min(total - size[v]))));
            match best {
                Some(v) => {
                    for &u in &bags[v] {
                        take(u, &mut rank);
                    }
                    cut[v] = true;
                    queue.push_back(v as u32);
                    queue.push_back(r);
                }
                None => {
                    let mut c = r as usize;
                    while let Some(&h) = children[c].iter().find(|&&k| !cut[k as usize] && 2 * size[k as usize] > total) {
                        c = h as usize;
                    }
                    take(c as u32, &mut rank);
                    for &u in &bags[c] {
                        take(u, &mut rank);
                    }
                    for &k in &children[c] {
                        if !cut[k as usize] {
                            cut[k as usize] = true;
                            queue.push_back(k);
                        }
                    }
                    if c != r as usize {
                        // c stays, alone with no children, in r's piece.
                        queue.push_back(r);
                    }
                }
            }
        }
        rank.iter().map(|&r| u32::MAX - r).collect()
    }

    /// Like [`Search::new`], and also traces the whole problem once (with
    /// nothing fixed) when that takes at most `budget` diagram-node
    /// equivalents of memory (about 50 bytes each, as for
    /// [`Diagram::compile`](crate::mdd::Diagram::compile)). Every question
    /// is then two linear passes over that trace, as with a compiled
    /// diagram; otherwise each question is searched anew.
    pub fn with_budget(problem: &Problem, budget: usize) -> Search {
        let mut s = Search::new(problem);
        if budget > 0
            && let Some(mut st) = s.state(&[])
        {
            s.whole = s.trace_whole(&mut st, budget);
            s.give_back(st);
        }
        s
    }

    /// Whether the whole problem is traced (see [`Search::with_budget`]).
    pub fn traced(&self) -> bool {
        self.whole.is_some()
    }

    /// The size of the whole problem's trace (0 when not traced).
    pub fn trace_nodes(&self) -> usize {
        self.whole.as_ref().map_or(0, |w| w.trace.kind.len())
    }

    fn trace_whole(&self, st: &mut State, budget: usize) -> Option<Whole> {
        let n = self.sizes.len();
        st.trace.reset();
        let all: Vec<usize> = (0..n).collect();
        let top = st.open_components(self, &all);
        let mut roots = Vec::with_capacity(top);
        let mut part = vec![NONE; n];
        for i in 0..top {
            let sub = st.subs[i];
            for &y in &st.arena[sub.vars.0..sub.vars.1] {
                part[y] = i as u32;
            }
            let root = if sub.linked { st.compile(self, sub, false, budget)? } else { st.free(self, st.arena[sub.vars.0]) };
            roots.push(root);
        }
        let decided: Vec<(usize, u32)> = (0..n).filter(|&x| part[x] == NONE).map(|x| (x, st.value(self, x))).collect();
        let mut value = vec![NONE; n];
        for &(x, v) in &decided {
            value[x] = v;
        }
        let mut trace = std::mem::take(&mut st.trace);
        trace.cache = HashMap::default();
        trace.free = HashMap::default();
        trace.list_index = HashMap::default();
        trace.kind.shrink_to_fit();
        trace.edges.shrink_to_fit();
        trace.lits.shrink_to_fit();
        trace.kids.shrink_to_fit();
        Some(Whole { trace, roots, part, decided, value })
    }

    /// A table over distinct, existing variables with in-range tuples;
    /// `Ok(None)` when it always holds, `Err` when it never does.
    fn table(&self, vars: &[usize], tuples: &[Vec<u32>], allowed: bool) -> Result<Option<Table>, ()> {
        if vars.iter().any(|&x| x >= self.sizes.len()) {
            return Err(());
        }
        let mut distinct: Vec<u32> = Vec::new();
        let slot: Vec<usize> = vars
            .iter()
            .map(|&x| match distinct.iter().position(|&d| d as usize == x) {
                Some(i) => i,
                None => {
                    distinct.push(x as u32);
                    distinct.len() - 1
                }
            })
            .collect();
        let arity = distinct.len();
        let mut rows: Vec<Vec<u32>> = Vec::with_capacity(tuples.len());
        'tuples: for t in tuples {
            let mut row = vec![WILD; arity];
            for (i, &v) in t.iter().enumerate().take(vars.len()) {
                let p = slot[i];
                if v >= self.sizes[distinct[p] as usize] || (row[p] != WILD && row[p] != v) {
                    // Matches no assignment.
                    continue 'tuples;
                }
                row[p] = v;
            }
            rows.push(row);
        }
        rows.sort_unstable();
        rows.dedup();
        if arity == 0 {
            // Holds exactly when some tuple (an empty one) is allowed.
            return if rows.is_empty() != allowed { Ok(None) } else { Err(()) };
        }
        if !allowed && rows.is_empty() {
            return Ok(None);
        }
        Ok(Some(Table { vars: distinct, tuples: rows.concat(), allowed }))
    }

    /// A linear rule with one term per variable (missing coefficients are 0).
    fn linear(&self, terms: &[(usize, Vec<i64>)], min: i64, max: i64) -> Result<Option<Linear>, ()> {
        let mut merged: Vec<(u32, Vec<i64>)> = Vec::new();
        for (x, coefs) in terms {
            let Some(&size) = self.sizes.get(*x) else { return Err(()) };
            let i = match merged.iter().position(|(y, _)| *y as usize == *x) {
                Some(i) => i,
                None => {
                    merged.push((*x as u32, vec![0; size as usize]));
                    merged.len() - 1
                }
            };
            for (v, c) in merged[i].1.iter_mut().enumerate() {
                *c = c.saturating_add(coefs.get(v).copied().unwrap_or(0));
            }
        }
        if merged.is_empty() {
            return if min <= 0 && 0 <= max { Ok(None) } else { Err(()) };
        }
        Ok(Some(Linear { terms: merged, min, max }))
    }

    /// Propagates the problem alone; `None` when that fails.
    fn root_state(&self, units: &[u32]) -> Option<State> {
        let n = self.sizes.len();
        let lits = self.lit_var.len();
        let props = self.tables.len() + self.linears.len();
        let cons = self.cstart.len() - 1 + props;
        let mut st = State {
            alive: vec![true; lits],
            size: self.sizes.clone(),
            trail: Vec::new(),
            qhead: 0,
            lits: self.clits.clone(),
            watches: vec![Vec::new(); lits],
            queue: Vec::new(),
            queued: vec![false; props],
            price: vec![0; lits],
            lo: vec![0; n],
            hi: vec![0; n],
            sum_lo: 0,
            sum_hi: 0,
            support: vec![false; lits],
            wild: Vec::new(),
            flag: vec![false; n],
            flag_comp: vec![0; n],
            var_seen: vec![0; n],
            con_seen: vec![0; cons],
            con_live: vec![0; cons],
            epoch: 0,
            arena: Vec::new(),
            cons: Vec::new(),
            subs: Vec::new(),
            frames: Vec::new(),
            keys: Vec::new(),
            vals: Vec::new(),
            pend_edges: Vec::new(),
            pend_kids: Vec::new(),
            decided: Vec::new(),
            trace: Trace::default(),
        };
        for c in 0..self.cstart.len() - 1 {
            let (a, b) = (self.cstart[c] as usize, self.cstart[c + 1] as usize);
            if b - a > 2 {
                st.watches[self.clits[a] as usize].push(c as u32);
                st.watches[self.clits[a + 1] as usize].push(c as u32);
            }
        }
        for &u in units {
            if !st.make_true(self, u as usize) {
                return None;
            }
        }
        for p in 0..props {
            st.queued[p] = true;
            st.queue.push(p as u32);
        }
        if !st.propagate(self) {
            return None;
        }
        // The root position is the new starting point: nothing to undo.
        st.trail.clear();
        st.qhead = 0;
        Some(st)
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
        fixed.iter().take(self.sizes.len()).enumerate().filter_map(|(x, f)| f.map(|v| (x, v))).collect()
    }

    /// Whether any valid configuration keeps every fixed value.
    pub fn consistent(&self, fixed: &[Option<u32>]) -> bool {
        if let Some(w) = &self.whole {
            return self.whole_passes(w, fixed, &[], None);
        }
        let Some(mut st) = self.state(&[]) else { return false };
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
        let Some(mut st) = self.state(&[]) else { return Some(zero) };
        let list = self.fixed_list(fixed);
        let mut result = Some(zero.clone());
        if st.assign_all(self, &list) {
            st.trace.reset();
            let all: Vec<usize> = (0..self.sizes.len()).collect();
            let top = st.open_components(self, &all);
            let mut roots = Vec::with_capacity(top);
            for i in 0..top {
                let sub = st.subs[i];
                let root = if sub.linked { st.compile(self, sub, false, COUNT_NODES) } else { Some(st.free(self, st.arena[sub.vars.0])) };
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
                result = Some(roots.iter().fold(BigUint::from(1u32), |p, &r| p * &counts[r as usize]));
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
        let valid: Vec<Vec<bool>> = self.sizes.iter().map(|&s| vec![false; s as usize]).collect();
        let min: Vec<Vec<Option<i64>>> = valid.iter().map(|v| vec![None; v.len()]).collect();
        let max = min.clone();
        let mut out = Analysis { consistent: false, valid, min, max, total_min: None, total_max: None };
        if self.root.is_none() {
            return out;
        }
        if let Some(w) = &self.whole {
            self.whole_passes(w, fixed, prices, Some(&mut out));
            return out;
        }
        let Some(mut st) = self.state(prices) else { return out };
        let list = self.fixed_list(fixed);
        let base = self.phase_fixed(&mut st, &list, &mut out);
        st.undo(self, 0);
        if !list.is_empty() {
            self.alternatives(&mut st, &list, base.as_ref(), &mut out);
        }
        self.give_back(st);
        out
    }

    /// The passes over the whole trace (see [`Search::up`] and
    /// [`Search::down`]), in `i64` unless the prices could overflow it.
    /// Fills in `out` when given; returns whether the fixed values are
    /// consistent.
    fn whole_passes(&self, w: &Whole, fixed: &[Option<u32>], prices: &[Vec<i64>], out: Option<&mut Analysis>) -> bool {
        let bound: i128 = prices.iter().map(|p| p.iter().map(|&c| i128::from(c).abs()).max().unwrap_or(0)).sum();
        if bound < 1 << 62 {
            let mut p = self.passes.lock().unwrap_or_else(|e| e.into_inner()).pop().unwrap_or_default();
            let ok = self.up(w, &mut p, fixed, prices);
            if let Some(out) = out {
                self.down(w, &mut p, out);
            }
            self.passes.lock().unwrap_or_else(|e| e.into_inner()).push(p);
            ok
        } else {
            let mut p = self.wide_passes.lock().unwrap_or_else(|e| e.into_inner()).pop().unwrap_or_default();
            let ok = self.up(w, &mut p, fixed, prices);
            if let Some(out) = out {
                self.down(w, &mut p, out);
            }
            self.wide_passes.lock().unwrap_or_else(|e| e.into_inner()).push(p);
            ok
        }
    }

    /// Loads prices and fixed values, then the bottom-up pass over the whole
    /// trace: per node, the cheapest and dearest total of its solutions that
    /// keep every fixed value. Returns whether every part keeps them.
    fn up<C: Cost>(&self, w: &Whole, p: &mut Passes<C>, fixed: &[Option<u32>], prices: &[Vec<i64>]) -> bool {
        let lits = self.lit_var.len();
        p.price.clear();
        p.price.resize(lits, 0);
        p.bad.clear();
        p.bad.resize(lits, false);
        for x in 0..self.sizes.len() {
            let f = fixed.get(x).copied().flatten();
            for (v, l) in self.lits_of(x).enumerate() {
                p.price[l] = prices.get(x).and_then(|q| q.get(v)).copied().unwrap_or(0);
                p.bad[l] = f.is_some_and(|f| f as usize != v);
            }
        }
        let t = &w.trace;
        let m = t.kind.len();
        p.up.clear();
        p.up.resize(m, (C::NO, C::NO));
        p.up[TRUE as usize] = (C::default(), C::default());
        if p.costed.as_ref() != Some(&p.price) {
            p.cost.clear();
            p.cost.extend(t.lists.iter().map(|&r| Trace::range(&t.lits, r).iter().fold(C::default(), |sum, &l| sum + C::of(p.price[l as usize]))));
            p.costed = Some(p.price.clone());
        }
        p.conflict.clear();
        for &r in &t.lists {
            let mut conflict = NONE;
            for &l in Trace::range(&t.lits, r) {
                if p.bad[l as usize] {
                    conflict = if conflict == NONE { l } else { MANY };
                }
            }
            p.conflict.push(conflict);
        }
        for node in 2..m {
            let (mut lo, mut hi) = (C::NO, C::NO);
            match t.kind[node] {
                Kind::Free(a, b) => {
                    for &l in Trace::range(&t.lits, (a, b)) {
                        if !p.bad[l as usize] {
                            let c = C::of(p.price[l as usize]);
                            (lo, hi) = if lo == C::NO { (c, c) } else { (lo.min(c), hi.max(c)) };
                        }
                    }
                }
                Kind::And(a, b) => {
                    (lo, hi) = (C::default(), C::default());
                    for &k in Trace::range(&t.kids, (a, b)) {
                        let (klo, khi) = p.up[k as usize];
                        if klo == C::NO {
                            (lo, hi) = (C::NO, C::NO);
                            break;
                        }
                        lo = lo + klo;
                        hi = hi + khi;
                    }
                }
                Kind::Decision(a, b) => {
                    for e in Trace::range(&t.edges, (a, b)) {
                        let (k, i) = (e.child as usize, e.list as usize);
                        let (klo, khi) = p.up[k];
                        if p.conflict[i] == NONE && klo != C::NO {
                            let cost = p.cost[i];
                            (lo, hi) = if lo == C::NO { (cost + klo, cost + khi) } else { (lo.min(cost + klo), hi.max(cost + khi)) };
                        }
                    }
                }
                Kind::False | Kind::True => {}
            }
            p.up[node] = (lo, hi);
        }
        let decided_ok = w.decided.iter().all(|&(x, v)| !p.bad[self.offset[x] as usize + v as usize]);
        decided_ok && w.roots.iter().all(|&r| p.up[r as usize].0 != C::NO)
    }

    /// After [`Search::up`], the top-down pass over the whole trace, and
    /// [`Search::analyse`]'s answers from both.
    fn down<C: Cost>(&self, w: &Whole, p: &mut Passes<C>, out: &mut Analysis) {
        let t = &w.trace;
        let m = t.kind.len();
        let zero = C::default();
        p.down.clear();
        p.down.resize(m, (C::NO, C::NO));
        for &r in &w.roots {
            p.down[r as usize] = (zero, zero);
        }
        let lists = t.lists.len();
        for v in [&mut p.all, &mut p.alt] {
            v.clear();
            v.resize(lists, (C::NO, C::NO));
        }
        let better = |best: &mut (C, C), lo: C, hi: C| {
            *best = if best.0 == C::NO { (lo, hi) } else { (best.0.min(lo), best.1.max(hi)) };
        };
        for node in (2..m).rev() {
            let (dlo, dhi) = p.down[node];
            if dlo == C::NO {
                continue;
            }
            match t.kind[node] {
                Kind::Decision(a, b) => {
                    for e in Trace::range(&t.edges, (a, b)) {
                        let (k, i) = (e.child as usize, e.list as usize);
                        let (tlo, thi) = (dlo + p.cost[i], dhi + p.cost[i]);
                        let (klo, khi) = p.up[k];
                        let conflict = p.conflict[i];
                        if conflict == NONE {
                            better(&mut p.down[k], tlo, thi);
                            if klo != C::NO {
                                better(&mut p.all[i], tlo + klo, thi + khi);
                            }
                        } else if conflict != MANY && klo != C::NO {
                            // Only the contradicting variable's own choice
                            // differs: one of its alternatives.
                            better(&mut p.alt[i], tlo + klo, thi + khi);
                        }
                    }
                }
                Kind::And(a, b) => {
                    let kids = Trace::range(&t.kids, (a, b));
                    let (mut lo, mut hi, mut bad) = (zero, zero, 0usize);
                    for &k in kids {
                        let (klo, khi) = p.up[k as usize];
                        if klo == C::NO {
                            bad += 1;
                        } else {
                            lo = lo + klo;
                            hi = hi + khi;
                        }
                    }
                    for &k in kids {
                        let (klo, khi) = p.up[k as usize];
                        // Every other part must keep the fixed values.
                        let (rest_lo, rest_hi) = match (bad, klo == C::NO) {
                            (0, _) => (lo - klo, hi - khi),
                            (1, true) => (lo, hi),
                            _ => continue,
                        };
                        better(&mut p.down[k as usize], dlo + rest_lo, dhi + rest_hi);
                    }
                }
                Kind::Free(..) | Kind::False | Kind::True => {}
            }
        }
        // Per literal, the best solutions of its part using it while keeping
        // the fixed values of every other variable (local totals).
        let mut wit = Witnesses::new(self.lit_var.len());
        for (i, &range) in t.lists.iter().enumerate() {
            let (lo, hi) = p.all[i];
            if lo != C::NO {
                for &l in Trace::range(&t.lits, range) {
                    wit.note(l as usize, lo.wide(), hi.wide());
                }
            }
            let (lo, hi) = p.alt[i];
            if lo != C::NO {
                wit.note(p.conflict[i] as usize, lo.wide(), hi.wide());
            }
        }
        for node in 2..m {
            let (dlo, dhi) = p.down[node];
            if let Kind::Free(a, b) = t.kind[node]
                && dlo != C::NO
            {
                for &l in Trace::range(&t.lits, (a, b)) {
                    let c = i128::from(p.price[l as usize]);
                    wit.note(l as usize, dlo.wide() + c, dhi.wide() + c);
                }
            }
        }
        // Combine the parts (and the variables decided at the root), as the
        // forest of diagrams does: a part's values count only when every
        // other part keeps the fixed values.
        let decided_ok = |&(x, v): &(usize, u32)| !p.bad[self.offset[x] as usize + v as usize];
        let root_ok = |r: u32| p.up[r as usize].0 != C::NO;
        let bad = w.roots.iter().filter(|&&r| !root_ok(r)).count() + w.decided.iter().filter(|d| !decided_ok(d)).count();
        let (mut sum_lo, mut sum_hi) = (0i128, 0i128);
        for &r in w.roots.iter().filter(|&&r| root_ok(r)) {
            sum_lo += p.up[r as usize].0.wide();
            sum_hi += p.up[r as usize].1.wide();
        }
        for d in w.decided.iter().filter(|d| decided_ok(d)) {
            let c = i128::from(p.price[self.offset[d.0] as usize + d.1 as usize]);
            sum_lo += c;
            sum_hi += c;
        }
        for x in 0..self.sizes.len() {
            let o = self.offset[x] as usize;
            let (own_ok, own_lo, own_hi) = match w.part[x] {
                NONE => {
                    let d = (x, w.value[x]);
                    let c = i128::from(p.price[o + d.1 as usize]);
                    // Its one possible value, whatever it is fixed to.
                    wit.note(o + d.1 as usize, c, c);
                    (decided_ok(&d), c, c)
                }
                i => {
                    let (lo, hi) = p.up[w.roots[i as usize] as usize];
                    (lo != C::NO, lo.wide(), hi.wide())
                }
            };
            if bad > usize::from(!own_ok) {
                continue;
            }
            let (rest_lo, rest_hi) = if own_ok { (sum_lo - own_lo, sum_hi - own_hi) } else { (sum_lo, sum_hi) };
            for l in self.lits_of(x) {
                if wit.seen[l] {
                    Self::note(out, x, l - o, rest_lo + wit.min[l], rest_hi + wit.max[l]);
                }
            }
        }
        if bad == 0 {
            out.consistent = true;
            out.total_min = Some(clamp(sum_lo));
            out.total_max = Some(clamp(sum_hi));
        }
    }

    /// [`Search::count`] over the whole trace.
    fn count_whole(&self, w: &Whole, fixed: &[Option<u32>]) -> BigUint {
        let bad = |l: usize| {
            let x = self.lit_var[l] as usize;
            fixed.get(x).copied().flatten().is_some_and(|f| l - self.offset[x] as usize != f as usize)
        };
        let zero = BigUint::from(0u32);
        if w.decided.iter().any(|&(x, v)| bad(self.offset[x] as usize + v as usize)) {
            return zero;
        }
        let t = &w.trace;
        let clash: Vec<bool> = t.lists.iter().map(|&r| Trace::range(&t.lits, r).iter().any(|&l| bad(l as usize))).collect();
        let mut count: Vec<BigUint> = Vec::with_capacity(t.kind.len());
        for kind in &t.kind {
            let c = match *kind {
                Kind::False => zero.clone(),
                Kind::True => BigUint::from(1u32),
                Kind::Free(a, b) => BigUint::from(Trace::range(&t.lits, (a, b)).iter().filter(|&&l| !bad(l as usize)).count()),
                Kind::And(a, b) => Trace::range(&t.kids, (a, b)).iter().fold(BigUint::from(1u32), |acc, &k| acc * &count[k as usize]),
                Kind::Decision(a, b) => Trace::range(&t.edges, (a, b))
                    .iter()
                    .filter(|e| !clash[e.list as usize])
                    .fold(zero.clone(), |acc, e| acc + &count[e.child as usize]),
            };
            count.push(c);
        }
        w.roots.iter().fold(BigUint::from(1u32), |acc, &r| acc * &count[r as usize])
    }

    fn note(out: &mut Analysis, x: usize, v: usize, lo: i128, hi: i128) {
        out.valid[x][v] = true;
        out.min[x][v] = Some(clamp(lo));
        out.max[x][v] = Some(clamp(hi));
    }

    fn lits_of(&self, x: usize) -> std::ops::Range<usize> {
        self.offset[x] as usize..self.offset[x + 1] as usize
    }

    /// Every fixed value set: fills in the answers for all variables (a
    /// fixed variable's own value included) and returns what the
    /// alternatives need, or `None` when no configuration keeps them all.
    fn phase_fixed(&self, st: &mut State, list: &[(usize, u32)], out: &mut Analysis) -> Option<Base> {
        if !st.assign_all(self, list) {
            return None;
        }
        let n = self.sizes.len();
        st.trace.reset();
        let all: Vec<usize> = (0..n).collect();
        let top = st.open_components(self, &all);
        let mut comp = vec![NONE; n];
        let mut roots = Vec::with_capacity(top);
        for i in 0..top {
            let sub = st.subs[i];
            for &y in &st.arena[sub.vars.0..sub.vars.1] {
                comp[y] = i as u32;
            }
            let root = if sub.linked { st.compile(self, sub, false, usize::MAX)? } else { st.free(self, st.arena[sub.vars.0]) };
            if root == FALSE {
                return None;
            }
            roots.push(root);
        }
        let cmin: Vec<i128> = roots.iter().map(|&r| st.trace.lo[r as usize]).collect();
        let cmax: Vec<i128> = roots.iter().map(|&r| st.trace.hi[r as usize]).collect();
        let mut wit = Witnesses::new(self.lit_var.len());
        st.trace.marginals(&roots, &st.price, &mut wit);
        // Everything outside the components is decided.
        let open = (0..n).filter(|&x| comp[x] != NONE);
        let decided_lo = st.sum_lo - open.clone().map(|y| i128::from(st.lo[y])).sum::<i128>();
        let decided_hi = st.sum_hi - open.map(|y| i128::from(st.hi[y])).sum::<i128>();
        let total_min = decided_lo + cmin.iter().sum::<i128>();
        let total_max = decided_hi + cmax.iter().sum::<i128>();
        let mut value = vec![NONE; n];
        for x in 0..n {
            let o = self.offset[x] as usize;
            if comp[x] == NONE {
                let v = st.value(self, x);
                value[x] = v;
                Self::note(out, x, v as usize, total_min, total_max);
            } else {
                let c = comp[x] as usize;
                for l in self.lits_of(x) {
                    if wit.seen[l] {
                        Self::note(out, x, l - o, total_min - cmin[c] + wit.min[l], total_max - cmax[c] + wit.max[l]);
                    }
                }
            }
        }
        out.consistent = true;
        out.total_min = Some(clamp(total_min));
        out.total_max = Some(clamp(total_max));
        Some(Base { total_min, total_max, value, comp, cmin, cmax })
    }

    /// The alternatives of each fixed variable in `list`, given a state
    /// where every other fixed value is set. Splits the list in halves; each
    /// half is handled with the other half's values set.
    fn alternatives(&self, st: &mut State, list: &[(usize, u32)], base: Option<&Base>, out: &mut Analysis) {
        if let [(x, f)] = list {
            self.alternatives_of(st, *x, *f, base, out);
            return;
        }
        let (left, right) = list.split_at(list.len() / 2);
        for (keep, set) in [(left, right), (right, left)] {
            let mark = st.trail.len();
            if st.assign_all(self, set) {
                self.alternatives(st, keep, base, out);
            }
            st.undo(self, mark);
        }
    }

    /// The other values of fixed variable `x` (fixed to `f`), in a state
    /// where every other fixed value is set.
    fn alternatives_of(&self, st: &mut State, x: usize, f: u32, base: Option<&Base>, out: &mut Analysis) {
        let o = self.offset[x] as usize;
        let alts: Vec<usize> = self.lits_of(x).filter(|&l| st.alive[l] && l - o != f as usize).collect();
        if alts.is_empty() {
            return;
        }
        match base {
            Some(b) => {
                // Only x's own component differs from the state with every
                // value fixed; the rest keeps its contribution there.
                let region = st.region_of(self, x);
                let mut contrib_lo = 0i128;
                let mut contrib_hi = 0i128;
                let mut comps: Vec<u32> = Vec::new();
                for &y in &region {
                    if b.value[y] != NONE {
                        let p = i128::from(st.price[self.offset[y] as usize + b.value[y] as usize]);
                        contrib_lo += p;
                        contrib_hi += p;
                    } else {
                        comps.push(b.comp[y]);
                    }
                }
                comps.sort_unstable();
                comps.dedup();
                for c in comps {
                    contrib_lo += b.cmin[c as usize];
                    contrib_hi += b.cmax[c as usize];
                }
                for l in alts {
                    let mark = st.trail.len();
                    if st.assign(self, x, (l - o) as u32)
                        && st.propagate(self)
                        && let Some((lo, hi)) = st.totals(self, &region)
                    {
                        Self::note(out, x, l - o, b.total_min - contrib_lo + lo, b.total_max - contrib_hi + hi);
                    }
                    st.undo(self, mark);
                }
            }
            None => {
                // No configuration keeps every fixed value: solve the whole
                // problem for each alternative.
                let all: Vec<usize> = (0..self.sizes.len()).collect();
                for l in alts {
                    let mark = st.trail.len();
                    if st.assign(self, x, (l - o) as u32)
                        && st.propagate(self)
                        && let Some((lo, hi)) = st.totals(self, &all)
                    {
                        Self::note(out, x, l - o, lo, hi);
                    }
                    st.undo(self, mark);
                }
            }
        }
    }
}

impl State {
    fn var_of(s: &Search, lit: usize) -> usize {
        s.lit_var[lit] as usize
    }

    fn is_true(&self, s: &Search, lit: usize) -> bool {
        self.alive[lit] && self.size[Self::var_of(s, lit)] == 1
    }

    /// The value of a decided variable (its first possible value otherwise).
    fn value(&self, s: &Search, x: usize) -> u32 {
        (self.value_lit(s, x) - s.offset[x] as usize) as u32
    }

    fn value_lit(&self, s: &Search, x: usize) -> usize {
        s.lits_of(x).find(|&l| self.alive[l]).unwrap_or(s.offset[x] as usize)
    }

    fn set_prices(&mut self, s: &Search, prices: &[Vec<i64>]) {
        self.sum_lo = 0;
        self.sum_hi = 0;
        for x in 0..s.sizes.len() {
            let p = prices.get(x);
            let (mut lo, mut hi) = (i64::MAX, i64::MIN);
            for (v, l) in s.lits_of(x).enumerate() {
                let price = p.and_then(|p| p.get(v)).copied().unwrap_or(0);
                self.price[l] = price;
                if self.alive[l] {
                    lo = lo.min(price);
                    hi = hi.max(price);
                }
            }
            self.lo[x] = lo;
            self.hi[x] = hi;
            self.sum_lo += i128::from(lo);
            self.sum_hi += i128::from(hi);
        }
    }

    /// Removes a value; false when it was the variable's last one.
    fn remove(&mut self, s: &Search, lit: usize) -> bool {
        if !self.alive[lit] {
            return true;
        }
        let x = Self::var_of(s, lit);
        if self.size[x] == 1 {
            return false;
        }
        self.alive[lit] = false;
        self.size[x] -= 1;
        self.trail.push(lit as u32);
        let p = self.price[lit];
        if p == self.lo[x] || p == self.hi[x] {
            let (lo, hi) = s.lits_of(x).filter(|&l| self.alive[l]).fold((i64::MAX, i64::MIN), |(lo, hi), l| (lo.min(self.price[l]), hi.max(self.price[l])));
            self.sum_lo += i128::from(lo) - i128::from(self.lo[x]);
            self.sum_hi += i128::from(hi) - i128::from(self.hi[x]);
            self.lo[x] = lo;
            self.hi[x] = hi;
        }
        true
    }

    /// Takes back every removal after the first `mark` trail entries.
    fn undo(&mut self, s: &Search, mark: usize) {
        while self.trail.len() > mark {
            let Some(lit) = self.trail.pop() else { break };
            let lit = lit as usize;
            let x = Self::var_of(s, lit);
            self.alive[lit] = true;
            self.size[x] += 1;
            let p = self.price[lit];
            if p < self.lo[x] {
                self.sum_lo += i128::from(p) - i128::from(self.lo[x]);
                self.lo[x] = p;
            }
            if p > self.hi[x] {
                self.sum_hi += i128::from(p) - i128::from(self.hi[x]);
                self.hi[x] = p;
            }
        }
        self.qhead = self.qhead.min(self.trail.len());
    }

    /// Makes a literal true (removes every other value of its variable);
    /// false when it is already false. Does not propagate.
    fn make_true(&mut self, s: &Search, lit: usize) -> bool {
        if !self.alive[lit] {
            return false;
        }
        let x = Self::var_of(s, lit);
        if self.size[x] > 1 {
            for l in s.lits_of(x) {
                if l != lit && self.alive[l] {
                    self.remove(s, l);
                }
            }
        }
        true
    }

    /// Sets `x` to `v` (false when impossible). Does not propagate.
    fn assign(&mut self, s: &Search, x: usize, v: u32) -> bool {
        v < s.sizes[x] && self.make_true(s, s.offset[x] as usize + v as usize)
    }

    /// Sets and propagates every pair; false at the first conflict (the
    /// caller undoes).
    fn assign_all(&mut self, s: &Search, list: &[(usize, u32)]) -> bool {
        list.iter().all(|&(x, v)| self.assign(s, x, v) && self.propagate(s))
    }

    /// Propagates every removal not yet propagated, to a fixpoint; false on
    /// a conflict.
    fn propagate(&mut self, s: &Search) -> bool {
        loop {
            while self.qhead < self.trail.len() {
                let lit = self.trail[self.qhead] as usize;
                self.qhead += 1;
                for &b in &s.bin[lit] {
                    if !self.make_true(s, b as usize) {
                        return self.fail();
                    }
                }
                if !self.watch(s, lit) {
                    return self.fail();
                }
                for &p in &s.wake[Self::var_of(s, lit)] {
                    if !self.queued[p as usize] {
                        self.queued[p as usize] = true;
                        self.queue.push(p);
                    }
                }
            }
            let Some(p) = self.queue.pop() else { return true };
            self.queued[p as usize] = false;
            let ok = match s.tables.get(p as usize) {
                Some(t) => self.table(s, t),
                None => self.linear(s, &s.linears[p as usize - s.tables.len()]),
            };
            if !ok {
                return self.fail();
            }
        }
    }

    fn fail(&mut self) -> bool {
        for p in self.queue.drain(..) {
            self.queued[p as usize] = false;
        }
        self.qhead = self.trail.len();
        false
    }

    /// The long clauses watching `lit`, which just became false: each finds
    /// another watch, or its other watch must hold.
    fn watch(&mut self, s: &Search, lit: usize) -> bool {
        let mut ws = std::mem::take(&mut self.watches[lit]);
        let mut keep = 0;
        let mut i = 0;
        let mut ok = true;
        while i < ws.len() {
            let c = ws[i] as usize;
            i += 1;
            let (a, b) = (s.cstart[c] as usize, s.cstart[c + 1] as usize);
            if self.lits[a] as usize == lit {
                self.lits.swap(a, a + 1);
            }
            let other = self.lits[a] as usize;
            if !self.is_true(s, other) {
                if let Some(k) = (a + 2..b).find(|&k| self.alive[self.lits[k] as usize]) {
                    self.lits.swap(a + 1, k);
                    let new = self.lits[a + 1] as usize;
                    self.watches[new].push(c as u32);
                    continue;
                }
                if !self.make_true(s, other) {
                    ok = false;
                }
            }
            ws[keep] = c as u32;
            keep += 1;
            if !ok {
                while i < ws.len() {
                    ws[keep] = ws[i];
                    keep += 1;
                    i += 1;
                }
            }
        }
        ws.truncate(keep);
        self.watches[lit] = ws;
        ok
    }

    /// Table propagation: allowed tables keep only supported values
    /// (generalised arc consistency); forbidden ones act once at most one of
    /// their variables is open.
    fn table(&mut self, s: &Search, t: &Table) -> bool {
        let a = t.vars.len();
        if !t.allowed {
            let mut open = None;
            for (p, &x) in t.vars.iter().enumerate() {
                if self.size[x as usize] > 1 {
                    if open.is_some() {
                        return true;
                    }
                    open = Some(p);
                }
            }
            for row in t.tuples.chunks_exact(a) {
                let matches = row.iter().zip(&t.vars).enumerate().all(|(p, (&v, &x))| {
                    Some(p) == open || v == WILD || self.alive[s.offset[x as usize] as usize + v as usize]
                });
                if matches {
                    let Some(q) = open else { return false };
                    if row[q] == WILD || !self.remove(s, s.offset[t.vars[q] as usize] as usize + row[q] as usize) {
                        return false;
                    }
                }
            }
            return true;
        }
        self.wild.clear();
        self.wild.resize(a, false);
        for row in t.tuples.chunks_exact(a) {
            let live = row.iter().zip(&t.vars).all(|(&v, &x)| v == WILD || self.alive[s.offset[x as usize] as usize + v as usize]);
            if live {
                for (p, (&v, &x)) in row.iter().zip(&t.vars).enumerate() {
                    if v == WILD {
                        self.wild[p] = true;
                    } else {
                        self.support[s.offset[x as usize] as usize + v as usize] = true;
                    }
                }
            }
        }
        let mut ok = true;
        for (p, &x) in t.vars.iter().enumerate() {
            for l in s.lits_of(x as usize) {
                if ok && !self.wild[p] && self.alive[l] && !self.support[l] && !self.remove(s, l) {
                    ok = false;
                }
                self.support[l] = false;
            }
        }
        ok
    }

    /// Bounds propagation of `min <= sum <= max`.
    fn linear(&mut self, s: &Search, c: &Linear) -> bool {
        let range = |st: &State, x: usize, coefs: &[i64]| -> (i128, i128) {
            s.lits_of(x).zip(coefs).filter(|(l, _)| st.alive[*l]).fold((i128::MAX, i128::MIN), |(lo, hi), (_, &k)| {
                (lo.min(i128::from(k)), hi.max(i128::from(k)))
            })
        };
        let (mut lo, mut hi) = (0i128, 0i128);
        for (x, coefs) in &c.terms {
            let (a, b) = range(self, *x as usize, coefs);
            lo += a;
            hi += b;
        }
        let (min, max) = (i128::from(c.min), i128::from(c.max));
        if lo > max || hi < min {
            return false;
        }
        for (x, coefs) in &c.terms {
            let x = *x as usize;
            if self.size[x] == 1 {
                continue;
            }
            let (a, b) = range(self, x, coefs);
            if lo - a + b <= max && hi - b + a >= min {
                continue;
            }
            for (l, &k) in s.lits_of(x).zip(coefs) {
                let k = i128::from(k);
                if self.alive[l] && (lo - a + k > max || hi - b + k < min) && !self.remove(s, l) {
                    return false;
                }
            }
        }
        true
    }

    fn next_epoch(&mut self) {
        if self.epoch == u32::MAX {
            self.var_seen.fill(0);
            self.con_seen.fill(0);
            self.con_live.fill(0);
            self.epoch = 0;
        }
        self.epoch += 1;
    }

    /// Whether constraint `c` holds however its open variables are set
    /// (at a propagation fixpoint).
    fn entailed(&self, s: &Search, c: usize) -> bool {
        let clauses = s.cstart.len() - 1;
        if c < clauses {
            let (a, b) = (s.cstart[c] as usize, s.cstart[c + 1] as usize);
            return self.lits[a..b].iter().any(|&l| self.is_true(s, l as usize));
        }
        let mut open = 0;
        let mut check = |x: u32| {
            if self.size[x as usize] > 1 {
                open += 1;
            }
        };
        match s.tables.get(c - clauses) {
            Some(t) => t.vars.iter().for_each(|&x| check(x)),
            None => s.linears[c - clauses - s.tables.len()].terms.iter().for_each(|&(x, _)| check(x)),
        }
        open <= 1
    }

    /// Adds the open variables of constraint `c` not yet seen to `vars`.
    fn add_scope(&mut self, s: &Search, c: usize, vars: &mut Vec<usize>) {
        let clauses = s.cstart.len() - 1;
        let mut add = |st: &mut State, x: usize| {
            if st.size[x] > 1 && st.var_seen[x] != st.epoch {
                st.var_seen[x] = st.epoch;
                vars.push(x);
            }
        };
        if c < clauses {
            for k in s.cstart[c] as usize..s.cstart[c + 1] as usize {
                add(self, Self::var_of(s, self.lits[k] as usize));
            }
        } else if let Some(t) = s.tables.get(c - clauses) {
            for &x in &t.vars {
                add(self, x as usize);
            }
        } else {
            for &(x, _) in &s.linears[c - clauses - s.tables.len()].terms {
                add(self, x as usize);
            }
        }
    }

    /// Appends the component of open variable `x` to `vars` and its live
    /// constraints to `cons`; returns whether any constraint links it and
    /// the variable to branch on (the linked one of highest priority).
    fn grow(&mut self, s: &Search, x: usize, vars: &mut Vec<usize>) -> (bool, usize) {
        let mut i = vars.len();
        self.var_seen[x] = self.epoch;
        vars.push(x);
        let (mut best, mut best_degree) = (x, 0);
        while i < vars.len() {
            let y = vars[i];
            i += 1;
            let mut degree = 0;
            for &z in &s.pairs[y] {
                let z = z as usize;
                if self.size[z] > 1 {
                    degree += 1;
                    if self.var_seen[z] != self.epoch {
                        self.var_seen[z] = self.epoch;
                        vars.push(z);
                    }
                }
            }
            for &c in &s.touch[y] {
                let c = c as usize;
                if self.con_seen[c] != self.epoch {
                    self.con_seen[c] = self.epoch;
                    if !self.entailed(s, c) {
                        self.con_live[c] = self.epoch;
                        self.cons.push(c as u32);
                        self.add_scope(s, c, vars);
                    }
                }
                if self.con_live[c] == self.epoch {
                    degree += 1;
                }
            }
            if degree > 0 && (best_degree == 0 || s.priority[y] > s.priority[best]) {
                best = y;
                best_degree = degree;
            }
        }
        (best_degree > 0, best)
    }

    /// Splits the open variables among `arena[from..to]` (sorted) into
    /// components, pushed on `subs`, each listing its variables sorted.
    fn split(&mut self, s: &Search, (from, to): (usize, usize)) {
        self.next_epoch();
        let first = self.subs.len();
        let mut arena = std::mem::take(&mut self.arena);
        for i in from..to {
            let y = arena[i];
            if self.size[y] > 1 && self.var_seen[y] != self.epoch {
                let (start, cons) = (arena.len(), self.cons.len());
                let (linked, branch) = self.grow(s, y, &mut arena);
                for &z in &arena[start..] {
                    self.flag_comp[z] = (self.subs.len() - first) as u32;
                }
                self.subs.push(Sub { vars: (start, arena.len()), cons: (cons, self.cons.len()), branch, linked });
            }
        }
        // Rewrite each component's variables in the parent's (sorted) order.
        if self.subs.len() - first > 0 {
            let mut cursor: Vec<usize> = self.subs[first..].iter().map(|sub| sub.vars.0).collect();
            for i in from..to {
                let y = arena[i];
                if self.size[y] > 1 {
                    let c = self.flag_comp[y] as usize;
                    arena[cursor[c]] = y;
                    cursor[c] += 1;
                }
            }
        }
        self.arena = arena;
    }

    /// Clears the search stacks and splits the open variables among `vars`
    /// into components: `subs[..returned count]`.
    fn open_components(&mut self, s: &Search, vars: &[usize]) -> usize {
        self.arena.clear();
        self.cons.clear();
        self.subs.clear();
        self.arena.extend(vars.iter().copied().filter(|&y| self.size[y] > 1));
        self.arena.sort_unstable();
        self.split(s, (0, self.arena.len()));
        self.subs.len()
    }

    /// The component of open variable `x` (just `x` when it is decided).
    fn region_of(&mut self, s: &Search, x: usize) -> Vec<usize> {
        self.next_epoch();
        let mut vars = Vec::new();
        let cons = self.cons.len();
        self.grow(s, x, &mut vars);
        self.cons.truncate(cons);
        vars
    }

    /// The cheapest and dearest total over `vars` (which propagation cannot
    /// leave), or `None` when they admit no solution. Resets the trace.
    fn totals(&mut self, s: &Search, vars: &[usize]) -> Option<(i128, i128)> {
        let (mut lo, mut hi) = (0i128, 0i128);
        for &y in vars {
            if self.size[y] == 1 {
                lo += i128::from(self.lo[y]);
                hi += i128::from(self.hi[y]);
            }
        }
        self.trace.reset();
        let top = self.open_components(s, vars);
        for i in 0..top {
            let sub = self.subs[i];
            if !sub.linked {
                let y = self.arena[sub.vars.0];
                lo += i128::from(self.lo[y]);
                hi += i128::from(self.hi[y]);
                continue;
            }
            let root = self.compile(s, sub, false, usize::MAX)?;
            if root == FALSE {
                return None;
            }
            lo += self.trace.lo[root as usize];
            hi += self.trace.hi[root as usize];
        }
        Some((lo, hi))
    }

    /// A trace node for open variable `x` left free (one per variable while
    /// all its values remain).
    fn free(&mut self, s: &Search, x: usize) -> u32 {
        let whole = self.size[x] == s.sizes[x];
        if whole && let Some(&node) = self.trace.free.get(&(x as u32)) {
            return node;
        }
        let a = self.trace.lits.len() as u32;
        for l in s.lits_of(x) {
            if self.alive[l] {
                self.trace.lits.push(l as u32);
            }
        }
        let b = self.trace.lits.len() as u32;
        let node = self.trace.add(Kind::Free(a, b), i128::from(self.lo[x]), i128::from(self.hi[x]));
        if whole {
            self.trace.free.insert(x as u32, node);
        }
        node
    }

    /// The cache key of a component, which determines its residual problem:
    /// its variables (with their remaining values where not all remain),
    /// and those live constraints not implied by them: clauses of three or
    /// more literals some of whose variables are decided, and tables and
    /// linear rules with the values decided in their scope. (A live binary
    /// clause, or a longer one over open variables only, lies wholly inside
    /// the component.) Numbers are delta- and varint-encoded, the variables
    /// as runs of consecutive numbers (feature models number subtrees
    /// consecutively).
    fn key(&self, s: &Search, sub: Sub) -> Vec<u8> {
        fn put(key: &mut Vec<u8>, mut v: u64) {
            while v >= 0x80 {
                key.push((v as u8) | 0x80);
                v >>= 7;
            }
            key.push(v as u8);
        }
        let clauses = s.cstart.len() - 1;
        let vars = &self.arena[sub.vars.0..sub.vars.1];
        let mut key = Vec::with_capacity(16);
        // The variables as runs of consecutive numbers: (gap, length) pairs.
        let mut prev = 0u64;
        let mut i = 0;
        while i < vars.len() {
            let first = vars[i] as u64;
            let mut j = i + 1;
            while j < vars.len() && vars[j] == vars[j - 1] + 1 {
                j += 1;
            }
            put(&mut key, first + 1 - prev);
            put(&mut key, (j - i) as u64);
            prev = first + (j - i) as u64;
            i = j;
        }
        put(&mut key, 0);
        for (i, &y) in vars.iter().enumerate() {
            if self.size[y] < s.sizes[y] {
                put(&mut key, i as u64 + 1);
                put(&mut key, u64::from(self.size[y]));
                for l in s.lits_of(y).filter(|&l| self.alive[l]) {
                    put(&mut key, (l - s.offset[y] as usize) as u64);
                }
            }
        }
        put(&mut key, 0);
        let mut cons: Vec<u32> = self.cons[sub.cons.0..sub.cons.1]
            .iter()
            .copied()
            .filter(|&c| {
                let c = c as usize;
                c >= clauses || {
                    let (a, b) = (s.cstart[c] as usize, s.cstart[c + 1] as usize);
                    b - a > 2 && self.lits[a..b].iter().any(|&l| self.size[Self::var_of(s, l as usize)] == 1)
                }
            })
            .collect();
        cons.sort_unstable();
        prev = 0;
        for &c in &cons {
            put(&mut key, u64::from(c) + 1 - prev);
            prev = u64::from(c) + 1;
        }
        put(&mut key, 0);
        for &c in &cons {
            let c = c as usize;
            if c < clauses {
                continue;
            }
            let scope: &mut dyn Iterator<Item = u32> = match s.tables.get(c - clauses) {
                Some(t) => &mut t.vars.iter().copied(),
                None => &mut s.linears[c - clauses - s.tables.len()].terms.iter().map(|t| t.0),
            };
            for x in scope {
                let x = x as usize;
                put(&mut key, if self.size[x] == 1 { u64::from(self.value(s, x)) + 1 } else { 0 });
            }
        }
        key
    }

    /// Starts solving component `sub`: its node when the cache knows it,
    /// else `None` with a decision frame pushed.
    fn enter(&mut self, s: &Search, sub: Sub) -> Option<u32> {
        let key = self.key(s, sub);
        if let Some(&node) = self.trace.cache.get(&key) {
            return Some(node);
        }
        let first = self.vals.len();
        for l in s.lits_of(sub.branch) {
            if self.alive[l] {
                self.vals.push(l as u32);
            }
        }
        self.keys.push(key);
        let end = self.vals.len();
        self.frames.push(Frame::Decide { sub, mark: self.trail.len(), first, next: first, end, edges: self.pend_edges.len() });
        None
    }

    /// The traced search of component `sub` (linked, at a propagation
    /// fixpoint): the root of its trace, [`FALSE`] when it has no solution.
    /// With `any`, stops at the first solution (the node's totals are then
    /// not the extremes). `None` when the trace would exceed `limit` nodes.
    /// Leaves the state as it found it.
    fn compile(&mut self, s: &Search, sub: Sub, any: bool, limit: usize) -> Option<u32> {
        let (frames, keys, vals) = (self.frames.len(), self.keys.len(), self.vals.len());
        let (edges, kids) = (self.pend_edges.len(), self.pend_kids.len());
        let (subs, arena, cons, mark) = (self.subs.len(), self.arena.len(), self.cons.len(), self.trail.len());
        let mut ret = match self.enter(s, sub) {
            Some(node) => Ret::Node(node),
            None => Ret::Nothing,
        };
        while self.frames.len() > frames {
            if self.trace.weight() > limit {
                self.frames.truncate(frames);
                self.keys.truncate(keys);
                self.vals.truncate(vals);
                self.pend_edges.truncate(edges);
                self.pend_kids.truncate(kids);
                self.subs.truncate(subs);
                self.arena.truncate(arena);
                self.cons.truncate(cons);
                self.undo(s, mark);
                return None;
            }
            let top = self.frames.len() - 1;
            match self.frames[top] {
                Frame::Decide { sub, mark, first, next, end, edges } => {
                    if let Ret::Edge(e) = std::mem::replace(&mut ret, Ret::Nothing)
                        && e.child != FALSE
                    {
                        self.pend_edges.push(e);
                    }
                    self.undo(s, mark);
                    if next == end || (any && self.pend_edges.len() > edges) {
                        let node = self.decision(edges);
                        self.vals.truncate(first);
                        if let Some(key) = self.keys.pop() {
                            self.trace.key_bytes += key.len();
                            self.trace.cache.insert(key, node);
                        }
                        self.frames.pop();
                        ret = Ret::Node(node);
                        continue;
                    }
                    if let Frame::Decide { next, .. } = &mut self.frames[top] {
                        *next += 1;
                    }
                    if !(self.make_true(s, self.vals[next] as usize) && self.propagate(s)) {
                        continue;
                    }
                    // The edge: every variable this value decided.
                    let mut decided = std::mem::take(&mut self.decided);
                    decided.clear();
                    let mut cost = 0i128;
                    for i in mark..self.trail.len() {
                        let y = Self::var_of(s, self.trail[i] as usize);
                        if self.size[y] == 1 && !self.flag[y] {
                            self.flag[y] = true;
                            let l = self.value_lit(s, y);
                            decided.push(l as u32);
                            cost += i128::from(self.price[l]);
                        }
                    }
                    for &l in &decided {
                        self.flag[Self::var_of(s, l as usize)] = false;
                    }
                    decided.sort_unstable();
                    let list = self.trace.list(&decided, cost);
                    self.decided = decided;
                    let (subs, arena, cons) = (self.subs.len(), self.arena.len(), self.cons.len());
                    self.split(s, sub.vars);
                    let end = self.subs.len();
                    let kids = self.pend_kids.len();
                    self.frames.push(Frame::Join { list, subs, next: subs, end, kids, arena, cons });
                }
                Frame::Join { list, subs, next, end, kids, arena, cons } => {
                    let mut failed = false;
                    if let Ret::Node(node) = std::mem::replace(&mut ret, Ret::Nothing) {
                        if node == FALSE {
                            failed = true;
                        } else {
                            self.pend_kids.push(node);
                        }
                    }
                    if failed || next == end {
                        let child = if failed { FALSE } else { self.join(kids) };
                        self.pend_kids.truncate(kids);
                        self.subs.truncate(subs);
                        self.arena.truncate(arena);
                        self.cons.truncate(cons);
                        self.frames.pop();
                        ret = Ret::Edge(Edge { list, child });
                        continue;
                    }
                    if let Frame::Join { next, .. } = &mut self.frames[top] {
                        *next += 1;
                    }
                    let part = self.subs[next];
                    if !part.linked {
                        ret = Ret::Node(self.free(s, self.arena[part.vars.0]));
                    } else if let Some(node) = self.enter(s, part) {
                        ret = Ret::Node(node);
                    }
                }
            }
        }
        match ret {
            Ret::Node(node) => Some(node),
            Ret::Nothing | Ret::Edge(_) => Some(FALSE),
        }
    }

    /// A decision node over the edges pending from `edges` on.
    fn decision(&mut self, edges: usize) -> u32 {
        if self.pend_edges.len() == edges {
            return FALSE;
        }
        let t = &mut self.trace;
        let (mut lo, mut hi) = (i128::MAX, i128::MIN);
        for e in &self.pend_edges[edges..] {
            let cost = t.list_cost[e.list as usize];
            lo = lo.min(cost + t.lo[e.child as usize]);
            hi = hi.max(cost + t.hi[e.child as usize]);
        }
        let a = t.edges.len() as u32;
        t.edges.extend(self.pend_edges.drain(edges..));
        let b = t.edges.len() as u32;
        t.add(Kind::Decision(a, b), lo, hi)
    }

    /// A node joining the independent parts pending from `kids` on.
    fn join(&mut self, kids: usize) -> u32 {
        let t = &mut self.trace;
        match &self.pend_kids[kids..] {
            [] => TRUE,
            [only] => *only,
            parts => {
                let lo = parts.iter().map(|&k| t.lo[k as usize]).sum();
                let hi = parts.iter().map(|&k| t.hi[k as usize]).sum();
                let a = t.kids.len() as u32;
                t.kids.extend_from_slice(parts);
                let b = t.kids.len() as u32;
                t.add(Kind::And(a, b), lo, hi)
            }
        }
    }
}
