// The UTF-8 codec the wasm2js build uses where a runtime has no TextEncoder/TextDecoder
// (xtask/src/fallback/text_codec.js), checked against Node's own, which follow the same standard.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Utf8Decoder, Utf8Encoder } from '../../xtask/src/fallback/text_codec.js';

const native = { encoder: new TextEncoder(), decoder: new TextDecoder('utf-8', { ignoreBOM: true }) };

test('encodes every kind of code point as Node does, lone surrogates as U+FFFD', () => {
  const encoder = new Utf8Encoder();
  const samples = ['', 'gpt-4o', 'é', '€', '😀', 'a\u0000b', '\u07ff\u0800\uffff', '\u{10000}\u{10ffff}', '\ud800', 'x\udc00y', '\ud83d', '\ud83d\ud83d\ude00'];
  for (let c = 0; c < 0x110000; c += 0x3f) samples.push(String.fromCodePoint(c));
  for (const text of samples) assert.deepEqual(encoder.encode(text), native.encoder.encode(text), JSON.stringify(text));
  assert.equal(encoder.encoding, 'utf-8');
});

test('decodes valid and invalid bytes as Node does (one U+FFFD per maximal invalid sequence)', () => {
  const decoder = new Utf8Decoder('utf-8', { ignoreBOM: true });
  const cases = [
    [], [0x41], [0xc3, 0xa9], [0xe2, 0x82, 0xac], [0xf0, 0x9f, 0x98, 0x80], [0xef, 0xbb, 0xbf, 0x41],
    [0x80], [0xc0, 0x80], [0xe0, 0x80, 0x80], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xf0, 0x9f, 0x98],
    [0xe2, 0x82, 0x41], [0xff, 0xfe], [0xf5, 0x80], [0xc3],
  ];
  let seed = 7;
  for (let n = 0; n < 2000; n++) {
    const bytes = [];
    for (let i = 0; i < 12; i++) bytes.push((seed = (seed * 1103515245 + 12345) >>> 0) >>> 24);
    cases.push(bytes);
  }
  for (const bytes of cases) {
    const input = new Uint8Array(bytes);
    assert.equal(decoder.decode(input), native.decoder.decode(input), bytes.join(' '));
  }
  const long = native.encoder.encode('€😀a'.repeat(10000));
  assert.equal(decoder.decode(long), native.decoder.decode(long), 'longer than one chunk');
  assert.equal(decoder.decode(), '');
  assert.equal(decoder.decode(long.buffer.slice(0, 3)), '€', 'an ArrayBuffer');
});

test('strips a BOM unless ignoreBOM, throws on invalid bytes when fatal, refuses other encodings', () => {
  const bom = new Uint8Array([0xef, 0xbb, 0xbf, 0x41]);
  assert.equal(new Utf8Decoder().decode(bom), new TextDecoder().decode(bom));
  assert.equal(new Utf8Decoder('utf-8', { ignoreBOM: true }).decode(bom), '\ufeffA');
  assert.throws(() => new Utf8Decoder('utf-8', { fatal: true }).decode(new Uint8Array([0xc3])), TypeError);
  assert.equal(new Utf8Decoder('UTF8', { fatal: true }).decode(new Uint8Array([0xc3, 0xa9])), 'é');
  assert.throws(() => new Utf8Decoder('utf-16le'), RangeError);
});
