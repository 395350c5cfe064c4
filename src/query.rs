//! An address's query string as `application/x-www-form-urlencoded` pairs.
//!
//! Hand-written rather than `url::form_urlencoded`: that is the only part of the `url`
//! crate the page itself needs (deep links, Entra's answer), and linking the crate for it
//! cost the main wasm its parser and IDNA code. `url` stays in the sign-in worker, where
//! `oauth2` needs it.

/// The query's pairs in order, decoded; a leading `?` is ignored, and a pair without
/// `=` has an empty value.
pub fn pairs(query: &str) -> impl Iterator<Item = (String, String)> + '_ {
    query.trim_start_matches('?').split('&').filter(|p| !p.is_empty()).map(|pair| {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        (decode(k), decode(v))
    })
}

/// `+` is a space and `%XX` a byte; a broken escape stays as written and invalid UTF-8
/// becomes U+FFFD, so no input fails.
pub fn decode(s: &str) -> String {
    let hex = |b: u8| (b as char).to_digit(16).map(|d| d as u8);
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push(h << 4 | l);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(q: &str) -> Vec<(String, String)> {
        pairs(q).collect()
    }

    #[test]
    fn pairs_are_split_and_decoded_in_order() {
        assert_eq!(
            all("?code=a%2Fb&state=p.x&error_description=AADSTS65004%3A+User+declined"),
            [("code".into(), "a/b".into()), ("state".into(), "p.x".into()), ("error_description".into(), "AADSTS65004: User declined".into())]
                as [(String, String); 3]
        );
    }

    #[test]
    fn empty_pairs_and_missing_values_are_tolerated() {
        assert_eq!(all(""), Vec::<(String, String)>::new());
        assert_eq!(all("?&&embed&q="), [("embed".into(), String::new()), ("q".into(), String::new())]);
    }

    #[test]
    fn escapes_decode_to_utf8_and_broken_ones_stay() {
        assert_eq!(decode("caf%C3%A9"), "café");
        assert_eq!(decode("100%"), "100%");
        assert_eq!(decode("%4"), "%4");
        assert_eq!(decode("%zz"), "%zz");
        assert_eq!(decode("%E2%82"), "\u{FFFD}");
        assert_eq!(decode("a=b"), "a=b");
    }
}
