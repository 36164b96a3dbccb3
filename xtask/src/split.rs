//! The shop's wasm in parts: what a product page's first screen does not
//! use (the review and checkout) is fetched when it is first shown, not
//! with the page.
//!
//! Code is marked with `wasm_split` (`src/lazy.rs`, feature `split`), and
//! the wasm the linker writes is cut along those marks by
//! `wasm_split_cli_support`, the splitter Leptos's own tool uses. Trunk
//! stays the shop's build tool: for the site's builds, `build_site` makes
//! this program rustc's wasm linker (rustc calls it with lld's own
//! arguments, `-flavor wasm ...`). Other wasm it only links; the shop's it
//! links with `rust-lld` and `--emit-relocs` (the
//! splitter follows the relocations), splits, and leaves the main part where
//! rustc expects the wasm; Trunk then runs wasm-bindgen and wasm-opt on it
//! as on any other. The parts go to `target/split/`, which `build_site`
//! copies into dist/ after Trunk.
//!
//! Names: every part is named by the SHA-256 of its content
//! (`prepare::hashed_name`, as the prepared models are), so each is cached
//! for good. The loader (`split-HASH.js`,
//! which fetches the parts) is named after its content, which names the
//! parts; the main wasm names the loader. The loader reaches the main
//! module's exports through the bare name `tailor-web`, which the page's
//! import map points at the glue Trunk wrote: naming the glue inside the
//! loader would tie two files' names to each other's content.

use std::ffi::OsString;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::Result;
use crate::prepare::hashed_name;

/// Set by `build_site` for the site's builds: the linker to run.
pub const LLD_VAR: &str = "TAILOR_RUST_LLD";
/// Set by `build_site`: where the parts go.
pub const PARTS_VAR: &str = "TAILOR_SPLIT_DIR";
/// Set by `build_site`: the wasm-opt to run on each part, with the site's
/// arguments (Trunk runs it on the main part).
pub const WASM_OPT_VAR: &str = "TAILOR_WASM_OPT";
/// The bare module name the loader imports the main module's glue by.
pub const GLUE_NAME: &str = "tailor-web";

/// The loader's name as the splitter writes it into the main wasm: as long
/// as the hashed name, so it is replaced in place.
const LOADER_PLACEHOLDER: &str = "./split-________________.js";
/// The function table's export: wasm-bindgen drops an export by the name
/// lld gives it (`__indirect_function_table`) unless told to keep lld's
/// exports, which Trunk cannot say; the parts need it. A name of the same
/// length is written over it, so the export section keeps its size.
const TABLE_EXPORT: &str = "__indirect_function_table";
const TABLE_ALIAS: &str = "__tailor_split_func_table";

/// Whether this program was started as rustc's linker.
pub fn is_link_call() -> bool {
    std::env::args_os().nth(1).is_some_and(|a| a == "-flavor")
}

/// Links, and splits the shop's wasm. Other wasm linked in the same build
/// (a dependency's cdylib) is only linked.
pub fn link() -> Result<()> {
    let args: Vec<OsString> = std::env::args_os().skip(1).collect();
    let lld = std::env::var_os(LLD_VAR).ok_or_else(|| format!("{LLD_VAR} is not set: xtask links wasm only for `cargo xtask build`"))?;
    let out = args
        .iter()
        .position(|a| a == "-o")
        .and_then(|i| args.get(i + 1))
        .map(PathBuf::from)
        .ok_or("the linker was not given -o")?;
    let app = out.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with("tailor_web-") && n.ends_with(".wasm"));
    let mut cmd = Command::new(&lld);
    cmd.args(&args);
    if app {
        cmd.arg("--emit-relocs");
    }
    let status = cmd.status().map_err(|e| format!("could not run {}: {e}", Path::new(&lld).display()))?;
    if !status.success() {
        return Err(format!("rust-lld failed ({status})").into());
    }
    if app {
        let parts = PathBuf::from(std::env::var_os(PARTS_VAR).ok_or_else(|| format!("{PARTS_VAR} is not set"))?);
        split(&out, &parts)?;
    }
    Ok(())
}

/// Splits `wasm` in place: the main part stays there, the parts and their
/// loader go into `parts` (emptied first).
fn split(wasm: &Path, parts: &Path) -> Result<()> {
    let input = fs::read(wasm)?;
    if parts.exists() {
        fs::remove_dir_all(parts)?;
    }
    fs::create_dir_all(parts)?;
    let mut options = wasm_split_cli_support::Options::new(&input);
    options.output_dir = parts;
    options.main_out_path = wasm;
    options.link_name = LOADER_PLACEHOLDER;
    options.main_module = GLUE_NAME;
    let split = wasm_split_cli_support::transform(options).map_err(|e| format!("splitting {}: {e:#}", wasm.display()))?;
    drop(input);

    let placeholder_file = parts.join(LOADER_PLACEHOLDER.trim_start_matches("./"));
    let mut loader = fix_loader_table(&fs::read_to_string(&placeholder_file)?)?;
    fs::remove_file(&placeholder_file)?;
    let wasm_opt = std::env::var(WASM_OPT_VAR).ok();
    for part in &split.split_modules {
        if let Some(args) = &wasm_opt {
            optimise(part, args)?;
        }
        let stem = part.file_stem().and_then(|s| s.to_str()).ok_or("a part without a name")?;
        let hashed = hashed_name(stem, &fs::read(part)?, "wasm");
        let quoted = format!("\"./{stem}.wasm\"");
        if !loader.contains(&quoted) {
            return Err(format!("the loader does not name {stem}.wasm").into());
        }
        loader = loader.replace(&quoted, &format!("\"./{hashed}\""));
        fs::rename(part, parts.join(&hashed))?;
    }
    let loader_name = format!("./{}", hashed_name("split", loader.as_bytes(), "js"));
    fs::write(parts.join(&loader_name[2..]), &loader)?;

    let mut main = fs::read(wasm)?;
    replace_once(&mut main, LOADER_PLACEHOLDER.as_bytes(), loader_name.as_bytes())?;
    rename_table_export(&mut main)?;
    fs::write(wasm, main)?;
    Ok(())
}

fn optimise(part: &Path, args: &str) -> Result<()> {
    let mut words = args.split_whitespace();
    let program = words.next().ok_or("no wasm-opt given")?;
    let status = Command::new(program).args(words).arg(part).arg("-o").arg(part).status()?;
    if !status.success() {
        return Err(format!("wasm-opt failed on {} ({status})", part.display()).into());
    }
    Ok(())
}

/// Replaces the one occurrence of `from` by `to`, of the same length.
fn replace_once(bytes: &mut [u8], from: &[u8], to: &[u8]) -> Result<()> {
    assert_eq!(from.len(), to.len(), "a replacement in place keeps the length");
    let mut found = bytes.windows(from.len()).enumerate().filter(|(_, w)| *w == from).map(|(i, _)| i);
    match (found.next(), found.next()) {
        (Some(at), None) => {
            bytes[at..at + to.len()].copy_from_slice(to);
            Ok(())
        }
        (None, _) => Err(format!("`{}` is not in the main wasm", String::from_utf8_lossy(from)).into()),
        (Some(_), Some(_)) => Err(format!("`{}` is more than once in the main wasm", String::from_utf8_lossy(from)).into()),
    }
}

/// Renames the function table's export within the export section (the
/// name may be elsewhere too, in the names of the name section).
fn rename_table_export(wasm: &mut [u8]) -> Result<()> {
    let mut exports = None;
    for payload in wasmparser::Parser::new(0).parse_all(wasm) {
        if let wasmparser::Payload::ExportSection(reader) = payload? {
            exports = Some(reader.range());
            break;
        }
    }
    let range = exports.ok_or("the main wasm has no exports")?;
    let range = usize::try_from(range.start)?..usize::try_from(range.end)?;
    let entry = |name: &str| [&[name.len() as u8], name.as_bytes(), &[0x01]].concat(); // 0x01: a table
    replace_once(&mut wasm[range], &entry(TABLE_EXPORT), &entry(TABLE_ALIAS))
}

/// The loader reads the function table by its export's new name.
fn fix_loader_table(loader: &str) -> Result<String> {
    let from = format!("{TABLE_EXPORT}, ");
    let at = loader.find("= initSync(").ok_or("the loader does not call initSync")?;
    let line_start = loader[..at].rfind("const {").ok_or("the loader does not read the main module's exports")?;
    let (head, tail) = loader.split_at(line_start);
    let (line, rest) = tail.split_at(at - line_start);
    if !line.contains(&from) {
        return Err("the loader does not read the function table".into());
    }
    Ok(format!("{head}{}{rest}", line.replacen(&from, &format!("{TABLE_ALIAS}: {TABLE_EXPORT}, "), 1)))
}

/// rust-lld of the toolchain `toolchain` (rustc's own linker for wasm).
pub fn rust_lld(toolchain: &str) -> Result<PathBuf> {
    let rustc = |arg: &str| crate::cmd_output(Command::new("rustup").args(["run", toolchain, "rustc", arg]));
    let sysroot = rustc("--print=sysroot")?;
    let version = rustc("-vV")?;
    let host = version.lines().find_map(|l| l.strip_prefix("host: ")).ok_or("rustc -vV names no host")?;
    let lld = Path::new(sysroot.trim()).join("lib/rustlib").join(host.trim()).join("bin/rust-lld");
    if !lld.exists() {
        return Err(format!("{} is missing", lld.display()).into());
    }
    Ok(lld)
}

/// After Trunk: the parts beside the app in `dist`, and the shop's page
/// (`dist/index.html`) with what they need: the import map that names the
/// glue for the loader, the loader preloaded (the glue imports it, so the
/// app cannot start without it), and the parts named for the service
/// worker, which keeps every hashed file a page names.
pub fn install(parts: &Path, dist: &Path) -> Result<()> {
    let page_path = dist.join("index.html");
    let page = fs::read_to_string(&page_path)?;
    let glue = page
        .split("<link rel=\"modulepreload\" href=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .filter(|href| href.starts_with(&format!("/{GLUE_NAME}-")) && href.ends_with(".js"))
        .ok_or("dist/index.html preloads no tailor-web-HASH.js")?
        .to_owned();
    let glue_text = fs::read_to_string(dist.join(&glue[1..]))?;
    let loader = loader_named_in(&glue_text).ok_or(format!("{glue} imports no split-HASH.js: was the shop built without feature `split`?"))?;
    if !parts.join(&loader).exists() {
        return Err(format!(
            "{} is missing (the wasm was not linked again after target/split was emptied: `touch src/main.rs` and build again)",
            parts.join(&loader).display()
        )
        .into());
    }
    let mut names = Vec::new();
    for entry in fs::read_dir(parts)? {
        let entry = entry?;
        let name = entry.file_name().into_string().map_err(|_| "a part's name is not UTF-8")?;
        fs::copy(entry.path(), dist.join(&name))?;
        if name.ends_with(".wasm") {
            names.push(format!("/{name}"));
        }
    }
    names.sort();
    let head = format!(
        "<script type=\"importmap\">{{\"imports\":{{\"{GLUE_NAME}\":\"{glue}\"}}}}</script>\
         <link rel=\"modulepreload\" href=\"/{loader}\" crossorigin=\"anonymous\">\
         <meta name=\"tailor-parts\" content=\"{}\">\n",
        names.join(" ")
    );
    let at = page.find("<script type=\"module\">").ok_or("dist/index.html has no Trunk loader script")?;
    if page[..at].contains("modulepreload") {
        return Err("dist/index.html preloads a module before Trunk's loader: the import map must come first".into());
    }
    fs::write(&page_path, format!("{}{head}{}", &page[..at], &page[at..]))?;
    Ok(())
}

/// The loader's file name as the glue imports it (`./split-HASH.js`).
fn loader_named_in(glue: &str) -> Option<String> {
    glue.match_indices("\"./split-").find_map(|(at, _)| {
        let name = &glue[at + 3..];
        let name = &name[..name.find('"')?];
        let hash = name.strip_prefix("split-")?.strip_suffix(".js")?;
        (hash.len() == 16 && hash.bytes().all(|b| b.is_ascii_hexdigit())).then(|| name.to_owned())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_loader_reads_the_table_by_its_new_name() {
        let loader = "let s;\nfunction g() {\n        const { __indirect_function_table, memory, __wasm_split_shared0, } = initSync(undefined, undefined);\n        Object.assign(s, { __indirect_function_table, memory, __wasm_split_shared0, });\n}\n";
        let fixed = fix_loader_table(loader).unwrap();
        assert!(fixed.contains("const { __tailor_split_func_table: __indirect_function_table, memory, __wasm_split_shared0, } = initSync("), "{fixed}");
        assert!(fixed.contains("Object.assign(s, { __indirect_function_table, memory,"), "{fixed}");
        assert!(fix_loader_table("const { memory, } = initSync(undefined);").is_err());
        assert_eq!(TABLE_EXPORT.len(), TABLE_ALIAS.len());
    }

    #[test]
    fn names_are_replaced_in_place_once() {
        let mut bytes = b"ab./split-________________.jscd".to_vec();
        replace_once(&mut bytes, LOADER_PLACEHOLDER.as_bytes(), b"./split-0123456789abcdef.js").unwrap();
        assert_eq!(bytes, b"ab./split-0123456789abcdef.jscd");
        assert!(replace_once(&mut bytes, LOADER_PLACEHOLDER.as_bytes(), b"./split-0123456789abcdef.js").is_err());
        let mut twice = b"xx".to_vec();
        assert!(replace_once(&mut twice, b"x", b"y").is_err());
    }

    #[test]
    fn the_glue_names_its_loader() {
        let glue = "import * as import1 from \"./split-0123456789abcdef.js\"\nimport * as import2 from \"./snippets/x.js\"";
        assert_eq!(loader_named_in(glue).as_deref(), Some("split-0123456789abcdef.js"));
        assert_eq!(loader_named_in("import * as import1 from \"./split-xyz.js\""), None);
    }
}
