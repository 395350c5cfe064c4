//! The architecture's checkable rules (ARCHITECTURE.md, "Invariants"), read from the
//! source itself: which top-level module may name which, and where the browser's APIs
//! may appear. A new `use crate::ui` in `arm`, or `web_sys` in pure logic, fails here
//! rather than in review.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

/// The layers, lowest first: a module may name only the modules before it. `ui` and the
/// binaries sit on top and may name anything.
const LAYERS: &[&str] = &["http", "config", "auth", "arm", "health", "demo"];

/// Modules on top of the layers: they may name any layer, and no layer may name them.
const TOP: &[&str] = &["ui"];

/// The edges where the browser's APIs live; everything else is pure and tests on the host.
fn may_touch_the_browser(rel: &str) -> bool {
    rel.starts_with("ui/")
        || rel.starts_with("bin/")
        || rel == "main.rs"
        || rel.ends_with("browser.rs")
}

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// `src/arm/client.rs` -> ("arm/client.rs", "arm"); `src/config.rs` -> ("config.rs", "config").
fn module_of(path: &Path) -> (String, String) {
    let rel = path
        .strip_prefix(src())
        .expect("under src/")
        .to_string_lossy()
        .replace('\\', "/");
    let top = rel
        .split('/')
        .next()
        .unwrap_or_default()
        .trim_end_matches(".rs")
        .to_owned();
    (rel, top)
}

/// The top-level modules a file names as `crate::x`, also inside grouped imports over
/// several lines (`use crate::{\n arm::{a, b},\n health::c };`), comments left out (a doc
/// comment may mention any module).
fn named_modules(text: &str) -> BTreeSet<String> {
    let code: String = text
        .lines()
        .map(|l| l.split("//").next().unwrap_or_default())
        .collect::<Vec<_>>()
        .join(" ");
    let ident = |s: &str| -> String {
        s.trim_start()
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect()
    };
    let mut named = BTreeSet::new();
    let mut rest = code.as_str();
    while let Some(i) = rest.find("crate::") {
        rest = &rest[i + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            // The group's top-level items, split at commas outside nested braces.
            let mut depth = 0;
            let mut start = 0;
            for (j, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => {
                        named.insert(ident(&group[start..j]));
                        break;
                    }
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        named.insert(ident(&group[start..j]));
                        start = j + 1;
                    }
                    _ => {}
                }
            }
        } else {
            named.insert(ident(rest));
        }
    }
    named.remove("");
    named
}

/// Production code only: a module's inline tests (after `#[cfg(test)]`) and test-only
/// files may borrow fixtures from any layer, as the demo estate's large rule.
fn production(rel: &str, text: String) -> String {
    if rel.ends_with("/tests.rs") || rel.ends_with("/testing.rs") {
        return String::new();
    }
    match text.find("#[cfg(test)]\nmod tests") {
        Some(i) => text[..i].to_owned(),
        None => text,
    }
}

fn all_files() -> Vec<(String, String, String)> {
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let (rel, top) = module_of(&p);
            let text = fs::read_to_string(&p).unwrap_or_else(|e| panic!("{rel}: {e}"));
            let text = production(&rel, text);
            (rel, top, text)
        })
        .collect()
}

#[test]
fn every_top_level_module_has_a_place_in_the_layers() {
    let lib = fs::read_to_string(src().join("lib.rs")).expect("src/lib.rs");
    for line in lib.lines() {
        if let Some(name) = line
            .trim()
            .strip_prefix("pub mod ")
            .and_then(|r| r.strip_suffix(';'))
        {
            assert!(
                LAYERS.contains(&name) || TOP.contains(&name),
                "src/lib.rs declares `{name}`, which has no place in the layers of tests/layers.rs and ARCHITECTURE.md"
            );
        }
    }
}

#[test]
fn lower_layers_never_name_higher_ones() {
    let mut broken = Vec::new();
    for (rel, top, text) in all_files() {
        let Some(level) = LAYERS.iter().position(|l| *l == top) else {
            continue;
        };
        for name in named_modules(&text) {
            if let Some(other) = LAYERS.iter().position(|l| *l == name) {
                if other > level {
                    broken.push(format!(
                        "src/{rel} ({top}) names crate::{name}, a higher layer"
                    ));
                }
            } else if TOP.contains(&name.as_str()) {
                broken.push(format!("src/{rel} ({top}) names crate::{name}"));
            }
        }
    }
    assert!(broken.is_empty(), "layering broken:\n{}", broken.join("\n"));
}

#[test]
fn pure_logic_never_touches_the_browser() {
    let browser = [
        "web_sys",
        "js_sys",
        "wasm_bindgen",
        "gloo_net",
        "gloo_timers",
        "leptos",
    ];
    let mut broken = Vec::new();
    for (rel, _, text) in all_files() {
        if may_touch_the_browser(&rel) {
            continue;
        }
        for line in text.lines() {
            let code = line.split("//").next().unwrap_or_default();
            if let Some(b) = browser.iter().find(|b| code.contains(&format!("{b}::"))) {
                broken.push(format!("src/{rel}: {b}: {}", line.trim()));
            }
        }
    }
    assert!(
        broken.is_empty(),
        "browser APIs outside the browser edges:\n{}",
        broken.join("\n")
    );
}

/// Each place in the code of `src/ui` (comments left out) that names one of `words`,
/// except in the files of `except`.
fn ui_code_naming(words: &[&str], except: &[&str]) -> Vec<String> {
    let mut found = Vec::new();
    for (rel, _, text) in all_files() {
        if !rel.starts_with("ui/") || except.contains(&rel.as_str()) {
            continue;
        }
        for (n, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            if let Some(w) = words.iter().find(|w| code.contains(*w)) {
                found.push(format!("src/{rel}:{}: {w}", n + 1));
            }
        }
    }
    found
}

#[test]
fn the_ui_is_written_in_leptos_own_idiom() {
    let dialect = [
        "listen(",
        ".into_inner()",
        "tachys",
        "Slot<",
        "Computed<",
        "Stored<",
    ];
    let found = ui_code_naming(&dialect, &[]);
    assert!(
        found.is_empty(),
        "src/ui departs from the Leptos idiom (ARCHITECTURE.md):\n{}",
        found.join("\n")
    );
}

/// The one listed departure (ARCHITECTURE.md): async data goes through `ui/load.rs`,
/// whose measured saving is lost as soon as one screen uses `LocalResource` again.
#[test]
fn async_data_goes_through_the_listed_loader() {
    let machinery = ["LocalResource", "<Suspense", "<Transition"];
    let found = ui_code_naming(&machinery, &["ui/load.rs"]);
    assert!(
        found.is_empty(),
        "use ui::load instead (ARCHITECTURE.md, departures):\n{}",
        found.join("\n")
    );
    // `Suspend` draws a part of the wasm fetched on first use (xtask/src/split.rs), as
    // Leptos's lazy-loading example does: at the split points (the health panel, the
    // estate overview), once each, and nowhere else.
    let suspend = ui_code_naming(&["Suspend::"], &["ui/load.rs"]);
    let at_split_points = ["src/ui/rules.rs:", "src/ui/overview.rs:"];
    assert!(
        suspend.len() <= at_split_points.len()
            && suspend
                .iter()
                .all(|f| at_split_points.iter().any(|p| f.starts_with(p))),
        "Suspend only at the split points (src/ui/rules.rs, src/ui/overview.rs), else ui::load:\n{}",
        suspend.join("\n")
    );
}

#[test]
fn the_module_reader_sees_what_it_must() {
    let text = "use crate::arm::id::RuleId;\nuse crate::{\n    health::{x, y},\n    http::Token,\n};\n// crate::ui in a comment\nlet c = crate::config::Config::default();";
    let want: BTreeSet<String> = ["arm", "config", "health", "http"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    assert_eq!(named_modules(text), want);
}
