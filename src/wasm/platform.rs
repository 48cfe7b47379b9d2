//! The JS engine's implementations of the core's platform hooks ([`crate::platform`]), so the
//! wasm file does not carry std's Unicode tables, float parser and float printer. Installed by [`install_platform`], which
//! wasm-bindgen runs when the module is instantiated (`init`/`initSync` of the glue).

use js_sys::{JsString, RegExp};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::platform::{set_platform, Platform};

static JS: Platform = Platform {
    to_lowercase,
    to_uppercase,
    is_alphabetic,
    is_alphanumeric,
    parse_f64,
    format_exponential,
};

/// `String.prototype.toLowerCase`: Unicode default case mapping, like `str::to_lowercase`.
fn to_lowercase(s: &str) -> String {
    JsString::from(s).to_lower_case().into()
}

/// `String.prototype.toUpperCase`: Unicode default case mapping, like `str::to_uppercase`.
fn to_uppercase(s: &str) -> String {
    JsString::from(s).to_upper_case().into()
}

thread_local! {
    /// The Unicode properties std's `char::is_alphabetic` and `is_alphanumeric` read, as the
    /// JS engine's regular expressions know them (made once; `test` keeps no state without
    /// the `g` flag).
    static ALPHABETIC: RegExp = RegExp::new(r"^\p{Alphabetic}$", "u");
    static ALPHANUMERIC: RegExp = RegExp::new(r"^[\p{Alphabetic}\p{N}]$", "u");
}

/// `char::is_alphabetic`: the Unicode `Alphabetic` property.
fn is_alphabetic(c: char) -> bool {
    ALPHABETIC.with(|re| re.test(c.encode_utf8(&mut [0; 4])))
}

/// `char::is_alphanumeric`: `Alphabetic`, or a number (general categories Nd, Nl, No).
fn is_alphanumeric(c: char) -> bool {
    ALPHANUMERIC.with(|re| re.test(c.encode_utf8(&mut [0; 4])))
}

/// JS `Number(text)` (the unary `+`), for the decimal text `platform::parse_f64` hands over.
fn parse_f64(s: &str) -> Option<f64> {
    Some(JsValue::from_str(s).unchecked_into_f64()).filter(|n| !n.is_nan())
}

#[wasm_bindgen]
extern "C" {
    /// A JS number (a primitive: methods are called on it as `n.method()`).
    #[wasm_bindgen(js_name = Number)]
    type JsNumber;

    /// `Number.prototype.toExponential()` without an argument: as many digits as it takes to
    /// read back as the same number, and no more.
    #[wasm_bindgen(method, js_name = toExponential)]
    fn to_exponential(this: &JsNumber) -> String;
}

/// The shortest round-trip digits in scientific notation, e.g. `1.5e-8`, `1e+21`.
fn format_exponential(n: f64) -> Option<String> {
    Some(JsValue::from_f64(n).unchecked_into::<JsNumber>().to_exponential())
}

/// Installs the JS-backed hooks. The module's start function, so every package entry has them
/// before its first call; public (hidden) for wasm tests, which run without start functions.
#[wasm_bindgen(start)]
pub fn install_platform() {
    set_platform(&JS);
}
