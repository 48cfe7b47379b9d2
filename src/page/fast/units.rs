//! The code units the scanner reads (UTF-8 bytes or UTF-16 units) and the word-at-a-time
//! helpers over them: one `u64` holds eight bytes or four UTF-16 units.

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

    #[cfg_attr(not(debug_assertions), inline(always))]
    fn ascii(self) -> u8 {
        self
    }

    #[cfg_attr(not(debug_assertions), inline(always))]
    fn word(units: &[u8], at: usize) -> Option<u64> {
        word(units, at)
    }

    #[cfg_attr(not(debug_assertions), inline(always))]
    fn specials(word: u64) -> u64 {
        specials(word)
    }

    #[cfg_attr(not(debug_assertions), inline(always))]
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
#[cfg_attr(not(debug_assertions), inline(always))]
pub(super) fn spread(bytes: &[u8], at: usize) -> Option<u64> {
    let chunk: &[u8; 4] = bytes.get(at..)?.first_chunk()?;
    let x = u64::from(u32::from_le_bytes(*chunk));
    let x = (x | x << 16) & 0x0000_FFFF_0000_FFFF;
    Some((x | x << 8) & 0x00FF_00FF_00FF_00FF)
}

pub(super) const ONES16: u64 = 0x0001_0001_0001_0001;
pub(super) const HIGHS16: u64 = 0x8000_8000_8000_8000;

/// A UTF-16 code unit as its two little-endian bytes (how a JS string is copied into wasm
/// memory): a word of four units is then one eight-byte load.
impl Unit for [u8; 2] {
    const PER_WORD: usize = 4;
    const BITS: u32 = 16;

    #[cfg_attr(not(debug_assertions), inline(always))]
    fn ascii(self) -> u8 {
        // 0x80 and up all become 0x80: a unit the grammar never looks for.
        u16::from_le_bytes(self).min(0x80) as u8
    }

    #[cfg_attr(not(debug_assertions), inline(always))]
    fn word(units: &[[u8; 2]], at: usize) -> Option<u64> {
        let chunk: &[[u8; 2]; 4] = units.get(at..)?.first_chunk()?;
        Some(u64::from_le_bytes(*chunk.as_flattened().first_chunk()?))
    }

    #[cfg_attr(not(debug_assertions), inline(always))]
    fn specials(word: u64) -> u64 {
        specials_in_lanes(word, ONES16, HIGHS16)
    }

    /// Four units at a time: four bytes of `name` spread into 16-bit lanes against a word of
    /// `units`.
    #[cfg_attr(not(debug_assertions), inline(always))]
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
        out.extend(utf16_chars(units));
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
            for c in utf16_chars(units) {
                scratch.extend_from_slice(c.encode_utf8(&mut utf8).as_bytes());
            }
        }
        std::str::from_utf8(scratch).ok()
    }
}

/// The characters of UTF-16 units, a lone surrogate read as U+FFFD (as the UTF-8 copy of a JS
/// string reads it).
pub(in crate::page) fn utf16_chars(units: &[[u8; 2]]) -> impl Iterator<Item = char> + '_ {
    char::decode_utf16(units.iter().map(|&unit| u16::from_le_bytes(unit)))
        .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
}

pub(super) const ONES: u64 = 0x0101_0101_0101_0101;
pub(super) const HIGHS: u64 = 0x8080_8080_8080_8080;

/// The high bit of each byte of `word` that is `"`, `\` or below 0x20 (and maybe of bytes
/// above such a byte: the lowest flagged byte is always a real one, which is all the scan
/// needs).
#[cfg_attr(not(debug_assertions), inline(always))]
pub(super) fn specials(word: u64) -> u64 {
    specials_in_lanes(word, ONES, HIGHS)
}

/// [`specials`] for lanes of any width: `ones` has a 1 in the lowest bit of each lane,
/// `highs` the highest bit of each lane (8-bit lanes for UTF-8, 16-bit for UTF-16).
#[cfg_attr(not(debug_assertions), inline(always))]
pub(super) fn specials_in_lanes(word: u64, ones: u64, highs: u64) -> u64 {
    let quote = word ^ (ones * u64::from(b'"'));
    let backslash = word ^ (ones * u64::from(b'\\'));
    ((quote.wrapping_sub(ones) & !quote)
        | (backslash.wrapping_sub(ones) & !backslash)
        | (word.wrapping_sub(ones * 0x20) & !word))
        & highs
}

/// Whether two byte strings are equal, eight bytes at a time (no call to `memcmp`, no
/// iterator adapters: at opt-level "z" either is a call per key).
#[cfg_attr(not(debug_assertions), inline(always))]
pub(super) fn same(a: &[u8], b: &[u8]) -> bool {
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
#[cfg_attr(not(debug_assertions), inline(always))]
pub(super) fn ascii_at<U: Unit>(units: &[U], at: usize) -> u8 {
    units.get(at).map_or(0, |&unit| unit.ascii())
}

/// The two ASCII digits at `at` as a number.
#[cfg_attr(not(debug_assertions), inline(always))]
pub(super) fn two_digits<U: Unit>(units: &[U], at: usize) -> Option<u32> {
    let tens = ascii_at(units, at).wrapping_sub(b'0');
    let ones = ascii_at(units, at + 1).wrapping_sub(b'0');
    (tens < 10 && ones < 10).then(|| u32::from(tens) * 10 + u32::from(ones))
}

/// Whether two words are there and equal (`==` on `Option<u64>` is a call at opt-level "z").
#[cfg_attr(not(debug_assertions), inline(always))]
pub(super) fn equal(a: Option<u64>, b: Option<u64>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => a == b,
        _ => false,
    }
}

/// The eight bytes of `bytes` at `at` as one word, if there are eight.
#[cfg_attr(not(debug_assertions), inline(always))]
pub(super) fn word(bytes: &[u8], at: usize) -> Option<u64> {
    let chunk: &[u8; 8] = bytes.get(at..)?.first_chunk()?;
    Some(u64::from_le_bytes(*chunk))
}

/// `text` as the scanner reads it: its UTF-16 code units, each as two little-endian bytes.
/// Four ASCII bytes (nearly all of a page) are widened at a time; any other character is
/// encoded on its own. Written as a plain loop over words: at opt-level "z" the iterator
/// version (`encode_utf16`) costs a call per byte, a fifth of `all()`'s time.
pub(in crate::page) fn utf16_units(text: &str) -> Vec<[u8; 2]> {
    let bytes = text.as_bytes();
    // A text has at most as many UTF-16 units as UTF-8 bytes.
    let mut units = vec![[0; 2]; bytes.len()];
    let mut len = 0;
    let mut at = 0;
    while at < bytes.len() {
        let quad = spread(bytes, at).filter(|lanes| lanes & 0xFF80_FF80_FF80_FF80 == 0);
        if let (Some(lanes), Some(out)) = (quad, units.get_mut(len..len + 4)) {
            out.as_flattened_mut().copy_from_slice(&lanes.to_le_bytes());
            len += 4;
            at += 4;
            continue;
        }
        // invariant: `at` is a character boundary (only whole characters are consumed).
        let Some(c) = text.get(at..).and_then(|rest| rest.chars().next()) else { break };
        for unit in c.encode_utf16(&mut [0; 2]) {
            if let Some(slot) = units.get_mut(len) {
                *slot = unit.to_le_bytes();
            }
            len += 1;
        }
        at += c.len_utf8();
    }
    units.truncate(len);
    units
}
