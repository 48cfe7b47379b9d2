// ReferralsClient in a browser context (page, dedicated worker, service worker) against a
// scripted fetch: retries, paging with the documented http: nextLink, abort with a string
// reason during a request and during a back-off wait, UnsafeNextLink, and no token in errors.
// `makeClient` is called by the context, possibly before `ready` has resolved.
const TOKEN = "eyJ0eXAi.SECRET-browser-token.sig";
const NEXT = "http://api.partner.microsoft.com/v1.0/referrals?$skiptoken=page2";

function json(body, status = 200, headers = {}) {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } });
}

/** Never answers; rejects like fetch when its signal aborts. */
function hang(_url, init) {
  return new Promise((_, reject) => init.signal.addEventListener("abort", () => reject(init.signal.reason)));
}

export function scriptedClient(ReferralsClient) {
  const steps = [];
  const requests = [];
  let onRequest = () => {};
  const fetch = async (url, init) => {
    requests.push({ url, headers: { ...init.headers }, redirect: init.redirect, signal: init.signal });
    onRequest();
    const step = steps.shift();
    if (step === undefined) throw new Error(`unexpected request ${url}`);
    return typeof step === "function" ? step(url, init) : step;
  };
  const client = new ReferralsClient({ getToken: () => TOKEN, fetch, maxRetryWaitMs: 600_000 });
  const nextRequest = () => new Promise((resolve) => (onRequest = resolve));
  return { client, steps, requests, nextRequest };
}

async function rejection(promise) {
  try {
    await promise;
  } catch (e) {
    return e;
  }
  throw new Error("the promise resolved");
}

export async function exerciseClient({ ReferralsClient, ODataError }, made) {
  const { client, steps, requests, nextRequest } = made;
  const out = {};

  // A 503 with Retry-After: 0, then page 1 (its nextLink is the documented http: one), page 2.
  steps.push(
    json({ error: { code: "ServiceUnavailable" } }, 503, { "Retry-After": "0" }),
    json({ "@odata.count": 3, value: [{ id: "r1" }, { id: "r2" }], "@odata.nextLink": NEXT }),
    json({ value: [{ id: "r3", brandNew: { x: 1 } }] }),
  );
  const ids = [];
  for await (const referral of client.all({ top: 2 })) ids.push(referral.id);
  out.ids = ids;
  out.urls = requests.map((r) => r.url);
  out.sameRequestIdOnRetry = requests[0].headers["client-request-id"] === requests[1].headers["MS-RequestId"];
  out.oneCorrelationId = new Set(requests.map((r) => r.headers["MS-CorrelationId"])).size === 1;
  out.authorization = requests.every((r) => r.headers.Authorization === `Bearer ${TOKEN}`);
  out.redirect = requests[0].redirect;

  // Abort with a string reason during a request: rejects with that very string; fetch aborted.
  let controller = new AbortController();
  steps.push(hang);
  let pending = client.list({}, { signal: controller.signal });
  await nextRequest();
  controller.abort("stopped by the user");
  out.abortDuringRequest = await rejection(pending);
  out.fetchAborted = requests.at(-1).signal.aborted;

  // Abort with a DOMException during a 100 s Retry-After wait.
  controller = new AbortController();
  let bodyRead;
  const read = new Promise((resolve) => (bodyRead = resolve));
  steps.push({ status: 429, headers: new Headers({ "Retry-After": "100" }), text: async () => (bodyRead(), "{}") });
  pending = client.list({}, { signal: controller.signal });
  await read;
  await new Promise((resolve) => setTimeout(resolve, 0));
  const reason = new DOMException("navigated away", "AbortError");
  controller.abort(reason);
  out.abortDuringWaitIsReason = (await rejection(pending)) === reason;

  // A nextLink to another host: UnsafeNextLink, nothing sent.
  const before = requests.length;
  const unsafe = await rejection(client.next({ value: [], nextLink: "https://evil.example.com/x" }));
  out.unsafe = unsafe instanceof ODataError ? unsafe.code : String(unsafe);
  out.unsafeSentNothing = requests.length === before;

  // The server echoes the token: it appears nowhere in the error.
  steps.push((_url, init) => json({ error: { code: "BadRequest", message: init.headers.Authorization } }, 400));
  const echoed = await rejection(client.get("abc"));
  out.echoed = { code: echoed.code, status: echoed.status, serverCode: echoed.serverCode };
  out.tokenHidden = ![String(echoed), echoed.stack, JSON.stringify(echoed)].some((t) => t.includes("SECRET"));
  return out;
}

export const expectedClientResult = {
  ids: ["r1", "r2", "r3"],
  urls: [
    "https://api.partner.microsoft.com/v1.0/engagements/referrals?$top=2",
    "https://api.partner.microsoft.com/v1.0/engagements/referrals?$top=2",
    "https://api.partner.microsoft.com/v1.0/referrals?$skiptoken=page2",
  ],
  sameRequestIdOnRetry: true,
  oneCorrelationId: true,
  authorization: true,
  redirect: "manual",
  abortDuringRequest: "stopped by the user",
  fetchAborted: true,
  abortDuringWaitIsReason: true,
  unsafe: "UnsafeNextLink",
  unsafeSentNothing: true,
  echoed: { code: "HttpError", status: 400, serverCode: "BadRequest" },
  tokenHidden: true,
};
