//! Building the JSON Patch of an update: the operations a partial referral or an operations
//! array becomes, and a table of every refusal with its path.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use partner_referrals::patch::{build_patch, status_patch, Current, Op};
use partner_referrals::{Error, ErrorCode};
use serde_json::{json, Value};

fn ops(changes: Value, current: Option<Current<'_>>) -> Vec<(Op, String, Value)> {
    let patch = build_patch(changes.clone(), current.as_ref()).unwrap_or_else(|e| panic!("{e}"));
    patch.operations().iter().map(|o| (o.op, o.path.clone(), o.value.clone())).collect()
}

#[track_caller]
fn refused(changes: Value, current: Option<Current<'_>>) -> (String, String) {
    match build_patch(changes.clone(), current.as_ref()) {
        Err(e @ Error::InvalidUpdate { .. }) => {
            assert_eq!(e.code(), ErrorCode::InvalidUpdate);
            (e.path().unwrap_or_default().to_string(), e.to_string())
        }
        other => panic!("{changes}: expected InvalidUpdate, got {other:?}"),
    }
}

fn at(status: &'static str, substatus: &'static str) -> Option<Current<'static>> {
    Some(Current { status: Some(status), substatus: Some(substatus) })
}

#[test]
fn a_partial_referral_becomes_one_replace_per_leaf() {
    let got = ops(
        json!({ "details": { "dealValue": 10000, "notes": "call back" }, "statusReason": "x" }),
        None,
    );
    assert_eq!(
        got,
        [
            (Op::Replace, "/details/dealValue".into(), json!(10000)),
            (Op::Replace, "/details/notes".into(), json!("call back")),
            (Op::Replace, "/statusReason".into(), json!("x")),
        ]
    );
}

#[test]
fn arrays_nulls_and_untyped_values_are_leaves() {
    let member = json!({ "firstName": "Ada", "email": "ada@contoso.com" });
    let got = ops(
        json!({
            "team": [member],
            "externalReferenceId": null,
            "customerProfile": { "ids": { "anything": [1, { "x": 2 }] }, "address": { "city": "Oslo" } },
        }),
        None,
    );
    assert_eq!(
        got,
        [
            (Op::Replace, "/customerProfile/address/city".into(), json!("Oslo")),
            (Op::Replace, "/customerProfile/ids".into(), json!({ "anything": [1, { "x": 2 }] })),
            (Op::Replace, "/externalReferenceId".into(), Value::Null),
            (Op::Replace, "/team".into(), json!([member])),
        ]
    );
}

#[test]
fn an_operations_array_is_kept_as_given() {
    let member =
        json!({ "firstName": "Ada", "contactPreference": { "disableNotifications": true } });
    let changes = json!([
        { "op": "add", "path": "/team/-", "value": member },
        { "op": "replace", "path": "/details/dealValue", "value": "10000" },
        { "op": "replace", "path": "/team/0/email", "value": "a@b.c" },
        { "op": "add", "path": "/details/closingDateTime", "value": "2026-12-31T00:00:00Z" },
    ]);
    let patch = build_patch(changes.clone(), None).unwrap();
    assert!(!patch.is_replay_safe());
    assert_eq!(
        patch.to_json(),
        concat!(
            r#"[{"op":"add","path":"/team/-","value":{"contactPreference":{"disableNotifications":true},"firstName":"Ada"}},"#,
            r#"{"op":"replace","path":"/details/dealValue","value":"10000"},"#,
            r#"{"op":"replace","path":"/team/0/email","value":"a@b.c"},"#,
            r#"{"op":"add","path":"/details/closingDateTime","value":"2026-12-31T00:00:00Z"}]"#
        )
    );
    let body: Value = serde_json::from_str(&patch.to_json()).unwrap();
    assert_eq!(body, changes);
}

#[test]
fn only_replaces_are_replay_safe() {
    let replace = build_patch(json!({ "name": "n", "details": { "notes": "x" } }), None).unwrap();
    assert!(replace.is_replay_safe());
    let add = build_patch(json!([{ "op": "add", "path": "/team/-", "value": {} }]), None).unwrap();
    assert!(!add.is_replay_safe());
}

#[test]
fn escaped_keys_stay_escaped_in_paths() {
    let (path, message) = refused(json!({ "a/b~c": 1 }), None);
    assert_eq!(path, "/a~1b~0c");
    assert!(message.contains("unknown property `a/b~c` on Referral"), "{message}");
    let (path, _) =
        refused(json!([{ "op": "replace", "path": "/details/no~1tes", "value": "" }]), None);
    assert_eq!(path, "/details/no~1tes");
}

#[test]
fn strings_are_escaped_like_serde_json() {
    let patch =
        build_patch(json!({ "details": { "notes": "a \"q\" \\ \n\t\u{1} é 💝" } }), None).unwrap();
    let expected = serde_json::to_string(&json!([
        { "op": "replace", "path": "/details/notes", "value": "a \"q\" \\ \n\t\u{1} é 💝" }
    ]))
    .unwrap();
    assert_eq!(patch.to_json(), expected);
}

#[test]
fn accept_and_decline_patches() {
    let accept = status_patch("Active", "Accepted", None, at("New", "Pending").as_ref()).unwrap();
    assert_eq!(
        accept.to_json(),
        r#"[{"op":"replace","path":"/status","value":"Active"},{"op":"replace","path":"/substatus","value":"Accepted"}]"#
    );
    let decline =
        status_patch("Closed", "Declined", Some("no capacity"), at("New", "Pending").as_ref())
            .unwrap();
    assert_eq!(decline.operations().len(), 3);
    assert_eq!(decline.operations()[1].path, "/statusReason");
    let e = status_patch("Active", "Accepted", None, at("Closed", "Expired").as_ref()).unwrap_err();
    assert_eq!((e.code(), e.path()), (ErrorCode::InvalidUpdate, Some("/status")));
}

#[test]
fn allowed_transitions() {
    let cases = [
        (at("New", "Pending"), json!({ "status": "New", "substatus": "Received" })),
        (at("New", "Pending"), json!({ "status": "Active", "substatus": "Accepted" })),
        (at("New", "Received"), json!({ "status": "Closed", "substatus": "Declined" })),
        (at("Active", "Accepted"), json!({ "status": "Active", "substatus": "Accepted" })),
        (at("Active", "Accepted"), json!({ "status": "Closed", "substatus": "Won" })),
        (at("Closed", "Lost"), json!({ "status": "Closed", "substatus": "Won" })),
        // The current substatus fits the status sent alone.
        (at("New", "Pending"), json!({ "status": "New" })),
        // A substatus alone that fits the current status.
        (at("New", "Pending"), json!({ "substatus": "Received" })),
        (at("Closed", "Lost"), json!({ "substatus": "Won" })),
        // Without a referral only the pair is checked; a substatus alone is the server's call.
        (None, json!({ "status": "Active", "substatus": "Accepted" })),
        (None, json!({ "substatus": "Received" })),
        // An unknown current status has no row in the table: only the pair is checked.
        (at("Archived", "Gone"), json!({ "status": "Active", "substatus": "Accepted" })),
        // The last write of a path counts, as the server applies them in order.
        (
            at("New", "Pending"),
            json!([
                { "op": "replace", "path": "/substatus", "value": "Won" },
                { "op": "replace", "path": "/status", "value": "Active" },
                { "op": "replace", "path": "/substatus", "value": "Accepted" },
            ]),
        ),
    ];
    for (current, changes) in cases {
        if let Err(e) = build_patch(changes.clone(), current.as_ref()) {
            panic!("{changes} from {current:?}: {e}");
        }
    }
}

#[test]
fn every_refusal_names_its_path() {
    let member = json!({ "firstName": "Ada" });
    #[rustfmt::skip]
    let cases: Vec<(Value, Option<Current<'static>>, &str, &str)> = vec![
        // shape
        (json!("status=Active"), None, "", "changes must be an object"),
        (json!(null), None, "", "changes must be an object"),
        (json!({}), None, "", "nothing to change"),
        (json!({ "details": {} }), None, "", "nothing to change"),
        (json!([]), None, "", "nothing to change"),
        // unknown paths
        (json!({ "stauts": "New" }), None, "/stauts", "unknown property `stauts` on Referral (did you mean `status`?)"),
        (json!({ "details": { "dealvalue": 1 } }), None, "/details/dealvalue", "on ReferralDetails (did you mean `dealValue`?)"),
        (json!({ "team": [{ "firstName": "A", "emial": "x" }] }), None, "/team/0/emial", "unknown property `emial` on Member"),
        (json!([{ "op": "replace", "path": "/details/nope", "value": 1 }]), None, "/details/nope", "unknown property `nope`"),
        (json!([{ "op": "add", "path": "/team/-", "value": { "mail": "x" } }]), None, "/team/-/mail", "unknown property `mail` on Member"),
        // read-only paths
        (json!({ "id": "x" }), None, "/id", "`id` is read-only"),
        (json!({ "engagementId": "x" }), None, "/engagementId", "read-only"),
        (json!({ "createdDateTime": "2026-01-01T00:00:00Z" }), None, "/createdDateTime", "read-only"),
        (json!({ "updatedDateTime": "2026-01-01T00:00:00Z" }), None, "/updatedDateTime", "read-only"),
        (json!({ "expirationDateTime": "2026-01-01T00:00:00Z" }), None, "/expirationDateTime", "read-only"),
        (json!({ "eTag": "\"1\"" }), None, "/eTag", "read-only"),
        (json!({ "links": { "self": { "uri": "x" } } }), None, "/links", "read-only"),
        (json!({ "direction": "Incoming" }), None, "/direction", "read-only"),
        (json!({ "organizationId": "o" }), None, "/organizationId", "read-only"),
        (json!({ "partnerRole": "x" }), None, "/partnerRole", "read-only"),
        (json!([{ "op": "replace", "path": "/links/self/uri", "value": "x" }]), None, "/links", "read-only"),
        // wrong JSON types
        (json!({ "name": 5 }), None, "/name", "expected a string, found a number"),
        (json!({ "details": { "dealValue": true } }), None, "/details/dealValue", "expected a number or a decimal string, found a boolean"),
        (json!({ "details": { "dealValue": "ten" } }), None, "/details/dealValue", "`ten` is not a decimal number"),
        (json!({ "details": { "closingDateTime": "next week" } }), None, "/details/closingDateTime", "is not a date-time"),
        (json!({ "details": { "closingDateTime": 5 } }), None, "/details/closingDateTime", "expected an ISO 8601 date-time string"),
        (json!({ "consent": { "consentToContact": "yes" } }), None, "/consent/consentToContact", "expected a boolean, found a string"),
        (json!({ "team": member }), None, "/team", "expected an array, found an object"),
        (json!({ "team": ["Ada"] }), None, "/team/0", "expected a Member object, found a string"),
        (json!({ "customerProfile": "Contoso" }), None, "/customerProfile", "expected a CustomerProfile object, found a string"),
        (json!([{ "op": "add", "path": "/team/-", "value": [member] }]), None, "/team/-", "expected a Member object, found an array"),
        // enums
        (json!({ "qualification": "Hot" }), None, "/qualification", "`Hot` is not a ReferralQualification value"),
        (json!({ "type": "shared" }), None, "/type", "(did you mean `Shared`?)"),
        (json!({ "status": "active" }), None, "/status", "`active` is not a ReferralStatus value (did you mean `Active`?)"),
        (json!({ "status": null }), None, "/status", "expected a ReferralStatus string, found null"),
        (json!({ "customerProfile": { "size": 50 } }), None, "/customerProfile/size", "expected a CustomerSize string"),
        // malformed operations and pointers
        (json!([5]), None, "", "operation 0 must be an object"),
        (json!([{ "op": "replace", "value": 1 }]), None, "", "operation 0 needs a `path`"),
        (json!([{ "op": "remove", "path": "/name" }]), None, "/name", "only `add` and `replace`, not `remove`"),
        (json!([{ "op": "move", "path": "/name", "from": "/x" }]), None, "/name", "unknown member `from`"),
        (json!([{ "path": "/name", "value": "n" }]), None, "/name", "needs an `op`"),
        (json!([{ "op": "replace", "path": "/name" }]), None, "/name", "needs a `value`"),
        (json!([{ "op": "replace", "path": "", "value": {} }]), None, "", "the whole referral cannot be replaced"),
        (json!([{ "op": "replace", "path": "name", "value": "n" }]), None, "name", "starting with `/`"),
        (json!([{ "op": "replace", "path": "/team/-", "value": member }]), None, "/team/-", "can only end the path of an `add`"),
        (json!([{ "op": "add", "path": "/team/-/email", "value": "x" }]), None, "/team/-/email", "can only end the path of an `add`"),
        (json!([{ "op": "add", "path": "/team/01", "value": member }]), None, "/team/01", "not an array index"),
        (json!([{ "op": "replace", "path": "/name/first", "value": "x" }]), None, "/name/first", "`name` is a String and has no members"),
        (json!([{ "op": "replace", "path": "/details/no~2tes", "value": "x" }]), None, "/details/no~2tes", "`~` must be followed by `0` or `1`"),
        // status and substatus (docs/partner-api.md 1.3)
        (json!({ "status": "None", "substatus": "None" }), None, "/status", "cannot be moved to `None`"),
        (json!({ "status": "New", "substatus": "Pending" }), at("Active", "Accepted"), "/status", "a `Active` referral cannot move to `New`"),
        (json!({ "status": "Active", "substatus": "Accepted" }), at("Closed", "Declined"), "/status", "(Closed is final)"),
        (json!({ "status": "New", "substatus": "Pending" }), at("Closed", "Expired"), "/status", "(Closed is final)"),
        (json!({ "status": "Active", "substatus": "Pending" }), at("New", "Pending"), "/substatus", "`Pending` is not a substatus of `Active`; one of: Accepted"),
        (json!({ "status": "Closed", "substatus": "Accepted" }), None, "/substatus", "one of: Won, Lost, Declined, Expired"),
        (json!({ "status": "Active" }), at("New", "Pending"), "/status", "status `Active` needs a substatus too; one of: Accepted"),
        (json!({ "status": "Closed" }), None, "/status", "needs a substatus too"),
        (json!({ "status": "New" }), None, "/status", "needs a substatus too"),
        (json!({ "substatus": "Accepted" }), at("New", "Pending"), "/substatus", "not a substatus of the referral's status `New`; one of: Pending, Received (or set `status` too)"),
        (json!({ "substatus": "Won" }), at("Active", "Accepted"), "/substatus", "of the referral's status `Active`"),
        (json!([{ "op": "replace", "path": "/status", "value": "Active" }]), at("New", "Pending"), "/status", "needs a substatus"),
    ];
    for (changes, current, path, message) in cases {
        let (got_path, got_message) = refused(changes.clone(), current);
        assert_eq!(got_path, path, "{changes}: {got_message}");
        assert!(got_message.contains(message), "{changes}: {got_message:?} lacks {message:?}");
    }
}

#[test]
fn the_connector_fields_are_writable_from_the_schema() {
    let got = ops(
        json!({
            "salesStage": "Propose",
            "favorite": true,
            "details": { "customerAction": "call", "customerRequestedContact": false },
            "inviteContext": { "assistanceRequestCode": "QuotesOrLicensing" },
        }),
        None,
    );
    let paths: Vec<&str> = got.iter().map(|(_, p, _)| p.as_str()).collect();
    assert_eq!(
        paths,
        [
            "/details/customerAction",
            "/details/customerRequestedContact",
            "/favorite",
            "/inviteContext/assistanceRequestCode",
            "/salesStage",
        ]
    );
    let (path, message) = refused(json!({ "salesStage": "propose" }), None);
    assert_eq!(path, "/salesStage");
    assert!(message.contains("(did you mean `Propose`?)"), "{message}");
    // Read-only by the schema's own flag or by the write path's list.
    for name in ["lastModifiedVia", "closedDateTime", "registrationStatus"] {
        let (path, message) = refused(json!({ name: "2026-01-01T00:00:00Z" }), None);
        assert_eq!(path, format!("/{name}"));
        assert!(message.contains("read-only"), "{message}");
    }
}

#[test]
fn refusals_quote_their_path_in_the_message() {
    let (_, message) = refused(json!({ "details": { "dealValue": [] } }), None);
    assert_eq!(
        message,
        "expected a number or a decimal string, found an array at `/details/dealValue`"
    );
}
