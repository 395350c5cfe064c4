//! The build at `/` and bench/baseline/ at `/baseline/`, on testkit's static server
//! without the test hook (the figures are the page as it ships), with a settable
//! config.json.

use serde_json::Value;
use std::path::Path;
use testkit::static_server::content_type;
use testkit::StaticServer;

pub(super) struct Www(StaticServer);

impl Www {
    pub(super) fn start(app: &Path, baseline: &Path) -> Result<Www, String> {
        let server = StaticServer::plain(app)
            .map_err(|e| format!("cannot serve {} on 127.0.0.1: {e}", app.display()))?;
        let www = Www(server);
        // The baseline's own files, in memory at /baseline/ beside the app's build.
        let files = std::fs::read_dir(baseline)
            .map_err(|e| format!("cannot read {}: {e}", baseline.display()))?;
        for file in files.flatten().map(|f| f.path()).filter(|p| p.is_file()) {
            let body =
                std::fs::read(&file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
            let name = file.file_name().unwrap_or_default().to_string_lossy();
            www.put(&format!("/baseline/{name}"), content_type(&file), body);
        }
        Ok(www)
    }

    pub(super) fn url(&self) -> String {
        self.0.url()
    }

    pub(super) fn put(&self, path: &str, content_type: &str, body: Vec<u8>) {
        self.0.put(path, content_type, body)
    }

    /// Gzip and cacheable as GitHub Pages serves (config.json excepted), for cold loads.
    pub(super) fn set_pages_like(&self, on: bool) {
        self.0.set_pages_like(on)
    }

    pub(super) fn set_config(&self, config: Value) {
        self.put(
            "/config.json",
            "application/json",
            config.to_string().into_bytes(),
        );
    }
}
