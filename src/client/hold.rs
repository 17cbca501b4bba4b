//! The `Hold` class: money reserved on the server for one AI call, settled
//! with the actual usage or released.

use super::{env, input, options, Client};
use crate::transport::{CallError, Request};
use crate::{error, json};
use js_sys::Promise;
use rork_cloud_credits_core::wire::{self, HoldStatus, SettleRequest, Settlement};
use rork_cloud_credits_core::Error;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

/// Money reserved for a request in flight: `settle()` it with the actual
/// usage once the call returns (the actual cost is debited, the rest given
/// back), or `release()` it if the call did not happen. An unsettled hold
/// expires at `expiresAt` and gives everything back.
///
/// ```ts
/// const hold = await cc.guard({ model: "gpt-4o", inputTokens: 1200, outputTokens: 800 });
/// try {
///   const r = await callModel();
///   await hold.settle({ model: "gpt-4o", inputTokens: r.usage.prompt_tokens, outputTokens: r.usage.completion_tokens });
/// } catch (e) {
///   await hold.release();
///   throw e;
/// }
/// ```
#[wasm_bindgen]
pub struct Hold {
    client: Rc<Client>,
    hold: Rc<RefCell<wire::Hold>>,
    /// The usage event id `settle` sends, fixed at the first attempt so a
    /// retried settle is recognised by the server.
    event_id: Rc<RefCell<Option<String>>>,
}

impl Hold {
    pub(crate) fn new(client: Rc<Client>, hold: wire::Hold) -> Hold {
        Hold {
            client,
            hold: Rc::new(RefCell::new(hold)),
            event_id: Rc::new(RefCell::new(None)),
        }
    }
}

#[wasm_bindgen]
impl Hold {
    /// The hold id.
    #[wasm_bindgen(getter)]
    pub fn id(&self) -> String {
        self.hold.borrow().id.clone()
    }

    /// The amount reserved, in USD (decimal string).
    #[wasm_bindgen(getter, js_name = amountUsd)]
    pub fn amount_usd(&self) -> String {
        self.hold.borrow().amount_usd.to_string()
    }

    /// `active`, `settled`, `released` or `expired`.
    #[wasm_bindgen(getter, unchecked_return_type = "HoldStatus")]
    pub fn status(&self) -> String {
        match self.hold.borrow().status {
            HoldStatus::Active => "active",
            HoldStatus::Settled => "settled",
            HoldStatus::Released => "released",
            HoldStatus::Expired => "expired",
        }
        .into()
    }

    /// When an unsettled hold expires (RFC 3339).
    #[wasm_bindgen(getter, js_name = expiresAt)]
    pub fn expires_at(&self) -> String {
        self.hold.borrow().expires_at.clone()
    }

    /// The server's estimate the amount came from (holds made for a usage request).
    #[wasm_bindgen(getter, unchecked_return_type = "Estimate | undefined")]
    pub fn estimate(&self) -> Result<JsValue, JsValue> {
        match &self.hold.borrow().estimate {
            Some(estimate) => json::to_js(estimate),
            None => Ok(JsValue::UNDEFINED),
        }
    }

    /// The hold as plain data (what `JSON.stringify(hold)` shows).
    #[wasm_bindgen(js_name = toJSON, unchecked_return_type = "HoldInfo")]
    pub fn to_json(&self) -> Result<JsValue, JsValue> {
        json::to_js(&*self.hold.borrow())
    }

    /// Debits the actual usage (validated like `estimateCost`) and gives the
    /// rest of the hold back. Safe to retry, and retried on failures that may
    /// pass: every settle of this hold is the same usage event to the server,
    /// which answers a repeat with the first settlement. Settling again with
    /// different usage rejects with `conflict` (HTTP 409) naming what differs.
    #[wasm_bindgen(unchecked_return_type = "Promise<Settlement>")]
    pub fn settle(
        &self,
        #[wasm_bindgen(unchecked_param_type = "UsageReport")] actual: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue,
    ) -> Result<Promise, JsValue> {
        let report = input::usage_report(&actual, "the actual usage").map_err(error::to_js)?;
        let call = options::call(&options, &[]).map_err(error::to_js)?;
        let event_id = self.event_id()?;
        let body = SettleRequest {
            usage: report.usage,
            event_id: Some(event_id),
            feature: report.feature,
        };
        let body = serde_json::to_string(&body)
            .map_err(|e| error::to_js(Error::invalid_input(e.to_string())))?;
        let path = format!("/v1/holds/{}/settle", self.id());
        let (client, hold) = (self.client.clone(), self.hold.clone());
        Ok(future_to_promise(async move {
            let result = client
                .transport
                .call::<Settlement>(&post(&path, Some(&body)), &call)
                .await;
            // The balance is refreshed on success and failure alike, which
            // covers what `Client::fail` would refresh for.
            client.balance_changed();
            let settlement = result.map_err(CallError::into_js)?;
            hold.replace(settlement.hold.clone());
            json::to_js(&settlement)
        }))
    }

    /// Gives the whole hold back. Retried on failures that may pass: the
    /// server answers the release of a released hold like the first one.
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn release(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue,
    ) -> Promise {
        let parsed = options::call(&options, &[]);
        let path = format!("/v1/holds/{}/release", self.id());
        let (client, hold) = (self.client.clone(), self.hold.clone());
        future_to_promise(async move {
            let call = parsed.map_err(error::to_js)?;
            let result = client
                .transport
                .call::<wire::Hold>(&post(&path, None), &call)
                .await;
            client.balance_changed();
            hold.replace(result.map_err(CallError::into_js)?);
            Ok(JsValue::UNDEFINED)
        })
    }
}

/// A `POST` of `body` to `path`.
fn post<'a>(path: &'a str, body: Option<&'a str>) -> Request<'a> {
    Request {
        method: "POST",
        path,
        body,
        idempotency_key: None,
    }
}

impl Hold {
    fn event_id(&self) -> Result<String, JsValue> {
        let mut slot = self.event_id.borrow_mut();
        if let Some(id) = slot.as_ref() {
            return Ok(id.clone());
        }
        let id = env::new_uuid().map_err(error::to_js)?;
        *slot = Some(id.clone());
        Ok(id)
    }
}
