//! The JSON wire types of the Cloud Credits HTTP API (`/v1`), shared by the
//! browser client and the reference server so the two cannot drift.
//!
//! Conventions: field names are camelCase; money is a [`Decimal`] serialized
//! as a decimal string (`"0.0012345"`) and only accepted as a strict decimal
//! string ([`crate::money::decimal_string`]: a JSON number, `"1e3"` or `"NaN"`
//! is refused, since a float may already have rounded it); token and unit
//! counts are JSON integers; timestamps are RFC 3339
//! strings in UTC (`"2026-11-25T12:00:00.000Z"`); ids are UUID strings.
//! The server's `server/API.md` documents every route that uses these types.

use crate::error::Error;
use crate::estimate::{Estimate, UsageRequest};
use crate::value::JsonObject;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// The longest label an app attaches to usage (`feature`, `endUser`), in characters: the
/// server's limit, and the SDK's before it sends anything.
pub const MAX_LABEL_CHARS: usize = 100;

/// The longest a hold lives, in seconds (a hold's `ttlSeconds`, a publishable
/// key's `maxHoldSeconds`): 1 hour.
pub const MAX_HOLD_TTL_SECONDS: u64 = 3600;

/// The longest window of a usage summary, in UTC days (`usage({ days })`, `?days=`).
pub const MAX_SUMMARY_DAYS: u32 = 90;

/// The body of every error response: `{ "error": { "code", "message" } }`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// The error, with its stable code.
    pub error: Error,
}

/// `POST /v1/session`: the account owner signs in to the billing dashboard.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionRequest {
    /// The account's email address.
    pub email: String,
    /// The account's password.
    pub password: String,
}

/// Build credits: the plan-bound balance spent while building in the editor,
/// in whole credits (never USD, never convertible into Cloud Credits).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BuildCredits {
    /// Credits of the current plan period; unused ones expire at renewal.
    pub subscription: u64,
    /// Credits bought as you go (packs); they never expire.
    pub usage: u64,
}

/// What build credits were spent on in the editor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BuildKind {
    /// Chat messages with the agent.
    Chat,
    /// Builds and previews started from the editor.
    Build,
    /// Asset generation while building (images, audio, 3D).
    Asset,
    /// Publishing and platform work.
    Publish,
}

impl BuildKind {
    /// Every kind, in the order summaries list them.
    pub const ALL: [BuildKind; 4] = [
        BuildKind::Chat,
        BuildKind::Build,
        BuildKind::Asset,
        BuildKind::Publish,
    ];
}

/// A plan and its monthly allowance of build credits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BuildPlan {
    /// Plan name, for example `"Pro"`.
    pub name: String,
    /// Subscription credits granted each plan period (a calendar month).
    pub monthly_credits: u64,
    /// The plan's monthly price.
    #[serde(with = "crate::money::decimal_string")]
    pub price_usd: Decimal,
}

/// A pack of usage credits, bought as you go.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BuildPack {
    /// Pack id, for example `"credits_200"`.
    pub id: String,
    /// Usage credits it adds.
    pub credits: u64,
    /// What it costs.
    #[serde(with = "crate::money::decimal_string")]
    pub price_usd: Decimal,
}

/// Build credits spent on one kind of activity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BuildKindTotal {
    /// The kind.
    pub kind: BuildKind,
    /// Credits spent on it.
    pub credits: u64,
    /// How many activities.
    pub count: u64,
}

/// `GET /v1/build-credits`: the Build Credits tab of billing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BuildCreditsSummary {
    /// `subscription + usage`.
    pub remaining: u64,
    /// Subscription credits left in this plan period.
    pub subscription: u64,
    /// Usage credits left.
    pub usage: u64,
    /// The account's plan.
    pub plan: BuildPlan,
    /// When the current plan period started.
    pub period_start: String,
    /// When it renews: unused subscription credits expire, the allowance is granted anew.
    pub renews_at: String,
    /// Where to change plan.
    pub upgrade_url: String,
    /// The packs on sale.
    pub packs: Vec<BuildPack>,
    /// The last 30 days' spend per kind, every kind listed.
    pub by_kind: Vec<BuildKindTotal>,
    /// The last 30 days' build activity, newest first.
    pub recent: Vec<BuildActivity>,
}

/// `POST /v1/build-credits/activity`: the editor records build activity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BuildActivityRequest {
    /// The project built.
    pub project_id: String,
    /// What kind of work.
    pub kind: BuildKind,
    /// What was done (at most 200 characters).
    pub description: String,
    /// Build credits it costs, 1 to 10,000.
    pub credits: u64,
}

/// `POST /v1/build-credits/packs` (with an `Idempotency-Key` header).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BuildPackRequest {
    /// The pack's id, for example `"credits_200"`.
    pub pack: String,
    /// The payment method to charge (as for top-ups).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_method: Option<String>,
}

/// A pack bought and credited.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BuildPackPurchase {
    /// Purchase id (also the payment provider's idempotency key).
    pub id: String,
    /// The pack's id.
    pub pack: String,
    /// Usage credits added.
    pub credits: u64,
    /// What was charged.
    #[serde(with = "crate::money::decimal_string")]
    pub amount_usd: Decimal,
    /// The payment provider's reference.
    pub payment_reference: String,
    /// Usage credits right after the credit.
    pub usage_after: u64,
    /// When it was bought.
    pub created_at: String,
}

/// `GET /v1/account`: the signed-in account, its plan, build credits and projects.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Account {
    /// Account id.
    pub id: String,
    /// Sign-in email address.
    pub email: String,
    /// Plan name, for example `"Pro"`.
    pub plan: String,
    /// The build-credit balances of the plan.
    pub build_credits: BuildCredits,
    /// The account's projects.
    pub projects: Vec<Project>,
}

/// A project and its Cloud Credits settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Project {
    /// Project id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// The Cloud Credits balance, as `GET /v1/projects/{id}/balance` returns it.
    pub balance: Balance,
    /// Email address for low-balance alerts; `None` sends no email.
    pub alert_email: Option<String>,
    /// Whether the one-time free $1.00 has been granted (it is granted once, ever).
    pub free_grant_received: bool,
    /// Origins allowed to use the publishable key from a browser.
    pub allowed_origins: Vec<String>,
    /// The active publishable keys, by display prefix (never the whole key).
    pub publishable_keys: Vec<KeyInfo>,
    /// How far usage reported with a secret key may take the balance below
    /// zero (`"0"`: not at all). Publishable keys never take it below zero.
    #[serde(with = "crate::money::decimal_string")]
    pub overdraft_limit_usd: Decimal,
}

/// A key as listed after creation: its id and a display prefix, never the secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KeyInfo {
    /// Key id (used to revoke it).
    pub id: String,
    /// `pk` or `sk`.
    pub kind: KeyKind,
    /// The first characters of the key, for recognizing it (`"pk_3f9a1c2e…"`).
    pub prefix: String,
    /// Creation time.
    pub created_at: String,
    /// What a publishable key may spend (absent for secret keys).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limits: Option<PublishableLimits>,
}

/// What one publishable key may spend, set by the owner (`PATCH /v1/keys/{id}`,
/// replaced as a whole). The key is public by design, so these bound what
/// anyone holding it can cost the owner. Periods are UTC hours and days.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PublishableLimits {
    /// Most the key may spend (usage charged plus active holds) per UTC hour.
    #[serde(with = "crate::money::decimal_string")]
    pub spend_per_hour_usd: Decimal,
    /// Most the key may spend per UTC day.
    #[serde(with = "crate::money::decimal_string")]
    pub spend_per_day_usd: Decimal,
    /// The largest single hold the key may make.
    #[serde(with = "crate::money::decimal_string")]
    pub max_hold_usd: Decimal,
    /// The most the key's active holds may reserve together.
    #[serde(with = "crate::money::decimal_string")]
    pub max_held_usd: Decimal,
    /// The longest hold lifetime the key may ask for, in seconds (1 to 3600).
    pub max_hold_seconds: u64,
    /// Most one end user (the `endUser` the app sends) may spend per UTC
    /// day through this key; `None`: no per-user cap.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "optional_decimal_string"
    )]
    pub end_user_per_day_usd: Option<Decimal>,
}

/// A key returned once, at creation: the only time the whole key is shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreatedKey {
    /// The key's id and prefix.
    #[serde(flatten)]
    pub info: KeyInfo,
    /// The whole key. Store it now: the server keeps only its hash.
    pub key: String,
}

/// The two kinds of API key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyKind {
    /// Publishable key (`pk_...`), one project, safe in a browser.
    Pk,
    /// Secret key (`sk_...`), the whole account, server side only.
    Sk,
}

/// `POST /v1/projects`: create a project (session or secret key).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateProjectRequest {
    /// Display name, 1 to 100 characters.
    pub name: String,
}

/// `POST /v1/projects` answer: the project and its first publishable key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreatedProject {
    /// The new project.
    pub project: Project,
    /// Its publishable key, shown in full this once.
    pub publishable_key: CreatedKey,
}

/// Whether the balance still covers normal use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BalanceStatus {
    /// At or above the low-balance threshold.
    Ok,
    /// Below the low-balance threshold but above zero.
    Low,
    /// Zero or below: new holds are refused.
    Empty,
}

/// Auto top-up: when the balance falls below `threshold_usd`, buy `amount_usd`,
/// once per crossing, at most `daily_cap_usd` per UTC day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AutoTopUp {
    /// Whether auto top-up is on.
    pub enabled: bool,
    /// Refill when the balance falls below this.
    #[serde(with = "crate::money::decimal_string")]
    pub threshold_usd: Decimal,
    /// How much to buy each time ($5.00 to $200.00, cents).
    #[serde(with = "crate::money::decimal_string")]
    pub amount_usd: Decimal,
    /// The most auto top-ups may buy per UTC day.
    #[serde(with = "crate::money::decimal_string")]
    pub daily_cap_usd: Decimal,
    /// The payment method charged (with the test provider: `pm_test_ok` or `pm_test_decline`).
    pub payment_method: String,
}

/// `GET /v1/projects/{id}/balance`: the project's Cloud Credits balance.
///
/// The balance is a ledger: `balance_usd` is exactly the sum of the project's
/// ledger entries. Active holds are ledger entries too, so `balance_usd` is
/// what is left after in-flight reservations; `held_usd` says how much of the
/// money is reserved right now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Balance {
    /// The project.
    pub project_id: String,
    /// Sum of all ledger entries (may be negative after usage past zero).
    #[serde(with = "crate::money::decimal_string")]
    pub balance_usd: Decimal,
    /// Reserved by active holds (already deducted from `balance_usd`).
    #[serde(with = "crate::money::decimal_string")]
    pub held_usd: Decimal,
    /// What a new hold may reserve: `balance_usd`, or zero when that is negative.
    #[serde(with = "crate::money::decimal_string")]
    pub available_usd: Decimal,
    /// `ok`, `low` or `empty`.
    pub status: BalanceStatus,
    /// The "Use Cloud Credits" toggle: off means legacy features only.
    pub use_cloud_credits: bool,
    /// Below this the balance is `low` and an alert is sent.
    #[serde(with = "crate::money::decimal_string")]
    pub low_balance_threshold_usd: Decimal,
    /// Auto top-up settings.
    pub auto_top_up: AutoTopUp,
    /// Where the owner adds credits (the billing page).
    pub add_credits_url: String,
    /// When this balance was read.
    pub as_of: String,
}

/// `PATCH /v1/projects/{id}/settings`: any subset of the project's settings.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SettingsPatch {
    /// Turn "Use Cloud Credits" on or off. The first time it is turned on the
    /// project receives a one-time free $1.00.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub use_cloud_credits: Option<bool>,
    /// Low-balance threshold (zero or more, at most $10,000).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "optional_decimal_string"
    )]
    pub low_balance_threshold_usd: Option<Decimal>,
    /// Alert email address; the empty string turns email alerts off.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alert_email: Option<String>,
    /// Auto top-up settings, replaced as a whole.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto_top_up: Option<AutoTopUp>,
    /// Origins allowed to use the publishable key from a browser
    /// (`scheme://host[:port]`); an empty list allows any origin.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allowed_origins: Option<Vec<String>>,
    /// How far secret-key usage may take the balance below zero (0 to $10,000, cents).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "optional_decimal_string"
    )]
    pub overdraft_limit_usd: Option<Decimal>,
}

/// `POST /v1/projects/{id}/topups` (with an `Idempotency-Key` header).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TopUpRequest {
    /// $5.00 to $200.00 inclusive, at most cent precision.
    #[serde(with = "crate::money::decimal_string")]
    pub amount_usd: Decimal,
    /// The payment method to charge; the test provider takes `pm_test_ok`
    /// (the default) or `pm_test_decline`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_method: Option<String>,
}

/// A completed top-up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TopUp {
    /// Top-up id.
    pub id: String,
    /// The project credited.
    pub project_id: String,
    /// Amount credited.
    #[serde(with = "crate::money::decimal_string")]
    pub amount_usd: Decimal,
    /// `manual` or `auto`.
    pub source: String,
    /// The payment provider's reference for the charge.
    pub payment_reference: String,
    /// The project's balance right after this top-up.
    #[serde(with = "crate::money::decimal_string")]
    pub balance_after_usd: Decimal,
    /// When it was credited.
    pub created_at: String,
}

/// `POST /v1/projects/{id}/holds`: reserve the estimated cost of `usage`, or a plain amount.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct HoldRequest {
    /// The usage to reserve for: the server estimates its cost from the catalog.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub usage: Option<UsageRequest>,
    /// Or a plain amount to reserve (more than zero).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "optional_decimal_string"
    )]
    pub amount_usd: Option<Decimal>,
    /// Seconds until an unsettled hold expires (1 to 3600, default 600;
    /// with a publishable key at most its `maxHoldSeconds`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ttl_seconds: Option<u64>,
    /// The app's id for its end user (at most 100 characters), for the
    /// owner's per-user cap on publishable-key spend.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_user: Option<String>,
}

/// The life cycle of a hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HoldStatus {
    /// Reserved; waiting to be settled or released.
    Active,
    /// Settled with actual usage: the actual cost was debited, the rest released.
    Settled,
    /// Released without usage.
    Released,
    /// Expired unsettled; the whole amount was released.
    Expired,
}

/// A hold: money reserved for a request in flight.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Hold {
    /// Hold id.
    pub id: String,
    /// The project whose balance it reserves.
    pub project_id: String,
    /// Amount reserved.
    #[serde(with = "crate::money::decimal_string")]
    pub amount_usd: Decimal,
    /// Current state.
    pub status: HoldStatus,
    /// The estimate the amount came from, when the hold was made for a usage request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub estimate: Option<Estimate>,
    /// Actual cost debited when settled.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "optional_decimal_string"
    )]
    pub settled_cost_usd: Option<Decimal>,
    /// When it was made.
    pub created_at: String,
    /// When it expires if not settled.
    pub expires_at: String,
}

/// `POST /v1/holds/{id}/settle`: the actual usage of the request the hold was for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SettleRequest {
    /// The actual usage.
    pub usage: UsageRequest,
    /// Client-generated UUID of the usage event this settles with (makes retries safe);
    /// the server generates one when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_id: Option<String>,
    /// The app feature that used it, for the usage breakdown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub feature: Option<String>,
}

/// `POST /v1/holds/{id}/settle` answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Settlement {
    /// The hold, now settled.
    pub hold: Hold,
    /// The usage event recorded for it.
    pub event: UsageResult,
    /// The project's balance afterwards.
    pub balance: BalanceBrief,
}

/// One usage event of a `POST /v1/usage` batch.
///
/// Unknown fields are refused (a misspelled `outputToken` would otherwise
/// be a free event); the server prices the usage from its own catalog, so
/// there is no cost field to send.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "EventFields", into = "EventFields")]
pub struct UsageEvent {
    /// Client-generated UUID; an event is recorded once, ever.
    pub id: String,
    /// With a secret key: the project the usage belongs to (a publishable key implies it).
    pub project_id: Option<String>,
    /// What was used (its fields sit next to the event's on the wire).
    pub usage: UsageRequest,
    /// The app feature that used it, for the usage breakdown (at most 100 characters).
    pub feature: Option<String>,
    /// The hold this usage settles, if any.
    pub hold_id: Option<String>,
    /// When the usage happened (RFC 3339); the server's receipt time when absent.
    pub occurred_at: Option<String>,
    /// The app's id for its end user (at most 100 characters), for the
    /// owner's per-user cap on publishable-key spend.
    pub end_user: Option<String>,
}

impl UsageEvent {
    /// The event's JSON text, as serde_json writes it (the request's fields inline).
    pub fn to_json(&self) -> String {
        let mut object = JsonObject::default();
        object
            .string("id", &self.id)
            .optional("projectId", self.project_id.as_deref());
        self.usage.write_fields(&mut object);
        object
            .optional("feature", self.feature.as_deref())
            .optional("holdId", self.hold_id.as_deref())
            .optional("occurredAt", self.occurred_at.as_deref())
            .optional("endUser", self.end_user.as_deref())
            .finish()
    }
}

impl HoldRequest {
    /// The request's JSON text, as serde_json writes it.
    pub fn to_json(&self) -> String {
        let mut object = JsonObject::default();
        if let Some(usage) = &self.usage {
            object.json("usage", &usage.to_json());
        }
        object.optional(
            "amountUsd",
            self.amount_usd.map(|a| a.to_string()).as_deref(),
        );
        if let Some(ttl) = self.ttl_seconds {
            object.count("ttlSeconds", ttl);
        }
        object
            .optional("endUser", self.end_user.as_deref())
            .finish()
    }
}

impl SettleRequest {
    /// The request's JSON text, as serde_json writes it.
    pub fn to_json(&self) -> String {
        JsonObject::default()
            .json("usage", &self.usage.to_json())
            .optional("eventId", self.event_id.as_deref())
            .optional("feature", self.feature.as_deref())
            .finish()
    }
}

/// A [`UsageEvent`] as it crosses the wire: the request's fields inline. This
/// is what `#[serde(flatten)]` would read and write, without the buffering
/// of every field that flattening costs (about 10 KB of the SDK's wasm).
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct EventFields {
    id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    project_id: Option<String>,
    model: String,
    #[serde(default)]
    input_tokens: u64,
    #[serde(default)]
    cached_input_tokens: u64,
    #[serde(default)]
    cache_write_tokens: u64,
    #[serde(default)]
    output_tokens: u64,
    #[serde(default)]
    units: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    feature: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    hold_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    occurred_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    end_user: Option<String>,
}

impl From<EventFields> for UsageEvent {
    fn from(fields: EventFields) -> UsageEvent {
        UsageEvent {
            id: fields.id,
            project_id: fields.project_id,
            usage: UsageRequest {
                model: fields.model,
                input_tokens: fields.input_tokens,
                cached_input_tokens: fields.cached_input_tokens,
                cache_write_tokens: fields.cache_write_tokens,
                output_tokens: fields.output_tokens,
                units: fields.units,
            },
            feature: fields.feature,
            hold_id: fields.hold_id,
            occurred_at: fields.occurred_at,
            end_user: fields.end_user,
        }
    }
}

impl From<UsageEvent> for EventFields {
    fn from(event: UsageEvent) -> EventFields {
        let UsageEvent {
            id,
            project_id,
            usage,
            feature,
            hold_id,
            occurred_at,
            end_user,
        } = event;
        EventFields {
            id,
            project_id,
            model: usage.model,
            input_tokens: usage.input_tokens,
            cached_input_tokens: usage.cached_input_tokens,
            cache_write_tokens: usage.cache_write_tokens,
            output_tokens: usage.output_tokens,
            units: usage.units,
            feature,
            hold_id,
            occurred_at,
            end_user,
        }
    }
}

/// `POST /v1/usage`: a batch of 1 to 500 usage events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UsageBatch {
    /// The events.
    pub events: Vec<UsageEvent>,
}

/// What became of one usage event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventStatus {
    /// Recorded now and charged.
    Accepted,
    /// Recorded before (a replay): delivered, not charged again.
    Duplicate,
    /// Not recorded; `error` says why. Retrying the same event will not help.
    Rejected,
}

/// The result for one event of a usage batch, in the batch's order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UsageResult {
    /// Position of the event in the batch.
    pub index: usize,
    /// The event's id, when it had a readable one.
    pub id: Option<String>,
    /// Accepted, duplicate or rejected.
    pub status: EventStatus,
    /// The authoritative cost charged for the event (accepted and duplicate).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "optional_decimal_string"
    )]
    pub cost_usd: Option<Decimal>,
    /// Why the event was rejected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<Error>,
}

/// A project's balance in short, as usage and settle answers report it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BalanceBrief {
    /// The project.
    pub project_id: String,
    /// Sum of the project's ledger entries.
    #[serde(with = "crate::money::decimal_string")]
    pub balance_usd: Decimal,
    /// `ok`, `low` or `empty`.
    pub status: BalanceStatus,
}

/// `POST /v1/usage` answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UsageBatchResult {
    /// One result per event, in the batch's order.
    pub results: Vec<UsageResult>,
    /// The balance of every project the batch touched.
    pub balances: Vec<BalanceBrief>,
}

/// A recorded usage event, as the charge review lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RecordedUsage {
    /// Event id.
    pub id: String,
    /// The project charged.
    pub project_id: String,
    /// What was used (the model is the canonical catalog id).
    #[serde(flatten)]
    pub usage: UsageRequest,
    /// The app feature, if the client named one.
    pub feature: Option<String>,
    /// The hold it settled, if any.
    pub hold_id: Option<String>,
    /// Cost charged.
    #[serde(with = "crate::money::decimal_string")]
    pub cost_usd: Decimal,
    /// When it happened.
    pub occurred_at: String,
    /// When the server recorded it.
    pub recorded_at: String,
}

/// How usage is grouped in a summary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GroupBy {
    /// By canonical model id.
    Model,
    /// By project (account summaries only).
    Project,
    /// By UTC day (`YYYY-MM-DD`), every day of the window, zeros included.
    Day,
}

/// One group of a usage summary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UsageGroup {
    /// Model id, project id or `YYYY-MM-DD`.
    pub key: String,
    /// Project name for project groups; otherwise the key.
    pub label: String,
    /// Spend in the group.
    #[serde(with = "crate::money::decimal_string")]
    pub cost_usd: Decimal,
    /// Number of usage events.
    pub events: u64,
    /// Input tokens (including cached and cache-write tokens).
    pub input_tokens: u64,
    /// Output tokens.
    pub output_tokens: u64,
    /// Units of unit-billed features.
    pub units: u64,
}

/// `GET /v1/projects/{id}/usage` and `GET /v1/account/usage`: spend over the last N UTC days.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UsageSummary {
    /// Window length in days (1 to 90).
    pub days: u32,
    /// The grouping.
    pub group_by: GroupBy,
    /// First day of the window (UTC midnight, inclusive).
    pub from: String,
    /// End of the window (the time of the request).
    pub to: String,
    /// Total spend in the window.
    #[serde(with = "crate::money::decimal_string")]
    pub total_cost_usd: Decimal,
    /// Total events in the window.
    pub total_events: u64,
    /// The groups: by cost, highest first (by day: oldest first).
    pub groups: Vec<UsageGroup>,
}

/// The kind of a ledger entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LedgerKind {
    /// The one-time free $1.00 when the cloud is first enabled.
    Grant,
    /// A top-up bought by the owner.
    TopUp,
    /// An automatic top-up.
    AutoTopUp,
    /// Money reserved by a hold (negative).
    Hold,
    /// A hold's reservation given back (positive).
    Release,
    /// A usage debit (negative).
    Usage,
    /// A refund or correction by support.
    Adjustment,
}

/// One entry of a project's append-only ledger.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LedgerEntry {
    /// Entry id.
    pub id: String,
    /// Position in the project's ledger, from 1, without gaps.
    pub seq: u64,
    /// What the entry records.
    pub kind: LedgerKind,
    /// Signed amount: credits positive, debits and holds negative.
    #[serde(with = "crate::money::decimal_string")]
    pub amount_usd: Decimal,
    /// The balance after this entry (the sum of entries 1..=seq).
    #[serde(with = "crate::money::decimal_string")]
    pub balance_after_usd: Decimal,
    /// The hold it belongs to, for hold and release entries (and usage that settled one).
    pub hold_id: Option<String>,
    /// The usage event, for usage entries.
    pub usage_event_id: Option<String>,
    /// The top-up, for top-up entries.
    pub top_up_id: Option<String>,
    /// A human-readable description.
    pub memo: String,
    /// When it was written.
    pub created_at: String,
}

/// `GET /v1/projects/{id}/ledger` answer: recent entries, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LedgerPage {
    /// The entries.
    pub entries: Vec<LedgerEntry>,
}

/// The kind of a project notification.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NotificationKind {
    /// The balance fell below the low-balance threshold.
    Low,
    /// The balance reached zero or below.
    Empty,
    /// An automatic top-up was made.
    AutoTopUp,
    /// An automatic top-up failed.
    AutoTopUpFailed,
}

/// A project notification, readable by the app with its publishable key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Notification {
    /// Notification id.
    pub id: String,
    /// The project.
    pub project_id: String,
    /// What happened.
    pub kind: NotificationKind,
    /// A sentence for the user.
    pub message: String,
    /// The balance when it was raised.
    #[serde(with = "crate::money::decimal_string")]
    pub balance_usd: Decimal,
    /// Where to add credits.
    pub add_credits_url: String,
    /// When it was raised.
    pub created_at: String,
}

/// `GET /v1/projects/{id}/notifications` answer, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NotificationList {
    /// The notifications.
    pub notifications: Vec<Notification>,
}

/// `POST /v1/support/charge-reviews`: "if a charge looks wrong".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ChargeReviewRequest {
    /// The project id, or give `project_link` instead.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project_id: Option<String>,
    /// A link to the project (any URL containing its id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project_link: Option<String>,
    /// About when the charge happened (RFC 3339).
    pub approximate_time: String,
    /// What the user was doing, in their words.
    pub action: String,
    /// How far around `approximate_time` to look, in minutes (1 to 1440, default 60).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window_minutes: Option<u32>,
}

/// Which balance a charge came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChargeClassification {
    /// Build activity in the editor (build credits).
    Build,
    /// Cloud usage by the running app (Cloud Credits).
    Cloud,
    /// Nothing recorded around that time.
    Unknown,
}

/// Build activity in the editor, which spends build credits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BuildActivity {
    /// Activity id.
    pub id: String,
    /// The project built.
    pub project_id: String,
    /// What kind of work.
    pub kind: BuildKind,
    /// What was done.
    pub description: String,
    /// Build credits spent: `subscriptionCredits + usageCredits`.
    pub credits: u64,
    /// The part paid from subscription credits (spent first).
    pub subscription_credits: u64,
    /// The part paid from usage credits.
    pub usage_credits: u64,
    /// When.
    pub occurred_at: String,
}

/// The support report a charge review creates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChargeReview {
    /// Support report id (`sr_...`): quote it when contacting support.
    pub id: String,
    /// The project reviewed.
    pub project_id: String,
    /// Build or cloud (or unknown when nothing was found).
    pub classification: ChargeClassification,
    /// Why: which records decided the classification.
    pub reason: String,
    /// The time given.
    pub approximate_time: String,
    /// The action given.
    pub action: String,
    /// The window searched, in minutes either side.
    pub window_minutes: u32,
    /// Cloud Credits ledger entries in the window.
    pub ledger_entries: Vec<LedgerEntry>,
    /// Usage events in the window.
    pub usage_events: Vec<RecordedUsage>,
    /// Build activity in the window.
    pub build_activity: Vec<BuildActivity>,
    /// When the report was created.
    pub created_at: String,
}

/// `GET /v1/demo` (only when the server runs with `--seed-demo`): the demo project.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DemoInfo {
    /// The demo project's id.
    pub project_id: String,
    /// Its publishable key.
    pub publishable_key: String,
    /// The demo account's email (the password is `demo`).
    pub email: String,
}

/// [`crate::money::decimal_string`] for an optional field (absent or `null` is `None`).
mod optional_decimal_string {
    use rust_decimal::Decimal;
    use serde::{de::Error as _, Deserialize, Deserializer, Serializer};
    use std::borrow::Cow;

    pub fn serialize<S: Serializer>(
        value: &Option<Decimal>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match value {
            Some(value) => serializer.collect_str(value),
            None => serializer.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<Decimal>, D::Error> {
        Option::<Cow<'de, str>>::deserialize(deserializer)?
            .map(|text| crate::money::parse_decimal(&text).map_err(D::Error::custom))
            .transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    mod writers {
        use super::*;
        use proptest::option;
        use proptest::prelude::*;

        fn usage() -> impl Strategy<Value = UsageRequest> {
            (any::<String>(), any::<[u64; 5]>()).prop_map(|(model, counts)| UsageRequest {
                model,
                input_tokens: counts[0],
                cached_input_tokens: counts[1],
                cache_write_tokens: counts[2],
                output_tokens: counts[3],
                units: counts[4],
            })
        }

        fn text() -> impl Strategy<Value = Option<String>> {
            option::of(any::<String>())
        }

        proptest! {
            #[test]
            fn a_usage_event_is_written_as_serde_writes_it(
                id in any::<String>(), project_id in text(), usage in usage(),
                feature in text(), hold_id in text(), occurred_at in text(), end_user in text(),
            ) {
                let event = UsageEvent { id, project_id, usage, feature, hold_id, occurred_at, end_user };
                prop_assert_eq!(event.to_json(), serde_json::to_string(&event).unwrap());
            }

            #[test]
            fn a_hold_request_is_written_as_serde_writes_it(
                usage in option::of(usage()),
                amount in option::of((any::<i64>(), 0u32..=28)),
                ttl_seconds in option::of(any::<u64>()),
                end_user in text(),
            ) {
                let amount_usd = amount.map(|(mantissa, scale)| Decimal::new(mantissa, scale));
                let request = HoldRequest { usage, amount_usd, ttl_seconds, end_user };
                prop_assert_eq!(request.to_json(), serde_json::to_string(&request).unwrap());
            }

            #[test]
            fn a_settle_request_is_written_as_serde_writes_it(
                usage in usage(), event_id in text(), feature in text(),
            ) {
                let request = SettleRequest { usage, event_id, feature };
                prop_assert_eq!(request.to_json(), serde_json::to_string(&request).unwrap());
            }
        }

        #[test]
        fn control_characters_and_quotes_are_escaped_alike() {
            let event = UsageEvent {
                id: "e\"1\u{0}\u{1f}\n\u{7f}\u{2028}é".into(),
                project_id: None,
                usage: UsageRequest {
                    model: "m".into(),
                    ..UsageRequest::default()
                },
                feature: Some("\t\r\u{8}\u{c}\\".into()),
                hold_id: None,
                occurred_at: None,
                end_user: None,
            };
            assert_eq!(event.to_json(), serde_json::to_string(&event).unwrap());
        }
    }

    #[test]
    fn money_is_a_string_on_the_wire_and_numbers_are_refused() {
        let req: TopUpRequest = serde_json::from_str(r#"{"amountUsd":"25.00"}"#).unwrap();
        assert_eq!(req.amount_usd, Decimal::from_str("25.00").unwrap());
        assert_eq!(
            serde_json::to_string(&req).unwrap(),
            r#"{"amountUsd":"25.00"}"#
        );
        for refused in [r#"25.0"#, r#""1e3""#, r#""NaN""#, r#"" 5""#] {
            let json = format!(r#"{{"amountUsd":{refused}}}"#);
            assert!(
                serde_json::from_str::<TopUpRequest>(&json).is_err(),
                "{refused}"
            );
        }
        let hold: HoldRequest = serde_json::from_str(r#"{"amountUsd":"0.5"}"#).unwrap();
        assert_eq!(hold.amount_usd, Some(Decimal::from_str("0.5").unwrap()));
        let hold: HoldRequest = serde_json::from_str(r#"{"amountUsd":null}"#).unwrap();
        assert_eq!(hold.amount_usd, None);
        assert!(serde_json::from_str::<HoldRequest>(r#"{"amountUsd":"1e-3"}"#).is_err());
    }

    #[test]
    fn usage_event_flattens_the_usage_request_and_refuses_unknown_fields() {
        let event: UsageEvent = serde_json::from_str(
            r#"{"id":"e1","model":"gpt-4o","inputTokens":10,"outputTokens":5}"#,
        )
        .unwrap();
        for unknown in [r#""costUsd":"9""#, r#""outputToken":5000"#] {
            let text = format!(r#"{{"id":"e1","model":"gpt-4o",{unknown}}}"#);
            let refused = serde_json::from_str::<UsageEvent>(&text).unwrap_err();
            let field = unknown.split('"').nth(1).unwrap();
            assert!(refused.to_string().contains(field), "{refused}");
        }
        assert_eq!(event.usage.model, "gpt-4o");
        assert_eq!(event.usage.input_tokens, 10);
        assert_eq!(event.usage.output_tokens, 5);
        assert_eq!(event.usage.units, 0);
        assert!(serde_json::from_str::<UsageEvent>(
            r#"{"id":"e1","model":"gpt-4o","inputTokens":-1}"#
        )
        .is_err());
        // Written with the request's fields inline, in this order (stored queues hold this text).
        let event = UsageEvent {
            project_id: Some("p1".into()),
            hold_id: Some("h1".into()),
            ..event
        };
        let text = serde_json::to_string(&event).unwrap();
        assert_eq!(
            text,
            r#"{"id":"e1","projectId":"p1","model":"gpt-4o","inputTokens":10,"cachedInputTokens":0,"cacheWriteTokens":0,"outputTokens":5,"units":0,"holdId":"h1"}"#
        );
        assert_eq!(serde_json::from_str::<UsageEvent>(&text).unwrap(), event);
    }

    #[test]
    fn settings_patch_refuses_unknown_fields() {
        assert!(serde_json::from_str::<SettingsPatch>(r#"{"useCloud":true}"#).is_err());
        let patch: SettingsPatch =
            serde_json::from_str(r#"{"lowBalanceThresholdUsd":"0.5"}"#).unwrap();
        assert_eq!(
            patch.low_balance_threshold_usd,
            Some(Decimal::from_str("0.5").unwrap())
        );
    }

    #[test]
    fn error_body_has_the_documented_shape() {
        let body = ErrorBody {
            error: Error::invalid_input("amountUsd must be at least 5.00"),
        };
        assert_eq!(
            serde_json::to_value(&body).unwrap(),
            serde_json::json!({"error":{"code":"invalid_input","message":"amountUsd must be at least 5.00"}})
        );
    }
}
