//! A tiny static file server for end-to-end tests (std only, one thread per
//! connection). Serves `dir` on `http://127.0.0.1:<free port>/`:
//! - `/` and directories serve their `index.html`;
//! - unknown paths without a file extension serve the root `index.html`
//!   (single-page app fallback); other unknown paths are 404;
//! - a missing `/favicon.ico` answers 204 so browsers log no console error;
//! - every response has `Cache-Control: no-store` (unless
//!   [`set_pages_like`](StaticServer::set_pages_like)) and `Connection: close`.
//!
//! The server stops when dropped; its threads never outlive the test process. It keeps
//! the path of every request, so a test can say which files the page loaded. Files
//! [`put`](StaticServer::put) in memory are served over the directory's.
//!
//! Every HTML page it serves first loads the test hook ([`HOOK_JS`], at `/__lbh/hook.js`,
//! a same-origin script the page's CSP allows): it keeps the page's errors for engines
//! whose console the driver cannot read (WebKit, Firefox) and marks a page being left,
//! so the WebDriver client never reads a page that is going away as a settled one.
//! [`StaticServer::plain`] leaves the hook out: `cargo xtask bench` times the page as
//! it ships, and a script of the harness's own would be in its figures.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{Shutdown, TcpStream};
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::listener::LocalServer;

pub struct StaticServer {
    server: LocalServer,
    site: Arc<Site>,
}

/// What the connections share: the directory, the files put in memory, the request log.
struct Site {
    root: PathBuf,
    hook: bool,
    /// URL path -> (content type, body).
    memory: Mutex<HashMap<String, (String, Vec<u8>)>>,
    served: Mutex<Vec<String>>,
    /// URL paths answered 503 (see [`StaticServer::refuse`]).
    refused: Mutex<std::collections::HashSet<String>>,
    /// Serve as GitHub Pages does (see [`StaticServer::set_pages_like`]).
    pages_like: AtomicBool,
    /// gzip bodies by path, compressed once: compressing is the host's work, not the
    /// page's, and must not land inside a timed load.
    gzipped: Mutex<HashMap<String, Arc<Vec<u8>>>>,
}

impl StaticServer {
    /// Starts serving `dir` on a free port of 127.0.0.1, every page with the test hook.
    pub fn start(dir: &Path) -> StaticServer {
        StaticServer::serve(dir, true)
            .unwrap_or_else(|e| panic!("StaticServer: cannot serve {}: {e}", dir.display()))
    }

    /// Like [`start`](StaticServer::start), with the pages as they are (no test hook).
    pub fn plain(dir: &Path) -> std::io::Result<StaticServer> {
        StaticServer::serve(dir, false)
    }

    fn serve(dir: &Path, hook: bool) -> std::io::Result<StaticServer> {
        let site = Arc::new(Site {
            root: dir.canonicalize()?,
            hook,
            memory: Mutex::default(),
            served: Mutex::default(),
            refused: Mutex::default(),
            pages_like: AtomicBool::new(false),
            gzipped: Mutex::default(),
        });
        let site2 = site.clone();
        let server = LocalServer::start("static-server", move |stream| {
            let _ = handle(stream, &site2);
        })?;
        Ok(StaticServer { server, site })
    }

    /// Serves `body` at the URL path `path` ("/config.json"; "/x/" is "/x/index.html"),
    /// over any file of the directory there, from the next request on.
    pub fn put(&self, path: &str, content_type: &str, body: Vec<u8>) {
        self.site
            .memory
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(path.to_string(), (content_type.to_string(), body));
        self.site.gzip_cache().clear();
    }

    /// Answers `path` with 503 Service Unavailable from the next request on (`on`), as a
    /// host or a proxy that fails one file; `false` serves it again.
    pub fn refuse(&self, path: &str, on: bool) {
        let mut refused = self.site.refused.lock().unwrap_or_else(|e| e.into_inner());
        if on {
            refused.insert(path.to_string());
        } else {
            refused.remove(path);
        }
    }

    /// Serves as GitHub Pages does (for timing cold and repeat loads): gzip when the
    /// request accepts it, cacheable for 10 minutes; `config.json` stays `no-store`, as a
    /// deployment must serve it. Off (every response `no-store`, uncompressed) by default.
    pub fn set_pages_like(&self, on: bool) {
        self.site.pages_like.store(on, Ordering::SeqCst);
    }

    /// The path (without query) of every request the app made so far, in arrival order;
    /// the test hook's own ([`HOOK_PATH`]) is the harness's, not the app's, and left out.
    pub fn served(&self) -> Vec<String> {
        let all = self
            .site
            .served
            .lock()
            .map(|s| s.clone())
            .unwrap_or_default();
        all.into_iter()
            .filter(|p| !p.ends_with(HOOK_PATH))
            .collect()
    }

    /// `http://127.0.0.1:PORT/`
    pub fn url(&self) -> String {
        self.server.url()
    }

    pub fn port(&self) -> u16 {
        self.server.port()
    }
}

fn handle(mut stream: TcpStream, site: &Site) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    stream.set_write_timeout(Some(Duration::from_secs(10)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request_line = String::new();
    if reader.read_line(&mut request_line)? == 0 {
        return Ok(());
    }
    // Requests we serve have no body; of the headers, only Accept-Encoding counts.
    let mut accepts_gzip = false;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 || line == "\r\n" || line == "\n" {
            break;
        }
        if let Some((k, v)) = line.split_once(':') {
            accepts_gzip |= k.trim().eq_ignore_ascii_case("accept-encoding") && v.contains("gzip");
        }
    }
    let mut parts = request_line.split_whitespace();
    let method = parts.next().unwrap_or("");
    let target = parts.next().unwrap_or("/");
    let path = target.split(['?', '#']).next().unwrap_or("");
    if let Ok(mut log) = site.served.lock() {
        log.push(path.to_owned());
    }
    let head_only = method == "HEAD";
    if site.refused.lock().is_ok_and(|r| r.contains(path)) {
        return respond(
            &mut stream,
            "503 Service Unavailable",
            "text/plain; charset=utf-8",
            NO_STORE,
            b"unavailable\n",
            head_only,
        );
    }
    if method != "GET" && !head_only {
        return respond(
            &mut stream,
            "405 Method Not Allowed",
            "text/plain; charset=utf-8",
            NO_STORE,
            b"method not allowed\n",
            false,
        );
    }
    if site.hook && path.ends_with(HOOK_PATH) {
        return respond(
            &mut stream,
            "200 OK",
            "text/javascript; charset=utf-8",
            NO_STORE,
            HOOK_JS.as_bytes(),
            head_only,
        );
    }
    let not_found = (
        "404 Not Found",
        "text/plain; charset=utf-8".to_string(),
        b"not found\n".to_vec(),
    );
    let (status, ctype, body) = match site.resolve(path) {
        Resolved::Memory(ctype, body) => ("200 OK", ctype, body),
        Resolved::File(path) => match std::fs::read(&path) {
            Ok(bytes) => ("200 OK", content_type(&path).to_string(), bytes),
            Err(_) => not_found,
        },
        Resolved::NoContent => ("204 No Content", "text/plain; charset=utf-8".into(), vec![]),
        Resolved::NotFound => not_found,
    };
    let body = if site.hook && ctype.starts_with("text/html") {
        with_hook(body)
    } else {
        body
    };
    if status == "200 OK"
        && site.pages_like.load(Ordering::SeqCst)
        && !path.ends_with("config.json")
    {
        let cache = "Cache-Control: max-age=600\r\nVary: Accept-Encoding\r\n";
        if !accepts_gzip {
            return respond(&mut stream, status, &ctype, cache, &body, head_only);
        }
        let packed = site
            .gzip_cache()
            .entry(path.to_string())
            .or_insert_with(|| Arc::new(gzip(&body)))
            .clone();
        let extra = format!("{cache}Content-Encoding: gzip\r\n");
        return respond(&mut stream, status, &ctype, &extra, &packed, head_only);
    }
    respond(&mut stream, status, &ctype, NO_STORE, &body, head_only)
}

const NO_STORE: &str = "Cache-Control: no-store\r\n";

fn gzip(bytes: &[u8]) -> Vec<u8> {
    use flate2::{write::GzEncoder, Compression};
    let mut enc = GzEncoder::new(Vec::new(), Compression::best());
    enc.write_all(bytes)
        .and_then(|()| enc.finish())
        .expect("gzip into memory")
}

/// Where the hook is served (under any directory, so a sub-path build finds it too).
pub const HOOK_PATH: &str = "/__lbh/hook.js";

/// The test hook every served page loads before its own scripts.
pub const HOOK_JS: &str = r#"(() => {
  const h = window.__lbh = { errors: [], leaving: false };
  const keep = m => { if (h.errors.length < 200) h.errors.push(String(m).slice(0, 2000)); };
  addEventListener('error', e => {
    const t = e.target;
    if (t && t !== window && (t.src || t.href)) keep('failed to load ' + (t.src || t.href));
    else keep((e.message || 'error') + (e.filename ? ' (' + e.filename + ':' + e.lineno + ')' : ''));
  }, true);
  addEventListener('unhandledrejection', e => {
    const r = e.reason;
    keep('unhandled rejection: ' + (r && (r.stack || r.message) || r));
  });
  const error = console.error;
  console.error = function (...args) { keep(args.map(String).join(' ')); return error.apply(this, args); };
  addEventListener('beforeunload', () => { h.leaving = true; });
  addEventListener('pagehide', () => { h.leaving = true; });
  addEventListener('pageshow', () => { h.leaving = false; });
})();
"#;

/// The page with the hook's `<script>` first in its `<head>`.
fn with_hook(page: Vec<u8>) -> Vec<u8> {
    let Ok(text) = String::from_utf8(page.clone()) else {
        return page;
    };
    let tag = format!(r#"<script src="{HOOK_PATH}"></script>"#);
    match text.find("<head>") {
        Some(i) => format!("{}{tag}{}", &text[..i + 6], &text[i + 6..]).into_bytes(),
        None => page,
    }
}

/// `extra` is header lines, each ending in CRLF (`Cache-Control` among them).
fn respond(
    stream: &mut TcpStream,
    status: &str,
    ctype: &str,
    extra: &str,
    body: &[u8],
    head_only: bool,
) -> std::io::Result<()> {
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\n{extra}Connection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes())?;
    if !head_only {
        stream.write_all(body)?;
    }
    stream.flush()?;
    let _ = stream.shutdown(Shutdown::Both);
    Ok(())
}

enum Resolved {
    Memory(String, Vec<u8>),
    File(PathBuf),
    NoContent,
    NotFound,
}

impl Site {
    fn gzip_cache(&self) -> std::sync::MutexGuard<'_, HashMap<String, Arc<Vec<u8>>>> {
        self.gzipped.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn memory(&self, path: &str) -> Option<Resolved> {
        let memory = self.memory.lock().unwrap_or_else(|e| e.into_inner());
        let key = if path.ends_with('/') {
            format!("{path}index.html")
        } else {
            path.to_string()
        };
        let (ctype, body) = memory.get(&key)?;
        Some(Resolved::Memory(ctype.clone(), body.clone()))
    }

    fn resolve(&self, path: &str) -> Resolved {
        let decoded = percent_decode(path);
        let rel = Path::new(decoded.trim_start_matches('/'));
        if rel.components().any(|c| !matches!(c, Component::Normal(_))) {
            return Resolved::NotFound;
        }
        if let Some(found) = self.memory(&decoded) {
            return found;
        }
        let full = self.root.join(rel);
        if full.is_file() {
            return Resolved::File(full);
        }
        if full.is_dir() && full.join("index.html").is_file() {
            return Resolved::File(full.join("index.html"));
        }
        if decoded == "/favicon.ico" {
            return Resolved::NoContent;
        }
        let last = decoded.rsplit('/').next().unwrap_or("");
        if last.contains('.') {
            return Resolved::NotFound;
        }
        if let Some(found) = self.memory("/") {
            return found;
        }
        if self.root.join("index.html").is_file() {
            return Resolved::File(self.root.join("index.html"));
        }
        Resolved::NotFound
    }
}

fn percent_decode(s: &str) -> String {
    fn hex(b: u8) -> Option<u8> {
        match b {
            b'0'..=b'9' => Some(b - b'0'),
            b'a'..=b'f' => Some(b - b'a' + 10),
            b'A'..=b'F' => Some(b - b'A' + 10),
            _ => None,
        }
    }
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push(h * 16 + l);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The Content-Type for a file, by extension.
pub fn content_type(path: &Path) -> &'static str {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    match ext.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "json" | "map" => "application/json",
        "webmanifest" => "application/manifest+json",
        "wasm" => "application/wasm",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "svg" => "image/svg+xml",
        "ico" => "image/x-icon",
        "woff" => "font/woff",
        "woff2" => "font/woff2",
        "txt" | "md" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}
