// A dedicated module worker: no import maps in workers, so the entry is imported by path.
import { ready, validateFilter, ODataError, ReferralsClient } from "@@BROWSER_ENTRY@@";
import { exercise } from "/www/exercise.js";
import { exerciseClient, scriptedClient } from "/www/client-exercise.js";

const made = scriptedClient(ReferralsClient); // before `ready`
ready
  .then(async () => ({ ...exercise({ validateFilter, ODataError }), client: await exerciseClient({ ReferralsClient, ODataError }, made) }))
  .then(
    (result) => postMessage(result),
    (e) => postMessage({ failed: String(e && e.stack || e) }),
  );
