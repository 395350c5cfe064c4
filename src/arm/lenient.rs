//! Field readers for `#[serde(deserialize_with)]` that never fail a whole answer over one
//! odd field: Azure adds fields, nulls others, and a proxy or an older api-version may
//! send a number where a string was documented. What cannot be read becomes the default.

use serde::{Deserialize, Deserializer};

/// `null` (or a missing field, with `#[serde(default)]`) reads as the type's default.
pub use crate::http::json::nullable as null_default;

/// Any JSON value without nesting, as text; anything else reads as empty.
#[derive(Deserialize)]
#[serde(untagged)]
enum Scalar {
    Str(String),
    Num(f64),
    Bool(bool),
    Other(serde::de::IgnoredAny),
}

pub fn string<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(match Scalar::deserialize(d)? {
        Scalar::Str(s) => s,
        Scalar::Num(n) => n.to_string(),
        Scalar::Bool(b) => b.to_string(),
        Scalar::Other(_) => String::new(),
    })
}

/// A number, or a string holding one (some gateways quote numbers); else `None`.
pub fn number<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    Ok(match Scalar::deserialize(d)? {
        Scalar::Num(n) if n.is_finite() => Some(n),
        Scalar::Str(s) => s.trim().parse::<f64>().ok().filter(|n| n.is_finite()),
        _ => None,
    })
}

/// A list whose items that cannot be read are dropped rather than failing the list;
/// `null` or a non-list reads as empty.
pub fn list<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Vec<T>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Item<T> {
        Ok(T),
        Bad(serde::de::IgnoredAny),
    }
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum List<T> {
        List(Vec<Item<T>>),
        Other(serde::de::IgnoredAny),
    }
    Ok(match List::<T>::deserialize(d)? {
        List::List(items) => items
            .into_iter()
            .filter_map(|i| match i {
                Item::Ok(t) => Some(t),
                Item::Bad(_) => None,
            })
            .collect(),
        List::Other(_) => Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize, Debug, PartialEq, Default)]
    struct T {
        #[serde(default, deserialize_with = "string")]
        s: String,
        #[serde(default, deserialize_with = "number")]
        n: Option<f64>,
        #[serde(default, deserialize_with = "list")]
        l: Vec<u8>,
        #[serde(default, deserialize_with = "null_default")]
        d: Vec<u8>,
    }

    #[test]
    fn odd_values_read_as_defaults_not_errors() {
        let t: T =
            serde_json::from_str(r#"{"s":5,"n":"12.5","l":[1,"x",300,2],"d":null}"#).unwrap();
        assert_eq!(
            t,
            T {
                s: "5".into(),
                n: Some(12.5),
                l: vec![1, 2],
                d: vec![]
            }
        );
        let t: T = serde_json::from_str(r#"{"s":{"a":1},"n":{},"l":{"a":1}}"#).unwrap();
        assert_eq!(t, T::default());
        let t: T = serde_json::from_str(r#"{"s":null,"n":null,"l":null}"#).unwrap();
        assert_eq!(t, T::default());
    }
}
