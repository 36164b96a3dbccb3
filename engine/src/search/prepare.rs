//! Preparing a [`Problem`] for search: its constraints normalised into
//! literals, clauses (long ones watched, binary ones as implications),
//! tables and linear rules, with the per-variable lists propagation and
//! component finding use; the root state propagated once; and the branching
//! priorities from a tree decomposition of the constraint graph.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::sync::Mutex;

use rustc_hash::FxHashSet;

use super::propagate::State;
use super::{Search, WILD};
use crate::problem::{Constraint, Problem};

/// A table over distinct variables; `tuples` is flat (`vars.len()` values
/// per tuple, [`WILD`] for any value), every value in range.
#[derive(Clone, Debug)]
pub(super) struct Table {
    pub(super) vars: Vec<u32>,
    pub(super) tuples: Vec<u32>,
    pub(super) allowed: bool,
}

/// `min <= sum <= max` over distinct variables; one coefficient per value.
#[derive(Clone, Debug)]
pub(super) struct Linear {
    pub(super) terms: Vec<(u32, Vec<i64>)>,
    pub(super) min: i64,
    pub(super) max: i64,
}

impl Search {
    /// [`Search::new`]: the problem normalised for search, its root state
    /// propagated, the branching priorities and the independent parts.
    pub(super) fn prepare(problem: &Problem) -> Search {
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
    pub(super) fn elimination_priority(&self, st: &mut State) -> Vec<u32> {
        const CLIQUE_CAP: usize = 64;
        let n = self.sizes.len();
        let mut adj: Vec<FxHashSet<u32>> = vec![FxHashSet::default(); n];
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
            // Sorted, so that the ranks taken from bags below (and so the
            // branching order) do not depend on the hash set's order.
            let mut around: Vec<u32> = adj[v].drain().collect();
            around.sort_unstable();
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

    /// Branching priorities that put the most constrained variables first
    /// (the most constraints mentioning them, then the lowest index): on
    /// product lines whose tables tie everything to a few central options,
    /// deciding those first splits the rest at once, where the tree
    /// decomposition's separators can be wide. [`Search::with_budget`]
    /// traces with both orders and keeps the smaller trace.
    pub(super) fn degree_priority(&self) -> Vec<u32> {
        let n = self.sizes.len();
        let mut order: Vec<usize> = (0..n).collect();
        order.sort_by_key(|&x| (std::cmp::Reverse(self.touch[x].len() + self.pairs[x].len()), x));
        let mut priority = vec![0u32; n];
        for (rank, &x) in order.iter().enumerate() {
            priority[x] = (n - rank) as u32;
        }
        priority
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
}
