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
  readonly name: "CloudCreditsError";
  /** Why, as a stable code: compare against this, never against `message`. */
  readonly code: ErrorCode;
  /** The HTTP status of the server's answer; `undefined` when no server answered. */
  readonly status: number | undefined;
  /** The README's entry for `code`. */
  readonly docs: string;
  /** The error as plain data, for logs. */
  toJSON(): { name: "CloudCreditsError"; code: ErrorCode; message: string; status: number | undefined; docs: string };
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
  inputTokens?: number;
  cachedInputTokens?: number;
  cacheWriteTokens?: number;
  outputTokens?: number;
  units?: number;
}

/** The kind of a priced line. */
export type LineKind = "input" | "cachedInput" | "cacheWrite" | "output" | "units";

/** One priced line: `cost = quantity × unitPrice`, exactly. Money is a decimal string in USD. */
export interface EstimateLine {
  kind: LineKind;
  quantity: number;
  unitPrice: string;
  cost: string;
}

/** The exact cost of a request. `total` is the exact sum of the line costs. */
export interface Estimate {
  /** The canonical catalog id the request resolved to. */
  model: string;
  currency: "USD";
  total: string;
  /** The price list used, so client and server can agree on which prices applied. */
  catalogVersion: string;
  /** Lines with zero quantity are omitted. */
  lines: EstimateLine[];
}

/** Per-item estimates and their exact total. */
export interface BatchEstimate {
  items: Estimate[];
  total: string;
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

/** What a catalog entry is. */
export type ModelKind = "text" | "image" | "video" | "speech" | "transcription" | "embedding" | "search" | "function";

/** What one unit of a unit-billed entry is. */
export type BillingUnit = "image" | "second" | "character" | "token" | "query" | "invocation";

/** Rates for the whole request when `inputTokens > aboveInputTokens`. */
export interface PriceTier {
  aboveInputTokens: number;
  inputPer1M: string;
  cachedInputPer1M: string | null;
  cacheWritePer1M: string | null;
  outputPer1M: string;
}

/**
 * A catalog entry. Token prices are per 1M tokens and `null` for unit-billed entries (shown as a dash);
 * a `null` cached or cache-write price means those tokens are billed as ordinary input.
 */
export interface ModelEntry {
  id: string;
  name: string;
  provider: string;
  kind: ModelKind;
  aliases: string[];
  /** Largest prompt in tokens (text models). */
  contextWindow: number | null;
  /** Most output tokens one request may generate (text models); `null` when unknown. */
  maxOutputTokens: number | null;
  inputPer1M: string | null;
  cachedInputPer1M: string | null;
  cacheWritePer1M: string | null;
  outputPer1M: string | null;
  unit: BillingUnit | null;
  pricePerUnit: string | null;
  tiers: PriceTier[];
  /** Where this entry's price comes from, when it differs from the catalog's source. */
  note: string | null;
}
"#;
