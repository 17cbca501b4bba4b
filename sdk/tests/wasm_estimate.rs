#![cfg(target_arch = "wasm32")]
//! The estimation API in headless Chromium, through the exported JS functions:
//! `CHROMEDRIVER=/usr/bin/chromedriver cargo test --target wasm32-unknown-unknown --test wasm_estimate`.

use js_sys::{Array, Reflect, JSON};
use rork_cloud_credits::{
    catalog_version, estimate_batch, estimate_cost, format_usd, list_models, load_catalog,
};
use rork_cloud_credits_core::catalog::Catalog;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

include!("../../core/tests/common/cross_check_cases.rs");

fn js(json: &str) -> JsValue {
    JSON::parse(json).unwrap()
}

fn get(value: &JsValue, key: &str) -> JsValue {
    Reflect::get(value, &JsValue::from_str(key)).unwrap()
}

fn text(value: &JsValue, key: &str) -> String {
    get(value, key).as_string().unwrap()
}

/// A request object with `field` set to an arbitrary JS value.
fn request_with(field: &str, value: JsValue) -> JsValue {
    let request = js(r#"{"model": "gpt-4o"}"#);
    Reflect::set(&request, &JsValue::from_str(field), &value).unwrap();
    request
}

/// Asserts `result` is a thrown JS Error with `code` and a message containing `needle`.
fn assert_error(result: Result<JsValue, JsValue>, code: &str, needle: &str) {
    let error = result.expect_err("expected an error");
    assert!(error.is_instance_of::<js_sys::Error>(), "a real JS Error");
    let message = String::from(error.unchecked_ref::<js_sys::Error>().message());
    assert_eq!(text(&error, "code"), code, "{message}");
    assert_eq!(text(&error, "name"), "CloudCreditsError");
    assert!(
        message.contains(needle),
        "{message:?} should contain {needle:?}"
    );
}

#[wasm_bindgen_test]
fn hand_computed_estimates_match_in_the_browser() {
    for &(model, input, cached, write, output, units, expected) in CASES {
        let request = js(&format!(
            r#"{{"model": "{model}", "inputTokens": {input}, "cachedInputTokens": {cached},
                "cacheWriteTokens": {write}, "outputTokens": {output}, "units": {units}}}"#
        ));
        let estimate = estimate_cost(request).unwrap();
        assert_eq!(text(&estimate, "total"), expected, "{model}");
        assert_eq!(text(&estimate, "currency"), "USD");
        assert_eq!(text(&estimate, "catalogVersion"), catalog_version());
    }
}

/// `JSON.stringify` of a JS result: fields in the order they were set.
fn stringify(value: &JsValue) -> String {
    js_sys::JSON::stringify(value).unwrap().into()
}

#[wasm_bindgen_test]
fn models_and_estimates_are_the_cores_serde_form() {
    // Written field by field (no JSON library in the module), yet the same
    // text as serde writes, field order included.
    let entries = Catalog::builtin().entries();
    assert_eq!(
        stringify(&list_models()),
        serde_json::to_string(entries).unwrap()
    );
    for entry in entries {
        let body = if entry.unit.is_some() {
            r#""units": 7777777"#
        } else {
            r#""inputTokens": 250001, "cachedInputTokens": 1001, "cacheWriteTokens": 99, "outputTokens": 4321"#
        };
        let json = format!(r#"{{"model": "{}", {body}}}"#, entry.id);
        let estimate = estimate_cost(js(&json)).unwrap();
        let native = Catalog::builtin()
            .estimate(&serde_json::from_str(&json).unwrap())
            .unwrap();
        assert_eq!(
            stringify(&estimate),
            serde_json::to_string(&native).unwrap()
        );
    }
}

#[wasm_bindgen_test]
fn batch_total_is_exact() {
    let batch = estimate_batch(js(
        r#"[{"model": "gpt-4o", "inputTokens": 1200, "cachedInputTokens": 200, "outputTokens": 300},
            {"model": "sora-2", "units": 8}, {"model": "tts-1", "units": 1}]"#,
        ),
        "estimateBatch",
    )
    .unwrap();
    // 0.00575 + 0.8 + 0.000015
    assert_eq!(text(&batch, "total"), "0.805765");
    assert_eq!(Array::from(&get(&batch, "items")).length(), 3);
}

#[wasm_bindgen_test]
fn invalid_numbers_are_rejected_naming_the_field() {
    let cases: [(&str, JsValue, &str); 9] = [
        (
            "inputTokens",
            JsValue::from_f64(-1.0),
            "inputTokens must not be negative",
        ),
        (
            "outputTokens",
            JsValue::from_f64(2.5),
            "outputTokens must be a whole number",
        ),
        (
            "cachedInputTokens",
            JsValue::from_f64(f64::NAN),
            "cachedInputTokens must be a non-negative integer",
        ),
        (
            "units",
            JsValue::from_f64(f64::INFINITY),
            "units must be a non-negative integer",
        ),
        (
            "inputTokens",
            JsValue::from_f64(9_007_199_254_740_992.0),
            "above the largest exact count",
        ),
        ("outputTokens", JsValue::from_str("12"), "the string \"12\""),
        ("outputTokens", JsValue::TRUE, "boolean"),
        ("inputTokens", js_sys::BigInt::from(10u32).into(), "BigInt"),
        (
            "inputToken",
            JsValue::from_f64(1.0),
            "unknown field inputToken",
        ),
    ];
    for (field, value, needle) in cases {
        assert_error(
            estimate_cost(request_with(field, value)),
            "invalid_input",
            needle,
        );
    }
    assert_error(
        estimate_cost(js(
            r#"{"model": "gpt-4o", "inputTokens": 1, "cachedInputTokens": 2}"#,
        )),
        "invalid_input",
        "exceed inputTokens",
    );
    assert_error(
        estimate_cost(js(r#"{"model": "sora-2", "outputTokens": 1}"#)),
        "invalid_input",
        "outputTokens must be 0",
    );
    assert_error(
        estimate_cost(js(r#"{"model": "gpt-4o", "units": 1}"#)),
        "invalid_input",
        "units must be 0",
    );
    assert_error(
        estimate_cost(JsValue::UNDEFINED),
        "invalid_input",
        "plain JSON",
    );
    assert_error(
        estimate_cost(JsValue::from_str("gpt-4o")),
        "invalid_input",
        "must be an object",
    );
    assert_error(
        estimate_batch(
            js(r#"[{"model": "gpt-4o"}, {"model": "gpt-4o", "units": -1}]"#),
            "estimateBatch",
        ),
        "invalid_input",
        "requests[1].units",
    );
}

#[wasm_bindgen_test]
fn unknown_models_are_typed() {
    assert_error(
        estimate_cost(js(r#"{"model": "anthropic/gpt-4o"}"#)),
        "unknown_model",
        "\"openai/gpt-4o\"",
    );
    assert_error(
        estimate_cost(js(r#"{"model": "gpt-4-o"}"#)),
        "unknown_model",
        "did you mean \"gpt-4o\"",
    );
}

#[wasm_bindgen_test]
fn format_usd_takes_strings_only() {
    assert_eq!(
        format_usd(JsValue::from_str("1234.565")).unwrap(),
        "$1,234.57"
    );
    assert_eq!(format_usd(JsValue::from_str("-0.005")).unwrap(), "-$0.01");
    assert_error(
        format_usd(JsValue::from_f64(1.5)).map(JsValue::from),
        "invalid_input",
        "decimal string",
    );
    assert_error(
        format_usd(JsValue::from_str("1e400")).map(JsValue::from),
        "invalid_input",
        "1e400",
    );
}

#[wasm_bindgen_test]
fn load_catalog_validates_and_keeps_the_old_one_on_error() {
    let before = catalog_version();
    let bad = Catalog::builtin().to_json().replace("\"2.50\"", "2.50");
    assert_error(
        load_catalog(JsValue::from_str(&bad)).map(|()| JsValue::UNDEFINED),
        "invalid_input",
        "catalog JSON is invalid",
    );
    assert_eq!(catalog_version(), before);
    let renamed = Catalog::builtin()
        .to_json()
        .replacen(&before, "server-7", 1);
    load_catalog(JsValue::from_str(&renamed)).unwrap();
    let estimate = estimate_cost(js(r#"{"model": "gpt-4o", "inputTokens": 1000}"#)).unwrap();
    assert_eq!(text(&estimate, "catalogVersion"), "server-7");
    load_catalog(JsValue::from_str(&Catalog::builtin().to_json())).unwrap();
    assert_eq!(catalog_version(), before);
}

#[wasm_bindgen_test]
fn requests_are_read_property_by_property() {
    // An `undefined` field is absent, as `JSON.stringify` would leave it out.
    let request = request_with("outputTokens", JsValue::UNDEFINED);
    Reflect::set(&request, &"inputTokens".into(), &JsValue::from_f64(1000.0)).unwrap();
    assert_eq!(text(&estimate_cost(request).unwrap(), "total"), "0.0025");
    // A cycle is refused with a typed error, not a stack overflow.
    let cyclic = js(r#"{"model": "gpt-4o"}"#);
    Reflect::set(&cyclic, &"inputTokens".into(), &cyclic).unwrap();
    assert_error(
        estimate_cost(cyclic),
        "invalid_input",
        "the request: inputTokens.inputTokens.inputTokens",
    );
    // A function is refused, where `JSON.stringify` would drop it silently.
    let function = js_sys::Function::new_no_args("return 1");
    assert_error(
        estimate_cost(request_with("inputTokens", function.into())),
        "invalid_input",
        "the request: inputTokens is a function",
    );
    // A getter that throws is an `invalid_input` naming it, and leaves the module working.
    let throwing = js_sys::Function::new_no_args("throw new Error('boom')");
    let request = js(r#"{"model": "gpt-4o"}"#);
    let descriptor = js_sys::Object::new();
    Reflect::set(&descriptor, &"get".into(), &throwing).unwrap();
    Reflect::set(&descriptor, &"enumerable".into(), &JsValue::TRUE).unwrap();
    let object: &js_sys::Object = request.unchecked_ref();
    js_sys::Object::define_property(object, &"outputTokens".into(), &descriptor);
    assert_error(
        estimate_cost(request),
        "invalid_input",
        "outputTokens could not be read: boom",
    );
    // Deep nesting without a cycle is refused too, naming the depth.
    let deep = js(&format!("{}1{}", "[".repeat(40), "]".repeat(40)));
    assert_error(
        estimate_batch(deep, "estimateBatch"),
        "invalid_input",
        "nests deeper than 32 levels",
    );
    assert_eq!(
        text(
            &estimate_cost(js(r#"{"model": "gpt-4o", "inputTokens": 1000}"#)).unwrap(),
            "total"
        ),
        "0.0025"
    );
    assert_error(
        estimate_batch(js(r#"{"model": "gpt-4o"}"#), "estimateTotals"),
        "invalid_input",
        "estimateTotals expects an array",
    );
}

#[wasm_bindgen_test]
fn load_catalog_reports_syntax_and_shape_errors() {
    let result = |json: &str| load_catalog(JsValue::from_str(json)).map(|()| JsValue::UNDEFINED);
    assert_error(result("{"), "invalid_input", "catalog JSON is invalid: ");
    assert_error(
        result(r#"{"version": "v", "asOf": "2026-01-02", "source": "s", "entries": [{"id": 5}]}"#),
        "invalid_input",
        "entries[0].id must be a string, got the number 5",
    );
    assert_error(result("[]"), "invalid_input", "must be a catalog document");
}
