import { settingsFrom } from "./referrals.js";
import { render, renderError } from "./render.js";

const worker = new Worker(new URL("./worker.js", import.meta.url), { type: "module" });
worker.onmessage = ({ data }) => (data.ok ? render(data.result, "in a worker") : renderError(data.error));
worker.onerror = (event) => renderError({ name: "WorkerError", message: event.message });
worker.postMessage(settingsFrom(location.search));
