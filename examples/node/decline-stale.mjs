#!/usr/bin/env node
// Declines, with a reason, every incoming referral still pending after a given age, before the
// 14-day deadline archives it as Expired without an answer. One line per referral on stdout;
// a summary on stderr. `--dry-run` prints the JSON Patch each referral would get and sends none.
//
//   PARTNER_API_TOKEN=… node decline-stale.mjs --older-than 10d --reason "Out of our service area"
//   PARTNER_API_TOKEN=… node decline-stale.mjs --older-than 10d --reason "…" --dry-run
//
// Options (arguments win over the environment):
//   --older-than AGE  required: `10d`, `36h`, `2w` — created at least this long ago
//   --reason TEXT     required: sent as `statusReason` (what the sender reads)
//   --dry-run         print `{"id","customer","createdDateTime","ifMatch","patch"}` per referral
//                     (one JSON line each) and send no PATCH
//   --now ISO         the instant ages are measured from (default: the clock)
//   --base-url URL    PARTNER_API_BASE_URL   default https://api.partner.microsoft.com/v1.0/
//   --token TOKEN     PARTNER_API_TOKEN      a bearer token
//
// Each decline carries the referral's eTag (If-Match): a referral someone changed after it was
// listed is skipped (PreconditionFailed), never overwritten. Exit status: 0 when every referral
// was declined (or, with --dry-run, checked), 1 when any failed, 2 for bad arguments.
import { parseArgs } from "node:util";
import { randomUUID } from "node:crypto";
import { ReferralsClient, ODataError, filter } from "partner-referrals";

const UNITS = { h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 };

/** `10d` → milliseconds; undefined when it is not a positive whole number of h, d or w. */
function parseAge(text) {
  const match = /^(\d{1,6})([hdw])$/.exec(text ?? "");
  const ms = match ? Number(match[1]) * UNITS[match[2]] : NaN;
  return ms > 0 ? ms : undefined;
}

function usage(message) {
  if (message) process.stderr.write(`decline-stale: ${message}\n`);
  process.stderr.write(
    "usage: decline-stale.mjs --older-than 10d --reason TEXT [--dry-run] [--now ISO] [--base-url URL] [--token TOKEN]\n",
  );
  process.exit(message ? 2 : 0);
}

let args;
try {
  ({ values: args } = parseArgs({
    options: {
      "older-than": { type: "string" },
      reason: { type: "string" },
      "dry-run": { type: "boolean" },
      now: { type: "string" },
      "base-url": { type: "string" },
      token: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  }));
} catch (e) {
  usage(e.message);
}
if (args.help) usage();
const age = parseAge(args["older-than"]);
if (age === undefined) usage("--older-than needs an age like 10d, 36h or 2w");
const reason = args.reason?.trim();
if (!reason) usage("--reason needs the text the sender will read");
const now = args.now === undefined ? Date.now() : Date.parse(args.now);
if (Number.isNaN(now)) usage(`--now: not an ISO 8601 date-time: ${args.now}`);
const baseUrl = args["base-url"] ?? process.env.PARTNER_API_BASE_URL;
const token = args.token ?? process.env.PARTNER_API_TOKEN;
if (!token) usage("no token (--token or PARTNER_API_TOKEN)");
const dryRun = Boolean(args["dry-run"]);

// A dry run lists for real but answers its own PATCHes: the package builds and checks each
// patch exactly as for a real run (a refused change fails the same way), the request is
// recorded, and the referral comes back unchanged. Nothing is sent.
let recorded;
async function dryRunFetch(url, init) {
  const request = new Request(url, init);
  if (request.method !== "PATCH") return fetch(url, init);
  recorded = { ifMatch: request.headers.get("if-match") ?? undefined, patch: JSON.parse(await request.text()) };
  return new Response(JSON.stringify(recorded.referral), {
    status: 200,
    headers: { "content-type": "application/json" },
  });
}

const correlationId = randomUUID();
const controller = new AbortController();
process.once("SIGINT", () => controller.abort(new Error("cancelled by Ctrl-C")));
const client = new ReferralsClient({ baseUrl, getToken: () => token, ...(dryRun ? { fetch: dryRunFetch } : {}) });
const opts = { signal: controller.signal, correlationId };

const describe = (error) =>
  error instanceof ODataError
    ? `${error.code}${error.status ? ` ${error.status}` : ""}: ${error.message}`
    : String(error?.message ?? error);

// The server narrows the list; the cut-off is a DateTimeOffset literal, never pasted text.
const cutoff = new Date(now - age);
const query = {
  filter: filter`direction eq 'Incoming' and status eq 'New' and substatus eq 'Pending' and createdDateTime le ${cutoff}`,
};

let stale;
try {
  stale = [];
  for await (const referral of client.all(query, opts)) stale.push(referral);
} catch (error) {
  process.stderr.write(`decline-stale: listing failed: ${describe(error)} (correlation id ${correlationId})\n`);
  process.exit(controller.signal.aborted ? 130 : 1);
}

let declined = 0;
const failed = [];
for (const referral of stale) {
  if (controller.signal.aborted) break;
  const customer = referral.customerProfile?.name ?? referral.name ?? "";
  try {
    if (dryRun) recorded = { referral };
    const answer = await client.decline(referral, reason, opts);
    if (dryRun) {
      const { ifMatch, patch } = recorded;
      const line = { id: referral.id, customer, createdDateTime: referral.createdDateTime, ifMatch, patch };
      process.stdout.write(`${JSON.stringify(line)}\n`);
    } else {
      process.stdout.write(`declined ${answer.id} ${answer.status}/${answer.substatus} ${JSON.stringify(customer)}\n`);
    }
    declined += 1;
  } catch (error) {
    const skipped = error instanceof ODataError && error.code === "PreconditionFailed";
    const why = skipped ? "changed since it was listed, skipped" : describe(error);
    process.stderr.write(`decline-stale: ${referral.id}: ${why}\n`);
    failed.push(referral.id);
  }
}

const verb = dryRun ? "would decline" : "declined";
process.stderr.write(
  `decline-stale: ${verb} ${declined} of ${stale.length} incoming pending referrals created before ` +
    `${cutoff.toISOString()}${failed.length ? `, ${failed.length} failed` : ""}` +
    `${dryRun ? " (dry run: nothing sent)" : ""} (correlation id ${correlationId})\n`,
);
process.exitCode = controller.signal.aborted ? 130 : failed.length ? 1 : 0;
