//! Reading one page ahead in a traversal: as soon as page k has arrived, passed the decoder
//! and its `nextLink` passed the cursor's checks, the request for page k + 1 is started, and
//! only then is page k handed out. The server builds page k + 1 while the caller builds and
//! consumes page k.
//!
//! The policy is here; running the request apart from the caller's task is the platform's
//! (the caller of [`ReadAhead::next_page`] says how to start it): the JS client spawns it on
//! the microtask queue, tests start a plain future. At most one request beyond the page being
//! handed out is ever started, never after a page the decoder refused or whose `nextLink`
//! cannot be followed; its failure is the result of the `next_page` that asks for its page.

use std::future::{poll_fn, Future};
use std::pin::Pin;
use std::task::Poll;

use super::{Client, Decoder, Entropy, PageCursor, TokenSource, Transport};
use crate::error::Result;

/// A prepared `GET`: URL and correlation id. The request for one page of a traversal (made by
/// its cursor) or of `list`/`next`, sent by [`Client::fetch`]; of `get`, sent by
/// [`Client::fetch_item`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageRequest {
    pub(super) url: String,
    pub(super) correlation_id: String,
}

impl PageRequest {
    /// The URL to `GET`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The traversal's `MS-CorrelationId`.
    pub fn correlation_id(&self) -> &str {
        &self.correlation_id
    }
}

/// A page that arrived for a [`PageRequest`], for its cursor to move past it.
#[derive(Debug)]
pub struct Fetched<P> {
    pub(super) page: P,
}

impl<P> Fetched<P> {
    /// The decoded page.
    pub fn page(&self) -> &P {
        &self.page
    }

    /// The decoded page, taken out.
    pub fn into_page(self) -> P {
        self.page
    }
}

/// A traversal ([`PageCursor`]) that reads one page ahead, or (`enabled = false`) requests one
/// page per page asked for.
///
/// `F` is how the platform runs a page's request apart from the caller: the future that
/// [`ReadAhead::next_page`]'s `start` makes of a [`PageRequest`] (usually one that awaits
/// [`Client::fetch`]). Dropping the `ReadAhead` drops that future, which must then stop the
/// request (the JS client's aborts its `fetch` and clears its timers).
pub struct ReadAhead<F: Future> {
    cursor: PageCursor,
    enabled: bool,
    ahead: Ahead<F>,
}

enum Ahead<F: Future> {
    None,
    Running(Pin<Box<F>>),
    Done(F::Output),
}

impl<F: Future> std::fmt::Debug for ReadAhead<F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let ahead = match self.ahead {
            Ahead::None => "none",
            Ahead::Running(_) => "running",
            Ahead::Done(_) => "done",
        };
        f.debug_struct("ReadAhead")
            .field("cursor", &self.cursor)
            .field("enabled", &self.enabled)
            .field("ahead", &ahead)
            .finish()
    }
}

impl<F, P> ReadAhead<F>
where
    F: Future<Output = Result<Fetched<P>>>,
{
    /// A traversal of `cursor`'s pages; `enabled`: read one page ahead.
    pub fn new(cursor: PageCursor, enabled: bool) -> Self {
        ReadAhead { cursor, enabled, ahead: Ahead::None }
    }

    /// The cursor: where the traversal stands. Its [`PageCursor::continuation_token`] is the
    /// page after the last one handed out, also while that page is being read ahead.
    pub fn cursor(&self) -> &PageCursor {
        &self.cursor
    }

    /// Whether the next page's request has been started and its result not yet handed out.
    pub fn is_reading_ahead(&self) -> bool {
        !matches!(self.ahead, Ahead::None)
    }

    /// The next page, or `None` after the last one: the page read ahead when there is one
    /// (its failure is this call's), else the cursor's next page fetched now. Before the page
    /// is returned, the request for the page after it is made with `start` and polled once
    /// (so a request that sends on its first poll has been sent), unless read-ahead is off or
    /// there is no page to follow.
    ///
    /// Use it with the client that made the cursor. A call dropped mid-way leaves the
    /// traversal where it was (a page being read ahead stays so).
    ///
    /// # Errors
    /// As [`PageCursor::next_page`].
    pub async fn next_page<T, K, E, D, S>(
        &mut self,
        client: &Client<T, K, E, D>,
        start: S,
    ) -> Result<Option<P>>
    where
        T: Transport,
        K: TokenSource,
        E: Entropy,
        D: Decoder<Page = P>,
        S: FnOnce(PageRequest) -> F,
    {
        let fetched = match &mut self.ahead {
            Ahead::Running(future) => future.as_mut().await,
            Ahead::Done(_) => match std::mem::replace(&mut self.ahead, Ahead::None) {
                Ahead::Done(output) => output,
                // invariant: matched `Done` just above.
                _ => return Ok(None),
            },
            Ahead::None => match self.cursor.request()? {
                None => return Ok(None),
                Some(request) => client.fetch(request).await,
            },
        };
        // From here on nothing waits: the traversal moves all at once or not at all.
        self.ahead = Ahead::None;
        let page = self.cursor.advance(client, fetched?);
        if self.enabled {
            if let Some(request) = self.cursor.peek_request() {
                let mut future = Box::pin(start(request));
                // Ready at once: this only gives the request its first step now.
                let first = poll_fn(|cx| Poll::Ready(future.as_mut().poll(cx))).await;
                self.ahead = match first {
                    Poll::Ready(output) => Ahead::Done(output),
                    Poll::Pending => Ahead::Running(future),
                };
            }
        }
        Ok(Some(page))
    }
}
