//! The first step of Trunk's post_build hook in a release build: split the page's wasm at
//! its split points, so code the first screen does not need is fetched when it is first
//! used. A split point is a function under `#[wasm_split]` (the macro beneath Leptos's
//! `#[lazy]`), compiled in only in a release build with the `split` feature (index.html
//! asks for it for the page), which build.rs also links with `--emit-relocs`: the
//! splitter moves functions and their data between modules, so it needs to know every
//! place that refers to them.
//!
//! Trunk runs cargo, wasm-bindgen and wasm-opt in one go, and the split must come between
//! cargo and wasm-bindgen. So this step starts again from cargo's output: it splits it
//! (`wasm_split_cli_support`, what `cargo leptos --split` runs), runs wasm-bindgen on the
//! main part with Trunk's arguments, and puts the result in place of Trunk's glue and wasm,
//! under Trunk's names; `minify` then treats it as it treats any build. Next to them:
//! `lb-health-split-<hash>.js`, the loader the main wasm imports, one
//! `lb-health-split_<point>-<hash>.wasm` per split point, and
//! `lb-health-split_chunk_<n>-<hash>.wasm` for code that several points share.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The page's binary (index.html's `data-bin`).
const PAGE: &str = "lb-health";

/// What the wasm imports when it has split points (wasm_split_helpers' loader names).
const SPLIT_IMPORT: &[u8] = b"__wasm_split_load_";

/// Splits the page in `staging` if cargo's output has split points; says what it did.
pub fn run(staging: &Path) -> Result<Option<String>, String> {
    let input_path = cargo_wasm();
    let input = std::fs::read(&input_path)
        .map_err(|e| format!("cannot read cargo's {}: {e}", input_path.display()))?;
    if !contains(&input, SPLIT_IMPORT) {
        return Ok(None);
    }
    let stem = glue_stem(staging)?;
    let work = std::env::temp_dir().join(format!("lbh-split-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&work);
    let main = work.join("main.wasm");
    // Named by a hash of cargo's wasm, which decides their content, so the service
    // worker's rule for hashed names (public/sw.js) keeps them as it keeps Trunk's.
    let hash = format!("{:016x}", crate::csp::fnv1a(&input));
    let link = format!("./{PAGE}-split-{hash}.js");
    let glue = format!("./{stem}.js");
    let mut opts = wasm_split_cli_support::Options::new(&input);
    opts.output_dir = &work;
    opts.main_out_path = &main;
    opts.link_name = &link;
    opts.main_module = &glue;
    opts.target.web();
    let split =
        wasm_split_cli_support::transform(opts).map_err(|e| format!("wasm-split failed: {e:#}"))?;

    // The loader names each part "./<file>"; give the files the glue's hash as well.
    let mut loader = std::fs::read_to_string(work.join(&link))
        .map_err(|e| format!("cannot read the split loader: {e}"))?;
    let mut parts = Vec::new();
    for path in &split.split_modules {
        let file = file_name(path)?;
        // "split_<point>.wasm", or "chunk_<n>.wasm" for code two points share.
        let part = file.trim_end_matches(".wasm");
        let part = part.strip_prefix("split_").unwrap_or(part);
        let named = format!("{PAGE}-split_{part}-{hash}.wasm");
        let quoted = format!("\"./{file}\"");
        if loader.matches(&quoted).count() != 1 {
            return Err(format!(
                "the split loader names {quoted} {} times, not once: wasm_split_cli_support changed its output",
                loader.matches(&quoted).count()
            ));
        }
        loader = loader.replace(&quoted, &format!("\"./{named}\""));
        let dest = staging.join(&named);
        std::fs::copy(path, &dest).map_err(|e| format!("cannot write {named}: {e}"))?;
        crate::minify::wasm_opt(&dest).map_err(|e| format!("{named}: {e}"))?;
        parts.push(named);
    }
    std::fs::write(staging.join(&link), loader).map_err(|e| format!("cannot write {link}: {e}"))?;

    bindgen(&main, &work)?;
    for (from, to) in [
        (format!("{PAGE}.js"), format!("{stem}.js")),
        (format!("{PAGE}_bg.wasm"), format!("{stem}_bg.wasm")),
    ] {
        std::fs::copy(work.join(&from), staging.join(&to))
            .map_err(|e| format!("cannot put {to} in place: {e}"))?;
    }
    // Trunk's own wasm-opt pass, which ran on the file this replaces.
    crate::minify::wasm_opt(&staging.join(format!("{stem}_bg.wasm")))?;
    let _ = std::fs::remove_dir_all(&work);
    Ok(Some(format!(
        "{stem}: split into the page, {} and {}",
        &link[2..],
        parts.join(", ")
    )))
}

/// Cargo's wasm of the page, where Trunk's `cargo build --release` left it.
fn cargo_wasm() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| crate::root().join("target"));
    target
        .join("wasm32-unknown-unknown")
        .join("release")
        .join(format!("{PAGE}.wasm"))
}

/// `lb-health-<hash>`: the name Trunk gave the page's glue in `staging`.
fn glue_stem(staging: &Path) -> Result<String, String> {
    let names: Vec<String> = std::fs::read_dir(staging)
        .map_err(|e| format!("cannot list {}: {e}", staging.display()))?
        .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
        .filter_map(|n| {
            n.strip_suffix("_bg.wasm")
                .filter(|s| s.starts_with(&format!("{PAGE}-")))
                .map(str::to_owned)
        })
        .collect();
    match names.as_slice() {
        [one] => Ok(one.clone()),
        _ => Err(format!(
            "expected one {PAGE}-<hash>_bg.wasm in {}, found {names:?}",
            staging.display()
        )),
    }
}

/// wasm-bindgen with the arguments Trunk 0.21 passes for index.html's page (`--target=web`,
/// no TypeScript), into `out`, and `--keep-lld-exports`: the split loader hands the
/// parts the page's function table, which wasm-bindgen would otherwise stop exporting.
fn bindgen(wasm: &Path, out: &Path) -> Result<(), String> {
    crate::minify::run_tool(
        Command::new("wasm-bindgen")
            .arg("--target=web")
            .arg(format!("--out-dir={}", out.display()))
            .arg(format!("--out-name={PAGE}"))
            .arg("--no-typescript")
            .arg("--keep-lld-exports")
            .arg(wasm),
        "wasm-bindgen on the split page",
    )
    .map(drop)
}

fn file_name(path: &Path) -> Result<String, String> {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .ok_or_else(|| format!("a split part without a file name: {}", path.display()))
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}
