// `make demo`: a tour of the built npm package (pkg/), as a Node consumer sees it.
// Builds and validates every documented sample request, shows a rejected filter with a caret
// under the offending character, and decodes the documented example page.
import { readFileSync, statSync } from "node:fs";

const pkgUrl = new URL("../pkg/", import.meta.url);
const repoUrl = new URL("../", import.meta.url);
const {
  ready, validateFilter, filter, buildQuery, matchesFilter, decodeReferralPage, respondBy, ODataError,
} = await import(new URL("node.js", pkgUrl));
await ready;

const bold = (s) => (process.stdout.isTTY ? `\x1b[1m${s}\x1b[0m` : s);
const dim = (s) => (process.stdout.isTTY ? `\x1b[2m${s}\x1b[0m` : s);
const { version } = JSON.parse(readFileSync(new URL("package.json", pkgUrl), "utf8"));
const wasmKiB = (statSync(new URL("partner_referrals_bg.wasm", pkgUrl)).size / 1024).toFixed(0);
console.log(bold(`partner-referrals ${version}`) + dim(` (pkg/, ${wasmKiB} KiB of wasm)`));

// 1. The documented requests: parse each line's query, rebuild it with buildQuery, and check
//    that URLSearchParams gives back exactly what was asked for.
console.log(`\n${bold("Documented sample requests")} ${dim("(tests/fixtures/sample-requests.txt)")}`);
const lines = readFileSync(new URL("tests/fixtures/sample-requests.txt", repoUrl), "utf8")
  .split("\n")
  .filter((line) => line.startsWith("/"));
let ok = 0;
for (const [i, line] of lines.entries()) {
  const asked = new URLSearchParams(line.slice(line.indexOf("?") + 1));
  const query = {};
  if (asked.has("$filter")) query.filter = asked.get("$filter");
  if (asked.has("$select")) query.select = asked.get("$select").split(",");
  if (asked.has("$orderby")) query.orderBy = asked.get("$orderby");
  if (asked.has("$top")) query.top = Number(asked.get("$top"));
  const built = buildQuery(query);
  const back = new URLSearchParams(built);
  const same =
    (!query.filter || back.get("$filter") === validateFilter(query.filter).canonical) &&
    (!query.select || back.get("$select") === query.select.join(",")) &&
    (!query.orderBy || back.get("$orderby") === query.orderBy) &&
    (!query.top || back.get("$top") === String(query.top));
  ok += same ? 1 : 0;
  console.log(`${String(i + 1).padStart(3)}. ${line.slice(line.indexOf("?") + 1)}`);
  console.log(`     ${same ? "✓" : "✗"} ?${built}`);
}
console.log(dim(`     ${ok}/${lines.length} built, validated and round-tripped through URLSearchParams`));

// 2. A rejected filter, with a caret under the first offending character.
console.log(`\n${bold("A rejected filter")}`);
const bad = "direction eq 'Incoming' and customerProfile/adress/country eq 'US'";
try {
  validateFilter(bad);
} catch (e) {
  if (!(e instanceof ODataError)) throw e;
  // position counts UTF-16 code units (like string.slice); the caret counts code points.
  const column = [...bad.slice(0, e.position)].length;
  const width = Math.max(1, [...bad.slice(e.position, e.end)].length);
  console.log(`     ${bad}`);
  console.log(`     ${" ".repeat(column)}${"^".repeat(width)}`);
  console.log(`     ${e.code}: ${e.message}`);
}

// 3. The tagged template: values are literals, never syntax.
console.log(`\n${bold("The filter tag")}`);
const company = "O'Brien & Co #1+2";
const since = new Date(Date.UTC(2020, 9, 1));
const f = filter`customerProfile/name eq ${company} and createdDateTime ge ${since}`;
console.log(`     filter\`customerProfile/name eq \${${JSON.stringify(company)}} and createdDateTime ge \${${since.toISOString()}}\``);
console.log(`     → ${f}`);
console.log(`     → ?${buildQuery({ filter: f, orderBy: { field: "createdDateTime", direction: "desc" }, top: 10 })}`);

// 4. The documented example page, decoded, filtered offline, with the response deadline.
console.log(`\n${bold("Seed page")} ${dim("(tests/fixtures/seed-page.json)")}`);
const page = decodeReferralPage(readFileSync(new URL("tests/fixtures/seed-page.json", repoUrl), "utf8"));
console.log(`     ${page.value.length} referral(s), count ${page.count}, next page: ${page.nextLink ? "yes" : "no"}`);
const incomingPending = "direction eq 'Incoming' and substatus eq 'Pending'";
for (const r of page.value) {
  console.log(`     ${r.id}  ${r.customerProfile?.name}  ${r.status}/${r.substatus}  ${r.direction}`);
  console.log(`       created      ${r.createdDateTime}`);
  console.log(`       respond by   ${respondBy(r) ?? "-"}  ${dim("(14 days unless expirationDateTime is sent)")}`);
  console.log(`       matches ${JSON.stringify(incomingPending)}: ${matchesFilter(incomingPending, r)}`);
}
if (ok !== lines.length) process.exitCode = 1;
