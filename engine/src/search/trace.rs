//! The trace a search records: a decision-DNNF of the solutions, whose nodes
//! know the cheapest and dearest total below them; and the passes over one
//! question's trace (counts, per-literal best totals).

use num_bigint::BigUint;
use rustc_hash::FxHashMap;

/// A decision-DNNF recorded by the traced search. Nodes are created
/// children first, so increasing ids are a bottom-up order. Each node knows
/// the cheapest and dearest total of its variables.
#[derive(Clone, Debug, Default)]
pub(super) struct Trace {
    pub(super) kind: Vec<Kind>,
    pub(super) lo: Vec<i128>,
    pub(super) hi: Vec<i128>,
    pub(super) edges: Vec<Edge>,
    pub(super) kids: Vec<u32>,
    /// Literal lists (`lits[a..b]`, sorted), each stored once however many
    /// edges decide it (the same subtree switched off in many contexts),
    /// with their total price at tracing time.
    pub(super) lists: Vec<(u32, u32)>,
    pub(super) list_cost: Vec<i128>,
    pub(super) list_index: FxHashMap<Vec<u32>, u32>,
    pub(super) lits: Vec<u32>,
    pub(super) cache: FxHashMap<Vec<u8>, u32>,
    /// The total length of the cache's keys.
    pub(super) key_bytes: usize,
    /// The shared node of each variable left free with all its values.
    pub(super) free: FxHashMap<u32, u32>,
}

#[derive(Clone, Copy, Debug)]
pub(super) enum Kind {
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
pub(super) struct Edge {
    pub(super) list: u32,
    pub(super) child: u32,
}

impl Trace {
    pub(super) fn reset(&mut self) {
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
    pub(super) fn weight(&self) -> usize {
        let bytes = 48 * self.kind.len()
            + 8 * self.edges.len()
            + 4 * (self.kids.len() + self.lits.len())
            + 48 * (self.cache.len() + self.lists.len())
            + self.key_bytes;
        bytes / 50
    }

    /// The shared list holding `lits` (sorted), costing `cost`.
    pub(super) fn list(&mut self, lits: &[u32], cost: i128) -> u32 {
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

    pub(super) fn add(&mut self, kind: Kind, lo: i128, hi: i128) -> u32 {
        self.kind.push(kind);
        self.lo.push(lo);
        self.hi.push(hi);
        (self.kind.len() - 1) as u32
    }

    pub(super) fn range<T: Copy>(items: &[T], (a, b): (u32, u32)) -> &[T] {
        &items[a as usize..b as usize]
    }

    /// Per literal, the cheapest and dearest total of the solutions of
    /// `roots` (independent components) that use it, local to its
    /// component: a top-down pass.
    pub(super) fn marginals(&self, roots: &[u32], price: &[i64], wit: &mut Witnesses) {
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
    pub(super) fn counts(&self) -> Vec<BigUint> {
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

/// Per literal: whether some solution uses it, and the cheapest and
/// dearest such total.
pub(super) struct Witnesses {
    pub(super) seen: Vec<bool>,
    pub(super) min: Vec<i128>,
    pub(super) max: Vec<i128>,
}

impl Witnesses {
    pub(super) fn new(lits: usize) -> Witnesses {
        Witnesses { seen: vec![false; lits], min: vec![0; lits], max: vec![0; lits] }
    }

    pub(super) fn note(&mut self, lit: usize, lo: i128, hi: i128) {
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

#[cfg(test)]
mod tests {
    use crate::search::{Search, brute};

    /// Without a whole trace, a count is the bottom-up pass over the
    /// question's own trace.
    #[test]
    fn question_traces_count_what_brute_force_counts() {
        for seed in 0..2 {
            let (p, _) = brute::sampler(seed);
            let s = Search::with_budget(&p, 0);
            let (solutions, sizes) = (brute::solutions(&p), brute::sizes(&p));
            for fixed in brute::fixings(&sizes) {
                assert_eq!(s.count(&fixed), Some(brute::count(&solutions, &fixed)), "fixed {fixed:?}");
            }
        }
        let mut rng = crate::bench::Rng::new(22);
        for round in 0..300 {
            let n = 3 + rng.below(5);
            let m = 1 + rng.below(6);
            let p = brute::random_problem(&mut rng, n, m);
            let s = Search::new(&p);
            let solutions = brute::solutions(&p);
            let fixed: Vec<Option<u32>> = brute::sizes(&p).iter().map(|&k| (rng.below(3) == 0).then(|| rng.below(k) as u32)).collect();
            assert_eq!(s.count(&fixed), Some(brute::count(&solutions, &fixed)), "round {round}, fixed {fixed:?}: {p:?}");
        }
    }
}
