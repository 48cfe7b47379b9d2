// The service worker: polls the Partner API for changed incoming referrals with the library's
// incremental sync, keeps the pending ones in chrome.storage.local and shows their number on
// the action badge. The popup answers referrals itself and tells the worker (message
// `{type: "answered", id}`), which drops the referral from the count at once and polls (one
// that was changed elsewhere instead comes back with that poll, with its new eTag).
// The package is imported statically (a copy of it lives in lib/).
import { ReferralsClient, respondBy } from "./lib/partner-referrals/web.js";
import { settings, summarize } from "./shared.js";

const ALARM = "poll";
/** Every change to an incoming referral: one that stops being pending must leave the count. */
const FILTER = "direction eq 'Incoming'";

// Listeners are registered synchronously at the top level, so an alarm wakes the worker up.
chrome.runtime.onInstalled.addListener(() => schedule());
chrome.runtime.onStartup.addListener(() => schedule());
chrome.alarms.onAlarm.addListener((alarm) => {
  if (alarm.name === ALARM) poll();
});
chrome.runtime.onMessage.addListener((message, _sender, reply) => {
  if (message?.type !== "answered" || typeof message.id !== "string") return false;
  answered(message.id).then(() => reply({ ok: true }), (e) => reply({ ok: false, error: String(e?.message ?? e) }));
  return true; // the reply comes later
});
chrome.storage.onChanged.addListener((changes, area) => {
  if (area !== "local" || !changes.settings) return;
  const before = changes.settings.oldValue ?? {};
  const after = changes.settings.newValue ?? {};
  // Another server is another set of referrals: start the sync over.
  const reset = before.baseUrl !== after.baseUrl ? chrome.storage.local.remove("sync") : Promise.resolve();
  reset.then(() => schedule());
});

/** (Re)creates the alarm from the settings and polls now. */
async function schedule() {
  const { pollSeconds } = await settings();
  await chrome.alarms.clear(ALARM);
  // Chrome enforces 30 s for packed extensions; unpacked ones (tests) may poll faster.
  await chrome.alarms.create(ALARM, { periodInMinutes: Math.max(pollSeconds, 1) / 60 });
  await poll();
}

/**
 * A referral the popup answered: out of the pending set and off the badge now (after the poll
 * in flight, which may have read the old state), then a poll, which sees the answer as a change.
 */
async function answered(id) {
  await running?.catch(() => {});
  const { sync = {} } = await chrome.storage.local.get("sync");
  const pending = { ...sync.pending };
  const cards = { ...sync.cards };
  delete pending[id];
  delete cards[id];
  await chrome.storage.local.set({ sync: { ...sync, pending, cards } });
  const { count } = summarize(pending, Date.now());
  await chrome.action.setBadgeText({ text: count > 0 ? String(count) : "" });
  await poll();
}

let running;
/** One poll at a time: an alarm during a poll joins it. */
function poll() {
  running ??= pollOnce().finally(() => {
    running = undefined;
  });
  return running;
}

async function pollOnce() {
  const { baseUrl, token } = await settings();
  const { sync = {}, status = {} } = await chrome.storage.local.get(["sync", "status"]);
  const polls = (status.polls ?? 0) + 1;
  if (!token) {
    await chrome.storage.local.set({ status: { polls, at: new Date().toISOString(), error: "no token: set one in the options" } });
    await chrome.action.setBadgeText({ text: "?" });
    return;
  }
  const client = new ReferralsClient({ baseUrl, getToken: () => token, timeoutMs: 30_000 });
  const pending = { ...sync.pending };
  /** What the popup needs to list and answer a pending referral without fetching it. */
  const cards = { ...sync.cards };
  let since = sync.token;
  let error;
  let changes;
  for (;;) {
    changes = client.changes({ since, filter: FILTER });
    try {
      for await (const referral of changes) {
        if (referral.substatus === "Pending") {
          pending[referral.id] = respondBy(referral) ?? null;
          cards[referral.id] = card(referral);
        } else {
          delete pending[referral.id];
          delete cards[referral.id];
        }
      }
    } catch (e) {
      if (e instanceof TypeError && since !== undefined && changes.token === since) {
        // A token this version cannot read (or of another filter): start the sync over.
        since = undefined;
        for (const id of Object.keys(pending)) delete pending[id];
        for (const id of Object.keys(cards)) delete cards[id];
        continue;
      }
      error = `${e?.code ?? e?.name}: ${e?.message}`;
    }
    break;
  }
  // Saved even after an error: the token covers exactly the referrals folded into `pending`.
  const summary = summarize(pending, Date.now());
  await chrome.storage.local.set({
    sync: { token: changes.token, pending, cards },
    status: { polls, at: new Date().toISOString(), error, count: summary.count },
  });
  await chrome.action.setBadgeBackgroundColor({ color: error ? "#a80000" : "#0f6cbd" });
  await chrome.action.setBadgeText({ text: summary.count > 0 ? String(summary.count) : "" });
  await chrome.action.setTitle({
    title: error
      ? `Partner referrals: ${error}`
      : `${summary.count} incoming referrals await a response` + (summary.next ? `; next deadline ${summary.next}` : ""),
  });
}

/** The fields an answer needs (id, status, substatus, eTag for If-Match) and a name to show. */
function card(r) {
  return {
    id: r.id,
    status: r.status,
    substatus: r.substatus,
    direction: r.direction,
    eTag: r.eTag,
    createdDateTime: r.createdDateTime,
    customer: r.customerProfile?.name ?? r.name ?? r.id,
  };
}
