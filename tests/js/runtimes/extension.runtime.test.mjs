// examples/extension (with the installed package copied into lib/ by scripts/test-runtimes.sh)
// loaded unpacked into headless Chromium with a persistent profile: the module service worker
// polls the emulator with the incremental sync; the badge shows the number of incoming pending
// referrals; a referral added (or answered) on the emulator changes it on the next poll; the
// popup shows the nearest deadline.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, CHROMIUM, CHROMIUM_ARGS, startEmulator, pendingOf, deadlineOf, until, work, NOW } from "./harness.mjs";

const extension = join(work, "extension");
let emulator, profile, context, worker;

before(async () => {
  emulator = await startEmulator();
  profile = await mkdtemp(join(tmpdir(), "partner-referrals-profile-"));
  context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: false, // --headless=new is in the args
    ignoreDefaultArgs: ["--disable-extensions"],
    args: [...CHROMIUM_ARGS, `--disable-extensions-except=${extension}`, `--load-extension=${extension}`],
  });
  worker = context.serviceWorkers().find((w) => w.url().endsWith("/background.js"))
    ?? (await context.waitForEvent("serviceworker", { predicate: (w) => w.url().endsWith("/background.js"), timeout: 60_000 }));
});
after(async () => {
  await context?.close();
  if (profile) await rm(profile, { recursive: true, force: true });
  await emulator?.stop();
});

const status = () => worker.evaluate(async () => (await chrome.storage.local.get("status")).status ?? {});
const badge = () => worker.evaluate(() => chrome.action.getBadgeText({}));
const stored = () => worker.evaluate(async () => (await chrome.storage.local.get("sync")).sync ?? {});

/** Waits for a poll that started after now: the one in flight may have begun before a change. */
async function nextPoll() {
  const seen = (await status()).polls ?? 0;
  const s = await until(`poll ${seen + 2}`, async () => {
    const s = await status();
    return (s.polls ?? 0) >= seen + 2 && s;
  });
  assert.equal(s.error, undefined, s.error);
}

async function expectedPending() {
  return pendingOf(await emulator.admin());
}

async function popup() {
  const page = await context.newPage();
  try {
    await page.goto(new URL("popup.html", worker.url()).href);
    await page.waitForSelector("#summary[data-state=done]");
    return await page.$eval("#summary", (el) => ({ ...el.dataset }));
  } finally {
    await page.close();
  }
}

function nearestAhead(pending, now) {
  return pending.map(deadlineOf).filter((d) => Date.parse(d) >= now).sort()[0] ?? "";
}

test("the badge counts the emulator's incoming pending referrals; the popup shows the nearest deadline", async () => {
  await worker.evaluate((baseUrl) => chrome.storage.local.set({ settings: { baseUrl, token: "test-token", pollSeconds: 1 } }), emulator.base);
  await until("a first successful poll", async () => {
    const s = await status();
    return s.polls >= 1 && s.error === undefined && (await stored()).token !== undefined;
  });
  const pending = await expectedPending();
  assert.ok(pending.length > 0);
  assert.equal(await badge(), String(pending.length));
  const sync = await stored();
  assert.deepEqual(Object.keys(sync.pending).sort(), pending.map((r) => r.id).sort());
  for (const r of pending) assert.equal(sync.pending[r.id], deadlineOf(r), r.id);

  const shown = await popup();
  assert.equal(shown.count, String(pending.length));
  assert.equal(shown.next, nearestAhead(pending, Number(shown.now)));
  assert.equal(shown.overdue, String(pending.filter((r) => Date.parse(deadlineOf(r)) < Number(shown.now)).length));
});

test("a referral added on the emulator shows on the badge at the next poll", async () => {
  const before = (await expectedPending()).length;
  // Created a minute after the emulator's "now", so updated after everything it generated.
  const added = await emulator.post({
    name: "Runtime test referral",
    type: "Independent",
    direction: "Incoming",
    status: "New",
    substatus: "Pending",
    qualification: "SalesQualified",
    createdDateTime: new Date(Date.parse(NOW) + 60_000).toISOString(),
    updatedDateTime: new Date(Date.parse(NOW) + 60_000).toISOString(),
    customerProfile: { name: "Runtime test customer", address: { country: "US" } },
    details: { dealValue: 1234, currency: "USD" },
  });
  await nextPoll();
  assert.equal(await badge(), String(before + 1));
  assert.equal((await expectedPending()).length, before + 1);
  const sync = await stored();
  assert.ok(added.id in sync.pending);
  // The sync moved its watermark to the new referral's updatedDateTime (the token is opaque to
  // users; the test peeks).
  assert.equal(JSON.parse(sync.token).watermark, "2026-11-28T00:01:00Z");
});

test("a pending referral that gets accepted leaves the count, the nearest deadline moves on", async () => {
  const pending = await expectedPending();
  const shown = await popup();
  const nearest = pending.find((r) => deadlineOf(r) === shown.next);
  assert.ok(nearest, "the popup's deadline is one of the emulator's");
  const { eTag, ...rest } = nearest;
  await emulator.post({ ...rest, status: "Active", substatus: "Accepted", updatedDateTime: new Date(Date.parse(NOW) + 120_000).toISOString() });
  await nextPoll();
  assert.equal(await badge(), String(pending.length - 1));
  const after = await expectedPending();
  assert.equal(after.length, pending.length - 1);
  const again = await popup();
  assert.equal(again.count, String(pending.length - 1));
  assert.equal(again.next, nearestAhead(after, Number(again.now)));
  assert.ok(!(nearest.id in (await stored()).pending));
});

test("the popup lists the nearest deadlines; Accept and Decline answer them and the badge drops", async () => {
  const page = await context.newPage();
  try {
    await page.goto(new URL("popup.html", worker.url()).href);
    await page.waitForSelector("#summary[data-state=done]");
    const now = Number(await page.$eval("#summary", (el) => el.dataset.now));
    const pending = await expectedPending();
    const nearest = pending
      .map((r) => ({ r, due: deadlineOf(r) }))
      .filter(({ due }) => Date.parse(due) >= now)
      .sort((a, b) => (a.due < b.due ? -1 : a.due > b.due ? 1 : a.r.id < b.r.id ? -1 : 1))
      .slice(0, 5);
    const listed = () => page.$$eval("#nearest li", (items) => items.map((li) => li.dataset.id));
    assert.deepEqual(await listed(), nearest.map(({ r }) => r.id));
    const [first, second] = nearest.map(({ r }) => r);
    const item = (id) => page.locator(`#nearest li[data-id="${id}"]`);
    assert.equal(await item(first.id).locator("[data-action=accept]").getAttribute("aria-label"),
      `Accept the referral from ${first.customerProfile.name}`);
    assert.equal(await page.getAttribute("#answer", "aria-live"), "polite");

    await item(first.id).locator("[data-action=accept]").click();
    await page.waitForSelector("#answer[data-state=ok]");
    assert.match(await page.textContent("#answer"), /^Accepted: .* is now Active · Accepted\.$/);
    const accepted = (await emulator.admin()).value.find((r) => r.id === first.id);
    assert.equal(`${accepted.status}/${accepted.substatus}`, "Active/Accepted");
    await until("the badge to drop by one", async () => (await badge()) === String(pending.length - 1));
    await until("the popup to drop the answered referral", async () => !(await listed()).includes(first.id));
    assert.equal(await page.$eval("#summary", (el) => el.dataset.count), String(pending.length - 1));

    await item(second.id).locator("[data-action=decline]").click();
    await item(second.id).locator("[data-action=reason]").fill("No capacity this quarter");
    await item(second.id).locator("[data-action=confirm-decline]").click();
    await page.waitForFunction(() => /^Declined: /.test(document.querySelector("#answer").textContent));
    const declined = (await emulator.admin()).value.find((r) => r.id === second.id);
    assert.equal(`${declined.status}/${declined.substatus}`, "Closed/Declined");
    assert.equal(declined.statusReason, "No capacity this quarter");
    await until("the badge to drop by two", async () => (await badge()) === String(pending.length - 2));
    // The polls that follow agree: both answers left the pending set for good.
    await nextPoll();
    assert.equal(await badge(), String(pending.length - 2));
    const sync = await stored();
    assert.ok(!(first.id in sync.pending) && !(second.id in sync.pending));
    assert.equal(Object.keys(sync.pending).length, (await expectedPending()).length);
  } finally {
    await page.close();
  }
});

test("a referral changed since the last poll is not overwritten from the popup; it comes back with its new eTag", async () => {
  // Polls paused, so the popup holds an eTag the next change makes stale.
  await worker.evaluate(async () => chrome.alarms.clear("poll"));
  const page = await context.newPage();
  try {
    await page.goto(new URL("popup.html", worker.url()).href);
    await page.waitForSelector("#summary[data-state=done]");
    const id = await page.$eval("#nearest li", (li) => li.dataset.id);
    const before = (await emulator.admin()).value.find((r) => r.id === id);
    const res = await fetch(new URL(`engagements/referrals/${id}`, emulator.base), {
      method: "PATCH",
      headers: { authorization: "Bearer someone-else", "content-type": "application/json" },
      body: JSON.stringify([{ op: "replace", path: "/details/notes", value: "changed elsewhere" }]),
    });
    assert.equal(res.status, 204);
    const item = page.locator(`#nearest li[data-id="${id}"]`);
    await item.locator("[data-action=accept]").click();
    await page.waitForSelector("#answer[data-state=conflict]");
    assert.match(await page.textContent("#answer"), /changed elsewhere/);
    const after = (await emulator.admin()).value.find((r) => r.id === id);
    assert.equal(`${after.status}/${after.substatus}`, "New/Pending", "not accepted over the other change");
    assert.notEqual(after.eTag, before.eTag);
    // The worker's poll brings it back with the new eTag; then Accept goes through.
    await until("the referral to come back with its new eTag", async () => (await stored()).cards?.[id]?.eTag === after.eTag);
    await page.reload();
    await page.waitForSelector("#summary[data-state=done]");
    await item.locator("[data-action=accept]").click();
    await page.waitForSelector("#answer[data-state=ok]");
    const accepted = (await emulator.admin()).value.find((r) => r.id === id);
    assert.equal(`${accepted.status}/${accepted.substatus}/${accepted.details.notes}`, "Active/Accepted/changed elsewhere");
  } finally {
    await page.close();
    await worker.evaluate(async () => chrome.alarms.create("poll", { periodInMinutes: 1 / 60 }));
  }
});
