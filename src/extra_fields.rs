//! Fields a caller declares because this version of the schema does not know them yet.
//!
//! One job: turn a list of `path → type` declarations into a referral type that has them, so
//! that the filter checker, the evaluator, the tagged template and `$select` use them exactly
//! like documented fields (and keep every other check: a typo of a known name is still an
//! unknown property with "did you mean"). Imports `schema` and `error` only.
//!
//! The schema is `static` tables (`Kind::Complex(&'static ComplexType)`), shared by the
//! checker, evaluator and decoder without a lifetime. A declaration set is therefore turned
//! into `'static` tables once and **interned**: the same set (whatever its order) gives the
//! same `&'static ComplexType` for the life of the process, and at most
//! [`MAX_DECLARATION_SETS`] different sets are accepted, so the memory they hold is bounded
//! (a few hundred bytes per declared field). Only the types on the path to a declared field
//! are copied; every other type stays the documented static.

use std::fmt;
use std::sync::Mutex;

use crate::error::{Error, Result};
use crate::platform;
use crate::schema::{suggest, ComplexType, EnumType, Kind, Property, REFERRAL};

/// How many different declaration sets one process may intern (each is kept for the life of
/// the process). Declaring once per client, or a handful of per-call sets, stays far below it.
pub const MAX_DECLARATION_SETS: usize = 64;

/// How many fields one set may declare.
pub const MAX_FIELDS: usize = 256;

/// How many segments a declared path may have (`trackingInfo/microsoftMsxId` has two).
pub const MAX_PATH_SEGMENTS: usize = 8;

/// How many members a declared enum may have.
pub const MAX_ENUM_MEMBERS: usize = 1024;

/// The longest segment or enum member accepted, in bytes.
const MAX_NAME_LEN: usize = 128;

/// The type of a declared field, as JavaScript names it (`"boolean"`, `{ enum: [...] }`, ...).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum FieldType {
    /// `"string"`: `Edm.String`.
    String,
    /// `"boolean"`: `Edm.Boolean`.
    Boolean,
    /// `"number"`: `Edm.Double`, `Edm.Int32`, `Edm.Decimal`… (a JSON number; a decimal string
    /// is read as its number, like `details.dealValue`).
    Number,
    /// `"dateTimeOffset"`: an ISO 8601 date-time string.
    DateTimeOffset,
    /// `"date"`: an ISO 8601 date string (`2026-11-15`).
    Date,
    /// `"guid"`: a GUID string, compared case-insensitively.
    Guid,
    /// `{ enum: [...] }`: a string with these members (open on the wire, closed in filters,
    /// like the documented enums).
    Enum(Vec<String>),
    /// `{ collection: T }`: an array of `T` (a primitive or an enum), filtered with
    /// `any`/`all`.
    Collection(Box<FieldType>),
}

impl FieldType {
    /// The primitive type names, as JavaScript spells them.
    pub const PRIMITIVES: &'static [&'static str] =
        &["string", "boolean", "number", "dateTimeOffset", "date", "guid"];

    /// The primitive type called `name`.
    ///
    /// # Errors
    /// `InvalidExtraFields` naming `path`, with the closest type name.
    pub fn primitive(path: &str, name: &str) -> Result<FieldType> {
        Ok(match name {
            "string" => FieldType::String,
            "boolean" => FieldType::Boolean,
            "number" => FieldType::Number,
            "dateTimeOffset" => FieldType::DateTimeOffset,
            "date" => FieldType::Date,
            "guid" => FieldType::Guid,
            _ => {
                // Other languages' names for the same types, for the hint only: one spelling
                // is accepted.
                const ALIASES: &[(&str, &str)] = &[
                    ("bool", "boolean"),
                    ("int", "number"),
                    ("integer", "number"),
                    ("double", "number"),
                    ("float", "number"),
                    ("decimal", "number"),
                    ("datetime", "dateTimeOffset"),
                    ("uuid", "guid"),
                    ("enum", "{ enum: [...] }"),
                ];
                let alias = ALIASES.iter().find(|(a, _)| a.eq_ignore_ascii_case(name));
                let close = suggest(name, Self::PRIMITIVES.iter().copied());
                let hint = match alias.map(|(_, to)| *to).or(close) {
                    Some(s) => format!(" (did you mean `{s}`?)"),
                    None => String::new(),
                };
                return Err(invalid(
                    path,
                    format!(
                        "`{name}` is not a field type{hint}; use one of {}, {{ enum: [...] }} or {{ collection: ... }}",
                        Self::PRIMITIVES.join(", ")
                    ),
                ));
            }
        })
    }

    /// The schema kind of a field of this type (`name` names a declared enum in messages).
    fn kind(&self, name: &str) -> Kind {
        match self {
            FieldType::String => Kind::String,
            FieldType::Boolean => Kind::Boolean,
            FieldType::Number => Kind::Decimal,
            FieldType::DateTimeOffset => Kind::DateTimeOffset,
            FieldType::Date => Kind::Date,
            FieldType::Guid => Kind::Guid,
            FieldType::Enum(members) => {
                let members: Vec<&'static str> = members.iter().map(|m| leak_str(m)).collect();
                Kind::Enum(Box::leak(Box::new(EnumType {
                    name: leak_str(name),
                    members: Box::leak(members.into_boxed_slice()),
                })))
            }
            FieldType::Collection(element) => {
                Kind::Collection(Box::leak(Box::new(element.kind(name))))
            }
        }
    }

    /// Whether a field of this type reads exactly like a documented property of `kind`.
    fn same_as(&self, kind: &Kind) -> bool {
        match (self, kind) {
            (FieldType::String, Kind::String)
            | (FieldType::Boolean, Kind::Boolean)
            | (FieldType::Number, Kind::Decimal)
            | (FieldType::DateTimeOffset, Kind::DateTimeOffset)
            | (FieldType::Date, Kind::Date)
            | (FieldType::Guid, Kind::Guid) => true,
            (FieldType::Enum(members), Kind::Enum(e)) => {
                members.len() == e.members.len() && members.iter().all(|m| e.contains(m))
            }
            (FieldType::Collection(a), Kind::Collection(b)) => a.same_as(b),
            _ => false,
        }
    }

    /// How messages name the type.
    fn describe(&self) -> String {
        match self {
            FieldType::String => "String".into(),
            FieldType::Boolean => "Boolean".into(),
            FieldType::Number => "number".into(),
            FieldType::DateTimeOffset => "DateTimeOffset".into(),
            FieldType::Date => "Date".into(),
            FieldType::Guid => "Guid".into(),
            FieldType::Enum(members) => format!("enum ({})", members.join(", ")),
            FieldType::Collection(element) => format!("Collection({})", element.describe()),
        }
    }
}

/// Fields declared by the caller: `path → type`, checked when declared.
///
/// ```
/// use partner_referrals::extra_fields::{ExtraFields, FieldType};
/// use partner_referrals::query::Filter;
///
/// let mut extra = ExtraFields::new();
/// extra.declare("isSpam", FieldType::Boolean).unwrap();
/// extra.declare("details/incentiveLevel", FieldType::Enum(vec!["Low".into(), "High".into()])).unwrap();
/// let schema = extra.schema().unwrap();
/// let f = Filter::parse_in("isSpam eq false and details/incentiveLevel eq 'High'", schema).unwrap();
/// let referral = serde_json::json!({"isSpam": false, "details": {"incentiveLevel": "High"}});
/// assert!(f.matches(&referral, partner_referrals::datetime::DateTimeOffset::from_unix_millis(0)));
/// // Every other check stays: a typo of a known field is still refused, with a suggestion.
/// let err = Filter::parse_in("isSpam eq false and stauts eq 'New'", schema).unwrap_err();
/// assert_eq!(err.to_string(), "unknown property `stauts` on Referral (did you mean `status`?) at position 20");
/// // A declaration may not change the type of a documented field.
/// assert_eq!(extra.declare("favorite", FieldType::String).unwrap_err().code().as_str(), "InvalidExtraFields");
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExtraFields {
    /// Ordered by path, so that the same set declared in any order is one interned schema.
    fields: Fields,
}

/// Declarations ordered by path: a sorted `Vec` with the few `BTreeMap` methods this module
/// uses (at most [`MAX_FIELDS`] entries, and one B-tree instance less in the wasm).
#[derive(Clone, Default, PartialEq, Eq)]
struct Fields(Vec<(String, FieldType)>);

impl Fields {
    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    fn len(&self) -> usize {
        self.0.len()
    }

    fn iter(&self) -> impl Iterator<Item = (&String, &FieldType)> {
        self.0.iter().map(|(path, ty)| (path, ty))
    }

    fn keys(&self) -> impl Iterator<Item = &String> {
        self.0.iter().map(|(path, _)| path)
    }

    fn find(&self, path: &str) -> std::result::Result<usize, usize> {
        self.0.binary_search_by(|(p, _)| p.as_str().cmp(path))
    }

    fn get(&self, path: &str) -> Option<&FieldType> {
        self.find(path).ok().map(|i| &self.0[i].1)
    }

    fn contains_key(&self, path: &str) -> bool {
        self.find(path).is_ok()
    }

    fn insert(&mut self, path: String, ty: FieldType) {
        match self.find(&path) {
            Ok(i) => self.0[i].1 = ty,
            Err(i) => self.0.insert(i, (path, ty)),
        }
    }
}

impl fmt::Debug for Fields {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

/// The interned schemas: each declaration set and the referral type made for it.
static INTERNED: Mutex<Vec<(ExtraFields, &'static ComplexType)>> = Mutex::new(Vec::new());

fn invalid(path: &str, reason: String) -> Error {
    Error::InvalidExtraField { path: path.into(), reason }
}

fn leak_str(s: &str) -> &'static str {
    Box::leak(s.to_owned().into_boxed_str())
}

/// An OData identifier as the filter lexer reads one: a letter or `_`, then letters, digits and
/// `_`.
fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| platform::is_alphabetic(c) || c == '_')
        && chars.all(|c| platform::is_alphanumeric(c) || c == '_')
}

impl ExtraFields {
    /// No declared fields (its [`schema`](Self::schema) is the documented referral type).
    pub fn new() -> ExtraFields {
        ExtraFields::default()
    }

    /// Whether nothing is declared.
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }

    /// The declarations, ordered by path.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &FieldType)> {
        self.fields.iter().map(|(path, ty)| (path.as_str(), ty))
    }

    /// Declares `path` (`isSpam`, `details/incentiveLevel`, `customerProfile/team/title`: a
    /// step into a collection of objects names its elements' property) with type `ty`.
    /// Declaring a documented field with its own type is allowed and changes nothing;
    /// declaring the same path again replaces the earlier type.
    ///
    /// # Errors
    /// `InvalidExtraFields` (nothing is declared then) when the path is not `/`-separated
    /// OData identifiers (at most [`MAX_PATH_SEGMENTS`]), when it names a documented field
    /// with a different type or goes below a documented field that has no properties, when it
    /// makes one path both a value and an object (`trackingInfo` and
    /// `trackingInfo/microsoftMsxId`), for an enum with no, duplicate or too many members, a
    /// collection of collections, or past [`MAX_FIELDS`] declarations.
    pub fn declare(&mut self, path: &str, ty: FieldType) -> Result<()> {
        let segments: Vec<&str> = path.split('/').collect();
        if segments.len() > MAX_PATH_SEGMENTS {
            return Err(invalid(path, format!("has more than {MAX_PATH_SEGMENTS} segments")));
        }
        if let Some(bad) = segments.iter().find(|s| !is_identifier(s) || s.len() > MAX_NAME_LEN) {
            return Err(invalid(
                path,
                format!(
                    "`{bad}` is not a property name (letters, digits and `_`, not starting with a digit, at most {MAX_NAME_LEN} bytes; `/` separates the segments of a path)"
                ),
            ));
        }
        check_type(path, &ty, false)?;
        // Against the documented schema: walk the known part of the path.
        let mut ty_here: &'static ComplexType = &REFERRAL;
        for (i, segment) in segments.iter().enumerate() {
            let Some(property) = ty_here.property(segment) else { break };
            let known = segments[..=i].join("/");
            if i + 1 == segments.len() {
                if ty.same_as(&property.kind) {
                    return Ok(());
                }
                return Err(invalid(
                    path,
                    format!(
                        "`{known}` is a documented {} property and cannot be declared as {}",
                        property.kind.name(),
                        ty.describe()
                    ),
                ));
            }
            let mut kind = &property.kind;
            while let Kind::Collection(element) = kind {
                kind = element;
            }
            match kind {
                Kind::Complex(inner) => ty_here = inner,
                other => {
                    return Err(invalid(
                        path,
                        format!("`{known}` is a documented {} and has no properties", other.name()),
                    ))
                }
            }
        }
        // Against the other declarations: a path is a value or an object, never both.
        for other in self.fields.keys().filter(|other| *other != path) {
            let (short, long) = if other.len() < path.len() {
                (other.as_str(), path)
            } else {
                (path, other.as_str())
            };
            if long.strip_prefix(short).is_some_and(|rest| rest.starts_with('/')) {
                return Err(invalid(
                    path,
                    format!(
                        "`{short}` cannot be both a declared field and the object holding `{long}`"
                    ),
                ));
            }
        }
        if !self.fields.contains_key(path) && self.fields.len() == MAX_FIELDS {
            return Err(invalid(path, format!("more than {MAX_FIELDS} fields declared")));
        }
        self.fields.insert(path.to_owned(), ty);
        Ok(())
    }

    /// These declarations with `over`'s on top (a path in both takes `over`'s type): a
    /// client's declarations merged with one call's.
    ///
    /// # Errors
    /// As [`declare`](Self::declare), e.g. when `over` declares `trackingInfo` and `self`
    /// `trackingInfo/microsoftMsxId`.
    pub fn merged(&self, over: &ExtraFields) -> Result<ExtraFields> {
        if over.is_empty() {
            return Ok(self.clone());
        }
        let mut out = ExtraFields { fields: Fields::default() };
        for (path, ty) in self.fields.iter().filter(|(path, _)| !over.fields.contains_key(path)) {
            out.fields.insert(path.clone(), ty.clone());
        }
        for (path, ty) in over.fields.iter() {
            out.declare(path, ty.clone())?;
        }
        Ok(out)
    }

    /// The referral type with these fields: [`REFERRAL`] itself when nothing is declared, else
    /// the interned type of this set (built on first use).
    ///
    /// # Errors
    /// `InvalidExtraFields` when this would be the process's
    /// [`MAX_DECLARATION_SETS`]` + 1`-th different set.
    pub fn schema(&self) -> Result<&'static ComplexType> {
        if self.fields.is_empty() {
            return Ok(&REFERRAL);
        }
        let mut interned = INTERNED.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some((_, schema)) = interned.iter().find(|(set, _)| set == self) {
            return Ok(schema);
        }
        if interned.len() == MAX_DECLARATION_SETS {
            return Err(invalid(
                "",
                format!(
                    "more than {MAX_DECLARATION_SETS} different sets of extra fields in one process; declare them once (e.g. per client) and reuse them"
                ),
            ));
        }
        let schema = extend(&REFERRAL, "", &self.fields);
        interned.push((self.clone(), schema));
        Ok(schema)
    }
}

fn check_type(path: &str, ty: &FieldType, in_collection: bool) -> Result<()> {
    match ty {
        FieldType::Enum(members) => {
            if members.is_empty() || members.len() > MAX_ENUM_MEMBERS {
                return Err(invalid(
                    path,
                    format!("an enum needs 1 to {MAX_ENUM_MEMBERS} members"),
                ));
            }
            for (i, member) in members.iter().enumerate() {
                if member.is_empty() || member.len() > MAX_NAME_LEN {
                    return Err(invalid(
                        path,
                        format!("enum member `{member}` must be 1 to {MAX_NAME_LEN} bytes"),
                    ));
                }
                if members[..i].contains(member) {
                    return Err(invalid(path, format!("enum member `{member}` appears twice")));
                }
            }
            Ok(())
        }
        FieldType::Collection(_) if in_collection => {
            Err(invalid(path, "a collection of collections cannot be filtered on".into()))
        }
        FieldType::Collection(element) => check_type(path, element, true),
        _ => Ok(()),
    }
}

/// `base` (at `prefix`, `""` for the root) with the declarations below it, as a new static
/// type; `base` itself when nothing is declared below it.
fn extend(base: &'static ComplexType, prefix: &str, fields: &Fields) -> &'static ComplexType {
    let below = children(prefix, fields);
    if below.is_empty() {
        return base;
    }
    let mut properties: Vec<Property> = base.properties.to_vec();
    for property in &mut properties {
        let path = join(prefix, property.name);
        if below.contains(&property.name) {
            property.kind = extend_kind(property.kind, &path, fields);
        }
    }
    for name in below.iter().filter(|name| base.property(name).is_none()) {
        let path = join(prefix, name);
        let kind = match fields.get(&path) {
            Some(ty) => ty.kind(&path),
            None => Kind::Complex(extend(new_type(&path), &path, fields)),
        };
        properties.push(Property { name: leak_str(name), kind, read_only: false });
    }
    Box::leak(Box::new(ComplexType { name: base.name, properties: properties.leak() }))
}

/// A documented kind with the declarations below `path` (a complex type, or a collection of
/// one, has them added; any other kind cannot have declarations below it).
fn extend_kind(kind: Kind, path: &str, fields: &Fields) -> Kind {
    match kind {
        Kind::Complex(c) => Kind::Complex(extend(c, path, fields)),
        Kind::Collection(element) => {
            Kind::Collection(Box::leak(Box::new(extend_kind(*element, path, fields))))
        }
        other => other,
    }
}

/// An object type for a declared path that is not documented (`trackingInfo`), named by its
/// path in messages.
fn new_type(path: &str) -> &'static ComplexType {
    Box::leak(Box::new(ComplexType { name: leak_str(path), properties: &[] }))
}

/// The distinct first segments of the declarations below `prefix`, in order.
fn children<'f>(prefix: &str, fields: &'f Fields) -> Vec<&'f str> {
    let mut out: Vec<&str> = Vec::new();
    for path in fields.keys() {
        let rest = if prefix.is_empty() {
            Some(path.as_str())
        } else {
            path.strip_prefix(prefix).and_then(|r| r.strip_prefix('/'))
        };
        if let Some(first) = rest.and_then(|r| r.split('/').next()) {
            if !out.contains(&first) {
                out.push(first);
            }
        }
    }
    out
}

fn join(prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        name.to_owned()
    } else {
        format!("{prefix}/{name}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn declared(items: &[(&str, FieldType)]) -> Result<ExtraFields> {
        let mut extra = ExtraFields::new();
        for (path, ty) in items {
            extra.declare(path, ty.clone())?;
        }
        Ok(extra)
    }

    #[test]
    fn the_same_set_in_any_order_is_one_interned_schema() {
        let a =
            declared(&[("isSpam", FieldType::Boolean), ("quality", FieldType::Number)]).unwrap();
        let b =
            declared(&[("quality", FieldType::Number), ("isSpam", FieldType::Boolean)]).unwrap();
        assert!(std::ptr::eq(a.schema().unwrap(), b.schema().unwrap()));
        assert!(std::ptr::eq(ExtraFields::new().schema().unwrap(), &REFERRAL));
    }

    #[test]
    fn only_the_types_on_a_declared_path_are_copied() {
        let extra = declared(&[("details/incentiveLevel", FieldType::String)]).unwrap();
        let root = extra.schema().unwrap();
        assert!(!std::ptr::eq(root, &REFERRAL));
        let kind = |name: &str| root.property(name).unwrap().kind;
        assert!(
            matches!(kind("details"), Kind::Complex(d) if d.property("incentiveLevel").is_some() && d.property("dealValue").is_some())
        );
        assert!(
            matches!(kind("customerProfile"), Kind::Complex(c) if std::ptr::eq(c, &crate::schema::CUSTOMER_PROFILE))
        );
        assert_eq!(root.properties.len(), REFERRAL.properties.len());
    }

    #[test]
    fn declarations_reach_into_collections_and_new_objects() {
        let extra = declared(&[
            ("team/title", FieldType::String),
            ("trackingInfo/microsoftMsxId", FieldType::String),
            ("tags", FieldType::Collection(Box::new(FieldType::String))),
        ])
        .unwrap();
        let root = extra.schema().unwrap();
        assert_eq!(root.property_at("team/title").map(|p| p.kind), Some(Kind::String));
        assert_eq!(
            root.property_at("trackingInfo/microsoftMsxId").map(|p| p.kind),
            Some(Kind::String)
        );
        assert_eq!(root.property_at("tags").map(|p| p.kind), Some(Kind::Collection(&Kind::String)));
        assert_eq!(root.property_at("team/email").map(|p| p.kind), Some(Kind::String));
    }

    #[test]
    fn bad_declarations_are_refused_with_a_reason() {
        let table: &[(&str, FieldType, &str)] = &[
            ("status", FieldType::String, "invalid extra field `status`: `status` is a documented ReferralStatus property and cannot be declared as String"),
            ("favorite", FieldType::Number, "invalid extra field `favorite`: `favorite` is a documented Boolean property and cannot be declared as number"),
            ("status/code", FieldType::String, "invalid extra field `status/code`: `status` is a documented ReferralStatus and has no properties"),
            ("", FieldType::String, "invalid extra fields: `` is not a property name (letters, digits and `_`, not starting with a digit, at most 128 bytes; `/` separates the segments of a path)"),
            ("details/", FieldType::String, "invalid extra field `details/`: `` is not a property name (letters, digits and `_`, not starting with a digit, at most 128 bytes; `/` separates the segments of a path)"),
            ("is spam", FieldType::String, "invalid extra field `is spam`: `is spam` is not a property name (letters, digits and `_`, not starting with a digit, at most 128 bytes; `/` separates the segments of a path)"),
            ("a/b/c/d/e/f/g/h/i", FieldType::String, "invalid extra field `a/b/c/d/e/f/g/h/i`: has more than 8 segments"),
            ("level", FieldType::Enum(vec![]), "invalid extra field `level`: an enum needs 1 to 1024 members"),
            ("level", FieldType::Enum(vec!["A".into(), "A".into()]), "invalid extra field `level`: enum member `A` appears twice"),
            ("grid", FieldType::Collection(Box::new(FieldType::Collection(Box::new(FieldType::Number)))), "invalid extra field `grid`: a collection of collections cannot be filtered on"),
        ];
        for (path, ty, message) in table {
            let err = declared(&[(path, ty.clone())]).unwrap_err();
            assert_eq!(err.code().as_str(), "InvalidExtraFields");
            assert_eq!(err.to_string(), *message, "{path}");
        }
        assert_eq!(
            FieldType::primitive("isSpam", "bool").unwrap_err().to_string(),
            "invalid extra field `isSpam`: `bool` is not a field type (did you mean `boolean`?); use one of string, boolean, number, dateTimeOffset, date, guid, { enum: [...] } or { collection: ... }"
        );
        let err = declared(&[
            ("trackingInfo", FieldType::String),
            ("trackingInfo/id", FieldType::String),
        ])
        .unwrap_err();
        assert_eq!(err.to_string(), "invalid extra field `trackingInfo/id`: `trackingInfo` cannot be both a declared field and the object holding `trackingInfo/id`");
    }

    #[test]
    fn a_documented_field_with_its_own_type_declares_nothing() {
        let extra = declared(&[
            ("favorite", FieldType::Boolean),
            (
                "salesStage",
                FieldType::Enum(vec![
                    "Close".into(),
                    "Develop".into(),
                    "Propose".into(),
                    "Qualify".into(),
                ]),
            ),
        ])
        .unwrap();
        assert!(extra.is_empty());
    }

    #[test]
    fn merged_takes_the_later_type_and_keeps_the_rest() {
        let client =
            declared(&[("isSpam", FieldType::Boolean), ("quality", FieldType::String)]).unwrap();
        let call = declared(&[("quality", FieldType::Number)]).unwrap();
        let merged = client.merged(&call).unwrap();
        let items: Vec<(&str, &FieldType)> = merged.iter().collect();
        assert_eq!(items, [("isSpam", &FieldType::Boolean), ("quality", &FieldType::Number)]);
        let clash = declared(&[("trackingInfo", FieldType::String)]).unwrap();
        let deeper = declared(&[("trackingInfo/id", FieldType::String)]).unwrap();
        assert_eq!(clash.merged(&deeper).unwrap_err().code().as_str(), "InvalidExtraFields");
    }
}
