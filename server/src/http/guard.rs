//! What every API answer and every state-changing API request goes through:
//! a browser's request from another site is refused before a cookie can
//! authorise it, and answers are never sniffed nor, unless they say
//! otherwise, cached.

use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::Problem;

/// Refuses a state-changing request (not GET, HEAD or OPTIONS) that a
/// browser sent from another origin: its `Sec-Fetch-Site` is neither
/// `same-origin` nor `none`, or, from a browser that sends no such header,
/// its `Origin` is not this server's host. A request with neither header
/// (a server, a script, `curl`) carries no browser's cookie by accident and
/// goes on; bearer keys authorise those.
pub async fn same_origin(request: Request, next: Next) -> Response {
    if !request.method().is_safe() && from_another_site(request.headers(), request.uri().authority().map(|a| a.as_str())) {
        tracing::warn!(method = %request.method(), path = %request.uri().path(), "cross-site request refused");
        return Problem::new(
            StatusCode::FORBIDDEN,
            "cross-site",
            "Not from this site",
            "This change can only be made from Tailor's own pages.",
        )
        .into_response();
    }
    next.run(request).await
}

/// Whether the browser says the request came from another origin.
fn from_another_site(headers: &HeaderMap, authority: Option<&str>) -> bool {
    if let Some(site) = headers.get("sec-fetch-site") {
        return !matches!(site.as_bytes(), b"same-origin" | b"none");
    }
    let Some(origin) = headers.get(header::ORIGIN) else { return false };
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).or(authority);
    let origin_host = origin.to_str().ok().and_then(|o| o.split_once("://")).map(|(_, rest)| rest);
    match (origin_host, host) {
        (Some(o), Some(h)) => !o.eq_ignore_ascii_case(h),
        _ => true,
    }
}

/// `X-Content-Type-Options: nosniff` on every answer, and
/// `Cache-Control: no-store` on every answer that sets no cache rule of its
/// own (the API's answers hold personal data or change with every call).
pub async fn no_sniff_no_store(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let h = response.headers_mut();
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        pairs.iter().map(|(k, v)| (header::HeaderName::from_static(k), HeaderValue::from_static(v))).collect()
    }

    #[test]
    fn another_site_is_told_by_fetch_metadata_or_origin() {
        let cases = [
            (vec![("sec-fetch-site", "same-origin")], false),
            (vec![("sec-fetch-site", "none")], false),
            (vec![("sec-fetch-site", "same-site"), ("origin", "http://shop.example:8081"), ("host", "shop.example:8080")], true),
            (vec![("sec-fetch-site", "cross-site")], true),
            (vec![("origin", "http://127.0.0.1:8080"), ("host", "127.0.0.1:8080")], false),
            (vec![("origin", "http://127.0.0.1:8081"), ("host", "127.0.0.1:8080")], true),
            (vec![("origin", "null"), ("host", "127.0.0.1:8080")], true),
            (vec![], false),
        ];
        for (pairs, refused) in cases {
            assert_eq!(from_another_site(&headers(&pairs), None), refused, "{pairs:?}");
        }
        // HTTP/2 names the host in the request's authority.
        assert!(!from_another_site(&headers(&[("origin", "https://tailor.example")]), Some("tailor.example")));
        assert!(from_another_site(&headers(&[("origin", "https://evil.example")]), Some("tailor.example")));
    }
}
