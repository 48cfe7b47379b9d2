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

const before = await mem();
let held = await client.list({ top: 100 });
const withPage = await mem();
if (held.value.length !== 100) throw new Error("the first page must hold 100 referrals");
const onePage = withPage.total - before.total;
held = null;

const samples = [];
let n = 0;
for await (const r of client.all({ top: 100 })) {
  if (!r.id) throw new Error("referral without id");
  n++;
  if (n % 1000 === 0) samples.push(await mem());
}
if (n !== 10_000) throw new Error(`expected 10 000 referrals, got ${n}`);
const after = await mem();
console.log(
  JSON.stringify({
    onePage,
    growth: samples[samples.length - 1].total - samples[0].total,
    samples: samples.map((s) => s.total),
    rss: samples.map((s) => s.rss),
    afterTraversal: after.total - before.total,
    heldPage: withPage,
  }),
);
