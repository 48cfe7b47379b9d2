// The query and traversal shared by the page (main.js) and the worker (worker.js).
import { ReferralsClient, ready } from "partner-referrals";

/** The first rows shown. */
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
    for (const r of page.value) {
      if (first.length < FIRST_ROWS) {
        first.push({ id: r.id, name: r.name ?? "", customer: r.customerProfile?.name ?? "", createdDateTime: r.createdDateTime });
      }
    }
  }
  return { count, pages, seen, first };
}

/** The emulator (or API) base URL and token from the page's query string. */
export function settingsFrom(search) {
  const params = new URLSearchParams(search);
  return {
    baseUrl: params.get("baseUrl") ?? "http://127.0.0.1:8080/v1.0/",
    token: params.get("token") ?? "emulator-token",
  };
}
