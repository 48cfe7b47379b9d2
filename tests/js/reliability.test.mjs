// Reliability of ReferralsClient against the real emulator (tests/emulator), through the
// installed package and Node's global fetch:
//   1. fault-injected traversals of 10 000 referrals: every referral arrives exactly once in
//      server order, or the traversal ends with a documented error code and resuming from the
//      last page's nextLink (continuationToken) loses and repeats nothing;
//   (and, with a scripted fetch, a page holding a lone surrogate escape is delivered, not refused);
//   2. cancellation under load: 1000 calls aborted at seeded random moments (during a request,
//      a Retry-After wait, a slow getToken) in a child `node` process that must exit on its own;
//   3. concurrent aborts in this process over a fetch that answers after the abort: no uncaught
//      exception and no unhandled rejection.
//
// Fault plans, seeds and timings are fixed, so a run is reproducible (up to a machine so slow
// that a normal answer misses the 300 ms time-out, which the invariants tolerate: it is one
// more Timeout, retried or resumed like the injected ones).
//
// Needs: pkg/ (make package) installed as `partner-referrals`, and the emulator binary
// (make emulator). scripts/test-js.sh runs it with PARTNER_REFERRALS_REPO set.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { ReferralsClient, ODataError, decodeReferralPage } from "partner-referrals";

const repo = resolve(process.env.PARTNER_REFERRALS_REPO ?? fileURLToPath(new URL("../..", import.meta.url)));
const EMULATOR = process.env.PARTNER_REFERRALS_EMULATOR ?? join(repo, "target/release/partner-referrals-emulator");
const NOW = "2026-11-28T00:00:00Z";
const TOKEN = "reliability-token";

/** Error codes a traversal may end with under injected faults (docs/contract.md, "Errors"). */
const FAULT_CODES = ["Throttled", "HttpError", "NetworkError", "Timeout", "InvalidResponse"];

// ---- the emulator ----------------------------------------------------------------------------

/** Starts the emulator with `args` on a free port; resolves to { url, stop() }. */
function startEmulator(args) {
  return new Promise((ok, fail) => {
    const child = spawn(EMULATOR, ["--port", "0", "--quiet", ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    let url;
    const exited = once(child, "exit");
    const killOnExit = () => child.kill("SIGKILL");
    process.once("exit", killOnExit);
    child.once("error", (e) => fail(new Error(`cannot start ${EMULATOR} (make emulator): ${e.message}`)));
    child.stderr.on("data", (d) => (stderr += d));
    createInterface({ input: child.stdout }).on("line", (line) => {
      const found = !url && line.match(/listening on (http:\/\/\S+)/);
      if (!found) return;
      url = found[1];
      ok({
        url,
        async stop() {
          process.removeListener("exit", killOnExit);
          if (child.exitCode === null && child.signalCode === null) {
            child.kill("SIGTERM");
            await exited;
          }
        },
      });
    });
    exited.then(([code, signal]) => {
      if (!url) fail(new Error(`the emulator exited (${signal ?? code}) before listening:\n${stderr}`));
    });
  });
}

/** The emulator's data (never faulted), checked against our own sort of the default order. */
async function dump(url) {
  const data = await (await fetch(new URL("/_emulator/referrals", url))).json();
  // The emulator's default order: createdDateTime descending, then id ascending.
  const sorted = [...data.value].sort(
    (a, b) => Date.parse(b.createdDateTime) - Date.parse(a.createdDateTime) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  );
  assert.deepEqual(sorted.map((r) => r.id), data.value.map((r) => r.id), "the dump is in the default order");
  return data;
}

// ---- 1. fault-injected traversals ------------------------------------------------------------

/**
 * Traverses `top: 100` pages; on an error, checks its code and resumes from the last page's
 * nextLink (from the start if no page arrived yet), at most `maxResumes` times.
 */
async function traverseWithResumes(client, { maxResumes }) {
  const referrals = [];
  const errors = [];
  let pages = 0;
  let token;
  for (;;) {
    try {
      const settings = token === undefined ? undefined : { continuationToken: token };
      for await (const page of client.all({ top: 100 }).byPage(settings)) {
        pages += 1;
        referrals.push(...page.value);
        token = page.nextLink;
      }
      return { referrals, errors, pages };
    } catch (e) {
      assert.ok(e instanceof ODataError, `not an ODataError: ${e?.stack ?? e}`);
      assert.ok(FAULT_CODES.includes(e.code), `undocumented code ${e.code}: ${e.message}`);
      errors.push(e.code);
      assert.ok(errors.length <= maxResumes, `more than ${maxResumes} resumes: ${errors.join(", ")}`);
    }
  }
}

/** A fetch over the global one that counts attempts and what they met. */
function countingFetch() {
  const counted = { attempts: 0, seen: {} };
  const saw = (kind) => (counted.seen[kind] = (counted.seen[kind] ?? 0) + 1);
  counted.fetch = async (url, init) => {
    counted.attempts += 1;
    try {
      const response = await fetch(url, init);
      saw(response.status === 200 ? "200" : `${response.status}${response.headers.has("retry-after") ? " with Retry-After" : ""}`);
      return response;
    } catch (e) {
      saw(init.signal.aborted ? `aborted (${init.signal.reason?.name})` : "network failure");
      throw e;
    }
  };
  return counted;
}

async function faultedTraversal({ faults, maxRetries, timeoutMs, slowMs, maxResumes }) {
  const emulator = await startEmulator([
    "--count", "10000", "--seed", "1", "--now", NOW, "--faults", faults, "--fault-seed", "7",
    "--retry-after", "0", "--slow-ms", String(slowMs),
  ]);
  try {
    const data = await dump(emulator.url);
    assert.equal(data.value.length, 10000);
    const counted = countingFetch();
    const client = new ReferralsClient({ getToken: () => TOKEN, baseUrl: emulator.url, maxRetries, timeoutMs, fetch: counted.fetch });
    const started = Date.now();
    const result = await traverseWithResumes(client, { maxResumes });
    const ms = Date.now() - started;
    // Exactly once, in server order, and each referral as the server holds it.
    assert.equal(result.referrals.length, data.value.length);
    assert.deepEqual(result.referrals.map((r) => r.id), data.value.map((r) => r.id));
    assert.equal(new Set(result.referrals.map((r) => r.id)).size, 10000);
    assert.deepEqual(result.referrals, data.value);
    return { ...result, attempts: counted.attempts, seen: counted.seen, ms };
  } finally {
    await emulator.stop();
  }
}

test("fault-injected traversal (≈22 % faults, maxRetries 3): every referral exactly once, in server order", async (t) => {
  const r = await faultedTraversal({
    faults: "429:0.1,503:0.04,504:0.03,drop:0.02,malformed:0.01,slow:0.02",
    maxRetries: 3, timeoutMs: 300, slowMs: 600, maxResumes: 10,
  });
  t.diagnostic(`pages ${r.pages}, attempts ${r.attempts} ${JSON.stringify(r.seen)}, resumes ${r.errors.length} (${r.errors.join(", ")}), ${r.ms} ms`);
  assert.equal(r.pages, 100, "failed pages are not delivered");
  // The plan exercised every kind of fault this test is about.
  for (const kind of ["429 with Retry-After", "429", "503", "504", "aborted (TimeoutError)"]) {
    assert.ok(r.seen[kind] > 0, `no "${kind}" among ${JSON.stringify(r.seen)}`);
  }
});

test("fault-injected traversal with maxRetries 0: each fault ends it with its code; resuming loses and repeats nothing", async (t) => {
  const r = await faultedTraversal({
    faults: "429:0.08,503:0.04,504:0.03,drop:0.05,malformed:0.05,slow:0.03",
    maxRetries: 0, timeoutMs: 300, slowMs: 600, maxResumes: 100,
  });
  t.diagnostic(`pages ${r.pages}, attempts ${r.attempts} ${JSON.stringify(r.seen)}, resumes ${r.errors.length} (${r.errors.join(", ")}), ${r.ms} ms`);
  for (const code of FAULT_CODES) assert.ok(r.errors.includes(code), `no traversal ended with ${code}: ${r.errors.join(", ")}`);
  assert.equal(r.attempts, r.pages + r.errors.length, "one attempt per page or error (no retries)");
});

test("a page with a lone surrogate escape (a string cut inside an emoji) is delivered as JSON.parse reads it", async () => {
  // Valid JSON that a Rust string cannot hold; refusing the page would lose it and every page
  // after it, since resuming asks for the same page again.
  const body = String.raw`{"value":[{"id":"a","customerProfile":{"name":"Contoso \ud83d"}},{"id":"b","notes":"\udc00 \\ud800"}],"@odata.nextLink":"https://api.partner.microsoft.com/v1.0/referrals?$skiptoken=2"}`;
  const expected = JSON.parse(body).value;
  assert.equal(expected[0].customerProfile.name, "Contoso \ud83d");
  assert.deepEqual(decodeReferralPage(body).value, expected);
  const bodies = [body, JSON.stringify({ value: [{ id: "c" }] })];
  const client = new ReferralsClient({ getToken: () => TOKEN, fetch: async () => new Response(bodies.shift()) });
  const seen = [];
  for await (const r of client.all()) seen.push(r);
  assert.deepEqual(seen, [...expected, { id: "c" }]);
});

// ---- 2. cancellation under load --------------------------------------------------------------

/**
 * The child process: 1000 calls, each aborted at a seeded random moment, in batches of 100
 * running at once. Prints one JSON line with what it saw, then simply returns: the process has
 * to exit on its own, so a leaked timer (a 100 s Retry-After wait, a 10-minute time-out) or a
 * request left open (a 100 s slow answer) would keep it alive past the parent's limit.
 */
const CANCEL_CHILD = String.raw`
import { ReferralsClient } from "partner-referrals";
const [slowBase, quickBase] = process.argv.slice(2);

let unhandled = 0;
process.on("unhandledRejection", () => (unhandled += 1));
process.on("uncaughtException", (e) => {
  unhandled += 1;
  console.error(e);
});

// mulberry32: a small seeded PRNG, so the abort moments are the same on every run.
let seed = 0x5eed1e55;
function random() {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const pick = (items) => items[Math.floor(random() * items.length)];
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// Every kind of reason; undefined makes the signal's own AbortError DOMException the reason.
const REASONS = {
  Error: () => new Error("stop"),
  TypeError: () => new TypeError("stop"),
  DOMException: () => new DOMException("stopped", "AbortError"),
  TimeoutError: () => new DOMException("too slow", "TimeoutError"),
  string: () => "stop",
  "empty string": () => "",
  number: () => 42,
  zero: () => 0,
  NaN: () => NaN,
  object: () => ({ why: "navigated away" }),
  array: () => ["stop"],
  null: () => null,
  false: () => false,
  symbol: () => Symbol("stop"),
  bigint: () => 7n,
  undefined: () => undefined,
};

// Where the call is when the abort comes. fault: the emulator's per-request fault;
// base: slowBase (100 s slow answers and Retry-After) or quickBase (Retry-After 1).
const SCENARIOS = {
  "slow request": { base: "slow", fault: "slow", abortWithin: 60 },
  "Retry-After 100 wait": { base: "slow", fault: "429", abortWithin: 400 },
  "Retry-After 1 wait": { base: "quick", fault: "429", abortWithin: 400 },
  "back-off wait (503, no Retry-After)": { base: "quick", fault: "503", abortWithin: 400 },
  "slow getToken": { base: "quick", fault: "none", abortWithin: 100, tokenAfter: [150, 300] },
  "getToken that never settles": { base: "quick", fault: "none", abortWithin: 100, tokenAfter: "never" },
  "already aborted": { base: "slow", fault: "slow", abortWithin: -1 },
};

const METHODS = {
  list: (c, signal) => c.list({ top: 5 }, { signal }),
  get: (c, signal) => c.get("c5fbb3b6-3bc9-4a05-b8a6-e4a3f4f1cbb4", { signal }),
  next: (c, signal, base) => c.next({ value: [], nextLink: base + "referrals?$skiptoken=x" }, { signal }),
  all: async (c, signal) => {
    for await (const r of c.all({ top: 5 }, { signal })) return r;
  },
  byPage: async (c, signal) => {
    for await (const p of c.all({ top: 5 }, { signal }).byPage()) return p;
  },
};

const summary = { calls: 0, rejectedWithReason: 0, wrong: [], unhandled: 0, fetchesAfterAbort: 0, fetchesLeftOpen: 0,
  fetches: 0, abortedDuring: {}, scenarios: {}, reasons: {}, methods: {} };
const count = (table, key) => (table[key] = (table[key] ?? 0) + 1);

async function one(index) {
  const scenarioName = pick(Object.keys(SCENARIOS));
  const scenario = SCENARIOS[scenarioName];
  const reasonName = pick(Object.keys(REASONS));
  const methodName = pick(Object.keys(METHODS));
  const abortAfter = scenario.abortWithin < 0 ? -1 : Math.floor(random() * scenario.abortWithin);
  const tokenAfter = Array.isArray(scenario.tokenAfter)
    ? scenario.tokenAfter[0] + Math.floor(random() * (scenario.tokenAfter[1] - scenario.tokenAfter[0]))
    : scenario.tokenAfter;
  const base = scenario.base === "slow" ? slowBase : quickBase;
  count(summary.scenarios, scenarioName);
  count(summary.reasons, reasonName);
  count(summary.methods, methodName);

  const ac = new AbortController();
  const fetches = [];
  const client = new ReferralsClient({
    baseUrl: base,
    timeoutMs: 600000,
    maxRetryWaitMs: 600000,
    maxRetries: 3,
    getToken: () => {
      if (tokenAfter === "never") return new Promise(() => {});
      if (tokenAfter !== undefined) return sleep(tokenAfter).then(() => "token");
      return "token";
    },
    fetch: (url, init) => {
      summary.fetches += 1;
      if (ac.signal.aborted) summary.fetchesAfterAbort += 1;
      const sent = { init, settled: false };
      fetches.push(sent);
      const p = fetch(url, { ...init, headers: { ...init.headers, "X-Emulator-Fault": scenario.fault } });
      p.then(() => (sent.settled = true), () => (sent.settled = true));
      return p;
    },
  });
  const given = REASONS[reasonName]();
  const abort = () => {
    // Where the call was: before any request (getToken), inside one, or waiting between two.
    const open = fetches.some((sent) => !sent.settled);
    count(summary.abortedDuring, fetches.length === 0 ? "before a request" : open ? "a request" : "a wait");
    ac.abort(given);
  };
  if (abortAfter < 0) abort();
  else setTimeout(abort, abortAfter);
  const outcome = await METHODS[methodName](client, ac.signal, base).then(
    (value) => ({ resolved: value }),
    (error) => ({ rejected: error }),
  );
  summary.calls += 1;
  const expected = ac.signal.reason;
  const sameReason = reasonName === "undefined" ? expected instanceof DOMException && expected.name === "AbortError" : Object.is(expected, given);
  if ("rejected" in outcome && Object.is(outcome.rejected, expected) && sameReason) {
    summary.rejectedWithReason += 1;
  } else if (summary.wrong.length < 10) {
    summary.wrong.push({ index, scenarioName, reasonName, methodName, abortAfter,
      outcome: "resolved" in outcome ? "resolved" : String(outcome.rejected?.stack ?? typeof outcome.rejected) });
  }
  // Give the library a turn to clean up, then no attempt may still be running.
  await new Promise((resolve) => setImmediate(resolve));
  for (const sent of fetches) if (!sent.settled && !sent.init.signal.aborted) summary.fetchesLeftOpen += 1;
}

for (let batch = 0; batch < 10; batch++) {
  await Promise.all(Array.from({ length: 100 }, (_, i) => one(batch * 100 + i)));
}
// A late getToken resolution must not start a request: wait for the slowest one to settle.
await sleep(400);
summary.unhandled = unhandled;
console.log(JSON.stringify(summary));
`;

test("cancellation under load: 1000 seeded aborts reject with their reason; the process exits on its own", async (t) => {
  const slow = await startEmulator(["--seed", "1", "--now", NOW, "--slow-ms", "100000", "--retry-after", "100"]);
  const quick = await startEmulator(["--seed", "1", "--now", NOW, "--retry-after", "1"]);
  const script = `cancel-child-${process.pid}.mjs`;
  writeFileSync(script, CANCEL_CHILD);
  try {
    const child = spawn(process.execPath, [script, slow.url, quick.url], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    // Generous: the work takes a few seconds; a leaked 100 s wait, 100 s request or
    // 10-minute time-out timer would keep the child alive far longer.
    const limit = setTimeout(() => child.kill("SIGKILL"), 60_000);
    const [code, signal] = await once(child, "exit");
    clearTimeout(limit);
    assert.equal(signal, null, `the child had to be killed: it did not exit on its own\n${out}\n${err}`);
    assert.equal(code, 0, `${out}\n${err}`);
    assert.equal(err, "", "nothing on stderr (no warning, no unhandled rejection)");
    const summary = JSON.parse(out);
    t.diagnostic(JSON.stringify({ ...summary, wrong: summary.wrong.length }));
    assert.deepEqual(summary.wrong, []);
    assert.equal(summary.calls, 1000);
    assert.equal(summary.rejectedWithReason, 1000);
    assert.equal(summary.unhandled, 0);
    assert.equal(summary.fetchesAfterAbort, 0, "no request was started after its call was aborted");
    assert.equal(summary.fetchesLeftOpen, 0, "every started request was finished or aborted");
    // The seeded draw covers every scenario, reason and method, and requests were really made.
    assert.equal(Object.keys(summary.scenarios).length, 7);
    assert.equal(Object.keys(summary.reasons).length, 16);
    assert.equal(Object.keys(summary.methods).length, 5);
    assert.ok(summary.fetches > 500, `${summary.fetches} requests`);
    for (const phase of ["before a request", "a request", "a wait"]) {
      assert.ok(summary.abortedDuring[phase] >= 100, `only ${summary.abortedDuring[phase]} aborts during ${phase}`);
    }
  } finally {
    rmSync(script, { force: true });
    await slow.stop();
    await quick.stop();
  }
});

// ---- 3. concurrent aborts in this process ----------------------------------------------------

/**
 * Four calls at a time (`list()` and `all()`), each aborted at a seeded random moment with
 * every kind of reason, over a `fetch` whose answers settle after the abort (it ignores the
 * signal), a `getToken` that often answers through a slow promise, and 429s with
 * `Retry-After: 1`. Any uncaught exception or unhandled rejection in this process fails the
 * test: a JS callback (a timer, an immediate, an abort listener, a promise reaction) that
 * outlives the Rust closure it calls shows up as "closure invoked recursively or after being
 * dropped", thrown from the event loop.
 */
test("concurrent aborts over a fetch that settles late: no uncaught exception, no unhandled rejection", async (t) => {
  const problems = [];
  const onUncaught = (e) => problems.push(`uncaught exception: ${e?.stack ?? e}`);
  const onUnhandled = (e) => problems.push(`unhandled rejection: ${e?.stack ?? e}`);
  process.on("uncaughtException", onUncaught);
  process.on("unhandledRejection", onUnhandled);
  let seed = 0xab0e7;
  const random = () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let x = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
  const reasons = [() => new Error("stop"), () => new DOMException("stopped", "AbortError"), () => "stop", () => undefined, () => ({ why: "gone" })];
  const base = "https://api.partner.microsoft.com/v1.0/";
  const pageBody = (i) =>
    JSON.stringify({
      value: [{ id: `r${i}-a` }, { id: `r${i}-b` }],
      ...(i < 5 ? { "@odata.nextLink": `${base}engagements/referrals?$skiptoken=${i + 1}` } : {}),
    });
  const seen = { calls: 0, aborted: 0, finished: 0, throttled: 0 };
  const one = async () => {
    const controller = new AbortController();
    const client = new ReferralsClient({
      baseUrl: base,
      maxRetries: 3,
      getToken: () => (random() < 0.4 ? sleep(Math.floor(random() * 5)).then(() => TOKEN) : TOKEN),
      fetch: async (url) => {
        await sleep(Math.floor(random() * 4));
        if (random() < 0.15) {
          seen.throttled += 1;
          return new Response("{}", { status: 429, headers: { "Retry-After": "1" } });
        }
        return new Response(pageBody(Number(/skiptoken=(\d+)/.exec(url)?.[1] ?? 0)));
      },
    });
    const reason = reasons[Math.floor(random() * reasons.length)]();
    setTimeout(() => controller.abort(reason), Math.floor(random() * 25));
    const signal = controller.signal;
    seen.calls += 1;
    try {
      if (random() < 0.5) await client.list({ top: 2 }, { signal });
      else for await (const _ of client.all({ top: 2 }, { signal })) if (random() < 0.1) await sleep(1);
      seen.finished += 1;
    } catch (error) {
      assert.ok(signal.aborted, `a call failed without an abort: ${error?.stack ?? error}`);
      assert.equal(error, signal.reason, "an aborted call rejects with the signal's reason");
      seen.aborted += 1;
    }
  };
  try {
    for (let round = 0; round < 200; round++) await Promise.all([one(), one(), one(), one()]);
    // Late answers, 1 s Retry-After waits and slow tokens of aborted calls run out meanwhile.
    await sleep(1200);
  } finally {
    process.off("uncaughtException", onUncaught);
    process.off("unhandledRejection", onUnhandled);
  }
  t.diagnostic(JSON.stringify(seen));
  assert.deepEqual(problems.slice(0, 5), []);
  assert.equal(seen.calls, 800);
  assert.ok(seen.aborted >= 200 && seen.finished >= 50 && seen.throttled >= 50, JSON.stringify(seen));
});
