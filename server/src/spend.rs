//! What a charge may cost the owner, by who makes it.
//!
//! A publishable key is in every end user's browser, so anyone may hold it:
//! its charges never take the balance below zero, and each key spends
//! within the limits its owner set ([`PublishableLimits`]: per UTC hour and
//! day, per hold, held at once, hold lifetime, per end user and day). A
//! secret key or the dashboard (the owner's own server metering what really
//! happened) may take the balance below zero down to the project's
//! overdraft limit (default zero).
//!
//! Every check runs under the project's row lock, in the transaction that
//! makes the charge, so concurrent requests from any number of server
//! instances cannot overspend together. A key's *committed* spend in a
//! period is what it was charged in that period plus what its active holds
//! reserve; the charge that settles a hold was checked when the hold was
//! made (a publishable key settles only its own holds), so it is counted
//! but not refused.

use crate::db::{enum_text, Dec, WriteTx};
use crate::error::{AppError, AppResult};
use crate::projects::ProjectRow;
use crate::{clock, keys};

use rork_cloud_credits_core::wire::{HoldStatus, PublishableLimits};
use rork_cloud_credits_core::ErrorCode;
use rust_decimal::Decimal;
use std::collections::HashMap;

const HOUR_MS: i64 = 3_600_000;
const DAY_MS: i64 = 24 * HOUR_MS;

/// Who pays for a charge, for the spend rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Payer<'a> {
    /// A publishable key (by id): within its limits, never below zero.
    Publishable(&'a str),
    /// A secret key or the dashboard: down to the project's overdraft limit.
    Owner,
}

/// The lowest balance a charge by `payer` may leave `project` at.
pub fn floor(payer: Payer<'_>, project: &ProjectRow) -> Decimal {
    match payer {
        Payer::Publishable(_) => Decimal::ZERO,
        Payer::Owner => -project.overdraft_limit.0,
    }
}

/// `insufficient_credits` unless charging `amount` leaves `balance` at or
/// above `floor`.
pub fn fits(balance: Decimal, amount: Decimal, floor: Decimal) -> AppResult<()> {
    if amount.is_zero() || balance - amount >= floor {
        return Ok(());
    }
    Err(AppError::new(
        ErrorCode::InsufficientCredits,
        format!(
            "a charge of {amount} USD does not fit the available {} USD; add credits",
            balance.max(Decimal::ZERO)
        ),
    ))
}

/// What one publishable key has committed in the current UTC hour and day,
/// read under its project's lock, and what the transaction adds to it.
#[derive(Debug)]
pub struct Budget {
    key_id: String,
    limits: PublishableLimits,
    hour: i64,
    day: i64,
    /// By end user (`""`: the key as a whole). End users are counted only
    /// when the key caps them, and only per day.
    spends: HashMap<String, Spend>,
    /// What the key's active holds reserve, by end user.
    held_by_user: HashMap<String, Decimal>,
}

/// One key's (or one of its end users') committed spend.
#[derive(Debug, Default)]
struct Spend {
    hour: Decimal,
    day: Decimal,
    held: Decimal,
    /// Charged by this transaction: written by [`Budget::write`].
    changed: bool,
}

impl Budget {
    /// The budget of publishable key `key_id` now, in `tx` (its project
    /// locked by the caller).
    pub async fn load(tx: &mut WriteTx, key_id: &str) -> AppResult<Budget> {
        let now = clock::now_ms();
        let (held, held_by_user) = held_by_key(tx, key_id).await?;
        let mut budget = Budget {
            key_id: key_id.to_owned(),
            limits: keys::limits(tx, key_id).await?,
            hour: now - now.rem_euclid(HOUR_MS),
            day: now - now.rem_euclid(DAY_MS),
            spends: HashMap::new(),
            held_by_user,
        };
        budget.load_user(tx, "").await?;
        if let Some(key) = budget.spends.get_mut("") {
            key.held = held;
        }
        Ok(budget)
    }

    /// The key's limits.
    pub fn limits(&self) -> &PublishableLimits {
        &self.limits
    }

    /// Reads `end_user`'s spend (`""`: the key's) if not read yet.
    async fn load_user(&mut self, tx: &mut WriteTx, end_user: &str) -> AppResult<()> {
        if self.spends.contains_key(end_user) {
            return Ok(());
        }
        let rows: Vec<(String, i64, Dec)> = sqlx::query_as(
            "SELECT period, starts_at, amount FROM publishable_spend \
             WHERE key_id = $1 AND end_user = $2 AND starts_at >= $3",
        )
        .bind(&self.key_id)
        .bind(end_user)
        .bind(self.day)
        .fetch_all(&mut **tx)
        .await?;
        let mut spend = Spend::default();
        for (period, starts_at, amount) in rows {
            match period.as_str() {
                "hour" if starts_at == self.hour => spend.hour = amount.0,
                "day" if starts_at == self.day => spend.day = amount.0,
                _ => {}
            }
        }
        spend.held = self.held_by_user.get(end_user).copied().unwrap_or_default();
        self.spends.insert(end_user.to_owned(), spend);
        Ok(())
    }

    /// `spend_limit` unless the key (and `end_user`, when given and the key
    /// caps end users) can commit `amount` more this hour and day.
    pub async fn check(
        &mut self,
        tx: &mut WriteTx,
        amount: Decimal,
        end_user: Option<&str>,
    ) -> AppResult<()> {
        if amount.is_zero() {
            return Ok(());
        }
        let key = &self.spends[""];
        if key.hour + key.held + amount > self.limits.spend_per_hour_usd {
            return Err(limit(format!(
                "this publishable key may spend {} USD per hour (UTC) and has {} USD spent or held \
                 this hour; the owner can raise the limit in billing settings",
                self.limits.spend_per_hour_usd,
                key.hour + key.held
            )));
        }
        if key.day + key.held + amount > self.limits.spend_per_day_usd {
            return Err(limit(format!(
                "this publishable key may spend {} USD per day (UTC) and has {} USD spent or held \
                 today; the owner can raise the limit in billing settings",
                self.limits.spend_per_day_usd,
                key.day + key.held
            )));
        }
        if let (Some(user), Some(cap)) = (end_user, self.limits.end_user_per_day_usd) {
            self.load_user(tx, user).await?;
            let spend = &self.spends[user];
            if spend.day + spend.held + amount > cap {
                return Err(limit(format!(
                    "end user {user:?} may spend {cap} USD per day (UTC) through this key and has \
                     {} USD spent or held today",
                    spend.day + spend.held
                )));
            }
        }
        Ok(())
    }

    /// `spend_limit` (or `invalid_input` for the lifetime) unless the key may
    /// make a hold of `amount` for `ttl_seconds`: within its hold size, what
    /// it may hold at once, and its hour, day and end-user limits.
    pub async fn check_hold(
        &mut self,
        tx: &mut WriteTx,
        amount: Decimal,
        ttl_seconds: u64,
        end_user: Option<&str>,
    ) -> AppResult<()> {
        if ttl_seconds > self.limits.max_hold_seconds {
            return Err(AppError::invalid(format!(
                "ttlSeconds must be at most {} with this publishable key, got {ttl_seconds}",
                self.limits.max_hold_seconds
            )));
        }
        if amount > self.limits.max_hold_usd {
            return Err(limit(format!(
                "a hold of {amount} USD is over this publishable key's largest hold, {} USD",
                self.limits.max_hold_usd
            )));
        }
        let held = self.spends[""].held;
        if held + amount > self.limits.max_held_usd {
            return Err(limit(format!(
                "this publishable key may hold {} USD at once and holds {held} USD; \
                 settle or release holds first",
                self.limits.max_held_usd
            )));
        }
        self.check(tx, amount, end_user).await
    }

    /// Counts a charge of `amount` to the key (and `end_user`).
    pub async fn charge(
        &mut self,
        tx: &mut WriteTx,
        amount: Decimal,
        end_user: Option<&str>,
    ) -> AppResult<()> {
        if amount.is_zero() {
            return Ok(());
        }
        self.update(tx, end_user, |spend| {
            spend.hour += amount;
            spend.day += amount;
            spend.changed = true;
        })
        .await
    }

    /// Settles a hold (active until now) that reserved `held` for
    /// `end_user`, made by key `made_by`, with a charge of `amount`: what it
    /// reserved is no longer held by the key that made it (if this one), and
    /// the charge is counted.
    pub async fn settle(
        &mut self,
        tx: &mut WriteTx,
        (made_by, end_user, held): (Option<&str>, Option<&str>, Decimal),
        amount: Decimal,
    ) -> AppResult<()> {
        if made_by == Some(&self.key_id) {
            self.update(tx, end_user, |spend| spend.held -= held)
                .await?;
        }
        self.charge(tx, amount, end_user).await
    }

    /// Applies `change` to the key's spend and to `end_user`'s (when the
    /// key caps end users: otherwise nothing per user is kept, so naming new
    /// end users costs the server nothing).
    async fn update(
        &mut self,
        tx: &mut WriteTx,
        end_user: Option<&str>,
        change: impl Fn(&mut Spend),
    ) -> AppResult<()> {
        let capped = end_user.filter(|_| self.limits.end_user_per_day_usd.is_some());
        for user in std::iter::once("").chain(capped) {
            self.load_user(tx, user).await?;
            if let Some(spend) = self.spends.get_mut(user) {
                change(spend);
            }
        }
        Ok(())
    }

    /// Writes what this transaction charged, and forgets periods before
    /// yesterday.
    pub async fn write(self, tx: &mut WriteTx) -> AppResult<()> {
        for (user, spend) in self.spends.iter().filter(|(_, spend)| spend.changed) {
            let hour = user.is_empty().then_some(("hour", self.hour, spend.hour));
            for (period, starts_at, amount) in
                hour.into_iter().chain([("day", self.day, spend.day)])
            {
                sqlx::query(
                    "INSERT INTO publishable_spend (key_id, end_user, period, starts_at, amount) \
                     VALUES ($1, $2, $3, $4, $5) ON CONFLICT (key_id, end_user, period, starts_at) \
                     DO UPDATE SET amount = excluded.amount",
                )
                .bind(&self.key_id)
                .bind(user)
                .bind(period)
                .bind(starts_at)
                .bind(Dec(amount))
                .execute(&mut **tx)
                .await?;
            }
        }
        sqlx::query("DELETE FROM publishable_spend WHERE key_id = $1 AND starts_at < $2")
            .bind(&self.key_id)
            .bind(self.day - DAY_MS)
            .execute(&mut **tx)
            .await?;
        Ok(())
    }
}

fn limit(message: String) -> AppError {
    AppError::new(ErrorCode::SpendLimit, message)
}

/// What publishable key `key_id`'s active holds reserve, in all and by the
/// end user they were made for, in `tx` (the project locked): one query,
/// however many end users a batch names.
pub async fn held_by_key(
    tx: &mut WriteTx,
    key_id: &str,
) -> AppResult<(Decimal, HashMap<String, Decimal>)> {
    let rows: Vec<(Option<String>, Dec)> =
        sqlx::query_as("SELECT end_user, amount FROM holds WHERE key_id = $1 AND status = $2")
            .bind(key_id)
            .bind(enum_text(HoldStatus::Active))
            .fetch_all(&mut **tx)
            .await?;
    let mut total = Decimal::ZERO;
    let mut by_user: HashMap<String, Decimal> = HashMap::new();
    for (end_user, amount) in rows {
        total += amount.0;
        if let Some(end_user) = end_user {
            *by_user.entry(end_user).or_default() += amount.0;
        }
    }
    Ok((total, by_user))
}
