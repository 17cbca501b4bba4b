//! A storage adapter given by the app: an object with `getItem(key)`,
//! `setItem(key, value)` and `removeItem(key)` that may return promises, the
//! shape of React Native's AsyncStorage (and of `localStorage`).
//!
//! Writes to one key are serialized and coalesced across every client of
//! this module: while a write to a key is in flight, a newer write replaces
//! the one waiting behind it, so the adapter only ever sees the latest state
//! and never an older state after a newer one. A read waits until the writes
//! already asked for have finished, so a new client reads what a closed one
//! wrote last. A failed write is reported to the adapter's error sink.

use js_sys::{Function, Promise, Reflect};
use rork_cloud_credits_core::Error;
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::{spawn_local, JsFuture};

/// Where an adapter's failed writes go.
type ErrorSink = Box<dyn Fn(Error)>;

/// The app's storage object and where its failures are reported.
pub(crate) struct Adapter {
    object: JsValue,
    get_item: Function,
    set_item: Function,
    remove_item: Function,
    report: RefCell<Option<ErrorSink>>,
}

/// One write to a key.
enum Op {
    Set(String),
    Remove,
}

/// A write and the adapter it goes to.
struct Write {
    adapter: Rc<Adapter>,
    op: Op,
}

/// A key with a write in flight.
#[derive(Default)]
struct Writing {
    /// The latest write asked for since the one in flight started.
    next: Option<Write>,
    /// Resolved when the key has no write in flight or waiting.
    idle: Vec<Function>,
}

thread_local! {
    /// Keys with a write in flight (all clients of this module).
    static WRITING: RefCell<HashMap<String, Writing>> = RefCell::new(HashMap::new());
}

impl Adapter {
    /// Checks that `object` has the three methods; `invalid_input` otherwise.
    pub(crate) fn new(object: JsValue) -> Result<Adapter, Error> {
        let method = |name: &str| {
            Reflect::get(&object, &name.into())
                .ok()
                .and_then(|f| f.dyn_into::<Function>().ok())
                .ok_or_else(|| {
                    Error::invalid_input(format!(
                        "storage must be \"local\", \"memory\" or an object with getItem, setItem and removeItem methods (such as React Native's AsyncStorage); {name} is missing"
                    ))
                })
        };
        Ok(Adapter {
            get_item: method("getItem")?,
            set_item: method("setItem")?,
            remove_item: method("removeItem")?,
            object,
            report: RefCell::new(None),
        })
    }

    /// Where failed writes are reported from now on.
    pub(crate) fn on_error(&self, report: impl Fn(Error) + 'static) {
        self.report.replace(Some(Box::new(report)));
    }

    /// Stores `value` under `key`, after the writes already asked for.
    pub(crate) fn set(self: &Rc<Self>, key: &str, value: &str) {
        self.write(key, Op::Set(value.to_string()));
    }

    /// Removes `key`, after the writes already asked for.
    pub(crate) fn remove(self: &Rc<Self>, key: &str) {
        self.write(key, Op::Remove);
    }

    /// The value under `key` once the writes asked for have finished; `Err`
    /// when `getItem` fails or answers something other than a string or null.
    pub(crate) async fn read(&self, key: &str) -> Result<Option<String>, Error> {
        idle(key).await;
        let value = self.call("getItem", &self.get_item, key, None).await?;
        if value.is_null() || value.is_undefined() {
            return Ok(None);
        }
        value.as_string().map(Some).ok_or_else(|| {
            Error::invalid_input(format!(
                "storage.getItem({key:?}) must resolve to a string or null"
            ))
        })
    }

    fn write(self: &Rc<Self>, key: &str, op: Op) {
        let write = Write {
            adapter: self.clone(),
            op,
        };
        let queued = WRITING.with(|writing| {
            let mut writing = writing.borrow_mut();
            match writing.get_mut(key) {
                Some(busy) => {
                    busy.next = Some(write);
                    None
                }
                None => {
                    writing.insert(key.to_string(), Writing::default());
                    Some(write)
                }
            }
        });
        if let Some(first) = queued {
            spawn_local(run(key.to_string(), first));
        }
    }

    /// Calls `method(key[, value])` on the adapter and awaits its answer.
    async fn call(
        &self,
        name: &str,
        method: &Function,
        key: &str,
        value: Option<&str>,
    ) -> Result<JsValue, Error> {
        let called = match value {
            Some(value) => method.call2(&self.object, &key.into(), &value.into()),
            None => method.call1(&self.object, &key.into()),
        };
        let answered = match called {
            Ok(returned) => JsFuture::from(Promise::resolve(&returned)).await,
            Err(thrown) => Err(thrown),
        };
        answered.map_err(|thrown| {
            let message =
                crate::error::thrown_message(&thrown).unwrap_or_else(|| "it failed".into());
            Error::invalid_input(format!(
                "the storage adapter's {name}({key:?}) failed: {message}"
            ))
        })
    }

    fn report(&self, error: Error) {
        if let Some(report) = &*self.report.borrow() {
            report(error);
        }
    }
}

/// Performs `write` and then each write that replaced the waiting one,
/// until none is left; then wakes the readers waiting for `key`.
async fn run(key: String, mut write: Write) {
    loop {
        let adapter = &write.adapter;
        let done = match &write.op {
            Op::Set(value) => {
                let set = &adapter.set_item;
                adapter.call("setItem", set, &key, Some(value)).await
            }
            Op::Remove => {
                let remove = &adapter.remove_item;
                adapter.call("removeItem", remove, &key, None).await
            }
        };
        if let Err(error) = done {
            adapter.report(error);
        }
        let next = WRITING.with(|writing| {
            let mut writing = writing.borrow_mut();
            let next = writing.get_mut(&key).and_then(|busy| busy.next.take());
            if next.is_none() {
                if let Some(done) = writing.remove(&key) {
                    for resolve in done.idle {
                        let _ = resolve.call0(&JsValue::UNDEFINED);
                    }
                }
            }
            next
        });
        match next {
            Some(next) => write = next,
            None => return,
        }
    }
}

/// Resolves once `key` has no write in flight or waiting.
async fn idle(key: &str) {
    let mut waiting = None;
    WRITING.with(|writing| {
        if let Some(busy) = writing.borrow_mut().get_mut(key) {
            waiting = Some(Promise::new(&mut |resolve, _reject| {
                busy.idle.push(resolve);
            }));
        }
    });
    if let Some(promise) = waiting {
        // Only ever resolved.
        let _ = JsFuture::from(promise).await;
    }
}
