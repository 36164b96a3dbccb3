//! Explanations on a compiled diagram: why a value is excluded (a minimal
//! conflicting subset of the fixed values, by QuickXplain), and the fewest
//! fixed values to give up so it becomes possible (an exact shortest path).

use std::cmp::Ordering;

use super::{Diagram, Fixed};
use super::build::{FALSE, NodeId, TRUE};

/// A set of fixed variables to give up, ranked by (how many, then the most
/// recent among them as a binary number): smaller is better, so ties keep
/// the most recent choices.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Cost {
    count: u32,
    /// Bit `rank` set for every dropped choice (rank 0 = oldest).
    bits: Vec<u64>,
}

impl Cost {
    fn zero(words: usize) -> Cost {
        Cost { count: 0, bits: vec![0; words] }
    }
    fn with(&self, rank: usize) -> Cost {
        let mut c = self.clone();
        if c.bits[rank / 64] & (1 << (rank % 64)) == 0 {
            c.bits[rank / 64] |= 1 << (rank % 64);
            c.count += 1;
        }
        c
    }
}

impl Ord for Cost {
    fn cmp(&self, other: &Cost) -> Ordering {
        self.count.cmp(&other.count).then_with(|| self.bits.iter().rev().cmp(other.bits.iter().rev()))
    }
}

impl PartialOrd for Cost {
    fn partial_cmp(&self, other: &Cost) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Diagram {
    /// A minimal subset of the fixed variables (listed in `candidates`, most
    /// important to keep first) that, together with `var = value` and the
    /// fixed values *not* in `candidates`, has no valid configuration.
    /// Empty when `var = value` is possible with all of them.
    pub fn minimal_conflict(&self, fixed: &Fixed, candidates: &[usize], var: usize, value: u32) -> Vec<usize> {
        let mut base: Vec<Option<u32>> = fixed.to_vec();
        for &c in candidates {
            base[c] = None;
        }
        base[var] = Some(value);
        let with = |set: &[usize]| -> Vec<Option<u32>> {
            let mut f = base.clone();
            for &c in set {
                f[c] = fixed[c];
            }
            f
        };
        if self.consistent(&with(candidates)) {
            return Vec::new();
        }
        let mut result = self.quickxplain(&with, &[], false, candidates);
        result.sort_by_key(|c| candidates.iter().position(|x| x == c));
        result
    }

    /// QuickXplain (Junker 2004): the preferred minimal conflict among `c`,
    /// given the background `b` (already known to be consistent unless
    /// `delta` says something was just added).
    fn quickxplain(&self, with: &dyn Fn(&[usize]) -> Vec<Option<u32>>, b: &[usize], delta: bool, c: &[usize]) -> Vec<usize> {
        if delta && !self.consistent(&with(b)) {
            return Vec::new();
        }
        if c.len() <= 1 {
            return c.to_vec();
        }
        let (c1, c2) = c.split_at(c.len() / 2);
        let b1: Vec<usize> = b.iter().chain(c1).copied().collect();
        let d2 = self.quickxplain(with, &b1, !c1.is_empty(), c2);
        let b2: Vec<usize> = b.iter().chain(&d2).copied().collect();
        let d1 = self.quickxplain(with, &b2, !d2.is_empty(), c1);
        d1.into_iter().chain(d2).collect()
    }

    /// The fewest fixed variables to give up so that `var = value` becomes
    /// possible; among equally few, the set that keeps the most recent
    /// choices. `rank[x]` orders the fixed variables (higher = more recent;
    /// `None` for variables that cost nothing to change). `None` when
    /// `var = value` is impossible whatever is given up.
    pub fn minimal_diagnosis(&self, fixed: &Fixed, rank: &[Option<usize>], var: usize, value: u32) -> Option<Vec<usize>> {
        let words = rank.iter().flatten().max().map_or(1, |m| m / 64 + 1);
        let levels = self.levels();
        // Edges that skip levels leave them free: no cost, unless the
        // target variable is skipped, which is free too (any value).
        let mut best: Vec<Option<Cost>> = vec![None; self.nodes()];
        best[TRUE as usize] = Some(Cost::zero(words));
        for i in 2..self.nodes() {
            let l = self.level[i] as usize;
            let x = self.var_at[l];
            let mut node_best: Option<Cost> = None;
            for (v, &k) in self.children(i as NodeId).iter().enumerate() {
                if k == FALSE {
                    continue;
                }
                let Some(below) = &best[k as usize] else { continue };
                let cost = if x == var {
                    if v as u32 != value {
                        continue;
                    }
                    below.clone()
                } else {
                    match (fixed[x], rank[x]) {
                        (Some(f), Some(r)) if f != v as u32 => below.with(r),
                        (Some(f), None) if f != v as u32 => continue,
                        _ => below.clone(),
                    }
                };
                if node_best.as_ref().is_none_or(|b| cost < *b) {
                    node_best = Some(cost);
                }
            }
            best[i] = node_best;
        }
        debug_assert!(levels == self.var_at.len());
        let cost = best[self.root as usize].clone()?;
        let mut dropped: Vec<usize> = (0..rank.len())
            .filter(|&x| rank[x].is_some_and(|r| cost.bits[r / 64] & (1 << (r % 64)) != 0))
            .collect();
        dropped.sort_unstable();
        Some(dropped)
    }
}
