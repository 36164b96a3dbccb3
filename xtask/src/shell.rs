//! The first screen as static HTML. `index.html` carries a frame of the page
//! (header, heading, an empty product list); the build writes the catalogue's
//! product cards into it, so the largest content is painted before the wasm
//! arrives, and derives `home.html` from it: the same page without the app,
//! which the server sends for `/`. The home page needs no wasm at all (a few
//! lines of inline script switch its language); the app loads when the
//! customer opens a product, and is fetched ahead when they point at one.
//! The cards copy the markup of the app's catalogue page (same classes).
//! Each product with a `visual` gets the picture of its default
//! configuration, drawn here by the engine (`catalogue/ID.svg`, named in the
//! built `catalogue/index.json` as `picture`), so the first screen shows the
//! products without the app.

use std::fs;
use std::path::Path;

use serde_json::Value;

use crate::Result;

const SLOT: &str = "<ul class=\"product-list\" data-shell-products></ul>";

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// An element's text in English with its Chinese in `data-zh` (English when
/// there is none), for the page's script to switch between.
fn element(tag: &str, attrs: &str, text: &Value) -> Result<String> {
    let en = text["en"].as_str().ok_or("index.json: a text without \"en\"")?;
    let zh = text["zh"].as_str().unwrap_or(en);
    Ok(format!("<{tag}{attrs} data-zh=\"{}\">{}</{tag}>", escape(zh), escape(en)))
}

/// The product cards for the catalogue index `index`.
pub fn cards(index: &Value) -> Result<String> {
    let mut html = String::new();
    for p in index["products"].as_array().ok_or("index.json: no \"products\" list")? {
        let id = p["id"].as_str().ok_or("index.json: a product without \"id\"")?;
        let configure = serde_json::json!({"en": "Configure", "zh": "定制"});
        // Decorative beside the name and summary, so no text alternative.
        let picture = p["picture"]
            .as_str()
            .map(|f| format!("<img class=\"product-picture\" src=\"/catalogue/{}\" alt=\"\" width=\"320\" height=\"240\" loading=\"lazy\" decoding=\"async\">", escape(f)))
            .unwrap_or_default();
        html.push_str(&format!(
            "<li class=\"product-card\">{picture}{}{}{}</li>",
            element("h2", "", &p["name"])?,
            element("p", "", &p["summary"])?,
            element("a", &format!(" class=\"button button-primary\" href=\"/p/{}\"", escape(id)), &configure)?,
        ));
    }
    Ok(html)
}

/// The page without Trunk's loader: no module script, no preloads of the
/// app; instead the app is prefetched when a product link is pointed at or
/// focused.
pub fn home(index_html: &str) -> Result<String> {
    let mut html = index_html.to_string();
    let start = html.find("<script type=\"module\">").ok_or("index.html has no Trunk loader script")?;
    let end = html[start..].find("</script>").ok_or("unterminated loader script")? + start + "</script>".len();
    html.replace_range(start..end, "");
    let mut app = Vec::new();
    while let Some(start) = html.find("<link rel=\"modulepreload\"").or_else(|| html.find("<link rel=\"preload\"")) {
        let end = html[start..].find('>').ok_or("unterminated link")? + start + 1;
        let tag = html[start..end].to_string();
        if let Some(href) = tag.split("href=\"").nth(1).and_then(|r| r.split('"').next()) {
            app.push(href.to_string());
        }
        html.replace_range(start..end, "");
    }
    if app.is_empty() {
        return Err("index.html preloads no app files".into());
    }
    let list: Vec<String> = app.iter().map(|u| format!("'{}'", u.replace('\'', ""))).collect();
    let warm = format!(
        "<script>(function(){{var done=false;function warm(){{if(done)return;done=true;[{}].forEach(function(u){{var l=document.createElement('link');l.rel='prefetch';l.href=u;document.head.appendChild(l)}})}}document.querySelectorAll('.product-card a').forEach(function(a){{['pointerenter','focus','touchstart'].forEach(function(e){{a.addEventListener(e,warm,{{passive:true}})}})}})}})()</script>\n  </body>",
        list.join(",")
    );
    if !html.contains("</body>") {
        return Err("index.html has no </body>".into());
    }
    Ok(html.replacen("</body>", &warm, 1))
}

/// Reads `dir/index.json` (the built catalogue), calls `f` with each
/// product's entry, its model and the model file's text, and writes the
/// index back with what `f` added to the entries; the index as written. The site build's per-model
/// steps (pictures here, prepared files in `prepare.rs`) go through it.
pub fn each_model(dir: &Path, mut f: impl FnMut(&mut Value, &tailor_engine::Model, &str) -> Result<()>) -> Result<Value> {
    let path = dir.join("index.json");
    let mut index: Value = serde_json::from_str(&fs::read_to_string(&path)?).map_err(|e| format!("{}: {e}", path.display()))?;
    for p in index["products"].as_array_mut().ok_or("index.json: no \"products\" list")? {
        let file = p["file"].as_str().ok_or("index.json: a product without \"file\"")?;
        let text = fs::read_to_string(dir.join(file))?;
        let model = tailor_engine::Model::from_json(file, &text).map_err(|e| e.to_string())?;
        f(p, &model, &text)?;
    }
    fs::write(&path, serde_json::to_string_pretty(&index)?)?;
    Ok(index)
}

/// Draws the default configuration of every product with a visual into
/// `dir` (the built catalogue) as `ID.svg` and names it in `dir/index.json`;
/// the index, with the pictures named.
pub fn pictures(dir: &Path) -> Result<Value> {
    each_model(dir, |p, model, _| {
        if let Some(picture) = model.picture(&tailor_engine::Choices::defaults(model), &Default::default(), "en", model.id()) {
            let name = format!("{}.svg", model.id());
            fs::write(dir.join(&name), picture.svg)?;
            p["picture"] = Value::String(name);
        }
        Ok(())
    })
}

/// A fresh copy of the shipped catalogue (`public/catalogue`) in a folder of
/// its own, for tests of the build's steps.
#[cfg(test)]
pub fn shipped_catalogue_copy(tag: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("tailor-{tag}-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    let shipped = Path::new(env!("CARGO_MANIFEST_DIR")).join("../public/catalogue");
    for entry in fs::read_dir(&shipped).unwrap() {
        let path = entry.unwrap().path();
        fs::copy(&path, dir.join(path.file_name().unwrap())).unwrap();
    }
    dir
}

/// Fills the product slot of the built `index.html` and writes `home.html`
/// beside it, with the products of `index`.
pub fn fill(index_html: &Path, index: &Value) -> Result<()> {
    let html = fs::read_to_string(index_html)?;
    if !html.contains(SLOT) {
        return Err(format!("{} has no {SLOT} to fill", index_html.display()).into());
    }
    let filled = html.replace(SLOT, &format!("<ul class=\"product-list\" data-shell-products>{}</ul>", cards(&index)?));
    fs::write(index_html, &filled)?;
    fs::write(index_html.with_file_name("home.html"), home(&filled)?)?;
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
        assert!(html.contains("<h2 data-zh=\"电脑\">PC &lt;b&gt;</h2>"), "{html}");
        assert!(html.contains("<p data-zh=\"A &amp; B\">A &amp; B</p>"), "{html}");
        assert!(html.contains("href=\"/p/pc\" data-zh=\"定制\">Configure</a>"), "{html}");
        assert!(cards(&serde_json::json!({"products": [{"name": {"en": "x"}}]})).is_err());
        let with = cards(&serde_json::json!({"products": [{"id": "pc", "name": {"en": "PC"}, "summary": {"en": "S"}, "picture": "pc.svg"}]})).unwrap();
        assert!(with.starts_with("<li class=\"product-card\"><img class=\"product-picture\" src=\"/catalogue/pc.svg\" alt=\"\""), "{with}");
    }

    #[test]
    fn every_product_with_a_visual_gets_its_default_picture() {
        let dir = shipped_catalogue_copy("shell");
        let index = pictures(&dir).unwrap();
        let named: Vec<&str> = index["products"].as_array().unwrap().iter().filter_map(|p| p["picture"].as_str()).collect();
        assert_eq!(named, vec!["pc-starter.svg", "pc.svg", "jeans.svg", "window.svg"]);
        for n in named {
            let svg = fs::read_to_string(dir.join(n)).unwrap();
            assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""), "{n}");
        }
        // The written index still reads as a catalogue index.
        tailor_engine::CatalogueIndex::from_json("index.json", &fs::read_to_string(dir.join("index.json")).unwrap()).unwrap();
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn the_home_page_loads_no_app_but_warms_it() {
        let index = "<html><head><script>lang()</script>\n<script type=\"module\">\nimport init from '/app-1.js';\nawait init();\n</script>\
                     <link rel=\"modulepreload\" href=\"/app-1.js\" crossorigin=\"anonymous\"><link rel=\"preload\" href=\"/app-1_bg.wasm\" as=\"fetch\"></head>\
                     <body><ul class=\"product-list\"></ul></body></html>";
        let page = home(index).unwrap();
        assert!(!page.contains("type=\"module\"") && !page.contains("import init"), "{page}");
        assert!(!page.contains("rel=\"modulepreload\"") && !page.contains("rel=\"preload\""), "{page}");
        assert!(page.contains("<script>lang()</script>"));
        assert!(page.contains("['/app-1.js','/app-1_bg.wasm']"), "{page}");
        assert!(home("<html><body></body></html>").is_err());
    }
}
