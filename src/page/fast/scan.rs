//! The scanner and the JSON grammar: values, objects, arrays, numbers and date-times, each
//! checked against its [`Seed`] as it is read.

use super::keys::{MEMO_KEYS, MEMO_TYPES};
use super::seed::{Mode, Seed};
use super::units::{ascii_at, two_digits, Unit};
use super::{MAX_MAGNITUDE, MAX_NESTING};
use crate::datetime::{days_in_month, Date, DateTimeOffset};
use crate::page::{is_decimal, MAX_SAFE_INTEGER, MAX_SCHEMA_DEPTH};
use crate::schema::{Kind, REFERRAL};

pub(super) struct Scan<'a, U> {
    pub(super) units: &'a [U],
    pub(super) at: usize,
    /// Unescaped text of the last string read with [`Scan::string`] that had escapes.
    pub(super) scratch: String,
    /// The UTF-8 text of the last string without escapes read with [`Scan::string`], when it
    /// cannot be borrowed from the text (UTF-16 units).
    pub(super) narrow: Vec<u8>,
    /// Per complex type (by address), for each property (index + 1; 0: the object's start
    /// or an unknown key), the property whose key came next the last time (index + 1; 0:
    /// none). A server writes every object of a type with its keys in the same order (some
    /// left out), so the guess is nearly always right and a known key costs one comparison
    /// instead of a search of the type's properties.
    pub(super) memo: [(usize, [u8; MEMO_KEYS]); MEMO_TYPES],
    /// Where the last page-level `@odata.nextLink` string was (`None`: none yet, or `null`).
    pub(super) next_link: Option<(usize, usize)>,
}

/// `Some(())` when `ok`: `None` is "rejected" throughout.
pub(super) fn accept(ok: bool) -> Option<()> {
    ok.then_some(())
}

impl<'a, U: Unit> Scan<'a, U> {
    pub(super) fn new(units: &'a [U]) -> Scan<'a, U> {
        Scan {
            units,
            at: 0,
            scratch: String::new(),
            narrow: Vec::new(),
            memo: [(0, [0; MEMO_KEYS]); MEMO_TYPES],
            next_link: None,
        }
    }

    pub(super) fn root(&mut self, mode: Mode) -> Option<()> {
        let seed = Seed::of(mode);
        self.value(Seed { null_ok: false, ..seed }, 0)?;
        self.whitespace();
        accept(self.at == self.units.len())
    }

    #[cfg_attr(not(debug_assertions), inline(always))]
    pub(super) fn peek(&self) -> Option<u8> {
        self.units.get(self.at).map(|&unit| unit.ascii())
    }

    #[cfg_attr(not(debug_assertions), inline(always))]
    pub(super) fn whitespace(&mut self) {
        while let Some(b' ' | b'\n' | b'\r' | b'\t') = self.peek() {
            self.at += 1;
        }
    }

    /// The next non-whitespace byte, consumed.
    #[cfg_attr(not(debug_assertions), inline(always))]
    pub(super) fn next_token(&mut self) -> Option<u8> {
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
    pub(super) fn literal(&mut self, rest: &[u8]) -> Option<()> {
        let end = self.at + rest.len();
        accept(U::same(rest, self.units.get(self.at..end)?))?;
        self.at = end;
        Some(())
    }

    /// A value whose first byte is next (after whitespace); `nesting` counts the arrays and
    /// objects around it.
    pub(super) fn value(&mut self, seed: Seed, nesting: usize) -> Option<()> {
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
                Mode::Value(Kind::Date) => accept(Date::parse(self.string()?).is_ok()),
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

    pub(super) fn object(&mut self, seed: Seed, nesting: usize) -> Option<()> {
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

    pub(super) fn array(&mut self, seed: Seed, nesting: usize) -> Option<()> {
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
    pub(super) fn number(&mut self, first: u8, mode: Mode) -> Option<()> {
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
    pub(super) fn plain_date_time(&mut self) -> Option<()> {
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
    pub(super) fn digits(&mut self) -> usize {
        let start = self.at;
        while self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.at += 1;
        }
        self.at - start
    }
}
