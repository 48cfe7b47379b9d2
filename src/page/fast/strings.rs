//! Strings: skipped a word at a time when nothing in them needs reading, unescaped into a
//! reused buffer when a key or a date-time does.

use super::scan::{accept, Scan};
use super::units::Unit;

impl<'a, U: Unit> Scan<'a, U> {
    /// Moves to the first `"`, `\` or control character at or after `self.at`, a word at a
    /// time (or to the end of the text).
    #[cfg_attr(not(debug_assertions), inline(always))]
    pub(super) fn plain_bytes(&mut self) {
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
    pub(super) fn skip_string_escaped(&mut self) -> Option<bool> {
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

    pub(super) fn skip_string(&mut self) -> Option<()> {
        self.skip_string_escaped().map(drop)
    }

    /// [`Scan::skip_string`], inlined for the common case: no escape and no control
    /// character before the closing quote.
    #[cfg_attr(not(debug_assertions), inline(always))]
    pub(super) fn skip_plain_string(&mut self) -> Option<()> {
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
    pub(super) fn string(&mut self) -> Option<&str> {
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
    pub(super) fn escape(&mut self, out: Option<&mut String>) -> Option<()> {
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

    pub(super) fn hex4(&mut self) -> Option<u32> {
        let mut unit = 0;
        for &digit in self.units.get(self.at..self.at + 4)? {
            unit = unit * 16 + char::from(digit.ascii()).to_digit(16)?;
        }
        self.at += 4;
        Some(unit)
    }
}
