//! The first screen as static HTML: `index.html` carries the page's frame,
//! and the build writes the catalogue's product cards into it, in English and
//! Chinese, so the largest content is painted before the wasm has loaded.
//! The cards copy the markup of the app's catalogue page (same classes), so
//! nothing moves when the app takes over.

use std::fs;
use std::path::Path;

use serde_json::Value;

use crate::Result;

const SLOT: &str = "<ul class=\"product-list\" data-shell-products></ul>";

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// Both languages of a `{"en": ..., "zh": ...}` text; Chinese falls back to English.
fn both(text: &Value) -> Result<String> {
    let en = text["en"].as_str().ok_or("index.json: a text without \"en\"")?;
    let zh = text["zh"].as_str().unwrap_or(en);
    Ok(format!("<span lang=\"en\">{}</span><span lang=\"zh-CN\">{}</span>", escape(en), escape(zh)))
}

/// The product cards for the catalogue index `index`.
pub fn cards(index: &Value) -> Result<String> {
    let mut html = String::new();
    for p in index["products"].as_array().ok_or("index.json: no \"products\" list")? {
        let id = p["id"].as_str().ok_or("index.json: a product without \"id\"")?;
        html.push_str(&format!(
            "<li class=\"product-card\"><h2>{}</h2><p>{}</p><a class=\"button button-primary\" href=\"/p/{}\">\
             <span lang=\"en\">Configure</span><span lang=\"zh-CN\">定制</span></a></li>",
            both(&p["name"])?,
            both(&p["summary"])?,
            escape(id)
        ));
    }
    Ok(html)
}

/// Fills the product slot of the built `index.html`.
pub fn fill(index_html: &Path, catalogue_index: &Path) -> Result<()> {
    let html = fs::read_to_string(index_html)?;
    if !html.contains(SLOT) {
        return Err(format!("{} has no {SLOT} to fill", index_html.display()).into());
    }
    let index: Value = serde_json::from_str(&fs::read_to_string(catalogue_index)?)
        .map_err(|e| format!("{}: {e}", catalogue_index.display()))?;
    let filled = html.replace(SLOT, &format!("<ul class=\"product-list\" data-shell-products>{}</ul>", cards(&index)?));
    fs::write(index_html, filled)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cards_carry_both_languages_and_escape_text() {
        let index = serde_json::json!({"products": [
            {"id": "pc", "name": {"en": "PC <b>", "zh": "电脑"}, "summary": {"en": "A & B"}}
        ]});
        let html = cards(&index).unwrap();
        assert!(html.contains("<span lang=\"en\">PC &lt;b&gt;</span><span lang=\"zh-CN\">电脑</span>"), "{html}");
        assert!(html.contains("<span lang=\"zh-CN\">A &amp; B</span>"), "{html}");
        assert!(html.contains("href=\"/p/pc\""));
        assert!(cards(&serde_json::json!({"products": [{"name": {"en": "x"}}]})).is_err());
    }
}
