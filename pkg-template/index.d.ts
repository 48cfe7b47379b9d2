// Types of the partner-referrals package. The interfaces come from the Rust types (tsify) and
// the hand-written declarations in the Rust crate's `src/wasm/`; this file picks the public
// names out of the wasm-bindgen glue's declarations and adds what only the entries define.

export {
  validateFilter,
  matchesFilter,
  decodeReferralPage,
  respondBy,
  ODataError,
  Filter,
} from "./partner_referrals.js";

// @generated-type-exports (filled in by scripts/assemble-pkg.mjs)

import type {
  AllOptions,
  ClientOptions,
  ExtraFields,
  Filter,
  Referral,
  ReferralPage,
  ReferralQuery,
  RequestOptions,
  ReferralChanges,
  PatchOperation,
  WriteOptions,
} from "./partner_referrals.js";

/** Resolves when the module can be used; already resolved in Node. */
export declare const ready: Promise<void>;

/**
 * Tagged template: each interpolated value becomes a literal, never syntax. A string is quoted
 * (inner quotes doubled), a `Date` becomes a DateTimeOffset, a number a number, `null` `null`,
 * an array a list for `in`. The result is validated like `validateFilter`.
 *
 * @throws {ODataError} code `"InvalidFilter"`, also for values that cannot be literals
 *   (objects, functions, symbols, `undefined`, `NaN`).
 */
export declare function filter(strings: TemplateStringsArray, ...values: unknown[]): Filter;

export declare namespace filter {
  /**
   * A `filter` tag whose filters may also name these declared fields (checked at once). Its
   * `Filter`s keep them: `matchesFilter` reads them with their declared types.
   *
   * @throws {ODataError} code `"InvalidExtraFields"` for an unusable declaration.
   */
  function withExtraFields(
    extraFields: ExtraFields,
  ): (strings: TemplateStringsArray, ...values: unknown[]) => Filter;
}

/**
 * The query string `$filter=…&$select=…&$orderby=…&$top=…&$count=true` (no leading `?`), every
 * value percent-encoded. `query.extraFields` may name fields this version does not know.
 *
 * @throws {ODataError} codes `"InvalidFilter"`, `"InvalidSelect"`, `"InvalidOrderBy"`,
 *   `"InvalidTop"`, `"InvalidExtraFields"`.
 */
export declare function buildQuery<const E extends ExtraFields = {}>(query: ReferralQuery<E>): string;

/**
 * The JSON Patch operations `client.update(referral, changes)` would send, checked the same way
 * (against `referral`'s status when given); nothing is sent. For dry runs and logs.
 *
 * @throws {ODataError} code `"InvalidUpdate"` with `path`; `TypeError` for arguments of the wrong type.
 */
export declare function buildPatch(changes: ReferralChanges, referral?: Referral): PatchOperation[];

/**
 * The Partner Center referrals client, on the platform's own `fetch` (browsers, workers, MV3
 * service workers, Node >= 20). Sends `Authorization: Bearer`, `Accept`, `client-request-id` =
 * `MS-RequestId` (one per request, the same on its retries), `MS-CorrelationId` (one per call or
 * traversal, or `opts.correlationId`) and `X-Locale`; refreshes the token once after a 401;
 * retries 429/503/504, network failures and time-outs honouring `Retry-After`; follows a page's
 * `nextLink` only to the `baseUrl`'s origin. Failures reject with `ODataError`; aborting
 * `opts.signal` rejects at once with the signal's `reason`, as is.
 *
 * @throws {TypeError} from the constructor, for options of the wrong type or value.
 */
export declare class ReferralsClient<const E extends ExtraFields = {}> {
  constructor(options: ClientOptions<E>);
  /** The first page of `query` (its `extraFields` merged over the client's). */
  list<const Q extends ExtraFields = {}>(query?: ReferralQuery<Q, E>, opts?: RequestOptions): Promise<ReferralPage>;
  /** The page after `page`; `undefined` when `page` has no `nextLink`. */
  next(page: ReferralPage, opts?: RequestOptions): Promise<ReferralPage | undefined>;
  /** One referral by id (`NotFound` for an id that cannot exist, without a request). */
  get(id: string, opts?: RequestOptions): Promise<Referral>;
  /**
   * Updates a referral: `PATCH …/referrals/{id}` with the JSON Patch of `changes` (a partial
   * referral, each leaf a `replace`; or `add`/`replace` operations), `Prefer:
   * return=representation` and `If-Match` (the referral's `eTag`, or `opts.ifMatch`; `false`
   * sends none; none for a bare id). Given a referral, its current status is checked against
   * the allowed transitions. Resolves to the referral as the server returns it (after a `204`,
   * as a `GET` then reads it). Retried on 429/503 and a 401 refresh; after a network failure,
   * a time-out or a 504 only when every operation is a `replace`, so an `add` is never applied
   * twice.
   *
   * @throws {ODataError} `InvalidUpdate` (with `path`) before anything is sent;
   *   `PreconditionFailed` (412) when the referral changed since its `eTag` was read; the read
   *   errors otherwise.
   */
  update(target: Referral | string, changes: ReferralChanges, opts?: WriteOptions): Promise<Referral>;
  /** Accepts a new referral: `New` → `Active` / `Accepted` (see `update`). */
  accept(referral: Referral, opts?: WriteOptions): Promise<Referral>;
  /** Declines a referral: → `Closed` / `Declined`, with `reason` as `statusReason` (see `update`). */
  decline(referral: Referral, reason?: string, opts?: WriteOptions): Promise<Referral>;
  /**
   * Every referral of `query` exactly once, in server order. `byPage()` gives the pages;
   * `continuationToken` (a page's `nextLink`) resumes a traversal. Nothing is sent before the
   * first `next()`; then the next page is read ahead while this one is consumed (at most two
   * pages held), unless `opts.readAhead` is `false` (one request per page consumed).
   */
  all<const Q extends ExtraFields = {}>(query?: ReferralQuery<Q, E>, opts?: AllOptions): AsyncIterable<Referral> & {
    byPage(settings?: { continuationToken?: string }): AsyncIterable<ReferralPage>;
  };
  /**
   * Incremental sync: the referrals created or updated since `options.since` (a `token` kept
   * from a previous sync; none = every referral of `filter`), oldest change first, each change
   * exactly once across polls (a referral updated again is delivered again). Each `for await`
   * is one poll from the current `token`; after it (also after `break` or an error) keep
   * `token` for next time.
   *
   * @throws {TypeError} at once for options of the wrong type; when iterating, for a `since`
   *   that is not a sync token or was made with another `filter`.
   */
  changes(options?: ChangesOptions): Changes;
}

/** Options of `client.changes()`. */
export interface ChangesOptions {
  /** The `token` of a previous sync; none starts a new one. */
  since?: string;
  /** Only referrals matching it; must be the filter the `since` token was made with. */
  filter?: string | Filter;
  /** Aborting rejects the poll with the signal's `reason`; `token` keeps what was delivered. */
  signal?: AbortSignal;
  /** The `MS-CorrelationId` of the poll's requests (default: a fresh GUID per poll). */
  correlationId?: string;
}

/** What `client.changes()` returns: the changed referrals, and the state to keep. */
export interface Changes extends AsyncIterable<Referral> {
  /** A string covering every referral delivered so far: pass it as `since` next time. */
  readonly token: string | undefined;
}
