//! What `JSON.stringify(cc)` and Node's `console.log(cc)` show of a client:
//! its project, end user, where its queue lives and how much is pending,
//! rather than the wasm object's pointer (`src/js/inspect.js` hooks Node's
//! inspector to this).

use super::CloudCredits;
use crate::storage::Store;
use js_sys::{Object, Reflect};
use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &str = r#"
/** A client as plain data (`cc.toJSON()`, what `JSON.stringify(cc)` and Node's `console.log(cc)` show). */
export interface CloudCreditsInfo {
  /** The project the client reports usage for (the `projectId` option). */
  projectId: string;
  /** The `endUser` option; absent when none was given. */
  endUser?: string;
  /** Where queued usage is kept. */
  storage: "local" | "adapter" | "memory";
  /** Usage events not yet confirmed by the server. */
  pending: number;
  /** Whether `close()` has been called. */
  closed: boolean;
}
"#;

#[wasm_bindgen]
impl CloudCredits {
    /// The client as plain data, for logs and debuggers.
    #[wasm_bindgen(js_name = toJSON, unchecked_return_type = "CloudCreditsInfo")]
    pub fn to_json(&self) -> JsValue {
        let client = &self.client;
        let storage = match &client.store {
            Store::Local(_) => "local",
            Store::Adapter(_) => "adapter",
            Store::Memory(_) => "memory",
        };
        let info = Object::new();
        let fields: [(&str, JsValue); 5] = [
            ("projectId", client.project_id.as_str().into()),
            (
                "endUser",
                client
                    .end_user
                    .as_deref()
                    .map_or(JsValue::UNDEFINED, JsValue::from),
            ),
            ("storage", storage.into()),
            ("pending", client.queue.borrow().len().into()),
            ("closed", client.closed.get().into()),
        ];
        for (name, value) in fields {
            // Setting a property of a fresh plain object cannot fail.
            let _ = Reflect::set(&info, &name.into(), &value);
        }
        info.into()
    }
}
