//! The HTTP client's policy, in pure Rust: Partner REST headers, tokens, retries, paging and
//! the error mapping of docs/contract.md ("HTTP", "Errors").
//!
//! The outside world comes in through traits: [`Transport`] (send, sleep, clock),
//! [`TokenSource`] (bearer tokens), [`Entropy`] (request ids and jitter) and [`Decoder`]
//! (response bodies → pages and items). `src/wasm/` implements them over `fetch`, `getToken`
//! and the page decoder; tests implement them with scripted fakes. This room mentions no
//! `JsValue` and no `fetch`, has no clock and no randomness of its own, and imports only
//! `error`, `datetime` and `patch` from the crate, `json` and `platform` to recognise a
//! write's own effect after a 412 (and `page`/`model` in `decoder.rs`, the one place where
//! the client meets the crate's own decoder).
//!
//! Cancellation is not in here: the JS layer races these futures against an `AbortSignal`
//! and drops them. Every future here can be dropped at any await point: the [`Client`] has no
//! mutable state, and a [`PageCursor`] changes only after its last await, so a dropped
//! `next_page` leaves the cursor where it was.
//!
//! Writes ([`Client::update`]) go through the same request loop as reads, with one more rule:
//! an attempt that may have been applied (no answer, a time-out, a 504) is resent only when
//! the patch is all `replace`s ([`may_resend`]), so an `add` is never applied twice.
//!
//! [`ReadAhead`] drives a cursor one page ahead (`all()`/`byPage()`): the request for the next
//! page is started as soon as a page has passed the decoder and its `nextLink` the cursor, before
//! that page is handed out; how the request runs meanwhile is the caller's (`read_ahead.rs`).

mod body;
mod decoder;
mod error_body;
mod headers;
mod read_ahead;
mod redact;
mod retry;
mod transport;
mod url;

use crate::string_set::StringSet;
use std::cell::Cell;
use std::future::{poll_fn, Future};
use std::pin::pin;
use std::task::Poll;
use std::time::Duration;

pub use body::{
    body_limit, DEFAULT_MAX_RESPONSE_BYTES, MAX_ERROR_BODY_BYTES, MAX_RESPONSE_BYTES_LIMIT,
};
pub use decoder::ReferralDecoder;
pub use error_body::{parse_error_body, read_error_body, ServerError, MAX_TEXT_DETAILS};
pub use headers::{
    clean_token, is_header_safe, request_headers, response_request_id, write_headers,
};
pub use read_ahead::{Fetched, PageRequest, ReadAhead};
pub use redact::{
    redact_json, redact_text, UsedTokens, MAX_NESTING, MAX_REMEMBERED_TOKENS, MIN_SUBSTRING,
    REDACTED,
};
pub use retry::{
    is_retryable_status, may_have_applied, may_resend, parse_retry_after, Decision, Outcome,
    RetryPolicy, StopReason, MAX_RETRIES_LIMIT, REFUSED_STATUSES, RETRYABLE_STATUSES,
};
pub use transport::{
    new_guid, unit_interval, Entropy, HttpRequest, HttpResponse, TokenSource, Transport,
    TransportFailure,
};
pub use url::{BaseUrl, DEFAULT_BASE_URL, MAX_ID_LEN};

use crate::error::{Error, HttpContext, Result};
use crate::patch::{Op, Patch};
use transport::find_header;

/// How many pages one traversal fetches at most before it stops with
/// [`Error::TooManyPages`] (which carries the link to resume from). 10 000 pages of the
/// API's 100 referrals are a million referrals; a server whose `nextLink`s never end (without
/// repeating) would otherwise keep a traversal going forever.
pub const DEFAULT_MAX_PAGES: u32 = 10_000;

/// Turns 2xx response bodies into pages and items: the seam to the page decoder.
///
/// The crate's decoder plugs in as `Page = ReferralPage`, `Item = Referral`, with
/// `page::decode_referral_page`, `page::decode_referral` and `page.next_link.as_deref()`.
/// A decode failure should be [`Error::Decode`]; the client adds the response's status and
/// request ids ([`Error::InvalidBody`], code `InvalidResponse`).
pub trait Decoder {
    /// A decoded collection page.
    type Page;
    /// A decoded single resource (`GET …/referrals/{id}`).
    type Item;
    /// Decodes a collection page body.
    fn decode_page(&self, body: &str) -> Result<Self::Page>;
    /// Decodes a single-resource body.
    fn decode_item(&self, body: &str) -> Result<Self::Item>;
    /// The page's `@odata.nextLink`, as the server sent it.
    fn next_link<'p>(&self, page: &'p Self::Page) -> Option<&'p str>;
    /// A decoded resource's `id`, when it has one as a string (`get` checks it is the one
    /// asked for).
    fn item_id(&self, item: &Self::Item) -> Option<String>;
}

/// Options fixed for the life of a client (the JS `ClientOptions` minus `getToken`/`fetch`,
/// which become the [`TokenSource`] and [`Transport`], and `maxResponseBytes`, which the
/// transport applies while it reads a body).
#[derive(Debug, Clone, PartialEq)]
pub struct ClientOptions {
    /// Where requests go; default [`DEFAULT_BASE_URL`].
    pub base_url: Option<String>,
    /// Sent as `X-Locale` when set (1 to 256 visible ASCII characters).
    pub locale: Option<String>,
    /// Retry counts and waits; set `maxRetries` with [`RetryPolicy::with_max_retries`].
    pub retry: RetryPolicy,
    /// Page limit of one traversal (at least 1); default [`DEFAULT_MAX_PAGES`].
    pub max_pages: u32,
    /// The time-out of each attempt (`timeoutMs`): getting its token, sending it and reading
    /// its body, all together. An attempt that exceeds it is dropped (its request aborted)
    /// and counts as [`Outcome::Timeout`]. `None`: none (the JS client always sets one).
    pub timeout: Option<Duration>,
}

impl Default for ClientOptions {
    fn default() -> Self {
        ClientOptions {
            base_url: None,
            locale: None,
            retry: RetryPolicy::default(),
            max_pages: DEFAULT_MAX_PAGES,
            timeout: None,
        }
    }
}

/// Per-call options (the JS `RequestOptions` minus `signal`, which the JS layer handles).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestOptions {
    /// The `MS-CorrelationId` to send; by default a fresh GUID per call or traversal.
    pub correlation_id: Option<String>,
}

/// The referrals client: builds requests, sends them through `T`, retries, maps errors.
///
/// `list`, `next` and `get` are one request each (each with its own correlation id unless the
/// caller passes one); [`Client::pages`] and [`Client::resume`] start a traversal that uses
/// one correlation id for all its pages.
#[derive(Debug)]
pub struct Client<T, K, E, D> {
    base: BaseUrl,
    locale: Option<String>,
    retry: RetryPolicy,
    max_pages: u32,
    timeout: Option<Duration>,
    transport: T,
    tokens: K,
    entropy: E,
    decoder: D,
    /// Every token this client has sent (the most recent [`MAX_REMEMBERED_TOKENS`]): server
    /// text in errors is scrubbed of all of them.
    used: UsedTokens,
}

impl<T, K, E, D> Client<T, K, E, D>
where
    T: Transport,
    K: TokenSource,
    E: Entropy,
    D: Decoder,
{
    /// A client over `transport`, `tokens`, `entropy` and `decoder`.
    ///
    /// # Errors
    /// [`Error::InvalidOption`] (code `InvalidArgument`) for a `base_url` that [`BaseUrl::parse`]
    /// refuses or a `locale` that cannot be sent as a header.
    pub fn new(
        options: ClientOptions,
        transport: T,
        tokens: K,
        entropy: E,
        decoder: D,
    ) -> Result<Self> {
        let base = BaseUrl::parse(options.base_url.as_deref().unwrap_or(DEFAULT_BASE_URL))?;
        if let Some(locale) = &options.locale {
            if !is_header_safe(locale) {
                return Err(Error::InvalidOption {
                    name: "locale",
                    value: locale.chars().take(256).collect(),
                    reason: "must be 1 to 256 visible ASCII characters",
                });
            }
        }
        let retry = options.retry.with_max_retries(options.retry.max_retries);
        Ok(Client {
            base,
            locale: options.locale,
            retry,
            max_pages: options.max_pages.max(1),
            timeout: options.timeout,
            transport,
            tokens,
            entropy,
            decoder,
            used: UsedTokens::new(),
        })
    }

    /// This client, remembering the tokens it sends in `used` (shared with other clients made
    /// for the same caller: the JS layer makes one core client per call).
    pub fn with_used_tokens(mut self, used: UsedTokens) -> Self {
        self.used = used;
        self
    }

    /// The tokens this client has sent, for scrubbing text that did not pass through the core
    /// (the JS layer's `cause` of a `TokenError`).
    pub fn used_tokens(&self) -> &UsedTokens {
        &self.used
    }

    /// The parsed base URL.
    pub fn base_url(&self) -> &BaseUrl {
        &self.base
    }

    /// The transport (tests inspect their fake through it).
    pub fn transport(&self) -> &T {
        &self.transport
    }

    /// The token source.
    pub fn token_source(&self) -> &K {
        &self.tokens
    }

    /// The first page of `GET <base>engagements/referrals?<query>`.
    ///
    /// `query` is the query builder's output (`$filter=…&$top=…`, percent-encoded, no `?`).
    ///
    /// # Errors
    /// `Unauthorized`, `Forbidden`, `NotFound`, `Throttled`, `HttpError` ([`Error::HttpStatus`]),
    /// `NetworkError`, `Timeout`, `TokenError`, `InvalidResponse` (the decoder refused the
    /// body), `InvalidArgument` for an unusable correlation id ([`Error::InvalidOption`]).
    pub async fn list(&self, query: &str, opts: &RequestOptions) -> Result<D::Page> {
        let request = self.list_request(query, opts)?;
        self.fetch(request).await.map(Fetched::into_page)
    }

    /// The page after `page`, or `None` when `page` has no `nextLink`.
    ///
    /// # Errors
    /// `UnsafeNextLink` before anything is sent when the link leaves the base URL's origin
    /// or path ([`BaseUrl::follow`]); otherwise as [`Client::list`].
    pub async fn next(&self, page: &D::Page, opts: &RequestOptions) -> Result<Option<D::Page>> {
        let Some(link) = self.decoder.next_link(page) else {
            return Ok(None);
        };
        let request = self.link_request(link, opts)?;
        self.fetch(request).await.map(|fetched| Some(fetched.into_page()))
    }

    /// One referral, `GET <base>engagements/referrals/<id>`.
    ///
    /// # Errors
    /// `NotFound` for a 404; `InvalidArgument`, before anything is sent, for an id that
    /// cannot name a referral ([`BaseUrl::item_url`]); `InvalidResponse` for an answer about
    /// another referral ([`Client::fetch_item`]); otherwise as [`Client::list`].
    pub async fn get(&self, id: &str, opts: &RequestOptions) -> Result<D::Item> {
        let request = self.item_request(id, opts)?;
        self.fetch_item(request, id).await
    }

    /// The request [`Client::list`] sends (send it with [`Client::fetch`]): a platform that
    /// runs every call through one future uses these instead of `list`/`next`/`get`.
    ///
    /// # Errors
    /// As [`Client::pages`].
    pub fn list_request(&self, query: &str, opts: &RequestOptions) -> Result<PageRequest> {
        let correlation_id = self.correlation_id(opts)?;
        Ok(PageRequest { url: self.base.list_url(query), correlation_id })
    }

    /// The request [`Client::next`] sends for a page whose `nextLink` is `link` (send it with
    /// [`Client::fetch`]).
    ///
    /// # Errors
    /// As [`Client::resume`].
    pub fn link_request(&self, link: &str, opts: &RequestOptions) -> Result<PageRequest> {
        let url = self.base.follow(link)?;
        Ok(PageRequest { url, correlation_id: self.correlation_id(opts)? })
    }

    /// The request [`Client::get`] sends (send it with [`Client::fetch_item`]).
    ///
    /// # Errors
    /// `InvalidArgument` for an id that cannot name a referral ([`BaseUrl::item_url`]) or an
    /// unusable correlation id.
    pub fn item_request(&self, id: &str, opts: &RequestOptions) -> Result<PageRequest> {
        let url = self.base.item_url(id)?;
        Ok(PageRequest { url, correlation_id: self.correlation_id(opts)? })
    }

    /// A traversal of every page of `query`, starting at the first; nothing is sent yet.
    ///
    /// # Errors
    /// `InvalidArgument` ([`Error::InvalidOption`]) for an unusable correlation id.
    pub fn pages(&self, query: &str, opts: &RequestOptions) -> Result<PageCursor> {
        self.list_request(query, opts).map(PageCursor::new)
    }

    /// A traversal that resumes at `continuation_token`, a page's `nextLink` (or a cursor's
    /// [`PageCursor::continuation_token`]); nothing is sent yet.
    ///
    /// # Errors
    /// `UnsafeNextLink` when the token fails [`BaseUrl::follow`]; `InvalidArgument` for an
    /// unusable correlation id.
    pub fn resume(&self, continuation_token: &str, opts: &RequestOptions) -> Result<PageCursor> {
        self.link_request(continuation_token, opts).map(PageCursor::new)
    }

    fn correlation_id(&self, opts: &RequestOptions) -> Result<String> {
        match &opts.correlation_id {
            None => Ok(new_guid(&self.entropy)),
            Some(id) if is_header_safe(id) => Ok(id.clone()),
            Some(id) => Err(Error::InvalidOption {
                name: "correlationId",
                value: id.chars().take(256).collect(),
                reason: "must be 1 to 256 visible ASCII characters",
            }),
        }
    }

    /// Sends a page's `request` (with retries, as every request) and decodes the page, with
    /// the tokens that fetched it (to scrub from errors about its `nextLink`): the one path of
    /// `list`, `next` and traversals (the [`ReadAhead`] whose cursor made the request takes
    /// the result).
    ///
    /// The future owns `request` and borrows only the client, so a platform can run it apart
    /// from the caller's task (the JS client spawns it, see [`ReadAhead::next_page`]).
    ///
    /// # Errors
    /// As [`Client::list`].
    pub async fn fetch(&self, request: PageRequest) -> Result<Fetched<D::Page>> {
        let (response, context) =
            self.execute(&Exchange::get(request.url), &request.correlation_id).await?;
        match self.decoder.decode_page(&response.body) {
            Ok(page) => Ok(Fetched { page }),
            Err(e) => Err(self.decode_error(e, response.status, context)),
        }
    }

    /// Sends an item's `request` ([`Client::item_request`] for `id`) and decodes the
    /// referral, which must be the one asked for: an answer whose `id` is another string
    /// (compared ASCII case-insensitively: ids are GUIDs, whose hex digits a server may print
    /// in either case) is `InvalidResponse`. An answer without an `id` is accepted.
    ///
    /// # Errors
    /// As [`Client::get`].
    pub async fn fetch_item(&self, request: PageRequest, id: &str) -> Result<D::Item> {
        let (response, context) =
            self.execute(&Exchange::get(request.url), &request.correlation_id).await?;
        self.item_of(response, context, id)
    }

    /// The referral `id` from a 2xx `response` (see [`Client::fetch_item`]).
    fn item_of(&self, response: HttpResponse, context: HttpContext, id: &str) -> Result<D::Item> {
        let item = match self.decoder.decode_item(&response.body) {
            Ok(item) => item,
            Err(e) => return Err(self.decode_error(e, response.status, context)),
        };
        match self.decoder.item_id(&item) {
            Some(got) if !got.eq_ignore_ascii_case(id) => {
                let got: String = got.chars().take(64).collect();
                let message = format!("the response is the referral `{got}`, not `{id}`");
                Err(self.decode_error(
                    Error::Decode { path: "/id".to_string(), message },
                    response.status,
                    context,
                ))
            }
            _ => Ok(item),
        }
    }

    /// Updates a referral: `PATCH <base>engagements/referrals/<id>` with `patch` (built by
    /// [`crate::patch::build_patch`]), `If-Match: <if_match>` when given, and the referral as
    /// the server returns it.
    ///
    /// # Errors
    /// As [`Client::update_request`] and [`Client::send_update`].
    pub async fn update(
        &self,
        id: &str,
        patch: Patch,
        if_match: Option<&str>,
        opts: &RequestOptions,
    ) -> Result<D::Item> {
        let request = self.update_request(id, patch, if_match, opts)?;
        self.send_update(request).await
    }

    /// The request [`Client::update`] sends (send it with [`Client::send_update`]).
    ///
    /// # Errors
    /// `NotFound` for an id that cannot name a referral; `InvalidUpdate` (path `/eTag`) for an
    /// `if_match` that cannot be sent as a header value; `HttpError` for an unusable
    /// correlation id.
    pub fn update_request(
        &self,
        id: &str,
        patch: Patch,
        if_match: Option<&str>,
        opts: &RequestOptions,
    ) -> Result<WriteRequest> {
        let url = self.base.item_url(id)?;
        if let Some(tag) = if_match.filter(|tag| !is_header_safe(tag)) {
            return Err(Error::InvalidUpdate {
                path: "/eTag".into(),
                message: format!(
                    "`{}` cannot be sent as If-Match (1 to 256 visible ASCII characters)",
                    tag.chars().take(64).collect::<String>()
                ),
            });
        }
        Ok(WriteRequest {
            url,
            id: id.to_string(),
            correlation_id: self.correlation_id(opts)?,
            if_match: if_match.map(str::to_string),
            body: patch.to_json(),
            replay_safe: patch.is_replay_safe(),
            replaced: patch
                .into_operations()
                .into_iter()
                .filter(|o| o.op == Op::Replace)
                .map(|o| (o.path, o.value))
                .collect(),
        })
    }

    /// Sends a write's `request` and decodes the referral the server answers with (which must
    /// be the one written, as for [`Client::fetch_item`]).
    ///
    /// Retries follow [`may_resend`]. An answer without a body (`204 No Content`: the server
    /// ignored `Prefer: return=representation`) is followed by a `GET` of the referral, so the
    /// result is always the referral as the server has it. A `412` after an attempt that may
    /// have been applied (only a patch of `replace`s is resent then) may be the server
    /// refusing the write's own echo: the referral is read again, and when it holds every
    /// value the patch wrote, that is the result; otherwise the `412` stands.
    ///
    /// # Errors
    /// `PreconditionFailed` (412, someone else changed the referral since its `eTag` was
    /// read); `NetworkError`/`Timeout` without a retry when the patch contains an `add`;
    /// otherwise as [`Client::get`].
    pub async fn send_update(&self, request: WriteRequest) -> Result<D::Item> {
        let exchange = Exchange {
            method: "PATCH",
            url: request.url.clone(),
            body: Some(request.body.as_str()),
            if_match: request.if_match.as_deref(),
            replay_safe: request.replay_safe,
            maybe_applied: Cell::new(false),
        };
        let reread = || PageRequest {
            url: request.url.clone(),
            correlation_id: request.correlation_id.clone(),
        };
        match self.execute(&exchange, &request.correlation_id).await {
            Ok((response, _)) if response.body.trim().is_empty() => {
                self.fetch_item(reread(), &request.id).await
            }
            Ok((response, context)) => self.item_of(response, context, &request.id),
            Err(error)
                if error.status() == Some(412)
                    && exchange.maybe_applied.get()
                    && request.if_match.is_some() =>
            {
                let (response, context) = self
                    .execute(&Exchange::get(request.url.clone()), &request.correlation_id)
                    .await?;
                if !holds_every_value(&response.body, &request.replaced) {
                    return Err(error);
                }
                self.item_of(response, context, &request.id)
            }
            Err(error) => Err(error),
        }
    }

    async fn token(&self, force_refresh: bool) -> Result<String> {
        match self.tokens.token(force_refresh).await {
            Ok(raw) => match clean_token(&raw) {
                Ok(token) => Ok(token.to_string()),
                Err(reason) => Err(Error::Token { message: reason.to_string() }),
            },
            // The source's own words may quote a token it handed out earlier.
            Err(message) => Err(Error::Token { message: self.used.redact(&message).into_owned() }),
        }
    }

    /// A decoder's [`Error::Decode`] for a 2xx body becomes [`Error::InvalidBody`] with the
    /// response's status and request ids, its text scrubbed of every token; other errors
    /// pass through.
    fn decode_error(&self, error: Error, status: u16, context: HttpContext) -> Error {
        match error {
            Error::Decode { path, message } => {
                let tokens = self.used.snapshot();
                Error::InvalidBody {
                    status,
                    path: redact_text(&path, &tokens).into_owned(),
                    message: redact_text(&message, &tokens).into_owned(),
                    context: Box::new(context),
                }
            }
            other => other,
        }
    }

    /// Sends `exchange` until it succeeds or the policy gives up: one request id for every
    /// attempt, a token per attempt, one forced refresh after the first 401 (a 401 was not
    /// applied, so a write is resent too), and for a write that is not replay-safe no resend
    /// after an attempt that may have been applied ([`may_resend`]). Each attempt (token and
    /// exchange) runs within the time-out; the waits between attempts stay within the
    /// policy's total ([`RetryPolicy::decide`]).
    async fn execute(
        &self,
        exchange: &Exchange<'_>,
        correlation_id: &str,
    ) -> Result<(HttpResponse, HttpContext)> {
        let mut context = HttpContext {
            url: exchange.url.clone(),
            client_request_id: new_guid(&self.entropy),
            correlation_id: correlation_id.to_string(),
            ..HttpContext::default()
        };
        let mut refreshed = false;
        let mut force_refresh = false;
        let mut retries = 0u32;
        let mut waited = Duration::ZERO;
        loop {
            context.attempts += 1;
            let attempt = async {
                let token = self.token(force_refresh).await?;
                // Before it is sent: whatever comes back is scrubbed of it.
                self.used.remember(&token);
                let mut headers = request_headers(
                    &token,
                    &context.client_request_id,
                    correlation_id,
                    self.locale.as_deref(),
                );
                if exchange.body.is_some() {
                    write_headers(&mut headers, exchange.if_match);
                }
                let request = HttpRequest {
                    method: exchange.method,
                    url: context.url.clone(),
                    headers,
                    body: exchange.body.map(str::to_string),
                };
                // The token copy in the request is not kept across the back-off wait.
                Ok(self.transport.send(&request).await)
            };
            let result = match self.within_timeout(attempt).await {
                Some(attempted) => attempted?,
                None => Err(TransportFailure::Timeout),
            };
            force_refresh = false;
            let result = match result {
                Ok(response) if (200..300).contains(&response.status) => {
                    context.request_id = response_request_id(&response.headers)
                        .map(|id| self.used.redact(id).into_owned());
                    return Ok((response, context));
                }
                // The same request would get the same body: final at once.
                Err(TransportFailure::TooLarge { status, headers, limit }) => {
                    context.request_id =
                        response_request_id(&headers).map(|id| self.used.redact(id).into_owned());
                    return Err(Error::BodyTooLarge { status, limit, context: Box::new(context) });
                }
                other => other,
            };
            let outcome = match &result {
                Ok(response) if response.status == 401 && !refreshed => {
                    refreshed = true;
                    force_refresh = true;
                    continue;
                }
                Ok(response) => Outcome::Status {
                    status: response.status,
                    retry_after: find_header(&response.headers, headers::RETRY_AFTER)
                        .and_then(|v| parse_retry_after(v, self.transport.now_unix_millis())),
                },
                Err(TransportFailure::Network(_)) => Outcome::Network,
                Err(TransportFailure::Timeout | TransportFailure::TooLarge { .. }) => {
                    Outcome::Timeout
                }
            };
            if may_have_applied(&outcome) {
                exchange.maybe_applied.set(true);
            }
            let decision = if may_resend(&outcome, exchange.replay_safe) {
                self.retry.decide(retries, waited, &outcome, unit_interval(&self.entropy))
            } else {
                Decision::Stop(StopReason::NotRetryable)
            };
            match decision {
                Decision::Retry { after } => {
                    retries += 1;
                    waited += after;
                    self.transport.sleep(after).await;
                }
                Decision::Stop(_) => {
                    return Err(failure(result, outcome, context, &self.used.snapshot()))
                }
            }
        }
    }

    /// `work`, or `None` when the time-out passes first (then `work` is dropped: the
    /// transport aborts its request). The timer starts when `work` first waits.
    async fn within_timeout<F: Future>(&self, work: F) -> Option<F::Output> {
        let Some(limit) = self.timeout else {
            return Some(work.await);
        };
        let mut work = pin!(work);
        let mut timer = pin!(self.transport.sleep(limit));
        poll_fn(|cx| {
            if let Poll::Ready(output) = work.as_mut().poll(cx) {
                return Poll::Ready(Some(output));
            }
            timer.as_mut().poll(cx).map(|()| {
                self.transport.attempt_timed_out();
                None
            })
        })
        .await
    }
}

/// A prepared write ([`Client::update_request`]); send it with [`Client::send_update`].
#[derive(Debug, Clone, PartialEq)]
pub struct WriteRequest {
    /// `<base>engagements/referrals/<id>`.
    pub url: String,
    /// The referral's id (the answer must be that referral).
    pub id: String,
    /// The `MS-CorrelationId` of the write (and of a re-read that follows it).
    pub correlation_id: String,
    /// The `If-Match` value, when one is sent.
    pub if_match: Option<String>,
    /// The JSON Patch text.
    pub body: String,
    /// Whether every operation is a `replace` (see [`Patch::is_replay_safe`]).
    pub replay_safe: bool,
    /// The path and value of every `replace`, to recognise the write's own effect after a 412.
    replaced: Vec<(String, serde_json::Value)>,
}

/// One request as [`Client::execute`] sends it, the same on every attempt.
struct Exchange<'a> {
    method: &'static str,
    url: String,
    /// The JSON body of a write; a request with a body gets the write headers.
    body: Option<&'a str>,
    if_match: Option<&'a str>,
    /// Whether the request may be sent again after an attempt that may have been applied.
    replay_safe: bool,
    /// Set when an attempt ended in a way that may have come after the server applied it.
    maybe_applied: Cell<bool>,
}

impl Exchange<'_> {
    fn get(url: String) -> Self {
        Exchange {
            method: "GET",
            url,
            body: None,
            if_match: None,
            replay_safe: true,
            maybe_applied: Cell::new(false),
        }
    }
}

/// Whether the referral in `body` holds every `(path, value)` of `replaced` (a decimal string
/// and a number of the same value count as equal: the API sends `dealValue` either way).
fn holds_every_value(body: &str, replaced: &[(String, serde_json::Value)]) -> bool {
    let Ok(referral) = crate::json::from_str(body) else {
        return false;
    };
    replaced.iter().all(|(path, value)| {
        crate::patch::value_at(&referral, path)
            .is_some_and(|held| held == value || same_number(held, value))
    })
}

fn same_number(a: &serde_json::Value, b: &serde_json::Value) -> bool {
    let number = |v: &serde_json::Value| match v {
        serde_json::Value::Number(n) => n.as_f64(),
        serde_json::Value::String(s) => crate::platform::parse_f64(s),
        _ => None,
    };
    matches!((number(a), number(b)), (Some(x), Some(y)) if x == y)
}

/// `Number.MAX_SAFE_INTEGER`: `retryAfterMs` stays an exact JS number.
const MAX_SAFE_INTEGER: u64 = (1 << 53) - 1;

/// The error for a final failed attempt. Every server-supplied string is scrubbed of `tokens`.
fn failure(
    result: std::result::Result<HttpResponse, TransportFailure>,
    outcome: Outcome,
    mut context: HttpContext,
    tokens: &[String],
) -> Error {
    match result {
        Ok(response) => {
            context.request_id = response_request_id(&response.headers)
                .map(|id| redact_text(id, tokens).into_owned());
            if let Outcome::Status { retry_after: Some(after), .. } = outcome {
                let ms = u64::try_from(after.as_millis()).unwrap_or(u64::MAX);
                context.retry_after_ms = Some(ms.min(MAX_SAFE_INTEGER));
            }
            let server = read_error_body(&response.body, tokens);
            context.details = server.details;
            context.server_code = server.code;
            context.server_message = server.message;
            Error::HttpStatus { status: response.status, context: Box::new(context) }
        }
        Err(TransportFailure::Network(message)) => {
            let message = redact_text(&message, tokens).into_owned();
            Error::Network { message, context: Box::new(context) }
        }
        Err(TransportFailure::Timeout) => Error::Timeout { context: Box::new(context) },
        Err(TransportFailure::TooLarge { status, limit, .. }) => {
            Error::BodyTooLarge { status, limit, context: Box::new(context) }
        }
    }
}

/// A traversal of the pages of one query: one page per [`PageCursor::next_page`], one
/// correlation id throughout, at most the client's page limit, and a loop guard.
///
/// The cursor holds links, never pages. It changes only once a page has arrived, so a
/// `next_page` future dropped mid-way (an aborted signal) or one that failed (a network
/// error) leaves it where it was: the next call asks for the same page again. After a page
/// whose `nextLink` cannot be followed (unsafe, already fetched, page limit), that page is
/// still returned; the following call returns the error, and the traversal then ends.
#[derive(Debug, Clone)]
pub struct PageCursor {
    state: CursorState,
    correlation_id: String,
    pages: u32,
    /// Every URL this traversal has requested (the loop guard). An ordered set, not a
    /// `HashSet`: std's hash map would add SipHash, `RandomState` and hashbrown to the wasm
    /// build (about 1.5 KiB of gzip) for at most one lookup per page.
    seen: StringSet,
}

#[derive(Debug, Clone)]
enum CursorState {
    Fetch(String),
    Failed(Error),
    Done,
}

impl PageCursor {
    fn new(request: PageRequest) -> Self {
        let PageRequest { url, correlation_id } = request;
        let mut seen = StringSet::default();
        seen.insert(url.clone());
        PageCursor { state: CursorState::Fetch(url), correlation_id, pages: 0, seen }
    }

    /// The next page, or `None` after the last one.
    ///
    /// Use the cursor with the client that made it.
    ///
    /// # Errors
    /// As [`Client::list`]; after a page: `UnsafeNextLink` for a link that leaves the origin,
    /// `InvalidResponse` ([`Error::PagingLoop`]) for a link this traversal already fetched,
    /// `InvalidResponse` ([`Error::TooManyPages`]) past the page limit.
    pub async fn next_page<T, K, E, D>(
        &mut self,
        client: &Client<T, K, E, D>,
    ) -> Result<Option<D::Page>>
    where
        T: Transport,
        K: TokenSource,
        E: Entropy,
        D: Decoder,
    {
        let Some(request) = self.request()? else {
            return Ok(None);
        };
        let fetched = client.fetch(request).await?;
        // From here on: no await, so the cursor moves all at once or not at all.
        Ok(Some(self.advance(client, fetched)))
    }

    /// The request for the next page; `Ok(None)` after the last page; the error of a
    /// `nextLink` that cannot be followed once (then the traversal has ended).
    fn request(&mut self) -> Result<Option<PageRequest>> {
        match std::mem::replace(&mut self.state, CursorState::Done) {
            CursorState::Done => Ok(None),
            CursorState::Failed(error) => Err(error),
            CursorState::Fetch(url) => {
                self.state = CursorState::Fetch(url.clone());
                Ok(Some(PageRequest { url, correlation_id: self.correlation_id.clone() }))
            }
        }
    }

    /// The request for the next page when there is one to send (no error, not ended).
    fn peek_request(&self) -> Option<PageRequest> {
        match &self.state {
            CursorState::Fetch(url) => {
                Some(PageRequest { url: url.clone(), correlation_id: self.correlation_id.clone() })
            }
            CursorState::Failed(_) | CursorState::Done => None,
        }
    }

    /// Moves the cursor past `fetched`, the page of its current request: counts it, and
    /// follows its `nextLink` (or remembers why not).
    fn advance<T, K, E, D>(
        &mut self,
        client: &Client<T, K, E, D>,
        fetched: Fetched<D::Page>,
    ) -> D::Page
    where
        T: Transport,
        K: TokenSource,
        E: Entropy,
        D: Decoder,
    {
        let Fetched { page } = fetched;
        self.pages += 1;
        let redact = |url: &str| client.used.redact(url).into_owned();
        // The link is the server's text: errors that quote it are scrubbed of the tokens.
        self.state = match client.decoder.next_link(&page) {
            None => CursorState::Done,
            Some(link) => match client.base.follow(link) {
                Err(Error::UnsafeNextLink { url, reason }) => {
                    CursorState::Failed(Error::UnsafeNextLink { url: redact(&url), reason })
                }
                Err(error) => CursorState::Failed(error),
                Ok(url) if self.seen.contains(&url) => {
                    CursorState::Failed(Error::PagingLoop { url: redact(&url) })
                }
                Ok(url) if self.pages >= client.max_pages => {
                    CursorState::Failed(Error::TooManyPages {
                        max: client.max_pages,
                        next_link: redact(&url),
                    })
                }
                Ok(url) => {
                    self.seen.insert(url.clone());
                    CursorState::Fetch(url)
                }
            },
        };
        page
    }

    /// The URL of the next page to fetch, usable as a continuation token with
    /// [`Client::resume`]; `None` when the traversal has ended or stopped on an error.
    pub fn continuation_token(&self) -> Option<&str> {
        match &self.state {
            CursorState::Fetch(url) => Some(url),
            CursorState::Failed(_) | CursorState::Done => None,
        }
    }

    /// The `MS-CorrelationId` every request of this traversal carries.
    pub fn correlation_id(&self) -> &str {
        &self.correlation_id
    }

    /// How many pages have been returned so far.
    pub fn pages_fetched(&self) -> u32 {
        self.pages
    }

    /// Whether the traversal has ended (after the last page or after its error was returned).
    pub fn is_done(&self) -> bool {
        matches!(self.state, CursorState::Done)
    }
}
