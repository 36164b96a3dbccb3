//! The project's own commands. See `cargo xtask help`.

mod bench;
mod cluster;
mod compress;
mod flags;
mod fuzz;
mod prepare;
mod prerender;
mod shell;
mod split;
mod test;
mod tools;

use std::fs;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode, ExitStatus, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use clap::{CommandFactory, Parser};

use crate::flags::{Cli, Cmd, RunArgs};

pub type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

fn main() -> ExitCode {
    if split::is_link_call() {
        return match split::link() {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("xtask (as the wasm linker): {e}");
                ExitCode::FAILURE
            }
        };
    }
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            // Help goes to standard output and succeeds; a usage error ends
            // with 1 like every other failure here (clap's own exit is 2).
            return if e.use_stderr() { ExitCode::FAILURE } else { ExitCode::SUCCESS };
        }
    };
    let started = *STARTED.get_or_init(Instant::now);
    let result = match cli.command {
        Some(Cmd::Run(args)) => cmd_run(args),
        Some(Cmd::Test) => test::cmd_test(),
        Some(Cmd::Bench(cmd)) => bench::cmd_bench(cmd),
        Some(Cmd::Fuzz(args)) => fuzz::cmd_fuzz(args),
        Some(Cmd::Cluster(args)) => cluster::cmd_cluster(args.instances.into()),
        Some(Cmd::Build) => tools::ensure_build_tools().and_then(|_| build_site()).and_then(|_| build_server()).map(|_| ()),
        None => Cli::command().print_help().map_err(Into::into),
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

/// A free port on 127.0.0.1 (free when asked; the caller binds it next).
pub fn free_port() -> Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// Waits up to 20 s for something to listen on 127.0.0.1:`port`; on
/// timeout the error names `what` and the log to read.
pub fn wait_for_port(port: u16, what: &str, log: &Path) -> Result<()> {
    let t0 = std::time::Instant::now();
    // A connection made to itself (the kernel can give the client end the
    // very port it calls, when nobody listens there) is not a listener.
    let listening = || std::net::TcpStream::connect(("127.0.0.1", port)).is_ok_and(|s| s.local_addr().ok() != s.peer_addr().ok());
    while !listening() {
        if t0.elapsed() > std::time::Duration::from_secs(20) {
            return Err(format!("{what} did not start on port {port}; see {}", log.display()).into());
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    Ok(())
}

/// A heading for what happens next, with the time since this command
/// started (CI keeps a failed run's output: it shows where the time went).
pub fn step(what: &str) {
    let t = STARTED.get_or_init(Instant::now).elapsed().as_secs();
    println!("\n==> [{}:{:02}] {what}", t / 60, t % 60);
}

/// When this command started (set by `main`, read by [`step`]).
static STARTED: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();

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

/// The nightly's size options for the site's wasm, added to the wasm
/// target's flags in `.cargo/config.toml` (cargo joins the two lists):
/// panics abort at once (no message formatting, no unwinding tables) and
/// carry no file and line.
const SITE_RUSTFLAGS: &str = "-Zunstable-options -Cpanic=immediate-abort -Zlocation-detail=none";

/// `trunk build --release --offline` into dist/ (the shop's bundle), then
/// the account bundle (`account.html`) into dist/portal, the channels
/// bundle (`channels.html`: the kiosk, a partner's frame, a kiosk's
/// hand-off) into dist/channels and the shop's console (its own wasm,
/// `console/Trunk.toml`) into dist/staff: in this order, since the first
/// build empties dist/; then each product's
/// configurator as the app first draws it (`prerender.rs`, which builds and
/// starts the server for that).
pub fn build_site() -> Result<()> {
    step("building the site (trunk build --release --offline)");
    let root = project_root();
    let toolchain = tools::site_toolchain()?;
    // The shop's wasm is cut where the first screen needs none of it
    // (`split.rs`): this program links it, and the parts join dist/ after.
    // It links every bundle (and only splits the shop's), since cargo
    // rebuilds every crate for another linker.
    let parts = root.join("target/split");
    let wasm_opt = format!("wasm-opt -Oz {}", wasm_opt_params(&fs::read_to_string(root.join("index.html"))?)?);
    let lld = split::rust_lld(&toolchain)?;
    let linker = std::env::current_exe()?;
    let trunk = || {
        let mut cmd = Command::new("trunk");
        cmd.env("CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER", &linker)
            .env(split::LLD_VAR, &lld)
            .env(split::PARTS_VAR, &parts)
            .env(split::WASM_OPT_VAR, &wasm_opt)
            .env("RUSTUP_TOOLCHAIN", &toolchain)
            .env("CARGO_UNSTABLE_BUILD_STD", "std,panic_abort")
            .env("CARGO_UNSTABLE_BUILD_STD_FEATURES", "optimize_for_size")
            .env("CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS", SITE_RUSTFLAGS);
        cmd
    };
    run(trunk().args(["build", "--release", "--offline"]).current_dir(&root))?;
    split::install(&parts, &root.join("dist"))?;
    step("building the account bundle (account.html, into dist/portal)");
    run(trunk()
        .args(["build", "--release", "--offline", "--dist", "dist/portal", "--public-url", "/portal/", "account.html"])
        .current_dir(&root))?;
    step("building the channels bundle (channels.html, into dist/channels)");
    run(trunk()
        .args(["build", "--release", "--offline", "--dist", "dist/channels", "--public-url", "/channels/", "channels.html"])
        .current_dir(&root))?;
    let index = shell::pictures(&root.join("dist/catalogue"))?;
    shell::fill(&root.join("dist/index.html"), &index)?;
    step("preparing each product's rules (dist/catalogue/ID-HASH.prep)");
    prepare::prepare(&root.join("dist/catalogue"))?;
    step("building the shop's console (console/, into dist/staff)");
    run(trunk().args(["build", "--release", "--offline"]).current_dir(root.join("console")))?;
    prerender::prerender(&root)?;
    step("compressing the hashed assets (zopfli gzip, brotli 11)");
    let dists = ["dist", "dist/staff", "dist/portal", "dist/channels", "dist/catalogue"].map(|d| root.join(d));
    compress::precompress(&dists.each_ref().map(PathBuf::as_path), &root.join("target/precompressed"))
}

/// The arguments the shop's page gives Trunk for wasm-opt (the features
/// rustc emits), which the split parts get too.
fn wasm_opt_params(index_html: &str) -> Result<String> {
    let rest = index_html.split("data-wasm-opt-params=\"").nth(1).ok_or("index.html gives no data-wasm-opt-params")?;
    Ok(rest[..rest.find('"').ok_or("index.html: data-wasm-opt-params is not closed")?].to_owned())
}

/// The server binary: built with the `native` profile, or, once
/// [`use_the_tests_build`] was called, the unoptimised one the native test
/// suite built (see there).
pub fn build_server() -> Result<PathBuf> {
    if TESTS_BUILD.load(Ordering::Relaxed) {
        return build_for_tests().map(|dir| dir.join("tailor-server"));
    }
    step("building the server");
    run(Command::new("cargo")
        .args(["build", "--profile", "native", "-p", "tailor-server"])
        .current_dir(project_root()))?;
    Ok(project_root().join("target/native/tailor-server"))
}

/// The load generator, beside the server [`build_server`] gives.
pub fn build_load() -> Result<PathBuf> {
    if TESTS_BUILD.load(Ordering::Relaxed) {
        return build_for_tests().map(|dir| dir.join("tailor-load"));
    }
    step("building the load generator");
    run(Command::new("cargo").args(["build", "--profile", "native", "-p", "tailor-load"]).current_dir(project_root()))?;
    Ok(project_root().join("target/native/tailor-load"))
}

/// The packages (and features) of the native test suite. Every cargo
/// command of `cargo xtask test` that builds for this machine names the same
/// ones: cargo unifies dependencies' features over the packages a command
/// names, so naming only `tailor-server` rebuilt 36 crates (55 s on a cold
/// build).
pub const NATIVE_PACKAGES: [&str; 12] =
    ["-p", "tailor-api", "-p", "tailor-engine", "-p", "tailor-server", "-p", "tailor-load", "-p", "xtask", "--features", "tailor-engine/cli"];

/// From now on [`build_server`] and [`build_load`] give the unoptimised
/// programs the native test suite built, not the `native` profile's. For
/// `cargo xtask test`: the optimised build of the server and the load
/// generator was 4 of a fresh CI run's minutes, for the same code; the
/// tests need no speed from them (overflow checks are even on). `run`,
/// `build` and the benchmarks keep the optimised programs.
pub fn use_the_tests_build() {
    TESTS_BUILD.store(true, Ordering::Relaxed);
}

static TESTS_BUILD: AtomicBool = AtomicBool::new(false);

/// The server and the load generator as the native suite built them for
/// its integration tests (the same packages, features and dev-dependencies;
/// `cargo build` leaves the dev-dependencies out, and so rebuilt 20 crates);
/// returns their folder. Nothing is built when that suite ran.
/// Built once per command: later calls give the same folder at once.
fn build_for_tests() -> Result<PathBuf> {
    static BUILT: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    if let Some(dir) = BUILT.get() {
        return Ok(dir.clone());
    }
    step("building the server and the load generator (unoptimised, as the tests built them)");
    run(Command::new("cargo").args(["test", "--no-run", "--quiet"]).args(NATIVE_PACKAGES).current_dir(project_root()))?;
    let dir = project_root().join("target/debug");
    for program in ["tailor-server", "tailor-load"] {
        if !dir.join(program).is_file() {
            return Err(format!("the native tests' build made no {}", dir.join(program).display()).into());
        }
    }
    Ok(BUILT.get_or_init(|| dir).clone())
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

fn cmd_run(RunArgs { addr, database_url }: RunArgs) -> Result<()> {
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

/// Ctrl-C no longer stops this process (a child started later would
/// inherit that, so call it after the last spawn).
#[cfg(unix)]
fn ignore_interrupts() {
    use nix::sys::signal::{SigHandler, Signal, signal};
    // SAFETY: SIG_IGN runs no code of ours, so no handler has to be
    // async-signal-safe; nothing else here sets a SIGINT disposition.
    let _ = unsafe { signal(Signal::SIGINT, SigHandler::SigIgn) };
}

#[cfg(not(unix))]
fn ignore_interrupts() {}

/// Asks a child to stop and waits for it. On Unix that is SIGTERM, on which
/// the server finishes its requests in flight and exits by itself.
pub fn terminate(child: &mut Child) -> std::io::Result<ExitStatus> {
    #[cfg(unix)]
    {
        use nix::sys::signal::{Signal, kill};
        use nix::unistd::Pid;
        // A failure means it has exited already: `wait` gives its status.
        let _ = kill(Pid::from_raw(child.id() as i32), Signal::SIGTERM);
    }
    #[cfg(not(unix))]
    let _ = child.kill();
    child.wait()
}

#[cfg(all(test, unix))]
mod tests {
    use std::io::{BufRead, BufReader};
    use std::os::unix::process::ExitStatusExt;
    use std::process::{Command, Stdio};

    use super::terminate;

    #[test]
    fn terminate_sends_sigterm_and_waits() {
        let mut child = Command::new("sleep").arg("30").spawn().unwrap();
        assert_eq!(terminate(&mut child).unwrap().signal(), Some(nix::sys::signal::Signal::SIGTERM as i32));
        // A child that handles SIGTERM exits as it chooses (as the server does).
        let mut child = Command::new("sh")
            .args(["-c", "trap 'kill $!; exit 0' TERM; sleep 30 & echo ready; wait"])
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        assert_eq!(line, "ready\n");
        assert!(terminate(&mut child).unwrap().success());
    }
}
