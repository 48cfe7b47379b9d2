// decodeReferralPage's copy of the page text into wasm memory (see `validate` in
// src/wasm/page.rs). The wasm glue imports this file (a wasm-bindgen snippet).
//
// Where the runtime has Node's `Buffer` (Node, Bun, …), the text's UTF-16 code units are
// written with one `Buffer#write(…, "utf16le")`, which V8 does as a plain copy: about 12 µs
// for a 237 KiB page in Node 20, where the UTF-8 conversion the glue does for a `String`
// argument (`TextEncoder#encodeInto`) takes about 165 µs. Elsewhere (browsers) the glue's
// UTF-8 conversion stays, which is the fastest way there.

const NodeBuffer =
  typeof Buffer === "function" && typeof Buffer.from === "function" ? Buffer : undefined;

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
