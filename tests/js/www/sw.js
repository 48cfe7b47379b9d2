// A module service worker, the closest a plain page gets to an MV3 extension's background
// worker: static imports only, and evaluation fails if the package used top-level await.
import { ready, validateFilter, ODataError, ReferralsClient } from "@@BROWSER_ENTRY@@";
import { exercise } from "/www/exercise.js";
import { exerciseClient, scriptedClient } from "/www/client-exercise.js";

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));
self.addEventListener("message", (event) => {
  event.waitUntil(
    ready
      .then(async () => ({
        ...exercise({ validateFilter, ODataError }),
        client: await exerciseClient({ ReferralsClient, ODataError }, scriptedClient(ReferralsClient)),
      }))
      .then(
        (result) => event.source.postMessage(result),
        (e) => event.source.postMessage({ failed: String(e && e.stack || e) }),
      ),
  );
});
