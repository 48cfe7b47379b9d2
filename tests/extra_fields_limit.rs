//! The number of different extra-field declaration sets a process interns is bounded (its own
//! test binary: the count is per process).

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use partner_referrals::extra_fields::{ExtraFields, FieldType, MAX_DECLARATION_SETS};
use partner_referrals::ErrorCode;

fn set(i: usize) -> ExtraFields {
    let mut extra = ExtraFields::new();
    extra.declare(&format!("field{i}"), FieldType::String).unwrap();
    extra
}

#[test]
fn different_declaration_sets_are_interned_up_to_the_limit_and_then_refused() {
    let first = set(0).schema().unwrap();
    for i in 1..MAX_DECLARATION_SETS {
        set(i).schema().unwrap();
    }
    let err = set(MAX_DECLARATION_SETS).schema().unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidExtraFields);
    assert_eq!(
        err.to_string(),
        "invalid extra fields: more than 64 different sets of extra fields in one process; declare them once (e.g. per client) and reuse them"
    );
    // Sets seen before, and no declaration at all, still work.
    assert!(std::ptr::eq(set(0).schema().unwrap(), first));
    assert!(ExtraFields::new().schema().is_ok());
}
