//! A client whose queue lives in a storage adapter (React Native's
//! AsyncStorage): one queue per app and project, under
//! `rork-cloud-credits:v1:<projectId>:queue`, read back when the client
//! starts. There are no tabs to coordinate: create one client per project.
//!
//! The stored queue is read asynchronously, so a new client does not own
//! its key at once: until the read is done, `persist()` writes nothing (new
//! events wait in memory) and `flush()` waits for it. Then the stored events
//! join the queue and the whole queue is written back. If the read fails,
//! the stored copy is left alone (an `error` event says so) and this
//! client's events stay in memory only.

use super::{delivery, tabs, Client};
use crate::storage::adapter::Adapter;
use std::rc::Rc;
use wasm_bindgen_futures::spawn_local;

/// The key of an app's queue for `project_id`.
pub(crate) fn queue_key(project_id: &str) -> String {
    format!("{}{project_id}:queue", tabs::PREFIX)
}

/// Reads the stored queue into the client, then owns the key and sends.
pub(crate) fn start(client: &Rc<Client>, adapter: Rc<Adapter>) {
    client.restoring.set(true);
    let client = client.clone();
    spawn_local(async move {
        match adapter.read(&client.queue_key).await {
            Ok(stored) => {
                if let Some(text) = stored {
                    let absorbed = client.queue.borrow_mut().absorb(&text);
                    if let Some(error) = absorbed.error {
                        client.emit_error(error, None);
                    }
                }
                client.owned.set(true);
                client.persist();
            }
            Err(error) => client.emit_error(error, None),
        }
        client.restoring.set(false);
        delivery::schedule(&client);
    });
}
