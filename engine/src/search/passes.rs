//! The trace of the whole problem with nothing fixed, and the passes over it
//! that answer every question: one bottom-up and one top-down pass,
//! conditioned on the fixed values, give the valid values with their price
//! bounds; one bottom-up pass gives the count.

use num_bigint::BigUint;
use rustc_hash::FxHashMap;

use super::propagate::State;
use super::trace::Edge;
use super::trace::{Kind, Trace, Witnesses};
use super::{NONE, Search, TRUE, clamp};
use crate::mdd::Analysis;
use crate::prepared::{PreparedError, Reader, Writer, malformed};

/// The trace of the whole problem with nothing fixed: every question is
/// then answered by passes over it, conditioned on the fixed values.
#[derive(Debug)]
pub(super) struct Whole {
    pub(super) trace: Trace,
    /// The root of each independent part (a decision, or a free variable).
    pub(super) roots: Vec<u32>,
    /// Per variable: its part, or NONE when decided at the root.
    pub(super) part: Vec<u32>,
    /// The variables decided at the root, with their values.
    pub(super) decided: Vec<(usize, u32)>,
    /// Per variable: its value when decided at the root, else NONE.
    pub(super) value: Vec<u32>,
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
pub(super) struct Passes<C> {
    /// Per literal: its price, and whether it contradicts a fixed value.
    pub(super) price: Vec<i64>,
    pub(super) bad: Vec<bool>,
    /// Per node: the cheapest and dearest total of its solutions keeping
    /// every fixed value (`lo` is `NO` when there is none); then of the best
    /// contexts above it (`lo` is `NO` when none is reached).
    pub(super) up: Vec<(C, C)>,
    pub(super) down: Vec<(C, C)>,
    /// Per literal list: its cost (for the prices in `costed`), its
    /// literal contradicting a fixed value (NONE: none; MANY: several), and
    /// the best totals through an edge deciding it, over edges without
    /// conflict (`all`) and with its one conflict (`alt`).
    pub(super) cost: Vec<C>,
    pub(super) costed: Option<Vec<i64>>,
    pub(super) conflict: Vec<u32>,
    pub(super) all: Vec<(C, C)>,
    pub(super) alt: Vec<(C, C)>,
}

/// More than one literal of an edge contradicts the fixed values.
const MANY: u32 = u32::MAX - 1;

impl Search {
    pub(super) fn trace_whole(&self, st: &mut State, budget: usize) -> Option<Whole> {
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
            let root = if sub.linked {
                st.compile(self, sub, false, budget)?
            } else {
                st.free(self, st.arena[sub.vars.0])
            };
            roots.push(root);
        }
        let decided: Vec<(usize, u32)> = (0..n)
            .filter(|&x| part[x] == NONE)
            .map(|x| (x, st.value(self, x)))
            .collect();
        let mut value = vec![NONE; n];
        for &(x, v) in &decided {
            value[x] = v;
        }
        let mut trace = std::mem::take(&mut st.trace);
        trace.cache = FxHashMap::default();
        trace.free = FxHashMap::default();
        trace.list_index = FxHashMap::default();
        trace.kind.shrink_to_fit();
        trace.edges.shrink_to_fit();
        trace.lits.shrink_to_fit();
        trace.kids.shrink_to_fit();
        Some(Whole {
            trace,
            roots,
            part,
            decided,
            value,
        })
    }

    /// Writes the whole trace for a prepared file (see
    /// [`crate::prepared`]); `false` when there is none.
    pub(crate) fn write_whole(&self, w: &mut Writer) -> bool {
        let Some(whole) = &self.whole else {
            return false;
        };
        let t = &whole.trace;
        w.len(t.kind.len());
        for k in &t.kind {
            let (tag, a, b) = match *k {
                Kind::False => (0, 0, 0),
                Kind::True => (1, 0, 0),
                Kind::Decision(a, b) => (2, a, b),
                Kind::And(a, b) => (3, a, b),
                Kind::Free(a, b) => (4, a, b),
            };
            w.u32(tag);
            w.u32(a);
            w.u32(b);
        }
        w.u32s(
            t.edges
                .iter()
                .flat_map(|e| [e.list, e.child])
                .collect::<Vec<_>>()
                .into_iter(),
        );
        w.u32s(t.kids.iter().copied());
        w.u32s(
            t.lists
                .iter()
                .flat_map(|&(a, b)| [a, b])
                .collect::<Vec<_>>()
                .into_iter(),
        );
        w.u32s(t.lits.iter().copied());
        w.u32s(whole.roots.iter().copied());
        w.u32s(whole.part.iter().copied());
        w.u32s(whole.value.iter().copied());
        true
    }

    /// Takes the whole trace from a prepared file (what
    /// [`Search::write_whole`] wrote), checking every index: nodes refer
    /// only to nodes made before them, ranges stay inside their arrays,
    /// literals and values exist.
    pub(crate) fn read_whole(&mut self, r: &mut Reader) -> Result<(), PreparedError> {
        let n = self.sizes.len();
        let literals = u64::from(self.offset[n]);
        let m = r.len(usize::MAX, "trace nodes")?;
        let mut raw = Vec::with_capacity(m);
        for _ in 0..m {
            raw.push((r.u32()?, r.u32()?, r.u32()?));
        }
        let edges = r.u32s(u64::from(u32::MAX) + 1, "trace edges")?;
        let kids = r.u32s(m as u64, "trace children")?;
        let lists = r.u32s(u64::from(u32::MAX) + 1, "trace literal lists")?;
        let lits = r.u32s(literals, "trace literals")?;
        let roots = r.u32s(m as u64, "trace roots")?;
        let part = r.u32s(u64::from(u32::MAX) + 1, "trace parts")?;
        let value = r.u32s(u64::from(u32::MAX) + 1, "trace values")?;
        if edges.len() % 2 != 0 || lists.len() % 2 != 0 {
            return Err(malformed("odd pair arrays"));
        }
        let edges: Vec<Edge> = edges
            .chunks(2)
            .map(|c| Edge {
                list: c[0],
                child: c[1],
            })
            .collect();
        let lists: Vec<(u32, u32)> = lists.chunks(2).map(|c| (c[0], c[1])).collect();
        let range_ok = |(a, b): (u32, u32), len: usize| a <= b && b as usize <= len;
        if lists.iter().any(|&ab| !range_ok(ab, lits.len())) {
            return Err(malformed("a literal list out of range"));
        }
        let mut kind = Vec::with_capacity(m);
        for (i, &(tag, a, b)) in raw.iter().enumerate() {
            let k = match (tag, i) {
                (0, 0) => Kind::False,
                (1, 1) => Kind::True,
                (2, 2..)
                    if range_ok((a, b), edges.len())
                        && edges[a as usize..b as usize]
                            .iter()
                            .all(|e| (e.child as usize) < i && (e.list as usize) < lists.len()) =>
                {
                    Kind::Decision(a, b)
                }
                (3, 2..)
                    if range_ok((a, b), kids.len())
                        && kids[a as usize..b as usize]
                            .iter()
                            .all(|&k| (k as usize) < i) =>
                {
                    Kind::And(a, b)
                }
                (4, 2..) if range_ok((a, b), lits.len()) => Kind::Free(a, b),
                _ => return Err(malformed(format!("trace node {i} is not well formed"))),
            };
            kind.push(k);
        }
        if m < 2 || part.len() != n || value.len() != n {
            return Err(malformed("the trace does not fit the model"));
        }
        let mut decided = Vec::new();
        for x in 0..n {
            match (part[x], value[x]) {
                (NONE, v) if v < self.sizes[x] => decided.push((x, v)),
                (p, NONE) if (p as usize) < roots.len() => {}
                _ => {
                    return Err(malformed(format!(
                        "variable {x} is neither in a part nor decided"
                    )));
                }
            }
        }
        let trace = Trace {
            kind,
            edges,
            kids,
            lists,
            lits,
            ..Trace::default()
        };
        self.whole = Some(Whole {
            trace,
            roots,
            part,
            decided,
            value,
        });
        Ok(())
    }

    /// The passes over the whole trace (see [`Search::up`] and
    /// [`Search::down`]), in `i64` unless the prices could overflow it.
    /// Fills in `out` when given; returns whether the fixed values are
    /// consistent.
    pub(super) fn whole_passes(
        &self,
        w: &Whole,
        fixed: &[Option<u32>],
        prices: &[Vec<i64>],
        out: Option<&mut Analysis>,
    ) -> bool {
        let bound: i128 = prices
            .iter()
            .map(|p| p.iter().map(|&c| i128::from(c).abs()).max().unwrap_or(0))
            .sum();
        if bound < 1 << 62 {
            let mut p = self
                .passes
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .pop()
                .unwrap_or_default();
            let ok = self.up(w, &mut p, fixed, prices);
            if let Some(out) = out {
                self.down(w, &mut p, out);
            }
            self.passes
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(p);
            ok
        } else {
            let mut p = self
                .wide_passes
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .pop()
                .unwrap_or_default();
            let ok = self.up(w, &mut p, fixed, prices);
            if let Some(out) = out {
                self.down(w, &mut p, out);
            }
            self.wide_passes
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(p);
            ok
        }
    }

    /// Loads prices and fixed values, then the bottom-up pass over the whole
    /// trace: per node, the cheapest and dearest total of its solutions that
    /// keep every fixed value. Returns whether every part keeps them.
    fn up<C: Cost>(
        &self,
        w: &Whole,
        p: &mut Passes<C>,
        fixed: &[Option<u32>],
        prices: &[Vec<i64>],
    ) -> bool {
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
            p.cost.extend(t.lists.iter().map(|&r| {
                Trace::range(&t.lits, r)
                    .iter()
                    .fold(C::default(), |sum, &l| sum + C::of(p.price[l as usize]))
            }));
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
                            (lo, hi) = if lo == C::NO {
                                (c, c)
                            } else {
                                (lo.min(c), hi.max(c))
                            };
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
                            (lo, hi) = if lo == C::NO {
                                (cost + klo, cost + khi)
                            } else {
                                (lo.min(cost + klo), hi.max(cost + khi))
                            };
                        }
                    }
                }
                Kind::False | Kind::True => {}
            }
            p.up[node] = (lo, hi);
        }
        let decided_ok = w
            .decided
            .iter()
            .all(|&(x, v)| !p.bad[self.offset[x] as usize + v as usize]);
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
            *best = if best.0 == C::NO {
                (lo, hi)
            } else {
                (best.0.min(lo), best.1.max(hi))
            };
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
        let bad = w.roots.iter().filter(|&&r| !root_ok(r)).count()
            + w.decided.iter().filter(|d| !decided_ok(d)).count();
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
            let (rest_lo, rest_hi) = if own_ok {
                (sum_lo - own_lo, sum_hi - own_hi)
            } else {
                (sum_lo, sum_hi)
            };
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
    pub(super) fn count_whole(&self, w: &Whole, fixed: &[Option<u32>]) -> BigUint {
        let bad = |l: usize| {
            let x = self.lit_var[l] as usize;
            fixed
                .get(x)
                .copied()
                .flatten()
                .is_some_and(|f| l - self.offset[x] as usize != f as usize)
        };
        let zero = BigUint::from(0u32);
        if w.decided
            .iter()
            .any(|&(x, v)| bad(self.offset[x] as usize + v as usize))
        {
            return zero;
        }
        let t = &w.trace;
        let clash: Vec<bool> = t
            .lists
            .iter()
            .map(|&r| Trace::range(&t.lits, r).iter().any(|&l| bad(l as usize)))
            .collect();
        let mut count: Vec<BigUint> = Vec::with_capacity(t.kind.len());
        for kind in &t.kind {
            let c = match *kind {
                Kind::False => zero.clone(),
                Kind::True => BigUint::from(1u32),
                Kind::Free(a, b) => BigUint::from(
                    Trace::range(&t.lits, (a, b))
                        .iter()
                        .filter(|&&l| !bad(l as usize))
                        .count(),
                ),
                Kind::And(a, b) => Trace::range(&t.kids, (a, b))
                    .iter()
                    .fold(BigUint::from(1u32), |acc, &k| acc * &count[k as usize]),
                Kind::Decision(a, b) => Trace::range(&t.edges, (a, b))
                    .iter()
                    .filter(|e| !clash[e.list as usize])
                    .fold(zero.clone(), |acc, e| acc + &count[e.child as usize]),
            };
            count.push(c);
        }
        w.roots
            .iter()
            .fold(BigUint::from(1u32), |acc, &r| acc * &count[r as usize])
    }
}

#[cfg(test)]
mod tests {
    use crate::mdd::DEFAULT_BUDGET;
    use crate::search::trace::Kind;
    use crate::search::{Search, brute};

    /// The sampler traced whole, checked to hold every kind of node the
    /// passes handle.
    fn traced(seed: u64) -> (crate::problem::Problem, Vec<Vec<i64>>, Search) {
        let (p, prices) = brute::sampler(seed);
        let s = Search::with_budget(&p, DEFAULT_BUDGET);
        let w = s.whole.as_ref().expect("the sampler fits the budget");
        let t = &w.trace;
        assert!(!w.decided.is_empty(), "a variable decided at the root");
        assert!(
            w.roots
                .iter()
                .any(|&r| matches!(t.kind[r as usize], Kind::Free(..))),
            "a variable free at the root"
        );
        assert!(
            w.roots
                .iter()
                .any(|&r| matches!(t.kind[r as usize], Kind::Decision(..))),
            "a part decided by search"
        );
        assert!(
            t.kind.iter().any(|k| matches!(k, Kind::And(..))),
            "independent parts below a decision"
        );
        assert!(
            t.kind[2..].iter().any(|k| matches!(k, Kind::Free(..))),
            "a free variable below a decision"
        );
        assert!(
            t.lists.iter().any(|&(a, b)| b - a > 1),
            "an edge deciding several variables"
        );
        (p, prices, s)
    }

    #[test]
    fn whole_trace_passes_give_the_valid_values_and_prices_brute_force_finds() {
        for seed in 0..4 {
            let (p, prices, s) = traced(seed);
            // Consistent and conflicting fixings alike.
            brute::check_every_fixing(&s, &p, &prices, seed);
        }
    }

    /// The work of the whole trace under the given branching priorities.
    fn work_under(p: &crate::problem::Problem, degree: bool) -> usize {
        let mut s = Search::new(p);
        if degree {
            s.priority = s.degree_priority();
        }
        let mut st = s.state(&[]).expect("satisfiable");
        let w = s.trace_whole(&mut st, usize::MAX).expect("no limit");
        Search::work_of(&w)
    }

    /// Random product lines: groups of options tied by tables, some groups
    /// to a central option, some options across groups.
    fn line(seed: u64) -> crate::problem::Problem {
        use crate::problem::{Constraint, Problem, Var};
        let mut rng = crate::bench::Rng::new(seed);
        let n = 14 + rng.below(10);
        let vars: Vec<Var> = (0..n).map(|i| Var { name: format!("v{i}"), values: (0..2 + rng.below(3)).map(|v| v.to_string()).collect() }).collect();
        let hubs = 1 + rng.below(3);
        let mut constraints = Vec::new();
        for _ in 0..n + rng.below(n) {
            let mut scope = vec![if rng.below(3) > 0 { rng.below(hubs) } else { rng.below(n) }];
            while scope.len() < 2 + rng.below(3) {
                let x = rng.below(n);
                if !scope.contains(&x) {
                    scope.push(x);
                }
            }
            // Tight: about a third of the combinations.
            let mut tuples = Vec::new();
            let mut row = vec![0u32; scope.len()];
            'all: loop {
                if rng.below(3) == 0 {
                    tuples.push(row.clone());
                }
                for (i, &x) in scope.iter().enumerate() {
                    row[i] += 1;
                    if (row[i] as usize) < vars[x].values.len() {
                        continue 'all;
                    }
                    row[i] = 0;
                }
                break;
            }
            // Always one solution: all zeros.
            tuples.push(vec![0; scope.len()]);
            constraints.push(Constraint::Table { vars: scope, tuples, allowed: true });
        }
        Problem { vars, constraints }
    }

    #[test]
    fn the_branching_order_with_the_smaller_trace_is_kept() {
        let (mut degree_won, mut decomposition_won) = (0, 0);
        for seed in 0..60 {
            let p = line(seed);
            let (by_degree, by_decomposition) = (work_under(&p, true), work_under(&p, false));
            let kept = Search::with_budget(&p, DEFAULT_BUDGET).work().unwrap();
            assert!(kept <= by_degree, "seed {seed}: kept {kept}, degree order {by_degree}");
            assert!(kept == by_degree || kept == by_decomposition, "seed {seed}");
            if by_decomposition < by_degree {
                decomposition_won += 1;
                assert_eq!(kept, by_decomposition, "seed {seed}: the decomposition's trace is smaller");
            } else if by_degree < by_decomposition {
                degree_won += 1;
                assert_eq!(kept, by_degree, "seed {seed}: the degree order's trace is smaller");
            }
        }
        eprintln!("degree order smaller {degree_won} times, decomposition {decomposition_won}");
        assert!(degree_won > 0 && decomposition_won > 0, "each order wins somewhere ({degree_won}, {decomposition_won})");
    }

    #[test]
    fn whole_trace_counts_what_brute_force_counts() {
        let (p, _, s) = traced(0);
        let (solutions, sizes) = (brute::solutions(&p), brute::sizes(&p));
        for fixed in brute::fixings(&sizes) {
            assert_eq!(
                s.count(&fixed),
                Some(brute::count(&solutions, &fixed)),
                "fixed {fixed:?}"
            );
        }
    }

    #[test]
    fn huge_prices_take_the_wide_passes_and_stay_exact() {
        let (p, _, s) = traced(1);
        let (solutions, sizes) = (brute::solutions(&p), brute::sizes(&p));
        // Prices of about 2^61.6, most of them positive: the dearest totals
        // of one part already exceed 64 bits (and are saturated in the
        // answers).
        let prices: Vec<Vec<i64>> = sizes
            .iter()
            .enumerate()
            .map(|(x, &k)| {
                (0..k)
                    .map(|v| {
                        if (x + v) % 4 == 0 {
                            -(3i64 << 60)
                        } else {
                            (3i64 << 60) + (x * 7 + v) as i64
                        }
                    })
                    .collect()
            })
            .collect();
        assert!(
            brute::analysis(&solutions, &sizes, &vec![None; sizes.len()], &prices).total_max
                == Some(i64::MAX)
        );
        for fixed in brute::fixings(&sizes) {
            assert_eq!(
                s.analyse(&fixed, &prices),
                brute::analysis(&solutions, &sizes, &fixed, &prices),
                "fixed {fixed:?}"
            );
        }
        assert_eq!(
            s.wide_passes.lock().unwrap().len(),
            1,
            "the 128-bit passes were used"
        );
        assert!(
            s.passes.lock().unwrap().is_empty(),
            "the 64-bit passes were not"
        );
    }
}
