//! Platform hooks: the few text and number primitives whose std implementations carry large
//! tables (Unicode case mapping, decimal-to-float conversion), behind a table of plain function
//! pointers.
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
//!
//! Until a table is installed (a wasm32 build used from Rust without the JS glue, e.g. by a
//! test that calls the core directly), `wasm32` uses [`ASCII_ONLY`]: exact for ASCII, and
//! for anything else it errs on the safe side: non-ASCII characters are left as they are, and
//! numbers that need the platform do not parse (`None`, so a literal is NaN and compares
//! false, a decimal string is `null`) — never a trap, never a wrong value.

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
}

/// std's implementations (every target but `wasm32`).
#[cfg(not(target_arch = "wasm32"))]
static STD: Platform = Platform {
    to_lowercase: str::to_lowercase,
    to_uppercase: str::to_uppercase,
    parse_f64: |s| s.parse().ok(),
};

/// The `wasm32` table before [`set_platform`]: exact for ASCII, leaves other text as is, and
/// parses no number that needs the platform.
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
pub(crate) static ASCII_ONLY: Platform = Platform {
    to_lowercase: str::to_ascii_lowercase,
    to_uppercase: str::to_ascii_uppercase,
    parse_f64: |_| None,
};

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
            fn digit_strings_parse_like_std(s in "[+-]?[0-9]{0,25}(\\.[0-9]{0,25})?([eE][+-]?[0-9]{1,4})?") {
                super::parses_like_std(&s);
            }
        }
    }
}
