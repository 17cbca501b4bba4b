//! TypeScript declarations for the values the `CloudCredits` client takes
//! and returns (money as decimal strings), named by its methods through
//! `unchecked_param_type` / `unchecked_return_type`.

use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const CLIENT_TYPES: &str = r#"
/** Options of `new CloudCredits(...)`. */
export interface CloudCreditsOptions {
  /** The Cloud Credits server, e.g. "https://credits.example.com". */
  baseUrl: string;
  /** The project whose balance the app spends. */
  projectId: string;
  /** The project's publishable key (`pk_...`), safe in a browser. */
  publishableKey: string;
  /**
   * Your id for the signed-in end user (1 to 100 characters), sent with every hold and usage event
   * so that the owner's per-user daily cap applies to them. Use an opaque id, not an email.
   */
  endUser?: string;
  /**
   * Where queued usage is kept: "local" (localStorage, the default in browsers), a storage adapter
   * such as React Native's AsyncStorage (one queue per app and project, restored by the next client),
   * or "memory" (lost when the app exits). With no storage option and no localStorage the client
   * uses memory and emits an `error` event (`invalid_input`) saying so.
   */
  storage?: "local" | "memory" | StorageAdapter;
  /**
   * The fetch to use (default: the global fetch). It is called with the `signal` of each call
   * (an abort or timeout aborts it) and, for holds, an `Idempotency-Key` header.
   */
  fetch?: typeof globalThis.fetch;
  /**
   * How long each call (`balance`, `usage`, `notifications`, `reserve`, `guard`, `affordable`,
   * `settle`, `release`) may take, retries included, in milliseconds (default 30000; from 1 to
   * 2147483647). A call still unanswered then rejects with `code: "network"`. A call's own
   * `timeoutMs` replaces it; usage deliveries also use it, per request.
   */
  timeoutMs?: number;
  /**
   * Aborts every call of this client when it aborts (e.g. when the component that owns the client
   * unmounts): the call rejects with `signal.reason`, as `fetch` does (a `DOMException` named
   * `AbortError` unless you gave `abort()` a reason). Applies together with a call's own `signal`.
   * Usage deliveries are not aborted: queued usage is still sent.
   */
  signal?: AbortSignal;
  /**
   * How failed calls are retried (default `{ retries: 2, baseDelayMs: 500, maxDelayMs: 5000 }`).
   * Retried: no answer (a network failure) and HTTP 408, 429 and 5xx, honouring `Retry-After`.
   * Never retried: other answers (400, 401, 402, 403, 404, 409...), a timeout or an abort.
   * Holds are safe to retry (an `Idempotency-Key`), and so are settle and release.
   */
  retry?: RetryOptions;
}

/** When and how often a failed call is tried again. */
export interface RetryOptions {
  /** Attempts after the first, 0 to 10 (default 2; 0 turns retrying off). */
  retries?: number;
  /**
   * The wait after the first failure is random between 0 and this many milliseconds, doubling
   * with each further failure ("full jitter"; default 500).
   */
  baseDelayMs?: number;
  /**
   * The longest wait between attempts (default 5000). A `Retry-After` longer than this is not
   * waited for: the call rejects at once (`rate_limited` for a 429).
   */
  maxDelayMs?: number;
}

/**
 * Options every network call takes.
 *
 * ```ts
 * const controller = new AbortController();
 * const balance = await cc.balance({ timeoutMs: 5000, signal: controller.signal });
 * ```
 */
export interface CallOptions {
  /** This call's deadline in milliseconds, retries included (default: the client's `timeoutMs`). */
  timeoutMs?: number;
  /**
   * Aborts this call: it rejects with `signal.reason` (a `DOMException` named `AbortError` by
   * default), not a `CloudCreditsError`. Applies together with the client's `signal`.
   */
  signal?: AbortSignal;
}

/**
 * Asynchronous key-value storage for the usage queue: React Native's AsyncStorage has this shape.
 * Methods may return promises or plain values; a failure is reported through the `error` event.
 */
export interface StorageAdapter {
  getItem(key: string): Promise<string | null> | string | null;
  setItem(key: string, value: string): Promise<unknown> | unknown;
  removeItem(key: string): Promise<unknown> | unknown;
}

/** `balance()` options. */
export interface BalanceOptions extends CallOptions {
  /** Skip the 5-second cache. */
  refresh?: boolean;
}

/** Whether the balance still covers normal use. */
export type BalanceStatus = "ok" | "low" | "empty";

/** Auto top-up settings. */
export interface AutoTopUp {
  enabled: boolean;
  thresholdUsd: string;
  amountUsd: string;
  dailyCapUsd: string;
  paymentMethod: string;
}

/** The project's Cloud Credits balance (USD, decimal strings). */
export interface Balance {
  projectId: string;
  /** Sum of the ledger, after active holds; may be negative after usage past zero. */
  balanceUsd: string;
  /** Reserved by active holds. */
  heldUsd: string;
  /** What a new hold may reserve. */
  availableUsd: string;
  status: BalanceStatus;
  /** The project's "Use Cloud Credits" toggle; off means legacy features only. */
  useCloudCredits: boolean;
  lowBalanceThresholdUsd: string;
  autoTopUp: AutoTopUp;
  /** Where the owner adds credits. */
  addCreditsUrl: string;
  /** When the server read it (RFC 3339). */
  asOf: string;
}

/** The events of a `CloudCredits` client and what their listeners receive. */
export interface CloudCreditsEventMap {
  balance: Balance;
  low: Balance;
  empty: Balance;
  disabled: Balance;
  /** A rejected usage event or a full queue (with `eventId`), a delivery that failed and will be retried (no `eventId`), storage trouble, memory-only storage. */
  error: CloudCreditsError & { eventId?: string };
}

/** An event name. */
export type CloudCreditsEvent = keyof CloudCreditsEventMap;

/** A usage report: a usage request plus where it came from. */
export interface UsageReport extends UsageRequest {
  /** The app feature that used it, 1 to 100 characters (shown in the usage breakdown). */
  feature?: string;
  /** The hold this usage belongs to. */
  holdId?: string;
}

/** `affordable()` query. */
export interface AffordableQuery {
  model: string;
  /** The prompt size, for token-billed models. */
  inputTokens?: number;
}

/** How much more the available balance pays for. */
export interface Affordable {
  /** Canonical catalog id. */
  model: string;
  availableUsd: string;
  inputTokens: number;
  /** Token-billed models: output tokens still affordable after the prompt. */
  outputTokens?: number;
  /** Unit-billed models: units still affordable. */
  units?: number;
}

/** What `flush()` did. */
export interface FlushResult {
  /** Events this flush delivered, recorded now. */
  sent: number;
  /** Events this flush delivered that the server had already recorded. */
  duplicate: number;
  /** Events the server rejected (each also emitted as `error`). */
  rejected: number;
  /** Events still waiting for delivery. */
  pending: number;
}

/** The life cycle of a hold. */
export type HoldStatus = "active" | "settled" | "released" | "expired";

/** A hold as plain data. */
export interface HoldInfo {
  id: string;
  projectId: string;
  amountUsd: string;
  status: HoldStatus;
  estimate?: Estimate;
  settledCostUsd?: string;
  createdAt: string;
  expiresAt: string;
}

/** What became of one usage event. */
export interface UsageResult {
  index: number;
  id: string | null;
  status: "accepted" | "duplicate" | "rejected";
  costUsd?: string;
  error?: { code: ErrorCode; message: string };
}

/** `hold.settle()` result. */
export interface Settlement {
  hold: HoldInfo;
  event: UsageResult;
  balance: { projectId: string; balanceUsd: string; status: BalanceStatus };
}

/** `usage()` query. */
export interface UsageQuery extends CallOptions {
  /** 1 to 90, default 30. */
  days?: number;
  /** Default "model". */
  groupBy?: "model" | "project" | "day";
}

/** One group of a usage summary. */
export interface UsageGroup {
  /** Model id, project id or `YYYY-MM-DD`. */
  key: string;
  label: string;
  costUsd: string;
  events: number;
  inputTokens: number;
  outputTokens: number;
  units: number;
}

/** Spend over the last N UTC days. */
export interface UsageSummary {
  days: number;
  groupBy: "model" | "project" | "day";
  from: string;
  to: string;
  totalCostUsd: string;
  totalEvents: number;
  groups: UsageGroup[];
}

/** A project notification. */
export interface Notification {
  id: string;
  projectId: string;
  kind: "low" | "empty" | "auto_top_up" | "auto_top_up_failed";
  message: string;
  balanceUsd: string;
  /** Where to add credits. */
  addCreditsUrl: string;
  createdAt: string;
}

export interface CloudCredits {
  /** Calls `listener` with the event's detail. */
  on<K extends CloudCreditsEvent>(event: K, listener: (detail: CloudCreditsEventMap[K]) => void): void;
  /** Stops calling `listener`. */
  off<K extends CloudCreditsEvent>(event: K, listener: (detail: CloudCreditsEventMap[K]) => void): void;
}
"#;
