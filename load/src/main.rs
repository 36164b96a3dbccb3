//! `tailor-load orders --addr HOST:PORT [--seconds N] [--connections C] [--catalogue DIR] [--products a,b] [--seed S]
//! [--retry [--grace-seconds G] [--acked FILE]]` posts valid orders and prints one JSON line with the rate and
//! latencies; with `--retry`, a refused or failed order is sent again with its key until acknowledged, and the
//! acknowledged orders can be written out (`cargo xtask bench cluster` checks them against the database).
//!
//! `tailor-load bare [--addr HOST:PORT]` serves `POST /api/orders` with a
//! fixed answer and nothing else: the ceiling of the machine for the same
//! load, measured with the same generator.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::http::StatusCode;
use axum::routing::post;
use clap::{Parser, Subcommand};
use tailor_server::catalogue::Catalogue;

#[derive(Parser)]
#[command(name = "tailor-load", about = "Posts valid random orders and prints one JSON line with the rate and latencies")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Posts valid orders to a running server.
    Orders {
        #[arg(long, value_name = "HOST:PORT")]
        addr: String,
        #[arg(long, default_value_t = 30)]
        seconds: u64,
        #[arg(long, default_value_t = 32)]
        connections: usize,
        #[arg(long, value_name = "DIR", default_value = "public/catalogue")]
        catalogue: PathBuf,
        /// Product ids, in turn.
        #[arg(long, value_delimiter = ',', default_value = "pc,jeans")]
        products: Vec<String>,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Sends a refused or failed order again with the same key until it
        /// is acknowledged (as the browser's outbox does).
        #[arg(long)]
        retry: bool,
        /// With --retry: how long after the run unacknowledged orders are still retried.
        #[arg(long, default_value_t = 20)]
        grace_seconds: u64,
        /// With --retry: writes each acknowledged order as a line "KEY ID MS"
        /// (MS: milliseconds from the start) to this file.
        #[arg(long, value_name = "FILE", requires = "retry")]
        acked: Option<PathBuf>,
    },
    /// Serves `POST /api/orders` with a fixed answer and nothing else.
    Bare {
        #[arg(long, value_name = "HOST:PORT", default_value = "127.0.0.1:0")]
        addr: String,
    },
}

fn main() {
    let result = match Cli::parse().command {
        Command::Orders { addr, seconds, connections, catalogue, products, seed, retry, grace_seconds, acked } => {
            let options = tailor_load::Options { retry, grace: Duration::from_secs(grace_seconds) };
            orders(addr, seconds, connections, catalogue, products, seed, options, acked)
        }
        Command::Bare { addr } => bare(addr),
    };
    if let Err(e) = result {
        eprintln!("tailor-load: {e}");
        std::process::exit(2);
    }
}

#[allow(clippy::too_many_arguments)]
fn orders(
    addr: String,
    seconds: u64,
    connections: usize,
    catalogue_dir: PathBuf,
    products: Vec<String>,
    seed: u64,
    options: tailor_load::Options,
    acked: Option<PathBuf>,
) -> Result<(), String> {
    let catalogue = Catalogue::load(&catalogue_dir)?;
    let names: Vec<&str> = products.iter().map(String::as_str).collect();
    let bodies = Arc::new(tailor_load::random_orders(&catalogue, &names, 2000, seed)?);
    // One thread: the generator leaves the other core to the server.
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(|e| e.to_string())?;
    // `cargo xtask bench cluster` times its faults from this line.
    eprintln!("posting orders to {addr}");
    let report = runtime.block_on(tailor_load::run_with(&addr, bodies, connections, Duration::from_secs(seconds), options))?;
    if let Some(path) = &acked {
        let lines: String = report.acked.iter().map(|a| format!("{} {} {}\n", a.key, a.id, a.at_ms)).collect();
        std::fs::write(path, lines).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    let statuses: serde_json::Map<String, serde_json::Value> = report.statuses.iter().map(|(s, n)| (s.to_string(), (*n).into())).collect();
    println!(
        "{}",
        serde_json::json!({
            "bench": "orders",
            "addr": addr,
            "seconds": (report.elapsed.as_secs_f64() * 10.0).round() / 10.0,
            "connections": connections,
            "products": products,
            "sent": report.sent,
            "statuses": statuses,
            "failed": report.failed,
            "acknowledged": report.acked.len(),
            "created_per_s": report.created_per_second().round(),
            "p50_ms": (report.quantile_ms(0.5) * 100.0).round() / 100.0,
            "p99_ms": (report.quantile_ms(0.99) * 100.0).round() / 100.0,
            "max_ms": (report.quantile_ms(1.0) * 100.0).round() / 100.0,
        })
    );
    Ok(())
}

fn bare(addr: String) -> Result<(), String> {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().map_err(|e| e.to_string())?;
    runtime.block_on(async move {
        let app = Router::new().route(
            "/api/orders",
            post(|_body: axum::body::Bytes| async { (StatusCode::CREATED, [("content-type", "application/json")], "{\"id\":\"T0000000000000\"}") }),
        );
        let listener = tokio::net::TcpListener::bind(&addr).await.map_err(|e| format!("{addr}: {e}"))?;
        println!("bare handler at {}", listener.local_addr().map_err(|e| e.to_string())?);
        axum::serve(listener, app).await.map_err(|e| e.to_string())
    })
}
