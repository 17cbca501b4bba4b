
// ---- src/wrapper.js, appended by `cargo xtask build`: the public estimate functions. ----
// A plain request crosses into WebAssembly once, as numbers: the model name is resolved to a
// catalog position once and cached here, the estimate comes back as numbers in a buffer in wasm
// memory (layout: core/src/catalog/quick.rs), and this file turns them into the result object. Anything the
// fast path does not take (not a plain object, a non-number count, an unknown field or model, an
// invalid combination, an amount beyond 53 bits) goes through the full path, which prices it
// exactly with 96-bit decimals or throws the precise error.

/** Bits of the request fields in `fieldsOf`'s answer. */
const MODEL = 1;
const INPUT = 2;
const CACHED_INPUT = 4;
const CACHE_WRITE = 8;
const OUTPUT = 16;
const UNITS = 32;

/**
 * The request fields among the enumerable keys of `request`, as bits, or -1 when one is not a
 * request field. Only these fields are read: a non-enumerable property is not, as on the full path.
 */
function fieldsOf(request) {
  let seen = 0;
  for (const key in request) {
    switch (key) {
      case 'model':
        seen |= MODEL;
        continue;
      case 'inputTokens':
        seen |= INPUT;
        continue;
      case 'cachedInputTokens':
        seen |= CACHED_INPUT;
        continue;
      case 'cacheWriteTokens':
        seen |= CACHE_WRITE;
        continue;
      case 'outputTokens':
        seen |= OUTPUT;
        continue;
      case 'units':
        seen |= UNITS;
        continue;
      default:
        return -1;
    }
  }
  return seen;
}

/** Whether `request` is a plain object (reads of its fields see its own properties only). */
function isPlainObject(request) {
  if (typeof request !== 'object' || request === null) return false;
  const prototype = Object.getPrototypeOf(request);
  return prototype === Object.prototype || prototype === null;
}

/**
 * The fields of `request` when the fast path may take it (its counts are checked in Rust), else
 * -1. Anything else, such as a class instance or an object inheriting its fields, takes the full
 * path, which reads own enumerable properties as `JSON.stringify` would.
 */
function plainFields(request) {
  if (!isPlainObject(request)) return -1;
  const seen = fieldsOf(request);
  return seen >= 0 && seen & MODEL && typeof request.model === 'string' ? seen : -1;
}

/** A count the fast path takes: a number (checked in Rust) or absent. */
const countOf = (value) => (value === undefined ? 0 : typeof value === 'number' ? value : NaN);

/** The five counts of a request with fields `seen`, in quickEstimate's order, into `into` at `at`. */
function readCounts(request, seen, into, at) {
  into[at] = seen & INPUT ? countOf(request.inputTokens) : 0;
  into[at + 1] = seen & CACHED_INPUT ? countOf(request.cachedInputTokens) : 0;
  into[at + 2] = seen & CACHE_WRITE ? countOf(request.cacheWriteTokens) : 0;
  into[at + 3] = seen & OUTPUT ? countOf(request.outputTokens) : 0;
  into[at + 4] = seen & UNITS ? countOf(request.units) : 0;
}

/**
 * Whether a request is being read into one of the reused arrays below: a getter of a request may
 * estimate again, and that call then reads into an array of its own.
 */
let filling = false;

/** Runs `fill` on `shared` (or, while another fill runs, on a fresh array of `length`), returning what it does. */
function filled(shared, length, fill) {
  if (filling) return fill(new Float64Array(length));
  filling = true;
  try {
    return fill(shared);
  } finally {
    filling = false;
  }
}

/** Line kinds in the order of their index in the buffer. */
const KINDS = ['input', 'cachedInput', 'cacheWrite', 'output', 'units'];
/** Numbers per estimate in the buffer. */
const ESTIMATE_LEN = 27;
/** Answers of quickEstimate / quickBatch other than the buffer's address. */
const DECLINED = 0;
const STALE = 1;
/** At most this many model names (and unit prices) are remembered; then the cache starts over. */
const MAX_CACHED = 1024;

// Per catalog generation: model name -> position, position -> canonical id, the version.
let generation = -1;
let positions = new Map();
let ids = [];
let version = '';

/** Starts the caches over for the active catalog. */
function refresh() {
  generation = quickGeneration();
  positions = new Map();
  ids = [];
  version = catalogVersion();
}

/** The catalog position of `model` with a fast-path plan, or -1. */
function positionOf(model) {
  let position = positions.get(model);
  if (position === undefined) {
    position = quickResolve(model);
    if (position < 0) return -1;
    if (positions.size >= MAX_CACHED) positions.clear();
    positions.set(model, position);
    if (ids[position] === undefined) ids[position] = quickModel(position);
  }
  return position;
}

let numbers = new Float64Array(0);
/** Whether growing wasm memory detaches the old buffer (WebAssembly) or replaces it (wasm2js). */
let detaches;

/** Wasm memory as numbers (index: address / 8), remade when memory grows. */
function memoryNumbers() {
  detaches ??= typeof WebAssembly === 'object' && wasm.memory instanceof WebAssembly.Memory;
  if (numbers.length === 0 || (!detaches && numbers.buffer !== wasm.memory.buffer)) numbers = new Float64Array(wasm.memory.buffer);
  return numbers;
}

/** `"0."`, `"0.0"`, ... : the start of an amount below 1 with that many leading zeros. */
const FRACTIONS = Array.from({ length: 24 }, (_, zeros) => `0.${'0'.repeat(zeros)}`);

/** `"000000000"` and shorter: the zeros that pad the low nine digits of a mantissa. */
const PADS = Array.from({ length: 9 }, (_, zeros) => '0'.repeat(zeros));

/**
 * The digits of a whole number from 2^31 to 2^53. Engines write numbers above 2^31 through their
 * general double-to-text path (about 20 times slower here), so they are written as two halves.
 */
function digitsOf(mantissa) {
  // Exact: the quotient is below 2^24, where a double's spacing (2^-29) is under twice the 10^-9
  // that separates a non-whole quotient from the next whole number, so it never rounds up to it.
  const high = Math.floor(mantissa / 1e9);
  const low = '' + (mantissa - high * 1e9);
  return high + PADS[9 - low.length] + low;
}

/**
 * `mantissa / 10^scale` as decimal text without trailing zeros, as the full path writes amounts
 * (the mantissa is a whole number below 2^53, so its text has no exponent). A mantissa below 2^31
 * drops its trailing zeros as a 32-bit integer (a division by a constant is a multiplication
 * there), a larger one as text.
 */
function decimal(mantissa, scale) {
  if (mantissa < 2147483648) {
    let small = mantissa | 0;
    if (small === 0) return '0';
    while (scale > 0 && small % 10 === 0) {
      small = (small / 10) | 0;
      scale--;
    }
    return placed('' + small, scale);
  }
  let digits = digitsOf(mantissa);
  let end = digits.length;
  while (scale > 0 && digits.charCodeAt(end - 1) === 48 /* '0' */) {
    end--;
    scale--;
  }
  return placed(end === digits.length ? digits : digits.slice(0, end), scale);
}

/** `digits` with a decimal point `scale` digits from the right (`digits` has no trailing zero then). */
function placed(digits, scale) {
  if (scale === 0) return digits;
  const whole = digits.length - scale;
  return whole > 0 ? digits.slice(0, whole) + '.' + digits.slice(whole) : FRACTIONS[-whole] + digits;
}

/** Unit prices repeat: their text by `mantissa * 32 + scale` (when that key is exact). */
const priceTexts = new Map();

/** The text of a unit price. */
function priceText(mantissa, scale) {
  if (mantissa >= 2 ** 47) return decimal(mantissa, scale);
  const key = mantissa * 32 + scale;
  let text = priceTexts.get(key);
  if (text === undefined) {
    if (priceTexts.size >= MAX_CACHED) priceTexts.clear();
    text = decimal(mantissa, scale);
    priceTexts.set(key, text);
  }
  return text;
}

/** The estimate at index `at` of wasm memory `b` for the entry at `position`. */
function readEstimate(b, at, position) {
  const n = b[at];
  const lines = new Array(n);
  for (let i = 0, slot = at + 3; i < n; i++, slot += 6) {
    lines[i] = {
      kind: KINDS[b[slot]],
      quantity: b[slot + 1],
      unitPrice: priceText(b[slot + 2], b[slot + 3]),
      cost: decimal(b[slot + 4], b[slot + 5]),
    };
  }
  return { model: ids[position], currency: 'USD', total: decimal(b[at + 1], b[at + 2]), catalogVersion: version, lines };
}

/** Counts of the request quickCost prices (reused, see `filled`). */
const single = new Float64Array(5);

/** `request`'s five counts (fields `seen`) into `into`; `into`. */
const countsInto = (request, seen) => (into) => (readCounts(request, seen, into, 0), into);

/** The quick answer for `request`, or undefined when the full path must answer. */
function quickCost(request) {
  const seen = plainFields(request);
  if (seen < 0) return undefined;
  const [input, cached, write, output, units] = filled(single, 5, countsInto(request, seen));
  for (;;) {
    const position = positionOf(request.model);
    if (position < 0) return undefined;
    const answer = quickEstimate(generation, position, input, cached, write, output, units);
    if (answer === DECLINED) return undefined;
    if (answer !== STALE) return readEstimate(memoryNumbers(), answer >> 3, position);
    refresh();
  }
}

/** Numbers per request of a batch in wasm's input buffer (`ITEM_LEN` in core/src/catalog/quick.rs). */
const ITEM_LEN = 6;
/** The numbers of the batch being read (reused, see `filled`; grown as batches need). */
let scratch = new Float64Array(ITEM_LEN * 64);

/**
 * `requests` as the fast path's numbers, `ITEM_LEN` per request (its entry's position, then its
 * counts), or undefined when one of them must take the full path.
 */
function itemsOf(requests) {
  const length = requests.length * ITEM_LEN;
  if (!filling && scratch.length < length) scratch = new Float64Array(length);
  return filled(scratch, length, (items) => {
    // Requests in a row often name one model: its position is looked up once per run of them.
    let model;
    let position = -1;
    for (let i = 0, at = 0; i < requests.length; i++, at += ITEM_LEN) {
      const r = requests[i];
      const seen = plainFields(r);
      if (seen < 0) return undefined;
      if (r.model !== model) {
        model = r.model;
        position = positionOf(model);
      }
      if (position < 0) return undefined;
      items[at] = position;
      readCounts(r, seen, items, at + 1);
    }
    return items.subarray(0, length);
  });
}

/**
 * The quick answer for `requests`, or undefined when the full path must answer: their numbers are
 * written into wasm memory (no allocation per call), `price` (quickBatch or quickTotals) prices
 * them into the answer buffer, `read` turns its numbers into the answer.
 */
function quickBatchOf(requests, price, read) {
  for (;;) {
    const items = itemsOf(requests);
    if (items === undefined) return undefined;
    const address = quickInput(requests.length);
    memoryNumbers().set(items, address >> 3);
    const answer = price(generation, requests.length);
    if (answer === DECLINED) return undefined;
    if (answer !== STALE) return read(memoryNumbers(), answer >> 3, items);
    refresh();
  }
}

/** A batch from quickBatch's answer at index `at` of wasm memory `b`; `items` as priced. */
function readBatch(b, at, items) {
  const estimates = new Array(items.length / ITEM_LEN);
  for (let i = 0, slot = at + 2; i < estimates.length; i++, slot += ESTIMATE_LEN) {
    estimates[i] = readEstimate(b, slot, items[i * ITEM_LEN]);
  }
  return { items: estimates, total: decimal(b[at], b[at + 1]) };
}

/** Batch totals from quickTotals' answer at index `at` of wasm memory `b`; `items` as priced. */
function readTotals(b, at, items) {
  const totals = new Array(items.length / ITEM_LEN);
  for (let i = 0, slot = at + 2; i < totals.length; i++, slot += 2) totals[i] = decimal(b[slot], b[slot + 1]);
  return { totals, total: decimal(b[at], b[at + 1]), currency: 'USD', catalogVersion: version };
}

/** The totals of a batch from the full path's answer. */
function totalsOf(batch) {
  const totals = batch.items.map((item) => item.total);
  return { totals, total: batch.total, currency: 'USD', catalogVersion: catalogVersion() };
}

// A getter that throws while the fast path reads a request sends it to the full path, which reads
// it again and reports the problem as an `invalid_input` error naming the field.

export function estimateCost(request) {
  ensure();
  try {
    const quick = quickCost(request);
    if (quick) return quick;
  } catch {
    // The full path below reports it.
  }
  return estimateCostFull(request);
}

/** The fast path's answer for `requests` (`price` and `read` as in quickBatchOf), or undefined. */
function quickBatchAnswer(requests, price, read) {
  if (!Array.isArray(requests)) return undefined;
  try {
    return quickBatchOf(requests, price, read);
  } catch {
    return undefined; // The full path reports it.
  }
}

export function estimateBatch(requests) {
  ensure();
  return quickBatchAnswer(requests, quickBatch, readBatch) ?? estimateBatchFull(requests, 'estimateBatch');
}

export function estimateTotals(requests) {
  ensure();
  return (
    quickBatchAnswer(requests, quickTotals, readTotals) ?? totalsOf(estimateBatchFull(requests, 'estimateTotals'))
  );
}
