//! Every request and response body as a [`Body`]: the wire type with one
//! example value built from the type itself. The OpenAPI document shows the
//! examples and infers each body's schema from their serde form and the
//! type's reader, so the document cannot drift from the types.

use crate::pricing;
use rork_cloud_credits_core::catalog::Catalog;
use rork_cloud_credits_core::estimate::UsageRequest;
use rork_cloud_credits_core::wire::*;
use rork_cloud_credits_core::Error;
use rust_decimal::Decimal;
use serde::Serialize;
use serde_json::Value;

const PROJECT: &str = "3f2a9c1e-0b6d-4e4f-9a8b-1c2d3e4f5a6b";
const HOLD: &str = "9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d";
const EVENT: &str = "1b4e28ba-2fa1-11d2-883f-0016d3cca427";
const AT: &str = "2026-11-25T12:00:00.000Z";

fn usd(cents: i64) -> Decimal {
    Decimal::new(cents, 2)
}

fn json<T: Serialize>(value: T) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}

fn usage() -> UsageRequest {
    UsageRequest {
        model: "gpt-4o-mini".into(),
        input_tokens: 1200,
        cached_input_tokens: 200,
        cache_write_tokens: 0,
        output_tokens: 350,
        units: 0,
    }
}

fn build_activity() -> BuildActivity {
    BuildActivity {
        id: "d9428888-122b-11e1-b85c-61cd3cbb3210".into(),
        project_id: PROJECT.into(),
        kind: BuildKind::Build,
        description: "Build and preview from the editor".into(),
        credits: 3,
        subscription_credits: 3,
        usage_credits: 0,
        occurred_at: AT.into(),
    }
}

fn key_info() -> KeyInfo {
    KeyInfo {
        id: "pk_0123456789ab".into(),
        kind: KeyKind::Pk,
        prefix: "pk_0123456789ab_…".into(),
        created_at: AT.into(),
        limits: Some(publishable_limits()),
    }
}

fn publishable_limits() -> PublishableLimits {
    PublishableLimits {
        spend_per_hour_usd: usd(1000),
        spend_per_day_usd: usd(5000),
        max_hold_usd: usd(200),
        max_held_usd: usd(1000),
        max_hold_seconds: 600,
        end_user_per_day_usd: Some(usd(100)),
    }
}

fn created_key() -> CreatedKey {
    CreatedKey {
        info: key_info(),
        key: format!("pk_0123456789ab_{}", "0f".repeat(32)),
    }
}

fn auto_top_up() -> AutoTopUp {
    AutoTopUp {
        enabled: true,
        threshold_usd: usd(100),
        amount_usd: usd(1000),
        daily_cap_usd: usd(5000),
        payment_method: "pm_test_ok".into(),
    }
}

fn balance() -> Balance {
    Balance {
        project_id: PROJECT.into(),
        balance_usd: Decimal::new(19_540_005, 7),
        held_usd: Decimal::new(45, 3),
        available_usd: Decimal::new(19_540_005, 7),
        status: BalanceStatus::Ok,
        use_cloud_credits: true,
        low_balance_threshold_usd: usd(200),
        auto_top_up: auto_top_up(),
        add_credits_url: format!("http://127.0.0.1:8787/?project={PROJECT}#add-credits"),
        as_of: AT.into(),
    }
}

fn brief() -> BalanceBrief {
    BalanceBrief {
        project_id: PROJECT.into(),
        balance_usd: balance().balance_usd,
        status: BalanceStatus::Ok,
    }
}

fn project() -> Project {
    Project {
        id: PROJECT.into(),
        name: "Recipe Chat".into(),
        balance: balance(),
        alert_email: Some("owner@example.com".into()),
        free_grant_received: true,
        allowed_origins: vec!["https://app.example.com".into()],
        publishable_keys: vec![key_info()],
        overdraft_limit_usd: usd(0),
    }
}

fn hold() -> Hold {
    Hold {
        id: HOLD.into(),
        project_id: PROJECT.into(),
        amount_usd: Decimal::new(45, 3),
        status: HoldStatus::Settled,
        estimate: pricing::estimate(&usage()).ok(),
        settled_cost_usd: Some(Decimal::new(21, 3)),
        created_at: AT.into(),
        expires_at: "2026-11-25T12:10:00.000Z".into(),
    }
}

fn result() -> UsageResult {
    UsageResult {
        index: 0,
        id: Some(EVENT.into()),
        status: EventStatus::Accepted,
        cost_usd: Some(Decimal::new(3_525, 7)),
        error: Some(Error::invalid_input("present only when rejected")),
    }
}

fn ledger_entry() -> LedgerEntry {
    LedgerEntry {
        id: "5f0c7a5e-8f3b-4f6a-9a4e-2c1d0b9e8f7a".into(),
        seq: 42,
        kind: LedgerKind::Usage,
        amount_usd: Decimal::new(-3_525, 7),
        balance_after_usd: Decimal::new(19_540_005, 7),
        hold_id: Some(HOLD.into()),
        usage_event_id: Some(EVENT.into()),
        top_up_id: Some("7c9e6679-7425-40de-944b-e07fc1f90ae7".into()),
        memo: "gpt-4o-mini usage (chat)".into(),
        created_at: AT.into(),
    }
}

fn recorded_usage() -> RecordedUsage {
    RecordedUsage {
        id: EVENT.into(),
        project_id: PROJECT.into(),
        usage: usage(),
        feature: Some("chat".into()),
        hold_id: Some(HOLD.into()),
        cost_usd: Decimal::new(3_525, 7),
        occurred_at: AT.into(),
        recorded_at: AT.into(),
    }
}

/// A request or response body of the API: the route table names it by its
/// type ([`Schema::of`]), and the OpenAPI document shows its example and
/// infers its schema from the example and the type's own reader.
pub trait Body {
    /// Its schema's name in the document.
    const NAME: &'static str;
    /// One example value.
    fn example() -> Value;
    /// Whether `value` reads as this body, by the type's own reader
    /// (serde's; the catalog's for [`Catalog`]): the document asks which
    /// fields are required and which may be `null`.
    fn reads(value: Value) -> bool;
}

/// A [`Body`] as the route table holds it.
#[derive(Debug, Clone, Copy)]
pub struct Schema {
    /// [`Body::NAME`].
    pub name: &'static str,
    /// [`Body::example`].
    pub example: fn() -> Value,
    /// [`Body::reads`].
    pub reads: fn(Value) -> bool,
}

impl Schema {
    /// The schema of body type `T`.
    pub fn of<T: Body>() -> Schema {
        Schema {
            name: T::NAME,
            example: T::example,
            reads: T::reads,
        }
    }
}

/// Each wire type with its example: `Type => example,`, read by serde.
macro_rules! bodies {
    ($($body:ident => $example:expr,)*) => {$(
        impl Body for $body {
            const NAME: &'static str = stringify!($body);
            fn example() -> Value {
                json($example)
            }
            fn reads(value: Value) -> bool {
                serde_json::from_value::<$body>(value).is_ok()
            }
        }
    )*};
}

bodies! {
    ErrorBody => ErrorBody {
            error: Error::invalid_input("amountUsd must be from 5.00 to 200.00 USD, got 4.99"),
        },
    SessionRequest => SessionRequest {
            email: "demo@example.com".into(),
            password: "demo".into(),
        },
    Account => Account {
            id: "e0d36cfc-bd91-45e0-9880-abe2f73be65e".into(),
            email: "demo@example.com".into(),
            plan: "Pro".into(),
            build_credits: BuildCredits {
                subscription: 413,
                usage: 200,
            },
            projects: vec![project()],
        },
    CreatedKey => created_key(),
    KeyInfo => key_info(),
    PublishableLimits => publishable_limits(),
    CreateProjectRequest => CreateProjectRequest {
            name: "Recipe Chat".into(),
        },
    CreatedProject => CreatedProject {
            project: project(),
            publishable_key: created_key(),
        },
    Project => project(),
    SettingsPatch => SettingsPatch {
            use_cloud_credits: Some(true),
            low_balance_threshold_usd: Some(usd(200)),
            alert_email: Some("owner@example.com".into()),
            auto_top_up: Some(auto_top_up()),
            allowed_origins: Some(vec!["https://app.example.com".into()]),
            overdraft_limit_usd: Some(usd(0)),
        },
    Balance => balance(),
    TopUpRequest => TopUpRequest {
            amount_usd: usd(2500),
            payment_method: Some("pm_test_ok".into()),
        },
    TopUp => TopUp {
            id: "7c9e6679-7425-40de-944b-e07fc1f90ae7".into(),
            project_id: PROJECT.into(),
            amount_usd: usd(2500),
            source: "manual".into(),
            payment_reference: "test_ch_2d5fe6da9f5cddad07937fee".into(),
            balance_after_usd: usd(2600),
            created_at: AT.into(),
        },
    LedgerPage => LedgerPage {
            entries: vec![ledger_entry()],
        },
    NotificationList => NotificationList {
            notifications: vec![Notification {
                id: "c56a4180-65aa-42ec-a945-5fd21dec0538".into(),
                project_id: PROJECT.into(),
                kind: NotificationKind::Low,
                message: "Cloud Credits for Recipe Chat are running low: $1.95 left (alert threshold $2.00).".into(),
                balance_usd: usd(195),
                add_credits_url: balance().add_credits_url,
                created_at: AT.into(),
            }],
        },
    UsageSummary => UsageSummary {
            days: 30,
            group_by: GroupBy::Model,
            from: "2026-10-27T00:00:00.000Z".into(),
            to: AT.into(),
            total_cost_usd: Decimal::new(16_821_675, 7),
            total_events: 113,
            groups: vec![UsageGroup {
                key: "gpt-4o-mini".into(),
                label: "gpt-4o-mini".into(),
                cost_usd: Decimal::new(1_343_925, 7),
                events: 34,
                input_tokens: 67_350,
                output_tokens: 18_640,
                units: 0,
            }],
        },
    HoldRequest => HoldRequest {
            usage: Some(usage()),
            amount_usd: None,
            ttl_seconds: Some(600),
            end_user: Some("user_42".into()),
        },
    Hold => hold(),
    SettleRequest => SettleRequest {
            usage: usage(),
            event_id: Some(EVENT.into()),
            feature: Some("chat".into()),
        },
    Settlement => Settlement {
            hold: hold(),
            event: result(),
            balance: brief(),
        },
    UsageBatch => UsageBatch {
            events: vec![UsageEvent {
                id: EVENT.into(),
                project_id: Some(PROJECT.into()),
                usage: usage(),
                feature: Some("chat".into()),
                hold_id: Some(HOLD.into()),
                occurred_at: Some(AT.into()),
                end_user: Some("user_42".into()),
            }],
        },
    UsageBatchResult => UsageBatchResult {
            results: vec![result()],
            balances: vec![brief()],
        },
    ChargeReviewRequest => ChargeReviewRequest {
            project_id: Some(PROJECT.into()),
            project_link: Some(format!("https://rork.com/p/{PROJECT}")),
            approximate_time: "2026-11-25T11:45:00Z".into(),
            action: "Asked the recipe chat for a dinner idea".into(),
            window_minutes: Some(60),
        },
    ChargeReview => ChargeReview {
            id: "sr_0f8fad5bd9cb469fa16570867728950e".into(),
            project_id: PROJECT.into(),
            classification: ChargeClassification::Cloud,
            reason: "Cloud usage by the running app (1 events, the nearest 2 min from the time given): paid from Cloud Credits.".into(),
            approximate_time: "2026-11-25T11:45:00.000Z".into(),
            action: "Asked the recipe chat for a dinner idea".into(),
            window_minutes: 60,
            ledger_entries: vec![ledger_entry()],
            usage_events: vec![recorded_usage()],
            build_activity: vec![build_activity()],
            created_at: AT.into(),
        },
    BuildCreditsSummary => BuildCreditsSummary {
            remaining: 613,
            subscription: 413,
            usage: 200,
            plan: BuildPlan {
                name: "Pro".into(),
                monthly_credits: 500,
                price_usd: usd(2500),
            },
            period_start: "2026-11-09T12:00:00.000Z".into(),
            renews_at: "2026-12-09T12:00:00.000Z".into(),
            upgrade_url: "https://rork.com/pricing".into(),
            packs: vec![BuildPack {
                id: "credits_200".into(),
                credits: 200,
                price_usd: usd(3500),
            }],
            by_kind: vec![BuildKindTotal {
                kind: BuildKind::Build,
                credits: 21,
                count: 7,
            }],
            recent: vec![build_activity()],
        },
    BuildActivityRequest => BuildActivityRequest {
            project_id: PROJECT.into(),
            kind: BuildKind::Build,
            description: "Build and preview from the editor".into(),
            credits: 3,
        },
    BuildActivity => build_activity(),
    BuildPackRequest => BuildPackRequest {
            pack: "credits_200".into(),
            payment_method: Some("pm_test_ok".into()),
        },
    BuildPackPurchase => BuildPackPurchase {
            id: "6ba7b810-9dad-11d1-80b4-00c04fd430c8".into(),
            pack: "credits_200".into(),
            credits: 200,
            amount_usd: usd(3500),
            payment_reference: "test_ch_5f1d3c0a9b8e7d6c5b4a3f2e".into(),
            usage_after: 200,
            created_at: AT.into(),
        },
    DemoInfo => DemoInfo {
            project_id: PROJECT.into(),
            publishable_key: created_key().key,
            email: "demo@example.com".into(),
        },
}

impl Body for Catalog {
    const NAME: &'static str = "Catalog";
    fn example() -> Value {
        serde_json::from_str(&pricing::catalog_json()).unwrap_or(Value::Null)
    }
    fn reads(value: Value) -> bool {
        Catalog::from_json(&value.to_string()).is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rork_cloud_credits_core::answers::Answer;
    use rork_cloud_credits_core::value;
    use serde::de::DeserializeOwned;
    use std::fmt::Debug;

    /// `json` read by serde and by the SDK's reader of answers must give the
    /// same value, also with an unknown field added to every object (a newer
    /// server's answer) and with every `null` left out.
    fn reads_like_serde<T: Answer + DeserializeOwned + PartialEq + Debug>(json: Value) {
        let variants = [
            json.clone(),
            with_unknown_fields(&json),
            without_nulls(&json),
        ];
        for variant in variants {
            let by_serde: T = serde_json::from_value(variant.clone())
                .unwrap_or_else(|e| panic!("serde: {e}: {variant}"));
            let by_reader = T::read(&value::Value::from(variant.clone()), "")
                .unwrap_or_else(|e| panic!("reader: {}: {variant}", e.message));
            assert_eq!(by_reader, by_serde, "{variant}");
        }
    }

    fn with_unknown_fields(json: &Value) -> Value {
        match json {
            Value::Object(fields) => {
                let mut fields: serde_json::Map<String, Value> = fields
                    .iter()
                    .map(|(name, value)| (name.clone(), with_unknown_fields(value)))
                    .collect();
                fields.insert("addedLater".into(), serde_json::json!({"x": [1.5, null]}));
                Value::Object(fields)
            }
            Value::Array(items) => Value::Array(items.iter().map(with_unknown_fields).collect()),
            other => other.clone(),
        }
    }

    fn without_nulls(json: &Value) -> Value {
        match json {
            Value::Object(fields) => Value::Object(
                fields
                    .iter()
                    .filter(|(_, value)| !value.is_null())
                    .map(|(name, value)| (name.clone(), without_nulls(value)))
                    .collect(),
            ),
            Value::Array(items) => Value::Array(items.iter().map(without_nulls).collect()),
            other => other.clone(),
        }
    }

    #[test]
    fn the_sdk_reads_every_answer_it_receives_as_serde_does() {
        reads_like_serde::<ErrorBody>(ErrorBody::example());
        reads_like_serde::<Balance>(Balance::example());
        let mut low = balance();
        (low.status, low.use_cloud_credits) = (BalanceStatus::Low, false);
        low.balance_usd = Decimal::new(-12_345, 6);
        reads_like_serde::<Balance>(json(low));
        reads_like_serde::<Hold>(Hold::example());
        let open = Hold {
            status: HoldStatus::Active,
            estimate: None,
            settled_cost_usd: None,
            ..hold()
        };
        reads_like_serde::<Hold>(json(&open));
        let mut with_nulls = json(&open);
        with_nulls["estimate"] = Value::Null;
        with_nulls["settledCostUsd"] = Value::Null;
        reads_like_serde::<Hold>(with_nulls);
        reads_like_serde::<Settlement>(Settlement::example());
        reads_like_serde::<UsageBatchResult>(UsageBatchResult::example());
        let mixed = UsageBatchResult {
            results: vec![
                UsageResult {
                    index: 1,
                    id: None,
                    status: EventStatus::Rejected,
                    cost_usd: None,
                    error: Some(Error::new(
                        rork_cloud_credits_core::ErrorCode::UnknownModel,
                        "no model \"gpt-5o\"",
                    )),
                },
                UsageResult {
                    status: EventStatus::Duplicate,
                    error: None,
                    ..result()
                },
            ],
            balances: vec![],
        };
        reads_like_serde::<UsageBatchResult>(json(mixed));
        reads_like_serde::<UsageSummary>(UsageSummary::example());
        reads_like_serde::<NotificationList>(NotificationList::example());
        for (kind, group_by) in [
            (NotificationKind::AutoTopUpFailed, GroupBy::Day),
            (NotificationKind::AutoTopUp, GroupBy::Project),
            (NotificationKind::Empty, GroupBy::Model),
        ] {
            let mut list = NotificationList::example();
            list["notifications"][0]["kind"] = json(kind);
            reads_like_serde::<NotificationList>(list);
            let mut summary = UsageSummary::example();
            summary["groupBy"] = json(group_by);
            reads_like_serde::<UsageSummary>(summary);
        }
        for code in rork_cloud_credits_core::ErrorCode::ALL {
            reads_like_serde::<ErrorBody>(json(ErrorBody {
                error: Error::new(code, "why"),
            }));
        }
    }

    /// The SDK's TypeScript declarations (its `.d.ts`), for the checks below.
    const DECLARATIONS: [&str; 2] = [
        include_str!("../../../sdk/src/typescript.rs"),
        include_str!("../../../sdk/src/client/typescript.rs"),
    ];

    /// The fields of `export interface name` in the declarations, each with
    /// whether it is optional (`?`).
    fn declared(name: &str) -> Vec<(String, bool)> {
        let opening = |line: &str| {
            line.strip_prefix("export interface ")
                .and_then(|rest| rest.split([' ', '{']).next())
                == Some(name)
        };
        let text = DECLARATIONS
            .iter()
            .find_map(|text| {
                let start = text.lines().position(opening)?;
                Some(
                    text.lines()
                        .skip(start + 1)
                        .take_while(|l| *l != "}")
                        .collect::<Vec<_>>(),
                )
            })
            .unwrap_or_else(|| panic!("no `export interface {name}` in the SDK's declarations"));
        text.iter()
            .filter_map(|line| {
                let field = line.strip_prefix("  ")?;
                let end = field.find(':')?;
                let (key, optional) = match field[..end].strip_suffix('?') {
                    Some(key) => (key, true),
                    None => (&field[..end], false),
                };
                (!key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric()))
                    .then(|| (key.to_owned(), optional))
            })
            .collect()
    }

    /// The members of `export type name = "a" | "b" ...` in the declarations.
    fn declared_union(name: &str) -> Vec<String> {
        let head = format!("export type {name} =");
        let text = DECLARATIONS
            .iter()
            .find_map(|text| {
                let at = text.find(&head)? + head.len();
                Some(&text[at..at + text[at..].find(';')?])
            })
            .unwrap_or_else(|| panic!("no `export type {name}` in the SDK's declarations"));
        text.split('|')
            .map(|member| member.trim().trim_matches('"').to_owned())
            .filter(|member| !member.is_empty())
            .collect()
    }

    /// The serde form's fields of one answer: the fields of its example, the
    /// optional ones (serde's `Option`s: `null` or absent) marked.
    fn fields_of(example: &Value, optional: &[&str]) -> Vec<(String, bool)> {
        let mut fields: Vec<(String, bool)> = example
            .as_object()
            .expect("an object")
            .keys()
            .map(|key| (key.clone(), optional.contains(&key.as_str())))
            .collect();
        fields.sort();
        fields
    }

    /// Every answer the SDK hands to an app is declared in its `.d.ts` with
    /// exactly the wire type's fields, optional where the type's are: a field
    /// added on one side only fails here (the Rust readers are held equal to
    /// serde above; the OpenAPI schemas are inferred from these examples).
    #[test]
    fn the_sdk_declares_every_answer_field_of_the_wire_types() {
        let hold = Hold::example();
        let summary = UsageSummary::example();
        let answers: [(&str, Value, &[&str]); 11] = [
            ("Balance", Balance::example(), &[]),
            ("AutoTopUp", Balance::example()["autoTopUp"].clone(), &[]),
            ("HoldInfo", hold.clone(), &["estimate", "settledCostUsd"]),
            ("Estimate", hold["estimate"].clone(), &[]),
            ("EstimateLine", hold["estimate"]["lines"][0].clone(), &[]),
            ("Settlement", Settlement::example(), &[]),
            ("UsageResult", json(result()), &["costUsd", "error"]),
            ("UsageSummary", summary.clone(), &[]),
            ("UsageGroup", summary["groups"][0].clone(), &[]),
            (
                "Notification",
                NotificationList::example()["notifications"][0].clone(),
                &[],
            ),
            (
                "UsageRequest",
                json(usage()),
                &[
                    "inputTokens",
                    "cachedInputTokens",
                    "cacheWriteTokens",
                    "outputTokens",
                    "units",
                ],
            ),
        ];
        for (name, example, optional) in answers {
            let mut declared = declared(name);
            declared.sort();
            assert_eq!(
                declared,
                fields_of(&example, optional),
                "{name}: the .d.ts and the wire type differ"
            );
        }
        let names = |all: Vec<Value>| -> Vec<String> {
            all.into_iter()
                .map(|v| v.as_str().unwrap().to_owned())
                .collect()
        };
        use rork_cloud_credits_core::estimate::LineKind;
        let unions: [(&str, Vec<String>); 4] = [
            (
                "ErrorCode",
                names(
                    rork_cloud_credits_core::ErrorCode::ALL
                        .iter()
                        .map(json)
                        .collect(),
                ),
            ),
            (
                "BalanceStatus",
                names(
                    [BalanceStatus::Ok, BalanceStatus::Low, BalanceStatus::Empty]
                        .map(json)
                        .into(),
                ),
            ),
            (
                "HoldStatus",
                names(
                    [
                        HoldStatus::Active,
                        HoldStatus::Settled,
                        HoldStatus::Released,
                        HoldStatus::Expired,
                    ]
                    .map(json)
                    .into(),
                ),
            ),
            (
                "LineKind",
                names(
                    [
                        LineKind::Input,
                        LineKind::CachedInput,
                        LineKind::CacheWrite,
                        LineKind::Output,
                        LineKind::Units,
                    ]
                    .map(json)
                    .into(),
                ),
            ),
        ];
        for (name, members) in unions {
            assert_eq!(
                declared_union(name),
                members,
                "{name}: the .d.ts and the wire enum differ"
            );
        }
    }

    #[test]
    fn the_sdk_refuses_what_serde_refuses_in_answers() {
        let refused = |json: Value| {
            assert!(
                serde_json::from_value::<Balance>(json.clone()).is_err(),
                "{json}"
            );
            assert!(
                Balance::read(&value::Value::from(json.clone()), "").is_err(),
                "{json}"
            );
        };
        let with = |field: &str, bad: Value| {
            let mut json = Balance::example();
            json[field] = bad;
            json
        };
        refused(with("balanceUsd", serde_json::json!(1.5)));
        refused(with("balanceUsd", serde_json::json!("1e-3")));
        refused(with("status", serde_json::json!("fine")));
        refused(with("useCloudCredits", serde_json::json!("yes")));
        let mut missing = Balance::example();
        missing.as_object_mut().unwrap().remove("heldUsd");
        refused(missing);
        refused(serde_json::json!([]));
    }
}
