//! The traced search: a component is searched depth first on explicit
//! stacks (branch on one variable, propagate each value, split what remains
//! into components and solve those independently), recording its trace;
//! identical sub-problems met twice are solved once (component caching).

use super::components::Sub;
use super::propagate::State;
use super::trace::{Edge, Kind};
use super::{FALSE, Search, TRUE};

/// One level of the traced search.
#[derive(Clone, Copy, Debug)]
pub(super) enum Frame {
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

impl State {
    /// The cheapest and dearest total over `vars` (which propagation cannot
    /// leave), or `None` when they admit no solution. Resets the trace.
    pub(super) fn totals(&mut self, s: &Search, vars: &[usize]) -> Option<(i128, i128)> {
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
    pub(super) fn free(&mut self, s: &Search, x: usize) -> u32 {
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
    pub(super) fn compile(&mut self, s: &Search, sub: Sub, any: bool, limit: usize) -> Option<u32> {
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
