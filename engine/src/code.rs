//! Configuration codes: the choices as a short, versioned, URL-safe string
//! for links, QR codes and orders.
//!
//! `1` (the format) + 6 characters naming the catalogue (a hash of the
//! product id, its version and every attribute and option id, so a code made
//! for another product or version is recognised as such) + the choices as one
//! mixed-radix number (per attribute: 0 = open, else option index + 1) +
//! 2 check characters over everything before them. All characters are
//! base64url (`A-Z a-z 0-9 - _`).

use std::fmt;

use num_bigint::BigUint;

use crate::config::Choices;
use crate::model::Model;

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const FORMAT: char = '1';

/// Why a code cannot be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CodeError {
    /// Not a configuration code at all (empty, wrong characters, too short).
    Malformed(String),
    /// A code format this version of Tailor does not know.
    UnknownFormat(char),
    /// A mistyped or damaged code (its check characters do not match).
    Damaged,
    /// Made for another product or another version of this catalogue.
    OtherCatalogue,
}

impl fmt::Display for CodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CodeError::Malformed(why) => write!(f, "not a configuration code: {why}"),
            CodeError::UnknownFormat(c) => write!(f, "unknown configuration code format \"{c}\""),
            CodeError::Damaged => write!(f, "the configuration code is damaged or mistyped"),
            CodeError::OtherCatalogue => write!(f, "the configuration code was made for another product or catalogue version"),
        }
    }
}

impl std::error::Error for CodeError {}

/// 64-bit FNV-1a.
fn fnv(parts: &[&[u8]]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for &b in *part {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        h ^= 0xff;
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

fn chars(mut x: u64, n: usize) -> String {
    let mut s = String::with_capacity(n);
    for _ in 0..n {
        s.push(ALPHABET[(x & 63) as usize] as char);
        x >>= 6;
    }
    s
}

fn digit(c: u8) -> Option<u32> {
    ALPHABET.iter().position(|&a| a == c).map(|p| p as u32)
}

impl Model {
    /// The catalogue part of this model's codes (computed once, when the
    /// model is built).
    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }

    pub(crate) fn compute_fingerprint(&self) -> String {
        let mut parts: Vec<&[u8]> = vec![self.id().as_bytes(), self.version().as_bytes()];
        for a in self.attributes() {
            parts.push(a.id.as_bytes());
            for o in &a.options {
                parts.push(o.id.as_bytes());
            }
        }
        chars(fnv(&parts), 6)
    }

    /// The code of `choices`.
    pub fn encode(&self, choices: &Choices) -> String {
        let mut n = BigUint::from(0u32);
        for (a, attr) in self.attributes().iter().enumerate().rev() {
            n = n * (attr.options.len() as u32 + 1) + choices.0[a].map_or(0, |o| o as u32 + 1);
        }
        let mut payload = String::new();
        for d in n.to_radix_le(64) {
            payload.push(ALPHABET[d as usize] as char);
        }
        if payload == "A" {
            payload.clear();
        }
        let body = format!("{FORMAT}{}{payload}", self.fingerprint());
        let check = chars(fnv(&[body.as_bytes()]), 2);
        body + &check
    }

    /// The choices a code stands for.
    pub fn decode(&self, code: &str) -> Result<Choices, CodeError> {
        let code = code.trim();
        if code.len() < 9 {
            return Err(CodeError::Malformed(format!("\"{code}\" is too short")));
        }
        if let Some(bad) = code.bytes().find(|&b| digit(b).is_none()) {
            return Err(CodeError::Malformed(format!("the character \"{}\" cannot appear in a code", bad as char)));
        }
        let first = code.as_bytes()[0] as char;
        if first != FORMAT {
            return Err(CodeError::UnknownFormat(first));
        }
        let (body, check) = code.split_at(code.len() - 2);
        if chars(fnv(&[body.as_bytes()]), 2) != check {
            return Err(CodeError::Damaged);
        }
        if &body[1..7] != self.fingerprint() {
            return Err(CodeError::OtherCatalogue);
        }
        let digits: Vec<u8> = body[7..].bytes().map(|b| digit(b).expect("checked") as u8).collect();
        let mut n = if digits.is_empty() { BigUint::from(0u32) } else { BigUint::from_radix_le(&digits, 64).ok_or(CodeError::Damaged)? };
        let mut choices = Choices::empty(self);
        for (a, attr) in self.attributes().iter().enumerate() {
            let radix = attr.options.len() as u32 + 1;
            let d = (&n % radix).to_u32_digits().first().copied().unwrap_or(0);
            n /= radix;
            choices.0[a] = d.checked_sub(1).map(|o| o as usize);
        }
        if n != BigUint::from(0u32) {
            return Err(CodeError::Damaged);
        }
        Ok(choices)
    }
}
