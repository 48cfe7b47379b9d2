//! An ordered set of strings stored in serde_json's `Map` (a `BTreeMap<String, Value>`, every
//! value `null`).
//!
//! One job: give the sync state (ids at the watermark) and the page cursor (URLs already
//! requested) an ordered set without a second B-tree instance in the wasm: serde_json's
//! objects already link `BTreeMap<String, Value>`'s code, and a `BTreeSet<String>` would add its
//! own insert, lookup and drop (about 1 KiB of gzip).

use std::fmt;

use serde_json::{Map, Value};

/// An ordered set of strings.
#[derive(Clone, Default, PartialEq, Eq)]
pub(crate) struct StringSet(Map<String, Value>);

impl StringSet {
    /// Adds `s`; `false` if it was there already.
    pub(crate) fn insert(&mut self, s: String) -> bool {
        self.0.insert(s, Value::Null).is_none()
    }

    /// Whether `s` is in the set.
    pub(crate) fn contains(&self, s: &str) -> bool {
        self.0.contains_key(s)
    }

    /// The strings, in order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = &String> {
        self.0.keys()
    }

    /// Empties the set.
    pub(crate) fn clear(&mut self) {
        self.0.clear();
    }
}

impl fmt::Debug for StringSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::StringSet;

    #[test]
    fn keeps_each_string_once_in_order() {
        let mut set = StringSet::default();
        assert!(set.insert("b".into()));
        assert!(set.insert("a".into()));
        assert!(!set.insert("b".into()));
        assert!(set.contains("a") && !set.contains("c"));
        assert_eq!(set.iter().map(String::as_str).collect::<Vec<_>>(), ["a", "b"]);
        assert_eq!(format!("{set:?}"), r#"{"a", "b"}"#);
        set.clear();
        assert_eq!(set.iter().count(), 0);
    }
}
