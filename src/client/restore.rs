//! A client whose queue lives in a storage adapter (React Native's
//! AsyncStorage): one queue per app and project, under
//! `rork-cloud-credits:v1:<projectId>:queue`, read back when the client
//! starts. There are no tabs: create one client per project.
//!
//! One client at a time owns the key: a second client of the same project
//! in this JS runtime waits until the first is closed (as a tab waits for
//! its lock), sending its own events meanwhile but not storing them. The
//! owner reads the stored queue (after the writes already asked for), adds
//! its events to it and from then on writes the whole queue on every change.
//! Until that read is done `flush()` waits for it. If the read fails, the
//! stored copy is left alone (an `error` event says so) and this client's
//! events stay in memory only.

use super::{delivery, tabs, Client};
use crate::js_value;
use crate::storage::adapter::Adapter;
use js_sys::{Function, Promise};
use rork_cloud_credits_core::queue::Absorbed;
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::{spawn_local, JsFuture};

/// Where a client is in taking its adapter's stored queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Restore {
    /// Another client of the same key has not closed yet.
    Waiting,
    /// Reading the stored queue; `flush()` waits for this.
    Reading,
    /// Done (or no adapter).
    Done,
}

thread_local! {
    /// Keys owned by a client of this module, with the clients waiting for them.
    static OWNED: RefCell<HashMap<String, Vec<Function>>> = RefCell::new(HashMap::new());
}

/// The key of an app's queue for `project_id`.
pub(crate) fn queue_key(project_id: &str) -> String {
    format!("{}{project_id}:queue", tabs::PREFIX)
}

/// Adds the queue stored as `text` (this client's from a previous run, or
/// another's) to the client's queue: read by the engine's `JSON.parse`,
/// text that is no JSON at all discarded whole with the reason.
pub(crate) fn absorb(client: &Client, text: &str) -> Absorbed {
    match js_value::from_json_str(text, "the stored text") {
        Ok(document) => client.queue.borrow_mut().absorb(&document),
        Err(error) => Absorbed::unreadable(&error.message),
    }
}

/// Takes the key, reads the stored queue into the client, then sends.
pub(crate) fn start(client: &Rc<Client>, adapter: Rc<Adapter>) {
    let waiting = wait_for_key(&client.queue_key);
    client.restore.set(match waiting {
        Some(_) => Restore::Waiting,
        None => Restore::Reading,
    });
    let client = client.clone();
    spawn_local(async move {
        if let Some(handed_over) = waiting {
            // Only ever resolved.
            let _ = JsFuture::from(handed_over).await;
            client.restore.set(Restore::Reading);
        }
        match adapter.read(&client.queue_key).await {
            Ok(stored) => {
                if let Some(text) = stored {
                    let absorbed = absorb(&client, &text);
                    if let Some(error) = absorbed.error {
                        client.emit_error(error, None);
                    }
                }
                client.owned.set(true);
                client.persist();
            }
            Err(error) => client.emit_error(error, None),
        }
        client.restore.set(Restore::Done);
        if client.closed.get() {
            release(&client.queue_key);
        } else {
            delivery::schedule(&client);
        }
    });
}

/// At `close()`: hands the key to the next client, unless this one has not
/// taken it yet (it hands it over once it has, having stored its events).
pub(crate) fn close(client: &Client) {
    if client.restore.get() == Restore::Done {
        release(&client.queue_key);
    }
}

/// Takes `key` when it is free (`None`); otherwise a promise resolved when
/// it is handed over.
fn wait_for_key(key: &str) -> Option<Promise> {
    OWNED.with(|owned| {
        let mut owned = owned.borrow_mut();
        match owned.get_mut(key) {
            None => {
                owned.insert(key.to_string(), Vec::new());
                None
            }
            Some(waiters) => Some(Promise::new(&mut |resolve, _reject| {
                waiters.push(resolve);
            })),
        }
    })
}

/// Hands `key` to the first waiting client, or frees it.
fn release(key: &str) {
    let next = OWNED.with(|owned| {
        let mut owned = owned.borrow_mut();
        let waiters = owned.get_mut(key)?;
        if waiters.is_empty() {
            owned.remove(key);
            None
        } else {
            Some(waiters.remove(0))
        }
    });
    if let Some(resolve) = next {
        let _ = resolve.call0(&JsValue::UNDEFINED);
    }
}
