// Node entry (ESM): instantiates the module synchronously on import, so `ready` is already
// resolved and every export works right after `import`.
import { readFileSync } from "node:fs";
import { initSync } from "./partner_referrals.js";

initSync({ module: readFileSync(new URL("./partner_referrals_bg.wasm", import.meta.url)) });

export * from "./api.js";

/** Resolves when the module can be used: already resolved in Node. */
export const ready = Promise.resolve();
