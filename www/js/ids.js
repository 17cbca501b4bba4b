// Random ids made in the page.

/** A random UUID v4 for an `Idempotency-Key` header (works outside secure contexts too). */
export function newIdempotencyKey() {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * One `Idempotency-Key` per intended payment. A retry of the same payment
 * after no answer (a network failure) reuses its key, so it cannot charge
 * twice; any answer, or another payment, starts a new key.
 */
export class PaymentKeys {
  #pending = null;

  /** The key for the payment described by `what` (amount, pack, method…). */
  keyFor(what) {
    if (this.#pending?.what !== what) this.#pending = { what, key: newIdempotencyKey() };
    return this.#pending.key;
  }

  /** Records the outcome: keeps the key only when the server did not answer. */
  settle(error) {
    if (error?.code !== 'network') this.#pending = null;
  }
}
