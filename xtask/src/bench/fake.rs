//! The fake Azure server as a child process, and its request log.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub(super) struct LogLine {
    pub(super) method: String,
    pub(super) path: String,
}

/// `fake-azure --port 0 ...` as a child process; its printed request log, parsed.
pub(super) struct FakeArm {
    pub(super) child: Child,
    pub(super) url: String,
    pub(super) log: Arc<Mutex<Vec<LogLine>>>,
}

impl FakeArm {
    pub(super) fn start(bin: &Path, args: &[&str]) -> Result<FakeArm, String> {
        let mut child = Command::new(bin)
            .args(["--port", "0"])
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", bin.display()))?;
        let stdout = child.stdout.take().expect("piped stdout");
        let log: Arc<Mutex<Vec<LogLine>>> = Arc::default();
        let (tx, rx) = std::sync::mpsc::channel();
        let log2 = log.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if let Some(url) = line.strip_prefix("fake ARM:") {
                    let _ = tx.send(url.trim().to_string());
                    continue;
                }
                // "Arm GET /subscriptions?api-version=... (with token)"
                let w: Vec<&str> = line.split_whitespace().collect();
                if w.len() >= 3 && w[0] == "Arm" {
                    log2.lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .push(LogLine {
                            method: w[1].into(),
                            path: w[2].into(),
                        });
                }
            }
        });
        let mut fake = FakeArm {
            child,
            url: String::new(),
            log,
        };
        fake.url = rx
            .recv_timeout(Duration::from_secs(30))
            .map_err(|_| format!("{} did not print its address", bin.display()))?;
        Ok(fake)
    }

    /// Waits until the log has had no new request for `quiet` (it prints every 200 ms).
    pub(super) fn wait_quiet(&self, quiet: Duration, timeout: Duration) -> Result<(), String> {
        let start = Instant::now();
        let (mut seen, mut since) = (self.len(), Instant::now());
        loop {
            std::thread::sleep(Duration::from_millis(100));
            let n = self.len();
            if n != seen {
                (seen, since) = (n, Instant::now());
            } else if since.elapsed() >= quiet {
                return Ok(());
            }
            if start.elapsed() > timeout {
                return Err(format!("the app kept sending requests for {timeout:?}"));
            }
        }
    }

    pub(super) fn len(&self) -> usize {
        self.log.lock().unwrap_or_else(|e| e.into_inner()).len()
    }

    pub(super) fn since(&self, mark: usize) -> Vec<LogLine> {
        let log = self.log.lock().unwrap_or_else(|e| e.into_inner());
        log.iter()
            .skip(mark)
            .map(|l| LogLine {
                method: l.method.clone(),
                path: l.path.clone(),
            })
            .collect()
    }
}

impl Drop for FakeArm {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
