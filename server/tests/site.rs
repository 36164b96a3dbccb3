//! The static site: types, precompressed assets, caching and client routes.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use tailor_server::site::Site;
use tower::ServiceExt;

const WASM: &str = "tailor-web-0123456789abcdef_bg.wasm";

fn site() -> (axum::Router, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("index.html"), "<!doctype html><title>t</title><script type=\"module\">init()</script>").unwrap();
    std::fs::write(dir.path().join("home.html"), "<!doctype html><title>home</title><script>lang()</script>").unwrap();
    std::fs::create_dir(dir.path().join("p")).unwrap();
    std::fs::write(dir.path().join("p/jeans.html"), "<!doctype html><title>jeans drawn</title><script>s()</script>").unwrap();
    std::fs::create_dir(dir.path().join("staff")).unwrap();
    std::fs::write(dir.path().join("staff/index.html"), "<!doctype html><title>console</title><script>locale()</script>").unwrap();
    std::fs::create_dir(dir.path().join("portal")).unwrap();
    std::fs::write(dir.path().join("portal/index.html"), "<!doctype html><title>account</title><script>account()</script>").unwrap();
    std::fs::create_dir(dir.path().join("channels")).unwrap();
    std::fs::write(dir.path().join("channels/index.html"), "<!doctype html><title>channels</title><script>kiosk()</script>").unwrap();
    std::fs::write(dir.path().join(WASM), b"\0asm-plain").unwrap();
    std::fs::write(dir.path().join(format!("{WASM}.gz")), b"gzip-copy").unwrap();
    std::fs::write(dir.path().join(format!("{WASM}.br")), b"brotli-copy").unwrap();
    (Site::load(dir.path()).router(), dir)
}

async fn get(router: &axum::Router, path: &str, accept: Option<&str>) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
    let mut request = Request::get(path);
    if let Some(a) = accept {
        request = request.header(header::ACCEPT_ENCODING, a);
    }
    let response = router.clone().oneshot(request.body(Body::empty()).unwrap()).await.unwrap();
    let (parts, body) = response.into_parts();
    (parts.status, parts.headers, body.collect().await.unwrap().to_bytes().to_vec())
}

#[tokio::test]
async fn hashed_assets_are_sent_precompressed_by_what_the_browser_accepts() {
    let (router, _dir) = site();
    let path = format!("/{WASM}");
    let (status, headers, body) = get(&router, &path, Some("gzip, deflate, br")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CONTENT_ENCODING], "br");
    assert_eq!(headers[header::CONTENT_TYPE], "application/wasm");
    // A wasm file is never a document: no page policies on it.
    assert!(!headers.contains_key(header::CONTENT_SECURITY_POLICY) && !headers.contains_key("cross-origin-opener-policy"));
    assert_eq!(headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    assert!(headers[header::CACHE_CONTROL].to_str().unwrap().contains("immutable"));
    assert_eq!(body, b"brotli-copy");

    let (_, headers, body) = get(&router, &path, Some("gzip")).await;
    assert_eq!(headers[header::CONTENT_ENCODING], "gzip");
    assert_eq!(body, b"gzip-copy");

    let (_, headers, body) = get(&router, &path, None).await;
    assert!(headers.get(header::CONTENT_ENCODING).is_none());
    assert_eq!(body, b"\0asm-plain");
}

#[tokio::test]
async fn client_routes_get_the_page_with_its_security_headers() {
    let (router, _dir) = site();
    for (path, title) in [("/", "home"), ("/p/jeans", "jeans drawn"), ("/p/jeans?c=X1", "t"), ("/p/pc", "t"), ("/staff", "console"), ("/staff/orders/T1/print", "console"), ("/staffroom", "t"),
        // The account bundle draws the account, privacy and order status pages; no other page.
        ("/account", "account"), ("/privacy", "account"), ("/orders/abc", "account"), ("/orders/abc/", "account"), ("/accounts", "t"), ("/orders", "t"), ("/orders/abc/more", "t"), ("/p/account", "t"),
        // The channels bundle draws the kiosk, a kiosk's hand-off and a partner's frame (but its account pages).
        ("/kiosk", "channels"), ("/kiosk/", "channels"), ("/h/CODE", "channels"), ("/kiosks", "t"), ("/h", "t"), ("/p/kiosk", "t")] {
        let (status, headers, body) = get(&router, path, None).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert!(String::from_utf8(body).unwrap().contains(&format!("<title>{title}</title>")), "{path}");
        let csp = headers["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("'wasm-unsafe-eval'") && csp.contains("'sha256-"), "{csp}");
        // The six pages' inline scripts are allowed, by hash.
        assert_eq!(csp.matches("'sha256-").count(), 6, "{csp}");
        assert_eq!(headers["x-content-type-options"], "nosniff");
    }
}

#[tokio::test]
async fn pages_are_sent_in_brotli_when_the_browser_takes_it() {
    let (router, dir) = site();
    let written = std::fs::read(dir.path().join("p/jeans.html")).unwrap();
    for path in ["/p/jeans", "/", "/account", "/kiosk", "/staff"] {
        let (status, headers, body) = get(&router, path, Some("gzip, deflate, br, zstd")).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert_eq!(headers[header::CONTENT_ENCODING], "br", "{path}");
        assert!(headers[header::VARY].to_str().unwrap().to_ascii_lowercase().contains("accept-encoding"), "{path}");
        assert!(headers[header::CONTENT_TYPE].to_str().unwrap().starts_with("text/html"), "{path}");
        assert!(headers.contains_key("content-security-policy"), "{path}");
        let mut html = Vec::new();
        brotli::BrotliDecompress(&mut body.as_slice(), &mut html).unwrap();
        assert!(String::from_utf8(html).unwrap().starts_with("<!doctype html>"), "{path}");
    }
    let (_, _, body) = get(&router, "/p/jeans", Some("br")).await;
    let mut html = Vec::new();
    brotli::BrotliDecompress(&mut body.as_slice(), &mut html).unwrap();
    assert_eq!(html, written);
    // Refused or not offered: gzip (the layer's) or as it is.
    for (accept, encoding) in [(Some("br;q=0, gzip"), Some("gzip")), (Some("gzip"), Some("gzip")), (None, None), (Some("BR;q=0.5"), Some("br"))] {
        let (_, headers, _) = get(&router, "/p/jeans", accept).await;
        assert_eq!(headers.get(header::CONTENT_ENCODING).map(|v| v.to_str().unwrap()), encoding, "{accept:?}");
    }
}
