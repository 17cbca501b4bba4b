// Exact decimals on BigInt for the tests and the bench: an oracle that shares no code with the
// package under test. A decimal is { digits, scale }, worth digits / 10^scale.

/** A decimal string (or a JS number, through its shortest round-trip text) as an exact decimal. */
export function dec(value) {
  let text = typeof value === 'number' ? numberText(value) : value;
  const [whole, frac = ''] = text.split('.');
  return { digits: BigInt(whole + frac), scale: frac.length };
}

/** The exact decimal expansion of a finite JS number's shortest round-trip form (no exponent). */
function numberText(x) {
  const text = String(x);
  if (!/e/i.test(text)) return text;
  const [mantissa, exp] = text.toLowerCase().split('e');
  const e = Number(exp);
  const [w, f = ''] = mantissa.replace('-', '').split('.');
  const digits = w + f;
  const point = w.length + e;
  const sign = x < 0 ? '-' : '';
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return sign + digits + '0'.repeat(point - digits.length);
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}

/** The exact sum of two decimals. */
export const add = (a, b) => {
  const scale = Math.max(a.scale, b.scale);
  const widen = (x) => x.digits * 10n ** BigInt(scale - x.scale);
  return { digits: widen(a) + widen(b), scale };
};
/** A decimal times an integer. */
export const mul = (a, n) => ({ digits: a.digits * BigInt(n), scale: a.scale });
/** The exact difference a − b. */
export const sub = (a, b) => add(a, { digits: -b.digits, scale: b.scale });

/** A decimal as text without trailing zeros. */
export function show({ digits, scale }) {
  const negative = digits < 0n;
  let text = (negative ? -digits : digits).toString().padStart(scale + 1, '0');
  if (scale > 0) text = `${text.slice(0, -scale)}.${text.slice(-scale)}`.replace(/\.?0+$/, '');
  return (negative ? '-' : '') + text;
}

/** A decimal string as an exact BigInt count of 10^-18 USD. */
export function atto(text) {
  const [whole, frac = ''] = text.split('.');
  const sign = whole.startsWith('-') ? -1n : 1n;
  return sign * (BigInt(whole.replace('-', '')) * 10n ** 18n + BigInt(frac.padEnd(18, '0')));
}
