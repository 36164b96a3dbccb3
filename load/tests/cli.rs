//! The load generator as its callers run it (`cargo xtask bench` and the
//! cluster test): its answer, and a clear refusal of what it cannot do.
//! (Being an integration test also has `cargo test` build the program, so
//! `cargo xtask test` runs the build its tests made.)

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

fn load() -> Command {
    Command::new(env!("CARGO_BIN_EXE_tailor-load"))
}

fn catalogue() -> String {
    format!("{}/../public/catalogue", env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn orders_to_the_bare_handler_are_counted() {
    let mut bare = load().args(["bare", "--addr", "127.0.0.1:0"]).stdout(Stdio::piped()).spawn().unwrap();
    let mut line = String::new();
    BufReader::new(bare.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let addr = line.trim().strip_prefix("bare handler at ").unwrap_or_else(|| panic!("{line:?}")).to_string();
    let out = load()
        .args(["orders", "--addr", &addr, "--seconds", "1", "--connections", "2", "--catalogue", &catalogue()])
        .output()
        .unwrap();
    let _ = bare.kill();
    let _ = bare.wait();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let sent = report["sent"].as_u64().unwrap();
    assert!(sent > 0, "{report}");
    assert_eq!(report["statuses"]["201"].as_u64(), Some(sent), "{report}");
    assert_eq!(report["products"], serde_json::json!(["pc", "jeans"]), "{report}");
}

#[test]
fn an_unknown_product_or_catalogue_is_refused_with_the_reason() {
    let out = load().args(["orders", "--addr", "127.0.0.1:9", "--catalogue", &catalogue(), "--products", "pc,nosuch"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(String::from_utf8_lossy(&out.stderr).trim(), "tailor-load: no product \"nosuch\" in the catalogue");

    let out = load().args(["orders", "--addr", "127.0.0.1:9", "--catalogue", "/nonexistent-catalogue"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.starts_with("tailor-load: ") && err.contains("/nonexistent-catalogue"), "{err}");
}
