// The example page: plain ES module, no framework, no bundler. It talks to the package only
// through its browser entry (the `exports` map's "browser" condition, announced by the server in
// /config.json) and only through the API of docs/contract.md.

/** Fields the table shows, by column; a column whose fields were not `$select`ed shows "—". */
const COLUMN_FIELDS = {
  customer: ["customerProfile"],
  country: ["customerProfile"],
  status: ["status", "substatus"],
  direction: ["direction"],
  type: ["type"],
  deal: ["details"],
  created: ["createdDateTime"],
  updated: ["updatedDateTime"],
  respondBy: ["direction", "substatus", "createdDateTime"],
  // A write needs the id, the current status (transition checks) and the eTag (If-Match).
  actions: ["id", "status", "substatus", "direction", "eTag"],
};
/** The `$select` list of the "table's fields" option. */
const TABLE_FIELDS = [
  "id", "customerProfile", "status", "substatus", "direction", "type", "details",
  "createdDateTime", "updatedDateTime", "expirationDateTime", "eTag", "salesStage",
];
/** The sales stages a deal moves through (Microsoft's connector definition). */
const SALES_STAGES = ["Qualify", "Develop", "Propose", "Close"];
const DAY = 86_400_000;
const HOUR = 3_600_000;
const DEFAULT_BASE_URL = "https://api.partner.microsoft.com/v1.0/";

// ---------------------------------------------------------------------------------------------
// Small DOM helpers

const $ = (testId) => document.querySelector(`[data-testid="${testId}"]`);

/** `h("td", { class: "x" }, "text", node)`: builds an element; strings become text nodes. */
function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === "dataset") Object.assign(el.dataset, value);
    else el.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

const SVG_NS = "http://www.w3.org/2000/svg";
function s(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attrs)) el.setAttribute(name, String(value));
  for (const child of children.flat()) if (child != null) el.append(child);
  return el;
}

// ---------------------------------------------------------------------------------------------
// State

let pr; // the package's module namespace
let config = {};
const ui = {};
const state = {
  /** Every referral loaded by the current traversal, in server order. */
  rows: [],
  /** `@odata.count` of the first page, when the server sent one. */
  count: undefined,
  pages: 0,
  /** The last page received (its nextLink resumes a cancelled or failed traversal). */
  lastPage: undefined,
  /** The current traversal: { query, selected, client, controller, iterator, done }. */
  run: undefined,
  busy: false,
  runSeq: 0,
};

/** The clock the countdowns use: the server's `now` when it pins one, else the real clock. */
function now() {
  return config.now ? Date.parse(config.now) : Date.now();
}

function locale() {
  return ui.locale.value.trim() || undefined;
}

// ---------------------------------------------------------------------------------------------
// Boot

async function boot() {
  for (const id of [
    "module-state", "token", "base-url", "locale", "filter", "run", "filter-echo", "echo-text",
    "echo-caret", "filter-message", "select", "orderby", "top", "deadline-only", "deadline-days",
    "query-string", "load-next", "load-all", "cancel", "export", "progress", "progress-bar", "error",
    "error-code", "error-message", "error-status", "error-correlation", "error-request",
    "error-server-code", "chart", "chart-title", "chart-by", "chart-currency", "table", "rows", "empty",
    "write-status",
  ]) {
    ui[id.replace(/-(\w)/g, (_, c) => c.toUpperCase())] = $(id);
  }
  // Enter in any field runs the query (once the module is ready); never a native form submit.
  let ready = false;
  for (const form of document.querySelectorAll("form")) {
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      if (ready && !ui.run.disabled) run();
    });
  }

  try {
    const response = await fetch("config.json", { cache: "no-store" });
    if (response.ok) config = await response.json();
  } catch {
    // Served statically without the demo server: no emulator URL to default to.
  }
  ui.baseUrl.value = config.baseUrl ?? DEFAULT_BASE_URL;
  if (!config.baseUrl) document.getElementById("base-url-hint").textContent = "The Partner API (no local emulator announced).";

  try {
    pr = await import(config.entry ?? "/pkg/web.js");
    await pr.ready;
  } catch (e) {
    ui.moduleState.textContent = `could not load the package: ${e.message}`;
    ui.moduleState.dataset.state = "error";
    return;
  }
  const hasClient = typeof pr.ReferralsClient === "function";
  ui.moduleState.textContent = hasClient ? "module ready" : "module ready · no ReferralsClient in this build";
  ui.moduleState.dataset.state = hasClient ? "ready" : "partial";

  wire();
  ready = true;
  validateLive();
  renderSortHeaders();
  renderChart();
  if (hasClient) run();
  else showProblem("This build of the package has no ReferralsClient: queries can be validated but not sent.");
  setInterval(refreshCountdowns, 30_000);
}

function wire() {
  ui.filter.addEventListener("input", () => {
    validateLive();
  });
  for (const el of [ui.select, ui.orderby, ui.top]) el.addEventListener("input", validateLive);
  ui.orderby.addEventListener("change", renderSortHeaders);
  for (const chip of document.querySelectorAll("[data-filter]")) {
    chip.addEventListener("click", () => {
      ui.filter.value = chip.dataset.filter;
      ui.deadlineOnly.checked = chip.dataset.deadlineDays !== undefined;
      if (chip.dataset.deadlineDays) ui.deadlineDays.value = chip.dataset.deadlineDays;
      validateLive();
      run();
    });
  }
  for (const button of document.querySelectorAll("button.sort")) {
    button.addEventListener("click", () => {
      const [field, direction] = ui.orderby.value.split(" ");
      // none → newest first → oldest first → none
      ui.orderby.value =
        field !== button.dataset.field ? `${button.dataset.field} desc`
        : direction === "desc" ? `${button.dataset.field} asc`
        : "";
      renderSortHeaders();
      validateLive();
      run();
    });
  }
  ui.deadlineOnly.addEventListener("change", () => {
    renderAll();
    if (ui.deadlineOnly.checked && state.run && !state.run.done && !state.busy) loadPages(Infinity);
  });
  ui.deadlineDays.addEventListener("input", renderAll);
  ui.loadNext.addEventListener("click", () => loadPages(1));
  ui.loadAll.addEventListener("click", () => loadPages(Infinity));
  ui.cancel.addEventListener("click", cancel);
  ui.export.addEventListener("click", exportCsv);
  ui.chartBy.addEventListener("change", renderChart);
  ui.chartCurrency.addEventListener("change", renderChart);
  ui.locale.addEventListener("change", renderAll);
}

// ---------------------------------------------------------------------------------------------
// Query: live validation and the query string

/** Validates the filter box as you type; shows the canonical form or the error with a caret. */
function validateLive() {
  const text = ui.filter.value;
  ui.filterEcho.hidden = true;
  ui.filter.removeAttribute("aria-invalid");
  delete ui.filterEcho.dataset.position;
  let ok = true;
  if (text.trim() === "") {
    ui.filterMessage.className = "filter-message";
    ui.filterMessage.textContent = "No filter: every referral.";
  } else {
    try {
      const info = pr.validateFilter(text);
      ui.filterMessage.className = "filter-message ok";
      ui.filterMessage.replaceChildren(
        h("span", { class: "tick", "aria-hidden": "true" }, "✓ "),
        "valid · canonical ",
        h("code", { "data-testid": "canonical" }, info.canonical),
        ` · fields ${info.fields.join(", ")}`,
      );
    } catch (e) {
      ok = false;
      showFilterError(text, e);
    }
  }
  ok = renderQueryString() && ok;
  ui.run.disabled = !ok || typeof pr.ReferralsClient !== "function";
  return ok;
}

/**
 * The error message, and a monospace echo of the text with a caret under `err.position`.
 * `position` and `end` are UTF-16 indices, exactly what `String.prototype.slice` takes; the caret
 * line repeats the text before the position invisibly, so it lines up under any character
 * (wide, combining or astral) the way the browser draws it.
 */
function showFilterError(text, e) {
  ui.filter.setAttribute("aria-invalid", "true");
  ui.filterMessage.className = "filter-message bad";
  ui.filterMessage.replaceChildren(
    h("strong", {}, e.code ?? e.name), " ", e.message,
  );
  if (typeof e.position !== "number") return;
  const position = Math.min(e.position, text.length);
  const end = Math.max(position, Math.min(e.end ?? position + 1, text.length));
  const marked = text.slice(position, end);
  ui.echoText.replaceChildren(
    text.slice(0, position),
    h("mark", { "data-testid": "echo-mark" }, marked || " "),
    text.slice(end),
  );
  ui.echoCaret.replaceChildren(
    h("span", { class: "ghost", "data-testid": "echo-ghost" }, text.slice(0, position)),
    h("span", { class: "caret", "data-testid": "caret" }, "^"),
  );
  ui.filterEcho.dataset.position = String(position);
  ui.filterEcho.hidden = false;
}

/** The ReferralQuery the form describes (the filter as typed: the client validates it). */
function currentQuery() {
  const query = { count: true };
  if (ui.filter.value.trim() !== "") query.filter = ui.filter.value;
  const select = selectedFields();
  if (select) query.select = select;
  if (ui.orderby.value) {
    const [field, direction] = ui.orderby.value.split(" ");
    query.orderBy = { field, direction };
  }
  if (ui.top.value.trim() !== "") query.top = Number(ui.top.value);
  return query;
}

function selectedFields() {
  if (!ui.select.value) return undefined;
  return ui.select.value === "table" ? TABLE_FIELDS : ui.select.value.split(",");
}

function renderQueryString() {
  try {
    ui.queryString.replaceChildren(
      h("span", { class: "qs-label" }, "GET "),
      h("code", {}, `engagements/referrals?${pr.buildQuery(currentQuery())}`),
    );
    ui.queryString.classList.remove("bad");
    return true;
  } catch (e) {
    if (e.code === "InvalidFilter") {
      ui.queryString.replaceChildren();
    } else {
      ui.queryString.replaceChildren(h("strong", {}, e.code ?? e.name), " ", e.message);
      ui.queryString.classList.add("bad");
    }
    return false;
  }
}

function renderSortHeaders() {
  const [field, direction] = ui.orderby.value.split(" ");
  for (const th of document.querySelectorAll("th[data-sort-field]")) {
    const active = th.dataset.sortField === field;
    th.setAttribute("aria-sort", active ? (direction === "asc" ? "ascending" : "descending") : "none");
    th.querySelector(".sort-ind").textContent = active ? (direction === "asc" ? "▲" : "▼") : "↕";
  }
}

// ---------------------------------------------------------------------------------------------
// Traversal: client.all(query).byPage(), one page at a time, cancellable and resumable

function makeClient() {
  return new pr.ReferralsClient({
    baseUrl: ui.baseUrl.value.trim(),
    locale: locale(),
    getToken: () => {
      const token = ui.token.value.trim();
      if (!token) throw new Error("enter an access token");
      return token;
    },
  });
}

/** Starts a new traversal of the form's query and shows its first page. */
function run() {
  if (state.run && !state.run.done) state.run.controller.abort(new DOMException("superseded", "AbortError"));
  hideError();
  if (!validateLive()) return;
  const query = currentQuery();
  let client;
  try {
    client = makeClient();
  } catch (e) {
    showError(e);
    return;
  }
  const selected = query.select ? new Set(query.select) : undefined;
  state.run = { query, selected, client, done: false, seq: ++state.runSeq };
  // A traversal still running notices it was superseded and stops touching the page.
  Object.assign(state, { rows: [], count: undefined, pages: 0, lastPage: undefined, busy: false });
  ui.rows.replaceChildren();
  startIterator(state.run);
  renderAll();
  loadPages(ui.deadlineOnly.checked ? Infinity : 1);
}

/** A fresh AbortController and page iterator; resumes after the last page received, if any. */
function startIterator(run) {
  run.controller = new AbortController();
  const settings = state.lastPage?.nextLink ? { continuationToken: state.lastPage.nextLink } : undefined;
  run.iterator = run.client.all(run.query, { signal: run.controller.signal }).byPage(settings)[Symbol.asyncIterator]();
  run.stopped = false;
}

/** Pulls up to `max` pages from the current traversal. */
async function loadPages(max) {
  const run = state.run;
  if (!run || run.done || state.busy) return;
  if (run.stopped) startIterator(run); // resume after a cancel or a failed request
  hideError();
  setBusy(true);
  setProgress("loading");
  try {
    for (let n = 0; n < max; n++) {
      const { value: page, done } = await run.iterator.next();
      if (run !== state.run) return;
      if (done) {
        run.done = true;
        break;
      }
      addPage(page);
      if (!page.nextLink) {
        run.done = true;
        await run.iterator.return?.();
        break;
      }
    }
    // The deadline filter of a finished traversal: one clock reading for every row.
    if (run.done && ui.deadlineOnly.checked) renderAll();
    setProgress(run.done ? "done" : "paused");
  } catch (e) {
    if (run !== state.run) return;
    run.stopped = true;
    if (run.controller.signal.aborted) {
      setProgress("cancelled");
    } else {
      setProgress("error");
      showError(e);
    }
  } finally {
    if (run === state.run) setBusy(false);
  }
}

function cancel() {
  const run = state.run;
  if (!run || !state.busy) return;
  run.controller.abort(new DOMException("Cancelled by the user", "AbortError"));
}

function addPage(page) {
  if (state.pages === 0 && typeof page.count === "number") state.count = page.count;
  state.pages += 1;
  state.lastPage = page;
  const start = state.rows.length;
  state.rows.push(...page.value);
  appendRows(state.rows.slice(start));
  renderChart();
  setProgress("loading");
}

function setBusy(busy) {
  state.busy = busy;
  const run = state.run;
  const more = Boolean(run && !run.done);
  ui.loadNext.disabled = busy || !more;
  ui.loadAll.disabled = busy || !more;
  ui.loadAll.textContent = run?.stopped && state.lastPage ? "Resume" : "Load all";
  ui.cancel.disabled = !busy;
  ui.export.disabled = visibleRows().length === 0;
  ui.table.setAttribute("aria-busy", String(busy));
}

/** The number the traversal will reach: `@odata.count` (`$top` is the page size, see the notes). */
function expectedTotal() {
  return state.count;
}

function setProgress(phase) {
  const loaded = state.rows.length;
  const total = expectedTotal();
  const of = total === undefined ? "" : ` of ${total}`;
  const pages = `${state.pages} page${state.pages === 1 ? "" : "s"}`;
  let text;
  switch (phase) {
    case "loading": text = `Loading… loaded ${loaded}${of} (${pages})`; break;
    case "paused": text = `Loaded ${loaded}${of} (${pages}). Next page or Load all continues.`; break;
    case "done": text = `Loaded ${loaded}${of}: complete (${pages}).`; break;
    case "cancelled": text = `Cancelled: loaded ${loaded}${of} (${pages}). Resume continues from the next page.`; break;
    case "error": text = `Failed after ${loaded}${of} (${pages}). Resume retries from the next page.`; break;
    default: text = "Not loaded yet.";
  }
  if (ui.deadlineOnly.checked && loaded > 0) {
    text += ` ${visibleRows().length} with a deadline in the next ${deadlineDays()} days.`;
  }
  ui.progress.textContent = text;
  ui.progress.dataset.state = phase;
  ui.progress.dataset.loaded = String(loaded);
  if (total !== undefined) ui.progress.dataset.total = String(total);
  else delete ui.progress.dataset.total;
  ui.progressBar.max = Math.max(total ?? loaded, 1);
  ui.progressBar.value = loaded;
  ui.export.disabled = state.busy ? ui.export.disabled : visibleRows().length === 0;
}

// ---------------------------------------------------------------------------------------------
// Errors

function showError(e) {
  ui.errorCode.textContent = e?.code ?? e?.name ?? "Error";
  ui.errorMessage.textContent = e?.message ?? String(e);
  ui.errorStatus.textContent = e?.status ?? "—";
  ui.errorCorrelation.textContent = e?.correlationId ?? "—";
  ui.errorRequest.textContent = e?.requestId ?? "—";
  ui.errorServerCode.textContent = e?.serverCode ?? "—";
  ui.error.hidden = false;
}

function showProblem(message) {
  showError({ name: "Unavailable", message });
}

function hideError() {
  ui.error.hidden = true;
}

// ---------------------------------------------------------------------------------------------
// Table

function deadlineDays() {
  const days = Number(ui.deadlineDays.value);
  return Number.isFinite(days) && days > 0 ? days : 3;
}

/** The client-side filter of the deadline preset: respond-by between now and now + N days. */
function passesClientFilter(r, at = renderedAt) {
  if (!ui.deadlineOnly.checked) return true;
  const due = respondByOf(r);
  if (!due) return false;
  const left = Date.parse(due) - at;
  return left >= 0 && left <= deadlineDays() * DAY;
}

function visibleRows() {
  return state.rows.filter((r) => passesClientFilter(r));
}

function respondByOf(r) {
  try {
    return pr.respondBy(r);
  } catch {
    return undefined;
  }
}

/** Whether the current traversal asked for every field the column shows. */
function selected(column) {
  const fields = state.run?.selected;
  return !fields || COLUMN_FIELDS[column].every((f) => fields.has(f));
}

const NOT_SELECTED = () => h("span", { class: "na", title: "not selected ($select)" }, "—");

function renderAll() {
  ui.rows.replaceChildren();
  appendRows(state.rows);
  renderChart();
  setProgress(ui.progress.dataset.state ?? "idle");
}

/** The clock reading the rows on screen were filtered and counted down with. */
let renderedAt = Date.now();

function appendRows(rows) {
  renderedAt = now();
  const fragment = document.createDocumentFragment();
  for (const r of rows) if (passesClientFilter(r)) fragment.append(rowFor(r));
  ui.rows.append(fragment);
  ui.table.dataset.now = new Date(renderedAt).toISOString();
  ui.empty.hidden = ui.rows.childElementCount > 0 || state.rows.length === 0 && !state.run?.done;
}

function rowFor(r) {
  const cp = r.customerProfile ?? {};
  const address = cp.address ?? {};
  const place = [address.city, address.state].filter(Boolean).join(", ");
  const cells = {
    customer: () => [h("div", { class: "cust" }, cp.name ?? "(no name)"), place && h("div", { class: "muted" }, place)],
    country: () => address.country ?? "",
    status: () => [
      r.status !== undefined && h("span", { class: `badge st-${slug(r.status)}` }, r.status),
      r.substatus !== undefined && h("span", { class: `sub sub-${slug(r.substatus)}` }, r.substatus),
    ],
    direction: () => r.direction && h("span", { class: `dir dir-${slug(r.direction)}` },
      h("span", { "aria-hidden": "true" }, r.direction === "Incoming" ? "↘ " : r.direction === "Outgoing" ? "↗ " : ""),
      r.direction),
    type: () => r.type ?? "",
    deal: () => money(r.details?.dealValue, r.details?.currency),
    created: () => dateCell(r.createdDateTime),
    updated: () => dateCell(r.updatedDateTime),
    respondBy: () => deadlineCell(r),
    actions: () => actionsCell(r),
  };
  const td = (column, className) =>
    h("td", { class: className, "data-col": column }, selected(column) ? cells[column]() : NOT_SELECTED());
  return h("tr", { "data-id": r.id ?? "" },
    td("customer"), td("country", "cc"), td("status"), td("direction"), td("type"), td("deal", "num"),
    td("created", "date"), td("updated", "date"), td("respondBy", "deadline"), td("actions", "respond"));
}

function slug(value) {
  return String(value).toLowerCase().replace(/[^a-z0-9]+/g, "-");
}

const moneyFormats = new Map();
function money(value, currency) {
  if (value === undefined || value === null || value === "") return "";
  const amount = Number(value);
  if (!Number.isFinite(amount)) return `${value} ${currency ?? ""}`.trim();
  const key = `${locale() ?? ""}|${currency ?? ""}`;
  if (!moneyFormats.has(key)) {
    let format;
    try {
      format = currency
        ? new Intl.NumberFormat(locale(), { style: "currency", currency, maximumFractionDigits: 0 })
        : new Intl.NumberFormat(locale(), { maximumFractionDigits: 2 });
    } catch {
      format = new Intl.NumberFormat(locale(), { maximumFractionDigits: 2 });
    }
    moneyFormats.set(key, format);
  }
  const text = moneyFormats.get(key).format(amount);
  return h("span", { title: `${value} ${currency ?? ""}`.trim() }, text);
}

function dateCell(iso) {
  if (!iso) return "";
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  const format = new Intl.DateTimeFormat(locale(), { dateStyle: "medium", timeStyle: "short" });
  return h("time", { datetime: iso, title: iso }, format.format(t));
}

/** The respond-by date with a countdown badge: "2d 4h", red under 24 h, "overdue" after. */
function deadlineCell(r) {
  const due = respondByOf(r);
  if (!due) return "";
  return h("span", { class: "due", "data-respond-by": due }, countdown(due),
    h("time", { datetime: due, title: due, class: "muted" },
      new Intl.DateTimeFormat(locale(), { dateStyle: "medium" }).format(Date.parse(due))));
}

function countdown(due, at = renderedAt) {
  const left = Date.parse(due) - at;
  if (left <= 0) return h("span", { class: "badge cd overdue", "data-testid": "countdown" }, "overdue");
  const d = Math.floor(left / DAY);
  const hrs = Math.floor((left % DAY) / HOUR);
  const min = Math.floor((left % HOUR) / 60_000);
  const text = d > 0 ? `${d}d ${hrs}h` : hrs > 0 ? `${hrs}h ${min}m` : `${min}m`;
  return h("span", { class: `badge cd ${left < DAY ? "urgent" : left < 3 * DAY ? "soon" : "later"}`, "data-testid": "countdown" }, text);
}

function refreshCountdowns() {
  if (state.busy) return;
  if (ui.deadlineOnly.checked) {
    renderAll();
    return;
  }
  renderedAt = now();
  for (const span of ui.rows.querySelectorAll("[data-respond-by]")) {
    span.firstChild.replaceWith(countdown(span.dataset.respondBy));
  }
  ui.table.dataset.now = new Date(renderedAt).toISOString();
}

// ---------------------------------------------------------------------------------------------
// Responding: Accept / Decline on incoming pending rows, an inline edit of deal value and sales
// stage on every row. Each write is a JSON Patch the package checks before sending, guarded by the
// row's eTag (If-Match); the row is redrawn from the server's answer, never from what was typed.

function isIncomingPending(r) {
  return r.direction === "Incoming" && r.status === "New" && r.substatus === "Pending";
}

function customerOf(r) {
  return r.customerProfile?.name ?? r.name ?? r.id;
}

function actionsCell(r) {
  const who = customerOf(r);
  const buttons = [];
  if (isIncomingPending(r)) {
    buttons.push(
      h("button", { type: "button", class: "primary", "data-testid": "accept", "aria-label": `Accept the referral from ${who}` }, "Accept"),
      h("button", { type: "button", class: "danger", "data-testid": "decline", "aria-label": `Decline the referral from ${who}` }, "Decline"),
    );
  }
  if (r.status !== "Closed") {
    buttons.push(h("button", { type: "button", "data-testid": "edit", "aria-label": `Edit deal value and sales stage of ${who}` }, "Edit"));
  }
  const cell = h("div", { class: "respond-actions" }, buttons);
  for (const button of buttons) {
    const action = button.dataset.testid;
    button.addEventListener("click", () => {
      if (action === "accept") respond(r.id, "Accepted", (client, current) => client.accept(current));
      else if (action === "decline") openDecline(r.id, cell);
      else openEditor(r.id, cell);
    });
  }
  return cell;
}

/** The referral as last answered by the server (state.rows holds the latest). */
function rowData(id) {
  return state.rows.find((r) => r.id === id);
}

function rowElement(id) {
  return [...ui.rows.children].find((tr) => tr.dataset.id === id);
}

/** Redraws one row from the server's referral (state and DOM), keeping its place. */
function replaceRow(updated) {
  const at = state.rows.findIndex((r) => r.id === updated.id);
  if (at >= 0) state.rows[at] = updated;
  const tr = rowElement(updated.id);
  if (tr) tr.replaceWith(rowFor(updated));
  renderChart();
}

function say(text, kind = "ok") {
  ui.writeStatus.textContent = text;
  ui.writeStatus.dataset.state = kind;
}

/** Runs one write for row `id`: busy row, the call, then the row from the answer or the error. */
async function respond(id, done, write) {
  const current = rowData(id);
  const tr = rowElement(id);
  if (!current || !tr) return;
  let client;
  try {
    client = state.run?.client ?? makeClient();
  } catch (e) {
    showError(e);
    return;
  }
  tr.setAttribute("aria-busy", "true");
  for (const button of tr.querySelectorAll("button")) button.disabled = true;
  say(`Saving ${customerOf(current)}…`, "busy");
  try {
    const updated = await write(client, current);
    replaceRow(updated);
    say(`${done}: ${customerOf(updated)} is now ${updated.status} · ${updated.substatus}.`);
  } catch (e) {
    tr.removeAttribute("aria-busy");
    for (const button of tr.querySelectorAll("button")) button.disabled = false;
    if (e?.code === "PreconditionFailed") {
      conflict(id, tr);
    } else {
      say(`Not saved: ${e?.code ?? e?.name ?? "Error"} ${e?.message ?? e}`, "error");
      showError(e);
    }
  }
}

/** Someone else changed the referral since it was loaded: say so and offer a reload, never overwrite. */
function conflict(id, tr) {
  say(`${customerOf(rowData(id))} was changed elsewhere — reload it before answering.`, "conflict");
  tr.dataset.conflict = "true";
  const cell = tr.querySelector("[data-col=actions]");
  const reload = h("button", { type: "button", "data-testid": "reload", "aria-label": `Reload ${customerOf(rowData(id))}` }, "Reload");
  const note = h("div", { class: "conflict", "data-testid": "conflict" }, "changed elsewhere — reload ", reload);
  cell.replaceChildren(note);
  reload.addEventListener("click", async () => {
    reload.disabled = true;
    try {
      const client = state.run?.client ?? makeClient();
      const fresh = await client.get(id);
      replaceRow(fresh);
      say(`Reloaded ${customerOf(fresh)}: ${fresh.status} · ${fresh.substatus}.`);
    } catch (e) {
      reload.disabled = false;
      say(`Reload failed: ${e?.code ?? e?.name} ${e?.message ?? e}`, "error");
      showError(e);
    }
  });
}

/** Decline asks for a reason (sent as statusReason; optional) in the row itself. */
function openDecline(id, cell) {
  const r = rowData(id);
  const reason = h("input", { type: "text", "data-testid": "decline-reason", maxlength: "1024", placeholder: "e.g. out of our service area", "aria-label": `Reason for declining ${customerOf(r)}` });
  const confirm = h("button", { type: "submit", class: "danger", "data-testid": "decline-confirm" }, "Decline");
  const back = h("button", { type: "button", "data-testid": "decline-cancel" }, "Cancel");
  const form = h("form", { class: "inline-form", "aria-label": `Decline ${customerOf(r)}` },
    h("label", {}, "Reason ", reason), confirm, back);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    event.stopPropagation();
    const text = reason.value.trim();
    respond(id, "Declined", (client, current) => client.decline(current, text || undefined));
  });
  back.addEventListener("click", () => replaceRow(rowData(id)));
  cell.replaceChildren(form);
  reason.focus();
}

/** The inline editor of deal value and sales stage; only what changed is sent. */
function openEditor(id, cell) {
  const r = rowData(id);
  const value = r.details?.dealValue;
  const shown = value === undefined || value === null || value === "" || !Number.isFinite(Number(value)) ? "" : String(Number(value));
  const deal = h("input", { type: "number", min: "0", step: "any", "data-testid": "edit-deal", value: shown, "aria-label": `Deal value of ${customerOf(r)}${r.details?.currency ? ` in ${r.details.currency}` : ""}` });
  const stage = h("select", { "data-testid": "edit-stage", "aria-label": `Sales stage of ${customerOf(r)}` },
    h("option", { value: "" }, "(sales stage)"),
    SALES_STAGES.map((name) => h("option", { value: name, selected: r.salesStage === name }, name)));
  const save = h("button", { type: "submit", class: "primary", "data-testid": "edit-save" }, "Save");
  const back = h("button", { type: "button", "data-testid": "edit-cancel" }, "Cancel");
  const form = h("form", { class: "inline-form", "aria-label": `Edit ${customerOf(r)}` }, deal, stage, save, back);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    event.stopPropagation();
    const changes = {};
    const typed = deal.value.trim();
    if (typed !== "" && Number(typed) !== Number(value)) changes.details = { dealValue: Number(typed) };
    if (stage.value && stage.value !== r.salesStage) changes.salesStage = stage.value;
    if (Object.keys(changes).length === 0) {
      say(`Nothing to save for ${customerOf(r)}.`);
      replaceRow(rowData(id));
      return;
    }
    respond(id, "Saved", (client, current) => client.update(current, changes));
  });
  back.addEventListener("click", () => replaceRow(rowData(id)));
  cell.replaceChildren(form);
  deal.focus();
}

// ---------------------------------------------------------------------------------------------
// Chart: deal value by status or country, in one currency (sums across currencies mean nothing)

const STATUS_COLORS = { New: "#0f6cbd", Active: "#107c10", Closed: "#8a8886", None: "#c19c00" };
const PALETTE = ["#0f6cbd", "#107c10", "#8764b8", "#ca5010", "#038387", "#c239b3", "#986f0b", "#4f6bed", "#7a7574", "#a4262c"];

function renderChart() {
  const rows = visibleRows();
  if (!selected("deal")) {
    ui.chart.replaceChildren(h("p", { class: "muted chart-empty" }, "Deal values were not selected ($select)."));
    ui.chartTitle.textContent = "Deal value";
    return;
  }
  const byCurrency = new Map();
  for (const r of rows) {
    const c = r.details?.currency;
    if (c) byCurrency.set(c, (byCurrency.get(c) ?? 0) + 1);
  }
  const currencies = [...byCurrency.entries()].sort((a, b) => b[1] - a[1]).map(([c]) => c);
  const previous = ui.chartCurrency.value;
  ui.chartCurrency.replaceChildren(...currencies.map((c) => h("option", { value: c }, `${c} (${byCurrency.get(c)})`)));
  if (currencies.includes(previous)) ui.chartCurrency.value = previous;
  ui.chartCurrency.closest("label").hidden = currencies.length === 0;
  const currency = ui.chartCurrency.value;
  const by = ui.chartBy.value;

  const sums = new Map();
  let n = 0;
  for (const r of rows) {
    if (r.details?.currency !== currency) continue;
    const amount = Number(r.details?.dealValue);
    if (!Number.isFinite(amount)) continue;
    const key = (by === "status" ? r.status : r.customerProfile?.address?.country) ?? "(none)";
    sums.set(key, (sums.get(key) ?? 0) + amount);
    n += 1;
  }
  let bars = [...sums.entries()].sort((a, b) => b[1] - a[1]);
  if (bars.length > 8) {
    const rest = bars.slice(7).reduce((t, [, v]) => t + v, 0);
    bars = [...bars.slice(0, 7), [`${bars.length - 7} more`, rest]];
  }
  ui.chartTitle.textContent = currency
    ? `Deal value by ${by} · ${currency} · ${n} referral${n === 1 ? "" : "s"}`
    : "Deal value";
  if (bars.length === 0) {
    ui.chart.replaceChildren(h("p", { class: "muted chart-empty" }, rows.length ? "No deal values." : state.rows.length ? "No rows shown." : "Nothing loaded yet."));
    return;
  }

  const W = 640, row = 18, gap = 6, labelW = 110, valueW = 92;
  const H = bars.length * (row + gap) - gap;
  const max = Math.max(...bars.map(([, v]) => v), 1);
  const fmt = new Intl.NumberFormat(locale(), { style: "currency", currency, notation: "compact", maximumFractionDigits: 1 });
  const svg = s("svg", {
    viewBox: `0 0 ${W} ${H}`, width: "100%", role: "img", class: "bars",
    "aria-label": `${ui.chartTitle.textContent}: ${bars.map(([k, v]) => `${k} ${fmt.format(v)}`).join(", ")}`,
  });
  bars.forEach(([key, value], i) => {
    const y = i * (row + gap);
    const w = Math.max(2, ((W - labelW - valueW) * value) / max);
    const color = by === "status" ? STATUS_COLORS[key] ?? PALETTE[i % PALETTE.length] : PALETTE[i % PALETTE.length];
    svg.append(
      s("text", { x: labelW - 10, y: y + row / 2, "text-anchor": "end", "dominant-baseline": "central", class: "bar-label" }, String(key)),
      s("rect", { x: labelW, y, width: w, height: row, rx: 4, fill: color },
        s("title", {}, `${key}: ${fmt.format(value)}`)),
      s("text", { x: labelW + w + 8, y: y + row / 2, "dominant-baseline": "central", class: "bar-value" }, fmt.format(value)),
    );
  });
  ui.chart.replaceChildren(svg);
}

// ---------------------------------------------------------------------------------------------
// CSV export of the rows shown (what is loaded, after the client-side deadline filter)

const CSV_COLUMNS = [
  ["id", (r) => r.id],
  ["customer", (r) => r.customerProfile?.name],
  ["city", (r) => r.customerProfile?.address?.city],
  ["country", (r) => r.customerProfile?.address?.country],
  ["status", (r) => r.status],
  ["substatus", (r) => r.substatus],
  ["direction", (r) => r.direction],
  ["type", (r) => r.type],
  ["qualification", (r) => r.qualification],
  ["dealValue", (r) => r.details?.dealValue, true],
  ["currency", (r) => r.details?.currency],
  ["createdDateTime", (r) => r.createdDateTime],
  ["updatedDateTime", (r) => r.updatedDateTime],
  ["respondBy", (r) => respondByOf(r)],
];

/** One CSV field: quoted when needed; text that a spreadsheet would run as a formula is defused. */
function csvField(value, numeric) {
  if (value === undefined || value === null) return "";
  let text = String(value);
  if (!numeric && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

function exportCsv() {
  const rows = visibleRows();
  const lines = [CSV_COLUMNS.map(([name]) => name).join(",")];
  for (const r of rows) lines.push(CSV_COLUMNS.map(([, get, numeric]) => csvField(get(r), numeric)).join(","));
  const blob = new Blob(["\uFEFF" + lines.join("\r\n") + "\r\n"], { type: "text/csv;charset=utf-8" });
  const url = URL.createObjectURL(blob);
  const stamp = new Date().toISOString().slice(0, 16).replace(/[-:T]/g, "");
  const a = h("a", { href: url, download: `referrals-${stamp}.csv` });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

boot();
