//! A customer's configuration session: the choices, the order they were
//! made in (so explanations keep the most recent), free texts, and undo/redo.
//! Plain logic, so the user interface only wires buttons to it.

use std::collections::BTreeMap;

use crate::config::{Choices, Explanation};
use crate::model::Model;

#[derive(Clone, Debug, PartialEq, Eq)]
struct Snapshot {
    choices: Choices,
    order: Vec<usize>,
    texts: BTreeMap<String, String>,
}

/// What choosing an unavailable option would change, for the customer to
/// accept or cancel.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Proposal {
    pub attr: usize,
    pub option: usize,
    pub explanation: Explanation,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Session {
    now: Snapshot,
    past: Vec<Snapshot>,
    future: Vec<Snapshot>,
}

/// How many steps undo remembers.
const HISTORY: usize = 100;

impl Session {
    /// A new configuration at the model's defaults.
    pub fn new(model: &Model) -> Session {
        Session::from_choices(Choices::defaults(model))
    }

    /// A session starting from given choices (a shared code, an order again).
    pub fn from_choices(choices: Choices) -> Session {
        Session { now: Snapshot { choices, order: Vec::new(), texts: BTreeMap::new() }, past: Vec::new(), future: Vec::new() }
    }

    pub fn choices(&self) -> &Choices {
        &self.now.choices
    }

    /// Attributes in the order the customer chose them, oldest first.
    pub fn order(&self) -> &[usize] {
        &self.now.order
    }

    pub fn texts(&self) -> &BTreeMap<String, String> {
        &self.now.texts
    }

    fn record(&mut self, next: Snapshot) {
        if next == self.now {
            return;
        }
        self.past.push(std::mem::replace(&mut self.now, next));
        if self.past.len() > HISTORY {
            self.past.remove(0);
        }
        self.future.clear();
    }

    fn touched(order: &[usize], attr: usize) -> Vec<usize> {
        let mut order: Vec<usize> = order.iter().copied().filter(|&a| a != attr).collect();
        order.push(attr);
        order
    }

    /// Chooses `option` for `attr`. An unavailable option is not chosen:
    /// the proposal says what would have to give way.
    pub fn choose(&mut self, model: &Model, attr: usize, option: usize) -> Result<(), Proposal> {
        let eval = model.evaluate(&self.now.choices);
        if !eval.attributes[attr].available[option] {
            let explanation = model.explain(&self.now.choices, &self.now.order, attr, option);
            return Err(Proposal { attr, option, explanation });
        }
        let mut next = self.now.clone();
        next.choices.0[attr] = Some(option);
        next.order = Session::touched(&next.order, attr);
        self.record(next);
        Ok(())
    }

    /// Applies a proposal: gives up its choices and makes its choice.
    /// `false` if nothing makes the option possible.
    pub fn accept(&mut self, model: &Model, proposal: &Proposal) -> bool {
        let Some((choices, dropped)) = model.choose_anyway(&self.now.choices, &self.now.order, proposal.attr, proposal.option) else {
            return false;
        };
        let mut next = self.now.clone();
        next.choices = choices;
        next.order = Session::touched(&next.order, proposal.attr).into_iter().filter(|a| !dropped.contains(a)).collect();
        self.record(next);
        true
    }

    /// Leaves `attr` open again.
    pub fn clear(&mut self, attr: usize) {
        let mut next = self.now.clone();
        next.choices.0[attr] = None;
        next.order.retain(|&a| a != attr);
        self.record(next);
    }

    /// Sets (or, when empty, removes) a free text.
    pub fn set_text(&mut self, id: &str, value: &str) {
        let mut next = self.now.clone();
        if value.is_empty() {
            next.texts.remove(id);
        } else {
            next.texts.insert(id.to_string(), value.to_string());
        }
        self.record(next);
    }

    /// Replaces every choice (say, with a completion or a fit recommendation).
    pub fn set_choices(&mut self, choices: Choices) {
        let mut next = self.now.clone();
        let changed: Vec<usize> = (0..choices.0.len()).filter(|&a| choices.0[a] != next.choices.0[a]).collect();
        for a in changed {
            next.order = Session::touched(&next.order, a);
        }
        next.order.retain(|&a| choices.0[a].is_some());
        next.choices = choices;
        self.record(next);
    }

    /// Fills in choices the customer has not made (say, "complete the rest
    /// as most customers do"): the customer's own choices stay theirs, the
    /// filled ones are not counted as decided. Undo takes it back.
    pub fn fill(&mut self, choices: Choices) {
        let mut next = self.now.clone();
        next.order.retain(|&a| choices.0.get(a).is_some_and(|o| o.is_some() && *o == next.choices.0[a]));
        next.choices = choices;
        self.record(next);
    }

    pub fn can_undo(&self) -> bool {
        !self.past.is_empty()
    }

    pub fn can_redo(&self) -> bool {
        !self.future.is_empty()
    }

    pub fn undo(&mut self) {
        if let Some(prev) = self.past.pop() {
            self.future.push(std::mem::replace(&mut self.now, prev));
        }
    }

    pub fn redo(&mut self) {
        if let Some(next) = self.future.pop() {
            self.past.push(std::mem::replace(&mut self.now, next));
        }
    }

    /// Back to the defaults; undo brings the old configuration back.
    pub fn start_over(&mut self, model: &Model) {
        let next = Snapshot { choices: Choices::defaults(model), order: Vec::new(), texts: BTreeMap::new() };
        self.record(next);
    }
}
