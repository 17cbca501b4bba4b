//! Readers of the server's answers: the wire types the SDK receives, read
//! from a [`Value`].
//!
//! The SDK lets the JS engine's `JSON.parse` read an answer's text and reads
//! the result here, so its wasm carries no JSON deserializer (serde's
//! derived readers were about 28 KB gzip of it). Each reader reads the
//! fields of the type's serde form, with the same names and the same
//! strictness for money (decimal strings only); fields it does not know are
//! ignored, so an answer from a newer server with more fields still reads.
//! The server's tests read serde's form of every type back through these
//! readers and compare the values.

use crate::error::{Error, ErrorCode, Result};
use crate::estimate::{Estimate, Line, LineKind};
use crate::money;
use crate::value::{count, list, one_of, string, Fields, Value};
use crate::wire::{
    AutoTopUp, Balance, BalanceBrief, BalanceStatus, ErrorBody, EventStatus, GroupBy, Hold,
    HoldStatus, Notification, NotificationKind, NotificationList, Settlement, UsageBatchResult,
    UsageGroup, UsageResult, UsageSummary,
};
use rust_decimal::Decimal;

/// A wire type the SDK reads from a server's answer.
pub trait Answer: Sized {
    /// Reads `value`; `path` names it in errors (`""` at the top).
    fn read(value: &Value, path: &str) -> Result<Self>;
}

/// The fields of the object at `path`, whatever other fields it has.
fn object<'a>(value: &'a Value, path: &'a str, what: &str) -> Result<Fields<'a>> {
    Fields::lenient(value, path, what)
}

/// A decimal string (`"0.00863"`), as `money::decimal_string` reads it.
fn decimal(value: &Value, path: &str) -> Result<Decimal> {
    money::parse_decimal(&string(value, path)?)
        .map_err(|error| Error::invalid_input(format!("{path}: {}", error.message)))
}

/// `true` or `false`.
fn boolean(value: &Value, path: &str) -> Result<bool> {
    match value {
        Value::Bool(flag) => Ok(*flag),
        other => Err(Error::invalid_input(format!(
            "{path} must be true or false, got {}",
            other.describe()
        ))),
    }
}

/// An answer read as [`Answer`], for [`Fields`] and [`list`].
fn answer<T: Answer>(value: &Value, path: &str) -> Result<T> {
    T::read(value, path)
}

impl Answer for Error {
    fn read(value: &Value, path: &str) -> Result<Error> {
        let fields = object(value, path, "an error")?;
        let codes = ErrorCode::ALL.map(|code| (code.as_str(), code));
        Ok(Error::new(
            fields.required("code", |code, path| one_of(code, path, &codes))?,
            fields.required("message", string)?,
        ))
    }
}

impl Answer for ErrorBody {
    fn read(value: &Value, path: &str) -> Result<ErrorBody> {
        let fields = object(value, path, "an error answer")?;
        Ok(ErrorBody {
            error: fields.required("error", answer)?,
        })
    }
}

fn balance_status(value: &Value, path: &str) -> Result<BalanceStatus> {
    let choices = [
        ("ok", BalanceStatus::Ok),
        ("low", BalanceStatus::Low),
        ("empty", BalanceStatus::Empty),
    ];
    one_of(value, path, &choices)
}

impl Answer for AutoTopUp {
    fn read(value: &Value, path: &str) -> Result<AutoTopUp> {
        let fields = object(value, path, "auto top-up settings")?;
        Ok(AutoTopUp {
            enabled: fields.required("enabled", boolean)?,
            threshold_usd: fields.required("thresholdUsd", decimal)?,
            amount_usd: fields.required("amountUsd", decimal)?,
            daily_cap_usd: fields.required("dailyCapUsd", decimal)?,
            payment_method: fields.required("paymentMethod", string)?,
        })
    }
}

impl Answer for Balance {
    fn read(value: &Value, path: &str) -> Result<Balance> {
        let fields = object(value, path, "a balance")?;
        Ok(Balance {
            project_id: fields.required("projectId", string)?,
            balance_usd: fields.required("balanceUsd", decimal)?,
            held_usd: fields.required("heldUsd", decimal)?,
            available_usd: fields.required("availableUsd", decimal)?,
            status: fields.required("status", balance_status)?,
            use_cloud_credits: fields.required("useCloudCredits", boolean)?,
            low_balance_threshold_usd: fields.required("lowBalanceThresholdUsd", decimal)?,
            auto_top_up: fields.required("autoTopUp", answer)?,
            add_credits_url: fields.required("addCreditsUrl", string)?,
            as_of: fields.required("asOf", string)?,
        })
    }
}

impl Answer for BalanceBrief {
    fn read(value: &Value, path: &str) -> Result<BalanceBrief> {
        let fields = object(value, path, "a balance")?;
        Ok(BalanceBrief {
            project_id: fields.required("projectId", string)?,
            balance_usd: fields.required("balanceUsd", decimal)?,
            status: fields.required("status", balance_status)?,
        })
    }
}

impl Answer for Line {
    fn read(value: &Value, path: &str) -> Result<Line> {
        let fields = object(value, path, "an estimate line")?;
        let kinds = [
            LineKind::Input,
            LineKind::CachedInput,
            LineKind::CacheWrite,
            LineKind::Output,
            LineKind::Units,
        ]
        .map(|kind| (kind.as_str(), kind));
        Ok(Line {
            kind: fields.required("kind", |kind, path| one_of(kind, path, &kinds))?,
            quantity: fields.required("quantity", count)?,
            unit_price: fields.required("unitPrice", decimal)?,
            cost: fields.required("cost", decimal)?,
        })
    }
}

impl Answer for Estimate {
    fn read(value: &Value, path: &str) -> Result<Estimate> {
        let fields = object(value, path, "an estimate")?;
        Ok(Estimate {
            model: fields.required("model", string)?,
            currency: fields.required("currency", string)?,
            total: fields.required("total", decimal)?,
            catalog_version: fields.required("catalogVersion", string)?,
            lines: fields.required("lines", |lines, path| list(lines, path, answer))?,
        })
    }
}

impl Answer for Hold {
    fn read(value: &Value, path: &str) -> Result<Hold> {
        let fields = object(value, path, "a hold")?;
        let statuses = [
            ("active", HoldStatus::Active),
            ("settled", HoldStatus::Settled),
            ("released", HoldStatus::Released),
            ("expired", HoldStatus::Expired),
        ];
        Ok(Hold {
            id: fields.required("id", string)?,
            project_id: fields.required("projectId", string)?,
            amount_usd: fields.required("amountUsd", decimal)?,
            status: fields.required("status", |status, path| one_of(status, path, &statuses))?,
            estimate: fields.optional("estimate", answer)?,
            settled_cost_usd: fields.optional("settledCostUsd", decimal)?,
            created_at: fields.required("createdAt", string)?,
            expires_at: fields.required("expiresAt", string)?,
        })
    }
}

impl Answer for UsageResult {
    fn read(value: &Value, path: &str) -> Result<UsageResult> {
        let fields = object(value, path, "a usage result")?;
        let statuses = [
            ("accepted", EventStatus::Accepted),
            ("duplicate", EventStatus::Duplicate),
            ("rejected", EventStatus::Rejected),
        ];
        let index = fields.required("index", count)?;
        Ok(UsageResult {
            index: usize::try_from(index).map_err(|_| {
                Error::invalid_input(format!("{} is too large", fields.path("index")))
            })?,
            id: fields.optional("id", string)?,
            status: fields.required("status", |status, path| one_of(status, path, &statuses))?,
            cost_usd: fields.optional("costUsd", decimal)?,
            error: fields.optional("error", answer)?,
        })
    }
}

impl Answer for Settlement {
    fn read(value: &Value, path: &str) -> Result<Settlement> {
        let fields = object(value, path, "a settlement")?;
        Ok(Settlement {
            hold: fields.required("hold", answer)?,
            event: fields.required("event", answer)?,
            balance: fields.required("balance", answer)?,
        })
    }
}

impl Answer for UsageBatchResult {
    fn read(value: &Value, path: &str) -> Result<UsageBatchResult> {
        let fields = object(value, path, "a usage batch result")?;
        Ok(UsageBatchResult {
            results: fields.required("results", |items, path| list(items, path, answer))?,
            balances: fields.required("balances", |items, path| list(items, path, answer))?,
        })
    }
}

impl Answer for UsageGroup {
    fn read(value: &Value, path: &str) -> Result<UsageGroup> {
        let fields = object(value, path, "a usage group")?;
        Ok(UsageGroup {
            key: fields.required("key", string)?,
            label: fields.required("label", string)?,
            cost_usd: fields.required("costUsd", decimal)?,
            events: fields.required("events", count)?,
            input_tokens: fields.required("inputTokens", count)?,
            output_tokens: fields.required("outputTokens", count)?,
            units: fields.required("units", count)?,
        })
    }
}

impl Answer for UsageSummary {
    fn read(value: &Value, path: &str) -> Result<UsageSummary> {
        let fields = object(value, path, "a usage summary")?;
        let groupings = [
            ("model", GroupBy::Model),
            ("project", GroupBy::Project),
            ("day", GroupBy::Day),
        ];
        let days = fields.required("days", count)?;
        Ok(UsageSummary {
            days: u32::try_from(days).map_err(|_| {
                Error::invalid_input(format!("{} is too large", fields.path("days")))
            })?,
            group_by: fields.required("groupBy", |group, path| one_of(group, path, &groupings))?,
            from: fields.required("from", string)?,
            to: fields.required("to", string)?,
            total_cost_usd: fields.required("totalCostUsd", decimal)?,
            total_events: fields.required("totalEvents", count)?,
            groups: fields.required("groups", |items, path| list(items, path, answer))?,
        })
    }
}

impl Answer for Notification {
    fn read(value: &Value, path: &str) -> Result<Notification> {
        let fields = object(value, path, "a notification")?;
        let kinds = [
            ("low", NotificationKind::Low),
            ("empty", NotificationKind::Empty),
            ("auto_top_up", NotificationKind::AutoTopUp),
            ("auto_top_up_failed", NotificationKind::AutoTopUpFailed),
        ];
        Ok(Notification {
            id: fields.required("id", string)?,
            project_id: fields.required("projectId", string)?,
            kind: fields.required("kind", |kind, path| one_of(kind, path, &kinds))?,
            message: fields.required("message", string)?,
            balance_usd: fields.required("balanceUsd", decimal)?,
            add_credits_url: fields.required("addCreditsUrl", string)?,
            created_at: fields.required("createdAt", string)?,
        })
    }
}

impl Answer for NotificationList {
    fn read(value: &Value, path: &str) -> Result<NotificationList> {
        let fields = object(value, path, "a notification list")?;
        Ok(NotificationList {
            notifications: fields
                .required("notifications", |items, path| list(items, path, answer))?,
        })
    }
}
