//! The command line of `cargo xtask`, read by clap. Every subcommand takes
//! its own options struct; numbers are checked here, before any build
//! starts, with the types the tools they are passed to read them as.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// The project's own commands.
#[derive(Debug, Parser)]
// A flag given twice takes its last value, as it did before clap.
#[command(
    name = "cargo xtask",
    bin_name = "cargo xtask",
    args_override_self = true
)]
pub struct Cli {
    // None prints the help (`cargo xtask` alone).
    #[command(subcommand)]
    pub command: Option<Cmd>,
}

#[derive(Debug, Subcommand)]
pub enum Cmd {
    /// Installs what is missing, builds the site, starts the server.
    ///
    /// The server answers at http://127.0.0.1:8080/ by default, with a
    /// SQLite file under ./data/. Ctrl-C stops it.
    Run(RunArgs),
    /// Installs what the tests need, then runs every test.
    ///
    /// Native unit and integration tests, wasm tests in headless Chromium,
    /// and Playwright end-to-end tests against a fresh server. Ends with
    /// `N passed, N failed`.
    Test,
    /// Installs what is missing and builds the site and the server only.
    Build,
    /// Benchmarks that print numbers: the engine, the portal, the server.
    #[command(subcommand)]
    Bench(BenchCmd),
    /// Starts a cluster on this machine: PostgreSQL with a synchronous
    /// standby, several servers, nginx in front; prints the address.
    ///
    /// Everything on loopback; Ctrl-C stops everything.
    Cluster(ClusterArgs),
    /// Fuzzes the engine's model and configuration-code decoders.
    ///
    /// cargo-fuzz with the nightly toolchain, N seconds each. Crashes are
    /// left in fuzz/artifacts/.
    Fuzz(FuzzArgs),
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// Where the server listens.
    #[arg(long, value_name = "HOST:PORT", default_value = "127.0.0.1:8080")]
    pub addr: String,
    /// The server's database.
    // Help shows no value of DATABASE_URL: it may hold a password.
    #[arg(
        long,
        value_name = "URL",
        env = "DATABASE_URL",
        hide_env_values = true,
        default_value = "sqlite://data/tailor.db"
    )]
    pub database_url: String,
}

#[derive(Debug, Subcommand)]
pub enum BenchCmd {
    /// Replays click sessions on MODEL; prints one JSON line.
    ///
    /// Natively, or compiled to wasm in headless Chromium with --wasm.
    Engine(EngineArgs),
    /// First-screen bytes, configurator load and click latency in Chromium.
    Ui(UiArgs),
    /// Orders per second and latency against the server and a bare handler.
    Server(ServerArgs),
    /// Orders through a cluster while an instance and the primary are killed;
    /// one JSON line: acknowledged, missing, duplicates, gaps, rates.
    Cluster(BenchClusterArgs),
    /// The recommender on the Renault line by the published protocol: one
    /// JSON line with the product's k, one with k = 1.
    Recommend(RecommendArgs),
}

#[derive(Debug, Args)]
pub struct RecommendArgs {
    /// The seed of the random variable orders.
    #[arg(long, value_name = "S", default_value_t = 1)]
    pub seed: u64,
    /// Only this fold (0-9).
    #[arg(long, value_name = "K")]
    pub fold: Option<u8>,
}

#[derive(Debug, Args)]
pub struct EngineArgs {
    /// Runs the benchmark compiled to wasm in headless Chromium.
    #[arg(long)]
    pub wasm: bool,
    /// The model: Tailor .json, XCSP .xml or DIMACS.
    pub model: PathBuf,
    /// Orders whose values the sessions assign, one order each, in turn.
    #[arg(long, value_name = "FILE")]
    pub sales: Option<PathBuf>,
    /// How many click sessions are replayed.
    #[arg(long, value_name = "N", default_value_t = 200)]
    pub sessions: usize,
    /// The seed of the sessions' random choices.
    #[arg(long, value_name = "S", default_value_t = 1)]
    pub seed: u64,
    /// The model's prepared file (`tailor-engine compile`), loaded instead
    /// of compiling; `open_ms` and `open_bytes` then count it.
    #[arg(long, value_name = "FILE")]
    pub prepared: Option<PathBuf>,
    /// Also recommends every open variable after each click (learned from
    /// the sales, or from 10,000 random orders of a catalogue model).
    #[arg(long)]
    pub recommend: bool,
    /// Times drawing the picture after each click instead (a catalogue
    /// model with a visual section).
    #[arg(long, conflicts_with = "recommend")]
    pub picture: bool,
}

#[derive(Debug, Args)]
pub struct UiArgs {
    /// How many clicks are timed.
    #[arg(long, value_name = "N", default_value_t = 300)]
    pub clicks: u32,
    /// The seed of the random clicks.
    #[arg(long, value_name = "S", default_value_t = 1)]
    pub seed: u64,
}

#[derive(Debug, Args)]
pub struct ServerArgs {
    /// How long each load runs.
    #[arg(long, value_name = "N", default_value_t = 30)]
    pub seconds: u64,
    /// How many keep-alive connections post orders.
    #[arg(long, value_name = "C", default_value_t = 32)]
    pub connections: u64,
    /// The server's database (default: a fresh SQLite file under target/bench-server).
    #[arg(long, value_name = "URL")]
    pub database_url: Option<String>,
}

#[derive(Debug, Args)]
pub struct ClusterArgs {
    /// How many server instances.
    #[arg(long, value_name = "N", default_value_t = 3, value_parser = clap::value_parser!(u16).range(1..=32))]
    pub instances: u16,
}

#[derive(Debug, Args)]
pub struct BenchClusterArgs {
    /// How long the load runs; the faults come at fixed shares of it.
    #[arg(long, value_name = "N", default_value_t = 40, value_parser = clap::value_parser!(u64).range(12..=3600))]
    pub seconds: u64,
    /// How many server instances (at least 2 with faults).
    #[arg(long, value_name = "N", default_value_t = 3, value_parser = clap::value_parser!(u16).range(1..=32))]
    pub instances: u16,
    /// How many keep-alive connections post orders.
    #[arg(long, value_name = "C", default_value_t = 32)]
    pub connections: u64,
    /// The same load without faults (to compare throughput by instances).
    #[arg(long)]
    pub no_faults: bool,
}

#[derive(Debug, Args)]
pub struct FuzzArgs {
    /// How long each target is fuzzed.
    #[arg(long, value_name = "N", default_value_t = 60)]
    pub seconds: u32,
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;

    fn parse(args: &[&str]) -> Result<Cli, clap::Error> {
        Cli::try_parse_from(std::iter::once("cargo xtask").chain(args.iter().copied()))
    }

    #[test]
    fn the_command_line_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn run_takes_an_address_and_a_database() {
        let Some(Cmd::Run(a)) = parse(&[
            "run",
            "--addr",
            "0.0.0.0:9000",
            "--database-url",
            "sqlite://x.db",
        ])
        .unwrap()
        .command
        else {
            panic!()
        };
        assert_eq!(
            (a.addr.as_str(), a.database_url.as_str()),
            ("0.0.0.0:9000", "sqlite://x.db")
        );
        // The last of a repeated flag counts.
        let Some(Cmd::Run(a)) = parse(&[
            "run",
            "--addr",
            "a:1",
            "--addr",
            "b:2",
            "--database-url",
            "u",
        ])
        .unwrap()
        .command
        else {
            panic!()
        };
        assert_eq!(a.addr, "b:2");
        // Without the flag, DATABASE_URL, then the SQLite file (read from the
        // definition: the environment of a test is not ours to change).
        let run = Cli::command();
        let run = run.find_subcommand("run").unwrap();
        let db = run
            .get_arguments()
            .find(|a| a.get_id() == "database_url")
            .unwrap();
        assert_eq!(db.get_env(), Some(std::ffi::OsStr::new("DATABASE_URL")));
        assert_eq!(db.get_default_values(), ["sqlite://data/tailor.db"]);
        let addr = run.get_arguments().find(|a| a.get_id() == "addr").unwrap();
        assert_eq!(addr.get_default_values(), ["127.0.0.1:8080"]);
    }

    #[test]
    fn bench_engine_takes_its_model_anywhere_among_the_flags() {
        let Some(Cmd::Bench(BenchCmd::Engine(a))) =
            parse(&["bench", "engine", "m.json"]).unwrap().command
        else {
            panic!()
        };
        assert!(!a.wasm);
        assert_eq!(
            (a.model, a.sales, a.sessions, a.seed),
            ("m.json".into(), None, 200, 1)
        );
        let Some(Cmd::Bench(BenchCmd::Engine(a))) = parse(&[
            "bench",
            "engine",
            "--sessions",
            "5",
            "--wasm",
            "m.xml",
            "--sales",
            "s.json",
            "--seed",
            "7",
        ])
        .unwrap()
        .command
        else {
            panic!()
        };
        assert!(a.wasm);
        assert_eq!(
            (a.model, a.sales, a.sessions, a.seed),
            ("m.xml".into(), Some("s.json".into()), 5, 7)
        );
        assert!(
            parse(&["bench", "engine", "--wasm"]).is_err(),
            "MODEL is required"
        );
        assert!(parse(&["bench", "engine", "m.json", "--sessions", "many"]).is_err());
    }

    #[test]
    fn bench_ui_and_server_have_their_defaults() {
        let Some(Cmd::Bench(BenchCmd::Ui(a))) = parse(&["bench", "ui"]).unwrap().command else {
            panic!()
        };
        assert_eq!((a.clicks, a.seed), (300, 1));
        let Some(Cmd::Bench(BenchCmd::Ui(a))) =
            parse(&["bench", "ui", "--clicks", "20", "--seed", "3"])
                .unwrap()
                .command
        else {
            panic!()
        };
        assert_eq!((a.clicks, a.seed), (20, 3));
        let Some(Cmd::Bench(BenchCmd::Server(a))) = parse(&["bench", "server"]).unwrap().command
        else {
            panic!()
        };
        assert_eq!((a.seconds, a.connections, a.database_url), (30, 32, None));
        let Some(Cmd::Bench(BenchCmd::Server(a))) = parse(&[
            "bench",
            "server",
            "--seconds",
            "5",
            "--connections",
            "4",
            "--database-url",
            "postgres://p@h/d",
        ])
        .unwrap()
        .command
        else {
            panic!()
        };
        assert_eq!(
            (a.seconds, a.connections, a.database_url.as_deref()),
            (5, 4, Some("postgres://p@h/d"))
        );
    }

    #[test]
    fn fuzz_seconds_default_and_must_be_a_number() {
        let Some(Cmd::Fuzz(a)) = parse(&["fuzz"]).unwrap().command else {
            panic!()
        };
        assert_eq!(a.seconds, 60);
        let Some(Cmd::Fuzz(a)) = parse(&["fuzz", "--seconds", "5"]).unwrap().command else {
            panic!()
        };
        assert_eq!(a.seconds, 5);
        assert!(parse(&["fuzz", "--seconds", "-1"]).is_err());
        assert!(parse(&["fuzz", "--seconds"]).is_err());
    }

    #[test]
    fn usage_errors_are_errors_and_help_is_not() {
        use clap::error::ErrorKind;
        assert!(parse(&[]).unwrap().command.is_none());
        assert!(matches!(parse(&["test"]).unwrap().command, Some(Cmd::Test)));
        assert!(matches!(
            parse(&["build"]).unwrap().command,
            Some(Cmd::Build)
        ));
        assert_eq!(
            parse(&["deploy"]).unwrap_err().kind(),
            ErrorKind::InvalidSubcommand
        );
        assert_eq!(
            parse(&["test", "--fast"]).unwrap_err().kind(),
            ErrorKind::UnknownArgument
        );
        assert_eq!(
            parse(&["run", "--port", "1"]).unwrap_err().kind(),
            ErrorKind::UnknownArgument
        );
        // `bench` alone shows its commands as an error, as its usage line was.
        assert!(parse(&["bench"]).unwrap_err().use_stderr());
        for help in [
            &["--help"][..],
            &["-h"],
            &["help"],
            &["bench", "server", "--help"],
        ] {
            let e = parse(help).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::DisplayHelp, "{help:?}");
            assert!(!e.use_stderr());
        }
    }
}
