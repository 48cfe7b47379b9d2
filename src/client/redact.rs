//! Removing bearer tokens from what a server sent back, by meaning rather than by bytes.
//!
//! A server (or a gateway in front of it) may echo the token it received into an error body, a
//! header or a `nextLink`, and it may echo it escaped: JSON's `\/` and `\u002B`, any `\uXXXX`
//! (surrogate pairs too), percent-encoding, an HTML character reference, upper- or lower-cased,
//! or several of these nested (`%252F`). So a token is not looked for as bytes but as
//! characters: each character of the token may stand in the text as itself (ASCII letters in
//! either case) or as any of its escapes, each character of an escape again as itself or
//! an escape, down to [`MAX_NESTING`] levels. Every character decides for itself, so a token
//! that is only partly escaped, or escaped in several ways at once, or written next to text that
//! looks like an escape (`100%` followed by the token), is found as well. The bytes of the text
//! that spell the token are replaced by [`REDACTED`]; nothing else in the text changes.
//!
//! What can be read at a position is worked out once per nesting depth, so an ordinary text
//! costs a few steps per character. A text built to make the search slow (`aaaa…` against a
//! token `aaaa…b`) runs out of its steps (`STEPS_PER_CHAR`) and is withheld whole: a text
//! is never shown unsearched.
//!
//! Tokens of at least [`MIN_SUBSTRING`] characters are removed wherever they occur, also inside
//! a longer word, and so is a start of one (at least [`MIN_SUBSTRING`] characters) that a length
//! limit cut off (right before a `…`, or at the end of the text). A shorter token is removed
//! only where it stands as a word of its own: a token such as `e` occurs in every English
//! sentence and in this crate's own messages, so removing it everywhere would corrupt the error
//! (`"[redacted]rror"`) without protecting anything.
//!
//! JSON values (an error body's `details`) are redacted after parsing: every string and every
//! key. Two keys that become the same key are both kept (the later ones numbered).
//!
//! Pure string work; imports only `serde_json`'s `Value`.

use std::borrow::Cow;
use std::cell::RefCell;
use std::rc::Rc;

use serde_json::{Map, Value};

/// What a token is replaced with.
pub const REDACTED: &str = "[redacted]";

/// Tokens at least this long (in characters) are removed also where they are part of a longer
/// word, and so are their starts of at least this length that a length limit cut off.
pub const MIN_SUBSTRING: usize = 8;

/// How many distinct tokens a client remembers (the most recent): tokens live about an hour,
/// so these cover the life of any token a server could still echo; the bound keeps a
/// long-lived client's memory and redaction work constant.
pub const MAX_REMEMBERED_TOKENS: usize = 16;

/// How deeply escapes may nest: `%2F` is one level, `%252F` two, `\u00252F` (JSON of
/// percent) two.
pub const MAX_NESTING: usize = 4;

/// The search's steps for one token in one text are at most this many per character of the
/// text and of the token. Real texts need a few per character; a text built to make the
/// search slow (`aaaa…` against a token `aaaa…b`) runs out, and is then withheld whole.
const STEPS_PER_CHAR: usize = 64;

/// The tokens a client has sent, shared by every call of the client (the JS layer makes one
/// core client per call and hands each the same memory). Never holds more than
/// [`MAX_REMEMBERED_TOKENS`]; it is only touched between awaits.
#[derive(Debug, Clone, Default)]
pub struct UsedTokens {
    tokens: Rc<RefCell<Vec<String>>>,
}

impl UsedTokens {
    /// An empty memory.
    pub fn new() -> UsedTokens {
        UsedTokens::default()
    }

    /// Remembers `token` (as the most recent one).
    pub fn remember(&self, token: &str) {
        if token.is_empty() {
            return;
        }
        let Ok(mut tokens) = self.tokens.try_borrow_mut() else { return };
        if let Some(at) = tokens.iter().position(|t| t == token) {
            if at + 1 == tokens.len() {
                return;
            }
            tokens.remove(at);
        }
        if tokens.len() == MAX_REMEMBERED_TOKENS {
            tokens.remove(0);
        }
        tokens.push(token.to_string());
    }

    /// Every remembered token, oldest first.
    pub fn snapshot(&self) -> Vec<String> {
        self.tokens.try_borrow().map(|t| t.clone()).unwrap_or_default()
    }

    /// `text` without any of the remembered tokens (see [`redact_text`]).
    pub fn redact<'t>(&self, text: &'t str) -> Cow<'t, str> {
        match self.tokens.try_borrow() {
            Ok(tokens) => redact_text(text, &tokens),
            // Never happens (no borrow outlives `remember`); if it did, nothing is shown.
            Err(_) => Cow::Owned(REDACTED.to_string()),
        }
    }
}

/// `text` with every occurrence of each of `tokens`, in any escaping, replaced by [`REDACTED`]
/// (see the module documentation). Borrowed when nothing was found.
///
/// ```
/// # use partner_referrals::client::redact_text;
/// let tokens = ["abc/def+ghi".to_string()];
/// assert_eq!(redact_text(r#"bad token "abc\/def\u002Bghi""#, &tokens), r#"bad token "[redacted]""#);
/// assert_eq!(redact_text("t=ABC%2Fdef%2bGHI&x=1", &tokens), "t=[redacted]&x=1");
/// assert_eq!(redact_text("error", &["e".to_string()]), "error");
/// ```
pub fn redact_text<'t>(text: &'t str, tokens: &[String]) -> Cow<'t, str> {
    redact_with(text, &needles(tokens))
}

fn needles(tokens: &[String]) -> Vec<Needle> {
    tokens.iter().filter_map(|t| Needle::new(t)).collect()
}

fn redact_with<'t>(text: &'t str, needles: &[Needle]) -> Cow<'t, str> {
    if needles.is_empty() || text.is_empty() {
        return Cow::Borrowed(text);
    }
    let chars: Vec<char> = text.chars().collect();
    let mut marks: Vec<(usize, usize)> = Vec::new();
    // A slot of remembered reads for each position where an escape starts.
    let mut slots = vec![u32::MAX; chars.len()];
    let mut escapes = 0u32;
    for (slot, c) in slots.iter_mut().zip(&chars) {
        if starts_escape(*c) {
            *slot = escapes;
            escapes += 1;
        }
    }
    let known = vec![None; escapes as usize * MAX_NESTING];
    let mut search = Search { text: &chars, slots, known, steps: 0, budget: 0 };
    for needle in needles {
        search.steps = 0;
        search.budget = STEPS_PER_CHAR.saturating_mul(chars.len() + needle.chars.len());
        if search.find(needle, &mut marks).is_err() {
            return Cow::Owned(REDACTED.to_string());
        }
    }
    if marks.is_empty() {
        return Cow::Borrowed(text);
    }
    // Which characters spell a token (marks overlap and come in any order).
    let mut covered = vec![false; chars.len()];
    for (start, end) in marks {
        covered[start..end].fill(true);
    }
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        if covered[i] {
            out.push_str(REDACTED);
            while i < chars.len() && covered[i] {
                i += 1;
            }
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    Cow::Owned(out)
}

/// `value` with [`redact_text`] applied to every string and every key. A key that becomes the
/// same as one already in its object is kept as `key (2)`, `key (3)`, …: no value is lost.
pub fn redact_json(value: Value, tokens: &[String]) -> Value {
    let needles = needles(tokens);
    if needles.is_empty() {
        return value;
    }
    redact_value(value, &needles)
}

fn redact_value(value: Value, needles: &[Needle]) -> Value {
    match value {
        Value::String(s) => match redact_with(&s, needles) {
            Cow::Borrowed(_) => Value::String(s),
            Cow::Owned(clean) => Value::String(clean),
        },
        Value::Array(items) => {
            Value::Array(items.into_iter().map(|v| redact_value(v, needles)).collect())
        }
        Value::Object(map) => {
            let mut out = Map::new();
            for (key, v) in map {
                let v = redact_value(v, needles);
                let key = match redact_with(&key, needles) {
                    Cow::Borrowed(_) => key,
                    Cow::Owned(clean) => clean,
                };
                let key = if out.contains_key(&key) {
                    (2..)
                        .map(|n| format!("{key} ({n})"))
                        .find(|k| !out.contains_key(k))
                        .unwrap_or(key)
                } else {
                    key
                };
                out.insert(key, v);
            }
            Value::Object(out)
        }
        other => other,
    }
}

/// A token as it is searched for: its characters, folded.
struct Needle {
    chars: Vec<char>,
    /// At least [`MIN_SUBSTRING`] characters: found inside words and when cut short.
    long: bool,
}

impl Needle {
    fn new(token: &str) -> Option<Needle> {
        let chars: Vec<char> = token.chars().map(fold).collect();
        if chars.is_empty() {
            return None;
        }
        let long = chars.len() >= MIN_SUBSTRING;
        Some(Needle { chars, long })
    }
}

/// The character compared: ASCII letters in lower case, everything else as it is. Tokens
/// are ASCII (a header value), and what servers and proxies re-case is ASCII (header values,
/// hex digits); Unicode case mapping would link its tables for characters no token has.
fn fold(c: char) -> char {
    c.to_ascii_lowercase()
}

/// Characters of a word: a short token counts only where neither neighbour is one (so `e` is
/// found in `token e.` and `x=e&y`, not in `error` or `é`). Any non-ASCII character counts
/// as a letter: a short token next to one is left alone.
fn is_word_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || !c.is_ascii() || matches!(c, '-' | '_')
}

/// Where an escape may start: every escape, and every escape of its first character, starts
/// with one of these.
fn starts_escape(c: char) -> bool {
    matches!(c, '%' | '\\' | '&')
}

/// A character read at some position, and where the text after it starts.
type Read = (char, usize);

/// The search of one text: what can be read at each position, at each nesting depth
/// (remembered for the positions where an escape starts), and the token matching on top.
struct Search<'a> {
    text: &'a [char],
    /// For each position, its index among the positions where an escape starts.
    slots: Vec<u32>,
    /// The reads at each such position and depth (1 to [`MAX_NESTING`]), once worked out.
    known: Vec<Option<Vec<Read>>>,
    steps: usize,
    budget: usize,
}

/// The search ran out of steps.
struct OutOfSteps;

impl Search<'_> {
    fn step(&mut self) -> Result<(), OutOfSteps> {
        self.steps += 1;
        if self.steps > self.budget {
            Err(OutOfSteps)
        } else {
            Ok(())
        }
    }

    /// Every character that can be read at `p` with escapes nested at most `depth` deep: the
    /// text's own character, and each escape starting there (each of whose characters may be
    /// read the same way, one level less deep).
    fn reads(&mut self, p: usize, depth: usize) -> Result<Vec<Read>, OutOfSteps> {
        self.step()?;
        let Some(&at) = self.text.get(p) else { return Ok(Vec::new()) };
        if depth == 0 || !starts_escape(at) {
            return Ok(vec![(at, p + 1)]);
        }
        let slot = self.slots[p] as usize * MAX_NESTING + (depth - 1);
        if let Some(known) = &self.known[slot] {
            return Ok(known.clone());
        }
        let mut out = vec![(at, p + 1)];
        let d = depth - 1;
        // Percent-encoding: `%XX`, and the `%XX` continuation bytes of a UTF-8 sequence.
        let mut partial: Vec<(Vec<u8>, usize)> = vec![(Vec::new(), p)];
        while let Some((bytes, q)) = partial.pop() {
            for (percent, q) in self.reads(q, d)? {
                if percent != '%' {
                    continue;
                }
                for (byte, q) in self.hex(q, d, 2)? {
                    let mut bytes = bytes.clone();
                    bytes.push(byte as u8);
                    let need = match bytes[0] {
                        0x00..=0x7F => 1,
                        0xC2..=0xDF => 2,
                        0xE0..=0xEF => 3,
                        0xF0..=0xF4 => 4,
                        _ => continue,
                    };
                    if bytes.len() < need {
                        partial.push((bytes, q));
                    } else if let Some(c) =
                        std::str::from_utf8(&bytes).ok().and_then(|s| s.chars().next())
                    {
                        out.push((c, q));
                    }
                }
            }
        }
        // JSON: `\/`, `\\`, `\"` and `\uXXXX` (a surrogate pair as one character).
        for (slash, q) in self.reads(p, d)? {
            if slash != '\\' {
                continue;
            }
            for (kind, q) in self.reads(q, d)? {
                match kind {
                    '/' | '\\' | '"' => out.push((kind, q)),
                    'u' | 'U' => {
                        for (unit, q) in self.hex(q, d, 4)? {
                            if !(0xD800..0xDC00).contains(&unit) {
                                out.extend(char::from_u32(unit).map(|c| (c, q)));
                                continue;
                            }
                            for (low, q) in self.low_surrogate(q, d)? {
                                let c = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00);
                                out.extend(char::from_u32(c).map(|c| (c, q)));
                            }
                        }
                    }
                    _ => {}
                }
            }
        }
        // HTML: `&#NN;` and `&#xHH;` (at most 7 digits).
        for (amp, q) in self.reads(p, d)? {
            if amp != '&' {
                continue;
            }
            for (hash, q) in self.reads(q, d)? {
                if hash != '#' {
                    continue;
                }
                let mut numbers = self.number(q, d, 10)?;
                for (x, q) in self.reads(q, d)? {
                    if x == 'x' || x == 'X' {
                        numbers.extend(self.number(q, d, 16)?);
                    }
                }
                for (n, q) in numbers {
                    for (semi, q) in self.reads(q, d)? {
                        if semi == ';' {
                            out.extend(char::from_u32(n).map(|c| (c, q)));
                        }
                    }
                }
            }
        }
        let mut unique: Vec<Read> = Vec::with_capacity(out.len());
        for read in out {
            if !unique.contains(&read) {
                unique.push(read);
            }
        }
        self.known[slot] = Some(unique.clone());
        let out = unique;
        Ok(out)
    }

    /// `digits` hex digits read from `p`: each value and where it ends.
    fn hex(
        &mut self,
        p: usize,
        depth: usize,
        digits: usize,
    ) -> Result<Vec<(u32, usize)>, OutOfSteps> {
        let mut values = vec![(0u32, p)];
        for _ in 0..digits {
            let mut next = Vec::new();
            for (value, q) in values {
                for (c, q) in self.reads(q, depth)? {
                    if let Some(d) = c.to_digit(16) {
                        next.push((value * 16 + d, q));
                    }
                }
            }
            values = next;
        }
        Ok(values)
    }

    /// A `\uDC00`…`\uDFFF` read from `p`.
    fn low_surrogate(&mut self, p: usize, depth: usize) -> Result<Vec<(u32, usize)>, OutOfSteps> {
        let mut out = Vec::new();
        for (slash, q) in self.reads(p, depth)? {
            if slash != '\\' {
                continue;
            }
            for (u, q) in self.reads(q, depth)? {
                if u == 'u' || u == 'U' {
                    out.extend(
                        self.hex(q, depth, 4)?
                            .into_iter()
                            .filter(|(v, _)| (0xDC00..0xE000).contains(v)),
                    );
                }
            }
        }
        Ok(out)
    }

    /// A number of 1 to 7 digits in `radix` read from `p` (every length that can be read).
    fn number(
        &mut self,
        p: usize,
        depth: usize,
        radix: u32,
    ) -> Result<Vec<(u32, usize)>, OutOfSteps> {
        let mut out = Vec::new();
        let mut values = vec![(0u32, p)];
        for _ in 0..7 {
            let mut next = Vec::new();
            for (value, q) in values {
                for (c, q) in self.reads(q, depth)? {
                    if let Some(d) = c.to_digit(radix) {
                        next.push((value * radix + d, q));
                    }
                }
            }
            out.extend(next.iter().copied());
            values = next;
        }
        Ok(out)
    }

    /// Marks (character ranges of the text) of every occurrence of `needle`, and of a start of
    /// it (a long one) that ends the text or comes right before a `…`.
    fn find(&mut self, needle: &Needle, marks: &mut Vec<(usize, usize)>) -> Result<(), OutOfSteps> {
        let len = self.text.len();
        let first = needle.chars[0];
        let mut p = 0;
        while p < len {
            if fold(self.text[p]) != first && !starts_escape(self.text[p]) {
                p += 1;
                continue;
            }
            let mut frontier = vec![p];
            let mut end = None;
            for (i, &c) in needle.chars.iter().enumerate() {
                if needle.long && i >= MIN_SUBSTRING {
                    let cut = frontier.iter().find(|&&q| q == len || self.text[q] == '…');
                    if let Some(&q) = cut {
                        marks.push((p, q)); // what a length limit left of the token
                    }
                }
                let mut next: Vec<usize> = Vec::new();
                for &q in &frontier {
                    for (read, e) in self.reads(q, MAX_NESTING)? {
                        if fold(read) == c && !next.contains(&e) {
                            next.push(e);
                        }
                    }
                }
                if next.is_empty() {
                    break;
                }
                frontier = next;
                if i + 1 == needle.chars.len() {
                    end = frontier.iter().max().copied();
                }
            }
            match end {
                Some(e) if needle.long || self.stands_alone(p, e) => {
                    marks.push((p, e));
                    p = e;
                }
                _ => p += 1,
            }
        }
        Ok(())
    }

    /// Whether the text's characters `start..end` are a word of their own.
    fn stands_alone(&self, start: usize, end: usize) -> bool {
        let before = start.checked_sub(1).map(|i| self.text[i]);
        let after = self.text.get(end).copied();
        !before.is_some_and(is_word_char) && !after.is_some_and(is_word_char)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn t(token: &str) -> Vec<String> {
        vec![token.to_string()]
    }

    #[test]
    fn raw_escaped_encoded_and_cased_echoes_are_removed() {
        let tokens = t("eyJ0.a/b+c=");
        for echo in [
            "eyJ0.a/b+c=",
            r"eyJ0.a\/b+c=",
            r"eyJ0.a\/b\u002Bc=",
            r"\u0065\u0079\u004a\u0030\u002e\u0061\u002f\u0062\u002b\u0063\u003d",
            "eyJ0.a%2Fb%2Bc%3D",
            "eyJ0.a%252Fb%252Bc%253D",
            "EYJ0.A/B+C=",
            "eyj0.a/b+c=",
            "eyJ0.a&#47;b&#x2B;c&#61;",
            r"eyJ0.a\\\/b+c=",
        ] {
            let text = format!("token `{echo}` refused");
            let out = redact_text(&text, &tokens);
            assert_eq!(out, "token `[redacted]` refused", "{echo}");
        }
    }

    #[test]
    fn non_ascii_tokens_and_surrogate_pairs() {
        let tokens = t("tök€n-😀-ü");
        for echo in [
            "tök€n-😀-ü".to_string(),
            r"t\u00f6k\u20ACn-\ud83d\ude00-\u00FC".to_string(),
            "t%C3%B6k%E2%82%ACn-%F0%9F%98%80-%c3%bc".to_string(),
            "TöK€N-😀-ü".to_string(), // ASCII letters in another case
        ] {
            assert_eq!(redact_text(&format!("<{echo}>"), &tokens), "<[redacted]>", "{echo}");
        }
    }

    #[test]
    fn nothing_else_changes() {
        let tokens = t("secret-token-123");
        assert!(matches!(redact_text("no token here %zz \\u12 &#;", &tokens), Cow::Borrowed(_)));
        assert_eq!(
            redact_text("a %41 secret-token-123 \\u0041 b", &tokens),
            "a %41 [redacted] \\u0041 b"
        );
    }

    #[test]
    fn short_tokens_only_as_words() {
        let tokens = vec!["e".to_string(), "r".to_string()];
        for text in ["error", "unAuthorized", "the server answered", "itemNotFound"] {
            assert!(matches!(redact_text(text, &tokens), Cow::Borrowed(_)), "{text}");
        }
        assert_eq!(redact_text("token e is bad", &tokens), "token [redacted] is bad");
        assert_eq!(redact_text("Bearer E", &tokens), "Bearer [redacted]");
        assert_eq!(redact_text("x=%65&y", &tokens), "x=[redacted]&y");
    }

    #[test]
    fn cut_tokens() {
        let tokens = t("abcdefghijklmnop");
        assert_eq!(redact_text("value `xxabcdefghij…`", &tokens), "value `xx[redacted]…`");
        assert_eq!(redact_text("ends with abcdefgh", &tokens), "ends with [redacted]");
        assert_eq!(redact_text("ends with abcdefg", &tokens), "ends with abcdefg");
        assert_eq!(redact_text("abcdefghi and more", &tokens), "abcdefghi and more");
    }

    #[test]
    fn json_strings_and_keys() {
        let tokens = t("s3cr3t-t0ken");
        let value = json!({
            "error": { "code": "bad", "message": "s3cr3t-t0ken is bad" },
            "s3cr3t-t0ken": 1,
            "S3CR3T-T0KEN": 2,
            "[redacted]": 3,
            "list": ["x", "s3cr3t%2Dt0ken"],
        });
        let out = redact_json(value, &tokens);
        assert_eq!(out["error"]["code"], "bad");
        assert_eq!(out["error"]["message"], "[redacted] is bad");
        let mut numbers: Vec<i64> = ["[redacted]", "[redacted] (2)", "[redacted] (3)"]
            .iter()
            .map(|k| out[*k].as_i64().unwrap())
            .collect();
        numbers.sort_unstable();
        assert_eq!(numbers, [1, 2, 3]);
        assert_eq!(out["list"], json!(["x", "[redacted]"]));
    }

    #[test]
    fn each_kind_of_escape_is_also_read_alone() {
        // The token has a `\/` of its own: decoding JSON escapes together with the HTML
        // reference would eat it; the HTML-only reading finds the token.
        let tokens = t(r"aaaaaaabaaaa\/");
        assert_eq!(redact_text(r"x &#97;aaaaaabaaaa\/ y", &tokens), "x [redacted] y");
        let tokens = t("abc%41def-ghi");
        assert_eq!(redact_text(r"abc\u002541def-ghi", &tokens), "[redacted]");
    }

    #[test]
    fn every_character_is_read_its_own_way() {
        let tokens = t("0Aaaaaa/+x");
        // After a literal `%` that would read `%0A` as a line feed; partly percent-encoded
        // twice, partly JSON, partly HTML.
        assert_eq!(redact_text("100%0Aaaaaa%252F%2Bx", &tokens), "100%[redacted]");
        assert_eq!(redact_text(r"0A\u0061a&#x61;a%61\/&#43;X.", &tokens), "[redacted].");
    }

    #[test]
    fn a_text_built_to_be_slow_is_withheld_whole() {
        let tokens = t(&format!("{}b", "a".repeat(500)));
        let text = "a".repeat(50_000);
        assert_eq!(redact_text(&text, &tokens), REDACTED);
        // An ordinary long text is searched and returned as it was.
        let text = "The quick brown fox, 100% sure & ready \\ for it. ".repeat(1000);
        assert!(matches!(redact_text(&text, &tokens), Cow::Borrowed(_)));
    }

    #[test]
    fn a_long_text_full_of_escapes_of_every_kind_is_still_read_to_the_bottom() {
        let tokens = t("deep/token+value");
        let noise = r"%41\u0042&#67;%25\\&#x26;".repeat(1000);
        let deep = "deep%25252Ftoken%25252Bvalue";
        let text = format!("{noise}{deep}{noise}");
        let out = redact_text(&text, &tokens);
        assert_eq!(out, format!("{noise}[redacted]{noise}"));
    }

    #[test]
    fn used_tokens_keep_the_most_recent() {
        let used = UsedTokens::new();
        for n in 0..40 {
            used.remember(&format!("token-{n:03}"));
        }
        used.remember("token-030");
        let all = used.snapshot();
        assert_eq!(all.len(), MAX_REMEMBERED_TOKENS);
        assert_eq!(all.last().map(String::as_str), Some("token-030"));
        assert!(!all.contains(&"token-023".to_string()));
        assert_eq!(used.redact("x token-039 y"), "x [redacted] y");
        assert_eq!(used.clone().redact("token-024"), "[redacted]");
    }
}
