// Reading a response body within a byte limit (see `read_body` in src/wasm/fetch.rs). The wasm
// glue imports this file (a wasm-bindgen snippet).
//
// The bytes of `response.body` are counted as they arrive, after the platform's decompression,
// and kept in JS (never in wasm memory, which cannot shrink) until the whole body is known to
// be within the limit. Past the limit the read is cancelled at once and the chunks are let go.

const decoder = typeof TextDecoder === "function" ? new TextDecoder() : undefined;

/**
 * The body of `response` as text (UTF-8, a BOM dropped, invalid sequences replaced: what
 * `response.text()` gives), or a number, the bytes counted so far, when it is larger than
 * `limit` bytes. A `Content-Length` over the limit (of an uncompressed body) fails before
 * anything is read. Rejects as the read does (a network failure, an aborted request);
 * `signal` (the attempt's) aborting cancels the read.
 *
 * A response without a readable `body` stream (a hand-made one from an injected `fetch`) is
 * read with its `text()` and measured afterwards.
 * @param {Response} response
 * @param {number} limit
 * @param {AbortSignal | undefined} signal
 * @returns {Promise<string | number>}
 */
export async function readBody(response, limit, signal) {
  const body = response.body;
  if (body === null || body === undefined || typeof body.getReader !== "function" || decoder === undefined) {
    // No stream: an empty body (null), or a hand-made response that has only `text()`.
    if (typeof response.text !== "function") {
      if (body === null) return "";
      throw new TypeError("the response has neither a body stream nor text()");
    }
    return measured(await response.text(), limit);
  }
  const declared = declaredLength(response);
  if (declared !== undefined && declared > limit) {
    body.cancel().catch(() => {});
    return declared;
  }
  const reader = body.getReader();
  const cancel = () => reader.cancel(signal.reason).catch(() => {});
  signal?.addEventListener("abort", cancel, { once: true });
  try {
    // Pre-sized when the length is known (then each chunk is copied once, as it arrives);
    // else the chunks are kept and joined once at the end.
    let buffer = declared === undefined ? undefined : new Uint8Array(declared);
    let chunks = buffer === undefined ? [] : undefined;
    let length = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      length += value.byteLength;
      if (length > limit) {
        buffer = chunks = undefined;
        reader.cancel().catch(() => {});
        return length;
      }
      if (buffer !== undefined && length <= buffer.byteLength) {
        buffer.set(value, length - value.byteLength);
      } else {
        if (buffer !== undefined) {
          // More than Content-Length said: fall back to a list of chunks.
          chunks = [buffer.subarray(0, length - value.byteLength)];
          buffer = undefined;
        }
        chunks.push(value);
      }
    }
    if (buffer !== undefined) return decoder.decode(buffer.subarray(0, length));
    if (chunks.length === 1) return decoder.decode(chunks[0]);
    const joined = new Uint8Array(length);
    let at = 0;
    for (const chunk of chunks) {
      joined.set(chunk, at);
      at += chunk.byteLength;
    }
    chunks = undefined;
    return decoder.decode(joined);
  } finally {
    signal?.removeEventListener("abort", cancel);
  }
}

/** `Content-Length` of a body the platform does not decompress; `undefined` otherwise. */
function declaredLength(response) {
  const headers = response.headers;
  if (headers === undefined || headers === null || typeof headers.get !== "function") return undefined;
  const encoding = headers.get("content-encoding");
  if (encoding !== null && encoding.trim().toLowerCase() !== "identity") return undefined;
  const text = headers.get("content-length");
  if (text === null || !/^\s*\d{1,15}\s*$/.test(text)) return undefined;
  return Number(text);
}

/** `text`, or its length in UTF-8 bytes when that is over `limit`. */
function measured(text, limit) {
  if (typeof text !== "string") return text;
  // UTF-8 takes at least one byte per UTF-16 code unit and at most three.
  if (text.length * 3 <= limit) return text;
  const bytes = text.length > limit ? text.length : utf8Length(text);
  return bytes > limit ? bytes : text;
}

function utf8Length(text) {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) bytes += 1;
    else if (unit < 0x800) bytes += 2;
    else if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 4;
        i++;
      } else bytes += 3;
    } else bytes += 3;
  }
  return bytes;
}
