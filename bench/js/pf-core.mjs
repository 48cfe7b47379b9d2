// core-only wasm timing (no boundary) vs the full validateFilter vs @odata/parser, interleaved
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { defaultParser } from "@odata/parser";
const stub = new Proxy({}, { get: () => new Proxy({}, { get: () => () => { throw new Error("import called"); } }) });
const { instance } = await WebAssembly.instantiate(readFileSync(process.argv[3]), stub);
const core = instance.exports;
const pkg = await import(pathToFileURL(process.argv[2] + "/node.js").href);
await pkg.ready;
const filters = JSON.parse(readFileSync("/tmp/pfdata/filters.json", "utf8"));
const n = core.pf_count();
function time(f, reps) { const t = process.hrtime.bigint(); f(reps); return Number(process.hrtime.bigint() - t) / reps / n / 1000; }
const runCore = (r) => core.pf_run(r);
const runOurs = (r) => { for (let i = 0; i < r; i++) for (const f of filters) pkg.validateFilter(f); };
const runBase = (r) => { for (let i = 0; i < r; i++) for (const f of filters) defaultParser.filter(f); };
time(runCore, 300); time(runOurs, 300); time(runBase, 100);
const rows = [];
for (let k = 0; k < 25; k++) rows.push([time(runCore, 60), time(runOurs, 60), time(runBase, 20)]);
const med = (i) => rows.map((r) => r[i]).sort((a, b) => a - b)[12];
const ratio = (i) => rows.map((r) => r[i] / r[2]).sort((a, b) => a - b)[12];
const mn = (i) => Math.min(...rows.map((r) => r[i]));
console.log(`min: core ${mn(0).toFixed(2)} full ${mn(1).toFixed(2)} odata ${mn(2).toFixed(2)} | ratio core ${(mn(0)/mn(2)).toFixed(3)} full ${(mn(1)/mn(2)).toFixed(3)}`);
console.log(`core ${med(0).toFixed(2)} µs  validateFilter ${med(1).toFixed(2)} µs  odata ${med(2).toFixed(2)} µs  | ratio core ${ratio(0).toFixed(3)} full ${ratio(1).toFixed(3)}`);
