// The public API shared by both entries, on top of the wasm-bindgen glue.
import { filterTemplate } from "./partner_referrals.js";

export {
  validateFilter,
  buildQuery,
  matchesFilter,
  decodeReferralPage,
  respondBy,
} from "./partner_referrals.js";
export { ODataError, Filter } from "@@CLASSES@@";

/**
 * Tagged template: interpolated values become literals, never syntax.
 * filter`customerProfile/name eq ${name}` → a validated `Filter`.
 */
export function filter(strings, ...values) {
  return filterTemplate(strings, values);
}
