//! The visitor as the privacy routes see them: the digest of their session
//! cookie's token (never the token itself) and whether their browser sends
//! Global Privacy Control; and the session cookie itself.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::Response;
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};

use crate::secrets::sha256_hex;

/// The session cookie's name. The `__Host-` prefix makes browsers take it
/// only when it is `Secure`, for `Path=/` and without `Domain`, so a
/// sibling subdomain or a plain-HTTP page cannot plant or overwrite it.
pub const COOKIE: &str = "__Host-tailor_sid";
/// The cookie that binds a sign-in code to the browser that asked for it
/// (ten minutes, sent only to this site's own pages).
pub const CODE_COOKIE: &str = "__Host-tailor_code";
/// Sessions last 180 days from sign-in or first save (the cookie's age, and
/// the server's: an older session reads nothing and is swept away).
pub const SESSION_SECONDS: i64 = 180 * 24 * 3600;
/// A session unused for 30 days ends on the server (its profile is then
/// kept only if it has an address or orders; see `housekeeping`).
pub const SESSION_IDLE_SECONDS: i64 = 30 * 24 * 3600;

/// Whether this client may have one more of something now; `Err(seconds)`
/// until it may.
#[derive(Clone)]
pub struct Gate(pub std::sync::Arc<dyn Fn() -> Result<(), u64> + Send + Sync>);

impl Gate {
    pub fn pass(&self) -> Result<(), u64> {
        (self.0)()
    }
}

impl std::fmt::Debug for Gate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Gate")
    }
}

/// What the server's limits allow this client, put in the request by the
/// per-client limits (so this module need not know them); absent (no peer
/// address), nothing per client is limited.
#[derive(Clone, Debug)]
pub struct ClientLimits {
    /// One more new profile.
    pub new_profile: Gate,
    /// One more sign-in code mailed.
    pub sign_in_mail: Gate,
}

#[derive(Clone, Debug, Default)]
pub struct Visitor {
    /// Digest of the session cookie's token, when there is one.
    pub token_sha256: Option<String>,
    /// `Sec-GPC: 1` (or the page's signal, set by the route that reads it).
    pub gpc: bool,
    /// Digest of the sign-in code cookie's value, when there is one.
    pub code_binding_sha256: Option<String>,
    /// What the limits allow this client.
    pub limits: Option<ClientLimits>,
}

impl Visitor {
    pub fn of(headers: &HeaderMap) -> Visitor {
        let digest = |name: &str| cookie_digest(headers, name);
        Visitor {
            token_sha256: digest(COOKIE),
            gpc: headers.get("sec-gpc").is_some_and(|v| v.as_bytes() == b"1"),
            code_binding_sha256: digest(CODE_COOKIE),
            limits: None,
        }
    }

    /// The same visitor holding `token`, a session just made for it.
    pub fn with_token(&self, token: Option<&str>) -> Visitor {
        match token {
            Some(t) => Visitor { token_sha256: Some(sha256_hex(t.as_bytes())), ..self.clone() },
            None => self.clone(),
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Visitor {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Visitor { limits: parts.extensions.get::<ClientLimits>().cloned(), ..Visitor::of(&parts.headers) })
    }
}

/// The digest of cookie `name`'s value (never the value itself), when the
/// request carries a plausible one.
pub fn cookie_digest(headers: &HeaderMap, name: &str) -> Option<String> {
    let jar = CookieJar::from_headers(headers);
    jar.get(name).map(|c| c.value()).filter(|v| !v.is_empty() && v.len() <= 100).map(|v| sha256_hex(v.as_bytes()))
}

/// `Set-Cookie` for a `__Host-` cookie: `Secure`, `HttpOnly`, `Path=/`.
pub fn cookie(name: &'static str, value: &str, max_age: i64, same_site: SameSite) -> HeaderValue {
    let c = Cookie::build((name, value))
        .path("/")
        .max_age(time::Duration::seconds(max_age))
        .http_only(true)
        .secure(true)
        .same_site(same_site)
        .build();
    HeaderValue::from_str(&c.to_string()).expect("cookie text is ASCII")
}

/// `Set-Cookie` for a new session token.
pub fn session_cookie(token: &str) -> HeaderValue {
    cookie(COOKIE, token, SESSION_SECONDS, SameSite::Lax)
}

/// `Set-Cookie` that ends the session in this browser.
pub fn clear_session_cookie() -> HeaderValue {
    cookie(COOKIE, "", 0, SameSite::Lax)
}

/// `Set-Cookie` binding a sign-in code to this browser for `seconds`
/// (`Strict`: no other site's page can make the browser send it).
pub fn code_cookie(value: &str, seconds: i64) -> HeaderValue {
    cookie(CODE_COOKIE, value, seconds, SameSite::Strict)
}

/// `Set-Cookie` that ends the sign-in code's binding (once it is used).
pub fn clear_code_cookie() -> HeaderValue {
    cookie(CODE_COOKIE, "", 0, SameSite::Strict)
}

/// The answer with the cookie of a session just made, if one was. (That
/// it is not cached is `guard::no_sniff_no_store`'s work, for every API
/// answer.)
pub fn with_session(mut response: Response, new_session: Option<String>) -> Response {
    if let Some(token) = new_session {
        response.headers_mut().append(header::SET_COOKIE, session_cookie(&token));
    }
    response
}
