// examples/node/decline-stale.mjs, run with `node` from a project that installed the packed
// tarball, against the emulator: --dry-run prints the patches and changes nothing; a real run
// declines exactly the incoming pending referrals past the age, with the reason, and nothing else.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { join } from "node:path";
import { startEmulator, work, NOW } from "./harness.mjs";

const script = join(work, "app", "node", "decline-stale.mjs");
const DAY = 86_400_000;
const REASON = "Out of our service area — \"EMEA\" only";
let emulator;

before(async () => {
  emulator = await startEmulator();
});
after(async () => {
  await emulator?.stop();
});

function run(args) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], {
      cwd: join(work, "app"),
      env: { ...process.env, PARTNER_API_TOKEN: "test-token", PARTNER_API_BASE_URL: emulator.base },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** The referrals the script must decline: incoming, New/Pending, created at least `days` before NOW. */
function staleOf(data, days) {
  const cutoff = Date.parse(NOW) - days * DAY;
  return data.value.filter((r) => r.direction === "Incoming" && r.status === "New" && r.substatus === "Pending"
    && Date.parse(r.createdDateTime) <= cutoff);
}

const sorted = (list) => [...list].sort();

test("--dry-run prints the patch for each stale referral and sends nothing", async () => {
  const before = await emulator.admin();
  const expected = staleOf(before, 10);
  const younger = staleOf(before, 0).length - expected.length;
  assert.ok(expected.length >= 3 && younger >= 3, `${expected.length} stale, ${younger} younger`);
  const { code, stdout, stderr } = await run(["--older-than", "10d", "--reason", REASON, "--now", NOW, "--dry-run"]);
  assert.equal(code, 0, stderr);
  const lines = stdout.trimEnd().split("\n").map((l) => JSON.parse(l));
  assert.deepEqual(sorted(lines.map((l) => l.id)), sorted(expected.map((r) => r.id)));
  for (const line of lines) {
    const r = expected.find((x) => x.id === line.id);
    assert.equal(line.ifMatch, r.eTag);
    assert.equal(line.customer, r.customerProfile.name);
    assert.equal(line.createdDateTime, r.createdDateTime);
    const ops = Object.fromEntries(line.patch.map((o) => [o.path, o]));
    assert.deepEqual(ops["/status"], { op: "replace", path: "/status", value: "Closed" });
    assert.deepEqual(ops["/substatus"], { op: "replace", path: "/substatus", value: "Declined" });
    assert.deepEqual(ops["/statusReason"], { op: "replace", path: "/statusReason", value: REASON });
    assert.ok(line.patch.every((o) => o.op === "replace"), JSON.stringify(line.patch));
  }
  assert.match(stderr, new RegExp(`would decline ${expected.length} of ${expected.length} .*\\(dry run: nothing sent\\)`));
  assert.deepEqual(await emulator.admin(), before, "the emulator's data is unchanged");
});

test("a real run declines exactly the stale referrals, with the reason and their eTags", async () => {
  const before = await emulator.admin();
  const expected = staleOf(before, 10);
  const { code, stdout, stderr } = await run(["--older-than", "240h", "--reason", REASON, "--now", NOW]);
  assert.equal(code, 0, stderr);
  const lines = stdout.trimEnd().split("\n");
  assert.equal(lines.length, expected.length, stdout);
  for (const line of lines) assert.match(line, /^declined [0-9a-f-]{36} Closed\/Declined ".*"$/);
  const after = await emulator.admin();
  const byId = new Map(after.value.map((r) => [r.id, r]));
  for (const r of expected) {
    const now = byId.get(r.id);
    assert.equal(`${now.status}/${now.substatus}`, "Closed/Declined", r.id);
    assert.equal(now.statusReason, REASON);
    assert.notEqual(now.eTag, r.eTag);
  }
  // Nothing else changed: every other referral keeps its eTag.
  const touched = new Set(expected.map((r) => r.id));
  for (const r of before.value) if (!touched.has(r.id)) assert.equal(byId.get(r.id).eTag, r.eTag, r.id);
  assert.match(stderr, new RegExp(`declined ${expected.length} of ${expected.length} `));
  // A second run finds nothing left to decline.
  const again = await run(["--older-than", "10d", "--reason", REASON, "--now", NOW]);
  assert.equal(again.code, 0, again.stderr);
  assert.equal(again.stdout, "");
  assert.match(again.stderr, /declined 0 of 0 /);
});

test("bad arguments exit 2 before anything is sent", async () => {
  for (const args of [
    ["--reason", "x"],
    ["--older-than", "10x", "--reason", "x"],
    ["--older-than", "0d", "--reason", "x"],
    ["--older-than", "10d"],
    ["--older-than", "10d", "--reason", "x", "--now", "yesterday"],
    ["--older-than", "10d", "--reason", "x", "--frobnicate"],
  ]) {
    const { code, stdout, stderr } = await run(args);
    assert.equal(code, 2, `${args.join(" ")}: ${stderr}`);
    assert.equal(stdout, "");
    assert.match(stderr, /^decline-stale: .*\nusage: /);
  }
});
