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

// The key to `Filter`'s constructor. It never leaves this module: `newFilter` (imported by
// the wasm glue only; the package's exports map hides this file) is the one way to make a
// Filter, so a Filter's canonical text is always text the filter compiler produced and checked,
// and `buildQuery`, `matchesFilter` and the client use it without parsing it again.
const KEY = Symbol("Filter");

/**
 * A validated filter: `toString()` is its canonical text. Made only by `filter`...``;
 * `new Filter()` throws a `TypeError`.
 */
export class Filter {
  #canonical;
  #fields;
  #schema;
  constructor(key, canonical, fields, schema) {
    if (key !== KEY) {
      throw new TypeError("Filter cannot be constructed: use the filter`...` template tag");
    }
    this.#canonical = canonical;
    this.#fields = fields;
    this.#schema = schema;
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
  /** @internal the number of the referral type it was checked against (0: no extra fields) */
  static schemaOf(value) {
    return value instanceof Filter ? value.#schema : undefined;
  }
}

/**
 * @internal A Filter of checked canonical text; `fields` (an array) is frozen and kept;
 * `schema` numbers the referral type it was checked against (its extra fields).
 */
export function newFilter(canonical, fields, schema) {
  return new Filter(KEY, canonical, Object.freeze(fields), schema);
}
