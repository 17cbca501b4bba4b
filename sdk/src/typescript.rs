//! TypeScript declarations for the values that cross as plain objects.
//!
//! Exported functions name these types through `unchecked_param_type` /
//! `unchecked_return_type`, so the generated `.d.ts` has no `any`.
//! `estimateCost` and `estimateBatch` are JS functions (`src/wrapper.js`), so
//! their declarations are written here.

use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &str = r#"
/** Stable error codes: thrown errors have `err.code` set to one of these. */
export type ErrorCode =
  | "invalid_input" | "unknown_model" | "unauthorized" | "forbidden" | "not_found"
  | "cloud_disabled" | "insufficient_credits" | "spend_limit" | "rate_limited" | "conflict"
  | "payment_failed" | "network" | "server" | "unsupported";

/**
 * What every function and method of this package throws or rejects with (but an abort by your own
 * `AbortSignal`, which rejects with the signal's reason, as `fetch` does).
 *
 * ```ts
 * try {
 *   estimateCost({ model, inputTokens });
 * } catch (err) {
 *   if (err instanceof CloudCreditsError && err.code === "unknown_model") console.warn(err.message);
 *   else throw err;
 * }
 * ```
 */
export class CloudCreditsError extends Error {
  constructor(code: ErrorCode, message: string, status?: number);
  /** Always "CloudCreditsError". */
  readonly name: "CloudCreditsError";
  /** Why, as a stable code: compare against this, never against `message`. */
  readonly code: ErrorCode;
  /** The HTTP status of the server's answer; `undefined` when no server answered. */
  readonly status: number | undefined;
  /** The README's entry for `code`. */
  readonly docs: string;
  /** The error as plain data, for logs. */
  toJSON(): {
    /** Always "CloudCreditsError". */
    name: "CloudCreditsError";
    /** The error's `code`. */
    code: ErrorCode;
    /** The error's `message`: what happened and what to fix. */
    message: string;
    /** The error's `status`; `undefined` when no server answered. */
    status: number | undefined;
    /** The error's `docs` link. */
    docs: string;
  };
}

/**
 * A model name: the built-in catalog's ids and aliases autocomplete, and every other string is
 * accepted (a catalog loaded with `loadCatalog`, `provider/id`, dated snapshots).
 */
export type ModelName = KnownModel | (string & {});

/**
 * What was (or will be) used. Counts are non-negative integers ≤ 2^53 - 1; omitted counts are 0.
 * `inputTokens` is the whole prompt INCLUDING `cachedInputTokens` and `cacheWriteTokens`;
 * `outputTokens` includes reasoning tokens; `units` is for unit-billed models only.
 */
export interface UsageRequest {
  /** Catalog id, alias, `provider/id`, `provider:id` or dated snapshot, e.g. "openai/gpt-4o-2024-08-06". */
  model: ModelName;
  /** Prompt tokens in all, including `cachedInputTokens` and `cacheWriteTokens` (default 0). */
  inputTokens?: number;
  /**
   * The part of `inputTokens` read from the provider's prompt cache (default 0); billed as ordinary
   * input when the model has no cached-input price.
   */
  cachedInputTokens?: number;
  /**
   * The part of `inputTokens` written to the provider's prompt cache (default 0); billed as
   * ordinary input when the model has no cache-write price.
   */
  cacheWriteTokens?: number;
  /** Output tokens, including reasoning tokens (default 0). */
  outputTokens?: number;
  /**
   * Units of a unit-billed model (default 0): images, seconds, characters, embedding tokens,
   * queries or invocations, as the entry's `unit` says.
   */
  units?: number;
}

/** The kind of a priced line. */
export type LineKind = "input" | "cachedInput" | "cacheWrite" | "output" | "units";

/** One priced line: `cost = quantity × unitPrice`, exactly. Money is a decimal string in USD. */
export interface EstimateLine {
  /** What this line prices: uncached input, cached input, cache-write or output tokens, or units. */
  kind: LineKind;
  /** The tokens or units priced (never 0: such lines are omitted). */
  quantity: number;
  /**
   * The price of one token or one unit, in USD (exact decimal string; for tokens, the per-1M price
   * that applies, tiers included, divided by 1,000,000).
   */
  unitPrice: string;
  /** `quantity × unitPrice`, exactly, in USD (decimal string). */
  cost: string;
}

/** The exact cost of a request. `total` is the exact sum of the line costs. */
export interface Estimate {
  /** The canonical catalog id the request resolved to. */
  model: string;
  /** Always "USD": every amount is in US dollars. */
  currency: "USD";
  /** The exact cost in USD (decimal string, never rounded): the sum of the line costs. */
  total: string;
  /** The price list used, so client and server can agree on which prices applied. */
  catalogVersion: string;
  /** Lines with zero quantity are omitted. */
  lines: EstimateLine[];
}

/** Per-item estimates and their exact total. */
export interface BatchEstimate {
  /** One estimate per request, in the order of the requests. */
  items: Estimate[];
  /** The exact sum of the items' totals, in USD (decimal string). */
  total: string;
}

/** The totals of a batch: what `estimateTotals` returns (`estimateBatch` without the lines). */
export interface BatchTotals {
  /** Each request's exact cost in USD (decimal strings), in the order of the requests. */
  totals: string[];
  /** The exact sum of `totals`, in USD (decimal string). */
  total: string;
  /** Always "USD": every amount is in US dollars. */
  currency: "USD";
  /** The price list used. */
  catalogVersion: string;
}

/**
 * Estimates the exact cost of one AI call or cloud feature use.
 *
 * `inputTokens` is the whole prompt INCLUDING `cachedInputTokens` and
 * `cacheWriteTokens` (the OpenAI usage convention); `outputTokens` includes
 * reasoning tokens; `units` counts images, seconds, characters, embedding
 * tokens, queries or invocations for unit-billed models. Omitted counts are 0.
 * Throws `invalid_input` (naming the field) or `unknown_model`.
 *
 * ```ts
 * const e = estimateCost({ model: "openai/gpt-4o", inputTokens: 1200, cachedInputTokens: 200, outputTokens: 300 });
 * e.total;          // "0.00575"  (exact decimal string, USD)
 * formatUsd(e.total); // "$0.01"
 * ```
 */
export function estimateCost(request: UsageRequest): Estimate;

/**
 * Estimates several requests at once: per-item estimates and their exact total.
 *
 * Fails as a whole on the first invalid request; the message starts with
 * `requests[i]`.
 *
 * ```ts
 * const { items, total } = estimateBatch([
 *   { model: "gpt-4o-mini", inputTokens: 5000, outputTokens: 800 },
 *   { model: "gpt-image-1.5", units: 2 },
 * ]);
 * ```
 */
export function estimateBatch(requests: UsageRequest[]): BatchEstimate;

/**
 * The totals form of `estimateBatch`: each request's exact total and their exact sum, without the
 * lines and item objects (the fastest way to price many requests, e.g. a cost column).
 *
 * Prices and fails exactly as `estimateBatch` does; `totals[i]` is `estimateBatch(requests).items[i].total`.
 *
 * ```ts
 * const { totals, total } = estimateTotals(rows.map((row) => ({ model: row.model, inputTokens: row.tokens })));
 * ```
 */
export function estimateTotals(requests: UsageRequest[]): BatchTotals;

/** What a catalog entry is. */
export type ModelKind = "text" | "image" | "video" | "speech" | "transcription" | "embedding" | "search" | "function";

/** What one unit of a unit-billed entry is. */
export type BillingUnit = "image" | "second" | "character" | "token" | "query" | "invocation";

/** Rates for the whole request when `inputTokens > aboveInputTokens`. */
export interface PriceTier {
  /** The tier applies when `inputTokens` is strictly greater than this many tokens. */
  aboveInputTokens: number;
  /** Input price in this tier, USD per 1M tokens (decimal string). */
  inputPer1M: string;
  /** Cached-read input price in this tier, USD per 1M tokens; `null`: billed as input. */
  cachedInputPer1M: string | null;
  /** Cache-write input price in this tier, USD per 1M tokens; `null`: billed as input. */
  cacheWritePer1M: string | null;
  /** Output price in this tier, USD per 1M tokens (decimal string). */
  outputPer1M: string;
}

/**
 * A catalog entry. Token prices are per 1M tokens and `null` for unit-billed entries (shown as a dash);
 * a `null` cached or cache-write price means those tokens are billed as ordinary input.
 */
export interface ModelEntry {
  /** Canonical id, e.g. "gpt-4o": what an estimate's `model` reports. */
  id: string;
  /** Display name, e.g. "GPT-4o". */
  name: string;
  /** Provider slug, e.g. "openai", as in qualified names such as "openai/gpt-4o". */
  provider: string;
  /** What the entry is: a text model (billed per token) or a unit-billed feature. */
  kind: ModelKind;
  /** Other names that resolve to this entry (without provider prefix). */
  aliases: string[];
  /** Largest prompt in tokens (text models). */
  contextWindow: number | null;
  /** Most output tokens one request may generate (text models); `null` when unknown. */
  maxOutputTokens: number | null;
  /** Input price, USD per 1M tokens (decimal string); `null` for unit-billed entries. */
  inputPer1M: string | null;
  /**
   * Cached-read input price, USD per 1M tokens; `null` when those tokens are billed as input, and
   * for unit-billed entries.
   */
  cachedInputPer1M: string | null;
  /**
   * Cache-write input price, USD per 1M tokens; `null` when those tokens are billed as input, and
   * for unit-billed entries.
   */
  cacheWritePer1M: string | null;
  /** Output price, USD per 1M tokens (decimal string); `null` for unit-billed entries. */
  outputPer1M: string | null;
  /** What one unit is (unit-billed entries); `null` for token-billed entries. */
  unit: BillingUnit | null;
  /** The price of one unit in USD (decimal string, unit-billed entries); `null` for token-billed entries. */
  pricePerUnit: string | null;
  /**
   * Prompt-size tiers, ascending by `aboveInputTokens` (token-billed entries; empty for the others):
   * the highest tier a prompt exceeds prices the whole request, else the base prices apply.
   */
  tiers: PriceTier[];
  /** Where this entry's price comes from, when it differs from the catalog's source. */
  note: string | null;
}
"#;
