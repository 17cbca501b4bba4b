//! The authoritative price of usage: the core catalog, the same one the SDK ships.

use crate::error::AppResult;
use rork_cloud_credits_core::catalog::Catalog;
use rork_cloud_credits_core::estimate::{Estimate, UsageRequest};

/// The exact cost of `usage` from the built-in catalog (`unknown_model` or
/// `invalid_input` naming the field when the request cannot be priced).
pub fn estimate(usage: &UsageRequest) -> AppResult<Estimate> {
    Ok(Catalog::builtin().estimate(usage)?)
}

/// The catalog document served at `GET /v1/models`.
pub fn catalog_json() -> String {
    Catalog::builtin().to_json()
}
