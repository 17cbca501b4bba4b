// Assertions on observe.mjs results from a runtime without WebAssembly: equal to the WebAssembly
// build's, and to values computed by hand from published prices (independent of the code).
import assert from 'node:assert/strict';
import { HAND_CASES, INVALID_CASES } from './observe.mjs';

/** Totals of HAND_CASES by hand, in order. */
const HAND_TOTALS = [
  '0.00575', // gpt-4o: 1000 × $2.50 + 200 × $1.25 + 300 × $10 per 1M
  '0.02205', // claude-sonnet-4-6: 3000 × $3 + 6000 × $0.30 + 1000 × $3.75 + 500 × $15 per 1M
  '0.5150025', // gemini-2.5-pro above 200k: 200001 × $2.50 + 1000 × $15 per 1M
  '0.102', // gpt-image-1.5: 3 × $0.034
  '0.8', // sora-2: 8 s × $0.10
  '0.02', // text-embedding-3-small: 1M × $0.02 per 1M
  '0.00863', // gpt-4o: 1134 × $2.50 + 100 × $1.25 + 567 × $10 per 1M
];

/** The code each INVALID_CASES call throws, and a part of its message. */
const INVALID = {
  'negative count': ['invalid_input', /inputTokens must not be negative/],
  'fractional count': ['invalid_input', /outputTokens must be a whole number/],
  'NaN count': ['invalid_input', /cachedInputTokens .*NaN/],
  'Infinity count': ['invalid_input', /cacheWriteTokens .*Infinity/],
  'string count': ['invalid_input', /outputTokens .*the string "300"/],
  'count above 2^53 - 1': ['invalid_input', /inputTokens is 9007199254740992/],
  'cached above input': ['invalid_input', /cachedInputTokens.*inputTokens/],
  'unknown field': ['invalid_input', /unknown field inputToken/],
  'missing model': ['invalid_input', /model is required/],
  'not an object': ['invalid_input', /must be an object/],
  'units on a token model': ['invalid_input', /units must be 0/],
  'misspelled model': ['unknown_model', /did you mean "gpt-4o"/],
  'wrong provider': ['unknown_model', /"openai\/gpt-4o"/],
  'non-ASCII model name': ['unknown_model', /"gpt-4o-é-€-😀"/],
  'batch not an array': ['invalid_input', /array/],
  'batch with a bad item': ['invalid_input', /^requests\[1\]\.units/],
  'totals not an array': ['invalid_input', /^estimateTotals expects an array/],
  'formatUsd of a number': ['invalid_input', /string/],
  'formatUsd of 1e400': ['invalid_input', /1e400/],
  'formatUsd of non-ASCII': ['invalid_input', /12,50 €/],
  'loadCatalog of bad JSON': ['invalid_input', /^catalog JSON is invalid: \(the engine's JSON.parse message\)$/],
  'loadCatalog of a wrong shape': ['invalid_input', /^catalog JSON is invalid: version must be a string, got the number 1$/],
};

/** Asserts `observed` (a runtime without WebAssembly) against `reference` (WebAssembly) and by hand. */
export function expectSameAsWasm(observed, reference) {
  assert.equal(reference.runtime.WebAssembly, 'object', 'the reference ran on WebAssembly');
  assert.equal(observed.runtime.WebAssembly, 'undefined', 'the fallback ran without WebAssembly');
  for (const section of Object.keys(reference).filter((key) => key !== 'runtime')) {
    assert.deepEqual(observed[section], reference[section], `${section}: the same as the WebAssembly build`);
  }
}

/** Asserts the hand-computed values and error codes in `observed`. */
export function expectHandValues(observed) {
  assert.ok(observed.models.length >= 30, `${observed.models.length} models`);
  assert.ok(observed.estimates.every(([, result]) => 'ok' in result), 'every catalog entry estimates');
  assert.deepEqual(
    observed.hand.map((e) => e.total),
    HAND_TOTALS,
  );
  assert.equal(observed.hand[0].model, 'gpt-4o');
  assert.equal(observed.hand[0].currency, 'USD');
  assert.equal(observed.hand[0].catalogVersion, observed.catalogVersion);
  // 2000 requests: (1 + … + 2000) × $0.15 + 6000 × $0.60 per 1M = 0.30015 + 0.0036.
  assert.deepEqual([observed.batch.count, observed.batch.total], [2000, '0.30375']);
  // The totals form: the same sum; the first request 1 × $0.15 + 3 × $0.60 per 1M, the last 2000 × $0.15 + 3 × $0.60.
  assert.deepEqual(observed.totals, { count: 2000, total: '0.30375', first: '0.00000195', last: '0.0003018' });
  assert.deepEqual(observed.repeated, Array.from({ length: 200 }, (_, i) => HAND_TOTALS[i % HAND_TOTALS.length]));
  assert.deepEqual(observed.formatted, ['$0.01', '$0.00', '-$0.01', '$1,234,567.89', '-$0.50', '$0.01']);
  assert.equal(observed.invalid.length, INVALID_CASES.length);
  for (const [name, result] of observed.invalid) {
    const [code, pattern] = INVALID[name];
    assert.ok(result.error, `${name}: throws`);
    assert.equal(result.error.isError, true, `${name}: a real Error`);
    assert.equal(result.error.isCloudCreditsError, true, `${name}: an instance of the exported CloudCreditsError`);
    assert.equal(result.error.name, 'CloudCreditsError', name);
    assert.equal(result.error.code, code, `${name}: ${result.error.message}`);
    if (pattern) assert.match(result.error.message, pattern, name);
  }
  const [badDoc, versionAfterBad, goodDoc, versionAfterGood, custom, gone] = observed.catalog;
  assert.equal(badDoc.error.code, 'invalid_input');
  assert.equal(versionAfterBad, observed.catalogVersion, 'an invalid catalog leaves the old one active');
  assert.ok(!('error' in goodDoc), 'a valid catalog loads');
  assert.equal(versionAfterGood, 'test-2');
  assert.deepEqual([custom.ok.total, custom.ok.catalogVersion], ['0.0045', 'test-2']);
  assert.equal(gone.error.code, 'unknown_model');
}
