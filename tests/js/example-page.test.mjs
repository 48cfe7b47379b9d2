// The example page (www-example/) in headless Chromium against `make demo`'s servers: the
// emulator binary and www-example/serve.mjs, started in-process. Expected rows are computed in
// Node from the emulator's own data (GET /_emulator/referrals) with the package's matchesFilter
// and respondBy, so the page is checked against the data, not against itself.
//
// Needs: pkg/ (make package), target/release/partner-referrals-emulator (cargo build --release -p
// partner-referrals-emulator), /usr/bin/chromium. Run: node --test tests/js/example-page.test.mjs
// (scripts/test-js.sh runs it from a temp project with PARTNER_REFERRALS_REPO set).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { mkdir, readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const repo = resolve(process.env.PARTNER_REFERRALS_REPO ?? fileURLToPath(new URL("../..", import.meta.url)));
const { chromium } = createRequire(join(repo, "package.json"))("playwright-core");
const { start } = await import(pathToFileURL(join(repo, "www-example/serve.mjs")).href);
const pkgDir = resolve(process.env.PARTNER_REFERRALS_PKG ?? join(repo, "pkg"));
const pr = await import(pathToFileURL(join(pkgDir, "node.js")).href);
await pr.ready;

const LAUNCH = {
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
    "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
  ],
};
const DAY = 86_400_000;

let browser, demo, data;

before(async () => {
  demo = await start({ port: 0, emulatorArgs: ["--quiet"], pkgDir });
  data = await (await fetch(new URL("/_emulator/referrals", demo.emulatorUrl))).json();
  browser = await chromium.launch(LAUNCH);
});

after(async () => {
  await browser?.close();
  await demo?.close();
});

/** A fresh page on the demo with console errors and page errors collected. */
async function openPage(url = demo.url) {
  const page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
  const problems = [];
  page.on("console", (m) => m.type() === "error" && problems.push(`console: ${m.text()}`));
  page.on("pageerror", (e) => problems.push(`pageerror: ${e}`));
  await page.goto(url);
  await page.locator('[data-testid=module-state][data-state=ready]').waitFor();
  return { page, problems };
}

const progress = (page) => page.getByTestId("progress");

/** Waits until the current traversal has stopped (first page, end, cancelled or failed). */
async function settled(page, states = ["paused", "done"]) {
  await page.waitForFunction(
    (states) => states.includes(document.querySelector('[data-testid=progress]').dataset.state),
    states,
  );
  return progress(page).getAttribute("data-state");
}

/** Loads every remaining page and returns the ids of the rows shown, in order. */
async function loadAll(page) {
  if ((await settled(page)) === "paused") {
    await page.getByTestId("load-all").click();
    await page.locator('[data-testid=progress][data-state=done]').waitFor();
  }
  return rowIds(page);
}

const rowIds = (page) => page.locator("[data-testid=rows] tr").evaluateAll((rows) => rows.map((r) => r.dataset.id));
const ids = (referrals) => referrals.map((r) => r.id);

test("the page loads without console errors and shows the first page", async () => {
  const { page, problems } = await openPage();
  try {
    assert.equal(await settled(page), "paused");
    const shown = await rowIds(page);
    assert.ok(shown.length > 0 && shown.length < data.value.length, `first page: ${shown.length} rows`);
    // No $orderby: server order, which is the order of the emulator's data.
    assert.deepEqual(shown, ids(data.value.slice(0, shown.length)));
    assert.equal(await progress(page).getAttribute("data-loaded"), String(shown.length));
    assert.equal(await progress(page).getAttribute("data-total"), String(data.value.length));
    assert.match(await progress(page).textContent(), new RegExp(`Loaded ${shown.length} of ${data.value.length}`));
    // The first row shows what the data says.
    const first = data.value[0];
    const cells = page.locator("[data-testid=rows] tr").first();
    assert.equal(await cells.locator("[data-col=customer] .cust").textContent(), first.customerProfile.name);
    assert.equal(await cells.locator("[data-col=country]").textContent(), first.customerProfile.address.country);
    assert.match(await cells.locator("[data-col=status]").textContent(), new RegExp(`^${first.status}`));
    assert.ok((await page.locator("[data-testid=chart] svg rect").count()) > 0, "chart has bars");
    assert.deepEqual(problems, []);
  } finally {
    await page.close();
  }
});

for (const preset of ["preset-new-sq", "preset-us-incoming", "preset-incoming-pending"]) {
  test(`the ${preset} preset narrows the rows to what the emulator's data says`, async () => {
    const { page, problems } = await openPage();
    try {
      await settled(page);
      const filterText = await page.getByTestId(preset).getAttribute("data-filter");
      await page.getByTestId(preset).click();
      assert.equal(await page.getByTestId("filter").inputValue(), filterText);
      const expected = data.value.filter((r) => pr.matchesFilter(filterText, r));
      assert.ok(expected.length > 0 && expected.length < data.value.length, `${expected.length} expected`);
      assert.deepEqual(await loadAll(page), ids(expected));
      assert.equal(await progress(page).getAttribute("data-total"), String(expected.length));
      assert.deepEqual(problems, []);
    } finally {
      await page.close();
    }
  });
}

test("a typed filter runs on Enter and narrows the rows to what the emulator's data says", async () => {
  const { page, problems } = await openPage();
  try {
    await settled(page);
    const filterText = "(type eq 'Shared' and direction eq 'Incoming') and customerProfile/address/country in ('US', 'DE')";
    await page.getByTestId("filter").fill(filterText);
    await page.getByTestId("filter").press("Enter");
    const expected = data.value.filter((r) => pr.matchesFilter(filterText, r));
    assert.ok(expected.length > 0, "some rows expected");
    await page.waitForFunction((n) => document.querySelector("[data-testid=progress]").dataset.total === String(n), expected.length);
    assert.deepEqual(await loadAll(page), ids(expected));
    assert.deepEqual(problems, []);
  } finally {
    await page.close();
  }
});

test("the deadline preset keeps incoming pending referrals due within 3 days (client-side)", async () => {
  const { page, problems } = await openPage();
  try {
    await settled(page);
    await page.getByTestId("preset-deadline").click();
    assert.equal(await page.getByTestId("deadline-only").isChecked(), true);
    await page.locator('[data-testid=progress][data-state=done]').waitFor();
    const shown = await rowIds(page);
    const at = Date.parse(await page.getByTestId("table").getAttribute("data-now"));
    const server = data.value.filter((r) => pr.matchesFilter("direction eq 'Incoming' and substatus eq 'Pending'", r));
    const expected = server.filter((r) => {
      const left = Date.parse(pr.respondBy(r)) - at;
      return left >= 0 && left <= 3 * DAY;
    });
    assert.ok(expected.length > 0 && expected.length < server.length, `${expected.length} of ${server.length}`);
    assert.deepEqual(shown, ids(expected));
    // Everything the server filter matched was loaded; fewer are shown, said, charted and exported.
    assert.equal(await progress(page).getAttribute("data-loaded"), String(server.length));
    assert.match(await progress(page).textContent(), new RegExp(` ${expected.length} with a deadline in the next 3 days`));
    const charted = expected.filter((r) => r.details.currency === expected[0].details.currency);
    await page.getByTestId("chart-currency").selectOption(expected[0].details.currency);
    assert.match(await page.getByTestId("chart-title").textContent(), new RegExp(`· ${charted.length} referrals?$`));
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("export").click()]);
    const lines = (await readFile(await download.path(), "utf8")).trimEnd().split("\r\n");
    assert.deepEqual(lines.slice(1).map((l) => l.split(",")[0]), ids(expected));
    // Every badge is a countdown under 3 days, red when under 24 h.
    for (const badge of await page.getByTestId("countdown").all()) {
      const text = await badge.textContent();
      assert.match(text, /^([0-2]d \d+h|\d+h \d+m|\d+m)$/, text);
      assert.equal((await badge.getAttribute("class")).includes("urgent"), !/d /.test(text), text);
    }
    assert.deepEqual(problems, []);
  } finally {
    await page.close();
  }
});

test("an invalid filter shows the error with a caret under the offending character", async () => {
  const { page, problems } = await openPage();
  try {
    await settled(page);
    const cases = [
      "stauts eq 'New'",
      "status eq 'New' and stauts eq 'New'",
      "customerProfile/name eq '💝 Café' and qualification eq 'Sales'", // astral: 2 UTF-16 units
    ];
    for (const text of cases) {
      const expected = (() => {
        try {
          pr.validateFilter(text);
        } catch (e) {
          return e;
        }
        assert.fail(`${text} should be invalid`);
      })();
      await page.getByTestId("filter").fill(text);
      const echo = page.getByTestId("filter-echo");
      await echo.waitFor();
      assert.equal(await echo.getAttribute("data-position"), String(expected.position), text);
      assert.match(await page.getByTestId("filter-message").textContent(), /^InvalidFilter /);
      assert.ok((await page.getByTestId("filter-message").textContent()).includes(expected.message));
      assert.equal(await page.getByTestId("filter").getAttribute("aria-invalid"), "true");
      assert.equal(await page.getByTestId("run").isDisabled(), true);
      // The caret line is the text up to `position` (JS string indices), then "^" ...
      assert.equal(await page.getByTestId("echo-ghost").textContent(), text.slice(0, expected.position));
      assert.equal(await page.getByTestId("caret").textContent(), "^");
      assert.equal(await page.getByTestId("echo-mark").textContent(), text.slice(expected.position, expected.end));
      // ... and it is drawn right under the first offending character.
      const caret = await page.getByTestId("caret").boundingBox();
      const mark = await page.getByTestId("echo-mark").boundingBox();
      assert.ok(Math.abs(caret.x - mark.x) < 1, `${text}: caret at x=${caret.x}, offending text at x=${mark.x}`);
      assert.ok(caret.y > mark.y, "caret is below the text");
    }
    // The first case has the typo at the very start.
    await page.getByTestId("filter").fill("stauts eq 'New'");
    assert.equal(await page.getByTestId("filter-echo").getAttribute("data-position"), "0");
    // Fixing it clears the error and shows the canonical form.
    await page.getByTestId("filter").fill("status  eq 'New'");
    assert.equal(await page.getByTestId("filter-echo").isHidden(), true);
    assert.equal(await page.getByTestId("canonical").textContent(), "status eq 'New'");
    assert.equal(await page.getByTestId("run").isDisabled(), false);
    assert.deepEqual(problems, []);
  } finally {
    await page.close();
  }
});

test("paging reaches the full count; ordering, $select and the CSV export follow the data", async () => {
  const { page, problems } = await openPage();
  try {
    const all = await loadAll(page);
    assert.deepEqual(all, ids(data.value));
    assert.equal(await progress(page).getAttribute("data-loaded"), String(data.value.length));
    assert.match(await progress(page).textContent(), new RegExp(`Loaded ${data.value.length} of ${data.value.length}`));
    await mkdir(join(repo, "tests/artifacts"), { recursive: true });
    await page.screenshot({ path: join(repo, "tests/artifacts/example-page.png") });

    // CSV of what is loaded: a header and one line per row, same ids, same order.
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("export").click()]);
    assert.match(download.suggestedFilename(), /^referrals-\d{12}\.csv$/);
    const csv = (await readFile(await download.path(), "utf8")).replace(/^\uFEFF/, "");
    const lines = csv.trimEnd().split("\r\n");
    assert.equal(lines[0].split(",")[0], "id");
    assert.deepEqual(lines.slice(1).map((l) => l.split(",")[0]), ids(data.value));

    // $orderby by clicking the Created header: newest first, then oldest first.
    for (const direction of ["descending", "ascending"]) {
      await page.getByTestId("sort-created").click();
      await settled(page);
      assert.equal(await page.locator("th[data-sort-field=createdDateTime]").getAttribute("aria-sort"), direction);
      const sorted = [...data.value].sort((a, b) => Date.parse(a.createdDateTime) - Date.parse(b.createdDateTime));
      if (direction === "descending") sorted.reverse();
      const shown = await rowIds(page);
      const times = (list) => list.map((id) => data.value.find((r) => r.id === id).createdDateTime);
      assert.deepEqual(times(shown), times(ids(sorted.slice(0, shown.length))));
      assert.match(await page.getByTestId("query-string").textContent(),
        new RegExp(`\\$orderby=createdDateTime%20${direction === "descending" ? "desc" : "asc"}`));
    }

    // $select: columns whose fields were not selected show "—".
    await page.getByTestId("select").selectOption("id,status,customerProfile");
    await page.getByTestId("run").click();
    await settled(page);
    const row = page.locator("[data-testid=rows] tr").first();
    const id = await row.getAttribute("data-id");
    const source = data.value.find((r) => r.id === id);
    assert.equal(await row.locator("[data-col=country]").textContent(), source.customerProfile.address.country);
    for (const column of ["direction", "type", "deal", "created", "respondBy"]) {
      assert.equal(await row.locator(`[data-col=${column}]`).textContent(), "—", column);
    }
    assert.deepEqual(problems, []);
  } finally {
    await page.close();
  }
});

test("a failed request shows its code, status and correlation id", async () => {
  const { page, problems } = await openPage();
  try {
    await settled(page);
    await page.getByTestId("base-url").fill(new URL("/v9.9/", demo.emulatorUrl).href);
    await page.getByTestId("run").click();
    assert.equal(await settled(page, ["error"]), "error");
    assert.equal(await page.getByTestId("error").isVisible(), true);
    assert.equal(await page.getByTestId("error-code").textContent(), "NotFound");
    assert.equal(await page.getByTestId("error-status").textContent(), "404");
    assert.match(await page.getByTestId("error-correlation").textContent(), /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i);
    assert.match(await page.getByTestId("error-request").textContent(), /^[0-9a-f-]{36}$/i);
    assert.equal(await page.getByTestId("error-server-code").textContent(), "itemNotFound");
    // The browser itself logs the 404 response; nothing else may go wrong.
    assert.deepEqual(problems.filter((p) => !/status of 404/.test(p)), []);
  } finally {
    await page.close();
  }
});

test("Cancel really stops a traversal; Resume finishes it without duplicates", async () => {
  // Every response slowed down, small pages: a traversal takes long enough to be cancelled.
  const slow = await start({ port: 0, pkgDir, emulatorArgs: ["--quiet", "--faults", "slow:1", "--slow-ms", "300", "--page-size", "25"] });
  const { page, problems } = await openPage(slow.url);
  try {
    const emulatorOrigin = new URL(slow.emulatorUrl).origin;
    const requests = [];
    const aborted = [];
    page.on("request", (r) => r.url().startsWith(emulatorOrigin) && r.method() === "GET" && requests.push(r.url()));
    page.on("requestfailed", (r) => r.url().startsWith(emulatorOrigin) && aborted.push(r.failure()?.errorText));

    assert.equal(await settled(page), "paused");
    await page.getByTestId("load-all").click();
    await page.waitForFunction(() => Number(document.querySelector("[data-testid=progress]").dataset.loaded) >= 50);
    const inFlightFails = page.waitForEvent("requestfailed", (r) => r.url().startsWith(emulatorOrigin));
    await page.getByTestId("cancel").click();
    assert.equal(await settled(page, ["cancelled"]), "cancelled");
    await inFlightFails;
    assert.match(await progress(page).textContent(), /^Cancelled/);
    const loaded = Number(await progress(page).getAttribute("data-loaded"));
    const total = Number(await progress(page).getAttribute("data-total"));
    assert.equal(total, data.value.length);
    assert.ok(loaded >= 50 && loaded < total, `stopped at ${loaded} of ${total}`);
    // The request in flight was aborted (not left to finish), and nothing is sent afterwards.
    assert.ok(aborted.some((t) => /ABORTED/i.test(t ?? "")), `aborted: ${JSON.stringify(aborted)}`);
    const sent = requests.length;
    await new Promise((ok) => setTimeout(ok, 1000)); // > 3 slow responses
    assert.equal(requests.length, sent, "no request after Cancel");
    assert.equal(await progress(page).getAttribute("data-loaded"), String(loaded));
    assert.equal(await page.getByTestId("cancel").isDisabled(), true);

    // Resume continues from the last page's nextLink (continuationToken) to the end.
    assert.equal(await page.getByTestId("load-all").textContent(), "Resume");
    await page.getByTestId("load-all").click();
    await page.locator('[data-testid=progress][data-state=done]').waitFor();
    assert.deepEqual(await rowIds(page), ids(data.value));

    // A preset clicked while a traversal runs replaces it: only the new query's rows remain.
    await page.getByTestId("preset-all").click();
    await settled(page);
    await page.getByTestId("load-all").click();
    await page.waitForFunction(() => Number(document.querySelector("[data-testid=progress]").dataset.loaded) >= 50);
    await page.getByTestId("preset-new-sq").click();
    const filterText = await page.getByTestId("preset-new-sq").getAttribute("data-filter");
    const expected = data.value.filter((r) => pr.matchesFilter(filterText, r));
    assert.deepEqual(await loadAll(page), ids(expected));
    assert.deepEqual(problems, []);
  } finally {
    await page.close();
    await slow.close();
  }
});

// ---------------------------------------------------------------------------------------------
// Responding: Accept, Decline (with a reason), the inline edit, and a concurrent change (412).
// Each test has its own emulator: writes change the data the other tests compare with.

/** A demo of its own, its emulator's data, and a PATCH sender that goes around the page. */
async function writableDemo() {
  const own = await start({ port: 0, emulatorArgs: ["--quiet"], pkgDir });
  const dump = async () => (await (await fetch(new URL("/_emulator/referrals", own.emulatorUrl))).json()).value;
  const stored = async (id) => (await dump()).find((r) => r.id === id);
  const patchBehind = async (id, ops) => {
    const response = await fetch(new URL(`engagements/referrals/${id}`, own.emulatorUrl), {
      method: "PATCH",
      headers: { authorization: "Bearer someone-else", "content-type": "application/json" },
      body: JSON.stringify(ops),
    });
    assert.equal(response.status, 204, await response.text());
  };
  return { own, dump, stored, patchBehind };
}

/** Opens the page on `demo`, shows every incoming pending referral, returns their ids in order. */
async function openPending(own) {
  const opened = await openPage(own.url);
  await settled(opened.page);
  await opened.page.getByTestId("preset-incoming-pending").click();
  opened.shown = await loadAll(opened.page);
  return opened;
}

const row = (page, id) => page.locator(`[data-testid=rows] tr[data-id="${id}"]`);

/** The PATCH requests the page sends to the emulator: headers and parsed body. */
function recordPatches(page, emulatorUrl) {
  const origin = new URL(emulatorUrl).origin;
  const sent = [];
  page.on("request", (r) => {
    if (r.url().startsWith(origin) && r.method() === "PATCH") {
      sent.push({ url: r.url(), headers: r.headers(), body: JSON.parse(r.postData() ?? "null") });
    }
  });
  return sent;
}

test("Accept and Decline answer incoming pending rows; the row and its deadline badge follow the server", async () => {
  const { own, dump, stored } = await writableDemo();
  const { page, problems, shown } = await openPending(own);
  try {
    const sent = recordPatches(page, own.emulatorUrl);
    const pending = (await dump()).filter((r) => r.direction === "Incoming" && r.substatus === "Pending");
    assert.deepEqual(shown, ids(pending));
    const [first, second] = pending;
    for (const r of [first, second]) {
      assert.equal(await row(page, r.id).getByTestId("countdown").count(), 1, "a pending row has a deadline badge");
      const accept = row(page, r.id).getByTestId("accept");
      assert.equal(await accept.getAttribute("aria-label"), `Accept the referral from ${r.customerProfile.name}`);
    }
    assert.equal(await page.getByTestId("write-status").getAttribute("aria-live"), "polite");

    // Accept: New/Pending → Active/Accepted, sent with the row's eTag.
    await row(page, first.id).getByTestId("accept").click();
    await page.locator("[data-testid=write-status][data-state=ok]").waitFor();
    assert.match(await page.getByTestId("write-status").textContent(), /^Accepted: .* is now Active · Accepted\.$/);
    const accepted = await stored(first.id);
    assert.equal(`${accepted.status}/${accepted.substatus}`, "Active/Accepted");
    assert.notEqual(accepted.eTag, first.eTag);
    assert.equal(sent.length, 1);
    assert.equal(sent[0].headers["if-match"], first.eTag);
    assert.equal(sent[0].headers.prefer, "return=representation");
    assert.deepEqual(sent[0].body.map((o) => `${o.op} ${o.path} ${o.value}`).sort(),
      ["replace /status Active", "replace /substatus Accepted"]);
    // The row is the server's answer: new status, updated time, no deadline, no Accept.
    const r1 = row(page, first.id);
    assert.match(await r1.locator("[data-col=status]").textContent(), /^ActiveAccepted$/);
    assert.equal(await r1.locator("[data-col=updated] time").getAttribute("datetime"), accepted.updatedDateTime);
    assert.equal(await r1.getByTestId("countdown").count(), 0);
    assert.equal(await r1.getByTestId("accept").count(), 0);
    assert.equal(await r1.getByTestId("edit").count(), 1);

    // Decline asks for a reason, then closes the referral with it.
    await row(page, second.id).getByTestId("decline").click();
    const reason = row(page, second.id).getByTestId("decline-reason");
    assert.equal(await reason.evaluate((el) => el === document.activeElement), true);
    await reason.fill("Out of our service area");
    await row(page, second.id).getByTestId("decline-confirm").click();
    await page.waitForFunction(() => /^Declined: /.test(document.querySelector("[data-testid=write-status]").textContent));
    const declined = await stored(second.id);
    assert.equal(`${declined.status}/${declined.substatus}`, "Closed/Declined");
    assert.equal(declined.statusReason, "Out of our service area");
    assert.equal(sent[1].headers["if-match"], second.eTag);
    const r2 = row(page, second.id);
    assert.match(await r2.locator("[data-col=status]").textContent(), /^ClosedDeclined$/);
    assert.equal(await r2.getByTestId("countdown").count(), 0);
    assert.equal(await r2.locator("button").count(), 0, "a closed referral has nothing left to answer");
    // The other rows are untouched.
    assert.deepEqual(await rowIds(page), shown);
    assert.deepEqual(problems, []);
  } finally {
    await page.close();
    await own.close();
  }
});

test("the inline edit sends only what changed and shows the server's values", async () => {
  const { own, dump, stored } = await writableDemo();
  const { page, problems } = await openPending(own);
  try {
    const sent = recordPatches(page, own.emulatorUrl);
    const target = (await dump()).find((r) => r.direction === "Incoming" && r.substatus === "Pending");
    const r = row(page, target.id);
    await r.getByTestId("edit").click();
    assert.equal(await r.getByTestId("edit-deal").inputValue(), String(Number(target.details.dealValue)));
    assert.deepEqual(await r.getByTestId("edit-stage").locator("option").allTextContents(),
      ["(sales stage)", "Qualify", "Develop", "Propose", "Close"]);
    assert.equal(await r.getByTestId("edit-stage").inputValue(), target.salesStage ?? "");
    assert.notEqual(target.salesStage, "Propose");
    await r.getByTestId("edit-deal").fill("12345");
    await r.getByTestId("edit-stage").selectOption("Propose");
    await r.getByTestId("edit-save").click();
    await page.locator("[data-testid=write-status][data-state=ok]").waitFor();
    const saved = await stored(target.id);
    assert.equal(Number(saved.details.dealValue), 12345);
    assert.equal(saved.salesStage, "Propose");
    assert.equal(saved.details.currency, target.details.currency, "the rest of details is kept");
    assert.equal(`${saved.status}/${saved.substatus}`, "New/Pending");
    assert.equal(sent.length, 1);
    assert.equal(sent[0].headers["if-match"], target.eTag);
    assert.deepEqual(sent[0].body.sort((a, b) => (a.path < b.path ? -1 : 1)), [
      { op: "replace", path: "/details/dealValue", value: 12345 },
      { op: "replace", path: "/salesStage", value: "Propose" },
    ]);
    assert.equal(await r.locator("[data-col=deal] span").getAttribute("title"), `${saved.details.dealValue} ${saved.details.currency}`);
    // Still pending: the deadline badge and the answers stay.
    assert.equal(await r.getByTestId("countdown").count(), 1);
    assert.equal(await r.getByTestId("accept").count(), 1);
    // Editing again starts from the saved values.
    await r.getByTestId("edit").click();
    assert.equal(await r.getByTestId("edit-deal").inputValue(), "12345");
    assert.equal(await r.getByTestId("edit-stage").inputValue(), "Propose");
    // A stage that is already the referral's is not sent again; nothing changed, nothing sent.
    await r.getByTestId("edit-save").click();
    await page.waitForFunction(() => /^Nothing to save/.test(document.querySelector("[data-testid=write-status]").textContent));
    await r.getByTestId("edit").click();
    await r.getByTestId("edit-cancel").click();
    assert.equal(sent.length, 1, "Cancel sends nothing");
    assert.deepEqual(problems, []);
  } finally {
    await page.close();
    await own.close();
  }
});

test("a referral changed elsewhere is not overwritten: the page says so and reloads it", async () => {
  const { own, dump, stored, patchBehind } = await writableDemo();
  const { page, problems } = await openPending(own);
  try {
    const target = (await dump()).find((r) => r.direction === "Incoming" && r.substatus === "Pending");
    const r = row(page, target.id);
    // Someone else changes the deal while the page shows the old version.
    await patchBehind(target.id, [{ op: "replace", path: "/details/dealValue", value: 777 }]);
    const theirs = await stored(target.id);
    await r.getByTestId("edit").click();
    await r.getByTestId("edit-deal").fill("99999");
    await r.getByTestId("edit-save").click();
    await page.locator("[data-testid=write-status][data-state=conflict]").waitFor();
    assert.match(await page.getByTestId("write-status").textContent(), /changed elsewhere — reload/);
    assert.match(await r.getByTestId("conflict").textContent(), /^changed elsewhere — reload/);
    assert.deepEqual(await stored(target.id), theirs, "nothing was overwritten");
    // Accept is refused the same way until the row is reloaded.
    assert.equal(await r.getByTestId("accept").count(), 0);
    await r.getByTestId("reload").click();
    await page.waitForFunction(() => /^Reloaded /.test(document.querySelector("[data-testid=write-status]").textContent));
    assert.equal(await r.locator("[data-col=deal] span").getAttribute("title"), `777 ${theirs.details.currency}`);
    // After the reload the row carries the new eTag and an answer goes through.
    await r.getByTestId("accept").click();
    await page.locator("[data-testid=write-status][data-state=ok]").waitFor();
    const after = await stored(target.id);
    assert.equal(`${after.status}/${after.substatus}`, "Active/Accepted");
    assert.equal(after.details.dealValue, 777);
    // The browser logs the 412 response itself; nothing else may go wrong.
    assert.deepEqual(problems.filter((p) => !/status of 412/.test(p)), []);
  } finally {
    await page.close();
    await own.close();
  }
});
