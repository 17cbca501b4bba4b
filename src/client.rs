//! The `CloudCredits` class: the browser client of the Cloud Credits server.
//!
//! It reads the project's balance (cached briefly, announced through
//! events), reserves and settles holds, and reports usage through the core's
//! persisted usage queue ([`rork_cloud_credits_core::queue`]), which this
//! module only drives: `fetch` ([`crate::transport`]), `localStorage` or
//! the app's storage adapter ([`crate::storage`], [`restore`]), timers,
//! page-lifecycle and online/offline events where there is a page, and
//! coordination between tabs ([`tabs`]). Outside browsers (React Native,
//! Node.js) the page hooks and tab locks are simply absent.

mod debug;
mod delivery;
pub(crate) mod env;
mod events;
mod hold;
mod input;
mod options;
mod restore;
mod tabs;
mod typescript;

pub use hold::Hold;

use crate::storage::{StorageKind, Store};
use crate::transport::{CallError, CallOptions, Request, Transport};
use crate::{active_catalog, error, js_value, json};
use env::Timer;
use events::{EventName, Listeners};
use js_sys::{Function, Promise, Reflect};
use restore::Restore;
use rork_cloud_credits_core::catalog::Billing;
use rork_cloud_credits_core::estimate::UsageRequest;
use rork_cloud_credits_core::queue::{QueueConfig, UsageQueue};
use rork_cloud_credits_core::wire::{
    Balance, BalanceStatus, HoldRequest, NotificationKind, NotificationList, UsageEvent,
    UsageSummary,
};
use rork_cloud_credits_core::{Error, ErrorCode};
use rust_decimal::Decimal;
use serde::Serialize;
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::future_to_promise;
use web_sys::EventTarget;

/// How long `balance()` answers from its cache.
const BALANCE_TTL_MS: u64 = 5_000;

/// The state shared by a `CloudCredits` object, its holds, timers and
/// event handlers.
pub(crate) struct Client {
    pub(crate) transport: Transport,
    pub(crate) project_id: String,
    /// The app's id for its end user, sent with every hold and usage event.
    end_user: Option<String>,
    pub(crate) store: Store,
    pub(crate) tab_id: String,
    /// Where this client's queue is stored.
    pub(crate) queue_key: String,
    pub(crate) queue: RefCell<UsageQueue>,
    /// Whether this client owns its storage key (its tab lock is held, or
    /// its adapter's stored queue has been read).
    pub(crate) owned: Cell<bool>,
    /// Where the client is in taking the queue stored through an adapter.
    pub(crate) restore: Cell<Restore>,
    pub(crate) closed: Cell<bool>,
    /// The next scheduled send.
    pub(crate) timer: RefCell<Option<Timer>>,
    /// The next lease renewal and adoption scan.
    pub(crate) tick_timer: RefCell<Option<Timer>>,
    /// Resolving it releases this tab's Web Lock.
    pub(crate) release_lock: RefCell<Option<Function>>,
    listeners: RefCell<Listeners>,
    balance: RefCell<Option<(Balance, u64)>>,
    /// The last balance status and toggle announced.
    announced: Cell<Option<(BalanceStatus, bool)>>,
    /// Whether a write of the queue is due at the end of the current task ([`Client::persist_soon`]).
    persist_due: Cell<bool>,
    hooks: RefCell<Vec<Hook>>,
}

/// A page-lifecycle or network listener, removed at `close()`.
struct Hook {
    target: EventTarget,
    name: &'static str,
    callback: Closure<dyn FnMut(JsValue)>,
}

impl Client {
    fn project_path(&self, tail: &str) -> String {
        let id: String = js_sys::encode_uri_component(&self.project_id).into();
        format!("/v1/projects/{id}/{tail}")
    }

    /// Writes the queue under this tab's key (removes the key when the queue
    /// is empty). Reports a failed write through `error`; `false` then, and
    /// also before this tab owns its key. In memory nothing outlives this
    /// client, so nothing is written (a snapshot costs a pass over the queue).
    pub(crate) fn persist(&self) -> bool {
        if !self.owned.get() {
            return false;
        }
        if !self.store.is_persistent() {
            return true;
        }
        let key = &self.queue_key;
        let written = {
            let queue = self.queue.borrow();
            if queue.is_empty() {
                self.store.remove(key);
                Ok(())
            } else {
                self.store.set(key, &queue.snapshot())
            }
        };
        match written {
            Ok(()) => true,
            Err(error) => {
                self.emit_error(error, None);
                false
            }
        }
    }

    /// [`Client::persist`] once at the end of the current task (in a
    /// microtask), however many reports the task queued: a burst of
    /// `reportUsage` calls writes the queue once instead of once per call.
    /// Nothing can run between a task and its microtasks (no page hide, no
    /// unload), so the queue is as durable as with a write per call.
    fn persist_soon(self: &Rc<Self>) {
        // In memory there is nothing to write (see `persist`): no microtask either.
        if !self.store.is_persistent() || self.persist_due.replace(true) {
            return;
        }
        let client = self.clone();
        wasm_bindgen_futures::spawn_local(async move {
            client.persist_due.set(false);
            // `close()` has written the queue itself and may have handed the key on.
            if !client.closed.get() {
                client.persist();
            }
        });
    }

    fn emit(&self, event: EventName, detail: &JsValue) {
        let listeners = self.listeners.borrow().of(event);
        for listener in listeners {
            // A throwing listener must not stop the others or the client.
            let _ = listener.call1(&JsValue::UNDEFINED, detail);
        }
    }

    /// Emits `error` with a `CloudCreditsError` (and its `eventId`, if any).
    pub(crate) fn emit_error(&self, error: Error, event_id: Option<&str>) {
        let js = error::to_js(error);
        if let Some(id) = event_id {
            let _ = Reflect::set(&js, &"eventId".into(), &id.into());
        }
        self.emit(EventName::Error, &js);
    }

    /// The JS error for a failed call; a `cloud_disabled` refusal also
    /// refreshes the balance so `disabled` is announced.
    /// An abort rejects with the signal's reason, untouched.
    pub(crate) fn fail(self: &Rc<Self>, error: impl Into<CallError>) -> JsValue {
        let error = error.into();
        if let CallError::Failed(Error {
            code: ErrorCode::CloudDisabled | ErrorCode::InsufficientCredits,
            ..
        }) = error
        {
            self.balance_changed();
        }
        error.into_js()
    }

    /// The balance may have changed: forget the cached one and, if anyone
    /// listens, read and announce it.
    pub(crate) fn balance_changed(self: &Rc<Self>) {
        self.balance.replace(None);
        if self.listeners.borrow().want_balance() {
            let client = self.clone();
            wasm_bindgen_futures::spawn_local(async move {
                // Aborted by the client's own signal: nobody is waiting to hear.
                if let Err(CallError::Failed(error)) =
                    client.read_balance(true, &CallOptions::default()).await
                {
                    client.emit_error(error, None);
                }
            });
        }
    }

    async fn read_balance(
        self: &Rc<Self>,
        refresh: bool,
        options: &CallOptions,
    ) -> Result<Balance, CallError> {
        let now = env::now_ms();
        if !refresh {
            if let Some((balance, at)) = &*self.balance.borrow() {
                if now.saturating_sub(*at) < BALANCE_TTL_MS {
                    return Ok(balance.clone());
                }
            }
        }
        let balance: Balance = self
            .transport
            .call(&get(&self.project_path("balance")), options)
            .await?;
        self.balance.replace(Some((balance.clone(), now)));
        self.announce(&balance);
        Ok(balance)
    }

    /// Emits `balance`, and `low` / `empty` / `disabled` when that state is new.
    fn announce(&self, balance: &Balance) {
        let state = (balance.status, balance.use_cloud_credits);
        let before = self.announced.replace(Some(state));
        // Nobody to tell: no JS value to build (the state above is still kept).
        if !self.listeners.borrow().want_balance() {
            return;
        }
        let Ok(detail) = json::to_js(balance) else {
            return;
        };
        self.emit(EventName::Balance, &detail);
        if before.map(|(status, _)| status) != Some(balance.status) {
            match balance.status {
                BalanceStatus::Low => self.emit(EventName::Low, &detail),
                BalanceStatus::Empty => self.emit(EventName::Empty, &detail),
                BalanceStatus::Ok => {}
            }
        }
        if !balance.use_cloud_credits && before.map(|(_, on)| on) != Some(false) {
            self.emit(EventName::Disabled, &detail);
        }
    }

    /// Makes a hold. Every attempt carries the same `Idempotency-Key`, so a
    /// retry after a lost answer gets the hold the first attempt made.
    async fn reserve(
        self: &Rc<Self>,
        mut request: HoldRequest,
        options: &CallOptions,
    ) -> Result<JsValue, JsValue> {
        request.end_user = self.end_user.clone();
        let body = serde_json::to_string(&request)
            .map_err(|e| error::to_js(Error::invalid_input(e.to_string())))?;
        let key = env::new_uuid().map_err(error::to_js)?;
        let path = self.project_path("holds");
        let request = Request {
            method: "POST",
            path: &path,
            body: Some(&body),
            idempotency_key: Some(&key),
        };
        let result = self.transport.call(&request, options).await;
        let hold = result.map_err(|e| self.fail(e))?;
        self.balance_changed();
        Ok(Hold::new(self.clone(), hold).into())
    }

    /// Emits `error` (`invalid_input`, after the constructor returns, so
    /// listeners added right after it hear it) when no storage was chosen
    /// and none that persists exists: queued usage lives in memory only.
    fn warn_volatile(self: &Rc<Self>) {
        let client = self.clone();
        wasm_bindgen_futures::spawn_local(async move {
            client.emit_error(
                Error::invalid_input(
                    "no persistent storage (no localStorage and no storage adapter): queued usage is kept in memory \
                     only and is lost if the app exits before it is sent; pass storage: AsyncStorage (React Native) \
                     or storage: \"memory\" to choose this",
                ),
                None,
            );
        });
    }

    fn listen(
        self: &Rc<Self>,
        target: &EventTarget,
        name: &'static str,
        action: fn(&Rc<Client>, &JsValue),
    ) {
        let weak = Rc::downgrade(self);
        let callback = Closure::<dyn FnMut(JsValue)>::new(move |event: JsValue| {
            if let Some(client) = weak.upgrade() {
                action(&client, &event);
            }
        });
        if target
            .add_event_listener_with_callback(name, callback.as_ref().unchecked_ref())
            .is_ok()
        {
            self.hooks.borrow_mut().push(Hook {
                target: target.clone(),
                name,
                callback,
            });
        }
    }

    /// Online/offline and page-hide handling, where there is a window.
    fn install_hooks(self: &Rc<Self>) {
        let Some(window) = env::window() else {
            return;
        };
        self.listen(&window, "online", |client, _| {
            client.queue.borrow_mut().set_online(true);
            delivery::schedule(client);
        });
        self.listen(&window, "offline", |client, _| {
            client.queue.borrow_mut().set_online(false);
        });
        self.listen(&window, "pagehide", |client, event| {
            delivery::page_hidden(client);
            // Unloading for good (not kept in the back-forward cache): give up the storage
            // lease, as the browser releases a Web Lock, so that the next load of this page
            // adopts the queue at once instead of when the lease expires. Events in flight
            // from here may be sent twice; the server records each event id once.
            let kept = Reflect::get(event, &"persisted".into())
                .is_ok_and(|persisted| persisted.is_truthy());
            if !kept {
                tabs::forget_lease(client);
            }
        });
        if let Some(document) = window.document() {
            self.listen(&document, "visibilitychange", |client, _| {
                let hidden = env::window()
                    .and_then(|w| w.document())
                    .is_some_and(|d| d.visibility_state() == web_sys::VisibilityState::Hidden);
                if hidden {
                    delivery::page_hidden(client);
                }
            });
        }
    }
}

/// The Cloud Credits client of one project, for the browser, React Native
/// (with `storage: AsyncStorage`) and Node.js. Create one per page (it
/// shares the usage queue with other tabs of the app safely) or, in React
/// Native, one per app.
///
/// ```ts
/// const cc = new CloudCredits({ baseUrl: "https://credits.example.com", projectId, publishableKey: "pk_..." });
/// cc.on("low", (b) => showBanner(`Cloud Credits are running low`, b.addCreditsUrl));
/// const id = cc.reportUsage({ model: "gpt-4o", inputTokens: 1200, outputTokens: 300, feature: "chat" });
/// ```
#[wasm_bindgen]
pub struct CloudCredits {
    client: Rc<Client>,
}

#[wasm_bindgen]
impl CloudCredits {
    /// Creates the client. Throws `invalid_input` for a missing or malformed
    /// option (a `baseUrl` that is not http(s), a key that is not `pk_...`).
    /// Usage left by earlier page loads or closed tabs is picked up and sent.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "CloudCreditsOptions")] options: JsValue,
    ) -> Result<CloudCredits, JsValue> {
        Self::create(&options).map_err(error::to_js)
    }

    fn create(options: &JsValue) -> Result<CloudCredits, Error> {
        if !options.is_object() {
            return Err(Error::invalid_input(
                "new CloudCredits(options) needs { baseUrl, projectId, publishableKey }",
            ));
        }
        let base_url = options::string(options, "baseUrl")?
            .filter(|url| url.starts_with("https://") || url.starts_with("http://"))
            .ok_or_else(|| {
                Error::invalid_input("baseUrl must be the server's http(s) URL, such as \"https://credits.example.com\"")
            })?;
        let project_id = options::string(options, "projectId")?
            .filter(|id| !id.is_empty())
            .ok_or_else(|| Error::invalid_input("projectId is required"))?;
        let key = options::string(options, "publishableKey")?
            .filter(|key| key.starts_with("pk_"))
            .ok_or_else(|| {
                Error::invalid_input(
                    "publishableKey must be the project's publishable key (pk_...); never put a secret key in a browser",
                )
            })?;
        let end_user = options::string(options, "endUser")?;
        if end_user
            .as_ref()
            .is_some_and(|user| user.is_empty() || user.chars().count() > input::MAX_LABEL_CHARS)
        {
            return Err(Error::invalid_input(
                "endUser must be 1 to 100 characters: the app's id for its end user",
            ));
        }
        let storage = StorageKind::from_options(options)?;
        // Without persistent storage queued usage dies with the client: say so.
        let volatile = storage.is_none();
        let fetch = match Reflect::get(options, &"fetch".into()) {
            Ok(value) if value.is_undefined() => env::global("fetch"),
            Ok(value) => Some(value),
            Err(_) => None,
        }
        .and_then(|f| f.dyn_into::<Function>().ok())
        .ok_or_else(|| {
            Error::invalid_input("fetch must be a function (there is no global fetch here)")
        })?;
        let defaults = options::defaults(options)?;
        let mut queue = UsageQueue::new(QueueConfig::default());
        queue.set_online(env::is_online());
        let store = Store::open(storage)?;
        let tab_id = env::new_uuid()?;
        let queue_key = match &store {
            Store::Adapter(_) => restore::queue_key(&project_id),
            _ => tabs::queue_key(&project_id, &tab_id),
        };
        let volatile = volatile && !store.is_persistent();
        let client = Rc::new(Client {
            transport: Transport::new(&base_url, &key, fetch, defaults),
            project_id,
            end_user,
            store,
            tab_id,
            queue_key,
            queue: RefCell::new(queue),
            owned: Cell::new(false),
            restore: Cell::new(Restore::Done),
            closed: Cell::new(false),
            timer: RefCell::new(None),
            tick_timer: RefCell::new(None),
            release_lock: RefCell::new(None),
            listeners: RefCell::new(Listeners::default()),
            balance: RefCell::new(None),
            announced: Cell::new(None),
            persist_due: Cell::new(false),
            hooks: RefCell::new(Vec::new()),
        });
        client.install_hooks();
        match &client.store {
            Store::Adapter(adapter) => {
                let weak = Rc::downgrade(&client);
                adapter.on_error(move |error| {
                    if let Some(client) = weak.upgrade() {
                        client.emit_error(error, None);
                    }
                });
                restore::start(&client, adapter.clone());
            }
            _ => tabs::start(&client),
        }
        if volatile {
            client.warn_volatile();
        }
        Ok(CloudCredits { client })
    }

    /// The project's balance, from a cache at most 5 s old unless
    /// `{ refresh: true }`. Each read from the server also emits `balance`
    /// (and `low` / `empty` / `disabled` when that state is new). The cache
    /// is dropped after every delivered usage batch, hold and settlement.
    /// Retried on failures that may pass (see `retry`).
    #[wasm_bindgen(unchecked_return_type = "Promise<Balance>")]
    pub fn balance(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "BalanceOptions")] options: JsValue,
    ) -> Promise {
        let parsed = options::call(&options, &["refresh"]);
        let refresh = Reflect::get(&options, &"refresh".into()).is_ok_and(|v| v.is_truthy());
        let client = self.client.clone();
        future_to_promise(async move {
            let call = parsed.map_err(error::to_js)?;
            let balance = client.read_balance(refresh, &call).await;
            json::to_js(&balance.map_err(|e| client.fail(e))?)
        })
    }

    /// Calls `listener` on `event`. Listening to `balance`, `low`, `empty` or
    /// `disabled` also makes the client read the balance after each change.
    /// (Typed generically over the event map in `client/typescript.rs`.)
    #[wasm_bindgen(skip_typescript)]
    pub fn on(&self, event: &str, listener: Function) -> Result<(), JsValue> {
        let event = EventName::parse(event).map_err(error::to_js)?;
        self.client.listeners.borrow_mut().add(event, listener);
        Ok(())
    }

    /// Stops calling `listener` on `event`.
    #[wasm_bindgen(skip_typescript)]
    pub fn off(&self, event: &str, listener: Function) -> Result<(), JsValue> {
        let event = EventName::parse(event).map_err(error::to_js)?;
        self.client.listeners.borrow_mut().remove(event, &listener);
        Ok(())
    }

    /// Reserves money on the server: the `total` of an `estimateCost` result,
    /// `{ amountUsd: "0.05" }`, or the server's estimate of a usage request.
    /// Rejects with `insufficient_credits`, `cloud_disabled`, `invalid_input`,
    /// `unknown_model`, `unauthorized`, `network` or `server`. Retried on
    /// failures that may pass: every attempt carries one `Idempotency-Key`,
    /// so a retry never makes a second hold.
    #[wasm_bindgen(unchecked_return_type = "Promise<Hold>")]
    pub fn reserve(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Estimate | UsageRequest | { amountUsd: string }")]
        request: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue,
    ) -> Promise {
        let parsed = input::hold_request(&request)
            .and_then(|request| Ok((request, options::call(&options, &[])?)));
        let client = self.client.clone();
        future_to_promise(async move {
            let (request, call) = parsed.map_err(error::to_js)?;
            client.reserve(request, &call).await
        })
    }

    /// Estimate and reserve in one call: the recommended way to wrap an AI
    /// call. Validates the request locally (like `estimateCost`), then holds
    /// the server's estimate of it. Settle the hold with the actual usage.
    /// Give the call's maximum output (`max_tokens`) as `outputTokens`: a
    /// settlement through the publishable key charges at most the hold.
    /// Retried like `reserve`.
    #[wasm_bindgen(unchecked_return_type = "Promise<Hold>")]
    pub fn guard(
        &self,
        #[wasm_bindgen(unchecked_param_type = "UsageRequest")] request: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue,
    ) -> Promise {
        let parsed = input::usage_report(&request, "the request")
            .and_then(|report| Ok((report, options::call(&options, &[])?)));
        let client = self.client.clone();
        future_to_promise(async move {
            let (report, call) = parsed.map_err(error::to_js)?;
            let request = HoldRequest {
                usage: Some(report.usage),
                ..HoldRequest::default()
            };
            client.reserve(request, &call).await
        })
    }

    /// How many output tokens (token-billed models, after a prompt of
    /// `inputTokens`) or units (unit-billed models) the available balance
    /// still pays for, exactly. The balance comes from `balance()` (its
    /// cache, or a read retried like `balance()`'s).
    #[wasm_bindgen(unchecked_return_type = "Promise<Affordable>")]
    pub fn affordable(
        &self,
        #[wasm_bindgen(unchecked_param_type = "AffordableQuery")] query: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue,
    ) -> Promise {
        let parsed = js_value::from_js(&query, "the query")
            .and_then(|query| UsageRequest::from_value(&query, ""))
            .and_then(|query| Ok((query, options::call(&options, &[])?)));
        let client = self.client.clone();
        future_to_promise(async move {
            let (query, call) = parsed.map_err(error::to_js)?;
            let balance = client
                .read_balance(false, &call)
                .await
                .map_err(|e| client.fail(e))?;
            let answer = affordable(&query.model, query.input_tokens, balance.available_usd)
                .map_err(error::to_js)?;
            json::to_js(&answer)
        })
    }

    /// Queues a usage event and returns its id at once. The report is
    /// validated synchronously with the same rules and codes as
    /// `estimateCost` (throws `invalid_input` / `unknown_model`); a full
    /// queue throws `rate_limited` (and emits `error`). Queued events are
    /// persisted, batched, retried and delivered exactly once.
    #[wasm_bindgen(js_name = reportUsage)]
    pub fn report_usage(
        &self,
        #[wasm_bindgen(unchecked_param_type = "UsageReport")] report: JsValue,
    ) -> Result<String, JsValue> {
        let client = &self.client;
        let report = input::usage_report(&report, "the usage report").map_err(error::to_js)?;
        let event = UsageEvent {
            id: env::new_uuid().map_err(error::to_js)?,
            project_id: None,
            usage: report.usage,
            feature: report.feature,
            hold_id: report.hold_id,
            occurred_at: Some(env::now_iso()),
            end_user: client.end_user.clone(),
        };
        let pushed = client.queue.borrow_mut().push(&event, env::now_ms());
        if let Err(error) = pushed {
            client.emit_error(error.clone(), Some(&event.id));
            return Err(error::to_js(error));
        }
        client.persist_soon();
        delivery::schedule(client);
        Ok(event.id)
    }

    /// Sends every queued event now. Resolves with what this flush delivered
    /// and what is still pending (after a failure, while offline, or while
    /// the server asked to wait); never rejects.
    #[wasm_bindgen(unchecked_return_type = "Promise<FlushResult>")]
    pub fn flush(&self) -> Promise {
        let client = self.client.clone();
        future_to_promise(async move {
            let result = delivery::flush(&client).await;
            json::to_js(&result)
        })
    }

    /// Usage events not yet confirmed by the server.
    pub fn pending(&self) -> usize {
        self.client.queue.borrow().len()
    }

    /// Spend over the last `days` UTC days (1 to 90, default 30), grouped by
    /// `model` (default) or `day`. Retried on failures that may pass.
    #[wasm_bindgen(unchecked_return_type = "Promise<UsageSummary>")]
    pub fn usage(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "UsageQuery")] query: JsValue,
    ) -> Promise {
        let parsed = options::call(&query, &["days", "groupBy"])
            .and_then(|call| Ok((self.client.project_path(&usage_query(&query)?), call)));
        let client = self.client.clone();
        future_to_promise(async move {
            let (path, call) = parsed.map_err(error::to_js)?;
            let summary: UsageSummary = client
                .transport
                .call(&get(&path), &call)
                .await
                .map_err(|e| client.fail(e))?;
            json::to_js(&summary)
        })
    }

    /// The project's notifications (`low`, `empty`, `auto_top_up`,
    /// `auto_top_up_failed`), newest first, each with the add-credits link.
    /// Retried on failures that may pass.
    #[wasm_bindgen(unchecked_return_type = "Promise<Notification[]>")]
    pub fn notifications(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue,
    ) -> Promise {
        let parsed = options::call(&options, &[]);
        let client = self.client.clone();
        future_to_promise(async move {
            let call = parsed.map_err(error::to_js)?;
            let list: NotificationList = client
                .transport
                .call(&get(&client.project_path("notifications")), &call)
                .await
                .map_err(|e| client.fail(e))?;
            if list
                .notifications
                .iter()
                .any(|n| n.kind == NotificationKind::AutoTopUp)
            {
                client.balance_changed();
            }
            json::to_js(&list.notifications)
        })
    }

    /// Stops timers and listeners and releases this tab's lock (with a
    /// storage adapter: hands the stored queue to the next client of the
    /// project). Queued events stay persisted and are sent by the next
    /// client of the app.
    pub fn close(&self) {
        let client = &self.client;
        if client.closed.replace(true) {
            return;
        }
        client.timer.replace(None);
        client.tick_timer.replace(None);
        for hook in client.hooks.borrow_mut().drain(..) {
            let _ = hook.target.remove_event_listener_with_callback(
                hook.name,
                hook.callback.as_ref().unchecked_ref(),
            );
        }
        client.listeners.borrow_mut().clear();
        client.persist();
        tabs::forget_lease(client);
        if matches!(client.store, Store::Adapter(_)) {
            restore::close(client);
        }
        if let Some(release) = client.release_lock.borrow_mut().take() {
            let _ = release.call0(&JsValue::UNDEFINED);
        }
    }
}

/// `affordable()`'s answer.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Affordable {
    model: String,
    #[serde(with = "rust_decimal::serde::str")]
    available_usd: Decimal,
    input_tokens: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    output_tokens: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    units: Option<u64>,
}

fn affordable(model: &str, input_tokens: u64, available_usd: Decimal) -> Result<Affordable, Error> {
    active_catalog::with(|catalog| {
        let count = catalog.max_affordable(model, input_tokens, available_usd)?;
        let entry = catalog.resolve(model)?;
        let by_unit = matches!(entry.billing(), Billing::Units { .. });
        Ok(Affordable {
            model: entry.id.clone(),
            available_usd,
            input_tokens,
            output_tokens: (!by_unit).then_some(count),
            units: by_unit.then_some(count),
        })
    })
}

/// A `GET` of `path`.
fn get(path: &str) -> Request<'_> {
    Request {
        method: "GET",
        path,
        body: None,
        idempotency_key: None,
    }
}

/// `usage?days=..&groupBy=..` from `{ days?, groupBy? }` (or `undefined`).
fn usage_query(query: &JsValue) -> Result<String, Error> {
    let get = |name: &str| {
        Some(query)
            .filter(|q| !q.is_undefined() && !q.is_null())
            .and_then(|q| Reflect::get(q, &name.into()).ok())
            .filter(|v| !v.is_undefined())
    };
    let days = match get("days") {
        None => 30,
        Some(value) => match value.as_f64() {
            Some(d) if (1.0..=90.0).contains(&d) && d.fract() == 0.0 => d as u32,
            _ => {
                return Err(Error::invalid_input(
                    "days must be a whole number of days from 1 to 90",
                ))
            }
        },
    };
    let group_by = match get("groupBy") {
        None => "model".to_string(),
        Some(value) => match value.as_string().as_deref() {
            Some(g @ ("model" | "project" | "day")) => g.to_string(),
            _ => {
                return Err(Error::invalid_input(
                    "groupBy must be \"model\", \"project\" or \"day\"",
                ))
            }
        },
    };
    Ok(format!("usage?days={days}&groupBy={group_by}"))
}
