//! `&str` → tokens with [`Span`]s in UTF-16 code units.
//!
//! One job: cut filter text into [`Token`]s. This is the only module that sees byte offsets;
//! every position leaves it as UTF-16 code units (what JS `string.slice` counts), and all
//! position arithmetic goes through `Lexer::advance` and `Lexer::bump_while`. Knows nothing of the grammar or the schema.
//! Imports only `error` and `datetime`.
//!
//! Zero-copy: a token borrows its text from the input (`Word`, and `String`/`Number`/`Guid`
//! unless unescaping or canonicalising changed it), so lexing allocates nothing for a typical
//! filter. The scanner works on bytes; only a non-ASCII character is decoded (to ask Unicode
//! whether it is a letter or a space).

use std::borrow::Cow;
use std::fmt;

use crate::datetime::{Date, DateTimeOffset};
use crate::error::{Error, Result, Span};

/// The longest filter accepted, in UTF-16 code units (256 Ki). Longer input is rejected with
/// [`Error::TooLong`] before any lexing, so a megabyte of text costs one length count. Large
/// enough for a 10 000-term `or` chain of real comparisons (offline evaluation is not bound by
/// a server's URL limit), small enough to bound the work per call.
pub const MAX_FILTER_LEN: usize = 256 * 1024;

/// One lexical token of a `$filter` expression, borrowing from the input where it can.
#[derive(Debug, Clone, PartialEq)]
pub enum Token<'a> {
    /// An identifier or keyword as written: `status`, `eq`, `And`, `contains`, `t`.
    Word(&'a str),
    /// Single quoted string, value unescaped: `'O''Neil'` holds `O'Neil`.
    String(Cow<'a, str>),
    /// A number as written (exponent marker lower-cased, a leading `+` dropped): `42`, `-3`,
    /// `1.5`, `1e5`, `INF`, `NaN`.
    Number(Cow<'a, str>),
    /// A bare GUID, lower-cased: `65edc0b5-3485-41b7-a17e-dfa9ef4706e2`.
    Guid(Cow<'a, str>),
    /// A date: `2020-12-01`.
    Date(Date),
    /// A date-time with offset: `2020-10-30T21:03:00Z`.
    DateTime(DateTimeOffset),
    /// A day-time duration: `duration'P1DT2H'`; holds the ISO text (upper-cased) and picoseconds
    /// (OData allows 12 fractional second digits).
    Duration(String, i128),
    /// `/`: member access or lambda.
    Slash,
    /// `(`
    LParen,
    /// `)`
    RParen,
    /// `,`
    Comma,
    /// `:`: after a lambda variable.
    Colon,
    /// `-` not followed by a digit: unary negation.
    Minus,
}

impl fmt::Display for Token<'_> {
    /// The source spelling (canonicalised), used in "expected X, found Y" messages.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Token::Word(w) => f.write_str(w),
            Token::String(s) => {
                // Through a `String`, as `Expr`'s `Display`: `write_quoted` has one instance.
                let mut out = String::new();
                write_quoted(&mut out, s)?;
                f.write_str(&out)
            }
            Token::Number(n) => f.write_str(n),
            Token::Guid(g) => f.write_str(g),
            Token::Date(d) => write!(f, "{d}"),
            Token::DateTime(t) => write!(f, "{t}"),
            Token::Duration(text, _) => write!(f, "duration'{text}'"),
            Token::Slash => f.write_str("/"),
            Token::LParen => f.write_str("("),
            Token::RParen => f.write_str(")"),
            Token::Comma => f.write_str(","),
            Token::Colon => f.write_str(":"),
            Token::Minus => f.write_str("-"),
        }
    }
}

/// Writes `s` as an OData string literal: in single quotes, inner quotes doubled.
pub(crate) fn write_quoted(f: &mut impl fmt::Write, s: &str) -> fmt::Result {
    f.write_char('\'')?;
    for part in s.split_inclusive('\'') {
        f.write_str(part)?;
        if part.ends_with('\'') {
            f.write_char('\'')?;
        }
    }
    f.write_char('\'')
}

/// A token and where it is (UTF-16 code units, half-open).
#[derive(Debug, Clone, PartialEq)]
pub struct Spanned<T> {
    /// The token.
    pub token: T,
    /// Its position in the source.
    pub span: Span,
}

impl<'a> PartialEq<Token<'a>> for Spanned<Token<'a>> {
    fn eq(&self, other: &Token<'a>) -> bool {
        self.token == *other
    }
}

/// Length of `src` in UTF-16 code units, saturating at `u32::MAX`.
pub fn len_utf16(src: &str) -> u32 {
    u32::try_from(utf16_len(src.as_bytes())).unwrap_or(u32::MAX)
}

/// UTF-16 length of whole characters' UTF-8 bytes: one unit per character (every byte that
/// is not a continuation byte), two for a 4-byte one (a surrogate pair).
/// Eight bytes at a time: a continuation byte is `10xxxxxx` (top bit set, next one clear), a
/// 4-byte lead is `11110xxx` (top four bits set; never in valid UTF-8 otherwise).
fn utf16_len(bytes: &[u8]) -> usize {
    const TOP: u64 = 0x8080_8080_8080_8080;
    let mut chunks = bytes.chunks_exact(8);
    let mut len = bytes.len();
    for chunk in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let w = u64::from_le_bytes(word);
        // Within each byte, `w << k` moves bit `7 - k` to bit 7 (bits shifted in from the byte
        // below land under bit 7 and are masked off).
        let continuation = w & !(w << 1) & TOP;
        let four = w & (w << 1) & (w << 2) & (w << 3) & TOP;
        len = len - continuation.count_ones() as usize + four.count_ones() as usize;
    }
    for &b in chunks.remainder() {
        len = len - usize::from(b & 0xC0 == 0x80) + usize::from(b >= 0xF0);
    }
    len
}

/// Rejects input longer than [`MAX_FILTER_LEN`] UTF-16 code units.
///
/// # Errors
/// [`Error::TooLong`].
pub fn check_length(src: &str) -> Result<()> {
    // UTF-16 length <= UTF-8 length, so short inputs need no count at all.
    if src.len() <= MAX_FILTER_LEN {
        return Ok(());
    }
    let len = utf16_len(src.as_bytes());
    if len > MAX_FILTER_LEN {
        return Err(Error::TooLong { len, max: MAX_FILTER_LEN });
    }
    Ok(())
}

/// Splits filter text into tokens: `Lexer::new(src)` is an iterator of
/// `Result<Spanned<Token>>`; after an error it goes on with the next character.
#[derive(Debug)]
pub struct Lexer<'a> {
    src: &'a str,
    /// Byte offset of the next character (always on a character boundary).
    pos: usize,
    /// UTF-16 offset of the next character.
    pos16: u32,
}

#[inline(always)]
fn is_word_start(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_alphabetic() || c == '_'
    } else {
        crate::platform::is_alphabetic(c)
    }
}

#[inline(always)]
fn is_word_char(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_alphanumeric() || c == '_'
    } else {
        crate::platform::is_alphanumeric(c)
    }
}

/// `char::is_whitespace`, with the ASCII answer inline.
#[inline(always)]
fn is_space(c: char) -> bool {
    if c.is_ascii() {
        matches!(c, ' ' | '\t'..='\r')
    } else {
        c.is_whitespace()
    }
}

/// Does `bytes` start with a GUID (8-4-4-4-12 hex digits) not followed by a word character?
fn guid_at(bytes: &[u8]) -> bool {
    // The first dash is the cheap test that almost every word fails.
    if bytes.get(8) != Some(&b'-') {
        return false;
    }
    const GROUPS: [usize; 5] = [8, 4, 4, 4, 12];
    let mut at = 0;
    for (i, len) in GROUPS.iter().enumerate() {
        if i > 0 {
            if bytes.get(at) != Some(&b'-') {
                return false;
            }
            at += 1;
        }
        for _ in 0..*len {
            match bytes.get(at) {
                Some(b) if b.is_ascii_hexdigit() => at += 1,
                _ => return false,
            }
        }
    }
    !matches!(bytes.get(at), Some(b) if b.is_ascii_alphanumeric() || *b == b'_' || *b == b'-')
}

/// Picoseconds per second: the unit of durations, the finest OData writes (12 fractional digits).
pub(crate) const PICOS_PER_SECOND: i128 = 1_000_000_000_000;

/// Parses the body of a day-time duration `[-]P[nD][T[nH][nM][n[.f]S]]` into picoseconds.
pub(crate) fn parse_duration(text: &str) -> std::result::Result<i128, &'static str> {
    const SHAPE: &str = "expected [-]P[nD][T[nH][nM][nS]]";
    let upper = text.to_ascii_uppercase();
    let (negative, rest) = match upper.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, upper.as_str()),
    };
    let rest = rest.strip_prefix('P').ok_or(SHAPE)?;
    let (days, time) = match rest.split_once('T') {
        Some((d, t)) => {
            if t.is_empty() {
                return Err(SHAPE);
            }
            (d, Some(t))
        }
        None => (rest, None),
    };
    let mut total: i128 = 0;
    let mut any = false;
    if !days.is_empty() {
        let n = days.strip_suffix('D').ok_or(SHAPE)?;
        total += integer(n)? * 86_400 * PICOS_PER_SECOND;
        any = true;
    }
    if let Some(mut t) = time {
        for (unit, seconds) in [('H', 3_600i128), ('M', 60)] {
            if let Some(i) = t.find(unit) {
                total += integer(&t[..i])? * seconds * PICOS_PER_SECOND;
                t = &t[i + 1..];
                any = true;
            }
        }
        if !t.is_empty() {
            let n = t.strip_suffix('S').ok_or(SHAPE)?;
            let (whole, frac) = n.split_once('.').unwrap_or((n, ""));
            total += integer(whole)? * PICOS_PER_SECOND;
            if !frac.is_empty() || n.contains('.') {
                if frac.is_empty() || frac.len() > 12 || !frac.bytes().all(|b| b.is_ascii_digit()) {
                    return Err("expected 1-12 fractional second digits");
                }
                let mut f = integer(frac)?;
                for _ in frac.len()..12 {
                    f *= 10;
                }
                total += f;
            }
            any = true;
        }
    }
    if !any {
        return Err(SHAPE);
    }
    Ok(if negative { -total } else { total })
}

/// Does `bytes` start with a date whose year OData allows but the library does not: a `-` sign
/// or five or more digits, then `-MM-DD`?
fn far_year_date(bytes: &[u8]) -> bool {
    let unsigned = bytes.strip_prefix(b"-").unwrap_or(bytes);
    let digits = unsigned.iter().take_while(|b| b.is_ascii_digit()).count();
    let rest = &unsigned[digits..];
    (digits > 4 || (digits == 4 && unsigned.len() < bytes.len()))
        && rest.len() >= 6
        && rest[0] == b'-'
        && rest[1..3].iter().all(u8::is_ascii_digit)
        && rest[3] == b'-'
        && rest[4..6].iter().all(u8::is_ascii_digit)
}

/// Checks a time of day `hh:mm[:ss[.fraction]]` (OData's `timeOfDayValue`, up to 12
/// fractional digits).
fn check_time_of_day(text: &str) -> std::result::Result<(), &'static str> {
    const SHAPE: &str = "expected hh:mm[:ss[.fraction]]";
    let mut parts = text.splitn(3, ':');
    let hour = parts.next().ok_or(SHAPE)?;
    let minute = parts.next().ok_or(SHAPE)?;
    let two = |p: &str, max: u32| {
        (p.len() == 2 && p.bytes().all(|b| b.is_ascii_digit()))
            .then(|| p.parse::<u32>().ok())
            .flatten()
            .filter(|v| *v <= max)
    };
    two(hour, 23).ok_or("hour must be 00-23")?;
    two(minute, 59).ok_or("minute must be 00-59")?;
    if let Some(seconds) = parts.next() {
        let (whole, frac) = match seconds.split_once('.') {
            Some((w, f)) => (w, Some(f)),
            None => (seconds, None),
        };
        two(whole, 59).ok_or("second must be 00-59")?;
        if let Some(frac) = frac {
            if frac.is_empty() || frac.len() > 12 || !frac.bytes().all(|b| b.is_ascii_digit()) {
                return Err("expected 1-12 fractional second digits");
            }
        }
    } else if text.contains('.') {
        return Err(SHAPE);
    }
    Ok(())
}

fn integer(digits: &str) -> std::result::Result<i128, &'static str> {
    if digits.is_empty() || digits.len() > 12 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err("expected up to 12 digits before each unit");
    }
    // At most 12 digits: read as a `u64` (no 128-bit parser in the wasm), then widened.
    digits.parse::<u64>().map(i128::from).map_err(|_| "number out of range")
}

impl<'a> Lexer<'a> {
    /// A lexer over `src`, positioned at its start.
    pub fn new(src: &'a str) -> Self {
        Lexer { src, pos: 0, pos16: 0 }
    }

    /// Whether the next token is `(` (white space skipped; nothing is consumed).
    pub fn paren_follows(&self) -> bool {
        let mut ahead = Lexer { src: self.src, pos: self.pos, pos16: self.pos16 };
        ahead.bump_spaces();
        ahead.byte(0) == Some(b'(')
    }

    /// The UTF-16 offset of the next character (the input's length at the end).
    pub fn offset(&self) -> u32 {
        self.pos16
    }

    /// The byte `n` bytes ahead, if any.
    #[inline]
    fn byte(&self, n: usize) -> Option<u8> {
        self.src.as_bytes().get(self.pos + n).copied()
    }

    fn rest(&self) -> &'a str {
        // invariant: `pos` only ever advances by whole characters in `advance`.
        self.src.get(self.pos..).unwrap_or("")
    }

    /// The next character (decoded only when it is not ASCII).
    #[inline]
    fn peek(&self) -> Option<char> {
        match self.byte(0)? {
            b if b.is_ascii() => Some(char::from(b)),
            _ => self.rest().chars().next(),
        }
    }

    /// The only place that moves the position: `n` bytes (whole characters) forward.
    #[inline]
    fn advance(&mut self, n: usize) {
        let end = (self.pos + n).min(self.src.len());
        let passed = self.src.as_bytes().get(self.pos..end).unwrap_or(&[]);
        let units = u32::try_from(utf16_len(passed)).unwrap_or(u32::MAX);
        self.pos16 = self.pos16.saturating_add(units);
        self.pos = end;
    }

    /// Advances while `pred` holds for the next character; returns the text passed over.
    /// (With `advance`, the only code that moves the position: here by counting the UTF-16
    /// units of each character passed.)
    #[inline]
    fn bump_while(&mut self, pred: impl Fn(char) -> bool) -> &'a str {
        let start = self.pos;
        let bytes = self.src.as_bytes();
        let mut at = start;
        let mut units: u32 = 0;
        while let Some(&b) = bytes.get(at) {
            if b.is_ascii() {
                if !pred(char::from(b)) {
                    break;
                }
                at += 1;
                units += 1;
            } else {
                match self.src.get(at..).and_then(|r| r.chars().next()) {
                    Some(c) if pred(c) => {
                        at += c.len_utf8();
                        units += c.len_utf16() as u32;
                    }
                    _ => break,
                }
            }
        }
        self.pos = at;
        self.pos16 = self.pos16.saturating_add(units);
        self.src.get(start..at).unwrap_or("")
    }

    /// Advances over ASCII bytes for which `ascii` holds (a tight loop with no decoding),
    /// then, at a non-ASCII character, goes on with `bump_while(unicode)`.
    #[inline(always)]
    fn bump_ascii_then(
        &mut self,
        ascii: impl Fn(u8) -> bool,
        unicode: impl Fn(char) -> bool,
    ) -> &'a str {
        let start = self.pos;
        let bytes = self.src.as_bytes();
        let mut at = start;
        while bytes.get(at).is_some_and(|&b| ascii(b)) {
            at += 1;
        }
        self.pos16 = self.pos16.saturating_add(u32::try_from(at - start).unwrap_or(u32::MAX));
        self.pos = at;
        if bytes.get(at).is_some_and(|b| !b.is_ascii()) {
            self.bump_while(unicode);
        }
        self.src.get(start..self.pos).unwrap_or("")
    }

    /// Advances over word characters (`_`, letters, digits).
    fn bump_word(&mut self) -> &'a str {
        self.bump_ascii_then(|b| b.is_ascii_alphanumeric() || b == b'_', is_word_char)
    }

    /// Advances over white space.
    fn bump_spaces(&mut self) {
        self.bump_ascii_then(|b| matches!(b, b' ' | b'\t'..=b'\r'), is_space);
    }

    fn span_from(&self, start: u32) -> Span {
        Span::new(start, self.pos16)
    }

    /// Lexes a quoted string starting at the opening quote (already peeked). The value
    /// borrows from the input unless it holds a doubled quote.
    fn string(&mut self, start: u32) -> Result<Cow<'a, str>> {
        let bytes = self.src.as_bytes();
        let open = self.pos;
        let mut piece = open + 1;
        let mut owned: Option<String> = None;
        loop {
            let Some(quote) = bytes.get(piece..).and_then(|r| r.iter().position(|&b| b == b'\''))
            else {
                self.advance(self.src.len() - open);
                return Err(Error::UnterminatedString { span: Span::new(start, start + 1) });
            };
            let quote = piece + quote;
            // invariant: `piece` and `quote` sit next to ASCII quotes: character boundaries.
            let text = self.src.get(piece..quote).unwrap_or("");
            if bytes.get(quote + 1) == Some(&b'\'') {
                let value = owned.get_or_insert_with(String::new);
                value.push_str(text);
                value.push('\'');
                piece = quote + 2;
                continue;
            }
            self.advance(quote + 1 - open);
            return Ok(match owned {
                Some(mut value) => {
                    value.push_str(text);
                    Cow::Owned(value)
                }
                None => Cow::Borrowed(text),
            });
        }
    }

    /// Number, date, date-time (starting with a digit or `-digit`); a time of day is
    /// recognised to be refused truthfully.
    fn numeric(&mut self, start: u32) -> Result<Token<'a>> {
        let bytes = self.rest().as_bytes();
        let time_like = bytes.len() >= 5
            && bytes[..2].iter().all(u8::is_ascii_digit)
            && bytes[2] == b':'
            && bytes[3..5].iter().all(u8::is_ascii_digit);
        if time_like {
            let text = self.bump_while(|c| c.is_ascii_digit() || matches!(c, ':' | '.'));
            let span = self.span_from(start);
            return Err(match check_time_of_day(text) {
                Ok(()) => Error::Unsupported {
                    span,
                    construct: format!("the TimeOfDay literal `{text}`"),
                },
                Err(reason) => {
                    Error::InvalidLiteral { span, kind: "time-of-day", reason: reason.into() }
                }
            });
        }
        let date_like = bytes.len() >= 5
            && bytes[..4].iter().all(u8::is_ascii_digit)
            && bytes[4] == b'-'
            && bytes.get(5).is_some_and(u8::is_ascii_digit);
        if !date_like && far_year_date(bytes) {
            // OData's `year` is `[-]` and four or more digits; dates here are 0000-9999.
            let text = self
                .bump_while(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | ':' | '.' | '+'));
            return Err(Error::Unsupported {
                span: self.span_from(start),
                construct: format!("the date `{text}` (a year outside 0000-9999)"),
            });
        }
        if date_like {
            let text = self
                .bump_while(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | ':' | '.' | '+'));
            let span = self.span_from(start);
            let result = if text.len() > 10 {
                DateTimeOffset::parse(text).map(Token::DateTime).map_err(|r| ("date-time", r))
            } else {
                Date::parse(text).map(Token::Date).map_err(|r| ("date", r))
            };
            return result.map_err(|(kind, reason)| {
                if kind == "date-time" && text.get(16..19) == Some(":60") {
                    // OData's `second` allows 60; an instant has no leap second.
                    return Error::Unsupported {
                        span,
                        construct: format!("the leap second in `{text}`"),
                    };
                }
                Error::InvalidLiteral { span, kind, reason: reason.into() }
            });
        }
        let from = self.pos;
        if self.byte(0) == Some(b'-') {
            self.advance(1);
        }
        self.bump_ascii_then(|b| b.is_ascii_digit(), |_| false);
        let invalid = |lexer: &Self, reason: &str| Error::InvalidLiteral {
            span: lexer.span_from(start),
            kind: "number",
            reason: reason.into(),
        };
        if self.byte(0) == Some(b'.') {
            self.advance(1);
            if self.bump_ascii_then(|b| b.is_ascii_digit(), |_| false).is_empty() {
                return Err(invalid(self, "expected digits after `.`"));
            }
        }
        let mut upper_e = false;
        if let Some(e @ (b'e' | b'E')) = self.byte(0) {
            upper_e = e == b'E';
            self.advance(1);
            if matches!(self.byte(0), Some(b'+' | b'-')) {
                self.advance(1);
            }
            if self.bump_ascii_then(|b| b.is_ascii_digit(), |_| false).is_empty() {
                return Err(invalid(self, "expected digits in the exponent"));
            }
        }
        if self.peek().is_some_and(is_word_char) {
            self.bump_word();
            return Err(invalid(self, "a number cannot run into letters"));
        }
        // invariant: the number is ASCII, so both ends are character boundaries.
        let text = self.src.get(from..self.pos).unwrap_or("");
        Ok(Token::Number(if upper_e { Cow::Owned(text.replace('E', "e")) } else { text.into() }))
    }

    /// A word, or the literals spelled with letters: GUIDs, `INF`/`NaN`, `duration'..'`.
    /// Qualified names and the other typed literals of OData are refused truthfully.
    fn word(&mut self, start: u32) -> Result<Token<'a>> {
        let word = self.bump_word();
        match self.byte(0) {
            Some(b'.')
                if self
                    .src
                    .get(self.pos + 1..)
                    .and_then(|r| r.chars().next())
                    .is_some_and(is_word_start) =>
            {
                return Err(self.qualified_name(start));
            }
            Some(b'\'') => {
                if let Some(literal) = self.prefixed_literal(start, word) {
                    return literal;
                }
            }
            _ => {}
        }
        if matches!(word.as_bytes(), b"INF" | b"NaN") {
            return Ok(Token::Number(Cow::Borrowed(word)));
        }
        Ok(Token::Word(word))
    }

    /// A word followed by a quote: `duration'…'`, or a typed literal OData has and the library
    /// does not (`binary'…'`, `geography'…'`, `geometry'…'`); `None` for any other word.
    fn prefixed_literal(&mut self, start: u32, word: &str) -> Option<Result<Token<'a>>> {
        if word.eq_ignore_ascii_case("duration") {
            let body = match self.string(self.pos16) {
                Ok(body) => body,
                Err(e) => return Some(Err(e)),
            };
            return Some(match parse_duration(&body) {
                Ok(nanos) => Ok(Token::Duration(body.to_ascii_uppercase(), nanos)),
                Err(reason) => Err(Error::InvalidLiteral {
                    span: self.span_from(start),
                    kind: "duration",
                    reason: reason.into(),
                }),
            });
        }
        let typed = ["binary", "geography", "geometry"];
        let kind = typed.into_iter().find(|k| word.eq_ignore_ascii_case(k))?;
        Some(self.string(self.pos16).and_then(|_| {
            Err(Error::Unsupported {
                span: self.span_from(start),
                construct: format!("a {kind} literal (`{kind}'…'`)"),
            })
        }))
    }

    /// After a word and a `.`: `Namespace.Name`, `Namespace.Enum'Value'` or `geo.distance(`,
    /// all valid OData outside the supported subset.
    #[cold]
    fn qualified_name(&mut self, start: u32) -> Error {
        let from = self.pos;
        while self.byte(0) == Some(b'.')
            && self
                .src
                .get(self.pos + 1..)
                .and_then(|r| r.chars().next())
                .is_some_and(is_word_start)
        {
            self.advance(1);
            self.bump_word();
        }
        let start_byte = from
            - self.src.get(..from).map_or(0, |head| {
                head.chars().rev().take_while(|c| is_word_char(*c)).map(char::len_utf8).sum()
            });
        let name = self.src.get(start_byte..self.pos).unwrap_or("").to_owned();
        let construct = match self.byte(0) {
            Some(b'\'') => {
                let quote = self.pos16;
                if self.string(quote).is_err() {
                    return Error::UnterminatedString { span: Span::new(quote, quote + 1) };
                }
                format!("the qualified enum literal `{name}'…'`")
            }
            Some(b'(') => format!("the function `{name}`"),
            _ => format!("the qualified name `{name}` (a namespace, type name or cast)"),
        };
        Error::Unsupported { span: self.span_from(start), construct }
    }

    /// `$it`, `$root`, `$this`, `$count`, `@alias`, `@Annotation.Term`, `[`, `{`: valid OData
    /// outside the supported subset.
    #[cold]
    fn unsupported_sigil(&mut self, start: u32, sigil: u8) -> Error {
        self.advance(1);
        let construct = match sigil {
            b'[' => "a JSON array".to_owned(),
            b'{' => "a JSON object".to_owned(),
            _ => {
                let name = self
                    .bump_while(|c| is_word_char(c) || c == '.')
                    .trim_end_matches('.')
                    .to_owned();
                match (sigil, name.as_str()) {
                    (b'$', "it" | "root" | "this") => format!("`${name}`"),
                    (b'$', "count") => "the `$count` path segment".to_owned(),
                    (b'$', "filter") => "the `$filter(…)` path segment".to_owned(),
                    (b'$', _) => format!("the system name `${name}`"),
                    (_, n) if n.contains('.') => format!("the annotation `@{name}`"),
                    _ => format!("the parameter alias `@{name}`"),
                }
            }
        };
        Error::Unsupported { span: self.span_from(start), construct }
    }

    fn next_token(&mut self) -> Option<Result<Spanned<Token<'a>>>> {
        self.bump_spaces();
        let start = self.pos16;
        let b = self.byte(0)?;
        let token = match b {
            b'/' => self.punctuation(Token::Slash),
            b'(' => self.punctuation(Token::LParen),
            b')' => self.punctuation(Token::RParen),
            b',' => self.punctuation(Token::Comma),
            b':' => self.punctuation(Token::Colon),
            b'\'' => self.string(start).map(Token::String),
            _ if b.is_ascii_hexdigit() && guid_at(self.rest().as_bytes()) => Ok(self.guid()),
            b'0'..=b'9' => self.numeric(start),
            b'-' if self.digit_follows() => self.numeric(start),
            b'-' if self.rest().as_bytes().get(1..4) == Some(b"INF") => {
                self.negative_infinity(start)
            }
            b'-' => self.punctuation(Token::Minus),
            // OData's SIGN: `+42` is `42` (the canonical form drops the plus).
            b'+' if self.digit_follows() => self.plus_signed(start),
            b'$' | b'@'
                if self
                    .src
                    .get(self.pos + 1..)
                    .and_then(|r| r.chars().next())
                    .is_some_and(is_word_start) =>
            {
                Err(self.unsupported_sigil(start, b))
            }
            b'[' | b'{' => Err(self.unsupported_sigil(start, b)),
            b'a'..=b'z' | b'A'..=b'Z' | b'_' => self.word(start),
            _ => {
                let c = self.peek()?;
                if is_word_start(c) {
                    self.word(start)
                } else {
                    self.advance(c.len_utf8());
                    Err(Error::UnexpectedChar { span: self.span_from(start), found: c })
                }
            }
        };
        Some(token.map(|token| Spanned { token, span: self.span_from(start) }))
    }

    /// Whether the byte after the next one is a digit (`-3`, `+3`).
    fn digit_follows(&self) -> bool {
        self.byte(1).is_some_and(|d| d.is_ascii_digit())
    }

    /// A one-byte punctuation token.
    fn punctuation(&mut self, token: Token<'a>) -> Result<Token<'a>> {
        self.advance(1);
        Ok(token)
    }

    /// A bare GUID (`guid_at` said there is one), lower-cased.
    fn guid(&mut self) -> Token<'a> {
        let from = self.pos;
        self.advance(36);
        // invariant: a GUID is 36 ASCII bytes.
        let text = self.src.get(from..self.pos).unwrap_or("");
        Token::Guid(if text.bytes().any(|b| b.is_ascii_uppercase()) {
            Cow::Owned(text.to_ascii_lowercase())
        } else {
            Cow::Borrowed(text)
        })
    }

    /// `+` and a digit: the number or date after it, without the sign.
    fn plus_signed(&mut self, start: u32) -> Result<Token<'a>> {
        self.advance(1);
        match self.numeric(start) {
            Ok(Token::Date(_) | Token::DateTime(_)) => Err(Error::InvalidLiteral {
                span: self.span_from(start),
                kind: "date",
                reason: "a date cannot have a `+` sign".into(),
            }),
            other => other,
        }
    }

    /// `-INF`, unless letters follow.
    fn negative_infinity(&mut self, start: u32) -> Result<Token<'a>> {
        self.advance(4);
        if self.peek().is_some_and(is_word_char) {
            self.bump_word();
            return Err(Error::InvalidLiteral {
                span: self.span_from(start),
                kind: "number",
                reason: "a number cannot run into letters".into(),
            });
        }
        Ok(Token::Number(Cow::Borrowed("-INF")))
    }
}

impl<'a> Iterator for Lexer<'a> {
    type Item = Result<Spanned<Token<'a>>>;

    fn next(&mut self) -> Option<Self::Item> {
        self.next_token()
    }
}

/// Lexes all of `src`, stopping at the first error.
///
/// # Errors
/// [`Error::TooLong`], [`Error::UnexpectedChar`], [`Error::UnterminatedString`] (at the opening
/// quote) or [`Error::InvalidLiteral`].
pub fn tokenize(src: &str) -> Result<Vec<Spanned<Token<'_>>>> {
    check_length(src)?;
    Lexer::new(src).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf16_lengths_are_counted_from_utf8() {
        for s in ["", "abc", "é", "東京 Trading", "💝🎉 ünïcödé", "\u{ffff}\u{10000}\u{0}"]
        {
            assert_eq!(len_utf16(s) as usize, s.encode_utf16().count(), "{s}");
        }
        // Every mix of 1- to 4-byte characters at every offset of the 8-byte chunks.
        let chars = ['a', 'é', '東', '💝', '\u{7f}', '\u{80}', '\u{ffff}', '\u{10ffff}'];
        for skip in 0..8 {
            for n in 0..40 {
                let s: String = "x".repeat(skip)
                    + &(0..n).map(|i| chars[(i * 7 + n) % chars.len()]).collect::<String>();
                assert_eq!(len_utf16(&s) as usize, s.encode_utf16().count(), "{s}");
            }
        }
    }

    fn tokens(src: &str) -> Vec<Token<'_>> {
        tokenize(src).unwrap().into_iter().map(|t| t.token).collect()
    }

    fn word(w: &str) -> Token<'_> {
        Token::Word(w)
    }

    #[test]
    fn lex_spans_count_utf16_code_units() {
        let toks = tokenize("name eq '💝' and x").unwrap();
        let spans: Vec<(u32, u32)> = toks.iter().map(|t| (t.span.start, t.span.end)).collect();
        assert_eq!(spans, [(0, 4), (5, 7), (8, 12), (13, 16), (17, 18)]);
        assert_eq!(toks[3], word("and"));
        assert_eq!(toks[2], Token::String("💝".into()));
    }

    #[test]
    fn lex_literals_of_every_kind() {
        assert_eq!(
            tokens("'O''Neil' 42 -3 1.5 1E5 2.5e-3 INF -INF NaN true null"),
            [
                Token::String("O'Neil".into()),
                Token::Number("42".into()),
                Token::Number("-3".into()),
                Token::Number("1.5".into()),
                Token::Number("1e5".into()),
                Token::Number("2.5e-3".into()),
                Token::Number("INF".into()),
                Token::Number("-INF".into()),
                Token::Number("NaN".into()),
                word("true"),
                word("null"),
            ]
        );
        let t = tokens("65EDC0B5-3485-41b7-a17e-dfa9ef4706e2 2020-12-01 2020-10-30T21:03:00Z");
        assert_eq!(t[0], Token::Guid("65edc0b5-3485-41b7-a17e-dfa9ef4706e2".into()));
        assert_eq!(t[1], Token::Date(Date::parse("2020-12-01").unwrap()));
        assert_eq!(t[2], Token::DateTime(DateTimeOffset::parse("2020-10-30T21:03:00Z").unwrap()));
        assert_eq!(
            tokens("+42 +0.314e+1"),
            [Token::Number("42".into()), Token::Number("0.314e+1".into())]
        );
        assert!(matches!(
            tokenize("+2020-12-01"),
            Err(Error::InvalidLiteral { span, .. }) if span == Span::new(0, 11)
        ));
        assert!(matches!(tokenize("+ 1"), Err(Error::UnexpectedChar { found: '+', .. })));
        assert_eq!(
            tokens("duration'p1dt2h'"),
            [Token::Duration("P1DT2H".into(), (26 * 3600) * PICOS_PER_SECOND)]
        );
    }

    #[test]
    fn lex_guid_starting_with_a_letter_is_a_guid_not_a_word() {
        assert_eq!(
            tokens("id eq edc0b5a1-3485-41b7-a17e-dfa9ef4706e2)"),
            [
                word("id"),
                word("eq"),
                Token::Guid("edc0b5a1-3485-41b7-a17e-dfa9ef4706e2".into()),
                Token::RParen
            ]
        );
    }

    #[test]
    fn lex_punctuation_and_paths() {
        assert_eq!(
            tokens("team/any(t:t/email),- x"),
            [
                word("team"),
                Token::Slash,
                word("any"),
                Token::LParen,
                word("t"),
                Token::Colon,
                word("t"),
                Token::Slash,
                word("email"),
                Token::RParen,
                Token::Comma,
                Token::Minus,
                word("x"),
            ]
        );
    }

    #[test]
    fn lex_unterminated_string_points_at_quote() {
        assert_eq!(
            tokenize("name eq '💝 abc").unwrap_err(),
            Error::UnterminatedString { span: Span::new(8, 9) }
        );
    }

    #[test]
    fn lex_unexpected_char_after_astral_char() {
        let err = tokenize("'💝' # x").unwrap_err();
        assert_eq!(err, Error::UnexpectedChar { span: Span::new(5, 6), found: '#' });
    }

    #[test]
    fn lex_invalid_literals_point_at_their_start() {
        for (src, at, kind) in [
            ("x eq 2020-13-01", 5, "date"),
            ("x eq 2020-12-01T25:00:00Z", 5, "date-time"),
            ("x eq 12abc", 5, "number"),
            ("x eq 1.", 5, "number"),
            ("x eq 1e", 5, "number"),
            ("x eq duration'P'", 5, "duration"),
            ("x eq duration'1D'", 5, "duration"),
        ] {
            match tokenize(src) {
                Err(Error::InvalidLiteral { span, kind: k, .. }) => {
                    assert_eq!((span.start, k), (at, kind), "{src}")
                }
                other => panic!("{src}: {other:?}"),
            }
        }
    }

    #[test]
    fn lex_too_long_input_is_rejected_before_lexing() {
        let src = "a".repeat(MAX_FILTER_LEN + 1);
        assert_eq!(
            tokenize(&src).unwrap_err(),
            Error::TooLong { len: MAX_FILTER_LEN + 1, max: MAX_FILTER_LEN }
        );
        assert!(check_length(&"💝".repeat(MAX_FILTER_LEN / 2)).is_ok());
        assert!(check_length(&"💝".repeat(MAX_FILTER_LEN / 2 + 1)).is_err());
    }

    #[test]
    fn display_prints_the_source_spelling() {
        assert_eq!(Token::String("it's".into()).to_string(), "'it''s'");
        assert_eq!(Token::Duration("P1D".into(), 0).to_string(), "duration'P1D'");
        assert_eq!(Token::RParen.to_string(), ")");
    }

    #[test]
    fn duration_bodies() {
        assert_eq!(parse_duration("PT1.5S"), Ok(1_500_000_000_000));
        assert_eq!(parse_duration("-P1D"), Ok(-86_400 * PICOS_PER_SECOND));
        assert_eq!(parse_duration("PT1M"), Ok(60 * PICOS_PER_SECOND));
        assert_eq!(parse_duration("PT0.000000000001S"), Ok(1));
        assert_eq!(parse_duration("PT0.123456789012S"), Ok(123_456_789_012));
        assert!(parse_duration("PT0.1234567890123S").is_err());
        assert!(parse_duration("P1DT").is_err());
        assert!(parse_duration("PT1.S").is_err());
        assert!(parse_duration("P1Y").is_err());
    }
}
