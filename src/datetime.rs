//! ISO 8601 dates and date-times, without a date crate.
//!
//! One job: parse, compare, shift and print the two temporal shapes the referral API uses
//! (`Edm.Date` `2020-12-01` and `Edm.DateTimeOffset` `2020-10-30T21:03:00.0000000Z`). The
//! filter lexer/evaluator and `respond_by` share it. Civil-date arithmetic follows Howard
//! Hinnant's `days_from_civil`/`civil_from_days` (proleptic Gregorian, exact for any `i64` day).
//! Knows nothing of filters, JSON or JS.

use std::cmp::Ordering;
use std::fmt;

/// A calendar date (`Edm.Date`), e.g. `2020-12-01`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    /// Year, 0000-9999.
    pub year: i32,
    /// Month, 1-12.
    pub month: u8,
    /// Day of month, 1-31 (validated against the month).
    pub day: u8,
}

/// A point in time with the UTC offset it was written in (`Edm.DateTimeOffset`).
///
/// Equality and ordering compare the instant, as OData does: `2020-01-01T01:00:00+01:00`
/// equals `2020-01-01T00:00:00Z`.
#[derive(Debug, Clone, Copy)]
pub struct DateTimeOffset {
    /// Seconds since 1970-01-01T00:00:00Z.
    pub unix_seconds: i64,
    /// Nanoseconds within that second, 0..1e9.
    pub nanos: u32,
    /// Thousandths of a nanosecond (the 10th to 12th fractional digits OData allows), 0..1000.
    pub sub_nanos: u16,
    /// The offset from UTC the value was written with, in minutes (`Z` = 0).
    pub offset_minutes: i16,
}

impl PartialEq for DateTimeOffset {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for DateTimeOffset {}
impl PartialOrd for DateTimeOffset {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for DateTimeOffset {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.unix_seconds, self.nanos, self.sub_nanos).cmp(&(
            other.unix_seconds,
            other.nanos,
            other.sub_nanos,
        ))
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date.
pub fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The proleptic Gregorian date of a day count since 1970-01-01: `(year, month, day)`.
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

/// Days in `month` (1–12) of `year` (proleptic Gregorian); 31 for any other month number.
pub(crate) fn days_in_month(year: i64, month: u8) -> u8 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Reads exactly `n` ASCII digits at `*at`, advancing it.
fn digits(bytes: &[u8], at: &mut usize, n: usize) -> Option<u32> {
    let slice = bytes.get(*at..*at + n)?;
    let mut value = 0u32;
    for b in slice {
        if !b.is_ascii_digit() {
            return None;
        }
        value = value * 10 + u32::from(b - b'0');
    }
    *at += n;
    Some(value)
}

fn expect(bytes: &[u8], at: &mut usize, byte: u8) -> Option<()> {
    (bytes.get(*at) == Some(&byte)).then(|| *at += 1)
}

impl Date {
    /// Parses `YYYY-MM-DD`.
    ///
    /// # Errors
    /// A short reason ("month must be 01-12", ...) when the text is not a valid date.
    pub fn parse(text: &str) -> Result<Date, &'static str> {
        let bytes = text.as_bytes();
        let mut at = 0;
        let date = parse_date_part(bytes, &mut at)?;
        if at != bytes.len() {
            return Err("unexpected text after the date");
        }
        Ok(date)
    }

    /// Days since 1970-01-01.
    pub fn days_since_epoch(&self) -> i64 {
        days_from_civil(i64::from(self.year), u32::from(self.month), u32::from(self.day))
    }
}

fn parse_date_part(bytes: &[u8], at: &mut usize) -> Result<Date, &'static str> {
    const SHAPE: &str = "expected YYYY-MM-DD";
    let year = digits(bytes, at, 4).ok_or(SHAPE)?;
    expect(bytes, at, b'-').ok_or(SHAPE)?;
    let month = digits(bytes, at, 2).ok_or(SHAPE)?;
    expect(bytes, at, b'-').ok_or(SHAPE)?;
    let day = digits(bytes, at, 2).ok_or(SHAPE)?;
    if !(1..=12).contains(&month) {
        return Err("month must be 01-12");
    }
    let (year, month) = (year as i32, month as u8);
    if day == 0 || day > u32::from(days_in_month(i64::from(year), month)) {
        return Err("day is out of range for the month");
    }
    Ok(Date { year, month, day: day as u8 })
}

impl DateTimeOffset {
    /// Parses `YYYY-MM-DDThh:mm[:ss[.fffffffff]](Z|±hh:mm)`, the ISO 8601 profile OData and the
    /// Partner API use. Lower-case `t`/`z` are accepted; seven fractional digits (as the API
    /// sends) and up to twelve are accepted, and every digit is kept.
    ///
    /// # Errors
    /// A short reason when the text is not a valid date-time with an offset.
    pub fn parse(text: &str) -> Result<DateTimeOffset, &'static str> {
        let bytes = text.as_bytes();
        let mut at = 0;
        let date = parse_date_part(bytes, &mut at)?;
        match bytes.get(at) {
            Some(b'T' | b't') => at += 1,
            _ => return Err("expected `T` between date and time"),
        }
        const TIME: &str = "expected hh:mm[:ss[.fff]]";
        let hour = digits(bytes, &mut at, 2).ok_or(TIME)?;
        expect(bytes, &mut at, b':').ok_or(TIME)?;
        let minute = digits(bytes, &mut at, 2).ok_or(TIME)?;
        let mut second = 0;
        let mut nanos = 0u32;
        let mut sub_nanos = 0u16;
        if bytes.get(at) == Some(&b':') {
            at += 1;
            second = digits(bytes, &mut at, 2).ok_or(TIME)?;
            if bytes.get(at) == Some(&b'.') {
                at += 1;
                let start = at;
                while at < bytes.len() && bytes[at].is_ascii_digit() {
                    let digit = bytes[at] - b'0';
                    match at - start {
                        0..=8 => nanos = nanos * 10 + u32::from(digit),
                        9..=11 => sub_nanos = sub_nanos * 10 + u16::from(digit),
                        _ => {}
                    }
                    at += 1;
                }
                let count = at - start;
                if count == 0 || count > 12 {
                    return Err("expected 1-12 fractional second digits");
                }
                for _ in count..9 {
                    nanos *= 10;
                }
                for _ in count.max(9)..12 {
                    sub_nanos *= 10;
                }
            }
        }
        if hour > 23 || minute > 59 || second > 59 {
            return Err("time of day is out of range");
        }
        let offset_minutes: i32 = match bytes.get(at) {
            Some(b'Z' | b'z') => {
                at += 1;
                0
            }
            Some(&sign @ (b'+' | b'-')) => {
                at += 1;
                const OFFSET: &str = "expected an offset ±hh:mm";
                let oh = digits(bytes, &mut at, 2).ok_or(OFFSET)?;
                expect(bytes, &mut at, b':').ok_or(OFFSET)?;
                let om = digits(bytes, &mut at, 2).ok_or(OFFSET)?;
                if oh > 14 || om > 59 {
                    return Err("offset is out of range");
                }
                let total = (oh * 60 + om) as i32;
                if sign == b'-' {
                    -total
                } else {
                    total
                }
            }
            _ => return Err("expected `Z` or an offset ±hh:mm"),
        };
        if at != bytes.len() {
            return Err("unexpected text after the date-time");
        }
        let local = date.days_since_epoch() * 86_400
            + i64::from(hour) * 3600
            + i64::from(minute) * 60
            + i64::from(second);
        Ok(DateTimeOffset {
            unix_seconds: local - i64::from(offset_minutes) * 60,
            nanos,
            sub_nanos,
            offset_minutes: offset_minutes as i16,
        })
    }

    /// The instant `millis` milliseconds after the Unix epoch, in UTC (what JS `Date` holds).
    pub fn from_unix_millis(millis: i64) -> DateTimeOffset {
        DateTimeOffset {
            unix_seconds: millis.div_euclid(1000),
            nanos: (millis.rem_euclid(1000) as u32) * 1_000_000,
            sub_nanos: 0,
            offset_minutes: 0,
        }
    }

    /// The same instant `days` whole days (of 86 400 s) later; saturates instead of overflowing.
    pub fn plus_days(&self, days: i64) -> DateTimeOffset {
        DateTimeOffset {
            unix_seconds: self.unix_seconds.saturating_add(days.saturating_mul(86_400)),
            ..*self
        }
    }

    /// Seconds since the epoch in the value's own offset (its wall-clock reading).
    fn local_seconds(&self) -> i64 {
        self.unix_seconds + i64::from(self.offset_minutes) * 60
    }

    /// The wall-clock date in the value's own offset (what OData's `date()`, `year()`,
    /// `month()` and `day()` return).
    pub fn local_date(&self) -> (i64, u32, u32) {
        civil_from_days(self.local_seconds().div_euclid(86_400))
    }

    /// The wall-clock time in the value's own offset: `(hour, minute, second)`.
    pub fn local_time(&self) -> (u32, u32, u32) {
        let s = self.local_seconds().rem_euclid(86_400) as u32;
        (s / 3600, s / 60 % 60, s % 60)
    }

    /// The instant as JavaScript's `Date.prototype.toISOString` prints it:
    /// `YYYY-MM-DDTHH:mm:ss.sssZ`, UTC, milliseconds (sub-millisecond digits are truncated).
    pub fn to_iso_millis_utc(&self) -> String {
        let utc = DateTimeOffset { offset_minutes: 0, ..*self };
        let (y, mo, d) = utc.local_date();
        let (h, mi, s) = utc.local_time();
        format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{:03}Z", self.nanos / 1_000_000)
    }
}

/// The canonical OData spelling: the offset as written, fractional seconds only when non-zero
/// (all twelve digits OData allows, trailing zeros trimmed), seconds always.
impl fmt::Display for DateTimeOffset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, mo, d) = self.local_date();
        let (h, mi, s) = self.local_time();
        write!(f, "{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}")?;
        if self.nanos != 0 || self.sub_nanos != 0 {
            let frac = format!("{:09}{:03}", self.nanos, self.sub_nanos);
            write!(f, ".{}", frac.trim_end_matches('0'))?;
        }
        if self.offset_minutes == 0 {
            f.write_str("Z")
        } else {
            let sign = if self.offset_minutes < 0 { '-' } else { '+' };
            let abs = self.offset_minutes.unsigned_abs();
            write!(f, "{sign}{:02}:{:02}", abs / 60, abs % 60)
        }
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_day_arithmetic_round_trips() {
        for days in [-719_468, -1, 0, 1, 18_566, 2_932_896] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(days_from_civil(2020, 10, 30), 18_565);
    }

    #[test]
    fn parses_the_api_spelling_with_seven_fraction_digits() {
        let t = DateTimeOffset::parse("2020-10-30T21:03:00.0000000Z").unwrap();
        assert_eq!(t.to_string(), "2020-10-30T21:03:00Z");
        assert_eq!(t.to_iso_millis_utc(), "2020-10-30T21:03:00.000Z");
        assert_eq!(t.plus_days(14).to_iso_millis_utc(), "2020-11-13T21:03:00.000Z");
    }

    #[test]
    fn offsets_compare_by_instant_and_print_as_written() {
        let a = DateTimeOffset::parse("2020-01-01T01:30:00+01:30").unwrap();
        let b = DateTimeOffset::parse("2020-01-01T00:00:00Z").unwrap();
        assert_eq!(a, b);
        assert_eq!(a.to_string(), "2020-01-01T01:30:00+01:30");
        assert_eq!(a.local_time(), (1, 30, 0));
        assert_eq!(b.to_iso_millis_utc(), a.to_iso_millis_utc());
    }

    #[test]
    fn rejects_impossible_dates_and_times() {
        assert!(Date::parse("2021-02-29").is_err());
        assert!(Date::parse("2020-02-29").is_ok());
        assert!(Date::parse("2020-13-01").is_err());
        assert!(DateTimeOffset::parse("2020-01-01T24:00:00Z").is_err());
        assert!(DateTimeOffset::parse("2020-01-01T10:00:00").is_err());
        assert!(DateTimeOffset::parse("2020-01-01T10:00:00.Z").is_err());
        assert!(DateTimeOffset::parse("2020-01-01T10:00Z").is_ok());
    }

    #[test]
    fn twelve_fractional_digits_are_kept() {
        let t = DateTimeOffset::parse("2020-10-30T21:03:00.123456789012Z").unwrap();
        assert_eq!((t.nanos, t.sub_nanos), (123_456_789, 12));
        assert_eq!(t.to_string(), "2020-10-30T21:03:00.123456789012Z");
        let t = DateTimeOffset::parse("2020-10-30T21:03:00.0000000001+01:00").unwrap();
        assert_eq!((t.nanos, t.sub_nanos), (0, 100));
        assert_eq!(t.to_string(), "2020-10-30T21:03:00.0000000001+01:00");
        assert!(t > DateTimeOffset::parse("2020-10-30T21:03:00+01:00").unwrap());
        assert!(DateTimeOffset::parse("2020-10-30T21:03:00.1234567890123Z").is_err());
    }

    #[test]
    fn millis_keep_sub_second_precision() {
        let t = DateTimeOffset::from_unix_millis(1_604_091_780_123);
        assert_eq!(t.to_iso_millis_utc(), "2020-10-30T21:03:00.123Z");
        assert_eq!(t.to_string(), "2020-10-30T21:03:00.123Z");
        let before_epoch = DateTimeOffset::from_unix_millis(-1);
        assert_eq!(before_epoch.to_iso_millis_utc(), "1969-12-31T23:59:59.999Z");
    }
}
