//! A partner's look: a small, closed set of theme tokens and the CSS custom
//! properties they set. Never arbitrary CSS: each token's value is checked
//! against what it may be, and the accent colour must stay readable (WCAG
//! contrast of at least 4.5:1 between the primary colour and its text). The
//! server checks a partner's registered theme with this; the embedded page
//! checks the tokens a partner's page sends with the same code.

use std::collections::BTreeMap;

/// The tokens a partner may set.
pub const TOKENS: [&str; 4] = ["primary", "primary-text", "radius", "font"];
/// Each token's CSS custom property (`style/main.css`).
pub const PROPERTIES: [(&str, &str); 4] = [("primary", "--color-accent"), ("primary-text", "--color-accent-text"), ("radius", "--radius"), ("font", "--font")];
/// The font choices (each a stack of installed fonts; no downloads).
pub const FONTS: [&str; 4] = ["system-ui", "serif", "sans-serif", "rounded"];
/// The portal's own primary colour and its text (`style/main.css`).
pub const DEFAULT_PRIMARY: &str = "#1d4ed8";
pub const DEFAULT_PRIMARY_TEXT: &str = "#ffffff";
/// The least contrast allowed between the primary colour and its text.
pub const MIN_CONTRAST: f64 = 4.5;

/// Checks one token and value against the allowed set.
pub fn check_token(name: &str, value: &str) -> Result<(), String> {
    let ok = match name {
        "primary" | "primary-text" => colour(value).is_some(),
        "radius" => value.strip_suffix("px").and_then(|n| n.parse::<u8>().ok()).is_some_and(|n| n <= 32) && !value.starts_with('+'),
        "font" => FONTS.contains(&value),
        _ => return Err(format!("unknown theme token \"{name}\": one of {}", TOKENS.join(", "))),
    };
    if ok {
        Ok(())
    } else {
        Err(format!("theme {name}=\"{value}\": colours are #rrggbb, radius 0px to 32px, font one of {}", FONTS.join(", ")))
    }
}

/// Checks a whole theme: every token, then the contrast of the primary
/// colour with its text (a token not given keeps the portal's own value).
pub fn check(theme: &BTreeMap<String, String>) -> Result<(), String> {
    for (name, value) in theme {
        check_token(name, value)?;
    }
    let primary = theme.get("primary").map_or(DEFAULT_PRIMARY, String::as_str);
    let text = theme.get("primary-text").map_or(DEFAULT_PRIMARY_TEXT, String::as_str);
    let ratio = contrast(primary, text).unwrap_or(0.0);
    if ratio < MIN_CONTRAST {
        return Err(format!(
            "theme primary {primary} with primary-text {text}: contrast {ratio:.2}:1, at least {MIN_CONTRAST}:1 is needed so the text on buttons stays readable"
        ));
    }
    Ok(())
}

/// The CSS custom properties (name, value) a checked theme sets.
pub fn css_properties(theme: &BTreeMap<String, String>) -> Result<Vec<(&'static str, String)>, String> {
    check(theme)?;
    Ok(theme
        .iter()
        .filter_map(|(name, value)| {
            let (_, property) = PROPERTIES.iter().find(|(token, _)| token == name)?;
            let value = if name == "font" { font_stack(value).to_string() } else { value.clone() };
            Some((*property, value))
        })
        .collect())
}

fn font_stack(font: &str) -> &'static str {
    match font {
        "serif" => "ui-serif, Georgia, \"Times New Roman\", \"Songti SC\", \"Noto Serif CJK SC\", serif",
        "sans-serif" => "\"Helvetica Neue\", Arial, \"PingFang SC\", \"Microsoft YaHei\", \"Noto Sans CJK SC\", sans-serif",
        "rounded" => "ui-rounded, \"SF Pro Rounded\", system-ui, \"PingFang SC\", \"Microsoft YaHei\", \"Noto Sans CJK SC\", sans-serif",
        _ => "system-ui, -apple-system, \"Segoe UI\", Roboto, \"PingFang SC\", \"Microsoft YaHei\", \"Noto Sans CJK SC\", sans-serif",
    }
}

fn colour(v: &str) -> Option<[u8; 3]> {
    let hex = v.strip_prefix('#').filter(|h| h.len() == 6 && h.bytes().all(|b| b.is_ascii_hexdigit()))?;
    let byte = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).ok();
    Some([byte(0)?, byte(2)?, byte(4)?])
}

/// WCAG 2 contrast ratio of two `#rrggbb` colours.
pub fn contrast(a: &str, b: &str) -> Option<f64> {
    let luminance = |c: [u8; 3]| {
        let lin = |v: u8| {
            let s = f64::from(v) / 255.0;
            if s <= 0.04045 { s / 12.92 } else { ((s + 0.055) / 1.055).powf(2.4) }
        };
        0.2126 * lin(c[0]) + 0.7152 * lin(c[1]) + 0.0722 * lin(c[2])
    };
    let (la, lb) = (luminance(colour(a)?), luminance(colour(b)?));
    let (hi, lo) = if la > lb { (la, lb) } else { (lb, la) };
    Some((hi + 0.05) / (lo + 0.05))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn theme(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn tokens_are_checked_against_the_allowed_set() {
        assert!(check_token("primary", "#0a7f5c").is_ok());
        assert!(check_token("radius", "12px").is_ok());
        assert!(check_token("radius", "0px").is_ok());
        assert!(check_token("font", "serif").is_ok());
        for (k, v) in [
            ("primary", "red; background:url(x)"),
            ("primary", "#0a7f5"),
            ("primary", "#0a7f5g"),
            ("radius", "99px"),
            ("radius", "+1px"),
            ("radius", "12"),
            ("font", "Comic Sans"),
            ("css", "x"),
        ] {
            assert!(check_token(k, v).is_err(), "{k}={v}");
        }
    }

    #[test]
    fn contrast_follows_wcag() {
        assert!((contrast("#000000", "#ffffff").unwrap() - 21.0).abs() < 1e-9);
        assert!((contrast("#777777", "#777777").unwrap() - 1.0).abs() < 1e-9);
        // The portal's own accent passes.
        assert!(contrast(DEFAULT_PRIMARY, DEFAULT_PRIMARY_TEXT).unwrap() >= MIN_CONTRAST);
        assert_eq!(contrast("red", "#ffffff"), None);
    }

    #[test]
    fn a_theme_must_keep_button_text_readable() {
        assert!(check(&theme(&[("primary", "#0a7f5c")])).is_ok());
        // Yellow under the default white text is unreadable; with dark text it is fine.
        let err = check(&theme(&[("primary", "#ffd500")])).unwrap_err();
        assert!(err.contains("contrast"), "{err}");
        assert!(check(&theme(&[("primary", "#ffd500"), ("primary-text", "#111111")])).is_ok());
    }

    #[test]
    fn tokens_map_to_css_properties() {
        let props = css_properties(&theme(&[("primary", "#0a7f5c"), ("radius", "2px"), ("font", "serif")])).unwrap();
        // In the tokens' name order: font, primary, radius.
        assert_eq!(props[0].0, "--font");
        assert!(props[0].1.ends_with("serif") && props[0].1.contains("Georgia"));
        assert_eq!(props[1], ("--color-accent", "#0a7f5c".to_string()));
        assert_eq!(props[2], ("--radius", "2px".to_string()));
        assert!(css_properties(&theme(&[("background", "#000000")])).is_err());
    }
}
