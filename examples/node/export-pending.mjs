#!/usr/bin/env node
// Exports every incoming referral that awaits a response to CSV on stdout, soonest deadline
// first, with a progress line on stderr. Ctrl-C cancels (exit 130); any other failure exits 1
// with the error's code and correlation id.
//
//   PARTNER_API_TOKEN=… node export-pending.mjs [--base-url URL] [--token TOKEN] > pending.csv
//
// Options (arguments win over the environment):
//   --base-url URL   PARTNER_API_BASE_URL   default https://api.partner.microsoft.com/v1.0/
//   --token TOKEN    PARTNER_API_TOKEN      a bearer token (e.g. from `az account get-access-token`)
import { parseArgs } from "node:util";
import { randomUUID } from "node:crypto";
import { ReferralsClient, ODataError, respondBy } from "partner-referrals";

// ---- CSV (RFC 4180) -----------------------------------------------------------------------

const CSV_HEADER = [
  "id", "respondBy", "name", "customer", "country", "city", "dealValue", "currency",
  "status", "createdDateTime", "updatedDateTime",
];

function csvRow(r) {
  const c = r.customerProfile ?? {};
  return [
    field(r.id),
    field(respondBy(r)),
    text(r.name),
    text(c.name),
    field(c.address?.country),
    text(c.address?.city),
    field(r.details?.dealValue),
    field(r.details?.currency),
    field(r.status),
    field(r.createdDateTime),
    field(r.updatedDateTime),
  ];
}

/** A value as a CSV field: quoted when it holds a quote, comma, CR or LF. */
function field(value) {
  const s = value === undefined || value === null ? "" : String(value);
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/**
 * Free text: as `field`, and a leading `= + - @` (or tab/CR) gets a `'` so that a spreadsheet
 * shows it as text instead of running it as a formula (OWASP "CSV injection").
 */
function text(value) {
  const s = value === undefined || value === null ? "" : String(value);
  return field(/^[=+\-@\t\r]/.test(s) ? `'${s}` : s);
}

// ---- the export ----------------------------------------------------------------------------

const { values: args } = parseArgs({
  options: {
    "base-url": { type: "string" },
    token: { type: "string" },
    help: { type: "boolean", short: "h" },
  },
});
if (args.help) {
  process.stdout.write("usage: export-pending.mjs [--base-url URL] [--token TOKEN] > pending.csv\n");
  process.exit(0);
}
const baseUrl = args["base-url"] ?? process.env.PARTNER_API_BASE_URL;
const token = args.token ?? process.env.PARTNER_API_TOKEN;
if (!token) {
  process.stderr.write("export-pending: no token (--token or PARTNER_API_TOKEN)\n");
  process.exit(2);
}

// Ctrl-C aborts the traversal: the pending request and any retry wait end at once.
const controller = new AbortController();
process.once("SIGINT", () => controller.abort(new Error("cancelled by Ctrl-C")));

// One correlation id for the whole export, so support can find every request of this run.
const correlationId = randomUUID();
const client = new ReferralsClient({ baseUrl, getToken: () => token });
const query = { filter: "direction eq 'Incoming' and substatus eq 'Pending'", count: true };

const progress = (text) =>
  process.stderr.isTTY ? process.stderr.write(`\r\x1b[K${text}`) : process.stderr.write(`${text}\n`);

const rows = [];
let pages = 0;
let total;
progress("export-pending: requesting the first page…");
try {
  for await (const page of client.all(query, { signal: controller.signal, correlationId }).byPage()) {
    pages += 1;
    total ??= page.count;
    for (const referral of page.value) rows.push(referral);
    progress(`export-pending: page ${pages}, ${rows.length} of ${total ?? "?"} referrals`);
  }
} catch (error) {
  if (process.stderr.isTTY && pages > 0) process.stderr.write("\n");
  if (controller.signal.aborted) {
    process.stderr.write(`export-pending: ${controller.signal.reason.message} after ${pages} pages, nothing written\n`);
    process.exitCode = 130;
  } else if (error instanceof ODataError) {
    const ids = [`code ${error.code}`, `correlation id ${error.correlationId ?? correlationId}`];
    if (error.status !== undefined) ids.push(`status ${error.status}`);
    if (error.requestId !== undefined) ids.push(`request id ${error.requestId}`);
    process.stderr.write(`export-pending: ${error.message} (${ids.join(", ")})\n`);
    process.exitCode = 1;
  } else {
    process.stderr.write(`export-pending: ${error?.stack ?? error} (correlation id ${correlationId})\n`);
    process.exitCode = 1;
  }
}

if (process.exitCode === undefined) {
  if (process.stderr.isTTY) process.stderr.write("\n");
  // Soonest deadline first (respondBy is always UTC with milliseconds, so text order is time
  // order); equal deadlines by id, so the output is stable.
  const keyed = rows.map((r) => ({ r, due: respondBy(r) ?? "\uffff" }));
  keyed.sort((a, b) => (a.due < b.due ? -1 : a.due > b.due ? 1 : a.r.id < b.r.id ? -1 : a.r.id > b.r.id ? 1 : 0));
  const out = [CSV_HEADER.join(",")];
  for (const { r } of keyed) out.push(csvRow(r).join(","));
  process.stdout.write(out.join("\r\n") + "\r\n");
}
