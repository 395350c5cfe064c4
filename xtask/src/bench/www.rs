//! The static server for the build and the baseline, with a settable config.json.

use serde_json::Value;
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// In-memory files by path: (content type, body).
pub(super) type Files = Arc<Mutex<HashMap<String, (String, Vec<u8>)>>>;

/// Serves the app's build at `/` and bench/baseline/ at `/baseline/` on 127.0.0.1,
/// with in-memory files (config.json, the baseline's JSON and CSS) put on top.
pub(super) struct Www {
    pub(super) port: u16,
    pub(super) stop: Arc<AtomicBool>,
    pub(super) files: Files,
}

impl Www {
    pub(super) fn start(app: &Path, baseline: &Path) -> Result<Www, String> {
        let listener =
            TcpListener::bind("127.0.0.1:0").map_err(|e| format!("cannot bind 127.0.0.1: {e}"))?;
        let port = listener.local_addr().map_err(|e| e.to_string())?.port();
        let stop = Arc::new(AtomicBool::new(false));
        let files: Files = Arc::default();
        let (stop2, files2) = (stop.clone(), files.clone());
        let mounts = Arc::new(vec![
            ("/baseline/".to_string(), baseline.to_path_buf()),
            ("/".to_string(), app.to_path_buf()),
        ]);
        std::thread::Builder::new()
            .name("bench-www".into())
            .spawn(move || {
                for conn in listener.incoming() {
                    if stop2.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(stream) = conn else { continue };
                    let (files, mounts) = (files2.clone(), mounts.clone());
                    let _ = std::thread::Builder::new()
                        .name("bench-www-conn".into())
                        .spawn(move || {
                            let _ = serve_one(stream, &files, &mounts);
                        });
                }
            })
            .map_err(|e| e.to_string())?;
        Ok(Www { port, stop, files })
    }

    pub(super) fn url(&self) -> String {
        format!("http://127.0.0.1:{}/", self.port)
    }

    pub(super) fn put(&self, path: &str, content_type: &str, body: Vec<u8>) {
        self.files
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(path.into(), (content_type.into(), body));
    }

    pub(super) fn set_config(&self, config: Value) {
        self.put(
            "/config.json",
            "application/json",
            config.to_string().into_bytes(),
        );
    }
}

impl Drop for Www {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ =
            TcpStream::connect_timeout(&([127, 0, 0, 1], self.port).into(), Duration::from_secs(1));
    }
}

pub(super) fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next().unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "wasm" => "application/wasm",
        "json" => "application/json",
        "svg" => "image/svg+xml",
        _ => "application/octet-stream",
    }
}

pub(super) fn serve_one(
    stream: TcpStream,
    files: &Mutex<HashMap<String, (String, Vec<u8>)>>,
    mounts: &[(String, PathBuf)],
) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut first = String::new();
    reader.read_line(&mut first)?;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 || line == "\r\n" || line == "\n" {
            break;
        }
    }
    let mut parts = first.split_whitespace();
    let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or("/"));
    let mut path = target.split(['?', '#']).next().unwrap_or("/").to_string();
    if path.ends_with('/') {
        path.push_str("index.html");
    }
    let found = if path.contains("..") || !(method == "GET" || method == "HEAD") {
        None
    } else if let Some((ct, body)) = files.lock().unwrap_or_else(|e| e.into_inner()).get(&path) {
        Some((ct.clone(), body.clone()))
    } else {
        mounts
            .iter()
            .find(|(prefix, _)| path.starts_with(prefix.as_str()))
            .and_then(|(prefix, dir)| std::fs::read(dir.join(&path[prefix.len()..])).ok())
            .map(|b| (content_type(&path).to_string(), b))
    };
    let mut out = stream;
    match found {
        Some((ct, body)) => {
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: {ct}\r\nContent-Length: {}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n",
                body.len()
            );
            out.write_all(head.as_bytes())?;
            if method != "HEAD" {
                out.write_all(&body)?;
            }
        }
        None => {
            out.write_all(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n")?;
        }
    }
    out.flush()
}
