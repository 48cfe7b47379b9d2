// The public API shared by both entries, on top of the wasm-bindgen glue.
import { filterTemplate, createClient } from "./partner_referrals.js";

export {
  validateFilter,
  buildQuery,
  matchesFilter,
  decodeReferralPage,
  respondBy,
} from "./partner_referrals.js";
export { ODataError, Filter } from "@@CLASSES@@";

/**
 * Tagged template: interpolated values become literals, never syntax.
 * filter`customerProfile/name eq ${name}` → a validated `Filter`.
 */
export function filter(strings, ...values) {
  return filterTemplate(strings, values);
}

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
   * Every referral of `query`, one page in memory at a time: `for await (const r of
   * client.all(q))`; `.byPage({ continuationToken })` gives the pages (a page's `nextLink` is
   * the token to resume from). Each iteration is a new traversal; nothing is sent until the
   * first `next()`, and problems with `query` or `opts` reject it.
   */
  all(query, opts) {
    const byPage = (settings) => this.#pages(query, opts, settings);
    return {
      byPage,
      [Symbol.asyncIterator]: () => referralsOf(byPage()),
    };
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

async function* referralsOf(pages) {
  for await (const page of pages) {
    yield* page.value;
  }
}
