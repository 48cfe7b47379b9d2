// A typed consumer of the installed package: `tsc --noEmit --strict` must accept every line,
// and must reject the line under `@ts-expect-error` (else the directive itself is an error).
import {
  ready,
  validateFilter,
  filter,
  buildQuery,
  matchesFilter,
  decodeReferralPage,
  respondBy,
  buildPatch,
  ODataError,
  Filter,
  ReferralsClient,
} from "partner-referrals";
import type {
  AllOptions,
  Changes,
  ChangesOptions,
  ClientOptions,
  RequestOptions,
  ErrorCode,
  ExtraFields,
  FilterInfo,
  OrderBy,
  Referral,
  ReferralPage,
  ReferralQuery,
  ReferralStatus,
  ReferralChanges,
  ReferralUpdate,
  PatchOperation,
  WriteOptions,
  Member,
  ReferralField,
  SalesStage,
  AssistanceRequestCode,
} from "partner-referrals";

async function main(json: string): Promise<void> {
  const done: Promise<void> = ready;
  await done;

  const info: FilterInfo = validateFilter("status eq 'New'", { schema: false });
  const canonical: string = info.canonical;
  const fields: string[] = info.fields;

  const f: Filter = filter`customerProfile/name eq ${"O'Brien"} and createdDateTime gt ${new Date()}`;
  const text: string = f.toString();

  const order: OrderBy = { field: "updatedDateTime", direction: "asc" };
  const query: ReferralQuery = { filter: f, select: ["id", "status"], orderBy: order, top: 10, count: true };
  const qs: string = buildQuery(query);
  buildQuery({ filter: "status eq 'New'", orderBy: "createdDateTime desc" });

  const page: ReferralPage = decodeReferralPage(json);
  const referrals: Referral[] = page.value;
  const count: number | undefined = page.count;
  const next: string | undefined = page.nextLink;
  for (const referral of referrals) {
    const matched: boolean = matchesFilter(f, referral) || matchesFilter(canonical, referral);
    const deadline: string | undefined = respondBy(referral, 14) ?? respondBy(referral);
    // Open enums: the documented members autocomplete, any other string is accepted.
    const status: ReferralStatus | null | undefined = referral.status;
    const known: ReferralStatus = "New";
    const future: ReferralStatus = "SomethingNew";
    const unknownProperty: unknown = referral["notInTheSchema"];
    // The fields of Microsoft's connector definition are typed.
    const stage: SalesStage | null | undefined = referral.salesStage;
    const favorite: boolean | null | undefined = referral.favorite;
    const help: AssistanceRequestCode | null | undefined = referral.inviteContext?.assistanceRequestCode;
    const asked: boolean | null | undefined = referral.details?.customerRequestedContact;
    console.log(stage, favorite, help, asked);
    console.log(matched, deadline, status, known, future, unknownProperty);
  }

  try {
    validateFilter("stauts eq 'New'");
  } catch (e) {
    if (e instanceof ODataError) {
      const code: ErrorCode = e.code;
      const name: "ODataError" = e.name;
      const position: number | undefined = e.position;
      const path: string | undefined = e.path;
      if (code === "InvalidFilter") console.log(name, position, path);
    }
  }
  const mine = new ODataError("NotFound", "no such referral", { status: 404 });
  console.log(fields, text, qs, count, next, mine.status);

  // @ts-expect-error: only createdDateTime and updatedDateTime are orderable
  buildQuery({ orderBy: { field: "name", direction: "desc" } });

  // `select` and `orderBy` name known fields: a typo is a compile error, not a 400 at run time.
  const selected: ReferralField[] = ["salesStage", "favorite", "campaignId"];
  buildQuery({ select: selected, orderBy: "updatedDateTime desc,createdDateTime" });
  buildQuery({ select: ["id", "lastModifiedVia", "lastRunId"] as const, orderBy: "createdDateTime" });
  // @ts-expect-error: `stauts` is not a Referral property
  buildQuery({ select: ["stauts"] });
  // @ts-expect-error: `select` takes top-level names only
  buildQuery({ select: ["details/customerAction"] });
  // @ts-expect-error: a misspelt field in the text form of `orderBy`
  buildQuery({ orderBy: "createdDatetime desc" });
  // @ts-expect-error: `salesStage` is not orderable
  buildQuery({ orderBy: "salesStage" });

  // Fields this version does not know, declared with their types: `select` takes their
  // top-level names, and a typo is still a compile error.
  const extraFields = {
    isSpam: "boolean",
    "trackingInfo/microsoftMsxId": "string",
    dealSensitivity: { enum: ["Low", "High"] },
    tags: { collection: "string" },
  } as const satisfies ExtraFields;
  buildQuery({ filter: "isSpam eq false", select: ["id", "isSpam", "trackingInfo"], extraFields });
  buildQuery({ select: ["quality"], extraFields: { quality: "number" } });
  // @ts-expect-error: `stauts` is still not a property with extra fields declared
  buildQuery({ select: ["stauts"], extraFields: { isSpam: "boolean" } });
  // @ts-expect-error: a declared field is selectable only where it is declared
  buildQuery({ select: ["isSpam"] });
  // @ts-expect-error: `bool` is not a field type
  validateFilter("isSpam eq false", { extraFields: { isSpam: "bool" } });
  const declared: FilterInfo = validateFilter("isSpam eq false", { extraFields });
  const spamTag = filter.withExtraFields(extraFields);
  const spam: Filter = spamTag`isSpam eq ${false} and dealSensitivity eq ${"High"}`;
  const kept: boolean = matchesFilter(spam, {}) || matchesFilter("isSpam", {}, { extraFields });
  console.log(declared, kept);
}

// The client, typed as docs/contract.md describes it.
async function useClient(msalToken: (force: boolean) => Promise<string>): Promise<void> {
  const options: ClientOptions = {
    getToken: ({ forceRefresh }) => msalToken(forceRefresh),
    baseUrl: "https://api.partner.microsoft.com/v1.0/",
    fetch: (input, init) => fetch(input, init),
    maxRetries: 3,
    timeoutMs: 30_000,
    maxRetryWaitMs: 60_000,
    maxResponseBytes: 32 * 1024 * 1024,
    locale: "en-US",
  };
  const client = new ReferralsClient(options);
  new ReferralsClient({ getToken: () => "a token" });
  const controller = new AbortController();
  const opts: RequestOptions = { signal: controller.signal, correlationId: "my-trace" };

  const first: ReferralPage = await client.list({ filter: filter`status eq ${"New"}`, top: 50 }, opts);
  const second: ReferralPage | undefined = await client.next(first, opts);
  const one: Referral = await client.get("4f6b2a1c", { signal: controller.signal });
  const ids: string[] = [];
  for await (const referral of client.all({ orderBy: { field: "createdDateTime", direction: "desc" } })) {
    const r: Referral = referral;
    if (typeof r.id === "string") ids.push(r.id);
  }
  const strict: AllOptions = { ...opts, readAhead: false };
  for await (const page of client.all(undefined, strict).byPage()) {
    const p: ReferralPage = page;
    if (p.nextLink !== undefined) {
      for await (const rest of client.all(undefined, opts).byPage({ continuationToken: p.nextLink })) {
        console.log(rest.value.length);
      }
    }
  }
  try {
    await client.list();
  } catch (e) {
    if (e instanceof ODataError && (e.code === "Throttled" || e.code === "HttpError")) {
      const status: number | undefined = e.status;
      const wait: number | undefined = e.retryAfterMs;
      const server: string | undefined = e.serverCode;
      console.log(status, wait, server, e.requestId, e.correlationId, e.details);
    }
  }
  console.log(second, one, ids);

  // @ts-expect-error: getToken is required
  new ReferralsClient({ baseUrl: "https://api.partner.microsoft.com/v1.0/" });

  // A client's extra fields, and a call's on top of them.
  const spamAware = new ReferralsClient({ getToken: () => "a token", extraFields: { isSpam: "boolean" } });
  await spamAware.list({ filter: "isSpam eq false", select: ["id", "isSpam"] });
  await spamAware.list({ select: ["isSpam", "quality"], extraFields: { quality: "number" } });
  for await (const r of spamAware.all({ select: ["isSpam"] })) console.log(r["isSpam"]);
  // @ts-expect-error: `quality` is declared neither by the client nor by the call
  await spamAware.list({ select: ["quality"] });
  // @ts-expect-error: next() takes a page, not its nextLink
  await client.next("https://api.partner.microsoft.com/v1.0/referrals?$skiptoken=x");

  // Incremental sync: poll, then keep the token.
  const saved: string | undefined = undefined as string | undefined;
  const changeOptions: ChangesOptions = { filter: "direction eq 'Incoming'", signal: controller.signal };
  const changes: Changes = client.changes(saved === undefined ? changeOptions : { ...changeOptions, since: saved });
  for await (const changed of changes) {
    const r: Referral = changed;
    console.log(r.id, r.updatedDateTime);
  }
  const token: string | undefined = changes.token;
  client.changes({ since: token ?? "", filter: filter`direction eq ${"Incoming"}`, correlationId: "poll-1" });
  client.changes();
  // @ts-expect-error: the token is read-only
  changes.token = "x";
  // @ts-expect-error: `since` is the token string, not a date
  client.changes({ since: new Date() });
}

// Writes: update, accept, decline; changes as a partial referral or patch operations.
async function respond(client: ReferralsClient, lead: Referral): Promise<void> {
  const edit: ReferralUpdate = { details: { dealValue: 10000, notes: "call back" }, salesStage: "Propose", statusReason: null };
  const updated: Referral = await client.update(lead, edit);
  const member: Member = { firstName: "Ada", email: "ada@contoso.com" } as Member;
  const ops: ReferralChanges = [{ op: "add", path: "/team/-", value: member }];
  await client.update("4f6b2a1c", ops, { ifMatch: '"etag"', correlationId: "c" });
  const blind: WriteOptions = { ifMatch: false, signal: new AbortController().signal };
  const accepted: Referral = await client.accept(updated, blind);
  const declined: Referral = await client.decline(lead, "no capacity");
  await client.decline(lead);
  const dry: PatchOperation[] = buildPatch({ status: "Closed", substatus: "Declined" }, lead);
  buildPatch(ops);
  try {
    await client.update(lead, { customerProfile: { address: { city: "Oslo" } }, team: [member] });
  } catch (e) {
    if (e instanceof ODataError && (e.code === "InvalidUpdate" || e.code === "PreconditionFailed")) {
      const path: string | undefined = e.path;
      console.log(path, e.status, e.serverCode);
    }
  }
  console.log(accepted, declined, dry[0]?.op);

  // @ts-expect-error: read-only properties are not part of an update
  await client.update(lead, { eTag: "x" });
  // @ts-expect-error: so are the server-set connector fields
  await client.update(lead, { closedDateTime: "2026-01-01T00:00:00Z" });
  // @ts-expect-error: a misspelt property is not part of an update
  await client.update(lead, { detials: { notes: "x" } });
  // @ts-expect-error: nested objects are checked too
  await client.update(lead, { details: { dealVaule: 1 } });
  // @ts-expect-error: only add and replace
  await client.update(lead, [{ op: "remove", path: "/name", value: null }]);
  // @ts-expect-error: ifMatch is a string or false
  await client.update(lead, edit, { ifMatch: true });
  // @ts-expect-error: accept takes a referral and options, no reason
  await client.accept(lead, "reason");
}

void main;
void useClient;
void respond;
