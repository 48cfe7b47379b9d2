//! # partner-referrals-emulator
//!
//! A local, faithful emulator of the Partner Center referrals endpoint
//! (`GET /v1.0/engagements/referrals` and `/{id}`, `PATCH /{id}`) for the demo page, the extension, the
//! fault-injection tests and the paging benchmark. Plain `std::net` + threads: no async
//! runtime, few dependencies, and full control over misbehaviour (dropped connections, slow
//! and malformed responses). `$filter` is evaluated with the library's own parser, checker
//! and evaluator, so the emulator and the library agree by construction.
//!
//! Rooms: [`rng`] (seeded PRNG), [`data`] (the generated referrals), [`http`] (HTTP/1.1 on
//! `std::io`), [`odata`] (query options, ordering, paging, error bodies), [`patch`] (JSON
//! Patch writes and their rules), [`faults`]
//! (injection), [`server`] (routing, auth, CORS, accept loop), [`cli`] (arguments).
#![forbid(unsafe_code)]
#![deny(missing_docs, missing_debug_implementations)]

pub mod cli;
pub mod data;
pub mod faults;
pub mod http;
pub mod odata;
pub mod patch;
pub mod rng;
pub mod server;

pub use server::{Config, Emulator};
