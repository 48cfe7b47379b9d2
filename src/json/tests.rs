//! The reader against serde_json itself (still a dependency natively): the same `Value`
//! (number kinds and float bits included) or the same reason, line and column, over the
//! repository's fixtures, tricky snippets and mutations of both.

use super::differential::check;
use super::*;

fn fixtures() -> Vec<(String, String)> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");
    let mut out = Vec::new();
    for path in ["seed-page.json", "unknown-fields-page.json", "odata-abnf/filter-cases.json"] {
        let text = std::fs::read_to_string(format!("{dir}/{path}")).unwrap();
        out.push((path.to_string(), text));
    }
    out
}

/// Hand-written inputs where the two readers could part ways.
fn snippets() -> Vec<String> {
    let mut out: Vec<String> = [
        // numbers
        "0",
        "-0",
        "-0.0",
        "0.0",
        "1e400",
        "-1e400",
        "1e-400",
        "-1e-400",
        "18446744073709551615",
        "18446744073709551616",
        "-18446744073709551615",
        "-18446744073709551616",
        "-9223372036854775808",
        "-9223372036854775809",
        "9223372036854775807",
        "9223372036854775808",
        "1.0",
        "0.1e1",
        "01",
        "-01",
        "1.",
        ".1",
        "-",
        "1e",
        "1e+",
        "1e-",
        "1E5",
        "1e+5",
        "1e-5",
        "1.5e308",
        "1.7976931348623157e308",
        "1.7976931348623159e308",
        "-1.7976931348623159e308",
        "4.9e-324",
        "2.4e-324",
        "2.5e-324",
        "0e0",
        "0e99999999999",
        "1e99999999999",
        "1e-99999999999",
        "-1e99999999999",
        "0.000e99999999999",
        "1e2147483647",
        "1e2147483648",
        "1e-2147483648",
        "0.1e2147483647",
        "123456789012345678901234567890",
        "1234567890123456789012345678901234567890e-20",
        "0.000000000000000000000000000001234567890123456789012345",
        "1.2345678901234567890123",
        "9007199254740993",
        "9007199254740993.0",
        "1.0432433495840881e210",
        "2.2250738585072011e-308",
        "2.2250738585072012e-308",
        "1e-22",
        "1e22",
        "1e23",
        "-",
        "--1",
        "+1",
        "0x10",
        "1e5.5",
        "1.5.5",
        "00",
        "0-",
        "-a",
        "1ee5",
        "1e+-5",
        "[1e]",
        "[1.]",
        "[-]",
        "{\"a\":-}",
        "1".repeat(400).as_str(),
        &format!("0.{}1", "0".repeat(400)),
        &format!("1{}e-400", "0".repeat(300)),
        // literals
        "null",
        "true",
        "false",
        "nul",
        "nulll",
        "tru",
        "True",
        "fals",
        "falsy",
        "n",
        "t",
        "f",
        "nan",
        "NaN",
        "Infinity",
        "-Infinity",
        "undefined",
        // strings
        r#""""#,
        r#""a""#,
        r#""\"\\\/\b\f\n\r\t""#,
        r#""\u0041\u00e9\u20AC""#,
        r#""\ud800""#,
        r#""\ud800\udc00""#,
        r#""\udc00""#,
        r#""\ud800x""#,
        r#""\ud800\x""#,
        r#""\ud800\u0041""#,
        r#""\ud800\ud800""#,
        r#""\uDBFF\uDFFF""#,
        r#""\u""#,
        r#""\u12""#,
        r#""\u12345""#,
        r#""\uzzzz""#,
        r#""\u00g0""#,
        r#""\x""#,
        r#""\'""#,
        r#""\""#,
        r#""\"#,
        r#""abc"#,
        "\"a\u{0}b\"",
        "\"a\u{1f}b\"",
        "\"a\nb\"",
        "\"a\tb\"",
        "\"a\u{7f}b\"",
        "\"💝\"",
        "\"\\ud83d\\udc9d\"",
        "\"\\ud83d\"",
        "\"é\\ud800\"",
        "\"\\ud800é\"",
        "\"\\ud800\\é\"",
        r#""\ud800\"#,
        r#""\ud800\u"#,
        r#""\ud800\udc"#,
        // structure
        "[]",
        "{}",
        "[1,2]",
        "[1,]",
        "[1 2]",
        "[,1]",
        "[",
        "[1",
        "[1,",
        "{",
        "{\"a\"",
        "{\"a\":",
        "{\"a\":1",
        "{\"a\":1,",
        "{\"a\":1,}",
        "{\"a\" 1}",
        "{1:1}",
        "{a:1}",
        "{\"a\":1 \"b\":2}",
        "{\"a\":1,\"a\":2}",
        "{\"a\":{\"b\":1,\"b\":2}}",
        "[{\"a\":1,\"a\":2}]",
        "{\"a\":1,,\"b\":2}",
        "[1]]",
        "[1]x",
        "{}}",
        "1 2",
        "\"a\" \"b\"",
        "[] ",
        " []",
        "\t\n\r []\t\n\r ",
        "\u{feff}[]",
        "[]\u{feff}",
        "\u{a0}[]",
        "[\u{c}]",
        "",
        " ",
        "\n",
        "\n\n  x",
        "[\n1,\n2\n,]",
        "{\n\"a\"\n:\n}",
        "[\"a\",\n\"b\"\n\"c\"]",
        "{\"\":0}",
        "{\"a\":[],\"b\":{}}",
        "[[[]]]",
        "[[[]]",
        "[]]",
        "{\"a\":1}\n",
        "{\"a\":1}\n,",
        "[1,\n]",
        "{\"a\":1,\n}",
        "{,}",
        "[,]",
        "{\"a\"::1}",
        "{\"a\":1:}",
        "[true false]",
        "[nul]",
        "[tx]",
        "{\"\\u0000\":1}",
        "{\"\\ud800\":1}",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    // nesting around serde_json's recursion limit
    for depth in [126, 127, 128, 129] {
        out.push(format!("{}{}", "[".repeat(depth), "]".repeat(depth)));
        out.push("[".repeat(depth));
        out.push(format!("{}1{}", "{\"a\":".repeat(depth), "}".repeat(depth)));
        out.push(format!("{}{{}}{}", "[{\"a\":".repeat(depth / 2), "}]".repeat(depth / 2)));
    }
    out
}

/// A small seeded generator (xorshift64*), so every run tests the same mutations.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 33) as usize % n
    }
}

/// Bytes that change the meaning of JSON text.
const INTERESTING: &[u8] = b"\"\\{}[],:0123456789-+.eEutnfl/ \t\n\r\x00\x1fxa";

/// One substitution, insertion or deletion at `at` (`None` when not UTF-8 any more).
fn mutate(text: &str, rng: &mut Rng) -> Option<String> {
    let mut bytes = text.as_bytes().to_vec();
    let at = rng.below(bytes.len() + 1);
    let byte = INTERESTING[rng.below(INTERESTING.len())];
    match rng.below(3) {
        0 if at < bytes.len() => bytes[at] = byte,
        1 if at < bytes.len() => {
            bytes.remove(at);
        }
        _ => bytes.insert(at, byte),
    }
    String::from_utf8(bytes).ok()
}

#[test]
fn fixtures_read_as_serde_json_reads_them() {
    for (name, text) in fixtures() {
        assert!(check(&text), "{name} is JSON");
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        // Every prefix of the page fixtures; of the big filter-case table, a seeded sample.
        if text.len() < 8192 {
            for end in (0..text.len()).filter(|&end| text.is_char_boundary(end)) {
                let whole = text[end..].trim().is_empty();
                assert_eq!(check(&text[..end]), whole, "{name}[..{end}]");
            }
        } else {
            for _ in 0..100 {
                let end = rng.below(text.len());
                if text.is_char_boundary(end) {
                    check(&text[..end]);
                }
            }
        }
        let mut accepted = 0;
        let mutations = if text.len() < 8192 { 3000 } else { 300 };
        for _ in 0..mutations {
            if let Some(mutant) = mutate(&text, &mut rng) {
                accepted += usize::from(check(&mutant));
            }
        }
        // The mutations reach both outcomes (a whitespace change keeps a text valid).
        assert!(accepted > 0, "{name}");
    }
}

#[test]
fn snippets_read_as_serde_json_reads_them() {
    let mut rng = Rng(42);
    let (mut ok, mut err) = (0, 0);
    for text in snippets() {
        if check(&text) {
            ok += 1;
        } else {
            err += 1;
        }
        for end in (0..text.len()).filter(|&end| text.is_char_boundary(end)) {
            check(&text[..end]);
        }
        let exhaustive = text.len() <= 64;
        for _ in 0..if exhaustive { 20 } else { 200 } {
            if let Some(mutant) = mutate(&text, &mut rng) {
                check(&mutant);
            }
        }
        if !exhaustive {
            continue;
        }
        // Every byte in INTERESTING at every position, substituted and inserted; every deletion.
        for at in 0..=text.len() {
            for &byte in INTERESTING {
                let mut bytes = text.as_bytes().to_vec();
                bytes.insert(at, byte);
                if let Ok(mutant) = String::from_utf8(bytes) {
                    check(&mutant);
                }
                if at < text.len() {
                    let mut bytes = text.as_bytes().to_vec();
                    bytes[at] = byte;
                    if let Ok(mutant) = String::from_utf8(bytes) {
                        check(&mutant);
                    }
                }
            }
            if at < text.len() {
                let mut bytes = text.as_bytes().to_vec();
                bytes.remove(at);
                if let Ok(mutant) = String::from_utf8(bytes) {
                    check(&mutant);
                }
            }
        }
    }
    assert!(ok > 50 && err > 50, "{ok} accepted, {err} refused");
}

#[test]
fn number_kinds() {
    let number = |text: &str| match from_str(text).unwrap() {
        Value::Number(n) => n,
        other => panic!("{other:?}"),
    };
    assert_eq!(number("18446744073709551615").as_u64(), Some(u64::MAX));
    assert!(number("18446744073709551616").is_f64());
    assert_eq!(number("-9223372036854775808").as_i64(), Some(i64::MIN));
    assert!(number("-9223372036854775809").is_f64());
    assert!(number("0").is_u64());
    assert!(number("-1").is_i64());
    let negative_zero = number("-0");
    assert!(negative_zero.is_f64());
    assert_eq!(negative_zero.as_f64().map(f64::to_bits), Some((-0.0f64).to_bits()));
    assert!(number("1.0").is_f64());
    assert_eq!(number("1e-400").as_f64(), Some(0.0));
    assert_eq!(number("0.1e1").as_f64(), Some(1.0));
    // Correctly rounded (one ulp off with serde_json's default, non-roundtrip parser).
    assert_eq!(number("1.0432433495840881e210").as_f64(), Some(1.0432433495840881e210));
}

#[test]
fn strings_and_keys() {
    let text = r#"{"a\u0041":"\ud83d\udc9d\n\/","a":1,"a":2}"#;
    let value = from_str(text).unwrap();
    assert_eq!(value["aA"], "💝\n/");
    assert_eq!(value["a"], 2);
    assert_eq!(from_str_unique_root_keys(text), None);
    assert!(from_str_unique_root_keys(r#"{"a":{"b":1,"b":2}}"#).is_some());
}

/// Each reason, with the line and column serde_json gives (written out, not computed).
#[test]
fn every_error_kind() {
    let cases: &[(&str, Reason, usize, usize)] = &[
        ("[1", Reason::EofWhileParsingList, 1, 2),
        ("{\"a\":1", Reason::EofWhileParsingObject, 1, 6),
        ("\"ab", Reason::EofWhileParsingString, 1, 3),
        ("", Reason::EofWhileParsingValue, 1, 0),
        ("[1,\n", Reason::EofWhileParsingValue, 2, 0),
        ("{\"a\" 1}", Reason::ExpectedColon, 1, 6),
        ("[1 2]", Reason::ExpectedListCommaOrEnd, 1, 4),
        ("{\"a\":1 2}", Reason::ExpectedObjectCommaOrEnd, 1, 8),
        ("nul!", Reason::ExpectedSomeIdent, 1, 4),
        ("[x]", Reason::ExpectedSomeValue, 1, 2),
        ("\"\\x\"", Reason::InvalidEscape, 1, 3),
        ("\"\\u12g4\"", Reason::InvalidEscape, 1, 7),
        ("01", Reason::InvalidNumber, 1, 2),
        ("1.x", Reason::InvalidNumber, 1, 3),
        ("1ex", Reason::InvalidNumber, 1, 3),
        ("[1e400]", Reason::NumberOutOfRange, 1, 6),
        ("1e99999999999", Reason::NumberOutOfRange, 1, 12),
        ("\"a\u{1}\"", Reason::ControlCharacterWhileParsingString, 1, 3),
        ("\"\n\"", Reason::ControlCharacterWhileParsingString, 2, 0),
        ("{1:1}", Reason::KeyMustBeAString, 1, 2),
        ("\"\\udc00\"", Reason::LoneLeadingSurrogateInHexEscape, 1, 7),
        ("\"\\ud800\\u0041\"", Reason::LoneLeadingSurrogateInHexEscape, 1, 13),
        ("[1,]", Reason::TrailingComma, 1, 4),
        ("{\"a\":1,}", Reason::TrailingComma, 1, 8),
        ("{} x", Reason::TrailingCharacters, 1, 4),
        ("\"\\ud800x\"", Reason::UnexpectedEndOfHexEscape, 1, 8),
        ("\"\\ud800\\n\"", Reason::UnexpectedEndOfHexEscape, 1, 9),
        (&"[".repeat(128), Reason::RecursionLimitExceeded, 1, 128),
    ];
    for (text, reason, line, column) in cases {
        let error = from_str(text).unwrap_err();
        assert_eq!(
            (error.reason, error.line_column(text)),
            (*reason, (*line, *column)),
            "{text:?}"
        );
        assert_eq!(error.is_eof(), reason.text().starts_with("EOF"), "{text:?}");
        check(text);
    }
    assert!(from_str(&"[".repeat(127)).unwrap_err().is_eof());
}

#[test]
fn strings_are_written_as_serde_json_writes_them() {
    let mut texts: Vec<String> =
        (0u32..0x80).filter_map(char::from_u32).map(String::from).collect();
    texts.extend(
        ["", "plain", "a\"b\\c/d\u{7f}é💝\u{2028}", "\u{0}\u{1f}\u{8}\u{c}\n\r\t x"]
            .map(String::from),
    );
    for text in texts {
        let mut out = String::from("x");
        write_string(&mut out, &text);
        assert_eq!(out[1..], serde_json::to_string(&text).unwrap(), "{text:?}");
        assert_eq!(from_str(&out[1..]).unwrap(), Value::String(text));
    }
}

/// The `json_reader` fuzz target's corpus (fuzz/corpus/json_reader/: seeds, and any input a
/// fuzz run found, added with `git add -f`), with the target's own check.
#[test]
fn the_fuzz_corpus_reads_as_serde_json_reads_it() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/fuzz/corpus/json_reader");
    let (mut ok, mut err) = (0, 0);
    for entry in std::fs::read_dir(dir).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        if check(&String::from_utf8_lossy(&bytes)) {
            ok += 1;
        } else {
            err += 1;
        }
    }
    assert!(ok > 0 && err > 0, "{ok} accepted, {err} refused");
}
