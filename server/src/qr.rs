//! QR codes for share links, drawn as SVG on the server so the browser's
//! first download stays small. `GET /api/qr?text=...` answers a scalable
//! image; the text is limited to what a phone camera reads comfortably.

use axum::extract::Query;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use qrcodegen::{QrCode, QrCodeEcc};
use serde::Deserialize;

use crate::http::Problem;

/// Longer texts make codes too dense for a phone held at arm's length.
pub const MAX_TEXT: usize = 600;

#[derive(Deserialize)]
pub struct QrQuery {
    text: Option<String>,
}

/// The modules of the code for `text` (true = dark), with medium error
/// correction, or `None` when the text is too long.
pub fn matrix(text: &str) -> Option<Vec<Vec<bool>>> {
    if text.len() > MAX_TEXT {
        return None;
    }
    let code = QrCode::encode_text(text, QrCodeEcc::Medium).ok()?;
    let n = code.size();
    Some((0..n).map(|y| (0..n).map(|x| code.get_module(x, y)).collect()).collect())
}

/// An SVG with one path of unit squares and a four-module quiet zone.
pub fn svg(modules: &[Vec<bool>]) -> String {
    let n = modules.len();
    let side = n + 8;
    let mut path = String::with_capacity(n * n * 4);
    for (y, row) in modules.iter().enumerate() {
        for (x, &dark) in row.iter().enumerate() {
            if dark {
                path.push_str(&format!("M{} {}h1v1h-1z", x + 4, y + 4));
            }
        }
    }
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {side} {side}\" shape-rendering=\"crispEdges\">\
         <rect width=\"{side}\" height=\"{side}\" fill=\"#fff\"/><path d=\"{path}\" fill=\"#000\"/></svg>"
    )
}

pub async fn qr(Query(q): Query<QrQuery>) -> Response {
    let Some(text) = q.text.filter(|t| !t.is_empty()) else {
        return Problem::new(StatusCode::BAD_REQUEST, "missing-text", "Nothing to encode", "Give the text to encode as ?text=...").into_response();
    };
    match matrix(&text) {
        Some(m) => (
            [(header::CONTENT_TYPE, "image/svg+xml"), (header::CACHE_CONTROL, "public, max-age=86400")],
            svg(&m),
        )
            .into_response(),
        None => Problem::new(
            StatusCode::BAD_REQUEST,
            "text-too-long",
            "Too long for a QR code",
            format!("The text has {} bytes; a QR code here holds at most {MAX_TEXT}.", text.len()),
        )
        .into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reads the code back with an independent decoder.
    fn decode(m: &[Vec<bool>]) -> String {
        let scale = 4;
        let side = (m.len() + 8) * scale;
        let mut img = rqrr::PreparedImage::prepare_from_greyscale(side, side, |x, y| {
            let (mx, my) = ((x / scale) as isize - 4, (y / scale) as isize - 4);
            let dark = mx >= 0 && my >= 0 && (mx as usize) < m.len() && (my as usize) < m.len() && m[my as usize][mx as usize];
            if dark { 0 } else { 255 }
        });
        let grids = img.detect_grids();
        assert_eq!(grids.len(), 1);
        grids[0].decode().unwrap().1
    }

    #[test]
    fn share_links_read_back_exactly() {
        for text in ["http://127.0.0.1:8080/p/pc?c=1a2b3c4d5e6f7a8b9", "https://tailor.example/p/jeans?c=1ZZZZZZ0000000000000000000000000000000000000042", "总计 €1.299,00"] {
            let m = matrix(text).unwrap();
            assert_eq!(decode(&m), text);
            let svg = svg(&m);
            assert!(svg.starts_with("<svg") && svg.contains("viewBox"));
        }
    }

    #[test]
    fn overlong_text_is_refused() {
        assert!(matrix(&"x".repeat(MAX_TEXT + 1)).is_none());
        assert!(matrix(&"x".repeat(MAX_TEXT)).is_some());
    }
}
