//! The route table and the OpenAPI 3 document generated from it.
//!
//! Every `/v1` route is one [`Route`]: the router is built from this table
//! ([`super::api`]) and so is `GET /v1/openapi.json`, so a route cannot exist
//! without being documented. Each route names its bodies by their Rust types
//! (the request body: the type its handler reads, checked against the running
//! server in the API tests). Body schemas are inferred from the serde form
//! of an example of each wire type ([`super::examples`]): field names and
//! JSON types come from the types themselves, and which fields are required
//! or nullable from the types' readers (a field is required when the
//! example without it does not read, nullable when it reads with `null`).

use super::examples::{Body, Schema};
use super::extract::Json;
use super::metering::RawBatch;
use super::{account, build, meta, metering, projects, AppState};
use axum::routing::{delete, get, patch, post, MethodRouter};
use rork_cloud_credits_core::catalog::Catalog;
use rork_cloud_credits_core::wire::{self, *};
use rork_cloud_credits_core::ErrorCode;
use serde_json::{json, Map, Value};
use std::sync::OnceLock;

/// Who may call a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone.
    Public,
    /// The project's publishable key, a secret key or the session.
    Project,
    /// A secret key or the session.
    Owner,
}

/// One `/v1` route.
pub struct Route {
    /// HTTP method (lower case, as OpenAPI spells it).
    pub method: &'static str,
    /// Path under `/v1`, with `{id}` parameters.
    pub path: &'static str,
    /// One line on what it does.
    pub summary: &'static str,
    /// Who may call it.
    pub access: Access,
    /// Query parameters: name and description.
    pub query: &'static [(&'static str, &'static str)],
    /// The request body: the type its handler reads, if any.
    pub request: Option<Schema>,
    /// Success status and body type (`None`: no body).
    pub response: (u16, Option<Schema>),
    /// The handler.
    pub handler: fn() -> MethodRouter<AppState>,
}

const LIMIT: &[(&str, &str)] = &[("limit", "how many, 1 to 200 (default 50)")];
const SUMMARY: &[(&str, &str)] = &[
    ("days", "window in UTC days, 1 to 90 (default 30)"),
    ("groupBy", "model | project | day"),
];

/// Every `/v1` route.
pub fn routes() -> Vec<Route> {
    use Access::*;
    let route = |method, path, summary, access, request, response, handler| Route {
        method,
        path,
        summary,
        access,
        query: &[],
        request,
        response,
        handler,
    };
    vec![
        route(
            "get",
            "/models",
            "The model catalog the server prices with.",
            Public,
            None,
            (200, Some(Schema::of::<Catalog>())),
            || get(meta::models),
        ),
        route(
            "get",
            "/openapi.json",
            "This document.",
            Public,
            None,
            (200, None),
            || get(serve),
        ),
        route(
            "get",
            "/demo",
            "Demo only (--seed-demo): the demo project id and publishable key.",
            Public,
            None,
            (200, Some(Schema::of::<DemoInfo>())),
            || get(meta::demo),
        ),
        route(
            "post",
            "/session",
            "Sign in to the dashboard: sets the HttpOnly session cookie.",
            Public,
            Some(Schema::of::<SessionRequest>()),
            (200, Some(Schema::of::<Account>())),
            || post(account::sign_in),
        ),
        route(
            "delete",
            "/session",
            "Sign out.",
            Owner,
            None,
            (204, None),
            || delete(account::sign_out),
        ),
        route(
            "get",
            "/account",
            "The account: plan, build credits, projects.",
            Owner,
            None,
            (200, Some(Schema::of::<Account>())),
            || get(account::get_account),
        ),
        Route {
            query: SUMMARY,
            ..route(
                "get",
                "/account/usage",
                "Spend over the last N UTC days, grouped by project, model or day.",
                Owner,
                None,
                (200, Some(Schema::of::<UsageSummary>())),
                || get(account::usage_summary),
            )
        },
        route(
            "post",
            "/account/keys",
            "Create a secret key (shown once).",
            Owner,
            None,
            (201, Some(Schema::of::<CreatedKey>())),
            || post(account::create_secret_key),
        ),
        route(
            "delete",
            "/keys/{id}",
            "Revoke a key of the account.",
            Owner,
            None,
            (204, None),
            || delete(account::revoke_key),
        ),
        route(
            "patch",
            "/keys/{id}",
            "Set what a publishable key may spend.",
            Owner,
            Some(Schema::of::<PublishableLimits>()),
            (200, Some(Schema::of::<KeyInfo>())),
            || patch(account::set_key_limits),
        ),
        route(
            "post",
            "/projects",
            "Create a project and its publishable key.",
            Owner,
            Some(Schema::of::<CreateProjectRequest>()),
            (201, Some(Schema::of::<CreatedProject>())),
            || post(account::create_project),
        ),
        route(
            "get",
            "/projects/{id}",
            "A project and its settings.",
            Owner,
            None,
            (200, Some(Schema::of::<wire::Project>())),
            || get(projects::get_project),
        ),
        route(
            "patch",
            "/projects/{id}/settings",
            "Change settings: Use Cloud Credits, alerts, auto top-up, allowed origins.",
            Owner,
            Some(Schema::of::<SettingsPatch>()),
            (200, Some(Schema::of::<wire::Project>())),
            || patch(projects::update_settings),
        ),
        route(
            "post",
            "/projects/{id}/keys",
            "Create a publishable key (shown once).",
            Owner,
            None,
            (201, Some(Schema::of::<CreatedKey>())),
            || post(projects::create_publishable_key),
        ),
        route(
            "get",
            "/projects/{id}/balance",
            "The Cloud Credits balance.",
            Project,
            None,
            (200, Some(Schema::of::<Balance>())),
            || get(projects::balance),
        ),
        route(
            "post",
            "/projects/{id}/topups",
            "Add $5.00 to $200.00 (Idempotency-Key header makes retries safe).",
            Owner,
            Some(Schema::of::<TopUpRequest>()),
            (200, Some(Schema::of::<TopUp>())),
            || post(projects::top_up),
        ),
        Route {
            query: LIMIT,
            ..route(
                "get",
                "/projects/{id}/ledger",
                "Recent ledger entries, newest first.",
                Owner,
                None,
                (200, Some(Schema::of::<LedgerPage>())),
                || get(projects::ledger),
            )
        },
        Route {
            query: LIMIT,
            ..route(
                "get",
                "/projects/{id}/notifications",
                "Low / empty / auto top-up notifications, newest first.",
                Project,
                None,
                (200, Some(Schema::of::<NotificationList>())),
                || get(projects::notifications),
            )
        },
        Route {
            query: SUMMARY,
            ..route(
                "get",
                "/projects/{id}/usage",
                "Spend over the last N UTC days, grouped by model or day.",
                Project,
                None,
                (200, Some(Schema::of::<UsageSummary>())),
                || get(projects::usage_summary),
            )
        },
        route(
            "post",
            "/projects/{id}/holds",
            "Reserve an estimated cost (or an amount) against the balance (Idempotency-Key header makes retries safe).",
            Project,
            Some(Schema::of::<HoldRequest>()),
            (201, Some(Schema::of::<Hold>())),
            || post(metering::create_hold),
        ),
        route(
            "get",
            "/holds/{id}",
            "A hold.",
            Project,
            None,
            (200, Some(Schema::of::<Hold>())),
            || get(metering::get_hold),
        ),
        route(
            "post",
            "/holds/{id}/settle",
            "Settle with the actual usage: debit it, release the hold.",
            Project,
            Some(Schema::of::<SettleRequest>()),
            (200, Some(Schema::of::<Settlement>())),
            || post(metering::settle_hold),
        ),
        route(
            "post",
            "/holds/{id}/release",
            "Release a hold unused.",
            Project,
            None,
            (200, Some(Schema::of::<Hold>())),
            || post(metering::release_hold),
        ),
        route(
            "post",
            "/usage",
            "Report a batch of 1 to 500 usage events; each is recorded once, ever.",
            Project,
            Some(Schema::of::<RawBatch>()),
            (200, Some(Schema::of::<UsageBatchResult>())),
            || post(metering::report_usage),
        ),
        Route {
            query: LIMIT,
            ..route(
                "get",
                "/build-credits",
                "Build credits: balances, plan and renewal, packs, the last 30 days' activity.",
                Owner,
                None,
                (200, Some(Schema::of::<BuildCreditsSummary>())),
                || get(build::summary),
            )
        },
        route(
            "post",
            "/build-credits/activity",
            "Record build activity: subscription credits first, then usage credits.",
            Owner,
            Some(Schema::of::<BuildActivityRequest>()),
            (201, Some(Schema::of::<BuildActivity>())),
            || post(build::record_activity),
        ),
        route(
            "post",
            "/build-credits/packs",
            "Buy a pack of usage credits (charged once per Idempotency-Key).",
            Owner,
            Some(Schema::of::<BuildPackRequest>()),
            (200, Some(Schema::of::<BuildPackPurchase>())),
            || post(build::buy_pack),
        ),
        route(
            "post",
            "/support/charge-reviews",
            "If a charge looks wrong: build or cloud, matching records, a support report.",
            Owner,
            Some(Schema::of::<ChargeReviewRequest>()),
            (201, Some(Schema::of::<ChargeReview>())),
            || post(account::charge_review),
        ),
    ]
}

/// `GET /v1/openapi.json` (public): [`document`], made once.
pub async fn serve() -> Json<Value> {
    static DOCUMENT: OnceLock<Value> = OnceLock::new();
    Json(DOCUMENT.get_or_init(document).clone())
}

/// The OpenAPI 3.0 document of [`routes`].
pub fn document() -> Value {
    let mut paths = Map::new();
    let mut schemas = Map::new();
    for route in routes() {
        let mut operation = Map::new();
        operation.insert("summary".into(), json!(route.summary));
        operation.insert("operationId".into(), json!(operation_id(&route)));
        let mut parameters: Vec<Value> = route
            .path
            .split('/')
            .filter_map(|part| part.strip_prefix('{').and_then(|p| p.strip_suffix('}')))
            .map(|name| json!({"name": name, "in": "path", "required": true, "schema": {"type": "string"}}))
            .collect();
        parameters.extend(route.query.iter().map(|(name, description)| {
            json!({"name": name, "in": "query", "required": false, "description": description, "schema": {"type": "string"}})
        }));
        if route.method == "post"
            && matches!(
                route.path,
                "/projects/{id}/topups"
                    | "/projects/{id}/holds"
                    | "/build-credits/activity"
                    | "/build-credits/packs"
            )
        {
            parameters.push(json!({"name": "Idempotency-Key", "in": "header", "required": false,
                "description": "retries with the same key return the first outcome", "schema": {"type": "string"}}));
        }
        if !parameters.is_empty() {
            operation.insert("parameters".into(), Value::Array(parameters));
        }
        if let Some(body) = route.request {
            operation.insert(
                "requestBody".into(),
                json!({"required": true, "content": {"application/json": {"schema": reference(body.name)}}}),
            );
            schemas.insert(body.name.into(), schema_with_example(body));
        }
        let (status, body) = route.response;
        let mut responses = Map::new();
        responses.insert(
            status.to_string(),
            match body {
                Some(body) => {
                    schemas.insert(body.name.into(), schema_with_example(body));
                    json!({"description": "success", "content": {"application/json": {"schema": reference(body.name)}}})
                }
                None => json!({"description": "success"}),
            },
        );
        responses.insert(
            "default".into(),
            json!({"description": format!("error; code one of {}", codes()),
                   "content": {"application/json": {"schema": reference(ErrorBody::NAME)}}}),
        );
        operation.insert("responses".into(), Value::Object(responses));
        operation.insert("security".into(), security(route.access));
        let path = paths
            .entry(format!("/v1{}", route.path))
            .or_insert_with(|| json!({}));
        if let Value::Object(path) = path {
            path.insert(route.method.into(), Value::Object(operation));
        }
    }
    schemas.insert(
        ErrorBody::NAME.into(),
        schema_with_example(Schema::of::<ErrorBody>()),
    );
    json!({
        "openapi": "3.0.3",
        "info": {
            "title": "Cloud Credits API (reference server)",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Money is always an exact decimal string. See server/API.md for the rules.",
        },
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "publishableKey": {"type": "http", "scheme": "bearer", "description": "pk_… of the project"},
                "secretKey": {"type": "http", "scheme": "bearer", "description": "sk_… of the account (server side)"},
                "session": {"type": "apiKey", "in": "cookie", "name": crate::sessions::COOKIE,
                            "description": "dashboard session; mutations also need the header X-CSRF: 1"},
            },
        },
    })
}

fn operation_id(route: &Route) -> String {
    let words: Vec<String> = route
        .path
        .split(['/', '.', '-'])
        .filter(|part| !part.is_empty())
        .map(|part| part.trim_matches(|c| c == '{' || c == '}').to_owned())
        .collect();
    format!("{}_{}", route.method, words.join("_"))
}

fn reference(name: &str) -> Value {
    json!({ "$ref": format!("#/components/schemas/{name}") })
}

fn security(access: Access) -> Value {
    match access {
        Access::Public => json!([]),
        Access::Project => json!([{"publishableKey": []}, {"secretKey": []}, {"session": []}]),
        Access::Owner => json!([{"secretKey": []}, {"session": []}]),
    }
}

fn codes() -> String {
    ErrorCode::ALL
        .iter()
        .map(|code| code.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The schema of `body`, with its example.
fn schema_with_example(body: Schema) -> Value {
    let example = (body.example)();
    let inference = Inference {
        body,
        example: &example,
    };
    let mut schema = inference.infer("", "", &example);
    if let Value::Object(schema) = &mut schema {
        schema.insert("example".into(), example.clone());
    }
    schema
}

/// A body's example, whose schema is inferred from it: types from its
/// values, and which fields are required or nullable from its wire type's
/// reader ([`Body::reads`]), asked about the example with one field left out
/// or set to `null`. Arrays are described by their first item.
struct Inference<'a> {
    body: Schema,
    example: &'a Value,
}

impl Inference<'_> {
    /// The schema of `value`, at JSON pointer `at` in the example, the value of field `field`.
    fn infer(&self, at: &str, field: &str, value: &Value) -> Value {
        match value {
            Value::Null => json!({ "nullable": true }),
            Value::Bool(_) => json!({ "type": "boolean" }),
            Value::Number(n) if n.is_u64() || n.is_i64() => json!({ "type": "integer" }),
            Value::Number(_) => json!({ "type": "number" }),
            Value::String(_) if is_money(field) => json!({
                "type": "string", "format": "decimal",
                "description": "exact decimal string, e.g. \"0.0012345\"; never a JSON number",
            }),
            Value::String(_) if is_time(field) => {
                json!({ "type": "string", "format": "date-time" })
            }
            Value::String(_) => json!({ "type": "string" }),
            Value::Array(items) => json!({
                "type": "array",
                "items": items
                    .first()
                    .map(|item| self.infer(&format!("{at}/0"), field, item))
                    .unwrap_or(json!({})),
            }),
            Value::Object(fields) => {
                let mut properties = Map::new();
                let mut required = Vec::new();
                for (name, value) in fields {
                    let place = format!("{at}/{}", name.replace('~', "~0").replace('/', "~1"));
                    let mut schema = self.infer(&place, name, value);
                    if !value.is_null() && self.reads_with(&place, Some(Value::Null)) {
                        if let Value::Object(schema) = &mut schema {
                            schema.insert("nullable".into(), json!(true));
                        }
                    }
                    if !self.reads_with(&place, None) {
                        required.push(json!(name));
                    }
                    properties.insert(name.clone(), schema);
                }
                let mut schema = json!({ "type": "object", "properties": properties });
                if !required.is_empty() {
                    schema["required"] = Value::Array(required);
                }
                schema
            }
        }
    }

    /// Whether the example still reads with the field at `place` set to
    /// `value`, or left out (`None`).
    fn reads_with(&self, place: &str, value: Option<Value>) -> bool {
        let mut altered = self.example.clone();
        let (parent, name) = place.rsplit_once('/').unwrap_or(("", place));
        let name = name.replace("~1", "/").replace("~0", "~");
        let Some(Value::Object(fields)) = altered.pointer_mut(parent) else {
            return false;
        };
        match value {
            Some(value) => fields.insert(name, value),
            None => fields.remove(&name),
        };
        (self.body.reads)(altered)
    }
}

fn is_money(field: &str) -> bool {
    field.ends_with("Usd")
        || field.ends_with("Per1M")
        || matches!(field, "total" | "unitPrice" | "cost" | "pricePerUnit")
}

fn is_time(field: &str) -> bool {
    field.ends_with("At") || matches!(field, "from" | "to" | "asOf" | "approximateTime")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_body_has_an_example_and_every_route_is_in_the_document() {
        let document = document();
        for route in routes() {
            for body in route.request.iter().chain(route.response.1.iter()) {
                let example = (body.example)();
                assert!(example.is_object(), "no example for {}", body.name);
                // The example reads (else its fields would all look required).
                assert!(
                    (body.reads)(example),
                    "{}'s example does not read",
                    body.name
                );
            }
            let operation = &document["paths"][format!("/v1{}", route.path)][route.method];
            assert_eq!(operation["summary"], route.summary);
        }
        let balance = &document["components"]["schemas"]["Balance"]["properties"];
        assert_eq!(balance["balanceUsd"]["type"], "string");
        assert_eq!(balance["balanceUsd"]["format"], "decimal");
        assert_eq!(balance["asOf"]["format"], "date-time");
        assert_eq!(
            balance["autoTopUp"]["properties"]["enabled"]["type"],
            "boolean"
        );
        let batch = &document["components"]["schemas"]["UsageBatch"]["properties"]["events"];
        assert_eq!(
            batch["items"]["properties"]["inputTokens"]["type"],
            "integer"
        );

        // Required and nullable, from the types' readers.
        let schemas = &document["components"]["schemas"];
        let required = |schema: &Value| -> Vec<String> {
            let names = schema["required"].as_array().cloned().unwrap_or_default();
            names
                .iter()
                .map(|n| n.as_str().unwrap().to_owned())
                .collect()
        };
        let mut every_balance_field: Vec<String> = schemas["Balance"]["properties"]
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect();
        every_balance_field.sort();
        let mut balance_required = required(&schemas["Balance"]);
        balance_required.sort();
        assert_eq!(balance_required, every_balance_field);
        let hold = &schemas["Hold"];
        assert!(!required(hold).contains(&"estimate".to_owned()));
        assert!(!required(hold).contains(&"settledCostUsd".to_owned()));
        assert!(required(hold).contains(&"amountUsd".to_owned()));
        assert_eq!(hold["properties"]["settledCostUsd"]["nullable"], true);
        assert_eq!(hold["properties"]["amountUsd"].get("nullable"), None);
        assert!(required(&hold["properties"]["estimate"]).contains(&"lines".to_owned()));
        assert_eq!(required(&schemas["HoldRequest"]), Vec::<String>::new());
        let event = &schemas["UsageBatch"]["properties"]["events"]["items"];
        assert!(required(event).contains(&"id".to_owned()));
        assert!(required(event).contains(&"model".to_owned()));
        assert!(!required(event).contains(&"inputTokens".to_owned()));
        assert!(!required(event).contains(&"occurredAt".to_owned()));
        let result = &schemas["UsageBatchResult"]["properties"]["results"]["items"];
        assert_eq!(required(result), ["index", "status"]);
    }
}
