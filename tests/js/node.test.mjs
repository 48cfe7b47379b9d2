// Every export of the installed package, from Node (the "node" condition of its exports map).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as api from "partner-referrals";
import {
  ready,
  validateFilter,
  filter,
  buildQuery,
  matchesFilter,
  decodeReferralPage,
  respondBy,
  ODataError,
  Filter,
} from "partner-referrals";
import { thrown } from "./assertions.mjs";

const seedText = readFileSync(new URL("./fixtures/seed-page.json", import.meta.url), "utf8");
const samples = readFileSync(new URL("./fixtures/sample-requests.txt", import.meta.url), "utf8")
  .split("\n")
  .filter((line) => line.startsWith("/"));

test("the package exports exactly the documented names", () => {
  assert.deepEqual(Object.keys(api).sort(), [
    "Filter", "ODataError", "ReferralsClient", "buildPatch", "buildQuery", "decodeReferralPage",
    "filter", "matchesFilter", "ready", "respondBy", "validateFilter",
  ]);
});

test("ready is already resolved in Node and the module works right after import", async () => {
  // A call before awaiting anything: the node entry instantiates synchronously.
  assert.equal(validateFilter("status eq 'New'").canonical, "status eq 'New'");
  assert.equal(await ready, undefined);
});

test("validateFilter returns the canonical text and the property paths used", () => {
  const info = validateFilter("(customerProfile/address/country eq 'US')  and  direction eq 'Incoming'");
  assert.deepEqual(Object.keys(info).sort(), ["canonical", "fields"]);
  assert.equal(info.canonical, "customerProfile/address/country eq 'US' and direction eq 'Incoming'");
  assert.ok(info.fields.includes("customerProfile/address/country"));
  assert.ok(info.fields.includes("direction"));
  assert.equal(validateFilter(info.canonical).canonical, info.canonical);
  assert.equal(Object.getPrototypeOf(info), Object.prototype, "a plain object");
});

test("an invalid filter throws ODataError with a UTF-16 position (astral character before it)", () => {
  const text = "customerProfile/name eq '💝' and stauts eq 'New'";
  const e = thrown(() => validateFilter(text));
  assert.equal(e.code, "InvalidFilter");
  assert.equal(e.position, 33, "💝 is two UTF-16 code units");
  assert.equal(text.slice(e.position, e.position + 6), "stauts");
  assert.match(e.message, /status/, "did you mean `status`");
  assert.equal(e.path, undefined);
});

test("an enum value that is not a member is rejected with a suggestion", () => {
  const e = thrown(() => validateFilter("status eq 'new'"));
  assert.equal(e.code, "InvalidFilter");
  assert.equal(e.position, 10);
  assert.match(e.message, /New/);
});

test("validateFilter({schema:false}) checks the syntax only", () => {
  assert.equal(validateFilter("stauts eq 'x'", { schema: false }).canonical, "stauts eq 'x'");
  assert.equal(thrown(() => validateFilter("status eq", { schema: false })).code, "InvalidFilter");
  assert.equal(thrown(() => validateFilter("stauts eq 'x'", { schema: true })).code, "InvalidFilter");
});

test("deep nesting is an error, not a crash", () => {
  const e = thrown(() => validateFilter("(".repeat(10_000)));
  assert.equal(e.code, "InvalidFilter");
  assert.equal(typeof e.position, "number");
  // The module still works afterwards (a trap would have poisoned it).
  assert.equal(validateFilter("status eq 'New'").canonical, "status eq 'New'");
});

test("wrong argument types throw TypeError, not a trap", () => {
  assert.throws(() => validateFilter(42), TypeError);
  assert.throws(() => validateFilter("status eq 'New'", { shcema: false }), TypeError);
  assert.throws(() => decodeReferralPage({}), TypeError);
  assert.throws(() => matchesFilter({}, {}), TypeError);
  assert.throws(() => respondBy("x"), TypeError);
  assert.throws(() => respondBy({}, -1), RangeError);
  assert.throws(() => buildQuery({ fitler: "status eq 'New'" }), /did you mean `filter`/);
});

test("filter interpolates values as literals, never as syntax", () => {
  const f = filter`customerProfile/name eq ${"O'Brien & Co #1+2"}`;
  assert.ok(f instanceof Filter);
  assert.equal(String(f), "customerProfile/name eq 'O''Brien & Co #1+2'");
  assert.equal(`${f}`, f.toString());
  assert.equal(JSON.stringify({ f }), JSON.stringify({ f: String(f) }));
  assert.deepEqual([...f.fields], ["customerProfile/name"]);

  const injection = filter`customerProfile/name eq ${"x' or status eq 'New"}`;
  assert.equal(String(injection), "customerProfile/name eq 'x'' or status eq ''New'");

  const dated = filter`createdDateTime gt ${new Date(Date.UTC(2020, 9, 30, 21, 3))}`;
  assert.match(String(dated), /^createdDateTime gt 2020-10-30T21:03:00(\.0+)?Z$/);
  assert.equal(validateFilter(String(dated)).canonical, String(dated));

  assert.equal(String(filter`status eq ${null}`), "status eq null");
  assert.equal(String(filter`details/dealValue gt ${10000}`), "details/dealValue gt 10000");
  const list = String(filter`status in ${["New", "Active"]}`);
  assert.equal(validateFilter(list).canonical, list);
  assert.match(list, /^status in \('New', ?'Active'\)$/);
});

test("filter rejects values that cannot be literals with InvalidFilter", () => {
  for (const bad of [{}, () => 1, Symbol("s"), undefined, NaN, Infinity, new Date(NaN), [[1]], filter`status eq 'New'`]) {
    const e = thrown(() => filter`status eq ${bad}`);
    assert.equal(e.code, "InvalidFilter");
    assert.match(e.message, /value 1/);
  }
  const e = thrown(() => filter`status eq ${"new"}`);
  assert.equal(e.code, "InvalidFilter");
  assert.equal(typeof e.position, "number");
  assert.throws(() => filter("status eq 'New'"), TypeError);
});

test("a filter call site gives the right Filter and the same errors at every evaluation", () => {
  const site = (name, status) => filter`customerProfile/name eq ${name} and status eq ${status}`;
  const wanted = (name, status) =>
    validateFilter(`customerProfile/name eq '${name.replaceAll("'", "''")}' and status eq '${status}'`);
  for (let round = 0; round < 3; round++) {
    for (const [name, status] of [["Contoso", "New"], ["O'Brien & Co #1+2", "Active"], ["東京 💝", "Closed"]]) {
      const f = site(name, status);
      const want = wanted(name, status);
      assert.equal(String(f), want.canonical);
      assert.deepEqual([...f.fields], want.fields);
      assert.ok(Object.isFrozen(f.fields));
    }
    // A value that fails a check: the same error as the text filter, every time.
    const e = thrown(() => site("Contoso", "new"));
    const text = thrown(() => validateFilter("customerProfile/name eq 'Contoso' and status eq 'new'"));
    assert.deepEqual([e.code, e.message, e.position, e.end], [text.code, text.message, text.position, text.end]);
    // Strings that never compile throw every time, too.
    const bad = thrown(() => filter`stauts eq ${"New"}`);
    assert.equal(bad.code, "InvalidFilter");
    assert.equal(bad.position, 0);
    // The values decide the shape: a number where strings were, then a string again.
    assert.equal(thrown(() => site("Contoso", 1)).code, "InvalidFilter");
    assert.equal(String(site("x", "New")), "customerProfile/name eq 'x' and status eq 'New'");
  }
  // Called as a function with a mutable array: compiled for the call only, so a changed array
  // gives a changed filter.
  const parts = ["status eq ", ""];
  assert.equal(String(filter(parts, "New")), "status eq 'New'");
  parts[0] = "substatus eq ";
  assert.equal(String(filter(parts, "Pending")), "substatus eq 'Pending'");
});

test("Filters are made by the filter tag only: new Filter() throws TypeError", () => {
  assert.throws(() => new Filter("status eq 'New'", ["status"]), TypeError);
  assert.throws(() => new Filter(), TypeError);
  assert.throws(() => Reflect.construct(Filter, [Symbol("Filter"), "x", []]), TypeError);
  // A look-alike is not a Filter: buildQuery and matchesFilter do not take it.
  const fake = Object.create(Filter.prototype);
  assert.ok(fake instanceof Filter);
  assert.throws(() => buildQuery({ filter: fake }));
  const f = filter`status eq ${"New"}`;
  assert.ok(Object.isFrozen(f));
  assert.equal(new URLSearchParams(buildQuery({ filter: f })).get("$filter"), "status eq 'New'");
  assert.equal(matchesFilter(f, { status: "New" }), true);
});

test("buildQuery output round-trips through URLSearchParams", () => {
  const nasty = "O'Brien & Co #1+2 %20 ? = ;";
  const query = buildQuery({
    filter: filter`customerProfile/name eq ${nasty}`,
    select: ["id", "status", "customerProfile"],
    orderBy: { field: "createdDateTime", direction: "desc" },
    top: 10,
    count: true,
  });
  assert.ok(!query.startsWith("?"));
  const params = new URLSearchParams(query);
  assert.equal(params.get("$filter"), `customerProfile/name eq '${nasty.replaceAll("'", "''")}'`);
  assert.equal(params.get("$select"), "id,status,customerProfile");
  assert.equal(params.get("$orderby"), "createdDateTime desc");
  assert.equal(params.get("$top"), "10");
  assert.equal(params.get("$count"), "true");
  assert.equal(buildQuery({}), "");
  assert.equal(new URLSearchParams(buildQuery({ orderBy: "updatedDateTime asc" })).get("$orderby"), "updatedDateTime asc");
  assert.equal(new URLSearchParams(buildQuery({ filter: "status  eq 'New'" })).get("$filter"), "status eq 'New'");
});

test("buildQuery rejects bad options with their codes", () => {
  assert.equal(thrown(() => buildQuery({ filter: "stauts eq 'New'" })).code, "InvalidFilter");
  assert.equal(thrown(() => buildQuery({ filter: 42 })).code, "InvalidFilter");
  assert.equal(thrown(() => buildQuery({ select: ["id", "stauts"] })).code, "InvalidSelect");
  assert.equal(thrown(() => buildQuery({ select: "id" })).code, "InvalidSelect");
  assert.equal(thrown(() => buildQuery({ orderBy: "name desc" })).code, "InvalidOrderBy");
  assert.equal(thrown(() => buildQuery({ orderBy: { field: "id" } })).code, "InvalidOrderBy");
  assert.equal(thrown(() => buildQuery({ orderBy: { field: "createdDateTime", direction: "up" } })).code, "InvalidOrderBy");
  for (const top of [0, -1, 1.5, NaN, "10"]) {
    assert.equal(thrown(() => buildQuery({ top })).code, "InvalidTop", String(top));
  }
});

test("buildQuery reads the usual query in JS and hands everything else to the wasm checks", () => {
  const f = filter`status eq ${"New"}`;
  assert.equal(buildQuery({ filter: f, orderBy: { field: "createdDateTime", direction: "DESC" }, top: 5, count: true }),
    "$filter=status%20eq%20'New'&$orderby=createdDateTime%20desc&$top=5&$count=true");
  assert.equal(buildQuery({ orderBy: { field: "updatedDateTime" } }), "$orderby=updatedDateTime");
  assert.equal(buildQuery({ orderBy: "createdDateTime DESC, updatedDateTime", count: false }),
    "$orderby=createdDateTime%20desc,updatedDateTime");
  assert.equal(buildQuery({ filter: f, select: ["id", "id"] }), "$filter=status%20eq%20'New'&$select=id");
  assert.equal(buildQuery({ filter: undefined, top: undefined }), "");
  assert.match(thrown(() => buildQuery({ top: NaN })).message, /found `NaN`/);
  assert.match(thrown(() => buildQuery({ top: 2 ** 31 })).message, /found `2147483648`/);
  const unknown = thrown(() => buildQuery({ orderBy: { field: "createdDateTime", dir: "asc" } }));
  assert.equal(unknown.code, "InvalidOrderBy");
  assert.match(unknown.message, /unknown query\.orderBy property `dir`/);
  assert.equal(thrown(() => buildQuery({ orderBy: { field: 1 } })).code, "InvalidOrderBy");
  assert.equal(thrown(() => buildQuery({ orderBy: null })).code, "InvalidOrderBy");
  assert.equal(thrown(() => buildQuery({ filter: f, orderBy: "createdDateTime up" })).code, "InvalidOrderBy");
  assert.throws(() => buildQuery({ count: "yes" }), TypeError);
  assert.throws(() => buildQuery({ top: 1, fitler: "x" }), /did you mean `filter`/);
  assert.throws(() => buildQuery([]), TypeError);
  assert.throws(() => buildQuery("top=1"), TypeError);
  // The same options with other filters, then other options: each query is its own.
  for (const name of ["a", "b"]) {
    const g = filter`customerProfile/name eq ${name}`;
    for (const top of [1, 2, 1]) {
      assert.equal(buildQuery({ filter: g, top, orderBy: "createdDateTime" }),
        `$filter=customerProfile/name%20eq%20'${name}'&$orderby=createdDateTime&$top=${top}`);
      assert.equal(thrown(() => buildQuery({ filter: g, top: 0 })).code, "InvalidTop");
    }
    assert.equal(buildQuery({ filter: g }), `$filter=customerProfile/name%20eq%20'${name}'`);
    assert.equal(buildQuery({ filter: g, count: true }), `$filter=customerProfile/name%20eq%20'${name}'&$count=true`);
  }
  // Only `top` changing (the kept orderBy is checked at every call: its error every time,
  // before `top`'s), then another orderBy.
  const h = filter`customerProfile/name eq ${"c"}`;
  for (const top of [1, 2, 0, 3]) {
    assert.equal(thrown(() => buildQuery({ filter: h, orderBy: "createdDateTime up", top })).code, "InvalidOrderBy");
  }
  for (const top of [4, 5]) {
    assert.equal(buildQuery({ filter: h, orderBy: { field: "updatedDateTime", direction: "ASC" }, top }),
      `$filter=customerProfile/name%20eq%20'c'&$orderby=updatedDateTime%20asc&$top=${top}`);
  }
  // A refused `top` leaves the kept result alone, and is refused again.
  for (const top of [1.5, 5, 1.5, 5]) {
    const query = { filter: h, orderBy: { field: "updatedDateTime", direction: "ASC" }, top };
    if (top === 5) {
      assert.equal(buildQuery(query), `$filter=customerProfile/name%20eq%20'c'&$orderby=updatedDateTime%20asc&$top=5`);
    } else {
      assert.equal(thrown(() => buildQuery(query)).code, "InvalidTop");
    }
  }
  assert.equal(buildQuery({ filter: h, orderBy: { field: "updatedDateTime" }, top: 6, count: true }),
    `$filter=customerProfile/name%20eq%20'c'&$orderby=updatedDateTime&$top=6&$count=true`);
  // Every property is read once, also when the wasm side has to decide.
  const reads = [];
  const spy = (value) => new Proxy(value, { get: (t, k, r) => (reads.push(k), Reflect.get(t, k, r)) });
  assert.equal(thrown(() => buildQuery(spy({ filter: "stauts eq 1", top: 1 }))).code, "InvalidFilter");
  assert.deepEqual(reads.filter((k) => k === "filter" || k === "top"), ["filter", "top"]);
});

test("every documented sample request builds, validates and round-trips", () => {
  assert.ok(samples.length >= 8);
  for (const line of samples) {
    const params = new URLSearchParams(line.slice(line.indexOf("?") + 1));
    const query = {};
    if (params.has("$filter")) query.filter = params.get("$filter");
    if (params.has("$select")) query.select = params.get("$select").split(",");
    if (params.has("$orderby")) query.orderBy = params.get("$orderby");
    if (params.has("$top")) query.top = Number(params.get("$top"));
    const back = new URLSearchParams(buildQuery(query));
    if (query.filter) {
      const canonical = validateFilter(query.filter).canonical;
      assert.equal(back.get("$filter"), canonical, line);
      assert.equal(validateFilter(canonical).canonical, canonical);
    }
    if (query.select) assert.equal(back.get("$select"), query.select.join(","), line);
    if (query.orderBy) assert.equal(back.get("$orderby"), query.orderBy, line);
    if (query.top) assert.equal(back.get("$top"), String(query.top), line);
  }
});

test("decodeReferralPage keeps everything and renames the @odata envelope", () => {
  const page = decodeReferralPage(seedText);
  const raw = JSON.parse(seedText);
  assert.equal(page.count, 1);
  assert.equal(page.nextLink, raw["@odata.nextLink"]);
  assert.equal(page.context, raw["@odata.context"]);
  assert.ok(!("@odata.count" in page));
  assert.deepEqual(page.value, raw.value, "every referral exactly as sent");

  const extended = JSON.parse(seedText);
  extended.value[0].status = "Reopened";
  extended.value[0].futureField = { nested: [1, null, "x"] };
  extended.value[0].customerProfile.ids = [{ type: "Duns", value: "123" }];
  extended.value[0].details.dealValue = "10000.50";
  extended.futureEnvelope = true;
  extended["@odata.count"] = null;
  const decoded = decodeReferralPage(JSON.stringify(extended));
  assert.equal(decoded.value[0].status, "Reopened");
  assert.deepEqual(decoded.value[0].futureField, { nested: [1, null, "x"] });
  assert.deepEqual(decoded.value[0].customerProfile.ids, [{ type: "Duns", value: "123" }]);
  assert.equal(decoded.value[0].details.dealValue, "10000.50");
  assert.equal(decoded.futureEnvelope, true);
  assert.ok(!("count" in decoded), "a null @odata.count is left out");
});

test("decodeReferralPage rejects wrong types with InvalidResponse and a JSON pointer", () => {
  const bad = JSON.parse(seedText);
  bad.value[0].createdDateTime = 5;
  const e = thrown(() => decodeReferralPage(JSON.stringify(bad)));
  assert.equal(e.code, "InvalidResponse");
  assert.equal(e.path, "/value/0/createdDateTime");
  assert.equal(e.position, undefined);
  assert.equal(thrown(() => decodeReferralPage("<html>")).code, "InvalidResponse");
  assert.equal(thrown(() => decodeReferralPage("[]")).code, "InvalidResponse");
});

test("matchesFilter evaluates filters and Filters over referrals in memory", () => {
  const [referral] = decodeReferralPage(seedText).value;
  assert.equal(matchesFilter("status eq 'New' and direction eq 'Incoming'", referral), true);
  assert.equal(matchesFilter("customerProfile/address/country eq 'DE'", referral), false);
  assert.equal(matchesFilter(filter`customerProfile/address/city eq ${"Redmond"}`, referral), true);
  assert.equal(matchesFilter("createdDateTime lt now()", referral), true);
  assert.equal(thrown(() => matchesFilter("stauts eq 'New'", referral)).code, "InvalidFilter");
  const many = Array.from({ length: 1000 }, (_, i) => ({ ...referral, status: i % 2 ? "New" : "Active" }));
  assert.equal(many.filter((r) => matchesFilter("status eq 'Active'", r)).length, 500);
});

test("respondBy gives the deadline of incoming pending referrals only", () => {
  const [referral] = decodeReferralPage(seedText).value;
  const created = Date.parse(referral.createdDateTime);
  assert.equal(respondBy(referral), new Date(created + 14 * 86_400_000).toISOString());
  assert.equal(respondBy(referral, 3), new Date(created + 3 * 86_400_000).toISOString());
  const expiring = { ...referral, expirationDateTime: "2020-11-02T00:00:00Z" };
  assert.equal(respondBy(expiring), "2020-11-02T00:00:00.000Z");
  assert.equal(respondBy({ ...referral, direction: "Outgoing" }), undefined);
  assert.equal(respondBy({ ...referral, substatus: "Accepted" }), undefined);
});

test("ODataError can be constructed and subclassed by users (e.g. in mocks)", () => {
  const e = new ODataError("NotFound", "no such referral", { status: 404 });
  assert.ok(e instanceof Error);
  assert.equal(e.name, "ODataError");
  assert.equal(e.code, "NotFound");
  assert.equal(e.status, 404);
  assert.match(e.stack, /ODataError: no such referral/);
});
