// Shared by the runtime tests (scripts/test-runtimes.sh runs them): the emulator process, the
// expected data computed from its admin hook, a static file server, Chromium's flags.
import { spawn } from "node:child_process";
import { createServer } from "node:http";
import { createInterface } from "node:readline";
import { createRequire } from "node:module";
import { readFile } from "node:fs/promises";
import { extname, join, normalize } from "node:path";

export const repo = process.env.PARTNER_REFERRALS_REPO;
/** The temp dir prepared by scripts/test-runtimes.sh: app/ (Node), vite/dist, extension/. */
export const work = process.env.RUNTIMES_WORK;
export const NOW = "2026-11-28T00:00:00Z";
/** Small pages, so that every traversal really pages. */
export const PAGE_SIZE = 25;

export const { chromium } = createRequire(join(repo, "package.json"))("playwright-core");
export const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
export const CHROMIUM_ARGS = [
  "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
  "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
];

/**
 * Starts the emulator (`--now NOW --seed 1`, small pages, quiet) and resolves when it prints
 * its ready line: `{ base, admin(), post(body), stop() }`.
 */
export async function startEmulator(extra = []) {
  const bin = process.env.EMULATOR;
  const child = spawn(bin, ["--port", "0", "--now", NOW, "--seed", "1", "--page-size", String(PAGE_SIZE), "--quiet", ...extra], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const exited = new Promise((resolve) => child.once("exit", resolve));
  const line = await new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout });
    lines.once("line", resolve);
    child.once("exit", (code) => reject(new Error(`emulator exited with ${code} before it was ready`)));
  });
  const base = /^emulator listening on (http:\/\/127\.0\.0\.1:\d+\/v1\.0\/)$/.exec(line)?.[1];
  if (!base) throw new Error(`unexpected emulator line: ${line}`);
  const origin = new URL(base).origin;
  return {
    base,
    async admin() {
      const res = await fetch(`${origin}/_emulator/referrals`);
      if (!res.ok) throw new Error(`admin GET: ${res.status}`);
      return res.json();
    },
    async post(body) {
      const res = await fetch(`${origin}/_emulator/referrals`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
      if (!res.ok) throw new Error(`admin POST: ${res.status} ${await res.text()}`);
      return res.json();
    },
    async stop() {
      child.kill("SIGTERM");
      await exited;
    },
  };
}

/** The incoming referrals awaiting a response in the emulator's data. */
export function pendingOf(data) {
  return data.value.filter((r) => r.direction === "Incoming" && r.substatus === "Pending");
}

/**
 * The contract's response deadline, computed here independently of the library:
 * `expirationDateTime` when sent, else `createdDateTime` + 14 days, as `toISOString` prints it.
 */
export function deadlineOf(r) {
  const ms = r.expirationDateTime ? Date.parse(r.expirationDateTime) : Date.parse(r.createdDateTime) + 14 * 86_400_000;
  return new Date(ms).toISOString();
}

const TYPES = { ".html": "text/html", ".js": "text/javascript", ".wasm": "application/wasm", ".json": "application/json", ".css": "text/css" };

/** Serves `root` on 127.0.0.1 (ephemeral port): `{ base, requests, close() }`. */
export async function serveStatic(root) {
  const requests = [];
  const server = createServer(async (req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url, "http://x").pathname));
    requests.push(path);
    if (path.includes("..")) return void res.writeHead(403).end();
    try {
      const body = await readFile(join(root, path.endsWith("/") ? path + "index.html" : path));
      res.writeHead(200, { "content-type": TYPES[extname(path)] ?? "application/octet-stream" }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    base: `http://127.0.0.1:${server.address().port}`,
    requests,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

/** Resolves once `check()` returns a truthy value (asked every 100 ms); `what` names it in the failure after `limitMs`. */
export async function until(what, check, limitMs = 90_000) {
  const deadline = Date.now() + limitMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
