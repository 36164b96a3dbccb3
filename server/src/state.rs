//! What the server is told at start-up and what every request shares.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use crate::catalogue::Catalogue;
use crate::store::Store;

/// Everything the server is told at start-up.
#[derive(Clone, Debug)]
pub struct Config {
    pub addr: SocketAddr,
    pub database_url: String,
    /// The built site (Trunk's `dist/`).
    pub site_dir: PathBuf,
    /// The catalogue files (`public/catalogue`, copied into the site by Trunk).
    pub catalogue_dir: PathBuf,
    pub limits: crate::limits::Limits,
    /// Load balancers whose `X-Forwarded-For` names the client.
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// Learned statistics drop counts resting on fewer orders than this.
    pub learn_k: u32,
    /// Time between two learnings from the orders.
    pub learn_every: std::time::Duration,
}

/// Shared by every request.
#[derive(Clone)]
pub struct AppState {
    pub catalogue: Arc<Catalogue>,
    pub store: Store,
    /// Sends sign-in codes.
    pub mailer: crate::mail::Mailer,
    /// The limits the router enforces (set by `app_with_limits`).
    pub limits: crate::limits::Limits,
}
