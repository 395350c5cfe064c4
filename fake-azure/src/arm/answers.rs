//! ARM's canned answers: its error shapes, and the CORS and request-id headers it adds.

use axum::response::Response;
use serde_json::json;

use crate::http::{html, json, raw, set};
use crate::Fault;

const EXPOSED: [&str; 4] = [
    "Location",
    "Retry-After",
    "x-ms-request-id",
    "x-ms-correlation-request-id",
];
/// ARM's message for a token past its `exp` (the real one names both times).
pub(super) const EXPIRED: &str =
    "The access token expiry UTC time is earlier than current UTC time.";
const METHODS: &str = "GET, POST, PUT, DELETE, PATCH, OPTIONS, HEAD";

pub(super) fn error(status: u16, code: &str, message: &str) -> Response {
    json(
        status,
        &json!({ "error": { "code": code, "message": message } }),
    )
}

pub(super) fn unauthorized(code: &str, message: &str) -> Response {
    let mut r = error(401, code, message);
    let www = format!(
        "Bearer authorization_uri=\"https://login.microsoftonline.com/{}\", error=\"invalid_token\", error_description=\"{message}\"",
        lb_health::demo::estate::TENANT
    );
    set(&mut r, "www-authenticate", &www);
    r
}

pub(super) fn forbidden(scope: &str) -> Response {
    let message = format!(
        "The client 'user@contoso.com' with object id '22222222-2222-2222-2222-222222222222' does not have authorization to perform action \
         'Microsoft.Network/loadBalancers/loadBalancingRules/health/action' over scope '{scope}' or the scope is invalid. \
         If access was recently granted, please refresh your credentials."
    );
    error(403, "AuthorizationFailed", &message)
}

pub(super) fn throttled(retry_after: u32) -> Response {
    let mut r = error(
        429,
        "TooManyRequests",
        "The request is being throttled as the limit has been reached for operation type - Read. \
         Please retry after the time given in the Retry-After header.",
    );
    set(&mut r, "retry-after", &retry_after.to_string());
    set(&mut r, "x-ms-ratelimit-remaining-subscription-reads", "0");
    r
}

pub(super) fn server_error(status: u16) -> Response {
    match status {
        503 => error(
            503,
            "ServiceUnavailable",
            "The service is temporarily unavailable. Please try again later.",
        ),
        502 => error(
            502,
            "BadGateway",
            "The gateway received an invalid response from the upstream server.",
        ),
        504 => error(
            504,
            "GatewayTimeout",
            "The gateway did not receive a response from the upstream server in time.",
        ),
        s => error(
            s,
            "InternalServerError",
            "Encountered internal server error. Please try again later.",
        ),
    }
}

pub(super) fn html_502() -> Response {
    html(
        502,
        "<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head>\
         <body><h1>Bad gateway</h1><p>The upstream server returned an invalid response.</p></body></html>"
            .into(),
    )
}

pub(super) fn preflight(request_headers: Option<String>) -> Response {
    let mut r = raw(204, "", "");
    set(&mut r, "access-control-allow-origin", "*");
    set(&mut r, "access-control-allow-methods", METHODS);
    if let Some(h) = request_headers {
        set(&mut r, "access-control-allow-headers", &h);
    }
    set(&mut r, "access-control-max-age", "3600");
    r
}

/// ARM's CORS answer headers and request ids, on every non-preflight answer.
pub(super) fn finish(r: &mut Response, fault: &Fault, request_id: String, correlation: String) {
    let exposed: Vec<&str> = EXPOSED
        .iter()
        .copied()
        .filter(|h| match fault {
            Fault::HiddenLocation => *h != "Location",
            Fault::HiddenRetryAfter => *h != "Retry-After",
            _ => true,
        })
        .collect();
    set(r, "access-control-allow-origin", "*");
    set(r, "access-control-expose-headers", &exposed.join(", "));
    set(r, "x-ms-request-id", &request_id);
    set(r, "x-ms-correlation-request-id", &correlation);
}
