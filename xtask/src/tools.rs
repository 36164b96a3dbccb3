//! Installing the tools the build and the tests need, each only when it is
//! missing or not at its pinned version.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use cargo_metadata::{Metadata, MetadataCommand};

use crate::{Result, cmd_output, project_root, run, step};

/// Trunk, pinned exactly (0.22 needs a newer rustc than the machine has).
pub const TRUNK_VERSION: &str = "0.21.14";

/// The nightly Rust the site's wasm is built with, pinned by its dist date
/// and the commit its `rustc -V` names. Only the three wasm bundles use it:
/// std rebuilt for size (`-Zbuild-std`, `optimize_for_size`) with panics
/// that abort at once and carry no source locations takes 35 KB of brotli
/// off the shop's first download (332 to 297 KB, measured at stop 34).
/// Everything else, the wasm unit tests included, builds on stable.
pub const SIZE_NIGHTLY: &str = "nightly-2026-05-20";
const SIZE_NIGHTLY_COMMIT: &str = "e50aa6fba";

/// Chromium and its WebDriver, from Debian's packages.
pub const CHROMIUM: &str = "/usr/bin/chromium";
/// schemathesis (PyPI), in its own virtual environment under target/tools.
pub const SCHEMATHESIS_VERSION: &str = "4.32.5";
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// Prepends cargo's bin folder to PATH so tools installed now are found.
pub fn path_with_cargo_bin() {
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".cargo")));
    if let Some(bin) = home.map(|h| h.join("bin")) {
        let old = std::env::var_os("PATH").unwrap_or_default();
        let mut parts: Vec<PathBuf> = std::env::split_paths(&old).collect();
        if !parts.contains(&bin) {
            parts.insert(0, bin);
            let joined = std::env::join_paths(parts).expect("PATH is joinable");
            // SAFETY: called at start-up, before any thread is spawned.
            unsafe { std::env::set_var("PATH", joined) };
        }
    }
}

/// The version of `package` that the workspace's own crates depend on, from
/// cargo's resolve graph (the wasm-bindgen CLI must match wasm-bindgen's).
pub fn resolved_version(package: &str) -> Result<String> {
    // Not `no_deps`: that leaves out the resolve graph. Cargo reads the lock
    // file and every dependency's manifest, downloading those it lacks (the
    // build needs them next anyway): about 0.3 s, 4 s on a fresh machine.
    // Its errors name `cargo metadata` and carry cargo's message.
    let metadata = MetadataCommand::new().manifest_path(project_root().join("Cargo.toml")).exec()?;
    version_used(&metadata, package)
}

/// The one version of `package` that workspace members depend on directly.
fn version_used(metadata: &Metadata, package: &str) -> Result<String> {
    let resolve = metadata.resolve.as_ref().ok_or("cargo metadata gave no resolve graph")?;
    let mut versions: Vec<String> = resolve
        .nodes
        .iter()
        .filter(|node| metadata.workspace_members.contains(&node.id))
        .flat_map(|node| &node.deps)
        .filter_map(|dep| metadata.packages.iter().find(|p| p.id == dep.pkg))
        .filter(|p| p.name.as_str() == package)
        .map(|p| p.version.to_string())
        .collect();
    versions.sort();
    versions.dedup();
    match versions.as_slice() {
        [one] => Ok(one.clone()),
        [] => Err(format!("no crate of the workspace depends on {package}").into()),
        several => Err(format!("the workspace depends on {package} {}: its CLI can match one only", several.join(" and ")).into()),
    }
}

/// The version a tool prints for `--version` (second word), if it runs.
fn tool_version(tool: &str) -> Option<String> {
    let out = cmd_output(Command::new(tool).arg("--version")).ok()?;
    out.split_whitespace().nth(1).map(str::to_string)
}

fn is_root() -> bool {
    cmd_output(Command::new("id").arg("-u")).map(|s| s.trim() == "0").unwrap_or(false)
}

/// Installs Debian packages when we are root; otherwise says what to run.
fn apt_install(packages: &[&str], why: &str) -> Result<()> {
    need_root(packages, why)?;
    step(&format!("installing {} (Debian packages)", packages.join(", ")));
    apt_get(packages).iter_mut().try_for_each(run)
}

/// Not being root is an error that says which packages to install, and how.
fn need_root(packages: &[&str], why: &str) -> Result<()> {
    if is_root() {
        return Ok(());
    }
    Err(format!(
        "{why} needs the Debian packages {pkgs}. Install them with:\n    sudo apt-get update && sudo apt-get install -y {pkgs}",
        pkgs = packages.join(" ")
    )
    .into())
}

/// `apt-get update`, then `apt-get install` of `packages`, without questions.
fn apt_get(packages: &[&str]) -> [Command; 2] {
    let mut update = Command::new("apt-get");
    update.args(["update", "-q"]);
    let mut install = Command::new("apt-get");
    install.args(["install", "-y", "-q", "--no-install-recommends"]).args(packages).env("DEBIAN_FRONTEND", "noninteractive");
    [update, install]
}

/// `cargo install`, as the build tools are installed: unoptimised, without
/// debug information, into one build folder shared by both. Trunk and the
/// wasm-bindgen CLI only run other programs and rewrite a few files, so speed
/// does not matter to them, but their installs were a third of a fresh CI run.
/// Trunk's own release profile is fat LTO with one codegen unit; even at
/// opt-level 1 without LTO it took 9 minutes here, unoptimised 5. The
/// wasm-bindgen CLI then took 1.7 minutes, as it reuses most of Trunk's
/// dependencies. The unoptimised wasm-bindgen takes 1.2 s on the shop's
/// bundle instead of 0.3 s, and writes the very same bytes.
fn cargo_install() -> Command {
    let mut cmd = Command::new("cargo");
    cmd.args(["install", "--debug"]).env("CARGO_PROFILE_DEV_DEBUG", "0").env("CARGO_TARGET_DIR", tools_build_dir());
    cmd
}

/// Where [`cargo_install`] builds; removed once the tools are installed.
fn tools_build_dir() -> std::path::PathBuf {
    project_root().join("target/tools/build")
}

/// Everything `cargo xtask run` needs to build the site.
pub fn ensure_build_tools() -> Result<()> {
    ensure_tools(false)
}

/// Everything the tests need on top of the build tools.
pub fn ensure_test_tools() -> Result<()> {
    ensure_tools(true)?;
    ensure_npm_packages()
}

/// The Rust tools are built with cargo while the missing Debian packages are
/// installed in the background: the one is CPU-bound, the other mostly waits
/// on downloads and the disk, and a fresh CI machine needs both.
fn ensure_tools(for_tests: bool) -> Result<()> {
    path_with_cargo_bin();
    let debian = missing_debian_packages(for_tests);
    let apt = if debian.is_empty() { None } else { Some(apt_install_in_background(&debian)?) };
    let rust = ensure_rust_tools();
    let apt = apt.map_or(Ok(()), |job| job.join().unwrap_or_else(|_| Err("the Debian install panicked".into())));
    rust.and(apt.map_err(Into::into))
}

/// The Rust target, the site's nightly, Trunk and the wasm-bindgen CLI, at
/// their pinned versions.
fn ensure_rust_tools() -> Result<()> {
    let installed = cmd_output(Command::new("rustup").args(["target", "list", "--installed"])).unwrap_or_default();
    if !installed.lines().any(|l| l.trim() == "wasm32-unknown-unknown") {
        step("installing the wasm32-unknown-unknown target");
        run(Command::new("rustup").args(["target", "add", "wasm32-unknown-unknown"]))?;
    }
    site_toolchain()?;
    if tool_version("trunk").as_deref() != Some(TRUNK_VERSION) {
        step(&format!("installing Trunk {TRUNK_VERSION} (takes a few minutes, once)"));
        run(cargo_install().args(["--locked", "trunk", "--version", &format!("={TRUNK_VERSION}")]))?;
    }
    let bindgen = resolved_version("wasm-bindgen")?;
    let test_runner_ok = cmd_output(Command::new("wasm-bindgen-test-runner").arg("--version"))
        .map(|o| o.contains(&bindgen))
        .unwrap_or(false);
    if tool_version("wasm-bindgen").as_deref() != Some(bindgen.as_str()) || !test_runner_ok {
        // Not --locked: the CLI's lock file pins a yanked crate (toolchain.md).
        step(&format!("installing wasm-bindgen-cli {bindgen} (takes a few minutes, once)"));
        run(cargo_install().args(["--force", "wasm-bindgen-cli", "--version", &format!("={bindgen}")]))?;
    }
    let _ = std::fs::remove_dir_all(tools_build_dir());
    Ok(())
}

/// The rustup toolchain name under which [`SIZE_NIGHTLY`] is installed here,
/// with the standard library's source and the wasm target: installed (about
/// 90 MB of downloads) when this machine has it under neither its dated name
/// nor as plain `nightly`. Checked once per command.
pub fn site_toolchain() -> Result<String> {
    static CHOSEN: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    if let Some(name) = CHOSEN.get() {
        return Ok(name.clone());
    }
    let is_pinned = |name: &str| {
        cmd_output(Command::new("rustup").args(["run", name, "rustc", "-V"]))
            .map(|v| v.contains(SIZE_NIGHTLY_COMMIT))
            .unwrap_or(false)
    };
    let name = match [SIZE_NIGHTLY, "nightly"].into_iter().find(|name| is_pinned(name)) {
        Some(name) => name,
        None => {
            step(&format!("installing Rust {SIZE_NIGHTLY} for the site's wasm (once)"));
            run(Command::new("rustup").args(["toolchain", "install", SIZE_NIGHTLY, "--profile", "minimal"]))?;
            SIZE_NIGHTLY
        }
    };
    let components = cmd_output(Command::new("rustup").args(["component", "list", "--installed", "--toolchain", name]))?;
    let has = |c: &str| components.lines().any(|l| l.trim().starts_with(c));
    if !has("rust-src") {
        step(&format!("adding the standard library's source to {name}"));
        run(Command::new("rustup").args(["component", "add", "rust-src", "--toolchain", name]))?;
    }
    if !has("rust-std-wasm32-unknown-unknown") {
        step(&format!("adding the wasm32-unknown-unknown target to {name}"));
        run(Command::new("rustup").args(["target", "add", "wasm32-unknown-unknown", "--toolchain", name]))?;
    }
    Ok(CHOSEN.get_or_init(|| name.to_owned()).clone())
}

/// The Debian packages the build (and with `for_tests`, the tests) need
/// that this machine lacks: wasm-opt and Chromium for the build; Chromium's
/// WebDriver, Node.js, PostgreSQL and nginx for the tests.
fn missing_debian_packages(for_tests: bool) -> Vec<&'static str> {
    let has = |path: &str| Path::new(path).exists();
    let runs = |tool: &str| cmd_output(Command::new(tool).arg("--version")).is_ok();
    let mut missing = Vec::new();
    if !runs("wasm-opt") {
        missing.push("binaryen");
    }
    if !has(CHROMIUM) {
        missing.push("chromium");
    }
    if for_tests {
        if !has(CHROMEDRIVER) {
            missing.push("chromium-driver");
        }
        if !runs("node") || !runs("npm") {
            missing.extend(["nodejs", "npm"]);
        }
        if !Path::new(PG_BIN).join("pg_basebackup").exists() {
            missing.push("postgresql");
        }
        if !has(NGINX) {
            missing.push("nginx-light");
        }
    }
    missing
}

/// `apt-get update` and `apt-get install` of `packages` in a thread, their
/// output in `target/tools/apt.log` (its end is in the error when they
/// fail). Not being root is an error at once, before any build starts.
fn apt_install_in_background(packages: &[&'static str]) -> Result<std::thread::JoinHandle<std::result::Result<(), String>>> {
    need_root(packages, "This command")?;
    let log = project_root().join("target/tools/apt.log");
    std::fs::create_dir_all(log.parent().expect("a folder"))?;
    step(&format!("installing {} (Debian packages), in the background; its output goes to {}", packages.join(", "), log.display()));
    let packages = packages.to_vec();
    Ok(std::thread::spawn(move || {
        let out = std::fs::File::create(&log).map_err(|e| format!("{}: {e}", log.display()))?;
        let logged = |cmd: &mut Command| -> Result<()> {
            cmd.stdout(out.try_clone()?).stderr(out.try_clone()?).stdin(Stdio::null());
            run(cmd)
        };
        apt_get(&packages).iter_mut().try_for_each(logged).map_err(|e| {
            let text = std::fs::read_to_string(&log).unwrap_or_default();
            let lines: Vec<&str> = text.lines().collect();
            let tail = lines[lines.len().saturating_sub(20)..].join("\n");
            format!("installing {}: {e}; the end of {}:\n{tail}", packages.join(", "), log.display())
        })?;
        println!("(the Debian packages {} are installed)", packages.join(", "));
        Ok(())
    }))
}

/// `npm ci` in tests/e2e when its packages are missing or the lock file changed.
fn ensure_npm_packages() -> Result<()> {
    let dir = project_root().join("tests/e2e");
    let lock = std::fs::read(dir.join("package-lock.json")).map_err(|e| format!("tests/e2e/package-lock.json: {e}"))?;
    let stamp = dir.join("node_modules/.tailor-lock");
    if std::fs::read(&stamp).ok().as_deref() == Some(lock.as_slice()) {
        return Ok(());
    }
    step("installing the end-to-end test packages (npm ci)");
    run(Command::new("npm").args(["ci", "--no-audit", "--no-fund"]).current_dir(&dir))?;
    std::fs::write(&stamp, &lock).map_err(|e| format!("{}: {e}", stamp.display()))?;
    Ok(())
}

/// schemathesis at the pinned version in `target/tools/schemathesis`; the
/// path of its `st` command. Made with the machine's python3 when missing.
pub fn ensure_schemathesis() -> Result<std::path::PathBuf> {
    let venv = project_root().join("target/tools/schemathesis");
    let st = venv.join("bin/st");
    if cmd_output(Command::new(&st).arg("--version")).is_ok_and(|v| v.contains(SCHEMATHESIS_VERSION)) {
        return Ok(st);
    }
    step(&format!("installing schemathesis {SCHEMATHESIS_VERSION} (PyPI) into target/tools/schemathesis"));
    run(Command::new("python3").arg("-m").arg("venv").arg(&venv))?;
    run(Command::new(venv.join("bin/pip")).args(["install", "--quiet", &format!("schemathesis=={SCHEMATHESIS_VERSION}")]))?;
    Ok(st)
}

/// Debian's PostgreSQL binaries.
const PG_BIN: &str = "/usr/lib/postgresql/15/bin";
/// The port of the test server `ensure_postgres` starts.
pub const PG_PORT: u16 = 55432;

/// Where the test cluster lives: under the system's temporary folder, which
/// the postgres user can reach wherever the project is checked out.
fn pg_dir() -> std::path::PathBuf {
    std::env::temp_dir().join("tailor-test-pg")
}

/// A PostgreSQL server for the tests on 127.0.0.1:PG_PORT: installed from
/// Debian's packages when missing, and, when nothing listens there yet, a fresh
/// cluster made in the temporary folder (`tailor-test-pg`) and started. Returns the
/// URL of its `postgres` database and whether this call started it (so the caller
/// stops it).
///
/// The cluster is made anew on every start because everything in it is a test's
/// throwaway database: a kept one grew by every run's databases (14 GB after a few
/// weeks), and after a run that was cut off, its start-up recovery synced all of it
/// for longer than `pg_ctl` waits, which failed a CI run before any test ran.
pub fn ensure_postgres() -> Result<(String, bool)> {
    let url = format!("postgres://postgres@127.0.0.1:{PG_PORT}/postgres");
    if std::net::TcpStream::connect(("127.0.0.1", PG_PORT)).is_ok() {
        return Ok((url, false));
    }
    if !Path::new(PG_BIN).join("pg_ctl").exists() {
        apt_install(&["postgresql"], "The storage tests on PostgreSQL")?;
    }
    let dir = pg_dir();
    std::fs::create_dir_all(&dir)?;
    give_to_postgres(&dir)?;
    let data = dir.join("data");
    if data.join("postmaster.pid").exists() {
        // A server of an earlier run that is still starting or stopping (it does not listen
        // yet): stop it before its folder goes. When none runs, this fails, which is fine.
        let _ = as_postgres("pg_ctl").arg("-D").arg(&data).args(["-m", "immediate", "-w", "stop"]).stdout(Stdio::null()).stderr(Stdio::null()).status();
    }
    if data.exists() {
        std::fs::remove_dir_all(&data).map_err(|e| format!("removing the previous test cluster {}: {e}", data.display()))?;
    }
    step(&format!("making a PostgreSQL cluster for the tests ({})", dir.display()));
    run(as_postgres("initdb").arg("-D").arg(&data).args(["-A", "trust", "-U", "postgres"]).stdout(Stdio::null()))?;
    step(&format!("starting PostgreSQL on 127.0.0.1:{PG_PORT}"));
    run(as_postgres("pg_ctl")
        .arg("-D")
        .arg(&data)
        .args(["-o", &format!("-p {PG_PORT} -k /tmp -c listen_addresses=127.0.0.1 -c fsync=on"), "-w", "-l"])
        .arg(dir.join("log"))
        .arg("start"))?;
    Ok((url, true))
}

/// A PostgreSQL program: as the postgres user when we are root
/// (PostgreSQL will not run as root).
pub fn as_postgres(program: &str) -> Command {
    if is_root() {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(Path::new(PG_BIN).join(program));
        c
    } else {
        Command::new(Path::new(PG_BIN).join(program))
    }
}

/// Makes `dir` the postgres user's when we are root, so its servers can
/// keep their data and sockets there.
pub fn give_to_postgres(dir: &Path) -> Result<()> {
    if is_root() {
        run(Command::new("chown").arg("-R").arg("postgres").arg(dir))?;
    }
    Ok(())
}

/// Debian's nginx.
pub const NGINX: &str = "/usr/sbin/nginx";

/// What `cargo xtask cluster` needs beyond the build: PostgreSQL (server,
/// pg_basebackup, psql) and nginx, from Debian's packages when missing.
pub fn ensure_cluster_tools() -> Result<()> {
    let mut missing = Vec::new();
    if !Path::new(PG_BIN).join("pg_basebackup").exists() {
        missing.push("postgresql");
    }
    if !Path::new(NGINX).exists() {
        missing.push("nginx-light");
    }
    if !missing.is_empty() {
        apt_install(&missing, "The cluster (several servers behind nginx, PostgreSQL with a standby)")?;
    }
    Ok(())
}

/// Stops the server `ensure_postgres` started.
pub fn stop_postgres() -> Result<()> {
    run(as_postgres("pg_ctl").arg("-D").arg(pg_dir().join("data")).args(["-m", "fast", "-w", "stop"]))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `cargo metadata` output with only the fields read: `packages` as
    /// (name, version), `resolve` as (package, its dependencies) by index,
    /// the first `members` packages being the workspace's.
    fn metadata(packages: &[(&str, &str)], members: usize, deps: &[(usize, &[usize])]) -> Metadata {
        let id = |i: usize| format!("id-{i}");
        let packages: Vec<_> = packages
            .iter()
            .enumerate()
            .map(|(i, (name, version))| {
                serde_json::json!({"name": name, "version": version, "id": id(i), "dependencies": [], "targets": [], "features": {}, "manifest_path": "/w/Cargo.toml"})
            })
            .collect();
        let nodes: Vec<_> = deps
            .iter()
            .map(|(i, on)| {
                let deps: Vec<_> = on.iter().map(|d| serde_json::json!({"name": "x", "pkg": id(*d)})).collect();
                serde_json::json!({"id": id(*i), "deps": deps, "dependencies": on.iter().map(|d| id(*d)).collect::<Vec<_>>()})
            })
            .collect();
        serde_json::from_value(serde_json::json!({
            "packages": packages,
            "workspace_members": (0..members).map(id).collect::<Vec<_>>(),
            "resolve": {"nodes": nodes, "root": null},
            "workspace_root": "/w", "target_directory": "/w/target", "version": 1,
        }))
        .unwrap()
    }

    #[test]
    fn the_version_is_the_one_workspace_members_depend_on() {
        let packages = [("tailor-web", "0.1.0"), ("bench", "0.1.0"), ("wasm-bindgen", "0.2.130"), ("wasm-bindgen", "0.1.9"), ("other", "1.0.0")];
        // A dependency of a dependency with another version does not count.
        let m = metadata(&packages, 2, &[(0, &[2, 4]), (1, &[2]), (4, &[3])]);
        assert_eq!(version_used(&m, "wasm-bindgen").unwrap(), "0.2.130");
        let m = metadata(&packages, 2, &[(0, &[4]), (4, &[2])]);
        assert!(version_used(&m, "wasm-bindgen").unwrap_err().to_string().contains("no crate of the workspace"));
        let m = metadata(&packages, 2, &[(0, &[2]), (1, &[3])]);
        assert!(version_used(&m, "wasm-bindgen").unwrap_err().to_string().contains("0.1.9 and 0.2.130"));
    }
}
