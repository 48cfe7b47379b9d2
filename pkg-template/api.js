// The public API shared by both entries, on top of the wasm-bindgen glue.
import {
  filterTemplate,
  compileFilterTemplate,
  compileExtraFields,
  createClient,
  openSync,
  buildPatchOf,
} from "./partner_referrals.js";
import { ODataError, Filter } from "@@CLASSES@@";

export {
  validateFilter,
  buildQuery,
  matchesFilter,
  decodeReferralPage,
  respondBy,
} from "./partner_referrals.js";
export { ODataError, Filter };

/**
 * `buildPatch(changes, referral?)`: the JSON Patch operations `update(referral, changes)` would
 * send, checked the same way; nothing is sent.
 */
export function buildPatch(changes, referral) {
  const { status, substatus } = referral == null ? {} : writeTarget("buildPatch", referral);
  return buildPatchOf(changesText("buildPatch", changes), status, substatus);
}

// What a write needs of its target: a referral's id, eTag, status and substatus (strings, else
// left out), or a bare id. The wasm side checks everything else.
function writeTarget(what, target) {
  const text = (value) => (typeof value === "string" ? value : undefined);
  const { id, eTag, status, substatus } =
    typeof target === "string" ? { id: target } : target !== null && typeof target === "object" ? target : {};
  if (typeof id !== "string") throw new TypeError(`${what}: target must be a Referral (with a string id) or its id`);
  // A lone surrogate would reach the server as U+FFFD: another id than the one given.
  if (/\p{Cs}/u.test(id)) throw new TypeError(`${what}: the id is not well-formed UTF-16`);
  return { id, eTag: text(eTag), status: text(status), substatus: text(substatus) };
}

// `changes` as JSON text (`undefined` left out, a Date as its ISO string, as any JSON body).
function changesText(what, changes) {
  if (changes === null || typeof changes !== "object") {
    throw new TypeError(`${what}: changes must be an object (a partial referral) or an array of JSON Patch operations`);
  }
  return JSON.stringify(changes);
}

// The If-Match to send: `opts.ifMatch` (a string, or `false` for none), else the referral's eTag.
function ifMatchOf(opts, eTag) {
  const chosen = opts !== null && typeof opts === "object" ? opts.ifMatch : undefined;
  if (chosen === undefined) return eTag;
  if (chosen === false) return undefined;
  if (typeof chosen !== "string") throw new TypeError("opts.ifMatch must be a string or false");
  return chosen;
}

/**
 * Tagged template: interpolated values become literals, never syntax.
 * filter`customerProfile/name eq ${name}` → a validated `Filter`.
 */
export function filter(strings, ...values) {
  return build(compiled, undefined, strings, values);
}

/**
 * `filter.withExtraFields({ isSpam: "boolean" })`: a `filter` tag whose filters may also name
 * these declared fields (checked now: `InvalidExtraFields`). Its `Filter`s keep the fields, so
 * `matchesFilter` reads them with their declared types.
 */
filter.withExtraFields = function withExtraFields(extraFields) {
  const schema = compileExtraFields(extraFields);
  const templates = new WeakMap();
  return function filter(strings, ...values) {
    return build(templates, schema, strings, values);
  };
};

// A tagged template's `strings` is one frozen array per call site, the same at every
// evaluation: its compiled form is kept in `templates` (failures are not, so they throw every
// time). Other arrays (a direct call) are compiled for the one call. `schema` numbers the
// referral type the tag checks against (undefined: the documented one). Kept for the buildQuery
// guard of `make bench` (a tagged-template filter ≤ 20× string concatenation): compiling the
// call site at every evaluation measured 99×.
function build(templates, schema, strings, values) {
  if (Array.isArray(strings) && Object.isFrozen(strings)) {
    let template = templates.get(strings);
    if (template === undefined) {
      template = compileFilterTemplate(strings, schema);
      templates.set(strings, template);
      released?.register(strings, template);
    }
    return template.build(values);
  }
  return filterTemplate(strings, values, schema);
}

// strings → FilterTemplate (wasm memory, released when the call site's strings are collected).
const compiled = new WeakMap();
const released =
  typeof FinalizationRegistry === "function" ? new FinalizationRegistry((t) => t.free()) : undefined;

// Whether the wasm module is instantiated, and a promise for when it is. The node entry
// instantiates synchronously (nothing to wait for); the browser entry hands its `ready` to
// `waitFor` below.
let initialized = true;
let whenInitialized = Promise.resolve();

/**
 * @internal The browser entry's `ready`: the client's async methods wait for it. A default
 * export, so `export * from "./api.js"` in the entries does not make it public.
 */
export default function waitFor(ready) {
  initialized = false;
  whenInitialized = ready.then(() => {
    initialized = true;
  });
  // The entry's own `ready` reports a failed instantiation; the calls that waited reject.
  whenInitialized.catch(() => {});
}

/**
 * The Partner Center referrals client over the platform's `fetch`. Options are checked by
 * the constructor (`TypeError`); every method returns a promise and honours `opts.signal`.
 */
export class ReferralsClient {
  #core;
  #options;

  constructor(options) {
    if (initialized) {
      this.#core = createClient(options);
    } else {
      // Browser entry before `ready`: keep a copy, build (and fully check) on the first call.
      if (options === null || typeof options !== "object" || typeof options.getToken !== "function") {
        throw new TypeError("ReferralsClient: options with a getToken function are required");
      }
      this.#options = { ...options };
    }
  }

  /** The first page of `query`. */
  list(query, opts) {
    return this.#call((core) => core.list(query, opts));
  }

  /** The page after `page`; `undefined` when `page` is the last. */
  next(page, opts) {
    return this.#call((core) => core.next(page, opts));
  }

  /** One referral by id. */
  get(id, opts) {
    return this.#call((core) => core.get(id, opts));
  }

  /**
   * Updates a referral with a JSON Patch made from `changes` (a partial referral or patch
   * operations), checked before anything is sent. Given a referral, its status is checked
   * against the transition and its `eTag` sent as `If-Match` (unless `opts.ifMatch`).
   */
  update(target, changes, opts) {
    let args;
    try {
      const { id, eTag, status, substatus } = writeTarget("update", target);
      args = [id, changesText("update", changes), ifMatchOf(opts, eTag), status, substatus, opts];
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#call((core) => core.update(...args));
  }

  /** Accepts a new referral: status `Active`, substatus `Accepted`. */
  accept(referral, opts) {
    return this.update(referral, { status: "Active", substatus: "Accepted" }, opts);
  }

  /** Declines a referral: status `Closed`, substatus `Declined`, and `statusReason` when given. */
  decline(referral, reason, opts) {
    if (reason !== undefined && typeof reason !== "string") {
      return Promise.reject(new TypeError("decline: reason must be a string"));
    }
    const changes = { status: "Closed", substatus: "Declined" };
    if (reason !== undefined) changes.statusReason = reason;
    return this.update(referral, changes, opts);
  }

  /**
   * Every referral of `query`: `for await (const r of client.all(q))`;
   * `.byPage({ continuationToken })` gives the pages (a page's `nextLink` is the token to
   * resume from). Each iteration is a new traversal; nothing is sent until the first `next()`,
   * and problems with `query` or `opts` reject it. The traversal (the wasm `RawCursor`) reads
   * one page ahead unless `opts.readAhead` is `false`; freeing it (the `finally` below, run by
   * `return()`/`break`/`throw()`) cancels the page being read ahead.
   */
  all(query, opts) {
    const byPage = (settings) => this.#pages(query, opts, settings);
    return {
      byPage,
      [Symbol.asyncIterator]: () => referralsOf(byPage()),
    };
  }

  /**
   * The referrals that changed since the sync token `since` (none: every referral of
   * `filter`), oldest change first, each change once: see `changesOf` below.
   */
  changes(options) {
    return changesOf(this, options, () => this.#call((core) => core.schemaId()));
  }

  #call(method) {
    if (this.#core !== undefined) return method(this.#core);
    return this.#ready().then(method);
  }

  async #ready() {
    if (this.#core === undefined) {
      await whenInitialized;
      this.#core ??= createClient(this.#options);
    }
    return this.#core;
  }

  async *#pages(query, opts, settings) {
    const cursor = (await this.#ready()).openCursor(query, opts, settings);
    try {
      for (;;) {
        const page = await cursor.next();
        if (page === undefined) return;
        yield page;
      }
    } finally {
      cursor.free();
    }
  }
}

/** The referrals of `pages` (an async iterator of pages), one by one. */
async function* referralsOf(pages) {
  for await (const page of pages) yield* page.value;
}

const CHANGES_OPTIONS = ["since", "filter", "signal", "correlationId"];

/**
 * `client.changes({ since, filter, signal, correlationId })`: an async iterable of the
 * referrals created or updated since the sync token `since`, in `updatedDateTime` order, with
 * a `token` to keep for next time (it covers exactly the referrals delivered so far, also when
 * the loop stops early or a request fails). Each iteration is one poll from the current
 * `token`. The watermark logic is the core's (`src/sync.rs`); this drives its cursor with
 * `list()` and `next()`, one correlation id per poll. The filter may name the client's
 * `extraFields`.
 */
function changesOf(client, options, schemaId) {
  if (options !== undefined && options !== null) {
    if (typeof options !== "object") throw new TypeError("changes: options must be an object");
    for (const key of Object.keys(options)) {
      if (!CHANGES_OPTIONS.includes(key)) {
        throw new TypeError(`changes: unknown option \`${key}\`; known: ${CHANGES_OPTIONS.join(", ")}`);
      }
    }
  }
  const { since, filter, signal, correlationId } = options ?? {};
  if (since !== undefined && typeof since !== "string") {
    throw new TypeError("changes: `since` must be a string (the `token` of a previous sync)");
  }
  if (filter !== undefined && typeof filter !== "string" && (typeof filter !== "object" || filter === null)) {
    throw new TypeError("changes: `filter` must be a string or a Filter");
  }
  const filterText = filter === undefined ? undefined : String(filter);
  let token = since;
  return {
    /** The sync token covering every referral delivered so far (`since` before the first). */
    get token() {
      return token;
    },
    async *[Symbol.asyncIterator]() {
      await whenInitialized;
      // The client's referral type: its `extraFields` may be named by the filter.
      const cursor = openSync(token, filterText, await schemaId());
      const opts = { signal, correlationId: correlationId ?? globalThis.crypto?.randomUUID?.() };
      try {
        token = cursor.token();
        let step = cursor.start();
        let page;
        while (step !== undefined) {
          page = step === "follow" ? await client.next(page, opts) : await client.list(step, opts);
          if (page === undefined) return;
          for (const referral of page.value) {
            if (cursor.observe(referral)) {
              token = cursor.token();
              yield referral;
            }
          }
          step = cursor.afterPage(page.nextLink);
        }
      } finally {
        cursor.free();
      }
    },
  };
}
