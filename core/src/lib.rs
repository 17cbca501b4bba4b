//! Pure Rust core of the Cloud Credits SDK.
//!
//! Everything that decides a number lives here: money and display rounding
//! ([`money`]), the model catalog ([`catalog`]), model-name resolution
//! ([`resolve`]), cost estimation ([`estimate`], with a 53-bit fast path in [`quick`]), the
//! per-event limits of what a usage report can honestly claim ([`plausible`]), the JSON wire types shared
//! by the SDK and the reference server ([`wire`]), how an id is read ([`id`]) and the error codes
//! ([`error`]). The crate has no wasm or browser dependency: it is tested
//! natively and linked both into the wasm SDK and into the server, so the
//! client and the server can never disagree on a field or a price.

// The wasm build (`cargo xtask build`) sets `rork_speed`: the core is
// compiled for size there, but for the estimate hot path (`quick`).
#![cfg_attr(rork_speed, feature(optimize_attribute))]

pub mod answers;
pub mod catalog;
mod document;
pub mod error;
pub mod estimate;
pub mod id;
pub mod money;
pub mod plausible;
pub mod queue;
pub mod retry;
mod text;
pub mod value;
pub mod wire;

pub use catalog::{quick, resolve};
pub use error::{Error, ErrorCode};
