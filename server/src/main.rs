//! `tailor-server [--addr HOST:PORT] [--database-url URL] [--site DIR] [--catalogue DIR]
//!  [--order-rate N] [--max-in-flight N] [--header-timeout-ms N] [--outbox DIR]`
//! `tailor-server staff ...`, `tailor-server consent verify`, `tailor-server outbox`
//!
//! Each flag may also come from the environment: `TAILOR_ADDR`, `DATABASE_URL`,
//! `TAILOR_SITE_DIR`, `TAILOR_CATALOGUE_DIR`, `TAILOR_ORDER_RATE` (new orders
//! per second per client address, 0 for no limit), `TAILOR_MAX_IN_FLIGHT`,
//! `TAILOR_HEADER_TIMEOUT_MS` (how long a client may take to send headers),
//! `TAILOR_OUTBOX` (the folder the default mailer writes e-mails to).

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use tailor_server::{AppState, Config, app_with_limits, catalogue::Catalogue, site::Site, store};

// Order handling allocates many small strings; mimalloc serves them faster
// than the system allocator under two busy threads.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const USAGE: &str = "usage: tailor-server [--addr HOST:PORT] [--database-url URL] [--site DIR] [--catalogue DIR] [--order-rate N] [--max-in-flight N] [--header-timeout-ms N] [--outbox DIR]
       tailor-server staff add|list|revoke ...
       tailor-server consent verify [--database-url URL]
       tailor-server partner add|list|revoke ...
       tailor-server outbox [--outbox DIR]";

fn outbox_dir() -> PathBuf {
    PathBuf::from(std::env::var("TAILOR_OUTBOX").unwrap_or_else(|_| "data/outbox".into()))
}

fn config() -> Result<(Config, PathBuf), String> {
    let env = |k: &str, d: &str| std::env::var(k).unwrap_or_else(|_| d.to_string());
    let mut addr = env("TAILOR_ADDR", "127.0.0.1:8080");
    let mut database_url = env("DATABASE_URL", "sqlite://data/tailor.db");
    let mut site = env("TAILOR_SITE_DIR", "dist");
    let mut catalogue = std::env::var("TAILOR_CATALOGUE_DIR").ok();
    let defaults = tailor_server::limits::Limits::default();
    let mut order_rate = env("TAILOR_ORDER_RATE", &defaults.orders_per_second.to_string());
    let mut max_in_flight = env("TAILOR_MAX_IN_FLIGHT", &defaults.max_in_flight.to_string());
    let mut header_timeout = env("TAILOR_HEADER_TIMEOUT_MS", &defaults.header_timeout.as_millis().to_string());
    let mut outbox = outbox_dir().display().to_string();
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let slot = match flag.as_str() {
            "--addr" => &mut addr,
            "--database-url" => &mut database_url,
            "--site" => &mut site,
            "--catalogue" => catalogue.insert(String::new()),
            "--order-rate" => &mut order_rate,
            "--max-in-flight" => &mut max_in_flight,
            "--header-timeout-ms" => &mut header_timeout,
            "--outbox" => &mut outbox,
            "-h" | "--help" => return Err(USAGE.into()),
            other => return Err(format!("unknown argument \"{other}\"\n{USAGE}")),
        };
        *slot = args.next().ok_or_else(|| format!("{flag} needs a value\n{USAGE}"))?;
    }
    let addr = addr.parse().map_err(|e| format!("--addr \"{addr}\": {e}"))?;
    let site_dir = PathBuf::from(site);
    // The catalogue the browser reads is the copy inside the built site; use
    // the same files when they are there.
    let catalogue_dir = match catalogue {
        Some(dir) => PathBuf::from(dir),
        None if site_dir.join("catalogue/index.json").exists() => site_dir.join("catalogue"),
        None => PathBuf::from("public/catalogue"),
    };
    let orders_per_second: f64 = order_rate.parse().ok().filter(|r: &f64| r.is_finite() && *r >= 0.0).ok_or_else(|| format!("--order-rate \"{order_rate}\": expected a number >= 0"))?;
    let max_in_flight: usize = max_in_flight.parse().ok().filter(|n| *n > 0).ok_or_else(|| format!("--max-in-flight \"{max_in_flight}\": expected a whole number > 0"))?;
    let header_timeout: u64 = header_timeout.parse().ok().filter(|n| *n > 0).ok_or_else(|| format!("--header-timeout-ms \"{header_timeout}\": expected a whole number > 0"))?;
    let limits = tailor_server::limits::Limits {
        max_in_flight,
        orders_per_second,
        orders_burst: defaults.orders_burst.max(orders_per_second * 2.0),
        header_timeout: std::time::Duration::from_millis(header_timeout),
    };
    Ok((Config { addr, database_url, site_dir, catalogue_dir, limits }, PathBuf::from(outbox)))
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()))
        .json()
        .init();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let outcome = match args.first().map(String::as_str) {
        Some("staff") => staff(&args[1..]).await,
        Some("consent") => consent(&args[1..]).await,
        Some("partner") => partner(&args[1..]).await,
        Some("outbox") => outbox(&args[1..]),
        _ => run().await,
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("tailor-server: {e}");
            ExitCode::FAILURE
        }
    }
}

const STAFF_USAGE: &str = "usage: tailor-server staff add --name NAME --role fulfilment|support|marketing|store [--database-url URL]
       tailor-server staff list [--database-url URL]
       tailor-server staff revoke ID [--database-url URL]";

/// Staff keys: made here and shown once; only their digest is stored.
async fn staff(args: &[String]) -> Result<(), String> {
    let mut database_url = std::env::var("DATABASE_URL").unwrap_or_else(|_| "sqlite://data/tailor.db".into());
    let mut name = None;
    let mut role = None;
    let mut positional = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let slot = match a.as_str() {
            "--database-url" => &mut database_url,
            "--name" => name.insert(String::new()),
            "--role" => role.insert(String::new()),
            _ if a.starts_with("--") => return Err(format!("unknown flag {a}\n{STAFF_USAGE}")),
            _ => {
                positional.push(a.clone());
                continue;
            }
        };
        *slot = it.next().ok_or_else(|| format!("{a} needs a value\n{STAFF_USAGE}"))?.clone();
    }
    let store = store::Store::connect(&store::DatabaseUrl::parse(&database_url)?).await.map_err(|e| e.to_string())?;
    let now = time::OffsetDateTime::now_utc().format(&time::format_description::well_known::Rfc3339).unwrap_or_default();
    match positional.first().map(String::as_str) {
        Some("add") => {
            let name = name.filter(|n| !n.trim().is_empty()).ok_or(format!("staff add needs --name\n{STAFF_USAGE}"))?;
            let role = role.ok_or(format!("staff add needs --role\n{STAFF_USAGE}"))?;
            tailor_server::staff::Role::parse(&role)?;
            let (key, digest) = tailor_server::staff::new_key();
            let id = format!("S{}", &digest[..10]);
            store
                .add_staff(store::StaffKey { id: id.clone(), name, role: role.clone(), created_at: now, revoked_at: None }, &digest)
                .await
                .map_err(|e| e.to_string())?;
            println!("staff key {id} ({role}); keep it safe, it is not shown again:\n{key}");
            Ok(())
        }
        Some("list") => {
            for k in store.list_staff().await.map_err(|e| e.to_string())? {
                let state = k.revoked_at.map_or("active".to_string(), |r| format!("revoked {r}"));
                println!("{}\t{}\t{}\t{}\t{state}", k.id, k.role, k.name, k.created_at);
            }
            Ok(())
        }
        Some("revoke") => {
            let id = positional.get(1).ok_or(format!("staff revoke needs an ID\n{STAFF_USAGE}"))?;
            if store.revoke_staff(id, &now).await.map_err(|e| e.to_string())? {
                println!("revoked {id}");
                Ok(())
            } else {
                Err(format!("no active staff key {id}"))
            }
        }
        _ => Err(STAFF_USAGE.to_string()),
    }
}

/// `consent verify`: checks every customer's consent chain; any break is
/// listed and the exit status is 1.
async fn consent(args: &[String]) -> Result<(), String> {
    const CONSENT_USAGE: &str = "usage: tailor-server consent verify [--database-url URL]";
    let mut database_url = std::env::var("DATABASE_URL").unwrap_or_else(|_| "sqlite://data/tailor.db".into());
    match args {
        [verb] if verb == "verify" => {}
        [verb, flag, url] if verb == "verify" && flag == "--database-url" => database_url = url.clone(),
        _ => return Err(CONSENT_USAGE.into()),
    }
    let store = store::Store::connect(&store::DatabaseUrl::parse(&database_url)?).await.map_err(|e| e.to_string())?;
    let report = tailor_server::privacy::verify_chain(&store).await.map_err(|e| e.to_string())?;
    for b in &report.breaks {
        println!("BROKEN {b}");
    }
    if report.breaks.is_empty() {
        println!("consent log intact: {} events of {} customers, every hash chain checks", report.events, report.customers);
        Ok(())
    } else {
        Err(format!("consent log broken: {} problems in {} events of {} customers", report.breaks.len(), report.events, report.customers))
    }
}

const PARTNER_USAGE: &str = "usage: tailor-server partner add --id ID --name NAME --origin https://HOST [--origin ...] [--theme TOKEN=VALUE ...] [--database-url URL]
       tailor-server partner list [--database-url URL]
       tailor-server partner revoke ID [--database-url URL]
theme tokens: primary=#rrggbb, primary-text=#rrggbb (contrast at least 4.5:1), radius=0px..32px, font=system-ui|serif|sans-serif|rounded";

/// Partner sites: registered here with their origins, theme and a key
/// (shown once; only its digest is stored).
async fn partner(args: &[String]) -> Result<(), String> {
    use tailor_server::partners;
    let mut database_url = std::env::var("DATABASE_URL").unwrap_or_else(|_| "sqlite://data/tailor.db".into());
    let (mut id, mut name, mut origins, mut theme, mut positional) = (None, None, Vec::new(), std::collections::BTreeMap::new(), Vec::new());
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut value = || it.next().cloned().ok_or_else(|| format!("{a} needs a value\n{PARTNER_USAGE}"));
        match a.as_str() {
            "--database-url" => database_url = value()?,
            "--id" => id = Some(value()?),
            "--name" => name = Some(value()?),
            "--origin" => origins.push(partners::check_origin(&value()?)?),
            "--theme" => {
                let v = value()?;
                let (k, val) = v.split_once('=').ok_or_else(|| format!("--theme \"{v}\": expected TOKEN=VALUE"))?;
                tailor_engine::theme::check_token(k, val)?;
                theme.insert(k.to_string(), val.to_string());
            }
            _ if a.starts_with("--") => return Err(format!("unknown flag {a}\n{PARTNER_USAGE}")),
            _ => positional.push(a.clone()),
        }
    }
    let store = store::Store::connect(&store::DatabaseUrl::parse(&database_url)?).await.map_err(|e| e.to_string())?;
    let now = time::OffsetDateTime::now_utc().format(&time::format_description::well_known::Rfc3339).unwrap_or_default();
    let run = |work| async { store.transaction(work).await.map_err(|e| e.to_string())?.map_err(|e: store::StoreError| e.to_string()) };
    match positional.first().map(String::as_str) {
        Some("add") => {
            let id = id.ok_or(format!("partner add needs --id\n{PARTNER_USAGE}"))?;
            partners::check_id(&id)?;
            let name = name.filter(|n| !n.trim().is_empty()).ok_or(format!("partner add needs --name\n{PARTNER_USAGE}"))?;
            if origins.is_empty() {
                return Err(format!("partner add needs at least one --origin\n{PARTNER_USAGE}"));
            }
            let (key, digest) = partners::new_key();
            tailor_engine::theme::check(&theme)?;
            let p = partners::Partner { id: id.clone(), name, origins, theme };
            run(Box::new(move |db: &mut dyn store::sql::Db| partners::add(db, &p, &digest, &now).map(|_| None))
                as Box<dyn FnOnce(&mut dyn store::sql::Db) -> Result<Option<String>, store::StoreError> + Send>)
            .await?;
            println!("partner {id}; its server's key (keep it safe, it is not shown again):\n{key}");
            Ok(())
        }
        Some("list") => {
            let text = run(Box::new(|db: &mut dyn store::sql::Db| {
                let list = partners::list(db)?;
                Ok(Some(
                    list.iter()
                        .map(|(p, revoked)| {
                            let state = revoked.as_ref().map_or("active".to_string(), |r| format!("revoked {r}"));
                            format!("{}\t{}\t{}\t{:?}\t{state}", p.id, p.name, p.origins.join(" "), p.theme)
                        })
                        .collect::<Vec<_>>()
                        .join("\n"),
                ))
            }))
            .await?;
            println!("{}", text.unwrap_or_default());
            Ok(())
        }
        Some("revoke") => {
            let target = positional.get(1).cloned().ok_or(format!("partner revoke needs an ID\n{PARTNER_USAGE}"))?;
            let t = target.clone();
            let done = run(Box::new(move |db: &mut dyn store::sql::Db| partners::revoke(db, &t, &now).map(|ok| ok.then(String::new)))).await?;
            if done.is_some() {
                println!("revoked {target}");
                Ok(())
            } else {
                Err(format!("no active partner {target}"))
            }
        }
        _ => Err(PARTNER_USAGE.to_string()),
    }
}

/// `outbox`: the newest messages the default mailer wrote.
fn outbox(args: &[String]) -> Result<(), String> {
    let dir = match args {
        [] => outbox_dir(),
        [flag, dir] if flag == "--outbox" => PathBuf::from(dir),
        _ => return Err("usage: tailor-server outbox [--outbox DIR]".into()),
    };
    let mut files: Vec<PathBuf> = match std::fs::read_dir(&dir) {
        Ok(entries) => entries.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.extension().is_some_and(|x| x == "eml")).collect(),
        Err(_) => Vec::new(),
    };
    files.sort();
    if files.is_empty() {
        println!("no messages in {}", dir.display());
    }
    for f in files.iter().rev().take(5).rev() {
        println!("--- {}\n{}", f.display(), std::fs::read_to_string(f).map_err(|e| format!("{}: {e}", f.display()))?);
    }
    Ok(())
}

async fn run() -> Result<(), String> {
    let (config, outbox) = config()?;
    let catalogue = Catalogue::load(&config.catalogue_dir)?;
    let url = store::DatabaseUrl::parse(&config.database_url)?;
    let store = store::Store::connect(&url).await.map_err(|e| e.to_string())?;
    store.prepare_orders().await.map_err(|e| e.to_string())?;
    let site = Site::load(&config.site_dir);
    if !site.is_built() {
        tracing::warn!(dir = %config.site_dir.display(), "no built site found; serving the API only");
    }
    let listener = tokio::net::TcpListener::bind(config.addr)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", config.addr))?;
    let local = listener.local_addr().map_err(|e| e.to_string())?;
    tracing::info!(addr = %local, products = catalogue.index.products.len(), "listening");
    println!("Tailor is running at http://{local}/  (Ctrl-C stops it)");
    println!("E-mails (sign-in codes) are written to {}/ (`tailor-server outbox` shows the newest)", outbox.display());
    let state = AppState { catalogue: Arc::new(catalogue), store, mailer: tailor_server::mail::Mailer::Outbox(outbox) };
    let app = app_with_limits(state, site, config.limits);
    tailor_server::serve::serve(listener, app, config.limits.header_timeout, std::time::Duration::from_secs(30), shutdown_signal()).await;
    println!("Tailor stopped.");
    Ok(())
}

/// Ctrl-C or SIGTERM: stop accepting, finish requests in flight, then exit.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}
