//! The engine's internal form of every configuration problem: variables with
//! finite domains and constraints over them. Product models, XCSP files and
//! DIMACS files are all turned into a [`Problem`]; the solvers work on this
//! form only.

/// A finite-domain constraint problem.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Problem {
    pub vars: Vec<Var>,
    pub constraints: Vec<Constraint>,
}

/// A variable; its values are indices `0..values.len()`.
#[derive(Clone, Debug, PartialEq)]
pub struct Var {
    /// The name users and files know it by (`v12`, an attribute id, a DIMACS
    /// variable number).
    pub name: String,
    /// The value names, in index order (`"-1"`, `"0"`, ...; `"0"`/`"1"` for
    /// Boolean variables, where index 1 is true).
    pub values: Vec<String>,
}

impl Var {
    pub fn boolean(name: impl Into<String>) -> Var {
        Var { name: name.into(), values: vec!["0".into(), "1".into()] }
    }
}

/// A literal of a Boolean variable (domain `["0", "1"]`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Lit {
    pub var: usize,
    /// `true` for the variable itself, `false` for its negation.
    pub positive: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Constraint {
    /// Tuples of value indices over `vars` (same order): the only allowed
    /// combinations when `allowed`, else the forbidden ones.
    Table { vars: Vec<usize>, tuples: Vec<Vec<u32>>, allowed: bool },
    /// At least one literal holds. All its variables are Boolean.
    Clause(Vec<Lit>),
    /// `min <= sum of terms <= max`, where a term `(var, coefficients)`
    /// contributes `coefficients[value of var]`.
    Linear { terms: Vec<(usize, Vec<i64>)>, min: i64, max: i64 },
}

impl Constraint {
    /// The variables the constraint mentions (may repeat for clauses).
    pub fn scope(&self) -> Vec<usize> {
        match self {
            Constraint::Table { vars, .. } => vars.clone(),
            Constraint::Clause(lits) => lits.iter().map(|l| l.var).collect(),
            Constraint::Linear { terms, .. } => terms.iter().map(|(v, _)| *v).collect(),
        }
    }

    /// Whether a full assignment (value index per variable) satisfies it.
    pub fn holds(&self, values: &[u32]) -> bool {
        match self {
            Constraint::Table { vars, tuples, allowed } => {
                let found = tuples.iter().any(|t| t.iter().zip(vars).all(|(&v, &x)| values[x] == v));
                found == *allowed
            }
            Constraint::Clause(lits) => lits.iter().any(|l| (values[l.var] == 1) == l.positive),
            Constraint::Linear { terms, min, max } => {
                let sum: i64 = terms.iter().map(|(x, c)| c[values[*x] as usize]).sum();
                (*min..=*max).contains(&sum)
            }
        }
    }
}

impl Problem {
    /// The index of the variable called `name`.
    pub fn var(&self, name: &str) -> Option<usize> {
        self.vars.iter().position(|v| v.name == name)
    }

    /// Whether a full assignment satisfies every constraint.
    pub fn holds(&self, values: &[u32]) -> bool {
        values.len() == self.vars.len() && self.constraints.iter().all(|c| c.holds(values))
    }
}
