import { summarize } from "./shared.js";

const { sync = {}, status = {} } = await chrome.storage.local.get(["sync", "status"]);
const now = Date.now();
const { count, next, overdue } = summarize(sync.pending ?? {}, now);
const el = (id) => document.getElementById(id);
el("count").textContent = String(count);
el("next").textContent = next ? new Date(next).toLocaleString() : "none";
el("overdue").textContent = String(overdue);
el("status").textContent = status.error ?? (status.at ? `Updated ${new Date(status.at).toLocaleTimeString()}` : "Not polled yet");
el("status").className = status.error ? "error" : "";
Object.assign(el("summary").dataset, { state: "done", count: String(count), next: next ?? "", overdue: String(overdue), now: String(now) });
