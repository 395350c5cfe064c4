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
        self.message.strip_prefix("duplicate field `")?.strip_suffix('`')
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
        JsonError { message, path, line: e.line(), column: e.column(), is_type: e.is_data() }
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
pub fn parse<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, JsonError> {
    let mut de = serde_json::Deserializer::from_str(text);
    let mut track = serde_path_to_error::Track::new();
    let value = T::deserialize(serde_path_to_error::Deserializer::new(&mut de, &mut track))
        .map_err(|e| JsonError::new(e, segments(track.path())))?;
    de.end().map_err(|e| JsonError::new(e, Vec::new()))?;
    Ok(value)
}

fn segments(path: serde_path_to_error::Path) -> Vec<String> {
    use serde_path_to_error::Segment;
    path.iter()
        .map(|s| match s {
            Segment::Seq { index } => format!("[{index}]"),
            Segment::Map { key } => key.clone(),
            Segment::Enum { variant } => variant.clone(),
            Segment::Unknown => "?".to_owned(),
        })
        .collect()
}

/// `null` reads as the field's default, as a missing field does: for
/// `#[serde(deserialize_with = "nullable")]` on any field whose type has a default.
pub fn nullable<'de, D: Deserializer<'de>, T: Default + Deserialize<'de>>(d: D) -> Result<T, D::Error> {
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
        assert!(e.to_string().starts_with("items[1].port: invalid type: string \"x\""), "{e}");
        assert!(e.to_string().ends_with(" at line 1 column 32"), "{e}");
        let e = parse::<Outer>(r#"{"name":"a","name":"b"}"#).unwrap_err();
        assert_eq!(e.duplicate(), Some("name"));
        let e = parse::<Outer>("{} x").unwrap_err();
        assert_eq!(e.to_string(), "unexpected text after the end at line 1 column 4");
        assert!(!e.is_type);
        assert_eq!(parse::<Outer>(r#"{"items":["#).unwrap_err().message, "unexpected end of the text");
    }

    #[test]
    fn null_and_missing_read_as_the_default() {
        assert_eq!(parse::<Outer>(r#"{"name":null,"other":[[{}]]}"#).unwrap(), Outer::default());
        assert_eq!(parse::<Outer>("{}").unwrap(), Outer::default());
    }

    #[test]
    fn nesting_is_bounded_without_overflowing_the_stack() {
        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        let e = parse::<serde_json::Value>(&deep).unwrap_err();
        assert!(e.message.starts_with("recursion limit exceeded"), "{e}");
        // An unknown field may nest deeper: it is skipped without recursion.
        let skipped = format!(r#"{{"other":{}1{}}}"#, "[".repeat(100_000), "]".repeat(100_000));
        assert_eq!(parse::<Outer>(&skipped).unwrap(), Outer::default());
    }
}
