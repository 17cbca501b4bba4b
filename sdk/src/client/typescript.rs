//! TypeScript declarations of the `CloudCredits` and `Hold` classes
//! (`src/js/client.js`) and of the values they take and return (money as
//! decimal strings).

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
  /** The value stored under `key`; `null` when nothing is. */
  getItem(key: string): Promise<string | null> | string | null;
  /** Stores `value` under `key`, replacing what was there. */
  setItem(key: string, value: string): Promise<unknown> | unknown;
  /** Removes `key` and its value. */
  removeItem(key: string): Promise<unknown> | unknown;
}

/** `balance()` options. */
export interface BalanceOptions extends CallOptions {
  /** Skip the 5-second cache. */
  refresh?: boolean;
}

/** Whether the balance still covers normal use. */
export type BalanceStatus = "ok" | "low" | "empty";

/**
 * Auto top-up settings: when the balance falls below `thresholdUsd`, buy `amountUsd`, once per
 * crossing, at most `dailyCapUsd` per UTC day.
 */
export interface AutoTopUp {
  /** Whether auto top-up is on. */
  enabled: boolean;
  /** Buy credits when the balance falls below this, in USD (decimal string). */
  thresholdUsd: string;
  /** How much each top-up buys, in USD (decimal string, $5.00 to $200.00). */
  amountUsd: string;
  /** The most auto top-ups may buy per UTC day, in USD (decimal string). */
  dailyCapUsd: string;
  /** The payment method charged. */
  paymentMethod: string;
}

/** The project's Cloud Credits balance (USD, decimal strings). */
export interface Balance {
  /** The project. */
  projectId: string;
  /** Sum of the ledger, after active holds; may be negative after usage past zero. */
  balanceUsd: string;
  /** Reserved by active holds. */
  heldUsd: string;
  /** What a new hold may reserve. */
  availableUsd: string;
  /**
   * `ok` at or above `lowBalanceThresholdUsd`, `low` below it but above zero, `empty` at zero or
   * below (new holds are refused).
   */
  status: BalanceStatus;
  /** The project's "Use Cloud Credits" toggle; off means legacy features only. */
  useCloudCredits: boolean;
  /** Below this (USD decimal string) the balance is `low` and the owner is alerted. */
  lowBalanceThresholdUsd: string;
  /** The project's auto top-up settings. */
  autoTopUp: AutoTopUp;
  /** Where the owner adds credits. */
  addCreditsUrl: string;
  /** When the server read it (RFC 3339). */
  asOf: string;
}

/** The events of a `CloudCredits` client and what their listeners receive. */
export interface CloudCreditsEventMap {
  /** A balance was read from the server (by `balance()` or `affordable()`, or after a change while someone listens). */
  balance: Balance;
  /** The balance is `low` and the previous read's status was not (or there was none). */
  low: Balance;
  /** The balance is `empty` (new holds are refused) and the previous read's status was not (or there was none). */
  empty: Balance;
  /** "Use Cloud Credits" is off for the project, and was not at the previous read (or there was none). */
  disabled: Balance;
  /** A rejected usage event or a full queue (with `eventId`), a delivery that failed and will be retried (no `eventId`), storage trouble, memory-only storage. */
  error: CloudCreditsError & {
    /** The id of the usage event concerned (a rejected event, or one a full queue refused); absent for other errors. */
    eventId?: string;
  };
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
  /** A model name, as in `UsageRequest.model`. */
  model: string;
  /** The prompt size, for token-billed models. */
  inputTokens?: number;
}

/** How much more the available balance pays for. */
export interface Affordable {
  /** Canonical catalog id. */
  model: string;
  /** The available balance it was computed from, in USD (decimal string). */
  availableUsd: string;
  /** The prompt size it was computed for (0 when the query gave none). */
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
  /** The hold id. */
  id: string;
  /** The project whose balance it reserves. */
  projectId: string;
  /** The amount reserved, in USD (decimal string). */
  amountUsd: string;
  /** Where the hold is in its life cycle. */
  status: HoldStatus;
  /** The server's estimate the amount came from; absent for a hold of a plain `amountUsd`. */
  estimate?: Estimate;
  /** The actual cost debited, in USD (decimal string); present once the hold is settled. */
  settledCostUsd?: string;
  /** When the hold was made (RFC 3339). */
  createdAt: string;
  /** When an unsettled hold expires (RFC 3339). */
  expiresAt: string;
}

/** What became of one usage event. */
export interface UsageResult {
  /** The event's position in its batch, from 0 (a settlement's event: 0). */
  index: number;
  /** The event's id; `null` when the server could not read one. */
  id: string | null;
  /**
   * `accepted`: recorded now and charged; `duplicate`: recorded before, not charged again;
   * `rejected`: not recorded (see `error`), and sending it again will not help.
   */
  status: "accepted" | "duplicate" | "rejected";
  /** The authoritative cost charged, in USD (decimal string); present for accepted and duplicate events. */
  costUsd?: string;
  /** Why the event was rejected; present for rejected events only. */
  error?: {
    /** Why, as a stable code. */
    code: ErrorCode;
    /** What was wrong with the event. */
    message: string;
  };
}

/** `hold.settle()` result. */
export interface Settlement {
  /** The hold, now settled. */
  hold: HoldInfo;
  /** The usage event recorded for the actual usage. */
  event: UsageResult;
  /** The project's balance afterwards, in short. */
  balance: {
    /** The project. */
    projectId: string;
    /** Sum of the project's ledger, in USD (decimal string); may be negative. */
    balanceUsd: string;
    /** `ok`, `low` or `empty`. */
    status: BalanceStatus;
  };
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
  /** The project's name for project groups; otherwise the same as `key`. */
  label: string;
  /** Spend in the group, in USD (decimal string). */
  costUsd: string;
  /** Number of usage events in the group. */
  events: number;
  /** Input tokens, including cached and cache-write tokens. */
  inputTokens: number;
  /** Output tokens. */
  outputTokens: number;
  /** Units of unit-billed features. */
  units: number;
}

/** Spend over the last N UTC days. */
export interface UsageSummary {
  /** The window's length in UTC days (1 to 90). */
  days: number;
  /** How `groups` are formed. */
  groupBy: "model" | "project" | "day";
  /** Start of the window: UTC midnight of its first day, inclusive (RFC 3339). */
  from: string;
  /** End of the window: the time of the request (RFC 3339). */
  to: string;
  /** Total spend in the window, in USD (decimal string). */
  totalCostUsd: string;
  /** Usage events in the window. */
  totalEvents: number;
  /** The groups, highest cost first (by day: oldest first, every day of the window, zeros included). */
  groups: UsageGroup[];
}

/** A project notification. */
export interface Notification {
  /** The notification id. */
  id: string;
  /** The project. */
  projectId: string;
  /**
   * What happened: `low` (the balance fell below the low-balance threshold), `empty` (it reached
   * zero or below), `auto_top_up` (an automatic top-up was made) or `auto_top_up_failed` (one failed).
   */
  kind: "low" | "empty" | "auto_top_up" | "auto_top_up_failed";
  /** A sentence for the user. */
  message: string;
  /** The balance when the notification was raised, in USD (decimal string). */
  balanceUsd: string;
  /** Where to add credits. */
  addCreditsUrl: string;
  /** When the notification was raised (RFC 3339). */
  createdAt: string;
}

/** A client as plain data (`cc.toJSON()`, what `JSON.stringify(cc)` and Node's `console.log(cc)` show). */
export interface CloudCreditsInfo {
  /** The project the client reports usage for (the `projectId` option). */
  projectId: string;
  /** The `endUser` option; absent when none was given. */
  endUser?: string;
  /** Where queued usage is kept. */
  storage: "local" | "adapter" | "memory";
  /** Usage events not yet confirmed by the server. */
  pending: number;
  /** Whether `close()` has been called. */
  closed: boolean;
}

/**
 * The Cloud Credits client of one project, for the browser, React Native (with
 * `storage: AsyncStorage`) and Node.js. Create one per page (it shares the usage queue with
 * other tabs of the app safely) or, in React Native, one per app.
 *
 * ```ts
 * const cc = new CloudCredits({ baseUrl: "https://credits.example.com", projectId, publishableKey: "pk_..." });
 * cc.on("low", (b) => showBanner(`Cloud Credits are running low`, b.addCreditsUrl));
 * const id = cc.reportUsage({ model: "gpt-4o", inputTokens: 1200, outputTokens: 300, feature: "chat" });
 * ```
 */
export class CloudCredits {
  /**
   * Creates the client. Throws `invalid_input` for a missing or malformed option (a `baseUrl`
   * that is not http(s), a key that is not `pk_...`). Usage left by earlier page loads or closed
   * tabs is picked up and sent.
   */
  constructor(options: CloudCreditsOptions);
  /**
   * The project's balance, from a cache at most 5 s old unless `{ refresh: true }`. Each read from
   * the server also emits `balance` (and `low` / `empty` / `disabled` when that state is new). The
   * cache is dropped after every delivered usage batch, hold and settlement. Retried on failures
   * that may pass (see `retry`).
   */
  balance(options?: BalanceOptions): Promise<Balance>;
  /**
   * Calls `listener` with the event's detail. Listening to `balance`, `low`, `empty` or
   * `disabled` also makes the client read the balance after each change.
   */
  on<K extends CloudCreditsEvent>(event: K, listener: (detail: CloudCreditsEventMap[K]) => void): void;
  /** Stops calling `listener`. */
  off<K extends CloudCreditsEvent>(event: K, listener: (detail: CloudCreditsEventMap[K]) => void): void;
  /**
   * Reserves money on the server: the `total` of an `estimateCost` result, `{ amountUsd: "0.05" }`,
   * or the server's estimate of a usage request. Rejects with `insufficient_credits`,
   * `cloud_disabled`, `invalid_input`, `unknown_model`, `unauthorized`, `network` or `server`.
   * Retried on failures that may pass: every attempt carries one `Idempotency-Key`, so a retry
   * never makes a second hold.
   */
  reserve(request: Estimate | UsageRequest | { amountUsd: string }, options?: CallOptions): Promise<Hold>;
  /**
   * Estimate and reserve in one call: the recommended way to wrap an AI call. Validates the
   * request locally (like `estimateCost`), then holds the server's estimate of it. Settle the
   * hold with the actual usage. Give the call's maximum output (`max_tokens`) as `outputTokens`:
   * a settlement through the publishable key charges at most the hold. Retried like `reserve`.
   */
  guard(request: UsageRequest, options?: CallOptions): Promise<Hold>;
  /**
   * How many output tokens (token-billed models, after a prompt of `inputTokens`) or units
   * (unit-billed models) the available balance still pays for, exactly. The balance comes from
   * `balance()` (its cache, or a read retried like `balance()`'s).
   */
  affordable(query: AffordableQuery, options?: CallOptions): Promise<Affordable>;
  /**
   * Queues a usage event and returns its id at once. The report is validated synchronously with
   * the same rules and codes as `estimateCost` (throws `invalid_input` / `unknown_model`); a full
   * queue throws `rate_limited` (and emits `error`). Queued events are persisted, batched, retried
   * and delivered exactly once.
   */
  reportUsage(report: UsageReport): string;
  /**
   * Sends every queued event now. Resolves with what this flush delivered and what is still
   * pending (after a failure, while offline, or while the server asked to wait); never rejects.
   */
  flush(): Promise<FlushResult>;
  /** Usage events not yet confirmed by the server. */
  pending(): number;
  /**
   * Spend over the last `days` UTC days (1 to 90, default 30), grouped by `model` (default),
   * `project` or `day`. Retried on failures that may pass.
   */
  usage(query?: UsageQuery): Promise<UsageSummary>;
  /**
   * The project's notifications (`low`, `empty`, `auto_top_up`, `auto_top_up_failed`), newest
   * first, each with the add-credits link. Retried on failures that may pass.
   */
  notifications(options?: CallOptions): Promise<Notification[]>;
  /**
   * Stops timers and listeners and releases this tab's lock (with a storage adapter: hands the
   * stored queue to the next client of the project). Queued events stay persisted and are sent by
   * the next client of the app.
   */
  close(): void;
  /** The client as plain data, for logs and debuggers. */
  toJSON(): CloudCreditsInfo;
}

/**
 * Money reserved for a request in flight: `settle()` it with the actual usage once the call
 * returns (the actual cost is debited, the rest given back), or `release()` it if the call did
 * not happen. An unsettled hold expires at `expiresAt` and gives everything back. Made by
 * `reserve()` and `guard()`.
 *
 * ```ts
 * const hold = await cc.guard({ model: "gpt-4o", inputTokens: 1200, outputTokens: 800 });
 * try {
 *   const r = await callModel();
 *   await hold.settle({ model: "gpt-4o", inputTokens: r.usage.prompt_tokens, outputTokens: r.usage.completion_tokens });
 * } catch (e) {
 *   await hold.release();
 *   throw e;
 * }
 * ```
 */
export class Hold {
  private constructor();
  /** The hold id. */
  readonly id: string;
  /** The amount reserved, in USD (decimal string). */
  readonly amountUsd: string;
  /** `active`, `settled`, `released` or `expired`. */
  readonly status: HoldStatus;
  /** When an unsettled hold expires (RFC 3339). */
  readonly expiresAt: string;
  /** The server's estimate the amount came from (holds made for a usage request). */
  readonly estimate: Estimate | undefined;
  /** The hold as plain data (what `JSON.stringify(hold)` shows). */
  toJSON(): HoldInfo;
  /**
   * Debits the actual usage (validated like `estimateCost`; throws at once when it is invalid) and
   * gives the rest of the hold back. Safe to retry, and retried on failures that may pass: every
   * settle of this hold is the same usage event to the server, which answers a repeat with the
   * first settlement. Settling again with different usage rejects with `conflict` (HTTP 409)
   * naming what differs.
   */
  settle(actual: UsageReport, options?: CallOptions): Promise<Settlement>;
  /**
   * Gives the whole hold back. Retried on failures that may pass: the server answers the release
   * of a released hold like the first one.
   */
  release(options?: CallOptions): Promise<void>;
}
"#;
