// Browser / worker / bundler entry: fetches and instantiates the module asynchronously.
// `await ready` before the first call (ReferralsClient's methods wait for it themselves). No
// top-level await here: service workers (MV3 extensions) forbid it. The URL pattern below is
// the one bundlers (Vite, webpack, esbuild) recognise as an asset reference.
import init from "./partner_referrals.js";
import waitFor from "./api.js";

export * from "./api.js";

/** Resolves when the module can be used. */
export const ready = init({
  module_or_path: new URL("./partner_referrals_bg.wasm", import.meta.url),
}).then(() => undefined);
waitFor(ready);
