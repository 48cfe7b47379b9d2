import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
const stub = new Proxy({}, { get: () => new Proxy({}, { get: () => () => { throw new Error("import called"); } }) });
const { instance } = await WebAssembly.instantiate(readFileSync(process.argv[3]), stub);
const core = instance.exports;
const pkg = await import(pathToFileURL(process.argv[2] + "/node.js").href); await pkg.ready;
function t(fn, n = 100000) { const a = process.hrtime.bigint(); for (let i = 0; i < n; i++) fn(); return Number(process.hrtime.bigint() - a) / n; }
const cases = {
  "wasm pf_count()": () => core.pf_count(),
  "validateFilter('true')": () => pkg.validateFilter("true"),
  "validateFilter('status eq 1') err": () => { try { pkg.validateFilter("status eq 1"); } catch {} },
  "validateFilter('x eq 1',{schema:false})": () => pkg.validateFilter("x eq 1", { schema: false }),
  "validateFilter('status eq null')": () => pkg.validateFilter("status eq null"),
  "validateFilter('(status eq null)')": () => pkg.validateFilter("(status eq null)"),
};
for (const f of Object.values(cases)) t(f, 20000);
const res = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
for (let r = 0; r < 15; r++) for (const [k, f] of Object.entries(cases)) res[k].push(t(f, 20000));
for (const [k, v] of Object.entries(res)) console.log(k.padEnd(45), Math.min(...v).toFixed(0), "ns min");
