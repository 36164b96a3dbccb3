//! Tailor's backend: serves the built portal and the order API, and checks
//! every order again with `tailor-engine` against the same catalogue files
//! the browser used. It trusts nothing the browser computed.

pub mod calls;
pub mod catalogue;
pub mod clock;
pub mod handoff;
pub mod housekeeping;
pub mod http;
pub mod learn;
pub mod limits;
pub mod mail;
pub mod orders;
pub mod partners;
pub mod privacy;
pub mod qr;
pub mod secrets;
pub mod serve;
pub mod site;
pub mod staff;
pub mod state;
pub mod store;

use std::time::Duration;

use axum::Json;
use axum::Router;
use axum::error_handling::HandleErrorLayer;
use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::routing::{delete, get, post, put};
use tower::ServiceBuilder;

pub use crate::http::{BODY_LIMIT, Problem};
pub use crate::state::{AppState, Config};

/// The OpenAPI document of the API (served at `/api/openapi.json`; a test
/// checks that it lists exactly [`API_ROUTES`]).
pub const OPENAPI: &str = include_str!("../openapi.json");

/// Every API route, as (method, path under `/api`).
pub const API_ROUTES: &[(&str, &str)] = &[
    ("GET", "/health"),
    ("GET", "/openapi.json"),
    ("POST", "/orders"),
    ("GET", "/orders/{id}"),
    ("GET", "/orders/{id}/picture"),
    ("GET", "/qr"),
    ("POST", "/staff/session"),
    ("GET", "/staff/session"),
    ("DELETE", "/staff/session"),
    ("GET", "/staff/orders"),
    ("GET", "/staff/orders/{id}"),
    ("POST", "/staff/orders/{id}/status"),
    ("GET", "/staff/orders/{id}/picture"),
    ("GET", "/staff/customers"),
    ("GET", "/staff/customers/{id}"),
    ("GET", "/staff/consents"),
    ("GET", "/staff/differentiation"),
    ("GET", "/privacy/notice"),
    ("GET", "/me"),
    ("POST", "/me/gpc"),
    ("POST", "/me/consents"),
    ("GET", "/me/consents/{id}/receipt"),
    ("PUT", "/me/measurements"),
    ("POST", "/me/configurations"),
    ("DELETE", "/me/configurations/{id}"),
    ("POST", "/me/answers"),
    ("POST", "/me/orders/{id}/again"),
    ("GET", "/me/export"),
    ("POST", "/me/erase"),
    ("POST", "/me/sign-out"),
    ("POST", "/sign-in"),
    ("POST", "/sign-in/verify"),
    ("POST", "/handoff"),
    ("GET", "/handoff/{code}"),
    ("GET", "/handoff/{code}/state"),
    ("POST", "/kiosk/calls"),
    ("GET", "/kiosk/calls/{id}"),
    ("POST", "/kiosk/seen"),
    ("GET", "/staff/calls"),
    ("POST", "/staff/calls/{id}/answer"),
    ("GET", "/staff/kiosks"),
    ("GET", "/staff/keys"),
    ("POST", "/staff/keys"),
    ("POST", "/staff/keys/{id}/revoke"),
    ("GET", "/staff/partners"),
    ("POST", "/staff/partners"),
    ("PUT", "/staff/partners/{id}"),
    ("POST", "/staff/partners/{id}/revoke"),
    ("GET", "/staff/catalogue/health"),
    ("GET", "/partners/{id}"),
    ("GET", "/partner/orders/{id}"),
    ("GET", "/partner/orders/{id}/picture"),
    ("POST", "/partner/embed-tokens"),
    ("GET", "/learned/{product}"),
];

async fn health() -> Json<serde_json::Value> {
    Json(serde_json::json!({ "status": "ok" }))
}

async fn not_found() -> Problem {
    Problem::new(StatusCode::NOT_FOUND, "no-endpoint", "No such endpoint", "There is no such API endpoint; see /api/openapi.json.")
}

fn handler(method: &str, path: &str) -> axum::routing::MethodRouter<AppState> {
    match (method, path) {
        ("GET", "/health") => get(health),
        ("GET", "/openapi.json") => get(|| async { ([(axum::http::header::CONTENT_TYPE, "application/json")], OPENAPI) }),
        ("POST", "/orders") => post(orders::routes::create),
        ("GET", "/orders/{id}") => get(orders::routes::get),
        ("GET", "/orders/{id}/picture") => get(orders::picture::for_customer),
        ("GET", "/qr") => get(qr::qr),
        ("POST", "/staff/session") => post(staff::session::sign_in),
        ("GET", "/staff/session") => get(staff::session::current),
        ("DELETE", "/staff/session") => delete(staff::session::sign_out),
        ("GET", "/staff/orders") => get(staff::list_orders),
        ("GET", "/staff/orders/{id}") => get(staff::get_order),
        ("POST", "/staff/orders/{id}/status") => post(staff::set_status),
        ("GET", "/staff/orders/{id}/picture") => get(orders::picture::for_staff),
        ("GET", "/staff/customers") => get(privacy::staff_reads::staff_find),
        ("GET", "/staff/customers/{id}") => get(privacy::staff_reads::staff_customer),
        ("GET", "/staff/consents") => get(privacy::staff_reads::staff_consent_counts),
        ("GET", "/staff/differentiation") => get(privacy::differentiate::get_differentiation),
        ("GET", "/privacy/notice") => get(privacy::preferences::get_notice),
        ("GET", "/me") => get(privacy::profile::get_me),
        ("POST", "/me/gpc") => post(privacy::profile::post_gpc),
        ("POST", "/me/consents") => post(privacy::preferences::post_consents),
        ("GET", "/me/consents/{id}/receipt") => get(privacy::preferences::get_receipt),
        ("PUT", "/me/measurements") => put(privacy::profile::put_measurements),
        ("POST", "/me/configurations") => post(privacy::profile::post_configuration),
        ("DELETE", "/me/configurations/{id}") => delete(privacy::profile::delete_configuration),
        ("POST", "/me/answers") => post(privacy::profile::post_answer),
        ("POST", "/me/orders/{id}/again") => post(privacy::again::post_again),
        ("GET", "/me/export") => get(privacy::erase::get_export),
        ("POST", "/me/erase") => post(privacy::erase::post_erase),
        ("POST", "/me/sign-out") => post(privacy::signin::post_sign_out),
        ("POST", "/sign-in") => post(privacy::signin::post_sign_in),
        ("POST", "/sign-in/verify") => post(privacy::signin::post_verify),
        ("POST", "/handoff") => post(handoff::create),
        ("GET", "/handoff/{code}") => get(handoff::claim),
        ("GET", "/handoff/{code}/state") => get(handoff::status),
        ("POST", "/kiosk/calls") => post(calls::create),
        ("GET", "/kiosk/calls/{id}") => get(calls::get_one),
        ("GET", "/staff/calls") => get(calls::list),
        ("POST", "/staff/calls/{id}/answer") => post(calls::answer),
        ("POST", "/kiosk/seen") => post(calls::seen),
        ("GET", "/staff/kiosks") => get(calls::kiosks),
        ("GET", "/staff/keys") => get(staff::admin::list_keys),
        ("POST", "/staff/keys") => post(staff::admin::add_key),
        ("POST", "/staff/keys/{id}/revoke") => post(staff::admin::revoke_key),
        ("GET", "/staff/partners") => get(staff::admin::list_partners),
        ("POST", "/staff/partners") => post(staff::admin::add_partner),
        ("PUT", "/staff/partners/{id}") => put(staff::admin::edit_partner),
        ("POST", "/staff/partners/{id}/revoke") => post(staff::admin::revoke_partner),
        ("GET", "/staff/catalogue/health") => get(staff::admin::catalogue_health),
        ("GET", "/partners/{id}") => get(partners::get_public),
        ("GET", "/partner/orders/{id}") => get(partners::get_order),
        ("GET", "/partner/orders/{id}/picture") => get(orders::picture::for_partner),
        ("POST", "/partner/embed-tokens") => post(partners::post_embed_token),
        ("GET", "/learned/{product}") => get(learn::get_learned),
        _ => unreachable!("API_ROUTES lists a route without a handler: {method} {path}"),
    }
}

/// The whole service with the production limits.
pub fn app(state: AppState, site: site::Site) -> Router {
    app_with_limits(state, site, limits::Limits::default())
}

/// The whole service: API, then the site for every other path.
pub fn app_with_limits(mut state: AppState, site: site::Site, limits: limits::Limits) -> Router {
    state.limits = limits;
    let share = limits::ClientShare::new(limits);
    let well_known = Router::new().route("/.well-known/gpc.json", get(privacy::preferences::gpc_json)).with_state(state.catalogue.clone());
    let embed = Router::new().route("/embed/{*rest}", get(partners::embed)).with_state((state.clone(), site.clone()));
    let api = API_ROUTES
        .iter()
        .fold(Router::new(), |router, &(method, path)| router.route(path, handler(method, path)))
        .fallback(not_found)
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
        .layer(axum::middleware::from_fn_with_state(limits::Limiters::new(limits), limits::rate_limit))
        .layer(axum::middleware::from_fn_with_state(share, limits::client_share))
        .layer(axum::middleware::from_fn(http::guard::same_origin))
        .layer(axum::middleware::from_fn(http::guard::no_sniff_no_store))
        .with_state(state);
    Router::new().nest("/api", api).merge(well_known).merge(embed).merge(site.router())
}
