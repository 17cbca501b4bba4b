// The test payment methods of the reference server's provider.

import { h } from './dom.js';

const PAYMENT_METHODS = [
  ['pm_test_ok', 'Test card ending 4242 (always succeeds)'],
  ['pm_test_decline', 'Test card ending 0002 (always declined)'],
];

/** A `<select>` of the payment methods. */
export function paymentSelect(name, id) {
  return h('select', { name, id }, PAYMENT_METHODS.map(([value, label]) => h('option', { value }, label)));
}
