//! The connection cap: a slot per open connection. When every slot is taken,
//! a new connection takes the slot of the oldest connection with no request
//! in flight (an idle keep-alive connection, or one that never sent a whole
//! request head), which is told to close; only when every connection is in
//! the middle of a request is the newcomer shed.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use tokio::sync::Notify;

/// The open connections, at most `max`.
pub(super) struct Slots {
    max: usize,
    next_id: AtomicUsize,
    open: Mutex<BTreeMap<usize, Arc<Slot>>>,
}

/// One connection's place under the cap.
pub(super) struct Slot {
    in_flight: AtomicUsize,
    served: AtomicBool,
    evicted: Notify,
}

/// A held slot; dropping it (the connection ended) frees the place.
pub(super) struct Held {
    id: usize,
    slot: Arc<Slot>,
    slots: Arc<Slots>,
}

/// Marks a request in flight on its connection until dropped.
pub(super) struct Busy(Arc<Slot>);

impl Slots {
    /// Room for `max` connections.
    pub(super) fn new(max: usize) -> Arc<Slots> {
        Arc::new(Slots {
            max,
            next_id: AtomicUsize::new(0),
            open: Mutex::new(BTreeMap::new()),
        })
    }

    /// A slot for a new connection, evicting the oldest idle one if the cap
    /// is reached; `None` when every connection is busy.
    pub(super) fn admit(self: &Arc<Self>) -> Option<Held> {
        let mut open = self.open.lock().unwrap_or_else(PoisonError::into_inner);
        if open.len() >= self.max {
            let idle = open
                .iter()
                .find(|(_, slot)| slot.in_flight.load(Ordering::Acquire) == 0)
                .map(|(id, _)| *id)?;
            if let Some(victim) = open.remove(&idle) {
                victim.evicted.notify_one();
            }
        }
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let slot = Arc::new(Slot {
            in_flight: AtomicUsize::new(0),
            served: AtomicBool::new(false),
            evicted: Notify::new(),
        });
        open.insert(id, slot.clone());
        Some(Held {
            id,
            slot,
            slots: self.clone(),
        })
    }
}

impl Slot {
    /// Counts a request in flight on this connection until the guard drops.
    pub(super) fn busy(self: &Arc<Self>) -> Busy {
        self.served.store(true, Ordering::Release);
        self.in_flight.fetch_add(1, Ordering::AcqRel);
        Busy(self.clone())
    }
}

impl Held {
    /// The slot, for the request service to mark requests in flight.
    pub(super) fn slot(&self) -> Arc<Slot> {
        self.slot.clone()
    }

    /// Whether a request was ever dispatched on this connection.
    pub(super) fn served(&self) -> bool {
        self.slot.served.load(Ordering::Acquire)
    }

    /// Completes when a newer connection took this one's place.
    pub(super) async fn evicted(&self) {
        self.slot.evicted.notified().await;
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        // Absent already if it was evicted.
        self.slots
            .open
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&self.id);
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::AcqRel);
    }
}
