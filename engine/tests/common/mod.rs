//! Helpers shared by the integration tests.

use std::path::{Path, PathBuf};

/// The folder of the research benchmark data (`renault-br4cp/`,
/// `fm-pc-richmond/`, ...), which must never be copied into the repository.
///
/// It is `$TAILOR_BENCHMARKS` if that is set, else
/// `../../shared/benchmarks/configuration` from the engine crate. When the
/// folder is absent the tests that need it are skipped, with a message,
/// except in CI (`$CI` set), where its absence is a failure.
#[allow(dead_code)]
pub fn benchmarks_dir() -> Option<PathBuf> {
    let dir = match std::env::var_os("TAILOR_BENCHMARKS") {
        Some(dir) => PathBuf::from(dir),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/benchmarks/configuration"),
    };
    if dir.is_dir() {
        return Some(dir);
    }
    if std::env::var_os("CI").is_some() {
        panic!(
            "benchmark data not found at {} (set TAILOR_BENCHMARKS to its folder); it is required in CI",
            dir.display()
        );
    }
    eprintln!("benchmark data not found at {}, skipping", dir.display());
    None
}

/// A small deterministic generator for the brute-force tests (xorshift), so
/// every run checks the same random cases.
#[allow(dead_code)]
pub struct Rng(pub u64);

#[allow(dead_code)]
impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}
