//! Usage ingestion: `POST /v1/usage` batches and hold settlement.
//!
//! Every event is validated and priced from the server's catalog first
//! (the wire has no cost field); a bad event is rejected on its own.
//! Then the whole batch is recorded in one transaction, with each project's
//! row locked: an event id already recorded is a `duplicate` (delivered,
//! not charged again), an event whose charge the payer may not make
//! ([`crate::spend`]: never below zero and within its limits for a
//! publishable key, down to the overdraft limit for the owner) is rejected
//! on its own, and a hold the event settles is released in the same step.
//! Nothing is acknowledged before the transaction commits.

use crate::db::{enum_text, Dec, Dialect, WriteTx, ROWS_PER_INSERT};
use crate::error::{AppError, AppResult};
use crate::holds::{self, HoldRow};
use crate::projects::{self, ProjectRow};
use crate::services::Services;
use crate::spend::{self, Budget, Payer};
use crate::{clock, commit, daily, ledger, pricing, validate};
use rork_cloud_credits_core::estimate::UsageRequest;
use rork_cloud_credits_core::wire::{
    EventStatus, HoldStatus, LedgerKind, SettleRequest, Settlement, UsageBatchResult, UsageEvent,
    UsageResult,
};
use rork_cloud_credits_core::{Error, ErrorCode};
use rust_decimal::Decimal;
use std::collections::{BTreeMap, HashMap, HashSet};

/// The most events in one `POST /v1/usage`: the core's, as the SDK's queue batches them.
pub use rork_cloud_credits_core::queue::MAX_BATCH_EVENTS as MAX_BATCH;
/// How far in the future `occurredAt` may be (clock skew): 5 minutes.
const MAX_FUTURE_MS: i64 = 5 * 60 * 1000;

/// Whose usage a request may report.
#[derive(Debug, Clone, Copy)]
pub enum Reporter<'a> {
    /// A publishable key: its own project only.
    Key {
        /// The key's id.
        key_id: &'a str,
        /// Its project.
        project_id: &'a str,
    },
    /// A secret key or session: any project of the account, named per event.
    Account(&'a str),
}

impl Reporter<'_> {
    /// Who pays for the usage reported.
    pub fn payer(&self) -> Payer<'_> {
        match *self {
            Reporter::Key { key_id, .. } => Payer::Publishable(key_id),
            Reporter::Account(_) => Payer::Owner,
        }
    }
}

/// An event ready to record: validated and priced.
#[derive(Debug, Clone)]
pub struct Priced {
    /// Position in the batch.
    pub index: usize,
    /// Canonical UUID.
    pub id: String,
    /// The project charged.
    pub project_id: String,
    /// The usage, with the model's canonical id.
    pub usage: UsageRequest,
    /// Authoritative cost.
    pub cost: Decimal,
    /// Catalog version that priced it.
    pub catalog_version: String,
    /// App feature.
    pub feature: Option<String>,
    /// The hold it settles.
    pub hold_id: Option<String>,
    /// The end user, as the app names them.
    pub end_user: Option<String>,
    /// The part of the price not charged (a publishable key's settlement is
    /// capped at its hold); `cost` is what was charged.
    pub unbilled: Option<Decimal>,
    /// When it happened (ms).
    pub occurred_at: i64,
    /// Settling through `POST /v1/holds/{id}/settle`: the hold must still be
    /// active (or expired) rather than already settled or released.
    pub strict_hold: bool,
}

/// `POST /v1/usage`: prices and records a batch of raw JSON events.
pub async fn ingest(
    services: &Services,
    reporter: Reporter<'_>,
    events: Vec<serde_json::Value>,
) -> AppResult<UsageBatchResult> {
    if events.is_empty() || events.len() > MAX_BATCH {
        return Err(AppError::invalid(format!(
            "events must hold 1 to {MAX_BATCH} events, got {}",
            events.len()
        )));
    }
    let own_projects: HashSet<String> = match reporter {
        Reporter::Key { .. } => HashSet::new(),
        Reporter::Account(account_id) => projects::list(services.store.pool(), account_id)
            .await?
            .into_iter()
            .map(|project| project.id)
            .collect(),
    };
    let now = clock::now_ms();
    let mut results = Vec::with_capacity(events.len());
    let mut priced = Vec::new();
    for (index, raw) in events.into_iter().enumerate() {
        let id = raw.get("id").and_then(|id| id.as_str()).map(str::to_owned);
        match price(index, raw, reporter, &own_projects, now) {
            Ok(event) => priced.push(event),
            Err(error) => results.push(rejected(index, id, error.error)),
        }
    }
    let (recorded, balances) = record(services, priced, reporter.payer()).await?;
    results.extend(recorded);
    results.sort_by_key(|result| result.index);
    Ok(UsageBatchResult {
        results,
        balances: balances.iter().map(ProjectRow::brief).collect(),
    })
}

fn rejected(index: usize, id: Option<String>, error: Error) -> UsageResult {
    UsageResult {
        index,
        id,
        status: EventStatus::Rejected,
        cost_usd: None,
        error: Some(error),
    }
}

/// Validates and prices one raw event for `reporter`.
fn price(
    index: usize,
    raw: serde_json::Value,
    reporter: Reporter<'_>,
    own_projects: &HashSet<String>,
    now: i64,
) -> AppResult<Priced> {
    let event: UsageEvent = serde_json::from_value(raw)
        .map_err(|e| AppError::invalid(format!("events[{index}]: {e}")))?;
    let id = validate::uuid("id", &event.id)?;
    let project_id = match (reporter, event.project_id) {
        (Reporter::Key { project_id, .. }, None) => project_id.to_owned(),
        (Reporter::Key { project_id, .. }, Some(named)) if named == project_id => named,
        (Reporter::Key { .. }, Some(_)) => {
            return Err(AppError::forbidden(
                "a publishable key reports usage for its own project only",
            ))
        }
        (Reporter::Account(_), Some(named)) if own_projects.contains(&named) => named,
        (Reporter::Account(_), Some(_)) => return Err(AppError::not_found("project")),
        (Reporter::Account(_), None) => {
            return Err(AppError::invalid(
                "projectId is required when reporting usage with a secret key",
            ))
        }
    };
    for (field, label) in [("feature", &event.feature), ("endUser", &event.end_user)] {
        if let Some(label) = label {
            validate::text(field, label, validate::MAX_LABEL_CHARS)?;
        }
    }
    let hold_id = match &event.hold_id {
        Some(hold_id) => Some(validate::uuid("holdId", hold_id)?),
        None => None,
    };
    let occurred_at = match &event.occurred_at {
        Some(text) => clock::parse_rfc3339("occurredAt", text)?,
        None => now,
    };
    if occurred_at > now + MAX_FUTURE_MS {
        return Err(AppError::invalid("occurredAt is in the future"));
    }
    let (usage, cost, catalog_version) = price_usage(event.usage)?;
    Ok(Priced {
        index,
        id,
        project_id,
        usage,
        cost,
        catalog_version,
        feature: event.feature,
        hold_id,
        end_user: event.end_user,
        unbilled: None,
        occurred_at,
        strict_hold: false,
    })
}

/// Prices `usage` from the catalog: the usage with the model's canonical
/// id, its cost and the catalog version that priced it.
fn price_usage(usage: UsageRequest) -> AppResult<(UsageRequest, Decimal, String)> {
    let estimate = pricing::estimate(&usage)?;
    let usage = UsageRequest {
        model: estimate.model,
        ..usage
    };
    Ok((usage, estimate.total, estimate.catalog_version))
}

/// `POST /v1/holds/{id}/settle`: records the actual usage of the request
/// `hold` was made for, releasing the hold and debiting the actual cost in
/// one step (for a publishable key, at most the hold). Retrying with the
/// same `eventId` returns the same settlement.
pub async fn settle(
    services: &Services,
    hold: &HoldRow,
    request: &SettleRequest,
    payer: Payer<'_>,
) -> AppResult<Settlement> {
    let id = match &request.event_id {
        Some(id) => validate::uuid("eventId", id)?,
        None => uuid::Uuid::new_v4().to_string(),
    };
    if let Some(feature) = &request.feature {
        validate::text("feature", feature, validate::MAX_LABEL_CHARS)?;
    }
    let (usage, cost, catalog_version) = price_usage(request.usage.clone())?;
    let event = Priced {
        index: 0,
        id,
        project_id: hold.project_id.clone(),
        usage,
        cost,
        catalog_version,
        feature: request.feature.clone(),
        hold_id: Some(hold.id.clone()),
        end_user: hold.end_user.clone(),
        unbilled: None,
        occurred_at: clock::now_ms(),
        strict_hold: true,
    };
    let (mut results, projects) = record(services, vec![event], payer).await?;
    let (Some(result), Some(project)) = (results.pop(), projects.first()) else {
        return Err(AppError::internal("settlement recorded nothing"));
    };
    if let Some(error) = result.error {
        return Err(error.into());
    }
    Ok(Settlement {
        hold: holds::get(services.store.pool(), &hold.id)
            .await?
            .to_wire()?,
        balance: project.brief(),
        event: result,
    })
}

/// Records priced events in one transaction, locking their projects in id
/// order (so concurrent batches cannot deadlock). Returns a result per event
/// and the touched projects as they are after the commit.
///
/// Plain events are recorded together, a few statements per batch rather
/// than per event ([`record_plain`]); an event that settles a hold is
/// recorded on its own ([`record_settling`]), after the plain events before
/// it, so the ledger keeps batch order.
pub async fn record(
    services: &Services,
    events: Vec<Priced>,
    payer: Payer<'_>,
) -> AppResult<(Vec<UsageResult>, Vec<ProjectRow>)> {
    if events.is_empty() {
        return Ok((Vec::new(), Vec::new()));
    }
    let mut tx = services.store.write().await?;
    let mut locked = BTreeMap::new();
    let ids: std::collections::BTreeSet<&str> = events
        .iter()
        .map(|event| event.project_id.as_str())
        .collect();
    for project_id in ids {
        let project = holds::lock_project(&mut tx, project_id).await?;
        locked.insert(project_id.to_owned(), project);
    }
    let mut charges = Charges {
        payer,
        budget: match payer {
            Payer::Publishable(key_id) => Some(Budget::load(&mut tx, key_id).await?),
            Payer::Owner => None,
        },
        totals: daily::Additions::default(),
    };
    let mut results = Vec::with_capacity(events.len());
    let mut plain = Vec::new();
    for event in &events {
        if event.hold_id.is_none() {
            plain.push(event);
            continue;
        }
        let batch = std::mem::take(&mut plain);
        record_plain(&mut tx, &mut locked, batch, &mut charges, &mut results).await?;
        let project = locked_project(&mut locked, event)?;
        let outcome = record_settling(&mut tx, project, event, &mut charges).await?;
        results.push(result_of(event, outcome));
    }
    record_plain(&mut tx, &mut locked, plain, &mut charges, &mut results).await?;
    charges.totals.write(&mut tx).await?;
    if let Some(budget) = charges.budget {
        budget.write(&mut tx).await?;
    }
    let mut projects: Vec<ProjectRow> = locked.into_values().collect();
    commit::commit(services, tx, &mut projects).await?;
    Ok((results, projects))
}

fn locked_project<'a>(
    locked: &'a mut BTreeMap<String, ProjectRow>,
    event: &Priced,
) -> AppResult<&'a mut ProjectRow> {
    locked
        .get_mut(&event.project_id)
        .ok_or_else(|| AppError::internal("event for a project not locked"))
}

/// The result of recording `event`: accepted (or a duplicate) with its
/// cost, or rejected with the error.
fn result_of(event: &Priced, outcome: Result<(EventStatus, Decimal), AppError>) -> UsageResult {
    match outcome {
        Ok((status, cost)) => UsageResult {
            index: event.index,
            id: Some(event.id.clone()),
            status,
            cost_usd: Some(cost),
            error: None,
        },
        Err(error) => rejected(event.index, Some(event.id.clone()), error.error),
    }
}

/// What a transaction's charges are checked and counted against.
struct Charges<'a> {
    payer: Payer<'a>,
    /// The publishable key's budget (for a publishable key).
    budget: Option<Budget>,
    /// The day's totals of the events recorded.
    totals: daily::Additions,
}

impl Charges<'_> {
    /// Checks a new charge of `amount` (for `end_user`) against `balance`
    /// (of `project`) and the payer's limits, and counts it when it passes.
    /// The inner error refuses the charge; the outer one is a database
    /// failure.
    async fn take(
        &mut self,
        tx: &mut WriteTx,
        project: &ProjectRow,
        balance: Decimal,
        amount: Decimal,
        end_user: Option<&str>,
    ) -> AppResult<Result<(), AppError>> {
        if let Err(refused) = spend::fits(balance, amount, spend::floor(self.payer, project)) {
            return Ok(Err(refused));
        }
        if let Some(budget) = &mut self.budget {
            match budget.check(tx, amount, end_user).await {
                Err(error) if error.code() == ErrorCode::Server => return Err(error),
                Err(refused) => return Ok(Err(refused)),
                Ok(()) => budget.charge(tx, amount, end_user).await?,
            }
        }
        Ok(Ok(()))
    }
}

/// What becomes of a plain event, before its results are known.
enum Plan {
    /// Recorded before this batch: a duplicate (or another project's id).
    Seen(Seen),
    /// Refused (the cloud is off, or the payer may not make the charge).
    Refused(AppError),
    /// New: inserted by this batch, unless a concurrent transaction of
    /// another project inserted the same id first. Its charge was checked
    /// and counted (so losing that race leaves the payer's counted spend a
    /// little high for this batch, never low).
    New,
    /// The same id as an earlier event of this batch: answered like it.
    Again,
}

/// Records events that settle no hold, in order, with a few statements for
/// the whole lot: one lookup of the ids already recorded, one multi-row
/// insert (`ON CONFLICT DO NOTHING RETURNING id`, which tells the ids that
/// another transaction recorded meanwhile), one multi-row insert of the
/// ledger entries and one balance update per project. The results are the
/// ones recording the events one by one would give: a recorded id is a
/// `duplicate` (or a `conflict` for another project), a repeated id in the
/// batch a duplicate of its first occurrence. Each new event's charge is
/// checked in batch order against the balance its project would have after
/// the charges before it.
async fn record_plain(
    tx: &mut WriteTx,
    locked: &mut BTreeMap<String, ProjectRow>,
    events: Vec<&Priced>,
    charges: &mut Charges<'_>,
    results: &mut Vec<UsageResult>,
) -> AppResult<()> {
    if events.is_empty() {
        return Ok(());
    }
    let ids: Vec<&str> = events.iter().map(|event| event.id.as_str()).collect();
    let mut seen = recorded_many(tx, &ids).await?;
    let mut first = HashSet::new();
    let mut planned: HashMap<&str, Decimal> = HashMap::new();
    let mut plans = Vec::with_capacity(events.len());
    for event in &events {
        let project = locked_project(locked, event)?;
        let plan = if let Some(earlier) = seen.get(&event.id) {
            Plan::Seen(earlier.clone())
        } else if first.contains(event.id.as_str()) {
            Plan::Again
        } else if !project.cloud_enabled() {
            Plan::Refused(holds::cloud_disabled())
        } else {
            let charged = planned.entry(event.project_id.as_str()).or_default();
            let balance = project.balance.0 - *charged;
            let end_user = event.end_user.as_deref();
            match charges
                .take(tx, project, balance, event.cost, end_user)
                .await?
            {
                Ok(()) => {
                    *charged += event.cost;
                    first.insert(event.id.as_str());
                    Plan::New
                }
                Err(error) => Plan::Refused(error),
            }
        };
        plans.push(plan);
    }
    let new: Vec<&Priced> = events
        .iter()
        .zip(&plans)
        .filter(|(_, plan)| matches!(plan, Plan::New))
        .map(|(event, _)| *event)
        .collect();
    let inserted = insert_events(tx, &new, &mut charges.totals).await?;
    let lost: Vec<&str> = new
        .iter()
        .filter(|event| !inserted.contains(&event.id))
        .map(|event| event.id.as_str())
        .collect();
    let mut winners = recorded_many(tx, &lost).await?;

    let mut entries = ledger::Entries::default();
    for (event, plan) in events.iter().zip(plans) {
        let project = locked_project(locked, event)?;
        let outcome = match plan {
            Plan::Seen(earlier) => earlier.as_duplicate_of(event),
            Plan::Refused(error) => Err(error),
            Plan::New if inserted.contains(&event.id) => {
                debit(&mut entries, project, event)?;
                seen.insert(event.id.clone(), Seen::of(event));
                Ok((EventStatus::Accepted, event.cost))
            }
            Plan::New => {
                let winner = lost_to(winners.remove(&event.id))?;
                let outcome = winner.as_duplicate_of(event);
                seen.insert(event.id.clone(), winner);
                outcome
            }
            Plan::Again => match seen.get(&event.id) {
                Some(earlier) => earlier.as_duplicate_of(event),
                None => return Err(AppError::internal("repeated event without a first")),
            },
        };
        results.push(result_of(event, outcome));
    }
    entries.write(tx).await
}

/// Appends the usage debit of a recorded event (none for a free one).
fn debit(entries: &mut ledger::Entries, project: &mut ProjectRow, event: &Priced) -> AppResult<()> {
    if event.cost.is_zero() {
        return Ok(());
    }
    let refs = ledger::Refs {
        hold_id: event.hold_id.as_deref(),
        usage_event_id: Some(&event.id),
        top_up_id: None,
    };
    let mut memo = match &event.feature {
        Some(feature) => format!("{} usage ({feature})", event.usage.model),
        None => format!("{} usage", event.usage.model),
    };
    if let Some(unbilled) = event.unbilled {
        memo.push_str(&format!(
            "; {unbilled} USD over the hold not charged (publishable key)"
        ));
    }
    entries.push(project, LedgerKind::Usage, -event.cost, refs, &memo)
}

/// Inserts `events` (multi-row, `ON CONFLICT (id) DO NOTHING`), adds the
/// ones inserted to the day's `totals` and returns their ids.
/// The columns [`insert_events`] writes, in the order it binds them.
const EVENT_COLUMNS: [&str; 15] = [
    "id",
    "project_id",
    "model",
    "input_tokens",
    "cached_input_tokens",
    "cache_write_tokens",
    "output_tokens",
    "units",
    "feature",
    "hold_id",
    "cost",
    "catalog_version",
    "occurred_at",
    "recorded_at",
    "unbilled",
];

async fn insert_events(
    tx: &mut WriteTx,
    events: &[&Priced],
    totals: &mut daily::Additions,
) -> AppResult<HashSet<String>> {
    let mut inserted = HashSet::with_capacity(events.len());
    let now = clock::now_ms();
    for chunk in events.chunks(ROWS_PER_INSERT) {
        let sql = format!(
            "INSERT INTO usage_events ({}) VALUES {} ON CONFLICT (id) DO NOTHING RETURNING id",
            EVENT_COLUMNS.join(", "),
            tx.dialect().values_list(chunk.len(), EVENT_COLUMNS.len())
        );
        let mut insert = sqlx::query_as::<_, (String,)>(&sql);
        for event in chunk {
            insert = insert
                .bind(&event.id)
                .bind(&event.project_id)
                .bind(&event.usage.model)
                .bind(count(event.usage.input_tokens)?)
                .bind(count(event.usage.cached_input_tokens)?)
                .bind(count(event.usage.cache_write_tokens)?)
                .bind(count(event.usage.output_tokens)?)
                .bind(count(event.usage.units)?)
                .bind(event.feature.as_deref())
                .bind(event.hold_id.as_deref())
                .bind(Dec(event.cost))
                .bind(&event.catalog_version)
                .bind(event.occurred_at)
                .bind(now)
                .bind(event.unbilled.map(Dec));
        }
        inserted.extend(
            insert
                .fetch_all(&mut **tx)
                .await?
                .into_iter()
                .map(|(id,)| id),
        );
    }
    for event in events.iter().filter(|event| inserted.contains(&event.id)) {
        let usage = &event.usage;
        let key = daily::Key::of(&event.project_id, event.occurred_at, &usage.model);
        let event_totals = daily::Totals::of_event(
            usage.input_tokens,
            usage.output_tokens,
            usage.units,
            event.cost,
        );
        totals.add(key, &event_totals)?;
    }
    Ok(inserted)
}

/// Records one event that settles a hold, under its project's lock. The
/// outer error aborts the transaction (a database failure); the inner one
/// rejects only this event.
///
/// An active hold is released and the usage charged in its place: with a
/// publishable key at most the hold (the rest is recorded as unbilled), which
/// fits since the hold did; with the owner's credential the whole price, down
/// to the overdraft limit. A hold no longer active (expired, or settled by an
/// earlier batch) reserves nothing, so the charge is checked like a plain
/// event's. With a publishable key and the cloud off nothing is recorded.
async fn record_settling(
    tx: &mut WriteTx,
    project: &mut ProjectRow,
    event: &Priced,
    charges: &mut Charges<'_>,
) -> AppResult<Result<(EventStatus, Decimal), AppError>> {
    if let Some(seen) = recorded_many(tx, &[&event.id]).await?.remove(&event.id) {
        return Ok(seen.as_duplicate_of(event));
    }
    if charges.budget.is_some() && !project.cloud_enabled() {
        return Ok(Err(holds::cloud_disabled()));
    }
    let Some(hold_id) = &event.hold_id else {
        return Err(AppError::internal("a settling event without a hold"));
    };
    let hold = match holds::get_locked(tx, hold_id).await? {
        Some(hold) if hold.project_id == project.id => hold,
        _ => return Ok(Err(AppError::not_found("hold"))),
    };
    if let Err(refused) = hold.may_close(charges.payer) {
        return Ok(Err(refused));
    }
    let hold_status = hold.status()?;
    if event.strict_hold && matches!(hold_status, HoldStatus::Settled | HoldStatus::Released) {
        return Ok(Err(AppError::conflict(format!(
            "the hold is already {}",
            enum_text(hold_status)
        ))));
    }
    let mut charged = event.clone();
    let active = hold_status == HoldStatus::Active;
    if active {
        if let Some(budget) = &mut charges.budget {
            if event.cost > hold.amount.0 {
                charged.cost = hold.amount.0;
                charged.unbilled = Some(event.cost - hold.amount.0);
            }
            let made = (
                hold.key_id.as_deref(),
                hold.end_user.as_deref(),
                hold.amount.0,
            );
            budget.settle(tx, made, charged.cost).await?;
        } else {
            let balance = project.balance.0 + hold.amount.0;
            let floor = spend::floor(charges.payer, project);
            if let Err(refused) = spend::fits(balance, event.cost, floor) {
                return Ok(Err(refused));
            }
        }
    } else if let Err(refused) = charges
        .take(
            tx,
            project,
            project.balance.0,
            event.cost,
            event.end_user.as_deref(),
        )
        .await?
    {
        return Ok(Err(refused));
    }
    let inserted = insert_events(tx, &[&charged], &mut charges.totals).await?;
    if !inserted.contains(&event.id) {
        let winner = lost_to(recorded_many(tx, &[&event.id]).await?.remove(&event.id))?;
        return Ok(winner.as_duplicate_of(event));
    }
    if active {
        holds::close(tx, project, hold, HoldStatus::Settled, Some(charged.cost)).await?;
    }
    let mut entries = ledger::Entries::default();
    debit(&mut entries, project, &charged)?;
    entries.write(tx).await?;
    Ok(Ok((EventStatus::Accepted, charged.cost)))
}

/// A recorded event, as a repeat of its id is compared with it.
#[derive(Clone)]
struct Seen {
    project_id: String,
    cost: Dec,
    usage: Recorded,
}

/// What an event recorded: the usage (the model's canonical id), its feature
/// and its hold.
#[derive(Clone, PartialEq)]
struct Recorded {
    model: String,
    counts: [u64; 5],
    feature: Option<String>,
    hold_id: Option<String>,
}

/// The wire names of [`Recorded::counts`].
const COUNTS: [&str; 5] = [
    "inputTokens",
    "cachedInputTokens",
    "cacheWriteTokens",
    "outputTokens",
    "units",
];

impl Recorded {
    fn of(event: &Priced) -> Recorded {
        let usage = &event.usage;
        Recorded {
            model: usage.model.clone(),
            counts: [
                usage.input_tokens,
                usage.cached_input_tokens,
                usage.cache_write_tokens,
                usage.output_tokens,
                usage.units,
            ],
            feature: event.feature.clone(),
            hold_id: event.hold_id.clone(),
        }
    }

    /// How `now` differs from this: `outputTokens 800, now 900`, one per field.
    fn differences(&self, now: &Recorded) -> Vec<String> {
        let text = |value: &Option<String>| match value {
            Some(value) => format!("{value:?}"),
            None => "none".to_owned(),
        };
        let mut differences = Vec::new();
        if self.model != now.model {
            differences.push(format!("model {}, now {}", self.model, now.model));
        }
        for ((name, before), after) in COUNTS.iter().zip(self.counts).zip(now.counts) {
            if before != after {
                differences.push(format!("{name} {before}, now {after}"));
            }
        }
        for (name, before, after) in [
            ("feature", &self.feature, &now.feature),
            ("holdId", &self.hold_id, &now.hold_id),
        ] {
            if before != after {
                differences.push(format!("{name} {}, now {}", text(before), text(after)));
            }
        }
        differences
    }
}

impl Seen {
    /// What recording `event` makes of it.
    fn of(event: &Priced) -> Seen {
        Seen {
            project_id: event.project_id.clone(),
            cost: Dec(event.cost),
            usage: Recorded::of(event),
        }
    }

    /// The answer to `event`, whose id is recorded: a `duplicate` (not
    /// charged again, the first cost) when it is the same usage of the same
    /// project, otherwise a `conflict` naming what differs.
    fn as_duplicate_of(&self, event: &Priced) -> Result<(EventStatus, Decimal), AppError> {
        if self.project_id != event.project_id {
            return Err(AppError::conflict(
                "this event id was already recorded for another project",
            ));
        }
        let differences = self.usage.differences(&Recorded::of(event));
        if differences.is_empty() {
            return Ok((EventStatus::Duplicate, self.cost.0));
        }
        let what = if event.strict_hold {
            "this hold was already settled by this eventId with different usage"
        } else {
            "this event id was already recorded with different usage"
        };
        Err(AppError::conflict(format!(
            "{what}: {}; a repeat with the same usage answers the first, new usage needs a new id",
            differences.join("; ")
        )))
    }
}

/// The event that won the insert of an id this transaction lost: recorded
/// meanwhile by another project's transaction (same id). `winner` is its
/// lookup after the insert, so finding nothing is an internal error.
fn lost_to(winner: Option<Seen>) -> AppResult<Seen> {
    winner.ok_or_else(|| AppError::internal("usage event vanished"))
}

/// The recorded events among `ids`, by id (one query per
/// [`ROWS_PER_INSERT`] ids).
///
/// On PostgreSQL the lookup is planned afresh each time, not kept as a
/// prepared statement: a generic plan made while the table was small stays a
/// sequential scan as it grows (bench/RESULTS.md, "generic plan"). SQLite
/// keeps it: its plan is the primary key whatever the table's size.
async fn recorded_many(tx: &mut WriteTx, ids: &[&str]) -> AppResult<HashMap<String, Seen>> {
    let mut seen = HashMap::new();
    for chunk in ids.chunks(ROWS_PER_INSERT) {
        let sql = format!(
            "SELECT id, project_id, cost, model, input_tokens, cached_input_tokens, \
             cache_write_tokens, output_tokens, units, feature, hold_id \
             FROM usage_events WHERE id IN ({})",
            tx.dialect().in_list(chunk.len())
        );
        let mut select =
            sqlx::query_as::<_, SeenRow>(&sql).persistent(tx.dialect() != Dialect::Postgres);
        for id in chunk {
            select = select.bind(*id);
        }
        for row in select.fetch_all(&mut **tx).await? {
            let (
                id,
                project_id,
                cost,
                model,
                input,
                cached,
                cache_write,
                output,
                units,
                feature,
                hold_id,
            ) = row;
            // Stored from `u64`s by `count`: never negative.
            let counts = [input, cached, cache_write, output, units].map(|n| n.max(0) as u64);
            let usage = Recorded {
                model,
                counts,
                feature,
                hold_id,
            };
            seen.insert(
                id,
                Seen {
                    project_id,
                    cost,
                    usage,
                },
            );
        }
    }
    Ok(seen)
}

/// A row of [`recorded_many`]: id, project, cost, model, the five counts,
/// feature and hold.
type SeenRow = (
    String,
    String,
    Dec,
    String,
    i64,
    i64,
    i64,
    i64,
    i64,
    Option<String>,
    Option<String>,
);

fn count(value: u64) -> AppResult<i64> {
    i64::try_from(value).map_err(|_| AppError::invalid(format!("count {value} is too large")))
}
