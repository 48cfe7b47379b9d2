//! The incremental sync behind `client.changes()`: `openSync` → a `SyncCursor` over
//! [`crate::sync`], both hidden from the typings. The package's `changes()` (`pkg-template/api.js`) drives it: `start()`
//! gives the first query, `observe(referral)` says whether to deliver a referral, `afterPage`
//! what to request next, `token()` the state to keep.

use js_sys::{Object, Reflect};
use wasm_bindgen::prelude::*;

use super::error::{to_js, type_error};
use crate::error::Error;
use crate::query::{OrderBy, ReferralQuery};
use crate::sync::{SyncCursor, SyncState, SyncStep};

/// One poll of `changes()`.
#[wasm_bindgen(js_name = SyncCursor, skip_typescript)]
#[derive(Debug)]
pub struct JsSyncCursor {
    inner: SyncCursor,
}

/// A core error as the JS exception: a refused `since`/`filter` pairing is a `TypeError`
/// (the caller passed the wrong option), anything else the `ODataError` it is.
fn sync_err(err: Error) -> JsValue {
    match err {
        Error::InvalidOption { .. } => type_error(&format!("changes: {err}")),
        _ => to_js(&err),
    }
}

fn optional_string(value: &JsValue, what: &str) -> Result<Option<String>, JsValue> {
    if value.is_null_or_undefined() {
        Ok(None)
    } else {
        value
            .as_string()
            .map(Some)
            .ok_or_else(|| type_error(&format!("changes: {what} must be a string")))
    }
}

/// `{ filter, orderBy }` as `client.list()` takes it.
fn query_object(query: &ReferralQuery) -> Result<JsValue, JsValue> {
    let object = Object::new();
    if let Some(filter) = &query.filter {
        Reflect::set(&object, &"filter".into(), &filter.into())?;
    }
    if let Some(OrderBy::Text(order)) = &query.order_by {
        Reflect::set(&object, &"orderBy".into(), &order.into())?;
    }
    Ok(object.into())
}

fn step_value(step: SyncStep) -> Result<JsValue, JsValue> {
    match step {
        SyncStep::Query(query) => query_object(&query),
        SyncStep::Follow(_) => Ok("follow".into()),
        SyncStep::Done => Ok(JsValue::UNDEFINED),
    }
}

/// `openSync(since, filter, schema?)`: a poll from the token `since` (none: a new sync) for
/// `filter` (a string, none: all), checked against the referral type numbered `schema` (the
/// client's, with its extra fields).
#[wasm_bindgen(js_name = openSync, skip_typescript)]
pub fn open_sync(
    since: JsValue,
    filter: JsValue,
    schema: Option<u32>,
) -> Result<JsSyncCursor, JsValue> {
    let since = optional_string(&since, "`since`")?;
    let filter = optional_string(&filter, "`filter`")?;
    let schema = super::extra::schema_of(schema.unwrap_or(0));
    let state = match since {
        Some(token) => SyncState::from_token_in(&token, filter.as_deref(), schema),
        None => SyncState::new_in(filter.as_deref(), schema),
    }
    .map_err(sync_err)?;
    Ok(JsSyncCursor { inner: SyncCursor::new(state) })
}

#[wasm_bindgen(js_class = SyncCursor)]
impl JsSyncCursor {
    /// The first query (`{ filter, orderBy }`).
    pub fn start(&mut self) -> Result<JsValue, JsValue> {
        step_value(self.inner.start())
    }

    /// Folds a referral of the current page; `true` when it is a change to deliver.
    pub fn observe(&mut self, referral: &JsValue) -> bool {
        let text = |key: &str| {
            Reflect::get(referral, &JsValue::from_str(key)).ok().and_then(|v| v.as_string())
        };
        self.inner.observe(text("id").as_deref(), text("updatedDateTime").as_deref())
    }

    /// After a page: a query object, `"follow"` (call `client.next(page)`), or `undefined`
    /// when the poll is done.
    #[wasm_bindgen(js_name = afterPage)]
    pub fn after_page(&mut self, next_link: JsValue) -> Result<JsValue, JsValue> {
        let link = next_link.as_string();
        step_value(self.inner.after_page(link.as_deref()).map_err(sync_err)?)
    }

    /// The state so far, as the string to pass as `since` next time.
    pub fn token(&self) -> String {
        self.inner.state().to_token()
    }
}
