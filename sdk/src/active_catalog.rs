//! The catalog estimates are priced against: the built-in one until
//! `loadCatalog` installs another (the server is the authority on prices).

use rork_cloud_credits_core::catalog::Catalog;
use std::cell::{Cell, RefCell};

thread_local! {
    /// A catalog loaded at runtime; `None` means the built-in one.
    static LOADED: RefCell<Option<Catalog>> = const { RefCell::new(None) };
    /// How many catalogs have been installed: positions into `entries()` are
    /// only valid within one generation.
    static GENERATION: Cell<u32> = const { Cell::new(0) };
}

/// Runs `f` with the active catalog.
pub fn with<R>(f: impl FnOnce(&Catalog) -> R) -> R {
    LOADED.with_borrow(|loaded| f(loaded.as_ref().unwrap_or_else(|| Catalog::builtin())))
}

/// Makes `catalog` the active catalog.
pub fn replace(catalog: Catalog) {
    LOADED.set(Some(catalog));
    GENERATION.set(GENERATION.get().wrapping_add(1));
}

/// The generation of the active catalog (see `GENERATION`).
pub fn generation() -> u32 {
    GENERATION.get()
}
