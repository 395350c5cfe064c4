//! The last step of a release build's post_build hook: `<meta name="lbh-build"
//! content="<id>">` in index.html, the id a hash of every file the build wrote. The page
//! registers its service worker only when the meta is there (`src/http/offline/`),
//! as `sw.js?build=<id>`, and asks for its workers' files with `?v=<id>`: a new
//! deployment is a new id, so no cache pairs it with the build before. `trunk serve`
//! (a debug build) gets no id and no service worker.

use std::path::Path;

pub const META: &str = "lbh-build";

/// Writes the id into `dir/index.html`; returns it.
pub fn stamp(dir: &Path) -> Result<String, String> {
    let index = dir.join("index.html");
    let html = std::fs::read_to_string(&index)
        .map_err(|e| format!("cannot read {}: {e}", index.display()))?;
    let files = collect(dir)?;
    let id = id(&remove(&html), &files);
    let html = insert(&html, &id)?;
    std::fs::write(&index, html).map_err(|e| format!("cannot write {}: {e}", index.display()))?;
    Ok(id)
}

/// (path under `dir`, contents) of every file but index.html and the deployment's
/// settings, which a host may change without a new build.
fn collect(dir: &Path) -> Result<Vec<(String, Vec<u8>)>, String> {
    let mut paths = Vec::new();
    crate::dist::walk(dir, &mut paths)
        .map_err(|e| format!("cannot list {}: {e}", dir.display()))?;
    let mut out = Vec::new();
    for path in paths {
        let name = path
            .strip_prefix(dir)
            .unwrap_or(&path)
            .to_string_lossy()
            .replace('\\', "/");
        if name == "index.html" || name.ends_with("config.json") {
            continue;
        }
        let bytes = std::fs::read(&path).map_err(|e| format!("cannot read {name}: {e}"))?;
        out.push((name, bytes));
    }
    Ok(out)
}

/// 16 hex digits over index.html and the files, in name order (`csp::fnv1a`, the
/// hash the post-build step already names its scripts by).
fn id(html: &str, files: &[(String, Vec<u8>)]) -> String {
    let mut files: Vec<_> = files.iter().collect();
    files.sort_by(|a, b| a.0.cmp(&b.0));
    let mut all = html.as_bytes().to_vec();
    for (name, bytes) in files {
        for part in [name.as_bytes(), &[0], bytes, &[0]] {
            all.extend_from_slice(part);
        }
    }
    format!("{:016x}", crate::csp::fnv1a(&all))
}

/// index.html with the meta just before `</head>` (a rebuild replaces the old one).
fn insert(html: &str, id: &str) -> Result<String, String> {
    let html = remove(html);
    let at = html.find("</head>").ok_or("index.html has no </head>")?;
    Ok(format!(
        "{}<meta name=\"{META}\" content=\"{id}\">\n{}",
        &html[..at],
        &html[at..]
    ))
}

fn remove(html: &str) -> String {
    let open = format!("<meta name=\"{META}\"");
    match html.find(&open) {
        Some(start) => {
            let end = html[start..]
                .find('>')
                .map_or(html.len(), |i| start + i + 1);
            let end = if html[end..].starts_with('\n') {
                end + 1
            } else {
                end
            };
            format!("{}{}", &html[..start], &html[end..])
        }
        None => html.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = "<html><head><title>x</title></head><body></body></html>";

    fn files(wasm: &[u8]) -> Vec<(String, Vec<u8>)> {
        vec![
            ("demo-worker_bg.wasm".into(), wasm.to_vec()),
            ("sw.js".into(), b"// sw".to_vec()),
        ]
    }

    #[test]
    fn a_changed_worker_file_is_a_new_build() {
        // The workers' names carry no hash: only the id tells two builds apart.
        assert_ne!(id(PAGE, &files(b"one")), id(PAGE, &files(b"two")));
        assert_eq!(id(PAGE, &files(b"one")), id(PAGE, &files(b"one")));
        let mut reversed = files(b"one");
        reversed.reverse();
        assert_eq!(
            id(PAGE, &files(b"one")),
            id(PAGE, &reversed),
            "order of listing"
        );
    }

    #[test]
    fn the_meta_goes_in_the_head_once() {
        let once = insert(PAGE, "00000000000000aa").unwrap();
        assert!(
            once.contains("<meta name=\"lbh-build\" content=\"00000000000000aa\">\n</head>"),
            "{once}"
        );
        let twice = insert(&once, "00000000000000bb").unwrap();
        assert_eq!(twice.matches("lbh-build").count(), 1, "{twice}");
        assert!(twice.contains("00000000000000bb"));
        assert!(insert("<html></html>", "1").is_err());
    }

    #[test]
    fn the_settings_do_not_change_the_build() {
        let dir = std::env::temp_dir().join(format!("lbh-build-id-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("index.html"), PAGE).unwrap();
        std::fs::write(dir.join("app-0123456789abcdef.js"), "x").unwrap();
        std::fs::write(dir.join("config.json"), "{}").unwrap();
        let first = stamp(&dir).unwrap();
        std::fs::write(dir.join("config.json"), r#"{"clientId":"x"}"#).unwrap();
        let second = stamp(&dir).unwrap();
        assert_eq!(
            first, second,
            "config.json is the deployment's, not the build's"
        );
        std::fs::write(dir.join("app-0123456789abcdef.js"), "y").unwrap();
        assert_ne!(first, stamp(&dir).unwrap());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
