//! Prepared models on disk: an [`Engine`](crate::Engine)'s compiled form
//! (a diagram, or the whole problem's search trace), written once by
//! `tailor-engine compile` or the site build and loaded instead of compiling.
//!
//! ```text
//! offset  size  field
//! 0       8     magic "TLRPREP\0"
//! 8       4     format version (little-endian u32), FORMAT
//! 12      8     fingerprint of the problem (FNV-1a 64)
//! 20      1     method: 0 diagram, 1 search trace
//! 21      n     payload: the form's arrays (u32 little-endian, each array
//!               preceded by its length as u32)
//! 21+n    4     CRC-32 of every byte before it
//! ```
//!
//! Loading checks, in order: the length, the magic, the version, the
//! checksum, the fingerprint, then every index in the payload (a child,
//! a literal, a range) against the sizes it refers to, so that no file,
//! however made, can make a later question read out of bounds. Any failure
//! is a [`PreparedError`] saying which check failed; callers then compile.
//!
//! The format is hand-written rather than serde-based: it is a handful of
//! flat `u32` arrays, the engine keeps its dependencies to serde, num-bigint
//! and rustc-hash (a binary serde format would add one), and the checks
//! above must run on every index anyway.

use crate::problem::{Constraint, Problem};

/// The magic bytes at the start of every prepared file.
pub const MAGIC: &[u8; 8] = b"TLRPREP\0";
/// The format version; files of any other version are refused.
pub const FORMAT: u32 = 1;

const HEADER: usize = 8 + 4 + 8 + 1;

/// Why a prepared file was not used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PreparedError {
    /// Not a prepared file at all (too short, or another magic).
    NotPrepared,
    /// Written by another format version.
    Version { found: u32 },
    /// The checksum does not match: the file is damaged or truncated.
    Checksum,
    /// Prepared for another model (or another version of it).
    Stale { file: u64, model: u64 },
    /// The checksum matches but the content is not a valid prepared form.
    Malformed(String),
}

impl std::fmt::Display for PreparedError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PreparedError::NotPrepared => write!(f, "not a prepared model file"),
            PreparedError::Version { found } => {
                write!(
                    f,
                    "prepared with format version {found}, this engine reads version {FORMAT}"
                )
            }
            PreparedError::Checksum => write!(
                f,
                "the checksum does not match: the file is damaged or truncated"
            ),
            PreparedError::Stale { file, model } => write!(
                f,
                "prepared for another version of the model (fingerprint {file:016x}, the model's is {model:016x})"
            ),
            PreparedError::Malformed(why) => write!(f, "malformed prepared model: {why}"),
        }
    }
}

impl std::error::Error for PreparedError {}

/// The fingerprint of a problem: every variable's name and values and every
/// constraint, hashed (FNV-1a, 64 bits; the check is against stale files,
/// not against forgery). Prices are not in it: neither prepared form
/// depends on them (they are applied to each question), so a price change
/// keeps the file good.
pub fn fingerprint(problem: &Problem) -> u64 {
    let mut h = Fnv::default();
    h.u64(problem.vars.len() as u64);
    for v in &problem.vars {
        h.bytes(v.name.as_bytes());
        h.u64(v.values.len() as u64);
        for value in &v.values {
            h.bytes(value.as_bytes());
        }
    }
    h.u64(problem.constraints.len() as u64);
    for c in &problem.constraints {
        match c {
            Constraint::Table {
                vars,
                tuples,
                allowed,
            } => {
                h.u64(u64::from(*allowed));
                h.list(vars.iter().map(|&x| x as u64));
                h.u64(tuples.len() as u64);
                for t in tuples {
                    h.list(t.iter().map(|&v| u64::from(v)));
                }
            }
            Constraint::Clause(lits) => {
                h.u64(2);
                h.list(
                    lits.iter()
                        .map(|l| (l.var as u64) << 1 | u64::from(l.positive)),
                );
            }
            Constraint::Linear { terms, min, max } => {
                h.u64(3);
                h.u64(*min as u64);
                h.u64(*max as u64);
                for (x, coefficients) in terms {
                    h.u64(*x as u64);
                    h.list(coefficients.iter().map(|&c| c as u64));
                }
            }
        }
    }
    h.0
}

struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl Fnv {
    fn byte(&mut self, b: u8) {
        self.0 ^= u64::from(b);
        self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
    }

    fn u64(&mut self, v: u64) {
        for b in v.to_le_bytes() {
            self.byte(b);
        }
    }

    fn bytes(&mut self, b: &[u8]) {
        self.u64(b.len() as u64);
        for &x in b {
            self.byte(x);
        }
    }

    fn list(&mut self, items: impl ExactSizeIterator<Item = u64>) {
        self.u64(items.len() as u64);
        for v in items {
            self.u64(v);
        }
    }
}

/// The payload being written.
#[derive(Default)]
pub(crate) struct Writer(Vec<u8>);

impl Writer {
    pub(crate) fn u32(&mut self, v: u32) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }

    pub(crate) fn len(&mut self, n: usize) {
        self.u32(u32::try_from(n).expect("prepared arrays are smaller than 4 G entries"));
    }

    pub(crate) fn u32s(&mut self, items: impl ExactSizeIterator<Item = u32>) {
        self.len(items.len());
        for v in items {
            self.u32(v);
        }
    }
}

/// The payload being read: every read is checked against what is left.
pub(crate) struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

pub(crate) fn malformed(why: impl Into<String>) -> PreparedError {
    PreparedError::Malformed(why.into())
}

impl<'a> Reader<'a> {
    pub(crate) fn u32(&mut self) -> Result<u32, PreparedError> {
        let b = self
            .bytes
            .get(self.at..self.at + 4)
            .ok_or_else(|| malformed("ends too early"))?;
        self.at += 4;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    /// A length of at most `max`, and never more entries of 4 bytes than
    /// the bytes left (so a damaged length cannot allocate gigabytes).
    pub(crate) fn len(&mut self, max: usize, what: &str) -> Result<usize, PreparedError> {
        let n = self.u32()? as usize;
        if n > max || n > (self.bytes.len() - self.at) / 4 + 1 {
            return Err(malformed(format!("{what}: length {n} out of range")));
        }
        Ok(n)
    }

    /// An array of `u32`, each below `bound`.
    pub(crate) fn u32s(&mut self, bound: u64, what: &str) -> Result<Vec<u32>, PreparedError> {
        let n = self.len(usize::MAX, what)?;
        let mut out = Vec::with_capacity(n);
        for _ in 0..n {
            let v = self.u32()?;
            if u64::from(v) >= bound {
                return Err(malformed(format!("{what}: {v} out of range")));
            }
            out.push(v);
        }
        Ok(out)
    }

    pub(crate) fn end(&self) -> Result<(), PreparedError> {
        if self.at == self.bytes.len() {
            Ok(())
        } else {
            Err(malformed("bytes left over"))
        }
    }
}

/// The whole file: header, `payload`, checksum.
pub(crate) fn seal(fingerprint: u64, method: u8, payload: Writer) -> Vec<u8> {
    let mut out = Vec::with_capacity(HEADER + payload.0.len() + 4);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&FORMAT.to_le_bytes());
    out.extend_from_slice(&fingerprint.to_le_bytes());
    out.push(method);
    out.extend_from_slice(&payload.0);
    let crc = crc32(&out);
    out.extend_from_slice(&crc.to_le_bytes());
    out
}

/// The method byte and a reader over the payload, once the header and the
/// checksum are good and the fingerprint is `expected`.
pub(crate) fn open(bytes: &[u8], expected: u64) -> Result<(u8, Reader<'_>), PreparedError> {
    if bytes.len() < HEADER + 4 || &bytes[..8] != MAGIC {
        return Err(PreparedError::NotPrepared);
    }
    let version = u32::from_le_bytes(bytes[8..12].try_into().expect("4 bytes"));
    if version != FORMAT {
        return Err(PreparedError::Version { found: version });
    }
    let (body, tail) = bytes.split_at(bytes.len() - 4);
    if crc32(body) != u32::from_le_bytes(tail.try_into().expect("4 bytes")) {
        return Err(PreparedError::Checksum);
    }
    let file = u64::from_le_bytes(bytes[12..20].try_into().expect("8 bytes"));
    if file != expected {
        return Err(PreparedError::Stale {
            file,
            model: expected,
        });
    }
    Ok((
        bytes[20],
        Reader {
            bytes: &body[HEADER..],
            at: 0,
        },
    ))
}

/// Recomputes a file's checksum after its content was changed, so that the
/// change reaches the content checks (tests and fuzzing use it to make
/// files that are damaged yet pass the checksum).
#[doc(hidden)]
pub fn reseal(bytes: &mut [u8]) {
    if bytes.len() >= 4 {
        let at = bytes.len() - 4;
        let crc = crc32(&bytes[..at]);
        bytes[at..].copy_from_slice(&crc.to_le_bytes());
    }
}

/// CRC-32 (IEEE), bitwise with a table built at compile time: a dozen lines
/// instead of a dependency, and fast enough for files of a few megabytes.
fn crc32(bytes: &[u8]) -> u32 {
    const TABLE: [u32; 256] = {
        let mut table = [0u32; 256];
        let mut i = 0;
        while i < 256 {
            let mut c = i as u32;
            let mut k = 0;
            while k < 8 {
                c = if c & 1 != 0 {
                    0xedb8_8320 ^ (c >> 1)
                } else {
                    c >> 1
                };
                k += 1;
            }
            table[i] = c;
            i += 1;
        }
        table
    };
    let mut c = !0u32;
    for &b in bytes {
        c = TABLE[((c ^ u32::from(b)) & 0xff) as usize] ^ (c >> 8);
    }
    !c
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc32_matches_the_standard_check_value() {
        assert_eq!(crc32(b"123456789"), 0xcbf4_3926);
    }

    #[test]
    fn a_sealed_payload_opens_and_every_damage_is_named() {
        let mut w = Writer::default();
        w.u32s([3u32, 1, 4].into_iter());
        let file = seal(42, 1, w);
        let (method, mut r) = open(&file, 42).unwrap();
        assert_eq!((method, r.u32s(5, "x").unwrap()), (1, vec![3, 1, 4]));
        r.end().unwrap();
        assert_eq!(
            open(&file, 43).err(),
            Some(PreparedError::Stale {
                file: 42,
                model: 43
            })
        );
        assert_eq!(
            open(&file[..10], 42).err(),
            Some(PreparedError::NotPrepared)
        );
        assert_eq!(
            open(&file[..file.len() - 1], 42).err(),
            Some(PreparedError::Checksum)
        );
        for i in 12..file.len() {
            let mut bad = file.clone();
            bad[i] ^= 0x10;
            assert_eq!(
                open(&bad, 42).err(),
                Some(PreparedError::Checksum),
                "byte {i}"
            );
        }
        let mut other = file.clone();
        other[8] = 9;
        assert_eq!(
            open(&other, 42).err(),
            Some(PreparedError::Version { found: 9 })
        );
        let (_, mut r) = open(&file, 42).unwrap();
        assert!(
            matches!(r.u32s(4, "x"), Err(PreparedError::Malformed(m)) if m == "x: 4 out of range")
        );
    }
}
