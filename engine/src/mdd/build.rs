//! Building a multi-valued decision diagram (MDD) from a [`Problem`]: one
//! small diagram per constraint, conjoined in an order that keeps the
//! intermediate diagrams small, under a node budget.

use std::hash::Hasher;

use rustc_hash::{FxHashMap, FxHasher};

use crate::problem::{Constraint, Problem};

pub type NodeId = u32;
pub const FALSE: NodeId = 0;
pub const TRUE: NodeId = 1;

/// Why a diagram could not be built.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BuildError {
    /// More nodes were needed than the budget allows.
    TooLarge { nodes: usize },
}

/// A hash-consed node store. Levels are positions in the variable order;
/// terminals sit at level `sizes.len()`. A node whose children are all the
/// same is never made (that child is used instead), so an edge that skips
/// levels leaves the skipped variables free.
pub struct Builder {
    pub sizes: Vec<u32>,
    level: Vec<u32>,
    start: Vec<u32>,
    kids: Vec<NodeId>,
    unique: FxHashMap<u64, Vec<NodeId>>,
    and_cache: FxHashMap<(NodeId, NodeId), NodeId>,
    budget: usize,
}

impl Builder {
    pub fn new(sizes: Vec<u32>, budget: usize) -> Builder {
        let n = sizes.len() as u32;
        Builder {
            sizes,
            level: vec![n, n],
            start: vec![0, 0],
            kids: Vec::new(),
            unique: FxHashMap::default(),
            and_cache: FxHashMap::default(),
            budget,
        }
    }

    pub fn len(&self) -> usize {
        self.level.len()
    }

    pub fn level(&self, node: NodeId) -> u32 {
        self.level[node as usize]
    }

    pub fn children(&self, node: NodeId) -> &[NodeId] {
        let s = self.start[node as usize] as usize;
        let l = self.level[node as usize] as usize;
        &self.kids[s..s + self.sizes[l] as usize]
    }

    /// The child for value `v` of the variable at `level`, seen from `node`
    /// (a node below that level does not test it).
    fn child_at(&self, node: NodeId, level: u32, v: usize) -> NodeId {
        if self.level(node) == level { self.children(node)[v] } else { node }
    }

    /// The node testing `level` with these children (reduced and shared).
    pub fn mk(&mut self, level: u32, children: &[NodeId]) -> Result<NodeId, BuildError> {
        debug_assert_eq!(children.len(), self.sizes[level as usize] as usize);
        if children.iter().all(|&c| c == children[0]) {
            return Ok(children[0]);
        }
        let mut h = FxHasher::default();
        h.write_u32(level);
        for &c in children {
            h.write_u32(c);
        }
        let key = h.finish();
        if let Some(bucket) = self.unique.get(&key) {
            for &n in bucket {
                if self.level[n as usize] == level && self.children(n) == children {
                    return Ok(n);
                }
            }
        }
        if self.level.len() >= self.budget {
            return Err(BuildError::TooLarge { nodes: self.level.len() });
        }
        let id = self.level.len() as NodeId;
        self.level.push(level);
        self.start.push(self.kids.len() as u32);
        self.kids.extend_from_slice(children);
        self.unique.entry(key).or_default().push(id);
        Ok(id)
    }

    /// The conjunction of two diagrams.
    pub fn and(&mut self, a: NodeId, b: NodeId) -> Result<NodeId, BuildError> {
        if a == FALSE || b == FALSE {
            return Ok(FALSE);
        }
        if a == TRUE || a == b {
            return Ok(b);
        }
        if b == TRUE {
            return Ok(a);
        }
        let key = if a < b { (a, b) } else { (b, a) };
        if let Some(&r) = self.and_cache.get(&key) {
            return Ok(r);
        }
        let level = self.level(a).min(self.level(b));
        let size = self.sizes[level as usize] as usize;
        let mut children = Vec::with_capacity(size);
        for v in 0..size {
            let ca = self.child_at(a, level, v);
            let cb = self.child_at(b, level, v);
            children.push(self.and(ca, cb)?);
        }
        let r = self.mk(level, &children)?;
        self.and_cache.insert(key, r);
        Ok(r)
    }

    /// Forgets the conjunction cache (its entries stay correct; this only
    /// bounds memory between big steps).
    pub fn clear_cache(&mut self) {
        self.and_cache.clear();
    }

    /// A constraint's own diagram. `level_of` maps problem variables to levels.
    pub fn constraint(&mut self, c: &Constraint, level_of: &[u32]) -> Result<NodeId, BuildError> {
        match c {
            Constraint::Clause(lits) => {
                // Per level, the values that satisfy some literal there.
                let mut by_level: Vec<(u32, [bool; 2])> = Vec::new();
                for l in lits {
                    let lv = level_of[l.var];
                    let idx = usize::from(l.positive);
                    match by_level.iter_mut().find(|(x, _)| *x == lv) {
                        Some((_, sat)) => sat[idx] = true,
                        None => {
                            let mut sat = [false; 2];
                            sat[idx] = true;
                            by_level.push((lv, sat));
                        }
                    }
                }
                if by_level.iter().any(|(_, s)| s[0] && s[1]) {
                    return Ok(TRUE);
                }
                by_level.sort_unstable_by_key(|(l, _)| std::cmp::Reverse(*l));
                let mut acc = FALSE;
                for (lv, sat) in by_level {
                    let children: Vec<NodeId> = sat.iter().map(|&s| if s { TRUE } else { acc }).collect();
                    acc = self.mk(lv, &children)?;
                }
                Ok(acc)
            }
            Constraint::Linear { terms, min, max } => {
                let mut terms: Vec<(u32, &[i64])> = terms.iter().map(|(v, c)| (level_of[*v], c.as_slice())).collect();
                terms.sort_by_key(|t| t.0);
                // The least and most the remaining terms can add.
                let mut rest = vec![(0i64, 0i64); terms.len() + 1];
                for i in (0..terms.len()).rev() {
                    let c = terms[i].1;
                    let lo = c.iter().copied().min().unwrap_or(0);
                    let hi = c.iter().copied().max().unwrap_or(0);
                    rest[i] = (rest[i + 1].0.saturating_add(lo), rest[i + 1].1.saturating_add(hi));
                }
                let mut memo = FxHashMap::default();
                self.linear(&terms, &rest, (*min, *max), 0, 0, &mut memo)
            }
            Constraint::Table { vars, tuples, allowed } => {
                // Sort the scope by level; permute the tuples the same way.
                let mut order: Vec<usize> = (0..vars.len()).collect();
                order.sort_by_key(|&i| level_of[vars[i]]);
                let levels: Vec<u32> = order.iter().map(|&i| level_of[vars[i]]).collect();
                let mut rows: Vec<Vec<u32>> = tuples.iter().map(|t| order.iter().map(|&i| t[i]).collect()).collect();
                rows.sort_unstable();
                rows.dedup();
                let (hit, miss) = if *allowed { (TRUE, FALSE) } else { (FALSE, TRUE) };
                self.trie(&levels, &rows, 0, hit, miss)
            }
        }
    }

    /// The diagram of `sum of terms[depth..] + partial` within `range`.
    fn linear(
        &mut self,
        terms: &[(u32, &[i64])],
        rest: &[(i64, i64)],
        range: (i64, i64),
        depth: usize,
        partial: i64,
        memo: &mut FxHashMap<(usize, i64), NodeId>,
    ) -> Result<NodeId, BuildError> {
        let lo = partial.saturating_add(rest[depth].0);
        let hi = partial.saturating_add(rest[depth].1);
        if lo >= range.0 && hi <= range.1 {
            return Ok(TRUE);
        }
        if hi < range.0 || lo > range.1 || depth == terms.len() {
            return Ok(FALSE);
        }
        if let Some(&n) = memo.get(&(depth, partial)) {
            return Ok(n);
        }
        let (level, coefficients) = terms[depth];
        let mut children = Vec::with_capacity(coefficients.len());
        for &c in coefficients {
            children.push(self.linear(terms, rest, range, depth + 1, partial.saturating_add(c), memo)?);
        }
        let node = self.mk(level, &children)?;
        memo.insert((depth, partial), node);
        Ok(node)
    }

    /// The diagram of a sorted set of rows over `levels[depth..]`.
    fn trie(&mut self, levels: &[u32], rows: &[Vec<u32>], depth: usize, hit: NodeId, miss: NodeId) -> Result<NodeId, BuildError> {
        if rows.is_empty() {
            return Ok(miss);
        }
        if depth == levels.len() {
            return Ok(hit);
        }
        let size = self.sizes[levels[depth] as usize] as usize;
        let mut children = vec![miss; size];
        let mut i = 0;
        while i < rows.len() {
            let v = rows[i][depth];
            let mut j = i;
            while j < rows.len() && rows[j][depth] == v {
                j += 1;
            }
            if (v as usize) < size {
                children[v as usize] = self.trie(levels, &rows[i..j], depth + 1, hit, miss)?;
            }
            i = j;
        }
        self.mk(levels[depth], &children)
    }
}

/// A variable order: for each level, the problem variable placed there.
///
/// Starts from the file order and improves it with the FORCE heuristic
/// (Aloul, Markov, Sakallah 2003): every variable moves to the mean centre of
/// gravity of the constraints it is in; the order with the smallest total
/// constraint span wins.
pub fn order(problem: &Problem) -> Vec<usize> {
    let n = problem.vars.len();
    let scopes: Vec<Vec<usize>> = problem.constraints.iter().map(|c| c.scope()).collect();
    let span = |pos: &[f64]| -> f64 {
        scopes
            .iter()
            .filter(|s| !s.is_empty())
            .map(|s| {
                let (lo, hi) = s.iter().fold((f64::MAX, f64::MIN), |(lo, hi), &v| (lo.min(pos[v]), hi.max(pos[v])));
                hi - lo
            })
            .sum()
    };
    let ranks = |order: &[usize]| -> Vec<f64> {
        let mut pos = vec![0.0; n];
        for (i, &v) in order.iter().enumerate() {
            pos[v] = i as f64;
        }
        pos
    };
    let mut best: Vec<usize> = (0..n).collect();
    let mut best_span = span(&ranks(&best));
    let mut current = best.clone();
    for _ in 0..40 {
        let pos = ranks(&current);
        let mut sum = vec![0.0; n];
        let mut cnt = vec![0u32; n];
        for s in &scopes {
            if s.is_empty() {
                continue;
            }
            let cog = s.iter().map(|&v| pos[v]).sum::<f64>() / s.len() as f64;
            for &v in s {
                sum[v] += cog;
                cnt[v] += 1;
            }
        }
        let target: Vec<f64> = (0..n).map(|v| if cnt[v] == 0 { pos[v] } else { sum[v] / f64::from(cnt[v]) }).collect();
        let mut next: Vec<usize> = (0..n).collect();
        next.sort_by(|&a, &b| target[a].total_cmp(&target[b]).then(pos[a].total_cmp(&pos[b])));
        let s = span(&ranks(&next));
        if s < best_span {
            best_span = s;
            best = next.clone();
        }
        if next == current {
            break;
        }
        current = next;
    }
    best
}
