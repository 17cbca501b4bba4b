// The billing dashboard's calls to the Cloud Credits server, signed in with
// the server's session cookie (HttpOnly, SameSite=Strict). Mutations send
// `X-CSRF: 1`, as the server requires for cookie sessions. No key is used.

import { codedError } from './errors.js';

/** Calls `/v1${path}` with the session; resolves with the JSON body (or `null` for 204). */
export async function call(method, path, body, headers = {}) {
  let response;
  try {
    response = await fetch(`/v1${path}`, {
      method,
      credentials: 'same-origin',
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(method === 'GET' ? {} : { 'x-csrf': '1' }),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw codedError('network', 'the server could not be reached');
  }
  if (response.status === 204) return null;
  const text = await response.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    // Not JSON: reported below with the HTTP status.
  }
  if (!response.ok) {
    const error = json?.error;
    throw codedError(error?.code ?? 'server', error?.message ?? `HTTP ${response.status}`);
  }
  return json;
}

const project = (id) => `/projects/${encodeURIComponent(id)}`;

/** The dashboard's API, one function per route it uses. */
export const api = {
  signIn: (email, password) => call('POST', '/session', { email, password }),
  signOut: () => call('DELETE', '/session'),
  account: () => call('GET', '/account'),
  demo: () => call('GET', '/demo'),
  settings: (id, patch) => call('PATCH', `${project(id)}/settings`, patch),
  keyLimits: (keyId, limits) => call('PATCH', `/keys/${encodeURIComponent(keyId)}`, limits),
  topUp: (id, amountUsd, paymentMethod, idempotencyKey) =>
    call('POST', `${project(id)}/topups`, { amountUsd, paymentMethod }, { 'idempotency-key': idempotencyKey }),
  ledger: (id, limit = 20) => call('GET', `${project(id)}/ledger?limit=${limit}`),
  accountUsage: (groupBy, days = 30) => call('GET', `/account/usage?days=${days}&groupBy=${groupBy}`),
  chargeReview: (request) => call('POST', '/support/charge-reviews', request),
  buildCredits: (limit = 20) => call('GET', `/build-credits?limit=${limit}`),
  buyBuildPack: (pack, paymentMethod, idempotencyKey) =>
    call('POST', '/build-credits/packs', { pack, paymentMethod }, { 'idempotency-key': idempotencyKey }),
};
