//! Components: the open variables linked by constraints that are not yet
//! entailed, found anew at each step of the search (constraints are live in
//! one visit when stamped with its epoch).

use super::Search;
use super::propagate::State;

/// A component of open variables: `arena[vars]`, its live constraints
/// `cons[cons]`, the variable to branch on, and whether any constraint links
/// it (else it is a single variable free to take any remaining value).
#[derive(Clone, Copy, Debug)]
pub(super) struct Sub {
    pub(super) vars: (usize, usize),
    pub(super) cons: (usize, usize),
    pub(super) branch: usize,
    pub(super) linked: bool,
}

impl State {
    pub(super) fn next_epoch(&mut self) {
        if self.epoch == u32::MAX {
            self.var_seen.fill(0);
            self.con_seen.fill(0);
            self.con_live.fill(0);
            self.epoch = 0;
        }
        self.epoch += 1;
    }

    /// Whether constraint `c` holds however its open variables are set
    /// (at a propagation fixpoint).
    pub(super) fn entailed(&self, s: &Search, c: usize) -> bool {
        let clauses = s.cstart.len() - 1;
        if c < clauses {
            let (a, b) = (s.cstart[c] as usize, s.cstart[c + 1] as usize);
            return self.lits[a..b].iter().any(|&l| self.is_true(s, l as usize));
        }
        let mut open = 0;
        let mut check = |x: u32| {
            if self.size[x as usize] > 1 {
                open += 1;
            }
        };
        match s.tables.get(c - clauses) {
            Some(t) => t.vars.iter().for_each(|&x| check(x)),
            None => s.linears[c - clauses - s.tables.len()].terms.iter().for_each(|&(x, _)| check(x)),
        }
        open <= 1
    }

    /// Adds the open variables of constraint `c` not yet seen to `vars`.
    pub(super) fn add_scope(&mut self, s: &Search, c: usize, vars: &mut Vec<usize>) {
        let clauses = s.cstart.len() - 1;
        let mut add = |st: &mut State, x: usize| {
            if st.size[x] > 1 && st.var_seen[x] != st.epoch {
                st.var_seen[x] = st.epoch;
                vars.push(x);
            }
        };
        if c < clauses {
            for k in s.cstart[c] as usize..s.cstart[c + 1] as usize {
                add(self, Self::var_of(s, self.lits[k] as usize));
            }
        } else if let Some(t) = s.tables.get(c - clauses) {
            for &x in &t.vars {
                add(self, x as usize);
            }
        } else {
            for &(x, _) in &s.linears[c - clauses - s.tables.len()].terms {
                add(self, x as usize);
            }
        }
    }

    /// Appends the component of open variable `x` to `vars` and its live
    /// constraints to `cons`; returns whether any constraint links it and
    /// the variable to branch on (the linked one of highest priority).
    fn grow(&mut self, s: &Search, x: usize, vars: &mut Vec<usize>) -> (bool, usize) {
        let mut i = vars.len();
        self.var_seen[x] = self.epoch;
        vars.push(x);
        let (mut best, mut best_degree) = (x, 0);
        while i < vars.len() {
            let y = vars[i];
            i += 1;
            let mut degree = 0;
            for &z in &s.pairs[y] {
                let z = z as usize;
                if self.size[z] > 1 {
                    degree += 1;
                    if self.var_seen[z] != self.epoch {
                        self.var_seen[z] = self.epoch;
                        vars.push(z);
                    }
                }
            }
            for &c in &s.touch[y] {
                let c = c as usize;
                if self.con_seen[c] != self.epoch {
                    self.con_seen[c] = self.epoch;
                    if !self.entailed(s, c) {
                        self.con_live[c] = self.epoch;
                        self.cons.push(c as u32);
                        self.add_scope(s, c, vars);
                    }
                }
                if self.con_live[c] == self.epoch {
                    degree += 1;
                }
            }
            if degree > 0 && (best_degree == 0 || s.priority[y] > s.priority[best]) {
                best = y;
                best_degree = degree;
            }
        }
        (best_degree > 0, best)
    }

    /// Splits the open variables among `arena[from..to]` (sorted) into
    /// components, pushed on `subs`, each listing its variables sorted.
    pub(super) fn split(&mut self, s: &Search, (from, to): (usize, usize)) {
        self.next_epoch();
        let first = self.subs.len();
        let mut arena = std::mem::take(&mut self.arena);
        for i in from..to {
            let y = arena[i];
            if self.size[y] > 1 && self.var_seen[y] != self.epoch {
                let (start, cons) = (arena.len(), self.cons.len());
                let (linked, branch) = self.grow(s, y, &mut arena);
                for &z in &arena[start..] {
                    self.flag_comp[z] = (self.subs.len() - first) as u32;
                }
                self.subs.push(Sub { vars: (start, arena.len()), cons: (cons, self.cons.len()), branch, linked });
            }
        }
        // Rewrite each component's variables in the parent's (sorted) order.
        if self.subs.len() - first > 0 {
            let mut cursor: Vec<usize> = self.subs[first..].iter().map(|sub| sub.vars.0).collect();
            for i in from..to {
                let y = arena[i];
                if self.size[y] > 1 {
                    let c = self.flag_comp[y] as usize;
                    arena[cursor[c]] = y;
                    cursor[c] += 1;
                }
            }
        }
        self.arena = arena;
    }

    /// Clears the search stacks and splits the open variables among `vars`
    /// into components: `subs[..returned count]`.
    pub(super) fn open_components(&mut self, s: &Search, vars: &[usize]) -> usize {
        self.arena.clear();
        self.cons.clear();
        self.subs.clear();
        self.arena.extend(vars.iter().copied().filter(|&y| self.size[y] > 1));
        self.arena.sort_unstable();
        self.split(s, (0, self.arena.len()));
        self.subs.len()
    }

    /// The component of open variable `x` (just `x` when it is decided).
    pub(super) fn region_of(&mut self, s: &Search, x: usize) -> Vec<usize> {
        self.next_epoch();
        let mut vars = Vec::new();
        let cons = self.cons.len();
        self.grow(s, x, &mut vars);
        self.cons.truncate(cons);
        vars
    }
}
