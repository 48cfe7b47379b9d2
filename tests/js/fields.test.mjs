// The fields of Microsoft's connector definition, from the installed package: filters, `select`,
// matchesFilter and the page decoder know them. Then fields this version does not know, declared
// by the caller (`extraFields`): per call, per `filter.withExtraFields` tag and per client.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  validateFilter,
  filter,
  buildQuery,
  matchesFilter,
  decodeReferralPage,
  ODataError,
  ReferralsClient,
} from "partner-referrals";
import { thrown } from "./assertions.mjs";

const referral = {
  id: "c5fbb3b6-be74-4795-9fb5-4324c73fed37",
  salesStage: "Develop",
  favorite: true,
  campaignId: "CMP-7",
  lastModifiedVia: "PartnerCenter",
  lastRunId: null,
  inviteContext: { assistanceRequestCode: "ProofOfConceptOrDemo" },
  details: { customerAction: "RequestedContact", customerRequestedContact: true },
};

test("the connector fields validate, evaluate and interpolate", () => {
  assert.equal(validateFilter("salesStage eq 'Develop'").canonical, "salesStage eq 'Develop'");
  assert.deepEqual(validateFilter("favorite eq true and details/customerRequestedContact").fields, [
    "favorite",
    "details/customerRequestedContact",
  ]);
  for (const f of [
    "salesStage eq 'Develop'",
    "favorite eq true",
    "campaignId eq 'CMP-7' and lastRunId eq null",
    "inviteContext/assistanceRequestCode eq 'ProofOfConceptOrDemo'",
    "details/customerRequestedContact and details/customerAction eq 'RequestedContact'",
    filter`salesStage in ${["Develop", "Propose"]} and favorite eq ${true}`,
  ]) {
    assert.equal(matchesFilter(f, referral), true, String(f));
  }
  assert.equal(matchesFilter("salesStage eq 'Close' or not favorite", referral), false);
});

test("the connector enums are closed in filters, with a suggestion", () => {
  const e = thrown(() => validateFilter("salesStage eq 'develop'"));
  assert.equal(e.code, "InvalidFilter");
  assert.equal(e.position, 14);
  assert.match(e.message, /did you mean `'Develop'`/);
  const typo = thrown(() => validateFilter("favourite eq true"));
  assert.match(typo.message, /did you mean `favorite`/);
});

test("the connector fields are selectable", () => {
  const qs = buildQuery({ select: ["id", "salesStage", "favorite"], orderBy: "updatedDateTime desc" });
  assert.equal(new URLSearchParams(qs).get("$select"), "id,salesStage,favorite");
  const e = thrown(() => buildQuery({ select: ["salesStge"] }));
  assert.equal(e.code, "InvalidSelect");
  assert.match(e.message, /did you mean `salesStage`/);
});

test("the page decoder checks the JSON types of the connector fields", () => {
  const page = decodeReferralPage(JSON.stringify({ value: [referral] }));
  assert.deepEqual(page.value[0], referral);
  for (const [value, path] of [
    [{ favorite: "yes" }, "/value/0/favorite"],
    [{ salesStage: 3 }, "/value/0/salesStage"],
    [{ inviteContext: { assistanceRequestCode: false } }, "/value/0/inviteContext/assistanceRequestCode"],
    [{ details: { customerRequestedContact: "true" } }, "/value/0/details/customerRequestedContact"],
  ]) {
    const e = thrown(() => decodeReferralPage(JSON.stringify({ value: [value] })));
    assert.equal(e.code, "InvalidResponse");
    assert.equal(e.path, path);
  }
});

// ---- fields this version does not know, declared with their types ---------------------------

const extraFields = {
  isSpam: "boolean",
  quality: "number",
  closedDateTime: "dateTimeOffset",
  dealSensitivity: { enum: ["None", "Low", "High"] },
  tags: { collection: "string" },
  "details/incentiveLevel": "string",
  "customerProfile/isMatchingComplete": "boolean",
  "trackingInfo/microsoftMsxId": "string",
};

const spam = {
  status: "New",
  isSpam: false,
  quality: 3,
  closedDateTime: "2026-11-20T10:00:00Z",
  dealSensitivity: "High",
  tags: ["iot"],
  details: { incentiveLevel: "Gold" },
  customerProfile: { isMatchingComplete: true },
  trackingInfo: { microsoftMsxId: "MSX-1" },
};

test("validateFilter accepts declared fields and still refuses a typo beside them", () => {
  const info = validateFilter("isSpam eq false and status eq 'New'", { extraFields });
  assert.deepEqual(info.fields, ["isSpam", "status"]);
  const e = thrown(() => validateFilter("isSpam eq false and stauts eq 'New'", { extraFields }));
  assert.equal(e.code, "InvalidFilter");
  assert.equal(e.position, 20);
  assert.match(e.message, /did you mean `status`/);
  // The declared types are checked, enums with a suggestion.
  assert.match(thrown(() => validateFilter("isSpam eq 'no'", { extraFields })).message, /cannot compare a Boolean/);
  assert.match(thrown(() => validateFilter("dealSensitivity eq 'high'", { extraFields })).message, /did you mean `'High'`/);
  // The default stays strict.
  assert.match(thrown(() => validateFilter("isSpam eq false")).message, /unknown property `isSpam`/);
});

test("matchesFilter reads declared fields with their types, from a string or a Filter", () => {
  for (const f of [
    "isSpam eq false and quality gt 2.5",
    "closedDateTime gt 2026-11-15T00:00:00Z",
    "dealSensitivity eq 'High' and tags/any(t:t eq 'iot')",
    "details/incentiveLevel eq 'Gold' and customerProfile/isMatchingComplete",
    "trackingInfo/microsoftMsxId eq 'MSX-1'",
  ]) {
    assert.equal(matchesFilter(f, spam, { extraFields }), true, f);
  }
  assert.equal(matchesFilter("isSpam", spam, { extraFields }), false);
  const withFields = filter.withExtraFields(extraFields);
  const f = withFields`isSpam eq ${false} and dealSensitivity in ${["High", "Low"]}`;
  assert.equal(String(f), "isSpam eq false and dealSensitivity in ('High','Low')");
  assert.deepEqual(f.fields, ["isSpam", "dealSensitivity"]);
  // The Filter keeps its fields: no options needed.
  assert.equal(matchesFilter(f, spam), true);
  assert.equal(matchesFilter(f, { ...spam, isSpam: true }), false);
  // The plain tag does not know them.
  assert.equal(thrown(() => filter`isSpam eq ${false}`).code, "InvalidFilter");
  assert.match(thrown(() => withFields`isSpam eq ${"no"}`).message, /cannot compare a Boolean/);
});

test("buildQuery takes extraFields for its filter and select", () => {
  const qs = buildQuery({ filter: "isSpam eq false", select: ["id", "isSpam", "trackingInfo"], extraFields });
  const params = new URLSearchParams(qs);
  assert.equal(params.get("$filter"), "isSpam eq false");
  assert.equal(params.get("$select"), "id,isSpam,trackingInfo");
  const f = filter.withExtraFields(extraFields)`quality ge ${2}`;
  assert.equal(new URLSearchParams(buildQuery({ filter: f, select: ["quality"], extraFields })).get("$filter"), "quality ge 2");
  assert.equal(thrown(() => buildQuery({ select: ["isSpam"] })).code, "InvalidSelect");
  assert.equal(thrown(() => buildQuery({ filter: "isSpam eq false" })).code, "InvalidFilter");
});

test("an unusable declaration is InvalidExtraFields; a wrong JS type a TypeError", () => {
  for (const [fields, pattern] of [
    [{ status: "boolean" }, /`status` is a documented ReferralStatus property and cannot be declared as Boolean/],
    [{ favorite: { enum: ["Yes"] } }, /`favorite` is a documented Boolean property/],
    [{ isSpam: "bool" }, /`bool` is not a field type \(did you mean `boolean`\?\)/],
    [{ level: { enum: [] } }, /an enum needs 1 to 1024 members/],
    [{ level: { enum: ["A", 1] } }, /`enum` must be an array of strings/],
    [{ level: { members: ["A"] } }, /must be a type name/],
    [{ grid: { collection: { collection: "number" } } }, /a collection of collections/],
    [{ "is spam": "boolean" }, /is not a property name/],
    [{ trackingInfo: "string", "trackingInfo/id": "string" }, /cannot be both a declared field and the object holding/],
  ]) {
    const e = thrown(() => validateFilter("status eq 'New'", { extraFields: fields }));
    assert.equal(e.code, "InvalidExtraFields", JSON.stringify(fields));
    assert.match(e.message, pattern);
    assert.equal(thrown(() => filter.withExtraFields(fields)).code, "InvalidExtraFields");
  }
  for (const bad of ["isSpam", ["isSpam"], () => {}, 1]) {
    assert.throws(() => validateFilter("status eq 'New'", { extraFields: bad }), TypeError);
  }
});

test("a client's extraFields apply to every query, merged under a call's", async () => {
  const urls = [];
  const fetch = async (url) => {
    urls.push(new URL(url));
    return new Response(JSON.stringify({ value: [spam] }), { headers: { "content-type": "application/json" } });
  };
  const client = new ReferralsClient({ getToken: () => "token", fetch, extraFields: { isSpam: "boolean", quality: "string" } });
  const page = await client.list({ filter: "isSpam eq false", select: ["id", "isSpam"] });
  assert.equal(urls[0].searchParams.get("$filter"), "isSpam eq false");
  assert.equal(urls[0].searchParams.get("$select"), "id,isSpam");
  assert.deepEqual(page.value[0].trackingInfo, { microsoftMsxId: "MSX-1" }, "unknown properties are kept");
  // The call's declaration wins for `quality` and adds `tags`.
  await client.list({ filter: "quality gt 2 and tags/any(t:t eq 'iot')", extraFields: { quality: "number", tags: { collection: "string" } } });
  assert.equal(urls[1].searchParams.get("$filter"), "quality gt 2 and tags/any(t:t eq 'iot')");
  // Without it, the client's `quality` is a string.
  const e = await client.list({ filter: "quality gt 2" }).then(() => assert.fail("resolved"), (e) => e);
  assert.ok(e instanceof ODataError);
  assert.equal(e.code, "InvalidFilter");
  const typo = await client.list({ filter: "isSpam eq false and stauts eq 'New'" }).then(() => assert.fail("resolved"), (e) => e);
  assert.match(typo.message, /did you mean `status`/);
  for await (const r of client.all({ filter: "not isSpam" })) assert.equal(r.isSpam, false);
  assert.equal(urls.length, 3, "nothing is sent for a refused query");
  assert.throws(
    () => new ReferralsClient({ getToken: () => "token", fetch, extraFields: { status: "string" } }),
    (e) => e instanceof ODataError && e.code === "InvalidExtraFields",
  );
});

test("client.changes() filters may name the client's extraFields", async () => {
  const urls = [];
  const fetch = async (url) => {
    urls.push(new URL(url));
    const referral = { id: "a", updatedDateTime: "2026-11-20T10:00:00Z", isSpam: false };
    return new Response(JSON.stringify({ value: [referral] }), { headers: { "content-type": "application/json" } });
  };
  const client = new ReferralsClient({ getToken: () => "token", fetch, extraFields: { isSpam: "boolean" } });
  const changes = client.changes({ filter: "isSpam eq false" });
  const ids = [];
  for await (const r of changes) ids.push(r.id);
  assert.deepEqual(ids, ["a"]);
  assert.match(urls[0].searchParams.get("$filter"), /isSpam eq false/);
  // A token made with it resumes with the same filter.
  for await (const r of client.changes({ since: changes.token, filter: "isSpam eq false" })) ids.push(r.id);
  assert.deepEqual(ids, ["a"], "already delivered");
  // A client without the declaration refuses the filter before sending anything.
  const plain = new ReferralsClient({ getToken: () => "token", fetch });
  const sent = urls.length;
  await assert.rejects(async () => {
    for await (const r of plain.changes({ filter: "isSpam eq false" })) void r;
  }, (e) => e instanceof ODataError && e.code === "InvalidFilter");
  assert.equal(urls.length, sent);
});

test("against the emulator, which serves isSpam beyond the schema: declared, it filters and selects", async () => {
  const { spawn } = await import("node:child_process");
  const { createInterface } = await import("node:readline");
  const { join, resolve } = await import("node:path");
  const { fileURLToPath } = await import("node:url");
  const repo = resolve(process.env.PARTNER_REFERRALS_REPO ?? fileURLToPath(new URL("../..", import.meta.url)));
  const binary = process.env.PARTNER_REFERRALS_EMULATOR ?? join(repo, "target/release/partner-referrals-emulator");
  const child = spawn(binary, ["--port", "0", "--quiet", "--count", "120"], { stdio: ["ignore", "pipe", "inherit"] });
  try {
    const baseUrl = await new Promise((ok, fail) => {
      child.once("error", (e) => fail(new Error(`cannot start ${binary} (make emulator): ${e.message}`)));
      createInterface({ input: child.stdout }).on("line", (line) => {
        const found = line.match(/listening on (http:\/\/\S+)/);
        if (found) ok(found[1]);
      });
    });
    const data = (await (await fetch(new URL("/_emulator/referrals", baseUrl))).json()).value;
    const extraFields = { isSpam: "boolean" };
    const expected = data.filter((r) => matchesFilter("isSpam eq true", r, { extraFields })).map((r) => r.id);
    assert.ok(expected.length > 0 && expected.length < data.length, String(expected.length));
    const client = new ReferralsClient({ getToken: () => "token", baseUrl, extraFields });
    const got = [];
    for await (const r of client.all({ filter: "isSpam eq true", select: ["id", "isSpam"] })) {
      assert.deepEqual(Object.keys(r).sort(), ["id", "isSpam"]);
      got.push(r.id);
    }
    assert.deepEqual(got.sort(), expected.sort());
    // Undeclared, the library refuses it before anything is sent.
    const plain = new ReferralsClient({ getToken: () => "token", baseUrl });
    await assert.rejects(plain.list({ filter: "isSpam eq true" }), (e) => e instanceof ODataError && e.code === "InvalidFilter");
  } finally {
    child.kill("SIGTERM");
  }
});
