//! JSON text → `serde_json::Value` for the cold paths: server error bodies, sync tokens, escaped
//! `@odata.nextLink` strings and the exact error of a page the fast validator refuses.
//!
//! One job: put serde_json's reader behind the two call shapes the crate uses, so the callers
//! do not depend on how the reader is configured. Valid pages never come here; they are
//! validated by `page::fast`, the crate's one hand-written scanner.

use serde::de::{Deserialize, Deserializer, Error as _, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

/// Reads `text` as one JSON value (serde_json: recursion limit 128, a repeated key keeps the
/// last value).
///
/// # Errors
/// serde_json's error: its message, line and column, and whether the text ended too early.
pub(crate) fn from_str(text: &str) -> serde_json::Result<Value> {
    serde_json::from_str(text)
}

/// What kind of JSON value `value` is, as an error message says it ("a string", "null").
pub(crate) fn kind_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// The root of `text` if it is an array, or an object that repeats no key (as a
/// `#[derive(Deserialize)]` struct refuses a duplicate field); `None` for anything else.
pub(crate) fn from_str_unique_root_keys(text: &str) -> Option<Value> {
    serde_json::from_str::<UniqueRootKeys>(text).ok().map(|root| root.0)
}

/// A root array, or a root object read entry by entry so that a repeated key is seen (a
/// `Value` map would keep the last one). Its values are read as `Value`s, so no second
/// reader is compiled for them, and every other root is refused with one fixed message: serde's
/// default refusals print the value, and printing a float would link float formatting into the
/// wasm.
struct UniqueRootKeys(Value);

/// The refusal of a root that is neither an array nor an object.
fn not_a_container<E: serde::de::Error>() -> E {
    E::custom("expected an array or an object")
}

impl<'de> Deserialize<'de> for UniqueRootKeys {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Root;
        impl<'de> Visitor<'de> for Root {
            type Value = UniqueRootKeys;

            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an array or an object without repeated keys")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut entries: A) -> Result<Self::Value, A::Error> {
                let mut map = Map::new();
                while let Some(key) = entries.next_key::<String>()? {
                    let value = entries.next_value::<Value>()?;
                    if map.contains_key(&key) {
                        return Err(A::Error::custom("repeated key"));
                    }
                    map.insert(key, value);
                }
                Ok(UniqueRootKeys(Value::Object(map)))
            }

            fn visit_bool<E: serde::de::Error>(self, _: bool) -> Result<Self::Value, E> {
                Err(not_a_container())
            }

            fn visit_i64<E: serde::de::Error>(self, _: i64) -> Result<Self::Value, E> {
                Err(not_a_container())
            }

            fn visit_u64<E: serde::de::Error>(self, _: u64) -> Result<Self::Value, E> {
                Err(not_a_container())
            }

            fn visit_f64<E: serde::de::Error>(self, _: f64) -> Result<Self::Value, E> {
                Err(not_a_container())
            }

            fn visit_str<E: serde::de::Error>(self, _: &str) -> Result<Self::Value, E> {
                Err(not_a_container())
            }

            fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
                Err(not_a_container())
            }

            fn visit_seq<A: SeqAccess<'de>>(self, mut items: A) -> Result<Self::Value, A::Error> {
                let mut list = Vec::new();
                while let Some(item) = items.next_element::<Value>()? {
                    list.push(item);
                }
                Ok(UniqueRootKeys(Value::Array(list)))
            }
        }
        deserializer.deserialize_any(Root)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_repeated_root_key_is_refused_only_where_asked() {
        let text = r#"{"v": 1, "v": 2}"#;
        assert_eq!(from_str(text).unwrap()["v"], 2);
        assert_eq!(from_str_unique_root_keys(text), None);
        let unique = from_str_unique_root_keys(r#"{"v": 1, "seen": [{"a": 1, "a": 2}]}"#);
        assert_eq!(unique.unwrap()["seen"][0]["a"], 2, "only the root's keys count");
        assert_eq!(from_str_unique_root_keys("[1, null]").unwrap()[0], 1);
        assert_eq!(from_str_unique_root_keys(r#""x""#), None, "neither array nor object");
        assert_eq!(from_str_unique_root_keys("{"), None);
    }

    #[test]
    fn errors_keep_serde_json_positions() {
        let e = from_str("{\n  \"a\": x}").unwrap_err();
        assert_eq!((e.line(), e.column(), e.is_eof()), (2, 8, false));
        assert!(from_str("[1,").unwrap_err().is_eof());
    }
}
