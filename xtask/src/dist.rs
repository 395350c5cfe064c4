//! `cargo xtask dist`: raw and gzip sizes of everything in dist/. The bundle (what every
//! visitor loads) and the sign-in worker (only loaded by a deployment with a `clientId`,
//! src/auth/worker.rs) are summed apart.

use flate2::write::GzEncoder;
use flate2::Compression;
use std::io::Write;
use std::path::{Path, PathBuf};

struct Entry {
    path: String,
    raw: u64,
    gzip: u64,
}

/// Prints the size table; returns the process exit code.
pub fn report(dist: &Path) -> i32 {
    let mut files = Vec::new();
    if let Err(e) = walk(dist, &mut files) {
        eprintln!("xtask dist: cannot read {}: {e}", dist.display());
        return 1;
    }
    files.sort();
    let mut entries = Vec::new();
    for f in &files {
        let bytes = match std::fs::read(f) {
            Ok(b) => b,
            Err(e) => {
                eprintln!("xtask dist: cannot read {}: {e}", f.display());
                return 1;
            }
        };
        let rel = f
            .strip_prefix(dist)
            .unwrap_or(f)
            .to_string_lossy()
            .into_owned();
        entries.push(Entry {
            path: rel,
            raw: bytes.len() as u64,
            gzip: gzip_len(&bytes),
        });
    }
    print!("{}", table(&entries));
    0
}

pub(crate) fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let path = entry.path();
        if entry.file_type()?.is_dir() {
            walk(&path, out)?;
        } else {
            out.push(path);
        }
    }
    Ok(())
}

/// Size of `bytes` gzipped at the best compression level.
pub fn gzip_len(bytes: &[u8]) -> u64 {
    let mut enc = GzEncoder::new(Vec::new(), Compression::best());
    enc.write_all(bytes).expect("gzip into memory");
    enc.finish().expect("gzip into memory").len() as u64
}

/// What the page loads only when a session needs it, so not part of the bundle every
/// visitor loads: the workers (`<prefix>.js`, `<prefix>_bg.wasm`, the `data-bin` of
/// their Trunk links) and the split parts of the page's wasm (`lb-health-split_<part>-<hash>.wasm`,
/// `split.rs`); the marker that names their files, and what the reports call them.
pub const WORKERS: &[(&str, &str)] = &[
    (
        "signin-worker",
        "sign-in worker (signin-worker*, with a clientId only)",
    ),
    (
        "demo-worker",
        "demo worker (demo-worker*, the demo estate only)",
    ),
    (
        "-split_",
        "split parts (*-split_*.wasm: the health panel, data path availability, the estate overview, the token reader; each on first use)",
    ),
];

fn is_code(path: &str) -> bool {
    [".wasm", ".js", ".css"]
        .iter()
        .any(|ext| path.ends_with(ext))
}

/// Which of `WORKERS` a file belongs to, by index.
pub fn worker_of(path: &str) -> Option<usize> {
    let name = path.rsplit(['/', '\\']).next().unwrap_or(path);
    if !is_code(name) {
        return None;
    }
    WORKERS
        .iter()
        .position(|(marker, _)| name.starts_with(marker) || name.contains(marker))
}

fn is_bundle(path: &str) -> bool {
    is_code(path) && worker_of(path).is_none()
}

fn kb(bytes: u64) -> String {
    format!("{:.1} KB", bytes as f64 / 1024.0)
}

fn table(entries: &[Entry]) -> String {
    let width = entries
        .iter()
        .map(|e| e.path.len())
        .max()
        .unwrap_or(0)
        .max("total".len());
    let mut s = String::new();
    s.push_str(&format!(
        "{:<width$}  {:>12}  {:>12}\n",
        "file", "raw bytes", "gzip bytes"
    ));
    s.push_str(&format!("{}\n", "-".repeat(width + 28)));
    let (mut raw, mut gzip, mut bundle_raw, mut bundle_gzip) = (0, 0, 0, 0);
    let mut workers = vec![(0, 0); WORKERS.len()];
    for e in entries {
        s.push_str(&format!(
            "{:<width$}  {:>12}  {:>12}\n",
            e.path, e.raw, e.gzip
        ));
        raw += e.raw;
        gzip += e.gzip;
        if is_bundle(&e.path) {
            bundle_raw += e.raw;
            bundle_gzip += e.gzip;
        } else if let Some(w) = worker_of(&e.path) {
            workers[w].0 += e.raw;
            workers[w].1 += e.gzip;
        }
    }
    s.push_str(&format!("{}\n", "-".repeat(width + 28)));
    s.push_str(&format!("{:<width$}  {:>12}  {:>12}\n", "total", raw, gzip));
    s.push_str(&format!("bundle (wasm+js+css) raw: {}\n", kb(bundle_raw)));
    s.push_str(&format!("bundle (wasm+js+css) gzip: {}\n", kb(bundle_gzip)));
    for ((_, label), (raw, gzip)) in WORKERS.iter().zip(workers) {
        s.push_str(&format!("{label} raw: {}\n", kb(raw)));
        s.push_str(&format!("{label} gzip: {}\n", kb(gzip)));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gzip_shrinks_repetitive_input() {
        let data = vec![b'a'; 10_000];
        let g = gzip_len(&data);
        assert!(g > 0 && g < 200, "{g}");
    }

    #[test]
    fn table_sums_the_bundle() {
        let t = table(&[
            Entry {
                path: "app_bg.wasm".into(),
                raw: 2048,
                gzip: 1024,
            },
            Entry {
                path: "app.js".into(),
                raw: 1000,
                gzip: 512,
            },
            Entry {
                path: "index.html".into(),
                raw: 500,
                gzip: 300,
            },
            Entry {
                path: "signin-worker_bg.wasm".into(),
                raw: 4096,
                gzip: 2048,
            },
            Entry {
                path: "signin-worker_loader.js".into(),
                raw: 100,
                gzip: 100,
            },
            Entry {
                path: "demo-worker_bg.wasm".into(),
                raw: 3000,
                gzip: 1024,
            },
            Entry {
                path: "demo-worker.js".into(),
                raw: 300,
                gzip: 100,
            },
            Entry {
                path: "lb-health-split-0123456789abcdef.js".into(),
                raw: 200,
                gzip: 512,
            },
            Entry {
                path: "lb-health-split_panel-0123456789abcdef.wasm".into(),
                raw: 900,
                gzip: 700,
            },
        ]);
        // The split loader is the page's (its glue imports it); the part it loads is not.
        assert!(t.contains("bundle (wasm+js+css) gzip: 2.0 KB"), "{t}");
        assert!(t.contains("each on first use) gzip: 0.7 KB"), "{t}");
        assert!(
            t.contains("sign-in worker (signin-worker*, with a clientId only) gzip: 2.1 KB"),
            "{t}"
        );
        assert!(
            t.contains("demo worker (demo-worker*, the demo estate only) gzip: 1.1 KB"),
            "{t}"
        );
        assert!(
            t.lines()
                .any(|l| l.starts_with("total") && l.ends_with("6320")),
            "{t}"
        );
    }
}
