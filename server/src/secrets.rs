//! Secrets and identifiers: the one place that draws random bytes, makes
//! keys (staff, partner, session) and ids, and digests what is stored in
//! place of a secret (only a key's SHA-256 is ever kept).

use base64::Engine as _;
use sha2::{Digest, Sha256};

/// `N` bytes from the operating system's random source.
pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut buf = [0u8; N];
    getrandom::fill(&mut buf).expect("the operating system's random source failed");
    buf
}

/// Lower-case hex of the SHA-256 of `bytes`: what is stored for a secret.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// A new bearer secret: 32 random bytes, base64url without padding (43
/// characters), after `prefix` and `_` when a prefix is given (`tsk` staff
/// keys, `tpk` partner keys; session tokens have none).
pub fn new_token(prefix: Option<&str>) -> String {
    let body = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(random_bytes::<32>());
    match prefix {
        Some(p) => format!("{p}_{body}"),
        None => body,
    }
}

/// A new prefixed key and the digest to store for it.
pub fn new_key(prefix: &str) -> (String, String) {
    let key = new_token(Some(prefix));
    let digest = sha256_hex(key.as_bytes());
    (key, digest)
}

/// An id: `prefix` and `2 * N` lower-case hex characters of `N` random bytes.
pub fn new_id<const N: usize>(prefix: char) -> String {
    let mut id = String::with_capacity(1 + 2 * N);
    id.push(prefix);
    id.push_str(&hex::encode(random_bytes::<N>()));
    id
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_ids_and_digests() {
        let (key, digest) = new_key("tsk");
        assert!(key.starts_with("tsk_") && key.len() == 4 + 43, "{key}");
        assert_eq!(digest, sha256_hex(key.as_bytes()));
        assert_ne!(new_key("tsk").0, key, "two keys differ");
        assert_eq!(new_token(None).len(), 43);
        // The SHA-256 of "abc" (FIPS 180-2, appendix B.1).
        assert_eq!(sha256_hex(b"abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        let id = new_id::<10>('K');
        assert!(id.len() == 21 && id.starts_with('K') && id[1..].bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()), "{id}");
    }
}
