//! Records read by path: what `$filter` evaluation ([`crate::query::eval`]) and
//! [`crate::model::respond_by_value`] need from a referral given as JSON.
//!
//! Both read only the few properties a filter or a deadline names, so they go through this
//! small accessor instead of a parsed tree. In Rust the record is a `serde_json::Value`; the
//! wasm boundary implements the same trait over the JavaScript object itself (after
//! `JSON.stringify` semantics, see `src/wasm/convert.rs`), so the wasm needs no JSON parser
//! for `matchesFilter`/`respondBy`. Imports only `serde_json`.

use std::borrow::Cow;

use serde_json::Value;

/// What a JSON value is, as evaluation reads it: its scalar, or that it is an array or object.
#[derive(Debug, Clone, PartialEq)]
pub enum Scalar<'a> {
    /// `null` (also a number that has no `f64` value).
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number, as the nearest `f64` (what `JSON.parse` gives).
    Number(f64),
    /// A string.
    String(Cow<'a, str>),
    /// An array or an object (read with [`JsonNode::member`]/[`JsonNode::elements`]).
    Composite,
}

/// One JSON value of a record, read lazily.
pub trait JsonNode<'a>: Clone {
    /// The member `key` of an object; `None` when this is not an object or has no such own
    /// member.
    fn member(&self, key: &str) -> Option<Self>;
    /// The elements of an array; empty when this is not an array.
    fn elements(&self) -> Vec<Self>;
    /// The scalar, or [`Scalar::Composite`] for an array or object.
    fn scalar(&self) -> Scalar<'a>;
}

/// A record (a referral as JSON) that evaluation can read: hands out its root node.
pub trait Record {
    /// The node type, borrowing from the record for `'n`.
    type Node<'n>: JsonNode<'n>
    where
        Self: 'n;
    /// The root value.
    fn root(&self) -> Self::Node<'_>;
}

/// A reference reads as what it points to (so `&&Value` works where `&Value` did).
impl<R: Record + ?Sized> Record for &R {
    type Node<'n>
        = R::Node<'n>
    where
        Self: 'n;

    fn root(&self) -> R::Node<'_> {
        (**self).root()
    }
}

impl Record for Value {
    type Node<'n> = &'n Value;

    fn root(&self) -> &Value {
        self
    }
}

impl<'a> JsonNode<'a> for &'a Value {
    fn member(&self, key: &str) -> Option<Self> {
        self.as_object()?.get(key)
    }

    fn elements(&self) -> Vec<Self> {
        self.as_array().map(|items| items.iter().collect()).unwrap_or_default()
    }

    fn scalar(&self) -> Scalar<'a> {
        match self {
            Value::Null => Scalar::Null,
            Value::Bool(b) => Scalar::Bool(*b),
            Value::Number(n) => n.as_f64().map_or(Scalar::Null, Scalar::Number),
            Value::String(s) => Scalar::String(Cow::Borrowed(s)),
            Value::Array(_) | Value::Object(_) => Scalar::Composite,
        }
    }
}
