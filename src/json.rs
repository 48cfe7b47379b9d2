//! JSON text → `serde_json::Value`, without serde_json's parser.
//!
//! One job: read a JSON text into the same [`Value`] that `serde_json::from_str::<Value>`
//! (this crate's serde_json 1.x, `float_roundtrip` on) builds, and refuse what it refuses
//! with the same reason, line and column, so that messages built from them do not change.
//! serde_json's parser (its deserializer, readers, the `lexical` float parser and its table
//! of powers of ten) then stays out of the wasm build: page decoding, server error bodies and
//! sync tokens all read JSON here. Imports only `serde_json`'s `Value` types and
//! [`crate::platform::parse_f64`] (correctly rounded; in wasm it asks JavaScript's `Number()`
//! for the numbers it cannot compute exactly itself).
//!
//! What serde_json does, and so what this does:
//! - whitespace is space, tab, `\n` and `\r`; anything but whitespace after the value is
//!   "trailing characters"; no trailing commas; keys are strings;
//! - numbers: a non-negative integer is a `u64` if it fits; a negative one an `i64` if it
//!   fits (`-0` is the float `-0.0`); any other integer, and every number with a fraction or
//!   an exponent, is the correctly rounded `f64`; a finite number whose `f64` would be
//!   infinite is "number out of range" (an exponent past `i32` is 0 when it is negative or
//!   the digits are all zero, out of range otherwise); no leading zeros, `+`, `.5` or `5.`;
//! - strings: the escapes `\" \\ \/ \b \f \n \r \t \uXXXX`, surrogate pairs joined, a lone
//!   surrogate refused; control characters (below U+0020) refused raw;
//! - a repeated key keeps the last value; nesting is limited to 127 arrays/objects (serde_json's
//!   recursion limit of 128 is hit by the 128th);
//! - line and column: the line is 1-based; the column counts bytes, and names the byte
//!   just read or, for errors found by looking ahead, the byte looked at (serde_json's
//!   `error`/`peek_error`); see [`JsonError`].
//!
//! No recursion: open arrays and objects are kept on an explicit stack. No panics.
//!
//! Also [`write_string`]: a string literal as `serde_json::to_string` writes it (for sync
//! tokens, so serde_json's serializer is not linked for them either).

use serde_json::{Map, Number, Value};

/// serde_json's recursion limit: the 128th nested array or object is refused.
const RECURSION_LIMIT: usize = 128;

/// Why a text is not JSON: serde_json's `ErrorCode`s that a `&str` can produce.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Reason {
    EofWhileParsingList,
    EofWhileParsingObject,
    EofWhileParsingString,
    EofWhileParsingValue,
    ExpectedColon,
    ExpectedListCommaOrEnd,
    ExpectedObjectCommaOrEnd,
    ExpectedSomeIdent,
    ExpectedSomeValue,
    InvalidEscape,
    InvalidNumber,
    NumberOutOfRange,
    ControlCharacterWhileParsingString,
    KeyMustBeAString,
    LoneLeadingSurrogateInHexEscape,
    TrailingComma,
    TrailingCharacters,
    UnexpectedEndOfHexEscape,
    RecursionLimitExceeded,
    /// Not serde_json's: a number that only the platform can round, in a `wasm32` build
    /// whose platform hooks are not installed (never natively, never in the package).
    NoFloatParser,
}

impl Reason {
    /// serde_json's text for it (its `ErrorCode` `Display`).
    pub(crate) fn text(self) -> &'static str {
        match self {
            Reason::EofWhileParsingList => "EOF while parsing a list",
            Reason::EofWhileParsingObject => "EOF while parsing an object",
            Reason::EofWhileParsingString => "EOF while parsing a string",
            Reason::EofWhileParsingValue => "EOF while parsing a value",
            Reason::ExpectedColon => "expected `:`",
            Reason::ExpectedListCommaOrEnd => "expected `,` or `]`",
            Reason::ExpectedObjectCommaOrEnd => "expected `,` or `}`",
            Reason::ExpectedSomeIdent => "expected ident",
            Reason::ExpectedSomeValue => "expected value",
            Reason::InvalidEscape => "invalid escape",
            Reason::InvalidNumber => "invalid number",
            Reason::NumberOutOfRange => "number out of range",
            Reason::ControlCharacterWhileParsingString => {
                "control character (\\u0000-\\u001F) found while parsing a string"
            }
            Reason::KeyMustBeAString => "key must be a string",
            Reason::LoneLeadingSurrogateInHexEscape => "lone leading surrogate in hex escape",
            Reason::TrailingComma => "trailing comma",
            Reason::TrailingCharacters => "trailing characters",
            Reason::UnexpectedEndOfHexEscape => "unexpected end of hex escape",
            Reason::RecursionLimitExceeded => "recursion limit exceeded",
            Reason::NoFloatParser => "number cannot be read without the platform's float parser",
        }
    }
}

/// A text that is not JSON: serde_json's reason for it, and where.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct JsonError {
    /// Why.
    pub reason: Reason,
    /// Bytes of the text up to and including the offending byte (serde_json's index for its
    /// position: the byte just read, or the byte looked at); `page::position` and the tests
    /// turn it into a line and column.
    pub index: usize,
}

impl JsonError {
    /// serde_json's `(line, column)` for this error in `text` (the text it was read from):
    /// the 1-based line (lines end at `\n`), and the bytes from the start of that line up to
    /// and including the offending byte (0 when the error is at the very start of a line).
    // Only the tests and the fuzz target need it: `page::position` works from the index itself.
    #[cfg(any(test, fuzzing))]
    pub(crate) fn line_column(&self, text: &str) -> (usize, usize) {
        let before = text.as_bytes().get(..self.index).unwrap_or(text.as_bytes());
        let line_start = before.iter().rposition(|&b| b == b'\n').map_or(0, |at| at + 1);
        let line = 1 + before.iter().filter(|&&b| b == b'\n').count();
        (line, self.index.saturating_sub(line_start))
    }

    /// Whether the text ended too early (serde_json's `Error::is_eof`).
    pub(crate) fn is_eof(&self) -> bool {
        matches!(
            self.reason,
            Reason::EofWhileParsingList
                | Reason::EofWhileParsingObject
                | Reason::EofWhileParsingString
                | Reason::EofWhileParsingValue
        )
    }
}

/// Reads `text` as `serde_json::from_str::<Value>(text)` does.
///
/// # Errors
/// What serde_json refuses, with its reason, line and column.
pub(crate) fn from_str(text: &str) -> Result<Value, JsonError> {
    Reader::new(text).document()
}

/// [`from_str`], but `None` also when the root is an object with a repeated key (as a
/// `#[derive(Deserialize)]` struct refuses a duplicate field).
pub(crate) fn from_str_unique_root_keys(text: &str) -> Option<Value> {
    let mut reader = Reader::new(text);
    let value = reader.document().ok()?;
    (!reader.root_key_repeated).then_some(value)
}

/// An array or object still open, with what it has so far (an object also the key whose
/// value is being read).
enum Open {
    Array(Vec<Value>),
    Object(Map<String, Value>, String),
}

struct Reader<'a> {
    text: &'a str,
    bytes: &'a [u8],
    /// The next byte to read (serde_json's `index`).
    at: usize,
    root_key_repeated: bool,
}

impl<'a> Reader<'a> {
    fn new(text: &'a str) -> Reader<'a> {
        Reader { text, bytes: text.as_bytes(), at: 0, root_key_repeated: false }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    /// The next byte, consumed.
    fn next(&mut self) -> Option<u8> {
        let byte = self.peek()?;
        self.at += 1;
        Some(byte)
    }

    /// The next byte that is not whitespace, not consumed.
    fn whitespace(&mut self) -> Option<u8> {
        while let Some(b' ' | b'\n' | b'\t' | b'\r') = self.peek() {
            self.at += 1;
        }
        self.peek()
    }

    /// An error about the byte just consumed (serde_json's `error`).
    #[cold]
    fn error(&self, reason: Reason) -> JsonError {
        self.error_at(self.at, reason)
    }

    /// An error about the byte looked at, not consumed (serde_json's `peek_error`).
    #[cold]
    fn peek_error(&self, reason: Reason) -> JsonError {
        self.error_at((self.at + 1).min(self.bytes.len()), reason)
    }

    #[cold]
    fn error_at(&self, index: usize, reason: Reason) -> JsonError {
        JsonError { reason, index }
    }

    /// One value and nothing after it but whitespace.
    fn document(&mut self) -> Result<Value, JsonError> {
        let mut open: Vec<Open> = Vec::new();
        'value: loop {
            let Some(first) = self.whitespace() else {
                return Err(self.peek_error(Reason::EofWhileParsingValue));
            };
            let mut value = match first {
                b'n' => self.ident(b"null", Value::Null)?,
                b't' => self.ident(b"true", Value::Bool(true))?,
                b'f' => self.ident(b"false", Value::Bool(false))?,
                b'-' | b'0'..=b'9' => self.number()?,
                b'"' => {
                    self.at += 1;
                    Value::String(self.string()?)
                }
                b'[' | b'{' => {
                    if open.len() + 1 >= RECURSION_LIMIT {
                        return Err(self.peek_error(Reason::RecursionLimitExceeded));
                    }
                    self.at += 1;
                    match (first, self.whitespace()) {
                        (b'[', None) => return Err(self.peek_error(Reason::EofWhileParsingList)),
                        (b'[', Some(b']')) => {
                            self.at += 1;
                            Value::Array(Vec::new())
                        }
                        (b'[', Some(_)) => {
                            open.push(Open::Array(Vec::new()));
                            continue 'value;
                        }
                        (_, None) => return Err(self.peek_error(Reason::EofWhileParsingObject)),
                        (_, Some(b'}')) => {
                            self.at += 1;
                            Value::Object(Map::new())
                        }
                        (_, Some(b'"')) => {
                            let key = self.key()?;
                            open.push(Open::Object(Map::new(), key));
                            continue 'value;
                        }
                        (_, Some(_)) => return Err(self.peek_error(Reason::KeyMustBeAString)),
                    }
                }
                _ => return Err(self.peek_error(Reason::ExpectedSomeValue)),
            };
            // Hand the value to the innermost open array or object; close those that end.
            loop {
                let depth = open.len();
                match open.last_mut() {
                    None => {
                        if self.whitespace().is_some() {
                            return Err(self.peek_error(Reason::TrailingCharacters));
                        }
                        return Ok(value);
                    }
                    Some(Open::Array(items)) => {
                        items.push(value);
                        match self.whitespace() {
                            None => return Err(self.peek_error(Reason::EofWhileParsingList)),
                            Some(b']') => self.at += 1,
                            Some(b',') => {
                                self.at += 1;
                                match self.whitespace() {
                                    Some(b']') => {
                                        return Err(self.peek_error(Reason::TrailingComma))
                                    }
                                    Some(_) => continue 'value,
                                    None => {
                                        return Err(self.peek_error(Reason::EofWhileParsingValue))
                                    }
                                }
                            }
                            Some(_) => return Err(self.peek_error(Reason::ExpectedListCommaOrEnd)),
                        }
                    }
                    Some(Open::Object(map, key)) => {
                        if map.insert(std::mem::take(key), value).is_some() && depth == 1 {
                            self.root_key_repeated = true;
                        }
                        match self.whitespace() {
                            None => return Err(self.peek_error(Reason::EofWhileParsingObject)),
                            Some(b'}') => self.at += 1,
                            Some(b',') => {
                                self.at += 1;
                                match self.whitespace() {
                                    Some(b'"') => {
                                        *key = self.key()?;
                                        continue 'value;
                                    }
                                    Some(b'}') => {
                                        return Err(self.peek_error(Reason::TrailingComma))
                                    }
                                    Some(_) => {
                                        return Err(self.peek_error(Reason::KeyMustBeAString))
                                    }
                                    None => {
                                        return Err(self.peek_error(Reason::EofWhileParsingValue))
                                    }
                                }
                            }
                            Some(_) => {
                                return Err(self.peek_error(Reason::ExpectedObjectCommaOrEnd))
                            }
                        }
                    }
                }
                value = match open.pop() {
                    Some(Open::Array(items)) => Value::Array(items),
                    Some(Open::Object(map, _)) => Value::Object(map),
                    // invariant: `open.last_mut()` was `Some` above.
                    None => Value::Null,
                };
            }
        }
    }

    /// `null`, `true` or `false` (its first byte looked at, not consumed).
    fn ident(&mut self, word: &[u8], value: Value) -> Result<Value, JsonError> {
        self.at += 1;
        for &expected in word.get(1..).unwrap_or_default() {
            match self.next() {
                None => return Err(self.error(Reason::EofWhileParsingValue)),
                Some(byte) if byte != expected => return Err(self.error(Reason::ExpectedSomeIdent)),
                Some(_) => {}
            }
        }
        Ok(value)
    }

    /// A key (at its opening quote) and the `:` after it.
    fn key(&mut self) -> Result<String, JsonError> {
        self.at += 1;
        let key = self.string()?;
        match self.whitespace() {
            Some(b':') => {
                self.at += 1;
                Ok(key)
            }
            Some(_) => Err(self.peek_error(Reason::ExpectedColon)),
            None => Err(self.peek_error(Reason::EofWhileParsingObject)),
        }
    }

    /// The rest of a string whose opening quote was consumed.
    fn string(&mut self) -> Result<String, JsonError> {
        let mut out = String::new();
        let mut start = self.at;
        loop {
            while let Some(byte) = self.peek() {
                if byte == b'"' || byte == b'\\' || byte < 0x20 {
                    break;
                }
                self.at += 1;
            }
            // Both ends are at ASCII bytes (or the text's end), so on char boundaries.
            out.push_str(self.text.get(start..self.at).unwrap_or_default());
            match self.next() {
                None => return Err(self.error(Reason::EofWhileParsingString)),
                Some(b'"') => return Ok(out),
                Some(b'\\') => self.escape(&mut out)?,
                Some(_) => return Err(self.error(Reason::ControlCharacterWhileParsingString)),
            }
            start = self.at;
        }
    }

    /// One escape, its `\` consumed.
    fn escape(&mut self, out: &mut String) -> Result<(), JsonError> {
        let c = match self.next() {
            None => return Err(self.error(Reason::EofWhileParsingString)),
            Some(b'"') => '"',
            Some(b'\\') => '\\',
            Some(b'/') => '/',
            Some(b'b') => '\x08',
            Some(b'f') => '\x0c',
            Some(b'n') => '\n',
            Some(b'r') => '\r',
            Some(b't') => '\t',
            Some(b'u') => {
                let unit = self.hex4()?;
                let code = match unit {
                    0xDC00..=0xDFFF => {
                        return Err(self.error(Reason::LoneLeadingSurrogateInHexEscape))
                    }
                    0xD800..=0xDBFF => {
                        for expected in [b'\\', b'u'] {
                            match self.next() {
                                None => return Err(self.error(Reason::EofWhileParsingString)),
                                Some(byte) if byte != expected => {
                                    return Err(self.error(Reason::UnexpectedEndOfHexEscape))
                                }
                                Some(_) => {}
                            }
                        }
                        let low = self.hex4()?;
                        if !(0xDC00..=0xDFFF).contains(&low) {
                            return Err(self.error(Reason::LoneLeadingSurrogateInHexEscape));
                        }
                        0x10000 + ((u32::from(unit) - 0xD800) << 10 | (u32::from(low) - 0xDC00))
                    }
                    _ => u32::from(unit),
                };
                // invariant: not a surrogate and at most U+10FFFF.
                char::from_u32(code).unwrap_or(char::REPLACEMENT_CHARACTER)
            }
            Some(_) => return Err(self.error(Reason::InvalidEscape)),
        };
        out.push(c);
        Ok(())
    }

    /// The four hex digits of a `\u` escape.
    fn hex4(&mut self) -> Result<u16, JsonError> {
        let Some(digits) = self.bytes.get(self.at..self.at + 4) else {
            self.at = self.bytes.len();
            return Err(self.error(Reason::EofWhileParsingString));
        };
        self.at += 4;
        let mut unit = 0u16;
        for &digit in digits {
            match char::from(digit).to_digit(16) {
                Some(value) => unit = unit << 4 | value as u16,
                None => return Err(self.error(Reason::InvalidEscape)),
            }
        }
        Ok(unit)
    }

    /// Consumes ASCII digits; how many.
    fn digits(&mut self) -> usize {
        let start = self.at;
        while let Some(b'0'..=b'9') = self.peek() {
            self.at += 1;
        }
        self.at - start
    }

    /// A number (at its `-` or first digit).
    fn number(&mut self) -> Result<Value, JsonError> {
        let start = self.at;
        let negative = self.peek() == Some(b'-');
        self.at += usize::from(negative);
        let int_start = self.at;
        match self.next() {
            None => return Err(self.error(Reason::EofWhileParsingValue)),
            Some(b'0') => {
                if let Some(b'0'..=b'9') = self.peek() {
                    return Err(self.peek_error(Reason::InvalidNumber));
                }
            }
            Some(b'1'..=b'9') => {
                self.digits();
            }
            Some(_) => return Err(self.error(Reason::InvalidNumber)),
        }
        let int_end = self.at;
        let mut float = false;
        if self.peek() == Some(b'.') {
            self.at += 1;
            if self.digits() == 0 {
                let reason = match self.peek() {
                    Some(_) => Reason::InvalidNumber,
                    None => Reason::EofWhileParsingValue,
                };
                return Err(self.peek_error(reason));
            }
            float = true;
        }
        if let Some(b'e' | b'E') = self.peek() {
            let mantissa_end = self.at;
            self.at += 1;
            let positive_exponent = match self.peek() {
                Some(b'-') => {
                    self.at += 1;
                    false
                }
                Some(b'+') => {
                    self.at += 1;
                    true
                }
                _ => true,
            };
            let mut exponent: i32 = match self.next() {
                None => return Err(self.error(Reason::EofWhileParsingValue)),
                Some(digit @ b'0'..=b'9') => i32::from(digit - b'0'),
                Some(_) => return Err(self.error(Reason::InvalidNumber)),
            };
            while let Some(digit @ b'0'..=b'9') = self.peek() {
                self.at += 1;
                let digit = i32::from(digit - b'0');
                if exponent >= i32::MAX / 10 && (exponent > i32::MAX / 10 || digit > i32::MAX % 10)
                {
                    // Past `i32`: serde_json gives up on the exponent's value here.
                    let mantissa = self.bytes.get(int_start..mantissa_end).unwrap_or_default();
                    let zero = !mantissa.iter().any(|b| matches!(b, b'1'..=b'9'));
                    if !zero && positive_exponent {
                        return Err(self.error(Reason::NumberOutOfRange));
                    }
                    self.digits();
                    return Ok(float_value(if negative { -0.0 } else { 0.0 }));
                }
                exponent = exponent * 10 + digit;
            }
            float = true;
        }
        if !float {
            let digits = self.bytes.get(int_start..int_end).unwrap_or_default();
            let integer = digits.iter().try_fold(0u64, |n, &digit| {
                n.checked_mul(10)?.checked_add(u64::from(digit - b'0'))
            });
            match integer {
                Some(n) if !negative => return Ok(Value::Number(n.into())),
                Some(n) => {
                    return Ok(match 0i64.checked_sub_unsigned(n) {
                        Some(i) if n != 0 => Value::Number(i.into()),
                        // `-0` and below `i64::MIN`: a float, as serde_json reads them.
                        _ => float_value(-(n as f64)),
                    });
                }
                // Too long for a `u64`: a float.
                None => {}
            }
        }
        let text = self.text.get(start..self.at).unwrap_or_default();
        match crate::platform::parse_f64(text) {
            Some(f) if f.is_finite() => Ok(float_value(f)),
            Some(_) => Err(self.error(Reason::NumberOutOfRange)),
            None => Err(self.error(Reason::NoFloatParser)),
        }
    }
}

/// Appends `text` as a JSON string literal, escaped exactly as `serde_json::to_string` escapes
/// it: `\"`, `\\`, `\b \f \n \r \t`, other control characters as `\u00xx` (lowercase
/// hex), everything else as is.
pub(crate) fn write_string(out: &mut String, text: &str) {
    out.push('"');
    let mut start = 0;
    for (at, byte) in text.bytes().enumerate() {
        let short = match byte {
            b'"' => '"',
            b'\\' => '\\',
            0x08 => 'b',
            0x0c => 'f',
            b'\n' => 'n',
            b'\r' => 'r',
            b'\t' => 't',
            0..=0x1f => 'u',
            _ => continue,
        };
        // Both ends are at ASCII bytes (or the text's end), so on char boundaries.
        out.push_str(text.get(start..at).unwrap_or_default());
        out.push('\\');
        out.push(short);
        if short == 'u' {
            const HEX: &[u8; 16] = b"0123456789abcdef";
            out.push_str("00");
            out.push(char::from(HEX[usize::from(byte >> 4)]));
            out.push(char::from(HEX[usize::from(byte & 0xf)]));
        }
        start = at + 1;
    }
    out.push_str(text.get(start..).unwrap_or_default());
    out.push('"');
}

/// A finite float as a `Value`.
fn float_value(f: f64) -> Value {
    // invariant: callers pass finite numbers only, which `from_f64` always takes.
    Number::from_f64(f).map_or(Value::Null, Value::Number)
}

/// The reader against serde_json, for the tests and the `json_reader` fuzz target.
#[cfg(any(test, fuzzing))]
pub(crate) mod differential;
#[cfg(test)]
mod tests;
