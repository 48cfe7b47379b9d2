//! [`Task`]: a future run apart from the task that started it (on the microtask queue, as
//! `spawn_local` runs it), whose result its handle awaits, and which is dropped with its
//! handle. The client's read-ahead: page k + 1's request keeps going (its response read, its
//! retries and waits) while the caller builds and consumes page k.

use std::cell::RefCell;
use std::future::{poll_fn, Future};
use std::pin::Pin;
use std::rc::{Rc, Weak};
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};

use js_sys::futures::spawn_local;
use js_sys::Function;
use wasm_bindgen::prelude::*;

use super::wake::WakeFlag;

type Work<T> = Pin<Box<dyn Future<Output = Option<T>>>>;

struct State<T> {
    /// The work, until it finishes (or is taken out while the driver polls it).
    work: Option<Work<T>>,
    output: Option<T>,
    /// The handle's waker, woken when `output` is set.
    waiter: Option<Waker>,
}

/// The handle of a running future: awaits its output; dropping it drops the future (a
/// `fetch` aborts, a timer is cleared: see `fetch.rs`).
pub struct Task<T> {
    state: Rc<RefCell<State<T>>>,
}

impl<T> std::fmt::Debug for Task<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Task")
    }
}

struct NoWake;

impl Wake for NoWake {
    fn wake(self: Arc<Self>) {}
}

impl<T: 'static> Task<T> {
    /// Starts `work`: polls it once at once (so that its first step, e.g. calling `fetch`,
    /// happens before the caller goes on), then lets it run on its own. Work that ends with
    /// `None` (it gave up: its signal aborted) never completes the handle.
    pub fn spawn(work: impl Future<Output = Option<T>> + 'static) -> Task<T> {
        let mut work: Work<T> = Box::pin(work);
        let state = Rc::new(RefCell::new(State { work: None, output: None, waiter: None }));
        // The driver polls again right after (a microtask), with a waker that reaches it.
        let waker = Waker::from(Arc::new(NoWake));
        match work.as_mut().poll(&mut Context::from_waker(&waker)) {
            Poll::Ready(output) => state.borrow_mut().output = output,
            Poll::Pending => {
                state.borrow_mut().work = Some(work);
                spawn_local(drive(Rc::downgrade(&state)));
            }
        }
        Task { state }
    }
}

/// Polls the work of `state` until it finishes or its handle is gone.
async fn drive<T>(state: Weak<RefCell<State<T>>>) {
    poll_fn(|cx| {
        let Some(state) = state.upgrade() else { return Poll::Ready(()) };
        // Taken out while polled: the work may not find its own state borrowed.
        let work = match state.try_borrow_mut() {
            Ok(mut state) => state.work.take(),
            Err(_) => {
                cx.waker().wake_by_ref();
                return Poll::Pending;
            }
        };
        let Some(mut work) = work else { return Poll::Ready(()) };
        let polled = work.as_mut().poll(cx);
        let Ok(mut slot) = state.try_borrow_mut() else { return Poll::Ready(()) };
        match polled {
            Poll::Pending => {
                slot.work = Some(work);
                Poll::Pending
            }
            Poll::Ready(output) => {
                slot.output = output;
                let waiter = slot.waiter.take();
                drop(slot);
                drop(work);
                if let Some(waiter) = waiter {
                    waiter.wake();
                }
                Poll::Ready(())
            }
        }
    })
    .await
}

impl<T> Future for Task<T> {
    type Output = T;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        let Ok(mut state) = self.state.try_borrow_mut() else {
            cx.waker().wake_by_ref();
            return Poll::Pending;
        };
        match state.output.take() {
            Some(output) => Poll::Ready(output),
            None => {
                state.waiter = Some(cx.waker().clone());
                Poll::Pending
            }
        }
    }
}

impl<T> Drop for Task<T> {
    fn drop(&mut self) {
        // Dropped outside the borrow: dropping the work runs its guards (abort, clear).
        let work = self.state.try_borrow_mut().ok().and_then(|mut state| state.work.take());
        drop(work);
    }
}

#[wasm_bindgen]
extern "C" {
    /// Node's `setImmediate` (absent in browsers: then the call throws and is caught).
    #[wasm_bindgen(js_name = setImmediate, catch)]
    fn set_immediate(handler: &Function) -> Result<JsValue, JsValue>;

    #[wasm_bindgen(js_name = clearImmediate, catch)]
    fn clear_immediate(handle: &JsValue) -> Result<(), JsValue>;
}

/// Lets the event loop turn once where that is cheap (`setImmediate`: Node, Bun); elsewhere
/// returns at once.
///
/// Node's `fetch` (undici) sends a request on a kept-alive connection only once the previous
/// response's connection has been handed back, which happens in a later turn of the event
/// loop: a read-ahead request started right after a page's body arrived would otherwise
/// leave only after everything the caller does next (building and consuming that page).
///
/// The future may be dropped before the turn comes (the call's signal aborted): the
/// [`Immediate`] guard then clears the pending `setImmediate` before its callback is freed.
pub async fn yield_to_event_loop() {
    let Some(immediate) = Immediate::new() else { return };
    poll_fn(|cx| match immediate.fired.poll_set(cx.waker()) {
        Some(true) => Poll::Ready(()),
        Some(false) => Poll::Pending,
        None => {
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    })
    .await;
}

/// A pending `setImmediate` and the callback it will call. Dropped before it fired, it clears
/// the immediate first: JS never calls a freed closure.
struct Immediate {
    fired: WakeFlag,
    handle: JsValue,
    callback: Option<Closure<dyn FnMut()>>,
}

impl Immediate {
    /// `None` where there is no `setImmediate`.
    fn new() -> Option<Immediate> {
        let fired = WakeFlag::default();
        let callback = fired.callback();
        let handle = set_immediate(callback.as_ref().unchecked_ref()).ok()?;
        Some(Immediate { fired, handle, callback: Some(callback) })
    }
}

impl Drop for Immediate {
    fn drop(&mut self) {
        let Some(callback) = self.callback.take() else { return };
        if !self.fired.is_set() && clear_immediate(&self.handle).is_err() {
            // It may still fire: leave the (small) closure to JS rather than free it.
            callback.forget();
        }
    }
}
