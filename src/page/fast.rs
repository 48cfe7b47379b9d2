//! The fast path of [`super::validate_referral_page`] and [`super::validate_referral`]: one
//! pass of serde_json's streaming deserializer driven by the schema tables, building no tree.
//!
//! It answers only *whether* the text is accepted. Every value goes through serde_json's
//! `deserialize_any` exactly as when building a `Value` (same number parsing, string escapes,
//! recursion limit of 128, trailing-character check), and each known property is checked as
//! the `Value` walk checks it, so this path never accepts a text that the `Value` path rejects.
//! It may reject more (a lone surrogate escape, a bad first occurrence of a duplicate key):
//! on any rejection the caller re-runs the `Value` path, which produces the exact error (and
//! accepts if it should), so errors keep their documented path, message and order.

use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

use super::{is_decimal, CONTEXT, COUNT, MAX_SAFE_INTEGER, MAX_SCHEMA_DEPTH, NEXT_LINK};
use crate::datetime::DateTimeOffset;
use crate::schema::{ComplexType, Kind, REFERRAL};

/// Whether [`super::check_page`] would accept the parsed text.
pub(super) fn page_ok(json: &str) -> bool {
    run(json, Mode::Page, 0)
}

/// Whether `check_referral_body` would accept the parsed text.
pub(super) fn referral_ok(json: &str) -> bool {
    run(json, Mode::Object { ty: &REFERRAL, context: true }, 0)
}

fn run(json: &str, mode: Mode, depth: usize) -> bool {
    let mut de = serde_json::Deserializer::from_str(json);
    Seed { mode, depth, null_ok: false }.deserialize(&mut de).is_ok() && de.end().is_ok()
}

/// The rejection: its text is never shown (the `Value` path makes the real error).
fn reject<E: de::Error>() -> E {
    E::custom("rejected")
}

/// What a value must be. One seed type for every position (not one type per position) so
/// that serde_json's `deserialize_any` is instantiated once: each instance adds several KiB
/// to the wasm.
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
    /// Any JSON value (unknown properties, `Kind::Json`), parsed as a `Value` would be
    /// (numbers, escapes, recursion limit) but kept nowhere. Not `serde::de::IgnoredAny`:
    /// serde_json skips that without the recursion limit or the number range check, so it
    /// would accept texts that the `Value` path rejects.
    Skip,
    /// An object checked against `ty` (the `Value` walk's `object`); `context`: also check
    /// `@odata.context` (the root of a GET-by-id body).
    Object { ty: &'static ComplexType, context: bool },
    /// A value of a scalar kind or a collection.
    Value(&'static Kind),
}

/// `depth` is the length of the value's JSON pointer, as in the `Value` walk; `null_ok`:
/// a known property (`null` accepted) rather than a collection or `value` element.
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

    fn accept<E: de::Error>(ok: bool) -> Result<(), E> {
        if ok {
            Ok(())
        } else {
            Err(reject())
        }
    }

    fn integer<E: de::Error>(self, non_negative: Option<u64>) -> Result<(), E> {
        Self::accept(match self.mode {
            Mode::Skip | Mode::Value(Kind::Decimal) => true,
            // A `Value` holds a non-negative integer as a u64.
            Mode::Count => non_negative.is_some_and(|n| n <= MAX_SAFE_INTEGER),
            _ => false,
        })
    }
}

impl<'de> DeserializeSeed<'de> for Seed {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Seed {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a value of the schema's type")
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Self::accept(match self.mode {
            Mode::Count | Mode::OptionalString | Mode::Skip => true,
            Mode::Object { .. } | Mode::Value(_) => self.null_ok,
            Mode::Page | Mode::Referrals => false,
        })
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        Self::accept(matches!(self.mode, Mode::Skip | Mode::Value(Kind::Boolean)))
    }

    fn visit_i64<E: de::Error>(self, n: i64) -> Result<(), E> {
        self.integer(u64::try_from(n).ok())
    }

    fn visit_u64<E: de::Error>(self, n: u64) -> Result<(), E> {
        self.integer(Some(n))
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        Self::accept(matches!(self.mode, Mode::Skip | Mode::Value(Kind::Decimal)))
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<(), E> {
        Self::accept(match self.mode {
            Mode::Skip | Mode::OptionalString => true,
            Mode::Value(Kind::String | Kind::Guid | Kind::Enum(_)) => true,
            Mode::Value(Kind::DateTimeOffset) => DateTimeOffset::parse(text).is_ok(),
            Mode::Value(Kind::Decimal) => is_decimal(text),
            _ => false,
        })
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let element = match self.mode {
            Mode::Skip => Seed::SKIP,
            // Path `/value/N`: two segments.
            Mode::Referrals => Seed {
                mode: Mode::Object { ty: &REFERRAL, context: false },
                depth: 2,
                null_ok: false,
            },
            Mode::Value(Kind::Collection(element)) if self.depth <= MAX_SCHEMA_DEPTH => {
                Seed::kind(element, self.depth + 1, false)
            }
            _ => return Err(reject()),
        };
        while seq.next_element_seed(element)?.is_some() {}
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        match self.mode {
            Mode::Page | Mode::Skip => {}
            Mode::Object { .. } if self.depth <= MAX_SCHEMA_DEPTH => {}
            _ => return Err(reject()),
        }
        let mut has_value = false;
        while let Some(seed) = map.next_key_seed(Key(self))? {
            has_value |= matches!(seed.mode, Mode::Referrals);
            map.next_value_seed(seed)?;
        }
        Self::accept(has_value || !matches!(self.mode, Mode::Page))
    }
}

/// A key of the object `0` describes; gives the seed for its value.
struct Key(Seed);

impl<'de> DeserializeSeed<'de> for Key {
    type Value = Seed;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Seed, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Key {
    type Value = Seed;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a key")
    }

    fn visit_str<E: de::Error>(self, key: &str) -> Result<Seed, E> {
        let Key(object) = self;
        Ok(match object.mode {
            Mode::Page => Seed::of(match key {
                "value" => Mode::Referrals,
                COUNT => Mode::Count,
                NEXT_LINK | CONTEXT => Mode::OptionalString,
                _ => Mode::Skip,
            }),
            Mode::Object { ty, context } => match ty.property(key) {
                // A known `@odata.context` would need both checks; the schema has none, so
                // leave that case to the `Value` path.
                Some(_) if context && key == CONTEXT => return Err(reject()),
                Some(property) => Seed::kind(&property.kind, object.depth + 1, true),
                None if context && key == CONTEXT => Seed::of(Mode::OptionalString),
                None => Seed::SKIP,
            },
            _ => Seed::SKIP,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::{check_page, check_referral_body, parse};
    use super::*;

    const SEED: &str = include_str!("../../tests/fixtures/seed-page.json");
    const UNKNOWN: &str = include_str!("../../tests/fixtures/unknown-fields-page.json");

    /// The fast answer, after checking that it never accepts what the `Value` path rejects.
    #[track_caller]
    fn fast(text: &str) -> bool {
        let slow = parse(text).and_then(|root| check_page(&root)).is_ok();
        let fast = page_ok(text);
        assert!(!fast || slow, "fast path accepted what the Value path rejects: {text}");
        fast
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
