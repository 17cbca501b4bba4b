#![cfg(target_arch = "wasm32")]
//! The `CloudCredits` client in headless Chromium, with real `localStorage`,
//! Web Locks and `fetch`:
//! `CHROMEDRIVER=/usr/bin/chromedriver CLOUD_CREDITS_URL=http://127.0.0.1:8799 cargo test --target wasm32-unknown-unknown --test wasm_client`.
//!
//! Tests marked "server" talk to the reference server whose URL is baked in
//! at compile time from `CLOUD_CREDITS_URL` (started with `--seed-demo`, so
//! `GET /v1/demo` names the demo project and its publishable key). Without
//! it they print why and pass vacuously; `cargo xtask test` always sets it.

use js_sys::{Function, Promise, Reflect, JSON};
use rork_cloud_credits::{estimate_cost, CloudCredits};
use rust_decimal::Decimal;
use std::cell::RefCell;
use std::rc::Rc;
use std::str::FromStr;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

/// A server nobody listens on (port 9, discard): every request fails fast.
const UNREACHABLE: &str = "http://127.0.0.1:9";
const SERVER: Option<&str> = option_env!("CLOUD_CREDITS_URL");

fn js(json: &str) -> JsValue {
    JSON::parse(json).unwrap()
}

fn get(value: &JsValue, key: &str) -> JsValue {
    Reflect::get(value, &JsValue::from_str(key)).unwrap()
}

fn text(value: &JsValue, key: &str) -> String {
    get(value, key)
        .as_string()
        .unwrap_or_else(|| panic!("{key} is not a string"))
}

fn number(value: &JsValue, key: &str) -> f64 {
    get(value, key).as_f64().unwrap()
}

fn code(error: &JsValue) -> String {
    assert!(error.is_instance_of::<js_sys::Error>(), "a real JS Error");
    text(error, "code")
}

async fn wait(promise: Promise) -> Result<JsValue, JsValue> {
    JsFuture::from(promise).await
}

async fn sleep(ms: i32) {
    let promise = Promise::new(&mut |resolve, _| {
        web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms)
            .unwrap();
    });
    JsFuture::from(promise).await.unwrap();
}

fn storage() -> web_sys::Storage {
    web_sys::window().unwrap().local_storage().unwrap().unwrap()
}

/// A project id no other test uses.
fn fresh_project(name: &str) -> String {
    format!("test-{name}-{}", js_sys::Math::random())
}

fn queue_keys(project: &str) -> Vec<String> {
    let s = storage();
    let prefix = format!("rork-cloud-credits:v1:{project}:queue:");
    (0..s.length().unwrap())
        .filter_map(|i| s.key(i).unwrap())
        .filter(|k| k.starts_with(&prefix))
        .collect()
}

/// Removes every stored queue of `project` (a test's cleanup).
fn remove_queues(project: &str) {
    for key in queue_keys(project) {
        storage().remove_item(&key).unwrap();
    }
}

fn stored_events(project: &str) -> usize {
    queue_keys(project)
        .iter()
        .map(|k| {
            let doc = js(&storage().get_item(k).unwrap().unwrap());
            js_sys::Array::from(&get(&doc, "events")).length() as usize
        })
        .sum()
}

fn client(base_url: &str, project: &str, key: &str) -> CloudCredits {
    let options = js(&format!(
        r#"{{"baseUrl":"{base_url}","projectId":"{project}","publishableKey":"{key}","storage":"local"}}"#
    ));
    CloudCredits::new(options).unwrap()
}

fn usage(model: &str) -> JsValue {
    js(&format!(
        r#"{{"model":"{model}","inputTokens":10,"outputTokens":2,"feature":"test"}}"#
    ))
}

/// The usage request part of [`usage`], as `estimateCost` takes it.
fn usage_request(model: &str) -> JsValue {
    js(&format!(
        r#"{{"model":"{model}","inputTokens":10,"outputTokens":2}}"#
    ))
}

/// Collects what a listener receives.
fn recorder() -> (Rc<RefCell<Vec<JsValue>>>, Function) {
    let seen = Rc::new(RefCell::new(Vec::new()));
    let sink = seen.clone();
    let f = Closure::<dyn FnMut(JsValue)>::new(move |detail| sink.borrow_mut().push(detail));
    (seen, f.into_js_value().unchecked_into())
}

/// Waits until `done()` or about 5 s.
async fn until(mut done: impl FnMut() -> bool) -> bool {
    for _ in 0..250 {
        if done() {
            return true;
        }
        sleep(20).await;
    }
    done()
}

#[wasm_bindgen_test]
fn bad_options_throw_invalid_input() {
    for options in [
        "null",
        r#"{"projectId":"p","publishableKey":"pk_x"}"#,
        r#"{"baseUrl":"ftp://x","projectId":"p","publishableKey":"pk_x"}"#,
        r#"{"baseUrl":"http://x","publishableKey":"pk_x"}"#,
        r#"{"baseUrl":"http://x","projectId":"p","publishableKey":"sk_secret"}"#,
        r#"{"baseUrl":"http://x","projectId":"p","publishableKey":"pk_x","storage":"disk"}"#,
        r#"{"baseUrl":"http://x","projectId":"p","publishableKey":"pk_x","fetch":42}"#,
    ] {
        let error = CloudCredits::new(js(options)).err().expect(options);
        assert_eq!(code(&error), "invalid_input", "{options}");
    }
}

#[wasm_bindgen_test]
fn report_usage_validates_like_estimate_cost_and_returns_a_uuid() {
    let project = fresh_project("validate");
    let cc = client(UNREACHABLE, &project, "pk_test");
    let id = cc.report_usage(usage("gpt-4o-mini")).unwrap();
    assert_eq!(id.len(), 36);
    assert_eq!(&id[14..15], "4", "a version 4 UUID: {id}");
    assert_eq!(cc.pending(), 1);
    for (bad, expected) in [
        (
            r#"{"model":"no-such-model","inputTokens":1}"#,
            "unknown_model",
        ),
        (r#"{"model":"gpt-4o","inputTokens":-1}"#, "invalid_input"),
        (r#"{"model":"gpt-4o","inputTokens":1.5}"#, "invalid_input"),
        (r#"{"model":"gpt-4o","inputTokens":"5"}"#, "invalid_input"),
        (r#"{"model":"gpt-4o","inputToken":5}"#, "invalid_input"),
        (
            r#"{"model":"gpt-4o","inputTokens":5,"feature":""}"#,
            "invalid_input",
        ),
        (r#"{"inputTokens":5}"#, "invalid_input"),
    ] {
        let error = cc.report_usage(js(bad)).unwrap_err();
        assert_eq!(code(&error), expected, "{bad}");
    }
    let nan = usage("gpt-4o");
    Reflect::set(&nan, &"outputTokens".into(), &f64::NAN.into()).unwrap();
    assert_eq!(code(&cc.report_usage(nan).unwrap_err()), "invalid_input");
    assert_eq!(cc.pending(), 1, "refused reports are not queued");
    cc.close();
}

#[wasm_bindgen_test]
async fn unknown_event_names_are_refused() {
    let cc = client(UNREACHABLE, &fresh_project("events"), "pk_test");
    let (_, listener) = recorder();
    assert_eq!(
        code(&cc.on("lowbalance", listener).unwrap_err()),
        "invalid_input"
    );
    cc.close();
}

#[wasm_bindgen_test]
async fn an_unreachable_server_keeps_every_event_queued_and_persisted() {
    let project = fresh_project("offline");
    let cc = client(UNREACHABLE, &project, "pk_test");
    for _ in 0..5 {
        cc.report_usage(usage("gpt-4o-mini")).unwrap();
    }
    assert!(until(|| stored_events(&project) == 5).await, "persisted");
    let result = wait(cc.flush()).await.unwrap();
    assert_eq!(number(&result, "sent"), 0.0);
    assert_eq!(number(&result, "pending"), 5.0);
    assert_eq!(cc.pending(), 5);
    assert_eq!(stored_events(&project), 5);
    cc.close();
    // Closing leaves them persisted for the next client.
    assert_eq!(stored_events(&project), 5);
    remove_queues(&project);
}

#[wasm_bindgen_test]
async fn a_new_client_adopts_the_queue_a_closed_one_left_behind() {
    let project = fresh_project("reload");
    let first = client(UNREACHABLE, &project, "pk_test");
    for _ in 0..3 {
        first.report_usage(usage("gpt-4o-mini")).unwrap();
    }
    assert!(until(|| stored_events(&project) == 3).await);
    let old_keys = queue_keys(&project);
    first.close();
    // As after a reload: a new client (new tab id) finds the old queue.
    let second = client(UNREACHABLE, &project, "pk_test");
    assert!(until(|| second.pending() == 3).await, "adopted 3 events");
    assert!(
        until(|| queue_keys(&project) != old_keys).await,
        "old key removed"
    );
    assert_eq!(
        stored_events(&project),
        3,
        "now stored once, under the new key"
    );
    second.close();
    remove_queues(&project);
}

#[wasm_bindgen_test]
async fn two_live_tabs_never_take_each_others_events() {
    let project = fresh_project("tabs");
    let a = client(UNREACHABLE, &project, "pk_test");
    let b = client(UNREACHABLE, &project, "pk_test");
    for _ in 0..2 {
        a.report_usage(usage("gpt-4o-mini")).unwrap();
    }
    for _ in 0..3 {
        b.report_usage(usage("gpt-4o-mini")).unwrap();
    }
    assert!(until(|| queue_keys(&project).len() == 2).await);
    // A third client starts and scans for abandoned queues: both are alive.
    let c = client(UNREACHABLE, &project, "pk_test");
    sleep(300).await;
    assert_eq!((a.pending(), b.pending(), c.pending()), (2, 3, 0));
    // Closing A hands its events to exactly one survivor, on its next scan
    // or the next client's start.
    a.close();
    let d = client(UNREACHABLE, &project, "pk_test");
    assert!(until(|| d.pending() == 2).await);
    assert_eq!((b.pending(), c.pending()), (3, 0));
    for cc in [b, c, d] {
        cc.close();
    }
    remove_queues(&project);
}

#[wasm_bindgen_test]
async fn corrupt_stored_queues_are_discarded_with_an_error_event() {
    let project = fresh_project("corrupt");
    let key = format!("rork-cloud-credits:v1:{project}:queue:dead-tab");
    storage().set_item(&key, "{this is not json").unwrap();
    let cc = client(UNREACHABLE, &project, "pk_test");
    let (errors, listener) = recorder();
    cc.on("error", listener).unwrap();
    assert!(
        until(|| !errors.borrow().is_empty()).await,
        "an error event"
    );
    let error = errors.borrow()[0].clone();
    assert_eq!(code(&error), "invalid_input");
    assert!(text(&error, "message").contains("discarded"));
    assert!(until(|| storage().get_item(&key).unwrap().is_none()).await);
    assert_eq!(cc.pending(), 0);
    cc.close();
}

/// The demo project of the reference server, or `None` (and a note) without one.
async fn demo() -> Option<(String, String, String)> {
    let Some(url) = SERVER else {
        wasm_bindgen_test::console_log!("skipped: CLOUD_CREDITS_URL was not set at compile time");
        return None;
    };
    let window = web_sys::window().unwrap();
    let response: web_sys::Response =
        JsFuture::from(window.fetch_with_str(&format!("{url}/v1/demo")))
            .await
            .expect("the server answers")
            .unchecked_into();
    assert!(
        response.ok(),
        "GET /v1/demo: start the server with --seed-demo"
    );
    let body = JsFuture::from(response.json().unwrap()).await.unwrap();
    Some((
        url.to_string(),
        text(&body, "projectId"),
        text(&body, "publishableKey"),
    ))
}

#[wasm_bindgen_test]
async fn server_balance_is_read_cached_and_announced() {
    let Some((url, project, key)) = demo().await else {
        return;
    };
    let cc = client(&url, &project, &key);
    let (balances, listener) = recorder();
    cc.on("balance", listener).unwrap();
    let first = wait(cc.balance(JsValue::UNDEFINED)).await.unwrap();
    assert_eq!(text(&first, "projectId"), project);
    for field in [
        "balanceUsd",
        "availableUsd",
        "lowBalanceThresholdUsd",
        "asOf",
        "addCreditsUrl",
    ] {
        assert!(get(&first, field).is_string(), "{field} is a string");
    }
    assert!(["ok", "low", "empty"].contains(&text(&first, "status").as_str()));
    let cached = wait(cc.balance(JsValue::UNDEFINED)).await.unwrap();
    assert_eq!(
        text(&cached, "asOf"),
        text(&first, "asOf"),
        "served from the cache"
    );
    assert_eq!(balances.borrow().len(), 1, "one server read, one event");
    wait(cc.balance(js(r#"{"refresh":true}"#))).await.unwrap();
    assert_eq!(balances.borrow().len(), 2);
    cc.close();
}

/// Calls `object.method(arg)` the way JS does, awaiting the promise it returns.
async fn call(object: &JsValue, method: &str, arg: Option<JsValue>) -> Result<JsValue, JsValue> {
    let f: Function = get(object, method).unchecked_into();
    let promise = match arg {
        Some(arg) => f.call1(object, &arg)?,
        None => f.call0(object)?,
    };
    wait(promise.unchecked_into()).await
}

#[wasm_bindgen_test]
async fn server_guard_settle_and_release() {
    let Some((url, project, key)) = demo().await else {
        return;
    };
    let cc = client(&url, &project, &key);
    let hold = wait(cc.guard(
        js(r#"{"model":"gpt-4o-mini","inputTokens":1000,"outputTokens":500}"#),
        JsValue::UNDEFINED,
    ))
    .await
    .unwrap();
    assert_eq!(text(&hold, "status"), "active");
    assert!(text(&hold, "amountUsd").parse::<f64>().unwrap() > 0.0);
    assert!(
        get(&hold, "estimate").is_object(),
        "a guard's hold carries the estimate"
    );
    let actual = js(r#"{"model":"gpt-4o-mini","inputTokens":800,"outputTokens":100}"#);
    let settlement = call(&hold, "settle", Some(actual)).await.unwrap();
    assert_eq!(text(&get(&settlement, "hold"), "status"), "settled");
    assert_eq!(text(&hold, "status"), "settled");

    let released = wait(cc.reserve(js(r#"{"amountUsd":"0.01"}"#), JsValue::UNDEFINED))
        .await
        .unwrap();
    call(&released, "release", None).await.unwrap();
    assert_eq!(text(&released, "status"), "released");

    let too_much = wait(cc.reserve(js(r#"{"amountUsd":"9999"}"#), JsValue::UNDEFINED))
        .await
        .unwrap_err();
    assert_eq!(code(&too_much), "insufficient_credits");
    let invalid = wait(cc.guard(
        js(r#"{"model":"gpt-4o","inputTokens":-5}"#),
        JsValue::UNDEFINED,
    ))
    .await
    .unwrap_err();
    assert_eq!(code(&invalid), "invalid_input");
    cc.close();
}

#[wasm_bindgen_test]
async fn server_a_thousand_events_are_recorded_exactly_once() {
    let Some((url, project, key)) = demo().await else {
        return;
    };
    let cc = client(&url, &project, &key);
    let balance = || async {
        let b = wait(cc.balance(js(r#"{"refresh":true}"#))).await.unwrap();
        Decimal::from_str(&text(&b, "balanceUsd")).unwrap()
    };
    let before = balance().await;
    let mut ids = std::collections::HashSet::new();
    for _ in 0..1_000 {
        ids.insert(cc.report_usage(usage("gpt-4o-mini")).unwrap());
    }
    assert_eq!(ids.len(), 1_000, "unique ids");
    for _ in 0..100 {
        let result = wait(cc.flush()).await.unwrap();
        if number(&result, "pending") == 0.0 {
            break;
        }
        sleep(50).await;
    }
    assert_eq!(cc.pending(), 0);
    assert_eq!(stored_events(&project), 0, "nothing left in storage");
    // Each event charged once: the balance fell by exactly 1,000 × its price.
    let one = estimate_cost(usage_request("gpt-4o-mini")).unwrap();
    let price = Decimal::from_str(&text(&one, "total")).unwrap();
    assert_eq!(before - balance().await, price * Decimal::from(1_000));
    cc.close();
}

#[wasm_bindgen_test]
async fn server_notifications_and_affordable() {
    let Some((url, project, key)) = demo().await else {
        return;
    };
    let cc = client(&url, &project, &key);
    let list = wait(cc.notifications(JsValue::UNDEFINED)).await.unwrap();
    assert!(js_sys::Array::is_array(&list));
    let affordable = wait(cc.affordable(
        js(r#"{"model":"gpt-4o-mini","inputTokens":1000}"#),
        JsValue::UNDEFINED,
    ))
    .await
    .unwrap();
    assert_eq!(text(&affordable, "model"), "gpt-4o-mini");
    assert!(get(&affordable, "outputTokens").as_f64().is_some());
    cc.close();
}

#[wasm_bindgen_test]
async fn server_wrong_key_is_unauthorized() {
    let Some((url, project, _)) = demo().await else {
        return;
    };
    let cc = client(&url, &project, "pk_not_a_real_key");
    let error = wait(cc.balance(JsValue::UNDEFINED)).await.unwrap_err();
    assert_eq!(code(&error), "unauthorized");
    cc.close();
}

#[wasm_bindgen_test]
async fn a_call_times_out_or_rejects_with_the_reason_of_an_abort() {
    // A fetch that never answers, keeping the signals it was given.
    let signals = Rc::new(RefCell::new(Vec::new()));
    let sink = signals.clone();
    let hanging = Closure::<dyn FnMut(JsValue, JsValue) -> Promise>::new(move |_, init| {
        sink.borrow_mut().push(get(&init, "signal"));
        Promise::new(&mut |_, _| {})
    });
    let options = js(&format!(
        r#"{{"baseUrl":"{UNREACHABLE}","projectId":"p","publishableKey":"pk_x","storage":"memory","timeoutMs":50}}"#
    ));
    Reflect::set(&options, &"fetch".into(), hanging.as_ref()).unwrap();
    let cc = CloudCredits::new(options).unwrap();

    let error = wait(cc.balance(JsValue::UNDEFINED)).await.unwrap_err();
    assert_eq!(code(&error), "network");
    let message = text(&error, "message");
    assert!(message.contains("timed out after 50 ms"), "{message}");
    let given: web_sys::AbortSignal = signals.borrow()[0].clone().unchecked_into();
    assert!(given.aborted(), "the request itself is aborted");

    let controller = web_sys::AbortController::new().unwrap();
    let options = js(r#"{"timeoutMs":60000}"#);
    Reflect::set(&options, &"signal".into(), &controller.signal()).unwrap();
    let pending = cc.balance(options);
    sleep(10).await;
    controller.abort();
    let reason = wait(pending).await.unwrap_err();
    assert_eq!(
        text(&reason, "name"),
        "AbortError",
        "the signal's reason, as fetch rejects"
    );
    assert_eq!(
        signals.borrow().len(),
        2,
        "one request, not retried after the abort"
    );
    let given: web_sys::AbortSignal = signals.borrow()[1].clone().unchecked_into();
    assert!(given.aborted(), "the abort reaches the request");
    cc.close();
}
