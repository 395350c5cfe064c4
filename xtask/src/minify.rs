//! The first step of Trunk's post_build hook (`cargo xtask post-build`, Trunk.toml): make
//! wasm-bindgen's output smaller on the wire, after Trunk has run wasm-bindgen and wasm-opt.
//!
//! 1. **Import names.** wasm-bindgen names every JS function the wasm imports
//!    `__wbg_<method>_<16 hex digits>`, and writes each name twice: in the wasm's import
//!    section and as a key of the glue's import object. The hex digits do not compress, so
//!    the ~180 imports of the page cost about 5 KB gzip. Each import of the glue's module
//!    gets a short name (`a`, `b`, ... `Zz`) in both files, and the module itself is called
//!    `w`. The rename refuses (fails the build) unless every old name occurs exactly once
//!    in the glue, so a wasm-bindgen release that lays its glue out differently cannot
//!    produce a page that fails to link.
//!    Exports get short names too where the glue reaches each only as `wasm.<name>` and
//!    the split loader (`split.rs`) does not name it.
//! 2. **Unused classes.** Leptos links `server_fn`, which links `wasm-streams`, whose
//!    three `#[wasm_bindgen]` classes are exported for JS to use. LB Health makes no
//!    server-function call and nothing in the glue constructs them, so their exports
//!    leave the wasm and their classes the glue; wasm-opt then drops the code behind
//!    them (release builds: Trunk's `-Oz` once more, which also gains on its own).
//!    Only the page's ES-module glue: the worker's no-modules glue keeps its classes.
//!    The build fails if the glue does construct one (`Class.__wrap`) or still names it.
//! 3. **The glue** goes through terser (npm, installed by `cargo xtask setup`); its
//!    exports keep their names, since Trunk's loader imports them.
//! 4. **The stylesheet** goes through csso (npm), without its restructuring: whitespace
//!    and comments go, the rules stay as written and in order.
//! 5. **Subresource integrity.** Trunk put `integrity="sha384-..."` on the tags that load
//!    the glue, the wasm and the CSS; each is recomputed from the files as they now are.
//!
//! What is left to Trunk: file names (their hashes come from the inputs, so they stay
//! stable across builds of the same source) and wasm-opt.

use std::collections::HashMap;
use std::path::Path;
use std::process::Command;

use base64::Engine as _;
use sha2::{Digest, Sha384};

pub fn process_dir(dir: &Path, release: bool) -> Result<Vec<String>, String> {
    let mut done = Vec::new();
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .map_err(|e| format!("cannot list {}: {e}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
        .collect();
    entries.sort();
    // The split loader (`split.rs`) reads exports of the page's wasm by name.
    let mut readers = String::new();
    for name in entries
        .iter()
        .filter(|n| n.starts_with("lb-health-split-") && n.ends_with(".js"))
    {
        let path = dir.join(name);
        let js = std::fs::read_to_string(&path).map_err(|e| format!("cannot read {name}: {e}"))?;
        let min = terser(&js, true).map_err(|e| format!("{name}: {e}"))?;
        std::fs::write(&path, &min).map_err(|e| format!("cannot write {name}: {e}"))?;
        readers.push_str(&js);
    }
    for wasm_name in entries.iter().filter(|n| n.ends_with("_bg.wasm")) {
        let stem = wasm_name.trim_end_matches("_bg.wasm");
        let js_name = format!("{stem}.js");
        let wasm_path = dir.join(wasm_name);
        let js_path = dir.join(&js_name);
        let wasm =
            std::fs::read(&wasm_path).map_err(|e| format!("cannot read {wasm_name}: {e}"))?;
        let js =
            std::fs::read_to_string(&js_path).map_err(|e| format!("cannot read {js_name}: {e}"))?;
        let before = wasm.len() + js.len();
        let (wasm, js) = rename_imports(&wasm, &js).map_err(|e| format!("{wasm_name}: {e}"))?;
        // The worker's no-modules glue lays its classes out otherwise; it keeps them.
        let (wasm, js) = if is_module(&js) {
            drop_unused_classes(&wasm, &js).map_err(|e| format!("{wasm_name}: {e}"))?
        } else {
            (wasm, js)
        };
        let (wasm, js) =
            rename_exports(&wasm, &js, &readers).map_err(|e| format!("{wasm_name}: {e}"))?;
        std::fs::write(&wasm_path, &wasm).map_err(|e| format!("cannot write {wasm_name}: {e}"))?;
        if release {
            wasm_opt(&wasm_path).map_err(|e| format!("{wasm_name}: {e}"))?;
        }
        // wasm-opt rewrote the file in place (release): its size, not the bytes above.
        let wasm_len = std::fs::metadata(&wasm_path)
            .map_err(|e| format!("cannot read {wasm_name}: {e}"))?
            .len() as usize;
        let js = terser(&js, is_module(&js)).map_err(|e| format!("{js_name}: {e}"))?;
        std::fs::write(&js_path, &js).map_err(|e| format!("cannot write {js_name}: {e}"))?;
        done.push(format!(
            "{wasm_name} + {js_name}: {before} -> {} bytes",
            wasm_len + js.len()
        ));
    }
    // The service worker (public/sw.js) keeps its reasons in the source, not on the wire.
    if entries.iter().any(|n| n == "sw.js") {
        let path = dir.join("sw.js");
        let js = std::fs::read_to_string(&path).map_err(|e| format!("cannot read sw.js: {e}"))?;
        let min = terser(&js, false).map_err(|e| format!("sw.js: {e}"))?;
        std::fs::write(&path, &min).map_err(|e| format!("cannot write sw.js: {e}"))?;
        done.push(format!("sw.js: {} -> {} bytes", js.len(), min.len()));
    }
    for css_name in entries.iter().filter(|n| n.ends_with(".css")) {
        let path = dir.join(css_name);
        let before = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
        csso(&path).map_err(|e| format!("{css_name}: {e}"))?;
        let after = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
        done.push(format!("{css_name}: {before} -> {after} bytes"));
    }
    let index = dir.join("index.html");
    let html =
        std::fs::read_to_string(&index).map_err(|e| format!("cannot read index.html: {e}"))?;
    let html = update_integrity(&html, |file| std::fs::read(dir.join(file)).ok())?;
    std::fs::write(&index, html).map_err(|e| format!("cannot write index.html: {e}"))?;
    Ok(done)
}

/// wasm-bindgen's `--target web` glue is an ES module; the worker's `no-modules` glue is
/// a classic script that defines the global `wasm_bindgen`.
fn is_module(js: &str) -> bool {
    js.lines().any(|l| l.starts_with("export "))
}

/// Short names for the imports, in order: a..z, A..Z, then two letters.
fn short_name(mut i: usize) -> String {
    const AL: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    let mut s = Vec::new();
    loop {
        s.push(AL[i % AL.len()]);
        i /= AL.len();
        if i == 0 {
            break;
        }
        i -= 1;
    }
    s.reverse();
    String::from_utf8(s).expect("ASCII")
}

/// The module wasm-bindgen's glue provides to the wasm: `./<crate>_bg.js`.
fn glue_module(module: &str) -> bool {
    module.starts_with("./") && module.ends_with("_bg.js")
}

const SHORT_MODULE: &str = "w";

/// Renames the imports of the glue's module in the wasm and the glue (see the module doc).
pub fn rename_imports(wasm: &[u8], js: &str) -> Result<(Vec<u8>, String), String> {
    let mut renames: HashMap<String, String> = HashMap::new();
    let mut module_name = None;
    let out = rewrite_import_section(wasm, |module, name| {
        if !glue_module(module) {
            return None;
        }
        module_name.get_or_insert_with(|| module.to_owned());
        let short = short_name(renames.len());
        renames.insert(name.to_owned(), short.clone());
        Some((SHORT_MODULE.to_owned(), short))
    })?;
    let Some(module_name) = module_name else {
        return Ok((wasm.to_vec(), js.to_owned()));
    };
    let quoted = format!("\"{module_name}\"");
    if js.matches(&quoted).count() != 1 {
        return Err(format!(
            "the glue names the module {quoted} other than once; not renaming"
        ));
    }
    let js = js.replacen(&quoted, &format!("\"{SHORT_MODULE}\""), 1);
    let mut seen: HashMap<String, usize> = HashMap::new();
    let out_js = each_name(&js, |_, token| {
        let new = renames.get(token)?;
        *seen.entry(token.to_owned()).or_default() += 1;
        Some(new.clone())
    });
    let mut wrong: Vec<_> = renames
        .keys()
        .filter(|k| seen.get(k.as_str()) != Some(&1))
        .cloned()
        .collect();
    if !wrong.is_empty() {
        wrong.sort();
        wrong.truncate(3);
        return Err(format!(
            "these imports do not occur exactly once in the glue, so renaming them could break it: {}",
            wrong.join(", ")
        ));
    }
    Ok((out, out_js))
}

/// Calls `f(text before, name)` for every identifier of a script and puts in what it
/// returns, if anything, in the name's place.
fn each_name(js: &str, mut f: impl FnMut(&str, &str) -> Option<String>) -> String {
    let mut out = String::with_capacity(js.len());
    let mut at = 0;
    while let Some(off) = js[at..].find(is_ident_start) {
        let start = at + off;
        let len = js[start..]
            .find(|c: char| !is_ident_char(c))
            .unwrap_or(js.len() - start);
        let token = &js[start..start + len];
        out.push_str(&js[at..start]);
        // A token that starts after a digit is a number's tail (`0x1f`), not a name.
        let after_digit = start > 0 && js.as_bytes()[start - 1].is_ascii_digit();
        match f(&js[..start], token).filter(|_| !after_digit) {
            Some(new) => out.push_str(&new),
            None => out.push_str(token),
        }
        at = start + len;
    }
    out.push_str(&js[at..]);
    out
}

/// Gives the wasm's exports short names where the glue reaches each one only as
/// `wasm.<name>`; an export named any other way, or in a string, keeps its name.
pub fn rename_exports(wasm: &[u8], js: &str, readers: &str) -> Result<(Vec<u8>, String), String> {
    let mut names = Vec::new();
    rewrite_exports(wasm, |n| {
        names.push(n.to_owned());
        Some(n.to_owned())
    })?;
    let mut unsafe_names: std::collections::HashSet<String> = tokens(readers)
        .filter(|t| names.iter().any(|n| n == t))
        .map(str::to_owned)
        .collect();
    each_name(js, |before, token| {
        if names.iter().any(|n| n == token) && !before.ends_with("wasm.") {
            unsafe_names.insert(token.to_owned());
        }
        None
    });
    let renames: HashMap<String, String> = names
        .iter()
        .filter(|n| !unsafe_names.contains(*n))
        .enumerate()
        .map(|(i, n)| (n.clone(), short_name(i)))
        .collect();
    let wasm = rewrite_exports(wasm, |n| {
        Some(renames.get(n).cloned().unwrap_or_else(|| n.to_owned()))
    })?;
    let js = each_name(js, |before, token| {
        renames
            .get(token)
            .filter(|_| before.ends_with("wasm."))
            .cloned()
    });
    Ok((wasm, js))
}

fn is_ident_start(c: char) -> bool {
    c.is_ascii_alphabetic() || c == '_' || c == '$'
}

fn is_ident_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '$'
}

/// The classes of `wasm-streams` (see the module doc).
const UNUSED_CLASSES: [&str; 3] = [
    "IntoUnderlyingByteSource",
    "IntoUnderlyingSink",
    "IntoUnderlyingSource",
];

/// Removes the unused classes from the glue and their methods from the wasm's exports.
pub fn drop_unused_classes(wasm: &[u8], js: &str) -> Result<(Vec<u8>, String), String> {
    let mut js = js.to_owned();
    let mut prefixes = Vec::new();
    for class in UNUSED_CLASSES {
        let head = format!("export class {class} {{\n");
        let start = if js.starts_with(&head) {
            Some(0)
        } else {
            js.find(&format!("\n{head}")).map(|i| i + 1)
        };
        let Some(start) = start else {
            if tokens(&js).any(|t| t == class) {
                return Err(format!(
                    "the glue names {class} but not as the class this step knows how to remove"
                ));
            }
            continue;
        };
        if js.contains(&format!("{class}.__wrap")) {
            return Err(format!(
                "the glue constructs {class}, so it is used after all; not removing it"
            ));
        }
        let end = js[start..]
            .find("\n}\n")
            .map(|i| start + i + 3)
            .ok_or(format!("{class}'s class body does not end"))?;
        let dispose = format!(
            "if (Symbol.dispose) {class}.prototype[Symbol.dispose] = {class}.prototype.free;\n"
        );
        let end = if js[end..].starts_with(&dispose) {
            end + dispose.len()
        } else {
            end
        };
        js.replace_range(start..end, "");
        let registry = format!("const {class}Finalization = ");
        if let Some(r) = js.find(&registry) {
            let r_end = js[r..]
                .find(";\n")
                .map(|i| r + i + 2)
                .ok_or(format!("{class}Finalization does not end"))?;
            js.replace_range(r..r_end, "");
        }
        if tokens(&js).any(|t| t == class || t == format!("{class}Finalization")) {
            return Err(format!(
                "the glue still names {class} after its class was removed"
            ));
        }
        let lower = class.to_ascii_lowercase();
        prefixes.push(format!("{lower}_"));
        prefixes.push(format!("__wbg_{lower}_free"));
    }
    if prefixes.is_empty() {
        return Ok((wasm.to_vec(), js));
    }
    let wasm = remove_exports(wasm, |name| {
        prefixes.iter().any(|p| name.starts_with(p.as_str()))
    })?;
    Ok((wasm, js))
}

/// The identifiers of a script, roughly: enough to tell whether a name is left in it.
fn tokens(js: &str) -> impl Iterator<Item = &str> {
    js.split(|c: char| !is_ident_char(c))
        .filter(|t| !t.is_empty())
}

/// wasm-opt at Trunk's level (index.html, `data-wasm-opt="z"`), with the features Rust's
/// wasm32 target enables, and two facts Trunk cannot know:
/// - `--low-memory-unused` lets it fold constant offsets into loads and stores (1.2 KB
///   gzip). It assumes no address below 1 KiB is reached by wrapping around: Rust's wasm32
///   target puts the stack first (`__stack_pointer` starts at 1 MiB, data after it), so
///   the low KiB is only ever the far end of a 1 MiB stack, reached without wrapping;
/// - the `producers` and `target_features` custom sections are for tools, not browsers.
pub(crate) fn wasm_opt(path: &Path) -> Result<(), String> {
    run_tool(
        Command::new("wasm-opt")
            .args([
                "-Oz",
                "--low-memory-unused",
                "--strip-producers",
                "--strip-target-features",
            ])
            .args([
                "--enable-bulk-memory",
                "--enable-nontrapping-float-to-int",
                "--enable-sign-ext",
                "--enable-mutable-globals",
                "--enable-reference-types",
                "--enable-multivalue",
            ])
            .arg(path)
            .arg("-o")
            .arg(path),
        "wasm-opt",
    )
    .map(drop)
}

/// Runs a build tool to its end: its standard output, or what it said on failure.
pub(crate) fn run_tool(c: &mut Command, name: &str) -> Result<Vec<u8>, String> {
    let out = c.output().map_err(|e| format!("cannot run {name}: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "{name} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(out.stdout)
}

/// Copies `wasm` without the exports `drop(name)` picks.
fn remove_exports(wasm: &[u8], drop: impl Fn(&str) -> bool) -> Result<Vec<u8>, String> {
    rewrite_exports(wasm, |n| (!drop(n)).then(|| n.to_owned()))
}

/// Copies `wasm`, letting `f(name)` rename each export, or drop it with `None`.
fn rewrite_exports(wasm: &[u8], f: impl FnMut(&str) -> Option<String>) -> Result<Vec<u8>, String> {
    rewrite(wasm, |_, _| None, f)
}

/// Copies `wasm`, letting `rename(module, name)` give each import a new module and name.
fn rewrite_import_section(
    wasm: &[u8],
    rename: impl FnMut(&str, &str) -> Option<(String, String)>,
) -> Result<Vec<u8>, String> {
    rewrite(wasm, rename, |n| Some(n.to_owned()))
}

/// Copies `wasm` section by section: the import section with each import renamed by
/// `import(module, name)` (`None` keeps it), the export section with each export renamed
/// or dropped by `export(name)`, every other section byte for byte.
fn rewrite(
    wasm: &[u8],
    mut import: impl FnMut(&str, &str) -> Option<(String, String)>,
    mut export: impl FnMut(&str) -> Option<String>,
) -> Result<Vec<u8>, String> {
    use wasmparser::Payload;
    let bad = |e: wasmparser::BinaryReaderError| format!("not a wasm module we can read: {e}");
    let mut out = wasm_encoder::Module::new();
    for payload in wasmparser::Parser::new(0).parse_all(wasm) {
        match payload.map_err(bad)? {
            Payload::ImportSection(reader) => {
                let mut section = wasm_encoder::ImportSection::new();
                for i in reader.into_imports() {
                    let i = i.map_err(bad)?;
                    let ty = wasm_encoder::EntityType::try_from(i.ty)
                        .map_err(|e| format!("an import of {}: {e:?}", i.name))?;
                    match import(i.module, i.name) {
                        Some((module, name)) => section.import(&module, &name, ty),
                        None => section.import(i.module, i.name, ty),
                    };
                }
                out.section(&section);
            }
            Payload::ExportSection(reader) => {
                let mut section = wasm_encoder::ExportSection::new();
                for e in reader {
                    let e = e.map_err(bad)?;
                    if let Some(name) = export(e.name) {
                        section.export(&name, e.kind.into(), e.index);
                    }
                }
                out.section(&section);
            }
            other => {
                if let Some((id, range)) = other.as_section() {
                    out.section(&wasm_encoder::RawSection {
                        id,
                        data: &wasm[range],
                    });
                }
            }
        }
    }
    Ok(out.finish())
}

/// terser, compress and mangle; top-level names stay (the worker's glue defines the
/// global `wasm_bindgen`, the module's exports are imported by Trunk's loader).
fn terser(js: &str, module: bool) -> Result<String, String> {
    let cli = crate::tools::terser_cli();
    if !cli.is_file() {
        return Err(format!(
            "{} is missing: run `cargo xtask setup`",
            cli.display()
        ));
    }
    let tmp = std::env::temp_dir().join(format!("lbh-terser-{}.js", std::process::id()));
    std::fs::write(&tmp, js).map_err(|e| format!("cannot write {}: {e}", tmp.display()))?;
    let mut c = Command::new("node");
    c.arg(&cli)
        .arg(&tmp)
        .args(["--compress", "--mangle", "--ecma", "2020"]);
    if module {
        c.arg("--module");
    }
    let out = run_tool(&mut c, "terser");
    let _ = std::fs::remove_file(&tmp);
    String::from_utf8(out?).map_err(|_| "terser wrote non-UTF-8".into())
}

/// Minifies a stylesheet in place with csso's API (it has no command line of its own).
fn csso(path: &Path) -> Result<(), String> {
    const SCRIPT: &str = "const fs = require('fs'), f = process.argv[1]; \
        fs.writeFileSync(f, require('csso').minify(fs.readFileSync(f, 'utf8'), { restructure: false }).css);";
    let modules = crate::tools::minifiers_modules();
    if !modules.join("csso").is_dir() {
        return Err(format!(
            "{} is missing: run `cargo xtask setup`",
            modules.join("csso").display()
        ));
    }
    run_tool(
        Command::new("node")
            .args(["-e", SCRIPT])
            .arg(path)
            .env("NODE_PATH", &modules),
        "csso",
    )
    .map(drop)
}

/// Recomputes every `integrity` attribute of index.html from the file its tag loads.
pub fn update_integrity(
    html: &str,
    read: impl Fn(&str) -> Option<Vec<u8>>,
) -> Result<String, String> {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(at) = rest.find("integrity=\"") {
        let value_start = at + "integrity=\"".len();
        let value_end = rest[value_start..]
            .find('"')
            .map(|e| value_start + e)
            .ok_or("an unterminated integrity attribute")?;
        let tag_start = rest[..at]
            .rfind('<')
            .ok_or("an integrity attribute outside a tag")?;
        let tag_end = rest[at..].find('>').map_or(rest.len(), |e| at + e);
        let tag = &rest[tag_start..tag_end];
        let url = crate::csp::attr_value(tag, "href")
            .or_else(|| crate::csp::attr_value(tag, "src"))
            .ok_or("a tag with integrity but no href or src")?;
        let file = url.rsplit('/').next().unwrap_or(&url);
        let old = &rest[value_start..value_end];
        if !old.starts_with("sha384-") {
            return Err(format!(
                "{file}: integrity {old:?} is not sha384; Trunk.toml or index.html changed it"
            ));
        }
        let bytes = read(file).ok_or_else(|| {
            format!("{file}: its tag has integrity but the file is not in the build")
        })?;
        out.push_str(&rest[..value_start]);
        out.push_str("sha384-");
        out.push_str(&base64::engine::general_purpose::STANDARD.encode(Sha384::digest(&bytes)));
        rest = &rest[value_end..];
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests;
