//! HTTP requests to the local servers (the fake Azure server), through testkit's `ureq`.

use std::time::Duration;
use testkit::ureq;

pub(super) struct Resp {
    pub(super) status: u16,
    pub(super) headers: Vec<(String, String)>,
    pub(super) body: Vec<u8>,
}

impl Resp {
    pub(super) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// One request; any status is an answer (a 202 with its Location is read, not followed).
pub(super) fn http(
    method: &str,
    url: &str,
    headers: &[(&str, String)],
    body: Option<&[u8]>,
    timeout: Duration,
) -> Result<Resp, String> {
    let err = |e: &dyn std::fmt::Display| format!("{method} {url}: {e}");
    let config = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .proxy(None)
        .timeout_global(Some(timeout))
        .build();
    let agent = ureq::Agent::new_with_config(config);
    let mut req = ureq::http::Request::builder().method(method).uri(url);
    for (k, v) in headers {
        req = req.header(*k, v);
    }
    let resp = match body {
        Some(b) => req.body(b).map(|r| agent.run(r)),
        None => req.body(()).map(|r| agent.run(r)),
    }
    .map_err(|e| err(&e))?;
    let mut resp = resp.map_err(|e| err(&e))?;
    let headers = resp
        .headers()
        .iter()
        .map(|(k, v)| {
            let v = String::from_utf8_lossy(v.as_bytes()).into_owned();
            (k.as_str().to_string(), v)
        })
        .collect();
    let body = resp
        .body_mut()
        .with_config()
        .limit(512 * 1024 * 1024)
        .read_to_vec()
        .map_err(|e| err(&e))?;
    Ok(Resp {
        status: resp.status().as_u16(),
        headers,
        body,
    })
}
