//! The client's view of the outside world: sending a request, sleeping, the clock, tokens and
//! randomness, as small traits the platform layer implements (`src/wasm/fetch.rs` over
//! `fetch`/`setTimeout`/`Date.now`/`crypto`; tests with scripted fakes).
//!
//! Futures returned by these traits need not be `Send`: wasm is single-threaded. They must
//! tolerate being dropped at any await point (the JS layer drops them when a signal aborts).
//! This room imports nothing from the rest of the crate.

use std::fmt;
use std::time::Duration;

/// One HTTP request, as the transport must send it: a `GET`, or a `PATCH` with a body.
#[derive(Clone, PartialEq, Eq)]
pub struct HttpRequest {
    /// The method, `"GET"` or `"PATCH"`.
    pub method: &'static str,
    /// The absolute URL, already percent-encoded.
    pub url: String,
    /// Request headers, in the order they should be sent. Contains the bearer token.
    pub headers: Vec<(String, String)>,
    /// The body (a JSON Patch for `PATCH`); `None` for a `GET`.
    pub body: Option<String>,
}

impl HttpRequest {
    /// The value of the first header named `name` (ASCII case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        find_header(&self.headers, name)
    }
}

/// `Debug` shows the `Authorization` header as `Bearer [redacted]`, so a logged request never
/// leaks its token.
impl fmt::Debug for HttpRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let headers: Vec<(&str, &str)> = self
            .headers
            .iter()
            .map(|(k, v)| {
                if k.eq_ignore_ascii_case("authorization") {
                    (k.as_str(), "Bearer [redacted]")
                } else {
                    (k.as_str(), v.as_str())
                }
            })
            .collect();
        f.debug_struct("HttpRequest")
            .field("method", &self.method)
            .field("url", &self.url)
            .field("headers", &headers)
            .field("body", &self.body)
            .finish()
    }
}

/// A response (any status: the client, not the transport, decides what a status means).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct HttpResponse {
    /// The HTTP status code.
    pub status: u16,
    /// Response headers as received (names in any case).
    pub headers: Vec<(String, String)>,
    /// The body, decoded as UTF-8 text.
    pub body: String,
}

impl HttpResponse {
    /// The value of the first header named `name` (ASCII case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        find_header(&self.headers, name)
    }
}

/// Why a request got no response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TransportFailure {
    /// The request failed before a response arrived (DNS, connection, CORS, offline). The text
    /// is the platform's description; it must not contain request headers.
    Network(String),
    /// The attempt exceeded the per-attempt time-out.
    Timeout,
    /// The response's body is larger than its limit ([`crate::client::body_limit`]): the
    /// transport stopped reading it (or never started, when `Content-Length` said so).
    /// Final: the client does not retry it.
    TooLarge {
        /// The response's status.
        status: u16,
        /// The response's headers (for its request id).
        headers: Vec<(String, String)>,
        /// The limit that was exceeded, in bytes.
        limit: u64,
    },
}

/// Sends requests, sleeps and tells the time: the platform's side of the client.
///
/// Implementations read the body within [`crate::client::body_limit`] of the response's
/// status (reporting [`TransportFailure::TooLarge`] past it) and may enforce a time-out of
/// their own ([`TransportFailure::Timeout`]); the client enforces `ClientOptions::timeout`
/// around the token and the exchange with [`Transport::sleep`]. Nothing else is expected of
/// them: no retries, no headers.
#[allow(async_fn_in_trait)]
pub trait Transport {
    /// Sends one request and returns its response, whatever the status.
    async fn send(&self, request: &HttpRequest) -> Result<HttpResponse, TransportFailure>;
    /// Waits `duration` (a back-off or `Retry-After` wait).
    async fn sleep(&self, duration: Duration);
    /// Milliseconds since the Unix epoch, as JS `Date.now()` (resolves `Retry-After` dates).
    fn now_unix_millis(&self) -> i64;
    /// Called when the client's time-out ends an attempt, right before the attempt's `send`
    /// future (if it got that far) is dropped: a transport that aborts dropped requests can
    /// say why. Nothing by default.
    fn attempt_timed_out(&self) {}
}

/// Supplies bearer tokens, e.g. MSAL's `acquireTokenSilent` behind the JS `getToken`.
///
/// Called once per attempt with `force_refresh = false`, and with `true` once after a 401.
/// Caching is the token source's job.
#[allow(async_fn_in_trait)]
pub trait TokenSource {
    /// A bearer token (without the `Bearer ` prefix), or a description of why there is none.
    /// The description must not contain a token.
    async fn token(&self, force_refresh: bool) -> Result<String, String>;
}

/// Randomness for request ids, correlation ids and back-off jitter.
///
/// Injected so that tests are deterministic; the platform implementation should use
/// `crypto.getRandomValues` (ids need not be secret, but should not collide).
pub trait Entropy {
    /// 64 uniformly random bits.
    fn next_u64(&self) -> u64;
}

/// A fresh version-4 GUID in lower-case `8-4-4-4-12` form, from 128 bits of `entropy`.
///
/// ```
/// # use partner_referrals::client::{new_guid, Entropy};
/// struct Zero;
/// impl Entropy for Zero { fn next_u64(&self) -> u64 { 0 } }
/// assert_eq!(new_guid(&Zero), "00000000-0000-4000-8000-000000000000");
/// ```
pub fn new_guid(entropy: &impl Entropy) -> String {
    let hi = entropy.next_u64();
    let lo = entropy.next_u64();
    // RFC 9562: version 4 in the high nibble of byte 6, variant 0b10 in the top bits of byte 8.
    let hi = (hi & !0xF000) | 0x4000;
    let lo = (lo & !(0xC000 << 48)) | (0x8000 << 48);
    format!(
        "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
        hi >> 32,
        (hi >> 16) & 0xFFFF,
        hi & 0xFFFF,
        lo >> 48,
        lo & 0xFFFF_FFFF_FFFF
    )
}

/// A number in `[0, 1)` from 53 random bits of `entropy` (back-off jitter).
pub fn unit_interval(entropy: &impl Entropy) -> f64 {
    (entropy.next_u64() >> 11) as f64 / (1u64 << 53) as f64
}

pub(crate) fn find_header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    struct Counter(Cell<u64>);
    impl Entropy for Counter {
        fn next_u64(&self) -> u64 {
            let v = self.0.get();
            self.0.set(v.wrapping_add(0x9E37_79B9_7F4A_7C15));
            v
        }
    }

    #[test]
    fn guids_are_version_4_and_distinct() {
        let e = Counter(Cell::new(u64::MAX));
        let a = new_guid(&e);
        let b = new_guid(&e);
        assert_ne!(a, b);
        for g in [&a, &b] {
            assert_eq!(g.len(), 36);
            let parts: Vec<&str> = g.split('-').collect();
            assert_eq!(parts.iter().map(|p| p.len()).collect::<Vec<_>>(), [8, 4, 4, 4, 12]);
            assert!(parts[2].starts_with('4'), "{g}");
            assert!(matches!(parts[3].as_bytes()[0], b'8' | b'9' | b'a' | b'b'), "{g}");
            assert!(g
                .bytes()
                .all(|c| c == b'-' || c.is_ascii_hexdigit() && !c.is_ascii_uppercase()));
        }
        struct Max;
        impl Entropy for Max {
            fn next_u64(&self) -> u64 {
                u64::MAX
            }
        }
        assert_eq!(new_guid(&Max), "ffffffff-ffff-4fff-bfff-ffffffffffff");
    }

    #[test]
    fn unit_interval_stays_below_one() {
        struct Max;
        impl Entropy for Max {
            fn next_u64(&self) -> u64 {
                u64::MAX
            }
        }
        let j = unit_interval(&Max);
        assert!(j < 1.0 && j > 0.999_999);
    }

    #[test]
    fn request_debug_redacts_the_token() {
        let r = HttpRequest {
            method: "GET",
            url: "https://x/".into(),
            headers: vec![("Authorization".into(), "Bearer s3cr3t".into())],
            body: None,
        };
        let shown = format!("{r:?}");
        assert!(!shown.contains("s3cr3t"), "{shown}");
        assert!(shown.contains("[redacted]"));
        assert_eq!(r.header("authorization"), Some("Bearer s3cr3t"));
    }
}
