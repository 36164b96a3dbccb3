//! Talking to the server: small JSON helpers over the browser's `fetch`
//! (same-origin, so the browser sends this site's cookies and no other's).

use serde::de::DeserializeOwned;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// A failed request, in words for the customer.
#[derive(Clone, Debug, PartialEq)]
pub struct ApiError {
    pub status: u16,
    pub message: String,
    /// The problem's `type` (such as `/problems/gpc-opt-out`), if any.
    pub kind: String,
}

fn network(e: JsValue) -> ApiError {
    ApiError { status: 0, message: e.as_string().unwrap_or_else(|| "network error".into()), kind: String::new() }
}

async fn send(request: web_sys::Request) -> Result<(u16, String), ApiError> {
    let window = web_sys::window().ok_or_else(|| network("no window".into()))?;
    let response: web_sys::Response = JsFuture::from(window.fetch_with_request(&request)).await.map_err(network)?.unchecked_into();
    let text = JsFuture::from(response.text().map_err(network)?).await.map_err(network)?;
    Ok((response.status(), text.as_string().unwrap_or_default()))
}

fn decode<T: DeserializeOwned>(status: u16, text: &str) -> Result<T, ApiError> {
    if (200..300).contains(&status) {
        serde_json::from_str(text).map_err(|e| ApiError { status, message: e.to_string(), kind: String::new() })
    } else {
        // Problem details (RFC 9457) carry the reason in `detail`.
        let problem = serde_json::from_str::<Problem>(text).ok();
        let kind = problem.as_ref().and_then(|p| p.kind.clone()).unwrap_or_default();
        let detail = problem.and_then(|p| p.detail).unwrap_or_else(|| format!("HTTP {status}"));
        Err(ApiError { status, message: detail, kind })
    }
}

/// The part of a problem-details answer the customer is shown.
#[derive(serde::Deserialize)]
struct Problem {
    detail: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
}

/// GETs `url` and returns the body text.
pub async fn get_text(url: &str, bearer: Option<&str>) -> Result<String, ApiError> {
    let init = web_sys::RequestInit::new();
    init.set_method("GET");
    let request = web_sys::Request::new_with_str_and_init(url, &init).map_err(network)?;
    if let Some(token) = bearer {
        request.headers().set("Authorization", &format!("Bearer {token}")).map_err(network)?;
    }
    let (status, text) = send(request).await?;
    if (200..300).contains(&status) { Ok(text) } else { decode::<Problem>(status, &text).map(|_| text) }
}

/// GETs `url` for its bytes. The request is sent now, before the returned
/// future is first awaited, so it downloads while other work is awaited.
pub fn get_bytes(url: &str) -> impl Future<Output = Result<Vec<u8>, ApiError>> + use<> {
    let started = web_sys::window()
        .ok_or_else(|| network("no window".into()))
        .and_then(|w| Ok(w.fetch_with_request(&web_sys::Request::new_with_str(url).map_err(network)?)));
    async move {
        let response: web_sys::Response = JsFuture::from(started?).await.map_err(network)?.unchecked_into();
        let status = response.status();
        if !(200..300).contains(&status) {
            return Err(ApiError { status, message: format!("HTTP {status}"), kind: String::new() });
        }
        let buffer = JsFuture::from(response.array_buffer().map_err(network)?).await.map_err(network)?;
        Ok(js_sys::Uint8Array::new(&buffer).to_vec())
    }
}

pub async fn get_json<T: DeserializeOwned>(url: &str, bearer: Option<&str>) -> Result<T, ApiError> {
    let text = get_text(url, bearer).await?;
    decode(200, &text)
}

/// POSTs a JSON text with an `Idempotency-Key`: send the same key when
/// retrying the same body, so the server acts on it once.
pub async fn post_json<T: DeserializeOwned>(url: &str, json: &str, idempotency_key: &str) -> Result<T, ApiError> {
    let init = web_sys::RequestInit::new();
    init.set_method("POST");
    init.set_body(&JsValue::from_str(json));
    let request = web_sys::Request::new_with_str_and_init(url, &init).map_err(network)?;
    request.headers().set("Content-Type", "application/json").map_err(network)?;
    request.headers().set("Idempotency-Key", idempotency_key).map_err(network)?;
    let (status, text) = send(request).await?;
    decode(status, &text)
}

/// A request body (a `tailor_api` type) as the JSON text to send.
pub fn json<T: serde::Serialize>(body: &T) -> String {
    serde_json::to_string(body).expect("request bodies have string keys only")
}

/// A random key (a UUID) for a new request.
pub fn new_key() -> String {
    web_sys::window().and_then(|w| w.crypto().ok()).map(|c| c.random_uuid()).unwrap_or_else(|| format!("k{}", js_sys::Date::now()))
}

/// Sends `method url` with an optional JSON body and idempotency key; the
/// answer's JSON (`null` for an empty answer such as 204).
pub async fn request<T: DeserializeOwned>(method: &str, url: &str, json: Option<&str>, idempotency_key: Option<&str>) -> Result<T, ApiError> {
    request_as(method, url, json, idempotency_key, None).await
}

/// [`request`], with `Authorization: Bearer <bearer>` (a staff key).
pub async fn request_as<T: DeserializeOwned>(
    method: &str,
    url: &str,
    json: Option<&str>,
    idempotency_key: Option<&str>,
    bearer: Option<&str>,
) -> Result<T, ApiError> {
    let init = web_sys::RequestInit::new();
    init.set_method(method);
    if let Some(json) = json {
        init.set_body(&JsValue::from_str(json));
    }
    let request = web_sys::Request::new_with_str_and_init(url, &init).map_err(network)?;
    if json.is_some() {
        request.headers().set("Content-Type", "application/json").map_err(network)?;
    }
    if let Some(key) = idempotency_key {
        request.headers().set("Idempotency-Key", key).map_err(network)?;
    }
    if let Some(token) = bearer {
        request.headers().set("Authorization", &format!("Bearer {token}")).map_err(network)?;
    }
    let (status, text) = send(request).await?;
    decode(status, if text.is_empty() { "null" } else { &text })
}
