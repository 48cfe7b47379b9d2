// The popup: the pending count, the nearest deadline, and the referrals nearest their deadline
// with Accept / Decline. An answer is a PATCH guarded by the eTag the last poll saw (If-Match):
// a referral changed since then is not overwritten. After an answer the service worker drops it
// from the badge and polls.
import { ReferralsClient } from "./lib/partner-referrals/web.js";
import { settings, summarize } from "./shared.js";

/** How many referrals the popup lists. */
const LISTED = 5;
const el = (id) => document.getElementById(id);

function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, String(value));
  node.append(...children);
  return node;
}

async function render() {
  const { sync = {}, status = {} } = await chrome.storage.local.get(["sync", "status"]);
  const now = Date.now();
  const pending = sync.pending ?? {};
  const { count, next, overdue } = summarize(pending, now);
  el("count").textContent = String(count);
  el("next").textContent = next ? new Date(next).toLocaleString() : "none";
  el("overdue").textContent = String(overdue);
  el("status").textContent = status.error ?? (status.at ? `Updated ${new Date(status.at).toLocaleTimeString()}` : "Not polled yet");
  el("status").className = status.error ? "error" : "";
  // Nearest first among the deadlines still ahead; equal deadlines by id, so the list is stable.
  const nearest = Object.entries(pending)
    .filter(([id, due]) => typeof due === "string" && Date.parse(due) >= now && sync.cards?.[id])
    .sort(([a, x], [b, y]) => (x < y ? -1 : x > y ? 1 : a < b ? -1 : 1))
    .slice(0, LISTED)
    .map(([id, due]) => item(sync.cards[id], due));
  el("nearest").replaceChildren(...nearest);
  Object.assign(el("summary").dataset, { state: "done", count: String(count), next: next ?? "", overdue: String(overdue), now: String(now) });
}

function item(card, due) {
  const accept = h("button", { type: "button", "data-action": "accept", "aria-label": `Accept the referral from ${card.customer}` }, "Accept");
  const decline = h("button", { type: "button", "data-action": "decline", "aria-label": `Decline the referral from ${card.customer}` }, "Decline");
  const li = h("li", { "data-id": card.id, "data-due": due },
    h("strong", {}, card.customer),
    h("span", { class: "answers" }, accept, decline),
    h("span", { class: "due" }, `respond by ${new Date(due).toLocaleString()}`));
  accept.addEventListener("click", () => answer(li, card, "Accepted", (client) => client.accept(card)));
  decline.addEventListener("click", () => {
    const reason = h("input", { type: "text", "data-action": "reason", maxlength: "1024", "aria-label": `Reason for declining ${card.customer}` });
    const confirm = h("button", { type: "submit", "data-action": "confirm-decline" }, "Decline");
    const form = h("form", { "aria-label": `Decline ${card.customer}` }, reason, confirm);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      answer(li, card, "Declined", (client) => client.decline(card, reason.value.trim() || undefined));
    });
    decline.disabled = true;
    li.append(form);
    reason.focus();
  });
  return li;
}

async function answer(li, card, done, write) {
  for (const button of li.querySelectorAll("button")) button.disabled = true;
  const say = (text, state) => Object.assign(el("answer"), { textContent: text }).setAttribute("data-state", state);
  say(`Sending to ${card.customer}…`, "busy");
  try {
    const { baseUrl, token } = await settings();
    const client = new ReferralsClient({ baseUrl, getToken: () => token, timeoutMs: 30_000 });
    const updated = await write(client);
    say(`${done}: ${card.customer} is now ${updated.status} · ${updated.substatus}.`, "ok");
  } catch (e) {
    const conflict = e?.code === "PreconditionFailed";
    say(conflict
      ? `${card.customer} was changed elsewhere — reloading; try again.`
      : `Not sent: ${e?.code ?? e?.name} ${e?.message ?? e}`, conflict ? "conflict" : "error");
    if (!conflict) {
      for (const button of li.querySelectorAll("button")) button.disabled = false;
      return;
    }
  }
  // Answered (or changed elsewhere): the worker drops it from the count and polls for the truth.
  await chrome.runtime.sendMessage({ type: "answered", id: card.id });
  await render();
}

await render();
