//! The seam between the ARM and sign-in logic and the outside world. Three implementations send
//! requests: the browser's fetch (`http::browser`), the demo estate (`demo`) and scripted
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
        Request {
            method: Method::Get,
            url: url.into(),
            headers: Vec::new(),
            body: None,
        }
    }
    pub fn post(url: impl Into<String>, body: Option<String>) -> Self {
        Request {
            method: Method::Post,
            url: url.into(),
            headers: Vec::new(),
            body,
        }
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
        Response {
            status,
            headers: Vec::new(),
            body: body.into(),
        }
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

// ------------------------------------------------------------------ over postMessage
//
// The demo estate answers from a worker (`http::browser::WorkerTransport`). A request or
// response crosses as text laid out like HTTP/1.1's: a first line, `name: value` header
// lines, then, after an empty line, the body as it is. No escaping, so a health result of
// a megabyte crosses as a copy, not a rewrite. A header whose name or value holds a line
// break (HTTP allows none) is left out rather than let it break the layout.

fn frame(first: &str, headers: &[(String, String)], body: Option<&str>) -> String {
    let mut out =
        String::with_capacity(first.len() + 64 * headers.len() + 2 + body.map_or(0, str::len));
    out.push_str(first);
    for (k, v) in headers {
        let breaks = |s: &str| s.contains(['\n', '\r']);
        if !k.is_empty() && !k.contains(':') && !breaks(k) && !breaks(v) {
            out.push('\n');
            out.push_str(k);
            out.push_str(": ");
            out.push_str(v);
        }
    }
    if let Some(body) = body {
        out.push_str("\n\n");
        out.push_str(body);
    }
    out
}

/// A framed text's first line, headers and body (`None`: no empty line).
type Framed<'a> = (&'a str, Vec<(String, String)>, Option<&'a str>);

fn unframe(text: &str) -> Option<Framed<'_>> {
    let (head, body) = match text.split_once("\n\n") {
        Some((h, b)) => (h, Some(b)),
        None => (text, None),
    };
    let mut lines = head.split('\n');
    let first = lines.next()?;
    let headers = lines
        .map(|l| {
            l.split_once(": ")
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
        })
        .collect::<Option<Vec<_>>>()?;
    Some((first, headers, body))
}

impl Request {
    pub fn to_wire(&self) -> String {
        frame(
            &format!("{} {}", self.method.as_str(), self.url),
            &self.headers,
            self.body.as_deref(),
        )
    }

    pub fn from_wire(text: &str) -> Option<Request> {
        let (first, headers, body) = unframe(text)?;
        let (method, url) = first.split_once(' ')?;
        let method = match method {
            "GET" => Method::Get,
            "POST" => Method::Post,
            _ => return None,
        };
        Some(Request {
            method,
            url: url.to_owned(),
            headers,
            body: body.map(str::to_owned),
        })
    }
}

impl Response {
    pub fn to_wire(&self) -> String {
        frame(&self.status.to_string(), &self.headers, Some(&self.body))
    }

    pub fn from_wire(text: &str) -> Option<Response> {
        let (first, headers, body) = unframe(text)?;
        Some(Response {
            status: first.parse().ok()?,
            headers,
            body: body?.to_owned(),
        })
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
    /// The worker that answers in the browser (the demo estate's) did not load, stopped,
    /// or answered something unreadable.
    Worker(String),
    /// The server answered with a redirect, which is not followed: the `Authorization`
    /// header would go along to a URL the token guard (`ArmBase::owns`) never saw. ARM and
    /// Entra's token endpoint never redirect; a proxy in front of them may.
    Redirected,
}

pub trait Transport {
    fn send(&self, req: Request) -> LocalBoxFuture<'_, Result<Response, TransportError>>;
}

pub trait Clock {
    /// Milliseconds on a monotonic-enough scale; only differences are used.
    fn now_ms(&self) -> f64;
    fn sleep(&self, ms: u64) -> LocalBoxFuture<'_, ()>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_and_responses_cross_as_they_were() {
        let requests = [
            Request::get("https://management.azure.com/subscriptions?api-version=2022-12-01"),
            Request {
                headers: vec![
                    ("x-ms-client-request-id".into(), "1".into()),
                    ("Empty".into(), String::new()),
                ],
                ..Request::post("https://h/p?a=b c", None)
            },
            Request::post(
                "https://h/graph",
                Some("{\"query\":\"a: b\\n\\nc\"}\n\nmore".into()),
            ),
            Request::post("https://h/x", Some(String::new())),
        ];
        for r in requests {
            assert_eq!(
                Request::from_wire(&r.to_wire()),
                Some(r.clone()),
                "{}",
                r.to_wire()
            );
        }
        let responses = [
            Response::new(202, "")
                .with_header("Location", "https://h/op?x=1")
                .with_header("Retry-After", "1"),
            Response::new(200, "{\n\n\"a\": 1}\r\n"),
            Response::new(404, "not: a header\nat all"),
        ];
        for r in responses {
            assert_eq!(
                Response::from_wire(&r.to_wire()),
                Some(r.clone()),
                "{}",
                r.to_wire()
            );
        }
    }

    #[test]
    fn a_header_that_would_break_the_layout_is_left_out() {
        let r = Response::new(200, "b")
            .with_header("X-Evil", "a\n\nHTTP body")
            .with_header("Bad\nName", "v")
            .with_header("", "v")
            .with_header("Na:me", "v")
            .with_header("Ok", "fine");
        assert_eq!(
            Response::from_wire(&r.to_wire()),
            Some(Response::new(200, "b").with_header("Ok", "fine"))
        );
    }

    #[test]
    fn text_of_another_shape_is_refused() {
        for t in [
            "",
            "PUT https://h/",
            "GET",
            "200",
            "abc\n\nbody",
            "GET https://h/\nno colon\n\nbody",
            "ready",
            "1 {\"a\":1}",
        ] {
            assert_eq!(Request::from_wire(t), None, "{t:?}");
        }
        for t in [
            "",
            "GET https://h/",
            "abc\n\nbody",
            "200\nno colon\n\nbody",
            "200",
            "-1\n\nx",
            "70000\n\nx",
        ] {
            assert_eq!(Response::from_wire(t), None, "{t:?}");
        }
    }
}
