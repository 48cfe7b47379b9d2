// The fields of Microsoft's connector definition, from the installed package: filters, `select`,
// matchesFilter and the page decoder know them.
import { test } from "node:test";
import assert from "node:assert/strict";
import { validateFilter, filter, buildQuery, matchesFilter, decodeReferralPage, ODataError } from "partner-referrals";

/** Calls `f`, which must throw an ODataError; returns it. */
function thrown(f) {
  try {
    f();
  } catch (e) {
    assert.ok(e instanceof ODataError, `not an ODataError: ${e && e.stack}`);
    return e;
  }
  assert.fail("did not throw");
}

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
