//! The second step of Trunk's post_build hook (`cargo xtask post-build`, see Trunk.toml),
//! run by every `trunk build` and `trunk serve`. It makes the built index.html work under its own
//! Content-Security-Policy (the `<meta http-equiv>` in the source index.html), which has
//! `script-src 'self' 'wasm-unsafe-eval'` and no `'unsafe-inline'`:
//!
//! - Trunk writes the wasm loader as an inline `<script type="module">` (and, under
//!   `trunk serve`, its live-reload client as another inline script). Each one moves
//!   into its own file, `boot-<hash>.js` / `trunk-reload-<hash>.js`, next to index.html,
//!   and the tag becomes `<script ... src="{public_url}boot-<hash>.js">`, so the
//!   `--public-url /sub/` sub-path works like Trunk's own files.
//! - It then refuses (fails the build) if the page still has anything the policy would
//!   block at run time: an inline script, an inline event handler (`onclick=`), a
//!   `style` attribute or `<style>` element, a `javascript:` URL, or no CSP meta at all
//!   before the first script; or if the policy itself lost what docs/security.md
//!   promises (`policy`): no `'unsafe-inline'`, no `'unsafe-eval'`, `object-src 'none'`,
//!   `base-uri 'self'`; or if the page lost `<meta name="referrer" content="no-referrer">`.
//!
//! Why not a hash source (`'sha256-...'` for the inline loader): the loader's bytes change
//! with every build and differ between `trunk build` and `trunk serve`, so the policy in
//! the source could not name them; a file keeps the policy a constant a reviewer can read.
//!
//! Environment (set by Trunk): `TRUNK_STAGING_DIR` (where index.html was written) and
//! `TRUNK_PUBLIC_URL`.

use std::path::Path;

/// Trunk's live-reload client asks the server for its address through placeholders that
/// `trunk serve` fills in only inside HTML responses; in a .js file they must resolve on
/// the client, the way Trunk's own fallback does.
const TRUNK_ADDRESS: &str = "{{__TRUNK_ADDRESS__}}";
const TRUNK_WS_BASE: &str = "{{__TRUNK_WS_BASE__}}";

pub fn run(staging: &Path) -> i32 {
    let public_url = std::env::var("TRUNK_PUBLIC_URL").unwrap_or_else(|_| "/".into());
    match process_dir(staging, &public_url) {
        Ok(moved) => {
            for m in moved {
                println!("[csp] inline script moved to {m}");
            }
            0
        }
        Err(e) => {
            eprintln!("xtask csp: {e}");
            1
        }
    }
}

/// Rewrites `dir/index.html` in place and writes the script files beside it; returns
/// their names.
pub fn process_dir(dir: &Path, public_url: &str) -> Result<Vec<String>, String> {
    let index = dir.join("index.html");
    let html = std::fs::read_to_string(&index)
        .map_err(|e| format!("cannot read {}: {e}", index.display()))?;
    let out = externalize(&html, public_url)?;
    for (name, body) in &out.files {
        std::fs::write(dir.join(name), body).map_err(|e| format!("cannot write {name}: {e}"))?;
    }
    check(&out.html)?;
    std::fs::write(&index, &out.html)
        .map_err(|e| format!("cannot write {}: {e}", index.display()))?;
    Ok(out.files.into_iter().map(|(n, _)| n).collect())
}

pub struct Externalized {
    pub html: String,
    /// (file name, contents)
    pub files: Vec<(String, String)>,
}

/// Moves every inline `<script>` with a body into a file named after its content.
pub fn externalize(html: &str, public_url: &str) -> Result<Externalized, String> {
    let prefix = if public_url.ends_with('/') {
        public_url.to_owned()
    } else {
        format!("{public_url}/")
    };
    let mut out = String::with_capacity(html.len());
    let mut files = Vec::new();
    let mut rest = html;
    while let Some(start) = find_ci(rest, "<script") {
        out.push_str(&rest[..start]);
        let tag_end = rest[start..]
            .find('>')
            .map(|i| start + i + 1)
            .ok_or("an unterminated <script tag")?;
        let open = &rest[start..tag_end];
        let close = find_ci(&rest[tag_end..], "</script>")
            .map(|i| tag_end + i)
            .ok_or("a <script> without </script>")?;
        let body = &rest[tag_end..close];
        let after = close + "</script>".len();
        if has_attr(open, "src") || body.trim().is_empty() {
            out.push_str(&rest[start..after]);
        } else {
            let module = attr_value(open, "type").is_some_and(|t| t.eq_ignore_ascii_case("module"));
            let stem = if body.contains(TRUNK_ADDRESS) {
                "trunk-reload"
            } else if module {
                "boot"
            } else {
                "script"
            };
            let body = resolve_trunk_placeholders(body, &prefix);
            let name = format!("{stem}-{:016x}.js", fnv1a(body.as_bytes()));
            let attrs = open["<script".len()..open.len() - 1].trim_end();
            out.push_str(&format!("<script{attrs} src=\"{prefix}{name}\"></script>"));
            files.push((name, body));
        }
        rest = &rest[after..];
    }
    out.push_str(rest);
    Ok(Externalized { html: out, files })
}

fn resolve_trunk_placeholders(body: &str, public_url: &str) -> String {
    let ws_base = match public_url.split_once("://") {
        // An absolute public URL: the socket lives under its path.
        Some((_, rest)) => rest.find('/').map(|i| &rest[i..]).unwrap_or("/"),
        None => public_url,
    };
    body.replace(&format!("'{TRUNK_ADDRESS}'"), "window.location.host")
        .replace(&format!("`{TRUNK_ADDRESS}`"), "window.location.host")
        .replace(TRUNK_WS_BASE, ws_base)
}

/// Fails on anything in the page that the CSP would block at run time.
pub fn check(html: &str) -> Result<(), String> {
    let csp = find_ci(html, "http-equiv=\"content-security-policy\"").ok_or(
        "index.html has no <meta http-equiv=\"Content-Security-Policy\">: put it first in <head> of the source index.html",
    )?;
    if let Some(first_script) = find_ci(html, "<script") {
        if first_script < csp {
            return Err("a <script> comes before the Content-Security-Policy meta, which then does not cover it".into());
        }
    }
    let meta_start = html[..csp].rfind('<').unwrap_or(0);
    let meta_end = html[csp..].find('>').map_or(html.len(), |e| csp + e);
    policy(&attr_value(&html[meta_start..meta_end], "content").unwrap_or_default())?;
    if !metas(html).iter().any(|m| {
        attr_value(m, "name").is_some_and(|n| n.eq_ignore_ascii_case("referrer"))
            && attr_value(m, "content").as_deref() == Some("no-referrer")
    }) {
        return Err("index.html has no <meta name=\"referrer\" content=\"no-referrer\">: a redirect sign-in's return would send the code as a Referer".into());
    }
    if find_ci(html, "<style").is_some() {
        return Err(
            "index.html has a <style> element; style-src 'self' blocks it: move it to style/"
                .into(),
        );
    }
    let mut i = 0;
    while let Some(off) = html[i..].find('<') {
        let start = i + off;
        let end = html[start..].find('>').map_or(html.len(), |e| start + e);
        let tag = &html[start..end];
        let name = tag[1..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        i = (end + 1).min(html.len());
        if name.is_empty() {
            continue; // a closing tag, a comment or the doctype
        }
        for (attr, value) in attributes(tag) {
            if attr.starts_with("on") {
                return Err(format!(
                    "<{name}> has an inline event handler {attr}=; script-src blocks it"
                ));
            }
            if attr == "style" {
                return Err(format!(
                    "<{name}> has a style attribute; style-src 'self' blocks it"
                ));
            }
            if value
                .trim_start()
                .to_ascii_lowercase()
                .starts_with("javascript:")
            {
                return Err(format!(
                    "<{name}> has a javascript: URL; script-src blocks it"
                ));
            }
        }
        if name == "script" {
            let close = find_ci(&html[i..], "</script>").map_or(html.len(), |c| i + c);
            if !has_attr(tag, "src") && !html[i..close].trim().is_empty() {
                return Err("an inline <script> is left; script-src 'self' blocks it".into());
            }
            i = close;
        }
    }
    Ok(())
}

/// Checks the policy's content against what docs/security.md promises. Sources are
/// compared whole, so `'wasm-unsafe-eval'` (WebAssembly compilation only) is not
/// `'unsafe-eval'`.
pub fn policy(content: &str) -> Result<(), String> {
    let directives: Vec<(String, Vec<String>)> = content
        .split(';')
        .filter_map(|d| {
            let mut words = d.split_whitespace().map(str::to_ascii_lowercase);
            Some((words.next()?, words.collect()))
        })
        .collect();
    for (name, sources) in &directives {
        for banned in ["'unsafe-inline'", "'unsafe-eval'", "'unsafe-hashes'"] {
            if sources.iter().any(|s| s == banned) {
                return Err(format!(
                    "the Content-Security-Policy allows {banned} in {name}: it must not"
                ));
            }
        }
    }
    let sources = |name: &str| {
        directives
            .iter()
            .find(|(d, _)| d == name)
            .map(|(_, s)| s.join(" "))
    };
    if sources("object-src").as_deref() != Some("'none'") {
        return Err("the Content-Security-Policy must have object-src 'none' (no plugins)".into());
    }
    if sources("base-uri").as_deref() != Some("'self'") {
        return Err(
            "the Content-Security-Policy must have base-uri 'self' (no <base> hijack)".into(),
        );
    }
    Ok(())
}

/// Every `<meta ...>` opening tag.
fn metas(html: &str) -> Vec<&str> {
    let lower = html.to_ascii_lowercase();
    lower
        .match_indices("<meta")
        .map(|(i, _)| &html[i..html[i..].find('>').map_or(html.len(), |e| i + e)])
        .collect()
}

/// `(name, value)` of each attribute in an opening tag, names lower-cased.
fn attributes(tag: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let s = tag.trim_start_matches('<');
    let mut chars = s.char_indices().peekable();
    // Skip the tag name.
    while let Some(&(_, c)) = chars.peek() {
        if c.is_whitespace() || c == '/' {
            break;
        }
        chars.next();
    }
    loop {
        while chars
            .peek()
            .is_some_and(|&(_, c)| c.is_whitespace() || c == '/')
        {
            chars.next();
        }
        let Some(&(name_start, _)) = chars.peek() else {
            break;
        };
        let mut name_end = s.len();
        while let Some(&(i, c)) = chars.peek() {
            if c.is_whitespace() || c == '=' || c == '/' {
                name_end = i;
                break;
            }
            chars.next();
        }
        let name = s[name_start..name_end.min(s.len())].to_ascii_lowercase();
        while chars.peek().is_some_and(|&(_, c)| c.is_whitespace()) {
            chars.next();
        }
        let mut value = String::new();
        if chars.peek().is_some_and(|&(_, c)| c == '=') {
            chars.next();
            while chars.peek().is_some_and(|&(_, c)| c.is_whitespace()) {
                chars.next();
            }
            match chars.peek().map(|&(_, c)| c) {
                Some(q @ ('"' | '\'')) => {
                    chars.next();
                    for (_, c) in chars.by_ref() {
                        if c == q {
                            break;
                        }
                        value.push(c);
                    }
                }
                _ => {
                    while let Some(&(_, c)) = chars.peek() {
                        if c.is_whitespace() {
                            break;
                        }
                        value.push(c);
                        chars.next();
                    }
                }
            }
        }
        if name.is_empty() {
            break;
        }
        out.push((name, value));
    }
    out
}

fn has_attr(tag: &str, name: &str) -> bool {
    attributes(tag).iter().any(|(n, _)| n == name)
}

pub(crate) fn attr_value(tag: &str, name: &str) -> Option<String> {
    attributes(tag)
        .into_iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v)
}

fn find_ci(haystack: &str, needle: &str) -> Option<usize> {
    haystack
        .to_ascii_lowercase()
        .find(&needle.to_ascii_lowercase())
}

/// FNV-1a, 64-bit: a content hash for the file name (cache busting, like Trunk's own
/// names), not a security measure; no crate needed for it.
pub(crate) fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ *b as u64).wrapping_mul(0x0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const CSP: &str = r#"<meta http-equiv="Content-Security-Policy" content="default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; object-src 'none'; base-uri 'self'"><meta name="referrer" content="no-referrer">"#;

    fn page(head: &str) -> String {
        format!("<!DOCTYPE html><html><head>{CSP}<base href=\"/sub/\" />{head}</head><body><p>x</p></body></html>")
    }

    #[test]
    fn the_inline_loader_moves_to_a_file_under_the_public_url() {
        let html = page(
            "<script type=\"module\">\nimport init from '/sub/app.js';\nawait init();\n</script>",
        );
        let out = externalize(&html, "/sub/").unwrap();
        assert_eq!(out.files.len(), 1);
        let (name, body) = &out.files[0];
        assert!(name.starts_with("boot-") && name.ends_with(".js"), "{name}");
        assert!(body.contains("await init();"));
        assert!(
            out.html.contains(&format!(
                "<script type=\"module\" src=\"/sub/{name}\"></script>"
            )),
            "{}",
            out.html
        );
        check(&out.html).unwrap();
    }

    #[test]
    fn the_name_follows_the_content() {
        let a = externalize(&page("<script type=module>a()</script>"), "/").unwrap();
        let b = externalize(&page("<script type=module>b()</script>"), "/").unwrap();
        assert_ne!(a.files[0].0, b.files[0].0);
        assert_eq!(
            a.files[0].0,
            externalize(&page("<script type=module>a()</script>"), "/")
                .unwrap()
                .files[0]
                .0
        );
    }

    #[test]
    fn the_serve_reload_client_resolves_its_address_in_the_browser() {
        let html = page("<script>const address = '{{__TRUNK_ADDRESS__}}'; const base = '{{__TRUNK_WS_BASE__}}';</script>");
        let out = externalize(&html, "/").unwrap();
        let (name, body) = &out.files[0];
        assert!(name.starts_with("trunk-reload-"), "{name}");
        assert_eq!(
            body,
            "const address = window.location.host; const base = '/';"
        );
        assert!(out
            .html
            .contains(&format!("<script src=\"/{name}\"></script>")));
    }

    #[test]
    fn external_scripts_stay() {
        let html = page("<script src=\"/a.js\"></script>");
        let out = externalize(&html, "/").unwrap();
        assert!(out.files.is_empty());
        assert_eq!(out.html, html);
    }

    #[test]
    fn what_the_policy_would_block_fails_the_build() {
        assert!(check(&page("<script>alert(1)</script>"))
            .unwrap_err()
            .contains("inline <script>"));
        assert!(check(&page("<img src=x onerror=alert(1)>"))
            .unwrap_err()
            .contains("onerror"));
        assert!(check(&page("<p style=\"color:red\">x</p>"))
            .unwrap_err()
            .contains("style attribute"));
        assert!(check(&page("<style>p{}</style>"))
            .unwrap_err()
            .contains("<style>"));
        assert!(check(&page("<a href=\" JavaScript:alert(1)\">x</a>"))
            .unwrap_err()
            .contains("javascript:"));
        assert!(
            check("<html><head><script src=a.js></script></head></html>")
                .unwrap_err()
                .contains("no <meta")
        );
        assert!(check(&format!(
            "<html><head><script src=a.js></script>{CSP}</head></html>"
        ))
        .unwrap_err()
        .contains("before"));
        check(&page("<link rel=\"stylesheet\" href=\"/app.css\"><script type=\"module\" src=\"/boot.js\"></script>")).unwrap();
    }

    #[test]
    fn a_policy_that_lost_a_promise_fails_the_build() {
        let with = |policy: &str| {
            format!(
                r#"<html><head><meta http-equiv="Content-Security-Policy" content="{policy}"><meta name="referrer" content="no-referrer"></head></html>"#
            )
        };
        let good = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; object-src 'none'; base-uri 'self'";
        check(&with(good)).unwrap();
        for (policy, says) in [
            ("default-src 'self'; script-src 'self' 'unsafe-inline'; object-src 'none'; base-uri 'self'", "'unsafe-inline'"),
            ("default-src 'self'; script-src 'self' 'unsafe-eval'; object-src 'none'; base-uri 'self'", "'unsafe-eval'"),
            ("default-src 'self'; style-src 'self' 'UNSAFE-INLINE'; object-src 'none'; base-uri 'self'", "'unsafe-inline'"),
            ("default-src 'self'; script-src 'self'; base-uri 'self'", "object-src"),
            ("default-src 'self'; object-src 'self'; base-uri 'self'", "object-src"),
            ("default-src 'self'; object-src 'none'", "base-uri"),
            ("default-src 'self'; object-src 'none'; base-uri *", "base-uri"),
        ] {
            assert!(check(&with(policy)).unwrap_err().contains(says), "{policy}");
        }
        let no_referrer = format!(
            r#"<html><head><meta http-equiv="Content-Security-Policy" content="{good}"></head></html>"#
        );
        assert!(check(&no_referrer).unwrap_err().contains("referrer"));
    }

    #[test]
    fn the_source_index_html_keeps_its_promises() {
        let html =
            std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../index.html")).unwrap();
        check(&html).unwrap();
    }
}
