// What the estimation API returns for a fixed set of calls, as plain JSON, in any JavaScript
// runtime: Node with WebAssembly, `node --jitless`, and the Hermes VM (no WebAssembly, no
// TextEncoder/TextDecoder, no classes before Babel). The node:test files compare the fallback's
// observations with the WebAssembly build's and with hand-computed values; this file only
// observes (no assertion library, no Node APIs), so the same code runs everywhere.

/** The `CloudCreditsError` class of the API observed (set by `observe`). */
let ErrorClass = null;

/** The result of `call()`, or the error it threw, as JSON. */
function attempt(call) {
  try {
    return { ok: call() };
  } catch (error) {
    return {
      error: {
        isError: error instanceof Error,
        isCloudCreditsError: typeof ErrorClass === 'function' && error instanceof ErrorClass,
        name: error && error.name,
        code: error && error.code,
        message: error && error.message,
      },
    };
  }
}

/** Requests covering every price of `entry`, tiers included (as tests/js/estimate.test.mjs). */
function requestsFor(entry) {
  if (entry.unit) return [{ model: entry.id, units: 1 }, { model: entry.id, units: 987654321 }];
  return [
    { model: entry.id, inputTokens: 1, outputTokens: 1 },
    { model: entry.id, inputTokens: 123457, cachedInputTokens: 100003, cacheWriteTokens: 7, outputTokens: 9999 },
    { model: entry.provider + '/' + entry.id, inputTokens: 2 ** 53 - 1 },
  ].concat(entry.tiers.map((t) => ({ model: entry.id, inputTokens: t.aboveInputTokens + 1, cachedInputTokens: 11, outputTokens: 5 })));
}

/** Hand-checked requests (expected totals are in the node:test files). */
export const HAND_CASES = [
  { model: 'openai/gpt-4o', inputTokens: 1200, cachedInputTokens: 200, outputTokens: 300 },
  { model: 'claude-sonnet-4-6', inputTokens: 10000, cachedInputTokens: 6000, cacheWriteTokens: 1000, outputTokens: 500 },
  { model: 'gemini:gemini-2.5-pro', inputTokens: 200001, outputTokens: 1000 },
  { model: 'gpt-image-1.5', units: 3 },
  { model: 'sora-2', units: 8 },
  { model: 'text-embedding-3-small', units: 1000000 },
  { model: 'gpt-4o', inputTokens: 1234, cachedInputTokens: 100, outputTokens: 567 },
];

/** Invalid calls (expected codes are in the node:test files). */
export const INVALID_CASES = [
  ['negative count', (api) => api.estimateCost({ model: 'gpt-4o', inputTokens: -1 })],
  ['fractional count', (api) => api.estimateCost({ model: 'gpt-4o', outputTokens: 1.5 })],
  ['NaN count', (api) => api.estimateCost({ model: 'gpt-4o', cachedInputTokens: NaN })],
  ['Infinity count', (api) => api.estimateCost({ model: 'gpt-4o', cacheWriteTokens: Infinity })],
  ['string count', (api) => api.estimateCost({ model: 'gpt-4o', outputTokens: '300' })],
  ['count above 2^53 - 1', (api) => api.estimateCost({ model: 'gpt-4o', inputTokens: 2 ** 53 })],
  ['cached above input', (api) => api.estimateCost({ model: 'gpt-4o', inputTokens: 5, cachedInputTokens: 6 })],
  ['unknown field', (api) => api.estimateCost({ model: 'gpt-4o', inputToken: 10 })],
  ['missing model', (api) => api.estimateCost({ inputTokens: 10 })],
  ['not an object', (api) => api.estimateCost('gpt-4o')],
  ['units on a token model', (api) => api.estimateCost({ model: 'gpt-4o', units: 1 })],
  ['misspelled model', (api) => api.estimateCost({ model: 'gpt-4-o' })],
  ['wrong provider', (api) => api.estimateCost({ model: 'anthropic/gpt-4o' })],
  ['non-ASCII model name', (api) => api.estimateCost({ model: 'gpt-4o-é-€-😀' })],
  ['batch not an array', (api) => api.estimateBatch({})],
  ['batch with a bad item', (api) => api.estimateBatch([{ model: 'gpt-4o' }, { model: 'gpt-4o', units: -1 }])],
  ['totals not an array', (api) => api.estimateTotals({})],
  ['formatUsd of a number', (api) => api.formatUsd(1.5)],
  ['formatUsd of 1e400', (api) => api.formatUsd('1e400')],
  ['formatUsd of non-ASCII', (api) => api.formatUsd('12,50 €')],
  ['loadCatalog of bad JSON', (api) => api.loadCatalog('{')],
  ['loadCatalog of a wrong shape', (api) => api.loadCatalog('{"version": 1}')],
];

/** Cases whose message ends in the JS engine's own words (its `JSON.parse` error), which differ between engines. */
const ENGINE_WORDED = new Set(['loadCatalog of bad JSON']);

/** `result` with the engine's words replaced by a placeholder, for the `ENGINE_WORDED` cases. */
function engineNeutral(name, result) {
  if (!ENGINE_WORDED.has(name) || !result.error) return result;
  const message = result.error.message.replace(/^(catalog JSON is invalid: ).+$/, "$1(the engine's JSON.parse message)");
  return { error: { ...result.error, message } };
}

/** A one-entry catalog document for loadCatalog. */
const TEST_CATALOG = {
  version: 'test-2', asOf: '2026-01-02', source: 'test',
  entries: [{ id: 'm-1', name: 'M', provider: 'openai', kind: 'text', aliases: [], contextWindow: null,
    inputPer1M: '1.5', cachedInputPer1M: null, cacheWritePer1M: null, outputPer1M: '3', unit: null,
    pricePerUnit: null, tiers: [], note: null }],
};

/** Everything the API returns for the fixed calls above, in call order. Ends on a custom catalog. */
export function observe(api) {
  ErrorClass = api.CloudCreditsError;
  const runtime = {
    WebAssembly: typeof WebAssembly,
    TextEncoder: typeof TextEncoder,
    TextDecoder: typeof TextDecoder,
  };
  const catalogVersion = api.catalogVersion();
  const models = api.listModels();
  const estimates = [];
  for (const entry of models) {
    for (const request of requestsFor(entry)) estimates.push([request, attempt(() => api.estimateCost(request))]);
    for (const alias of entry.aliases) estimates.push([alias, attempt(() => api.estimateCost({ model: alias }).model)]);
  }
  const hand = HAND_CASES.map((request) => api.estimateCost(request));
  const requests = [];
  for (let i = 0; i < 2000; i++) requests.push({ model: 'gpt-4o-mini', inputTokens: 1 + i, outputTokens: 3 });
  const batch = api.estimateBatch(requests);
  const totals = api.estimateTotals(requests);
  const repeated = [];
  for (let i = 0; i < 200; i++) repeated.push(api.estimateCost(HAND_CASES[i % HAND_CASES.length]).total);
  const invalid = INVALID_CASES.map(([name, call]) => [name, engineNeutral(name, attempt(() => call(api)))]);
  const formatted = ['0.005', '0.0049', '-0.005', '1234567.891', '-0.5', hand[6].total].map((amount) => api.formatUsd(amount));
  const catalog = [
    attempt(() => api.loadCatalog(JSON.stringify({ ...TEST_CATALOG, entries: [{ ...TEST_CATALOG.entries[0], inputPer1M: 1.5 }] }))),
    api.catalogVersion(),
    attempt(() => api.loadCatalog(JSON.stringify(TEST_CATALOG))),
    api.catalogVersion(),
    attempt(() => api.estimateCost({ model: 'openai/m-1', inputTokens: 1000, outputTokens: 1000 })),
    attempt(() => api.estimateCost({ model: 'gpt-4o' })),
  ];
  return {
    runtime,
    catalogVersion,
    models,
    estimates,
    hand,
    batch: { count: batch.items.length, total: batch.total, first: batch.items[0], last: batch.items[batch.items.length - 1] },
    totals: { count: totals.totals.length, total: totals.total, first: totals.totals[0], last: totals.totals[totals.totals.length - 1] },
    repeated,
    invalid,
    formatted,
    catalog,
  };
}
