// Exact handling of decimal money strings in the page. Amounts are never
// parsed into floats: they are compared as strings of digits, or converted
// to whole cents (integers, exact in JavaScript up to 2^53).

/** Top-ups are $5.00 to $200.00, at most cent precision (the server enforces the same rule). */
const TOP_UP_MIN_CENTS = 500;
/** The largest top-up, in cents. */
const TOP_UP_MAX_CENTS = 20000;

/** Whole cents of a plain decimal string with at most two decimals, or `null`. */
function toCents(text) {
  const match = /^(\d{1,9})(?:\.(\d{1,2}))?$/.exec(text.trim());
  if (!match) return null;
  return Number(match[1]) * 100 + Number((match[2] ?? '').padEnd(2, '0'));
}

/** `"$5.00"`-style display of whole cents. */
function centsToDollars(cents) {
  return `$${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;
}

/**
 * Checks a top-up amount as typed: `{ ok: true, amount }` with the amount as
 * a normalized decimal string, or `{ ok: false, message }` naming the rule.
 */
export function checkTopUp(text) {
  const trimmed = text.trim().replace(/^\$/, '');
  if (trimmed === '') return { ok: false, message: 'Enter an amount from $5 to $200.' };
  const cents = toCents(trimmed);
  if (cents === null) {
    return /^\d*\.\d{3,}$/.test(trimmed)
      ? { ok: false, message: 'Use at most cents (two decimals).' }
      : { ok: false, message: 'Enter a plain amount in dollars, like 25 or 12.50.' };
  }
  if (cents < TOP_UP_MIN_CENTS) return { ok: false, message: `The minimum top-up is ${centsToDollars(TOP_UP_MIN_CENTS)}.` };
  if (cents > TOP_UP_MAX_CENTS) return { ok: false, message: `The maximum top-up is ${centsToDollars(TOP_UP_MAX_CENTS)}.` };
  return { ok: true, amount: centsToDollars(cents).slice(1) };
}

/**
 * Orders two decimal strings exactly (`-1`, `0`, `1`); `null` (a dash in the
 * tables) sorts after every amount. Handles negative amounts.
 */
export function compareDecimal(a, b) {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  const negA = a.startsWith('-');
  const negB = b.startsWith('-');
  if (negA !== negB) return negA ? -1 : 1;
  const magnitude = compareMagnitude(negA ? a.slice(1) : a, negB ? b.slice(1) : b);
  return negA ? -magnitude : magnitude;
}

function compareMagnitude(a, b) {
  const [intA, fracA = ''] = a.split('.');
  const [intB, fracB = ''] = b.split('.');
  const wholeA = intA.replace(/^0+(?=\d)/, '');
  const wholeB = intB.replace(/^0+(?=\d)/, '');
  if (wholeA.length !== wholeB.length) return wholeA.length < wholeB.length ? -1 : 1;
  if (wholeA !== wholeB) return wholeA < wholeB ? -1 : 1;
  const width = Math.max(fracA.length, fracB.length);
  const fa = fracA.padEnd(width, '0');
  const fb = fracB.padEnd(width, '0');
  if (fa === fb) return 0;
  return fa < fb ? -1 : 1;
}

/** The exact sum of two decimal strings, as a decimal string. */
export function addDecimal(a, b) {
  const [x, y] = [a, b].map(scaled);
  const scale = Math.max(x.scale, y.scale);
  const sum = x.digits * 10n ** BigInt(scale - x.scale) + y.digits * 10n ** BigInt(scale - y.scale);
  const negative = sum < 0n;
  const text = (negative ? -sum : sum).toString().padStart(scale + 1, '0');
  const whole = text.slice(0, text.length - scale);
  const fraction = scale ? `.${text.slice(text.length - scale)}` : '';
  return `${negative ? '-' : ''}${whole}${fraction}`;
}

function scaled(amount) {
  const [whole, fraction = ''] = amount.split('.');
  return { digits: BigInt(`${whole}${fraction}`), scale: fraction.length };
}
