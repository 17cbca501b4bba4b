//! Sharing `localStorage` between tabs without sending an event twice.
//!
//! Each client (one per tab) keeps its queue under its own key,
//! `rork-cloud-credits:v1:<projectId>:queue:<tabId>`, and only ever sends the
//! events of its own queue. It owns that key through a lock of the same name,
//! held for the client's lifetime: the Web Locks API where the browser has it
//! (released by the browser when the tab closes or crashes), else a lease in
//! storage (`...:lease:<tabId>`, renewed every 30 s, given up when the page
//! unloads for good, void after 5 minutes if it could not be).
//!
//! A queue whose owner is gone (a closed tab, or this tab before a reload) is
//! adopted: its lock taken (Web Locks `ifAvailable`, so only one tab can win)
//! or its expired lease claimed, its events absorbed into this tab's queue and
//! persisted under this tab's key, and only then its key removed. Storage
//! leases cannot be taken atomically; two tabs racing for the same expired
//! lease may both send its events, which the server's per-event dedup turns
//! into one charge.

use super::{delivery, env, restore, Client};
use crate::client::env::Timer;
use crate::js_value;
use js_sys::{Function, Object, Promise, Reflect};
use rork_cloud_credits_core::queue::Lease;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// Every key of this SDK starts with this.
pub(crate) const PREFIX: &str = "rork-cloud-credits:v1:";
/// How long a storage lease lasts without renewal.
const LEASE_TTL_MS: u64 = 5 * 60_000;
/// How often the lease is renewed and abandoned queues are looked for.
const TICK_MS: u64 = 30_000;

#[wasm_bindgen]
extern "C" {
    /// `navigator.locks`.
    type LockManager;
    #[wasm_bindgen(method)]
    fn request(this: &LockManager, name: &str, options: &JsValue, callback: &Function) -> Promise;
}

/// `navigator.locks`, when the browser has the Web Locks API.
fn lock_manager() -> Option<LockManager> {
    let navigator = env::global("navigator")?;
    Reflect::get(&navigator, &"locks".into())
        .ok()
        .filter(|locks| locks.is_object())
        .map(JsCast::unchecked_into)
}

/// The key (and lock name) of a tab's queue.
pub(crate) fn queue_key(project_id: &str, tab_id: &str) -> String {
    format!("{PREFIX}{project_id}:queue:{tab_id}")
}

fn lease_key(project_id: &str, tab_id: &str) -> String {
    format!("{PREFIX}{project_id}:lease:{tab_id}")
}

/// Takes ownership of this tab's queue key, then adopts abandoned queues and
/// keeps doing so every 30 s. With memory storage nothing is shared: the
/// client owns its queue at once.
pub(crate) fn start(client: &Rc<Client>) {
    if !client.store.is_shared() {
        client.owned.set(true);
        return;
    }
    match lock_manager() {
        Some(locks) => hold_own_lock(client, &locks),
        None => {
            renew_lease(client);
            became_owner(client);
        }
    }
}

fn became_owner(client: &Rc<Client>) {
    client.owned.set(true);
    client.persist();
    adopt_abandoned(client);
    tick(client);
}

/// Requests this tab's lock and holds it until the client closes.
fn hold_own_lock(client: &Rc<Client>, locks: &LockManager) {
    let weak = Rc::downgrade(client);
    let granted = Closure::once_into_js(move |_lock: JsValue| -> JsValue {
        let Some(client) = weak.upgrade() else {
            return JsValue::UNDEFINED;
        };
        if client.closed.get() {
            return JsValue::UNDEFINED;
        }
        // The lock is held until this promise settles: at close().
        let held = Promise::new(&mut |resolve, _reject| {
            client.release_lock.replace(Some(resolve));
        });
        became_owner(&client);
        held.into()
    });
    let name = queue_key(&client.project_id, &client.tab_id);
    // The request only rejects when the page goes away.
    let _ = locks.request(&name, &Object::new(), granted.unchecked_ref());
}

/// Every 30 s: renew the lease (without Web Locks) and adopt abandoned queues.
fn tick(client: &Rc<Client>) {
    let weak = Rc::downgrade(client);
    let timer = Timer::after(TICK_MS, move || {
        if let Some(client) = weak.upgrade() {
            if !client.closed.get() {
                if lock_manager().is_none() {
                    renew_lease(&client);
                }
                adopt_abandoned(&client);
                tick(&client);
            }
        }
    });
    client.tick_timer.replace(Some(timer));
}

fn renew_lease(client: &Client) {
    let lease = Lease::grant(&client.tab_id, env::now_ms(), LEASE_TTL_MS);
    let key = lease_key(&client.project_id, &client.tab_id);
    if let Err(error) = client.store.set(&key, &lease.to_json()) {
        client.emit_error(error, None);
    }
}

/// Removes this tab's lease (at close); only shared storage has leases.
pub(crate) fn forget_lease(client: &Client) {
    if !client.store.is_shared() {
        return;
    }
    client
        .store
        .remove(&lease_key(&client.project_id, &client.tab_id));
}

/// Adopts the queue of every tab whose owner is gone.
fn adopt_abandoned(client: &Rc<Client>) {
    let prefix = queue_key(&client.project_id, "");
    let own = &client.queue_key;
    let locks = lock_manager();
    for key in client.store.keys_with_prefix(&prefix) {
        if key == *own {
            continue;
        }
        let tab = key[prefix.len()..].to_string();
        match &locks {
            Some(locks) => {
                let weak = Rc::downgrade(client);
                let key_for_callback = key.clone();
                let callback = Closure::once_into_js(move |lock: JsValue| {
                    // `null` when another tab holds it: its owner is alive.
                    if !lock.is_null() {
                        if let Some(client) = weak.upgrade() {
                            adopt(&client, &key_for_callback, None);
                        }
                    }
                });
                let options = Object::new();
                let _ = Reflect::set(&options, &"ifAvailable".into(), &true.into());
                let _ = locks.request(&key, &options, callback.unchecked_ref());
            }
            None => {
                let lease_key = lease_key(&client.project_id, &tab);
                let now = env::now_ms();
                let stored = client.store.get(&lease_key);
                let lease = stored
                    .and_then(|text| js_value::from_json_str(&text, "the lease").ok())
                    .and_then(|lease| Lease::read(&lease));
                if Lease::may_take(lease.as_ref(), &client.tab_id, now) {
                    let claim = Lease::grant(&client.tab_id, now, LEASE_TTL_MS);
                    if client.store.set(&lease_key, &claim.to_json()).is_ok() {
                        adopt(client, &key, Some(&lease_key));
                    }
                }
            }
        }
    }
}

/// Moves the queue stored under `key` into this client's queue.
fn adopt(client: &Rc<Client>, key: &str, lease_key: Option<&str>) {
    let Some(text) = client.store.get(key) else {
        return;
    };
    let absorbed = restore::absorb(client, &text);
    // Remove the old copy only once the events are safe under our key.
    if client.persist() {
        client.store.remove(key);
        if let Some(lease_key) = lease_key {
            client.store.remove(lease_key);
        }
    }
    if let Some(error) = absorbed.error {
        client.emit_error(error, None);
    }
    if absorbed.added > 0 {
        delivery::schedule(client);
    }
}
