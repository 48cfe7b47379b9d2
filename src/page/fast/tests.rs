use super::super::{check_page, check_referral_body, parse};
use super::*;

const SEED: &str = include_str!("../../../tests/fixtures/seed-page.json");
const UNKNOWN: &str = include_str!("../../../tests/fixtures/unknown-fields-page.json");

/// The fast answer, after checking that it never accepts what the `Value` path rejects.
#[track_caller]
fn fast(text: &str) -> bool {
    let slow = parse(text).and_then(|root| check_page(&root)).is_ok();
    let fast = page_ok(&units_of(text));
    assert!(!fast || slow, "fast path accepted what the Value path rejects: {text}");
    fast
}

/// `text` as the scanner reads it.
fn units_of(text: &str) -> Vec<[u8; 2]> {
    text.encode_utf16().map(u16::to_le_bytes).collect()
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
        assert_eq!(page_ok(&units), page_ok(&units_of(&lossy)), "{text}");
        assert_eq!(validate_referral_page_utf16(&units), validate_referral_page(&lossy));
        assert_eq!(validate_referral_page_utf16(&units).is_ok(), ok, "{text}");
    }
}

#[test]
fn valid_pages_take_the_fast_path() {
    assert!(fast(SEED));
    assert!(fast(UNKNOWN));
    assert!(fast(r#"{"value": []}"#));
    assert!(fast(r#"{"value": [{}], "@odata.count": 9007199254740991, "@odata.nextLink": null}"#));
    assert!(fast(r#"{"value": [{"details": {"dealValue": "10000"}, "x": [[[{"y": 1e300}]]]}]}"#));
    assert!(fast(r#"{"value": [{"createdDateTime": "2025-01-01T00:00:00\u005A"}]}"#));
    assert!(fast(r#"{"value": [{"status": null, "customerProfile": null}]}"#));
    assert!(referral_ok(&units_of(r#"{"id": "x", "@odata.context": "c"}"#)));
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
    assert!(!referral_ok(&units_of(r#"{"id": 1}"#)));
    assert!(!referral_ok(&units_of(r#"{"@odata.context": 1}"#)));
    assert!(!referral_ok(&units_of("[]")));
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
    assert!(!referral_ok(&units_of(body)));
    assert!(parse(body).and_then(|root| check_referral_body(&root)).is_ok());
}

/// The word-at-a-time transcoder gives exactly `encode_utf16`'s units, whatever the mix and
/// alignment of ASCII and other characters.
#[test]
fn utf16_units_are_encode_utf16() {
    let pieces = ["", "a", "abc", "abcd", "abcdefgh", "é", "€", "😀", "ж中", "\u{7f}", "\u{80}"];
    for a in pieces {
        for b in pieces {
            for c in pieces {
                let text = format!("{a}{b}x{c}{a}");
                assert_eq!(units::utf16_units(&text), units_of(&text), "{text:?}");
            }
        }
    }
    assert_eq!(units::utf16_units(SEED), units_of(SEED));
}
