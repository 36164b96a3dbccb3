//! Talking to the server: the shared JSON helpers over `fetch`
//! (`tailor_web_common::fetch`), and where order access tokens are kept.

pub use tailor_web_common::fetch::*;

/// Where order access tokens are kept, so the status page can read the order.
pub fn remember_token(order_id: &str, token: &str) {
    if let Some(s) = web_sys::window().and_then(|w| w.local_storage().ok().flatten()) {
        let _ = s.set_item(&format!("tailor.order.{order_id}"), token);
    }
}

pub fn token_for(order_id: &str) -> Option<String> {
    web_sys::window()
        .and_then(|w| w.local_storage().ok().flatten())
        .and_then(|s| s.get_item(&format!("tailor.order.{order_id}")).ok().flatten())
}

