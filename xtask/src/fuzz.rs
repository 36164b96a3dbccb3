//! `cargo xtask fuzz [--seconds N]`: the engine's decoders under cargo-fuzz
//! (libFuzzer, nightly toolchain): `model_json` (any text as a model file),
//! `config_code` (any text as a configuration code of the shipped
//! products) and `prepared` (any bytes as a prepared model file, and as
//! edits to good ones past the checksum), each for N seconds (default 60). Seeds: the shipped catalogue
//! files and `fuzz/seeds/`. Crashes are left in `fuzz/artifacts/`.

use std::path::Path;
use std::process::Command;

use crate::flags::FuzzArgs;
use crate::{Result, cmd_output, project_root, run, step};

const CARGO_FUZZ_VERSION: &str = "0.13.2";
const TARGETS: [&str; 3] = ["model_json", "config_code", "prepared"];

fn copy_dir(from: &Path, to: &Path, ext: Option<&str>) -> Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let path = entry?.path();
        if path.is_file() && ext.is_none_or(|e| path.extension().is_some_and(|x| x == e)) {
            std::fs::copy(&path, to.join(path.file_name().expect("a file name")))?;
        }
    }
    Ok(())
}

pub fn cmd_fuzz(FuzzArgs { seconds }: FuzzArgs) -> Result<()> {
    if !cmd_output(Command::new("cargo").args(["fuzz", "--version"]))
        .is_ok_and(|v| v.contains(CARGO_FUZZ_VERSION))
    {
        step(&format!("installing cargo-fuzz {CARGO_FUZZ_VERSION}"));
        run(Command::new("cargo").args([
            "install",
            "--locked",
            "cargo-fuzz",
            "--version",
            CARGO_FUZZ_VERSION,
        ]))?;
    }
    let root = project_root();
    let fuzz = root.join("fuzz");
    copy_dir(
        &root.join("public/catalogue"),
        &fuzz.join("corpus/model_json"),
        Some("json"),
    )?;
    copy_dir(
        &fuzz.join("seeds/config_code"),
        &fuzz.join("corpus/config_code"),
        None,
    )?;
    let mut found = Vec::new();
    for target in TARGETS {
        // libFuzzer needs the corpus folder even for a target without seeds.
        std::fs::create_dir_all(fuzz.join("corpus").join(target))?;
        step(&format!("fuzzing {target} for {seconds} s"));
        let outcome = run(Command::new("cargo")
            .args(["+nightly", "fuzz", "run", "-O", target])
            .arg(fuzz.join("corpus").join(target))
            .args([
                "--",
                &format!("-max_total_time={seconds}"),
                "-max_len=65536",
                "-print_final_stats=1",
            ])
            .current_dir(&fuzz));
        if outcome.is_err() {
            found.push(target);
        }
    }
    if found.is_empty() {
        println!(
            "\nno crash, panic or timeout found in {} targets x {seconds} s",
            TARGETS.len()
        );
        Ok(())
    } else {
        Err(format!(
            "fuzzing found problems in {}; see fuzz/artifacts/",
            found.join(", ")
        )
        .into())
    }
}
