//! A one-shot flag that a JS callback sets and a Rust future polls: the bridge shared by
//! `setTimeout` timers (`fetch.rs`) and `abort` listeners (`signal.rs`).

use std::cell::RefCell;
use std::rc::Rc;
use std::task::Waker;

use wasm_bindgen::closure::Closure;

#[derive(Debug, Default)]
struct State {
    set: bool,
    waker: Option<Waker>,
}

/// Set once by a JS callback, polled by Rust; wakes the last registered waker when set.
#[derive(Debug, Clone, Default)]
pub struct WakeFlag(Rc<RefCell<State>>);

impl WakeFlag {
    /// A JS callback that sets the flag and wakes the waiting future. Keep the closure alive
    /// for as long as JS may call it.
    pub fn callback(&self) -> Closure<dyn FnMut()> {
        let flag = self.clone();
        Closure::<dyn FnMut()>::new(move || flag.set())
    }

    /// Sets the flag and wakes the registered waker, if any.
    pub fn set(&self) {
        // A callback that runs while the flag is borrowed (re-entrancy) only marks it; the
        // poller re-checks on its next poll.
        let waker = match self.0.try_borrow_mut() {
            Ok(mut state) => {
                state.set = true;
                state.waker.take()
            }
            Err(_) => None,
        };
        if let Some(waker) = waker {
            waker.wake();
        }
    }

    /// Whether the flag is set (without registering a waker).
    pub fn is_set(&self) -> bool {
        self.0.try_borrow().map(|state| state.set).unwrap_or(false)
    }

    /// Whether the flag is set; otherwise remembers `waker` to be woken when it is. `None`
    /// when the flag is borrowed right now: the caller should re-poll.
    pub fn poll_set(&self, waker: &Waker) -> Option<bool> {
        let mut state = self.0.try_borrow_mut().ok()?;
        if state.set {
            return Some(true);
        }
        if !state.waker.as_ref().is_some_and(|w| w.will_wake(waker)) {
            state.waker = Some(waker.clone());
        }
        Some(false)
    }
}
