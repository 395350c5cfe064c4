//! JSON bodies, read and written by serde's derive. Every type that crosses JSON (ARM's
//! payloads, config.json, a pasted `az` answer, the workers' messages, the exports) is a
//! `#[derive(Deserialize)]` struct read through [`parse`], which adds what serde_json
//! alone does not say: the path of the field an error is in.
//!
//! Nesting depth is bounded: serde_json refuses more than 128 arrays and objects inside
//! each other (its recursion limit, on by default), so a hostile body fails with an
//! error instead of overflowing the stack; values it skips (unknown fields) are passed
//! over without recursion.

use serde::{Deserialize, Deserializer};

/// Why a text did not read as the type asked for, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonError {
    /// serde_json's words, without its position.
    pub message: String,
    /// The fields (and list indices, as `[0]`) the error is inside, outermost first.
    pub path: Vec<String>,
    /// 1-based; 0 when serde_json did not say.
    pub line: usize,
    pub column: usize,
    /// The text was JSON but a value did not fit its field (wrong type, out of range).
    pub is_type: bool,
}

impl JsonError {
    /// The field named twice, for a `duplicate field` error (a struct's field given twice).
    pub fn duplicate(&self) -> Option<&str> {
        self.message
            .strip_prefix("duplicate field `")?
            .strip_suffix('`')
    }

    /// The path as written in a message: `properties.probes[0].port`.
    pub fn path_text(&self) -> String {
        let mut out = String::new();
        for p in &self.path {
            if !out.is_empty() && !p.starts_with('[') {
                out.push('.');
            }
            out.push_str(p);
        }
        out
    }

    fn new(e: serde_json::Error, path: Vec<String>) -> Self {
        let full = e.to_string();
        // serde_json appends " at line L column C" when it knows where.
        let message = match full.rfind(" at line ") {
            Some(i) if e.line() > 0 => full[..i].to_owned(),
            _ => full,
        };
        // The two texts that read differently from what the app said before serde.
        let message = if e.is_eof() {
            "unexpected end of the text".to_owned()
        } else if message == "trailing characters" {
            "unexpected text after the end".to_owned()
        } else {
            message
        };
        JsonError {
            message,
            path,
            line: e.line(),
            column: e.column(),
            is_type: e.is_data(),
        }
    }
}

impl std::fmt::Display for JsonError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // No parentheses: callers quote this message inside their own.
        let path = self.path_text();
        if path.is_empty() {
            write!(f, "{}", self.message)?;
        } else {
            write!(f, "{}: {}", path, self.message)?;
        }
        if self.line > 0 {
            write!(f, " at line {} column {}", self.line, self.column)?;
        }
        Ok(())
    }
}

impl std::error::Error for JsonError {}

/// Parses the whole of `text` as a `T`; text after the value fails.
///
/// serde_json parses; the path of a failure is read back from the text afterwards
/// (`path_at`). `serde_path_to_error` would track it during the parse, but it wraps every
/// type's deserializer in a second form: measured 21.8 KB gzip of the page's wasm.
pub fn parse<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, JsonError> {
    serde_json::from_str(text).map_err(|e| {
        let path = if e.is_data() {
            path_at(text, e.line(), e.column())
        } else {
            Vec::new()
        };
        let mut err = JsonError::new(e, path);
        // A repeated field is reported at its second key, which the path would end with;
        // the path names where it is, as for any other error.
        if err
            .duplicate()
            .is_some_and(|d| err.path.last().is_some_and(|l| l == d))
        {
            err.path.pop();
        }
        err
    })
}

/// The fields and list indices (`[0]`) that contain the place serde_json reported (its
/// 1-based line and byte column), outermost first. serde_json reports a type error just
/// after or at the start of the value in question, so the innermost key is that field.
/// Only ever run on a text serde_json has read up to that place, so it is well formed
/// there.
fn path_at(text: &str, line: usize, column: usize) -> Vec<String> {
    enum Frame {
        Object {
            key: Option<String>,
            expect_key: bool,
        },
        Array {
            index: usize,
        },
    }
    let line_start = match line {
        0 | 1 => 0,
        n => text
            .match_indices('\n')
            .nth(n - 2)
            .map_or(text.len(), |(i, _)| i + 1),
    };
    let end = (line_start + column).min(text.len());
    let bytes = &text.as_bytes()[..end];
    let mut stack: Vec<Frame> = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'{' => stack.push(Frame::Object {
                key: None,
                expect_key: true,
            }),
            b'[' => stack.push(Frame::Array { index: 0 }),
            b'}' | b']' => {
                stack.pop();
            }
            b',' => match stack.last_mut() {
                Some(Frame::Array { index }) => *index += 1,
                Some(Frame::Object { expect_key, .. }) => *expect_key = true,
                None => {}
            },
            b':' => {
                if let Some(Frame::Object { expect_key, .. }) = stack.last_mut() {
                    *expect_key = false;
                }
            }
            b'"' => {
                let start = i + 1;
                i = start;
                while i < bytes.len() && bytes[i] != b'"' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                if let Some(Frame::Object {
                    key,
                    expect_key: true,
                }) = stack.last_mut()
                {
                    let raw = &text[start..i.min(end)];
                    *key = Some(
                        serde_json::from_str(&format!("\"{raw}\""))
                            .unwrap_or_else(|_| raw.to_owned()),
                    );
                }
            }
            _ => {}
        }
        i += 1;
    }
    stack
        .into_iter()
        .filter_map(|f| match f {
            Frame::Object { key, .. } => key,
            Frame::Array { index } => Some(format!("[{index}]")),
        })
        .collect()
}

/// `null` reads as the field's default, as a missing field does: for
/// `#[serde(deserialize_with = "nullable")]` on any field whose type has a default.
pub fn nullable<'de, D: Deserializer<'de>, T: Default + Deserialize<'de>>(
    d: D,
) -> Result<T, D::Error> {
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Default, Deserialize, PartialEq)]
    #[serde(default)]
    struct Outer {
        #[serde(deserialize_with = "nullable")]
        name: String,
        items: Vec<Inner>,
    }

    #[derive(Debug, Default, Deserialize, PartialEq)]
    #[serde(default)]
    struct Inner {
        port: u16,
    }

    #[test]
    fn errors_name_the_field_and_the_place() {
        let e = parse::<Outer>(r#"{"items":[{"port":1},{"port":"x"}]}"#).unwrap_err();
        assert_eq!(e.path_text(), "items[1].port");
        assert!(e.is_type);
        assert!(
            e.to_string()
                .starts_with("items[1].port: invalid type: string \"x\""),
            "{e}"
        );
        assert!(e.to_string().ends_with(" at line 1 column 32"), "{e}");
        let e = parse::<Outer>(r#"{"name":"a","name":"b"}"#).unwrap_err();
        assert_eq!(e.duplicate(), Some("name"));
        let e = parse::<Outer>("{} x").unwrap_err();
        assert_eq!(
            e.to_string(),
            "unexpected text after the end at line 1 column 4"
        );
        assert!(!e.is_type);
        assert_eq!(
            parse::<Outer>(r#"{"items":["#).unwrap_err().message,
            "unexpected end of the text"
        );
    }

    #[test]
    fn the_path_is_read_back_from_the_place_of_the_error() {
        let e = parse::<Outer>("{\n  \"name\": \"a\",\n  \"items\": [\n    {\"port\": 1},\n    {\"port\": true}\n  ]\n}").unwrap_err();
        assert_eq!(e.path_text(), "items[1].port", "{e}");
        let e = parse::<Outer>(r#"{"na\"me":1,"items":[{"x":[1,{"y":"]"}],"port":70000}]}"#)
            .unwrap_err();
        assert_eq!(e.path_text(), "items[0].port", "{e}");
        let e = parse::<Outer>(r#"{"name":{"deep":[1,2]}}"#).unwrap_err();
        assert_eq!(e.path_text(), "name", "{e}");
        assert_eq!(path_at("{\"a\":[", 1, 100), ["a", "[0]"]);
        assert!(path_at("", 3, 9).is_empty());
    }

    #[test]
    fn null_and_missing_read_as_the_default() {
        assert_eq!(
            parse::<Outer>(r#"{"name":null,"other":[[{}]]}"#).unwrap(),
            Outer::default()
        );
        assert_eq!(parse::<Outer>("{}").unwrap(), Outer::default());
    }

    #[test]
    fn nesting_is_bounded_without_overflowing_the_stack() {
        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        let e = parse::<serde_json::Value>(&deep).unwrap_err();
        assert!(e.message.starts_with("recursion limit exceeded"), "{e}");
        // An unknown field may nest deeper: it is skipped without recursion.
        let skipped = format!(
            r#"{{"other":{}1{}}}"#,
            "[".repeat(100_000),
            "]".repeat(100_000)
        );
        assert_eq!(parse::<Outer>(&skipped).unwrap(), Outer::default());
    }
}
