// Types of the partner-referrals package. The interfaces come from the Rust types (tsify) and
// the hand-written declarations in the Rust crate's `src/wasm/`; this file picks the public
// names out of the wasm-bindgen glue's declarations and adds what only the entries define.

export {
  validateFilter,
  buildQuery,
  matchesFilter,
  decodeReferralPage,
  respondBy,
  ODataError,
  Filter,
} from "./partner_referrals.js";

// @generated-type-exports (filled in by scripts/assemble-pkg.mjs)

import type { Filter } from "./partner_referrals.js";

/** Resolves when the module can be used; already resolved in Node. */
export declare const ready: Promise<void>;

/**
 * Tagged template: each interpolated value becomes a literal, never syntax. A string is quoted
 * (inner quotes doubled), a `Date` becomes a DateTimeOffset, a number a number, `null` `null`,
 * an array a list for `in`. The result is validated like `validateFilter`.
 *
 * @throws {ODataError} code `"InvalidFilter"`, also for values that cannot be literals
 *   (objects, functions, symbols, `undefined`, `NaN`).
 */
export declare function filter(strings: TemplateStringsArray, ...values: unknown[]): Filter;
