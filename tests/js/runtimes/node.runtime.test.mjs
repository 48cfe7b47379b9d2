// examples/node/export-pending.mjs, run with `node` from a project that installed the packed
// tarball, against the emulator: its CSV rows against the emulator's own data, the progress
// line, an error's code and correlation id, and Ctrl-C.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { join } from "node:path";
import { startEmulator, pendingOf, deadlineOf, work, PAGE_SIZE } from "./harness.mjs";

const script = join(work, "app", "node", "export-pending.mjs");
let emulator;

before(async () => {
  emulator = await startEmulator();
});
after(async () => {
  await emulator?.stop();
});

/** Runs the script; `onStderr(text, child)` sees stderr as it comes. */
function run(args, env = {}, onStderr = () => {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], {
      cwd: join(work, "app"),
      env: { ...process.env, PARTNER_API_TOKEN: "", PARTNER_API_BASE_URL: "", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => {
      stderr += d;
      onStderr(stderr, child);
    });
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** RFC 4180 records (CRLF, quoted fields with doubled quotes). */
function parseCsv(text) {
  const rows = [];
  let row = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (field += '"'), i++;
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") row.push(field), (field = "");
    else if (c === "\r" && text[i + 1] === "\n") row.push(field), rows.push(row), (row = []), (field = ""), i++;
    else field += c;
  }
  assert.equal(field + row.join(""), "", "the CSV ends with CRLF");
  return rows;
}

test("the CSV has every incoming pending referral of the emulator, soonest deadline first", async () => {
  const { code, stdout, stderr } = await run(["--base-url", emulator.base], { PARTNER_API_TOKEN: "test-token" });
  assert.equal(code, 0, stderr);
  const [header, ...rows] = parseCsv(stdout);
  assert.deepEqual(header, [
    "id", "respondBy", "name", "customer", "country", "city", "dealValue", "currency",
    "status", "createdDateTime", "updatedDateTime",
  ]);

  const expected = pendingOf(await emulator.admin())
    .map((r) => ({ r, due: deadlineOf(r) }))
    .sort((a, b) => (a.due < b.due ? -1 : a.due > b.due ? 1 : a.r.id < b.r.id ? -1 : 1));
  assert.ok(expected.length > 2 * PAGE_SIZE, `enough referrals to page: ${expected.length}`);
  assert.equal(rows.length, expected.length);
  const spreadsheetSafe = (s) => (/^[=+\-@\t\r]/.test(s ?? "") ? `'${s}` : s ?? "");
  rows.forEach((row, i) => {
    const { r, due } = expected[i];
    assert.deepEqual(row, [
      r.id, due, spreadsheetSafe(r.name), spreadsheetSafe(r.customerProfile?.name),
      r.customerProfile?.address?.country ?? "", spreadsheetSafe(r.customerProfile?.address?.city),
      r.details?.dealValue === undefined ? "" : String(r.details.dealValue), r.details?.currency ?? "",
      r.status, r.createdDateTime, r.updatedDateTime,
    ], `row ${i + 1}`);
  });

  // Progress on stderr (not a TTY here: one line per page), ending at the server's count.
  const pages = Math.ceil(expected.length / PAGE_SIZE);
  const lines = stderr.trim().split("\n");
  assert.equal(lines.at(-1), `export-pending: page ${pages}, ${expected.length} of ${expected.length} referrals`);
  assert.equal(lines.filter((l) => /^export-pending: page \d+,/.test(l)).length, pages);
});

test("an error exits 1 with the error's code and correlation id; stdout stays empty", async () => {
  // The emulator refuses tokens that start with `expired`, also after the refresh.
  const { code, stdout, stderr } = await run(["--base-url", emulator.base, "--token", "expired-token"]);
  assert.equal(code, 1, stderr);
  assert.equal(stdout, "");
  assert.match(stderr, /code Unauthorized, correlation id [0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}, status 401, request id [0-9a-f-]{36}\)\n$/);
  assert.doesNotMatch(stderr, /expired-token/, "the token is never printed");
});

test("Ctrl-C cancels the request in flight: exit 130, nothing written, nothing left running", async () => {
  // Every answer of this emulator takes ten minutes: only the abort can end the script.
  const slow = await startEmulator(["--faults", "slow:1", "--slow-ms", "600000"]);
  try {
    let sent = false;
    const result = await run(["--base-url", slow.base], { PARTNER_API_TOKEN: "test-token" }, (stderr, child) => {
      if (!sent && stderr.includes("requesting the first page")) {
        sent = true;
        child.kill("SIGINT");
      }
    });
    assert.ok(sent, result.stderr);
    // Exit code 130 (not death by signal): the script handled SIGINT and then had nothing
    // left to keep Node alive (no request, no timer).
    assert.deepEqual([result.code, result.signal], [130, null], result.stderr);
    assert.equal(result.stdout, "");
    assert.match(result.stderr, /export-pending: cancelled by Ctrl-C after 0 pages, nothing written\n$/);
  } finally {
    await slow.stop();
  }
});

test("without a token it says so and exits 2", async () => {
  const { code, stdout, stderr } = await run(["--base-url", emulator.base]);
  assert.equal(code, 2);
  assert.equal(stdout, "");
  assert.match(stderr, /no token/);
});
