// The memory row, in a fresh process (nothing of the other rows on the heap): what one page
// of 100 referrals holds, and how the heap moves over an all() of 10 000 referrals.
// Prints one JSON line. usage: node --expose-gc memory.mjs <pkg-dir> <emulator base URL>
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { setImmediate as tick } from "node:timers/promises";

const [pkgDir, baseUrl] = process.argv.slice(2);
const pkg = await import(pathToFileURL(resolve(pkgDir, "node.js")).href);
await pkg.ready;

/** heapUsed + external (external holds ArrayBuffers, the wasm memory among them), after GC. */
async function mem() {
  for (let i = 0; i < 3; i++) {
    globalThis.gc();
    await tick();
  }
  const m = process.memoryUsage();
  return { total: m.heapUsed + m.external, heap: m.heapUsed, external: m.external, rss: m.rss };
}

const client = new pkg.ReferralsClient({ getToken: () => "bench-token", baseUrl });
// Warm up: one whole traversal first, so code compiled, connections opened and wasm memory
// reserved on first use are counted neither as "one page" nor as growth.
let warm = 0;
for await (const r of client.all({ top: 100 })) if (r.id) warm++;
if (warm !== 10_000) throw new Error(`expected 10 000 referrals, got ${warm}`);

/** Least-squares growth over the sampled span (samples every 1 000 referrals): robust to
 * the ±100 KiB the heap jitters from one sample to the next, unlike last − first. */
function growth(samples) {
  const n = samples.length;
  const mx = (n - 1) / 2;
  const my = samples.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  samples.forEach((y, x) => {
    num += (x - mx) * (y - my);
    den += (x - mx) ** 2;
  });
  return (num / den) * (n - 1);
}

const samples = [];
let n = 0;
for await (const r of client.all({ top: 100 })) {
  if (!r.id) throw new Error("referral without id");
  n++;
  if (n % 1000 === 0) samples.push((await mem()).total);
}
if (n !== 10_000) throw new Error(`expected 10 000 referrals, got ${n}`);

// Control: the same traversal by a hand-written fetch + JSON.parse loop (what V8 and undici
// drift on their own).
const loopSamples = [];
let m = 0;
let url = `${baseUrl}engagements/referrals?$top=100`;
while (url) {
  const res = await fetch(url, { headers: { authorization: "Bearer bench-token", accept: "application/json" } });
  const page = JSON.parse(await res.text());
  for (const r of page.value) {
    if (!r.id) throw new Error("referral without id");
    m++;
    if (m % 1000 === 0) loopSamples.push((await mem()).total);
  }
  url = page["@odata.nextLink"];
}

// One page (measured last, so holding pages does not shift the traversals): hold 10 distinct pages and divide (a single page is within the heap's jitter).
const before = await mem();
let held = [];
for await (const page of client.all({ top: 100 }).byPage()) {
  held.push(page);
  if (held.length === 10) break;
}
const withPages = await mem();
if (held.some((p) => p.value.length !== 100)) throw new Error("pages must hold 100 referrals");
const onePage = (withPages.total - before.total) / held.length;
held = null;

const after = await mem();
console.log(
  JSON.stringify({
    onePage,
    growth: growth(samples),
    loopGrowth: growth(loopSamples),
    firstToLast: samples[samples.length - 1] - samples[0],
    samples,
    loopSamples,
    afterPagesReleased: after.total - before.total,
  }),
);
