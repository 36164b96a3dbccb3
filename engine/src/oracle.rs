//! Two more exact counters, independent of the engine's: they share no code
//! with the decision diagrams (`mdd/`) or the search (`search/`) — only the
//! [`Problem`] all of them read — so when they agree on a model's count,
//! neither is likely to be wrong the same way. They exist to check the
//! engine (`tailor-engine count --oracle elimination|components`, tests);
//! they answer no click.
//!
//! [`count`]: variable elimination. Each constraint becomes a factor (the
//! assignments of its scope it allows, each counted once); variables are
//! summed out one at a time, the one whose elimination adds the fewest
//! links between the rest first (min fill: a greedy tree decomposition), by
//! joining every factor that mentions it and dropping it from the result.
//! Sparse factors keep tight product tables small.
//!
//! [`count_by_search`]: backtracking over the same tables with generalised
//! arc consistency, splitting the open variables into independent parts and
//! counting each part once per assignment around it (component caching, as
//! #SAT counters do). It handles the linked lines whose decompositions are
//! too wide for elimination.
//!
//! Written here rather than taken from a crate: no maintained Rust model
//! counter fits, and an oracle is only worth having if it is small enough to
//! read whole.

use std::collections::{HashMap, HashSet};

use crate::problem::{Constraint, Problem};

/// The largest number of assignments a constraint that is not a table of
/// allowed tuples (a clause, a linear rule, forbidden tuples) is enumerated
/// over, and the largest join kept.
pub const MAX_ROWS: usize = 1 << 24;

/// A function from assignments of `scope` (sorted variable indices) to
/// counts; assignments not listed count 0.
#[derive(Clone, Debug)]
struct Factor {
    scope: Vec<usize>,
    rows: HashMap<Vec<u32>, u128>,
}

/// Why the counter gave up.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OracleError {
    /// A constraint's or a join's table would pass [`MAX_ROWS`].
    TooWide { vars: usize, rows: u128 },
    /// The count passes `u128`.
    Overflow,
}

impl std::fmt::Display for OracleError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            OracleError::TooWide { vars, rows } => {
                write!(f, "a table over {vars} variables would hold {rows} rows (at most {MAX_ROWS})")
            }
            OracleError::Overflow => write!(f, "the count does not fit in 128 bits"),
        }
    }
}

impl std::error::Error for OracleError {}

/// The number of assignments of every variable of `problem` that satisfy
/// every constraint, by variable elimination.
pub fn count(problem: &Problem) -> Result<u128, OracleError> {
    let sizes: Vec<usize> = problem.vars.iter().map(|v| v.values.len()).collect();
    let mut factors = Vec::with_capacity(problem.constraints.len());
    for c in &problem.constraints {
        factors.push(factor_of(c, &sizes)?);
    }
    let mut total: u128 = 1;
    let n = sizes.len();
    let mut remaining: Vec<bool> = vec![true; n];
    // The primal graph (variables that share a factor are neighbours), kept
    // as factors are joined: eliminating a variable links its neighbours.
    let mut adjacent = vec![vec![false; n]; n];
    for f in &factors {
        for &x in &f.scope {
            for &y in &f.scope {
                adjacent[x][y] = x != y;
            }
        }
    }
    for _ in 0..n {
        // The next variable: the fewest links its elimination adds (min
        // fill), then the fewest neighbours.
        let mut best: Option<(usize, usize, usize)> = None;
        for x in (0..n).filter(|&x| remaining[x]) {
            let neighbours: Vec<usize> = (0..n).filter(|&y| remaining[y] && adjacent[x][y]).collect();
            let mut fill = 0;
            for (i, &a) in neighbours.iter().enumerate() {
                fill += neighbours[i + 1..].iter().filter(|&&b| !adjacent[a][b]).count();
            }
            let key = (fill, neighbours.len(), x);
            if best.is_none_or(|b| key < b) {
                best = Some(key);
            }
            if fill == 0 && neighbours.is_empty() {
                break;
            }
        }
        let Some((_, _, var)) = best else { break };
        remaining[var] = false;
        let neighbours: Vec<usize> = (0..n).filter(|&y| remaining[y] && adjacent[var][y]).collect();
        for &a in &neighbours {
            for &b in &neighbours {
                adjacent[a][b] = a != b;
            }
        }
        let (with, without): (Vec<Factor>, Vec<Factor>) = factors.into_iter().partition(|f| f.scope.contains(&var));
        factors = without;
        if with.is_empty() {
            total = total.checked_mul(sizes[var] as u128).ok_or(OracleError::Overflow)?;
            continue;
        }
        let mut with = with;
        with.sort_by_key(|f| f.rows.len());
        let mut joined = with.remove(0);
        for f in &with {
            joined = join(&joined, f)?;
        }
        let summed = sum_out(&joined, var)?;
        if summed.scope.is_empty() {
            let c = summed.rows.get(&Vec::new()).copied().unwrap_or(0);
            total = total.checked_mul(c).ok_or(OracleError::Overflow)?;
        } else {
            factors.push(summed);
        }
        if total == 0 {
            return Ok(0);
        }
    }
    Ok(total)
}

/// The same number by a second method: backtracking search that splits the
/// open variables into independent parts and counts each part once per
/// assignment of its boundary (component caching, as #SAT counters do), with
/// generalised arc consistency over the tables at each step. It suits
/// models whose tree decomposition is too wide for [`count`] but whose
/// constraints are tight.
pub fn count_by_search(problem: &Problem) -> Result<u128, OracleError> {
    let sizes: Vec<usize> = problem.vars.iter().map(|v| v.values.len()).collect();
    let mut tables = Vec::with_capacity(problem.constraints.len());
    for c in &problem.constraints {
        let f = factor_of(c, &sizes)?;
        tables.push((f.scope, f.rows.into_keys().collect::<Vec<Vec<u32>>>()));
    }
    let mut of_var = vec![Vec::new(); sizes.len()];
    for (i, (scope, _)) in tables.iter().enumerate() {
        for &x in scope {
            of_var[x].push(i);
        }
    }
    let search = Components { tables, of_var, cache: HashMap::new() };
    let mut domains: Vec<Vec<bool>> = sizes.iter().map(|&k| vec![true; k]).collect();
    let mut search = search;
    if !search.propagate(&mut domains, (0..search.tables.len()).collect()) {
        return Ok(0);
    }
    let open: Vec<usize> = (0..sizes.len()).filter(|&x| open(&domains[x])).collect();
    let mut total: u128 = 1;
    for part in search.parts(&open, &domains) {
        let n = search.count(&part, &domains)?;
        total = total.checked_mul(n).ok_or(OracleError::Overflow)?;
    }
    Ok(total)
}

fn open(domain: &[bool]) -> bool {
    domain.iter().filter(|&&b| b).count() > 1
}

struct Components {
    tables: Vec<(Vec<usize>, Vec<Vec<u32>>)>,
    of_var: Vec<Vec<usize>>,
    cache: HashMap<Vec<u32>, u128>,
}

impl Components {
    /// Generalised arc consistency: drops every value without a supporting
    /// row in some table, until nothing changes; false when a domain or a
    /// table empties.
    fn propagate(&self, domains: &mut [Vec<bool>], mut queue: Vec<usize>) -> bool {
        let mut queued = vec![false; self.tables.len()];
        for &t in &queue {
            queued[t] = true;
        }
        while let Some(t) = queue.pop() {
            queued[t] = false;
            let (scope, rows) = &self.tables[t];
            let mut supported: Vec<Vec<bool>> = scope.iter().map(|&x| vec![false; domains[x].len()]).collect();
            let mut any = false;
            for row in rows {
                if row.iter().zip(scope).all(|(&v, &x)| domains[x][v as usize]) {
                    any = true;
                    for (i, &v) in row.iter().enumerate() {
                        supported[i][v as usize] = true;
                    }
                }
            }
            if !any {
                return false;
            }
            for (i, &x) in scope.iter().enumerate() {
                let mut changed = false;
                for v in 0..domains[x].len() {
                    if domains[x][v] && !supported[i][v] {
                        domains[x][v] = false;
                        changed = true;
                    }
                }
                if changed {
                    for &u in &self.of_var[x] {
                        if u != t && !queued[u] {
                            queued[u] = true;
                            queue.push(u);
                        }
                    }
                }
            }
        }
        true
    }

    /// The open variables of `vars` split into parts no table links.
    fn parts(&self, vars: &[usize], domains: &[Vec<bool>]) -> Vec<Vec<usize>> {
        let mut seen: HashSet<usize> = HashSet::new();
        let mut parts = Vec::new();
        for &start in vars {
            if !open(&domains[start]) || seen.contains(&start) {
                continue;
            }
            seen.insert(start);
            let mut part = vec![start];
            let mut i = 0;
            while i < part.len() {
                let x = part[i];
                i += 1;
                for &t in &self.of_var[x] {
                    for &y in &self.tables[t].0 {
                        if open(&domains[y]) && seen.insert(y) {
                            part.push(y);
                        }
                    }
                }
            }
            part.sort_unstable();
            parts.push(part);
        }
        parts
    }

    /// The assignments of the open variables `part` (within their domains)
    /// that every table touching them allows, the other variables of those
    /// tables being fixed.
    fn count(&mut self, part: &[usize], domains: &[Vec<bool>]) -> Result<u128, OracleError> {
        // The key: the part, its domains, and the fixed values around it.
        let mut key: Vec<u32> = Vec::new();
        let mut around: Vec<usize> = Vec::new();
        for &x in part {
            key.push(x as u32);
            key.extend(domains[x].iter().map(|&b| b as u32));
            for &t in &self.of_var[x] {
                around.extend(self.tables[t].0.iter().copied().filter(|&y| !open(&domains[y])));
            }
        }
        around.sort_unstable();
        around.dedup();
        key.push(u32::MAX);
        for y in around {
            key.push(y as u32);
            key.push(domains[y].iter().position(|&b| b).unwrap_or(0) as u32);
        }
        if let Some(&n) = self.cache.get(&key) {
            return Ok(n);
        }
        // Branch on the variable in the most tables.
        let &var = part.iter().max_by_key(|&&x| (self.of_var[x].len(), usize::MAX - x)).expect("a part is not empty");
        let mut total: u128 = 0;
        for v in 0..domains[var].len() {
            if !domains[var][v] {
                continue;
            }
            let mut d = domains.to_vec();
            d[var] = vec![false; d[var].len()];
            d[var][v] = true;
            if !self.propagate(&mut d, self.of_var[var].clone()) {
                continue;
            }
            let mut n: u128 = 1;
            for p in self.parts(part, &d) {
                n = n.checked_mul(self.count(&p, &d)?).ok_or(OracleError::Overflow)?;
                if n == 0 {
                    break;
                }
            }
            total = total.checked_add(n).ok_or(OracleError::Overflow)?;
        }
        self.cache.insert(key, total);
        Ok(total)
    }
}

/// The assignments of a constraint's scope that it allows.
fn factor_of(c: &Constraint, sizes: &[usize]) -> Result<Factor, OracleError> {
    let mut scope = c.scope();
    scope.sort_unstable();
    scope.dedup();
    let at = |x: usize| scope.binary_search(&x).expect("in scope");
    let mut rows = HashMap::new();
    if let Constraint::Table { vars, tuples, allowed: true } = c {
        'tuples: for t in tuples {
            let mut row = vec![u32::MAX; scope.len()];
            for (&x, &v) in vars.iter().zip(t) {
                if v as usize >= sizes[x] {
                    continue 'tuples;
                }
                let i = at(x);
                // A variable listed twice must take one value.
                if row[i] != u32::MAX && row[i] != v {
                    continue 'tuples;
                }
                row[i] = v;
            }
            // A tuple shorter than the scope leaves the rest open: one row
            // per value of each position it does not reach.
            let open: Vec<usize> = (0..scope.len()).filter(|&i| row[i] == u32::MAX).collect();
            let more = open.iter().map(|&i| sizes[scope[i]] as u128).product::<u128>();
            if rows.len() as u128 + more > MAX_ROWS as u128 {
                return Err(OracleError::TooWide { vars: scope.len(), rows: rows.len() as u128 + more });
            }
            let mut expanded = vec![row];
            for &i in &open {
                expanded = expanded
                    .into_iter()
                    .flat_map(|r| {
                        (0..sizes[scope[i]] as u32).map(move |v| {
                            let mut r = r.clone();
                            r[i] = v;
                            r
                        })
                    })
                    .collect();
            }
            rows.extend(expanded.into_iter().map(|r| (r, 1)));
        }
        return Ok(Factor { scope, rows });
    }
    let total = scope.iter().map(|&x| sizes[x] as u128).product::<u128>();
    if total > MAX_ROWS as u128 {
        return Err(OracleError::TooWide { vars: scope.len(), rows: total });
    }
    // Every assignment of the scope, tried on a full assignment whose other
    // variables are never read.
    let mut full = vec![0u32; sizes.len()];
    let mut row = vec![0u32; scope.len()];
    loop {
        for (i, &x) in scope.iter().enumerate() {
            full[x] = row[i];
        }
        if c.holds(&full) {
            rows.insert(row.clone(), 1);
        }
        // The next assignment, as an odometer.
        let mut i = 0;
        loop {
            if i == scope.len() {
                return Ok(Factor { scope, rows });
            }
            row[i] += 1;
            if (row[i] as usize) < sizes[scope[i]] {
                break;
            }
            row[i] = 0;
            i += 1;
        }
    }
}

/// The product of two factors, over the union of their scopes.
fn join(a: &Factor, b: &Factor) -> Result<Factor, OracleError> {
    let mut scope: Vec<usize> = a.scope.iter().chain(&b.scope).copied().collect();
    scope.sort_unstable();
    scope.dedup();
    let shared: Vec<usize> = a.scope.iter().copied().filter(|x| b.scope.contains(x)).collect();
    let pos = |s: &[usize], x: usize| s.binary_search(&x).expect("in scope");
    let a_shared: Vec<usize> = shared.iter().map(|&x| pos(&a.scope, x)).collect();
    let b_shared: Vec<usize> = shared.iter().map(|&x| pos(&b.scope, x)).collect();
    // Where each variable of the result is read from: a's row, else b's.
    let from: Vec<(bool, usize)> = scope
        .iter()
        .map(|&x| match a.scope.binary_search(&x) {
            Ok(i) => (true, i),
            Err(_) => (false, pos(&b.scope, x)),
        })
        .collect();
    let mut by_key: HashMap<Vec<u32>, Vec<(&Vec<u32>, u128)>> = HashMap::new();
    for (row, &n) in &b.rows {
        by_key.entry(b_shared.iter().map(|&i| row[i]).collect()).or_default().push((row, n));
    }
    let mut rows = HashMap::new();
    for (ra, &na) in &a.rows {
        let key: Vec<u32> = a_shared.iter().map(|&i| ra[i]).collect();
        let Some(matches) = by_key.get(&key) else { continue };
        for &(rb, nb) in matches {
            let row: Vec<u32> = from.iter().map(|&(in_a, i)| if in_a { ra[i] } else { rb[i] }).collect();
            let n = na.checked_mul(nb).ok_or(OracleError::Overflow)?;
            let slot = rows.entry(row).or_insert(0u128);
            *slot = slot.checked_add(n).ok_or(OracleError::Overflow)?;
        }
        if rows.len() > MAX_ROWS {
            return Err(OracleError::TooWide { vars: scope.len(), rows: rows.len() as u128 });
        }
    }
    Ok(Factor { scope, rows })
}

/// The factor with `var` summed out.
fn sum_out(f: &Factor, var: usize) -> Result<Factor, OracleError> {
    let i = f.scope.binary_search(&var).expect("in scope");
    let mut scope = f.scope.clone();
    scope.remove(i);
    let mut rows = HashMap::new();
    for (row, &n) in &f.rows {
        let mut r = row.clone();
        r.remove(i);
        let slot = rows.entry(r).or_insert(0u128);
        *slot = slot.checked_add(n).ok_or(OracleError::Overflow)?;
    }
    Ok(Factor { scope, rows })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::problem::Var;
    use crate::search::brute;

    /// The search's brute-force reference and its random problems (clauses,
    /// allowed and forbidden tables with short tuples, linear rules).
    #[test]
    fn agrees_with_enumeration_on_random_problems() {
        let mut rng = crate::bench::Rng::new(0x0DDC_0FFE);
        for case in 0..300 {
            let (n, m) = (1 + rng.below(7), rng.below(6));
            let p = brute::random_problem(&mut rng, n, m);
            let expected = brute::solutions(&p).len() as u128;
            assert_eq!(count(&p), Ok(expected), "case {case}: {p:?}");
            assert_eq!(count_by_search(&p), Ok(expected), "case {case}: {p:?}");
        }
    }

    #[test]
    fn refuses_what_it_cannot_hold() {
        let vars: Vec<Var> = (0..30).map(|i| Var::boolean(format!("b{i}"))).collect();
        let wide = Constraint::Linear { terms: (0..30).map(|x| (x, vec![0, 1])).collect(), min: 0, max: 3 };
        let p = Problem { vars, constraints: vec![wide] };
        assert!(matches!(count(&p), Err(OracleError::TooWide { vars: 30, .. })));
        let vars: Vec<Var> = (0..20).map(|i| Var { name: format!("w{i}"), values: (0..100).map(|v| v.to_string()).collect() }).collect();
        assert_eq!(count(&Problem { vars, constraints: vec![] }), Err(OracleError::Overflow));
    }
}
