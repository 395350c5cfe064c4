//! JSON reading and writing, for everything the page reads or writes: ARM's answers,
//! `config.json`, pasted tokens, the sign-in worker's messages.
//!
//! Hand-written rather than serde + serde_json: those cost the page's wasm about 54 KB
//! (a tokenizer generic over readers, a visitor per derived type, float parsing,
//! `std::io` error text), a quarter of the bundle budget. `miniserde` and `nanoserde`
//! were the lighter crates; both still monomorphise per type and neither reads a value
//! against a table. Here a value is read against a [`Shape`] (field names and kinds,
//! static tables) in one recursive-descent reader, into a [`Json`] tree that plain
//! functions move into the structs ([`FromJson`]).
//!
//! What parses is what `serde_json` with the derive accepted for the same types (the
//! tests in `arm::model` hold it to that on many inputs): strict types fail on a wrong
//! type, unknown fields are skipped, a repeated known field fails, a struct may also
//! come as an array of its fields in order, and text after the value fails. Where the
//! two differ, on purpose: a number with a fraction or exponent in a lenient field is
//! truncated from its decimal text, not first rounded to an `f64` (the same below 2^53);
//! a leading byte-order mark is refused, as serde_json does (`fetch`'s `text()` already
//! strips one).

/// What a value must look like.
#[derive(Debug)]
pub enum Shape {
    /// A string; null and anything else fail.
    Str,
    /// `true` or `false`.
    Bool,
    /// Integers in range.
    U16,
    U32,
    U64,
    I64,
    /// Null, or the inner shape.
    Opt(&'static Shape),
    /// An array of the inner shape.
    Seq(&'static Shape),
    /// An object whose known fields have these shapes (unknown ones are skipped, a
    /// repeated one fails), or an array of them in order. At most 64 fields.
    Struct(&'static [(&'static str, &'static Shape)]),
    /// A string, a number, null, or an object carrying `id` (the last string one wins);
    /// anything else reads as empty, which is `Json::Null`.
    Lenient,
}

/// An optional string, the commonest field shape: one static for every table.
pub static OPT_STR: Shape = Shape::Opt(&Shape::Str);

/// A JSON value as far as LB Health reads or writes one: what a [`Shape`] lets through.
#[derive(Debug, Clone, PartialEq)]
pub enum Json {
    Null,
    Bool(bool),
    /// A non-negative integer; a lenient field reads a negative one as 0.
    Num(u64),
    /// A negative integer (only an `I64` shape reads one).
    Neg(i64),
    Str(String),
    Arr(Vec<Json>),
    /// An object to write, its fields in order.
    Obj(Vec<(&'static str, Json)>),
    /// An object as read: one value per field of its shape, in the shape's order, `Null`
    /// where the field was absent.
    Record(Vec<Json>),
}

// ------------------------------------------------------------------ errors

/// Why a text did not read, and where.
#[derive(Debug, Clone, PartialEq)]
pub struct JsonError {
    pub kind: JsonErrorKind,
    /// 1-based; the column counts characters.
    pub line: usize,
    pub column: usize,
    /// The known fields the error is inside, outermost first.
    pub path: Vec<&'static str>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum JsonErrorKind {
    /// The text ended inside a value (or was empty).
    Eof,
    /// Not JSON here: what was expected instead.
    Syntax(Expected),
    /// A value of the wrong type for its field.
    WrongType { want: Want, found: Found },
    /// An integer outside the field's range, or a number too large for any float.
    OutOfRange(Want),
    /// A known field given twice.
    Duplicate(&'static str),
    /// More than [`MAX_DEPTH`] arrays and objects inside each other.
    TooDeep,
    /// Something after the value.
    Trailing,
}

/// What the reader expected where the text was not JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expected {
    Value,
    Colon,
    /// `,` or the closing `]` / `}`.
    CommaOr(char),
    FieldName,
    Digit,
    Literal,
    Escape,
    /// A `\u` escape of a surrogate without its other half.
    Surrogate,
    /// A control character, which JSON strings must escape.
    EscapedControl,
}

/// The type a field wanted, for the message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Want {
    String,
    Bool,
    U16,
    U32,
    U64,
    I64,
    List,
    Object,
    /// A lenient field's number: anything below about 1.8e308.
    Number,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Found {
    Null,
    Bool,
    Integer,
    Decimal,
    String,
    List,
    Object,
}

/// serde_json's recursion limit, so a hostile body cannot overflow the stack.
pub const MAX_DEPTH: u32 = 127;

impl JsonError {
    /// A wrong type or an out-of-range number: the text was JSON, the value did not fit.
    pub fn is_type(&self) -> bool {
        matches!(self.kind, JsonErrorKind::WrongType { .. } | JsonErrorKind::OutOfRange(_))
    }
}

impl std::fmt::Display for Want {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Want::String => "a string",
            Want::Bool => "true or false",
            Want::U16 => "a whole number from 0 to 65535",
            Want::U32 => "a whole number from 0 to 4294967295",
            Want::U64 => "a whole number from 0",
            Want::I64 => "a whole number",
            Want::List => "a list",
            Want::Object => "an object",
            Want::Number => "a number below 1.8e308",
        })
    }
}

impl std::fmt::Display for JsonError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.kind {
            JsonErrorKind::Eof => f.write_str("unexpected end of the text")?,
            JsonErrorKind::Syntax(e) => f.write_str(match e {
                Expected::Value => "expected a value",
                Expected::Colon => "expected ':'",
                Expected::CommaOr(']') => "expected ',' or ']'",
                Expected::CommaOr(_) => "expected ',' or '}'",
                Expected::FieldName => "expected a field name in double quotes",
                Expected::Digit => "expected a digit",
                Expected::Literal => "expected true, false or null",
                Expected::Escape => "invalid escape in a string",
                Expected::Surrogate => "a \\u escape names half a character",
                Expected::EscapedControl => "a control character in a string must be escaped",
            })?,
            JsonErrorKind::WrongType { want, found } => {
                let found = match found {
                    Found::Null => "null",
                    Found::Bool => "true or false",
                    Found::Integer => "a whole number",
                    Found::Decimal => "a decimal number",
                    Found::String => "a string",
                    Found::List => "a list",
                    Found::Object => "an object",
                };
                write!(f, "expected {want}, found {found}")?
            }
            JsonErrorKind::OutOfRange(want) => write!(f, "number out of range: expected {want}")?,
            JsonErrorKind::Duplicate(name) => write!(f, "the field \"{name}\" appears twice")?,
            JsonErrorKind::TooDeep => write!(f, "more than {MAX_DEPTH} lists and objects inside each other")?,
            JsonErrorKind::Trailing => f.write_str("unexpected text after the end")?,
        }
        // No parentheses: callers quote this message inside their own.
        if let Some((first, rest)) = self.path.split_first() {
            write!(f, " in \"{first}")?;
            for p in rest {
                write!(f, ".{p}")?;
            }
            f.write_str("\"")?;
        }
        write!(f, " at line {} column {}", self.line, self.column)
    }
}

impl std::error::Error for JsonError {}

// ------------------------------------------------------------------ reading

/// Parses the whole of `text` into the tree of `shape`.
pub fn read_json(text: &str, shape: &'static Shape) -> Result<Json, JsonError> {
    let mut r = Reader { text, at: 0, depth: 0 };
    let v = r.value(shape)?;
    if r.peek().is_some() {
        return Err(r.error(JsonErrorKind::Trailing));
    }
    Ok(v)
}

/// A number as read, before a shape decides what it may be.
enum Number {
    /// A non-negative integer that fits.
    U(u64),
    /// A negative integer that fits (never zero: `-0` is a decimal, as in serde_json).
    I(i64),
    /// Anything else, truncated toward zero and saturated; 0 when negative.
    Decimal(u64),
}

struct NumberText {
    negative: bool,
    int: std::ops::Range<usize>,
    frac: std::ops::Range<usize>,
    exp: i64,
    /// No fraction and no exponent.
    plain: bool,
}

struct Reader<'a> {
    text: &'a str,
    at: usize,
    depth: u32,
}

impl<'a> Reader<'a> {
    fn error(&self, kind: JsonErrorKind) -> JsonError {
        let before = &self.text[..self.at.min(self.text.len())];
        let line = before.matches('\n').count() + 1;
        let column = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
        JsonError { kind, line, column, path: Vec::new() }
    }

    fn syntax(&self, e: Expected) -> JsonError {
        if self.at >= self.text.len() {
            self.error(JsonErrorKind::Eof)
        } else {
            self.error(JsonErrorKind::Syntax(e))
        }
    }

    fn byte(&self) -> Option<u8> {
        self.text.as_bytes().get(self.at).copied()
    }

    /// The next byte after whitespace.
    fn peek(&mut self) -> Option<u8> {
        while let Some(b' ' | b'\n' | b'\t' | b'\r') = self.byte() {
            self.at += 1;
        }
        self.byte()
    }

    fn eat(&mut self, want: u8, e: Expected) -> Result<(), JsonError> {
        if self.peek() == Some(want) {
            self.at += 1;
            Ok(())
        } else {
            Err(self.syntax(e))
        }
    }

    fn enter(&mut self) -> Result<(), JsonError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.error(JsonErrorKind::TooDeep));
        }
        self.at += 1;
        Ok(())
    }

    /// After an element: true for another one, false at the end.
    fn more(&mut self, close: u8) -> Result<bool, JsonError> {
        match self.peek() {
            Some(b',') => {
                self.at += 1;
                Ok(true)
            }
            Some(c) if c == close => {
                self.at += 1;
                Ok(false)
            }
            _ => Err(self.syntax(Expected::CommaOr(close as char))),
        }
    }

    /// An object's next key and its colon.
    fn key(&mut self) -> Result<String, JsonError> {
        if self.peek() != Some(b'"') {
            return Err(self.syntax(Expected::FieldName));
        }
        let k = self.string()?;
        self.eat(b':', Expected::Colon)?;
        Ok(k)
    }

    fn value(&mut self, shape: &'static Shape) -> Result<Json, JsonError> {
        let Some(c) = self.peek() else { return Err(self.error(JsonErrorKind::Eof)) };
        if let Shape::Opt(inner) = shape {
            if c != b'n' {
                return self.value(inner);
            }
        }
        let found = match c {
            b'n' => {
                self.literal("null")?;
                return match shape {
                    Shape::Opt(_) | Shape::Lenient => Ok(Json::Null),
                    _ => Err(self.wrong(shape, Found::Null)),
                };
            }
            b't' | b'f' => {
                let v = c == b't';
                self.literal(if v { "true" } else { "false" })?;
                return match shape {
                    Shape::Bool => Ok(Json::Bool(v)),
                    Shape::Lenient => Ok(Json::Null),
                    _ => Err(self.wrong(shape, Found::Bool)),
                };
            }
            b'"' => match shape {
                Shape::Str | Shape::Lenient => return self.string().map(Json::Str),
                _ => Found::String,
            },
            b'-' | b'0'..=b'9' => {
                let start = self.at;
                let n = self.number()?;
                let out_of_range = |r: &mut Self| {
                    r.at = start;
                    Err(r.error(JsonErrorKind::OutOfRange(want(shape))))
                };
                let max = match shape {
                    Shape::U16 => u16::MAX as u64,
                    Shape::U32 => u32::MAX as u64,
                    Shape::U64 => u64::MAX,
                    Shape::I64 => i64::MAX as u64,
                    Shape::Lenient => {
                        return Ok(Json::Num(match n {
                            Number::U(v) | Number::Decimal(v) => v,
                            Number::I(_) => 0,
                        }))
                    }
                    _ => {
                        self.at = start;
                        return Err(self.wrong(shape, if matches!(n, Number::Decimal(_)) { Found::Decimal } else { Found::Integer }));
                    }
                };
                return match n {
                    Number::U(v) if v <= max => Ok(Json::Num(v)),
                    Number::I(v) if matches!(shape, Shape::I64) => Ok(Json::Neg(v)),
                    Number::U(_) | Number::I(_) => out_of_range(self),
                    Number::Decimal(_) => {
                        self.at = start;
                        Err(self.wrong(shape, Found::Decimal))
                    }
                };
            }
            b'[' => {
                match shape {
                    Shape::Seq(inner) => {
                        let mut out = Vec::new();
                        self.nested(b']', &mut |r| {
                            out.push(r.value(inner)?);
                            Ok(())
                        })?;
                        return Ok(Json::Arr(out));
                    }
                    // serde reads a struct from an array of its fields, in order; more
                    // elements than fields fail.
                    Shape::Struct(fields) => {
                        let mut out = Vec::with_capacity(fields.len());
                        self.nested(b']', &mut |r| {
                            let Some(&(name, shape)) = fields.get(out.len()) else {
                                return Err(r.error(JsonErrorKind::Trailing));
                            };
                            out.push(r.value(shape).map_err(|e| within(e, name))?);
                            Ok(())
                        })?;
                        out.resize(fields.len(), Json::Null);
                        return Ok(Json::Record(out));
                    }
                    Shape::Lenient => {
                        self.enter()?;
                        self.at -= 1;
                        self.skip()?;
                        self.depth -= 1;
                        return Ok(Json::Null);
                    }
                    _ => Found::List,
                }
            }
            b'{' => match shape {
                Shape::Struct(fields) => return self.object(fields).map(Json::Record),
                // `{"id": ...}`: the object shape one spec version gave the NIC id.
                Shape::Lenient => {
                    let mut found = Json::Null;
                    self.nested(b'}', &mut |r| {
                        if r.key()? != "id" {
                            return r.skip();
                        }
                        if let v @ Json::Str(_) = r.value(&Shape::Lenient)? {
                            found = v;
                        }
                        Ok(())
                    })?;
                    return Ok(found);
                }
                _ => Found::Object,
            },
            _ => return Err(self.syntax(Expected::Value)),
        };
        Err(self.wrong(shape, found))
    }

    fn object(&mut self, fields: &'static [(&'static str, &'static Shape)]) -> Result<Vec<Json>, JsonError> {
        let mut out = vec![Json::Null; fields.len()];
        let mut seen = 0u64;
        self.nested(b'}', &mut |r| {
            r.peek();
            let key_at = r.at;
            let key = r.key()?;
            let Some(i) = fields.iter().position(|(name, _)| *name == key) else { return r.skip() };
            let (name, shape) = fields[i];
            if seen & (1 << i) != 0 {
                r.at = key_at;
                return Err(r.error(JsonErrorKind::Duplicate(name)));
            }
            seen |= 1 << i;
            out[i] = r.value(shape).map_err(|e| within(e, name))?;
            Ok(())
        })?;
        Ok(out)
    }

    /// A list or object, `at` on its opening bracket: `item` reads each element (an
    /// object's item reads its key too) until `close`. `dyn`, so its four callers share
    /// one copy of this loop instead of each inlining its own.
    fn nested(&mut self, close: u8, item: &mut dyn FnMut(&mut Self) -> Result<(), JsonError>) -> Result<(), JsonError> {
        self.enter()?;
        if self.peek() == Some(close) {
            self.at += 1;
        } else {
            loop {
                item(self)?;
                if !self.more(close)? {
                    break;
                }
            }
        }
        self.depth -= 1;
        Ok(())
    }

    fn wrong(&self, shape: &Shape, found: Found) -> JsonError {
        self.error(JsonErrorKind::WrongType { want: want(shape), found })
    }

    fn literal(&mut self, word: &str) -> Result<(), JsonError> {
        for &b in word.as_bytes() {
            if self.byte() != Some(b) {
                return Err(self.syntax(Expected::Literal));
            }
            self.at += 1;
        }
        Ok(())
    }

    fn digits(&mut self) -> Result<std::ops::Range<usize>, JsonError> {
        let start = self.at;
        while let Some(b'0'..=b'9') = self.byte() {
            self.at += 1;
        }
        if self.at == start {
            return Err(self.syntax(Expected::Digit));
        }
        Ok(start..self.at)
    }

    /// `-? (0 | [1-9][0-9]*) (.[0-9]+)? ([eE][+-]?[0-9]+)?`. A leading zero ends the
    /// integer part, so the digit after it is an error wherever the number stands.
    fn number_syntax(&mut self) -> Result<NumberText, JsonError> {
        let negative = self.byte() == Some(b'-');
        if negative {
            self.at += 1;
        }
        let int = if self.byte() == Some(b'0') {
            self.at += 1;
            self.at - 1..self.at
        } else {
            self.digits()?
        };
        let mut n = NumberText { negative, int: int.clone(), frac: int.end..int.end, exp: 0, plain: true };
        if self.byte() == Some(b'.') {
            self.at += 1;
            n.frac = self.digits()?;
            n.plain = false;
        }
        if let Some(b'e' | b'E') = self.byte() {
            self.at += 1;
            n.plain = false;
            let minus = match self.byte() {
                Some(b'-') => {
                    self.at += 1;
                    true
                }
                Some(b'+') => {
                    self.at += 1;
                    false
                }
                _ => false,
            };
            for &d in &self.text.as_bytes()[self.digits()?] {
                // Far past any float's range either way.
                n.exp = (n.exp * 10 + (d - b'0') as i64).min(1 << 40);
            }
            if minus {
                n.exp = -n.exp;
            }
        }
        Ok(n)
    }

    fn number(&mut self) -> Result<Number, JsonError> {
        let start = self.at;
        let n = self.number_syntax()?;
        let bytes = self.text.as_bytes();
        if n.plain {
            let fits = bytes[n.int.clone()].iter().try_fold(0u64, |v, &d| v.checked_mul(10)?.checked_add((d - b'0') as u64));
            match fits {
                Some(v) if !n.negative => return Ok(Number::U(v)),
                // As serde_json: `-0` and below i64::MIN are decimals.
                Some(v) if v != 0 && v <= 1 << 63 => return Ok(Number::I((v as i64).wrapping_neg())),
                _ => {}
            }
        }
        match truncate(&bytes[n.int], &bytes[n.frac], n.exp) {
            Some(v) => Ok(Number::Decimal(if n.negative { 0 } else { v })),
            None => {
                self.at = start;
                Err(self.error(JsonErrorKind::OutOfRange(Want::Number)))
            }
        }
    }

    /// A string's contents, unescaped; `at` is on the opening quote.
    fn string(&mut self) -> Result<String, JsonError> {
        self.at += 1;
        let mut out = String::new();
        loop {
            let start = self.at;
            while let Some(b) = self.byte() {
                if b == b'"' || b == b'\\' || b < 0x20 {
                    break;
                }
                self.at += 1;
            }
            // Slicing at ASCII bytes always lands on a character boundary.
            out.push_str(&self.text[start..self.at]);
            match self.byte() {
                Some(b'"') => {
                    self.at += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.at += 1;
                    let c = match self.byte() {
                        Some(b'u') => {
                            let hi = self.hex()?;
                            match hi {
                                0xD800..=0xDBFF => {
                                    if self.byte() != Some(b'\\') || self.text.as_bytes().get(self.at + 1) != Some(&b'u') {
                                        return Err(self.syntax(Expected::Surrogate));
                                    }
                                    self.at += 1;
                                    let lo = self.hex()?;
                                    if !(0xDC00..=0xDFFF).contains(&lo) {
                                        return Err(self.syntax(Expected::Surrogate));
                                    }
                                    char::from_u32(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00))
                                }
                                0xDC00..=0xDFFF => return Err(self.syntax(Expected::Surrogate)),
                                _ => char::from_u32(hi),
                            }
                            .expect("a scalar value")
                        }
                        Some(e) => {
                            self.at += 1;
                            match e {
                                b'"' => '"',
                                b'\\' => '\\',
                                b'/' => '/',
                                b'b' => '\u{8}',
                                b'f' => '\u{c}',
                                b'n' => '\n',
                                b'r' => '\r',
                                b't' => '\t',
                                _ => {
                                    self.at -= 1;
                                    return Err(self.syntax(Expected::Escape));
                                }
                            }
                        }
                        None => return Err(self.error(JsonErrorKind::Eof)),
                    };
                    out.push(c);
                }
                Some(_) => return Err(self.syntax(Expected::EscapedControl)),
                None => return Err(self.error(JsonErrorKind::Eof)),
            }
        }
    }

    /// `uXXXX`, `at` on the `u`.
    fn hex(&mut self) -> Result<u32, JsonError> {
        self.at += 1;
        let mut v = 0;
        for _ in 0..4 {
            let d = match self.byte() {
                Some(b @ b'0'..=b'9') => b - b'0',
                Some(b @ b'a'..=b'f') => b - b'a' + 10,
                Some(b @ b'A'..=b'F') => b - b'A' + 10,
                _ => return Err(self.syntax(Expected::Escape)),
            };
            v = v * 16 + d as u32;
            self.at += 1;
        }
        Ok(v)
    }

    /// Checks and passes over one value of any kind. A loop with its own stack, not
    /// recursion: skipped values may nest as deep as the text goes, as serde_json
    /// allows. Escapes are checked for form only, as serde_json's skipping does.
    fn skip(&mut self) -> Result<(), JsonError> {
        let mut open: Vec<u8> = Vec::new();
        loop {
            match self.peek() {
                None => return Err(self.error(JsonErrorKind::Eof)),
                Some(b'[') => {
                    self.at += 1;
                    if self.peek() == Some(b']') {
                        self.at += 1;
                    } else {
                        open.push(b']');
                        continue;
                    }
                }
                Some(b'{') => {
                    self.at += 1;
                    if self.peek() == Some(b'}') {
                        self.at += 1;
                    } else {
                        self.skip_key()?;
                        open.push(b'}');
                        continue;
                    }
                }
                Some(b'"') => self.skip_string()?,
                Some(b'-' | b'0'..=b'9') => {
                    self.number_syntax()?;
                }
                Some(b'n') => self.literal("null")?,
                Some(b't') => self.literal("true")?,
                Some(b'f') => self.literal("false")?,
                Some(_) => return Err(self.syntax(Expected::Value)),
            }
            // After a value: close what ends here, stop at a comma.
            loop {
                let Some(&close) = open.last() else { return Ok(()) };
                if self.more(close)? {
                    if close == b'}' {
                        self.skip_key()?;
                    }
                    break;
                }
                open.pop();
            }
        }
    }

    fn skip_key(&mut self) -> Result<(), JsonError> {
        if self.peek() != Some(b'"') {
            return Err(self.syntax(Expected::FieldName));
        }
        self.skip_string()?;
        self.eat(b':', Expected::Colon)
    }

    fn skip_string(&mut self) -> Result<(), JsonError> {
        self.at += 1;
        loop {
            match self.byte() {
                Some(b'"') => {
                    self.at += 1;
                    return Ok(());
                }
                Some(b'\\') => {
                    self.at += 1;
                    match self.byte() {
                        Some(b'u') => {
                            self.hex()?;
                        }
                        Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => self.at += 1,
                        Some(_) => return Err(self.syntax(Expected::Escape)),
                        None => return Err(self.error(JsonErrorKind::Eof)),
                    }
                }
                Some(b) if b < 0x20 => return Err(self.syntax(Expected::EscapedControl)),
                Some(_) => self.at += 1,
                None => return Err(self.error(JsonErrorKind::Eof)),
            }
        }
    }
}

/// Marks an error as inside the field `name` (the path grows outward as it unwinds).
fn within(mut e: JsonError, name: &'static str) -> JsonError {
    e.path.insert(0, name);
    e
}

fn want(shape: &Shape) -> Want {
    match shape {
        Shape::Str => Want::String,
        Shape::Bool => Want::Bool,
        Shape::U16 => Want::U16,
        Shape::U32 => Want::U32,
        Shape::U64 => Want::U64,
        Shape::I64 => Want::I64,
        Shape::Opt(inner) => want(inner),
        Shape::Seq(_) => Want::List,
        Shape::Struct(_) => Want::Object,
        Shape::Lenient => Want::Number,
    }
}

/// f64::MAX is 1.7976931348623157e308; decimals up to halfway to the next power of two
/// round to it, anything from there is infinite, which serde_json refuses.
const FLOAT_LIMIT: &[u8] = b"17976931348623158079";

/// The number `int.frac × 10^exp` truncated toward zero, saturated at `u64::MAX`;
/// `None` when no `f64` holds it. Exact from the decimal digits: no float arithmetic
/// (which would link the float parser).
fn truncate(int: &[u8], frac: &[u8], exp: i64) -> Option<u64> {
    let zeros = int.iter().chain(frac).take_while(|&&d| d == b'0').count();
    let digits: Vec<u8> = int.iter().chain(frac).skip(zeros).copied().collect();
    if digits.is_empty() {
        return Some(0);
    }
    // The value is 0.DIGITS × 10^point.
    let point = int.len() as i64 - zeros as i64 + exp;
    if point > 309 || (point == 309 && padded(&digits, FLOAT_LIMIT.len()).as_slice() >= FLOAT_LIMIT) {
        return None;
    }
    if point <= 0 {
        return Some(0);
    }
    let mut v: u64 = 0;
    for d in padded(&digits, point as usize).iter().take(point as usize) {
        v = match v.checked_mul(10).and_then(|x| x.checked_add((d - b'0') as u64)) {
            Some(x) => x,
            None => return Some(u64::MAX),
        };
    }
    Some(v)
}

fn padded(digits: &[u8], len: usize) -> Vec<u8> {
    let mut v: Vec<u8> = digits.iter().take(len).copied().collect();
    v.resize(len, b'0');
    v
}

// ------------------------------------------------------------------ tree to types

/// A type read from JSON through its shape. `from_json` never fails: the shape already
/// rejected what does not fit, and a missing field is the default.
pub trait FromJson: Sized {
    const SHAPE: &'static Shape;
    fn from_json(j: Json) -> Self;
}

/// The tree to write a value as JSON.
pub trait ToJson {
    fn to_json(&self) -> Json;
}

/// Parses the whole of `text` as a `T`.
pub fn parse<T: FromJson>(text: &str) -> Result<T, JsonError> {
    read_json(text, T::SHAPE).map(T::from_json)
}

/// A record's fields in its shape's order (all `Null` if it is not one).
pub struct Fields(std::vec::IntoIter<Json>);

impl Fields {
    pub fn of(j: Json) -> Fields {
        Fields(match j {
            Json::Record(v) => v.into_iter(),
            _ => Vec::new().into_iter(),
        })
    }
    /// The next field as it was read.
    pub fn value(&mut self) -> Json {
        self.0.next().unwrap_or(Json::Null)
    }
    /// A string field, or a lenient one: a number reads as its digits, anything else as "".
    pub fn string(&mut self) -> String {
        match self.value() {
            Json::Str(s) => s,
            Json::Num(n) => n.to_string(),
            _ => String::new(),
        }
    }
    pub fn opt_string(&mut self) -> Option<String> {
        match self.value() {
            Json::Str(s) => Some(s),
            _ => None,
        }
    }
    pub fn num(&mut self) -> u64 {
        match self.value() {
            Json::Num(n) => n,
            _ => 0,
        }
    }
    pub fn opt_num(&mut self) -> Option<u64> {
        match self.value() {
            Json::Num(n) => Some(n),
            _ => None,
        }
    }
    pub fn opt_i64(&mut self) -> Option<i64> {
        match self.value() {
            Json::Num(n) => Some(n as i64),
            Json::Neg(n) => Some(n),
            _ => None,
        }
    }
    pub fn bool(&mut self) -> bool {
        matches!(self.value(), Json::Bool(true))
    }
    pub fn list<T: FromJson>(&mut self) -> Vec<T> {
        match self.value() {
            Json::Arr(v) => v.into_iter().map(T::from_json).collect(),
            _ => Vec::new(),
        }
    }
    pub fn opt<T: FromJson>(&mut self) -> Option<T> {
        match self.value() {
            Json::Null => None,
            j => Some(T::from_json(j)),
        }
    }
    pub fn get<T: FromJson>(&mut self) -> T {
        T::from_json(self.value())
    }
}

// ------------------------------------------------------------------ writing

impl Json {
    /// Compact JSON, byte for byte what `serde_json::to_string` writes for the same value.
    pub fn write(&self, out: &mut String) {
        match self {
            Json::Null => out.push_str("null"),
            Json::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Json::Num(n) => out.push_str(&n.to_string()),
            Json::Neg(n) => out.push_str(&n.to_string()),
            Json::Str(s) => write_str(out, s),
            // A record has no names: written as the array a struct shape also reads.
            Json::Arr(items) | Json::Record(items) => {
                out.push('[');
                for (i, v) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    v.write(out);
                }
                out.push(']');
            }
            Json::Obj(fields) => {
                out.push('{');
                for (i, (k, v)) in fields.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    write_str(out, k);
                    out.push(':');
                    v.write(out);
                }
                out.push('}');
            }
        }
    }

    pub fn to_text(&self) -> String {
        let mut out = String::new();
        self.write(&mut out);
        out
    }

    pub fn str(s: &str) -> Json {
        Json::Str(s.to_owned())
    }
}

/// `s` as a JSON string literal, which is also a JavaScript one.
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    write_str(&mut out, s);
    out
}

fn write_str(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if c < ' ' => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                out.push_str("\\u00");
                out.push(HEX[(c as usize) >> 4] as char);
                out.push(HEX[(c as usize) & 15] as char);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// An object's fields; `None` leaves the field out.
/// A slice rather than an array: one copy of this code for every object size.
pub fn obj(fields: &mut [(&'static str, Option<Json>)]) -> Json {
    Json::Obj(fields.iter_mut().filter_map(|(k, v)| Some((*k, v.take()?))).collect())
}

pub fn opt_str(s: &Option<String>) -> Option<Json> {
    s.as_deref().map(Json::str)
}

#[cfg(test)]
mod tests;
