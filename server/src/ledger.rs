//! The append-only ledger: every change to a project's balance is an entry,
//! and the project's balance is always the sum of its entries.

use crate::clock;
use crate::db::{enum_from_text, enum_text, Dec, WriteTx, ROWS_PER_INSERT};
use crate::error::{AppError, AppResult};
use crate::projects::ProjectRow;
use rork_cloud_credits_core::wire::{LedgerEntry, LedgerKind};
use rust_decimal::Decimal;
use sqlx::AnyPool;
use std::collections::BTreeMap;

/// What an entry refers to.
#[derive(Debug, Clone, Copy, Default)]
pub struct Refs<'a> {
    /// The hold (hold, release, and usage that settled a hold).
    pub hold_id: Option<&'a str>,
    /// The usage event (usage debits).
    pub usage_event_id: Option<&'a str>,
    /// The top-up (top-up and auto top-up credits).
    pub top_up_id: Option<&'a str>,
}

/// Appends an entry of `amount` (signed) to the project's ledger and moves
/// its balance by exactly that amount, in the caller's transaction, under
/// the project's row lock. Hold entries add to `held`, release entries take
/// from it.
pub async fn append(
    tx: &mut WriteTx,
    project: &mut ProjectRow,
    kind: LedgerKind,
    amount: Decimal,
    refs: Refs<'_>,
    memo: &str,
) -> AppResult<()> {
    let mut entries = Entries::default();
    entries.push(project, kind, amount, refs, memo)?;
    entries.write(tx).await
}

/// Ledger entries appended in memory, in order, and written together by
/// [`Entries::write`]: one multi-row insert for all of them and one update
/// per project, instead of an insert and an update per entry. Each
/// [`Entries::push`] moves the project's in-memory balance at once, so
/// entries of a batch number and add up exactly as appended one by one.
#[derive(Debug, Default)]
pub struct Entries {
    rows: Vec<NewEntry>,
    /// Per project: its `ledger_seq` before the first entry, and after the last.
    moved: BTreeMap<String, Moved>,
}

#[derive(Debug)]
struct NewEntry {
    id: String,
    project_id: String,
    seq: i64,
    kind: String,
    amount: Decimal,
    balance_after: Decimal,
    hold_id: Option<String>,
    usage_event_id: Option<String>,
    top_up_id: Option<String>,
    memo: String,
    created_at: i64,
}

#[derive(Debug)]
struct Moved {
    seq_before: i64,
    balance: Decimal,
    held: Decimal,
    seq: i64,
}

impl Entries {
    /// Appends an entry of `amount` (signed) for `project` (locked by the
    /// caller's transaction) and moves its in-memory balance; hold entries
    /// add to `held`, release entries take from it. Nothing is written yet.
    pub fn push(
        &mut self,
        project: &mut ProjectRow,
        kind: LedgerKind,
        amount: Decimal,
        refs: Refs<'_>,
        memo: &str,
    ) -> AppResult<()> {
        let balance = checked(project.balance.0.checked_add(amount))?;
        let held = match kind {
            LedgerKind::Hold | LedgerKind::Release => checked(project.held.0.checked_sub(amount))?,
            _ => project.held.0,
        };
        let seq = project.ledger_seq + 1;
        self.rows.push(NewEntry {
            // Time-ordered (v7): a batch's entries land at the end of the id
            // index instead of on a random page each (measured in bench/RESULTS.md).
            id: uuid::Uuid::now_v7().to_string(),
            project_id: project.id.clone(),
            seq,
            kind: enum_text(kind),
            amount,
            balance_after: balance,
            hold_id: refs.hold_id.map(str::to_owned),
            usage_event_id: refs.usage_event_id.map(str::to_owned),
            top_up_id: refs.top_up_id.map(str::to_owned),
            memo: memo.to_owned(),
            created_at: clock::now_ms(),
        });
        let moved = self.moved.entry(project.id.clone()).or_insert(Moved {
            seq_before: project.ledger_seq,
            balance,
            held,
            seq,
        });
        moved.balance = balance;
        moved.held = held;
        moved.seq = seq;
        project.balance = Dec(balance);
        project.held = Dec(held);
        project.ledger_seq = seq;
        Ok(())
    }

    /// Writes the appended entries and the projects' new balances in `tx`.
    /// Fails (so the transaction rolls back) if a project's ledger moved
    /// since it was read, which its row lock rules out.
    pub async fn write(self, tx: &mut WriteTx) -> AppResult<()> {
        for chunk in self.rows.chunks(ROWS_PER_INSERT) {
            let sql = format!(
                "INSERT INTO ledger_entries (id, project_id, seq, kind, amount, balance_after, \
                 hold_id, usage_event_id, top_up_id, memo, created_at) VALUES {}",
                tx.dialect().values_list(chunk.len(), 11)
            );
            let mut insert = sqlx::query(&sql);
            for row in chunk {
                insert = insert
                    .bind(&row.id)
                    .bind(&row.project_id)
                    .bind(row.seq)
                    .bind(&row.kind)
                    .bind(Dec(row.amount))
                    .bind(Dec(row.balance_after))
                    .bind(row.hold_id.as_deref())
                    .bind(row.usage_event_id.as_deref())
                    .bind(row.top_up_id.as_deref())
                    .bind(&row.memo)
                    .bind(row.created_at);
            }
            insert.execute(&mut **tx).await?;
        }
        for (project_id, moved) in &self.moved {
            let updated = sqlx::query(
                "UPDATE projects SET balance = $1, held = $2, ledger_seq = $3 \
                 WHERE id = $4 AND ledger_seq = $5",
            )
            .bind(Dec(moved.balance))
            .bind(Dec(moved.held))
            .bind(moved.seq)
            .bind(project_id)
            .bind(moved.seq_before)
            .execute(&mut **tx)
            .await?;
            if updated.rows_affected() != 1 {
                return Err(AppError::internal(format_args!(
                    "ledger of project {project_id} moved under its lock"
                )));
            }
        }
        Ok(())
    }
}

fn checked(value: Option<Decimal>) -> AppResult<Decimal> {
    value.ok_or_else(|| AppError::internal("ledger amount overflow"))
}

#[derive(sqlx::FromRow)]
struct EntryRow {
    id: String,
    seq: i64,
    kind: String,
    amount: Dec,
    balance_after: Dec,
    hold_id: Option<String>,
    usage_event_id: Option<String>,
    top_up_id: Option<String>,
    memo: String,
    created_at: i64,
}

impl EntryRow {
    fn into_wire(self) -> AppResult<LedgerEntry> {
        Ok(LedgerEntry {
            id: self.id,
            seq: u64::try_from(self.seq).map_err(AppError::internal)?,
            kind: enum_from_text(&self.kind)?,
            amount_usd: self.amount.0,
            balance_after_usd: self.balance_after.0,
            hold_id: self.hold_id,
            usage_event_id: self.usage_event_id,
            top_up_id: self.top_up_id,
            memo: self.memo,
            created_at: clock::rfc3339(self.created_at),
        })
    }
}

const COLUMNS: &str = "id, seq, kind, amount, balance_after, hold_id, usage_event_id, \
                       top_up_id, memo, created_at";

/// The project's most recent `limit` entries, newest first.
pub async fn recent(pool: &AnyPool, project_id: &str, limit: u32) -> AppResult<Vec<LedgerEntry>> {
    let rows: Vec<EntryRow> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM ledger_entries WHERE project_id = $1 ORDER BY seq DESC LIMIT $2"
    ))
    .bind(project_id)
    .bind(i64::from(limit))
    .fetch_all(pool)
    .await?;
    rows.into_iter().map(EntryRow::into_wire).collect()
}

/// The project's entries written in `[from, to]` (ms), or debiting a usage
/// event that occurred then, oldest first.
pub async fn around(
    pool: &AnyPool,
    project_id: &str,
    from: i64,
    to: i64,
) -> AppResult<Vec<LedgerEntry>> {
    let rows: Vec<EntryRow> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM ledger_entries WHERE project_id = $1 \
         AND ((created_at >= $2 AND created_at <= $3) OR usage_event_id IN \
         (SELECT id FROM usage_events WHERE project_id = $1 AND occurred_at >= $2 AND occurred_at <= $3)) \
         ORDER BY seq"
    ))
    .bind(project_id)
    .bind(from)
    .bind(to)
    .fetch_all(pool)
    .await?;
    rows.into_iter().map(EntryRow::into_wire).collect()
}

/// Every entry's amount, in order: the audit trail the balance must equal the sum of.
pub async fn amounts(pool: &AnyPool, project_id: &str) -> AppResult<Vec<Decimal>> {
    let rows: Vec<(Dec,)> =
        sqlx::query_as("SELECT amount FROM ledger_entries WHERE project_id = $1 ORDER BY seq")
            .bind(project_id)
            .fetch_all(pool)
            .await?;
    Ok(rows.into_iter().map(|(amount,)| amount.0).collect())
}
