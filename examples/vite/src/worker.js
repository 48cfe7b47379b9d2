// A dedicated module worker: the same query and traversal, results posted to the page.
import { pendingReferrals } from "./referrals.js";

self.onmessage = async ({ data }) => {
  try {
    self.postMessage({ ok: true, result: await pendingReferrals(data) });
  } catch (error) {
    self.postMessage({ ok: false, error: { name: error?.name, message: error?.message, code: error?.code } });
  }
};
