//! Arbitrary bytes → the page decoder. Invariants: no panic; validation and decoding agree;
//! a decoded page serialises.
#![no_main]

use libfuzzer_sys::fuzz_target;
use partner_referrals::page::{decode_referral_page, validate_referral_page};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let decoded = decode_referral_page(&text);
    let validated = validate_referral_page(&text);
    assert_eq!(decoded.as_ref().err(), validated.as_ref().err(), "{text:?}");
    if let Ok(page) = decoded {
        assert!(serde_json::to_value(&page).expect("serialises").is_object());
    }
});
