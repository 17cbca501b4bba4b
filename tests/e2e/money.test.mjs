// The page's exact money helpers (www/js/money.js), which run without a DOM:
// the top-up rule as typed, exact ordering and sums of decimal strings.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addDecimal, checkTopUp, compareDecimal } from '../../www/js/money.js';

test('the top-up rule: $5.00 to $200.00, whole cents', () => {
  for (const [typed, amount] of [['5', '5.00'], ['$12.5', '12.50'], [' 200.00 ', '200.00'], ['005.01', '5.01']]) {
    assert.deepEqual(checkTopUp(typed), { ok: true, amount }, typed);
  }
  for (const [typed, message] of [
    ['', /from \$5 to \$200/], ['4.99', /minimum/], ['200.01', /maximum/], ['1e3', /plain amount/],
    ['10.001', /at most cents/], ['-5', /plain amount/], ['99999999999', /plain amount/],
  ]) {
    const result = checkTopUp(typed);
    assert.equal(result.ok, false, typed);
    assert.match(result.message, message, typed);
  }
});

test('decimal strings compare and add exactly (checked against BigInt arithmetic)', () => {
  const scale = 12;
  const big = (s) => {
    const [whole, fraction = ''] = s.replace('-', '').split('.');
    const value = BigInt(whole) * 10n ** BigInt(scale) + BigInt(fraction.padEnd(scale, '0'));
    return s.startsWith('-') ? -value : value;
  };
  const samples = ['0', '0.1', '0.10', '0.2', '0.3', '1', '9.999999', '10', '0.0000001', '123.456', '-0.5', '-2', '-0.0000001', '30.00', '4.40'];
  for (const a of samples) {
    for (const b of samples) {
      const expected = big(a) === big(b) ? 0 : big(a) < big(b) ? -1 : 1;
      assert.equal(compareDecimal(a, b), expected, `${a} vs ${b}`);
      assert.equal(big(addDecimal(a, b)), big(a) + big(b), `${a} + ${b}`);
    }
  }
  assert.equal(addDecimal('0.1', '0.2'), '0.3');
  assert.equal(compareDecimal(null, '1'), 1);
  assert.equal(compareDecimal('1', null), -1);
});
