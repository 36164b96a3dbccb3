//! The fewest fixed values to give up so a value becomes possible: an exact
//! shortest path over a compiled diagram.

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
    /// The fewest fixed variables to give up so that `target` (`var = value`,
    /// or nothing) becomes possible; among equally few, the set that keeps
    /// the most recent choices. `rank[x]` orders the fixed variables that may
    /// be given up (higher = more recent); fixed variables without a rank
    /// stay. `None` when no such set exists.
    pub fn minimal_diagnosis(&self, fixed: &Fixed, rank: &[Option<usize>], target: Option<(usize, u32)>) -> Option<Vec<usize>> {
        let words = rank.iter().flatten().max().map_or(1, |m| m / 64 + 1);
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
                let cost = if let Some((_, value)) = target.filter(|t| t.0 == x) {
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
        let cost = best[self.root as usize].clone()?;
        let mut dropped: Vec<usize> = (0..rank.len())
            .filter(|&x| rank[x].is_some_and(|r| cost.bits[r / 64] & (1 << (r % 64)) != 0))
            .collect();
        dropped.sort_unstable();
        Some(dropped)
    }
}
