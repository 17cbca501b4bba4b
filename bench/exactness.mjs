// Exactness: every answer against exact decimal arithmetic on the same prices.
import { PEERS, REQUEST, EXACT_TOTAL, add, dec, mul, show, sub } from './peers.mjs';
import { calcPrice } from '@pydantic/genai-prices';
import { estimateCost as tokenlensCost } from 'tokenlens/helpers';
import { openaiModels } from 'tokenlens/providers/openai';

/** How many one-token costs are summed. */
export const REPEATS = 1_000_000;

/** One cached-read token of gpt-4o-mini ($0.075 per 1M): exactly 0.000000075 USD; a million of them is 0.075. */
const ONE_CACHED = { model: 'gpt-4o-mini', inputTokens: 1, cachedInputTokens: 1, outputTokens: 0 };
const EXACT_SUM = '0.075';

/**
 * Per-token cost functions of the peers for ONE_CACHED, each with its own price data (gpt-tokenizer
 * has no cached rate). The exact sum is taken at the peer's own price: REPEATS × the exact decimal
 * its single-token answer stands for, so the error is the float summation alone.
 */
const ONE_TOKEN = {
  '@pydantic/genai-prices': () => calcPrice({ input_tokens: 1, cache_read_tokens: 1 }, 'gpt-4o-mini', { providerId: 'openai' }).total_price,
  tokenlens: () =>
    tokenlensCost({ modelId: 'openai:gpt-4o-mini', usage: { input_tokens: 0, cache_read_tokens: 1 }, catalog: { openai: openaiModels } }).totalUSD,
};

/** The error of `value` against `exact`, as an exact decimal string. */
const error = (value, exact) => show(sub(dec(value), dec(exact)));

/** Rows: { name, case, result, exact, error }. */
export function exactness(api) {
  const rows = [];
  const reference = `gpt-4o ${REQUEST.inputTokens} in (${REQUEST.cachedInputTokens} cached), ${REQUEST.outputTokens} out`;
  const ours = api.estimateCost(REQUEST).total;
  rows.push({ name: 'rork-cloud-credits', case: reference, result: ours, exact: EXACT_TOTAL, error: error(ours, EXACT_TOTAL) });
  for (const peer of PEERS) {
    const value = peer.cost(REQUEST);
    rows.push({ name: peer.name, case: reference, result: String(value), exact: EXACT_TOTAL, error: error(value, EXACT_TOTAL) });
  }
  const summed = `1 cached token of gpt-4o-mini (ours and genai-prices: $0.075/1M), summed ${REPEATS.toLocaleString('en')} times`;
  // Ours: estimateBatch totals are exact; chunks of 10,000 summed with the exact oracle.
  const chunk = Array.from({ length: 10_000 }, () => ONE_CACHED);
  let total = dec('0');
  for (let i = 0; i < REPEATS / chunk.length; i++) total = add(total, dec(api.estimateBatch(chunk).total));
  rows.push({ name: 'rork-cloud-credits', case: summed, result: show(total), exact: EXACT_SUM, error: error(show(total), EXACT_SUM) });
  for (const [name, one] of Object.entries(ONE_TOKEN)) {
    let sum = 0;
    for (let i = 0; i < REPEATS; i++) sum += one();
    const exact = show(mul(dec(one()), REPEATS));
    rows.push({ name, case: summed, result: String(sum), exact, error: error(sum, exact) });
  }
  rows.push({ name: 'gpt-tokenizer', case: summed, result: 'n/a (no cached-input rate)', exact: EXACT_SUM, error: 'n/a' });
  return rows;
}
