//! `Authorization: Bearer ...` credentials (order tokens, staff and partner
//! keys).

use axum::extract::{FromRequestParts, OptionalFromRequestParts};
use axum::http::request::Parts;
use axum_extra::TypedHeader;
use axum_extra::headers::Authorization;
use axum_extra::headers::authorization::Bearer as BearerScheme;

/// The bearer credential of a request, if it sent one; each route says
/// what is missing in its own words.
pub struct Bearer(pub Option<String>);

impl<S: Send + Sync> FromRequestParts<S> for Bearer {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let header = <TypedHeader<Authorization<BearerScheme>> as OptionalFromRequestParts<S>>::from_request_parts(parts, state).await;
        Ok(Bearer(header.ok().flatten().map(|TypedHeader(Authorization(b))| b.token().to_string())))
    }
}

impl Bearer {
    /// The credential, or the route's refusal.
    pub fn or(self, missing: impl FnOnce() -> super::Problem) -> Result<String, super::Problem> {
        self.0.ok_or_else(missing)
    }
}
