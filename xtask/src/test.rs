//! `cargo xtask test`: every suite, one closing count.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

use crate::{NATIVE_PACKAGES, Result, build_server, build_site, project_root, start_server, step, tools};

/// What one suite reported.
#[derive(Default)]
struct Tally {
    passed: u64,
    failed: u64,
    skipped: u64,
    /// libtest's reports of failed tests (their panics), printed again in
    /// the summary: CI keeps only the end of a long run's output.
    failures: Vec<String>,
}

struct Suite {
    name: &'static str,
    tally: Tally,
    seconds: f64,
    /// Why the suite could not run or did not finish cleanly.
    error: Option<String>,
}

pub fn cmd_test() -> Result<()> {
    let started = Instant::now();
    step("checking the tools the tests need");
    tools::ensure_test_tools()?;
    let (pg_url, pg_started) = tools::ensure_postgres()?;
    let _ = PG_URL.set(pg_url);
    crate::use_the_tests_build();
    let setup = started.elapsed().as_secs_f64();

    let suites = vec![
        timed("native unit and integration tests", native_tests),
        timed("storage and API tests on PostgreSQL", postgres_tests),
        timed("a cluster losing an instance and its primary", cluster_test),
        timed("wasm tests in headless Chromium", wasm_tests),
        timed("end-to-end tests (Playwright, Chromium)", e2e_tests),
        timed("API fuzzing against the OpenAPI document (schemathesis)", api_fuzzing),
    ];

    if pg_started {
        tools::stop_postgres()?;
    }
    println!("\n==> summary (tool check {setup:.0} s, total {:.0} s)", started.elapsed().as_secs_f64());
    let (mut passed, mut failed, mut skipped) = (0, 0, 0);
    for s in &suites {
        let t = &s.tally;
        println!("  {:<45} {:>4} passed, {:>3} failed, {:>3} skipped  ({:.0} s)", s.name, t.passed, t.failed, t.skipped, s.seconds);
        if let Some(e) = &s.error {
            println!("    error: {e}");
        }
        for line in &t.failures {
            println!("    | {line}");
        }
        passed += t.passed;
        // A suite that broke without counting a failure still fails the run.
        failed += t.failed + u64::from(s.error.is_some() && t.failed == 0);
        skipped += t.skipped;
    }
    println!("\n{passed} passed, {failed} failed, {skipped} skipped");
    if failed > 0 { Err(format!("{failed} failed").into()) } else { Ok(()) }
}

fn timed(name: &'static str, f: fn(&mut Tally) -> Result<()>) -> Suite {
    step(name);
    let t = Instant::now();
    let mut tally = Tally::default();
    let error = f(&mut tally).err().map(|e| e.to_string());
    Suite { name, tally, seconds: t.elapsed().as_secs_f64(), error }
}

/// Runs a test command, echoing its output and adding up libtest's
/// `test result: ok. N passed; M failed; K ignored` lines.
fn cargo_tests(cmd: &mut Command, tally: &mut Tally) -> Result<()> {
    let mut child = cmd.current_dir(project_root()).stdout(Stdio::piped()).spawn()?;
    let out = child.stdout.take().expect("piped");
    let mut in_failures = false;
    for line in BufReader::new(out).lines().map_while(|l| l.ok()) {
        println!("{line}");
        read_libtest_line(&line, &mut in_failures, tally);
    }
    let status = child.wait()?;
    if status.success() { Ok(()) } else { Err(format!("exited with {status}").into()) }
}

/// Counts a libtest summary line, and keeps the lines between libtest's
/// first "failures:" line and the binary's "test result" line: the failed
/// tests' panics and names.
fn read_libtest_line(line: &str, in_failures: &mut bool, tally: &mut Tally) {
    if line == "failures:" {
        *in_failures = true;
    }
    if *in_failures && tally.failures.len() < MAX_FAILURE_LINES && !line.trim().is_empty() {
        tally.failures.push(line.chars().take(400).collect());
    }
    if let Some(rest) = line.trim().strip_prefix("test result: ") {
        *in_failures = false;
        tally.passed += count(rest, "passed");
        tally.failed += count(rest, "failed");
        tally.skipped += count(rest, "ignored");
    }
}

/// How many lines of failure reports the summary repeats.
const MAX_FAILURE_LINES: usize = 80;

/// The number before `word` in `ok. 3 passed; 0 failed; 1 ignored`.
fn count(text: &str, word: &str) -> u64 {
    text.split(';')
        .filter_map(|part| {
            let mut words = part.split_whitespace().rev();
            (words.next() == Some(word)).then(|| words.next()?.parse::<u64>().ok())?
        })
        .sum()
}

/// schemathesis generates requests from `/api/openapi.json` (with a
/// fulfilment key, so the staff routes are reached) and checks that no
/// answer is a server error.
fn api_fuzzing(tally: &mut Tally) -> Result<()> {
    let st = tools::ensure_schemathesis()?;
    let server = build_server()?;
    let scratch = project_root().join("target/schemathesis");
    let _ = std::fs::remove_dir_all(&scratch);
    std::fs::create_dir_all(&scratch)?;
    let db = format!("sqlite://{}", scratch.join("fuzz.db").display());
    let made = crate::cmd_output(Command::new(&server).args(["staff", "add", "--name", "schemathesis", "--role", "fulfilment", "--database-url", &db]))?;
    let key = made.lines().last().unwrap_or_default().trim().to_string();
    let args = vec!["--addr".into(), "127.0.0.1:0".into(), "--order-rate".into(), "0".into(), "--database-url".into(), db, "--site".into(), scratch.join("no-site").display().to_string()];
    let (mut child, url) = start_server(&server, &args)?;
    let base = url.trim_end_matches('/');
    let mut cmd = Command::new(&st);
    cmd.args(["run", &format!("{base}/api/openapi.json"), "--url", &format!("{base}/api"), "--checks", "not_a_server_error"])
        .args(["--max-examples", "50", "--seed", "1", "--header", &format!("Authorization: Bearer {key}")])
        .stdout(Stdio::piped());
    let outcome = (|| -> Result<()> {
        let mut run = cmd.spawn()?;
        let out = run.stdout.take().expect("piped");
        for line in BufReader::new(out).lines().map_while(|l| l.ok()) {
            println!("{line}");
        }
        // One test: the whole run (its own summary above says how many
        // requests it generated).
        let status = run.wait()?;
        *(if status.success() { &mut tally.passed } else { &mut tally.failed }) += 1;
        if status.success() { Ok(()) } else { Err(format!("schemathesis exited with {status}").into()) }
    })();
    let _ = child.kill();
    let _ = child.wait();
    outcome
}

/// The PostgreSQL server the tests use (started by `cmd_test`).
static PG_URL: std::sync::OnceLock<String> = std::sync::OnceLock::new();

fn pg_url() -> &'static str {
    PG_URL.get().map_or("", String::as_str)
}

/// The API, privacy and console tests once more, on PostgreSQL (the store's own
/// tests run on both backends in the native suite).
fn postgres_tests(tally: &mut Tally) -> Result<()> {
    cargo_tests(
        Command::new("cargo")
            .args(["test"])
            .args(NATIVE_PACKAGES)
            .args(["--test", "api", "--test", "privacy", "--test", "console", "--test", "cluster"])
            .env("TAILOR_TEST_POSTGRES_URL", pg_url())
            .env("TAILOR_TEST_BACKEND", "postgres"),
        tally,
    )
}

/// A short `bench cluster` (three instances behind nginx, PostgreSQL with a
/// synchronous standby; an instance and then the primary SIGKILLed, the
/// standby promoted, the old primary rebuilt), each of its promises a test:
/// nothing acknowledged is lost, no key makes two orders, orders are taken
/// again within 10 s of the promotion, the standby is synchronous again.
fn cluster_test(tally: &mut Tally) -> Result<()> {
    let report = crate::cluster::bench(12, 3, 16, true)?;
    println!("{report}");
    let checks = [
        ("orders were acknowledged", report["acknowledged"].as_u64().is_some_and(|n| n > 0)),
        ("no acknowledged order is missing", report["acknowledged_but_missing"] == 0),
        ("no key made two orders", report["keys_with_more_than_one_order"] == 0 && report["orders_without_key"] == 0),
        ("the outage is answered 503 (try again), never 500", report["statuses"].get("500").is_none()),
        ("orders are taken again within 10 s of the promotion", report["accepted_again_after_promotion_s"].as_f64().is_some_and(|s| s <= 10.0)),
        ("the rebuilt standby is synchronous", report["standby_at_end"] == "sync"),
    ];
    for (what, ok) in checks {
        println!("test cluster: {what} ... {}", if ok { "ok" } else { "FAILED" });
        if ok {
            tally.passed += 1;
        } else {
            tally.failed += 1;
            tally.failures.push(format!("cluster: {what}"));
        }
    }
    Ok(())
}

fn native_tests(tally: &mut Tally) -> Result<()> {
    cargo_tests(Command::new("cargo").args(["test", "-p", "tailor-web", "--lib"]), tally)?;
    cargo_tests(Command::new("cargo").args(["test", "--no-fail-fast"]).args(NATIVE_PACKAGES).env("TAILOR_TEST_POSTGRES_URL", pg_url()), tally)
}

fn wasm_tests(tally: &mut Tally) -> Result<()> {
    cargo_tests(
        Command::new("cargo")
            .args(["test", "-p", "tailor-web", "--target", "wasm32-unknown-unknown"])
            .env("CHROMEDRIVER", tools::CHROMEDRIVER)
            // wasm-bindgen-test-runner needs reference types, which the site
            // build turns off for wasm-opt (see .cargo/config.toml).
            .env("CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS", "-Ctarget-feature=+reference-types"),
        tally,
    )
}

fn e2e_tests(tally: &mut Tally) -> Result<()> {
    build_site()?;
    let server = build_server()?;
    let scratch = std::env::temp_dir().join(format!("tailor-e2e-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&scratch);
    std::fs::create_dir_all(&scratch)?;
    let db = format!("sqlite://{}", scratch.join("e2e.db").display());
    step("starting a server on a free port with a fresh database");
    let outbox = scratch.join("outbox").display().to_string();
    // A partner site for the embedding tests (its page is served by the
    // test itself, on this origin).
    // Its key (the last line printed) lets the test read the partner's orders.
    let added = crate::cmd_output(Command::new(&server).args([
        "partner", "add", "--id", "e2e-partner", "--name", "E2E partner", "--origin", "http://localhost:9911", "--theme", "radius=2px", "--database-url", &db,
    ]))?;
    let partner_key = added.lines().last().unwrap_or_default().trim().to_string();
    // A key for staff on the shop floor, who answer the kiosk's "Call staff".
    let floor = crate::cmd_output(Command::new(&server).args(["staff", "add", "--name", "e2e-floor", "--role", "store", "--database-url", &db]))?;
    let store_key = floor.lines().last().unwrap_or_default().trim().to_string();
    // A key of every role, for the console's tests.
    let mut staff_keys = serde_json::Map::new();
    staff_keys.insert("store".into(), store_key.clone().into());
    for role in ["fulfilment", "support", "marketing", "admin"] {
        let made = crate::cmd_output(Command::new(&server).args(["staff", "add", "--name", &format!("e2e-{role}"), "--role", role, "--database-url", &db]))?;
        staff_keys.insert(role.into(), made.lines().last().unwrap_or_default().trim().into());
    }
    // Registered kiosk places (only they call staff), their keys as JSON.
    let mut kiosk_keys = serde_json::Map::new();
    for place in ["Kiosk", "Floor desktop", "Floor phone"] {
        let added = crate::cmd_output(Command::new(&server).args(["place", "add", "--name", place, "--database-url", &db]))?;
        kiosk_keys.insert(place.to_string(), added.lines().last().unwrap_or_default().trim().into());
    }
    let args = vec!["--addr".into(), "127.0.0.1:0".into(), "--database-url".into(), db, "--site".into(), "dist".into(), "--outbox".into(), outbox.clone(), "--learn-every".into(), "2".into()];
    let (mut child, url) = start_server(&server, &args)?;
    let report = scratch.join("report.json");
    let result = (|| -> Result<()> {
        step(&format!("running Playwright against {url}"));
        let status = Command::new("npx")
            .args(["playwright", "test"])
            .current_dir(project_root().join("tests/e2e"))
            .env("TAILOR_URL", url.trim_end_matches('/'))
            .env("TAILOR_E2E_REPORT", &report)
            .env("TAILOR_OUTBOX", &outbox)
            .env("TAILOR_PARTNER_KEY", &partner_key)
            .env("TAILOR_STORE_KEY", &store_key)
            .env("TAILOR_STAFF_KEYS", serde_json::Value::Object(staff_keys).to_string())
            .env("TAILOR_KIOSK_KEYS", serde_json::Value::Object(kiosk_keys).to_string())
            .env("CHROMIUM", tools::CHROMIUM)
            .status()?;
        read_playwright_report(&report, tally)?;
        if status.success() { Ok(()) } else { Err(format!("Playwright exited with {status}").into()) }
    })();
    stop_server(&mut child)?;
    let _ = std::fs::remove_dir_all(&scratch);
    result
}

/// Playwright's JSON reporter: `stats.expected` passed, `unexpected` failed.
fn read_playwright_report(path: &Path, tally: &mut Tally) -> Result<()> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("no Playwright report at {}: {e}", path.display()))?;
    let report: serde_json::Value = serde_json::from_str(&text)?;
    let stat = |k: &str| report["stats"][k].as_u64().unwrap_or(0);
    tally.passed += stat("expected") + stat("flaky");
    tally.failed += stat("unexpected");
    tally.skipped += stat("skipped");
    if let Some(errors) = report["errors"].as_array().filter(|e| !e.is_empty()) {
        tally.failed += errors.len() as u64;
    }
    Ok(())
}

/// SIGTERM, then wait: the server must shut down cleanly on its own.
fn stop_server(child: &mut std::process::Child) -> Result<()> {
    let status = crate::terminate(child)?;
    if status.success() { Ok(()) } else { Err(format!("the server did not shut down cleanly ({status})").into()) }
}

#[cfg(test)]
mod tests {
    use super::{count, read_libtest_line, Tally};

    #[test]
    fn failed_tests_are_kept_for_the_summary() {
        let out = "running 2 tests\ntest a ... ok\ntest b ... FAILED\n\nfailures:\n\n---- b stdout ----\nthread 'b' panicked at tests/b.rs:3:5:\nthe log holds \"x\"\n\nfailures:\n    b\n\ntest result: FAILED. 1 passed; 1 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.01s\n\nrunning 1 test\ntest c ... ok\n\ntest result: ok. 1 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.00s";
        let (mut tally, mut in_failures) = (Tally::default(), false);
        for line in out.lines() {
            read_libtest_line(line, &mut in_failures, &mut tally);
        }
        assert_eq!((tally.passed, tally.failed), (2, 1));
        assert_eq!(tally.failures.first().map(String::as_str), Some("failures:"));
        assert!(tally.failures.iter().any(|l| l == "the log holds \"x\""), "{:?}", tally.failures);
        assert!(tally.failures.iter().any(|l| l.starts_with("test result: FAILED")), "{:?}", tally.failures);
        assert!(!tally.failures.iter().any(|l| l.contains("test c")), "{:?}", tally.failures);
    }

    #[test]
    fn libtest_summaries_are_counted() {
        let line = "ok. 7 passed; 2 failed; 1 ignored; 0 measured; 0 filtered out; finished in 0.07s";
        assert_eq!(count(line, "passed"), 7);
        assert_eq!(count(line, "failed"), 2);
        assert_eq!(count(line, "ignored"), 1);
        // wasm-bindgen-test's line has no "measured".
        assert_eq!(count("ok. 3 passed; 0 failed; 0 ignored; 0 filtered out; finished in 0.09s", "passed"), 3);
    }
}
