//! Each product's configurator painted before its wasm arrives (issue 18):
//! the built app is run in headless Chromium against the built server, once
//! per product and language, and what it draws in `<main>` is written into
//! a copy of `index.html` as `dist/p/ID.html` (in `<template>`s, one per
//! language; the page's script shows the visitor's). The server sends that
//! page for `/p/ID`. Being the app's own first render, it is the same
//! configurator the app then draws (same text, same prices); its controls
//! are disabled until the app takes over (`src/shell.rs`).
//!
//! Chromium's `--dump-dom` with a virtual time budget lets the page run its
//! wasm and fetches before the DOM is printed, so no driver is needed.

use std::fs;
use std::path::Path;
use std::process::Command;

use serde_json::Value;

use crate::Result;

/// The shell's empty main region in the built `index.html`.
const SHELL_MAIN: &str = "<main id=\"main\" tabindex=\"-1\">";

pub fn prerender(root: &Path) -> Result<()> {
    crate::step("drawing each configurator as the app first draws it (headless Chromium)");
    let server = crate::build_server()?;
    let scratch = std::env::temp_dir().join(format!("tailor-prerender-{}", std::process::id()));
    let _ = fs::remove_dir_all(&scratch);
    fs::create_dir_all(&scratch)?;
    let db = format!("sqlite://{}", scratch.join("prerender.db").display());
    let dist = root.join("dist");
    let args = vec!["--addr".into(), "127.0.0.1:0".into(), "--database-url".into(), db, "--site".into(), dist.display().to_string()];
    let (mut child, url) = crate::start_server(&server, &args)?;
    let result = (|| -> Result<()> {
        let index: Value = serde_json::from_str(&fs::read_to_string(dist.join("catalogue/index.json"))?)?;
        let page = fs::read_to_string(dist.join("index.html"))?;
        fs::create_dir_all(dist.join("p"))?;
        for p in index["products"].as_array().ok_or("index.json: no \"products\" list")? {
            let id = p["id"].as_str().ok_or("index.json: a product without \"id\"")?;
            let file = p["file"].as_str().ok_or("index.json: a product without \"file\"")?;
            let en = draw(&url, id, "en", &scratch)?;
            let zh = draw(&url, id, "zh-CN", &scratch)?;
            let page = page_with(&page, &[("en", &en), ("zh-CN", &zh)])?;
            // What the app reads first, fetched while its wasm arrives.
            let mut reads = vec!["/catalogue/index.json".to_string(), format!("/catalogue/{file}")];
            reads.extend(p["prepared"].as_str().map(|name| format!("/catalogue/{name}")));
            let page = preloading(&page, &reads)?;
            fs::write(dist.join(format!("p/{id}.html")), page)?;
        }
        Ok(())
    })();
    let _ = crate::terminate(&mut child);
    let _ = fs::remove_dir_all(&scratch);
    result
}

/// What the app draws in `<main>` for `/p/ID` in a fresh browser whose
/// language is `lang`.
fn draw(url: &str, id: &str, lang: &str, scratch: &Path) -> Result<String> {
    let profile = scratch.join(format!("chromium-{id}-{lang}"));
    let out = Command::new(crate::tools::CHROMIUM)
        .args(["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("--lang={lang}"))
        .arg(format!("--accept-lang={lang}"))
        .arg("--virtual-time-budget=30000")
        .arg("--dump-dom")
        .arg(format!("{url}/p/{id}"))
        .env("LANGUAGE", lang.replace('-', "_"))
        .output()
        .map_err(|e| format!("cannot start {}: {e}", crate::tools::CHROMIUM))?;
    let dom = String::from_utf8_lossy(&out.stdout);
    let main = main_of(&dom).filter(|m| m.contains("data-testid=\"total\"")).ok_or_else(|| {
        format!("{id} ({lang}): Chromium did not show the configurator ({}; {})", out.status, String::from_utf8_lossy(&out.stderr).lines().last().unwrap_or(""))
    })?;
    Ok(waiting(main))
}

/// The inside of the page's `<main ...>` element.
pub fn main_of(dom: &str) -> Option<&str> {
    let start = dom.find("<main")?;
    let open_end = dom[start..].find('>')? + start + 1;
    let close = dom.rfind("</main>")?;
    (close >= open_end).then(|| &dom[open_end..close])
}

/// `html` with every button, input, select and text area disabled and every
/// disclosure inert: on the page drawn at build time nothing may look
/// clickable and do nothing (or something the app then undoes).
/// Attribute values are skipped over by their quotes.
pub fn waiting(html: &str) -> String {
    let mut out = String::with_capacity(html.len() + 1024);
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        out.push_str(&rest[..lt]);
        rest = &rest[lt..];
        // The tag's end, outside quoted values.
        let mut quote = None;
        let mut end = rest.len();
        for (i, c) in rest.char_indices().skip(1) {
            match (quote, c) {
                (None, '"' | '\'') => quote = Some(c),
                (Some(q), c) if c == q => quote = None,
                (None, '>') => {
                    end = i + 1;
                    break;
                }
                _ => {}
            }
        }
        let tag = &rest[..end];
        let name: String = tag[1..].chars().take_while(|c| c.is_ascii_alphanumeric()).collect::<String>().to_ascii_lowercase();
        // Controls are disabled; a disclosure (which would open by itself
        // and close again when the app takes over) is made inert.
        let attribute = match name.as_str() {
            "button" | "input" | "select" | "textarea" if !tag.contains(" disabled") => Some(" disabled=\"\""),
            "details" if !tag.contains(" inert") => Some(" inert=\"\""),
            _ => None,
        };
        if let Some(attribute) = attribute {
            let insert = 1 + name.len();
            out.push_str(&tag[..insert]);
            out.push_str(attribute);
            out.push_str(&tag[insert..]);
        } else {
            out.push_str(tag);
        }
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// The built `index.html` with its main region holding the drawn
/// configurator in each language, as templates the page's script shows.
pub fn page_with(index_html: &str, drawn: &[(&str, &str)]) -> Result<String> {
    let start = index_html.find(SHELL_MAIN).ok_or("index.html has no shell <main id=\"main\" tabindex=\"-1\">")?;
    let close = index_html[start..].find("</main>").ok_or("index.html: the shell's main is not closed")? + start;
    let templates: String = drawn.iter().map(|(lang, html)| format!("<template data-pre-lang=\"{lang}\">{html}</template>")).collect();
    Ok(format!(
        "{}<main id=\"main\" tabindex=\"-1\" class=\"prerendered\">{templates}{}",
        &index_html[..start],
        &index_html[close..]
    ))
}

/// `html` with the files `paths` preloaded (as the app fetches them, so the
/// browser hands it these answers).
pub fn preloading(html: &str, paths: &[String]) -> Result<String> {
    if !html.contains("</head>") {
        return Err("index.html has no </head>".into());
    }
    let links: String = paths.iter().map(|p| format!("<link rel=\"preload\" href=\"{p}\" as=\"fetch\" crossorigin=\"anonymous\">")).collect();
    Ok(html.replacen("</head>", &format!("{links}</head>"), 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_are_disabled_and_nothing_else_changes() {
        let html = r#"<p>a > b</p><button type="button" aria-label="x > y">Go</button><input id="q" value='1>0'><input disabled=""><a href="/p/pc">PC</a><select><option>1</option></select><textarea></textarea><details class="share"><summary>Share</summary></details>"#;
        assert_eq!(
            waiting(html),
            r#"<p>a > b</p><button disabled="" type="button" aria-label="x > y">Go</button><input disabled="" id="q" value='1>0'><input disabled=""><a href="/p/pc">PC</a><select disabled=""><option>1</option></select><textarea disabled=""></textarea><details inert="" class="share"><summary>Share</summary></details>"#
        );
        assert_eq!(waiting("plain text"), "plain text");
    }

    #[test]
    fn the_drawn_main_replaces_the_shells() {
        let dom = "<html><body><header>h</header><main id=\"main\" tabindex=\"-1\"><section class=\"page\">x</section></main></body></html>";
        assert_eq!(main_of(dom), Some("<section class=\"page\">x</section>"));
        assert_eq!(main_of("<body>no main</body>"), None);
        let index = "<body><div id=\"shell\"><main id=\"main\" tabindex=\"-1\"><h1>Choose</h1></main></div><script>s()</script></body>";
        let page = page_with(index, &[("en", "<p>EN</p>"), ("zh-CN", "<p>中</p>")]).unwrap();
        assert_eq!(
            page,
            "<body><div id=\"shell\"><main id=\"main\" tabindex=\"-1\" class=\"prerendered\"><template data-pre-lang=\"en\"><p>EN</p></template><template data-pre-lang=\"zh-CN\"><p>中</p></template></main></div><script>s()</script></body>"
        );
        assert!(page_with("<body></body>", &[]).is_err());
        let preloaded = preloading("<head><title>t</title></head>", &["/catalogue/pc.json".into()]).unwrap();
        assert_eq!(preloaded, "<head><title>t</title><link rel=\"preload\" href=\"/catalogue/pc.json\" as=\"fetch\" crossorigin=\"anonymous\"></head>");
    }
}
