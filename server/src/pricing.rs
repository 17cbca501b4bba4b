//! The authoritative price of usage: the core catalog, the same one the SDK ships.

use crate::error::AppResult;
use rork_cloud_credits_core::catalog::Catalog;
use rork_cloud_credits_core::estimate::{Estimate, UsageRequest};

/// The exact cost of `usage` from the built-in catalog (`unknown_model` or
/// `invalid_input` naming the field when the request cannot be priced), for
/// usage no single request to the model could exceed: counts beyond its
/// context window, its output limit or its kind's units per event are
/// `invalid_input` naming the limit (`rork_cloud_credits_core::plausible`).
/// Every hold, settlement and usage event is priced here.
pub fn estimate(usage: &UsageRequest) -> AppResult<Estimate> {
    let catalog = Catalog::builtin();
    let estimate = catalog.estimate(usage)?;
    catalog.check_plausible(usage)?;
    Ok(estimate)
}

/// The catalog document served at `GET /v1/models`.
pub fn catalog_json() -> String {
    Catalog::builtin().to_json()
}
