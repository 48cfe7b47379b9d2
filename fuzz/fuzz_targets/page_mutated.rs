//! Mutations of the documented seed page → the page decoder. The fuzz input is a list of
//! edits (replace a value, delete or add a property, duplicate an array element) applied to
//! the seed's JSON tree. Invariants: no panic; validation and decoding agree; when the page
//! decodes, every unknown property of every referral comes back unchanged in `extra`, and
//! the decoded page, written back with its wire names, decodes to the same page.
#![no_main]

use libfuzzer_sys::fuzz_target;
use partner_referrals::page::{decode_referral_page, validate_referral_page};
use partner_referrals::schema::REFERRAL;
use partner_referrals::ReferralPage;
use serde_json::{json, Map, Value};

const SEED: &str = include_str!("../../tests/fixtures/seed-page.json");

/// Every JSON pointer in `v`, in document order.
fn pointers(v: &Value, at: String, out: &mut Vec<String>) {
    out.push(at.clone());
    match v {
        Value::Object(m) => m.iter().for_each(|(k, x)| {
            pointers(x, format!("{at}/{}", k.replace('~', "~0").replace('/', "~1")), out)
        }),
        Value::Array(a) => {
            a.iter().enumerate().for_each(|(i, x)| pointers(x, format!("{at}/{i}"), out))
        }
        _ => {}
    }
}

/// A small value of any JSON type, shaped by `bytes`.
fn value(kind: u8, bytes: &[u8]) -> Value {
    let text = String::from_utf8_lossy(bytes).into_owned();
    match kind % 10 {
        0 => Value::Null,
        1 => Value::Bool(kind & 0x10 != 0),
        2 => json!(i64::from_le_bytes(
            bytes
                .iter()
                .copied()
                .chain([0; 8])
                .take(8)
                .collect::<Vec<_>>()
                .try_into()
                .unwrap_or([0; 8])
        )),
        3 => serde_json::Number::from_f64(f64::from_le_bytes(
            bytes
                .iter()
                .copied()
                .chain([0; 8])
                .take(8)
                .collect::<Vec<_>>()
                .try_into()
                .unwrap_or([0; 8]),
        ))
        .map_or(Value::Null, Value::Number),
        4 => json!(text),
        5 => json!([]),
        6 => json!({}),
        7 => json!(format!("2020-10-30T21:03:{text}Z")),
        8 => json!([{ "id": text }]),
        _ => json!({ "name": text, "x": [1, "2", null] }),
    }
}

fn mutate(root: &mut Value, data: &[u8]) {
    for chunk in data.chunks(8).take(16) {
        let [op, at, kind, rest @ ..] = chunk else { return };
        let mut all = Vec::new();
        pointers(root, String::new(), &mut all);
        let target = all[usize::from(*at) % all.len()].clone();
        let new = value(*kind, rest);
        let (parent_ptr, last) = target.rsplit_once('/').unwrap_or(("", ""));
        match op % 4 {
            0 => {
                if let Some(slot) = root.pointer_mut(&target) {
                    *slot = new;
                }
            }
            1 => match root.pointer_mut(parent_ptr) {
                Some(Value::Object(m)) => {
                    m.remove(&last.replace("~1", "/").replace("~0", "~"));
                }
                Some(Value::Array(a)) if !a.is_empty() => {
                    a.remove(last.parse::<usize>().unwrap_or(0) % a.len());
                }
                _ => {}
            },
            2 => {
                if let Some(Value::Object(m)) = root.pointer_mut(&target) {
                    m.insert(String::from_utf8_lossy(rest).into_owned(), new);
                }
            }
            _ => {
                if let Some(Value::Array(a)) = root.pointer_mut(&target) {
                    if let Some(first) = a.first().cloned() {
                        a.push(first);
                    }
                }
            }
        }
    }
}

fn to_wire(page: &ReferralPage) -> Value {
    let mut value = serde_json::to_value(page).expect("serialises");
    if let Some(map) = value.as_object_mut() {
        for (js, wire) in [
            ("count", "@odata.count"),
            ("nextLink", "@odata.nextLink"),
            ("context", "@odata.context"),
        ] {
            if let Some(v) = map.remove(js) {
                map.insert(wire.to_owned(), v);
            }
        }
    }
    value
}

fuzz_target!(|data: &[u8]| {
    let mut root: Value = serde_json::from_str(SEED).expect("seed parses");
    mutate(&mut root, data);
    let text = root.to_string();
    let decoded = decode_referral_page(&text);
    assert_eq!(decoded.as_ref().err(), validate_referral_page(&text).as_ref().err());
    let Ok(page) = decoded else { return };
    let referrals = root["value"].as_array().cloned().unwrap_or_default();
    assert_eq!(page.value.len(), referrals.len());
    for (decoded, sent) in page.value.iter().zip(&referrals) {
        let sent: &Map<String, Value> = sent.as_object().expect("decoded referrals are objects");
        for (k, v) in sent {
            if REFERRAL.property(k).is_none() {
                assert_eq!(decoded.extra.get(k), Some(v), "unknown property {k:?} lost");
            }
        }
    }
    // `count`, `nextLink` and `context` as unknown envelope properties collide with the
    // JavaScript names of the `@odata.*` ones; everything else re-decodes to the same page.
    let envelope = root.as_object().expect("decoded pages are objects");
    if !["count", "nextLink", "context"].iter().any(|k| envelope.contains_key(*k)) {
        let again = decode_referral_page(&to_wire(&page).to_string()).expect("re-decodes");
        assert_eq!(again, page);
    }
});
