//! Compiled solution spaces: a problem's valid configurations as one reduced,
//! ordered multi-valued decision diagram (MDD), after Hadzic, Subbarayan,
//! Jensen, Andersen et al. Every interactive question (which values remain
//! valid, what they cost at least and at most, how many completions remain)
//! is then one or two linear passes over the diagram.

pub mod build;
mod explain;
mod forest;

pub use forest::Forest;

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};

use num_bigint::BigUint;

use crate::prepared::{PreparedError, Reader, Writer, malformed};
use crate::problem::Problem;
pub use build::BuildError;
use build::{Builder, FALSE, NodeId, TRUE};

/// The largest diagram built by default (nodes); larger problems use the
/// search-based method instead.
pub const DEFAULT_BUDGET: usize = 4_000_000;

/// A compiled problem. Nodes are stored children-first: node 0 is the false
/// terminal, node 1 the true terminal, and every node's children have
/// smaller ids, so one forward sweep is bottom-up and one backward sweep is
/// top-down.
#[derive(Clone, Debug)]
pub struct Diagram {
    /// For each level, the problem variable tested there.
    pub var_at: Vec<usize>,
    /// For each problem variable, its level.
    pub level_of: Vec<u32>,
    /// Domain size per level.
    pub sizes: Vec<u32>,
    level: Vec<u32>,
    start: Vec<u32>,
    kids: Vec<NodeId>,
    root: NodeId,
}

/// Per-variable restriction: `Some(v)` when the value is fixed.
pub type Fixed = [Option<u32>];

/// What one pass over the diagram tells about the current choices.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Analysis {
    /// Whether any valid configuration keeps every fixed value.
    pub consistent: bool,
    /// Per variable, per value: is it part of a valid configuration that
    /// keeps the fixed values of every *other* variable? (A fixed variable's
    /// alternatives are what its choice could be changed to.)
    pub valid: Vec<Vec<bool>>,
    /// Per variable, per value: the lowest and highest total over those
    /// configurations (`None` where the value is not valid).
    pub min: Vec<Vec<Option<i64>>>,
    pub max: Vec<Vec<Option<i64>>>,
    /// Lowest and highest total of any configuration keeping every fixed value.
    pub total_min: Option<i64>,
    pub total_max: Option<i64>,
}

impl Diagram {
    /// Compiles `problem` within `budget` nodes.
    pub fn compile(problem: &Problem, budget: usize) -> Result<Diagram, BuildError> {
        let var_at = build::order(problem);
        let mut level_of = vec![0u32; var_at.len()];
        for (l, &v) in var_at.iter().enumerate() {
            level_of[v] = l as u32;
        }
        let sizes: Vec<u32> = var_at
            .iter()
            .map(|&v| problem.vars[v].values.len() as u32)
            .collect();
        let mut b = Builder::new(sizes.clone(), budget);
        // Each constraint's own diagram, then conjoin from the deepest up:
        // the growing result then mostly gains structure at its top.
        let mut parts = Vec::with_capacity(problem.constraints.len());
        for c in &problem.constraints {
            let top = c.scope().iter().map(|&v| level_of[v]).min().unwrap_or(0);
            let node = b.constraint(c, &level_of)?;
            parts.push((top, node));
        }
        parts.sort_by_key(|&(top, _)| Reverse(top));
        let mut root = TRUE;
        for (_, node) in parts {
            root = b.and(root, node)?;
            if root == FALSE {
                break;
            }
        }
        b.clear_cache();
        Ok(Diagram::compact(&b, root, var_at, level_of, sizes))
    }

    /// Copies the nodes reachable from `root`, children first.
    fn compact(
        b: &Builder,
        root: NodeId,
        var_at: Vec<usize>,
        level_of: Vec<u32>,
        sizes: Vec<u32>,
    ) -> Diagram {
        let n = sizes.len() as u32;
        let mut id: HashMap<NodeId, NodeId> = HashMap::new();
        id.insert(FALSE, FALSE);
        id.insert(TRUE, TRUE);
        let mut d = Diagram {
            var_at,
            level_of,
            sizes,
            level: vec![n, n],
            start: vec![0, 0],
            kids: Vec::new(),
            root: FALSE,
        };
        // Iterative post-order walk.
        let mut stack = vec![(root, false)];
        while let Some((node, expanded)) = stack.pop() {
            if id.contains_key(&node) {
                continue;
            }
            if expanded {
                let new = d.level.len() as NodeId;
                d.level.push(b.level(node));
                d.start.push(d.kids.len() as u32);
                for &c in b.children(node) {
                    d.kids.push(id[&c]);
                }
                id.insert(node, new);
            } else {
                stack.push((node, true));
                for &c in b.children(node) {
                    if !id.contains_key(&c) {
                        stack.push((c, false));
                    }
                }
            }
        }
        d.root = id[&root];
        d
    }

    /// Writes the diagram for a prepared file (see [`crate::prepared`]):
    /// the variable at each level, each node's level, and every child slot.
    pub(crate) fn write(&self, w: &mut Writer) {
        w.u32s(self.var_at.iter().map(|&x| x as u32));
        w.u32s(self.level[2..].iter().copied());
        w.u32s(self.kids.iter().copied());
        w.u32(self.root);
    }

    /// Reads what [`Diagram::write`] wrote, for a part whose variables have
    /// `var_sizes` values, checking that it is a well-formed ordered diagram
    /// (levels a permutation, children below their parents, slots in range).
    pub(crate) fn read(r: &mut Reader, var_sizes: &[u32]) -> Result<Diagram, PreparedError> {
        let n = var_sizes.len();
        let var_at: Vec<usize> = r
            .u32s(n as u64, "diagram levels")?
            .into_iter()
            .map(|x| x as usize)
            .collect();
        let mut level_of = vec![u32::MAX; n];
        for (l, &x) in var_at.iter().enumerate() {
            if level_of[x] != u32::MAX {
                return Err(malformed("a variable tested at two levels"));
            }
            level_of[x] = l as u32;
        }
        if var_at.len() != n {
            return Err(malformed("diagram levels do not cover the part"));
        }
        let sizes: Vec<u32> = var_at.iter().map(|&x| var_sizes[x]).collect();
        let inner = r.u32s(n as u64, "diagram node levels")?;
        let kids = r.u32s(inner.len() as u64 + 2, "diagram children")?;
        let root = r.u32()?;
        let mut level = vec![n as u32, n as u32];
        let mut start = vec![0u32, 0];
        let mut at = 0usize;
        for (i, &l) in inner.iter().enumerate() {
            let node = i + 2;
            let slots = sizes[l as usize] as usize;
            let children = kids
                .get(at..at + slots)
                .ok_or_else(|| malformed("diagram children end too early"))?;
            if children
                .iter()
                .any(|&k| k as usize >= node || (k >= 2 && inner[k as usize - 2] <= l))
            {
                return Err(malformed("a diagram child above its parent"));
            }
            level.push(l);
            start.push(at as u32);
            at += slots;
        }
        if at != kids.len() || root as usize >= level.len() {
            return Err(malformed("diagram children or root out of range"));
        }
        Ok(Diagram {
            var_at,
            level_of,
            sizes,
            level,
            start,
            kids,
            root,
        })
    }

    /// Number of nodes, terminals included.
    pub fn nodes(&self) -> usize {
        self.level.len()
    }

    pub fn levels(&self) -> usize {
        self.sizes.len()
    }

    /// What one pass over the diagram touches: every node and child slot.
    pub fn work(&self) -> usize {
        self.level.len() + self.kids.len()
    }

    fn children(&self, node: NodeId) -> &[NodeId] {
        let s = self.start[node as usize] as usize;
        let l = self.level[node as usize] as usize;
        &self.kids[s..s + self.sizes[l] as usize]
    }

    /// Whether `v` is allowed at `level` under `fixed`.
    fn allowed(&self, fixed: &Fixed, level: usize, v: usize) -> bool {
        fixed[self.var_at[level]].is_none_or(|f| f as usize == v)
    }

    /// Which nodes can reach the true terminal under `fixed`.
    fn up(&self, fixed: &Fixed) -> Vec<bool> {
        let mut up = vec![false; self.nodes()];
        up[TRUE as usize] = true;
        for i in 2..self.nodes() {
            let l = self.level[i] as usize;
            up[i] = self
                .children(i as NodeId)
                .iter()
                .enumerate()
                .any(|(v, &k)| up[k as usize] && self.allowed(fixed, l, v));
        }
        up
    }

    /// Whether any valid configuration keeps every fixed value.
    pub fn consistent(&self, fixed: &Fixed) -> bool {
        self.up(fixed)[self.root as usize]
    }

    /// The number of valid configurations that keep every fixed value.
    pub fn count(&self, fixed: &Fixed) -> BigUint {
        let n = self.levels();
        let free: Vec<u32> = (0..n)
            .map(|l| {
                if fixed[self.var_at[l]].is_some() {
                    1
                } else {
                    self.sizes[l]
                }
            })
            .collect();
        let mut products: HashMap<(usize, usize), BigUint> = HashMap::new();
        let mut gap = |a: usize, b: usize| -> BigUint {
            products
                .entry((a, b))
                .or_insert_with(|| free[a..b].iter().fold(BigUint::from(1u32), |p, &s| p * s))
                .clone()
        };
        let zero = BigUint::from(0u32);
        let mut count = vec![zero.clone(); self.nodes()];
        count[TRUE as usize] = BigUint::from(1u32);
        for i in 2..self.nodes() {
            let l = self.level[i] as usize;
            let mut c = zero.clone();
            for (v, &k) in self.children(i as NodeId).iter().enumerate() {
                if k != FALSE && self.allowed(fixed, l, v) && count[k as usize] != zero {
                    let below = self.level[k as usize] as usize;
                    c += &count[k as usize] * gap(l + 1, below);
                }
            }
            count[i] = c;
        }
        let top = self.level[self.root as usize] as usize;
        &count[self.root as usize] * gap(0, top)
    }

    /// Valid values and price bounds under `fixed`, in one bottom-up and
    /// one top-down pass. `prices[var][value]` is added to the total when
    /// that value is chosen.
    pub fn analyse(&self, fixed: &Fixed, prices: &[Vec<i64>]) -> Analysis {
        let n = self.levels();
        // Per level: the cheapest and dearest allowed value, and prefix sums.
        let mut minp = vec![0i64; n];
        let mut maxp = vec![0i64; n];
        for l in 0..n {
            let p = &prices[self.var_at[l]];
            let allowed = (0..self.sizes[l] as usize).filter(|&v| self.allowed(fixed, l, v));
            let (lo, hi) = allowed.fold((i64::MAX, i64::MIN), |(lo, hi), v| {
                (lo.min(p[v]), hi.max(p[v]))
            });
            minp[l] = lo;
            maxp[l] = hi;
        }
        let mut smin = vec![0i64; n + 1];
        let mut smax = vec![0i64; n + 1];
        for l in 0..n {
            smin[l + 1] = smin[l] + minp[l];
            smax[l + 1] = smax[l] + maxp[l];
        }
        let skip_min = |a: usize, b: usize| smin[b] - smin[a];
        let skip_max = |a: usize, b: usize| smax[b] - smax[a];

        // Bottom-up: can reach true, and the cheapest/dearest way there.
        let nodes = self.nodes();
        let mut up = vec![false; nodes];
        let mut up_min = vec![i64::MAX; nodes];
        let mut up_max = vec![i64::MIN; nodes];
        up[TRUE as usize] = true;
        up_min[TRUE as usize] = 0;
        up_max[TRUE as usize] = 0;
        for i in 2..nodes {
            let l = self.level[i] as usize;
            let p = &prices[self.var_at[l]];
            for (v, &k) in self.children(i as NodeId).iter().enumerate() {
                let k = k as usize;
                if up[k] && self.allowed(fixed, l, v) {
                    let below = self.level[k] as usize;
                    up[i] = true;
                    up_min[i] = up_min[i].min(p[v] + skip_min(l + 1, below) + up_min[k]);
                    up_max[i] = up_max[i].max(p[v] + skip_max(l + 1, below) + up_max[k]);
                }
            }
        }

        self.analyse_pass(
            fixed, prices, &up, &up_min, &up_max, &minp, &maxp, &smin, &smax,
        )
    }

    #[allow(clippy::too_many_arguments)]
    fn analyse_pass(
        &self,
        fixed: &Fixed,
        prices: &[Vec<i64>],
        up: &[bool],
        up_min: &[i64],
        up_max: &[i64],
        minp: &[i64],
        maxp: &[i64],
        smin: &[i64],
        smax: &[i64],
    ) -> Analysis {
        let n = self.levels();
        let vars = self.var_at.len();
        let skip_min = |a: usize, b: usize| smin[b] - smin[a];
        let skip_max = |a: usize, b: usize| smax[b] - smax[a];
        let mut valid: Vec<Vec<bool>> = (0..vars)
            .map(|x| vec![false; self.sizes[self.level_of[x] as usize] as usize])
            .collect();
        let mut min: Vec<Vec<Option<i64>>> = valid.iter().map(|v| vec![None; v.len()]).collect();
        let mut max = min.clone();
        let root = self.root as usize;
        if root == FALSE as usize {
            return Analysis {
                consistent: false,
                valid,
                min,
                max,
                total_min: None,
                total_max: None,
            };
        }
        let consistent = up[root];
        let top = self.level[root] as usize;
        let total_min = skip_min(0, top).saturating_add(up_min[root]);
        let total_max = skip_max(0, top).saturating_add(up_max[root]);
        // Top-down: reachable, and the cheapest/dearest way from the root.
        let nodes = self.nodes();
        let mut down_min = vec![i64::MAX; nodes];
        let mut down_max = vec![i64::MIN; nodes];
        down_min[root] = skip_min(0, top);
        down_max[root] = skip_max(0, top);
        // Skipped levels on live edges: (from, to, best min, best max).
        let mut spans: Vec<(usize, usize, i64, i64)> = Vec::new();
        if top > 0 && consistent {
            spans.push((0, top, total_min, total_max));
        }
        let note = |valid: &mut Vec<Vec<bool>>,
                    min: &mut Vec<Vec<Option<i64>>>,
                    max: &mut Vec<Vec<Option<i64>>>,
                    var: usize,
                    v: usize,
                    lo: i64,
                    hi: i64| {
            valid[var][v] = true;
            min[var][v] = Some(min[var][v].map_or(lo, |m| m.min(lo)));
            max[var][v] = Some(max[var][v].map_or(hi, |m| m.max(hi)));
        };
        for i in (2..nodes).rev() {
            // Reachable from the root under every fixed value above.
            if down_min[i] == i64::MAX {
                continue;
            }
            let l = self.level[i] as usize;
            let var = self.var_at[l];
            let p = &prices[var];
            for (v, &k) in self.children(i as NodeId).iter().enumerate() {
                let k = k as usize;
                if k == FALSE as usize {
                    continue;
                }
                let below = self.level[k] as usize;
                let to_k_min = down_min[i] + p[v] + skip_min(l + 1, below);
                let to_k_max = down_max[i] + p[v] + skip_max(l + 1, below);
                let allowed = self.allowed(fixed, l, v);
                if allowed {
                    // Reachable under every fixed value above k, whether or
                    // not k's own level keeps it alive: its alternatives count.
                    down_min[k] = down_min[k].min(to_k_min);
                    down_max[k] = down_max[k].max(to_k_max);
                }
                if !up[k] {
                    continue;
                }
                let lo = to_k_min + up_min[k];
                let hi = to_k_max + up_max[k];
                // Everything above and below keeps its fixed values; this
                // level's own choice is what the customer may change.
                note(&mut valid, &mut min, &mut max, var, v, lo, hi);
                if allowed && below > l + 1 {
                    spans.push((l + 1, below, lo, hi));
                }
            }
        }
        // Sweep the levels, keeping the best live span covering each.
        spans.sort_unstable_by_key(|s| s.0);
        let mut lows: BinaryHeap<Reverse<(i64, usize)>> = BinaryHeap::new();
        let mut highs: BinaryHeap<(i64, usize)> = BinaryHeap::new();
        let mut next = 0;
        for l in 0..n {
            while next < spans.len() && spans[next].0 == l {
                let (_, to, lo, hi) = spans[next];
                lows.push(Reverse((lo, to)));
                highs.push((hi, to));
                next += 1;
            }
            while lows.peek().is_some_and(|Reverse((_, to))| *to <= l) {
                lows.pop();
            }
            while highs.peek().is_some_and(|(_, to)| *to <= l) {
                highs.pop();
            }
            let (Some(Reverse((lo, _))), Some((hi, _))) = (lows.peek(), highs.peek()) else {
                continue;
            };
            let var = self.var_at[l];
            let p = &prices[var];
            for v in 0..self.sizes[l] as usize {
                note(
                    &mut valid,
                    &mut min,
                    &mut max,
                    var,
                    v,
                    lo - minp[l] + p[v],
                    hi - maxp[l] + p[v],
                );
            }
        }
        let (total_min, total_max) = if consistent {
            (Some(total_min), Some(total_max))
        } else {
            (None, None)
        };
        Analysis {
            consistent,
            valid,
            min,
            max,
            total_min,
            total_max,
        }
    }
}
