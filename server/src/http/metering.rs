//! Metering routes, usable with a project's publishable key: holds and
//! usage reports.

use super::examples::Body;
use super::extract::{idempotency_key, Json, Path};
use super::{AppState, Principal};
use crate::error::AppResult;
use crate::usage::{self, Reporter};
use crate::{holds, validate};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use rork_cloud_credits_core::wire::{
    Hold, HoldRequest, SettleRequest, Settlement, UsageBatch, UsageBatchResult,
};
use serde::de::{self, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer};

/// `POST /v1/projects/{id}/holds`, with an optional `Idempotency-Key` header.
pub async fn create_hold(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
    headers: HeaderMap,
    Json(request): Json<HoldRequest>,
) -> AppResult<(StatusCode, Json<Hold>)> {
    let project = principal.project(&state, &id).await?;
    end_user_rate_limit(&state, &project.id, request.end_user.as_deref())?;
    let key = idempotency_key(&headers)?;
    let payer = principal.payer();
    let hold = holds::create(&state.services, &project.id, payer, &request, key).await?;
    Ok((StatusCode::CREATED, Json(hold)))
}

/// `GET /v1/holds/{id}`.
pub async fn get_hold(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
) -> AppResult<Json<Hold>> {
    let hold = authorized_hold(&state, &principal, &id).await?;
    Ok(Json(hold.to_wire()?))
}

/// `POST /v1/holds/{id}/settle`.
pub async fn settle_hold(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
    Json(request): Json<SettleRequest>,
) -> AppResult<Json<Settlement>> {
    let hold = authorized_hold(&state, &principal, &id).await?;
    Ok(Json(
        usage::settle(&state.services, &hold, &request, principal.payer()).await?,
    ))
}

/// `POST /v1/holds/{id}/release`.
pub async fn release_hold(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
) -> AppResult<Json<Hold>> {
    let hold = authorized_hold(&state, &principal, &id).await?;
    hold.may_close(principal.payer())?;
    Ok(Json(holds::release(&state.services, &hold).await?))
}

async fn authorized_hold(
    state: &AppState,
    principal: &Principal,
    id: &str,
) -> AppResult<holds::HoldRow> {
    let hold = holds::get(state.services.store.pool(), id).await?;
    principal.project(state, &hold.project_id).await?;
    Ok(hold)
}

/// The body of `POST /v1/usage`, with events kept raw so that a malformed
/// event is rejected on its own instead of failing the batch. Parsing stops
/// at the event after [`usage::MAX_BATCH`]: a 1 MiB body of `{}`s costs a
/// few hundred values, not half a million.
#[derive(Debug, Deserialize)]
pub struct RawBatch {
    #[serde(deserialize_with = "at_most_a_batch")]
    events: Vec<serde_json::Value>,
}

/// Documented as the [`UsageBatch`] it is read as, event by event.
impl Body for RawBatch {
    const NAME: &'static str = UsageBatch::NAME;
    fn example() -> serde_json::Value {
        UsageBatch::example()
    }
    fn reads(value: serde_json::Value) -> bool {
        UsageBatch::reads(value)
    }
}

fn at_most_a_batch<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Vec<serde_json::Value>, D::Error> {
    struct Events;
    impl<'de> Visitor<'de> for Events {
        type Value = Vec<serde_json::Value>;

        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            write!(f, "an array of 1 to {} events", usage::MAX_BATCH)
        }

        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            let mut events = Vec::new();
            while let Some(event) = seq.next_element()? {
                if events.len() == usage::MAX_BATCH {
                    return Err(de::Error::invalid_length(events.len() + 1, &self));
                }
                events.push(event);
            }
            Ok(events)
        }
    }
    deserializer.deserialize_seq(Events)
}

/// `POST /v1/usage`: a batch of up to 500 events.
pub async fn report_usage(
    State(state): State<AppState>,
    principal: Principal,
    Json(batch): Json<RawBatch>,
) -> AppResult<Json<UsageBatchResult>> {
    let reporter = match &principal {
        Principal::Publishable {
            key_id, project_id, ..
        } => {
            let named = batch
                .events
                .iter()
                .filter_map(|event| event["endUser"].as_str());
            end_user_rate_limit(&state, project_id, named)?;
            Reporter::Key { key_id, project_id }
        }
        other => Reporter::Account(other.account_id()),
    };
    Ok(Json(
        usage::ingest(&state.services, reporter, batch.events).await?,
    ))
}

/// Counts one request against the budget of each end user it names (once
/// each) in `project_id`, so that one user's flood cannot spend the whole
/// app's allowance of requests.
fn end_user_rate_limit<'a>(
    state: &AppState,
    project_id: &str,
    end_users: impl IntoIterator<Item = &'a str>,
) -> AppResult<()> {
    // A longer name is refused with its event or hold: it must not become a limiter key.
    let named: std::collections::BTreeSet<&str> = end_users
        .into_iter()
        .filter(|end_user| end_user.len() <= validate::MAX_LABEL_CHARS * 4)
        .collect();
    for end_user in named {
        state.limiters.end_user(project_id, end_user)?;
    }
    Ok(())
}
