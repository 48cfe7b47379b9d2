//! Known keys: the property of a key in its object's type, found through a memo of the key
//! order each type's objects were last written in.

use super::scan::Scan;
use super::units::{ascii_at, Unit};
use crate::schema::{ComplexType, Property};

/// How many complex types [`Scan`] remembers key orders of (the schema has 12).
pub(super) const MEMO_TYPES: usize = 16;
/// How many properties of a type [`Scan`] remembers successors of (the referral has 31).
pub(super) const MEMO_KEYS: usize = 48;

impl<'a, U: Unit> Scan<'a, U> {
    /// The memo slot of `ty`, claimed on first use; `None` when every slot is taken.
    #[cfg_attr(not(debug_assertions), inline(always))]
    pub(super) fn memo_slot(&mut self, ty: &'static ComplexType) -> Option<usize> {
        let address = ty as *const ComplexType as usize;
        // First the slot the address hashes to (Fibonacci hashing: the top bits of the
        // product), which is where a type is put when that slot is free.
        let hint = ((address as u32).wrapping_mul(0x9E37_79B9) >> 28) as usize % MEMO_TYPES;
        if let Some((owner, _)) = self.memo.get_mut(hint) {
            if *owner == address {
                return Some(hint);
            }
            if *owner == 0 {
                *owner = address;
                return Some(hint);
            }
        }
        self.memo_slot_search(address)
    }

    /// [`Scan::memo_slot`] when the hashed slot belongs to another type.
    pub(super) fn memo_slot_search(&mut self, address: usize) -> Option<usize> {
        for (index, (owner, _)) in self.memo.iter_mut().enumerate() {
            if *owner == address {
                return Some(index);
            }
            if *owner == 0 {
                *owner = address;
                return Some(index);
            }
        }
        None
    }

    /// The property of `ty` called `key`, which follows the key of property `previous`
    /// (index + 1; 0: none) in its object: the memo's guess first, then a search (whose
    /// answer the memo keeps). Also the new `previous`.
    pub(super) fn property<K: Unit>(
        &mut self,
        ty: &'static ComplexType,
        slot: Option<usize>,
        previous: usize,
        key: &[K],
    ) -> (Option<&'static Property>, usize) {
        // invariant: `properties` is 'static because every ComplexType is a static.
        let properties: &'static [Property] = ty.properties;
        let memo = slot.and_then(|slot| self.memo.get_mut(slot)?.1.get_mut(previous));
        if let Some(guess) = memo.as_deref().map(|&guess| usize::from(guess)) {
            if let Some(property) = properties.get(guess.wrapping_sub(1)) {
                if K::same(property.name.as_bytes(), key) {
                    return (Some(property), guess);
                }
            }
        }
        let found = properties.iter().position(|p| K::same(p.name.as_bytes(), key));
        let next = found.map_or(0, |index| index + 1);
        if let Some(memo) = memo {
            *memo = u8::try_from(next).unwrap_or(0);
        }
        (found.and_then(|index| properties.get(index)), next)
    }

    /// The key at `self.at` (after its opening quote), when it is the one the memo expects
    /// after property `previous` (index + 1) of `ty`: then it is consumed with its closing
    /// quote, and the answer is what [`Scan::property`] would say. A key spelled differently
    /// (other name, escapes) is left for the full reading.
    #[cfg_attr(not(debug_assertions), inline(always))]
    pub(super) fn guessed_key(
        &mut self,
        ty: &'static ComplexType,
        slot: Option<usize>,
        previous: usize,
    ) -> Option<(&'static Property, usize)> {
        let guess = usize::from(*self.memo.get(slot?)?.1.get(previous)?);
        // invariant: `properties` is 'static because every ComplexType is a static.
        let properties: &'static [Property] = ty.properties;
        let property = properties.get(guess.wrapping_sub(1))?;
        let name = property.name.as_bytes();
        let end = self.at + name.len();
        if U::same(name, self.units.get(self.at..end)?) && ascii_at(self.units, end) == b'"' {
            self.at = end + 1;
            return Some((property, guess));
        }
        None
    }
}
