// Hostile or broken servers on loopback (Node's http server, real sockets, Node's global fetch):
// what a server sends cannot make a call eat memory or run longer than its options allow.
//   - bodies: a 1 GB gzip bomb, a 200 MB plain error body, a Content-Length over the limit, an
//     oversized 503: InvalidResponse at once, one request, memory back where it was;
//   - time: a body that trickles one byte at a time, a getToken that never settles, a long
//     Retry-After and repeated short ones against the total wait budget.
// Limits and time-outs are small here so that every test ends within a few seconds; no test
// asserts a duration (a call that ignored its bound would hang until the runner's time-out).
import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { once } from "node:events";
import { Readable } from "node:stream";
import { createGzip, gzipSync } from "node:zlib";
import v8 from "node:v8";
import vm from "node:vm";
import { ReferralsClient, ODataError } from "partner-referrals";

v8.setFlagsFromString("--expose-gc");
const gc = vm.runInNewContext("gc");

// The glue's wasm exports (its `initSync` hands back the instance the package already made):
// their one `WebAssembly.Memory` (under a short name, see scripts/shorten-names.mjs) is the
// module's linear memory, which never shrinks once grown.
const glue = await import(new URL("./partner_referrals.js", import.meta.resolve("partner-referrals")));
const wasmMemory = Object.values(glue.initSync({ module: new Uint8Array() })).find(
  (value) => value instanceof WebAssembly.Memory,
);
assert.ok(wasmMemory, "the module exports its memory");

const TOKEN = "limits-token";

/**
 * A loopback server: `handle(req, res)` answers; `requests` counts requests, `unfinished` the
 * responses neither finished nor closed by the client. `close()` ends everything.
 */
async function serve(handle) {
  const responses = new Set();
  const server = createServer((req, res) => {
    state.requests += 1;
    responses.add(res);
    res.on("close", () => responses.delete(res));
    handle(req, res);
  });
  const state = {
    requests: 0,
    get unfinished() {
      return responses.size;
    },
    async close() {
      server.closeAllConnections();
      server.close();
      await once(server, "close");
    },
  };
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  state.base = `http://127.0.0.1:${server.address().port}/v1.0/`;
  return state;
}

/** Streams `total` bytes of `fill` (64 KiB at a time, as the client reads), gzipped or not. */
function stream(res, { total, fill = 0x20, gzip = false, produced }) {
  const chunk = Buffer.alloc(64 * 1024, fill);
  let sent = 0;
  const source = new Readable({
    read() {
      if (sent >= total) return this.push(null);
      sent += chunk.length;
      produced.bytes += chunk.length;
      this.push(chunk);
    },
  });
  res.on("close", () => source.destroy());
  (gzip ? source.pipe(createGzip({ level: 1 })) : source).pipe(res);
}

/** RSS and wasm memory after a full collection. */
async function memory() {
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return { rss: process.memoryUsage().rss, wasm: wasmMemory.buffer.byteLength };
}

async function odataError(promise, code) {
  const e = await promise.then(
    () => assert.fail(`resolved; expected ${code}`),
    (e) => e,
  );
  assert.ok(e instanceof ODataError, `not an ODataError: ${e?.stack ?? e}`);
  assert.equal(e.code, code, e.message);
  assert.ok(e.message.length < 4096, `a message of ${e.message.length} characters`);
  return e;
}

const MB = 1024 * 1024;
// How much RSS may differ after a cut-off read: far below the 32 MiB the read stops at (a kept
// body would exceed it), and above what the allocator and the collector leave behind on a
// loaded machine (up to 11 MiB measured while other builds and suites ran beside).
const RSS_SLACK = 16 * MB;
const page = (ids) => JSON.stringify({ value: ids.map((id) => ({ id, customerProfile: { name: "Contoso ☕ 🚀" } })) });

test("a 1 GB gzip bomb: InvalidResponse after maxResponseBytes, one request, RSS and wasm memory back where they were", async () => {
  const produced = { bytes: 0 };
  const server = await serve((req, res) => {
    res.writeHead(200, { "content-type": "application/json", "content-encoding": "gzip" });
    stream(res, { total: 1024 * MB, gzip: true, produced });
  });
  try {
    // The default limit (32 MiB): warm up once (first-call allocations), then measure.
    const client = new ReferralsClient({ getToken: () => TOKEN, baseUrl: server.base });
    await odataError(client.list(), "InvalidResponse");
    const before = await memory();
    server.requests = 0;
    produced.bytes = 0;
    const e = await odataError(client.list(), "InvalidResponse");
    const after = await memory();
    assert.equal(e.status, 200);
    assert.match(e.message, /larger than maxResponseBytes \(33554432 bytes\)/);
    assert.equal(server.requests, 1, "not retried");
    assert.ok(produced.bytes < 512 * MB, `the read went on: ${produced.bytes} bytes inflated`);
    assert.equal(server.unfinished, 0, "the cut-off read closed the response");
    assert.equal(after.wasm, before.wasm, "wasm memory did not grow");
    assert.ok(after.rss - before.rss < RSS_SLACK, `RSS grew by ${((after.rss - before.rss) / MB).toFixed(1)} MiB`);
  } finally {
    await server.close();
  }
});

test("a 200 MB plain error body: InvalidResponse at the error-body limit, the status kept, memory unchanged", async () => {
  const produced = { bytes: 0 };
  const server = await serve((req, res) => {
    res.writeHead(500, { "content-type": "text/plain" });
    stream(res, { total: 200 * MB, fill: 0x78, produced });
  });
  try {
    const client = new ReferralsClient({ getToken: () => TOKEN, baseUrl: server.base });
    await odataError(client.list(), "InvalidResponse");
    const before = await memory();
    server.requests = 0;
    produced.bytes = 0;
    const e = await odataError(client.list(), "InvalidResponse");
    const after = await memory();
    assert.equal(e.status, 500);
    assert.match(e.message, /status 500 and an error body larger than 65536 bytes/);
    assert.equal(server.requests, 1);
    assert.ok(produced.bytes < 100 * MB, `the read went on: ${produced.bytes} bytes sent`);
    assert.equal(after.wasm, before.wasm, "wasm memory did not grow");
    assert.ok(after.rss - before.rss < RSS_SLACK, `RSS grew by ${((after.rss - before.rss) / MB).toFixed(1)} MiB`);
  } finally {
    await server.close();
  }
});

test("an oversized body is not retried, not even for a 503; maxResponseBytes applies to pages, gzipped or not", async () => {
  const body = page(Array.from({ length: 300 }, (_, i) => `r${i}`));
  const server = await serve((req, res) => {
    if (req.url.includes("busy")) {
      res.writeHead(503, { "retry-after": "0" });
      return res.end("x".repeat(100_000));
    }
    if (req.url.includes("gzip")) {
      res.writeHead(200, { "content-encoding": "gzip" });
      return res.end(gzipSync(body));
    }
    res.end(body);
  });
  try {
    const bytes = Buffer.byteLength(body);
    const options = { getToken: () => TOKEN, maxRetries: 5 };
    const busy = new ReferralsClient({ ...options, baseUrl: server.base + "busy/" });
    assert.equal((await odataError(busy.list(), "InvalidResponse")).status, 503);
    assert.equal(server.requests, 1, "a 503 with a body over the limit is not retried");
    for (const path of ["", "gzip/"]) {
      // Exactly the limit is read; one byte less of limit fails, counted after decompression.
      const exact = new ReferralsClient({ ...options, baseUrl: server.base + path, maxResponseBytes: bytes });
      assert.equal((await exact.list()).value.length, 300);
      assert.equal((await exact.list()).value[299].customerProfile.name, "Contoso ☕ 🚀");
      const under = new ReferralsClient({ ...options, baseUrl: server.base + path, maxResponseBytes: bytes - 1 });
      server.requests = 0;
      const e = await odataError(under.list(), "InvalidResponse");
      assert.match(e.message, new RegExp(`maxResponseBytes \\(${bytes - 1} bytes\\)`));
      assert.equal(server.requests, 1, path);
    }
  } finally {
    await server.close();
  }
});

test("a Content-Length over the limit fails before the body is read", async () => {
  // The body never comes: only a failure before reading ends the call (else: Timeout).
  const server = await serve((req, res) => {
    res.writeHead(200, { "content-length": String(2 * MB) });
    res.flushHeaders();
  });
  try {
    const client = new ReferralsClient({ getToken: () => TOKEN, baseUrl: server.base, maxResponseBytes: MB, timeoutMs: 60_000 });
    const e = await odataError(client.list(), "InvalidResponse");
    assert.equal(e.status, 200);
    assert.equal(server.requests, 1);
  } finally {
    await server.close();
  }
});

test("a body that trickles one byte at a time is cut off by timeoutMs, retried, then Timeout; no response is left open", async () => {
  const timers = new Set();
  const server = await serve((req, res) => {
    res.writeHead(200, { "content-type": "application/json" });
    res.write("{");
    const timer = setInterval(() => res.write(" "), 20);
    timers.add(timer);
    res.on("close", () => clearInterval(timer));
  });
  try {
    const client = new ReferralsClient({ getToken: () => TOKEN, baseUrl: server.base, timeoutMs: 200, maxRetries: 1, maxRetryWaitMs: 0 });
    const e = await odataError(client.list(), "Timeout");
    assert.equal(server.requests, 1, "a zero wait budget allows no back-off wait");
    const patient = new ReferralsClient({ getToken: () => TOKEN, baseUrl: server.base, timeoutMs: 200, maxRetries: 1 });
    server.requests = 0;
    await odataError(patient.list(), "Timeout");
    assert.equal(server.requests, 2, "the time-out is retried like a network failure");
    assert.match(e.message, /time-out/);
    // The aborted attempts closed their responses: the trickle stopped.
    for (let i = 0; i < 50 && server.unfinished > 0; i++) await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(server.unfinished, 0, "every attempt that timed out closed its response");
  } finally {
    for (const timer of timers) clearInterval(timer);
    await server.close();
  }
});

test("a getToken that never settles ends in Timeout; nothing is sent", async () => {
  const server = await serve((req, res) => res.end(page(["a"])));
  try {
    let asked = 0;
    const client = new ReferralsClient({
      getToken: () => {
        asked += 1;
        return new Promise(() => {});
      },
      baseUrl: server.base,
      timeoutMs: 100,
      maxRetries: 1,
    });
    await odataError(client.list(), "Timeout");
    assert.equal(asked, 2, "each attempt asks again");
    assert.equal(server.requests, 0);
    // A slow token still counts against the same attempt: 60 ms of token + a 60 ms answer > 100 ms.
    const slowAnswer = await serve((req, res) => setTimeout(() => res.end(page(["a"])), 60));
    try {
      const slow = new ReferralsClient({
        getToken: () => new Promise((resolve) => setTimeout(() => resolve(TOKEN), 60)),
        baseUrl: slowAnswer.base,
        timeoutMs: 100,
        maxRetries: 0,
      });
      await odataError(slow.list(), "Timeout");
      const quick = new ReferralsClient({ getToken: () => TOKEN, baseUrl: slowAnswer.base, timeoutMs: 5_000, maxRetries: 0 });
      assert.equal((await quick.list()).value.length, 1);
    } finally {
      await slowAnswer.close();
    }
  } finally {
    await server.close();
  }
});

test("Retry-After: 120 with maxRetries 10 stops at once under the default wait budget; short waits stop at maxRetryWaitMs", async () => {
  const server = await serve((req, res) => {
    const after = req.url.includes("short") ? "1" : "120";
    res.writeHead(req.url.includes("short") ? 503 : 429, { "retry-after": after, "content-type": "application/json" });
    res.end(JSON.stringify({ error: { code: "busy", message: "try later" } }));
  });
  try {
    const long = new ReferralsClient({ getToken: () => TOKEN, baseUrl: server.base, maxRetries: 10 });
    const e = await odataError(long.list(), "Throttled");
    assert.equal(e.retryAfterMs, 120_000);
    assert.equal(e.serverCode, "busy");
    assert.equal(server.requests, 1, "no wait: 120 s is over the 60 s budget");
    // 1 s waits under a 1.5 s budget: one wait, then the call stops with the 503 it got.
    const short = new ReferralsClient({ getToken: () => TOKEN, baseUrl: server.base + "short/", maxRetries: 10, maxRetryWaitMs: 1_500 });
    server.requests = 0;
    const e2 = await odataError(short.list(), "HttpError");
    assert.equal(e2.status, 503);
    assert.equal(e2.retryAfterMs, 1_000);
    assert.equal(server.requests, 2);
  } finally {
    await server.close();
  }
});

test("an abort still rejects at once while a bounded call is reading a trickling body", async () => {
  const server = await serve((req, res) => {
    res.writeHead(200);
    res.write("{");
    const timer = setInterval(() => res.write(" "), 10);
    res.on("close", () => clearInterval(timer));
  });
  try {
    const ac = new AbortController();
    const client = new ReferralsClient({ getToken: () => TOKEN, baseUrl: server.base, timeoutMs: 60_000 });
    const call = client.list({}, { signal: ac.signal });
    while (server.requests === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    await new Promise((resolve) => setTimeout(resolve, 50));
    const reason = new Error("stop");
    ac.abort(reason);
    assert.equal(await call.catch((e) => e), reason);
    for (let i = 0; i < 50 && server.unfinished > 0; i++) await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(server.unfinished, 0, "the aborted read closed its response");
  } finally {
    await server.close();
  }
});

test("the new options are checked: maxResponseBytes, maxRetryWaitMs, timeoutMs", () => {
  const make = (options) => new ReferralsClient({ getToken: () => TOKEN, fetch: async () => new Response("{}"), ...options });
  for (const bad of [0, -1, 1.5, 2 ** 30 + 1, NaN, "1000", null]) {
    assert.throws(() => make({ maxResponseBytes: bad }), TypeError, String(bad));
  }
  for (const bad of [-1, 2 ** 31, NaN, "0", null]) {
    assert.throws(() => make({ maxRetryWaitMs: bad }), TypeError, String(bad));
  }
  for (const bad of [0, -1, 2 ** 31, NaN]) {
    assert.throws(() => make({ timeoutMs: bad }), TypeError, String(bad));
  }
  make({ maxResponseBytes: 1, maxRetryWaitMs: 0, timeoutMs: 1 });
  make({ maxResponseBytes: 2 ** 30, maxRetryWaitMs: 2 ** 31 - 1, timeoutMs: 2 ** 31 - 1 });
});
