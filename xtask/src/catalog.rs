//! Placeholder until the catalog importer lands.
use crate::Result;
use std::path::Path;
/// Imports a LiteLLM price file.
pub fn import(_from: &Path, _to: &Path) -> Result {
    Err("not yet".into())
}
