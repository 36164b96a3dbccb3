//! `tailor-server` serves the portal; `tailor-server staff|consent|partner|outbox ...`
//! manage staff keys, check the consent log, register partner sites and show
//! the newest e-mails. `tailor-server --help` lists every flag; each flag of
//! the server may also come from the environment (`TAILOR_ADDR`,
//! `DATABASE_URL`, `TAILOR_SITE_DIR`, `TAILOR_CATALOGUE_DIR`,
//! `TAILOR_ORDER_RATE`, `TAILOR_MAX_IN_FLIGHT`, `TAILOR_HEADER_TIMEOUT_MS`,
//! `TAILOR_IDLE_TIMEOUT_MS`,
//! `TAILOR_OUTBOX`).

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Args, Parser, Subcommand};
use tailor_server::staff::Role;
use tailor_server::{AppState, Config, app_with_limits, catalogue::Catalogue, partners, site::Site, store};

// Order handling allocates many small strings; mimalloc serves them faster
// than the system allocator under two busy threads.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser, Debug)]
#[command(name = "tailor-server", version, about = "Tailor's backend: serves the portal and takes orders", args_conflicts_with_subcommands = true)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    serve: ServeArgs,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Staff keys: made here and shown once; only their digest is stored.
    #[command(subcommand)]
    Staff(StaffCommand),
    /// The consent log.
    #[command(subcommand)]
    Consent(ConsentCommand),
    /// Partner sites that embed the configurator.
    #[command(subcommand)]
    Partner(PartnerCommand),
    /// Kiosk places: only a registered kiosk calls staff, with the key made
    /// here (shown once).
    #[command(subcommand)]
    Place(PlaceCommand),
    /// Learns each product's statistics from its orders now (the server
    /// also does at start-up and every hour).
    Learn {
        #[command(flatten)]
        database: Database,
        /// The catalogue files.
        #[arg(long = "catalogue", value_name = "DIR", env = "TAILOR_CATALOGUE_DIR", default_value = "public/catalogue")]
        catalogue_dir: PathBuf,
        /// Counts resting on fewer orders are dropped.
        #[arg(long, value_name = "N", env = "TAILOR_LEARN_K", default_value_t = tailor_server::learn::DEFAULT_K, value_parser = clap::value_parser!(u32).range(1..))]
        k: u32,
    },
    /// The newest messages the default mailer wrote.
    Outbox(OutboxArg),
}

#[derive(Args, Debug)]
struct Database {
    /// `sqlite://FILE` or `postgres://...` (help shows no value from the
    /// environment: it may hold a password).
    #[arg(long, value_name = "URL", env = "DATABASE_URL", hide_env_values = true, default_value = store::DEFAULT_DATABASE_URL)]
    database_url: String,
}

#[derive(Args, Debug)]
struct OutboxArg {
    /// The folder the default mailer writes e-mails to.
    #[arg(long, value_name = "DIR", env = "TAILOR_OUTBOX", default_value = "data/outbox")]
    outbox: PathBuf,
}

#[derive(Args, Debug)]
struct ServeArgs {
    #[arg(long, value_name = "HOST:PORT", env = "TAILOR_ADDR", default_value = "127.0.0.1:8080")]
    addr: SocketAddr,
    #[command(flatten)]
    database: Database,
    /// The built site (Trunk's `dist/`).
    #[arg(long = "site", value_name = "DIR", env = "TAILOR_SITE_DIR", default_value = "dist")]
    site_dir: PathBuf,
    /// The catalogue files (default: the site's copy, else public/catalogue).
    #[arg(long = "catalogue", value_name = "DIR", env = "TAILOR_CATALOGUE_DIR")]
    catalogue_dir: Option<PathBuf>,
    /// New orders per second per client address, 0 for no limit [default: 5].
    #[arg(long, value_name = "N", env = "TAILOR_ORDER_RATE", value_parser = order_rate, allow_hyphen_values = true)]
    order_rate: Option<f64>,
    /// New profiles per hour per client address, 0 for no limit [default: 60].
    #[arg(long, value_name = "N", env = "TAILOR_PROFILE_RATE", value_parser = order_rate, allow_hyphen_values = true)]
    profile_rate: Option<f64>,
    /// Sign-in codes mailed per day per client address, 0 for no limit [default: 20].
    #[arg(long, value_name = "N", env = "TAILOR_CODES_PER_CLIENT_DAY", value_parser = order_rate, allow_hyphen_values = true)]
    codes_per_client_day: Option<f64>,
    /// Sign-in codes mailed per day (UTC) over all addresses, 0 for no limit [default: 10000].
    #[arg(long, value_name = "N", env = "TAILOR_CODES_PER_DAY", value_parser = clap::value_parser!(i64).range(0..))]
    codes_per_day: Option<i64>,
    /// Learned statistics drop counts resting on fewer orders than this [default: 5].
    #[arg(long, value_name = "N", env = "TAILOR_LEARN_K", value_parser = clap::value_parser!(u32).range(1..))]
    learn_k: Option<u32>,
    /// Seconds between two learnings from the orders (also done at start-up) [default: 3600].
    #[arg(long, value_name = "SECONDS", env = "TAILOR_LEARN_EVERY", value_parser = clap::value_parser!(u64).range(1..))]
    learn_every: Option<u64>,
    /// API requests handled at once; more are refused with 503 [default: 1024].
    #[arg(long, value_name = "N", env = "TAILOR_MAX_IN_FLIGHT", value_parser = clap::value_parser!(u32).range(1..))]
    max_in_flight: Option<u32>,
    /// Of those, how many one client address may hold [default: 128].
    #[arg(long, value_name = "N", env = "TAILOR_MAX_IN_FLIGHT_PER_CLIENT", value_parser = clap::value_parser!(u32).range(1..))]
    max_in_flight_per_client: Option<u32>,
    /// How long a client may take to send a request's headers [default: 10000].
    #[arg(long = "header-timeout-ms", value_name = "N", env = "TAILOR_HEADER_TIMEOUT_MS", value_parser = clap::value_parser!(u64).range(1..))]
    header_timeout_ms: Option<u64>,
    /// How long a connection may go without traffic [default: 30000].
    #[arg(long = "idle-timeout-ms", value_name = "N", env = "TAILOR_IDLE_TIMEOUT_MS", value_parser = clap::value_parser!(u64).range(1..))]
    idle_timeout_ms: Option<u64>,
    /// A load balancer in front (repeat, or commas): requests from it count
    /// as coming from the last address in their X-Forwarded-For.
    #[arg(long = "trusted-proxy", value_name = "IP", env = "TAILOR_TRUSTED_PROXIES", value_delimiter = ',')]
    trusted_proxies: Vec<std::net::IpAddr>,
    #[command(flatten)]
    outbox: OutboxArg,
}

fn order_rate(text: &str) -> Result<f64, String> {
    text.parse().ok().filter(|r: &f64| r.is_finite() && *r >= 0.0).ok_or_else(|| "expected a number >= 0".to_string())
}

#[derive(Subcommand, Debug)]
enum StaffCommand {
    /// Makes a staff key and shows it once.
    Add {
        #[arg(long)]
        name: String,
        #[arg(long, value_parser = Role::parse)]
        role: Role,
        #[command(flatten)]
        database: Database,
    },
    List(Database),
    Revoke(Revoke),
}

/// Revokes the key or partner `id`.
#[derive(Args, Debug)]
struct Revoke {
    id: String,
    #[command(flatten)]
    database: Database,
}

#[derive(Subcommand, Debug)]
enum ConsentCommand {
    /// Checks every customer's hash chain; any break is listed and the exit
    /// status is 1.
    Verify {
        #[command(flatten)]
        database: Database,
    },
}

#[derive(Subcommand, Debug)]
enum PlaceCommand {
    /// Registers a kiosk place and shows its kiosk key once (the kiosk is
    /// opened at /kiosk?place=NAME&key=KEY).
    Add {
        #[arg(long, value_parser = place_name)]
        name: String,
        #[command(flatten)]
        database: Database,
    },
    List(Database),
    /// Revokes the place `id` (its name).
    Revoke(Revoke),
}

fn place_name(text: &str) -> Result<String, String> {
    tailor_server::calls::check_place(text).map_err(|p| p.detail)
}

#[derive(Subcommand, Debug)]
enum PartnerCommand {
    /// Registers a partner site and shows its server's key once. Theme
    /// tokens: primary=#rrggbb, primary-text=#rrggbb (contrast at least
    /// 4.5:1), radius=0px..32px, font=system-ui|serif|sans-serif|rounded.
    Add {
        #[arg(long, value_parser = partner_id)]
        id: String,
        #[arg(long)]
        name: String,
        /// An origin allowed to frame the portal (repeat for more).
        #[arg(long = "origin", value_name = "https://HOST", required = true, value_parser = partners::check_origin)]
        origins: Vec<String>,
        #[arg(long = "theme", value_name = "TOKEN=VALUE", value_parser = theme_token)]
        theme: Vec<(String, String)>,
        #[command(flatten)]
        database: Database,
    },
    List(Database),
    Revoke(Revoke),
}

fn partner_id(id: &str) -> Result<String, String> {
    partners::check_id(id).map(|()| id.to_string())
}

fn theme_token(text: &str) -> Result<(String, String), String> {
    let (k, v) = text.split_once('=').ok_or_else(|| format!("\"{text}\": expected TOKEN=VALUE"))?;
    tailor_engine::theme::check_token(k, v)?;
    Ok((k.to_string(), v.to_string()))
}

fn config(args: ServeArgs) -> (Config, PathBuf) {
    // The catalogue the browser reads is the copy inside the built site; use
    // the same files when they are there.
    let catalogue_dir = match args.catalogue_dir {
        Some(dir) => dir,
        None if args.site_dir.join("catalogue/index.json").exists() => args.site_dir.join("catalogue"),
        None => PathBuf::from("public/catalogue"),
    };
    let defaults = tailor_server::limits::Limits::default();
    let orders_per_second = args.order_rate.unwrap_or(defaults.orders_per_second);
    let limits = tailor_server::limits::Limits {
        max_in_flight: args.max_in_flight.map_or(defaults.max_in_flight, |n| n as usize),
        per_client_in_flight: args.max_in_flight_per_client.map_or(defaults.per_client_in_flight, |n| n as usize),
        orders_per_second,
        orders_burst: defaults.orders_burst.max(orders_per_second * 2.0),
        profiles_per_hour: args.profile_rate.unwrap_or(defaults.profiles_per_hour),
        codes_per_client_day: args.codes_per_client_day.unwrap_or(defaults.codes_per_client_day),
        codes_per_day: args.codes_per_day.unwrap_or(defaults.codes_per_day),
        header_timeout: args.header_timeout_ms.map_or(defaults.header_timeout, std::time::Duration::from_millis),
        idle_timeout: args.idle_timeout_ms.map_or(defaults.idle_timeout, std::time::Duration::from_millis),
    };
    let learn_k = args.learn_k.unwrap_or(tailor_server::learn::DEFAULT_K);
    let learn_every = std::time::Duration::from_secs(args.learn_every.unwrap_or(3600));
    let config = Config {
        addr: args.addr,
        database_url: args.database.database_url,
        site_dir: args.site_dir,
        catalogue_dir,
        limits,
        trusted_proxies: args.trusted_proxies,
        learn_k,
        learn_every,
    };
    (config, args.outbox.outbox)
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        // refinery reports every start at info level, and tokio-postgres
        // passes PostgreSQL's notices on at info level ("relation already
        // exists, skipping"); only their warnings matter here, so that a
        // command's output is its answer.
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info,refinery_core=warn,tokio_postgres=warn".into()),
        )
        .json()
        // Logs on standard error: standard output is a command's answer
        // (`staff add` prints the new key there) and the start-up lines.
        .with_writer(std::io::stderr)
        .init();
    let outcome = match cli.command {
        Some(Command::Staff(c)) => staff(c).await,
        Some(Command::Consent(ConsentCommand::Verify { database })) => consent_verify(database).await,
        Some(Command::Partner(c)) => partner(c).await,
        Some(Command::Place(c)) => place(c).await,
        Some(Command::Learn { database, catalogue_dir, k }) => learn(database, &catalogue_dir, k).await,
        Some(Command::Outbox(o)) => outbox(o.outbox),
        None => run(cli.serve).await,
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("tailor-server: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn connect(database: Database) -> Result<store::Store, String> {
    store::Store::connect(&store::DatabaseUrl::parse(&database.database_url)?).await.map_err(|e| e.to_string())
}

async fn staff(command: StaffCommand) -> Result<(), String> {
    let now = tailor_server::clock::now_rfc3339();
    match command {
        StaffCommand::Add { name, role, database } => {
            if name.trim().is_empty() {
                return Err("staff add needs a --name".into());
            }
            let store = connect(database).await?;
            let (key, digest) = tailor_server::staff::new_key();
            let id = format!("S{}", &digest[..10]);
            let row = store::StaffKey { id: id.clone(), name, role: role.as_str().to_string(), created_at: now, revoked_at: None };
            store.add_staff(row, &digest).await.map_err(|e| e.to_string())?;
            println!("staff key {id} ({role}); keep it safe, it is not shown again:\n{key}");
            Ok(())
        }
        StaffCommand::List(database) => {
            for k in connect(database).await?.list_staff().await.map_err(|e| e.to_string())? {
                let state = k.revoked_at.map_or("active".to_string(), |r| format!("revoked {r}"));
                println!("{}\t{}\t{}\t{}\t{state}", k.id, k.role, k.name, k.created_at);
            }
            Ok(())
        }
        StaffCommand::Revoke(Revoke { id, database }) => {
            if connect(database).await?.revoke_staff(&id, &now).await.map_err(|e| e.to_string())? {
                println!("revoked {id}");
                Ok(())
            } else {
                Err(format!("no active staff key {id}"))
            }
        }
    }
}

/// `consent verify`: any break is listed and the exit status is 1.
async fn consent_verify(database: Database) -> Result<(), String> {
    let store = connect(database).await?;
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

/// Runs `work` in one transaction; store errors as text.
async fn in_store<T: Send + 'static>(
    store: &store::Store,
    work: impl FnOnce(&mut dyn store::sql::Db) -> Result<T, store::StoreError> + Send + 'static,
) -> Result<T, String> {
    store.transaction(work).await.map_err(|e| e.to_string())?.map_err(|e| e.to_string())
}

async fn partner(command: PartnerCommand) -> Result<(), String> {
    let now = tailor_server::clock::now_rfc3339();
    match command {
        PartnerCommand::Add { id, name, origins, theme, database } => {
            if name.trim().is_empty() {
                return Err("partner add needs a --name".into());
            }
            let theme: BTreeMap<String, String> = theme.into_iter().collect();
            tailor_engine::theme::check(&theme)?;
            let store = connect(database).await?;
            let (key, digest) = partners::new_key();
            let p = partners::Partner { id: id.clone(), name, origins, theme };
            in_store(&store, move |db| partners::add(db, &p, &digest, &now)).await?;
            println!("partner {id}; its server's key (keep it safe, it is not shown again):\n{key}");
            Ok(())
        }
        PartnerCommand::List(database) => {
            let list = in_store(&connect(database).await?, |db| partners::list(db)).await?;
            for (p, revoked) in list {
                let state = revoked.as_ref().map_or("active".to_string(), |r| format!("revoked {r}"));
                println!("{}\t{}\t{}\t{:?}\t{state}", p.id, p.name, p.origins.join(" "), p.theme);
            }
            Ok(())
        }
        PartnerCommand::Revoke(Revoke { id, database }) => {
            let target = id.clone();
            if in_store(&connect(database).await?, move |db| partners::revoke(db, &target, &now)).await? {
                println!("revoked {id}");
                Ok(())
            } else {
                Err(format!("no active partner {id}"))
            }
        }
    }
}

async fn learn(database: Database, catalogue_dir: &std::path::Path, k: u32) -> Result<(), String> {
    let catalogue = Catalogue::load(catalogue_dir)?;
    let store = connect(database).await?;
    for (product, orders) in tailor_server::learn::learn_all(&store, &catalogue, k).await.map_err(|e| e.to_string())? {
        println!("{product}\tlearned from {orders} orders (k = {k})");
    }
    Ok(())
}

async fn place(command: PlaceCommand) -> Result<(), String> {
    use tailor_server::calls;
    let now = tailor_server::clock::now_rfc3339();
    match command {
        PlaceCommand::Add { name, database } => {
            let store = connect(database).await?;
            if in_store(&store, |db| calls::places(db)).await?.iter().any(|(n, _, _)| *n == name) {
                return Err(format!("kiosk place \"{name}\" is registered already (a revoked name stays taken): pick another name"));
            }
            let (key, digest) = calls::new_key();
            let place = name.clone();
            in_store(&store, move |db| calls::add_place(db, &place, &digest, &now)).await?;
            let address = format!("/kiosk?place={}&key={key}", name.replace(' ', "%20"));
            println!("kiosk place {name}; open the kiosk at {address}\nits key (keep it safe, it is not shown again):\n{key}");
            Ok(())
        }
        PlaceCommand::List(database) => {
            for (name, created, revoked) in in_store(&connect(database).await?, |db| calls::places(db)).await? {
                let state = revoked.as_ref().map_or("active".to_string(), |r| format!("revoked {r}"));
                println!("{name}\t{created}\t{state}");
            }
            Ok(())
        }
        PlaceCommand::Revoke(Revoke { id, database }) => {
            let target = id.clone();
            if in_store(&connect(database).await?, move |db| calls::revoke_place(db, &target, &now)).await? {
                println!("revoked {id}");
                Ok(())
            } else {
                Err(format!("no active kiosk place {id}"))
            }
        }
    }
}

/// `outbox`: the newest messages the default mailer wrote.
fn outbox(dir: PathBuf) -> Result<(), String> {
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

async fn run(args: ServeArgs) -> Result<(), String> {
    let (config, outbox) = config(args);
    let catalogue = Catalogue::load(&config.catalogue_dir)?;
    for why in &catalogue.refused {
        tracing::warn!("{why}");
    }
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
    let state = AppState { catalogue: Arc::new(catalogue), store, mailer: tailor_server::mail::Mailer::Outbox(outbox), limits: Default::default() };
    tokio::spawn(tailor_server::housekeeping::run(state.store.clone(), std::time::Duration::from_secs(300)));
    tokio::spawn(tailor_server::learn::run(state.store.clone(), state.catalogue.clone(), config.learn_k, config.learn_every));
    let trusted: std::sync::Arc<[std::net::IpAddr]> = config.trusted_proxies.into();
    let app = app_with_limits(state, site, config.limits)
        .layer(axum::middleware::from_fn_with_state(trusted, tailor_server::limits::forwarded_client));
    tailor_server::serve::serve(listener, app, config.limits.header_timeout, config.limits.idle_timeout, std::time::Duration::from_secs(30), shutdown_signal()).await;
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
