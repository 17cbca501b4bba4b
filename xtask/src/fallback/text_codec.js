// UTF-8 TextEncoder and TextDecoder for runtimes without them (Hermes, the JavaScript engine of
// React Native, lacks both in many versions). The wasm2js build passes every string between
// JavaScript and Rust through these; esbuild injects them where the wasm-bindgen glue names the
// globals, so the runtime's own classes are used whenever it has them and no global is changed.
// Both follow the WHATWG Encoding Standard for UTF-8 (lone surrogates encode as U+FFFD; each
// maximal invalid byte sequence decodes as one U+FFFD, or throws a TypeError when `fatal`).

/** `new TextEncoder()` for UTF-8. */
export class Utf8Encoder {
  /** Always `"utf-8"`. */
  get encoding() {
    return 'utf-8';
  }

  /** The UTF-8 bytes of `input`. */
  encode(input = '') {
    const text = String(input);
    const bytes = new Uint8Array(text.length * 3);
    let n = 0;
    for (let i = 0; i < text.length; i++) {
      let c = text.charCodeAt(i);
      if (c >= 0xd800 && c <= 0xdfff) {
        const low = i + 1 < text.length ? text.charCodeAt(i + 1) : 0;
        if (c <= 0xdbff && low >= 0xdc00 && low <= 0xdfff) {
          c = 0x10000 + ((c - 0xd800) << 10) + (low - 0xdc00);
          i++;
        } else {
          c = 0xfffd;
        }
      }
      if (c < 0x80) {
        bytes[n++] = c;
      } else if (c < 0x800) {
        bytes[n++] = 0xc0 | (c >> 6);
        bytes[n++] = 0x80 | (c & 0x3f);
      } else if (c < 0x10000) {
        bytes[n++] = 0xe0 | (c >> 12);
        bytes[n++] = 0x80 | ((c >> 6) & 0x3f);
        bytes[n++] = 0x80 | (c & 0x3f);
      } else {
        bytes[n++] = 0xf0 | (c >> 18);
        bytes[n++] = 0x80 | ((c >> 12) & 0x3f);
        bytes[n++] = 0x80 | ((c >> 6) & 0x3f);
        bytes[n++] = 0x80 | (c & 0x3f);
      }
    }
    return bytes.slice(0, n);
  }
}

/** `new TextDecoder('utf-8', { fatal, ignoreBOM })`. */
export class Utf8Decoder {
  constructor(label = 'utf-8', options = {}) {
    if (!/^\s*(unicode-1-1-)?utf-?8\s*$/i.test(String(label))) {
      throw new RangeError(`this TextDecoder supports only UTF-8, not ${label}`);
    }
    this.fatal = Boolean(options.fatal);
    this.ignoreBOM = Boolean(options.ignoreBOM);
  }

  /** Always `"utf-8"`. */
  get encoding() {
    return 'utf-8';
  }

  /** The text of the UTF-8 bytes in `input` (an ArrayBuffer or a view of one). */
  decode(input) {
    const bytes =
      input === undefined
        ? new Uint8Array(0)
        : ArrayBuffer.isView(input)
          ? new Uint8Array(input.buffer, input.byteOffset, input.byteLength)
          : new Uint8Array(input);
    let i = !this.ignoreBOM && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
    let text = '';
    let units = [];
    while (i < bytes.length) {
      const lead = bytes[i++];
      let c = lead;
      let needed = 0;
      let lower = 0x80;
      let upper = 0xbf;
      if (lead >= 0xc2 && lead <= 0xdf) {
        needed = 1;
        c = lead & 0x1f;
      } else if (lead >= 0xe0 && lead <= 0xef) {
        needed = 2;
        c = lead & 0x0f;
        if (lead === 0xe0) lower = 0xa0;
        if (lead === 0xed) upper = 0x9f;
      } else if (lead >= 0xf0 && lead <= 0xf4) {
        needed = 3;
        c = lead & 0x07;
        if (lead === 0xf0) lower = 0x90;
        if (lead === 0xf4) upper = 0x8f;
      } else if (lead >= 0x80) {
        needed = -1;
      }
      for (; needed > 0; needed--) {
        const next = bytes[i];
        if (next === undefined || next < lower || next > upper) break;
        c = (c << 6) | (next & 0x3f);
        lower = 0x80;
        upper = 0xbf;
        i++;
      }
      if (needed !== 0) {
        if (this.fatal) throw new TypeError('The encoded data was not valid UTF-8');
        c = 0xfffd;
      }
      if (c > 0xffff) {
        units.push(0xd800 + ((c - 0x10000) >> 10), 0xdc00 + ((c - 0x10000) & 0x3ff));
      } else {
        units.push(c);
      }
      if (units.length >= 8192) {
        text += String.fromCharCode.apply(null, units);
        units = [];
      }
    }
    return text + String.fromCharCode.apply(null, units);
  }
}

/** The runtime's TextEncoder where it has one, else the UTF-8 one above. */
const Encoder = globalThis.TextEncoder ?? Utf8Encoder;
/** The runtime's TextDecoder where it has one, else the UTF-8 one above. */
const Decoder = globalThis.TextDecoder ?? Utf8Decoder;

export { Encoder as TextEncoder, Decoder as TextDecoder };
