//! Errors as problem-details JSON (RFC 9457).

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// A refusal the client can read: `type` is a stable URI naming the kind of
/// problem, `detail` says what exactly is wrong with this request.
#[derive(Debug, Serialize)]
pub struct Problem {
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// Extra machine-readable facts (the failed rule, the missing attributes, ...).
    #[serde(flatten, skip_serializing_if = "serde_json::Map::is_empty")]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

impl Problem {
    pub fn new(status: StatusCode, kind: &str, title: &str, detail: impl Into<String>) -> Problem {
        Problem {
            kind: format!("/problems/{kind}"),
            title: title.to_string(),
            status: status.as_u16(),
            detail: detail.into(),
            extra: serde_json::Map::new(),
        }
    }

    pub fn with(mut self, key: &str, value: impl Serialize) -> Problem {
        self.extra.insert(key.to_string(), serde_json::to_value(value).unwrap_or_default());
        self
    }

    /// A refusal to be tried again after `seconds`: the `retry_after`
    /// member, and the `Retry-After` header.
    pub fn retry_after(self, seconds: u64) -> Problem {
        self.with("retry_after", seconds)
    }

    pub fn internal() -> Problem {
        Problem::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "Internal error",
            "The server could not complete the request; nothing was stored. Please try again.",
        )
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = serde_json::to_vec(&self).unwrap_or_default();
        let mut response = (status, body).into_response();
        response
            .headers_mut()
            .insert(header::CONTENT_TYPE, HeaderValue::from_static("application/problem+json"));
        if let Some(seconds) = self.extra.get("retry_after").and_then(serde_json::Value::as_u64) {
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}

/// A store failure: logged here (without the request's data), answered as
/// an internal error that says nothing was stored.
impl From<crate::store::StoreError> for Problem {
    fn from(e: crate::store::StoreError) -> Problem {
        if let crate::store::StoreError::Unavailable(_) = e {
            // A failover or restart: the client (the browser's outbox, a
            // partner's retry) sends the same request again.
            tracing::warn!(error = %e, "the store is unavailable");
            return Problem::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "store-unavailable",
                "Try again in a moment",
                "The server cannot reach its database just now; nothing was stored. Send the same request again in a moment.",
            )
            .retry_after(1);
        }
        tracing::error!(error = %e, "the store failed");
        Problem::internal()
    }
}
