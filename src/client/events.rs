//! The client's events and their listeners (`on` / `off`).

use js_sys::Function;
use rork_cloud_credits_core::Error;

/// The events a `CloudCredits` client emits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum EventName {
    /// A balance was read (detail: the balance).
    Balance,
    /// The balance became `low` (detail: the balance, with `addCreditsUrl`).
    Low,
    /// The balance became `empty` (detail: the balance, with `addCreditsUrl`).
    Empty,
    /// "Use Cloud Credits" is off for the project (detail: the balance).
    Disabled,
    /// Something failed that no call of the app can see: a usage event the
    /// server rejected, storage that could not be written or read, storage
    /// that does not persist, a full queue (detail: a `CloudCreditsError`).
    Error,
}

impl EventName {
    /// Parses an event name.
    pub(crate) fn parse(name: &str) -> Result<EventName, Error> {
        match name {
            "balance" => Ok(EventName::Balance),
            "low" => Ok(EventName::Low),
            "empty" => Ok(EventName::Empty),
            "disabled" => Ok(EventName::Disabled),
            "error" => Ok(EventName::Error),
            other => Err(Error::invalid_input(format!(
                "unknown event {other:?}; the events are \"balance\", \"low\", \"empty\", \"disabled\" and \"error\""
            ))),
        }
    }
}

/// Registered listeners, in registration order.
#[derive(Default)]
pub(crate) struct Listeners(Vec<(EventName, Function)>);

impl Listeners {
    /// Adds `listener` for `event`, unless it is already registered for it.
    pub(crate) fn add(&mut self, event: EventName, listener: Function) {
        if !self.0.iter().any(|(e, f)| *e == event && *f == listener) {
            self.0.push((event, listener));
        }
    }

    /// Removes `listener` for `event`.
    pub(crate) fn remove(&mut self, event: EventName, listener: &Function) {
        self.0.retain(|(e, f)| !(*e == event && f == listener));
    }

    /// Removes every listener.
    pub(crate) fn clear(&mut self) {
        self.0.clear();
    }

    /// The listeners of `event` (a copy, so listeners may call `on`/`off`).
    pub(crate) fn of(&self, event: EventName) -> Vec<Function> {
        self.0
            .iter()
            .filter(|(e, _)| *e == event)
            .map(|(_, f)| f.clone())
            .collect()
    }

    /// Whether anyone listens to balance changes.
    pub(crate) fn want_balance(&self) -> bool {
        self.0.iter().any(|(e, _)| *e != EventName::Error)
    }
}
