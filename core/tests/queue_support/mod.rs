//! Shared by the queue test files: events, and a server that records usage
//! events exactly once the way the reference server does (by id, forever).

use rork_cloud_credits_core::estimate::UsageRequest;
use rork_cloud_credits_core::queue::{Absorbed, Batch, UsageQueue};
use rork_cloud_credits_core::value::Value;
use rork_cloud_credits_core::wire::{EventStatus, UsageBatch, UsageEvent, UsageResult};
use rork_cloud_credits_core::{Error, ErrorCode};
use std::collections::HashMap;

/// Absorbs the stored `text` into `queue` as the SDK does: read as JSON
/// first (the SDK: the engine's `JSON.parse`), unreadable text refused whole.
pub fn absorb(queue: &mut UsageQueue, text: &str) -> Absorbed {
    match serde_json::from_str::<serde_json::Value>(text) {
        Ok(json) => queue.absorb(&Value::from(json)),
        Err(error) => Absorbed::unreadable(&format!("it is not JSON ({error})")),
    }
}

/// A usage event with the given id.
pub fn event(id: &str) -> UsageEvent {
    event_with_feature(id, None)
}

/// A usage event with the given id and feature.
pub fn event_with_feature(id: &str, feature: Option<String>) -> UsageEvent {
    UsageEvent {
        id: id.to_string(),
        project_id: None,
        usage: UsageRequest {
            model: "gpt-4o".into(),
            input_tokens: 1_000,
            output_tokens: 200,
            ..UsageRequest::default()
        },
        feature,
        hold_id: None,
        occurred_at: None,
        end_user: None,
    }
}

/// Records events by id, once; counts how often each id was received.
#[derive(Default)]
pub struct Server {
    /// Times each id arrived in a request the server processed.
    pub received: HashMap<String, u32>,
    /// Ids to reject (as the server does for an unknown model).
    pub reject: Vec<String>,
}

impl Server {
    /// Processes a batch body and answers per event, like `POST /v1/usage`.
    pub fn answer(&mut self, batch: &Batch) -> Vec<UsageResult> {
        let parsed: UsageBatch =
            serde_json::from_str(&batch.body).expect("batch body is a valid UsageBatch");
        let ids: Vec<&str> = parsed.events.iter().map(|e| e.id.as_str()).collect();
        assert_eq!(ids, batch.ids, "body and ids agree");
        parsed
            .events
            .iter()
            .enumerate()
            .map(|(index, e)| {
                let status = if self.reject.contains(&e.id) {
                    EventStatus::Rejected
                } else {
                    let seen = self.received.entry(e.id.clone()).or_insert(0);
                    *seen += 1;
                    if *seen == 1 {
                        EventStatus::Accepted
                    } else {
                        EventStatus::Duplicate
                    }
                };
                UsageResult {
                    index,
                    id: Some(e.id.clone()),
                    status,
                    cost_usd: None,
                    error: (status == EventStatus::Rejected)
                        .then(|| Error::new(ErrorCode::UnknownModel, "unknown model")),
                }
            })
            .collect()
    }
}
