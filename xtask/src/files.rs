//! Reading and writing text files, and clearing directories, with errors
//! that name the path.

use crate::Result;
use std::path::Path;

/// The whole file as text.
pub fn read(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).map_err(|e| format!("reading {}: {e}", path.display()))
}

/// Replaces the file's contents with `text`.
pub fn write(path: &Path, text: &str) -> Result {
    std::fs::write(path, text).map_err(|e| format!("writing {}: {e}", path.display()))
}

/// Deletes the directory `path` and everything in it, if it exists.
pub fn clear_dir(path: &Path) -> Result {
    if path.exists() {
        std::fs::remove_dir_all(path).map_err(|e| format!("clearing {}: {e}", path.display()))?;
    }
    Ok(())
}
