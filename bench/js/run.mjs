// The JS rows of `make bench`: every guard and figure side by side with its baseline, in one
// process, on the same data. Writes the rows as JSON for report.mjs.
//
// usage: node --expose-gc run.mjs --pkg <pkg-dir> --data <dir from bench-data> --out <file.json>
//        [--emulator <emulator binary>] [--quick] [--only decode,validate,build,size,startup,client]
//   --only  run just these groups of rows (for working on one figure; make bench runs them all)
import { spawn, spawnSync } from "node:child_process";
import { createServer } from "node:http";
import { readFileSync, writeFileSync, readdirSync, statSync } from "node:fs";
import { dirname, extname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";
import { createInterface } from "node:readline";
import { isDeepStrictEqual } from "node:util";

import * as esbuild from "esbuild";
import { defaultParser } from "@odata/parser";

import { compare, summary } from "./stats.mjs";
import { referralPage } from "./zod-referral.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const args = parseArgs(process.argv.slice(2));
const quick = args.quick === true;
const pkgDir = resolve(args.pkg ?? join(here, "../../pkg"));
const dataDir = resolve(args.data ?? "");
const out = args.out;
const only = args.only ? new Set(args.only.split(",")) : null;
const want = (group) => !only || only.has(group);
if (!args.data || !out) {
  console.error("usage: node --expose-gc run.mjs --pkg DIR --data DIR --out FILE [--emulator BIN] [--quick]");
  process.exit(2);
}
if (typeof globalThis.gc !== "function") {
  console.error("run.mjs: run with node --expose-gc (the memory row forces collections)");
  process.exit(2);
}

// Iteration budgets: full = what RESULTS.md quotes; quick = proves every row still runs.
const T = quick
  ? { rounds: 1, time: 15, warmupTime: 5, iterations: 3, startup: 2, clientRounds: 1, clientTime: 1 }
  : { rounds: 6, time: 400, warmupTime: 150, iterations: 30, startup: 20, clientRounds: 3, clientTime: 1500 };

const pkg = await import(pathToFileURL(join(pkgDir, "node.js")).href);
await pkg.ready;
const pageText = readFileSync(join(dataDir, "page-100.json"), "utf8");
const filters = JSON.parse(readFileSync(join(dataDir, "filters.json"), "utf8"));
const peers = peerVersions();
const rows = [];
let chromiumVersion = null;
const log = (msg) => process.stderr.write(`bench: ${msg}\n`);

// ---- decodeReferralPage vs JSON.parse, vs JSON.parse + zod ----------------------------------
if (want("decode")) {
  const page = pkg.decodeReferralPage(pageText);
  const parsed = referralPage.parse(JSON.parse(pageText));
  if (page.value.length !== 100 || parsed.value.length !== 100) throw new Error("the page must hold 100 referrals");
  if (!isDeepStrictEqual(page.value, parsed.value)) throw new Error("decode and zod disagree on the referrals");
  const kib = (pageText.length / 1024).toFixed(0);
  const decode = { name: "decodeReferralPage", fn: () => pkg.decodeReferralPage(pageText) };
  // Twice the rounds, half as long each (same time in all): more per-round ratios to take the
  // median of, see compare() and report.mjs ("How each figure is taken").
  const D = { ...T, rounds: T.rounds * 2, time: T.time / 2, warmupTime: T.warmupTime / 2 };
  log("decode vs JSON.parse");
  const r1 = await compare({ ours: decode, baseline: { name: "JSON.parse", fn: () => JSON.parse(pageText) }, ...D });
  rows.push(row("decode-json", `decodeReferralPage, 100 referrals (${kib} KiB), Node`, r1, "≤ 1.5×", r1.ratio <= 1.5));
  log("decode vs JSON.parse + zod");
  const r2 = await compare({
    ours: decode,
    baseline: { name: `JSON.parse + zod ${peers.zod} schema`, fn: () => referralPage.parse(JSON.parse(pageText)) },
    ...D,
  });
  rows.push(row("decode-zod", "the same", r2, "report", null));
}

// ---- validateFilter vs @odata/parser --------------------------------------------------------
if (want("validate")) {
  for (const f of filters) {
    pkg.validateFilter(f);
    if (defaultParser.filter(f).raw !== f) throw new Error(`@odata/parser did not parse all of ${f}`);
  }
  log("validateFilter vs @odata/parser");
  const r = await compare({
    ours: { name: "validateFilter", fn: () => { for (const f of filters) pkg.validateFilter(f); } },
    baseline: { name: `@odata/parser ${peers["@odata/parser"]} filter()`, fn: () => { for (const f of filters) defaultParser.filter(f); } },
    batch: filters.length,
    ...T,
  });
  rows.push(row("validate", `validateFilter, ${filters.length} filters (6 documented + 50 realistic), per filter`, r, "≥ 5× faster", r.ratio <= 0.2));
}

// ---- buildQuery with a tagged template vs concatenation + encodeURIComponent ----------------
if (want("build")) {
  const names = ["Fabrikam Customer Inc", "O'Brien & Co #1+2", "Contoso Ltd", "Adatum Corp. / EMEA", "東京 Trading"];
  const countries = ["US", "DE", "JP", "GB", "FR"];
  const since = new Date(Date.UTC(2025, 4, 1));
  const BATCH = 64;
  // Every call has values of its own (a counter in the name, a different `top`), so nothing
  // either side could keep from an earlier call applies.
  let n = 0;
  const ours = (i) =>
    pkg.buildQuery({
      filter: pkg.filter`customerProfile/name eq ${`${names[i % 5]} ${i}`} and customerProfile/address/country eq ${countries[i % 5]} and createdDateTime ge ${since}`,
      orderBy: { field: "createdDateTime", direction: "desc" },
      top: 1 + (i % 1000),
    });
  const quote = (s) => `'${s.replaceAll("'", "''")}'`;
  const concat = (i) =>
    "$filter=" +
    encodeURIComponent(
      `customerProfile/name eq ${quote(`${names[i % 5]} ${i}`)} and customerProfile/address/country eq ${quote(countries[i % 5])} and createdDateTime ge ${since.toISOString()}`,
    ) +
    "&$orderby=" + encodeURIComponent("createdDateTime desc") +
    "&$top=" + (1 + (i % 1000));
  for (let i = 0; i < 10; i++) {
    const a = new URLSearchParams(ours(i));
    const b = new URLSearchParams(concat(i));
    // Same request; the template writes whole-second dates without `.000`.
    const same = (key) => a.get(key) === b.get(key)?.replace(".000Z", "Z");
    for (const key of ["$filter", "$orderby", "$top"]) {
      if (!same(key)) throw new Error(`buildQuery and the baseline differ on ${key}: ${a.get(key)} / ${b.get(key)}`);
    }
  }
  log("buildQuery vs concatenation");
  const r = await compare({
    ours: { name: "buildQuery + filter``", fn: () => { for (let i = 0; i < BATCH; i++) ours(n++); } },
    baseline: { name: "concatenation + encodeURIComponent", fn: () => { for (let i = 0; i < BATCH; i++) concat(n++); } },
    batch: BATCH,
    ...T,
  });
  rows.push(row("build", "buildQuery with a tagged-template filter (3 values, new at every call), per call", r, "≤ 20×", r.ratio <= 20));
}

// ---- package size vs the peers' bundles ------------------------------------------------------
if (want("size")) {
  log("sizes");
  const walk = (d) => readdirSync(d).flatMap((n) => (statSync(join(d, n)).isDirectory() ? walk(join(d, n)) : [join(d, n)]));
  // The same files and method as scripts/sizes.mjs (make sizes): each group compressed on its
  // own, as a server sends them, then summed.
  const wasm = sizes(readFileSync(join(pkgDir, "partner_referrals_bg.wasm")));
  const js = sizes(
    Buffer.concat(
      ["partner_referrals.js", "web.js", "api.js"].map((f) => readFileSync(join(pkgDir, f)))
        .concat(walk(join(pkgDir, "snippets")).map((f) => readFileSync(f))),
    ),
  );
  const ours = { raw: wasm.raw + js.raw, gz: wasm.gz + js.gz, br: wasm.br + js.br, wasm, js };
  const bundleOptions = {
    bundle: true,
    minify: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    write: false,
    logLevel: "silent",
  };
  // The JS stack the package replaces, bundled as a bundler ships it: the Graph client
  // (requests), @odata/parser (the validateFilter row's peer) and the zod page schema (the
  // decode row's baseline).
  const sameJob = await esbuild.build({
    ...bundleOptions,
    stdin: {
      contents:
        'export { Client } from "@microsoft/microsoft-graph-client";\n' +
        'export { defaultParser } from "@odata/parser";\n' +
        'export { referralPage } from "./zod-referral.mjs";\n',
      resolveDir: here,
      loader: "js",
    },
  });
  const stack = {
    name: `Graph client ${peers["@microsoft/microsoft-graph-client"]} + @odata/parser ${peers["@odata/parser"]} + the zod ${peers.zod} page schema (esbuild ${esbuild.version} bundle, minified, browser ESM)`,
    ...sizes(Buffer.from(sameJob.outputFiles[0].contents)),
  };
  rows.push({
    id: "size",
    measure: "package size as shipped: .wasm + JS (web entry)",
    kind: "size",
    ours,
    baseline: stack,
    ratio: ours.gz / stack.gz,
    target: "≤ 150 KB gzip",
    met: ours.gz <= 150 * 1024,
  });
  // Our web entry bundled and minified like the stack (the .wasm is an asset the bundler copies
  // as is): the like-for-like figure, for context.
  const bundle = await esbuild.build({ ...bundleOptions, entryPoints: [join(pkgDir, "web.js")] });
  const minJs = sizes(Buffer.from(bundle.outputFiles[0].contents));
  const bundled = { raw: wasm.raw + minJs.raw, gz: wasm.gz + minJs.gz, br: wasm.br + minJs.br, wasm, js: minJs };
  rows.push({
    id: "size-bundled",
    measure: `the same, our web entry bundled and minified like the stack (esbuild ${esbuild.version})`,
    kind: "size",
    ours: bundled,
    baseline: stack,
    ratio: bundled.gz / stack.gz,
    target: "report",
    met: null,
  });
}

// ---- start-up: import to first validateFilter ------------------------------------------------
if (want("startup")) {
  log("start-up in Node");
  const samples = [];
  for (let i = 0; i < T.startup; i++) {
    const run = spawnSync(process.execPath, [join(here, "startup-node.mjs"), pkgDir], { encoding: "utf8" });
    if (run.status !== 0) throw new Error(`startup-node.mjs failed: ${run.stderr}`);
    samples.push(JSON.parse(run.stdout));
  }
  rows.push(startupRow("startup-node", "Node, fresh process", "node.js entry", samples));
  log("start-up in Chromium");
  rows.push(await chromiumStartup());
}

// ---- the client: all() over 50 pages, memory over 10 000 referrals ---------------------------
if (!want("client")) {
  // skipped by --only
} else if (typeof pkg.ReferralsClient !== "function") {
  const na = "n/a (ReferralsClient not available)";
  rows.push({ id: "all", measure: "all() over 50 pages × 100 from the emulator on loopback", kind: "na", note: na, target: "≤ 1.0×", met: null });
  rows.push({ id: "memory", measure: "memory growth over 10 000 referrals via all()", kind: "na", note: na, target: "flat", met: null });
} else if (!args.emulator) {
  const na = "n/a (no --emulator binary given)";
  rows.push({ id: "all", measure: "all() over 50 pages × 100 from the emulator on loopback", kind: "na", note: na, target: "≤ 1.0×", met: null });
  rows.push({ id: "memory", measure: "memory growth over 10 000 referrals via all()", kind: "na", note: na, target: "flat", met: null });
} else {
  rows.push(...(await allRows()));
  rows.push(await memoryRow());
}

writeFileSync(out, JSON.stringify({ quick, peers, node: process.version, chromium: chromiumVersion, rows }, null, 2));
log(`wrote ${out}`);
process.exit(0);

// ---------------------------------------------------------------------------------------------

/** A start-up row from per-sample `{ totalMs, importMs, firstCallMs }`. */
function startupRow(id, where, name, samples) {
  const median = (key) => summary(samples.map((s) => s[key])).median;
  return {
    id,
    measure: `module start-up (import → ready → first validateFilter), ${where}`,
    kind: "time",
    unit: "ms",
    ours: { name, ...summary(samples.map((s) => s.totalMs)) },
    detail: { importMs: median("importMs"), firstCallMs: median("firstCallMs") },
    target: "report",
    met: null,
  };
}

function row(id, measure, r, target, met) {
  return { id, measure, kind: "time", ...r, target, met };
}

function sizes(buf) {
  return {
    raw: buf.length,
    gz: gzipSync(buf, { level: 9 }).length,
    br: brotliCompressSync(buf, {
      params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: buf.length },
    }).length,
  };
}

function parseArgs(argv) {
  const out = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith("--")) throw new Error(`unexpected argument ${a}`);
    const key = a.slice(2);
    if (key === "quick") out.quick = true;
    else out[key] = argv[++i];
  }
  return out;
}

function peerVersions() {
  const lock = JSON.parse(readFileSync(join(here, "package-lock.json"), "utf8"));
  const v = (name) => lock.packages[`node_modules/${name}`]?.version ?? "?";
  const root = JSON.parse(readFileSync(join(here, "../../package-lock.json"), "utf8"));
  return {
    tinybench: v("tinybench"),
    zod: v("zod"),
    "@odata/parser": v("@odata/parser"),
    "@microsoft/microsoft-graph-client": v("@microsoft/microsoft-graph-client"),
    "@azure/core-rest-pipeline": v("@azure/core-rest-pipeline"),
    esbuild: v("esbuild"),
    "playwright-core": root.packages["node_modules/playwright-core"]?.version ?? "?",
  };
}

// ---- Chromium ----------------------------------------------------------------------------------

async function chromiumStartup() {
  const { chromium } = await import("playwright-core");
  const types = { ".js": "text/javascript", ".wasm": "application/wasm", ".html": "text/html" };
  const page = `<!doctype html><meta charset="utf-8"><title>start-up</title>
<script type="module">
const t0 = performance.now();
const pkg = await import("/pkg/web.js");
await pkg.ready;
const t1 = performance.now();
const info = pkg.validateFilter("status eq 'New' and direction eq 'Incoming'");
const t2 = performance.now();
window.__startup = { importMs: t1 - t0, firstCallMs: t2 - t1, totalMs: t2 - t0, canonical: info.canonical };
</script>`;
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url, "http://x").pathname);
    if (path === "/") {
      res.writeHead(200, { "content-type": "text/html", "cache-control": "no-store" });
      return res.end(page);
    }
    const file = path.startsWith("/pkg/") ? resolve(pkgDir, path.slice(5)) : null;
    if (!file || !file.startsWith(pkgDir)) {
      res.writeHead(404);
      return res.end();
    }
    try {
      const body = readFileSync(file);
      res.writeHead(200, { "content-type": types[extname(file)] ?? "application/octet-stream" });
      res.end(body);
    } catch {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
  const origin = `http://127.0.0.1:${server.address().port}`;
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: [
      "--headless=new",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-dev-shm-usage",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
  chromiumVersion = browser.version();
  const samples = [];
  try {
    for (let i = 0; i < T.startup; i++) {
      // A new context per sample: empty HTTP cache and no compiled-code cache (a first visit).
      const context = await browser.newContext();
      const tab = await context.newPage();
      await tab.goto(`${origin}/`);
      const s = await tab.waitForFunction(() => window.__startup, null, { timeout: 30_000 }).then((h) => h.jsonValue());
      if (s.canonical !== "status eq 'New' and direction eq 'Incoming'") throw new Error(`unexpected ${s.canonical}`);
      samples.push(s);
      await context.close();
    }
  } finally {
    await browser.close();
    server.close();
  }
  return startupRow("startup-chromium", "headless Chromium, new context", "web.js entry over loopback HTTP", samples);
}

// ---- the emulator and the client rows -----------------------------------------------------------

async function startEmulator(count) {
  const child = spawn(
    resolve(args.emulator),
    ["--port", "0", "--count", String(count), "--seed", "20240607", "--now", "2025-06-01T12:00:00Z", "--quiet"],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  const line = await new Promise((ok, fail) => {
    const lines = createInterface({ input: child.stdout });
    lines.once("line", ok);
    child.once("exit", (code) => fail(new Error(`emulator exited with ${code}`)));
  });
  const m = /listening on (http:\/\/127\.0\.0\.1:\d+\/v1\.0\/)/.exec(line);
  if (!m) throw new Error(`unexpected emulator line: ${line}`);
  return { baseUrl: m[1], stop: () => child.kill("SIGTERM") };
}

// The guard: all() against a hand-written loop that checks what it gets (fetch, JSON.parse and
// the zod page schema of the decode row). all() reads one page ahead by default (the server
// builds page k + 1 while page k is parsed and consumed); the loop does not. The second row,
// for context, is all() with `readAhead: false`, one request per page consumed like the loop.
async function allRows() {
  const emu = await startEmulator(5000);
  try {
    const client = new pkg.ReferralsClient({ getToken: () => "bench-token", baseUrl: emu.baseUrl });
    const viaAll = (opts) => async () => {
      let n = 0;
      for await (const r of client.all({ top: 100 }, opts)) if (r.id) n++;
      return n;
    };
    const byHand = async () => {
      let n = 0;
      let url = `${emu.baseUrl}engagements/referrals?$top=100`;
      while (url) {
        const res = await fetch(url, { headers: { authorization: "Bearer bench-token", accept: "application/json" } });
        if (!res.ok) throw new Error(`HTTP ${res.status}`);
        // Checked as the library checks it: the zod page schema of the decode row.
        const page = referralPage.parse(JSON.parse(await res.text()));
        for (const r of page.value) if (r.id) n++;
        url = page["@odata.nextLink"];
      }
      return n;
    };
    const sides = [
      ["all", "all() over 50 pages × 100 (5 000 referrals) from the emulator on loopback", "client.all({ top: 100 })", viaAll({})],
      ["all-lazy", "the same, `readAhead: false` (one request per page consumed, as the loop)", "client.all({ top: 100 }, { readAhead: false })", viaAll({ readAhead: false })],
    ];
    const counts = [await sides[0][3](), await sides[1][3](), await byHand()];
    if (counts.some((n) => n !== 5000)) throw new Error(`expected 5000 referrals, got ${counts.join(", ")}`);
    const rows = [];
    for (const [id, measure, name, fn] of sides) {
      log(`${name} vs fetch + JSON.parse + zod loop`);
      const r = await compare({
        ours: { name, fn },
        baseline: { name: `fetch + JSON.parse + zod ${peers.zod} page schema, loop over nextLink`, fn: byHand },
        rounds: T.clientRounds,
        time: T.clientTime,
        warmupTime: 0,
        warmupIterations: 1,
        iterations: quick ? 1 : 4,
      });
      // per traversal of 50 pages, in ms
      for (const side of [r.ours, r.baseline]) for (const k of ["median", "p25", "p75", "min", "max"]) side[k] /= 1000;
      const guard = id === "all";
      rows.push({ id, measure, kind: "time", ...r, unit: "ms", target: guard ? "≤ 1.0×" : "report", met: guard ? r.ratio <= 1.0 : null });
    }
    return rows;
  } finally {
    emu.stop();
  }
}

async function memoryRow() {
  const emu = await startEmulator(10_000);
  try {
    // A fresh process: nothing of the other rows on the heap.
    const run = spawnSync(process.execPath, ["--expose-gc", join(here, "memory.mjs"), pkgDir, emu.baseUrl], { encoding: "utf8" });
    if (run.status !== 0) throw new Error(`memory.mjs failed: ${run.stderr}`);
    const m = JSON.parse(run.stdout);
    // "flat": between the 1 000th and the 10 000th referral the heap (JS + external, which
    // holds the wasm memory) grows, by the least-squares trend of the samples, by less than
    // what one page of 100 holds, i.e. not with the number of referrals.
    return {
      id: "memory",
      measure: "memory growth over 10 000 referrals via all() (JS heap + external, after GC)",
      kind: "memory",
      ours: { name: "growth 1 000th → 10 000th referral, trend", bytes: m.growth },
      control: { name: "fetch + JSON.parse loop, same measure", bytes: m.loopGrowth },
      baseline: { name: "one page of 100 held", bytes: m.onePage },
      samples: m.samples,
      loopSamples: m.loopSamples,
      ratio: m.growth / m.onePage,
      target: "flat",
      met: m.growth < m.onePage,
    };
  } finally {
    emu.stop();
  }
}
