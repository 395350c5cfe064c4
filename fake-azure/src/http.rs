//! Building answers and reading requests, for every listener.

use std::collections::HashMap;

use axum::body::Body;
use axum::http::{HeaderValue, StatusCode};
use axum::response::Response;
use serde::Serialize;

/// A request header's value, when it is text.
pub(crate) fn header(parts: &axum::http::request::Parts, name: &str) -> Option<String> {
    parts
        .headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// Sets a header, skipping values that are not valid header text.
pub(crate) fn set(r: &mut Response, name: &'static str, value: &str) {
    if let Ok(v) = HeaderValue::from_str(value) {
        r.headers_mut().insert(name, v);
    }
}

pub(crate) fn raw(status: u16, content_type: &str, body: impl Into<Body>) -> Response {
    let mut r = Response::new(body.into());
    *r.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    if !content_type.is_empty() {
        set(&mut r, "content-type", content_type);
    }
    r
}

pub(crate) fn json<T: Serialize>(status: u16, body: &T) -> Response {
    raw(
        status,
        "application/json; charset=utf-8",
        serde_json::to_string(body).unwrap_or_default(),
    )
}

pub(crate) fn html(status: u16, body: String) -> Response {
    raw(status, "text/html; charset=utf-8", body)
}

/// ARM's raw (undecoded) query lookup: ARM matches parameter names case-insensitively.
pub(crate) fn query_param<'a>(query: &'a str, name: &str) -> Option<&'a str> {
    query
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v)
}

/// A decoded query string or `application/x-www-form-urlencoded` body (`+` is a space).
/// The first of repeated names wins, as in Entra.
pub(crate) fn form(text: &str) -> HashMap<String, String> {
    let mut params = HashMap::new();
    for (k, v) in form_urlencoded::parse(text.as_bytes()) {
        params
            .entry(k.into_owned())
            .or_insert_with(|| v.into_owned());
    }
    params
}

/// `name=value&...`, encoded as a browser encodes a form (what Entra puts in redirects).
pub(crate) fn encode_pairs(pairs: &[(&str, &str)]) -> String {
    let mut s = form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        s.append_pair(k, v);
    }
    s.finish()
}

pub(crate) fn escape_html(s: &str) -> String {
    s.chars()
        .fold(String::with_capacity(s.len()), |mut out, c| {
            match c {
                '&' => out.push_str("&amp;"),
                '<' => out.push_str("&lt;"),
                '>' => out.push_str("&gt;"),
                '"' => out.push_str("&quot;"),
                '\'' => out.push_str("&#39;"),
                c => out.push(c),
            }
            out
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_params_are_case_insensitive() {
        assert_eq!(
            query_param("API-Version=1&$skiptoken=3", "api-version"),
            Some("1")
        );
        assert_eq!(query_param("a=1", "$skiptoken"), None);
    }

    #[test]
    fn forms_decode_plus_and_percent_and_keep_the_first_value() {
        let f =
            form("scope=openid+profile&redirect_uri=http%3A%2F%2F127.0.0.1%3A8080%2F&scope=other");
        assert_eq!(f["scope"], "openid profile");
        assert_eq!(f["redirect_uri"], "http://127.0.0.1:8080/");
    }

    #[test]
    fn pairs_encode_like_a_browser_form() {
        assert_eq!(
            encode_pairs(&[("error_description", "AADSTS65004: User declined.")]),
            "error_description=AADSTS65004%3A+User+declined."
        );
    }

    #[test]
    fn html_escaping_covers_attribute_quotes() {
        assert_eq!(
            escape_html(r#"a?b=1&c="<x>"'"#),
            "a?b=1&amp;c=&quot;&lt;x&gt;&quot;&#39;"
        );
    }
}
