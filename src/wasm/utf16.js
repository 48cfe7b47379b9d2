// decodeReferralPage's copy of the page text into wasm memory (see `validate` in
// src/wasm/page.rs). The wasm glue imports this file (a wasm-bindgen snippet).
//
// In Node (and Bun), the text's UTF-16 code units are written with one
// `Buffer#write(…, "utf16le")`, which the engine does as a plain copy: about 12 µs for a
// 237 KiB page in Node 20, where the UTF-8 conversion the glue does for a `String` argument
// (`TextEncoder#encodeInto`) takes about 165 µs. Elsewhere (browsers, Deno) the glue's UTF-8
// conversion stays (and Rust transcodes it to the units the scanner reads): a `Buffer` there is a JS polyfill (a bundler's) or a JS implementation,
// whose UTF-16 write is a loop slower than `encodeInto`. Kept for the decode guard of
// `make bench` (decodeReferralPage ≤ 1.5× JSON.parse): the UTF-8 conversion alone is about a
// sixth of JSON.parse's time on that page.

const versions = typeof process === "object" && process !== null ? process.versions : undefined;
const NodeBuffer =
  typeof Buffer === "function" &&
  typeof Buffer.from === "function" &&
  typeof versions === "object" &&
  versions !== null &&
  typeof versions.node === "string" &&
  versions.deno === undefined
    ? Buffer
    : undefined;

/**
 * Writes the UTF-16 code units of `text` into `into` (exactly `2 * text.length` bytes).
 * @param {string} text the page text
 * @param {Uint8Array} into a view of wasm memory, 2 bytes per unit (written now, never kept)
 * @returns {boolean} whether it wrote them (`false`: no `Buffer` here, nothing written)
 */
export function writeUtf16(text, into) {
  if (NodeBuffer === undefined) return false;
  NodeBuffer.from(into.buffer, into.byteOffset, into.byteLength).write(text, 0, into.byteLength, "utf16le");
  return true;
}
