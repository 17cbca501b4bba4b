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

/// Replaces what lies between the lines `start` and `end` of the file at
/// `path` with `text` (a generated section: sizes, tables), writing only when
/// it changed. Fails when the file lacks either marker.
pub fn replace_between(path: &Path, start: &str, end: &str, text: &str) -> Result {
    let old = read(path)?;
    let (Some(from), Some(to)) = (old.find(start), old.find(end)) else {
        return Err(format!(
            "{} has no {start:?}…{end:?} markers",
            path.display()
        ));
    };
    let new = format!("{}{start}\n{text}{}", &old[..from], &old[to..]);
    if new != old {
        write(path, &new)?;
    }
    Ok(())
}
