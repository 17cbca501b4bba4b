
// ---- src/wrapper.js, appended by `cargo xtask build`: the public estimate functions. ----
// A plain request crosses into WebAssembly once, as flat arguments, and its estimate comes back
// as one packed string that is turned into the result object here (format: src/flat.rs).
// Anything else (not a plain object, a non-number count, an unknown field, a count that is not a
// whole number from 0 to 2^53 - 1) goes through the full path, which throws the precise error.

/** Whether `request` is an object whose own and inherited enumerable keys are all request fields. */
function onlyRequestFields(request) {
  for (const key in request) {
    switch (key) {
      case 'model':
      case 'inputTokens':
      case 'cachedInputTokens':
      case 'cacheWriteTokens':
      case 'outputTokens':
      case 'units':
        continue;
      default:
        return false;
    }
  }
  return true;
}

/** A count the fast path takes: a number (checked in Rust) or absent. */
const countOf = (value) => (value === undefined ? 0 : typeof value === 'number' ? value : NaN);

let at = 0;

/** The estimate at `parts[at]`, advancing `at`; its catalogVersion is set by the caller. */
function readEstimate(parts) {
  const model = parts[at++];
  const total = parts[at++];
  const lines = [];
  for (let n = +parts[at++]; n > 0; n--) {
    lines.push({ kind: parts[at++], quantity: +parts[at++], unitPrice: parts[at++], cost: parts[at++] });
  }
  return { model, currency: 'USD', total, catalogVersion: '', lines };
}

/** The catalog version: the rest of the packed string from `at` (it may contain the separator). */
const readVersion = (parts) => (at === parts.length - 1 ? parts[at] : parts.slice(at).join('|'));

export function estimateCost(request) {
  if (typeof request === 'object' && request !== null && typeof request.model === 'string' && onlyRequestFields(request)) {
    const packed = estimateCostFlat(
      request.model,
      countOf(request.inputTokens),
      countOf(request.cachedInputTokens),
      countOf(request.cacheWriteTokens),
      countOf(request.outputTokens),
      countOf(request.units),
    );
    if (packed !== '') {
      const parts = packed.split('|');
      at = 0;
      const estimate = readEstimate(parts);
      estimate.catalogVersion = readVersion(parts);
      return estimate;
    }
  }
  return estimateCostFull(request);
}

export function estimateBatch(requests) {
  if (Array.isArray(requests)) {
    const models = new Array(requests.length);
    const counts = new Float64Array(requests.length * 5);
    let plain = true;
    for (let i = 0; i < requests.length && plain; i++) {
      const r = requests[i];
      plain = typeof r === 'object' && r !== null && typeof r.model === 'string' && !r.model.includes('\n') && onlyRequestFields(r);
      if (plain) {
        models[i] = r.model;
        counts[i * 5] = countOf(r.inputTokens);
        counts[i * 5 + 1] = countOf(r.cachedInputTokens);
        counts[i * 5 + 2] = countOf(r.cacheWriteTokens);
        counts[i * 5 + 3] = countOf(r.outputTokens);
        counts[i * 5 + 4] = countOf(r.units);
      }
    }
    const packed = plain ? estimateBatchFlat(models.join('\n'), counts) : '';
    if (packed !== '') {
      const parts = packed.split('|');
      const total = parts[0];
      const items = new Array(+parts[1]);
      at = 2;
      for (let i = 0; i < items.length; i++) items[i] = readEstimate(parts);
      const version = readVersion(parts);
      for (const item of items) item.catalogVersion = version;
      return { items, total };
    }
  }
  return estimateBatchFull(requests);
}
