// Prints raw / gzip -9 / brotli (quality 11) sizes of what a browser downloads from pkg/:
// the .wasm and the JS (glue + entry + shared api + snippets).
// usage: node scripts/sizes.mjs [pkg-dir]
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";

const dir = process.argv[2] ?? "pkg";
const walk = (d) =>
  readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(d, e.name)) : [join(d, e.name)]));
const groups = {
  wasm: [join(dir, "partner_referrals_bg.wasm")],
  "JS glue (web: glue + web.js + api.js + snippets)": [
    join(dir, "partner_referrals.js"),
    join(dir, "web.js"),
    join(dir, "api.js"),
    ...walk(join(dir, "snippets")),
  ],
};
const measure = (files) => {
  const buf = Buffer.concat(files.map((f) => readFileSync(f)));
  const gz = gzipSync(buf, { level: 9 }).length;
  const br = brotliCompressSync(buf, {
    params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: buf.length },
  }).length;
  return { raw: buf.length, gz, br };
};
const kb = (n) => `${(n / 1024).toFixed(1)} KiB`;
const rows = Object.entries(groups).map(([name, files]) => [name, measure(files)]);
// Compressed separately (as a server would send them), then summed.
const total = rows.reduce((a, [, m]) => ({ raw: a.raw + m.raw, gz: a.gz + m.gz, br: a.br + m.br }), { raw: 0, gz: 0, br: 0 });
rows.push(["total", total]);
console.log(`| ${"what".padEnd(48)} | ${"raw".padStart(10)} | ${"gzip -9".padStart(10)} | ${"brotli 11".padStart(10)} |`);
console.log(`|${"-".repeat(50)}|${"-".repeat(12)}|${"-".repeat(12)}|${"-".repeat(12)}|`);
for (const [name, m] of rows) {
  console.log(`| ${name.padEnd(48)} | ${kb(m.raw).padStart(10)} | ${kb(m.gz).padStart(10)} | ${kb(m.br).padStart(10)} |`);
}
