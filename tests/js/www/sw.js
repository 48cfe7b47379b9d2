// A module service worker, the closest a plain page gets to an MV3 extension's background
// worker: static imports only, and evaluation fails if the package used top-level await.
import { ready, validateFilter, ODataError } from "@@BROWSER_ENTRY@@";
import { exercise } from "/www/exercise.js";

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));
self.addEventListener("message", (event) => {
  event.waitUntil(
    ready.then(
      () => event.source.postMessage(exercise({ validateFilter, ODataError })),
      (e) => event.source.postMessage({ failed: String(e && e.stack || e) }),
    ),
  );
});
