
// ---- src/js/client.js, appended by `cargo xtask build` to the glue of the client build (not
// `rork-cloud-credits/estimate`): the `CloudCredits` and `Hold` classes. They do the I/O here, in
// JavaScript (fetch with deadlines and retries, timers, storage, tab locks, events); every rule is
// the Rust core's, reached through the glue's private functions (src/client.rs): the usage queue
// state machine (`QueueCore`), validating reports and hold requests like `estimateCost`, request
// bodies, checking answers field by field, the error a status stands for, the retry policy and the
// storage lease. Declarations: src/client/typescript.rs.

/** How long `balance()` answers from its cache. */
const BALANCE_TTL_MS = 5000;
/** How long a call may take, retries included, unless the app says otherwise. */
const DEFAULT_TIMEOUT_MS = 30000;
/** The longest wait in milliseconds: what `setTimeout` takes (2^31 - 1, 24.8 days). */
const MAX_MS = 2147483647;
/** Every storage key of this SDK starts with this. */
const PREFIX = 'rork-cloud-credits:v1:';
/** How long a storage lease lasts without renewal. */
const LEASE_TTL_MS = 5 * 60000;
/** How often the lease is renewed and abandoned queues are looked for. */
const TICK_MS = 30000;
/** How often `flush()` looks again while a scheduled batch is in flight. */
const BUSY_POLL_MS = 20;
/** The events a client emits. */
const EVENTS = ['balance', 'low', 'empty', 'disabled', 'error'];
/** The options every call takes. */
const CALL_FIELDS = ['timeoutMs', 'signal'];
/** The fields of the `retry` option. */
const RETRY_FIELDS = ['retries', 'baseDelayMs', 'maxDelayMs'];
/** Where a client's state lives on its object (not enumerable, so `JSON.stringify` shows `toJSON()`). */
const STATE = Symbol('state');

const invalid = (message) => cloudCreditsError('invalid_input', message);
const isObject = (value) => typeof value === 'object' && value !== null;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
/** A fresh copy of plain data, so that an app changing a result cannot change the client's. */
const copy = (data) => (data === undefined ? undefined : JSON.parse(JSON.stringify(data)));
/** `globalThis[name]`, when it is defined. */
const globalOf = (name) => globalThis[name] ?? undefined;
/** Cancels a `setTimeout` (Hermes refuses `clearTimeout(undefined)`). */
const cancel = (timer) => timer !== undefined && clearTimeout(timer);
/** Runs `task` after the current one, as a promise reaction (before any timer or event). */
const soon = (task) => void Promise.resolve().then(task);

/** The message of a thrown value: its `message`, or the value itself when it is a string. */
function thrownMessage(thrown) {
  if (isObject(thrown) && typeof thrown.message === 'string') return thrown.message;
  return typeof thrown === 'string' ? thrown : undefined;
}

/** `n` bytes from `crypto.getRandomValues`; `invalid_input` saying what to install without one. */
function randomBytes(n) {
  try {
    return globalThis.crypto.getRandomValues(new Uint8Array(n));
  } catch {
    throw invalid(
      'crypto.getRandomValues is not available in this environment; usage event ids must be random ' +
        'UUIDs. In React Native, install react-native-get-random-values and import it first in ' +
        "your app's entry file: import 'react-native-get-random-values';",
    );
  }
}

/** A random (version 4) UUID: the engine's `crypto.randomUUID` where it has one. */
function newUuid() {
  if (typeof globalThis.crypto?.randomUUID === 'function') return globalThis.crypto.randomUUID();
  const bytes = randomBytes(16);
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => (b < 16 ? '0' : '') + b.toString(16)).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** A random whole number below 2^53 for backoff jitter (spread, not secrecy). */
const jitter = () => Math.floor(Math.random() * 2 ** 53);

/** The UTF-8 length of `text`, in bytes. */
function utf8Length(text) {
  let bytes = 0;
  for (const char of text) {
    const point = char.codePointAt(0);
    bytes += point < 0x80 ? 1 : point < 0x800 ? 2 : point < 0x10000 ? 3 : 4;
  }
  return bytes;
}

// ---- Options

/** `options[name]`; `undefined` when `options` is. */
function optionOf(options, name) {
  if (options === undefined) return undefined;
  try {
    return options[name];
  } catch {
    throw invalid(`${name} could not be read`);
  }
}

/** A string option: absent is `undefined`; anything else but a string is `invalid_input`. */
function stringOption(options, name) {
  const value = optionOf(options, name);
  if (value === undefined || typeof value === 'string') return value;
  throw invalid(`${name} must be a string`);
}

/** The whole number `object[name]` from `min` to `max`, or `undefined`; `path` names it in errors. */
function wholeOption(object, name, path, min, max) {
  const value = optionOf(object, name);
  if (value === undefined) return undefined;
  if (typeof value === 'number' && value >= min && value <= max && Number.isInteger(value)) return value;
  throw invalid(`${path} must be a whole number from ${min} to ${max}`);
}

/** `invalid_input` unless `value` is an object whose every own field is `known`: a misspelt option is refused. */
function only(value, what, known) {
  if (!isObject(value)) throw invalid(`${what} must be an object`);
  const unknown = Object.keys(value).find((key) => !known.includes(key));
  if (unknown !== undefined) throw invalid(`unknown option ${unknown} in ${what}`);
}

/** Whether `value` behaves like an `AbortSignal`: polyfills and other realms' signals count. */
const isSignal = (value) =>
  isObject(value) && typeof value.aborted === 'boolean' && typeof value.addEventListener === 'function';

/** `{ timeoutMs, signal }` of `options`. */
function readCall(options) {
  const timeoutMs = wholeOption(options, 'timeoutMs', 'timeoutMs', 1, MAX_MS);
  let signal = optionOf(options, 'signal');
  if (signal === null) signal = undefined;
  if (signal !== undefined && !isSignal(signal)) {
    throw invalid('signal must be an AbortSignal, such as new AbortController().signal');
  }
  return { timeoutMs, signal };
}

/** A call's `options` (`undefined` or `null`: none), which may hold `timeoutMs`, `signal` and `also`. */
function callOptions(options, also = []) {
  if (options === undefined || options === null) return {};
  only(options, 'the options', CALL_FIELDS.concat(also));
  return readCall(options);
}

/** `retry`: `{ retries?, baseDelayMs?, maxDelayMs? }`, each defaulting to the core's policy. */
function readRetry(value) {
  const [retries, baseMs, maxMs, maxRetries] = retryDefaults();
  if (value === undefined) return { retries, baseMs, maxMs };
  only(value, 'retry', RETRY_FIELDS);
  const asked = wholeOption(value, 'retries', 'retry.retries', 0, maxRetries);
  const base = wholeOption(value, 'baseDelayMs', 'retry.baseDelayMs', 0, MAX_MS) ?? baseMs;
  const max = wholeOption(value, 'maxDelayMs', 'retry.maxDelayMs', 0, MAX_MS) ?? Math.max(maxMs, base);
  if (max < base) throw invalid('retry.maxDelayMs must not be less than retry.baseDelayMs');
  return { retries: asked ?? retries, baseMs: base, maxMs: max };
}

/** `usage?days=..&groupBy=..` from `{ days?, groupBy? }` (or `undefined`). */
function usageQuery(query) {
  const given = (name) => (isObject(query) ? query[name] : undefined);
  const days = given('days') ?? 30;
  const [, maxDays] = clientLimits();
  if (typeof days !== 'number' || !(days >= 1 && days <= maxDays) || !Number.isInteger(days)) {
    throw invalid(`days must be a whole number of days from 1 to ${maxDays}`);
  }
  const groupBy = given('groupBy') ?? 'model';
  if (!['model', 'project', 'day'].includes(groupBy)) {
    throw invalid('groupBy must be "model", "project" or "day"');
  }
  return `usage?days=${days}&groupBy=${groupBy}`;
}

// ---- Transport: fetch with the publishable key, deadlines, aborts and retries

/** A `network` error from whatever `fetch` threw. */
const networkError = (thrown) =>
  cloudCreditsError(
    'network',
    `could not reach the Cloud Credits server: ${thrownMessage(thrown) ?? 'the request failed'}`,
  );

/** `Retry-After` as milliseconds (delta-seconds or an HTTP date), or -1 without one. */
function retryAfterMs(value) {
  if (typeof value !== 'string') return -1;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Math.min(Number(text) * 1000, Number.MAX_SAFE_INTEGER);
  const at = Date.parse(text);
  return Number.isFinite(at) ? Math.max(at - Date.now(), 0) : -1;
}

/**
 * The deadline (`timeoutMs`) and the caller's signals of one call. One `AbortController` per call,
 * aborted by a timer or by an `abort` listener on each signal (removed by `end()`), is what `fetch`
 * gets as its signal: that works without `AbortSignal.timeout` or `AbortSignal.any` (React
 * Native's Hermes lacks both). Every wait of the call also races a promise the same events
 * reject, so the deadline holds without `AbortController` and with a `fetch` that ignores `signal`.
 */
class Abort {
  constructor(timeoutMs, signals) {
    const aborted = signals.find((signal) => signal.aborted);
    if (aborted) throw aborted.reason;
    this.timeoutMs = timeoutMs;
    this.deadline = Date.now() + timeoutMs;
    this.signals = signals;
    this.stopped = false;
    this.controller = typeof AbortController === 'function' ? new AbortController() : undefined;
    this.race = new Promise((_, reject) => {
      this.stop = () => {
        this.stopped = true;
        reject();
        this.controller?.abort();
      };
    });
    this.race.catch(() => {});
    for (const signal of signals) signal.addEventListener('abort', this.stop);
    this.timer = setTimeout(this.stop, timeoutMs);
  }

  /** Milliseconds left before the deadline. */
  remaining() {
    return Math.max(this.deadline - Date.now(), 0);
  }

  /** `promise`'s value, unless the call is stopped first (then the abort's reason, or a timeout). */
  async wait(promise) {
    try {
      return await Promise.race([promise, this.race]);
    } catch (thrown) {
      const aborted = this.signals.find((signal) => signal.aborted);
      if (aborted) throw aborted.reason;
      if (this.stopped) {
        throw cloudCreditsError(
          'network',
          `the Cloud Credits server did not answer in time: the request timed out after ${this.timeoutMs} ms (timeoutMs)`,
        );
      }
      throw networkError(thrown);
    }
  }

  /** Waits `ms` milliseconds, unless the call is stopped first (its timer then cleared too). */
  async pause(ms) {
    let timer;
    try {
      await this.wait(new Promise((resolve) => (timer = setTimeout(resolve, ms))));
    } finally {
      clearTimeout(timer);
    }
  }

  /** Disarms the deadline and the signals' listeners. */
  end() {
    cancel(this.timer);
    for (const signal of this.signals) signal.removeEventListener('abort', this.stop);
  }
}

/** The server's base URL, the key, the `fetch` to use and the client's network settings. */
class Transport {
  constructor(baseUrl, key, fetch, defaults) {
    this.baseUrl = baseUrl.replace(/\/+$/, '');
    this.key = key;
    this.fetch = fetch;
    this.defaults = defaults;
  }

  /**
   * Makes a request and reads its 2xx JSON answer as `kind` (`answerOf`), within the call's
   * deadline and until a signal aborts. Failures that may pass (no answer, 408, 429, 5xx) are
   * retried per the client's policy; any other answer rejects with the error it stands for.
   */
  async call(method, path, body, kind, options, idempotencyKey) {
    const { retries, baseMs, maxMs } = this.defaults.retry;
    const signals = [this.defaults.signal, options.signal].filter(Boolean);
    const abort = new Abort(options.timeoutMs ?? this.defaults.timeoutMs, signals);
    try {
      for (let failures = 1; ; failures++) {
        let status = 0;
        let retryAfter = -1;
        let error;
        let reply;
        try {
          reply = await this.attempt(method, path, body, idempotencyKey, false, abort);
        } catch (thrown) {
          // A timeout or an abort ends the call; no answer (a network failure) may pass.
          if (abort.stopped) throw thrown;
          error = thrown;
        }
        if (reply) {
          if (reply.status >= 200 && reply.status < 300) return answerOf(kind, reply.text, `${method} ${path}`);
          ({ status, retryAfter } = reply);
          error = answerError(status, reply.text);
        }
        const wait = retryWait(retries, baseMs, maxMs, failures, status, retryAfter, abort.remaining(), jitter());
        if (wait < 0) throw error;
        await abort.pause(wait);
      }
    } finally {
      abort.end();
    }
  }

  /**
   * One `POST` of the usage queue within the client's deadline (its signal does not stop
   * deliveries: queued usage is the app's record of what it spent); rejects only when no HTTP
   * answer arrived (`network`). A `keepalive` request outlives the page.
   */
  async send(path, body, keepalive) {
    const abort = new Abort(this.defaults.timeoutMs, []);
    try {
      return await this.attempt('POST', path, body, undefined, keepalive, abort);
    } finally {
      abort.end();
    }
  }

  /** One attempt: `{ status, retryAfter, text }`, its waits bounded by `abort`. */
  async attempt(method, path, body, idempotencyKey, keepalive, abort) {
    const headers = { Authorization: `Bearer ${this.key}` };
    const init = { method };
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
      init.body = body;
    }
    if (idempotencyKey !== undefined) headers['Idempotency-Key'] = idempotencyKey;
    init.headers = headers;
    // A keepalive request is not aborted: it is made to outlive the page.
    if (keepalive) init.keepalive = true;
    else if (abort.controller) init.signal = abort.controller.signal;
    let called;
    try {
      called = this.fetch.call(undefined, this.baseUrl + path, init);
    } catch (thrown) {
      throw networkError(thrown);
    }
    const response = await abort.wait(called);
    let retryAfter = -1;
    try {
      retryAfter = retryAfterMs(response.headers.get('Retry-After'));
    } catch {
      // No readable headers: no Retry-After.
    }
    let text;
    try {
      text = response.text();
    } catch (thrown) {
      throw networkError(thrown);
    }
    return { status: response.status, retryAfter, text: await abort.wait(text) };
  }
}

/**
 * A 2xx answer's body `text` as plain data, checked field by field as the server's types read it
 * (`checkAnswer`; fields a newer server adds are let through); `server` naming `what` otherwise.
 */
function answerOf(kind, text, what) {
  let answer;
  try {
    answer = JSON.parse(text);
  } catch {
    throw cloudCreditsError('server', `unreadable answer from ${what}: not JSON`);
  }
  checkAnswer(kind, answer, what);
  return kind === 'notifications' ? answer.notifications : answer;
}

// ---- Storage: localStorage, memory, or the app's asynchronous adapter

/**
 * Keys of adapters with a write in flight (all clients): `{ next, idle }`, the latest write asked
 * for since the one in flight started, and the resolvers of reads waiting for the key to be idle.
 * Writes to one key are serialized and coalesced, so an adapter only ever sees the latest state
 * and never an older state after a newer one.
 */
const writing = new Map();

/** An app's storage object (React Native's AsyncStorage shape): methods may return promises. */
class Adapter {
  constructor(object) {
    for (const name of ['getItem', 'setItem', 'removeItem']) {
      const method = isObject(object) || typeof object === 'function' ? object[name] : undefined;
      if (typeof method !== 'function') {
        throw invalid(
          `storage must be "local", "memory" or an object with getItem, setItem and removeItem methods (such as React Native's AsyncStorage); ${name} is missing`,
        );
      }
    }
    this.object = object;
    this.report = () => {};
  }

  /** Calls `object[name](key[, value])` and awaits its answer. */
  async call(name, key, ...value) {
    try {
      return await this.object[name](key, ...value);
    } catch (thrown) {
      throw invalid(`the storage adapter's ${name}(${JSON.stringify(key)}) failed: ${thrownMessage(thrown) ?? 'it failed'}`);
    }
  }

  /** Stores `value` under `key` (`undefined`: removes it), after the writes already asked for. */
  write(key, value) {
    const write = { adapter: this, value };
    const busy = writing.get(key);
    if (busy) {
      busy.next = write;
      return;
    }
    writing.set(key, { next: undefined, idle: [] });
    (async () => {
      for (let next = write; next; ) {
        const done = next.value === undefined ? next.adapter.call('removeItem', key) : next.adapter.call('setItem', key, next.value);
        await done.catch((error) => next.adapter.report(error));
        const state = writing.get(key);
        next = state.next;
        state.next = undefined;
        if (!next) {
          writing.delete(key);
          for (const resolve of state.idle) resolve();
        }
      }
    })();
  }

  /** The value under `key` once the writes asked for have finished. */
  async read(key) {
    const busy = writing.get(key);
    if (busy) await new Promise((resolve) => busy.idle.push(resolve));
    const value = await this.call('getItem', key);
    if (value === null || value === undefined) return null;
    if (typeof value === 'string') return value;
    throw invalid(`storage.getItem(${JSON.stringify(key)}) must resolve to a string or null`);
  }
}

/** A string key-value store: `localStorage` (shared by tabs), an adapter, or memory. */
class Store {
  /** The store the `storage` option asks for: `"local"`, `"memory"`, an adapter, or (absent) the default. */
  static open(kind) {
    let local;
    try {
      local = globalOf('window')?.localStorage ?? undefined;
    } catch {
      // Storage disabled (a sandboxed frame): none.
    }
    if (kind === 'local' && !local) {
      throw invalid(
        'storage: "local" needs window.localStorage, which this environment lacks; use storage: "memory"',
      );
    }
    if (kind instanceof Adapter) return new Store('adapter', kind);
    if (kind !== 'memory' && local) return new Store('local', local);
    return new Store('memory', new Map());
  }

  constructor(kind, backing) {
    this.kind = kind;
    this.backing = backing;
  }

  /** Whether other tabs see this store (`localStorage`). */
  get shared() {
    return this.kind === 'local';
  }

  /** Whether what is stored outlives this client. */
  get persistent() {
    return this.kind !== 'memory';
  }

  /** The value under `key`; unreadable storage reads as absent, and so does an adapter (read once, at start). */
  get(key) {
    if (this.kind === 'memory') return this.backing.get(key) ?? null;
    if (this.kind === 'adapter') return null;
    try {
      return this.backing.getItem(key);
    } catch {
      return null;
    }
  }

  /** Stores `value` under `key`; throws when storage is full or disabled. */
  set(key, value) {
    if (this.kind === 'memory') this.backing.set(key, value);
    else if (this.kind === 'adapter') this.backing.write(key, value);
    else {
      try {
        this.backing.setItem(key, value);
      } catch {
        throw invalid(`could not write ${utf8Length(value)} bytes to localStorage (full or disabled)`);
      }
    }
  }

  /** Removes `key`. */
  remove(key) {
    if (this.kind === 'memory') this.backing.delete(key);
    else if (this.kind === 'adapter') this.backing.write(key, undefined);
    else {
      try {
        this.backing.removeItem(key);
      } catch {
        // Only disabled storage fails to remove: nothing to remove then.
      }
    }
  }

  /** Every key that starts with `prefix` (none for an adapter, which is never enumerated). */
  keysWithPrefix(prefix) {
    let keys = [];
    if (this.kind === 'memory') keys = [...this.backing.keys()].sort();
    else if (this.kind === 'local') {
      for (let i = 0; i < this.backing.length; i++) keys.push(this.backing.key(i));
    }
    return keys.filter((key) => typeof key === 'string' && key.startsWith(prefix));
  }
}

/** Keys of adapters owned by a client, with the resolvers of the clients waiting for them. */
const owners = new Map();

/** Takes `key` when it is free (`undefined`); otherwise a promise resolved when it is handed over. */
function waitForKey(key) {
  const waiters = owners.get(key);
  if (!waiters) {
    owners.set(key, []);
    return undefined;
  }
  return new Promise((resolve) => waiters.push(resolve));
}

/** Hands `key` to the first waiting client, or frees it. */
function releaseKey(key) {
  const waiters = owners.get(key);
  if (!waiters) return;
  if (waiters.length === 0) owners.delete(key);
  else waiters.shift()();
}

/** `navigator.locks`, when the browser has the Web Locks API. */
function lockManager() {
  const locks = globalOf('navigator')?.locks;
  return isObject(locks) ? locks : undefined;
}

// ---- The client

/** The state shared by a `CloudCredits` object, its holds, timers and event handlers. */
class Client {
  constructor(transport, projectId, endUser, store) {
    this.transport = transport;
    this.projectId = projectId;
    this.endUser = endUser;
    this.store = store;
    this.tabId = newUuid();
    this.queueKey = store.kind === 'adapter' ? `${PREFIX}${projectId}:queue` : `${PREFIX}${projectId}:queue:${this.tabId}`;
    const online = globalOf('navigator')?.onLine;
    this.queue = new QueueCore(typeof online === 'boolean' ? online : true);
    /** Whether this client owns its storage key (its tab lock is held, or its adapter's queue read). */
    this.owned = false;
    /** Where the client is in taking its adapter's stored queue: `waiting`, `reading` or `done`. */
    this.restore = 'done';
    this.closed = false;
    this.timer = undefined;
    this.tickTimer = undefined;
    this.releaseLock = undefined;
    this.listeners = [];
    this.balance = undefined;
    this.announced = undefined;
    this.persistDue = false;
    this.hooks = [];
  }

  projectPath(tail) {
    return `/v1/projects/${encodeURIComponent(this.projectId)}/${tail}`;
  }

  // -- Events

  emit(event, detail) {
    for (const [name, listener] of this.listeners.slice()) {
      if (name !== event) continue;
      try {
        listener.call(undefined, detail);
      } catch {
        // A throwing listener must not stop the others or the client.
      }
    }
  }

  /** Emits `error` with a `CloudCreditsError` (and its `eventId`, if any). */
  emitError(error, eventId) {
    if (eventId !== undefined) error.eventId = eventId;
    this.emit('error', error);
  }

  /** Whether anyone listens to balance changes. */
  wantBalance() {
    return this.listeners.some(([name]) => name !== 'error');
  }

  // -- Balance

  /** `error` as a call rejects with it; a `cloud_disabled` or `insufficient_credits` refusal also refreshes the balance. */
  fail(error) {
    if (isObject(error) && (error.code === 'cloud_disabled' || error.code === 'insufficient_credits')) {
      this.balanceChanged();
    }
    return error;
  }

  /** The balance may have changed: forget the cached one and, if anyone listens, read and announce it. */
  balanceChanged() {
    this.balance = undefined;
    if (!this.wantBalance()) return;
    this.readBalance(true, {}).catch((error) => {
      // Aborted by the client's own signal: nobody is waiting to hear.
      if (!this.transport.defaults.signal?.aborted) this.emitError(error);
    });
  }

  async readBalance(refresh, options) {
    const now = Date.now();
    if (!refresh && this.balance && now - this.balance.at < BALANCE_TTL_MS) return copy(this.balance.value);
    const balance = await this.transport.call('GET', this.projectPath('balance'), undefined, 'balance', options);
    this.balance = { value: copy(balance), at: now };
    this.announce(balance);
    return balance;
  }

  /** Emits `balance`, and `low` / `empty` / `disabled` when that state is new. */
  announce(balance) {
    const before = this.announced;
    this.announced = { status: balance.status, on: balance.useCloudCredits };
    if (!this.wantBalance()) return;
    const detail = copy(balance);
    this.emit('balance', detail);
    if (before?.status !== balance.status && balance.status !== 'ok') this.emit(balance.status, detail);
    if (!balance.useCloudCredits && before?.on !== false) this.emit('disabled', detail);
  }

  /** Makes a hold of `body`; every attempt carries one `Idempotency-Key`, so a retry gets the first hold. */
  async reserve(body, options) {
    const key = newUuid();
    let hold;
    try {
      hold = await this.transport.call('POST', this.projectPath('holds'), body, 'hold', options, key);
    } catch (error) {
      throw this.fail(error);
    }
    this.balanceChanged();
    return new Hold(HOLD, this, hold);
  }

  // -- Storing the queue

  /**
   * Writes the queue under this client's key (removes the key when the queue is empty); `false`
   * on a failed write (reported through `error`) and before this client owns its key. In memory
   * nothing outlives the client, so nothing is written.
   */
  persist() {
    if (!this.owned) return false;
    if (!this.store.persistent) return true;
    try {
      if (this.queue.isEmpty()) this.store.remove(this.queueKey);
      else this.store.set(this.queueKey, this.queue.snapshot());
      return true;
    } catch (error) {
      this.emitError(error);
      return false;
    }
  }

  /**
   * `persist()` once at the end of the current task, however many reports the task queued.
   * Nothing runs between a task and its promise reactions (no page hide, no unload), so the queue
   * is as durable as with a write per report.
   */
  persistSoon() {
    if (!this.store.persistent || this.persistDue) return;
    this.persistDue = true;
    soon(() => {
      this.persistDue = false;
      // `close()` has written the queue itself and may have handed the key on.
      if (!this.closed) this.persist();
    });
  }

  // -- Delivery: every decision is the queue's; this only performs the I/O it asks for

  /** Sends what the queue says is due, or arms a timer for when it will be. */
  schedule() {
    if (this.closed) return;
    cancel(this.timer);
    this.timer = undefined;
    const now = Date.now();
    const poll = this.queue.poll(now, false);
    if (typeof poll === 'object') this.send(poll).then(() => this.schedule());
    else if (typeof poll === 'number') this.timer = setTimeout(() => this.schedule(), Math.max(poll - now, 0));
  }

  /** Sends every waiting event now, batch after batch, until none is left, a batch fails or the queue must wait. */
  async flush() {
    const result = { sent: 0, duplicate: 0, rejected: 0, pending: 0 };
    // The queue stored through an adapter joins first.
    while (this.restore === 'reading') await sleep(BUSY_POLL_MS);
    for (;;) {
      const poll = this.queue.poll(Date.now(), true);
      if (typeof poll === 'object') {
        const report = await this.send(poll);
        result.sent += report.accepted;
        result.duplicate += report.duplicate;
        result.rejected += report.rejected.length;
        if (report.failed) break;
      } else if (poll === 'busy') await sleep(BUSY_POLL_MS);
      else break;
    }
    result.pending = this.queue.len();
    this.schedule();
    return result;
  }

  /** The page is being hidden (and maybe unloaded): send what fits in the keepalive budget. */
  pageHidden() {
    for (const batch of this.queue.keepalive(Date.now())) this.send(batch);
  }

  /** Sends one batch and applies the answer (or its absence). */
  async send(batch) {
    let reply;
    try {
      reply = await this.transport.send('/v1/usage', batch.body, batch.keepalive);
    } catch (error) {
      reply = { status: 0, retryAfter: -1, text: error.message };
    }
    const report = this.queue.complete(batch.token, reply.status, reply.retryAfter, reply.text, Date.now(), jitter(), this.projectId);
    // The stored form holds the events, not which batch carries them.
    if (report.removed > 0) this.persist();
    for (const error of report.rejected) this.emit('error', error);
    if (report.failure) this.emit('error', report.failure);
    if (report.touched) this.balanceChanged();
    return report;
  }

  // -- Tabs: each keeps its queue under its own key, owned through a lock of the same name

  /**
   * Takes this tab's key (a Web Lock held for the client's lifetime, else a storage lease renewed
   * every 30 s), then adopts the queues of tabs whose owner is gone, and keeps doing so. Memory is
   * not shared: the client owns its queue at once.
   */
  startTabs() {
    if (!this.store.shared) {
      this.owned = true;
      return;
    }
    const locks = lockManager();
    if (!locks) {
      this.renewLease();
      this.becameOwner();
      return;
    }
    const held = locks.request(this.queueKey, {}, () => {
      if (this.closed) return undefined;
      // The lock is held until this promise settles: at close().
      return new Promise((resolve) => {
        this.releaseLock = resolve;
        this.becameOwner();
      });
    });
    // It only rejects when the page goes away.
    held.catch(() => {});
  }

  becameOwner() {
    this.owned = true;
    this.persist();
    this.adoptAbandoned();
    this.tick();
  }

  /** Every 30 s: renew the lease (without Web Locks) and adopt abandoned queues. */
  tick() {
    this.tickTimer = setTimeout(() => {
      if (this.closed) return;
      if (!lockManager()) this.renewLease();
      this.adoptAbandoned();
      this.tick();
    }, TICK_MS);
  }

  leaseKey(tab) {
    return `${PREFIX}${this.projectId}:lease:${tab}`;
  }

  renewLease() {
    try {
      this.store.set(this.leaseKey(this.tabId), leaseGrant(this.tabId, Date.now(), LEASE_TTL_MS));
    } catch (error) {
      this.emitError(error);
    }
  }

  /** Removes this tab's lease (at close, or as the page unloads for good). */
  forgetLease() {
    if (this.store.shared) this.store.remove(this.leaseKey(this.tabId));
  }

  /** Adopts the queue of every tab whose owner is gone: its lock free (`ifAvailable`), or its lease void. */
  adoptAbandoned() {
    const prefix = `${PREFIX}${this.projectId}:queue:`;
    const locks = lockManager();
    for (const key of this.store.keysWithPrefix(prefix)) {
      if (key === this.queueKey) continue;
      if (locks) {
        // `null` when another tab holds it: its owner is alive.
        const asked = locks.request(key, { ifAvailable: true }, (lock) => {
          if (lock !== null) this.adopt(key);
        });
        asked.catch(() => {});
        continue;
      }
      const leaseKey = this.leaseKey(key.slice(prefix.length));
      const now = Date.now();
      if (leaseMayTake(this.store.get(leaseKey) ?? undefined, this.tabId, now)) {
        try {
          this.store.set(leaseKey, leaseGrant(this.tabId, now, LEASE_TTL_MS));
        } catch {
          continue;
        }
        this.adopt(key, leaseKey);
      }
    }
  }

  /** Moves the queue stored under `key` into this client's; the old copy goes once ours is stored. */
  adopt(key, leaseKey) {
    const text = this.store.get(key);
    if (text === null) return;
    const absorbed = this.queue.absorb(text);
    if (this.persist()) {
      this.store.remove(key);
      if (leaseKey !== undefined) this.store.remove(leaseKey);
    }
    if (absorbed.error) this.emitError(absorbed.error);
    if (absorbed.added > 0) this.schedule();
  }

  // -- An adapter's queue: one per app and project, read back at start

  /**
   * Takes the key (a second client of the project waits until the first is closed, sending its own
   * events meanwhile but not storing them), reads the stored queue into this one, then sends.
   * If the read fails, the stored copy is left alone and this client's events stay in memory.
   */
  async startRestore(adapter) {
    const waiting = waitForKey(this.queueKey);
    this.restore = waiting ? 'waiting' : 'reading';
    if (waiting) {
      await waiting;
      this.restore = 'reading';
    }
    try {
      const text = await adapter.read(this.queueKey);
      if (text !== null) {
        const absorbed = this.queue.absorb(text);
        if (absorbed.error) this.emitError(absorbed.error);
      }
      this.owned = true;
      this.persist();
    } catch (error) {
      this.emitError(error);
    }
    this.restore = 'done';
    if (this.closed) releaseKey(this.queueKey);
    else this.schedule();
  }

  // -- Page hooks

  /** Online/offline and page-hide handling, where there is a window. */
  installHooks() {
    const window = globalOf('window');
    if (!isObject(window) || typeof window.addEventListener !== 'function') return;
    const listen = (target, name, action) => {
      target.addEventListener(name, action);
      this.hooks.push([target, name, action]);
    };
    listen(window, 'online', () => {
      this.queue.setOnline(true);
      this.schedule();
    });
    listen(window, 'offline', () => this.queue.setOnline(false));
    listen(window, 'pagehide', (event) => {
      this.pageHidden();
      // Unloading for good (not kept in the back-forward cache): give up the storage lease, as the
      // browser releases a Web Lock, so the next load adopts the queue at once. Events in flight
      // from here may be sent twice; the server records each event id once.
      if (!event?.persisted) this.forgetLease();
    });
    const document = window.document;
    if (isObject(document) && typeof document.addEventListener === 'function') {
      listen(document, 'visibilitychange', () => {
        if (document.visibilityState === 'hidden') this.pageHidden();
      });
    }
  }

  close() {
    if (this.closed) return;
    this.closed = true;
    cancel(this.timer);
    cancel(this.tickTimer);
    for (const [target, name, action] of this.hooks.splice(0)) target.removeEventListener(name, action);
    this.listeners = [];
    this.persist();
    this.forgetLease();
    if (this.store.kind === 'adapter' && this.restore === 'done') releaseKey(this.queueKey);
    this.releaseLock?.();
    this.releaseLock = undefined;
  }
}

/** The state of `object`, a `CloudCredits` or a `Hold`; `TypeError` for any other `this`. */
function stateOf(object) {
  const state = isObject(object) ? object[STATE] : undefined;
  if (state === undefined) throw new TypeError('not a CloudCredits client or hold of this package');
  return state;
}

/** The event name `event`, or `invalid_input` naming the events. */
function eventName(event) {
  if (EVENTS.includes(event)) return event;
  throw invalid(
    `unknown event ${JSON.stringify(String(event))}; the events are "balance", "low", "empty", "disabled" and "error"`,
  );
}

/**
 * The Cloud Credits client of one project, for the browser, React Native (with `storage:
 * AsyncStorage`) and Node.js. Documented in src/client/typescript.rs.
 */
class CloudCredits {
  constructor(options) {
    ensure();
    if (!isObject(options)) throw invalid('new CloudCredits(options) needs { baseUrl, projectId, publishableKey }');
    const baseUrl = stringOption(options, 'baseUrl');
    if (!baseUrl || !(baseUrl.startsWith('https://') || baseUrl.startsWith('http://'))) {
      throw invalid('baseUrl must be the server\'s http(s) URL, such as "https://credits.example.com"');
    }
    const projectId = stringOption(options, 'projectId');
    if (!projectId) throw invalid('projectId is required');
    const key = stringOption(options, 'publishableKey');
    if (!key?.startsWith('pk_')) {
      throw invalid("publishableKey must be the project's publishable key (pk_...); never put a secret key in a browser");
    }
    const endUser = stringOption(options, 'endUser');
    const [maxLabel] = clientLimits();
    if (endUser !== undefined && (endUser === '' || [...endUser].length > maxLabel)) {
      throw invalid(`endUser must be 1 to ${maxLabel} characters: the app's id for its end user`);
    }
    let storage = optionOf(options, 'storage');
    if (typeof storage === 'string' && storage !== 'local' && storage !== 'memory') {
      throw invalid(`storage must be "local", "memory" or a storage adapter, got ${JSON.stringify(storage)}`);
    }
    if (storage !== undefined && typeof storage !== 'string') storage = new Adapter(storage);
    let fetch = optionOf(options, 'fetch');
    if (fetch === undefined) fetch = globalOf('fetch');
    if (typeof fetch !== 'function') throw invalid('fetch must be a function (there is no global fetch here)');
    const call = readCall(options);
    const defaults = {
      timeoutMs: call.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      signal: call.signal,
      retry: readRetry(optionOf(options, 'retry')),
    };
    const store = Store.open(storage);
    const client = new Client(new Transport(baseUrl, key, fetch, defaults), projectId, endUser, store);
    Object.defineProperty(this, STATE, { value: client });
    client.installHooks();
    if (store.kind === 'adapter') {
      storage.report = (error) => client.emitError(error);
      client.startRestore(storage);
    } else {
      client.startTabs();
    }
    // Without persistent storage queued usage dies with the client: say so (after the constructor
    // returns, so that listeners added right after it hear it).
    if (storage === undefined && !store.persistent) {
      soon(() =>
        client.emitError(
          invalid(
            'no persistent storage (no localStorage and no storage adapter): queued usage is kept in memory ' +
              'only and is lost if the app exits before it is sent; pass storage: AsyncStorage (React Native) ' +
              'or storage: "memory" to choose this',
          ),
        ),
      );
    }
  }

  async balance(options) {
    const client = stateOf(this);
    const call = callOptions(options, ['refresh']);
    try {
      return await client.readBalance(Boolean(options?.refresh), call);
    } catch (error) {
      throw client.fail(error);
    }
  }

  on(event, listener) {
    const client = stateOf(this);
    const name = eventName(event);
    if (typeof listener !== 'function') throw invalid('a listener must be a function');
    if (!client.listeners.some(([e, f]) => e === name && f === listener)) client.listeners.push([name, listener]);
  }

  off(event, listener) {
    const client = stateOf(this);
    const name = eventName(event);
    client.listeners = client.listeners.filter(([e, f]) => !(e === name && f === listener));
  }

  async reserve(request, options) {
    const client = stateOf(this);
    const body = holdBody(request, client.endUser);
    return client.reserve(body, callOptions(options));
  }

  async guard(request, options) {
    const client = stateOf(this);
    const body = guardBody(request, client.endUser);
    return client.reserve(body, callOptions(options));
  }

  async affordable(query, options) {
    const client = stateOf(this);
    affordableFor(query);
    const call = callOptions(options);
    let balance;
    try {
      balance = await client.readBalance(false, call);
    } catch (error) {
      throw client.fail(error);
    }
    return affordableFor(query, balance.availableUsd);
  }

  reportUsage(report) {
    const client = stateOf(this);
    const id = newUuid();
    const refused = client.queue.push(report, id, new Date().toISOString(), client.endUser, Date.now());
    if (refused) {
      client.emitError(refused, id);
      throw refused;
    }
    client.persistSoon();
    client.schedule();
    return id;
  }

  async flush() {
    return stateOf(this).flush();
  }

  pending() {
    return stateOf(this).queue.len();
  }

  async usage(query) {
    const client = stateOf(this);
    const call = callOptions(query, ['days', 'groupBy']);
    const path = client.projectPath(usageQuery(query));
    try {
      return await client.transport.call('GET', path, undefined, 'usage', call);
    } catch (error) {
      throw client.fail(error);
    }
  }

  async notifications(options) {
    const client = stateOf(this);
    const call = callOptions(options);
    let list;
    try {
      list = await client.transport.call('GET', client.projectPath('notifications'), undefined, 'notifications', call);
    } catch (error) {
      throw client.fail(error);
    }
    if (list.some((notification) => notification.kind === 'auto_top_up')) client.balanceChanged();
    return list;
  }

  close() {
    stateOf(this).close();
  }

  toJSON() {
    const client = stateOf(this);
    return {
      projectId: client.projectId,
      endUser: client.endUser,
      storage: client.store.kind,
      pending: client.queue.len(),
      closed: client.closed,
    };
  }
}

/** Proves that a `Hold` is made by this package (`reserve` / `guard`), not by `new Hold()`. */
const HOLD = Symbol('hold');

/** Money reserved on the server for one AI call. Documented in src/client/typescript.rs. */
class Hold {
  constructor(token, client, info) {
    if (token !== HOLD) throw new TypeError('holds are made by CloudCredits.reserve() and guard()');
    Object.defineProperty(this, STATE, { value: { client, info, eventId: undefined } });
  }

  get id() {
    return stateOf(this).info.id;
  }

  get amountUsd() {
    return stateOf(this).info.amountUsd;
  }

  get status() {
    return stateOf(this).info.status;
  }

  get expiresAt() {
    return stateOf(this).info.expiresAt;
  }

  get estimate() {
    return copy(stateOf(this).info.estimate);
  }

  toJSON() {
    return copy(stateOf(this).info);
  }

  settle(actual, options) {
    const state = stateOf(this);
    // The usage event id is fixed at the first attempt, so a retried settle is recognised.
    const eventId = state.eventId ?? newUuid();
    const body = settleBody(actual, eventId);
    const call = callOptions(options);
    state.eventId = eventId;
    const path = `/v1/holds/${state.info.id}/settle`;
    return (async () => {
      try {
        const settlement = await state.client.transport.call('POST', path, body, 'settlement', call);
        state.info = copy(settlement.hold);
        return settlement;
      } finally {
        // Refreshed on success and failure alike, which covers what `fail` would refresh for.
        state.client.balanceChanged();
      }
    })();
  }

  async release(options) {
    const state = stateOf(this);
    const call = callOptions(options);
    try {
      state.info = await state.client.transport.call('POST', `/v1/holds/${state.info.id}/release`, undefined, 'hold', call);
    } finally {
      state.client.balanceChanged();
    }
  }
}

export { CloudCredits, Hold };
