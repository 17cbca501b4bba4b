//! Where the client keeps its usage queue: the browser's `localStorage`
//! (shared by the tabs of an origin, surviving reloads) or memory (one
//! client's lifetime; for Node.js and tests).

use crate::client::env;
use rork_cloud_credits_core::Error;
use std::cell::RefCell;
use std::collections::BTreeMap;

/// A string key-value store.
pub(crate) enum Store {
    /// `window.localStorage`.
    Local(web_sys::Storage),
    /// Process memory.
    Memory(RefCell<BTreeMap<String, String>>),
}

/// The `storage` constructor option.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum StorageKind {
    /// `"local"`.
    Local,
    /// `"memory"`.
    Memory,
}

impl Store {
    /// Opens a store of the given kind, or `localStorage` when there is one
    /// and memory otherwise when no kind is asked for.
    pub(crate) fn open(kind: Option<StorageKind>) -> Result<Store, Error> {
        let local = || {
            env::window()
                .and_then(|w| w.local_storage().ok().flatten())
                .map(Store::Local)
        };
        match kind {
            Some(StorageKind::Local) => local().ok_or_else(|| {
                Error::invalid_input(
                    "storage: \"local\" needs window.localStorage, which this environment lacks; use storage: \"memory\"",
                )
            }),
            Some(StorageKind::Memory) => Ok(Store::memory()),
            None => Ok(local().unwrap_or_else(Store::memory)),
        }
    }

    fn memory() -> Store {
        Store::Memory(RefCell::new(BTreeMap::new()))
    }

    /// Whether other tabs see this store (`localStorage`).
    pub(crate) fn is_shared(&self) -> bool {
        matches!(self, Store::Local(_))
    }

    /// The value under `key`; unreadable storage reads as absent.
    pub(crate) fn get(&self, key: &str) -> Option<String> {
        match self {
            Store::Local(s) => s.get_item(key).ok().flatten(),
            Store::Memory(m) => m.borrow().get(key).cloned(),
        }
    }

    /// Stores `value` under `key`; fails when storage is full or disabled.
    pub(crate) fn set(&self, key: &str, value: &str) -> Result<(), Error> {
        match self {
            Store::Local(s) => s.set_item(key, value).map_err(|_| {
                Error::invalid_input(format!(
                    "could not write {} bytes to localStorage (full or disabled)",
                    value.len()
                ))
            }),
            Store::Memory(m) => {
                m.borrow_mut().insert(key.to_string(), value.to_string());
                Ok(())
            }
        }
    }

    /// Removes `key`.
    pub(crate) fn remove(&self, key: &str) {
        match self {
            Store::Local(s) => {
                // Removing can only fail when storage is disabled: nothing to remove then.
                let _ = s.remove_item(key);
            }
            Store::Memory(m) => {
                m.borrow_mut().remove(key);
            }
        }
    }

    /// Every key that starts with `prefix`.
    pub(crate) fn keys_with_prefix(&self, prefix: &str) -> Vec<String> {
        match self {
            Store::Local(s) => {
                let len = s.length().unwrap_or(0);
                (0..len)
                    .filter_map(|i| s.key(i).ok().flatten())
                    .filter(|k| k.starts_with(prefix))
                    .collect()
            }
            Store::Memory(m) => m
                .borrow()
                .keys()
                .filter(|k| k.starts_with(prefix))
                .cloned()
                .collect(),
        }
    }
}
