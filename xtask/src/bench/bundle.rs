//! Section 1: each file of the build, raw, gzip and brotli, and the page against its budget.

use super::*;
use std::io::Write;
use std::path::{Path, PathBuf};

pub(super) fn brotli_len(bytes: &[u8]) -> u64 {
    let mut out = Vec::new();
    {
        let mut w = brotli::CompressorWriter::new(&mut out, 64 * 1024, 11, 22);
        w.write_all(bytes).expect("brotli into memory");
    }
    out.len() as u64
}

pub(super) fn files_under(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        if entry.file_type()?.is_dir() {
            files_under(&entry.path(), out)?;
        } else {
            out.push(entry.path());
        }
    }
    Ok(())
}

pub(super) fn bundle(dist: &Path, report: &mut Report) -> Result<(), String> {
    let mut files = Vec::new();
    files_under(dist, &mut files).map_err(|e| format!("cannot read {}: {e}", dist.display()))?;
    files.sort();
    let (mut total, mut core) = ([0u64; 3], [0u64; 3]);
    let mut workers = vec![[0u64; 3]; crate::dist::WORKERS.len()];
    for f in &files {
        let bytes = std::fs::read(f).map_err(|e| format!("cannot read {}: {e}", f.display()))?;
        let sizes = [
            bytes.len() as u64,
            crate::dist::gzip_len(&bytes),
            brotli_len(&bytes),
        ];
        let name = f
            .strip_prefix(dist)
            .unwrap_or(f)
            .to_string_lossy()
            .into_owned();
        report.row(
            "Bundle",
            format!("{name} (raw / gzip / brotli)"),
            triple(sizes),
        );
        let worker = crate::dist::worker_of(&name);
        let is_core =
            worker.is_none() && [".wasm", ".js", ".css"].iter().any(|e| name.ends_with(e));
        for i in 0..3 {
            total[i] += sizes[i];
            if is_core {
                core[i] += sizes[i];
            }
            if let Some(w) = worker {
                workers[w][i] += sizes[i];
            }
        }
    }
    report
        .row(
            "Bundle",
            "wasm + js + css, the page every visitor loads (raw / gzip / brotli)",
            triple(core),
        )
        .target = format!(
        "≤{PAGE_BUDGET_KB} KB gzip: {}",
        verdict(core[1] <= PAGE_BUDGET_KB * 1024)
    );
    for ((_, label), sizes) in crate::dist::WORKERS.iter().zip(workers) {
        report.row(
            "Bundle",
            format!("{label} (raw / gzip / brotli)"),
            triple(sizes),
        );
    }
    let met = total[1] <= 150 * 1024;
    report
        .row(
            "Bundle",
            "total, every file (raw / gzip / brotli)",
            triple(total),
        )
        .target = format!("≤150 KB gzip: {}", verdict(met));
    Ok(())
}

pub(super) fn triple(s: [u64; 3]) -> String {
    format!("{} / {} / {}", kb(s[0]), kb(s[1]), kb(s[2]))
}

pub(super) fn app_css(dist: &Path) -> Result<Vec<u8>, String> {
    let mut files = Vec::new();
    files_under(dist, &mut files).map_err(|e| e.to_string())?;
    let css = files
        .iter()
        .find(|f| f.extension().is_some_and(|e| e == "css"))
        .ok_or_else(|| format!("no .css file in {}", dist.display()))?;
    std::fs::read(css).map_err(|e| format!("cannot read {}: {e}", css.display()))
}
