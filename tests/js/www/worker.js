// A dedicated module worker: no import maps in workers, so the entry is imported by path.
import { ready, validateFilter, ODataError } from "@@BROWSER_ENTRY@@";
import { exercise } from "/www/exercise.js";

ready.then(
  () => postMessage(exercise({ validateFilter, ODataError })),
  (e) => postMessage({ failed: String(e && e.stack || e) }),
);
