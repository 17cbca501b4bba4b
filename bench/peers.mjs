// The peers measured against rork-cloud-credits, the request they are measured on,
// and an exact decimal oracle (BigInt) to judge every answer.
import * as genai from './entries/genai-prices.mjs';
import * as tokenlens from './entries/tokenlens.mjs';
import * as gptTokenizer from './entries/gpt-tokenizer.mjs';

/** The reference request (issue 9): gpt-4o, 1234 prompt tokens of which 100 cached, 567 output. */
export const REQUEST = { model: 'gpt-4o', inputTokens: 1234, cachedInputTokens: 100, outputTokens: 567 };

/** The exact bill of REQUEST at gpt-4o's list prices ($2.50 / $1.25 cached / $10 per 1M). */
export const EXACT_TOTAL = '0.00863';

/** Each peer: npm name, the entry file bundled for the size table, and its cost function. */
export const PEERS = [
  { name: '@pydantic/genai-prices', api: 'calcPrice', entry: 'entries/genai-prices.mjs', cost: genai.cost },
  { name: 'tokenlens', api: 'estimateCost (helpers + openai catalog)', entry: 'entries/tokenlens.mjs', cost: tokenlens.cost },
  { name: 'gpt-tokenizer', api: 'estimateCost (model/gpt-4o)', entry: 'entries/gpt-tokenizer.mjs', cost: gptTokenizer.cost },
];

// The exact decimal oracle (BigInt), shared with the tests.
export { add, dec, mul, show, sub } from '../tests/decimal.mjs';
