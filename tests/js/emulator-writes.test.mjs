// update / accept / decline through the installed package against the real emulator
// (tests/emulator): the eTag guard end to end, and the retry rule for writes with the
// emulator's `drop-after` fault — the PATCH is applied, then the connection closes unanswered,
// so the client cannot know whether its change happened.
//
// Needs: pkg/ (make package) installed as `partner-referrals`, and the emulator binary
// (make emulator). scripts/test-js.sh runs it with PARTNER_REFERRALS_REPO set.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { ReferralsClient, ODataError } from "partner-referrals";

const repo = resolve(process.env.PARTNER_REFERRALS_REPO ?? fileURLToPath(new URL("../..", import.meta.url)));
const EMULATOR = process.env.PARTNER_REFERRALS_EMULATOR ?? join(repo, "target/release/partner-referrals-emulator");

let emulator;
let url;

before(async () => {
  emulator = spawn(EMULATOR, ["--port", "0", "--quiet", "--now", "2026-11-28T00:00:00Z", "--count", "60"], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const line = await new Promise((ok, fail) => {
    createInterface({ input: emulator.stdout }).once("line", ok);
    emulator.once("exit", (code) => fail(new Error(`the emulator exited (${code}) before listening`)));
  });
  url = /listening on (http:\/\/\S+)/.exec(line)[1];
});

after(async () => {
  if (emulator && emulator.exitCode === null) {
    emulator.kill("SIGTERM");
    await once(emulator, "exit");
  }
});

const client = () => new ReferralsClient({ baseUrl: url, getToken: () => "writes-token" });

async function stored(id) {
  const data = await (await fetch(new URL("/_emulator/referrals", url))).json();
  return data.value.find((r) => r.id === id);
}

async function anyWith(status, substatus) {
  const data = await (await fetch(new URL("/_emulator/referrals", url))).json();
  return data.value.find((r) => r.status === status && r.substatus === substatus && r.direction === "Incoming");
}

/** The next `times` PATCHes get `fault`. */
async function arm(fault, times = 1) {
  const res = await fetch(new URL("/_emulator/faults", url), {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ fault, method: "PATCH", times }),
  });
  assert.equal(res.status, 204, await res.text());
}

const member = (email) => ({ firstName: "Ada", lastName: "Lovelace", email });

test("accept and decline move a referral through the emulator's status table, eTag by eTag", async () => {
  const pending = await anyWith("New", "Pending");
  const accepted = await client().accept(pending);
  assert.equal(`${accepted.status}/${accepted.substatus}`, "Active/Accepted");
  assert.notEqual(accepted.eTag, pending.eTag);
  assert.equal((await stored(pending.id)).eTag, accepted.eTag);
  const other = await anyWith("New", "Pending");
  const declined = await client().decline(other, "Out of our service area");
  assert.equal(`${declined.status}/${declined.substatus}/${declined.statusReason}`, "Closed/Declined/Out of our service area");
});

test("a stale eTag is PreconditionFailed and changes nothing", async () => {
  const referral = await anyWith("New", "Received");
  await client().update(referral, { details: { notes: "changed elsewhere" } });
  const now = await stored(referral.id);
  const e = await client().update(referral, { details: { dealValue: 1 } }).then(() => assert.fail("resolved"), (e) => e);
  assert.ok(e instanceof ODataError, String(e));
  assert.equal(e.code, "PreconditionFailed");
  assert.equal(e.status, 412);
  assert.equal(e.serverCode, "preconditionFailed");
  assert.deepEqual(await stored(referral.id), now);
});

test("an add whose answer is lost after the emulator applied it is not sent again", async () => {
  const referral = await anyWith("Active", "Accepted");
  const before = referral.team.length;
  await arm("drop-after");
  const e = await client()
    .update(referral, [{ op: "add", path: "/team/-", value: member("ada@contoso.com") }])
    .then(() => assert.fail("resolved"), (e) => e);
  assert.equal(e.code, "NetworkError", String(e));
  const team = (await stored(referral.id)).team;
  assert.equal(team.length, before + 1, "applied once, never twice");
  assert.equal(team.at(-1).email, "ada@contoso.com");
});

test("an add refused with 503 (never applied) is retried and applied once", async () => {
  const referral = await stored((await anyWith("Active", "Accepted")).id);
  const before = referral.team.length;
  await arm("503");
  const updated = await client().update(referral, [{ op: "add", path: "/team/-", value: member("grace@contoso.com") }]);
  assert.equal(updated.team.length, before + 1);
  assert.equal((await stored(referral.id)).team.length, before + 1);
});

test("a replace-only patch whose answer is lost is retried: applied once, the caller gets the result", async () => {
  const referral = await anyWith("New", "Pending");
  await arm("drop-after");
  // Without If-Match: the retry finds the change already made and makes it again, harmlessly.
  const updated = await client().update(referral, { details: { notes: "retried" } }, { ifMatch: false });
  assert.equal(updated.details.notes, "retried");
  assert.equal((await stored(referral.id)).details.notes, "retried");
  // With If-Match (the referral's eTag, which the lost write already moved on) as well.
  const current = await stored(referral.id);
  await arm("drop-after");
  const again = await client().update(current, { details: { notes: "retried with If-Match" } });
  assert.equal(again.details.notes, "retried with If-Match");
  assert.equal((await stored(referral.id)).details.notes, "retried with If-Match");
});
