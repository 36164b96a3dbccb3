//! Tailor's backend: serves the built portal and the order API, and checks
//! every order again with `tailor-engine` against the same catalogue files
//! the browser used. It trusts nothing the browser computed.

pub mod api;
pub mod catalogue;
pub mod limits;
pub mod load;
pub mod client;
pub mod problem;
pub mod qr;
pub mod serve;
pub mod site;
pub mod staff;
pub mod store;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::error_handling::HandleErrorLayer;
use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::routing::{get, post};
use tower::ServiceBuilder;

use crate::catalogue::Catalogue;
use crate::problem::Problem;
use crate::store::Store;

/// The largest request body accepted, in bytes.
pub const BODY_LIMIT: usize = 64 * 1024;

/// Everything the server is told at start-up.
#[derive(Clone, Debug)]
pub struct Config {
    pub addr: SocketAddr,
    pub database_url: String,
    /// The built site (Trunk's `dist/`).
    pub site_dir: PathBuf,
    /// The catalogue files (`public/catalogue`, copied into the site by Trunk).
    pub catalogue_dir: PathBuf,
    pub limits: limits::Limits,
}

/// Shared by every request.
#[derive(Clone)]
pub struct AppState {
    pub catalogue: Arc<Catalogue>,
    pub store: Store,
}

/// The OpenAPI document of the API (served at `/api/openapi.json`; a test
/// checks that it lists exactly [`API_ROUTES`]).
pub const OPENAPI: &str = include_str!("../openapi.json");

/// Every API route, as (method, path under `/api`).
pub const API_ROUTES: &[(&str, &str)] = &[
    ("GET", "/health"),
    ("GET", "/openapi.json"),
    ("POST", "/orders"),
    ("GET", "/orders/{id}"),
    ("GET", "/qr"),
    ("GET", "/staff/orders"),
    ("POST", "/staff/orders/{id}/status"),
];

fn handler(method: &str, path: &str) -> axum::routing::MethodRouter<AppState> {
    match (method, path) {
        ("GET", "/health") => get(api::health),
        ("GET", "/openapi.json") => get(|| async { ([(axum::http::header::CONTENT_TYPE, "application/json")], OPENAPI) }),
        ("POST", "/orders") => post(api::create_order),
        ("GET", "/orders/{id}") => get(api::get_order),
        ("GET", "/qr") => get(qr::qr),
        ("GET", "/staff/orders") => get(staff::list_orders),
        ("POST", "/staff/orders/{id}/status") => post(staff::set_status),
        _ => unreachable!("API_ROUTES lists a route without a handler: {method} {path}"),
    }
}

/// The whole service with the production limits.
pub fn app(state: AppState, site: site::Site) -> Router {
    app_with_limits(state, site, limits::Limits::default())
}

/// The whole service: API, then the site for every other path.
pub fn app_with_limits(state: AppState, site: site::Site, limits: limits::Limits) -> Router {
    let limiter = limits::RateLimiter::new(limits);
    let api = API_ROUTES
        .iter()
        .fold(Router::new(), |router, &(method, path)| router.route(path, handler(method, path)))
        .fallback(api::not_found)
        .layer(
            ServiceBuilder::new()
                .layer(HandleErrorLayer::new(|err: tower::BoxError| async move {
                    let problem = if err.is::<tower::timeout::error::Elapsed>() {
                        Problem::new(
                            StatusCode::SERVICE_UNAVAILABLE,
                            "timeout",
                            "Timed out",
                            "The request took too long. Send it again with the same Idempotency-Key: an order is never made twice.",
                        )
                    } else {
                        Problem::new(StatusCode::SERVICE_UNAVAILABLE, "overloaded", "Busy", "The server is busy; please try again in a moment.")
                    };
                    ([(axum::http::header::RETRY_AFTER, "1")], problem)
                }))
                // Beyond `max_in_flight` (over all API routes together),
                // refuse at once rather than queue.
                .load_shed()
                .layer(tower::limit::GlobalConcurrencyLimitLayer::new(limits.max_in_flight))
                .timeout(Duration::from_secs(10))
                .layer(DefaultBodyLimit::max(BODY_LIMIT)),
        )
        .layer(axum::middleware::from_fn_with_state(limiter, limits::rate_limit))
        .with_state(state);
    Router::new().nest("/api", api).merge(site.router())
}
