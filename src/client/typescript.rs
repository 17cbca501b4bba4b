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
  /** The fetch to use (default: the global fetch). */
  fetch?: typeof globalThis.fetch;
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
export interface BalanceOptions {
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
export interface UsageQuery {
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
