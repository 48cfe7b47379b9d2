// Security promises of the package (SECURITY.md), tested through the installed package:
// token confinement (nextLink, continuation tokens, ids), no redirects, never http: unless the
// base URL is http:, encoding of ids and filter values, no token in errors or console output,
// and the documented limits. A recording `fetch` sees every request; two tests use the real
// global fetch against local servers.
import { test } from "node:test";
import assert from "node:assert/strict";
import { rejection, odataError } from "./assertions.mjs";
import { once } from "node:events";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { createServer } from "node:http";
import { inspect } from "node:util";
import {
  ReferralsClient, ODataError, buildQuery, decodeReferralPage, filter, matchesFilter, respondBy, validateFilter,
} from "partner-referrals";

const BASE = "https://api.partner.microsoft.com/v1.0/";
const ORIGIN = "https://api.partner.microsoft.com";
const LIST = `${BASE}engagements/referrals`;
const TOKEN = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.SECRET-PAYLOAD-7d41c0b2e9.c2lnbmF0dXJlLXNpZ25hdHVyZQ";

// Everything the package might print during this file is captured (a final test checks it).
const consoleOutput = [];
for (const method of ["log", "info", "warn", "error", "debug", "trace", "dir", "table"]) {
  console[method] = (...args) => consoleOutput.push(`${method}: ${args.map((a) => (typeof a === "string" ? a : inspect(a, { depth: 10 }))).join(" ")}`);
}

// ---- helpers --------------------------------------------------------------------------------

const json = (body, status = 200, headers = {}) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } });
const page = (ids, nextLink) => json({ value: ids.map((id) => ({ id })), ...(nextLink !== undefined ? { "@odata.nextLink": nextLink } : {}) });

/** A fetch that records every request and answers with `respond(url, init, n)`. */
function recorder(respond = () => page([])) {
  const requests = [];
  const fetch = async (url, init) => {
    requests.push({ url: String(url), init, headers: { ...init.headers } });
    return respond(String(url), init, requests.length);
  };
  return { fetch, requests };
}

/** A client over `rec` whose getToken calls are counted. */
function clientOver(rec, options = {}) {
  const tokenCalls = [];
  const client = new ReferralsClient({
    getToken: (request) => {
      tokenCalls.push(request);
      return TOKEN;
    },
    fetch: rec.fetch,
    maxRetries: 0,
    ...options,
  });
  return { client, tokenCalls };
}

/** Every request went to `base`'s origin and scheme, with redirects off, the token only in Authorization. */
function assertConfined(requests, base = BASE, { serverPutTokenInLink = false } = {}) {
  const { origin, protocol } = new URL(base);
  for (const r of requests) {
    const url = new URL(r.url);
    assert.equal(url.origin, origin, `request left the base origin: ${r.url}`);
    assert.equal(url.protocol, protocol, `request over another scheme: ${r.url}`);
    assert.equal(url.username + url.password, "", r.url);
    assert.equal(r.init.redirect, "manual", "redirects are never followed");
    if (!serverPutTokenInLink) assert.ok(!r.url.includes(TOKEN), "the token is never in a URL");
    for (const [name, value] of Object.entries(r.headers)) {
      if (name.toLowerCase() === "authorization") assert.equal(value, `Bearer ${TOKEN}`);
      else assert.ok(!String(value).includes(TOKEN), `token in header ${name}`);
    }
  }
}

async function drain(iterable) {
  const out = [];
  for await (const item of iterable) out.push(item);
  return out;
}

/** Percent-encodes the UTF-8 bytes of `s`, all but A-Z a-z 0-9 - . _ ~ (what `get` promises). */
function strictEncode(s) {
  return [...new TextEncoder().encode(s)]
    .map((b) => (/[A-Za-z0-9\-._~]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, "0")}`))
    .join("");
}

/** Where in `texts` some 12-character piece of the token shows up, if anywhere. */
function tokenPiece(texts) {
  for (const text of texts) {
    for (let i = 0; i + 12 <= TOKEN.length; i++) {
      if (String(text).includes(TOKEN.slice(i, i + 12))) return `${TOKEN.slice(i, i + 12)} in ${String(text).slice(0, 300)}`;
    }
  }
  return undefined;
}

/** No piece of the token anywhere in the error: message, stack, JSON, properties, details, inspect. */
function assertNoToken(e, { withCause = true } = {}) {
  const texts = [String(e), e.message, e.stack, JSON.stringify(e), JSON.stringify(e.details),
    ...Object.entries(e).map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`)];
  if (withCause) texts.push(inspect(e, { depth: 10, showHidden: true }));
  const found = tokenPiece(texts);
  assert.equal(found, undefined, `token leaked: ${found}`);
}

// ---- token confinement: nextLink and continuation tokens ------------------------------------

/** Links that leave the base URL's origin (or cannot be understood) and must never be followed. */
const FOREIGN_LINKS = [
  "https://evil.example/v1.0/referrals?$skiptoken=1",
  "http://evil.example/v1.0/referrals",
  "https://api.partner.microsoft.com@evil.example/v1.0/referrals",
  "https://api.partner.microsoft.com:443@evil.example/",
  "https://user:pw@api.partner.microsoft.com/v1.0/referrals",
  "https://evil.example#@api.partner.microsoft.com/",
  "https://evil.example?@api.partner.microsoft.com/",
  "https://evil.example\\@api.partner.microsoft.com/",
  "//evil.example/v1.0/referrals",
  "///evil.example/v1.0/referrals",
  "//api.partner.microsoft.com/v1.0/referrals",
  "\\\\evil.example/v1.0/referrals",
  "/\\evil.example/v1.0/referrals",
  "\\/evil.example/",
  "https:\\\\evil.example\\v1.0",
  "https:/\\evil.example/",
  "https:evil.example/v1.0/referrals",
  "https:/evil.example/v1.0/referrals",
  "https://api.partner.microsoft.com\\@evil.example/",
  "javascript:alert(1)",
  "JaVaScRiPt:fetch('//evil.example')",
  "data:text/plain,hello",
  "file:///etc/passwd",
  "ftp://api.partner.microsoft.com/v1.0/referrals",
  "ws://api.partner.microsoft.com/v1.0/referrals",
  "https://api.partner.microsoft.com:8443/v1.0/referrals",
  "https://api.partner.microsoft.com:80/v1.0/referrals",
  "https://api.partner.microsoft.com.evil.example/v1.0/referrals",
  "https://evil.api.partner.microsoft.com/v1.0/referrals",
  "https://api.partner.microsoft.com./v1.0/referrals",
  "https://api.partner.microsoft.c\u043em/v1.0/referrals", // Cyrillic о
  "https://api\uff0epartner\uff0emicrosoft\uff0ecom/v1.0/referrals", // fullwidth dots
  "https://xn--pi-7ka.partner.microsoft.com/v1.0/referrals",
  "https://api.partner.microsoft.%63om/v1.0/referrals",
  "https://127.0.0.1/v1.0/referrals",
  "https://[::1]/v1.0/referrals",
  " https://evil.example/",
  "\thttps://api.partner.microsoft.com/v1.0/referrals",
  "https://api.partner.microsoft.com/v1.0/\nreferrals",
  "referrals?$skiptoken=1",
  "?$skiptoken=1",
  "",
];

/** Links on the base URL's origin that leave its path (`/v1.0/`), plainly or by a path trick a
 * server or `fetch` would resolve: never followed either. */
const OUTSIDE_PATH_LINKS = [
  "https://api.partner.microsoft.com/admin/anything",
  "http://api.partner.microsoft.com/admin/anything?$skiptoken=1",
  "/admin/anything",
  "https://api.partner.microsoft.com?x=1",
  "https://api.partner.microsoft.com/@evil.example/x",
  "https://api.partner.microsoft.com/v1.0",
  "/v1.0?$skiptoken=1",
  "/v1.0x/referrals",
  "/V1.0/referrals",
  "/v2.0/referrals",
  "/v1.0/../admin",
  "/v1.0/./../admin",
  "/v1.0/referrals/../../admin",
  "/v1.0/%2e%2e/admin",
  "/v1.0/%2E%2E/admin",
  "/v1.0/.%2E/admin",
  "/v1.0/%2e/../admin",
  "/v1.0/..;/admin",
  "/v1.0/%252e%252e/admin",
  "/v1.0/..%2fadmin",
  "/v1.0/x%2F..%2F..%2Fadmin",
  "/v1.0/x%5C..%5C..%5Cadmin",
  "/v1.0/..\\admin",
  "/v1.0\\..\\admin",
  "/v1.0//admin",
  "https://api.partner.microsoft.com/v1.0//../admin",
  "/%76%31%2e%30/referrals",
];

/** Same-origin links and the URL each must be requested as (over the base URL's https). */
const SAME_ORIGIN_LINKS = [
  ["http://api.partner.microsoft.com/v1.0/referrals?$skiptoken=abc", `${ORIGIN}/v1.0/referrals?$skiptoken=abc`],
  ["HTTPS://API.Partner.Microsoft.COM/v1.0/referrals?$skiptoken=abc", `${ORIGIN}/v1.0/referrals?$skiptoken=abc`],
  ["https://api.partner.microsoft.com:443/v1.0/referrals?x=1", `${ORIGIN}/v1.0/referrals?x=1`],
  ["http://api.partner.microsoft.com:80/v1.0/referrals?x=1", `${ORIGIN}/v1.0/referrals?x=1`],
  ["/v1.0/referrals?$skiptoken=abc", `${ORIGIN}/v1.0/referrals?$skiptoken=abc`],
  ["https://api.partner.microsoft.com/v1.0/@evil.example/x", `${ORIGIN}/v1.0/@evil.example/x`],
  ["https://api.partner.microsoft.com/v1.0/referrals?next=https://evil.example/&u=//evil.example", `${ORIGIN}/v1.0/referrals?next=https://evil.example/&u=//evil.example`],
  ["https://api.partner.microsoft.com/v1.0/referrals#@evil.example", `${ORIGIN}/v1.0/referrals`],
  ["https://api.partner.microsoft.com/v1.0/?x=1", `${ORIGIN}/v1.0/?x=1`],
  ["/v1.0/engagements/referrals/..x/%2E%2Ey?$skiptoken=/../..", `${ORIGIN}/v1.0/engagements/referrals/..x/%2E%2Ey?$skiptoken=/../..`],
  // The base URL's own port (443) on an http: link: still the base origin, over https.
  ["http://api.partner.microsoft.com:443/v1.0/referrals?x", `${ORIGIN}/v1.0/referrals?x`],
];

test("a nextLink or continuation token for another origin or outside the base URL's path is refused before any token is requested or anything sent", async () => {
  for (const link of [...FOREIGN_LINKS, ...OUTSIDE_PATH_LINKS]) {
    // next(page): the page a caller holds.
    let rec = recorder();
    let { client, tokenCalls } = clientOver(rec);
    await odataError(client.next({ value: [], nextLink: link }), "UnsafeNextLink").catch((e) => assert.fail(`${JSON.stringify(link)}: ${e.message}`));
    // byPage({ continuationToken }): a saved position.
    await odataError(drain(client.all().byPage({ continuationToken: link })), "UnsafeNextLink");
    assert.deepEqual(rec.requests, [], `a request was sent for ${JSON.stringify(link)}`);
    assert.deepEqual(tokenCalls, [], `a token was requested for ${JSON.stringify(link)}`);
    // all(): a server that sends the link; its page arrives, then the traversal stops.
    rec = recorder(() => page(["a"], link));
    ({ client } = clientOver(rec));
    const seen = [];
    const e = await odataError((async () => {
      for await (const r of client.all({ top: 1 })) seen.push(r.id);
    })(), "UnsafeNextLink");
    assert.deepEqual(seen, ["a"]);
    assert.deepEqual(rec.requests.map((r) => r.url), [`${LIST}?$top=1`], JSON.stringify(link));
    assertNoToken(e);
  }
});

test("a same-origin nextLink is followed on the base URL's origin and scheme (http: links go out over https:)", async () => {
  for (const [link, expected] of SAME_ORIGIN_LINKS) {
    const rec = recorder(() => page([]));
    const { client } = clientOver(rec);
    await client.next({ value: [], nextLink: link });
    await drain(client.all().byPage({ continuationToken: link }));
    const served = recorder((url, init, n) => (n === 1 ? page(["a"], link) : page(["b"])));
    const ids = [];
    for await (const r of clientOver(served).client.all()) ids.push(r.id);
    assert.deepEqual(ids, ["a", "b"]);
    assert.deepEqual(rec.requests.map((r) => r.url), [expected, expected], JSON.stringify(link));
    assert.equal(served.requests[1].url, expected);
    assertConfined([...rec.requests, ...served.requests]);
  }
});

test("an http: base URL keeps http: (local proxies), and links go to its own origin only", async () => {
  const base = "http://127.0.0.1:8080/v1.0/";
  const rec = recorder(() => page([]));
  const { client } = clientOver(rec, { baseUrl: base });
  await client.next({ value: [], nextLink: "https://127.0.0.1:8080/v1.0/referrals?$skiptoken=1" });
  await client.list();
  assert.deepEqual(rec.requests.map((r) => r.url), ["http://127.0.0.1:8080/v1.0/referrals?$skiptoken=1", "http://127.0.0.1:8080/v1.0/engagements/referrals"]);
  await odataError(client.next({ value: [], nextLink: "http://127.0.0.1:9090/v1.0/referrals" }), "UnsafeNextLink");
  await odataError(client.next({ value: [], nextLink: "http://localhost:8080/v1.0/referrals" }), "UnsafeNextLink");
  assertConfined(rec.requests, base);
});

test("a base URL with user info, a query, another scheme or a backslash is a TypeError", () => {
  for (const baseUrl of [
    "https://api.partner.microsoft.com@evil.example/v1.0/", "https://u:p@api.partner.microsoft.com/", "https://api.partner.microsoft.com/v1.0/?x=1",
    "https://api.partner.microsoft.com/v1.0/#f", "ftp://api.partner.microsoft.com/", "javascript:alert(1)", "//api.partner.microsoft.com/",
    "https:\\\\evil.example\\", "https://api.partner.microsoft.c\u043em/", "v1.0/",
  ]) {
    assert.throws(() => new ReferralsClient({ getToken: () => TOKEN, baseUrl, fetch: () => assert.fail("sent") }), TypeError, baseUrl);
  }
});

// ---- token confinement: ids ------------------------------------------------------------------

/** Ids that cannot name a referral: InvalidArgument, nothing sent, no token requested. */
const IMPOSSIBLE_IDS = [
  "\u0000", "a\r\nb", "a\nX-Injected: 1", "\u007f", "\u0085", "\t",
  "", "a/b", "/", "/evil", "../x", "..", ".", "a/../../me", "%2F", "%2f", "a%2Fb", "%2e%2e", "%2E%2e", "%2e", "%5C", "%5c",
  "a\\b", "\\", "?", "a?b=1", "#", "a#b", "https://evil.example/x", "//evil.example", "https:\\\\evil.example", "x".repeat(257),
  // Lone surrogates: not sendable as UTF-8 (they would silently become U+FFFD, another id).
  "\ud800", "a\udc00", "\ud83d-\ud83d",
];

/** Ids that are sent, each as one percent-encoded path segment. */
const ENCODED_IDS = [
  "c5fbb3b6-3bc9-4a05-b8a6-e4a3f4f1cbb4", "a b", "@evil.example", "evil.example:443", "a;b", "a&b=c", "a+b", "100%", "%252F",
  "javascript:alert(1)", "'quoted'", "(x)", "a*b!", "\uff0e\uff0e", "\uff0f", "\u2215", "\u2044", "\uff3c", "\ufe56", "\uff03",
  "\u2024\u2024", "\u2025", "e\u0301", "\u{1f642}", "\u202e", "\u00a0", "x".repeat(256),
];

test("get(id): an id with a path separator, dot segment, encoded separator, ?, #, control character or URL is InvalidArgument; nothing is sent", async () => {
  for (const id of IMPOSSIBLE_IDS) {
    const rec = recorder(() => assert.fail("sent"));
    const { client, tokenCalls } = clientOver(rec);
    const e = await odataError(client.get(id), "InvalidArgument");
    assert.equal(e.status, undefined, "no status: no request was made");
    assert.deepEqual(rec.requests, [], JSON.stringify(id));
    assert.deepEqual(tokenCalls, [], JSON.stringify(id));
  }
});

test("get(id): any other id goes out as one percent-encoded path segment on the base origin", async () => {
  for (const id of ENCODED_IDS) {
    const rec = recorder(() => json({ id }));
    const { client } = clientOver(rec);
    assert.deepEqual(await client.get(id), { id });
    assert.equal(rec.requests.length, 1);
    const { url } = rec.requests[0];
    assert.equal(url, `${LIST}/${strictEncode(id)}`, JSON.stringify(id));
    const parsed = new URL(url);
    const segments = parsed.pathname.split("/");
    assert.equal(segments.length, 5, `one segment: ${url}`);
    assert.equal(decodeURIComponent(segments[4]), id);
    assert.equal(parsed.search + parsed.hash, "");
    assertConfined(rec.requests);
  }
});

// ---- encoding of filter values ---------------------------------------------------------------

const HOSTILE_VALUES = [
  "O'Brien & Co #1+2", "a&$top=1", "x&$filter=status eq 'New'", "x#fragment", "?q=1", "100%", "%27 or 1 eq 1", "a=b", "a+b c",
  "line\nbreak", "tab\there", "\r\n\r\nX-Injected: 1", "東京", "\u{1f642}", "\u2028\u2029", "'); drop", "' or 1 eq 1 or name eq '",
  "\\", " leading and trailing ", "'", "''", "\u0000",
];

test("a template value with a lone surrogate is refused, not silently changed to U+FFFD", () => {
  for (const value of ["\ud800", "a\udfff", ["ok", "\ud83d"]]) {
    assert.throws(() => filter`customerProfile/name eq ${value}`, (e) => e instanceof ODataError && e.code === "InvalidFilter" && /lone surrogate/.test(e.message));
  }
  assert.equal(String(filter`customerProfile/name eq ${"\ud83d\ude00\ufffd"}`), "customerProfile/name eq '\ud83d\ude00\ufffd'");
});

test("filter values are encoded: the URL the fetch receives carries exactly the filter and top that were asked for", async () => {
  for (const value of HOSTILE_VALUES) {
    const typed = filter`customerProfile/name eq ${value}`;
    const canonical = `customerProfile/name eq '${value.replaceAll("'", "''")}'`;
    assert.equal(String(typed), canonical);
    for (const f of [typed, canonical]) {
      const rec = recorder();
      await clientOver(rec).client.list({ filter: f, top: 3 });
      const { url } = rec.requests[0];
      const parsed = new URL(url);
      assert.equal(parsed.origin + parsed.pathname, LIST);
      assert.deepEqual([...parsed.searchParams], [["$filter", canonical], ["$top", "3"]], url);
      assert.equal(parsed.hash, "");
      // Nothing in the raw query that a server could read as syntax or as a space.
      assert.match(parsed.search, /^\?[A-Za-z0-9\-._~%'()*!$&=/:,;@]*$/, url);
      assert.equal(url.split("&").length, 2, url);
      assert.ok(!url.includes("+") && !url.includes("#") && !url.includes(" "), url);
      assertConfined(rec.requests);
    }
  }
});

// ---- redirects -------------------------------------------------------------------------------

test("a redirect is never followed: 3xx (and an opaque redirect) are errors, one request each", async () => {
  for (const status of [301, 302, 303, 307, 308]) {
    const rec = recorder(() => new Response(null, { status, headers: { location: "https://evil.example/steal" } }));
    const { client } = clientOver(rec, { maxRetries: 3 });
    const e = await odataError(client.list(), "HttpError");
    assert.equal(e.status, status);
    const e2 = await odataError(client.get("x"), "HttpError");
    assert.equal(e2.status, status);
    assert.equal(rec.requests.length, 2);
    assertConfined(rec.requests);
  }
  // What a browser's fetch with redirect: "manual" gives: status 0, type "opaqueredirect".
  const opaque = { status: 0, type: "opaqueredirect", ok: false, headers: new Headers(), text: async () => "" };
  const rec = recorder(() => opaque);
  const e = await rejection(clientOver(rec, { maxRetries: 3 }).client.list());
  assert.ok(e instanceof ODataError && e.code !== undefined, String(e));
  assert.equal(rec.requests.length, 1);
});

test("the global fetch: a 302/307 to another origin is not followed; that origin receives nothing", async () => {
  const evilSeen = [];
  const evil = createServer((req, res) => {
    evilSeen.push({ url: req.url, authorization: req.headers.authorization });
    res.end("{}");
  });
  evil.listen(0, "127.0.0.1");
  await once(evil, "listening");
  const evilUrl = `http://localhost:${evil.address().port}/steal`;
  const apiSeen = [];
  const api = createServer((req, res) => {
    apiSeen.push(req.url);
    res.writeHead(req.url.includes("/x307") ? 307 : 302, { location: evilUrl }).end();
  });
  api.listen(0, "127.0.0.1");
  await once(api, "listening");
  try {
    const client = new ReferralsClient({ getToken: () => TOKEN, baseUrl: `http://127.0.0.1:${api.address().port}/v1.0/`, maxRetries: 2 });
    assert.equal((await odataError(client.list(), "HttpError")).status, 302);
    assert.equal((await odataError(client.get("x307"), "HttpError")).status, 307);
    assert.equal(apiSeen.length, 2);
    assert.deepEqual(evilSeen, []);
  } finally {
    api.close();
    evil.close();
  }
});

// ---- no token in errors ----------------------------------------------------------------------

const serverPage = (next) => page(["a"], next);

/** Failures that put the token in front of the client; none may carry it out in an error. */
const LEAKY_FAILURES = {
  "401 twice, the server echoing the token": () => json({ error: { code: TOKEN, message: `Bearer ${TOKEN} is not valid` } }, 401, { "request-id": TOKEN, "www-authenticate": `Bearer error="${TOKEN}"` }),
  "403 echoing the token in a nested body": () => json({ error: { code: "accessDenied", message: "no", innerError: { token: TOKEN, list: [TOKEN] } } }, 403),
  "500 with an HTML page holding the token": () => new Response(`<html>${"x".repeat(4090)}${TOKEN}</html>`, { status: 500 }),
  "500 with the token cut by the 4 KiB details limit": () => new Response(`${"x".repeat(4080)}${TOKEN}`, { status: 500 }),
  "429 with the token in Retry-After": () => new Response(TOKEN, { status: 429, headers: { "retry-after": TOKEN } }),
  "a flat error body with the token": () => json({ code: TOKEN, description: TOKEN }, 400),
  "a 2xx body that is not a page, quoting the token": () => new Response(`{"value": "${TOKEN}"`, { status: 200 }),
  "a 2xx page with the token where a date belongs (quoted cut short)": () => json({ value: [{ id: "a", createdDateTime: TOKEN }] }),
  "a 2xx page with the token as a property name": () => json({ value: [{ id: "a", [TOKEN]: 1, createdDateTime: 5 }] }),
  "fetch rejects with the token in the message": () => { throw new TypeError(`fetch failed: ${TOKEN}`); },
  "fetch rejects with the token at the 512-character limit": () => { throw new Error(`${"x".repeat(505)}${TOKEN}`); },
  "fetch rejects with the token as a string": () => Promise.reject(TOKEN),
  "fetch rejects with the token in the cause": () => { throw new TypeError("fetch failed", { cause: new Error(TOKEN) }); },
  "fetch resolves to something that is not a Response": () => ({ toString: () => TOKEN }),
  "a server nextLink to another host carrying the token": () => serverPage(`https://evil.example/?access_token=${TOKEN}`),
  "a server nextLink to another host with the token in the path": () => serverPage(`https://evil.example/${TOKEN}/x`),
  "a server nextLink that loops, carrying the token": () => serverPage(`${BASE}engagements/referrals?t=${TOKEN}`),
};

test("the token never appears in an error: message, stack, JSON, properties, details", async () => {
  for (const [label, respond] of Object.entries(LEAKY_FAILURES)) {
    for (const run of [(c) => c.list(), (c) => c.get("x"), (c) => drain(c.all())]) {
      let n = 0;
      const rec = recorder(async (url, init) => {
        n += 1;
        if (n === 1 && label.includes("loops")) return serverPage(`${BASE}engagements/referrals?t=${TOKEN}&$top=1`);
        return respond(url, init);
      });
      const { client } = clientOver(rec);
      let e;
      try {
        await run(client);
        continue; // a get/list of a page whose only problem is its nextLink succeeds
      } catch (error) {
        e = error;
      }
      assert.ok(e instanceof ODataError, `${label}: ${e?.stack ?? String(e)}`);
      assertNoToken(e);
      // A server that puts the token in a same-origin link gets it back in that URL; only there.
      assertConfined(rec.requests, BASE, { serverPutTokenInLink: label.includes("loops") });
    }
  }
});

test("the token never appears in a TokenError, whatever getToken returns or throws", async () => {
  const cases = [
    [() => `${TOKEN}\nX-Injected: 1`, true], [() => `Bearer ${TOKEN}`, true], [() => `${TOKEN}\u00e9`, true],
    [() => ({ accessToken: TOKEN }), true], [() => ({ toString: () => TOKEN }), true], [() => [TOKEN], true],
    [() => Promise.resolve({ accessToken: TOKEN, expiresOn: new Date() }), true],
    [() => { throw TOKEN; }, true], [() => Promise.reject(TOKEN), true],
    // A thrown object is kept as the error's cause (it is the caller's own error): checked without it.
    [() => { throw new Error(`interaction required for ${TOKEN}`); }, false],
    [() => { const e = new Error("x"); e.name = TOKEN; throw e; }, false],
  ];
  for (const [getToken, withCause] of cases) {
    const rec = recorder(() => page([]));
    const client = new ReferralsClient({ getToken, fetch: rec.fetch });
    const e = await odataError(client.list(), "TokenError");
    assertNoToken(e, { withCause });
    assert.deepEqual(rec.requests, []);
  }
});

// ---- hostile servers on loopback: echoes in every form ---------------------------------------

/** Tokens with what escaping changes: `/`, `+`, `=`, and a `.`-separated JWT-like shape. */
const FIRST_TOKEN = "eyJhbGciOi/first+TOKEN/a1b2c3==.sig+/nature";
const SECOND_TOKEN = "eyJhbGciOi/second+TOKEN/d4e5f6==.sig+/nature";

const hex4 = (c, upper) => {
  const h = c.charCodeAt(0).toString(16).padStart(4, "0");
  return `\\u${upper ? h.toUpperCase() : h}`;
};

/** How a server may write a token into JSON text (each result is the content of a JSON string). */
const JSON_ECHOES = {
  raw: (t) => t,
  "PHP's \\/": (t) => t.replaceAll("/", "\\/"),
  ".NET's \\u002B": (t) => t.replace(/[+<>&']/g, (c) => hex4(c, true)),
  "every character \\uxxxx": (t) => [...t].map((c) => hex4(c, false)).join(""),
  "every character \\uXXXX": (t) => [...t].map((c) => hex4(c, true)).join(""),
  "every other character \\u": (t) => [...t].map((c, i) => (i % 2 ? hex4(c, i % 4 === 1) : c)).join(""),
  "percent-encoded": (t) => encodeURIComponent(t),
  "percent-encoded, lower-case hex": (t) => encodeURIComponent(t).replace(/%[0-9A-F]{2}/g, (e) => e.toLowerCase()),
  "percent-encoded twice": (t) => encodeURIComponent(encodeURIComponent(t)),
  "lower-cased": (t) => t.toLowerCase(),
  "upper-cased, \\/": (t) => t.toUpperCase().replaceAll("/", "\\/"),
};

/** Every way `text` could show `token`: as is, lower-cased, JSON- and percent-decoded. */
function showsToken(text, token) {
  let level = String(text);
  for (let i = 0; i < 4; i++) {
    const lower = level.toLowerCase();
    for (let at = 0; at + 12 <= token.length; at++) {
      if (lower.includes(token.slice(at, at + 12).toLowerCase())) return true;
    }
    let next = level.replace(/\\u([0-9a-fA-F]{4})/g, (_, h) => String.fromCharCode(parseInt(h, 16))).replace(/\\\//g, "/");
    next = next.replace(/(%[0-9a-fA-F]{2})+/g, (run) => {
      try {
        return decodeURIComponent(run);
      } catch {
        return run;
      }
    });
    if (next === level) break;
    level = next;
  }
  return false;
}

/** Everything reachable from `e`, its hidden `cause` included. */
function reachableTexts(e) {
  return [String(e), e.message, e.stack, JSON.stringify(e), JSON.stringify(e.details), e.requestId, e.serverCode,
    inspect(e, { depth: 10, showHidden: true }), ...Object.entries(e).map(([k, v]) => `${k}=${JSON.stringify(v)}`),
    e.cause?.message, e.cause?.stack, e.cause && JSON.stringify(e.cause)];
}

function assertNoTokenForm(e, tokens, label) {
  for (const text of reachableTexts(e)) {
    if (text === undefined) continue;
    for (const token of tokens) assert.ok(!showsToken(text, token), `${label}: a token in ${String(text).slice(0, 400)}`);
  }
}

/** A loopback server: `handle(req, res, n)` answers; `seen` records every request. */
async function loopback(handle) {
  const seen = [];
  const server = createServer((req, res) => {
    seen.push({ url: req.url, authorization: req.headers.authorization });
    handle(req, res, seen.length);
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return { server, seen, base: `http://127.0.0.1:${server.address().port}/v1.0/` };
}

/** getToken: the first token for the first call, the second one after. */
function twoTokens() {
  let calls = 0;
  return () => (calls++ === 0 ? FIRST_TOKEN : SECOND_TOKEN);
}

test("a real server echoing this call's token and an earlier call's, in every JSON escape form, as values, keys and headers: no form of either reaches the error", async () => {
  for (const [label, form] of Object.entries(JSON_ECHOES)) {
    const { server, seen, base } = await loopback((req, res, n) => {
      if (n === 1) return res.writeHead(200, { "content-type": "application/json" }).end('{"value":[]}');
      const current = req.headers.authorization.slice("Bearer ".length);
      const body = `{"error":{"code":"InvalidAuthenticationToken","message":"token ${form(current)} expired; ` +
        `earlier ${form(FIRST_TOKEN)}","target":"${form(FIRST_TOKEN)}","innerError":{"${form(current)}":"as a key",` +
        `"date":"2024-05-01"}},"${form(FIRST_TOKEN)}":[1,"${form(current)}"]}`;
      JSON.parse(body); // the server's body is valid JSON
      res.writeHead(400, {
        "content-type": "application/json",
        "request-id": `req ${encodeURIComponent(current).toLowerCase()}`,
        "www-authenticate": `Bearer error="invalid_token", token="${current}"`,
      }).end(body);
    });
    try {
      const client = new ReferralsClient({ getToken: twoTokens(), baseUrl: base, maxRetries: 0 });
      await client.list();
      const e = await odataError(client.get("c5fbb3b6-3bc9-4a05-b8a6-e4a3f4f1cbb4"), "HttpError");
      assert.equal(seen[1].authorization, `Bearer ${SECOND_TOKEN}`);
      assertNoTokenForm(e, [FIRST_TOKEN, SECOND_TOKEN], label);
      // Only the token changed: the code, the other keys and values are as the server sent them.
      assert.equal(e.status, 400);
      assert.equal(e.serverCode, "InvalidAuthenticationToken");
      assert.equal(e.details.error.innerError["[redacted]"], "as a key");
      assert.equal(e.details.error.innerError.date, "2024-05-01");
      assert.equal(e.details.error.target, "[redacted]");
      assert.deepEqual(e.details["[redacted]"], [1, "[redacted]"]);
      assert.equal(e.details.error.message, "token [redacted] expired; earlier [redacted]");
      assert.equal(e.requestId, "req [redacted]");
      assert.match(e.message, /status 400 \(`InvalidAuthenticationToken`: token \[redacted\] expired; earlier \[redacted\]\)/);
    } finally {
      server.close();
    }
  }
});

test("a real server: a page the decoder refuses, a nextLink to another host and a body that is not JSON echoing a token: no form reaches the error", async () => {
  const replies = [
    (t) => [200, `{"value":[{"id":"a","createdDateTime":"${JSON_ECHOES["PHP's \\/"](t)}"}]}`, "InvalidResponse"],
    (t) => [200, `{"value":[],"@odata.nextLink":"https://evil.example/next?t=${encodeURIComponent(t)}"}`, "UnsafeNextLink"],
    (t) => [502, `<html><body>Bad gateway for Bearer ${t.replaceAll("+", "&#43;")}</body></html>`, "HttpError"],
    (t) => [500, `upstream said: ${encodeURIComponent(t)}`, "HttpError"],
  ];
  for (const reply of replies) {
    const { server, base } = await loopback((req, res, n) => {
      if (n === 1) return res.writeHead(200, { "content-type": "application/json" }).end('{"value":[]}');
      const [status, body] = reply(req.headers.authorization.slice("Bearer ".length));
      res.writeHead(status).end(body);
    });
    try {
      const client = new ReferralsClient({ getToken: twoTokens(), baseUrl: base, maxRetries: 0 });
      await client.list();
      const [, , code] = reply(SECOND_TOKEN);
      const e = await odataError(drain(client.all()), code);
      assertNoTokenForm(e, [FIRST_TOKEN, SECOND_TOKEN], code);
    } finally {
      server.close();
    }
  }
});

test("a getToken failure whose error quotes a token this client used: the cause keeps its class and fields, without the token", async () => {
  class InteractionRequiredAuthError extends Error {
    constructor(message) {
      super(message);
      this.name = "InteractionRequiredAuthError";
      this.errorCode = "interaction_required";
      this.errorMessage = `refresh of ${JSON_ECHOES["every character \\uXXXX"](FIRST_TOKEN)} failed`;
      this.request = { scopes: ["https://api.partner.microsoft.com/.default"], previous: encodeURIComponent(FIRST_TOKEN) };
    }
  }
  const { server, base } = await loopback((req, res) => res.writeHead(200, { "content-type": "application/json" }).end('{"value":[]}'));
  try {
    let calls = 0;
    const getToken = () => {
      if (calls++ === 0) return FIRST_TOKEN;
      throw new InteractionRequiredAuthError(`token ${FIRST_TOKEN} expired`);
    };
    const client = new ReferralsClient({ getToken, baseUrl: base, maxRetries: 0 });
    await client.list();
    const e = await odataError(client.list(), "TokenError");
    assert.ok(e.cause instanceof InteractionRequiredAuthError, "the cause keeps its class");
    assert.equal(e.cause.errorCode, "interaction_required");
    assert.equal(e.cause.message, "token [redacted] expired");
    assert.equal(e.cause.errorMessage, "refresh of [redacted] failed");
    assert.deepEqual(e.cause.request, { scopes: ["https://api.partner.microsoft.com/.default"], previous: "[redacted]" });
    assert.ok(!Object.keys(e).includes("cause"), "the cause stays out of JSON.stringify");
    assertNoTokenForm(e, [FIRST_TOKEN], "cause");
    // A cause without a token is handed over as it is.
    const plain = new Error("offline");
    const c2 = new ReferralsClient({ getToken: () => { throw plain; }, baseUrl: base });
    assert.equal((await odataError(c2.list(), "TokenError")).cause, plain);
  } finally {
    server.close();
  }
});

test("a real server: a nextLink on the same origin outside /v1.0/ is refused, the server never sees it", async () => {
  for (const link of ["/admin/anything", "/v1.0/../admin/anything", "/v1.0/%2e%2e/admin/anything", "/v1.0x/admin", "/v1.0//admin"]) {
    const { server, seen, base } = await loopback((req, res) =>
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ value: [{ id: "a" }], "@odata.nextLink": new URL(link, base).origin + link })));
    try {
      const client = new ReferralsClient({ getToken: () => TOKEN, baseUrl: base, maxRetries: 0 });
      const ids = [];
      const e = await odataError((async () => {
        for await (const r of client.all()) ids.push(r.id);
      })(), "UnsafeNextLink");
      assert.deepEqual(ids, ["a"]);
      assert.deepEqual(seen.map((r) => r.url), ["/v1.0/engagements/referrals"], link);
      assert.match(e.message, /not under the base URL's path|dot segment|empty segment/);
    } finally {
      server.close();
    }
  }
});

test("get(id) refuses an answer about another referral (InvalidResponse); the same GUID in other case is accepted", async () => {
  const asked = "c5fbb3b6-3bc9-4a05-b8a6-e4a3f4f1cbb4";
  for (const [served, code] of [["0b7e3c52-5f0a-4d0e-9a51-3f6e1f2b8c11", "InvalidResponse"], [asked.toUpperCase(), undefined], ["", "InvalidResponse"]]) {
    const rec = recorder(() => json({ id: served, status: "New" }));
    const { client } = clientOver(rec);
    if (code === undefined) {
      assert.equal((await client.get(asked)).id, served);
    } else {
      const e = await odataError(client.get(asked), code);
      assert.equal(e.status, 200);
      assert.equal(e.path, "/id");
    }
  }
});

test("caller input that cannot be sent is InvalidArgument (a locale: TypeError at construction); nothing is sent", async () => {
  const rec = recorder(() => page([]));
  const { client, tokenCalls } = clientOver(rec);
  for (const correlationId of ["a\r\nX-Injected: 1", "a\nb", "", " x", "\u0000", "é", "x".repeat(257)]) {
    for (const call of [() => client.list({}, { correlationId }), () => client.get("x", { correlationId }), () => drain(client.all({}, { correlationId }))]) {
      const e = await odataError(call(), "InvalidArgument");
      assert.equal(e.status, undefined);
      assert.match(e.message, /correlationId/);
    }
  }
  for (const locale of ["en\r\nX-Injected: 1", "", "é"]) {
    assert.throws(() => new ReferralsClient({ getToken: () => TOKEN, fetch: rec.fetch, locale }), TypeError);
  }
  assert.deepEqual(rec.requests, []);
  assert.deepEqual(tokenCalls, []);
});

// ---- limits ----------------------------------------------------------------------------------

test("limit: a filter of at most 256 Ki UTF-16 code units", async () => {
  const MAX = 256 * 1024;
  const withLength = (n, fill = "x") => {
    const prefix = "customerProfile/name eq '";
    let body = fill.repeat(Math.floor((n - prefix.length - 1) / fill.length));
    body += "x".repeat(n - prefix.length - 1 - body.length);
    return `${prefix}${body}'`;
  };
  for (const fill of ["x", "\u{1f642}", "é"]) {
    const atLimit = withLength(MAX, fill);
    assert.equal(atLimit.length, MAX);
    assert.equal(validateFilter(atLimit).canonical, atLimit);
    const over = withLength(MAX + 1, fill);
    assert.equal(over.length, MAX + 1);
    assert.throws(() => validateFilter(over), (e) => e instanceof ODataError && e.code === "InvalidFilter");
    assert.throws(() => buildQuery({ filter: over }), (e) => e.code === "InvalidFilter");
    assert.throws(() => matchesFilter(over, {}), (e) => e.code === "InvalidFilter");
  }
  const rec = recorder();
  await odataError(clientOver(rec).client.list({ filter: withLength(MAX + 1) }), "InvalidFilter");
  assert.deepEqual(rec.requests, []);
});

test("limit: nesting depth 64; deeper input is an InvalidFilter error, never a crash", () => {
  const deepestAccepted = (build) => {
    for (let n = 1; n < 200; n++) {
      try {
        validateFilter(build(n));
      } catch (e) {
        assert.equal(e.code, "InvalidFilter");
        assert.match(e.message, /nests deeper than 64 levels/);
        return n - 1;
      }
    }
    assert.fail("no depth limit");
  };
  // 64 parser levels: a comparison in parentheses uses 3 of them, `not (…)` 4, a sign 0.
  assert.equal(deepestAccepted((n) => `${"(".repeat(n)}status eq 'New'${")".repeat(n)}`), 61);
  assert.equal(deepestAccepted((n) => `${"not ".repeat(n)}(status eq 'New')`), 60);
  assert.equal(deepestAccepted((n) => `${"-".repeat(n)}1 eq 1`), 64);
  for (const text of [`${"(".repeat(10_000)}true${")".repeat(10_000)}`, "not ".repeat(10_000), `${"-".repeat(100_000)}1 eq 1`, "(".repeat(300_000)]) {
    assert.throws(() => validateFilter(text), (e) => e instanceof ODataError && e.code === "InvalidFilter");
    assert.throws(() => matchesFilter(text, {}), (e) => e instanceof ODataError && e.code === "InvalidFilter");
  }
});

test("limit: $top is a positive integer up to 2^31 - 1", async () => {
  assert.equal(buildQuery({ top: 1 }), "$top=1");
  assert.equal(buildQuery({ top: 2 ** 31 - 1 }), `$top=${2 ** 31 - 1}`);
  for (const top of [0, -1, 1.5, 2 ** 31, NaN, Infinity, -Infinity, Number.MAX_SAFE_INTEGER + 2]) {
    assert.throws(() => buildQuery({ top }), (e) => e instanceof ODataError && e.code === "InvalidTop", String(top));
    const rec = recorder();
    await odataError(clientOver(rec).client.list({ top }), "InvalidTop");
    assert.deepEqual(rec.requests, []);
  }
});

test("limit: ids of at most 256 characters", async () => {
  const rec = recorder(() => json({ id: "x".repeat(256) }));
  const { client } = clientOver(rec);
  await client.get("x".repeat(256));
  await odataError(client.get("x".repeat(257)), "InvalidArgument");
  await odataError(client.get("x".repeat(1_000_000)), "InvalidArgument");
  assert.equal(rec.requests.length, 1);
});

test("limit: maxRetries is capped at 10 (at most 11 sends), whatever is asked", async () => {
  for (const maxRetries of [10, 11, 1e9]) {
    const rec = recorder(() => new Response("", { status: 429, headers: { "retry-after": "0" } }));
    const e = await odataError(clientOver(rec, { maxRetries }).client.list(), "Throttled");
    assert.equal(rec.requests.length, 11, String(maxRetries));
    assert.equal(e.retryAfterMs, 0);
  }
});

test("limit: a Retry-After over 120 s is not waited out; the error says how long", async () => {
  const inAMinute = (s) => new Date(Date.now() + s * 1000).toUTCString();
  for (const [status, retryAfter, code] of [[429, "121", "Throttled"], [503, "3600", "HttpError"], [504, "121", "HttpError"], [429, inAMinute(600), "Throttled"]]) {
    const rec = recorder(() => new Response("", { status, headers: { "retry-after": retryAfter } }));
    const e = await odataError(clientOver(rec, { maxRetries: 3 }).client.list(), code);
    assert.equal(rec.requests.length, 1, `${status} ${retryAfter}`);
    assert.ok(e.retryAfterMs > 120_000, String(e.retryAfterMs));
  }
  // 120 s exactly is waited out (with a total wait budget above it): the call is still
  // waiting, with no second request, until aborted.
  const rec = recorder(() => new Response("", { status: 429, headers: { "retry-after": "120" } }));
  const ac = new AbortController();
  const call = clientOver(rec, { maxRetries: 3, maxRetryWaitMs: 600_000 }).client.list({}, { signal: ac.signal });
  let settled = false;
  call.then(() => (settled = true), () => (settled = true));
  for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
  assert.equal(rec.requests.length, 1);
  assert.equal(settled, false, "a 120 s Retry-After is waited out");
  const reason = new Error("stop");
  ac.abort(reason);
  assert.equal(await rejection(call), reason);
  assert.equal(rec.requests.length, 1);
});

test("limit: a traversal stops after 10 000 pages with InvalidResponse; its last page's nextLink resumes it", async () => {
  const rec = recorder((url) => {
    const n = Number(new URL(url).searchParams.get("p") ?? 0);
    return page([`r${n}`], `${BASE}referrals?p=${n + 1}`);
  });
  const { client } = clientOver(rec);
  let pages = 0;
  let last;
  const e = await odataError((async () => {
    for await (const p of client.all().byPage()) {
      pages += 1;
      last = p;
    }
  })(), "InvalidResponse");
  assert.equal(pages, 10_000);
  assert.equal(rec.requests.length, 10_000);
  assert.match(e.message, /10000|10 000|10,000/);
  assert.equal(last.value[0].id, "r9999");
  const more = [];
  for await (const p of client.all().byPage({ continuationToken: last.nextLink })) {
    more.push(p.value[0].id);
    if (more.length === 2) break;
  }
  assert.deepEqual(more, ["r10000", "r10001"]);
});

// ---- no traps on input -----------------------------------------------------------------------

test("hostile input gives ODataError or TypeError, never a wasm trap; the module keeps working", async () => {
  const cyclic = { id: "x", status: "New" };
  cyclic.self = cyclic;
  let deep = {};
  for (let i = 0; i < 100_000; i++) deep = { a: deep };
  let deepArray = ["x"];
  for (let i = 0; i < 100_000; i++) deepArray = [deepArray];
  const calls = [
    () => validateFilter("(".repeat(100_000)),
    () => validateFilter("\u0000\uffff\ud800"),
    () => validateFilter(42),
    () => filter`status in ${deepArray}`,
    () => filter`status eq ${{ toString: () => "New" }}`,
    () => filter`status eq ${Symbol("x")}`,
    () => matchesFilter("status eq 'New'", cyclic),
    () => matchesFilter("status eq 'New'", { x: deep }),
    () => matchesFilter("status eq 'New'", new Proxy({}, { ownKeys() { throw new Error("trap"); } })),
    () => respondBy({ x: deep }),
    () => respondBy(null),
    () => decodeReferralPage("[".repeat(1_000_000)),
    () => decodeReferralPage(`{"value":[{"id":"a","x":${"[".repeat(100_000)}${"]".repeat(100_000)}}]}`),
    () => decodeReferralPage(`{"value":[{"id":"a","n":1e999999}]}`),
    () => decodeReferralPage("\ud800"),
    () => buildQuery({ select: ["id", "id", "*"], orderBy: "createdDateTime sideways" }),
    () => buildQuery(cyclic),
  ];
  for (const call of calls) {
    try {
      call();
    } catch (e) {
      assert.ok(e instanceof ODataError || e instanceof TypeError, `${call}: ${e?.constructor?.name}: ${e?.message}`);
    }
  }
  const rec = recorder(() => page([]));
  const { client } = clientOver(rec);
  assert.equal(await client.next(cyclic), undefined, "a page without nextLink is the last");
  for (const arg of [{ nextLink: deep }, { nextLink: cyclic }, null, 42]) {
    const e = await rejection(client.next(arg));
    assert.ok(e instanceof ODataError || e instanceof TypeError, String(e));
  }
  assert.equal(validateFilter("status eq 'New'").canonical, "status eq 'New'");
  assert.deepEqual((await client.list()).value, []);
});

// ---- supply chain ----------------------------------------------------------------------------

test("supply chain: the installed package has no dependencies and no install scripts", () => {
  const manifest = JSON.parse(readFileSync(createRequire(import.meta.url).resolve("partner-referrals/package.json"), "utf8"));
  for (const field of ["dependencies", "optionalDependencies", "peerDependencies", "bundleDependencies", "bundledDependencies"]) {
    assert.equal(manifest[field], undefined, field);
  }
  for (const script of ["preinstall", "install", "postinstall", "prepare"]) {
    assert.equal(manifest.scripts?.[script], undefined, script);
  }
});

// ---- console ---------------------------------------------------------------------------------

test("nothing was printed to the console during these tests (so no token either)", () => {
  assert.equal(tokenPiece(consoleOutput), undefined);
  assert.deepEqual(consoleOutput, []);
});
