//! The HTTP edge every route shares: problem-details errors, the JSON body
//! extractor, the visitor's session cookie and privacy signal, and bearer
//! credentials. Routes take these as extractors instead of reading headers
//! and bytes themselves.
//!
//! Depends on nothing else in the server (only on axum and the secrets
//! module for digests); everything above may depend on it.

mod bearer;
pub mod guard;
mod json;
mod problem;
mod visitor;

pub use bearer::Bearer;
pub use json::{JsonBody, JsonBytes, JsonContent, require_json};
pub use problem::Problem;
pub use visitor::{CODE_COOKIE, COOKIE, SESSION_IDLE_SECONDS, SESSION_SECONDS, ClientLimits, Gate, Visitor, clear_code_cookie, clear_session_cookie, code_cookie, cookie, cookie_digest, session_cookie, with_session};

/// The largest request body accepted, in bytes.
pub const BODY_LIMIT: usize = 64 * 1024;
