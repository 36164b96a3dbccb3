//! The built portal (Trunk's `dist/`): static files with the right types,
//! compression, immutable caching of hashed assets, security headers, and
//! `index.html` for every client-side route.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{Html, IntoResponse, Response};
use base64::Engine as _;
use sha2::{Digest, Sha256};
use tower_http::compression::CompressionLayer;
use tower_http::services::ServeDir;

/// The site folder and what is derived from its pages at start-up.
#[derive(Clone)]
pub struct Site {
    dir: PathBuf,
    /// The shop's app, for every client-side route but the other bundles'.
    index: Option<Arc<Page>>,
    /// The account bundle (`portal/index.html`, its own wasm), for the
    /// account, privacy and order status pages ([`bundle_of`]).
    account: Option<Arc<Page>>,
    /// The channels bundle (`channels/index.html`, its own wasm), for the
    /// kiosk, a partner's frame and a kiosk's hand-off ([`bundle_of`]).
    channels: Option<Arc<Page>>,
    /// The home page without the app (`cargo xtask build` derives it from
    /// `index.html`), for `/`; the app's page when there is none.
    home: Option<Arc<Page>>,
    /// The shop's console (`staff/index.html`, its own wasm), for every
    /// path under `/staff`.
    console: Option<Arc<Page>>,
    /// Each product's page with its configurator drawn at build time
    /// (`p/ID.html`), for `/p/ID` without a query (a shared code draws
    /// something else).
    products: Arc<std::collections::HashMap<String, Arc<Page>>>,
    csp: HeaderValue,
}

impl Site {
    /// Reads `dir/index.html` and `dir/home.html`. A missing site is not an
    /// error (the API still works); the pages then say how to build it.
    pub fn load(dir: &Path) -> Site {
        let read = |file: &str| std::fs::read_to_string(dir.join(file)).ok().map(Page::new);
        let (index, home, console, account, channels) = (read("index.html"), read("home.html"), read("staff/index.html"), read("portal/index.html"), read("channels/index.html"));
        let products: std::collections::HashMap<String, Arc<Page>> = std::fs::read_dir(dir.join("p"))
            .into_iter()
            .flatten()
            .filter_map(|e| {
                let path = e.ok()?.path();
                let id = path.file_name()?.to_str()?.strip_suffix(".html")?.to_string();
                Some((id, Page::new(std::fs::read_to_string(&path).ok()?)))
            })
            .collect();
        let pages = [&index, &home, &console, &account, &channels]
            .iter()
            .filter_map(|p| p.as_deref())
            .chain(products.values().map(|p| &**p))
            .map(|p| p.html.as_str())
            .collect::<String>();
        let csp = content_security_policy(&pages);
        Site { dir: dir.to_path_buf(), index, account, channels, home, console, products: Arc::new(products), csp: HeaderValue::from_str(&csp).expect("CSP is ASCII") }
    }

    /// The page of the bundle that draws `path` ([`bundle_of`]).
    fn bundle_page(&self, path: &str) -> Option<&Arc<Page>> {
        match bundle_of(path) {
            Bundle::Account => self.account.as_ref(),
            Bundle::Channels => self.channels.as_ref(),
            Bundle::Shop => self.index.as_ref(),
        }
    }

    pub fn is_built(&self) -> bool {
        self.index.is_some()
    }

    /// The app for a partner's frame: the site's headers, except that only
    /// the partner's `origins` may frame it (`frame-ancestors`), and it is
    /// never cached (the origins may change).
    pub fn embed_page(&self, path: &str, origins: &[String], request: &HeaderMap) -> Response {
        let Some(page) = self.bundle_page(path) else {
            return (StatusCode::SERVICE_UNAVAILABLE, "The portal is not built yet.").into_response();
        };
        let csp = self.csp.to_str().unwrap_or_default().replace("frame-ancestors 'none'", &format!("frame-ancestors {}", origins.join(" ")));
        let mut response = page.respond(request);
        let h = response.headers_mut();
        h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
        h.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        if let Ok(v) = HeaderValue::from_str(&csp) {
            h.insert(header::CONTENT_SECURITY_POLICY, v);
        }
        response
    }

    /// A refusal page that no one may frame.
    pub fn embed_refused(&self, message: &str) -> Response {
        let mut response = (StatusCode::NOT_FOUND, Html(format!("<!doctype html><title>Tailor</title><p>{message}</p>"))).into_response();
        response.headers_mut().insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static("default-src 'none'; frame-ancestors 'none'"));
        response
    }

    pub fn router(self) -> Router {
        // `cargo xtask build` leaves `x.br` and `x.gz` beside each hashed
        // asset; other files are compressed per request.
        let files = ServeDir::new(&self.dir).append_index_html_on_directories(false).precompressed_br().precompressed_gzip();
        Router::new()
            .route("/", axum::routing::get(home))
            .fallback_service(files.fallback(axum::routing::get(client_route).with_state(self.clone())))
            .with_state(self.clone())
            .layer(middleware::from_fn_with_state(self, headers))
            .layer(CompressionLayer::new().gzip(true))
    }
}

/// The policy: only our own scripts (plus Trunk's inline loader, by hash),
/// wasm compilation, our styles, and requests to ourselves.
fn content_security_policy(index_html: &str) -> String {
    let hashes: String = inline_scripts(index_html)
        .map(|s| format!(" 'sha256-{}'", base64::engine::general_purpose::STANDARD.encode(Sha256::digest(s.as_bytes()))))
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'{hashes}; style-src 'self'; img-src 'self' data:; \
         connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    )
}

/// The bodies of `<script>` elements without a `src` attribute.
fn inline_scripts(html: &str) -> impl Iterator<Item = &str> {
    html.split("<script").skip(1).filter_map(|rest| {
        let open_end = rest.find('>')?;
        let attrs = &rest[..open_end];
        if attrs.contains("src=") {
            return None;
        }
        let body = &rest[open_end + 1..];
        Some(&body[..body.find("</script>")?])
    })
}

async fn home(State(site): State<Site>, request: HeaderMap) -> Response {
    app_page(site.home.as_ref().or(site.index.as_ref()), &request)
}

/// A page of the site as built, held in memory with its brotli form
/// (quality 11, made once when the site is loaded: the pages are a few and
/// small, and the compression layer's own is gzip only). A product's page
/// is most of a first visit's bytes before the app's wasm: 7.3 KB of gzip,
/// 5.7 KB of brotli.
pub struct Page {
    html: String,
    br: Bytes,
}

impl Page {
    fn new(html: String) -> Arc<Page> {
        let mut br = Vec::new();
        let params = brotli::enc::BrotliEncoderParams { quality: 11, lgwin: 22, ..Default::default() };
        // Writing into a Vec cannot fail; a page that somehow did not
        // compress is sent uncompressed (then gzipped by the layer).
        let br = match brotli::BrotliCompress(&mut html.as_bytes(), &mut br, &params) {
            Ok(_) => Bytes::from(br),
            Err(_) => Bytes::new(),
        };
        Arc::new(Page { html, br })
    }

    /// The page, in brotli when the request accepts it; the answer says it
    /// varies with `Accept-Encoding` (the layer's gzip sets that too).
    fn respond(&self, request: &HeaderMap) -> Response {
        if !self.br.is_empty() && accepts_brotli(request) {
            let headers = [
                (header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8")),
                (header::CONTENT_ENCODING, HeaderValue::from_static("br")),
                (header::VARY, HeaderValue::from_static("accept-encoding")),
            ];
            return (headers, self.br.clone()).into_response();
        }
        Html(self.html.clone()).into_response()
    }
}

/// Whether `Accept-Encoding` names `br` without `q=0`.
fn accepts_brotli(request: &HeaderMap) -> bool {
    request.get_all(header::ACCEPT_ENCODING).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(',')).any(|coding| {
        let mut parts = coding.split(';').map(str::trim);
        let name = parts.next().unwrap_or("");
        let refused = parts.any(|p| p.strip_prefix("q=").and_then(|q| q.trim().parse::<f32>().ok()).is_some_and(|q| q <= 0.0));
        name.eq_ignore_ascii_case("br") && !refused
    })
}

/// A bundle's page (or a note that the site is not built yet).
fn app_page(page: Option<&Arc<Page>>, request: &HeaderMap) -> Response {
    match page {
        Some(page) => page.respond(request),
        None => (
            StatusCode::SERVICE_UNAVAILABLE,
            Html("<!doctype html><title>Tailor</title><p>The portal is not built yet. Run <code>cargo xtask run</code>.</p>"),
        )
            .into_response(),
    }
}

/// Paths that are not files: client-side routes get the app (with the
/// product's configurator drawn at build time for `/p/ID`; the console
/// under `/staff`); a missing file (a path whose last part has an
/// extension) is a plain 404.
async fn client_route(State(site): State<Site>, request: Request<Body>) -> Response {
    let path = request.uri().path();
    let last = path.rsplit('/').next().unwrap_or("");
    if last.contains('.') {
        return (StatusCode::NOT_FOUND, "Not found").into_response();
    }
    if let Some(id) = path.strip_prefix("/p/")
        && request.uri().query().is_none()
        && let Some(page) = site.products.get(id)
    {
        return page.respond(request.headers());
    }
    if path == "/staff" || path.starts_with("/staff/") {
        return match &site.console {
            Some(page) => page.respond(request.headers()),
            None => (
                StatusCode::SERVICE_UNAVAILABLE,
                Html("<!doctype html><title>Tailor console</title><p>The console is not built yet. Run <code>cargo xtask run</code>.</p>"),
            )
                .into_response(),
        };
    }
    app_page(site.bundle_page(path), request.headers())
}

/// The customer app's bundles (`tailor_web::Bundle`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Bundle {
    Shop,
    Account,
    Channels,
}

/// The bundle whose page a client-side route gets, as the app's
/// `tailor_web::bundle_of` says: the account bundle's for `/account`,
/// `/privacy` and `/orders/ID`, also in a partner's frame (`/embed/...`);
/// the channels bundle's for the rest of a partner's frame, the kiosk
/// (`/kiosk...`) and a kiosk's hand-off (`/h/CODE`); the shop's for the rest.
fn bundle_of(path: &str) -> Bundle {
    let under = |prefix: &str| path == prefix || path.strip_prefix(prefix).is_some_and(|rest| rest.starts_with('/'));
    let unframed = path.strip_prefix("/embed").filter(|rest| rest.starts_with('/')).unwrap_or(path);
    let segments: Vec<&str> = unframed.split('/').filter(|s| !s.is_empty()).collect();
    match segments.as_slice() {
        ["account"] | ["privacy"] | ["orders", _] => Bundle::Account,
        ["h", _] => Bundle::Channels,
        _ if under("/embed") || under("/kiosk") => Bundle::Channels,
        _ => Bundle::Shop,
    }
}

async fn headers(State(site): State<Site>, request: Request<Body>, next: Next) -> Response {
    let path = request.uri().path().to_string();
    let mut response = next.run(request).await;
    let ok = response.status().is_success();
    let h = response.headers_mut();
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    if takes_policies(h.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok())) {
        h.insert(header::CONTENT_SECURITY_POLICY, site.csp.clone());
        h.insert("cross-origin-opener-policy", HeaderValue::from_static("same-origin"));
    }
    let cache = if ok && is_hashed_asset(&path) {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    response
}

/// Whether a response of this type can be a document or a worker, where a
/// Content-Security-Policy and the opener policy take effect: pages, SVG
/// (which holds scripts when opened on its own), scripts (a worker's policy
/// is its script's) and anything untyped or unknown. Styles, wasm, JSON and
/// the prepared files never are (with `nosniff` a browser reads them as
/// nothing else), so they go without the 0.7 KB policy: 3.5 KB less on a
/// product page's first load.
fn takes_policies(content_type: Option<&str>) -> bool {
    let essence = content_type.and_then(|t| t.split(';').next()).map(|t| t.trim().to_ascii_lowercase());
    !matches!(essence.as_deref(), Some("application/wasm" | "text/css" | "application/json" | "application/octet-stream"))
}

/// Trunk names built assets `name-<hash>.ext`, the hash a 64-bit number in
/// hex without its leading zeros (`main-99cdc13c22c5bb2.css`): 12 to 16
/// digits count; fewer comes once in 65,536 builds, and such a file is then
/// only revalidated.
fn is_hashed_asset(path: &str) -> bool {
    let file = path.rsplit('/').next().unwrap_or("");
    let stem = file.split('.').next().unwrap_or("");
    let stem = stem.strip_suffix("_bg").unwrap_or(stem);
    match stem.rsplit_once('-') {
        Some((_, hash)) => (12..=16).contains(&hash.len()) && hash.bytes().all(|b| b.is_ascii_hexdigit()),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_client_route_gets_its_bundles_page() {
        for path in ["/account", "/privacy", "/orders/T1", "/orders/T1/", "/embed/orders/T1", "/embed/privacy"] {
            assert_eq!(bundle_of(path), Bundle::Account, "{path}");
        }
        for path in ["/embed/p/pc", "/embed", "/embed/", "/kiosk", "/kiosk/", "/kiosk/p/pc", "/h/CODE", "/embed/h/CODE"] {
            assert_eq!(bundle_of(path), Bundle::Channels, "{path}");
        }
        for path in ["/", "/p/pc", "/orders", "/orders/T1/x", "/embedded/account", "/embedded/p/pc", "/kiosks", "/h", "/p/account", "/p/kiosk"] {
            assert_eq!(bundle_of(path), Bundle::Shop, "{path}");
        }
    }

    #[test]
    fn inline_scripts_are_found_and_hashed() {
        let html = r#"<script src="/a.js"></script><script type="module">run()</script>"#;
        assert_eq!(inline_scripts(html).collect::<Vec<_>>(), vec!["run()"]);
        let csp = content_security_policy(html);
        let expected = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(b"run()"));
        assert!(csp.contains(&format!("'sha256-{expected}'")), "{csp}");
        assert!(csp.contains("frame-ancestors 'none'"));
    }

    #[test]
    fn only_what_can_be_a_document_or_a_worker_carries_the_policies() {
        for t in [Some("text/html; charset=utf-8"), Some("image/svg+xml"), Some("text/javascript"), Some("application/javascript"), Some("text/plain"), None, Some("")] {
            assert!(takes_policies(t), "{t:?}");
        }
        for t in ["application/wasm", "text/css", "text/css; charset=utf-8", "application/json", "Application/JSON", "application/octet-stream"] {
            assert!(!takes_policies(Some(t)), "{t}");
        }
    }

    #[test]
    fn hashed_assets_are_recognised() {
        assert!(is_hashed_asset("/tailor-web-0123456789abcdef_bg.wasm"));
        assert!(is_hashed_asset("/style-0123456789abcdef.css"));
        // Trunk drops the hash's leading zeros.
        assert!(is_hashed_asset("/portal/main-99cdc13c22c5bb2.css"));
        assert!(!is_hashed_asset("/logo-cafe.svg"));
        assert!(!is_hashed_asset("/catalogue/pc-starter.json"));
        assert!(is_hashed_asset("/catalogue/pc-0123456789abcdef.prep"));
        assert!(!is_hashed_asset("/"));
    }
}
