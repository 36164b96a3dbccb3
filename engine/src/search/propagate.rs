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
