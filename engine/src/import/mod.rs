//! Importers: real configuration problems from other formats, turned into a
//! [`crate::problem::Problem`] so they run through the same engine.
