// ReferralsClient from Node, against the installed package: an injected `fetch` plays scripted
// responses and records every request; a few tests use the real global `fetch` against a local
// HTTP server. No timing assertions: waits are `Retry-After: 0`, past HTTP dates, or one short
// back-off; aborts are triggered by what the scripted fetch observes.
import { test } from "node:test";
import assert from "node:assert/strict";
import { rejection, odataError } from "./assertions.mjs";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { createServer } from "node:http";
import { writeFileSync } from "node:fs";
import { inspect } from "node:util";
import { ReferralsClient, ODataError, buildQuery, decodeReferralPage } from "partner-referrals";

const BASE = "https://api.partner.microsoft.com/v1.0/";
const LIST = `${BASE}engagements/referrals`;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const TOKEN = "eyJhbGciOi.SECRET-token-value.sig";

// ---- helpers --------------------------------------------------------------------------------

function json(body, status = 200, headers = {}) {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", ...headers },
  });
}

function pageBody(ids, nextLink, extra = {}) {
  return {
    "@odata.context": "https://api.partner.microsoft.com/v1.0/$metadata#Referrals",
    "@odata.count": 9,
    value: ids.map((id) => ({ id, status: "New" })),
    ...(nextLink ? { "@odata.nextLink": nextLink } : {}),
    ...extra,
  };
}

function deferred() {
  let resolve;
  const promise = new Promise((r) => (resolve = r));
  return { promise, resolve };
}

/** A fetch that answers with `steps` in order (a Response, or a function of (url, init)). */
function scripted(...steps) {
  const requests = [];
  const called = [];
  const fetch = async (url, init) => {
    requests.push({ url, init, headers: { ...init.headers } });
    called.shift()?.resolve();
    const step = steps.shift();
    if (step === undefined) throw new Error(`unexpected request ${url}`);
    return typeof step === "function" ? step(url, init) : step;
  };
  /** Resolves when the next request is sent. */
  const nextRequest = () => {
    const d = deferred();
    called.push(d);
    return d.promise;
  };
  return { fetch, requests, nextRequest, left: () => steps.length };
}

/** Never answers; rejects like the real fetch when its signal aborts. */
function hang(_url, init) {
  return new Promise((_, reject) => {
    init.signal.addEventListener("abort", () => reject(init.signal.reason), { once: true });
  });
}

function tokens() {
  const calls = [];
  const getToken = (request) => {
    calls.push(request.forceRefresh);
    return TOKEN;
  };
  return { getToken, calls };
}

function client(fetch, options = {}) {
  return new ReferralsClient({ getToken: () => TOKEN, fetch, ...options });
}

/** No token in the error; `inspect` also shows own properties and the `cause`. */
function assertNoToken(e, { withCause = true } = {}) {
  const texts = [String(e), e.stack, JSON.stringify(e), e.message, ...Object.values(e).map((v) => JSON.stringify(v))];
  if (withCause) texts.push(inspect(e, { depth: 10 }));
  for (const text of texts) {
    assert.ok(!text.includes(TOKEN), `token leaked: ${text}`);
    assert.ok(!text.includes("SECRET"), `token leaked: ${text}`);
  }
}

async function collect(iterable) {
  const out = [];
  for await (const item of iterable) out.push(item);
  return out;
}

/** Lets every pending microtask and I/O callback run. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

// ---- construction ---------------------------------------------------------------------------

test("the constructor checks its options with TypeError", () => {
  const getToken = () => TOKEN;
  const bad = [
    undefined,
    null,
    "token",
    {},
    { getToken: "token" },
    { getToken, baseUrl: 42 },
    { getToken, baseUrl: "ftp://api.partner.microsoft.com/v1.0/" },
    { getToken, baseUrl: "https://user:pw@api.partner.microsoft.com/" },
    { getToken, baseUrl: "not a url" },
    { getToken, fetch: "fetch" },
    { getToken, maxRetries: -1 },
    { getToken, maxRetries: 1.5 },
    { getToken, maxRetries: "3" },
    { getToken, maxRetries: Infinity },
    { getToken, timeoutMs: 0 },
    { getToken, timeoutMs: -5 },
    { getToken, timeoutMs: NaN },
    { getToken, timeoutMs: 2 ** 31 },
    { getToken, locale: 5 },
    { getToken, locale: "en-US\r\nX-Evil: 1" },
  ];
  for (const options of bad) {
    assert.throws(() => new ReferralsClient(options), TypeError, inspect(options));
  }
  assert.throws(() => new ReferralsClient({ getToken, basUrl: BASE }), /did you mean `baseUrl`/);
  assert.throws(() => new ReferralsClient({ getToken, maxRetries: -1 }), /maxRetries/);
  // Valid: defaults, every option, a base URL without its trailing slash, maxRetries above the cap.
  new ReferralsClient({ getToken });
  new ReferralsClient({ getToken, baseUrl: "http://localhost:8080/v1.0", fetch, maxRetries: 0, timeoutMs: 1.5, locale: "en-US" });
  new ReferralsClient({ getToken, maxRetries: 1e9 });
});

// ---- headers --------------------------------------------------------------------------------

test("every request carries the Partner REST headers; ids are fresh per request", async () => {
  const s = scripted(json(pageBody(["a"])), json(pageBody(["b"])), json({ id: "c" }));
  const { getToken, calls } = tokens();
  const c = new ReferralsClient({ getToken, fetch: s.fetch });
  const page = await c.list({ filter: "status eq 'New'", top: 5 });
  assert.deepEqual(page.value.map((r) => r.id), ["a"]);
  await c.list();
  await c.get("c");

  const [first, second, third] = s.requests;
  assert.equal(first.url, `${LIST}?${buildQuery({ filter: "status eq 'New'", top: 5 })}`);
  assert.equal(second.url, LIST);
  assert.equal(third.url, `${LIST}/c`);
  assert.equal(first.init.method, "GET");
  assert.equal(first.init.redirect, "manual");
  assert.deepEqual(Object.keys(first.headers), [
    "Authorization", "Accept", "client-request-id", "MS-RequestId", "MS-CorrelationId",
  ]);
  for (const { headers } of s.requests) {
    assert.equal(headers.Authorization, `Bearer ${TOKEN}`);
    assert.equal(headers.Accept, "application/json");
    assert.match(headers["client-request-id"], GUID);
    assert.equal(headers["MS-RequestId"], headers["client-request-id"]);
    assert.match(headers["MS-CorrelationId"], GUID);
  }
  const ids = new Set(s.requests.map((r) => r.headers["client-request-id"]));
  const correlations = new Set(s.requests.map((r) => r.headers["MS-CorrelationId"]));
  assert.equal(ids.size, 3, "a fresh request id per request");
  assert.equal(correlations.size, 3, "a fresh correlation id per call");
  assert.deepEqual(calls, [false, false, false], "getToken once per request, no refresh");
});

test("X-Locale is sent when set, and opts.correlationId replaces the generated one", async () => {
  const s = scripted(json(pageBody([])), json(pageBody([])));
  const c = client(s.fetch, { locale: "de-DE" });
  await c.list(undefined, { correlationId: "my-trace-1" });
  await c.list({}, { correlationId: "my-trace-1" });
  for (const { headers } of s.requests) {
    assert.equal(headers["X-Locale"], "de-DE");
    assert.equal(headers["MS-CorrelationId"], "my-trace-1");
  }
  const e = await odataError(c.list({}, { correlationId: "a\r\nb" }), "InvalidArgument");
  assert.equal(e.status, undefined);
  assert.equal(s.requests.length, 2, "an unusable correlation id is refused before sending");
});

test("the injected fetch replaces the global one", async () => {
  const original = globalThis.fetch;
  let globalCalls = 0;
  globalThis.fetch = async () => {
    globalCalls += 1;
    throw new Error("the global fetch must not be used");
  };
  try {
    const s = scripted(json(pageBody(["a"])));
    await client(s.fetch).list();
    assert.equal(s.requests.length, 1);
    assert.equal(globalCalls, 0);
  } finally {
    globalThis.fetch = original;
  }
});

// ---- retries, 401, errors -------------------------------------------------------------------

test("429/503/504 are retried with the same request id, honouring Retry-After", async () => {
  const past = new Date(Date.now() - 3_600_000).toUTCString();
  const s = scripted(
    json({ error: { code: "TooManyRequests" } }, 429, { "Retry-After": "0" }),
    json({}, 503, { "Retry-After": past }),
    new Response("gateway", { status: 504, headers: { "Retry-After": "0" } }),
    json(pageBody(["a"])),
  );
  const { getToken, calls } = tokens();
  const page = await new ReferralsClient({ getToken, fetch: s.fetch }).list();
  assert.deepEqual(page.value.map((r) => r.id), ["a"]);
  assert.equal(s.requests.length, 4);
  const ids = new Set(s.requests.map((r) => r.headers["client-request-id"]));
  const correlations = new Set(s.requests.map((r) => r.headers["MS-CorrelationId"]));
  assert.equal(ids.size, 1, "the same request id on every retry");
  assert.equal(correlations.size, 1);
  assert.deepEqual(calls, [false, false, false, false], "a token per attempt");
});

test("without Retry-After the client backs off (maxRetries: 1, one short wait)", async () => {
  const s = scripted(json({}, 503), json(pageBody(["a"])));
  const page = await client(s.fetch, { maxRetries: 1 }).list();
  assert.deepEqual(page.value.map((r) => r.id), ["a"]);
  assert.equal(s.requests.length, 2);
});

test("a 401 refreshes the token once and retries once", async () => {
  const s = scripted(json({ error: { code: "unauthenticated" } }, 401), json(pageBody(["a"])));
  const seen = [];
  let n = 0;
  const getToken = async ({ forceRefresh }) => {
    seen.push(forceRefresh);
    n += 1;
    return `token-${n}`;
  };
  const page = await new ReferralsClient({ getToken, fetch: s.fetch }).list();
  assert.equal(page.value.length, 1);
  assert.deepEqual(seen, [false, true]);
  assert.deepEqual(s.requests.map((r) => r.headers.Authorization), ["Bearer token-1", "Bearer token-2"]);
  assert.equal(s.requests[0].headers["client-request-id"], s.requests[1].headers["client-request-id"]);

  const again = scripted(json({}, 401), json({}, 401, { "request-id": "srv-401" }));
  const { getToken: g, calls } = tokens();
  const e = await odataError(new ReferralsClient({ getToken: g, fetch: again.fetch }).list(), "Unauthorized");
  assert.equal(e.status, 401);
  assert.equal(e.requestId, "srv-401");
  assert.deepEqual(calls, [false, true], "one refresh only");
  assert.equal(again.requests.length, 2);
});

test("the error after the last retry has status, ids, Retry-After and the server's body", async () => {
  const body = { error: { code: "TooManyRequests", message: "slow down", innerError: { code: "x" } } };
  const s = scripted(
    json(body, 429, { "Retry-After": "0", "request-id": "srv-1" }),
    json(body, 429, { "Retry-After": "0", "Request-ID": "srv-2" }),
  );
  const e = await odataError(client(s.fetch, { maxRetries: 1 }).list(), "Throttled");
  assert.equal(e.name, "ODataError");
  assert.equal(e.status, 429);
  assert.equal(e.requestId, "srv-2");
  assert.equal(e.correlationId, s.requests[1].headers["MS-CorrelationId"]);
  assert.equal(e.clientRequestId, s.requests[1].headers["client-request-id"]);
  assert.equal(e.retryAfterMs, 0);
  assert.deepEqual(e.details, body);
  assert.equal(e.serverCode, "TooManyRequests");
  assert.equal(s.requests.length, 2, "maxRetries: 1 → two sends");

  // The flat Partner Center shape, on a 503 with no retries left.
  const flat = { code: 2001, description: "maintenance", errorName: "Unavailable", data: [], source: "PCApi" };
  const t = scripted(json(flat, 503, { "Retry-After": "7" }));
  const f = await odataError(client(t.fetch, { maxRetries: 0 }).list(), "HttpError");
  assert.equal(f.status, 503);
  assert.equal(f.retryAfterMs, 7000);
  assert.equal(f.serverCode, "2001");
  assert.deepEqual(f.details, flat);
});

test("403, 404 and other statuses are final and map to their codes", async () => {
  const cases = [
    [403, "Forbidden"],
    [404, "NotFound"],
    [500, "HttpError"],
    [400, "HttpError"],
    [302, "HttpError"],
  ];
  for (const [status, code] of cases) {
    const s = scripted(json({ code: "accessDenied", message: "no" }, status));
    const e = await odataError(client(s.fetch).get("abc"), code);
    assert.equal(e.status, status);
    assert.equal(e.serverCode, "accessDenied");
    assert.equal(s.requests.length, 1, `${status} is not retried`);
  }
});

test("network failures are retried, then NetworkError", async () => {
  const failure = () => Promise.reject(new TypeError("fetch failed", { cause: new Error("connect ECONNREFUSED 10.0.0.1:443") }));
  const s = scripted(failure, failure);
  const e = await odataError(client(s.fetch, { maxRetries: 1 }).list(), "NetworkError");
  assert.match(e.message, /fetch failed/);
  assert.match(e.message, /ECONNREFUSED/);
  assert.equal(e.status, undefined);
  assert.match(e.correlationId, GUID);
  assert.equal(s.requests.length, 2);
  // A fetch that throws synchronously, or resolves to something that is not a Response.
  const t = scripted(() => { throw new TypeError("bad init"); });
  await odataError(client(t.fetch, { maxRetries: 0 }).list(), "NetworkError");
  const u = scripted(() => ({ ok: true }));
  const w = await odataError(client(u.fetch, { maxRetries: 0 }).list(), "NetworkError");
  assert.match(w.message, /not a Response/);
});

test("a 2xx body that is not a referral page is InvalidResponse with a path and the status", async () => {
  const s = scripted(json({ value: [{ id: "a" }, { id: "b", createdDateTime: 5 }] }));
  const e = await odataError(client(s.fetch).list(), "InvalidResponse");
  assert.equal(e.path, "/value/1/createdDateTime");
  assert.equal(e.status, 200);
  const t = scripted(new Response("<html>", { status: 200 }));
  await odataError(client(t.fetch).list(), "InvalidResponse");
});

test("per-attempt time-out: Timeout after the retries, each attempt's fetch aborted", async () => {
  const s = scripted(hang, hang);
  const e = await odataError(client(s.fetch, { timeoutMs: 20, maxRetries: 1 }).list(), "Timeout");
  assert.equal(e.status, undefined);
  assert.equal(s.requests.length, 2);
  for (const { init } of s.requests) {
    assert.equal(init.signal.aborted, true);
    assert.equal(init.signal.reason.name, "TimeoutError");
  }
  // A response in time is not affected by the time-out.
  const t = scripted(json(pageBody(["a"])));
  assert.equal((await client(t.fetch, { timeoutMs: 60_000 }).list()).value.length, 1);
  assert.equal(t.requests[0].init.signal.aborted, false);
});

// ---- pages ----------------------------------------------------------------------------------

test("pages are exactly what decodeReferralPage makes of the body", async () => {
  const body = pageBody(["a", "b"], "https://api.partner.microsoft.com/v1.0/referrals?$skiptoken=2", {
    futureEnvelopeField: { x: [1, null] },
  });
  body.value[0].brandNewProperty = { nested: true };
  body.value[1].status = "SomeFutureStatus";
  body.value[1].details = { dealValue: "12.50" };
  const text = JSON.stringify(body);
  const s = scripted(new Response(text, { status: 200 }));
  const page = await client(s.fetch).list();
  assert.deepEqual(page, decodeReferralPage(text));
  assert.equal(page.count, 9);
  assert.equal(page.nextLink, body["@odata.nextLink"]);
  assert.equal(page["@odata.nextLink"], undefined);
});

test("next() follows nextLink; a same-host http: link goes out over https", async () => {
  const documented = "http://api.partner.microsoft.com/v1.0/referrals?$skiptoken=k181pEdP0ykypkieJfcxX";
  const s = scripted(json(pageBody(["a"], documented)), json(pageBody(["b"])));
  const c = client(s.fetch);
  const first = await c.list();
  const second = await c.next(first);
  assert.deepEqual(second.value.map((r) => r.id), ["b"]);
  assert.equal(s.requests[1].url, "https://api.partner.microsoft.com/v1.0/referrals?$skiptoken=k181pEdP0ykypkieJfcxX");
  assert.equal(await c.next(second), undefined, "undefined after the last page");
  assert.equal(s.requests.length, 2, "nothing sent for the page after the last");
});

test("a nextLink to another host is refused with UnsafeNextLink before anything is sent", async () => {
  const { getToken, calls } = tokens();
  for (const link of [
    "https://evil.example.com/v1.0/referrals?$skiptoken=1",
    "https://api.partner.microsoft.com@evil.example.com/v1.0/referrals",
    "//evil.example.com/x",
    "https://api.partner.microsoft.com.evil.example.com/v1.0/referrals",
  ]) {
    const s = scripted(json(pageBody(["a"])));
    const c = new ReferralsClient({ getToken, fetch: s.fetch });
    await odataError(c.next({ value: [], nextLink: link }), "UnsafeNextLink");
    await odataError(collect(c.all().byPage({ continuationToken: link })), "UnsafeNextLink");
    assert.equal(s.requests.length, 0, link);
  }
  assert.deepEqual(calls, [], "no token requested for a refused link");
});

test("all() yields every referral exactly once, in order, over several pages", async () => {
  const link = (n) => `https://api.partner.microsoft.com/v1.0/referrals?$skiptoken=${n}`;
  const s = scripted(
    json(pageBody(["r1", "r2"], link(2))),
    json({}, 503, { "Retry-After": "0" }), // a transient failure of page 2 is retried, not re-yielded
    json(pageBody(["r3", "r4"], link(3))),
    json(pageBody([], link(4))), // an empty page in the middle
    json(pageBody(["r5"])),
  );
  const c = client(s.fetch);
  const ids = [];
  for await (const referral of c.all({ orderBy: "createdDateTime desc" })) ids.push(referral.id);
  assert.deepEqual(ids, ["r1", "r2", "r3", "r4", "r5"]);
  assert.equal(s.requests[0].url, `${LIST}?$orderby=createdDateTime%20desc`);
  assert.deepEqual(s.requests.slice(1).map((r) => r.url), [link(2), link(2), link(3), link(4)]);
  const correlations = new Set(s.requests.map((r) => r.headers["MS-CorrelationId"]));
  assert.equal(correlations.size, 1, "one correlation id for the whole traversal");
  const ids2 = new Set(s.requests.map((r) => r.headers["client-request-id"]));
  assert.equal(ids2.size, 4, "one request id per page (shared by its retries)");
});

test("readAhead: false: one page is requested per page consumed", async () => {
  const link = "https://api.partner.microsoft.com/v1.0/referrals?$skiptoken=2";
  const s = scripted(json(pageBody(["r1", "r2"], link)), json(pageBody(["r3"])));
  const iterator = client(s.fetch).all(undefined, { readAhead: false })[Symbol.asyncIterator]();
  assert.equal(s.requests.length, 0, "nothing sent before the first next()");
  assert.equal((await iterator.next()).value.id, "r1");
  assert.equal((await iterator.next()).value.id, "r2");
  await settle();
  assert.equal(s.requests.length, 1, "page 2 not requested while page 1 is being consumed");
  assert.equal((await iterator.next()).value.id, "r3");
  assert.deepEqual(await iterator.next(), { value: undefined, done: true });
  assert.equal(s.requests.length, 2);
  const pages = client(s.fetch).all(undefined, { readAhead: true, correlationId: "c" });
  assert.equal(typeof pages.byPage, "function");
  await assert.rejects(collect(client(s.fetch).all(undefined, { readAhead: "no" })), /readAhead must be a boolean/);
  await assert.rejects(collect(client(s.fetch).all(undefined, { readahead: false })), /did you mean `readAhead`/);
  await assert.rejects(client(s.fetch).list(undefined, { readAhead: false }), TypeError, "only all() reads ahead");
});

test("all() reads one page ahead: the next page is requested before this one is consumed, never more", async () => {
  const link = (n) => `https://api.partner.microsoft.com/v1.0/referrals?$skiptoken=${n}`;
  const s = scripted(
    json(pageBody(["r1", "r2"], link(2))),
    json(pageBody(["r3", "r4"], link(3))),
    json(pageBody(["r5", "r6"], link(4))),
    json(pageBody(["r7"])),
  );
  const iterator = client(s.fetch).all()[Symbol.asyncIterator]();
  await settle();
  assert.equal(s.requests.length, 0, "nothing sent before the first next()");
  const seen = [];
  // [referral, requests sent when it is handed out]: page k + 1 is requested as page k arrives.
  for (;;) {
    const { value, done } = await iterator.next();
    if (done) break;
    await settle();
    seen.push([value.id, s.requests.length]);
  }
  assert.deepEqual(seen, [
    ["r1", 2],
    ["r2", 2],
    ["r3", 3],
    ["r4", 3],
    ["r5", 4],
    ["r6", 4],
    ["r7", 4],
  ]);
  assert.deepEqual(s.requests.map((r) => r.url), [LIST, link(2), link(3), link(4)]);
  assert.equal(new Set(s.requests.map((r) => r.headers["MS-CorrelationId"])).size, 1, "one correlation id");
  // byPage() too: page 2 is on its way while page 1 is consumed.
  const s2 = scripted(json(pageBody(["a"], link(2))), json(pageBody(["b"])));
  const pages = client(s2.fetch).all().byPage()[Symbol.asyncIterator]();
  assert.deepEqual((await pages.next()).value.value.map((r) => r.id), ["a"]);
  await settle();
  assert.equal(s2.requests.length, 2);
  assert.deepEqual((await pages.next()).value.value.map((r) => r.id), ["b"]);
  assert.equal((await pages.next()).done, true);
  assert.equal(s2.requests.length, 2);
});

test("all(): no request follows an invalid page or an unsafe nextLink", async () => {
  const link = (n) => `https://api.partner.microsoft.com/v1.0/referrals?$skiptoken=${n}`;
  // Page 2 is refused: its error comes at the next() that asks for it, and page 3, which its
  // body names, is never requested.
  const s = scripted(
    json(pageBody(["r1"], link(2))),
    json({ value: [{ id: 5 }], "@odata.nextLink": link(3) }),
  );
  const iterator = client(s.fetch).all()[Symbol.asyncIterator]();
  assert.equal((await iterator.next()).value.id, "r1");
  await settle();
  const e = await odataError(iterator.next(), "InvalidResponse");
  assert.equal(e.path, "/value/0/id");
  await settle();
  assert.deepEqual(s.requests.map((r) => r.url), [LIST, link(2)]);
  // An invalid first page: nothing more is sent.
  const s2 = scripted(json({ value: 5, "@odata.nextLink": link(2) }));
  await odataError(collect(client(s2.fetch).all()), "InvalidResponse");
  await settle();
  assert.equal(s2.requests.length, 1);
});

test("all(): an error of the page read ahead is thrown by the next() that asks for it", async () => {
  let unhandled = 0;
  const count = () => unhandled++;
  process.on("unhandledRejection", count);
  try {
    const link = "https://api.partner.microsoft.com/v1.0/referrals?$skiptoken=2";
    const s = scripted(json(pageBody(["r1", "r2"], link)), json({ error: { code: "gone" } }, 404));
    const iterator = client(s.fetch).all()[Symbol.asyncIterator]();
    assert.equal((await iterator.next()).value.id, "r1");
    await settle();
    assert.equal(s.requests.length, 2, "page 2 requested (and failed) while page 1 is consumed");
    assert.equal((await iterator.next()).value.id, "r2", "page 1 is handed out in full");
    const e = await odataError(iterator.next(), "NotFound");
    assert.equal(e.status, 404);
    assert.deepEqual(await iterator.next(), { value: undefined, done: true });
    // A token error of the page read ahead: the same, with its cause.
    let calls = 0;
    const cause = new Error("interaction required");
    const getToken = () => {
      if (++calls === 2) throw cause;
      return TOKEN;
    };
    const s2 = scripted(json(pageBody(["a"], link)));
    const c2 = new ReferralsClient({ getToken, fetch: s2.fetch });
    const pages = c2.all().byPage()[Symbol.asyncIterator]();
    assert.deepEqual((await pages.next()).value.value.map((r) => r.id), ["a"]);
    const t = await odataError(pages.next(), "TokenError");
    assert.equal(t.cause, cause);
    await settle();
    assert.equal(unhandled, 0, "no unhandled rejection");
  } finally {
    process.off("unhandledRejection", count);
  }
});

test("all(): return() and abort cancel the request read ahead", async () => {
  const link = "https://api.partner.microsoft.com/v1.0/referrals?$skiptoken=2";
  // return(): the fetch of page 2 is aborted, nothing more is sent.
  const s = scripted(json(pageBody(["r1", "r2"], link)), hang);
  const iterator = client(s.fetch).all()[Symbol.asyncIterator]();
  assert.equal((await iterator.next()).value.id, "r1");
  await settle();
  assert.equal(s.requests.length, 2);
  assert.equal(s.requests[1].init.signal.aborted, false, "page 2 on its way");
  assert.deepEqual(await iterator.return(), { value: undefined, done: true });
  assert.equal(s.requests[1].init.signal.aborted, true, "page 2's fetch aborted by return()");
  assert.deepEqual(await iterator.next(), { value: undefined, done: true });
  // break out of byPage(): the same.
  const s2 = scripted(json(pageBody(["a"], link)), hang);
  for await (const page of client(s2.fetch).all().byPage()) {
    assert.equal(page.value[0].id, "a");
    break;
  }
  assert.equal(s2.requests[1].init.signal.aborted, true, "page 2's fetch aborted by break");
  // Aborting while page 2 is read ahead: its fetch is aborted with the reason, and the next()
  // that asks for page 2 rejects with it.
  const ac = new AbortController();
  const s3 = scripted(json(pageBody(["x"], link)), hang);
  const it3 = client(s3.fetch).all(undefined, { signal: ac.signal })[Symbol.asyncIterator]();
  assert.equal((await it3.next()).value.id, "x");
  await settle();
  ac.abort("stop");
  await settle();
  assert.equal(s3.requests[1].init.signal.aborted, true, "page 2's fetch aborted by the signal");
  assert.equal(s3.requests[1].init.signal.reason, "stop");
  assert.equal(await rejection(it3.next()), "stop");
  assert.equal(s3.requests.length, 2);
});

test("all(): an abort after the read-ahead left but before the page is handed out rejects that next()", async () => {
  const link = "https://api.partner.microsoft.com/v1.0/referrals?$skiptoken=2";
  const ac = new AbortController();
  // Page 2's request is sent before page 1 is built; the caller aborts in that very moment.
  const abortThenHang = (url, init) => {
    ac.abort("stop");
    return hang(url, init);
  };
  const s = scripted(json(pageBody(["r1"], link)), abortThenHang);
  const iterator = client(s.fetch).all(undefined, { signal: ac.signal })[Symbol.asyncIterator]();
  assert.equal(await rejection(iterator.next()), "stop", "page 1 is not delivered after the abort");
  await settle();
  assert.equal(s.requests.length, 2);
  assert.equal(s.requests[1].init.signal.aborted, true, "page 2's fetch aborted by the signal");
  assert.deepEqual(await iterator.next(), { value: undefined, done: true }, "the traversal ended with its error");
  assert.equal(s.requests.length, 2, "nothing sent after the abort");
});

test("byPage(): a traversal stopped while a page was read ahead resumes from that page", async () => {
  const link = (n) => `https://api.partner.microsoft.com/v1.0/referrals?$skiptoken=${n}`;
  const s = scripted(
    json(pageBody(["r1"], link(2))),
    json(pageBody(["r2"], link(3))), // read ahead, then dropped by break
    json(pageBody(["r2"], link(3))),
    json(pageBody(["r3"])),
  );
  const c = client(s.fetch);
  let token;
  for await (const page of c.all().byPage()) {
    token = page.nextLink;
    break;
  }
  assert.equal(s.requests.length, 2);
  const rest = await collect(c.all().byPage({ continuationToken: token }));
  assert.deepEqual(rest.map((p) => p.value[0].id), ["r2", "r3"]);
  assert.deepEqual(s.requests.map((r) => r.url), [LIST, link(2), link(2), link(3)]);
});

test("all(): next() calls that overlap a page boundary get the referrals in order; return() ends it", async () => {
  const link = "https://api.partner.microsoft.com/v1.0/referrals?$skiptoken=2";
  const link3 = "https://api.partner.microsoft.com/v1.0/referrals?$skiptoken=3";
  const s = scripted(json(pageBody(["r1", "r2"], link)), json(pageBody(["r3", "r4"], link3)), json(pageBody(["r5"])));
  const iterator = client(s.fetch).all()[Symbol.asyncIterator]();
  // Five calls at once: the first two wait for page 1, the next two for page 2.
  const results = await Promise.all([1, 2, 3, 4, 5].map(() => iterator.next()));
  assert.deepEqual(
    results.map((r) => r.value.id),
    ["r1", "r2", "r3", "r4", "r5"],
  );
  assert.equal(s.requests.length, 3);
  const s2 = scripted(json(pageBody(["a", "b"], link)), json(pageBody(["c"])));
  const it2 = client(s2.fetch).all()[Symbol.asyncIterator]();
  assert.equal((await it2.next()).value.id, "a");
  assert.deepEqual(await it2.return("bye"), { value: "bye", done: true });
  assert.deepEqual(await it2.next(), { value: undefined, done: true });
  await settle();
  assert.equal(s2.requests.length, 2, "page 2 read ahead, nothing sent after return()");
  assert.equal(s2.requests[1].init.signal.aborted, false, "page 2 had arrived: nothing to abort");
  const s3 = scripted(json(pageBody(["x"], link)), json(pageBody(["y"])));
  const it3 = client(s3.fetch).all()[Symbol.asyncIterator]();
  assert.equal((await it3.next()).value.id, "x");
  const boom = new Error("boom");
  await assert.rejects(it3.throw(boom), (e) => e === boom);
  assert.deepEqual(await it3.next(), { value: undefined, done: true });
  await settle();
  assert.equal(s3.requests.length, 2, "page 2 read ahead, nothing sent after throw()");
});

test("byPage() gives the pages; continuationToken resumes after a page", async () => {
  const link = (n) => `https://api.partner.microsoft.com/v1.0/referrals?$skiptoken=${n}`;
  const s = scripted(
    json(pageBody(["r1"], link(2))),
    json(pageBody(["r2"], link(3))),
    json(pageBody(["r3"])),
    json(pageBody(["r2"], link(3))),
    json(pageBody(["r3"])),
  );
  const c = client(s.fetch);
  const pages = await collect(c.all({ top: 1 }).byPage());
  assert.deepEqual(pages.map((p) => p.value.map((r) => r.id)), [["r1"], ["r2"], ["r3"]]);
  assert.equal(pages[0].nextLink, link(2));
  assert.equal(pages[2].nextLink, undefined);
  // Resume from the first page's nextLink, as a caller that stored it would.
  const resumed = await collect(c.all({ top: 1 }).byPage({ continuationToken: pages[0].nextLink }));
  assert.deepEqual(resumed.map((p) => p.value[0].id), ["r2", "r3"]);
  assert.equal(s.requests[3].url, link(2));
  assert.equal(s.left(), 0);
  await assert.rejects(collect(c.all().byPage({ continuationToken: 42 })), TypeError);
  await assert.rejects(collect(c.all().byPage({ continuationTokne: "x" })), /did you mean `continuationToken`/);
});

test("all() returns the good pages, then the error of an unsafe nextLink", async () => {
  const s = scripted(json(pageBody(["r1", "r2"], "https://evil.example.com/steal")));
  const seen = [];
  const e = await odataError(
    (async () => {
      for await (const r of client(s.fetch).all()) seen.push(r.id);
    })(),
    "UnsafeNextLink",
  );
  assert.deepEqual(seen, ["r1", "r2"]);
  assert.equal(s.requests.length, 1);
  assert.match(e.message, /evil\.example\.com/);
});

test("get() returns the referral; an impossible id is InvalidArgument without a request", async () => {
  const referral = { id: "0f1e", status: "Active", unknownField: [1, 2], "@odata.context": "ctx" };
  const s = scripted(json(referral));
  const c = client(s.fetch);
  assert.deepEqual(await c.get("0f1e"), referral);
  for (const id of ["", "../x", "a/b", "a%2Fb", "?x", "a\r\nb"]) {
    const e = await odataError(c.get(id), "InvalidArgument");
    assert.equal(e.status, undefined);
  }
  assert.equal(s.requests.length, 1);
  await assert.rejects(c.get(42), TypeError);
});

test("wrong call arguments reject with TypeError or the query's ODataError", async () => {
  const s = scripted();
  const c = client(s.fetch);
  await assert.rejects(c.list({ fitler: "x" }), /did you mean `filter`/);
  await odataError(c.list({ filter: "stauts eq 'New'" }), "InvalidFilter");
  await odataError(c.list({ top: 0 }), "InvalidTop");
  await assert.rejects(c.list({}, { signal: "no" }), TypeError);
  await assert.rejects(c.list({}, { sginal: new AbortController().signal }), /did you mean `signal`/);
  await assert.rejects(c.next("page"), TypeError);
  await assert.rejects(c.next({ value: [], nextLink: 5 }), TypeError);
  await odataError(collect(c.all({ select: ["nope"] })), "InvalidSelect");
  assert.equal(s.requests.length, 0);
});

// ---- tokens ---------------------------------------------------------------------------------

test("getToken failures are TokenError; the thrown value is the cause, never the message", async () => {
  class InteractionRequiredAuthError extends Error {
    name = "InteractionRequiredAuthError";
  }
  const thrown = new InteractionRequiredAuthError("thrown-detail: no cached account");
  const cases = [
    [() => { throw thrown; }, /threw an InteractionRequiredAuthError; see the error's `cause`/, thrown],
    [async () => { throw thrown; }, /rejected with an InteractionRequiredAuthError/, thrown],
    [() => { throw { name: TOKEN }; }, /threw an object/, "object"],
    [() => Promise.reject(TOKEN), /rejected with a string$/, undefined],
    [() => { throw TOKEN; }, /threw a string$/, undefined],
    [() => ({ accessToken: TOKEN, expiresOn: new Date() }), /return its `accessToken`/, undefined],
    [() => 42, /returned a number/, undefined],
    [() => undefined, /returned undefined/, undefined],
    [() => "", /empty/, undefined],
    [() => `${TOKEN}\r\nX-Evil: 1`, /cannot be sent/, undefined],
  ];
  for (const [getToken, message, cause] of cases) {
    const s = scripted();
    const e = await odataError(new ReferralsClient({ getToken, fetch: s.fetch }).list(), "TokenError");
    assert.match(e.message, message);
    assert.ok(!e.message.includes("thrown-detail"), "the thrown error's message is not copied");
    if (cause === "object") assert.equal(typeof e.cause, "object");
    else assert.equal(e.cause, cause);
    assert.equal(Object.keys(e).includes("cause"), false, "cause is not enumerable");
    // The cause is the caller's own value (here an object named like a token): only it may show it.
    assertNoToken(e, { withCause: cause === undefined });
    assert.equal(s.requests.length, 0);
  }
});

test("a token never appears in an error, even when the server echoes it", async () => {
  const echo = (_url, init) =>
    json(
      { error: { code: "BadRequest", message: `bad header ${init.headers.Authorization}`, target: TOKEN } },
      400,
      { "request-id": `id-${TOKEN}` },
    );
  const e = await odataError(client(scripted(echo).fetch).list(), "HttpError");
  assert.equal(e.status, 400);
  assert.equal(e.serverCode, "BadRequest");
  assert.match(JSON.stringify(e.details), /\[redacted\]/);
  assertNoToken(e);

  const leaky = () => Promise.reject(new TypeError(`failed sending Bearer ${TOKEN}`));
  const n = await odataError(client(scripted(leaky).fetch, { maxRetries: 0 }).list(), "NetworkError");
  assertNoToken(n);

  const bad = () => new Response(`{"value": [{"id": "${TOKEN}", "status": 5}]}`, { status: 200 });
  const d = await odataError(client(scripted(bad).fetch).list(), "InvalidResponse");
  assertNoToken(d);
});

// ---- cancellation ---------------------------------------------------------------------------

const reasons = () => [
  ["an Error", new Error("cancelled by the user")],
  ["a DOMException", new DOMException("stop", "AbortError")],
  ["a string", "just a string"],
  ["the default reason", undefined],
];

test("an already aborted signal rejects at once with its reason; nothing is sent", async () => {
  for (const [what, reason] of reasons()) {
    const ac = new AbortController();
    ac.abort(reason);
    const s = scripted(json(pageBody(["a"])));
    const { getToken, calls } = tokens();
    const c = new ReferralsClient({ getToken, fetch: s.fetch });
    for (const call of [
      () => c.list({}, { signal: ac.signal }),
      () => c.get("a", { signal: ac.signal }),
      () => c.next({ value: [], nextLink: `${LIST}?x=1` }, { signal: ac.signal }),
      () => collect(c.all({}, { signal: ac.signal })),
    ]) {
      assert.equal(await rejection(call()), ac.signal.reason, what);
    }
    assert.equal(s.requests.length, 0);
    assert.deepEqual(calls, []);
  }
});

test("aborting during a request rejects with the reason as is and aborts the fetch", async () => {
  for (const [what, reason] of reasons()) {
    const ac = new AbortController();
    const s = scripted(hang);
    const c = client(s.fetch, { timeoutMs: 60_000 });
    const pending = c.list({}, { signal: ac.signal });
    await s.nextRequest();
    ac.abort(reason);
    assert.equal(await rejection(pending), ac.signal.reason, what);
    const { init } = s.requests[0];
    assert.equal(init.signal.aborted, true, "the in-flight fetch is aborted");
    assert.equal(init.signal.reason, ac.signal.reason);
  }
});

test("aborting while reading the body rejects with the reason", async () => {
  const ac = new AbortController();
  const s = scripted(() => new Response(new ReadableStream({ start() {} }), { status: 200 }));
  const pending = client(s.fetch).list({}, { signal: ac.signal });
  await s.nextRequest();
  await settle();
  ac.abort("while reading");
  assert.equal(await rejection(pending), "while reading");
});

test("aborting during a back-off wait rejects at once; no further request", async () => {
  for (const [what, reason] of reasons()) {
    const ac = new AbortController();
    // Retry-After: 100 s: if the wait were not cut short the test would time out. A
    // Response-like object tells when its body has been read; after that and a macrotask,
    // the client can only be waiting.
    const read = deferred();
    const busy = {
      status: 503,
      headers: new Headers({ "Retry-After": "100" }),
      text: async () => (read.resolve(), "{}"),
    };
    const s = scripted(busy, json(pageBody(["a"])));
    const pending = client(s.fetch, { maxRetryWaitMs: 600_000 }).list({}, { signal: ac.signal });
    await read.promise;
    await settle();
    ac.abort(reason);
    assert.equal(await rejection(pending), ac.signal.reason, what);
    assert.equal(s.requests.length, 1);
  }
});

test("aborting during a slow getToken rejects at once; nothing is sent", async () => {
  for (const [what, reason] of reasons()) {
    const ac = new AbortController();
    const asked = deferred();
    const getToken = () => {
      asked.resolve();
      return new Promise(() => {});
    };
    const s = scripted();
    const pending = new ReferralsClient({ getToken, fetch: s.fetch }).list({}, { signal: ac.signal });
    await asked.promise;
    ac.abort(reason);
    assert.equal(await rejection(pending), ac.signal.reason, what);
    assert.equal(s.requests.length, 0);
  }
});

test("an aborted page of all() can be retried: the traversal stays where it was", async () => {
  const link = "https://api.partner.microsoft.com/v1.0/referrals?$skiptoken=2";
  const ac = new AbortController();
  const s = scripted(json(pageBody(["r1"], link)), hang, json(pageBody(["r2"])));
  const c = client(s.fetch);
  const first = await c.list();
  // The same page again after an aborted attempt, with next().
  const aborted = c.next(first, { signal: ac.signal });
  await s.nextRequest();
  ac.abort("stop");
  assert.equal(await rejection(aborted), "stop");
  const second = await c.next(first);
  assert.deepEqual(second.value.map((r) => r.id), ["r2"]);
  assert.deepEqual(s.requests.map((r) => r.url), [LIST, link, link]);
});

test("a signal that is never aborted does not keep listeners after the call", async () => {
  const ac = new AbortController();
  let added = 0;
  let removed = 0;
  const signal = ac.signal;
  const add = signal.addEventListener.bind(signal);
  const remove = signal.removeEventListener.bind(signal);
  signal.addEventListener = (...args) => (added++, add(...args));
  signal.removeEventListener = (...args) => (removed++, remove(...args));
  const s = scripted(json(pageBody(["a"])), json({}, 404));
  const c = client(s.fetch);
  await c.list({}, { signal });
  await rejection(c.get("x", { signal }));
  assert.ok(added >= 2);
  assert.equal(removed, added);
});

test("a Node process that aborts mid-request, mid-wait and mid-getToken exits on its own", async () => {
  // A server that accepts requests and never answers: only the child's cleanup can end them.
  const sockets = new Set();
  const server = createServer(() => {});
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const base = `http://127.0.0.1:${server.address().port}/v1.0/`;
  const script = "abort-child.mjs";
  writeFileSync(script, `
    import { ReferralsClient } from "partner-referrals";
    const base = process.argv[2];
    async function expectAbort(label, options, reason) {
      const ac = new AbortController();
      const client = new ReferralsClient({ getToken: () => "t", baseUrl: base, timeoutMs: 600000, maxRetryWaitMs: 600000, ...options(ac, reason) });
      const outcome = await client.list({}, { signal: ac.signal }).then(() => "resolved", (e) => e);
      if (outcome !== reason) throw new Error(label + ": rejected with " + String(outcome));
    }
    // 1. the real global fetch, to a server that never answers
    await expectAbort("request", (ac, reason) => ({
      fetch: (url, init) => { const p = fetch(url, init); setTimeout(() => ac.abort(reason), 50); return p; },
    }), "stop-1");
    // 2. a 100 s Retry-After wait
    await expectAbort("wait", (ac, reason) => ({
      fetch: async () => { setTimeout(() => ac.abort(reason), 50); return new Response("", { status: 503, headers: { "Retry-After": "100" } }); },
    }), new Error("stop-2"));
    // 3. a getToken that never settles
    await expectAbort("token", (ac, reason) => ({
      getToken: () => { setTimeout(() => ac.abort(reason), 50); return new Promise(() => {}); },
    }), "stop-3");
    // 4. break out of all() while page 2 is read ahead from a server that never answers,
    //    with a time-out timer running (it must be cleared)
    const page1 = JSON.stringify({ value: [{ id: "a" }], "@odata.nextLink": base + "engagements/referrals?$skiptoken=2" });
    let sent = 0;
    const reader = new ReferralsClient({
      getToken: () => "t", baseUrl: base, timeoutMs: 600000,
      fetch: (url, init) => (++sent === 1 ? Promise.resolve(new Response(page1)) : fetch(url, init)),
    });
    for await (const r of reader.all()) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      if (sent !== 2) throw new Error("page 2 was not read ahead");
      break;
    }
    // 5. the same, ended by an abort
    const ac5 = new AbortController();
    sent = 0;
    const seen5 = [];
    const outcome5 = await (async () => {
      for await (const r of reader.all(undefined, { signal: ac5.signal })) {
        seen5.push(r.id);
        setTimeout(() => ac5.abort("stop-5"), 50);
      }
    })().then(() => "resolved", (e) => e);
    if (outcome5 !== "stop-5" || seen5.join() !== "a") throw new Error("read-ahead abort: " + String(outcome5));
    console.log("done");
  `);
  try {
    const child = spawn(process.execPath, [script, base], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    // Generous: the child needs well under a second; a leaked 100 s timer or a hanging request
    // would keep it alive far longer.
    const limit = setTimeout(() => child.kill("SIGKILL"), 30_000);
    const [code, signal] = await once(child, "exit");
    clearTimeout(limit);
    assert.equal(signal, null, `the child had to be killed: it did not exit on its own\n${out}`);
    assert.equal(code, 0, out);
    assert.equal(out.trim(), "done");
  } finally {
    for (const socket of sockets) socket.destroy();
    server.close();
  }
});

// ---- the global fetch over real HTTP ---------------------------------------------------------

test("the global fetch: headers arrive, redirects are not followed", async () => {
  const seen = [];
  const server = createServer((req, res) => {
    seen.push({ url: req.url, headers: req.headers });
    if (req.url.startsWith("/v1.0/engagements/referrals/moved")) {
      res.writeHead(302, { location: "https://evil.example.com/steal" }).end();
      return;
    }
    res.writeHead(200, { "content-type": "application/json", "request-id": "srv" });
    res.end(JSON.stringify(pageBody(["a"], `http://127.0.0.1:${server.address().port}/v1.0/referrals?$skiptoken=2`)));
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  try {
    const c = new ReferralsClient({ getToken: () => TOKEN, baseUrl: `http://127.0.0.1:${server.address().port}/v1.0`, locale: "fr-FR" });
    const page = await c.list({ top: 1 });
    assert.deepEqual(page.value.map((r) => r.id), ["a"]);
    await c.next(page);
    assert.deepEqual(seen.map((r) => r.url), ["/v1.0/engagements/referrals?$top=1", "/v1.0/referrals?$skiptoken=2"]);
    const h = seen[0].headers;
    assert.equal(h.authorization, `Bearer ${TOKEN}`);
    assert.equal(h.accept, "application/json");
    assert.equal(h["client-request-id"], h["ms-requestid"]);
    assert.match(h["ms-correlationid"], GUID);
    assert.equal(h["x-locale"], "fr-FR");
    const e = await odataError(c.get("moved"), "HttpError");
    assert.equal(e.status, 302);
    assert.equal(seen.length, 3, "the redirect was not followed");
  } finally {
    server.close();
  }
});

test("the global fetch: a refused connection is NetworkError with the reason", async () => {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const port = server.address().port;
  await new Promise((resolve) => server.close(resolve));
  const c = new ReferralsClient({ getToken: () => TOKEN, baseUrl: `http://127.0.0.1:${port}/`, maxRetries: 0 });
  const e = await odataError(c.list(), "NetworkError");
  assert.match(e.message, /ECONNREFUSED/);
});
