//! A problem as independent parts: forced values are propagated first, then
//! the constraints fall apart into connected components, each compiled to
//! its own diagram (after Subbarayan's tree-of-BDDs idea, in its simplest
//! form). Feature models such as BusyBox split into hundreds of small parts
//! that compile at once where one monolithic diagram would not. Every answer
//! combines the parts exactly.

use num_bigint::BigUint;

use super::{Analysis, BuildError, Diagram};
use crate::prepared::{PreparedError, Reader, Writer, malformed};
use crate::problem::{Constraint, Lit, Problem};

/// One connected part: its variables (global indices, in local order) and
/// its diagram over them.
#[derive(Clone, Debug)]
struct Part {
    vars: Vec<usize>,
    diagram: Diagram,
}

/// A compiled problem made of independent parts.
#[derive(Clone, Debug)]
pub struct Forest {
    parts: Vec<Part>,
    /// For each variable: its part and local index, or `None` when no
    /// constraint mentions it (any value goes).
    place: Vec<Option<(usize, usize)>>,
    sizes: Vec<u32>,
    /// Nothing is valid at all (propagation found a contradiction).
    empty: bool,
}

impl Forest {
    /// Compiles `problem`; `budget` bounds the nodes of each part.
    pub fn compile(problem: &Problem, budget: usize) -> Result<Forest, BuildError> {
        let n = problem.vars.len();
        let sizes: Vec<u32> = problem.vars.iter().map(|v| v.values.len() as u32).collect();
        let Some(constraints) = propagate(problem) else {
            return Ok(Forest {
                parts: Vec::new(),
                place: vec![None; n],
                sizes,
                empty: true,
            });
        };
        // Connected components over constraint scopes.
        let mut parent: Vec<usize> = (0..n).collect();
        fn root(parent: &mut [usize], mut x: usize) -> usize {
            while parent[x] != x {
                parent[x] = parent[parent[x]];
                x = parent[x];
            }
            x
        }
        for c in &constraints {
            let scope = c.scope();
            for w in scope.windows(2) {
                let (a, b) = (root(&mut parent, w[0]), root(&mut parent, w[1]));
                parent[a] = b;
            }
        }
        let mut part_of_root: Vec<Option<usize>> = vec![None; n];
        let mut place = vec![None; n];
        let mut groups: Vec<Vec<usize>> = Vec::new();
        let mut constrained = vec![false; n];
        for c in &constraints {
            for x in c.scope() {
                constrained[x] = true;
            }
        }
        for x in (0..n).filter(|&x| constrained[x]) {
            let r = root(&mut parent, x);
            let p = *part_of_root[r].get_or_insert_with(|| {
                groups.push(Vec::new());
                groups.len() - 1
            });
            place[x] = Some((p, groups[p].len()));
            groups[p].push(x);
        }
        let mut part_constraints: Vec<Vec<Constraint>> = vec![Vec::new(); groups.len()];
        for c in constraints {
            let Some(&first) = c.scope().first() else {
                // No variables: it holds or fails regardless of choices.
                if !c.holds(&[]) {
                    return Ok(Forest {
                        parts: Vec::new(),
                        place: vec![None; n],
                        sizes,
                        empty: true,
                    });
                }
                continue;
            };
            let p = place[first].expect("constrained").0;
            let local = |x: usize| place[x].expect("constrained").1;
            part_constraints[p].push(relabel(&c, local));
        }
        let mut parts = Vec::with_capacity(groups.len());
        for (vars, cons) in groups.into_iter().zip(part_constraints) {
            let sub = Problem {
                vars: vars.iter().map(|&x| problem.vars[x].clone()).collect(),
                constraints: cons,
            };
            parts.push(Part {
                diagram: Diagram::compile(&sub, budget)?,
                vars,
            });
        }
        Ok(Forest {
            parts,
            place,
            sizes,
            empty: false,
        })
    }

    /// Writes the forest for a prepared file: each part's variables and
    /// diagram.
    pub(crate) fn write(&self, w: &mut Writer) {
        w.u32(u32::from(self.empty));
        w.len(self.parts.len());
        for p in &self.parts {
            w.u32s(p.vars.iter().map(|&x| x as u32));
            p.diagram.write(w);
        }
    }

    /// The forest as a prepared file of the diagram method (as
    /// [`Engine::to_prepared`](crate::Engine::to_prepared) writes it).
    pub(crate) fn to_prepared(&self, problem: &Problem) -> Vec<u8> {
        let mut w = Writer::default();
        self.write(&mut w);
        crate::prepared::seal(crate::prepared::fingerprint(problem), 0, w)
    }

    /// The forest from a prepared file of the diagram method for `problem`.
    pub(crate) fn from_prepared(problem: &Problem, bytes: &[u8]) -> Result<Forest, PreparedError> {
        let (method, mut r) = crate::prepared::open(bytes, crate::prepared::fingerprint(problem))?;
        if method != 0 {
            return Err(malformed("a search trace where a diagram is needed"));
        }
        let forest = Forest::read(&mut r, problem)?;
        r.end()?;
        Ok(forest)
    }

    /// Reads what [`Forest::write`] wrote for `problem`, checking that the
    /// parts are disjoint and every diagram well formed.
    pub(crate) fn read(r: &mut Reader, problem: &Problem) -> Result<Forest, PreparedError> {
        let n = problem.vars.len();
        let sizes: Vec<u32> = problem.vars.iter().map(|v| v.values.len() as u32).collect();
        let empty = r.u32()? != 0;
        let count = r.len(n, "parts")?;
        let mut place = vec![None; n];
        let mut parts = Vec::with_capacity(count);
        for p in 0..count {
            let vars: Vec<usize> = r
                .u32s(n as u64, "part variables")?
                .into_iter()
                .map(|x| x as usize)
                .collect();
            for (l, &x) in vars.iter().enumerate() {
                if place[x].replace((p, l)).is_some() {
                    return Err(malformed("a variable in two parts"));
                }
            }
            let local: Vec<u32> = vars.iter().map(|&x| sizes[x]).collect();
            parts.push(Part {
                diagram: Diagram::read(r, &local)?,
                vars,
            });
        }
        Ok(Forest {
            parts,
            place,
            sizes,
            empty,
        })
    }

    /// Nodes in all parts.
    pub fn nodes(&self) -> usize {
        self.parts.iter().map(|p| p.diagram.nodes()).sum()
    }

    pub fn parts(&self) -> usize {
        self.parts.len()
    }

    /// What one pass over every part touches (see [`Diagram::work`]).
    pub fn work(&self) -> usize {
        self.parts.iter().map(|p| p.diagram.work()).sum()
    }

    fn local(&self, part: &Part, fixed: &[Option<u32>]) -> Vec<Option<u32>> {
        part.vars.iter().map(|&x| fixed[x]).collect()
    }

    pub fn consistent(&self, fixed: &[Option<u32>]) -> bool {
        !self.empty
            && self
                .parts
                .iter()
                .all(|p| p.diagram.consistent(&self.local(p, fixed)))
    }

    /// The number of valid configurations keeping the fixed values.
    pub fn count(&self, fixed: &[Option<u32>]) -> BigUint {
        if self.empty {
            return BigUint::from(0u32);
        }
        let mut total = BigUint::from(1u32);
        for p in &self.parts {
            total *= p.diagram.count(&self.local(p, fixed));
        }
        for x in (0..self.sizes.len()).filter(|&x| self.place[x].is_none() && fixed[x].is_none()) {
            total *= self.sizes[x];
        }
        total
    }

    /// Valid values and price bounds (see [`Diagram::analyse`]), combined
    /// over the parts.
    pub fn analyse(&self, fixed: &[Option<u32>], prices: &[Vec<i64>]) -> Analysis {
        let n = self.sizes.len();
        let mut valid: Vec<Vec<bool>> = self
            .sizes
            .iter()
            .map(|&s| vec![false; s as usize])
            .collect();
        let mut min: Vec<Vec<Option<i64>>> =
            self.sizes.iter().map(|&s| vec![None; s as usize]).collect();
        let mut max = min.clone();
        if self.empty {
            return Analysis {
                consistent: false,
                valid,
                min,
                max,
                total_min: None,
                total_max: None,
            };
        }
        let analyses: Vec<Analysis> = self
            .parts
            .iter()
            .map(|p| {
                let local_prices: Vec<Vec<i64>> =
                    p.vars.iter().map(|&x| prices[x].clone()).collect();
                p.diagram.analyse(&self.local(p, fixed), &local_prices)
            })
            .collect();
        // Free variables: the cheapest and dearest allowed value.
        let allowed = |x: usize, v: usize| fixed[x].is_none_or(|f| f as usize == v);
        let mut free_min = 0i64;
        let mut free_max = 0i64;
        for x in (0..n).filter(|&x| self.place[x].is_none()) {
            let vals = (0..self.sizes[x] as usize).filter(|&v| allowed(x, v));
            free_min += vals.clone().map(|v| prices[x][v]).min().unwrap_or(0);
            free_max += vals.map(|v| prices[x][v]).max().unwrap_or(0);
        }
        let bad: Vec<usize> = (0..self.parts.len())
            .filter(|&i| !analyses[i].consistent)
            .collect();
        let sum_min: i64 = analyses.iter().filter_map(|a| a.total_min).sum::<i64>() + free_min;
        let sum_max: i64 = analyses.iter().filter_map(|a| a.total_max).sum::<i64>() + free_max;
        let consistent = bad.is_empty();
        // A part's values are valid only if every other part is consistent.
        for (i, (part, a)) in self.parts.iter().zip(&analyses).enumerate() {
            if bad.iter().any(|&b| b != i) {
                continue;
            }
            let (rest_min, rest_max) = (
                sum_min - a.total_min.unwrap_or(0),
                sum_max - a.total_max.unwrap_or(0),
            );
            for (local, &x) in part.vars.iter().enumerate() {
                valid[x].clone_from(&a.valid[local]);
                min[x] = a.min[local]
                    .iter()
                    .map(|m| m.map(|m| m + rest_min))
                    .collect();
                max[x] = a.max[local]
                    .iter()
                    .map(|m| m.map(|m| m + rest_max))
                    .collect();
            }
        }
        if consistent {
            for x in (0..n).filter(|&x| self.place[x].is_none()) {
                let vals = (0..self.sizes[x] as usize).filter(|&v| allowed(x, v));
                let lo = vals.clone().map(|v| prices[x][v]).min().unwrap_or(0);
                let hi = vals.map(|v| prices[x][v]).max().unwrap_or(0);
                for v in 0..self.sizes[x] as usize {
                    valid[x][v] = true;
                    min[x][v] = Some(sum_min - lo + prices[x][v]);
                    max[x][v] = Some(sum_max - hi + prices[x][v]);
                }
            }
        }
        let (total_min, total_max) = if consistent {
            (Some(sum_min), Some(sum_max))
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

    /// See [`Diagram::minimal_conflict`]; QuickXplain over all parts.
    pub fn minimal_conflict(
        &self,
        fixed: &[Option<u32>],
        candidates: &[usize],
        var: usize,
        value: u32,
    ) -> Vec<usize> {
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
        let mut result = quickxplain(
            &|f: &[Option<u32>]| self.consistent(f),
            &with,
            &[],
            false,
            candidates,
        );
        result.sort_by_key(|c| candidates.iter().position(|x| x == c));
        result
    }

    /// See [`Diagram::minimal_diagnosis`]: the parts are independent, so
    /// the best overall set is the union of each part's best set.
    pub fn minimal_diagnosis(
        &self,
        fixed: &[Option<u32>],
        rank: &[Option<usize>],
        var: usize,
        value: u32,
    ) -> Option<Vec<usize>> {
        if self.empty {
            return None;
        }
        let mut dropped = Vec::new();
        for (i, p) in self.parts.iter().enumerate() {
            let local_fixed = self.local(p, fixed);
            let local_rank: Vec<Option<usize>> = p.vars.iter().map(|&x| rank[x]).collect();
            let target = self.place[var]
                .filter(|(part, _)| *part == i)
                .map(|(_, l)| (l, value));
            if target.is_none() && p.diagram.consistent(&local_fixed) {
                continue;
            }
            let local = p
                .diagram
                .minimal_diagnosis(&local_fixed, &local_rank, target)?;
            dropped.extend(local.into_iter().map(|l| p.vars[l]));
        }
        dropped.sort_unstable();
        Some(dropped)
    }
}

/// QuickXplain (Junker 2004) with a consistency oracle: the preferred
/// minimal conflict among `c` (earlier elements are kept preferably).
fn quickxplain(
    consistent: &dyn Fn(&[Option<u32>]) -> bool,
    with: &dyn Fn(&[usize]) -> Vec<Option<u32>>,
    b: &[usize],
    delta: bool,
    c: &[usize],
) -> Vec<usize> {
    if delta && !consistent(&with(b)) {
        return Vec::new();
    }
    if c.len() <= 1 {
        return c.to_vec();
    }
    let (c1, c2) = c.split_at(c.len() / 2);
    let b1: Vec<usize> = b.iter().chain(c1).copied().collect();
    let d2 = quickxplain(consistent, with, &b1, !c1.is_empty(), c2);
    let b2: Vec<usize> = b.iter().chain(&d2).copied().collect();
    let d1 = quickxplain(consistent, with, &b2, !d2.is_empty(), c1);
    d1.into_iter().chain(d2).collect()
}

/// Unit propagation over the clauses: values forced by unit clauses are
/// applied (satisfied clauses dropped, false literals removed) and kept as
/// unit clauses. Tables and linear rules pass unchanged. `None` when a
/// clause becomes empty: the problem has no solution.
fn propagate(problem: &Problem) -> Option<Vec<Constraint>> {
    let n = problem.vars.len();
    let mut value: Vec<Option<bool>> = vec![None; n];
    loop {
        let mut changed = false;
        for c in &problem.constraints {
            let Constraint::Clause(lits) = c else {
                continue;
            };
            if lits.iter().any(|l| value[l.var] == Some(l.positive)) {
                continue;
            }
            let mut open = lits.iter().filter(|l| value[l.var].is_none());
            match (open.next(), open.next()) {
                (None, _) => return None,
                (Some(l), None) => {
                    value[l.var] = Some(l.positive);
                    changed = true;
                }
                _ => {}
            }
        }
        if !changed {
            break;
        }
    }
    let mut out = Vec::with_capacity(problem.constraints.len());
    for c in &problem.constraints {
        match c {
            Constraint::Clause(lits) => {
                if lits.iter().any(|l| value[l.var] == Some(l.positive)) {
                    continue;
                }
                out.push(Constraint::Clause(
                    lits.iter()
                        .copied()
                        .filter(|l| value[l.var].is_none())
                        .collect(),
                ));
            }
            other => out.push(other.clone()),
        }
    }
    for (var, v) in value.iter().enumerate() {
        if let Some(positive) = v {
            out.push(Constraint::Clause(vec![Lit {
                var,
                positive: *positive,
            }]));
        }
    }
    Some(out)
}

fn relabel(c: &Constraint, local: impl Fn(usize) -> usize) -> Constraint {
    match c {
        Constraint::Clause(lits) => Constraint::Clause(
            lits.iter()
                .map(|l| Lit {
                    var: local(l.var),
                    positive: l.positive,
                })
                .collect(),
        ),
        Constraint::Table {
            vars,
            tuples,
            allowed,
        } => Constraint::Table {
            vars: vars.iter().map(|&x| local(x)).collect(),
            tuples: tuples.clone(),
            allowed: *allowed,
        },
        Constraint::Linear { terms, min, max } => Constraint::Linear {
            terms: terms.iter().map(|(x, c)| (local(*x), c.clone())).collect(),
            min: *min,
            max: *max,
        },
    }
}
