//! Removing bearer tokens from what a server sent back, by meaning rather than by bytes.
//!
//! A server (or a gateway in front of it) may echo the token it received into an error body, a
//! header or a `nextLink`, and it may echo it escaped: JSON's `\/` and `\u002B`, any `\uXXXX`
//! (surrogate pairs too), percent-encoding, an HTML character reference, upper- or lower-cased,
//! or several of these nested. Every text is therefore read the way its consumers may decode
//! it: a chain of *views*, each one level of escapes further decoded than the last, every
//! character of a view remembering which bytes of the original text it came from. A token
//! found in any view (compared ASCII case-insensitively) has those original bytes replaced by
//! [`REDACTED`]; nothing else in the text changes.
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

/// How many levels of nested escapes are decoded (`%25252F` is three).
const MAX_LEVELS: usize = 8;

/// How many views of one text are searched at most: each level decodes each kind of escape
/// alone and all of them together (a token may itself contain `\`, `%` or `&`, which another
/// kind of escape must not eat), and views already seen are skipped, so a text with one kind
/// of escape has one view per level.
const MAX_VIEWS: usize = 64;

/// Kinds of escapes, decoded alone or together.
const PERCENT: u8 = 1;
const JSON: u8 = 2;
const HTML: u8 = 4;

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
    let needles: Vec<Needle> = tokens.iter().filter_map(|t| Needle::new(t)).collect();
    if needles.is_empty() || text.is_empty() {
        return Cow::Borrowed(text);
    }
    let mut marks: Vec<(usize, usize)> = Vec::new();
    if u32::try_from(text.len()).is_err() {
        return Cow::Owned(REDACTED.to_string()); // 4 GiB of error text: nothing of it is shown
    }
    // Views made in all, and their characters: bounded, so that a long text full of escapes of
    // every kind costs at most 16 times its length (the chain that decodes every kind at once
    // comes first at each level and always fits).
    let (mut views, mut spent, budget) = (1, 0, text.len().saturating_mul(16).max(4096));
    let mut level = vec![View::of(text)];
    for depth in 0.. {
        for view in &level {
            view.find(&needles, &mut marks);
        }
        if depth == MAX_LEVELS {
            break;
        }
        // The next level's views, each once: the same text decoded in two orders (percent
        // first, then JSON; or the other way) is searched once. Dropping a duplicate only
        // saves work, so a hash match is confirmed by comparing the characters.
        let mut next: Vec<((usize, u64), View)> = Vec::new();
        for view in &level {
            for kinds in [PERCENT | JSON | HTML, PERCENT, JSON, HTML] {
                if views == MAX_VIEWS || spent >= budget {
                    break;
                }
                let Some(decoded) = view.decoded(kinds) else { continue };
                let key = decoded.fingerprint();
                if next.iter().any(|(k, v)| *k == key && v.same_text(&decoded)) {
                    continue;
                }
                views += 1;
                spent += decoded.units.len();
                next.push((key, decoded));
            }
        }
        if next.is_empty() {
            break;
        }
        level = next.into_iter().map(|(_, v)| v).collect();
    }
    if marks.is_empty() {
        return Cow::Borrowed(text);
    }
    marks.sort_unstable();
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for (start, end) in marks {
        if end <= at {
            continue;
        }
        if start >= at {
            out.push_str(&text[at..start]);
            out.push_str(REDACTED);
        }
        at = end;
    }
    out.push_str(&text[at..]);
    Cow::Owned(out)
}

/// `value` with [`redact_text`] applied to every string and every key. A key that becomes the
/// same as one already in its object is kept as `key (2)`, `key (3)`, …: no value is lost.
pub fn redact_json(value: Value, tokens: &[String]) -> Value {
    if tokens.is_empty() {
        return value;
    }
    match value {
        Value::String(s) => match redact_text(&s, tokens) {
            Cow::Borrowed(_) => Value::String(s),
            Cow::Owned(clean) => Value::String(clean),
        },
        Value::Array(items) => {
            Value::Array(items.into_iter().map(|v| redact_json(v, tokens)).collect())
        }
        Value::Object(map) => {
            let mut out = Map::new();
            for (key, v) in map {
                let v = redact_json(v, tokens);
                let key = match redact_text(&key, tokens) {
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

/// A token as it is searched for: its characters folded the way view characters are.
struct Needle {
    chars: Vec<char>,
    text: String,
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
        Some(Needle { text: chars.iter().collect(), chars, long })
    }
}

/// The character compared: the lower case of its upper case, where each is one character
/// (so `a`, `A`; `ſ`, `S`, `s`; `K` and the Kelvin sign compare equal); anything else as it is.
fn fold(c: char) -> char {
    if c.is_ascii() {
        return c.to_ascii_lowercase();
    }
    fn single(mut chars: impl Iterator<Item = char>) -> Option<char> {
        match (chars.next(), chars.next()) {
            (Some(c), None) => Some(c),
            _ => None,
        }
    }
    let upper = single(c.to_uppercase()).unwrap_or(c);
    single(upper.to_lowercase()).unwrap_or(upper)
}

/// Characters of a word: a short token counts only where neither neighbour is one (so `e` is
/// found in `token e.` and `x=e&y`, not in `error`).
fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '-' | '_')
}

/// One character of a view and the bytes of the original text it stands for (`u32`: 12 bytes
/// a character; [`redact_text`] takes no text of 4 GiB or more).
#[derive(Clone, Copy)]
struct Unit {
    c: char,
    start: u32,
    end: u32,
}

/// The text at one level of decoding.
struct View {
    units: Vec<Unit>,
}

impl View {
    fn of(text: &str) -> View {
        let units = text
            .char_indices()
            .map(|(i, c)| Unit { c, start: i as u32, end: (i + c.len_utf8()) as u32 })
            .collect();
        View { units }
    }

    /// The view's length and an FNV-1a hash of its characters.
    fn fingerprint(&self) -> (usize, u64) {
        let hash = self.units.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, u| {
            (h ^ u64::from(u32::from(u.c))).wrapping_mul(0x0000_0100_0000_01b3)
        });
        (self.units.len(), hash)
    }

    fn same_text(&self, other: &View) -> bool {
        self.units.len() == other.units.len()
            && self.units.iter().zip(&other.units).all(|(a, b)| a.c == b.c)
    }

    /// Marks (original byte ranges) of every needle found in this view.
    fn find(&self, needles: &[Needle], marks: &mut Vec<(usize, usize)>) {
        let folded: String = self.units.iter().map(|u| fold(u.c)).collect();
        // The byte offset in `folded` of every unit, to map a match back to units.
        let mut offsets = Vec::with_capacity(self.units.len() + 1);
        let mut at = 0;
        for u in &self.units {
            offsets.push(at);
            at += fold(u.c).len_utf8();
        }
        offsets.push(at);
        let unit_at = |byte: usize| offsets.binary_search(&byte).unwrap_or_else(|i| i);
        for needle in needles {
            for (byte, _) in folded.match_indices(needle.text.as_str()) {
                let first = unit_at(byte);
                let last = first + needle.chars.len(); // one past
                if !needle.long && !self.stands_alone(first, last) {
                    continue;
                }
                marks.push((self.units[first].start as usize, self.units[last - 1].end as usize));
            }
            if needle.long {
                self.find_cut(&folded, &offsets, needle, marks);
            }
        }
    }

    /// Whether units `first..last` are a word of their own.
    fn stands_alone(&self, first: usize, last: usize) -> bool {
        let before = first.checked_sub(1).map(|i| self.units[i].c);
        let after = self.units.get(last).map(|u| u.c);
        !before.is_some_and(is_word_char) && !after.is_some_and(is_word_char)
    }

    /// Marks a start of `needle` (at least [`MIN_SUBSTRING`] characters) that ends right
    /// before a `…` or at the end of the view: what a length limit leaves of a token.
    fn find_cut(
        &self,
        folded: &str,
        offsets: &[usize],
        needle: &Needle,
        marks: &mut Vec<(usize, usize)>,
    ) {
        let head: String = needle.chars[..MIN_SUBSTRING].iter().collect();
        let unit_at = |byte: usize| offsets.binary_search(&byte).unwrap_or_else(|i| i);
        for (byte, _) in folded.match_indices(head.as_str()) {
            let first = unit_at(byte);
            // How far the view follows the token from `first`.
            let mut n = MIN_SUBSTRING;
            while n < needle.chars.len()
                && self.units.get(first + n).is_some_and(|u| fold(u.c) == needle.chars[n])
            {
                n += 1;
            }
            if n == needle.chars.len() {
                continue; // the whole token: already marked
            }
            let cut = match self.units.get(first + n) {
                None => true,
                Some(u) => u.c == '…',
            };
            if cut {
                marks.push((
                    self.units[first].start as usize,
                    self.units[first + n - 1].end as usize,
                ));
            }
        }
    }

    /// The next view: one level of the `kinds` of escapes decoded (`%XX` sequences as UTF-8,
    /// JSON's `\uXXXX` with surrogate pairs, `\/`, `\\` and `\"`, HTML's `&#NN;` and
    /// `&#xHH;`); `None` when there is nothing to decode.
    fn decoded(&self, kinds: u8) -> Option<View> {
        let u = &self.units;
        let mut out = Vec::with_capacity(u.len());
        let mut changed = false;
        let mut i = 0;
        while i < u.len() {
            let decoded = match u[i].c {
                '%' if kinds & PERCENT != 0 => percent(u, i),
                '\\' if kinds & JSON != 0 => json_escape(u, i),
                '&' if kinds & HTML != 0 => html_reference(u, i),
                _ => None,
            };
            match decoded {
                Some((c, next)) => {
                    out.push(Unit { c, start: u[i].start, end: u[next - 1].end });
                    changed = true;
                    i = next;
                }
                None => {
                    out.push(u[i]);
                    i += 1;
                }
            }
        }
        changed.then_some(View { units: out })
    }
}

fn hex_at(u: &[Unit], at: usize, digits: usize) -> Option<u32> {
    let mut value = 0;
    for k in 0..digits {
        value = value * 16 + u.get(at + k)?.c.to_digit(16)?;
    }
    Some(value)
}

/// `%XX` (and the `%XX` continuation bytes of a UTF-8 sequence) at `i`.
fn percent(u: &[Unit], i: usize) -> Option<(char, usize)> {
    let first = hex_at(u, i + 1, 2)? as u8;
    let len = match first {
        0x00..=0x7F => 1,
        0xC2..=0xDF => 2,
        0xE0..=0xEF => 3,
        0xF0..=0xF4 => 4,
        _ => return None,
    };
    let mut bytes = [first, 0, 0, 0];
    for (k, byte) in bytes.iter_mut().enumerate().take(len).skip(1) {
        let at = i + 3 * k;
        if u.get(at)?.c != '%' {
            return None;
        }
        *byte = hex_at(u, at + 1, 2)? as u8;
    }
    let c = std::str::from_utf8(&bytes[..len]).ok()?.chars().next()?;
    Some((c, i + 3 * len))
}

/// JSON's `\uXXXX` (a surrogate pair as one character), `\/`, `\\` and `\"` at `i`.
fn json_escape(u: &[Unit], i: usize) -> Option<(char, usize)> {
    match u.get(i + 1)?.c {
        '/' => Some(('/', i + 2)),
        '\\' => Some(('\\', i + 2)),
        '"' => Some(('"', i + 2)),
        'u' | 'U' => {
            let unit = hex_at(u, i + 2, 4)?;
            if (0xD800..0xDC00).contains(&unit) {
                if u.get(i + 6)?.c != '\\' || !matches!(u.get(i + 7)?.c, 'u' | 'U') {
                    return None;
                }
                let low = hex_at(u, i + 8, 4)?;
                if !(0xDC00..0xE000).contains(&low) {
                    return None;
                }
                let c = char::from_u32(0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00))?;
                Some((c, i + 12))
            } else {
                Some((char::from_u32(unit)?, i + 6))
            }
        }
        _ => None,
    }
}

/// HTML's `&#NN;` and `&#xHH;` at `i` (at most 7 digits).
fn html_reference(u: &[Unit], i: usize) -> Option<(char, usize)> {
    if u.get(i + 1)?.c != '#' {
        return None;
    }
    let (radix, mut at) = match u.get(i + 2)?.c {
        'x' | 'X' => (16, i + 3),
        _ => (10, i + 2),
    };
    let digits_start = at;
    let mut value: u32 = 0;
    while let Some(d) = u.get(at).and_then(|unit| unit.c.to_digit(radix)) {
        if at - digits_start == 7 {
            return None;
        }
        value = value * radix + d;
        at += 1;
    }
    if at == digits_start || u.get(at)?.c != ';' {
        return None;
    }
    Some((char::from_u32(value)?, at + 1))
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
            "TÖK€N-😀-Ü".to_string(),
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
    fn a_long_text_full_of_escapes_of_every_kind_is_still_read_to_the_bottom() {
        let tokens = t("deep/token+value");
        let noise = r"%41\u0042&#67;%25\\&#x26;".repeat(4000);
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
