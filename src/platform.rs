//! Platform hooks: the few text primitives whose std implementations carry large Unicode
//! tables, behind a table of plain function pointers.
//!
//! One job: let the core ask "the platform" for them without knowing which platform it runs
//! on. Natively the table is std (`str::to_lowercase`, …). On `wasm32` the JavaScript room
//! (`src/wasm/`) installs a table backed by the JS engine's own implementations with
//! [`set_platform`] when the module starts, so the wasm file does not ship std's copy of the
//! same tables (about 18 KiB of gzip for case mapping alone). Imports nothing from the crate
//! and never wasm-bindgen/js-sys: the hooks are `fn` pointers handed in from outside.
//!
//! The core calls the wrappers below ([`to_lowercase`], …), never the table directly. Each
//! wrapper answers the common case itself (ASCII text) and asks the platform only for the
//! rest, so results are the same on every platform:
//! - case mapping: ASCII text is mapped here; other text goes to the platform (std natively,
//!   `String.prototype.toLowerCase`/`toUpperCase` in wasm: both implement Unicode's default
//!   full case mapping, final sigma included; they can differ only where the JS engine's
//!   Unicode version differs from Rust's).
//!
//! Until a table is installed (a wasm32 build used from Rust without the JS glue, e.g. by a
//! test that calls the core directly), `wasm32` uses [`ASCII_ONLY`]: exact for ASCII, and
//! for anything else it errs on the safe side: non-ASCII characters are left as they are
//! (never a trap, never a wrong ASCII result).

/// The hook table. Every function must behave like the std function it is named after.
#[derive(Debug)]
pub(crate) struct Platform {
    /// `str::to_lowercase`: Unicode default lower-case mapping of the whole string.
    pub to_lowercase: fn(&str) -> String,
    /// `str::to_uppercase`: Unicode default upper-case mapping of the whole string.
    pub to_uppercase: fn(&str) -> String,
}

/// std's implementations (every target but `wasm32`).
#[cfg(not(target_arch = "wasm32"))]
static STD: Platform =
    Platform { to_lowercase: str::to_lowercase, to_uppercase: str::to_uppercase };

/// The `wasm32` table before [`set_platform`]: exact for ASCII, leaves everything else as is.
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
pub(crate) static ASCII_ONLY: Platform =
    Platform { to_lowercase: str::to_ascii_lowercase, to_uppercase: str::to_ascii_uppercase };

#[cfg(target_arch = "wasm32")]
static INSTALLED: std::sync::OnceLock<&'static Platform> = std::sync::OnceLock::new();

/// Installs the `wasm32` hook table; the first call wins (later calls are ignored, so the
/// module's start function and a test may both call it).
#[cfg(target_arch = "wasm32")]
pub(crate) fn set_platform(platform: &'static Platform) {
    let _ = INSTALLED.set(platform);
}

fn platform() -> &'static Platform {
    #[cfg(target_arch = "wasm32")]
    {
        INSTALLED.get().copied().unwrap_or(&ASCII_ONLY)
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        &STD
    }
}

/// `s.to_lowercase()`, with ASCII text mapped here and the rest by the platform.
pub(crate) fn to_lowercase(s: &str) -> String {
    if s.is_ascii() {
        s.to_ascii_lowercase()
    } else {
        (platform().to_lowercase)(s)
    }
}

/// `s.to_uppercase()`, with ASCII text mapped here and the rest by the platform.
pub(crate) fn to_uppercase(s: &str) -> String {
    if s.is_ascii() {
        s.to_ascii_uppercase()
    } else {
        (platform().to_uppercase)(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_mapping_matches_std() {
        for s in ["", "Contoso", "ÉCOLE", "straße", "ΣΊΣΥΦΟΣ", "İstanbul", "ǅ", "ﬃ", "💝a"]
        {
            assert_eq!(to_lowercase(s), s.to_lowercase(), "{s}");
            assert_eq!(to_uppercase(s), s.to_uppercase(), "{s}");
        }
    }

    #[test]
    fn ascii_only_fallback_is_exact_for_ascii_and_leaves_the_rest() {
        assert_eq!((ASCII_ONLY.to_lowercase)("MiXeD 42"), "mixed 42");
        assert_eq!((ASCII_ONLY.to_uppercase)("MiXeD 42"), "MIXED 42");
        assert_eq!((ASCII_ONLY.to_lowercase)("ÉCOLE"), "École");
        assert_eq!((ASCII_ONLY.to_uppercase)("straße"), "STRAßE");
    }
}
