//! Cancellation: an `AbortSignal` raced against the client's future.
//!
//! The core has no notion of cancelling: its futures can be dropped at any await point (see
//! `client`'s module docs). [`with_signal`] polls the core future and the signal side by side;
//! when the signal aborts, it returns the signal's `reason` as it is (an `Error`, a
//! `DOMException`, a string, any value, as `fetch` does) and drops the core future, whose
//! guards then abort the in-flight `fetch` and clear its timers (`fetch.rs`).
//!
//! Signals are read structurally (`aborted`, `reason`, `addEventListener`), so a signal from
//! another realm (an iframe) or a polyfill works as well as the global `AbortSignal`.

use std::future::{poll_fn, Future};
use std::pin::pin;
use std::task::{Poll, Waker};

use js_sys::{Function, Object, Reflect};
use wasm_bindgen::prelude::*;

use super::wake::WakeFlag;

#[wasm_bindgen]
extern "C" {
    /// An `AbortSignal`, or anything shaped like one (checked by [`Signal::from_js`]).
    #[derive(Debug, Clone)]
    pub type Signal;

    #[wasm_bindgen(method, catch, js_name = addEventListener)]
    fn add_event_listener(
        this: &Signal,
        kind: &str,
        listener: &Function,
        options: &Object,
    ) -> Result<(), JsValue>;

    #[wasm_bindgen(method, catch, js_name = removeEventListener)]
    fn remove_event_listener(this: &Signal, kind: &str, listener: &Function)
        -> Result<(), JsValue>;
}

impl Signal {
    /// `value` as a signal when it looks like one: an object with an `aborted` property and
    /// `addEventListener`/`removeEventListener` methods. `None` otherwise.
    pub fn from_js(value: &JsValue) -> Option<Signal> {
        let has_method = |name: &str| {
            Reflect::get(value, &JsValue::from_str(name)).is_ok_and(|f| f.is_function())
        };
        let looks_right = value.is_object()
            && Reflect::has(value, &JsValue::from_str("aborted")).unwrap_or(false)
            && has_method("addEventListener")
            && has_method("removeEventListener");
        looks_right.then(|| value.clone().unchecked_into())
    }

    /// `signal.aborted` (a throwing getter counts as not aborted).
    pub fn aborted(&self) -> bool {
        Reflect::get(self, &JsValue::from_str("aborted")).is_ok_and(|v| v.is_truthy())
    }

    /// `signal.reason`, as it is (`undefined` if the getter throws).
    pub fn reason(&self) -> JsValue {
        Reflect::get(self, &JsValue::from_str("reason")).unwrap_or(JsValue::UNDEFINED)
    }
}

/// Runs `work` until it completes or `signal` aborts, whichever comes first.
///
/// Without a signal this is `work.await`. With one: an already aborted signal rejects at once
/// (nothing of `work` runs); otherwise an `abort` listener wakes the race, which returns
/// `Err(signal.reason)` and drops `work` before returning. The listener is removed in every
/// case, so a finished call leaves nothing registered on a long-lived signal.
pub async fn with_signal<T>(
    signal: Option<&Signal>,
    work: impl Future<Output = Result<T, JsValue>>,
) -> Result<T, JsValue> {
    let Some(signal) = signal else {
        return work.await;
    };
    if signal.aborted() {
        return Err(signal.reason());
    }
    let watch = AbortWatch::new(signal);
    let mut work = pin!(work);
    poll_fn(|cx| {
        if watch.fired(cx.waker()) {
            return Poll::Ready(Err(signal.reason()));
        }
        work.as_mut().poll(cx)
    })
    .await
}

/// Polls `a` then `b`; the first to finish wins and the other is dropped.
pub async fn race<T>(a: impl Future<Output = T>, b: impl Future<Output = T>) -> T {
    let mut a = pin!(a);
    let mut b = pin!(b);
    poll_fn(|cx| match a.as_mut().poll(cx) {
        Poll::Ready(value) => Poll::Ready(value),
        Poll::Pending => b.as_mut().poll(cx),
    })
    .await
}

/// An `abort` listener on a signal, removed on drop.
struct AbortWatch {
    signal: Signal,
    fired: WakeFlag,
    listener: Option<Closure<dyn FnMut()>>,
}

impl AbortWatch {
    fn new(signal: &Signal) -> AbortWatch {
        let fired = WakeFlag::default();
        let on_abort = fired.callback();
        let options = Object::new();
        let _ = Reflect::set(&options, &JsValue::from_str("once"), &JsValue::TRUE);
        // If the signal refuses the listener, `fired` still checks `signal.aborted` on every
        // poll, so an abort is seen at the next wake-up of the work.
        let listener =
            match signal.add_event_listener("abort", on_abort.as_ref().unchecked_ref(), &options) {
                Ok(()) => Some(on_abort),
                Err(_) => None,
            };
        AbortWatch { signal: signal.clone(), fired, listener }
    }

    /// Whether the signal has aborted; otherwise remembers `waker` for the listener.
    fn fired(&self, waker: &Waker) -> bool {
        self.fired.poll_set(waker).unwrap_or(false) || self.signal.aborted()
    }
}

impl Drop for AbortWatch {
    fn drop(&mut self) {
        if let Some(listener) = self.listener.take() {
            let removed =
                self.signal.remove_event_listener("abort", listener.as_ref().unchecked_ref());
            if removed.is_err() {
                // A signal that refuses to let go may still call it: leave the (small)
                // closure to JS rather than free it.
                listener.forget();
            }
        }
    }
}
