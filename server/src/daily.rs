//! Per-day usage totals (the `usage_daily` table): for each project, UTC
//! day and model, the events, tokens, units and exact cost recorded.
//!
//! Totals are added to in the transaction that records the events, under
//! the project's row lock, so the updates of a total are serialized on both
//! databases (SQLite has one writer; on PostgreSQL every recording
//! transaction locks its projects' rows first). A usage summary
//! then reads a row per project, day and model instead of every event of
//! its window (`summary`). Events recorded before the table existed are
//! totalled once, at start-up ([`backfill`]).

use crate::clock;
use crate::db::{stored_count, Dec, Dialect, Store, WriteTx, ROWS_PER_INSERT};
use crate::error::{AppError, AppResult};
use rork_cloud_credits_core::money;
use rust_decimal::Decimal;
use std::collections::{BTreeMap, HashMap};

/// What a total is kept for.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Key {
    /// The project charged.
    pub project_id: String,
    /// The first millisecond of the UTC day.
    pub day: i64,
    /// The model's canonical id.
    pub model: String,
}

impl Key {
    /// The key of an event of `project_id` and `model` that occurred at `occurred_at` (ms).
    pub fn of(project_id: &str, occurred_at: i64, model: &str) -> Key {
        Key {
            project_id: project_id.to_owned(),
            day: clock::start_of_utc_day(occurred_at),
            model: model.to_owned(),
        }
    }
}

/// The usage recorded for one key. Counts are stored as BIGINT and added
/// saturating (they are at most 2^53 - 1 per event).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Totals {
    /// Events recorded.
    pub events: u64,
    /// Input tokens (including cached and cache-write tokens).
    pub input_tokens: u64,
    /// Output tokens.
    pub output_tokens: u64,
    /// Units of unit-billed features.
    pub units: u64,
    /// Their exact cost.
    pub cost: Decimal,
}

impl Totals {
    /// The totals of one event.
    pub fn of_event(input_tokens: u64, output_tokens: u64, units: u64, cost: Decimal) -> Totals {
        Totals {
            events: 1,
            input_tokens,
            output_tokens,
            units,
            cost,
        }
    }

    /// Adds `other`: counts saturating, the cost exactly (an internal error
    /// if it cannot be held exactly, which no real spend comes near).
    pub fn add(&mut self, other: &Totals) -> AppResult<()> {
        self.events = self.events.saturating_add(other.events);
        self.input_tokens = self.input_tokens.saturating_add(other.input_tokens);
        self.output_tokens = self.output_tokens.saturating_add(other.output_tokens);
        self.units = self.units.saturating_add(other.units);
        self.cost = money::sum([self.cost, other.cost])
            .map_err(|_| AppError::internal("a usage total exceeds 28 significant digits"))?;
        Ok(())
    }
}

/// Totals to add, gathered while a transaction records events, then
/// written with [`Additions::write`] before it commits.
#[derive(Debug, Default)]
pub struct Additions(BTreeMap<Key, Totals>);

impl Additions {
    /// Adds `totals` under `key`.
    pub fn add(&mut self, key: Key, totals: &Totals) -> AppResult<()> {
        self.0.entry(key).or_default().add(totals)
    }

    /// Adds everything gathered to the stored totals, per
    /// [`ROWS_PER_INSERT`] keys: on PostgreSQL one multi-row upsert that
    /// adds in SQL (the cost as exact `NUMERIC`), on SQLite, which cannot
    /// add decimal text exactly, one read of the stored totals, the sums in
    /// Rust and one multi-row upsert. The caller's transaction must hold the
    /// row lock of every project among the keys.
    pub async fn write(self, tx: &mut WriteTx) -> AppResult<()> {
        let additions: Vec<(Key, Totals)> = self.0.into_iter().collect();
        for chunk in additions.chunks(ROWS_PER_INSERT) {
            match tx.dialect() {
                Dialect::Postgres => upsert(tx, chunk, &add_in_sql()).await?,
                Dialect::Sqlite => {
                    let mut stored = stored_totals(tx, chunk).await?;
                    for (key, added) in chunk {
                        stored.entry(key.clone()).or_default().add(added)?;
                    }
                    let sums: Vec<(Key, Totals)> = stored.into_iter().collect();
                    upsert(tx, &sums, REPLACE).await?;
                }
            }
        }
        Ok(())
    }
}

/// The counts of a total, as columns.
const COUNTS: [&str; 4] = ["events", "input_tokens", "output_tokens", "units"];

/// On conflict, the new totals replace the stored ones (summed in Rust).
const REPLACE: &str = "events = excluded.events, input_tokens = excluded.input_tokens, \
     output_tokens = excluded.output_tokens, units = excluded.units, cost = excluded.cost";

/// On conflict (PostgreSQL), the new totals are added to the stored ones:
/// counts saturating at the BIGINT maximum, as [`Totals::add`] does, the
/// cost as `NUMERIC`, whose sum keeps every digit and the larger scale, as
/// `money::sum` does, and whose text is a `Decimal`'s.
fn add_in_sql() -> String {
    let counts = COUNTS.map(|column| {
        format!(
            "{column} = LEAST(usage_daily.{column}::numeric + excluded.{column}, {})::bigint",
            i64::MAX
        )
    });
    format!(
        "{}, cost = (usage_daily.cost::numeric + excluded.cost::numeric)::text",
        counts.join(", ")
    )
}

/// Stored totals, as `usage_daily` holds them (a part of a row).
#[derive(sqlx::FromRow)]
pub struct StoredTotals {
    events: i64,
    input_tokens: i64,
    output_tokens: i64,
    units: i64,
    cost: Dec,
}

impl From<StoredTotals> for Totals {
    fn from(row: StoredTotals) -> Totals {
        Totals {
            events: stored_count(row.events),
            input_tokens: stored_count(row.input_tokens),
            output_tokens: stored_count(row.output_tokens),
            units: stored_count(row.units),
            cost: row.cost.0,
        }
    }
}

#[derive(sqlx::FromRow)]
struct KeyedRow {
    project_id: String,
    day: i64,
    model: String,
    #[sqlx(flatten)]
    totals: StoredTotals,
}

/// The stored totals of the keys in `chunk` (absent keys have none yet).
async fn stored_totals(
    tx: &mut WriteTx,
    chunk: &[(Key, Totals)],
) -> AppResult<HashMap<Key, Totals>> {
    let sql = format!(
        "SELECT project_id, day, model, events, input_tokens, output_tokens, units, cost \
         FROM usage_daily WHERE (project_id, day, model) IN (VALUES {})",
        tx.dialect().values_list(chunk.len(), 3)
    );
    let mut select = sqlx::query_as::<_, KeyedRow>(&sql);
    for (key, _) in chunk {
        select = select.bind(&key.project_id).bind(key.day).bind(&key.model);
    }
    let rows = select.fetch_all(&mut **tx).await?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let key = Key {
                project_id: row.project_id,
                day: row.day,
                model: row.model,
            };
            (key, row.totals.into())
        })
        .collect())
}

/// Writes `totals`, each key once, resolving a stored key with `on_conflict`.
async fn upsert(tx: &mut WriteTx, totals: &[(Key, Totals)], on_conflict: &str) -> AppResult<()> {
    let sql = format!(
        "INSERT INTO usage_daily (project_id, day, model, events, input_tokens, output_tokens, \
         units, cost) VALUES {} ON CONFLICT (project_id, day, model) DO UPDATE SET {on_conflict}",
        tx.dialect().values_list(totals.len(), 8)
    );
    let mut insert = sqlx::query(&sql);
    for (key, totals) in totals {
        insert = insert
            .bind(&key.project_id)
            .bind(key.day)
            .bind(&key.model)
            .bind(bigint(totals.events))
            .bind(bigint(totals.input_tokens))
            .bind(bigint(totals.output_tokens))
            .bind(bigint(totals.units))
            .bind(Dec(totals.cost));
    }
    insert.execute(&mut **tx).await?;
    Ok(())
}

/// A count as BIGINT, saturating at its maximum.
fn bigint(count: u64) -> i64 {
    i64::try_from(count).unwrap_or(i64::MAX)
}

/// Events read per query while backfilling.
const BACKFILL_PAGE: i64 = 10_000;

#[derive(sqlx::FromRow)]
struct EventRow {
    id: String,
    project_id: String,
    model: String,
    input_tokens: i64,
    output_tokens: i64,
    units: i64,
    cost: Dec,
    occurred_at: i64,
}

/// Totals the events recorded before `usage_daily` existed, once: called
/// at start-up after the migrations, which leave a `pending_backfills` row
/// for it. It runs in one write transaction with that row locked, so of
/// several instances starting together on one database one does the work
/// and the others wait for it, then find nothing left to do; a failure
/// leaves the row for the next start. Events are read in pages by id.
///
/// Instances still running the previous version (which do not keep the
/// totals) must be stopped before upgrading: events they record after the
/// backfill would be missing from summaries.
pub async fn backfill(store: &Store) -> AppResult<()> {
    let mut tx = store.write().await?;
    let pending: Option<(String,)> = sqlx::query_as(
        &tx.locking("SELECT name FROM pending_backfills WHERE name = 'usage_daily'"),
    )
    .fetch_optional(&mut *tx)
    .await?;
    if pending.is_none() {
        return Ok(());
    }
    let mut additions = Additions::default();
    let mut after = String::new();
    loop {
        let page: Vec<EventRow> = sqlx::query_as(
            "SELECT id, project_id, model, input_tokens, output_tokens, units, cost, occurred_at \
             FROM usage_events WHERE id > $1 ORDER BY id LIMIT $2",
        )
        .bind(&after)
        .bind(BACKFILL_PAGE)
        .fetch_all(&mut *tx)
        .await?;
        let Some(last) = page.last() else {
            break;
        };
        after = last.id.clone();
        for event in page {
            let totals = Totals::of_event(
                stored_count(event.input_tokens),
                stored_count(event.output_tokens),
                stored_count(event.units),
                event.cost.0,
            );
            let key = Key::of(&event.project_id, event.occurred_at, &event.model);
            additions.add(key, &totals)?;
        }
    }
    additions.write(&mut tx).await?;
    sqlx::query("DELETE FROM pending_backfills WHERE name = 'usage_daily'")
        .execute(&mut *tx)
        .await?;
    tx.commit().await
}
