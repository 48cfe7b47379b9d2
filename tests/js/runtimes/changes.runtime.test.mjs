// `client.changes()` (the incremental sync) from the installed package in Node, against the
// emulator: a first poll delivers every matching referral in updatedDateTime order, the next
// ones only what changed; a poll stopped midway resumes without gap or repeat; bad tokens and
// options are TypeErrors.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { startEmulator, work, NOW } from "./harness.mjs";

const { ReferralsClient, filter } = await import(pathToFileURL(join(work, "app", "node_modules", "partner-referrals", "node.js")).href);
const INCOMING = "direction eq 'Incoming'";
let emulator, client;

before(async () => {
  emulator = await startEmulator();
  client = new ReferralsClient({ baseUrl: emulator.base, getToken: () => "test-token" });
});
after(async () => {
  await emulator?.stop();
});

async function poll(options) {
  const changes = client.changes(options);
  const got = [];
  for await (const r of changes) got.push(r);
  return { got, token: changes.token };
}

const at = (minutes) => new Date(Date.parse(NOW) + minutes * 60_000).toISOString();

test("first poll: everything matching, oldest change first; then only what changed", async () => {
  const data = await emulator.admin();
  const incoming = data.value.filter((r) => r.direction === "Incoming");
  const first = await poll({ filter: INCOMING });
  assert.equal(first.got.length, incoming.length);
  assert.deepEqual(new Set(first.got.map((r) => r.id)), new Set(incoming.map((r) => r.id)));
  const times = first.got.map((r) => Date.parse(r.updatedDateTime));
  assert.deepEqual(times, [...times].sort((a, b) => a - b));

  assert.deepEqual((await poll({ since: first.token, filter: INCOMING })).got, []);

  // Two inserts at one instant and an update of an old referral, then one more at the same
  // instant after the next poll: `ge` + the ids at the watermark keep each exactly once.
  const [a, b] = [await emulator.post(newReferral("A", at(1))), await emulator.post(newReferral("B", at(1)))];
  const { eTag, ...old } = incoming[0];
  await emulator.post({ ...old, name: "updated", updatedDateTime: at(1) });
  await emulator.post({ ...newReferral("outgoing", at(1)), direction: "Outgoing" });
  const second = await poll({ since: first.token, filter: INCOMING });
  assert.deepEqual(second.got.map((r) => r.id).sort(), [a.id, b.id, old.id].sort());
  const c = await emulator.post(newReferral("C", at(1)));
  const third = await poll({ since: second.token, filter: filter`direction eq ${"Incoming"}` });
  assert.deepEqual(third.got.map((r) => r.id), [c.id]);
  assert.deepEqual((await poll({ since: third.token, filter: INCOMING })).got, []);
});

test("a poll stopped midway keeps a token that resumes without gap or repeat", async () => {
  const all = (await poll({})).got.map((r) => `${r.id}@${r.updatedDateTime}`);
  const seen = [];
  let token;
  for (let round = 0; round < 100; round++) {
    const changes = client.changes({ since: token });
    let n = 0;
    for await (const r of changes) {
      seen.push(`${r.id}@${r.updatedDateTime}`);
      if (++n === 37) break;
    }
    token = changes.token;
    if (n < 37) break;
  }
  assert.deepEqual(seen, all);
});

test("an aborted poll rejects with the reason and keeps what it delivered", async () => {
  const controller = new AbortController();
  const changes = client.changes({ signal: controller.signal });
  const reason = new Error("stop");
  let n = 0;
  await assert.rejects(async () => {
    for await (const r of changes) {
      if (++n === 30) controller.abort(reason); // the next page request is aborted
    }
  }, (e) => e === reason);
  const rest = await poll({ since: changes.token });
  const all = await poll({});
  assert.equal(n + rest.got.length, all.got.length);
});

test("wrong options and tokens are TypeErrors", async () => {
  assert.throws(() => client.changes({ sinse: "x" }), TypeError);
  assert.throws(() => client.changes({ since: 5 }), TypeError);
  assert.throws(() => client.changes({ filter: 5 }), TypeError);
  const iterate = async (options) => {
    for await (const r of client.changes(options)) void r;
  };
  await assert.rejects(iterate({ since: "not a token" }), (e) => e instanceof TypeError && /`since`/.test(e.message));
  const { token } = await poll({ filter: INCOMING });
  await assert.rejects(iterate({ since: token }), (e) => e instanceof TypeError && /not the filter the sync token was made with/.test(e.message));
  await assert.rejects(iterate({ filter: "stauts eq 'New'" }), (e) => e.name === "ODataError" && e.code === "InvalidFilter");
});

function newReferral(name, updated) {
  return {
    name, type: "Independent", direction: "Incoming", status: "New", substatus: "Pending",
    createdDateTime: updated, updatedDateTime: updated,
    customerProfile: { name: `${name} customer`, address: { country: "US" } },
  };
}
