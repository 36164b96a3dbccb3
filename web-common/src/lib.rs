//! What Tailor's two browser apps (the customer portal and the shop's
//! console) share, so that neither carries the other's code: JSON over the
//! browser's `fetch`, and the language with its switch.

pub mod fetch;
pub mod locale;
