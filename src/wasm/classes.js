// The JavaScript classes of the package. The wasm glue imports this file (it becomes a
// wasm-bindgen snippet), and the package entries re-export the very same module, so
// `err instanceof ODataError` holds for errors thrown from Rust.

/** The one error class of partner-referrals: branch on `code`, show `message`. */
export class ODataError extends Error {
  /**
   * @param {string} code stable machine-readable code, e.g. "InvalidFilter"
   * @param {string} message human-readable message
   * @param {object} [props] `position`, `end`, `path`, `status`, `requestId`, ... when they apply
   */
  constructor(code, message, props) {
    super(message);
    this.code = code;
    if (props !== undefined && props !== null) {
      for (const key of Object.keys(props)) {
        if (key !== "name" && key !== "message" && key !== "stack" && props[key] !== undefined) {
          this[key] = props[key];
        }
      }
    }
  }
}
Object.defineProperty(ODataError.prototype, "name", {
  value: "ODataError",
  writable: true,
  enumerable: false,
  configurable: true,
});

/** A validated filter: `toString()` is its canonical text. Made only by `filter`...`. */
export class Filter {
  #canonical;
  #fields;
  constructor(canonical, fields) {
    this.#canonical = canonical;
    this.#fields = Object.freeze(fields.slice());
    Object.freeze(this);
  }
  /** Property paths used, e.g. "customerProfile/address/country". */
  get fields() {
    return this.#fields;
  }
  toString() {
    return this.#canonical;
  }
  toJSON() {
    return this.#canonical;
  }
  /** @internal the canonical text, for the wasm side (works across realms of this module only) */
  static canonicalOf(value) {
    return value instanceof Filter ? value.#canonical : undefined;
  }
}
