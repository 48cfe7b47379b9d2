// `make demo`'s server: starts the Partner API emulator (built by the Makefile), serves the example
// page and the built package on 127.0.0.1, tells the page where the emulator is, and prints one
// line with the URL to open. Ctrl-C / SIGTERM stops both. Node ≥ 20, no dependencies.
//
//   node www-example/serve.mjs            PORT=8080 node www-example/serve.mjs
//
// Environment: PORT (default 0 = any free port); PARTNER_REFERRALS_EMULATOR (emulator binary,
// default target/release/partner-referrals-emulator); PARTNER_REFERRALS_EMULATOR_ARGS (extra
// arguments, split on spaces, e.g. "--seed 7 --count 2000"); PARTNER_REFERRALS_PKG (the built
// package, default pkg/); PARTNER_REFERRALS_NOW (an ISO date-time that pins the emulator's and the
// page's clock, e.g. for screenshots); PARTNER_REFERRALS_DEBUG=1 (echo the emulator's output).
//
// In-process (tests): `const demo = await start({ port: 0 }); … await demo.close();`
import { spawn } from "node:child_process";
import { createServer } from "node:http";
import { readFile, stat } from "node:fs/promises";
import { extname, join, resolve, sep } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { createInterface } from "node:readline";

const here = resolve(fileURLToPath(new URL(".", import.meta.url)));
const repo = resolve(here, "..");

const MIME = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".wasm": "application/wasm",
  ".map": "application/json; charset=utf-8",
  ".ts": "text/plain; charset=utf-8",
  ".md": "text/markdown; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".txt": "text/plain; charset=utf-8",
};

/**
 * Starts the emulator and the page server.
 * @param {object} [options]
 * @param {number} [options.port] page server port (0 = any free port)
 * @param {string} [options.emulatorBin] path of the emulator binary
 * @param {string[]} [options.emulatorArgs] extra emulator arguments (`--seed`, `--count`, `--faults` …)
 * @param {string} [options.pkgDir] the built package directory served at /pkg/
 * @param {string} [options.now] an ISO date that pins the clock of the emulator (`--now`) and of the page
 * @returns {Promise<{ url: string, emulatorUrl: string, emulatorPid: number, close(): Promise<void> }>}
 */
export async function start({
  port = Number(process.env.PORT ?? 0),
  emulatorBin = process.env.PARTNER_REFERRALS_EMULATOR ?? join(repo, "target/release/partner-referrals-emulator"),
  emulatorArgs = (process.env.PARTNER_REFERRALS_EMULATOR_ARGS ?? "").split(" ").filter(Boolean),
  pkgDir = process.env.PARTNER_REFERRALS_PKG ?? join(repo, "pkg"),
  now = process.env.PARTNER_REFERRALS_NOW || undefined,
} = {}) {
  pkgDir = resolve(pkgDir);
  const manifest = JSON.parse(await readFile(join(pkgDir, "package.json"), "utf8").catch(() => {
    throw new Error(`no built package at ${pkgDir} (run make package)`);
  }));
  const entry = "/pkg/" + browserEntry(manifest).replace(/^\.\//, "");

  // A pinned clock pins both: the emulator's data dates and the page's countdowns.
  const emulator = await startEmulator(emulatorBin, [...(now ? ["--now", now] : []), ...emulatorArgs]);
  let server;
  try {
    server = createServer((req, res) => {
      handle(req, res, { pkgDir, config: { baseUrl: emulator.url, entry, ...(now ? { now } : {}) } }).catch(() => {
        if (!res.headersSent) res.writeHead(500);
        res.end();
      });
    });
    await new Promise((ok, fail) => {
      server.once("error", fail);
      server.listen(port, "127.0.0.1", ok);
    });
  } catch (e) {
    await emulator.stop();
    throw e;
  }
  const url = `http://127.0.0.1:${server.address().port}/`;

  let closing;
  const close = () =>
    (closing ??= (async () => {
      server.closeAllConnections?.();
      await new Promise((ok) => server.close(() => ok()));
      await emulator.stop();
    })());
  return { url, emulatorUrl: emulator.url, emulatorPid: emulator.child.pid, close, exited: emulator.exited };
}

/** The `browser` condition of the package's exports map (what a bundler would pick). */
function browserEntry(manifest) {
  const pick = (target) => {
    if (typeof target === "string") return target;
    if (target && typeof target === "object") {
      for (const condition of ["browser", "import", "default"]) {
        const found = pick(target[condition]);
        if (found) return found;
      }
    }
    return undefined;
  };
  const root = typeof manifest.exports === "object" && "." in manifest.exports ? manifest.exports["."] : manifest.exports;
  return pick(root) ?? manifest.browser ?? manifest.module ?? "web.js";
}

/** Spawns the emulator on a free port and waits for its "listening on <url>" line. */
function startEmulator(bin, args) {
  return new Promise((ok, fail) => {
    const child = spawn(bin, ["--port", "0", ...args], { stdio: ["ignore", "pipe", "pipe"] });
    const stderr = [];
    let url;
    const exited = new Promise((done) => child.once("exit", (code, signal) => done({ code, signal })));
    // Never leave the emulator behind, even if this process ends without a signal handler running.
    const killOnExit = () => child.kill("SIGKILL");
    process.once("exit", killOnExit);
    exited.then(() => process.removeListener("exit", killOnExit));
    child.once("error", (e) => fail(new Error(`cannot start the emulator ${bin}: ${e.message}` +
      (e.code === "ENOENT" ? " (build it: cargo build -p partner-referrals-emulator --release)" : ""))));
    createInterface({ input: child.stderr }).on("line", (line) => {
      stderr.push(line);
      if (stderr.length > 40) stderr.shift();
      if (process.env.PARTNER_REFERRALS_DEBUG) process.stderr.write(`[emulator] ${line}\n`);
    });
    // Keep draining stdout after the URL line so the emulator never blocks on a full pipe.
    createInterface({ input: child.stdout }).on("line", (line) => {
      if (process.env.PARTNER_REFERRALS_DEBUG) process.stderr.write(`[emulator] ${line}\n`);
      const found = !url && line.match(/(https?:\/\/\S+)/);
      if (found) {
        url = found[1];
        ok({ url, child, exited, stop: () => stop(child, exited) });
      }
    });
    exited.then(({ code, signal }) => {
      if (!url) fail(new Error(`the emulator exited (${signal ?? code}) before listening:\n${stderr.join("\n")}`));
    });
  });
}

/** SIGTERM, then SIGKILL if it has not exited within 3 s. */
async function stop(child, exited) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill("SIGTERM");
  let timer;
  const late = new Promise((done) => (timer = setTimeout(done, 3000, "late")));
  if ((await Promise.race([exited, late])) === "late") {
    child.kill("SIGKILL");
    await exited;
  }
  clearTimeout(timer);
}

async function handle(req, res, { pkgDir, config }) {
  if (req.method !== "GET" && req.method !== "HEAD") {
    res.writeHead(405, { allow: "GET, HEAD" }).end();
    return;
  }
  let path;
  try {
    path = decodeURIComponent(new URL(req.url, "http://localhost").pathname);
  } catch {
    res.writeHead(400).end();
    return;
  }
  if (path === "/config.json") {
    send(res, req, 200, MIME[".json"], JSON.stringify(config));
    return;
  }
  if (path === "/") path = "/index.html";
  const [root, rest] = path.startsWith("/pkg/") ? [pkgDir, path.slice(5)] : [here, path.slice(1)];
  const file = resolve(root, rest);
  // No way out of the two roots, and no dot-files.
  if (!file.startsWith(root + sep) || rest.split("/").some((part) => part.startsWith("."))) {
    res.writeHead(404).end();
    return;
  }
  try {
    if (!(await stat(file)).isFile()) throw new Error("not a file");
    send(res, req, 200, MIME[extname(file)] ?? "application/octet-stream", await readFile(file));
  } catch {
    send(res, req, 404, "text/plain; charset=utf-8", "not found\n");
  }
}

function send(res, req, status, type, body) {
  res.writeHead(status, {
    "content-type": type,
    "content-length": Buffer.byteLength(body),
    "cache-control": "no-store",
    "x-content-type-options": "nosniff",
  });
  res.end(req.method === "HEAD" ? undefined : body);
}

// ---------------------------------------------------------------------------------------------
// CLI

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  let demo;
  let stopping = false;
  const shutdown = async (code) => {
    if (stopping) return;
    stopping = true;
    await demo?.close();
    process.exit(code);
  };
  process.once("SIGINT", () => shutdown(0));
  process.once("SIGTERM", () => shutdown(0));
  try {
    demo = await start();
  } catch (e) {
    console.error(`partner-referrals demo: ${e.message}`);
    process.exit(1);
  }
  // If the emulator dies, there is no demo left: say so and stop.
  demo.exited.then(({ code, signal }) => {
    if (!stopping) {
      console.error(`partner-referrals demo: the emulator stopped (${signal ?? code})`);
      shutdown(1);
    }
  });
  console.log(`partner-referrals demo: open ${demo.url}`);
}
