//! One error type for everything that can go wrong talking to ARM. The UI turns the
//! kind into a message and a way forward in one place (`ui::error_view`).

use serde::Deserialize;

use crate::http::json::parse;
use crate::http::{Response, TransportError};

#[derive(Debug, Clone, PartialEq)]
pub enum ErrorKind {
    /// 401: the token expired or is not valid for ARM.
    Unauthorized {
        expired: bool,
    },
    /// 403: the message names the missing action when ARM said which.
    Forbidden {
        action: Option<String>,
    },
    NotFound,
    Conflict,
    Throttled,
    /// 5xx after the bounded retries.
    Server,
    /// Other 4xx.
    Rejected,
    /// No HTTP answer at all (network down, CORS refusal, DNS).
    Network,
    /// A redirect came back; it was not followed, so the token went nowhere else.
    Redirected,
    /// The worker that answers in the browser (the demo estate's) did not load or stopped.
    Worker,
    /// An answer whose body is not what ARM sends (truncated, not JSON, wrong shape).
    Malformed,
    /// An HTML page where JSON was expected: a proxy or captive portal answered.
    HtmlPage,
    /// The 202 had no readable Location: CORS did not expose it, or ARM sent none.
    LocationMissing,
    /// The 202's Location is there but not an absolute http(s) URL; following it would
    /// mean guessing where the token goes, so it is not followed.
    LocationUnusable,
    /// ARM named a URL on another host; the token was not sent there.
    ForeignHost {
        url: String,
    },
    /// The operation did not finish before the deadline.
    Timeout,
    Cancelled,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ArmError {
    pub kind: ErrorKind,
    pub status: Option<u16>,
    /// ARM's `error.code`, e.g. `AuthorizationFailed`.
    pub code: Option<String>,
    pub message: String,
    pub request_id: Option<String>,
    pub correlation_id: Option<String>,
    pub retry_after_s: Option<u64>,
}

/// `{"error": {"code", "message"}}`; some gateways (and the Azure SDK test server)
/// answer `{"message": ...}`.
#[derive(Default, Deserialize)]
#[serde(default)]
struct Envelope {
    error: Option<Body>,
    message: Option<String>,
}

#[derive(Default, Deserialize)]
#[serde(default)]
struct Body {
    code: Option<String>,
    message: Option<String>,
}

impl ArmError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        ArmError {
            kind,
            status: None,
            code: None,
            message: message.into(),
            request_id: None,
            correlation_id: None,
            retry_after_s: None,
        }
    }

    pub fn from_transport(e: &TransportError) -> Self {
        match e {
            TransportError::Network(m) => ArmError::new(ErrorKind::Network, m.clone()),
            TransportError::Body(m) => {
                ArmError::new(ErrorKind::Malformed, format!("the answer was cut off: {m}"))
            }
            TransportError::Worker(m) => ArmError::new(ErrorKind::Worker, m.clone()),
            TransportError::Redirected => ArmError::new(
                ErrorKind::Redirected,
                "the request was answered with a redirect, which LB Health does not follow",
            ),
        }
    }

    /// Maps a non-success answer. Never fails: an unreadable body still yields the
    /// status and the request id, which is what support needs.
    pub fn from_response(r: &Response) -> Self {
        let envelope: Envelope = parse(&r.body).unwrap_or_default();
        let body = envelope.error.unwrap_or_default();
        let code = body.code.filter(|c| !c.is_empty());
        let message = body.message.or(envelope.message).unwrap_or_default();
        let looks_html = looks_like_html(&r.body);
        let kind = match r.status {
            401 => ErrorKind::Unauthorized {
                expired: code.as_deref() == Some("ExpiredAuthenticationToken")
                    || r.header("WWW-Authenticate")
                        .is_some_and(|h| h.contains("expir")),
            },
            403 => ErrorKind::Forbidden {
                action: missing_action(&message),
            },
            404 => ErrorKind::NotFound,
            409 => ErrorKind::Conflict,
            429 => ErrorKind::Throttled,
            _ if looks_html => ErrorKind::HtmlPage,
            500..=599 => ErrorKind::Server,
            _ => ErrorKind::Rejected,
        };
        ArmError {
            kind,
            status: Some(r.status),
            code,
            message: if message.is_empty() {
                default_message(r.status, looks_html)
            } else {
                message
            },
            request_id: r.header("x-ms-request-id").map(str::to_owned),
            correlation_id: r.header("x-ms-correlation-request-id").map(str::to_owned),
            retry_after_s: r.header("Retry-After").and_then(|v| v.trim().parse().ok()),
        }
    }

    /// A 2xx whose body could not be used.
    pub fn malformed(r: &Response, what: &str) -> Self {
        let kind = if looks_like_html(&r.body) {
            ErrorKind::HtmlPage
        } else {
            ErrorKind::Malformed
        };
        ArmError {
            status: Some(r.status),
            request_id: r.header("x-ms-request-id").map(str::to_owned),
            correlation_id: r.header("x-ms-correlation-request-id").map(str::to_owned),
            ..ArmError::new(kind, what.to_owned())
        }
    }

    /// Worth trying again as it is, without the user changing anything.
    pub fn is_transient(&self) -> bool {
        matches!(
            self.kind,
            ErrorKind::Server | ErrorKind::Network | ErrorKind::Throttled
        )
    }
}

impl std::fmt::Display for ArmError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (&self.status, &self.code) {
            (Some(s), Some(c)) => write!(f, "{s} {c}: {}", self.message),
            (Some(s), None) => write!(f, "{s}: {}", self.message),
            _ => write!(f, "{}", self.message),
        }
    }
}

impl std::error::Error for ArmError {}

fn looks_like_html(body: &str) -> bool {
    let head: String = body
        .trim_start()
        .chars()
        .take(64)
        .collect::<String>()
        .to_ascii_lowercase();
    head.starts_with("<!doctype html")
        || head.starts_with("<html")
        || head.starts_with("<head")
        || head.starts_with("<body")
}

/// ARM's 403 message says "does not have authorization to perform action 'X' over scope".
fn missing_action(message: &str) -> Option<String> {
    let after = message.split("perform action '").nth(1)?;
    let action = after.split('\'').next()?;
    (!action.is_empty() && action.len() < 200).then(|| action.to_owned())
}

fn default_message(status: u16, html: bool) -> String {
    if html {
        return format!("HTTP {status}: an HTML page came back instead of ARM's JSON");
    }
    match status {
        500..=599 => format!("HTTP {status}: Azure Resource Manager had a server error"),
        _ => format!("HTTP {status} without an error body"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(json: &str) -> Response {
        let v: serde_json::Value = serde_json::from_str(json).unwrap();
        let mut r = Response::new(v["status"].as_u64().unwrap() as u16, v["body"].to_string());
        if let Some(h) = v["headers"].as_object() {
            for (k, val) in h {
                r = r.with_header(k, val.as_str().unwrap());
            }
        }
        r.with_header("x-ms-request-id", "req-1")
    }

    #[test]
    fn expired_token_is_recognised() {
        let e = ArmError::from_response(&fixture(include_str!(
            "../../tests/fixtures/error-401-expired.json"
        )));
        assert_eq!(e.kind, ErrorKind::Unauthorized { expired: true });
        assert_eq!(e.code.as_deref(), Some("ExpiredAuthenticationToken"));
        assert_eq!(e.request_id.as_deref(), Some("req-1"));
    }

    #[test]
    fn forbidden_names_the_missing_action() {
        let e = ArmError::from_response(&fixture(include_str!(
            "../../tests/fixtures/error-403-authz.json"
        )));
        assert_eq!(
            e.kind,
            ErrorKind::Forbidden {
                action: Some(
                    "Microsoft.Network/loadBalancers/loadBalancingRules/health/action".into()
                )
            }
        );
    }

    #[test]
    fn throttling_carries_retry_after() {
        let e = ArmError::from_response(&fixture(include_str!(
            "../../tests/fixtures/error-429-throttled.json"
        )));
        assert_eq!(e.kind, ErrorKind::Throttled);
        assert_eq!(e.retry_after_s, Some(17));
        assert!(e.is_transient());
    }

    #[test]
    fn not_found_keeps_arm_code_and_message() {
        let e = ArmError::from_response(&fixture(include_str!(
            "../../tests/fixtures/error-404-notfound.json"
        )));
        assert_eq!(e.kind, ErrorKind::NotFound);
        assert!(e.message.contains("lb-gone"));
    }

    #[test]
    fn html_error_page_is_named_as_such() {
        let e = ArmError::from_response(&Response::new(
            502,
            "<!DOCTYPE html><html><body>Bad gateway</body></html>",
        ));
        assert_eq!(e.kind, ErrorKind::HtmlPage);
        assert_eq!(e.status, Some(502));
    }

    #[test]
    fn bare_message_bodies_are_read() {
        let e = ArmError::from_response(&Response::new(
            400,
            r#"{"message":"Expected bad request message"}"#,
        ));
        assert_eq!(e.kind, ErrorKind::Rejected);
        assert_eq!(e.message, "Expected bad request message");
    }

    #[test]
    fn unreadable_body_still_maps_by_status() {
        let e = ArmError::from_response(&Response::new(503, "{\"error\":"));
        assert_eq!(e.kind, ErrorKind::Server);
        assert!(e.message.contains("503"));
        assert_eq!(e.code, None);
    }

    /// Error bodies read as a plain derived `Envelope` reads them: the app's leniency (a body
    /// of the wrong form keeps the status's default message) changes nothing it could read.
    #[test]
    fn envelope_reads_as_the_derive_did() {
        #[derive(serde::Deserialize)]
        struct Envelope {
            error: Option<Body>,
            message: Option<String>,
        }
        #[derive(serde::Deserialize)]
        struct Body {
            code: Option<String>,
            message: Option<String>,
        }
        let bodies = [
            "",
            "null",
            "{}",
            "[]",
            "{\"error\":",
            r#"{"error":null,"message":"m"}"#,
            r#"{"error":{"code":"C","message":"M"},"message":"top"}"#,
            r#"{"error":{"code":"","message":null}}"#,
            r#"{"error":{"code":5}}"#,
            r#"{"error":"x","message":"m"}"#,
            r#"{"error":{"code":"a","code":"b"}}"#,
            r#"{"message":"a","message":"b"}"#,
            r#"["x",["C","M"]]"#,
            r#"[{"code":"C"},"m",1]"#,
            r#"{"error":{"code":"C","details":[{"code":"D"}],"target":null},"extra":[[[{}]]]}"#,
            r#"{"message":"m"} trailing"#,
        ];
        for body in bodies {
            let old = serde_json::from_str::<Envelope>(body).ok();
            let old_top = old.as_ref().and_then(|e| e.message.clone());
            let old_body = old.and_then(|e| e.error);
            let old_code = old_body
                .as_ref()
                .and_then(|b| b.code.clone())
                .filter(|c| !c.is_empty());
            let old_message = old_body
                .as_ref()
                .and_then(|b| b.message.clone())
                .or(old_top)
                .unwrap_or_default();
            let e = ArmError::from_response(&Response::new(400, body));
            assert_eq!(e.code, old_code, "{body}");
            assert_eq!(
                e.message,
                if old_message.is_empty() {
                    default_message(400, false)
                } else {
                    old_message
                },
                "{body}"
            );
        }
    }
}
