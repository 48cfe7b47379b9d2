//! Page exports: `decodeReferralPage`, `respondBy`.

use std::cell::{Cell, RefCell};

use js_sys::{JsString, Object, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::convert::{js_err, json_value, string_arg};
use super::error::{boundary, type_error};
use crate::error::ErrorCode;
use crate::model::{respond_by_value, DEFAULT_RESPONSE_DAYS};
use crate::page::{validate_referral_page, validate_referral_page_utf16};

/// `decodeReferralPage(json)`: checks a page against the referral schema, then hands out
/// exactly what `JSON.parse` makes of it, with `@odata.count`/`@odata.nextLink`/
/// `@odata.context` renamed to `count`/`nextLink`/`context` (left out when `null`).
#[wasm_bindgen(js_name = decodeReferralPage, unchecked_return_type = "ReferralPage")]
pub fn decode_referral_page(
    #[wasm_bindgen(unchecked_param_type = "string")] json: JsValue,
) -> Result<JsValue, JsValue> {
    validate(&json)?;
    page_object(&json)
}

/// `validate_referral_page` of a JS string: its UTF-16 code units copied into wasm memory as
/// they are where the runtime can do that as one copy (`writeUtf16`), else its UTF-8
/// conversion (the glue's `as_string`). Both give the same answer and the same errors.
fn validate(json: &JsValue) -> Result<(), JsValue> {
    if let Some(text) = json.dyn_ref::<JsString>() {
        if let Some(result) = validate_utf16(text) {
            return result.map_err(js_err);
        }
    }
    let text = string_arg(json, "decodeReferralPage: json")?;
    validate_referral_page(&text).map_err(js_err)
}

/// The UTF-16 way of [`validate`]; `None` where `writeUtf16` cannot write.
fn validate_utf16(text: &JsString) -> Option<crate::error::Result<()>> {
    if !CAN_WRITE_UTF16.get() {
        return None;
    }
    UNITS.with(|units| {
        // `writeUtf16` never calls back into Rust, so the buffer is never borrowed here.
        let mut units = units.try_borrow_mut().ok()?;
        // Only what grows is zeroed; `writeUtf16` overwrites every unit.
        units.resize(text.length() as usize, [0; 2]);
        if !write_utf16(text, units.as_flattened_mut()) {
            CAN_WRITE_UTF16.set(false);
            return None;
        }
        Some(validate_referral_page_utf16(&units))
    })
}

#[wasm_bindgen(module = "/src/wasm/utf16.js")]
extern "C" {
    /// Writes the UTF-16 code units of `text` into `into` (little-endian, exactly
    /// `2 * text.length` bytes) as
    /// one copy; `false` (nothing written) where the runtime has no way to (see the file).
    #[wasm_bindgen(js_name = writeUtf16)]
    fn write_utf16(text: &JsString, into: &mut [u8]) -> bool;
}

thread_local! {
    /// The page text as UTF-16 code units (little-endian byte pairs), reused from call to
    /// call (a page is ~0.5 MB).
    static UNITS: RefCell<Vec<[u8; 2]>> = const { RefCell::new(Vec::new()) };
    /// Whether `writeUtf16` can write here (it answers the same at every call).
    static CAN_WRITE_UTF16: Cell<bool> = const { Cell::new(true) };
}

#[wasm_bindgen]
extern "C" {
    /// `JSON.parse` of a JS string value as it is (`js_sys::JSON::parse` takes a `&str`, which
    /// would copy the text back out of wasm memory and decode it again).
    #[wasm_bindgen(js_namespace = JSON, js_name = parse, catch)]
    pub(crate) fn json_parse(text: &JsValue) -> Result<JsValue, JsValue>;
}

/// The JS page for a body that `validate_referral_page` accepted: `JSON.parse` of the same
/// text, the JS string value itself (lossless by construction: every property, `null` and key
/// order as sent), with `@odata.count`/`@odata.nextLink`/`@odata.context` renamed to
/// `count`/`nextLink`/`context` (left out when `null`). The client hands out its pages
/// through this too.
pub(crate) fn page_object(text: &JsValue) -> Result<JsValue, JsValue> {
    let page = json_parse(text)
        .map_err(|_| boundary(ErrorCode::InvalidResponse, "response is not JSON"))?;
    // The keys are made once: a JS string made here, while the fresh page is the young
    // generation's newest tenant, can trigger a scavenge that copies the whole page (measured:
    // every other call took 3× longer).
    RENAMES.with(|renames| {
        for (wire, js) in renames {
            if Reflect::has(&page, wire)? {
                let value = Reflect::get(&page, wire)?;
                Reflect::delete_property(page.unchecked_ref::<Object>(), wire)?;
                if !value.is_null() {
                    Reflect::set(&page, js, &value)?;
                }
            }
        }
        Ok::<_, JsValue>(())
    })?;
    Ok(page)
}

thread_local! {
    /// `(wire name, JS name)` of the renamed page properties, as JS strings.
    static RENAMES: [(JsValue, JsValue); 3] = [
        ("@odata.count", "count"),
        ("@odata.nextLink", "nextLink"),
        ("@odata.context", "context"),
    ]
    .map(|(wire, js)| (JsValue::from_str(wire), JsValue::from_str(js)));
}

/// `respondBy(referral, days = 14)`: when an incoming, pending referral must be answered, as
/// an ISO 8601 string (`expirationDateTime` when sent, else `createdDateTime` + `days`);
/// `undefined` for anything else.
#[wasm_bindgen(js_name = respondBy)]
pub fn respond_by(
    #[wasm_bindgen(unchecked_param_type = "Referral")] referral: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "number")] days: JsValue,
) -> Result<Option<String>, JsValue> {
    let days = if days.is_undefined() {
        DEFAULT_RESPONSE_DAYS
    } else {
        let n = days.as_f64().ok_or_else(|| type_error("respondBy: days must be a number"))?;
        if !(n.fract() == 0.0 && (0.0..=f64::from(u32::MAX)).contains(&n)) {
            return Err(js_sys::RangeError::new(&format!(
                "respondBy: days must be a whole number of days >= 0, got {}",
                crate::platform::display_f64(n)
            ))
            .into());
        }
        n as u32
    };
    let record = json_value(&referral, "respondBy: referral")?;
    Ok(respond_by_value(&record, days))
}
