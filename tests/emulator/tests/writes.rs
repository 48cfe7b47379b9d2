//! `PATCH /v1.0/engagements/referrals/{id}` over real sockets: JSON Patch, eTags and `If-Match`,
//! the status table, `Prefer`, `updatedDateTime` for the incremental sync, and faults on writes.

use std::net::SocketAddr;

use partner_referrals::datetime::DateTimeOffset;
use partner_referrals::page::{decode_referral, decode_referral_page};
use partner_referrals::query::build_query;
use partner_referrals::sync::SyncState;
use partner_referrals_emulator::faults::FaultPlan;
use partner_referrals_emulator::{Config, Emulator};
use serde_json::{json, Value};

mod common;
use common::{send, Reply};

const NOW: &str = "2026-11-28T00:00:00Z";
const AUTH: (&str, &str) = ("Authorization", "Bearer demo-token");
const JSON: (&str, &str) = ("Content-Type", "application/json");
const REPRESENTATION: (&str, &str) = ("Prefer", "return=representation");

fn start(config: Config) -> Emulator {
    let now = DateTimeOffset::parse(NOW).unwrap();
    Emulator::start(Config { now: Some(now), count: 80, ..config }).unwrap()
}

/// `(status, error.code, error.target)` of an error answer.
trait ErrorReply {
    fn error(&self) -> (u16, String, String);
}

impl ErrorReply for Reply {
    fn error(&self) -> (u16, String, String) {
        let body = self.json();
        let text = |k: &str| body["error"][k].as_str().unwrap_or_default().to_string();
        assert!(!text("message").is_empty(), "{}", self.body);
        (self.status, text("code"), text("target"))
    }
}

fn path(id: &str) -> String {
    format!("/v1.0/engagements/referrals/{id}")
}

fn patch(addr: SocketAddr, id: &str, headers: &[(&str, &str)], ops: &Value) -> Option<Reply> {
    let mut all = vec![AUTH, JSON];
    all.extend_from_slice(headers);
    send(addr, "PATCH", &path(id), &all, &ops.to_string())
}

fn read(addr: SocketAddr, id: &str) -> Value {
    let reply = send(addr, "GET", &path(id), &[AUTH], "").unwrap();
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.json()
}

fn dump(addr: SocketAddr) -> Vec<Value> {
    let reply = send(addr, "GET", "/_emulator/referrals", &[], "").unwrap();
    reply.json()["value"].as_array().unwrap().clone()
}

/// The first referral with this status and substatus (incoming when `New`).
fn find(addr: SocketAddr, status: &str, substatus: &str) -> Value {
    dump(addr)
        .into_iter()
        .find(|r| {
            r["status"] == status
                && r["substatus"] == substatus
                && (status != "New" || r["direction"] == "Incoming")
        })
        .unwrap_or_else(|| panic!("no {status}/{substatus} referral in the data"))
}

fn id_of(r: &Value) -> String {
    r["id"].as_str().unwrap().to_string()
}

fn accept_ops() -> Value {
    json!([
        { "op": "replace", "path": "/status", "value": "Active" },
        { "op": "replace", "path": "/substatus", "value": "Accepted" },
    ])
}

fn date(v: &Value, name: &str) -> DateTimeOffset {
    DateTimeOffset::parse(v[name].as_str().unwrap()).unwrap()
}

#[test]
fn accept_with_representation_answers_the_updated_referral_with_a_new_etag() {
    let emulator = start(Config::default());
    let addr = emulator.addr();
    let before = find(addr, "New", "Pending");
    let id = id_of(&before);
    let etag = before["eTag"].as_str().unwrap();
    let reply = patch(addr, &id, &[REPRESENTATION, ("If-Match", etag)], &accept_ops()).unwrap();
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.header("Preference-Applied"), Some("return=representation"));
    let after = reply.json();
    decode_referral(&reply.body).unwrap();
    assert_eq!(
        (after["status"].as_str(), after["substatus"].as_str()),
        (Some("Active"), Some("Accepted"))
    );
    let new_etag = after["eTag"].as_str().unwrap();
    assert!(new_etag.starts_with('"') && new_etag.ends_with('"') && new_etag != etag, "{new_etag}");
    assert_eq!(reply.header("ETag"), Some(new_etag));
    assert!(date(&after, "updatedDateTime") > date(&before, "updatedDateTime"));
    assert_eq!(after["acceptedDateTime"], after["updatedDateTime"]);
    // Everything else is kept.
    for key in ["name", "customerProfile", "details", "team", "createdDateTime", "links"] {
        assert_eq!(after[key], before[key], "{key}");
    }
    let mut stored = read(addr, &id);
    stored.as_object_mut().unwrap().remove("@odata.context");
    let mut answered = after.clone();
    answered.as_object_mut().unwrap().remove("@odata.context");
    assert_eq!(stored, answered);
}

#[test]
fn without_prefer_the_answer_is_204_with_no_body_and_the_change_is_stored() {
    let emulator = start(Config::default());
    let addr = emulator.addr();
    let before = find(addr, "New", "Received");
    let id = id_of(&before);
    let ops = json!([
        { "op": "replace", "path": "/details/dealValue", "value": 10000 },
        { "op": "replace", "path": "/details/notes", "value": "Budget confirmed — Q3" },
        { "op": "replace", "path": "/salesStage", "value": "Propose" },
    ]);
    let reply = patch(addr, &id, &[], &ops).unwrap();
    assert_eq!(reply.status, 204);
    assert_eq!(reply.body, "");
    let after = read(addr, &id);
    assert_eq!(reply.header("ETag"), after["eTag"].as_str());
    assert_ne!(after["eTag"], before["eTag"]);
    assert_eq!(after["details"]["dealValue"], 10000);
    assert_eq!(after["details"]["notes"], "Budget confirmed — Q3");
    assert_eq!(after["details"]["currency"], before["details"]["currency"]);
    assert_eq!(after["salesStage"], "Propose");
    assert_eq!(after["status"], "New");
}

#[test]
fn a_stale_if_match_is_refused_with_412_and_changes_nothing() {
    let emulator = start(Config::default());
    let addr = emulator.addr();
    let before = find(addr, "New", "Pending");
    let id = id_of(&before);
    let old = before["eTag"].as_str().unwrap().to_string();
    // Someone else writes first.
    let notes = json!([{ "op": "replace", "path": "/details/notes", "value": "elsewhere" }]);
    assert_eq!(patch(addr, &id, &[("If-Match", &old)], &notes).unwrap().status, 204);
    let current = read(addr, &id);
    let reply = patch(addr, &id, &[REPRESENTATION, ("If-Match", &old)], &accept_ops()).unwrap();
    assert_eq!(reply.error(), (412, "preconditionFailed".into(), "If-Match".into()));
    assert_eq!(read(addr, &id), current);
    // Unquoted, or another referral's eTag, is no match either; `*` and the current one are.
    let bare = old.trim_matches('"').to_string();
    assert_eq!(patch(addr, &id, &[("If-Match", &bare)], &notes).unwrap().status, 412);
    assert_eq!(patch(addr, &id, &[("If-Match", "*")], &notes).unwrap().status, 204);
    let etag = read(addr, &id)["eTag"].as_str().unwrap().to_string();
    assert_eq!(patch(addr, &id, &[("If-Match", &etag)], &accept_ops()).unwrap().status, 204);
    assert_eq!(read(addr, &id)["status"], "Active");
}

#[test]
fn transitions_outside_the_documented_table_are_refused() {
    let emulator = start(Config::default());
    let addr = emulator.addr();
    let set = |status: &str, substatus: &str| {
        json!([
            { "op": "replace", "path": "/status", "value": status },
            { "op": "replace", "path": "/substatus", "value": substatus },
        ])
    };
    let cases = [
        (("Active", "Accepted"), ("New", "Pending"), "/status"),
        (("Closed", "Won"), ("Active", "Accepted"), "/status"),
        (("Closed", "Lost"), ("Closed", "Won"), "/substatus"),
        (("New", "Pending"), ("Active", "Declined"), "/substatus"),
        (("New", "Pending"), ("Closed", "Accepted"), "/substatus"),
    ];
    for ((from_status, from_sub), (to_status, to_sub), target) in cases {
        let before = find(addr, from_status, from_sub);
        let id = id_of(&before);
        let reply = patch(addr, &id, &[], &set(to_status, to_sub)).unwrap();
        assert_eq!(
            reply.error(),
            (400, "invalidRequest".into(), target.into()),
            "{from_status}/{from_sub} → {to_status}/{to_sub}"
        );
        assert_eq!(read(addr, &id)["eTag"], before["eTag"]);
    }
    // Only the substatus, against the current status.
    let pending = id_of(&find(addr, "New", "Pending"));
    let only_sub = json!([{ "op": "replace", "path": "/substatus", "value": "Won" }]);
    assert_eq!(patch(addr, &pending, &[], &only_sub).unwrap().error().2, "/substatus");
    // Allowed: decline with a reason, and later moves of an accepted one.
    let mut decline = set("Closed", "Declined");
    decline.as_array_mut().unwrap().push(
        json!({ "op": "replace", "path": "/statusReason", "value": "Out of our service area" }),
    );
    let reply = patch(addr, &pending, &[REPRESENTATION], &decline).unwrap();
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.json()["statusReason"], "Out of our service area");
    let active = id_of(&find(addr, "Active", "Accepted"));
    assert_eq!(patch(addr, &active, &[], &set("Closed", "Won")).unwrap().status, 204);
}

#[test]
fn unsupported_operations_and_bad_paths_get_the_documented_error_body() {
    let emulator = start(Config::default());
    let addr = emulator.addr();
    let before = find(addr, "New", "Pending");
    let id = id_of(&before);
    let refused = |ops: Value| {
        let reply = patch(addr, &id, &[], &ops).unwrap();
        assert!(reply.header("Content-Type").unwrap().starts_with("application/json"));
        reply.error()
    };
    for op in ["remove", "move", "copy", "test"] {
        let (status, code, target) =
            refused(json!([{ "op": op, "path": "/details/notes", "from": "/name", "value": "x" }]));
        assert_eq!(
            (status, code.as_str(), target.as_str()),
            (400, "invalidRequest", "/details/notes")
        );
    }
    for (ops, target) in [
        (json!([{ "op": "replace", "path": "/eTag", "value": "\"x\"" }]), "/eTag"),
        (
            json!([{ "op": "replace", "path": "/createdDateTime", "value": NOW }]),
            "/createdDateTime",
        ),
        (json!([{ "op": "replace", "path": "/direction", "value": "Outgoing" }]), "/direction"),
        (json!([{ "op": "replace", "path": "/links/self/uri", "value": "x" }]), "/links/self/uri"),
        (json!([{ "op": "replace", "path": "/id", "value": "x" }]), "/id"),
        (json!([{ "op": "replace", "path": "/nope", "value": 1 }]), "/nope"),
        (json!([{ "op": "replace", "path": "/status", "value": "active" }]), "/status"),
        (
            json!([{ "op": "replace", "path": "/details/dealValue", "value": [1] }]),
            "/details/dealValue",
        ),
        (json!([{ "op": "replace", "path": "/salesStage", "value": "Won" }]), "/salesStage"),
        (json!([{ "op": "add", "path": "/team/-", "value": "someone" }]), "/team/-"),
        (json!([{ "op": "replace", "path": "details/notes", "value": "x" }]), "details/notes"),
        (json!([]), "body"),
        (json!({ "op": "replace" }), "body"),
    ] {
        assert_eq!(refused(ops.clone()), (400, "invalidRequest".into(), target.into()), "{ops}");
    }
    // A refused patch is atomic: the valid first operation is not applied either.
    let mixed = json!([
        { "op": "replace", "path": "/details/notes", "value": "half" },
        { "op": "remove", "path": "/name" },
    ]);
    assert_eq!(refused(mixed).0, 400);
    assert_eq!(read(addr, &id)["details"], before["details"]);
    assert_eq!(read(addr, &id)["eTag"], before["eTag"]);
}

#[test]
fn add_appends_a_team_member_and_each_write_changes_the_etag() {
    let emulator = start(Config::default());
    let addr = emulator.addr();
    let before = find(addr, "Active", "Accepted");
    let id = id_of(&before);
    let member = json!({ "firstName": "Ada", "lastName": "Lovelace", "email": "ada@contoso.com" });
    let ops = json!([{ "op": "add", "path": "/team/-", "value": member }]);
    let mut etags = vec![before["eTag"].clone()];
    for round in 1..=2 {
        let reply = patch(addr, &id, &[REPRESENTATION], &ops).unwrap();
        assert_eq!(reply.status, 200, "{}", reply.body);
        let team = reply.json()["team"].as_array().unwrap().clone();
        assert_eq!(team.len(), before["team"].as_array().unwrap().len() + round);
        assert_eq!(team.last(), Some(&member));
        let etag = reply.json()["eTag"].clone();
        assert!(!etags.contains(&etag));
        etags.push(etag);
    }
}

#[test]
fn request_level_errors_on_the_write_path() {
    let emulator = start(Config::default());
    let addr = emulator.addr();
    let id = id_of(&find(addr, "New", "Pending"));
    let ops = accept_ops().to_string();
    let reply = send(addr, "PATCH", &path(&id), &[JSON], &ops).unwrap();
    assert_eq!(reply.error().1, "unauthenticated");
    let reply = send(addr, "PATCH", &path(&id), &[AUTH, ("Content-Type", "text/plain")], &ops);
    assert_eq!(reply.unwrap().error(), (415, "invalidRequest".into(), "Content-Type".into()));
    let reply = patch(addr, "00000000-0000-0000-0000-000000000000", &[], &accept_ops()).unwrap();
    assert_eq!(reply.error(), (404, "itemNotFound".into(), "id".into()));
    let reply = send(addr, "PATCH", "/v1.0/engagements/referrals", &[AUTH, JSON], &ops).unwrap();
    assert_eq!(reply.status, 405);
    assert_eq!(reply.header("Allow"), Some("GET, OPTIONS"));
    let reply = send(addr, "DELETE", &path(&id), &[AUTH], "").unwrap();
    assert_eq!(reply.header("Allow"), Some("GET, PATCH, OPTIONS"));
    let reply = patch(addr, &id, &[], &json!("not a patch")).unwrap();
    assert_eq!(reply.error().2, "body");
    let reply = send(addr, "PATCH", &path(&id), &[AUTH, JSON], "[{").unwrap();
    assert_eq!(reply.error().2, "body");
    // The browser may send a PATCH with If-Match and Prefer.
    let pre = send(
        addr,
        "OPTIONS",
        &path(&id),
        &[
            ("Origin", "http://127.0.0.1:9"),
            ("Access-Control-Request-Method", "PATCH"),
            ("Access-Control-Request-Headers", "if-match,prefer,content-type"),
        ],
        "",
    )
    .unwrap();
    assert!(pre.header("Access-Control-Allow-Methods").unwrap().contains("PATCH"));
    let allowed = pre.header("Access-Control-Allow-Headers").unwrap();
    assert!(allowed.contains("if-match") && allowed.contains("prefer"));
    let reply = patch(addr, &id, &[("Origin", "http://127.0.0.1:9")], &accept_ops()).unwrap();
    let exposed = reply.header("Access-Control-Expose-Headers").unwrap();
    assert!(exposed.contains("ETag") && exposed.contains("Preference-Applied"));
}

/// A full sync, then a write, then the next poll: exactly the written referral comes back.
#[test]
fn a_write_is_seen_by_the_next_incremental_sync_poll() {
    let emulator = start(Config::default());
    let addr = emulator.addr();
    let mut state = SyncState::new(None).unwrap();
    let poll = |state: &mut SyncState| -> Vec<String> {
        let query = build_query(&state.query()).unwrap();
        let mut target = format!("/v1.0/engagements/referrals?{query}");
        let mut delivered = Vec::new();
        loop {
            let reply = send(addr, "GET", &target, &[AUTH], "").unwrap();
            assert_eq!(reply.status, 200, "{target}: {}", reply.body);
            let page = decode_referral_page(&reply.body).unwrap();
            let body = reply.json();
            for r in body["value"].as_array().unwrap() {
                if state.observe(r["id"].as_str(), r["updatedDateTime"].as_str()) {
                    delivered.push(id_of(r));
                }
            }
            match page.next_link {
                Some(link) => target = link[link.find("/v1.0/").unwrap()..].to_string(),
                None => return delivered,
            }
        }
    };
    assert_eq!(poll(&mut state).len(), 80);
    assert_eq!(poll(&mut state), Vec::<String>::new());
    // The emulator's clock is fixed, yet two writes in a row both move past the watermark.
    for target in [find(addr, "New", "Pending"), find(addr, "Active", "Accepted")] {
        let id = id_of(&target);
        let ops = json!([{ "op": "replace", "path": "/details/notes", "value": "seen?" }]);
        assert_eq!(patch(addr, &id, &[], &ops).unwrap().status, 204);
        assert_eq!(poll(&mut state), vec![id]);
    }
}

#[test]
fn faults_apply_to_writes_and_drop_after_applies_the_write_unanswered() {
    let emulator = start(Config::default());
    let addr = emulator.addr();
    let before = find(addr, "Active", "Accepted");
    let id = id_of(&before);
    let team_len = |addr| read(addr, &id)["team"].as_array().unwrap().len();
    let size = team_len(addr);
    let add = json!([{ "op": "add", "path": "/team/-", "value": { "email": "x@contoso.com" } }]);
    // Refused before the service: nothing is applied.
    for fault in ["429", "503", "504", "drop", "500"] {
        let reply = patch(addr, &id, &[("X-Emulator-Fault", fault)], &add);
        if fault == "drop" {
            assert!(reply.is_none());
        } else {
            assert_eq!(reply.unwrap().status.to_string(), fault);
        }
        assert_eq!(team_len(addr), size, "{fault}");
    }
    // Applied, then the connection closes without an answer.
    assert!(patch(addr, &id, &[("X-Emulator-Fault", "drop-after")], &add).is_none());
    assert_eq!(team_len(addr), size + 1);
    // Armed through the admin hook for the next PATCH only (a GET in between is not affected).
    let arm = json!({ "fault": "drop-after", "method": "patch" }).to_string();
    assert_eq!(send(addr, "POST", "/_emulator/faults", &[JSON], &arm).unwrap().status, 204);
    assert_eq!(team_len(addr), size + 1);
    assert!(patch(addr, &id, &[], &add).is_none());
    assert_eq!(team_len(addr), size + 2);
    assert_eq!(patch(addr, &id, &[], &add).unwrap().status, 204);
    assert_eq!(team_len(addr), size + 3);
    // `times`, then disarming.
    let arm = json!({ "fault": "503", "times": 5 }).to_string();
    assert_eq!(send(addr, "POST", "/_emulator/faults", &[JSON], &arm).unwrap().status, 204);
    assert_eq!(patch(addr, &id, &[], &add).unwrap().status, 503);
    assert_eq!(send(addr, "DELETE", "/_emulator/faults", &[], "").unwrap().status, 204);
    assert_eq!(patch(addr, &id, &[], &add).unwrap().status, 204);
    for bad in [json!({ "fault": "teapot" }), json!({ "fault": "429", "times": 0 }), json!({})] {
        let reply = send(addr, "POST", "/_emulator/faults", &[JSON], &bad.to_string()).unwrap();
        assert_eq!(reply.status, 400, "{bad}");
    }
}

#[test]
fn a_process_fault_plan_covers_writes_too() {
    let plan = FaultPlan::parse("drop-after:1").unwrap();
    let emulator = start(Config { faults: plan, ..Config::default() });
    let addr = emulator.addr();
    let before = find(addr, "New", "Pending");
    let id = id_of(&before);
    assert!(patch(addr, &id, &[], &accept_ops()).is_none());
    let reply = send(addr, "GET", &path(&id), &[AUTH, ("X-Emulator-Fault", "none")], "").unwrap();
    assert_eq!(reply.json()["status"], "Active");
}
