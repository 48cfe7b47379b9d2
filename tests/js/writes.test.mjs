// update / accept / decline from Node, against the installed package and a fake `fetch` that
// plays a Partner API holding one referral: it applies JSON Patches, moves the eTag on every
// write, answers 412 on an If-Match mismatch, and can drop the connection after applying.
import { test } from "node:test";
import assert from "node:assert/strict";
import { rejection, odataError } from "./assertions.mjs";
import { ReferralsClient, ODataError, buildPatch } from "partner-referrals";

const BASE = "https://api.partner.microsoft.com/v1.0/";
const ID = "8f1c2d3e-0000-4000-8000-000000000001";
const URL = `${BASE}engagements/referrals/${ID}`;

/** A fake API with one referral. `faults` are used up one per PATCH. */
function fakeApi(...faults) {
  let version = 1;
  const referral = {
    id: ID,
    status: "New",
    substatus: "Pending",
    direction: "Incoming",
    details: { dealValue: 100, notes: "first" },
    team: [{ firstName: "Grace" }],
    futureField: { kept: true },
    eTag: '"v1"',
  };
  const requests = [];
  const bump = () => {
    version += 1;
    referral.eTag = `"v${version}"`;
  };
  const apply = (ops) => {
    for (const { op, path, value } of ops) {
      const keys = path.slice(1).split("/");
      const last = keys.pop();
      let target = referral;
      for (const k of keys) target = target[k];
      if (op === "add" && last === "-") target.push(value);
      else target[last] = value;
    }
    bump();
  };
  const answer = (status = 200) =>
    new Response(status === 204 ? null : JSON.stringify(referral), {
      status,
      headers: { "content-type": "application/json", "request-id": "srv-1" },
    });
  const fetch = async (url, init) => {
    requests.push({ url, method: init.method, headers: { ...init.headers }, body: init.body });
    if (init.method === "GET") return answer();
    const fault = faults.shift() ?? "none";
    if (fault === "concurrent") bump();
    if (typeof fault === "number") return new Response("", { status: fault });
    const ifMatch = init.headers["If-Match"];
    if (ifMatch !== undefined && ifMatch !== referral.eTag) {
      return new Response(JSON.stringify({ error: { code: "preconditionFailed", message: "eTag mismatch" } }), {
        status: 412,
        headers: { "content-type": "application/json", "request-id": "srv-412" },
      });
    }
    apply(JSON.parse(init.body));
    if (fault === "drop") throw new TypeError("fetch failed: connection reset");
    return answer(fault === "no-content" ? 204 : 200);
  };
  return { fetch, requests, referral, patches: () => requests.filter((r) => r.method === "PATCH") };
}

function client(api, extra = {}) {
  return new ReferralsClient({ getToken: () => "a-token", fetch: api.fetch, ...extra });
}

/** The referral as a caller holds it after reading it. */
function read(api) {
  return structuredClone(api.referral);
}

test("update sends a PATCH with the read headers, the write headers and the patch; resolves to the server's referral", async () => {
  const api = fakeApi();
  const r = read(api);
  const updated = await client(api, { locale: "de-DE" }).update(
    r,
    { details: { dealValue: 10000, notes: "call back" } },
    { correlationId: "corr-1" },
  );
  assert.equal(updated.details.dealValue, 10000);
  assert.equal(updated.eTag, '"v2"');
  assert.deepEqual(updated.futureField, { kept: true }, "unknown properties survive");
  const [req] = api.requests;
  assert.equal(api.requests.length, 1);
  assert.equal(req.method, "PATCH");
  assert.equal(req.url, URL);
  assert.equal(req.headers.Authorization, "Bearer a-token");
  assert.equal(req.headers.Accept, "application/json");
  assert.equal(req.headers["client-request-id"], req.headers["MS-RequestId"]);
  assert.equal(req.headers["MS-CorrelationId"], "corr-1");
  assert.equal(req.headers["X-Locale"], "de-DE");
  assert.equal(req.headers["Content-Type"], "application/json");
  assert.equal(req.headers.Prefer, "return=representation");
  assert.equal(req.headers["If-Match"], '"v1"');
  assert.deepEqual(JSON.parse(req.body), [
    { op: "replace", path: "/details/dealValue", value: 10000 },
    { op: "replace", path: "/details/notes", value: "call back" },
  ]);
});

test("If-Match: the referral's eTag, opts.ifMatch, none with ifMatch: false or a bare id", async () => {
  const api = fakeApi();
  const c = client(api);
  await c.update(read(api), { name: "a" }, { ifMatch: false });
  await c.update(ID, { name: "b" });
  await c.update(ID, { name: "c" }, { ifMatch: api.referral.eTag });
  const sent = api.patches().map((r) => r.headers["If-Match"]);
  assert.deepEqual(sent, [undefined, undefined, '"v3"']);
  await assert.rejects(c.update(ID, { name: "d" }, { ifMatch: 1 }), TypeError);
  await assert.rejects(c.update(ID, { name: "d" }, { ifMtach: "x" }), /did you mean `ifMatch`/);
  assert.equal(api.requests.length, 3);
});

test("accept and decline send the documented status pairs", async () => {
  const api = fakeApi();
  const c = client(api);
  const accepted = await c.accept(read(api));
  assert.equal(accepted.status, "Active");
  assert.equal(accepted.substatus, "Accepted");
  const declined = await c.decline(accepted, "no capacity this quarter");
  assert.equal(declined.status, "Closed");
  assert.equal(declined.statusReason, "no capacity this quarter");
  const bodies = api.patches().map((r) => JSON.parse(r.body));
  assert.deepEqual(bodies, [
    [
      { op: "replace", path: "/status", value: "Active" },
      { op: "replace", path: "/substatus", value: "Accepted" },
    ],
    [
      { op: "replace", path: "/status", value: "Closed" },
      { op: "replace", path: "/statusReason", value: "no capacity this quarter" },
      { op: "replace", path: "/substatus", value: "Declined" },
    ],
  ]);
  await assert.rejects(c.decline(declined, 42), TypeError);
});

test("invalid changes are refused with InvalidUpdate and a path before fetch is called", async () => {
  const api = fakeApi();
  const c = client(api);
  const r = read(api);
  const cases = [
    [r, { stauts: "Active" }, "/stauts", /did you mean `status`/],
    [r, { eTag: '"x"' }, "/eTag", /read-only/],
    [r, { direction: "Outgoing" }, "/direction", /read-only/],
    [r, { details: { dealValue: true } }, "/details/dealValue", /expected a number or a decimal string/],
    [r, { qualification: "Hot" }, "/qualification", /not a ReferralQualification value/],
    [r, { status: "Active", substatus: "Won" }, "/substatus", /not a substatus of `Active`/],
    [{ ...r, status: "Closed", substatus: "Expired" }, { status: "Active", substatus: "Accepted" }, "/status", /Closed is final/],
    [r, [{ op: "remove", path: "/team/0" }], "/team/0", /only `add` and `replace`/],
    [r, [{ op: "replace", path: "/team/-", value: {} }], "/team/-", /only end the path of an `add`/],
    [r, {}, "", /nothing to change/],
  ];
  for (const [target, changes, path, message] of cases) {
    const e = await odataError(c.update(target, changes), "InvalidUpdate");
    assert.equal(e.path, path, JSON.stringify(changes));
    assert.match(e.message, message);
  }
  const closed = { ...r, status: "Closed", substatus: "Lost" };
  assert.equal((await odataError(c.accept(closed), "InvalidUpdate")).path, "/status");
  await assert.rejects(c.update(r, "status=Active"), TypeError);
  await assert.rejects(c.update({ name: "no id" }, { name: "x" }), TypeError);
  await assert.rejects(c.update(42, { name: "x" }), TypeError);
  await assert.rejects(c.update("a\ud800", { name: "x" }), /not well-formed UTF-16/);
  await assert.rejects(c.update(r, { name: "a\udc00" }), /cannot be read as JSON/);
  let deep = { notes: "x" };
  for (let i = 0; i < 200; i++) deep = [deep];
  await assert.rejects(c.update(r, { customerProfile: { ids: deep } }), /nested too deep/);
  assert.equal(api.requests.length, 0, "nothing was sent");
});

test("a 412 is PreconditionFailed with the server's error body, and is not retried", async () => {
  const api = fakeApi("concurrent");
  const e = await odataError(client(api).update(read(api), { name: "mine" }), "PreconditionFailed");
  assert.equal(e.status, 412);
  assert.equal(e.serverCode, "preconditionFailed");
  assert.equal(e.details.error.message, "eTag mismatch");
  assert.equal(e.requestId, "srv-412");
  assert.equal(api.requests.length, 1);
  assert.notEqual(api.referral.name, "mine");
});

test("an add is not resent after a network failure that followed its application", async () => {
  const api = fakeApi("drop");
  const add = [{ op: "add", path: "/team/-", value: { firstName: "Ada" } }];
  await odataError(client(api).update(read(api), add), "NetworkError");
  assert.equal(api.requests.length, 1, "not resent");
  assert.deepEqual(
    api.referral.team.map((m) => m.firstName),
    ["Grace", "Ada"],
    "added exactly once",
  );
});

test("replaces are resent after a network failure; a 412 from their own first attempt is recognised", async () => {
  const api = fakeApi("drop");
  const updated = await client(api).update(read(api), { details: { notes: "second" } });
  assert.deepEqual(
    api.requests.map((r) => r.method),
    ["PATCH", "PATCH", "GET"],
    "resent, then read back after the resend's 412",
  );
  assert.equal(updated.details.notes, "second");
  assert.equal(api.referral.details.notes, "second");
});

test("an add is resent after a 503, which applies nothing", async () => {
  const api = fakeApi(503);
  const add = [{ op: "add", path: "/team/-", value: { firstName: "Ada" } }];
  const updated = await client(api).update(ID, add);
  assert.equal(api.requests.length, 2);
  assert.equal(updated.team.length, 2);
});

test("a 204 (no representation) is followed by a GET of the referral", async () => {
  const api = fakeApi("no-content");
  const updated = await client(api).update(read(api), { name: "renamed" });
  assert.deepEqual(
    api.requests.map((r) => r.method),
    ["PATCH", "GET"],
  );
  assert.equal(updated.name, "renamed");
});

test("buildPatch gives the operations update would send, checked the same way", () => {
  const api = fakeApi();
  const r = read(api);
  assert.deepEqual(buildPatch({ status: "Closed", substatus: "Declined" }, r), [
    { op: "replace", path: "/status", value: "Closed" },
    { op: "replace", path: "/substatus", value: "Declined" },
  ]);
  assert.deepEqual(buildPatch({ details: { closingDateTime: new Date(Date.UTC(2027, 0, 31)) } }), [
    { op: "replace", path: "/details/closingDateTime", value: "2027-01-31T00:00:00.000Z" },
  ]);
  const e = (() => {
    try {
      buildPatch({ status: "New" }, { ...r, status: "Active", substatus: "Accepted" });
    } catch (error) {
      return error;
    }
  })();
  assert.ok(e instanceof ODataError);
  assert.equal(e.code, "InvalidUpdate");
  assert.equal(e.path, "/status");
});

test("an aborted signal rejects a write with its reason before anything is sent", async () => {
  const api = fakeApi();
  const controller = new AbortController();
  controller.abort("stop");
  const e = await rejection(client(api).update(ID, { name: "x" }, { signal: controller.signal }));
  assert.equal(e, "stop");
  assert.equal(api.requests.length, 0);
});
