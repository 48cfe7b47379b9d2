// The installed package's browser entry in headless Chromium (Debian's, driven by
// playwright-core): a plain `<script type="module">` page, a dedicated module worker and a
// module service worker, served from 127.0.0.1 on an ephemeral port.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { extname, join, normalize } from "node:path";
import { Readable } from "node:stream";
import { createGzip } from "node:zlib";
import { expectedClientResult } from "./www/client-exercise.js";

const repo = process.env.PARTNER_REFERRALS_REPO;
const { chromium } = createRequire(join(repo, "package.json"))("playwright-core");

const root = process.cwd(); // the temp consumer project
const pkg = JSON.parse(await readFile(join(root, "node_modules/partner-referrals/package.json"), "utf8"));
const browserEntry = "/node_modules/partner-referrals/" + pkg.exports["."].browser.replace(/^\.\//, "");
const types = { ".html": "text/html", ".js": "text/javascript", ".wasm": "application/wasm", ".json": "application/json" };

let server, browser, base;

// Hostile answers under /hostile/: a 1 GB gzip bomb (200) and 200 MB of plain text (500),
// generated as the client reads; `hostile` counts requests, inflated bytes and open responses.
const hostile = { requests: 0, produced: 0, open: 0 };
function answerHostile(req, res) {
  hostile.requests += 1;
  hostile.open += 1;
  res.on("close", () => (hostile.open -= 1));
  const bomb = req.url.includes("/bomb/");
  const chunk = Buffer.alloc(64 * 1024, bomb ? 0x20 : 0x78);
  let left = bomb ? 1024 * 1024 * 1024 : 200 * 1024 * 1024;
  const source = new Readable({
    read() {
      if (left <= 0) return this.push(null);
      left -= chunk.length;
      hostile.produced += chunk.length;
      this.push(chunk);
    },
  });
  res.on("close", () => source.destroy());
  res.writeHead(bomb ? 200 : 500, bomb ? { "content-encoding": "gzip", "content-type": "application/json" } : { "content-type": "text/plain" });
  (bomb ? source.pipe(createGzip({ level: 1 })) : source).pipe(res);
}

before(async () => {
  server = createServer(async (req, res) => {
    if (req.url.startsWith("/hostile/")) return answerHostile(req, res);
    const path = normalize(decodeURIComponent(new URL(req.url, "http://x").pathname));
    if (path.includes("..")) return void res.writeHead(403).end();
    try {
      let body = await readFile(join(root, path));
      if (path.startsWith("/www/")) body = body.toString("utf8").replaceAll("@@BROWSER_ENTRY@@", browserEntry);
      res.writeHead(200, { "content-type": types[extname(path)] ?? "application/octet-stream" }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${server.address().port}`;
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: [
      "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
      "--disable-background-networking", "--disable-component-update", "--disable-sync",
      "--no-first-run", "--disable-quic",
    ],
  });
});

after(async () => {
  await browser?.close();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve()));
});

async function resultOf(path) {
  const page = await browser.newPage();
  const problems = [];
  page.on("pageerror", (e) => problems.push(String(e)));
  try {
    await page.goto(base + path);
    const result = await page.evaluate(() => window.result);
    assert.deepEqual(problems, []);
    return result;
  } finally {
    await page.close();
  }
}

function assertExercised(result) {
  assert.equal(result.failed, undefined, result.failed);
  assert.deepEqual(result, {
    canonical: "status eq 'New'",
    fields: ["status"],
    isODataError: true,
    isError: true,
    name: "ODataError",
    code: "InvalidFilter",
    position: 33,
    offending: "stauts",
  });
}

test("a <script type=module> page imports the browser entry and awaits ready", async () => {
  assertExercised(await resultOf("/www/index.html"));
});

test("a dedicated module worker and a module service worker use the browser entry", async () => {
  const { worker, serviceWorker, failed } = await resultOf("/www/contexts.html");
  assert.equal(failed, undefined, failed);
  for (const { client, ...rest } of [worker, serviceWorker]) {
    assertExercised(rest);
    assert.deepEqual(client, expectedClientResult);
  }
});

test("ReferralsClient in a page, made before ready: retries, paging, aborts, errors", async () => {
  const result = await resultOf("/www/client.html");
  assert.equal(result.failed, undefined, result.failed);
  assert.deepEqual(result, {
    client: expectedClientResult,
    badOptionsBeforeReady: true,
    badOptionsAfterReady: true,
  });
});

test("Chromium's fetch: a 1 GB gzip bomb and a 200 MB error body stop at their limits, one request each", async () => {
  const page = await browser.newPage();
  try {
    await page.goto(base + "/www/index.html");
    for (const [path, status, limit] of [["bomb", 200, "maxResponseBytes \\(33554432 bytes\\)"], ["plain", 500, "65536 bytes"]]) {
      hostile.requests = 0;
      hostile.produced = 0;
      const error = await page.evaluate(
        async ({ entry, baseUrl }) => {
          const { ReferralsClient, ready } = await import(entry);
          await ready;
          const client = new ReferralsClient({ getToken: () => "t", baseUrl });
          return client.list().then(
            () => "resolved",
            (e) => ({ code: e.code, status: e.status, message: e.message }),
          );
        },
        { entry: browserEntry, baseUrl: `${base}/hostile/${path}/` },
      );
      assert.equal(error.code, "InvalidResponse", JSON.stringify(error));
      assert.equal(error.status, status);
      assert.match(error.message, new RegExp(limit));
      assert.equal(hostile.requests, 1, `${path}: not retried`);
      assert.ok(hostile.produced < 512 * 1024 * 1024, `${path}: the read went on (${hostile.produced} bytes)`);
      for (let i = 0; i < 100 && hostile.open > 0; i++) await new Promise((resolve) => setTimeout(resolve, 20));
      assert.equal(hostile.open, 0, `${path}: the cut-off response was closed`);
    }
  } finally {
    await page.close();
  }
});
