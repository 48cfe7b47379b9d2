// The query and traversal shared by the page (main.js) and the worker (worker.js).
import { ReferralsClient, ready } from "partner-referrals";

/** How many rows the page shows. */
export const FIRST_ROWS = 5;

/**
 * Incoming referrals awaiting a response: the server's `@odata.count`, every page walked with
 * `all().byPage()`, and the first rows.
 */
export async function pendingReferrals({ baseUrl, token, signal }) {
  await ready;
  const client = new ReferralsClient({ baseUrl, getToken: () => token });
  const query = {
    filter: "direction eq 'Incoming' and substatus eq 'Pending'",
    orderBy: { field: "createdDateTime", direction: "desc" },
    count: true,
  };
  let count;
  let pages = 0;
  let seen = 0;
  const first = [];
  for await (const page of client.all(query, { signal }).byPage()) {
    count ??= page.count;
    pages += 1;
    seen += page.value.length;
    first.push(...page.value.slice(0, FIRST_ROWS - first.length));
  }
  return { count, pages, seen, first };
}

/** The API (or emulator) base URL and token from the page's query string. */
export function settingsFrom(search) {
  const params = new URLSearchParams(search);
  return {
    baseUrl: params.get("baseUrl") ?? "http://127.0.0.1:8080/v1.0/",
    token: params.get("token") ?? "emulator-token",
  };
}
