// examples/vite built with `vite build` from a project that installed the packed tarball
// (scripts/test-runtimes.sh), served as static files, loaded in headless Chromium: the page
// renders the emulator's count and first rows, in the page itself and in a dedicated worker.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { chromium, CHROMIUM, CHROMIUM_ARGS, startEmulator, pendingOf, serveStatic, work, PAGE_SIZE } from "./harness.mjs";

const dist = join(work, "vite", "dist");
let emulator, server, browser;

before(async () => {
  emulator = await startEmulator();
  server = await serveStatic(dist);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
});
after(async () => {
  await browser?.close();
  await server?.close();
  await emulator?.stop();
});

async function expected() {
  const pending = pendingOf(await emulator.admin());
  // The apps order by createdDateTime desc; the emulator breaks ties by id.
  pending.sort((a, b) => Date.parse(b.createdDateTime) - Date.parse(a.createdDateTime) || (a.id < b.id ? -1 : 1));
  return { count: pending.length, first: pending.slice(0, 5).map((r) => r.id) };
}

async function render(path) {
  const page = await browser.newPage();
  const problems = [];
  const workers = [];
  page.on("pageerror", (e) => problems.push(String(e)));
  page.on("console", (m) => m.type() === "error" && problems.push(m.text()));
  page.on("worker", (w) => workers.push(w.url()));
  try {
    const query = new URLSearchParams({ baseUrl: emulator.base, token: "test-token" });
    await page.goto(`${server.base}${path}?${query}`);
    await page.waitForSelector("#result:is([data-state=done], [data-state=error])", { timeout: 60_000 });
    const result = await page.$eval("#result", (el) => ({ ...el.dataset, text: el.textContent }));
    return { result, problems, workers };
  } finally {
    await page.close();
  }
}

test("vite build emitted the package's wasm as an asset, no plugin or copy step", async () => {
  const assets = await readdir(join(dist, "assets"));
  assert.ok(assets.some((f) => /^partner_referrals_bg-[\w-]+\.wasm$/.test(f)), assets.join(" "));
});

/** The page (or its worker) showed every referral of the emulator, page by page, without errors. */
function assertTraversal(result, problems, want) {
  assert.deepEqual(problems, []);
  assert.equal(result.state, "done", result.text);
  assert.equal(Number(result.count), want.count);
  assert.equal(Number(result.seen), want.count);
  assert.equal(Number(result.pages), Math.ceil(want.count / PAGE_SIZE));
  assert.deepEqual(result.ids.split(","), want.first);
}

test("the Vite app renders the count and first rows from the emulator", async () => {
  const want = await expected();
  const { result, problems, workers } = await render("/index.html");
  assertTraversal(result, problems, want);
  assert.match(result.text, /in the page/);
  assert.deepEqual(workers, []);
  assert.ok(server.requests.some((p) => /^\/assets\/partner_referrals_bg-[\w-]+\.wasm$/.test(p)), "the page loaded the hashed wasm asset");
});

test("the same query and traversal in a dedicated module worker", async () => {
  const want = await expected();
  server.requests.length = 0;
  const { result, problems, workers } = await render("/worker.html");
  assertTraversal(result, problems, want);
  assert.match(result.text, /in a worker/);
  assert.equal(workers.length, 1);
  assert.match(workers[0], /\/assets\/worker-[\w-]+\.js$/);
  assert.ok(server.requests.some((p) => /^\/assets\/partner_referrals_bg-[\w-]+\.wasm$/.test(p)), "the worker loaded the hashed wasm asset");
});
