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

// ---- exact decimals on BigInt: { digits, scale } = digits / 10^scale ----

/** A decimal string (or a JS number, through its shortest round-trip text) as an exact decimal. */
export function dec(value) {
  let text = typeof value === 'number' ? numberText(value) : value;
  const [whole, frac = ''] = text.split('.');
  return { digits: BigInt(whole + frac), scale: frac.length };
}

/** The exact decimal expansion of a finite JS number's shortest round-trip form (no exponent). */
function numberText(x) {
  const text = String(x);
  if (!/e/i.test(text)) return text;
  const [mantissa, exp] = text.toLowerCase().split('e');
  const e = Number(exp);
  const [w, f = ''] = mantissa.replace('-', '').split('.');
  const digits = w + f;
  const point = w.length + e;
  const sign = x < 0 ? '-' : '';
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return sign + digits + '0'.repeat(point - digits.length);
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}

export const add = (a, b) => {
  const scale = Math.max(a.scale, b.scale);
  const widen = (x) => x.digits * 10n ** BigInt(scale - x.scale);
  return { digits: widen(a) + widen(b), scale };
};
export const mul = (a, n) => ({ digits: a.digits * BigInt(n), scale: a.scale });
export const sub = (a, b) => add(a, { digits: -b.digits, scale: b.scale });

/** A decimal as text without trailing zeros. */
export function show({ digits, scale }) {
  const negative = digits < 0n;
  let text = (negative ? -digits : digits).toString().padStart(scale + 1, '0');
  if (scale > 0) text = `${text.slice(0, -scale)}.${text.slice(-scale)}`.replace(/\.?0+$/, '');
  return (negative ? '-' : '') + text;
}
