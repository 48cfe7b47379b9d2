//! How much of a response body the client reads: the limits a transport applies while it
//! reads a body as a stream, counted after decompression (the platform's `fetch` inflates
//! `gzip`/`br`/`deflate` before the bytes reach the reader, so a 500 KB answer that inflates
//! to 5 GB is counted as 5 GB and stopped at the limit).
//!
//! A body over its limit is not a network failure and is not retried: the same request gets
//! the same body again. The transport cancels the read at once, so that neither the body nor
//! the time to read it is spent, and reports [`crate::client::TransportFailure::TooLarge`];
//! the client fails with `InvalidResponse`. The same limits serve every method that reads a
//! body (`GET` pages and items, and writes' answers).

/// The default limit of a successful body, in bytes (`maxResponseBytes`): 32 MiB.
///
/// A page of the API holds at most 100 referrals, a few hundred KiB as served; 32 MiB leaves
/// two orders of magnitude for long notes and new fields, and is still small next to a
/// process's memory (a body is held once as bytes and once as text while it is parsed).
pub const DEFAULT_MAX_RESPONSE_BYTES: u64 = 32 * 1024 * 1024;

/// The limit of an error body (any status outside 2xx), in bytes: 64 KiB. Documented error
/// bodies are a few hundred bytes of JSON; a gateway's HTML error page a few KiB. Only its
/// code and message are used, and [`crate::client::MAX_TEXT_DETAILS`] of a body that is not
/// JSON.
pub const MAX_ERROR_BODY_BYTES: u64 = 64 * 1024;

/// The largest `maxResponseBytes` a client accepts: 1 GiB (wasm32 memory is at most 4 GiB,
/// and a body is held twice while it is parsed).
pub const MAX_RESPONSE_BYTES_LIMIT: u64 = 1024 * 1024 * 1024;

/// The byte limit of the body of a response with `status`: `max_response_bytes` for 2xx,
/// the smaller of it and [`MAX_ERROR_BODY_BYTES`] for anything else.
///
/// ```
/// # use partner_referrals::client::{body_limit, MAX_ERROR_BODY_BYTES};
/// assert_eq!(body_limit(200, 1_000_000), 1_000_000);
/// assert_eq!(body_limit(500, 1_000_000), MAX_ERROR_BODY_BYTES);
/// assert_eq!(body_limit(429, 1_000), 1_000);
/// ```
pub fn body_limit(status: u16, max_response_bytes: u64) -> u64 {
    if (200..300).contains(&status) {
        max_response_bytes
    } else {
        max_response_bytes.min(MAX_ERROR_BODY_BYTES)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_bodies_have_the_smaller_limit() {
        for status in [200, 201, 204, 299] {
            assert_eq!(body_limit(status, DEFAULT_MAX_RESPONSE_BYTES), DEFAULT_MAX_RESPONSE_BYTES);
        }
        for status in [0, 199, 300, 301, 401, 404, 429, 500, 503, 999] {
            assert_eq!(body_limit(status, DEFAULT_MAX_RESPONSE_BYTES), MAX_ERROR_BODY_BYTES);
            assert_eq!(body_limit(status, 10), 10);
        }
    }
}
