//! The reader against serde_json itself: one input, both readers, and a panic naming the input
//! when they part ways. Shared by the unit tests (src/json/tests.rs) and the `json_reader`
//! fuzz target (through `crate::fuzzing`, built only with `--cfg fuzzing`), so the two check
//! the same thing. Never in a normal build.

use std::collections::HashSet;
use std::fmt;

use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde_json::Value;

use super::{from_str, from_str_unique_root_keys};

/// serde_json's answer in the reader's terms: the value, or (reason text, line, column).
pub(crate) fn serde(text: &str) -> Result<Value, (String, usize, usize)> {
    serde_json::from_str::<Value>(text).map_err(|e| {
        let full = e.to_string();
        let suffix = format!(" at line {} column {}", e.line(), e.column());
        let reason = full.strip_suffix(&suffix).unwrap_or(&full).to_string();
        (reason, e.line(), e.column())
    })
}

/// The reader's answer: the value, or (reason text, line, column).
pub(crate) fn ours(text: &str) -> Result<Value, (String, usize, usize)> {
    from_str(text).map_err(|e| {
        let (line, column) = e.line_column(text);
        (e.reason.text().to_string(), line, column)
    })
}

/// Equal as values AND as number kinds (`1` u64 vs `1.0` f64 vs `-0.0`), keys in order.
pub(crate) fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            (x.is_u64(), x.is_i64(), x.is_f64()) == (y.is_u64(), y.is_i64(), y.is_f64())
                && x.as_u64() == y.as_u64()
                && x.as_i64() == y.as_i64()
                && x.as_f64().map(f64::to_bits) == y.as_f64().map(f64::to_bits)
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same(a, b))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|((ka, a), (kb, b))| ka == kb && same(a, b))
        }
        _ => a == b,
    }
}

/// Whether a root object repeats a key, as serde_json reads it (keys unescaped); only for a
/// text whose root serde_json reads as an object.
struct RootKeyRepeated(bool);

impl<'de> Deserialize<'de> for RootKeyRepeated {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Keys;
        impl<'de> Visitor<'de> for Keys {
            type Value = RootKeyRepeated;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut keys = HashSet::new();
                let mut repeated = false;
                while let Some(key) = map.next_key::<String>()? {
                    map.next_value::<Value>()?;
                    repeated |= !keys.insert(key);
                }
                Ok(RootKeyRepeated(repeated))
            }
        }
        deserializer.deserialize_map(Keys)
    }
}

/// Panics with the input when the two readers disagree (value, number kinds and float bits;
/// or reason, line and column), or when [`from_str_unique_root_keys`] is not `Some` exactly
/// when serde_json reads the text and its root is not an object with a repeated key.
/// Returns whether serde_json accepted the text.
pub(crate) fn check(text: &str) -> bool {
    let (expected, actual) = (serde(text), ours(text));
    match (&expected, &actual) {
        (Ok(a), Ok(b)) if same(a, b) => {}
        (Err(a), Err(b)) if a == b => {}
        _ => panic!("{text:?}\n serde_json: {expected:?}\n json.rs:    {actual:?}"),
    }
    let repeated = match &expected {
        Ok(Value::Object(_)) => match serde_json::from_str::<RootKeyRepeated>(text) {
            Ok(RootKeyRepeated(repeated)) => repeated,
            Err(e) => panic!("{text:?}: serde_json reads a Value but not its keys: {e}"),
        },
        _ => false,
    };
    match (&expected, from_str_unique_root_keys(text)) {
        (Ok(a), Some(b)) if !repeated => assert!(same(a, &b), "{text:?}"),
        (Ok(_), None) if repeated => {}
        (Err(_), None) => {}
        (_, unique) => panic!(
            "{text:?}: from_str_unique_root_keys gives {unique:?}, serde_json {expected:?} \
             (a root key repeated: {repeated})"
        ),
    }
    expected.is_ok()
}
