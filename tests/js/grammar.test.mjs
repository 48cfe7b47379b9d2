// The $filter grammar as OData 4.01 reads it, from Node: what a user sees through
// validateFilter, matchesFilter and buildQuery.
import { test } from "node:test";
import assert from "node:assert/strict";
import { validateFilter, matchesFilter, buildQuery } from "partner-referrals";
import { thrown } from "./assertions.mjs";

for (const schema of [true, false]) {
  test(`valid OData that reads as the standard says (schema: ${schema})`, () => {
    const v = (text) => validateFilter(text, { schema }).canonical;
    assert.equal(v("team/any(team:team/email eq 'a@b.c')"), "team/any(team:team/email eq 'a@b.c')");
    assert.equal(v("not (status in ('New','Active'))"), "not status in ('New','Active')");
    assert.equal(v("createdDateTime ge 2026-11-15 SUB duration'P14D'"), "createdDateTime ge 2026-11-15 sub duration'P14D'");
    assert.equal(v("createdDateTime lt 2020-10-30T21:03:00.123456789012Z"), "createdDateTime lt 2020-10-30T21:03:00.123456789012Z");
    assert.equal(v("status in ()"), "status in ()");
  });

  test(`refusals of valid but unsupported OData say so, at the construct (schema: ${schema})`, () => {
    for (const [text, construct] of [
      ["Model.Available eq true", "Model.Available"],
      ["name eq @p", "@p"],
      ["$it/name eq 'x'", "$it"],
      ["name in ['a','b']", "["],
      ["matchesPattern(name,'^A')", "matchesPattern"],
      ["name eq 12:30:00", "12:30:00"],
    ]) {
      const e = thrown(() => validateFilter(text, { schema }));
      assert.equal(e.code, "InvalidFilter", text);
      assert.equal(e.position, text.indexOf(construct), text);
      assert.match(e.message, /is valid OData, but this library \(like the referrals API\) does not support it/, text);
      assert.doesNotMatch(e.message, /unexpected character/, text);
    }
  });
}

test("an operator the standard does not define for its operands is refused at the operator", () => {
  const text = "createdDateTime add updatedDateTime gt now()";
  const e = thrown(() => validateFilter(text));
  assert.equal(e.code, "InvalidFilter");
  assert.equal(text.slice(e.position, e.position + 3), "add");
  assert.match(e.message, /DateTimeOffset and a DateTimeOffset/);
});

test("an error about an `in` list names `in`", () => {
  const e = thrown(() => validateFilter("status in ('New',1)"));
  assert.match(e.message, /using `in`/);
  assert.doesNotMatch(e.message, /`eq`/);
});

test("a 13th fractional digit is an error at the literal, never cut off", () => {
  const text = "createdDateTime lt 2020-10-30T21:03:00.1234567890123Z";
  const e = thrown(() => validateFilter(text));
  assert.equal(e.position, 19);
  assert.match(e.message, /12 fractional/);
});

test("matchesFilter evaluates date arithmetic and 12-digit fractions exactly", () => {
  const referral = {
    status: "Closed",
    createdDateTime: "2026-11-01T00:00:00Z",
    updatedDateTime: "2026-11-01T00:00:00.000000000001Z",
    team: [{ email: "a@b.c" }],
  };
  assert.equal(matchesFilter("createdDateTime ge 2026-11-15 sub duration'P14D'", referral), true);
  assert.equal(matchesFilter("createdDateTime ge 2026-11-15 sub duration'P13D'", referral), false);
  assert.equal(matchesFilter("updatedDateTime sub createdDateTime eq duration'PT0.000000000001S'", referral), true);
  assert.equal(matchesFilter("updatedDateTime gt createdDateTime", referral), true);
  assert.equal(matchesFilter("team/any(team:team/email eq 'a@b.c')", referral), true);
  assert.equal(matchesFilter("not status in ('New','Active')", referral), true);
});

test("buildQuery keeps every fractional second digit", () => {
  const filter = "createdDateTime lt 2020-10-30T21:03:00.123456789012Z and updatedDateTime sub createdDateTime gt duration'PT0.000000000001S'";
  assert.equal(new URLSearchParams(buildQuery({ filter })).get("$filter"), filter);
});
