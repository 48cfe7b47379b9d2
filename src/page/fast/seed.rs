//! What the schema expects of the value at the scanner's position: its [`Mode`], and the
//! [`Seed`] handed down to the value of each key.

use super::units::Unit;
use crate::page::{CONTEXT, COUNT, NEXT_LINK};
use crate::schema::{ComplexType, Kind, Property};

/// What a value must be.
#[derive(Clone, Copy)]
pub(super) enum Mode {
    /// The envelope `{"value": [...], "@odata.count": n, ...}`.
    Page,
    /// `value`: an array of referral objects (no `null`s).
    Referrals,
    /// `@odata.count`: `null` or an integer in `0..=2^53 - 1`.
    Count,
    /// `@odata.nextLink` / `@odata.context`: `null` or a string.
    OptionalString,
    /// The page's `@odata.nextLink`: as [`Mode::OptionalString`], and [`super::scan::Scan::next_link`]
    /// remembers where it is.
    NextLink,
    /// Any JSON value (unknown properties, `Kind::Json`): read as serde_json reads it (numbers,
    /// escapes, nesting), kept nowhere.
    Skip,
    /// An object checked against `ty` (the `Value` walk's `object`); `context`: also check
    /// `@odata.context` (the root of a GET-by-id body).
    Object { ty: &'static ComplexType, context: bool },
    /// A value of a scalar kind or a collection.
    Value(&'static Kind),
}

/// A value's requirements: its mode, `depth` (the length of its JSON pointer, as in the
/// `Value` walk) and `null_ok` (a known property, where `null` is accepted, rather than a
/// collection or `value` element).
#[derive(Clone, Copy)]
pub(super) struct Seed {
    pub(super) mode: Mode,
    pub(super) depth: usize,
    pub(super) null_ok: bool,
}

impl Seed {
    pub(super) const SKIP: Seed = Seed { mode: Mode::Skip, depth: 0, null_ok: true };

    pub(super) fn of(mode: Mode) -> Seed {
        Seed { mode, depth: 0, null_ok: true }
    }

    /// The seed for a value of `kind` at `depth`.
    pub(super) fn kind(kind: &'static Kind, depth: usize, null_ok: bool) -> Seed {
        let mode = match kind {
            Kind::Json => Mode::Skip,
            Kind::Complex(ty) => Mode::Object { ty, context: false },
            kind => Mode::Value(kind),
        };
        Seed { mode, depth, null_ok }
    }

    /// The seed of the value of `key`, whose property in the object that `self` describes
    /// is `property` (for [`Mode::Object`]).
    #[cfg_attr(not(debug_assertions), inline(always))]
    pub(super) fn key<K: Unit>(
        self,
        key: &[K],
        property: Option<&'static Property>,
    ) -> Option<Seed> {
        Some(match self.mode {
            Mode::Page => Seed::of(match key {
                _ if K::same(b"value", key) => Mode::Referrals,
                _ if K::same(COUNT.as_bytes(), key) => Mode::Count,
                _ if K::same(NEXT_LINK.as_bytes(), key) => Mode::NextLink,
                _ if K::same(CONTEXT.as_bytes(), key) => Mode::OptionalString,
                _ => Mode::Skip,
            }),
            Mode::Object { context, .. } => match property {
                // A known `@odata.context` would need both checks; the schema has none, so
                // leave that case to the `Value` path.
                Some(_) if context && K::same(CONTEXT.as_bytes(), key) => return None,
                Some(property) => Seed::kind(&property.kind, self.depth + 1, true),
                None if context && K::same(CONTEXT.as_bytes(), key) => {
                    Seed::of(Mode::OptionalString)
                }
                None => Seed::SKIP,
            },
            _ => Seed::SKIP,
        })
    }
}
