//! Platform hooks: the few text and number primitives whose std implementations carry large
//! tables or algorithms (Unicode case mapping and letter classes, decimal ⇄ float conversion),
//! behind a table of plain function pointers.
//!
//! One job: let the core ask "the platform" for them without knowing which platform it runs
//! on. Natively the table is std (`str::to_lowercase`, …). On `wasm32` the JavaScript room
//! (`src/wasm/`) installs a table backed by the JS engine's own implementations with
//! [`set_platform`] when the module starts, so the wasm file does not ship std's copy of the
//! same tables (about 18 KiB of gzip for case mapping alone). Imports nothing from the crate
//! and never wasm-bindgen/js-sys: the hooks are `fn` pointers handed in from outside.
//!
//! The core calls the wrappers below ([`to_lowercase`], …), never the table directly. Each
//! wrapper answers the common case itself (ASCII text) and asks the platform only for the
//! rest, so results are the same on every platform:
//! - letters ([`is_alphabetic`], [`is_alphanumeric`], what identifiers are made of): ASCII
//!   is answered here; other characters by the platform (std natively, the regular
//!   expressions `\p{Alphabetic}` and `[\p{Alphabetic}\p{N}]` in wasm: the same Unicode
//!   properties std reads; 1.8 KiB gzip of tables not shipped).
//! - case mapping: ASCII text is mapped here; other text goes to the platform (std natively,
//!   `String.prototype.toLowerCase`/`toUpperCase` in wasm: both implement Unicode's default
//!   full case mapping, final sigma included; they can differ only where the JS engine's
//!   Unicode version differs from Rust's).
//! - number parsing ([`parse_f64`]): Rust's `f64` grammar is checked here, `inf`/`nan` and
//!   every number that is exact with one float operation (at most 2^53 as digits, times or
//!   divided by 10^0..=10^22: integers, `1500.50`, `2.5e-3`, ...) are computed here, and only
//!   longer or far-out numbers go to the platform: std natively, JS `Number(text)` in wasm
//!   (text that passed the check is JS `StrDecimalLiteral` syntax too, and both round
//!   correctly).
//! - number printing ([`format_f64`], [`display_f64`]): the platform only supplies the
//!   shortest round-trip digits of a positive finite number in scientific notation (`{:e}`
//!   natively, `Number.prototype.toExponential()` in wasm: both give the shortest digits that
//!   read back to the same `f64`, the closest to the exact value when several do); the sign,
//!   zero, NaN, infinities and the layout of Rust's `{}` and `{:e}` are done here, so the text
//!   is exactly std's on every platform.
//!
//! Until a table is installed (a wasm32 build used from Rust without the JS glue, e.g. by a
//! test that calls the core directly), `wasm32` uses [`ASCII_ONLY`]: exact for ASCII, and
//! for anything else it errs on the safe side: non-ASCII characters are left as they are, and
//! numbers that need the platform do not parse (`None`, so a literal is NaN and compares
//! false, a decimal string is `null`), and only integers up to 2^53 print (other numbers
//! cannot be interpolated into a filter template; messages say `<number>`) — never a trap,
//! never a wrong value.

/// The hook table. Every function must behave like the std function it is named after.
#[derive(Debug)]
pub(crate) struct Platform {
    /// `str::to_lowercase`: Unicode default lower-case mapping of the whole string.
    pub to_lowercase: fn(&str) -> String,
    /// `str::to_uppercase`: Unicode default upper-case mapping of the whole string.
    pub to_uppercase: fn(&str) -> String,
    /// `str::parse::<f64>`, correctly rounded. Only ever called with text that [`parse_f64`]
    /// has checked: an optional sign, digits with an optional `.`, an optional exponent.
    pub parse_f64: fn(&str) -> Option<f64>,
    /// `char::is_alphabetic` (the Unicode `Alphabetic` property). Only called for non-ASCII.
    pub is_alphabetic: fn(char) -> bool,
    /// `char::is_alphanumeric` (`Alphabetic`, or general category `N*`). Only called for
    /// non-ASCII.
    pub is_alphanumeric: fn(char) -> bool,
    /// The shortest round-trip digits of a finite `n > 0` in scientific notation:
    /// `d[.ddd]e[+|-]x` (`format!("{n:e}")`, JS `n.toExponential()`). `None` if unavailable.
    pub format_exponential: fn(f64) -> Option<String>,
}

/// std's implementations (every target but `wasm32`).
#[cfg(not(target_arch = "wasm32"))]
static STD: Platform = Platform {
    to_lowercase: str::to_lowercase,
    to_uppercase: str::to_uppercase,
    is_alphabetic: char::is_alphabetic,
    is_alphanumeric: char::is_alphanumeric,
    parse_f64: |s| s.parse().ok(),
    format_exponential: |n| Some(format!("{n:e}")),
};

/// The `wasm32` table before [`set_platform`]: exact for ASCII, leaves other text as is, and
/// parses no number that needs the platform.
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
pub(crate) static ASCII_ONLY: Platform = Platform {
    to_lowercase: str::to_ascii_lowercase,
    to_uppercase: str::to_ascii_uppercase,
    is_alphabetic: |_| false,
    is_alphanumeric: |_| false,
    parse_f64: |_| None,
    format_exponential: integer_exponential,
};

/// `format_exponential` for integers up to 2^53 (exact as digits, and no shorter digits read
/// back to them); `None` for anything else.
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
fn integer_exponential(n: f64) -> Option<String> {
    if n.fract() != 0.0 || !(1.0..=EXACT_INT as f64).contains(&n) {
        return None;
    }
    let digits = (n as u64).to_string();
    let exponent = digits.len() - 1;
    let digits = digits.trim_end_matches('0');
    let (first, rest) = digits.split_at(1);
    Some(if rest.is_empty() {
        format!("{first}e{exponent}")
    } else {
        format!("{first}.{rest}e{exponent}")
    })
}

#[cfg(target_arch = "wasm32")]
static INSTALLED: std::sync::OnceLock<&'static Platform> = std::sync::OnceLock::new();

/// Installs the `wasm32` hook table; the first call wins (later calls are ignored, so the
/// module's start function and a test may both call it).
#[cfg(target_arch = "wasm32")]
pub(crate) fn set_platform(platform: &'static Platform) {
    let _ = INSTALLED.set(platform);
}

fn platform() -> &'static Platform {
    #[cfg(target_arch = "wasm32")]
    {
        INSTALLED.get().copied().unwrap_or(&ASCII_ONLY)
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        &STD
    }
}

/// `s.to_lowercase()`, with ASCII text mapped here and the rest by the platform.
pub(crate) fn to_lowercase(s: &str) -> String {
    if s.is_ascii() {
        s.to_ascii_lowercase()
    } else {
        (platform().to_lowercase)(s)
    }
}

/// `s.to_uppercase()`, with ASCII text mapped here and the rest by the platform.
pub(crate) fn to_uppercase(s: &str) -> String {
    if s.is_ascii() {
        s.to_ascii_uppercase()
    } else {
        (platform().to_uppercase)(s)
    }
}

/// `c.is_alphabetic()`, with ASCII answered here and the rest by the platform.
pub(crate) fn is_alphabetic(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_alphabetic()
    } else {
        (platform().is_alphabetic)(c)
    }
}

/// `c.is_alphanumeric()`, with ASCII answered here and the rest by the platform.
pub(crate) fn is_alphanumeric(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_alphanumeric()
    } else {
        (platform().is_alphanumeric)(c)
    }
}

/// The largest integer up to which every integer is an exact `f64`.
const EXACT_INT: u64 = 1 << 53;

/// `s.parse::<f64>().ok()`: the same grammar (an optional sign, then `inf`, `infinity` or `nan`
/// in any case, or digits with an optional `.` and an optional `e`/`E` exponent) and the same,
/// correctly rounded value. No surrounding whitespace.
pub(crate) fn parse_f64(s: &str) -> Option<f64> {
    let (negative, body) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let signed = |v: f64| if negative { -v } else { v };
    if body.eq_ignore_ascii_case("inf") || body.eq_ignore_ascii_case("infinity") {
        return Some(signed(f64::INFINITY));
    }
    if body.eq_ignore_ascii_case("nan") {
        return Some(signed(f64::NAN));
    }
    let bytes = body.as_bytes();
    let mut at = 0;
    // The digits as an integer while it stays exact (`None` once it does not).
    let mut mantissa: Option<u64> = Some(0);
    let mut digits = 0;
    let mut scale: i64 = 0; // digits after the `.`
    let mut seen_dot = false;
    while let Some(&b) = bytes.get(at) {
        match b {
            b'0'..=b'9' => {
                mantissa = mantissa
                    .and_then(|m| m.checked_mul(10)?.checked_add(u64::from(b - b'0')))
                    .filter(|m| *m <= EXACT_INT);
                digits += 1;
                scale += i64::from(seen_dot);
            }
            b'.' if !seen_dot => seen_dot = true,
            _ => break,
        }
        at += 1;
    }
    if digits == 0 {
        return None;
    }
    let mut exponent: i64 = 0;
    if let Some(b'e' | b'E') = bytes.get(at) {
        at += 1;
        let negative_exponent = match bytes.get(at) {
            Some(b'-') => {
                at += 1;
                true
            }
            Some(b'+') => {
                at += 1;
                false
            }
            _ => false,
        };
        let start = at;
        while let Some(&b) = bytes.get(at).filter(|b| b.is_ascii_digit()) {
            // Saturates far beyond any finite f64: the platform still sees the exact text.
            exponent = (exponent * 10 + i64::from(b - b'0')).min(1 << 40);
            at += 1;
        }
        if at == start {
            return None;
        }
        if negative_exponent {
            exponent = -exponent;
        }
    }
    if at != bytes.len() {
        return None;
    }
    match mantissa {
        Some(0) => Some(signed(0.0)),
        // One correctly rounded operation on exact operands: 10^k is exact for k <= 22.
        Some(m) if (-22..=22).contains(&(exponent - scale)) => {
            let power = (0..(exponent - scale).abs()).fold(1.0, |p, _| p * 10.0);
            let m = m as f64;
            Some(signed(if exponent >= scale { m * power } else { m / power }))
        }
        _ => (platform().parse_f64)(s),
    }
}

/// `format!("{n:e}")` when `exponential`, else `format!("{n}")`: the same text on every
/// platform; `None` only before a `wasm32` platform is installed (see the module docs).
pub(crate) fn format_f64(n: f64, exponential: bool) -> Option<String> {
    if n.is_nan() {
        return Some("NaN".into());
    }
    let sign = if n.is_sign_negative() { "-" } else { "" };
    if n.is_infinite() {
        return Some(format!("{sign}inf"));
    }
    if n == 0.0 {
        return Some(format!("{sign}{}", if exponential { "0e0" } else { "0" }));
    }
    let text = (platform().format_exponential)(n.abs())?;
    let (digits, exponent) = shortest_digits(n.abs(), &text)?;
    Some(layout(&digits, exponent, sign, exponential))
}

/// The shortest digits (no trailing zeros) and the exponent of the first one, from the
/// platform's `d[.ddd]e[+|-]x` text for `n` (finite, > 0), with ties resolved as std does:
/// when `n` lies exactly halfway between two shortest candidates, std prints the larger one,
/// where JS engines print the even one (`1658206780088562.25` is `…562.3` in Rust, `…562.2` in
/// JS).
fn shortest_digits(n: f64, scientific: &str) -> Option<(String, i32)> {
    let (mantissa, exponent) = scientific.split_once(['e', 'E'])?;
    let mut exponent: i32 = exponent.strip_prefix('+').unwrap_or(exponent).parse().ok()?;
    if !(-400..=400).contains(&exponent) {
        return None; // not an f64's (-324..=308): a broken platform, not a number to lay out
    }
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    let mut digits = digits.trim_end_matches('0').to_string();
    if digits.is_empty() || digits.starts_with('0') || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    // `n` = D × 10^q with D the digits as an integer (at most 17 digits for an f64).
    let d: u64 = digits.parse().ok()?;
    let q = exponent - (digits.len() as i32 - 1);
    // (2D + 1) × 5 × 10^(q-1) is the point halfway up to the next candidate.
    let halfway = d.checked_mul(10).and_then(|t| t.checked_add(5));
    if halfway.is_some_and(|t| is_exactly(n, t, q - 1)) {
        let up = (d + 1).to_string();
        exponent += up.len() as i32 - digits.len() as i32;
        digits = up.trim_end_matches('0').to_string();
    }
    Some((digits, exponent))
}

/// Whether `n` (finite, > 0) is exactly `t × 10^k`, by comparing odd parts and powers of two.
pub(crate) fn is_exactly(n: f64, t: u64, k: i32) -> bool {
    let bits = n.to_bits();
    let biased = ((bits >> 52) & 0x7ff) as i32;
    let fraction = bits & ((1 << 52) - 1);
    let (m, e) = if biased == 0 { (fraction, -1074) } else { (fraction | 1 << 52, biased - 1075) };
    let pow5 = |p: i32| (0..p).try_fold(1u128, |acc, _| acc.checked_mul(5));
    // t·10^k = m·2^e  ⇔  t·5^k · 2^k = m · 2^e (k >= 0),  t · 2^0 = m·5^-k · 2^(e-k) (k < 0).
    // A product that overflows has a larger odd part than the other side can have.
    let sides = if k >= 0 {
        pow5(k).and_then(|p| u128::from(t).checked_mul(p)).map(|a| ((a, k), (u128::from(m), e)))
    } else {
        pow5(-k)
            .and_then(|p| u128::from(m).checked_mul(p))
            .map(|b| ((u128::from(t), 0), (b, e - k)))
    };
    let odd = |(x, exp): (u128, i32)| (x >> x.trailing_zeros(), exp + x.trailing_zeros() as i32);
    sides.is_some_and(|(a, b)| m != 0 && t != 0 && odd(a) == odd(b))
}

/// Rust's `{}` (or `{:e}`) text of `sign` and the positive number `0.DIGITS × 10^(exponent+1)`.
fn layout(digits: &str, exponent: i32, sign: &str, exponential: bool) -> String {
    let (first, rest) = digits.split_at(1);
    if exponential {
        let dot = if rest.is_empty() { "" } else { "." };
        return format!("{sign}{first}{dot}{rest}e{exponent}");
    }
    // The number of digits before the decimal point.
    let point = i64::from(exponent) + 1;
    let len = digits.len() as i64;
    if point <= 0 {
        format!("{sign}0.{}{digits}", "0".repeat((-point) as usize))
    } else if point >= len {
        format!("{sign}{digits}{}", "0".repeat((point - len) as usize))
    } else {
        let (whole, fraction) = digits.split_at(point as usize);
        format!("{sign}{whole}.{fraction}")
    }
}

/// `format!("{n}")` for messages: [`format_f64`], or `<number>` when it is unavailable.
pub(crate) fn display_f64(n: f64) -> String {
    format_f64(n, false).unwrap_or_else(|| "<number>".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_mapping_matches_std() {
        for s in ["", "Contoso", "ÉCOLE", "straße", "ΣΊΣΥΦΟΣ", "İstanbul", "ǅ", "ﬃ", "💝a"]
        {
            assert_eq!(to_lowercase(s), s.to_lowercase(), "{s}");
            assert_eq!(to_uppercase(s), s.to_uppercase(), "{s}");
        }
    }

    #[test]
    fn ascii_only_fallback_is_exact_for_ascii_and_leaves_the_rest() {
        assert_eq!((ASCII_ONLY.to_lowercase)("MiXeD 42"), "mixed 42");
        assert_eq!((ASCII_ONLY.to_uppercase)("MiXeD 42"), "MIXED 42");
        assert_eq!((ASCII_ONLY.to_lowercase)("ÉCOLE"), "École");
        assert_eq!((ASCII_ONLY.to_uppercase)("straße"), "STRAßE");
        assert_eq!((ASCII_ONLY.parse_f64)("1.5"), None);
        for n in [1.0, 7.0, 10.0, 1500.0, 123456789.0, 9007199254740992.0] {
            assert_eq!((ASCII_ONLY.format_exponential)(n), Some(format!("{n:e}")), "{n}");
        }
        for n in [0.5, 1500.5, 9007199254740994.0, 1e300, 5e-324] {
            assert_eq!((ASCII_ONLY.format_exponential)(n), None, "{n}");
        }
    }

    /// Std's `{}` and `{:e}` text, from the platform's scientific digits.
    #[track_caller]
    fn formats_like_std(n: f64) {
        assert_eq!(format_f64(n, false), Some(format!("{n}")), "{n:e}");
        assert_eq!(format_f64(n, true), Some(format!("{n:e}")), "{n:e}");
        assert_eq!(display_f64(n), format!("{n}"), "{n:e}");
    }

    /// `layout(shortest_digits(n, js))` for JS's `toExponential()` text of `n`.
    fn from_js(n: f64, js: &str, exponential: bool) -> Option<String> {
        let (digits, exponent) = shortest_digits(n, js)?;
        Some(layout(&digits, exponent, "", exponential))
    }

    #[test]
    fn js_to_exponential_text_is_laid_out_as_std_does() {
        for (n, js) in [
            (1e21, "1e+21"),
            (1.5e-8, "1.5e-8"),
            (f64::MAX, "1.7976931348623157e+308"),
            (5e-324, "5e-324"),
            (123.45, "1.2345e+2"),
            (12345.0, "1.2345e+4"),
            (1.0, "1e+0"),
            (0.11, "1.1e-1"),
            // Ties: JS prints the even candidate, std the larger one.
            (1658206780088562.0 + 0.25, "1.6582067800885622e+15"),
            (1658206780088562.0 + 0.75, "1.6582067800885628e+15"),
            (f64::from_bits(0x42e1899f112d6bc4), "1.5426221515862212e+14"),
            (f64::from_bits(0x43047b0dd0e0d1b2), "7.205998504248862e+14"),
            (f64::from_bits(0x42a1354e77a70820), "9.460323701636062e+12"),
            (9999999999999998.0, "9.999999999999998e+15"),
        ] {
            assert_eq!(from_js(n, js, false), Some(format!("{n}")), "{js}");
            assert_eq!(from_js(n, js, true), Some(format!("{n:e}")), "{js}");
        }
        for bad in [
            "",
            "1",
            "e5",
            "1e",
            "1ex",
            "0e0",
            "0.5e1",
            "1.x5e1",
            "NaN",
            "Infinity",
            "1e-2147483648",
            "1e999",
            "12345678901234567890123e0",
            "99999999999999999999e0",
        ] {
            assert_eq!(from_js(1.0, bad, false), None, "{bad}");
        }
    }

    #[test]
    fn is_exactly_compares_exact_values() {
        assert!(is_exactly(1658206780088562.0 + 0.25, 165820678008856225, -2));
        assert!(!is_exactly(1658206780088562.0 + 0.25, 165820678008856225, -1));
        assert!(is_exactly(0.5, 5, -1));
        assert!(is_exactly(1e22, 1, 22));
        assert!(is_exactly(1e22, 1000, 19));
        assert!(!is_exactly(1e23, 1, 23), "1e23 is not exact");
        assert!(!is_exactly(0.1, 1, -1), "0.1 is not exact");
        assert!(!is_exactly(5e-324, 1, -1074), "2^-1074 is not 10^-1074");
        assert!(is_exactly(1.0, 1, 0));
        assert!(is_exactly(2f64.powi(-3), 125, -3));
        assert!(!is_exactly(f64::MAX, 17976931348623157, 292), "shortest, not exact");
    }

    #[test]
    fn format_f64_is_std_display_and_lower_exp() {
        for n in [
            0.0,
            -0.0,
            1.0,
            -1.0,
            10.0,
            0.1,
            -0.1,
            0.3,
            0.1 + 0.2,
            1.5,
            1500.5,
            123456.789,
            1e-7,
            9.999999999999998e-8,
            1e-6,
            0.000001234,
            1e20,
            1e21,
            1e22,
            1e23,
            1.2345678901234568e20,
            1.5e-8,
            1e-9,
            2.5e300,
            -2.5e300,
            9007199254740992.0,
            9007199254740994.0,
            f64::MAX,
            f64::MIN,
            f64::MIN_POSITIVE,
            5e-324,
            f64::EPSILON,
            2147483647.0,
            2147483648.0,
            f64::NAN,
            -f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
        ] {
            formats_like_std(n);
        }
    }

    /// Same value as std, bit for bit (NaN: any NaN of the same sign).
    #[track_caller]
    fn parses_like_std(s: &str) {
        let std = s.parse::<f64>().ok();
        match (parse_f64(s), std) {
            (Some(a), Some(b)) if a.is_nan() && b.is_nan() => {
                assert_eq!(a.is_sign_negative(), b.is_sign_negative(), "{s:?}")
            }
            (a, b) => assert_eq!(a.map(f64::to_bits), b.map(f64::to_bits), "{s:?}"),
        }
    }

    #[test]
    fn parse_f64_accepts_what_std_accepts_with_the_same_bits() {
        for s in [
            "0",
            "-0",
            "+0",
            "00",
            "0.0",
            "-0.0e5",
            "1",
            "-3",
            "+7",
            "42",
            "1500.50",
            "1500.",
            ".5",
            "-.5",
            "+.5e1",
            "1e5",
            "1E5",
            "1e+5",
            "1e-5",
            "2.5e-3",
            "0.314e+1",
            "1e22",
            "1e23",
            "1e-22",
            "1e-23",
            "9007199254740992",
            "9007199254740993",
            "18446744073709551616",
            "123456789012345678901234567890",
            "0.1",
            "0.3",
            "1.7976931348623157e308",
            "1e309",
            "-1e309",
            "5e-324",
            "2e-324",
            "1e-400",
            "4.9406564584124654e-324",
            "00000001.2500",
            "1e0000000000000000000000000001",
            "1e-99999999999999999999",
            "0e999999",
            "inf",
            "-inf",
            "+Infinity",
            "INFINITY",
            "nan",
            "NaN",
            "-nan",
            "1.5",
            "1500.5",
            "0.000001",
            "123456.789",
            "2147483647",
            "2147483648",
        ] {
            parses_like_std(s);
        }
    }

    #[test]
    fn parse_f64_rejects_what_std_rejects() {
        for s in [
            "",
            "-",
            "+",
            ".",
            "-.",
            "e5",
            ".e5",
            "1e",
            "1e+",
            "1e-",
            "1.2.3",
            "1..2",
            "--1",
            "+-1",
            " 1",
            "1 ",
            "1_000",
            "0x10",
            "1f",
            "infin",
            "nana",
            "Infinityx",
            "1e5.5",
            "١",
            "１",
        ] {
            assert_eq!(parse_f64(s), None, "{s:?}");
            parses_like_std(s);
        }
    }

    #[cfg(not(target_arch = "wasm32"))]
    mod properties {
        use proptest::prelude::*;

        proptest! {
            #[test]
            fn any_f64_printed_parses_back_like_std(bits in any::<u64>()) {
                let n = f64::from_bits(bits);
                for s in [format!("{n}"), format!("{n:e}"), format!("{n:.3}"), format!("{n:E}")] {
                    super::parses_like_std(&s);
                }
            }

            #[test]
            fn any_f64_formats_like_std(bits in any::<u64>()) {
                super::formats_like_std(f64::from_bits(bits));
            }

            #[test]
            fn digit_strings_parse_like_std(s in "[+-]?[0-9]{0,25}(\\.[0-9]{0,25})?([eE][+-]?[0-9]{1,4})?") {
                super::parses_like_std(&s);
            }
        }
    }
}
