//! The search state and its propagation. A [`State`] holds the
//! still-possible values of every variable, with an undo trail. Clauses
//! propagate by two watched literals (binary clauses by implication lists),
//! allowed tables by generalised arc consistency over their tuples,
//! forbidden tables once all but one of their variables are decided, linear
//! rules by bounds.

use super::compile::Frame;
use super::components::Sub;
use super::prepare::{Linear, Table};
use super::trace::{Edge, Trace};
use super::{Search, WILD};

/// A search position: domains, trail and propagation queues, plus scratch
/// space and the trace. Back at the root position whenever it is pooled.
#[derive(Clone, Debug)]
pub(super) struct State {
    pub(super) alive: Vec<bool>,
    pub(super) size: Vec<u32>,
    /// Removed literals, in order.
    pub(super) trail: Vec<u32>,
    /// Trail entries before this one have been propagated.
    pub(super) qhead: usize,
    /// The clause literals, reordered so that each long clause's first two
    /// are its watches.
    pub(super) lits: Vec<u32>,
    pub(super) watches: Vec<Vec<u32>>,
    pub(super) queue: Vec<u32>,
    pub(super) queued: Vec<bool>,
    /// Price per literal and the cheapest/dearest still possible price per
    /// variable, with their sums.
    pub(super) price: Vec<i64>,
    pub(super) lo: Vec<i64>,
    pub(super) hi: Vec<i64>,
    pub(super) sum_lo: i128,
    pub(super) sum_hi: i128,
    /// Scratch: table supports per literal, per-variable flags, visit
    /// stamps (a constraint is live in this visit when `con_live` is the
    /// epoch).
    pub(super) support: Vec<bool>,
    pub(super) wild: Vec<bool>,
    pub(super) flag: Vec<bool>,
    pub(super) flag_comp: Vec<u32>,
    pub(super) var_seen: Vec<u32>,
    pub(super) con_seen: Vec<u32>,
    pub(super) con_live: Vec<u32>,
    pub(super) epoch: u32,
    /// The traced search's stacks: component variables and live
    /// constraints (`arena`, `cons`, described by `subs`), frames, cache
    /// keys, values to try, and finished edges and parts not yet in a node.
    pub(super) arena: Vec<usize>,
    pub(super) cons: Vec<u32>,
    pub(super) subs: Vec<Sub>,
    pub(super) frames: Vec<Frame>,
    pub(super) keys: Vec<Vec<u8>>,
    pub(super) vals: Vec<u32>,
    pub(super) pend_edges: Vec<Edge>,
    pub(super) pend_kids: Vec<u32>,
    /// Scratch: the literals one decision decided.
    pub(super) decided: Vec<u32>,
    pub(super) trace: Trace,
}

impl Search {
    /// Propagates the problem alone; `None` when that fails.
    pub(super) fn root_state(&self, units: &[u32]) -> Option<State> {
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
}

impl State {
    pub(super) fn var_of(s: &Search, lit: usize) -> usize {
        s.lit_var[lit] as usize
    }

    pub(super) fn is_true(&self, s: &Search, lit: usize) -> bool {
        self.alive[lit] && self.size[Self::var_of(s, lit)] == 1
    }

    /// The value of a decided variable (its first possible value otherwise).
    pub(super) fn value(&self, s: &Search, x: usize) -> u32 {
        (self.value_lit(s, x) - s.offset[x] as usize) as u32
    }

    pub(super) fn value_lit(&self, s: &Search, x: usize) -> usize {
        s.lits_of(x).find(|&l| self.alive[l]).unwrap_or(s.offset[x] as usize)
    }

    pub(super) fn set_prices(&mut self, s: &Search, prices: &[Vec<i64>]) {
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
    pub(super) fn remove(&mut self, s: &Search, lit: usize) -> bool {
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
    pub(super) fn undo(&mut self, s: &Search, mark: usize) {
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
    pub(super) fn make_true(&mut self, s: &Search, lit: usize) -> bool {
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
    pub(super) fn assign(&mut self, s: &Search, x: usize, v: u32) -> bool {
        v < s.sizes[x] && self.make_true(s, s.offset[x] as usize + v as usize)
    }

    /// Sets and propagates every pair; false at the first conflict (the
    /// caller undoes).
    pub(super) fn assign_all(&mut self, s: &Search, list: &[(usize, u32)]) -> bool {
        list.iter().all(|&(x, v)| self.assign(s, x, v) && self.propagate(s))
    }

    /// Propagates every removal not yet propagated, to a fixpoint; false on
    /// a conflict.
    pub(super) fn propagate(&mut self, s: &Search) -> bool {
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
}

#[cfg(test)]
mod tests {
    use super::State;
    use crate::bench::Rng;
    use crate::problem::{Constraint, Lit, Problem, Var};
    use crate::search::{Search, brute};

    /// The domains of a state, per variable and value.
    fn domains(s: &Search, st: &State) -> Vec<Vec<bool>> {
        (0..s.sizes.len()).map(|x| s.lits_of(x).map(|l| st.alive[l]).collect()).collect()
    }

    /// The problem's domains with each decided variable limited to its value.
    fn decided(p: &Problem, decisions: &[(usize, u32)]) -> Vec<Vec<bool>> {
        let mut d = brute::full_domains(p);
        for &(x, v) in decisions {
            for (w, allowed) in d[x].iter_mut().enumerate() {
                *allowed &= w == v as usize;
            }
        }
        d
    }

    /// Whether propagation must be exact after these decisions (else sound).
    type Exact<'a> = dyn Fn(&[(usize, u32)]) -> bool + 'a;

    /// Makes `decisions` one at a time on a state at the root position,
    /// propagating after each, and leaves it at the root again. After each
    /// step, brute force over the decisions so far: propagation never removes
    /// a value some solution has, nor fails while a solution is left; where
    /// `exact` holds for the decisions so far, it keeps exactly the values of
    /// the solutions, and fails when there is none.
    fn replay(p: &Problem, s: &Search, st: &mut State, decisions: &[(usize, u32)], exact: &Exact<'_>) {
        for i in 0..decisions.len() {
            let (x, v) = decisions[i];
            let so_far = &decisions[..=i];
            let expected = brute::supported(p, &decided(p, so_far));
            let ok = st.assign(s, x, v) && st.propagate(s);
            match (&expected, ok) {
                (None, false) => break,
                (None, true) => assert!(!exact(so_far), "{so_far:?}: no solution is left, yet propagation did not fail: {p:?}"),
                (Some(_), false) => panic!("{so_far:?}: propagation failed, yet a solution is left: {p:?}"),
                (Some(values), true) => {
                    let got = domains(s, st);
                    for (y, (got, values)) in got.iter().zip(values).enumerate() {
                        for w in 0..values.len() {
                            assert!(got[w] || !values[w], "{so_far:?}: value {w} of x{y} was removed, yet a solution has it: {p:?}");
                        }
                    }
                    if exact(so_far) {
                        assert_eq!(&got, values, "{so_far:?}: the domains are not exactly the solutions' values: {p:?}");
                    }
                }
            }
        }
        st.undo(s, 0);
    }

    fn booleans(n: usize) -> Vec<Var> {
        (0..n).map(|i| Var::boolean(format!("x{i}"))).collect()
    }

    /// A random problem of one constraint over three variables of one to
    /// three values; `make` builds the constraint from the domain sizes.
    fn one_constraint(rng: &mut Rng, make: &mut dyn FnMut(&mut Rng, &[usize]) -> Constraint) -> Problem {
        let sizes: Vec<usize> = (0..3).map(|_| 1 + rng.below(3)).collect();
        let vars = sizes.iter().enumerate().map(|(i, &k)| Var { name: format!("x{i}"), values: (0..k).map(|v| v.to_string()).collect() }).collect();
        let constraint = make(rng, &sizes);
        Problem { vars, constraints: vec![constraint] }
    }

    /// A table over all three variables: a few random tuples, some shorter
    /// than the scope (the rest matches any value).
    fn random_table(rng: &mut Rng, sizes: &[usize], allowed: bool) -> Constraint {
        let tuples = (0..rng.below(8))
            .map(|_| {
                let len = if rng.below(4) == 0 { rng.below(sizes.len()) } else { sizes.len() };
                sizes[..len].iter().map(|&k| rng.below(k) as u32).collect()
            })
            .collect();
        Constraint::Table { vars: (0..sizes.len()).collect(), tuples, allowed }
    }

    /// Checks `replay` on every sequence of decisions, from the root state
    /// (whose own domains must be the solutions' values when `root_exact`).
    fn every_sequence(p: &Problem, len: usize, root_exact: bool, exact: &Exact<'_>) {
        let s = Search::new(p);
        let Some(mut st) = s.state(&[]) else {
            assert!(brute::solutions(p).is_empty(), "the root propagation failed, yet there are solutions: {p:?}");
            return;
        };
        if root_exact {
            assert_eq!(Some(domains(&s, &st)), brute::supported(p, &brute::full_domains(p)), "the root state: {p:?}");
        }
        for seq in brute::sequences(&brute::sizes(p), len) {
            replay(p, &s, &mut st, &seq, exact);
        }
    }

    #[test]
    fn watched_literals_keep_exactly_what_a_long_clause_allows() {
        // x0 | !x1 | x2 | !x3 | x4, decided in every order; one state for
        // all, so the watches moved by one sequence serve the next.
        let clause = (0..5).map(|i| Lit { var: i, positive: i % 2 == 0 }).collect();
        let p = Problem { vars: booleans(5), constraints: vec![Constraint::Clause(clause)] };
        let s = Search::new(&p);
        assert!(s.bin.iter().all(Vec::is_empty), "a long clause is watched, not an implication");
        every_sequence(&p, 5, true, &|_| true);
    }

    #[test]
    fn binary_clauses_propagate_along_their_implications() {
        // x0 -> x1 -> x2 -> !x3 and x1 -> x4: a tree of binary constraints,
        // where arc consistency leaves exactly the solutions' values.
        let imply = |a: usize, b: usize, positive: bool| Constraint::Clause(vec![Lit { var: a, positive: false }, Lit { var: b, positive }]);
        let p = Problem { vars: booleans(5), constraints: vec![imply(0, 1, true), imply(1, 2, true), imply(2, 3, false), imply(1, 4, true)] };
        let s = Search::new(&p);
        assert_eq!(s.bin.iter().map(Vec::len).sum::<usize>(), 8, "each binary clause is two implications");
        every_sequence(&p, 5, true, &|_| true);
    }

    #[test]
    fn allowed_tables_keep_exactly_the_supported_values() {
        let mut rng = Rng::new(3);
        for _ in 0..80 {
            let p = one_constraint(&mut rng, &mut |rng, sizes| random_table(rng, sizes, true));
            // Generalised arc consistency: exact for a single constraint.
            every_sequence(&p, 3, true, &|_| true);
        }
    }

    #[test]
    fn forbidden_tables_act_once_one_variable_is_open() {
        let mut rng = Rng::new(4);
        for _ in 0..80 {
            let p = one_constraint(&mut rng, &mut |rng, sizes| random_table(rng, sizes, false));
            let sizes = brute::sizes(&p);
            // Exact once at most one variable of more than one value is
            // undecided; before that, only sound.
            let open = |d: &[(usize, u32)]| (0..sizes.len()).filter(|&x| sizes[x] > 1 && d.iter().all(|&(y, _)| y != x)).count();
            every_sequence(&p, 3, false, &|d| open(d) <= 1);
        }
    }

    #[test]
    fn linear_bounds_prune_exactly_when_each_term_is_a_run_of_integers() {
        // When each variable's coefficients are consecutive integers (in any
        // order), the sums are too, and bounds reasoning is exact.
        let mut rng = Rng::new(5);
        for _ in 0..80 {
            let p = one_constraint(&mut rng, &mut |rng, sizes| {
                let terms = (0..sizes.len())
                    .map(|x| {
                        let first = rng.below(5) as i64 - 2;
                        let mut coefs: Vec<i64> = (0..sizes[x] as i64).map(|k| first + k).collect();
                        rng.shuffle(&mut coefs);
                        (x, coefs)
                    })
                    .collect();
                let min = rng.below(9) as i64 - 3;
                Constraint::Linear { terms, min, max: min + rng.below(3) as i64 }
            });
            every_sequence(&p, 3, true, &|_| true);
        }
    }

    #[test]
    fn linear_bounds_never_remove_a_supported_value() {
        // Coefficients with gaps: bounds reasoning is only sound, and exact
        // once every variable is decided.
        let mut rng = Rng::new(6);
        for _ in 0..80 {
            let p = one_constraint(&mut rng, &mut |rng, sizes| {
                let terms = (0..sizes.len()).map(|x| (x, (0..sizes[x]).map(|_| rng.below(11) as i64 - 5).collect())).collect();
                let min = rng.below(11) as i64 - 5;
                Constraint::Linear { terms, min, max: min + rng.below(4) as i64 }
            });
            every_sequence(&p, 3, false, &|d| d.len() == 3);
        }
    }

    #[test]
    fn propagation_is_sound_on_mixed_problems_and_exact_once_all_is_decided() {
        let mut rng = Rng::new(7);
        for _ in 0..300 {
            let n = 2 + rng.below(4);
            let m = 1 + rng.below(6);
            let p = brute::random_problem(&mut rng, n, m);
            let s = Search::new(&p);
            let Some(mut st) = s.state(&[]) else {
                assert!(brute::solutions(&p).is_empty(), "the root propagation failed, yet there are solutions: {p:?}");
                continue;
            };
            let sizes = brute::sizes(&p);
            for _ in 0..10 {
                // A random order of random values for every variable.
                let mut order: Vec<usize> = (0..n).collect();
                rng.shuffle(&mut order);
                let seq: Vec<(usize, u32)> = order.into_iter().map(|x| (x, rng.below(sizes[x]) as u32)).collect();
                replay(&p, &s, &mut st, &seq, &|d| d.len() == n);
            }
        }
    }

    /// Domains, sizes, price bounds and their sums, trail length.
    type Snapshot = (Vec<bool>, Vec<u32>, Vec<i64>, Vec<i64>, i128, i128, usize);

    /// Everything `undo` must restore, after checking the sizes and price
    /// bounds against the domains (incremental and recomputed must agree).
    fn snapshot(s: &Search, st: &State) -> Snapshot {
        for x in 0..s.sizes.len() {
            let alive = s.lits_of(x).filter(|&l| st.alive[l]);
            assert_eq!(st.size[x] as usize, alive.clone().count());
            assert_eq!(Some(st.lo[x]), alive.clone().map(|l| st.price[l]).min(), "x{x}'s cheapest price");
            assert_eq!(Some(st.hi[x]), alive.map(|l| st.price[l]).max(), "x{x}'s dearest price");
        }
        assert_eq!(st.sum_lo, st.lo.iter().map(|&v| i128::from(v)).sum::<i128>());
        assert_eq!(st.sum_hi, st.hi.iter().map(|&v| i128::from(v)).sum::<i128>());
        (st.alive.clone(), st.size.clone(), st.lo.clone(), st.hi.clone(), st.sum_lo, st.sum_hi, st.trail.len())
    }

    #[test]
    fn backtracking_restores_domains_and_prices_and_propagation_still_works() {
        let mut rng = Rng::new(8);
        for round in 0..200 {
            let n = 3 + rng.below(5);
            let m = 2 + rng.below(6);
            let p = brute::random_problem(&mut rng, n, m);
            let prices: Vec<Vec<i64>> = p.vars.iter().map(|v| v.values.iter().map(|_| rng.below(21) as i64 - 10).collect()).collect();
            let s = Search::new(&p);
            let Some(mut st) = s.state(&prices) else { continue };
            let sizes = brute::sizes(&p);
            // A random walk of decisions and backtracks; `stack` holds each
            // level's trail mark, snapshot on entry and decision.
            let mut stack: Vec<(usize, Snapshot, (usize, u32))> = Vec::new();
            for step in 0..40 {
                if rng.below(3) == 0 && !stack.is_empty() {
                    let (mark, before, _) = stack.pop().unwrap();
                    st.undo(&s, mark);
                    assert_eq!(snapshot(&s, &st), before, "round {round} step {step}: undo did not restore the state");
                    continue;
                }
                let x = rng.below(n);
                let v = rng.below(sizes[x]) as u32;
                let (mark, before) = (st.trail.len(), snapshot(&s, &st));
                if st.assign(&s, x, v) && st.propagate(&s) {
                    stack.push((mark, before, (x, v)));
                    // The same decisions from a fresh root state propagate
                    // to the same domains.
                    let mut fresh = s.root.clone().unwrap();
                    fresh.set_prices(&s, &prices);
                    assert!(stack.iter().all(|&(_, _, (x, v))| fresh.assign(&s, x, v) && fresh.propagate(&s)));
                    assert_eq!(domains(&s, &st), domains(&s, &fresh), "round {round} step {step}: after backtracking, propagation differs");
                    snapshot(&s, &st);
                } else {
                    st.undo(&s, mark);
                    assert_eq!(snapshot(&s, &st), before, "round {round} step {step}: undo after a conflict did not restore the state");
                }
            }
            st.undo(&s, 0);
        }
    }
}
