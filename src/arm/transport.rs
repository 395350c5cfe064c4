//! The seam between the ARM logic and the outside world. Three implementations send
//! requests: the browser's fetch (`arm::fetch`), the demo estate (`demo`) and scripted
//! transports in tests; the clock is injected the same way so polling tests never sleep.

use std::future::Future;
use std::pin::Pin;

pub type LocalBoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + 'a>>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
        }
    }
}

#[derive(Clone, PartialEq)]
pub struct Request {
    pub method: Method,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Option<String>,
}

/// Headers are left out: one of them is the bearer token.
impl std::fmt::Debug for Request {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.method.as_str(), self.url)
    }
}

impl Request {
    pub fn get(url: impl Into<String>) -> Self {
        Request { method: Method::Get, url: url.into(), headers: Vec::new(), body: None }
    }
    pub fn post(url: impl Into<String>, body: Option<String>) -> Self {
        Request { method: Method::Post, url: url.into(), headers: Vec::new(), body }
    }
    pub fn header(&self, name: &str) -> Option<&str> {
        find_header(&self.headers, name)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Response {
    pub fn new(status: u16, body: impl Into<String>) -> Self {
        Response { status, headers: Vec::new(), body: body.into() }
    }
    pub fn with_header(mut self, name: &str, value: impl Into<String>) -> Self {
        self.headers.push((name.to_owned(), value.into()));
        self
    }
    /// Header names are case-insensitive (RFC 9110); empty values count as absent.
    pub fn header(&self, name: &str) -> Option<&str> {
        find_header(&self.headers, name)
    }
}

fn find_header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, v)| k.eq_ignore_ascii_case(name) && !v.trim().is_empty())
        .map(|(_, v)| v.trim())
}

/// The request never produced an HTTP answer.
#[derive(Debug, Clone, PartialEq)]
pub enum TransportError {
    /// DNS, TLS, connection reset, CORS refusal: the browser does not tell them apart.
    Network(String),
    /// The body could not be read to its end.
    Body(String),
}

pub trait Transport {
    fn send(&self, req: Request) -> LocalBoxFuture<'_, Result<Response, TransportError>>;
}

pub trait Clock {
    /// Milliseconds on a monotonic-enough scale; only differences are used.
    fn now_ms(&self) -> f64;
    fn sleep(&self, ms: u64) -> LocalBoxFuture<'_, ()>;
}
