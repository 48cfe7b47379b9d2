// validateFilter's result object, built in ONE call from what Rust sends (see `filter_info` in
// src/wasm/query.rs). The wasm glue imports this file (a wasm-bindgen snippet).
//
// `spans` (a view of wasm memory: read it now, never keep it) is
//   [head, start0, end0, start1, end1, ...]
// `head` is 0xFFFFFFFF when the canonical text is the input `text` itself, otherwise the
// canonical text is `sent.slice(0, head)`. A field is `canonical.slice(start, end)`, or, when
// `start` has the top bit set, `sent.slice(start - 0x80000000, end)` (a field that does not
// occur in the canonical text, e.g. a path under a lambda variable). Indices are UTF-16.

/**
 * @param {string} text the input string
 * @param {string} sent the canonical text when it differs from `text`, then the other fields
 * @param {Uint32Array} spans see above
 * @returns {{canonical: string, fields: string[]}}
 */
export function filterInfo(text, sent, spans) {
  const head = spans[0];
  const canonical = head === 0xffffffff ? text : sent.slice(0, head);
  const fields = [];
  for (let i = 1; i < spans.length; i += 2) {
    const start = spans[i];
    fields.push(
      start >= 0x80000000
        ? sent.slice(start - 0x80000000, spans[i + 1])
        : canonical.slice(start, spans[i + 1]),
    );
  }
  return { canonical, fields };
}

/**
 * `filterInfo` when nothing is sent: the canonical text is `text` and every field is a slice of it.
 * @param {string} text the input string
 * @param {Uint32Array} spans `[0xFFFFFFFF, start0, end0, ...]`
 * @returns {{canonical: string, fields: string[]}}
 */
export function filterInfoOfInput(text, spans) {
  const fields = [];
  for (let i = 1; i < spans.length; i += 2) fields.push(text.slice(spans[i], spans[i + 1]));
  return { canonical: text, fields };
}
