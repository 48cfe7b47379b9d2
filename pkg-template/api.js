// The public API shared by both entries, on top of the wasm-bindgen glue.
import { filterTemplate, compileFilterTemplate, createClient, openSync } from "./partner_referrals.js";
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
 * Tagged template: interpolated values become literals, never syntax.
 * filter`customerProfile/name eq ${name}` → a validated `Filter`.
 */
export function filter(strings, ...values) {
  // A tagged template's `strings` is one frozen array per call site, the same at every
  // evaluation: its compiled form is kept (failures are not, so they throw every time). Other
  // arrays (a direct call) are compiled for the one call. Kept for the buildQuery guard of
  // `make bench` (a tagged-template filter ≤ 20× string concatenation): compiling the call site
  // at every evaluation measured 99×.
  if (Array.isArray(strings) && Object.isFrozen(strings)) {
    let template = compiled.get(strings);
    if (template === undefined) {
      template = compileFilterTemplate(strings);
      compiled.set(strings, template);
      released?.register(strings, template);
    }
    return template.build(values);
  }
  return filterTemplate(strings, values);
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
    return changesOf(this, options);
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
 * `list()` and `next()`, one correlation id per poll.
 */
function changesOf(client, options) {
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
      const cursor = openSync(token, filterText);
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
