//! Compresses the site's hashed assets once, at build time, at levels too slow
//! for per-request compression: gzip by zopfli and brotli at quality 11. The
//! server sends `name.br` or `name.gz` when the browser accepts it. Only files
//! whose names carry Trunk's content hash are compressed, so a compressed copy
//! can never go stale; results are kept in `target/precompressed/` by name.

use std::fs;
use std::io::Write;
use std::path::Path;

use crate::Result;

/// Trunk's assets, and the prepared models (`prepare.rs`).
const EXTENSIONS: [&str; 6] = ["wasm", "js", "css", "svg", "prep", "json"];

/// `name-0123456789abcdef.ext` or `name-0123456789abcdef_bg.wasm`. Trunk
/// writes the hash, a 64-bit number, in hex without its leading zeros
/// (`main-99cdc13c22c5bb2.css`), so 12 to 16 digits count; fewer comes once
/// in 65,536 builds, and such a file is then only revalidated.
fn is_hashed(name: &str) -> bool {
    let stem = name.rsplit_once('.').map_or(name, |(s, _)| s);
    let stem = stem.strip_suffix("_bg").unwrap_or(stem);
    stem.rsplit_once('-')
        .is_some_and(|(_, hash)| (12..=16).contains(&hash.len()) && hash.bytes().all(|b| b.is_ascii_hexdigit()))
}

pub fn gzip(data: &[u8]) -> Result<Vec<u8>> {
    gzip_with(data, zopfli::Options::default())
}

/// Prepared models get one zopfli iteration instead of 15: the window's
/// (1.6 MB of repetitive arrays) takes about a minute at 15 and 6 s at one,
/// for 1% more bytes; browsers that take brotli never download it.
fn gzip_prepared(data: &[u8]) -> Result<Vec<u8>> {
    gzip_with(data, zopfli::Options { iteration_count: std::num::NonZeroU64::MIN, ..Default::default() })
}

fn gzip_with(data: &[u8], options: zopfli::Options) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    zopfli::compress(
        options,
        zopfli::Format::Gzip,
        data,
        &mut out,
    )?;
    Ok(out)
}

pub fn brotli(data: &[u8]) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    {
        let mut w = brotli::CompressorWriter::new(&mut out, 1 << 16, 11, 22);
        w.write_all(data)?;
    }
    Ok(out)
}

/// Writes `x.gz` and `x.br` beside every hashed asset `x` in each of
/// `dists`. The files are packed on every core at once (zopfli runs on one):
/// on a fresh machine this step was 34 s on one core.
pub fn precompress(dists: &[&Path], cache: &Path) -> Result<()> {
    fs::create_dir_all(cache)?;
    let mut jobs = Vec::new();
    for dist in dists {
        for entry in fs::read_dir(dist)? {
            let path = entry?.path();
            let Some(name) = path.file_name().and_then(|n| n.to_str()).map(str::to_string) else {
                continue;
            };
            let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
            if !path.is_file() || !EXTENSIONS.contains(&ext) || !is_hashed(&name) {
                continue;
            }
            let gz = if ext == "prep" { gzip_prepared as fn(&[u8]) -> Result<Vec<u8>> } else { gzip };
            for (suffix, compress) in [("gz", gz), ("br", brotli as fn(&[u8]) -> Result<Vec<u8>>)] {
                jobs.push((path.clone(), dist.join(format!("{name}.{suffix}")), cache.join(format!("{name}.{suffix}")), compress));
            }
        }
    }
    // The biggest first, so that no core is left with a wasm at the end.
    jobs.sort_by_cached_key(|(path, ..)| std::cmp::Reverse(fs::metadata(path).map_or(0, |m| m.len())));
    let queue = std::sync::Mutex::new(jobs.into_iter());
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    std::thread::scope(|scope| {
        let workers: Vec<_> = (0..cores)
            .map(|_| {
                scope.spawn(|| -> std::result::Result<(), String> {
                    loop {
                        let Some((path, out, cached, compress)) = queue.lock().map_err(|_| "a packing thread panicked")?.next() else {
                            return Ok(());
                        };
                        let pack = || -> Result<()> {
                            if !cached.exists() {
                                let packed = compress(&fs::read(&path)?)?;
                                let mut partial = cached.clone().into_os_string();
                                partial.push(".partial");
                                fs::write(&partial, packed)?;
                                fs::rename(&partial, &cached)?;
                            }
                            fs::copy(&cached, &out)?;
                            Ok(())
                        };
                        pack().map_err(|e| format!("{}: {e}", out.display()))?;
                    }
                })
            })
            .collect();
        workers.into_iter().try_for_each(|w| w.join().unwrap_or_else(|_| Err("a packing thread panicked".into())))
    })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_hashed_names_count() {
        assert!(is_hashed("tailor-web-bec838d76be0d2f0_bg.wasm"));
        assert!(is_hashed("main-ef635923b502b7e7.css"));
        assert!(!is_hashed("index.html"));
        assert!(!is_hashed("pc-starter.json"));
        // Trunk drops the hash's leading zeros.
        assert!(is_hashed("main-99cdc13c22c5bb2.css"));
        assert!(!is_hashed("main-cafe.css"));
    }

    #[test]
    fn compressed_copies_round_trip() {
        let data: Vec<u8> = (0..50_000u32)
            .flat_map(|i| (i % 251).to_le_bytes())
            .collect();
        let gz = gzip(&data).unwrap();
        assert!(gz.len() < data.len() / 4 && gz.starts_with(&[0x1f, 0x8b]));
        let mut back = Vec::new();
        brotli::BrotliDecompress(&mut &brotli(&data).unwrap()[..], &mut back).unwrap();
        assert_eq!(back, data);
    }
}
