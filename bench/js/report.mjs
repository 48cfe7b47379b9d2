// Turns one `make bench` run into ONE table: the JS rows (run.mjs's JSON) and the native rows
// (criterion's saved samples), with the machine and the versions; prints it and, unless
// --no-write, writes bench/RESULTS.md. Never edit RESULTS.md by hand: run `make bench`.
//
// usage: node report.mjs --js <run.json> --criterion <target/criterion> --since <epoch ms> --load-start "<1 5 15>"
//        [--out bench/RESULTS.md] [--no-write] [--quick]
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";

import { summary } from "./stats.mjs";

const args = {};
for (let i = 2; i < process.argv.length; i++) {
  const key = process.argv[i].slice(2);
  if (key === "no-write" || key === "quick") args[key] = true;
  else args[key] = process.argv[++i];
}
const js = JSON.parse(readFileSync(args.js, "utf8"));
const criterion = readCriterion(args.criterion);
const loadEnd = loadavg().map((x) => x.toFixed(2)).join(" ");

// ---- formatting ----------------------------------------------------------------------------------
const sig = (x) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x >= 1 ? x.toFixed(2) : x.toPrecision(2));
function time(us) {
  if (!Number.isFinite(us)) return "?";
  if (us >= 1e6) return `${sig(us / 1e6)} s`;
  if (us >= 1e3) return `${sig(us / 1e3)} ms`;
  if (us >= 1) return `${sig(us)} µs`;
  return `${sig(us * 1e3)} ns`;
}
const toUs = (s, unit) => (unit === "ms" ? s * 1e3 : s);
const spread = (s, unit) => `${time(toUs(s.median, unit))} (${time(toUs(s.p25, unit))}–${time(toUs(s.p75, unit))})`;
const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;
const ratio = (r) => (r >= 10 ? `${r.toFixed(1)}×` : `${r.toFixed(2)}×`);
const met = (m) => (m === true ? "met" : m === false ? "**not met**" : "—");

const rows = [];
for (const r of js.rows) {
  if (r.kind === "na") {
    rows.push([r.measure, r.note, "—", "—", "—", r.target, "—"]);
  } else if (r.kind === "size") {
    rows.push([
      r.measure,
      `${kib(r.ours.gz)} gzip / ${kib(r.ours.br)} brotli (wasm ${kib(r.ours.wasm.gz)} + JS ${kib(r.ours.js.gz)} gzip)`,
      r.baseline.name,
      `${kib(r.baseline.gz)} gzip / ${kib(r.baseline.br)} brotli`,
      `${ratio(r.ratio)} (gzip)`,
      r.target,
      met(r.met),
    ]);
  } else if (r.kind === "memory") {
    rows.push([
      r.measure,
      `${kib(r.ours.bytes)} (${r.ours.name}; ${r.control.name}: ${kib(r.control.bytes)})`,
      r.baseline.name,
      kib(r.baseline.bytes),
      ratio(r.ratio),
      r.target,
      met(r.met),
    ]);
  } else if (r.baseline) {
    const range = r.ratioRange && r.rounds > 1 ? ` (rounds ${ratio(r.ratioRange[0])}–${ratio(r.ratioRange[1])})` : "";
    rows.push([r.measure, spread(r.ours, r.unit), r.baseline.name, spread(r.baseline, r.unit), `${ratio(r.ratio)}${range}`, r.target, met(r.met)]);
  } else {
    const detail = r.detail
      ? ` — import ${time(r.detail.importMs * 1e3)}, first call ${time(r.detail.firstCallMs * 1e3)}`
      : "";
    rows.push([r.measure, `${spread(r.ours, r.unit)}${detail}`, "—", "—", "—", r.target, "—"]);
  }
}
for (const c of criterion) {
  rows.push([`native Rust (criterion): ${c.id}`, `${spread(c, "us")}${c.throughput}`, "—", "—", "—", "report", "—"]);
}

// The guards: the rows with a verdict (met is true or false); the other rows are context.
const guards = js.rows.filter((r) => r.met === true || r.met === false);
const verdicts = guards.map((r) => `- ${r.met ? "✅ met" : "❌ **not met**"}: ${r.measure} — ${r.target}${r.ratio !== undefined ? ` (${ratio(r.ratio)})` : ""}`).join("\n");
const allMet = guards.length > 0 && guards.every((r) => r.met);

const header = ["measure", "ours: median (p25–p75)", "baseline", "baseline: median (p25–p75)", "ratio", "target", "met?"];
const table = [header, header.map(() => "---"), ...rows].map((cells) => `| ${cells.join(" | ")} |`).join("\n");

const sh = (cmd, argv) => {
  try {
    return execFileSync(cmd, argv, { encoding: "utf8" }).trim();
  } catch {
    return "?";
  }
};
const cpu = (readFileSync("/proc/cpuinfo", "utf8").match(/^model name\s*:\s*(.*)$/m) ?? [])[1] ?? "?";
const peers = Object.entries(js.peers).map(([n, v]) => `${n} ${v}`).join(", ");
const date = new Date().toISOString().replace(/\.\d+Z$/, "Z");
const machine = [
  `- date: ${date}${js.quick || args.quick ? " — **--quick run: tiny iteration counts, the figures mean nothing**" : ""}`,
  `- machine: ${sh("nproc", [])} CPUs (nproc), ${cpu}, ${sh("uname", ["-sr"])}; shared and loaded: load average ${args["load-start"] ?? "?"} at the start, ${loadEnd} at the end (1, 5, 15 min)`,
  `- Node ${js.node}, ${sh("rustc", ["--version"])}, Chromium ${js.chromium ?? "?"}`,
  `- peers and harness (bench/js/package-lock.json): ${peers}`,
].join("\n");

console.log(`${machine}\n\n${table}\n\nguards:\n${verdicts}`);

if (!args["no-write"]) {
  const doc = `# Benchmark results

Written by \`make bench\` (scripts/bench.sh → bench/js/report.mjs); do not edit by hand.
One run, one machine; each figure is the median with its spread (p25–p75) over all samples;
for the timed rows the ratio (ours / baseline) is the median of the per-round ratios, with
their range: the two sides alternate in interleaved rounds, each round times them next to each
other, so load drift hits both; for the other rows it is the ratio of the figures.
The rows with a target are the guards; the others are context.

## Guards: ${allMet ? "all met" : "**not all met**"}

${verdicts}

${machine}

${table}

## How each figure is taken

- **Data**: one page of 100 generated referrals (seed 20240607, "now" 2025-06-01T12:00:00Z) as the
  emulator sends it — \`bench-data\` builds it with the emulator's own generator and paging code.
  The generator writes ~2.4 KB per referral (all optional parts filled in, team members,
  requirements, links), so the page is ~240 KB.
- **decodeReferralPage** vs \`JSON.parse\` and vs \`JSON.parse\` + a zod schema of the referral
  (bench/js/zod-referral.mjs: loose objects, open enums, GUIDs, ISO date-times, decimal strings —
  what the library checks). Before timing, the harness checks that all three give equal referrals.
  These two rows take twice the rounds, half as long each. Why every timed row's ratio is the
  **median of the per-round ratios** rather than the ratio of the pooled medians: this machine
  has slow phases lasting minutes (\`JSON.parse\` of the page ~1.7 ms instead of ~0.95 ms, both
  sides alike), and when one begins or ends within a row, pooling can put the two sides' medians
  in different phases. The medians
  and p25–p75 shown are still over all samples.
- **validateFilter** (with schema checking) vs \`@odata/parser\`'s \`defaultParser.filter\` (syntax
  only), both over the 6 documented \`$filter\`s (tests/fixtures/sample-requests.txt) and the 50 of
  bench/data/filters.txt; the harness checks that the peer parses every one completely.
- **buildQuery** with \`filter\` (3 interpolated values: a string with quotes and \`&\` plus a
  counter, a country, a \`Date\`) + \`orderBy\` + \`top\`, vs the same query by string
  concatenation with quote doubling and \`encodeURIComponent\`; both decode (URLSearchParams) to
  the same options. Every call has new values (the counter, and \`top\` from 1 to 1000), so no
  cache of either side can answer it.
- **Package size**: the files a browser downloads from pkg/ (wasm; glue + web.js + api.js +
  snippets), each group gzip -9 / brotli 11 separately, then summed (as \`make sizes\`); the wasm
  as \`make package\` ships it. Baseline: the JS stack the package replaces, bundled with esbuild
  (minified, browser ESM, tree-shaken) from one entry: \`Client\` of the Graph client,
  \`@odata/parser\` (the validateFilter row's peer) and the zod page schema (the decode row's
  baseline; zod's classic API, which that schema uses, bundles whole). The second size row, for
  context, bundles our web entry with the same esbuild options; the .wasm is the same file.
- **Start-up**: Node — a fresh \`node\` process per sample, from before \`import()\` of the node
  entry to the return of the first \`validateFilter\` (Node's own boot is not counted); Chromium —
  a new browser context per sample (empty HTTP and code caches), the web entry over loopback HTTP,
  from before \`import()\` to the first \`validateFilter\` after \`await ready\`.
- **all()**: the emulator (release build, \`--count 5000\`, same seed) on 127.0.0.1, 50 pages of
  \`$top=100\`; baseline: a loop over \`@odata.nextLink\` that fetches with the same headers and
  checks each page with \`JSON.parse\` and the zod page schema, as the library checks it. Both run
  in the same process with Node's global \`fetch\`. \`all()\` reads one page ahead by default;
  the loop does not, so a second row (context) times \`all()\` with \`readAhead: false\`.
- **Memory**: \`process.memoryUsage()\` heapUsed + external (external holds the wasm memory) after a
  forced GC, every 1 000 referrals of an \`all()\` over 10 000 (emulator \`--count 10000\`), in a
  fresh Node process, after one whole warm-up traversal; the growth is the least-squares trend
  of those 10 samples over the 9 000 referrals between the first and the last (the heap jitters
  by ±100 KiB between samples); "flat" means it is smaller than what one page of 100 holds
  (measured last: 10 pages held at once, divided by 10). The same measure over a hand-written fetch + JSON.parse
  loop is shown as a control (V8 and undici drift on their own).
- **Native Rust**: criterion (bench/benches/core.rs), the library's release profile (opt-level
  "z", LTO); median and p25–p75 of criterion's per-iteration sample means.
- **Noise**: a shared machine's load moves absolute figures between runs (see the load
  average). Read the ratios of the JS rows (both sides measured in alternating
  rounds of the same run), not absolute figures across runs. Before each side's warm-up and
  run, the harness forces a garbage collection outside the timed window, so neither side is
  charged for collecting the other's garbage.
`;
  writeFileSync(args.out ?? "bench/RESULTS.md", doc);
  process.stderr.write(`bench: wrote ${args.out ?? "bench/RESULTS.md"}\n`);
}

// ---- criterion -------------------------------------------------------------------------------------
function readCriterion(dir) {
  const since = Number(args.since ?? 0);
  if (!dir || !existsSync(dir)) return [];
  const found = [];
  const walk = (d) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (!statSync(p).isDirectory()) continue;
      if (name === "new" && existsSync(join(p, "sample.json")) && existsSync(join(p, "benchmark.json"))) {
        // Only what this run measured (the directory keeps benchmarks of earlier runs).
        if (statSync(join(p, "sample.json")).mtimeMs >= since) found.push(p);
      }
      else if (name !== "base" && name !== "report" && name !== "change") walk(p);
    }
  };
  walk(dir);
  return found
    .map((p) => {
      const bench = JSON.parse(readFileSync(join(p, "benchmark.json"), "utf8"));
      const sample = JSON.parse(readFileSync(join(p, "sample.json"), "utf8"));
      // ns per iteration of each sample; the report's time() takes µs.
      const s = summary(sample.times.map((t, i) => t / sample.iters[i] / 1e3));
      let throughput = "";
      const tp = bench.throughput ?? {};
      if (tp.Bytes) throughput = ` — ${((tp.Bytes / (s.median / 1e6)) / 1048576).toFixed(1)} MiB/s`;
      else if (tp.Elements) throughput = ` — ${(tp.Elements / (s.median / 1e6)).toExponential(2).replace("e+", "e")} elements/s`;
      return { id: bench.full_id ?? bench.title, ...s, throughput };
    })
    .sort((a, b) => a.id.localeCompare(b.id));
}
