//! The JS engine's implementations of the core's platform hooks ([`crate::platform`]), so the
//! wasm file does not carry std's Unicode tables and float parser. Installed by [`install_platform`], which
//! wasm-bindgen runs when the module is instantiated (`init`/`initSync` of the glue).

use js_sys::JsString;
use wasm_bindgen::prelude::*;

use crate::platform::{set_platform, Platform};

static JS: Platform = Platform { to_lowercase, to_uppercase, parse_f64 };

/// `String.prototype.toLowerCase`: Unicode default case mapping, like `str::to_lowercase`.
fn to_lowercase(s: &str) -> String {
    JsString::from(s).to_lower_case().into()
}

/// `String.prototype.toUpperCase`: Unicode default case mapping, like `str::to_uppercase`.
fn to_uppercase(s: &str) -> String {
    JsString::from(s).to_upper_case().into()
}

/// JS `Number(text)` (the unary `+`), for the decimal text `platform::parse_f64` hands over.
fn parse_f64(s: &str) -> Option<f64> {
    Some(JsValue::from_str(s).unchecked_into_f64()).filter(|n| !n.is_nan())
}

/// Installs the JS-backed hooks. The module's start function, so every package entry has them
/// before its first call; public (hidden) for wasm tests, which run without start functions.
#[wasm_bindgen(start)]
pub fn install_platform() {
    set_platform(&JS);
}
