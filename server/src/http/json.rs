//! JSON request bodies: `Content-Type: application/json` required, the body
//! read within [`super::BODY_LIMIT`], every failure a problem-details answer.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use serde::de::DeserializeOwned;

use super::{BODY_LIMIT, Problem};

/// The body as bytes, after the content type was checked (for routes that
/// also need the exact bytes, such as an order's request digest).
pub struct JsonBytes(pub Bytes);

/// A request that says its body is JSON (checked before the other headers
/// a route reads, where the order of refusals matters).
pub struct JsonContent;

impl<S: Send + Sync> FromRequestParts<S> for JsonContent {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Problem> {
        require_json(&parts.headers).map(|()| JsonContent)
    }
}

/// The body parsed as `T` (unknown fields are refused where `T` says so).
pub struct JsonBody<T>(pub T);

/// Refuses a request whose content type is not `application/json`.
pub fn require_json(headers: &HeaderMap) -> Result<(), Problem> {
    let ok = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.split(';').next().unwrap_or("").trim().eq_ignore_ascii_case("application/json"))
        .unwrap_or(false);
    if ok {
        Ok(())
    } else {
        Err(Problem::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported-media-type",
            "JSON expected",
            "Send the body as \"Content-Type: application/json\".",
        ))
    }
}

impl<S: Send + Sync> FromRequest<S> for JsonBytes {
    type Rejection = Problem;

    async fn from_request(req: Request, state: &S) -> Result<Self, Problem> {
        require_json(req.headers())?;
        let body = Bytes::from_request(req, state).await.map_err(|e| {
            if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                Problem::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "body-too-large",
                    "Request too large",
                    format!("A request body may have at most {BODY_LIMIT} bytes."),
                )
            } else {
                Problem::new(StatusCode::BAD_REQUEST, "unreadable-body", "Unreadable body", e.body_text())
            }
        })?;
        Ok(JsonBytes(body))
    }
}

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for JsonBody<T> {
    type Rejection = Problem;

    async fn from_request(req: Request, state: &S) -> Result<Self, Problem> {
        let JsonBytes(body) = JsonBytes::from_request(req, state).await?;
        parse(&body).map(JsonBody)
    }
}

/// Parses a JSON body, refusing it as `malformed-body` with serde's reason.
pub(crate) fn parse<T: DeserializeOwned>(body: &[u8]) -> Result<T, Problem> {
    serde_json::from_slice(body)
        .map_err(|e| Problem::new(StatusCode::BAD_REQUEST, "malformed-body", "Malformed request", format!("The body is not valid: {e}")))
}
