// How a project's Cloud Credits state is named on the page.

/** "Cloud off", "Out of credits", "Low" or "OK" for a balance (`GET .../balance` shape). */
export function statusLabel(balance) {
  if (!balance.useCloudCredits) return 'Cloud off';
  return { ok: 'OK', low: 'Low', empty: 'Out of credits' }[balance.status] ?? balance.status;
}

/** The `data-status` value styling a badge for `balance`. */
export function statusKey(balance) {
  return balance.useCloudCredits ? balance.status : 'off';
}
