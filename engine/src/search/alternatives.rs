//! Answering a question by search under its fixed values (without a whole
//! trace): every fixed value set for the other variables' answers, then a
//! divide and conquer over the fixed variables for each one's alternatives,
//! where only that variable's own component is searched again.

use super::propagate::State;
use super::trace::Witnesses;
use super::{FALSE, NONE, Search, clamp};
use crate::mdd::Analysis;

/// What the state with every fixed value set taught, for the alternatives
/// of fixed variables to reuse.
pub(super) struct Base {
    total_min: i128,
    total_max: i128,
    /// Per variable: its value once everything fixed is propagated, or NONE.
    value: Vec<u32>,
    /// Per open variable: its component (index into cmin/cmax).
    comp: Vec<u32>,
    cmin: Vec<i128>,
    cmax: Vec<i128>,
}

impl Search {
    /// Every fixed value set: fills in the answers for all variables (a
    /// fixed variable's own value included) and returns what the
    /// alternatives need, or `None` when no configuration keeps them all.
    pub(super) fn phase_fixed(&self, st: &mut State, list: &[(usize, u32)], out: &mut Analysis) -> Option<Base> {
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
    pub(super) fn alternatives(&self, st: &mut State, list: &[(usize, u32)], base: Option<&Base>, out: &mut Analysis) {
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

#[cfg(test)]
mod tests {
    use crate::search::{Search, brute};

    /// Without a whole trace, every question is searched under its fixed
    /// values, each fixed variable's alternatives by divide and conquer.
    #[test]
    fn searched_answers_are_the_valid_values_and_prices_brute_force_finds() {
        for seed in 0..4 {
            let (p, prices) = brute::sampler(seed);
            let s = Search::with_budget(&p, 0);
            assert!(!s.traced());
            brute::check_every_fixing(&s, &p, &prices, seed);
        }
    }

    /// Many fixed values at once (the divide and conquer goes several levels
    /// deep), on random problems.
    #[test]
    fn searched_answers_with_many_fixed_values_match_brute_force() {
        let mut rng = crate::bench::Rng::new(21);
        for round in 0..300 {
            let n = 4 + rng.below(4);
            let m = 2 + rng.below(6);
            let p = brute::random_problem(&mut rng, n, m);
            let prices: Vec<Vec<i64>> = p.vars.iter().map(|v| v.values.iter().map(|_| rng.below(31) as i64 - 10).collect()).collect();
            let s = Search::new(&p);
            let (solutions, sizes) = (brute::solutions(&p), brute::sizes(&p));
            for _ in 0..4 {
                let fixed: Vec<Option<u32>> = sizes.iter().map(|&k| (rng.below(3) != 0).then(|| rng.below(k) as u32)).collect();
                assert_eq!(s.analyse(&fixed, &prices), brute::analysis(&solutions, &sizes, &fixed, &prices), "round {round}, fixed {fixed:?}: {p:?}");
            }
        }
    }
}
