//! The page's side of its service worker (`public/sw.js`): repeat visits paint from the
//! worker's cache and the demo opens offline. Only a release build registers it: the
//! build id comes from `<meta name="lbh-build">`, which `cargo xtask post-build` writes
//! into a release index.html only, so `trunk serve` never caches a file it is about to
//! rebuild.

mod browser;

pub use browser::{build, keep, keep_loaded, register, updated_from, versioned};

/// `url` tied to build `build` (`?v=<build>`), so no cache, the service worker's or the
/// host's, ever answers with another build's copy. The workers' files need it: their
/// names carry no hash. Without a build (a debug build), `url` as it is.
pub fn with_build(url: &str, build: Option<&str>) -> String {
    match build {
        Some(b) => format!("{url}?v={b}"),
        None => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::with_build;

    #[test]
    fn a_release_build_versions_the_workers_files() {
        assert_eq!(
            with_build("demo-worker_bg.wasm", Some("00000000000000ff")),
            "demo-worker_bg.wasm?v=00000000000000ff"
        );
        assert_eq!(with_build("demo-worker.js", None), "demo-worker.js");
    }
}
