use super::*;

static STR: Shape = Shape::Str;
static LENIENT: Shape = Shape::Lenient;
static LIST: Shape = Shape::Seq(&STR);
static OBJ: Shape = Shape::Struct(&[("a", &Shape::Opt(&Shape::U16)), ("b", &STR)]);
static DEEP: Shape = Shape::Struct(&[("x", &Shape::Struct(&[("port", &Shape::U16)]))]);

fn kind(text: &str, shape: &'static Shape) -> JsonErrorKind {
    read_json(text, shape).unwrap_err().kind
}

#[test]
fn string_escapes_are_decoded() {
    let text = r#""q\"b\\s\/\n\r\t\b\f\u0041\u00e9\u20ac\ud83d\ude00 raw é😀""#;
    assert_eq!(read_json(text, &STR), Ok(Json::str("q\"b\\s/\n\r\t\u{8}\u{c}Aé€😀 raw é😀")));
    // What serde_json reads, so the oracle agrees on every escape.
    assert_eq!(read_json(text, &STR).unwrap(), Json::Str(serde_json::from_str::<String>(text).unwrap()));
}

#[test]
fn unpaired_surrogates_and_bad_escapes_fail() {
    for bad in [r#""\ud83d""#, r#""\ud83dx""#, r#""\ud83d\u0041""#, r#""\ude00""#, r#""\x""#, r#""\u12""#, r#""\u12g4""#] {
        assert!(matches!(kind(bad, &STR), JsonErrorKind::Syntax(_)), "{bad}");
        assert!(serde_json::from_str::<String>(bad).is_err(), "the oracle agrees: {bad}");
    }
    assert_eq!(kind("\"a\u{1}b\"", &STR), JsonErrorKind::Syntax(Expected::EscapedControl));
    assert_eq!(kind("\"abc", &STR), JsonErrorKind::Eof);
    assert_eq!(kind("\"abc\\", &STR), JsonErrorKind::Eof);
}

/// Skipped values are checked for form only, as serde_json's skipping does: a lone
/// surrogate in an unknown field passes, a broken escape does not.
#[test]
fn skipped_strings_are_checked_for_form() {
    assert!(read_json(r#"{"other":"\ud800","b":"x"}"#, &OBJ).is_ok());
    assert!(read_json(r#"{"other":"\q"}"#, &OBJ).is_err());
    assert!(read_json("{\"other\":\"\u{1}\"}", &OBJ).is_err());
}

#[test]
fn empty_and_whitespace_only_text_is_the_end_of_the_text() {
    for text in ["", " ", "\n\t\r "] {
        assert_eq!(kind(text, &OBJ), JsonErrorKind::Eof, "{text:?}");
    }
}

/// Refused, as serde_json does; `fetch`'s `text()` strips a BOM before we see the body.
#[test]
fn a_byte_order_mark_is_refused() {
    assert_eq!(kind("\u{feff}{}", &OBJ), JsonErrorKind::Syntax(Expected::Value));
}

#[test]
fn text_after_the_value_fails_but_whitespace_does_not() {
    assert!(read_json(" {\"b\":\"x\"} \n", &OBJ).is_ok());
    assert_eq!(kind(r#"{"b":"x"} {}"#, &OBJ), JsonErrorKind::Trailing);
    assert_eq!(kind(r#"["a"]]"#, &LIST), JsonErrorKind::Trailing);
}

#[test]
fn trailing_commas_and_missing_separators_fail() {
    for bad in [r#"["a",]"#, r#"["a" "b"]"#, "[,]"] {
        assert!(read_json(bad, &LIST).is_err(), "{bad}");
    }
    for bad in [r#"{"b":"x",}"#, r#"{"b" "x"}"#, r#"{b:"x"}"#, r#"{"other":[1,],"b":"x"}"#, r#"{"other":{"k":1,}}"#] {
        assert!(read_json(bad, &OBJ).is_err(), "{bad}");
    }
}

#[test]
fn integers_are_checked_against_their_range() {
    assert_eq!(read_json(r#"{"a":65535}"#, &OBJ), Ok(Json::Record(vec![Json::Num(65535), Json::Null])));
    assert_eq!(kind(r#"{"a":65536}"#, &OBJ), JsonErrorKind::OutOfRange(Want::U16));
    assert_eq!(kind(r#"{"a":-1}"#, &OBJ), JsonErrorKind::OutOfRange(Want::U16));
    assert_eq!(kind(r#"{"a":1.0}"#, &OBJ), JsonErrorKind::WrongType { want: Want::U16, found: Found::Decimal });
    // `-0` is a decimal to serde_json, so not a u16.
    assert_eq!(kind(r#"{"a":-0}"#, &OBJ), JsonErrorKind::WrongType { want: Want::U16, found: Found::Decimal });
    assert_eq!(kind(r#"{"a":"5"}"#, &OBJ), JsonErrorKind::WrongType { want: Want::U16, found: Found::String });
    static I64: Shape = Shape::I64;
    assert_eq!(read_json("-9223372036854775808", &I64), Ok(Json::Neg(i64::MIN)));
    assert_eq!(read_json("9223372036854775807", &I64), Ok(Json::Num(i64::MAX as u64)));
    assert_eq!(kind("9223372036854775808", &I64), JsonErrorKind::OutOfRange(Want::I64));
    assert!(matches!(kind("-9223372036854775809", &I64), JsonErrorKind::WrongType { .. }));
    static U64: Shape = Shape::U64;
    assert_eq!(read_json("18446744073709551615", &U64), Ok(Json::Num(u64::MAX)));
    assert!(read_json("18446744073709551616", &U64).is_err());
}

#[test]
fn number_syntax_is_json_s() {
    for bad in ["01", "-", "+1", ".5", "1.", "1e", "1e+", "0x10", "- 1", "1.e5", "NaN", "Infinity"] {
        assert!(read_json(bad, &LENIENT).is_err(), "{bad}");
        assert!(serde_json::from_str::<serde_json::Value>(bad).is_err(), "the oracle agrees: {bad}");
        assert!(read_json(&format!(r#"{{"other":{bad},"b":"x"}}"#), &OBJ).is_err(), "skipped: {bad}");
    }
}

/// A lenient number: negative is 0, a fraction or exponent truncates, past u64 saturates,
/// past any float fails (as serde_json's `f64` would be infinite).
#[test]
fn lenient_numbers_truncate_saturate_and_overflow() {
    let n = |text: &str| read_json(text, &LENIENT);
    assert_eq!(n("7"), Ok(Json::Num(7)));
    assert_eq!(n("-7"), Ok(Json::Num(0)));
    assert_eq!(n("-0.0"), Ok(Json::Num(0)));
    assert_eq!(n("1.9"), Ok(Json::Num(1)));
    assert_eq!(n("0.000001e6"), Ok(Json::Num(1)));
    assert_eq!(n("1E3"), Ok(Json::Num(1000)));
    assert_eq!(n("12.5e-1"), Ok(Json::Num(1)));
    assert_eq!(n("1e-400"), Ok(Json::Num(0)));
    assert_eq!(n("0e999999999999999999999"), Ok(Json::Num(0)));
    assert_eq!(n("18446744073709551616"), Ok(Json::Num(u64::MAX)));
    assert_eq!(n("1e300"), Ok(Json::Num(u64::MAX)));
    assert_eq!(n("1.7976931348623157e308"), Ok(Json::Num(u64::MAX)));
    assert_eq!(n("-1.7976931348623157e308"), Ok(Json::Num(0)));
    for huge in ["1e309", "1.8e308", "-1e400", "1e99999999999999999999", &"9".repeat(400)] {
        assert_eq!(n(huge), Err(read_json(huge, &LENIENT).unwrap_err()));
        assert_eq!(n(huge).unwrap_err().kind, JsonErrorKind::OutOfRange(Want::Number), "{huge}");
        assert!(serde_json::from_str::<serde_json::Value>(huge).is_err(), "the oracle agrees: {huge}");
    }
    // Skipped, a huge number is only checked for form, as serde_json skips it.
    assert!(read_json(r#"{"other":1e400,"b":"x"}"#, &OBJ).is_ok());
}

#[test]
fn lenient_reads_strings_numbers_and_ids_and_empties_the_rest() {
    let n = |text: &str| read_json(text, &LENIENT).unwrap();
    assert_eq!(n(r#""x""#), Json::str("x"));
    assert_eq!(n("null"), Json::Null);
    assert_eq!(n("true"), Json::Null);
    assert_eq!(n(r#"[1,{"id":"x"},[[]]]"#), Json::Null);
    assert_eq!(n(r#"{"id":"a","other":{"id":"b"},"id":"c"}"#), Json::str("c"));
    assert_eq!(n(r#"{"id":"a","id":5}"#), Json::str("a"));
    assert_eq!(n(r#"{"id":{"id":"deep"}}"#), Json::str("deep"));
}

#[test]
fn a_known_field_given_twice_fails_and_an_unknown_one_does_not() {
    let e = read_json(r#"{"b":"x","b":"y"}"#, &OBJ).unwrap_err();
    assert_eq!(e.kind, JsonErrorKind::Duplicate("b"));
    assert_eq!((e.line, e.column), (1, 10));
    assert!(read_json(r#"{"b":"x","z":1,"z":2}"#, &OBJ).is_ok());
}

#[test]
fn a_struct_reads_from_an_array_of_its_fields() {
    assert_eq!(read_json(r#"[7,"x"]"#, &OBJ), Ok(Json::Record(vec![Json::Num(7), Json::str("x")])));
    assert_eq!(read_json("[null]", &OBJ), Ok(Json::Record(vec![Json::Null, Json::Null])));
    assert_eq!(read_json("[]", &OBJ), Ok(Json::Record(vec![Json::Null, Json::Null])));
    assert_eq!(kind(r#"[7,"x",1]"#, &OBJ), JsonErrorKind::Trailing);
}

#[test]
fn nesting_is_limited_where_a_shape_recurses_but_not_where_values_are_skipped() {
    let nested = |n: usize| format!("{}\"x\"{}", r#"{"id":"#.repeat(n), "}".repeat(n));
    assert_eq!(read_json(&nested(MAX_DEPTH as usize), &LENIENT), Ok(Json::str("x")));
    assert_eq!(kind(&nested(MAX_DEPTH as usize + 1), &LENIENT), JsonErrorKind::TooDeep);
    assert_eq!(kind(&nested(100_000), &LENIENT), JsonErrorKind::TooDeep);
    // The oracle draws the line at the same depth.
    assert!(serde_json::from_str::<serde_json::Value>(&"[".repeat(127).chars().chain("]".repeat(127).chars()).collect::<String>()).is_ok());
    assert!(serde_json::from_str::<serde_json::Value>(&"[".repeat(128).chars().chain("]".repeat(128).chars()).collect::<String>()).is_err());
    let skipped = format!(r#"{{"other":{}{},"b":"x"}}"#, "[".repeat(100_000), "]".repeat(100_000));
    assert!(read_json(&skipped, &OBJ).is_ok());
    let unclosed = format!(r#"{{"other":{}"#, "[{\"k\":".repeat(50_000));
    assert_eq!(kind(&unclosed, &OBJ), JsonErrorKind::Eof);
}

#[test]
fn errors_say_what_where_and_in_which_field() {
    let e = read_json("{\n  \"x\": {\"port\": \"80\"}\n}", &DEEP).unwrap_err();
    assert_eq!(e.path, vec!["x", "port"]);
    assert_eq!(e.to_string(), "expected a whole number from 0 to 65535, found a string in \"x.port\" at line 2 column 17");
    assert!(e.is_type());
    let e = read_json(r#"{"x":{"port":70000}}"#, &DEEP).unwrap_err();
    assert_eq!(e.to_string(), "number out of range: expected a whole number from 0 to 65535 in \"x.port\" at line 1 column 14");
    assert_eq!(read_json(r#"{"x":"#, &DEEP).unwrap_err().to_string(), "unexpected end of the text in \"x\" at line 1 column 6");
    assert_eq!(read_json("[1]", &STR).unwrap_err().to_string(), "expected a string, found a list at line 1 column 1");
    assert_eq!(read_json("nul", &STR).unwrap_err().to_string(), "unexpected end of the text at line 1 column 4");
    assert_eq!(read_json("é x", &STR).unwrap_err().to_string(), "expected a value at line 1 column 1");
    assert_eq!(read_json("\"é\" x", &STR).unwrap_err().column, 5);
}

#[test]
fn written_text_reads_back() {
    let tree = Json::Obj(vec![
        ("s", Json::str("q\"\\\n\u{1}é😀")),
        ("n", Json::Num(u64::MAX)),
        ("neg", Json::Neg(i64::MIN)),
        ("b", Json::Bool(false)),
        ("l", Json::Arr(vec![Json::Null, Json::Record(vec![Json::Num(1)])])),
    ]);
    let text = tree.to_text();
    assert_eq!(text, r#"{"s":"q\"\\\n\u0001é😀","n":18446744073709551615,"neg":-9223372036854775808,"b":false,"l":[null,[1]]}"#);
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["s"], "q\"\\\n\u{1}é😀");
    assert_eq!(quote("</script>\u{2028}"), "\"</script>\u{2028}\"");
}
