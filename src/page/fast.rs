//! The fast path of [`super::validate_referral_page`] and [`super::validate_referral`]: one
//! pass over the bytes of the text, driven by the schema tables, building no tree and
//! allocating nothing on the way (a string with escapes that must be read, a key or a
//! date-time, is unescaped into one reused buffer).
//!
//! It answers only *whether* the text is accepted, and never accepts a text that the `Value`
//! path (serde_json through `crate::json`, then the schema walk) rejects: the grammar is JSON's (RFC 8259,
//! as serde_json reads it: no trailing commas, no leading zeros, control characters only
//! escaped, escapes checked), and each known property is checked as the `Value` walk checks
//! it. Where matching serde_json exactly would take work that valid pages never need, it
//! rejects instead, and the caller re-runs the `Value` path, which produces the exact error
//! (and accepts if it should), so errors keep their documented path, message and order:
//! - nesting deeper than [`MAX_NESTING`] (serde_json's limit is 128);
//! - a number whose magnitude is near or past the range of `f64` (serde_json refuses
//!   out-of-range numbers; exactly where that starts depends on rounding);
//! - a lone surrogate escape (read as U+FFFD by the `Value` path only);
//! - a bad first occurrence of a duplicate key (the `Value` keeps the last).
//!
//! Strings are skipped eight bytes (four UTF-16 units) at a time: a word is only looked at
//! unit by unit when it holds a `"`, a `\` or a control character.
//!
//! The scanner reads either UTF-8 bytes (a Rust `&str`) or UTF-16 code units (a JS string
//! copied into wasm memory as it is, which is an order of magnitude cheaper in Node than
//! encoding it to UTF-8): both say yes to exactly the same texts, the UTF-16 one reading a
//! lone surrogate as U+FFFD where it reads text (keys, date-times, decimals), as the UTF-8
//! conversion of the string does.

use super::{is_decimal, CONTEXT, COUNT, MAX_SAFE_INTEGER, MAX_SCHEMA_DEPTH, NEXT_LINK};
use crate::datetime::{days_in_month, DateTimeOffset};
use crate::schema::{ComplexType, Kind, Property, REFERRAL};

/// The deepest nesting of arrays and objects this path reads; deeper texts go to the `Value`
/// path (serde_json's recursion limit is 128). Also bounds this path's own recursion.
const MAX_NESTING: usize = 100;

/// Numbers whose decimal magnitude (integer digits + exponent) is within ±this are well
/// inside the range of `f64` (about 1.8e308; subnormals reach 4.9e-324), so serde_json
/// reads them; anything else goes to the `Value` path.
const MAX_MAGNITUDE: i64 = 305;

/// Whether [`super::check_page`] would accept the parsed text.
pub(super) fn page_ok(json: &str) -> bool {
    Scan::new(json.as_bytes()).root(Mode::Page).is_some()
}

/// [`page_ok`] of a text given as UTF-16 code units, each as its two little-endian bytes
/// (lone surrogates read as U+FFFD).
pub(super) fn page_ok_utf16(json: &[[u8; 2]]) -> bool {
    Scan::new(json).root(Mode::Page).is_some()
}

/// Whether [`super::check_page`] would accept the parsed text, and if so where the page's
/// `@odata.nextLink` string is (its quotes included; `None` when absent or `null`; the last
/// one when the key repeats, as the `Value` and `JSON.parse` keep the last).
pub(super) fn page_next_link(json: &str) -> Option<Option<(usize, usize)>> {
    let mut scan = Scan::new(json.as_bytes());
    scan.root(Mode::Page)?;
    Some(scan.next_link)
}

/// Whether `check_referral_body` would accept the parsed text.
pub(super) fn referral_ok(json: &str) -> bool {
    Scan::new(json.as_bytes()).root(Mode::Object { ty: &REFERRAL, context: true }).is_some()
}

/// A code unit of the text being scanned: a UTF-8 byte or a UTF-16 unit.
pub(super) trait Unit: Copy {
    /// How many units one `u64` word holds.
    const PER_WORD: usize;
    /// How many bits of a word one unit takes.
    const BITS: u32;
    /// The unit as the grammar sees it: itself when ASCII; any other unit is some byte the
    /// grammar never looks for (0x80 and up).
    fn ascii(self) -> u8;
    /// [`Unit::PER_WORD`] units at `at` as one little-endian word, if there are that many.
    fn word(units: &[Self], at: usize) -> Option<u64>;
    /// The high bit of each unit of `word` that is `"`, `\` or below 0x20 (and maybe of
    /// units above such a unit: the lowest flagged unit is always a real one).
    fn specials(word: u64) -> u64;
    /// Whether `units` spell the ASCII text `name`.
    fn same(name: &[u8], units: &[Self]) -> bool;
    /// Appends the text of `units` (no escapes in it) to `out`; `None` if it is not text.
    fn push_text(units: &[Self], out: &mut String) -> Option<()>;
    /// The text of `units` (no escapes in it): borrowed when it can be, else made in
    /// `scratch` (as UTF-8).
    fn text<'s>(units: &'s [Self], scratch: &'s mut Vec<u8>) -> Option<&'s str>;
}

impl Unit for u8 {
    const PER_WORD: usize = 8;
    const BITS: u32 = 8;

    fn ascii(self) -> u8 {
        self
    }

    fn word(units: &[u8], at: usize) -> Option<u64> {
        word(units, at)
    }

    fn specials(word: u64) -> u64 {
        specials(word)
    }

    fn same(name: &[u8], units: &[u8]) -> bool {
        same(name, units)
    }

    fn push_text(units: &[u8], out: &mut String) -> Option<()> {
        out.push_str(std::str::from_utf8(units).ok()?);
        Some(())
    }

    fn text<'s>(units: &'s [u8], _: &'s mut Vec<u8>) -> Option<&'s str> {
        std::str::from_utf8(units).ok()
    }
}

/// The four bytes of `bytes` at `at`, each widened to a 16-bit lane of one word.
fn spread(bytes: &[u8], at: usize) -> Option<u64> {
    let chunk: &[u8; 4] = bytes.get(at..)?.first_chunk()?;
    let x = u64::from(u32::from_le_bytes(*chunk));
    let x = (x | x << 16) & 0x0000_FFFF_0000_FFFF;
    Some((x | x << 8) & 0x00FF_00FF_00FF_00FF)
}

const ONES16: u64 = 0x0001_0001_0001_0001;
const HIGHS16: u64 = 0x8000_8000_8000_8000;

/// A UTF-16 code unit as its two little-endian bytes (how a JS string is copied into wasm
/// memory): a word of four units is then one eight-byte load.
impl Unit for [u8; 2] {
    const PER_WORD: usize = 4;
    const BITS: u32 = 16;

    fn ascii(self) -> u8 {
        // 0x80 and up all become 0x80: a unit the grammar never looks for.
        u16::from_le_bytes(self).min(0x80) as u8
    }

    fn word(units: &[[u8; 2]], at: usize) -> Option<u64> {
        let chunk: &[[u8; 2]; 4] = units.get(at..)?.first_chunk()?;
        Some(u64::from_le_bytes(*chunk.as_flattened().first_chunk()?))
    }

    fn specials(word: u64) -> u64 {
        specials_in_lanes(word, ONES16, HIGHS16)
    }

    /// Four units at a time: four bytes of `name` spread into 16-bit lanes against a word of
    /// `units`.
    fn same(name: &[u8], units: &[[u8; 2]]) -> bool {
        let n = name.len();
        if n != units.len() {
            return false;
        }
        if n < 4 {
            let mut at = 0;
            while at < n {
                match (name.get(at), units.get(at)) {
                    (Some(&byte), Some(&[low, high])) if byte == low && high == 0 => {}
                    _ => return false,
                }
                at += 1;
            }
            return true;
        }
        let mut at = 0;
        while at + 4 < n {
            if !equal(spread(name, at), Self::word(units, at)) {
                return false;
            }
            at += 4;
        }
        // The last four units (overlapping the words before when `n` is not a multiple of 4).
        equal(spread(name, n - 4), Self::word(units, n - 4))
    }

    fn push_text(units: &[[u8; 2]], out: &mut String) -> Option<()> {
        // As the UTF-8 copy of a JS string reads it: a lone surrogate is U+FFFD.
        out.extend(
            char::decode_utf16(units.iter().map(|&unit| u16::from_le_bytes(unit)))
                .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER)),
        );
        Some(())
    }

    fn text<'s>(units: &'s [[u8; 2]], scratch: &'s mut Vec<u8>) -> Option<&'s str> {
        scratch.clear();
        // Nearly always ASCII (date-times, decimals): a unit is a byte.
        let mut at = 0;
        while units.get(at).is_some_and(|&[low, high]| low < 0x80 && high == 0) {
            at += 1;
        }
        if at == units.len() {
            scratch.extend(units.iter().map(|&[low, _]| low));
        } else {
            let mut utf8 = [0; 4];
            for c in char::decode_utf16(units.iter().map(|&unit| u16::from_le_bytes(unit))) {
                let c = c.unwrap_or(char::REPLACEMENT_CHARACTER);
                scratch.extend_from_slice(c.encode_utf8(&mut utf8).as_bytes());
            }
        }
        std::str::from_utf8(scratch).ok()
    }
}

/// What a value must be.
#[derive(Clone, Copy)]
enum Mode {
    /// The envelope `{"value": [...], "@odata.count": n, ...}`.
    Page,
    /// `value`: an array of referral objects (no `null`s).
    Referrals,
    /// `@odata.count`: `null` or an integer in `0..=2^53 - 1`.
    Count,
    /// `@odata.nextLink` / `@odata.context`: `null` or a string.
    OptionalString,
    /// The page's `@odata.nextLink`: as [`Mode::OptionalString`], and [`Scan::next_link`]
    /// remembers where it is.
    NextLink,
    /// Any JSON value (unknown properties, `Kind::Json`): read as serde_json reads it (numbers,
    /// escapes, nesting), kept nowhere.
    Skip,
    /// An object checked against `ty` (the `Value` walk's `object`); `context`: also check
    /// `@odata.context` (the root of a GET-by-id body).
    Object { ty: &'static ComplexType, context: bool },
    /// A value of a scalar kind or a collection.
    Value(&'static Kind),
}

/// A value's requirements: its mode, `depth` (the length of its JSON pointer, as in the
/// `Value` walk) and `null_ok` (a known property, where `null` is accepted, rather than a
/// collection or `value` element).
#[derive(Clone, Copy)]
struct Seed {
    mode: Mode,
    depth: usize,
    null_ok: bool,
}

impl Seed {
    const SKIP: Seed = Seed { mode: Mode::Skip, depth: 0, null_ok: true };

    fn of(mode: Mode) -> Seed {
        Seed { mode, depth: 0, null_ok: true }
    }

    /// The seed for a value of `kind` at `depth`.
    fn kind(kind: &'static Kind, depth: usize, null_ok: bool) -> Seed {
        let mode = match kind {
            Kind::Json => Mode::Skip,
            Kind::Complex(ty) => Mode::Object { ty, context: false },
            kind => Mode::Value(kind),
        };
        Seed { mode, depth, null_ok }
    }

    /// The seed of the value of `key`, whose property in the object that `self` describes
    /// is `property` (for [`Mode::Object`]).
    fn key<K: Unit>(self, key: &[K], property: Option<&'static Property>) -> Option<Seed> {
        Some(match self.mode {
            Mode::Page => Seed::of(match key {
                _ if K::same(b"value", key) => Mode::Referrals,
                _ if K::same(COUNT.as_bytes(), key) => Mode::Count,
                _ if K::same(NEXT_LINK.as_bytes(), key) => Mode::NextLink,
                _ if K::same(CONTEXT.as_bytes(), key) => Mode::OptionalString,
                _ => Mode::Skip,
            }),
            Mode::Object { context, .. } => match property {
                // A known `@odata.context` would need both checks; the schema has none, so
                // leave that case to the `Value` path.
                Some(_) if context && K::same(CONTEXT.as_bytes(), key) => return None,
                Some(property) => Seed::kind(&property.kind, self.depth + 1, true),
                None if context && K::same(CONTEXT.as_bytes(), key) => {
                    Seed::of(Mode::OptionalString)
                }
                None => Seed::SKIP,
            },
            _ => Seed::SKIP,
        })
    }
}

/// `Some(())` when `ok`: `None` is "rejected" throughout.
fn accept(ok: bool) -> Option<()> {
    ok.then_some(())
}

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// The high bit of each byte of `word` that is `"`, `\` or below 0x20 (and maybe of bytes
/// above such a byte: the lowest flagged byte is always a real one, which is all the scan
/// needs).
fn specials(word: u64) -> u64 {
    specials_in_lanes(word, ONES, HIGHS)
}

/// [`specials`] for lanes of any width: `ones` has a 1 in the lowest bit of each lane,
/// `highs` the highest bit of each lane (8-bit lanes for UTF-8, 16-bit for UTF-16).
fn specials_in_lanes(word: u64, ones: u64, highs: u64) -> u64 {
    let quote = word ^ (ones * u64::from(b'"'));
    let backslash = word ^ (ones * u64::from(b'\\'));
    ((quote.wrapping_sub(ones) & !quote)
        | (backslash.wrapping_sub(ones) & !backslash)
        | (word.wrapping_sub(ones * 0x20) & !word))
        & highs
}

/// How many complex types [`Scan`] remembers key orders of (the schema has 12).
const MEMO_TYPES: usize = 16;
/// How many properties of a type [`Scan`] remembers successors of (the referral has 31).
const MEMO_KEYS: usize = 48;

struct Scan<'a, U> {
    units: &'a [U],
    at: usize,
    /// Unescaped text of the last string read with [`Scan::string`] that had escapes.
    scratch: String,
    /// The UTF-8 text of the last string without escapes read with [`Scan::string`], when it
    /// cannot be borrowed from the text (UTF-16 units).
    narrow: Vec<u8>,
    /// Per complex type (by address), for each property (index + 1; 0: the object's start
    /// or an unknown key), the property whose key came next the last time (index + 1; 0:
    /// none). A server writes every object of a type with its keys in the same order (some
    /// left out), so the guess is nearly always right and a known key costs one comparison
    /// instead of a search of the type's properties.
    memo: [(usize, [u8; MEMO_KEYS]); MEMO_TYPES],
    /// Where the last page-level `@odata.nextLink` string was (`None`: none yet, or `null`).
    next_link: Option<(usize, usize)>,
}

/// Whether two byte strings are equal, eight bytes at a time (no call to `memcmp`, no
/// iterator adapters: at opt-level "z" either is a call per key).
fn same(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n != b.len() {
        return false;
    }
    if n < 8 {
        let mut at = 0;
        while at < n {
            match (a.get(at), b.get(at)) {
                (Some(x), Some(y)) if x == y => {}
                _ => return false,
            }
            at += 1;
        }
        return true;
    }
    let mut at = 0;
    while at + 8 < n {
        if !equal(word(a, at), word(b, at)) {
            return false;
        }
        at += 8;
    }
    // The last eight bytes (overlapping the words before when `n` is not a multiple of 8).
    equal(word(a, n - 8), word(b, n - 8))
}

/// The unit at `at` as the grammar sees it, 0 (no grammar byte) past the end.
fn ascii_at<U: Unit>(units: &[U], at: usize) -> u8 {
    units.get(at).map_or(0, |&unit| unit.ascii())
}

/// The two ASCII digits at `at` as a number.
fn two_digits<U: Unit>(units: &[U], at: usize) -> Option<u32> {
    let tens = ascii_at(units, at).wrapping_sub(b'0');
    let ones = ascii_at(units, at + 1).wrapping_sub(b'0');
    (tens < 10 && ones < 10).then(|| u32::from(tens) * 10 + u32::from(ones))
}

/// Whether two words are there and equal (`==` on `Option<u64>` is a call at opt-level "z").
fn equal(a: Option<u64>, b: Option<u64>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => a == b,
        _ => false,
    }
}

/// The eight bytes of `bytes` at `at` as one word, if there are eight.
fn word(bytes: &[u8], at: usize) -> Option<u64> {
    let chunk: &[u8; 8] = bytes.get(at..)?.first_chunk()?;
    Some(u64::from_le_bytes(*chunk))
}

impl<'a, U: Unit> Scan<'a, U> {
    fn new(units: &'a [U]) -> Scan<'a, U> {
        Scan {
            units,
            at: 0,
            scratch: String::new(),
            narrow: Vec::new(),
            memo: [(0, [0; MEMO_KEYS]); MEMO_TYPES],
            next_link: None,
        }
    }

    /// The memo slot of `ty`, claimed on first use; `None` when every slot is taken.
    fn memo_slot(&mut self, ty: &'static ComplexType) -> Option<usize> {
        let address = ty as *const ComplexType as usize;
        // First the slot the address hashes to (Fibonacci hashing: the top bits of the
        // product), which is where a type is put when that slot is free.
        let hint = ((address as u32).wrapping_mul(0x9E37_79B9) >> 28) as usize % MEMO_TYPES;
        if let Some((owner, _)) = self.memo.get_mut(hint) {
            if *owner == address {
                return Some(hint);
            }
            if *owner == 0 {
                *owner = address;
                return Some(hint);
            }
        }
        self.memo_slot_search(address)
    }

    /// [`Scan::memo_slot`] when the hashed slot belongs to another type.
    fn memo_slot_search(&mut self, address: usize) -> Option<usize> {
        for (index, (owner, _)) in self.memo.iter_mut().enumerate() {
            if *owner == address {
                return Some(index);
            }
            if *owner == 0 {
                *owner = address;
                return Some(index);
            }
        }
        None
    }

    /// The property of `ty` called `key`, which follows the key of property `previous`
    /// (index + 1; 0: none) in its object: the memo's guess first, then a search (whose
    /// answer the memo keeps). Also the new `previous`.
    fn property<K: Unit>(
        &mut self,
        ty: &'static ComplexType,
        slot: Option<usize>,
        previous: usize,
        key: &[K],
    ) -> (Option<&'static Property>, usize) {
        // invariant: `properties` is 'static because every ComplexType is a static.
        let properties: &'static [Property] = ty.properties;
        let memo = slot.and_then(|slot| self.memo.get_mut(slot)?.1.get_mut(previous));
        if let Some(guess) = memo.as_deref().map(|&guess| usize::from(guess)) {
            if let Some(property) = properties.get(guess.wrapping_sub(1)) {
                if K::same(property.name.as_bytes(), key) {
                    return (Some(property), guess);
                }
            }
        }
        let found = properties.iter().position(|p| K::same(p.name.as_bytes(), key));
        let next = found.map_or(0, |index| index + 1);
        if let Some(memo) = memo {
            *memo = u8::try_from(next).unwrap_or(0);
        }
        (found.and_then(|index| properties.get(index)), next)
    }

    /// The key at `self.at` (after its opening quote), when it is the one the memo expects
    /// after property `previous` (index + 1) of `ty`: then it is consumed with its closing
    /// quote, and the answer is what [`Scan::property`] would say. A key spelled differently
    /// (other name, escapes) is left for the full reading.
    fn guessed_key(
        &mut self,
        ty: &'static ComplexType,
        slot: Option<usize>,
        previous: usize,
    ) -> Option<(&'static Property, usize)> {
        let guess = usize::from(*self.memo.get(slot?)?.1.get(previous)?);
        // invariant: `properties` is 'static because every ComplexType is a static.
        let properties: &'static [Property] = ty.properties;
        let property = properties.get(guess.wrapping_sub(1))?;
        let name = property.name.as_bytes();
        let end = self.at + name.len();
        if U::same(name, self.units.get(self.at..end)?) && ascii_at(self.units, end) == b'"' {
            self.at = end + 1;
            return Some((property, guess));
        }
        None
    }

    fn root(&mut self, mode: Mode) -> Option<()> {
        let seed = Seed::of(mode);
        self.value(Seed { null_ok: false, ..seed }, 0)?;
        self.whitespace();
        accept(self.at == self.units.len())
    }

    fn peek(&self) -> Option<u8> {
        self.units.get(self.at).map(|&unit| unit.ascii())
    }

    fn whitespace(&mut self) {
        while let Some(b' ' | b'\n' | b'\r' | b'\t') = self.peek() {
            self.at += 1;
        }
    }

    /// The next non-whitespace byte, consumed.
    fn next_token(&mut self) -> Option<u8> {
        let mut byte = self.peek()?;
        // Compact JSON (what servers send) has no white space: one comparison.
        if byte <= b' ' {
            self.whitespace();
            byte = self.peek()?;
        }
        self.at += 1;
        Some(byte)
    }

    /// The rest of a literal whose first byte was consumed.
    fn literal(&mut self, rest: &[u8]) -> Option<()> {
        let end = self.at + rest.len();
        accept(U::same(rest, self.units.get(self.at..end)?))?;
        self.at = end;
        Some(())
    }

    /// A value whose first byte is next (after whitespace); `nesting` counts the arrays and
    /// objects around it.
    fn value(&mut self, seed: Seed, nesting: usize) -> Option<()> {
        let mode = seed.mode;
        match self.next_token()? {
            b'"' => match mode {
                Mode::Skip
                | Mode::OptionalString
                | Mode::Value(Kind::String | Kind::Guid | Kind::Enum(_)) => self.skip_string(),
                Mode::Value(Kind::DateTimeOffset) => {
                    if self.plain_date_time().is_some() {
                        return Some(());
                    }
                    accept(DateTimeOffset::parse(self.string()?).is_ok())
                }
                Mode::Value(Kind::Decimal) => accept(is_decimal(self.string()?)),
                Mode::NextLink => {
                    let start = self.at - 1;
                    self.skip_string()?;
                    self.next_link = Some((start, self.at));
                    Some(())
                }
                _ => None,
            },
            b'{' => self.object(seed, nesting + 1),
            b'[' => self.array(seed, nesting + 1),
            b't' => {
                self.literal(b"rue")?;
                accept(matches!(mode, Mode::Skip | Mode::Value(Kind::Boolean)))
            }
            b'f' => {
                self.literal(b"alse")?;
                accept(matches!(mode, Mode::Skip | Mode::Value(Kind::Boolean)))
            }
            b'n' => {
                self.literal(b"ull")?;
                accept(match mode {
                    Mode::Count | Mode::OptionalString | Mode::Skip => true,
                    Mode::NextLink => {
                        self.next_link = None;
                        true
                    }
                    Mode::Object { .. } | Mode::Value(_) => seed.null_ok,
                    Mode::Page | Mode::Referrals => false,
                })
            }
            first @ (b'-' | b'0'..=b'9') => self.number(first, mode),
            _ => None,
        }
    }

    fn object(&mut self, seed: Seed, nesting: usize) -> Option<()> {
        accept(nesting <= MAX_NESTING)?;
        match seed.mode {
            Mode::Page | Mode::Skip => {}
            Mode::Object { .. } if seed.depth <= MAX_SCHEMA_DEPTH => {}
            _ => return None,
        }
        let skip = matches!(seed.mode, Mode::Skip);
        let (ty, slot) = match seed.mode {
            Mode::Object { ty, .. } => (Some(ty), self.memo_slot(ty)),
            _ => (None, None),
        };
        let mut previous = 0;
        let mut has_value = false;
        match self.next_token()? {
            b'}' => return accept(!matches!(seed.mode, Mode::Page)),
            b'"' => {}
            _ => return None,
        }
        loop {
            let guessed = match ty {
                Some(ty) => self.guessed_key(ty, slot, previous),
                None => None,
            };
            let value = if let Some((property, next)) = guessed {
                previous = next;
                match seed.mode {
                    // What `seed.key` gives for a known key outside a GET-by-id root.
                    Mode::Object { context: false, .. } => {
                        Seed::kind(&property.kind, seed.depth + 1, true)
                    }
                    _ => seed.key(property.name.as_bytes(), Some(property))?,
                }
            } else if skip {
                self.skip_string()?;
                Seed::SKIP
            } else {
                let units = self.units;
                let start = self.at;
                if self.skip_string_escaped()? {
                    // Rare: unescape into the scratch buffer, lent out for the lookup.
                    self.at = start;
                    self.string()?;
                    let key = std::mem::take(&mut self.scratch);
                    let property = match ty {
                        Some(ty) => {
                            let (property, next) =
                                self.property(ty, slot, previous, key.as_bytes());
                            previous = next;
                            property
                        }
                        None => None,
                    };
                    let value = seed.key(key.as_bytes(), property);
                    self.scratch = key;
                    value?
                } else {
                    let key = units.get(start..self.at - 1)?;
                    let property = match ty {
                        Some(ty) => {
                            let (property, next) = self.property(ty, slot, previous, key);
                            previous = next;
                            property
                        }
                        None => None,
                    };
                    seed.key(key, property)?
                }
            };
            has_value |= matches!(value.mode, Mode::Referrals);
            accept(self.next_token()? == b':')?;
            // Most values are strings that need no reading: skip them without the dispatch.
            let plain = matches!(
                value.mode,
                Mode::Skip
                    | Mode::OptionalString
                    | Mode::Value(Kind::String | Kind::Guid | Kind::Enum(_))
            );
            if plain && self.peek() == Some(b'"') {
                self.at += 1;
                self.skip_plain_string()?;
            } else {
                self.value(value, nesting)?;
            }
            match self.next_token()? {
                b',' => accept(self.next_token()? == b'"')?,
                b'}' => break,
                _ => return None,
            }
        }
        accept(has_value || !matches!(seed.mode, Mode::Page))
    }

    fn array(&mut self, seed: Seed, nesting: usize) -> Option<()> {
        accept(nesting <= MAX_NESTING)?;
        let element = match seed.mode {
            Mode::Skip => Seed::SKIP,
            // Path `/value/N`: two segments.
            Mode::Referrals => Seed {
                mode: Mode::Object { ty: &REFERRAL, context: false },
                depth: 2,
                null_ok: false,
            },
            Mode::Value(Kind::Collection(element)) if seed.depth <= MAX_SCHEMA_DEPTH => {
                Seed::kind(element, seed.depth + 1, false)
            }
            _ => return None,
        };
        self.whitespace();
        if self.peek()? == b']' {
            self.at += 1;
            return Some(());
        }
        loop {
            self.value(element, nesting)?;
            match self.next_token()? {
                b',' => {}
                b']' => return Some(()),
                _ => return None,
            }
        }
    }

    /// A number whose first byte (`-` or a digit) was consumed.
    fn number(&mut self, first: u8, mode: Mode) -> Option<()> {
        let negative = first == b'-';
        let int_start = if negative { self.at } else { self.at - 1 };
        if negative {
            accept(self.peek()?.is_ascii_digit())?;
            self.at += 1;
        }
        // No leading zeros: after a `0` comes no digit (that would be rejected at the next
        // token anyway).
        if self.units.get(self.at - 1).map(|&unit| unit.ascii()) != Some(b'0') {
            self.digits();
        }
        let int_digits = self.at - int_start;
        let mut integer = true;
        if self.peek() == Some(b'.') {
            self.at += 1;
            accept(self.digits() > 0)?;
            integer = false;
        }
        let mut exponent: i64 = 0;
        if let Some(b'e' | b'E') = self.peek() {
            self.at += 1;
            integer = false;
            let negative = self.peek() == Some(b'-');
            if let Some(b'+' | b'-') = self.peek() {
                self.at += 1;
            }
            let start = self.at;
            accept(self.digits() > 0)?;
            for &digit in self.units.get(start..self.at)? {
                exponent = (exponent * 10 + i64::from(digit.ascii() - b'0')).min(100_000);
            }
            if negative {
                exponent = -exponent;
            }
        }
        // `int_digits` may count leading zeros of `0.…`: only ever an overestimate.
        let magnitude = exponent.saturating_add(int_digits as i64);
        accept(magnitude <= MAX_MAGNITUDE && exponent >= -MAX_MAGNITUDE)?;
        match mode {
            Mode::Skip | Mode::Value(Kind::Decimal) => Some(()),
            // serde_json reads a non-negative integer as a u64 (`-0` is a float).
            Mode::Count if integer && !negative && int_digits <= 16 => {
                let mut n: u64 = 0;
                for &digit in self.units.get(int_start..int_start + int_digits)? {
                    n = n * 10 + u64::from(digit.ascii() - b'0');
                }
                accept(n <= MAX_SAFE_INTEGER)
            }
            _ => None,
        }
    }

    /// The rest of a date-time string (its opening quote consumed) when it has the shape
    /// servers send, `YYYY-MM-DDThh:mm:ss[.f…]Z`, checked in
    /// place and consumed with its closing quote: exactly what [`DateTimeOffset::parse`]
    /// accepts of that shape. `None` (nothing consumed) for any other text, which the full
    /// reading then decides on.
    // Not inlined: its arrays would sit in every frame of the `value`/`object` recursion.
    #[inline(never)]
    fn plain_date_time(&mut self) -> Option<()> {
        let units = self.units.get(self.at..)?;
        let year = two_digits(units, 0)? * 100 + two_digits(units, 2)?;
        let (month, day) = (two_digits(units, 5)?, two_digits(units, 8)?);
        let (hour, minute) = (two_digits(units, 11)?, two_digits(units, 14)?);
        let second = two_digits(units, 17)?;
        let shape = ascii_at(units, 4) == b'-'
            && ascii_at(units, 7) == b'-'
            && matches!(ascii_at(units, 10), b'T' | b't')
            && ascii_at(units, 13) == b':'
            && ascii_at(units, 16) == b':';
        accept(
            shape
                && (1..=12).contains(&month)
                && day >= 1
                && day <= u32::from(days_in_month(i64::from(year), month as u8))
                && hour <= 23
                && minute <= 59
                && second <= 59,
        )?;
        let mut at = 19;
        if ascii_at(units, at) == b'.' {
            at += 1;
            while ascii_at(units, at).is_ascii_digit() {
                at += 1;
            }
            accept((1..=12).contains(&(at - 20)))?;
        }
        accept(matches!(ascii_at(units, at), b'Z' | b'z') && ascii_at(units, at + 1) == b'"')?;
        self.at += at + 2;
        Some(())
    }

    /// Consumes ASCII digits; how many.
    fn digits(&mut self) -> usize {
        let start = self.at;
        while self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.at += 1;
        }
        self.at - start
    }

    /// Moves to the first `"`, `\` or control character at or after `self.at`, a word at a
    /// time (or to the end of the text).
    fn plain_bytes(&mut self) {
        let units = self.units;
        let mut at = self.at;
        while let Some(word) = U::word(units, at) {
            let found = U::specials(word);
            if found != 0 {
                at += (found.trailing_zeros() / U::BITS) as usize;
                break;
            }
            at += U::PER_WORD;
        }
        self.at = at;
    }

    /// The rest of a string whose opening quote was consumed; `Some(true)` when it has
    /// escapes (all valid).
    fn skip_string_escaped(&mut self) -> Option<bool> {
        let mut escaped = false;
        loop {
            self.plain_bytes();
            match self.peek()? {
                b'"' => {
                    self.at += 1;
                    return Some(escaped);
                }
                b'\\' => {
                    self.escape(None)?;
                    escaped = true;
                }
                0..=0x1F => return None,
                _ => self.at += 1,
            }
        }
    }

    fn skip_string(&mut self) -> Option<()> {
        self.skip_string_escaped().map(drop)
    }

    /// [`Scan::skip_string`], inlined for the common case: no escape and no control
    /// character before the closing quote.
    fn skip_plain_string(&mut self) -> Option<()> {
        self.plain_bytes();
        if self.peek()? == b'"' {
            self.at += 1;
            return Some(());
        }
        // A `\` or a control character: the full reading from here.
        self.skip_string()
    }

    /// The rest of a string whose opening quote was consumed, unescaped: borrowed from the
    /// text when it has no escapes, else from the scratch buffer.
    fn string(&mut self) -> Option<&str> {
        let start = self.at;
        if !self.skip_string_escaped()? {
            let units: &'a [U] = self.units;
            return U::text(units.get(start..self.at - 1)?, &mut self.narrow);
        }
        let end = self.at - 1;
        let mut scratch = std::mem::take(&mut self.scratch);
        scratch.clear();
        self.at = start;
        while self.at < end {
            let plain = self.at;
            while self.at < end && self.peek() != Some(b'\\') {
                self.at += 1;
            }
            U::push_text(self.units.get(plain..self.at)?, &mut scratch)?;
            if self.at < end {
                self.escape(Some(&mut scratch))?;
            }
        }
        self.at = end + 1;
        self.scratch = scratch;
        Some(&self.scratch)
    }

    /// One escape at `self.at` (a `\`), checked as serde_json checks it, appended to `out`
    /// when given. A lone surrogate is rejected.
    fn escape(&mut self, out: Option<&mut String>) -> Option<()> {
        let escaped = self.units.get(self.at + 1)?.ascii();
        self.at += 2;
        let c = match escaped {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => {
                let unit = self.hex4()?;
                match unit {
                    0xD800..=0xDBFF => {
                        accept(U::same(b"\\u", self.units.get(self.at..self.at + 2)?))?;
                        self.at += 2;
                        let low = self.hex4()?;
                        accept((0xDC00..=0xDFFF).contains(&low))?;
                        char::from_u32(0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00))?
                    }
                    _ => char::from_u32(unit)?,
                }
            }
            _ => return None,
        };
        if let Some(out) = out {
            out.push(c);
        }
        Some(())
    }

    fn hex4(&mut self) -> Option<u32> {
        let mut unit = 0;
        for &digit in self.units.get(self.at..self.at + 4)? {
            unit = unit * 16 + char::from(digit.ascii()).to_digit(16)?;
        }
        self.at += 4;
        Some(unit)
    }
}

#[cfg(test)]
mod tests {
    use super::super::{check_page, check_referral_body, parse};
    use super::*;

    const SEED: &str = include_str!("../../tests/fixtures/seed-page.json");
    const UNKNOWN: &str = include_str!("../../tests/fixtures/unknown-fields-page.json");

    /// The fast answer, after checking that it never accepts what the `Value` path rejects
    /// and that the UTF-16 scan gives the same answer as the UTF-8 one.
    #[track_caller]
    fn fast(text: &str) -> bool {
        let slow = parse(text).and_then(|root| check_page(&root)).is_ok();
        let fast = page_ok(text);
        assert!(!fast || slow, "fast path accepted what the Value path rejects: {text}");
        let units: Vec<[u8; 2]> = text.encode_utf16().map(u16::to_le_bytes).collect();
        assert_eq!(page_ok_utf16(&units), fast, "UTF-16 and UTF-8 scans differ: {text}");
        fast
    }

    /// `text` as UTF-16 units with `{LONE}` replaced by a lone high surrogate (which no `&str`
    /// can hold; a JS string can).
    fn with_lone_surrogate(text: &str) -> Vec<[u8; 2]> {
        let mut units = Vec::new();
        for (index, part) in text.split("{LONE}").enumerate() {
            if index > 0 {
                units.push(0xD83D_u16.to_le_bytes());
            }
            units.extend(part.encode_utf16().map(u16::to_le_bytes));
        }
        units
    }

    /// The in-place date-time check agrees with `DateTimeOffset::parse` (through the
    /// `Value` path) on dates around every month end and leap day and on the time, fraction
    /// and offset variants around its shape.
    #[test]
    fn date_times_in_place_agree_with_the_parser() {
        let page = |date: &str| format!(r#"{{"value": [{{"createdDateTime": "{date}"}}]}}"#);
        let slow = |text: &str| parse(text).and_then(|root| check_page(&root)).is_ok();
        for year in ["0000", "1900", "2000", "2023", "2024", "2100", "9999"] {
            for month in 0..=13 {
                for day in 0..=32 {
                    let text = page(&format!("{year}-{month:02}-{day:02}T12:30:45.1234567Z"));
                    assert_eq!(fast(&text), slow(&text), "{text}");
                }
            }
        }
        for time in ["00:00:00", "23:59:59", "24:00:00", "23:60:00", "23:59:60", "9:00:00"] {
            for fraction in ["", ".", ".1", ".1234567", ".123456789012", ".1234567890123", ".x"] {
                for end in ["Z", "z", "+01:00", "", "Z ", "ZZ", "\\u005A"] {
                    for t in ["T", "t", " "] {
                        let text = page(&format!("2024-02-29{t}{time}{fraction}{end}"));
                        assert_eq!(fast(&text), slow(&text), "{text}");
                    }
                }
            }
        }
    }

    #[test]
    fn utf16_reads_a_lone_surrogate_as_the_utf8_conversion_does() {
        use super::super::{validate_referral_page, validate_referral_page_utf16};
        for (text, ok) in [
            (r#"{"value": [{"id": "a{LONE}b", "x{LONE}": 1}]}"#, true),
            (r#"{"value": [{"id": "{LONE}"}], "@odata.nextLink": "{LONE}"}"#, true),
            (r#"{"value": [{"details": {"notes": "é{LONE}\u00e9"}}]}"#, true),
            (r#"{"value": [{"createdDateTime": "2025-01-01T00:00:00{LONE}"}]}"#, false),
            (r#"{"value": [{"details": {"dealValue": "1{LONE}"}}]}"#, false),
            (r#"{"value": [{"st{LONE}atus": 1}]}"#, true),
            (r#"{"value": [{"status": 1}], "{LONE}": 2}"#, false),
            (r#"{"value": [{LONE}]}"#, false),
            ("{LONE}", false),
        ] {
            let units = with_lone_surrogate(text);
            let wide: Vec<u16> = units.iter().map(|&unit| u16::from_le_bytes(unit)).collect();
            let lossy = String::from_utf16_lossy(&wide);
            assert_eq!(page_ok_utf16(&units), page_ok(&lossy), "{text}");
            assert_eq!(validate_referral_page_utf16(&units), validate_referral_page(&lossy));
            assert_eq!(validate_referral_page_utf16(&units).is_ok(), ok, "{text}");
        }
    }

    #[test]
    fn valid_pages_take_the_fast_path() {
        assert!(fast(SEED));
        assert!(fast(UNKNOWN));
        assert!(fast(r#"{"value": []}"#));
        assert!(fast(
            r#"{"value": [{}], "@odata.count": 9007199254740991, "@odata.nextLink": null}"#
        ));
        assert!(fast(
            r#"{"value": [{"details": {"dealValue": "10000"}, "x": [[[{"y": 1e300}]]]}]}"#
        ));
        assert!(fast(r#"{"value": [{"createdDateTime": "2025-01-01T00:00:00\u005A"}]}"#));
        assert!(fast(r#"{"value": [{"status": null, "customerProfile": null}]}"#));
        assert!(referral_ok(r#"{"id": "x", "@odata.context": "c"}"#));
    }

    #[test]
    fn what_the_value_path_rejects_is_rejected() {
        for text in [
            "",
            " ",
            "[]",
            "{}",
            r#"{"value": {}}"#,
            r#"{"value": [null]}"#,
            r#"{"value": [1]}"#,
            r#"{"value": []} x"#,
            r#"{"value": [], "@odata.count": -1}"#,
            r#"{"value": [], "@odata.count": 1.0}"#,
            r#"{"value": [], "@odata.count": 9007199254740992}"#,
            r#"{"value": [], "@odata.nextLink": 1}"#,
            r#"{"value": [], "@odata.context": {}}"#,
            r#"{"value": [{"status": 1}]}"#,
            r#"{"value": [{"createdDateTime": "yesterday"}]}"#,
            r#"{"value": [{"details": {"dealValue": "ten"}}]}"#,
            r#"{"value": [{"details": {"dealValue": true}}]}"#,
            r#"{"value": [{"details": []}]}"#,
            // A number out of f64 range in an unknown property: serde_json's `IgnoredAny`
            // would skip it, the `Value` parse refuses it.
            r#"{"value": [{"x": 1e400}]}"#,
            r#"{"value": [], "x": -1e400}"#,
            // The grammar as serde_json reads it.
            r#"{"value": [],}"#,
            r#"{"value": [1,]}"#,
            r#"{"value": [], "x": [1,]}"#,
            r#"{"value": [], "x": 01}"#,
            r#"{"value": [], "x": -}"#,
            r#"{"value": [], "x": 1.}"#,
            r#"{"value": [], "x": .5}"#,
            r#"{"value": [], "x": +1}"#,
            r#"{"value": [], "x": 1e}"#,
            r#"{"value": [], "x": 1e+}"#,
            r#"{"value": [], "x": NaN}"#,
            r#"{"value": [], "x": tru}"#,
            r#"{"value": [], "x": nul}"#,
            r#"{"value": [], "x": "a\x"}"#,
            r#"{"value": [], "x": "\u12G4"}"#,
            r#"{"value": [], "x": "\u123"}"#,
            "{\"value\": [], \"x\": \"a\u{1}b\"}",
            "{\"value\": [], \"x\": \"tab\there\"}",
            "\u{feff}{\"value\": []}",
            r#"{"value": [] "x": 1}"#,
            r#"{"value" []}"#,
            r#"{"value": [], "x": "unterminated}"#,
            r#"{"value": [], 1: 2}"#,
            r#"{"value": [{"createdDateTime": "2025-01-01T00:00:00\u005"}]}"#,
        ] {
            assert!(!fast(text), "{text}");
        }
        // Past serde_json's recursion limit in an unknown property (`IgnoredAny` has none).
        let deep = format!(r#"{{"value": [], "x": {}{}}}"#, "[".repeat(200), "]".repeat(200));
        assert!(!fast(&deep));
        assert!(!referral_ok(r#"{"id": 1}"#));
        assert!(!referral_ok(r#"{"@odata.context": 1}"#));
        assert!(!referral_ok("[]"));
    }

    /// Every one-byte change of the fixtures (replaced by a byte that matters to the grammar,
    /// or deleted): the fast path never accepts what the `Value` path rejects.
    #[test]
    fn mutations_never_accept_more() {
        const BYTES: &[u8] = b"\"\\,:{}[]0-.e+nt \x01u";
        for text in [SEED, UNKNOWN] {
            let bytes = text.as_bytes();
            for at in (0..bytes.len()).step_by(3) {
                let mut variants: Vec<Vec<u8>> = BYTES
                    .iter()
                    .map(|&b| {
                        let mut v = bytes.to_vec();
                        v[at] = b;
                        v
                    })
                    .collect();
                let mut deleted = bytes.to_vec();
                deleted.remove(at);
                variants.push(deleted);
                for variant in variants {
                    if let Ok(text) = std::str::from_utf8(&variant) {
                        fast(text);
                    }
                }
            }
        }
    }

    /// The key-order memo guesses wrong when objects of one type change their key order:
    /// the search still finds every known key.
    #[test]
    fn key_orders_that_change_between_objects() {
        assert!(fast(
            r#"{"value": [{"id": "a", "status": "New"}, {"status": "New", "id": "b"},
                          {"x": 1, "status": "New"}, {"st\u0061tus": "New"}]}"#
        ));
        for text in [
            r#"{"value": [{"id": "a", "status": "New"}, {"status": 1, "id": "b"}]}"#,
            r#"{"value": [{"id": "a", "status": "New"}, {"id": "b", "x": 1, "status": 1}]}"#,
            r#"{"value": [{"status": "New"}, {"statuz": "New", "status": true}]}"#,
            r#"{"value": [{"status": "New"}, {"st\u0061tus": true}]}"#,
        ] {
            assert!(!fast(text), "{text}");
        }
    }

    #[test]
    fn rejections_the_value_path_accepts_fall_back() {
        // Duplicate keys: the `Value` keeps the last; the fast path checks them all.
        let dup = r#"{"value": [{"status": 1, "status": "New"}]}"#;
        assert!(!fast(dup));
        assert_eq!(super::super::validate_referral_page(dup), Ok(()));
        // A lone surrogate is read as U+FFFD by the `Value` path only.
        let lone = r#"{"value": [{"id": "\ud83d"}]}"#;
        assert!(!fast(lone));
        assert_eq!(super::super::validate_referral_page(lone), Ok(()));
        let body = r#"{"id": "x", "@odata.context": 1, "@odata.context": "c"}"#;
        assert!(!referral_ok(body));
        assert!(parse(body).and_then(|root| check_referral_body(&root)).is_ok());
    }
}
