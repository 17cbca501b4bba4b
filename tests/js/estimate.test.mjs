// node:test suite for the estimation API of the built package (pkg/dist),
// through its Node entry point. Run after `cargo xtask build`:
//   node --test tests/js/
// Expected costs come from an independent BigInt decimal oracle (../decimal.mjs) and
// from hand-computed literals, never from the code under test.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

import {
  estimateCost,
  estimateBatch,
  estimateTotals,
  listModels,
  formatUsd,
  catalogVersion,
  loadCatalog,
} from "../../pkg/dist/node.js";
import { add, dec, mul, show } from "../decimal.mjs";

const dist = new URL("../../pkg/dist/", import.meta.url);
// No init(): the module loads on first use (tests/js/loading.test.mjs).

// ---- exact decimal oracle on BigInt (tests/decimal.mjs): value = digits / 10^scale ----
const perToken = (per1M) => ({ digits: per1M.digits, scale: per1M.scale + 6 });
const canon = (text) => show(dec(text));

// The oracle's expected total for a request against a catalog entry.
function expectedTotal(entry, req) {
  const zero = { digits: 0n, scale: 0 };
  if (entry.unit) return show(mul(dec(entry.pricePerUnit), req.units ?? 0));
  const input = req.inputTokens ?? 0;
  const tier = [...entry.tiers].reverse().find((t) => input > t.aboveInputTokens);
  const rates = tier ?? entry;
  let uncached = input - (req.cachedInputTokens ?? 0) - (req.cacheWriteTokens ?? 0);
  let total = zero;
  for (const [count, rate] of [
    [req.cachedInputTokens ?? 0, rates.cachedInputPer1M],
    [req.cacheWriteTokens ?? 0, rates.cacheWritePer1M],
  ]) {
    if (rate === null) uncached += count;
    else total = add(total, mul(perToken(dec(rate)), count));
  }
  total = add(total, mul(perToken(dec(rates.inputPer1M)), uncached));
  total = add(total, mul(perToken(dec(rates.outputPer1M)), req.outputTokens ?? 0));
  return show(total);
}

function assertCode(fn, code, pattern) {
  assert.throws(fn, (err) => {
    assert.ok(err instanceof Error, "a real Error");
    assert.equal(err.name, "CloudCreditsError");
    assert.equal(err.code, code, err.message);
    if (pattern) assert.match(err.message, pattern);
    return true;
  });
}

test("every catalog model is estimated exactly", () => {
  const models = listModels();
  assert.ok(models.length >= 30, `${models.length} models`);
  for (const entry of models) {
    const requests = entry.unit
      ? [{ model: entry.id, units: 1 }, { model: entry.id, units: 987_654_321 }]
      : [
          { model: entry.id, inputTokens: 1, outputTokens: 1 },
          { model: entry.id, inputTokens: 123_457, cachedInputTokens: 100_003, cacheWriteTokens: 7, outputTokens: 9_999 },
          // Amounts with more digits than 2^31 holds (the wrapper writes those in two halves).
          { model: entry.id, inputTokens: 987_654_321_987, cachedInputTokens: 123_456_789, outputTokens: 55_555_555_555 },
          ...entry.tiers.map((t) => ({ model: entry.id, inputTokens: t.aboveInputTokens + 1, cachedInputTokens: 11, outputTokens: 5 })),
        ];
    for (const req of requests) {
      const e = estimateCost(req);
      assert.equal(e.model, entry.id);
      assert.equal(e.currency, "USD");
      assert.equal(e.catalogVersion, catalogVersion());
      assert.equal(e.total, expectedTotal(entry, req), `${entry.id} ${JSON.stringify(req)}`);
      const sum = e.lines.reduce((acc, line) => add(acc, dec(line.cost)), { digits: 0n, scale: 0 });
      assert.equal(show(sum), e.total, "total is the exact sum of the lines");
      for (const line of e.lines) {
        assert.equal(typeof line.cost, "string");
        assert.equal(show(mul(dec(line.unitPrice), line.quantity)), line.cost, "cost = quantity × unitPrice");
      }
    }
    // The totals form prices every request the same (its own path: rates at one scale).
    const totals = estimateTotals(requests);
    assert.deepEqual(totals.totals, requests.map((req) => expectedTotal(entry, req)), entry.id);
    assert.equal(totals.total, show(requests.reduce((acc, req) => add(acc, dec(expectedTotal(entry, req))), { digits: 0n, scale: 0 })));
    // Names resolve through provider prefixes and aliases too.
    assert.equal(estimateCost({ model: `${entry.provider}/${entry.id}` }).model, entry.id);
    for (const alias of entry.aliases) assert.equal(estimateCost({ model: alias }).model, entry.id);
  }
});

test("hand-computed estimates from published prices", () => {
  const cases = [
    // gpt-4o: $2.50 in, $1.25 cached, $10 out per 1M. 1000×2.5 + 200×1.25 + 300×10 = 5750 µ$.
    [{ model: "openai/gpt-4o", inputTokens: 1200, cachedInputTokens: 200, outputTokens: 300 }, "0.00575"],
    // claude-sonnet-4-6: $3 in, $0.30 cache read, $3.75 cache write, $15 out.
    [{ model: "claude-sonnet-4-6", inputTokens: 10_000, cachedInputTokens: 6_000, cacheWriteTokens: 1_000, outputTokens: 500 }, "0.02205"],
    // gemini-2.5-pro above 200k: $2.50 in, $15 out for the whole request.
    [{ model: "gemini:gemini-2.5-pro", inputTokens: 200_001, outputTokens: 1_000 }, "0.5150025"],
    // gpt-image-1.5 medium 1024²: $0.034 per image.
    [{ model: "gpt-image-1.5", units: 3 }, "0.102"],
    // sora-2: $0.10 per second.
    [{ model: "sora-2", units: 8 }, "0.8"],
    // text-embedding-3-small: $0.02 per 1M tokens.
    [{ model: "text-embedding-3-small", units: 1_000_000 }, "0.02"],
  ];
  for (const [req, total] of cases) assert.equal(estimateCost(req).total, total, JSON.stringify(req));
  assert.equal(estimateCost({ model: "gpt-4o-2024-08-06", inputTokens: 1 }).model, "gpt-4o");
});

test("a batch total is the exact sum of its items", () => {
  const reqs = Array.from({ length: 1000 }, (_, i) => ({ model: "gpt-4o-mini", inputTokens: 1 + i, outputTokens: 3 }));
  const { items, total } = estimateBatch(reqs);
  assert.equal(items.length, 1000);
  const mini = listModels().find((m) => m.id === "gpt-4o-mini");
  const oracle = reqs.reduce((acc, r) => add(acc, dec(expectedTotal(mini, r))), { digits: 0n, scale: 0 });
  assert.equal(total, show(oracle));
  // By hand: 500,500 input tokens × $0.15/1M + 3,000 output tokens × $0.60/1M.
  assert.equal(total, "0.076875");
});

test("estimateTotals is estimateBatch without the lines, on both paths", () => {
  const mini = { model: "gpt-4o-mini", inputTokens: 5000, cachedInputTokens: 1000, outputTokens: 800 };
  const image = { model: "gpt-image-1.5", units: 2 };
  const max = 2 ** 53 - 1;
  const huge = { model: "gpt-4o-mini", outputTokens: max }; // beyond 53 bits: the 96-bit path
  class Request { constructor() { this.model = "gpt-4o"; this.inputTokens = 1000; } } // not plain: the full path
  for (const requests of [[mini, image, mini], [mini, huge], [new Request(), image], []]) {
    const batch = estimateBatch(requests);
    const totals = estimateTotals(requests);
    assert.deepEqual(totals, {
      totals: batch.items.map((item) => item.total),
      total: batch.total,
      currency: "USD",
      catalogVersion: catalogVersion(),
    });
  }
  // By hand: 4000 × $0.15/1M + 1000 × $0.075/1M (cached) + 800 × $0.60/1M = $0.001155.
  assert.deepEqual(estimateTotals([mini, mini]).totals, ["0.001155", "0.001155"]);
  assert.equal(estimateTotals([mini, mini]).total, "0.00231");
  assert.equal(estimateTotals([huge, huge]).total, "10808639105.6891892");
  assertCode(() => estimateTotals({}), "invalid_input", /^estimateTotals expects an array/);
  assertCode(() => estimateBatch("gpt-4o"), "invalid_input", /^estimateBatch expects an array/);
  assertCode(() => estimateTotals([mini, { model: "gpt-4o", units: -1 }]), "invalid_input", /^requests\[1\]\.units/);
  assertCode(() => estimateTotals([mini, { model: "nope" }]), "unknown_model", /^requests\[1\]/);
});

test("every kind of invalid input is rejected with the right code and field", () => {
  const base = { model: "gpt-4o" };
  for (const [field, value, pattern] of [
    ["inputTokens", -1, /inputTokens must not be negative/],
    ["outputTokens", 1.5, /outputTokens must be a whole number/],
    ["cachedInputTokens", NaN, /cachedInputTokens must be a non-negative integer, got the number NaN/],
    ["cacheWriteTokens", Infinity, /cacheWriteTokens must be a non-negative integer, got the number Infinity/],
    ["inputTokens", -Infinity, /inputTokens must be a non-negative integer, got the number -Infinity/],
    ["outputTokens", "300", /outputTokens .*the string "300"/],
    ["inputTokens", 2 ** 53, /inputTokens is 9007199254740992, above the largest exact count/],
    ["inputTokens", 1e21, /inputTokens .*above the largest exact count/],
    ["outputTokens", true, /outputTokens .*boolean/],
    ["outputTokens", null, /outputTokens must be a non-negative integer, got null/],
    ["outputTokens", {}, /outputTokens .*object/],
  ]) {
    assertCode(() => estimateCost({ ...base, [field]: value }), "invalid_input", pattern);
  }
  assert.equal(estimateCost({ model: "gpt-4o-mini", inputTokens: 2 ** 53 - 1 }).lines[0].quantity, 2 ** 53 - 1);
  assertCode(() => estimateCost({ ...base, inputTokens: 5, cachedInputTokens: 6 }), "invalid_input", /cachedInputTokens.*inputTokens/);
  assertCode(() => estimateCost({ model: "claude-haiku-4-5", inputTokens: 5, cachedInputTokens: 3, cacheWriteTokens: 3 }), "invalid_input", /cacheWriteTokens/);
  assertCode(() => estimateCost({ ...base, units: 1 }), "invalid_input", /units must be 0/);
  assertCode(() => estimateCost({ model: "sora-2", outputTokens: 1 }), "invalid_input", /outputTokens must be 0/);
  assertCode(() => estimateCost({ ...base, inputToken: 10 }), "invalid_input", /unknown field inputToken/);
  assertCode(() => estimateCost({ inputTokens: 10 }), "invalid_input", /model is required/);
  assertCode(() => estimateCost({ model: 42 }), "invalid_input", /model must be a string/);
  assertCode(() => estimateCost({ model: "" }), "invalid_input", /model is required/);
  assertCode(() => estimateCost("gpt-4o"), "invalid_input", /must be an object/);
  assertCode(() => estimateCost(undefined), "invalid_input", /plain JSON/);
  assertCode(() => estimateCost({ ...base, inputTokens: 10n }), "invalid_input", /BigInt/);
  assertCode(() => estimateBatch({}), "invalid_input", /array/);
  // Requests are read as JSON.stringify sees them: own enumerable properties, toJSON() and boxed
  // primitives; both paths alike (an inherited field is not read, on the fast path either).
  assertCode(() => estimateCost(Object.create({ model: "gpt-4o", inputTokens: 1000 })), "invalid_input", /model is required/);
  const hidden = Object.defineProperty({ model: "gpt-4o", outputTokens: 100 }, "inputTokens", { value: 1000, enumerable: false });
  assert.equal(estimateCost(hidden).total, "0.001", "a non-enumerable count is not read");
  assert.equal(estimateBatch([hidden, hidden]).total, "0.002");
  const hiddenModel = Object.defineProperty({ inputTokens: 1000 }, "model", { value: "gpt-4o", enumerable: false });
  assertCode(() => estimateCost(hiddenModel), "invalid_input", /model is required/);
  assert.equal(estimateCost({ toJSON: () => ({ model: "gpt-4o", inputTokens: 1000 }) }).total, "0.0025");
  assert.equal(estimateCost({ model: new String("gpt-4o"), inputTokens: new Number(1000) }).total, "0.0025");
  const throwing = { model: "gpt-4o", get inputTokens() { throw new Error("boom"); } };
  assertCode(() => estimateCost(throwing), "invalid_input", /^the request: inputTokens could not be read: boom/);
  const throwingModel = { get model() { throw new Error("boom"); }, inputTokens: 5 };
  assertCode(() => estimateCost(throwingModel), "invalid_input", /^the request: model could not be read: boom/);
  assertCode(() => estimateBatch([throwingModel]), "invalid_input", /^requests: \[0\]\.model could not be read: boom/);
  assertCode(() => estimateBatch([base, { model: "gpt-4o", units: () => 1 }]), "invalid_input", /^requests: \[1\]\.units is a function/);
  assertCode(() => estimateCost({ model: "gpt-4o\ud800" }), "invalid_input", /model is a string with a lone surrogate/);
  assertCode(() => estimateBatch(new Array(1_000_001)), "invalid_input", /has 1000001 items, more than 1000000/);
  assert.equal(estimateCost({ model: "gpt-4o", inputTokens: 1000 }).total, "0.0025", "still answers after a refusal");
  assertCode(() => estimateBatch([base, { model: "gpt-4o", units: -1 }]), "invalid_input", /^requests\[1\]\.units/);
  assertCode(() => formatUsd(1.5), "invalid_input", /string/);
  assertCode(() => formatUsd("1e400"), "invalid_input", /1e400/);
  assertCode(() => formatUsd("NaN"), "invalid_input");
});

test("unknown models are typed errors with suggestions, and providers are respected", () => {
  assertCode(() => estimateCost({ model: "gpt-4-o" }), "unknown_model", /did you mean "gpt-4o"/);
  assertCode(() => estimateCost({ model: "anthropic/gpt-4o" }), "unknown_model", /"openai\/gpt-4o"/);
  assertCode(() => estimateCost({ model: "acme:gpt-4o" }), "unknown_model", /not a known provider/);
  assertCode(() => estimateBatch([{ model: "gpt-4o" }, { model: "nope" }]), "unknown_model", /^requests\[1\]/);
});

test("formatUsd rounds half away from zero to cents, for display only", () => {
  assert.equal(formatUsd("0.005"), "$0.01");
  assert.equal(formatUsd("0.0049"), "$0.00");
  assert.equal(formatUsd("-0.005"), "-$0.01");
  assert.equal(formatUsd("1234567.891"), "$1,234,567.89");
  assert.equal(formatUsd(estimateCost({ model: "gpt-4o", inputTokens: 1200, outputTokens: 300 }).total), "$0.01");
});

test("listModels shows token prices per 1M, and null for unit-billed entries", () => {
  const models = listModels();
  const kinds = new Set(models.map((m) => m.kind));
  for (const kind of ["text", "image", "video", "speech", "transcription", "embedding", "search", "function"]) assert.ok(kinds.has(kind), kind);
  for (const provider of ["openai", "anthropic", "google", "xai", "deepseek", "meta", "mistral", "rork"]) {
    assert.ok(models.some((m) => m.provider === provider && (m.kind === "text" || provider === "rork")), provider);
  }
  for (const m of models) {
    if (m.unit) {
      assert.equal(m.inputPer1M, null);
      assert.equal(m.outputPer1M, null);
      assert.equal(typeof m.pricePerUnit, "string");
    } else {
      assert.equal(typeof m.inputPer1M, "string");
      assert.equal(m.pricePerUnit, null);
    }
  }
  const gpt = models.find((m) => m.id === "gpt-4o");
  assert.deepEqual([gpt.inputPer1M, gpt.cachedInputPer1M, gpt.outputPer1M], ["2.50", "1.25", "10.00"]);
  assert.ok(models.find((m) => m.id === "gemini-2.5-pro").tiers.length > 0);
});

test("loadCatalog replaces the catalog; an invalid one leaves the old one active", () => {
  const before = catalogVersion();
  const doc = {
    version: "test-2", asOf: "2026-01-02", source: "test",
    entries: [{ id: "m-1", name: "M", provider: "openai", kind: "text", aliases: [], contextWindow: null,
      inputPer1M: "1.5", cachedInputPer1M: null, cacheWritePer1M: null, outputPer1M: "3", unit: null,
      pricePerUnit: null, tiers: [], note: null }],
  };
  assertCode(() => loadCatalog(JSON.stringify({ ...doc, entries: [{ ...doc.entries[0], inputPer1M: 1.5 }] })), "invalid_input");
  assertCode(() => loadCatalog("{"), "invalid_input");
  assertCode(() => loadCatalog(doc), "invalid_input", /JSON string/);
  assert.equal(catalogVersion(), before);
  assert.equal(estimateCost({ model: "gpt-4o", inputTokens: 1000 }).total, "0.0025");
  loadCatalog(JSON.stringify(doc));
  try {
    assert.equal(catalogVersion(), "test-2");
    const e = estimateCost({ model: "openai/m-1", inputTokens: 1000, outputTokens: 1000 });
    assert.deepEqual([e.total, e.catalogVersion], ["0.0045", "test-2"]);
    assertCode(() => estimateCost({ model: "gpt-4o" }), "unknown_model");
  } finally {
    // Restore the built-in prices for the other tests: the same document the server would serve.
    loadCatalog(readFileSync(fileURLToPath(new URL("../../core/catalog/models.json", import.meta.url)), "utf8"));
  }
  assert.equal(catalogVersion(), before);
});

test("estimates follow loadCatalog: no model name resolved for an older catalog is reused", () => {
  const entry = (id, input) => ({ id, name: id, provider: "openai", kind: "text", aliases: [], contextWindow: null,
    inputPer1M: input, cachedInputPer1M: null, cacheWritePer1M: null, outputPer1M: "1", unit: null,
    pricePerUnit: null, tiers: [], note: null });
  const load = (version, entries) => loadCatalog(JSON.stringify({ version, asOf: "2026-01-02", source: "test", entries }));
  const request = { model: "openai/m-b", inputTokens: 1000000 };
  try {
    load("first", [entry("m-a", "1"), entry("m-b", "2")]);
    assert.equal(estimateCost(request).total, "2");
    assert.equal(estimateBatch([request, request]).total, "4");
    // m-b moves to another position, m-a takes its old one with another price.
    load("second", [entry("m-b", "3"), entry("m-a", "5")]);
    const e = estimateCost(request);
    assert.deepEqual([e.model, e.total, e.catalogVersion], ["m-b", "3", "second"]);
    const batch = estimateBatch([request, { model: "m-a", inputTokens: 1000000 }]);
    assert.deepEqual(batch.items.map((item) => [item.model, item.total, item.catalogVersion]),
      [["m-b", "3", "second"], ["m-a", "5", "second"]]);
    assert.equal(batch.total, "8");
    // A free price: zero amounts are "0" at every scale.
    load("free", [entry("m-z", "0")]);
    const free = estimateCost({ model: "m-z", inputTokens: 1000000, outputTokens: 3 });
    assert.deepEqual([free.total, free.lines[0].unitPrice, free.lines[0].cost, free.lines[1].cost], ["0.000003", "0", "0", "0.000003"]);
    assert.deepEqual(estimateTotals([{ model: "m-z", inputTokens: 7 }, { model: "m-z" }]).totals, ["0", "0"]);
  } finally {
    loadCatalog(readFileSync(fileURLToPath(new URL("../../core/catalog/models.json", import.meta.url)), "utf8"));
  }
});

test("amounts beyond 53 bits are still exact (the 96-bit path answers)", () => {
  const max = 2 ** 53 - 1;
  const e = estimateCost({ model: "gpt-4o-mini", outputTokens: max, inputTokens: max });
  // 9007199254740991 × 0.00000015 + 9007199254740991 × 0.0000006 (Python's decimal module).
  assert.equal(e.total, "6755399441.05574325");
  assert.deepEqual(e.lines.map((line) => line.cost), ["1351079888.21114865", "5404319552.8445946"]);
  const batch = estimateBatch([{ model: "gpt-4o-mini", outputTokens: max }, { model: "gpt-4o-mini", outputTokens: max }]);
  assert.equal(batch.total, "10808639105.6891892");
});

test("the generated TypeScript declarations are precise", () => {
  const dts = readFileSync(fileURLToPath(new URL("rork_cloud_credits.d.ts", dist)), "utf8");
  const api = dts.replace(/\/\*[\s\S]*?\*\//g, "");
  assert.doesNotMatch(api, /\bany\b/, "no `any` in the public API");
  for (const signature of [
    "export function estimateCost(request: UsageRequest): Estimate;",
    "export function estimateBatch(requests: UsageRequest[]): BatchEstimate;",
    "export function estimateTotals(requests: UsageRequest[]): BatchTotals;",
    "export function listModels(): ModelEntry[];",
    "export function formatUsd(amount: string): string;",
    "export function catalogVersion(): string;",
    "export function loadCatalog(json: string): void;",
    'currency: "USD";',
  ]) {
    assert.ok(dts.includes(signature), signature);
  }
});
