// Friendly wording for the SDK's and the server's stable error codes.

const FRIENDLY = {
  network: "Can't reach the Cloud Credits server. Check that it is running and your connection, then try again.",
  unauthorized: 'The key or session was refused. Sign in again, or check the app’s publishable key.',
  forbidden: 'This key or session may not do that.',
  cloud_disabled: 'Cloud Credits are off for this project: the app stays on legacy features only and AI calls are refused. Turn on “Use Cloud Credits” in Billing.',
  insufficient_credits: 'Out of Cloud Credits: the balance does not cover this call, so it was not made. Add credits to continue.',
  spend_limit: 'This app reached a spending limit its owner set, so the call was not made. Try again later, or raise the limit in Billing (Publishable key limits).',
  rate_limited: 'Too many requests right now. Wait a moment and try again.',
  payment_failed: 'The payment was declined. Nothing was charged and the balance is unchanged.',
  server: 'The Cloud Credits server had a problem. Nothing was changed; try again in a moment.',
};

/** A sentence for the user: a friendly line for known codes, plus the server's own message when it adds detail. */
export function describe(error) {
  const code = error?.code;
  const friendly = FRIENDLY[code];
  if (!friendly) return error?.message ?? String(error);
  if (code === 'network' || code === 'server' || !error.message) return friendly;
  return `${friendly} (${error.message})`;
}

/** An `Error` with a stable `code`, like the SDK's `CloudCreditsError`. */
export function codedError(code, message) {
  const error = new Error(message);
  error.name = 'CloudCreditsError';
  error.code = code;
  return error;
}
