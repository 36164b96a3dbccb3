//! `tailor-load orders --addr HOST:PORT [--seconds N] [--connections C] [--catalogue DIR] [--products a,b] [--seed S]`
//! posts valid orders and prints one JSON line with the rate and latencies.
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
use tailor_server::catalogue::Catalogue;
use tailor_server::load;

const USAGE: &str = "usage: tailor-load orders --addr HOST:PORT [--seconds N] [--connections C] [--catalogue DIR] [--products a,b] [--seed S]\n       tailor-load bare [--addr HOST:PORT]";

fn flags(args: &[String]) -> Result<std::collections::HashMap<String, String>, String> {
    let mut map = std::collections::HashMap::new();
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        let name = flag.strip_prefix("--").ok_or_else(|| format!("unexpected \"{flag}\"\n{USAGE}"))?;
        let value = it.next().ok_or_else(|| format!("{flag} needs a value\n{USAGE}"))?;
        map.insert(name.to_string(), value.clone());
    }
    Ok(map)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("orders") => orders(&args[1..]),
        Some("bare") => bare(&args[1..]),
        _ => Err(USAGE.to_string()),
    };
    if let Err(e) = result {
        eprintln!("tailor-load: {e}");
        std::process::exit(2);
    }
}

fn orders(args: &[String]) -> Result<(), String> {
    let f = flags(args)?;
    let allowed = ["addr", "seconds", "connections", "catalogue", "products", "seed"];
    if let Some(k) = f.keys().find(|k| !allowed.contains(&k.as_str())) {
        return Err(format!("unknown flag --{k}\n{USAGE}"));
    }
    let addr = f.get("addr").ok_or(format!("--addr is required\n{USAGE}"))?.clone();
    let number = |k: &str, d: u64| f.get(k).map_or(Ok(d), |v| v.parse::<u64>().map_err(|_| format!("--{k} needs a number")));
    let seconds = number("seconds", 30)?;
    let connections = number("connections", 32)? as usize;
    let seed = number("seed", 1)?;
    let catalogue_dir = PathBuf::from(f.get("catalogue").cloned().unwrap_or_else(|| "public/catalogue".into()));
    let products: Vec<String> = f.get("products").cloned().unwrap_or_else(|| "pc,jeans".into()).split(',').map(str::to_string).collect();
    let catalogue = Catalogue::load(&catalogue_dir)?;
    let names: Vec<&str> = products.iter().map(String::as_str).collect();
    let bodies = Arc::new(load::random_orders(&catalogue, &names, 2000, seed)?);
    // One thread: the generator leaves the other core to the server.
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(|e| e.to_string())?;
    let report = runtime.block_on(load::run(&addr, bodies, connections, Duration::from_secs(seconds)))?;
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
            "created_per_s": report.created_per_second().round(),
            "p50_ms": (report.quantile_ms(0.5) * 100.0).round() / 100.0,
            "p99_ms": (report.quantile_ms(0.99) * 100.0).round() / 100.0,
            "max_ms": (report.quantile_ms(1.0) * 100.0).round() / 100.0,
        })
    );
    Ok(())
}

fn bare(args: &[String]) -> Result<(), String> {
    let f = flags(args)?;
    let addr = f.get("addr").cloned().unwrap_or_else(|| "127.0.0.1:0".into());
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
