// Assertions shared by the node --test suites (copied beside them by scripts/test-js.sh; not a
// test file itself, so node --test does not run it).
import assert from "node:assert/strict";
import { ODataError } from "partner-referrals";

/** The value `promise` rejects with. */
export async function rejection(promise) {
  try {
    await promise;
  } catch (e) {
    return e;
  }
  assert.fail("the promise resolved");
}

/** Asserts that `promise` rejects with an `ODataError` of `code`, and returns it. */
export async function odataError(promise, code) {
  const e = await rejection(promise);
  assert.ok(e instanceof ODataError, `not an ODataError: ${e?.stack ?? e}`);
  assert.equal(e.code, code, e.message);
  return e;
}

/** Calls `f`, which must throw an `ODataError` (an `Error` named so, with a message); returns it. */
export function thrown(f) {
  try {
    f();
  } catch (e) {
    assert.ok(e instanceof ODataError, `not an ODataError: ${e && e.stack}`);
    assert.ok(e instanceof Error);
    assert.equal(e.name, "ODataError");
    assert.equal(typeof e.message, "string");
    return e;
  }
  assert.fail("did not throw");
}
