//! The project's own commands. See `cargo xtask help`.

mod bench;
mod compress;
mod fuzz;
mod shell;
mod test;
mod tools;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode, Stdio};
use std::time::Instant;

pub type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

const HELP: &str = "\
cargo xtask run  [--addr HOST:PORT] [--database-url URL]
    Installs what is missing, builds the site, starts the server (default
    http://127.0.0.1:8080/ with a SQLite file under ./data/). Ctrl-C stops it.
cargo xtask test
    Installs what the tests need, then runs every test: native unit and
    integration tests, wasm tests in headless Chromium, and Playwright
    end-to-end tests against a fresh server. Ends with `N passed, N failed`.
cargo xtask build
    Installs what is missing and builds the site and the server only.
cargo xtask bench engine [--wasm] MODEL [--sales FILE] [--sessions N] [--seed S]
    Replays click sessions on MODEL (Tailor .json, XCSP .xml, DIMACS) natively
    or compiled to wasm in headless Chromium; prints one JSON line.
cargo xtask bench ui [--clicks N] [--seed S]
    First-screen bytes, configurator load and click latency in Chromium.
cargo xtask bench server [--seconds N] [--connections C]
    Orders per second and latency against the server and a bare handler.
cargo xtask fuzz [--seconds N]
    Fuzzes the engine's model and configuration-code decoders (cargo-fuzz,
    nightly toolchain), N seconds each.";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let started = Instant::now();
    let result = match args.first().map(String::as_str) {
        Some("run") => cmd_run(&args[1..]),
        Some("test") => test::cmd_test(&args[1..]),
        Some("bench") => bench::cmd_bench(&args[1..]),
        Some("fuzz") => fuzz::cmd_fuzz(&args[1..]),
        Some("build") => tools::ensure_build_tools().and_then(|_| build_site()).and_then(|_| build_server()).map(|_| ()),
        Some("help" | "-h" | "--help") | None => {
            println!("{HELP}");
            Ok(())
        }
        Some(other) => Err(format!("unknown command \"{other}\"\n{HELP}").into()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("\nxtask: error: {e} (after {:.0} s)", started.elapsed().as_secs_f64());
            ExitCode::FAILURE
        }
    }
}

/// The workspace root (the folder above this crate).
pub fn project_root() -> PathBuf {
    // `cargo run` sets it at run time too; prefer that over the path baked in
    // at build time, which is stale when the same target folder serves
    // another checkout.
    let manifest = std::env::var_os("CARGO_MANIFEST_DIR").map(PathBuf::from).unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")));
    manifest.parent().map(Path::to_path_buf).unwrap_or(manifest)
}

/// A heading for what happens next.
pub fn step(what: &str) {
    println!("\n==> {what}");
}

/// Runs a command to completion with inherited output; non-zero is an error.
pub fn run(cmd: &mut Command) -> Result<()> {
    let status = cmd.status().map_err(|e| format!("cannot start {:?}: {e}", cmd.get_program()))?;
    if status.success() { Ok(()) } else { Err(format!("{} failed ({status})", describe(cmd)).into()) }
}

/// Runs a command and returns its standard output; non-zero is an error.
pub fn cmd_output(cmd: &mut Command) -> Result<String> {
    let out = cmd.stderr(Stdio::null()).output().map_err(|e| format!("cannot start {:?}: {e}", cmd.get_program()))?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        Err(format!("{} failed ({})", describe(cmd), out.status).into())
    }
}

fn describe(cmd: &Command) -> String {
    let mut s = cmd.get_program().to_string_lossy().into_owned();
    for a in cmd.get_args() {
        s.push(' ');
        s.push_str(&a.to_string_lossy());
    }
    format!("`{s}`")
}

/// `trunk build --release --offline` into dist/.
pub fn build_site() -> Result<()> {
    step("building the site (trunk build --release --offline)");
    let root = project_root();
    run(Command::new("trunk").args(["build", "--release", "--offline"]).current_dir(&root))?;
    shell::fill(&root.join("dist/index.html"), &root.join("public/catalogue/index.json"))?;
    step("compressing the hashed assets (zopfli gzip, brotli 11)");
    compress::precompress(&root.join("dist"), &root.join("target/precompressed"))
}

/// The server binary, built with the `native` profile.
pub fn build_server() -> Result<PathBuf> {
    step("building the server");
    run(Command::new("cargo")
        .args(["build", "--profile", "native", "-p", "tailor-server"])
        .current_dir(project_root()))?;
    Ok(project_root().join("target/native/tailor-server"))
}

/// Starts the server and waits for its "running at URL" line. Returns the
/// child and the URL; the rest of its output keeps flowing to ours.
pub fn start_server(binary: &Path, args: &[String]) -> Result<(Child, String)> {
    let mut child = Command::new(binary)
        .args(args)
        .current_dir(project_root())
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", binary.display()))?;
    let stdout = child.stdout.take().expect("piped");
    let mut lines = BufReader::new(stdout).lines();
    let url = loop {
        match lines.next() {
            Some(Ok(line)) => {
                println!("{line}");
                if let Some(rest) = line.strip_prefix("Tailor is running at ") {
                    break rest.split_whitespace().next().unwrap_or_default().to_string();
                }
            }
            _ => {
                let status = child.wait()?;
                return Err(format!("the server stopped before it was ready ({status})").into());
            }
        }
    };
    std::thread::spawn(move || {
        for line in lines.map_while(|l| l.ok()) {
            println!("{line}");
        }
    });
    Ok((child, url))
}

fn cmd_run(args: &[String]) -> Result<()> {
    let mut addr = "127.0.0.1:8080".to_string();
    let mut database_url = std::env::var("DATABASE_URL").unwrap_or_else(|_| "sqlite://data/tailor.db".into());
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        let slot = match flag.as_str() {
            "--addr" => &mut addr,
            "--database-url" => &mut database_url,
            other => return Err(format!("unknown argument \"{other}\" for run\n{HELP}").into()),
        };
        *slot = it.next().ok_or_else(|| format!("{flag} needs a value"))?.clone();
    }
    tools::ensure_build_tools()?;
    build_site()?;
    let server = build_server()?;
    step("starting the server");
    let server_args = vec!["--addr".into(), addr, "--database-url".into(), database_url, "--site".into(), "dist".into()];
    let (mut child, url) = start_server(&server, &server_args)?;
    println!("\nOpen {url} in your browser. Ctrl-C stops the server.");
    // Ctrl-C reaches the server too (same process group); wait for it to
    // finish its requests in flight and exit rather than dying first.
    ignore_interrupts();
    let status = child.wait()?;
    if status.success() { Ok(()) } else { Err(format!("the server exited with {status}").into()) }
}

#[cfg(unix)]
fn ignore_interrupts() {
    // SAFETY: installing SIG_IGN for SIGINT has no preconditions.
    unsafe {
        libc_signal(2, 1);
    }
}

#[cfg(unix)]
unsafe extern "C" {
    #[link_name = "signal"]
    fn libc_signal(signum: i32, handler: usize) -> usize;
}

#[cfg(not(unix))]
fn ignore_interrupts() {}
