//! Where the client keeps its usage queue: the browser's `localStorage`
//! (shared by the tabs of an origin, surviving reloads), an adapter the app
//! gives (React Native's AsyncStorage; see [`adapter`]), or memory (one
//! client's lifetime).

pub(crate) mod adapter;

use crate::client::env;
use adapter::Adapter;
use js_sys::Reflect;
use rork_cloud_credits_core::Error;
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;
use wasm_bindgen::JsValue;

/// A string key-value store.
pub(crate) enum Store {
    /// `window.localStorage`.
    Local(web_sys::Storage),
    /// The app's asynchronous storage: written in the background, read once
    /// at start through [`Adapter::read`], never enumerated.
    Adapter(Rc<Adapter>),
    /// Process memory.
    Memory(RefCell<BTreeMap<String, String>>),
}

/// The `storage` constructor option.
pub(crate) enum StorageKind {
    /// `"local"`.
    Local,
    /// `"memory"`.
    Memory,
    /// An object with `getItem` / `setItem` / `removeItem`.
    Adapter(Adapter),
}

impl StorageKind {
    /// Reads the `storage` option of `options`: absent (`None`), `"local"`,
    /// `"memory"` or an adapter object; anything else is `invalid_input`.
    pub(crate) fn from_options(options: &JsValue) -> Result<Option<StorageKind>, Error> {
        let value = Reflect::get(options, &"storage".into())
            .map_err(|_| Error::invalid_input("storage could not be read"))?;
        if value.is_undefined() {
            return Ok(None);
        }
        match value.as_string().as_deref() {
            Some("local") => Ok(Some(StorageKind::Local)),
            Some("memory") => Ok(Some(StorageKind::Memory)),
            Some(other) => Err(Error::invalid_input(format!(
                "storage must be \"local\", \"memory\" or a storage adapter, got {other:?}"
            ))),
            None => Adapter::new(value).map(|a| Some(StorageKind::Adapter(a))),
        }
    }
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
            Some(StorageKind::Adapter(adapter)) => Ok(Store::Adapter(Rc::new(adapter))),
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

    /// Whether what is stored outlives this client.
    pub(crate) fn is_persistent(&self) -> bool {
        !matches!(self, Store::Memory(_))
    }

    /// The value under `key`; unreadable storage reads as absent, and so does
    /// an adapter (read asynchronously, only at start).
    pub(crate) fn get(&self, key: &str) -> Option<String> {
        match self {
            Store::Local(s) => s.get_item(key).ok().flatten(),
            Store::Adapter(_) => None,
            Store::Memory(m) => m.borrow().get(key).cloned(),
        }
    }

    /// Stores `value` under `key`; fails when storage is full or disabled.
    /// An adapter is written in the background and reports its failures
    /// through the sink given to [`Adapter::on_error`].
    pub(crate) fn set(&self, key: &str, value: &str) -> Result<(), Error> {
        match self {
            Store::Local(s) => s.set_item(key, value).map_err(|_| {
                Error::invalid_input(format!(
                    "could not write {} bytes to localStorage (full or disabled)",
                    value.len()
                ))
            }),
            Store::Adapter(adapter) => {
                adapter.set(key, value);
                Ok(())
            }
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
            Store::Adapter(adapter) => adapter.remove(key),
            Store::Memory(m) => {
                m.borrow_mut().remove(key);
            }
        }
    }

    /// Every key that starts with `prefix` (none for an adapter, which is
    /// never enumerated).
    pub(crate) fn keys_with_prefix(&self, prefix: &str) -> Vec<String> {
        match self {
            Store::Local(s) => {
                let len = s.length().unwrap_or(0);
                (0..len)
                    .filter_map(|i| s.key(i).ok().flatten())
                    .filter(|k| k.starts_with(prefix))
                    .collect()
            }
            Store::Adapter(_) => Vec::new(),
            Store::Memory(m) => m
                .borrow()
                .keys()
                .filter(|k| k.starts_with(prefix))
                .cloned()
                .collect(),
        }
    }
}
