//! The JS engine's implementations of the core's platform hooks ([`crate::platform`]), so the
//! wasm file does not carry std's Unicode tables. Installed by [`install_platform`], which
//! wasm-bindgen runs when the module is instantiated (`init`/`initSync` of the glue).

use js_sys::JsString;
use wasm_bindgen::prelude::*;

use crate::platform::{set_platform, Platform};

static JS: Platform = Platform { to_lowercase, to_uppercase };

/// `String.prototype.toLowerCase`: Unicode default case mapping, like `str::to_lowercase`.
fn to_lowercase(s: &str) -> String {
    JsString::from(s).to_lower_case().into()
}

/// `String.prototype.toUpperCase`: Unicode default case mapping, like `str::to_uppercase`.
fn to_uppercase(s: &str) -> String {
    JsString::from(s).to_upper_case().into()
}

/// Installs the JS-backed hooks. The module's start function, so every package entry has them
/// before its first call; public (hidden) for wasm tests, which run without start functions.
#[wasm_bindgen(start)]
pub fn install_platform() {
    set_platform(&JS);
}
