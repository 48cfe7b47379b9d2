//! The emulator over real sockets: an in-process server on port 0 and a tiny std::net client.

use std::collections::HashSet;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use partner_referrals::datetime::DateTimeOffset;
use partner_referrals::page::{decode_referral, decode_referral_page};
use partner_referrals::query::{percent_encode, Filter};
use partner_referrals_emulator::data::{DOCUMENTED_ID, STATUS_PAIRS};
use partner_referrals_emulator::faults::FaultPlan;
use partner_referrals_emulator::odata::served_schema;
use partner_referrals_emulator::{Config, Emulator};
use serde_json::{json, Value};

mod common;
use common::{send, Reply};

const NOW: &str = "2026-11-28T00:00:00Z";
const TOKEN: &str = "Bearer demo-token";
const SEED_PAGE: &str = include_str!("../../fixtures/seed-page.json");

fn now() -> DateTimeOffset {
    DateTimeOffset::parse(NOW).unwrap()
}

fn start(config: Config) -> Emulator {
    Emulator::start(Config { now: Some(now()), ..config }).unwrap()
}

fn emulator() -> Emulator {
    start(Config::default())
}

fn get(addr: SocketAddr, target: &str) -> Reply {
    send(addr, "GET", target, &[("Authorization", TOKEN)], "").expect("an answer")
}

/// The request target of an absolute URL served by `addr` (asserting the documented shape).
fn target_of(addr: SocketAddr, url: &str) -> String {
    let origin = format!("http://{addr}");
    let rest = url.strip_prefix(&origin).unwrap_or_else(|| panic!("{url} is not on {origin}"));
    assert!(rest.starts_with("/v1.0/referrals?$skiptoken="), "{url}");
    rest.to_string()
}

/// Follows every nextLink from `first`; returns the pages (each checked to decode).
fn all_pages(addr: SocketAddr, first: &str) -> Vec<Value> {
    let mut pages = Vec::new();
    let mut target = first.to_string();
    loop {
        let reply = get(addr, &target);
        assert_eq!(reply.status, 200, "{target}: {}", reply.body);
        decode_referral_page(&reply.body).unwrap_or_else(|e| panic!("{target}: {e}"));
        let page = reply.json();
        let next = page.get("@odata.nextLink").and_then(Value::as_str).map(str::to_string);
        pages.push(page);
        match next {
            Some(url) => target = target_of(addr, &url),
            None => return pages,
        }
        assert!(pages.len() < 1000, "paging does not end");
    }
}

fn ids(pages: &[Value]) -> Vec<String> {
    pages
        .iter()
        .flat_map(|p| p["value"].as_array().unwrap().iter())
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect()
}

/// All referrals in the default order, from the admin dump.
fn dump(addr: SocketAddr) -> Vec<Value> {
    let reply = send(addr, "GET", "/_emulator/referrals", &[], "").unwrap();
    assert_eq!(reply.status, 200);
    let body = reply.json();
    assert_eq!(body["now"], "2026-11-28T00:00:00.0000000Z");
    body["value"].as_array().unwrap().clone()
}

fn list(filter: &str, rest: &str) -> String {
    format!("/v1.0/engagements/referrals?$filter={}{rest}", percent_encode(filter))
}

fn date(v: &Value, name: &str) -> DateTimeOffset {
    DateTimeOffset::parse(v[name].as_str().unwrap()).unwrap()
}

#[test]
fn paging_yields_every_referral_once_in_order_and_every_page_decodes() {
    let emu = emulator();
    let addr = emu.addr();
    let everything = dump(addr);
    assert_eq!(everything.len(), 500);
    let pages = all_pages(addr, "/v1.0/engagements/referrals");
    assert_eq!(pages.len(), 5, "default page size 100");
    for page in &pages {
        assert_eq!(page["@odata.count"], 500);
        assert_eq!(page["@odata.context"], format!("http://{addr}/v1.0/$metadata#Referrals"));
    }
    let served = ids(&pages);
    let expected: Vec<String> =
        everything.iter().map(|r| r["id"].as_str().unwrap().to_string()).collect();
    assert_eq!(served, expected);
    assert_eq!(served.iter().collect::<HashSet<_>>().len(), 500);
    // Default order: createdDateTime desc.
    let all: Vec<&Value> = pages.iter().flat_map(|p| p["value"].as_array().unwrap()).collect();
    assert!(all.windows(2).all(|w| date(w[0], "createdDateTime") >= date(w[1], "createdDateTime")));
    assert!(pages.last().unwrap().get("@odata.nextLink").is_none());
}

#[test]
fn following_next_links_keeps_filter_order_top_and_select() {
    let emu = emulator();
    let addr = emu.addr();
    let filter = "direction eq 'Incoming' or details/dealValue ge 100000";
    let pages = all_pages(
        addr,
        &list(filter, "&$orderby=updatedDateTime%20asc&$top=37&$select=id,updatedDateTime"),
    );
    let f = Filter::parse(filter).unwrap();
    let mut expected: Vec<Value> = dump(addr).into_iter().filter(|r| f.matches(r, now())).collect();
    expected.sort_by(|a, b| {
        date(a, "updatedDateTime")
            .cmp(&date(b, "updatedDateTime"))
            .then_with(|| a["id"].as_str().cmp(&b["id"].as_str()))
    });
    let total = expected.len();
    assert!(total > 100 && total < 500, "{total}");
    assert_eq!(pages.len(), total.div_ceil(37));
    for page in &pages {
        assert_eq!(page["@odata.count"], total);
        for r in page["value"].as_array().unwrap() {
            let keys: Vec<&String> = r.as_object().unwrap().keys().collect();
            assert_eq!(keys, ["id", "updatedDateTime"]);
        }
    }
    let expected_ids: Vec<&str> = expected.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(ids(&pages), expected_ids);
}

#[test]
fn filter_narrows_to_exactly_what_the_evaluator_accepts() {
    let emu = emulator();
    let addr = emu.addr();
    let data = dump(addr);
    let filters = [
        "engagementId eq '65edc0b5-3485-41b7-a17e-dfa9ef4706e2'",
        "status eq 'New' and qualification eq 'SalesQualified'",
        "customerProfile/address/country eq 'US' and direction eq 'Incoming'",
        "(type eq 'Shared' and direction eq 'Incoming')",
        "(direction eq 'Incoming' and substatus eq 'Pending')",
        "status eq 'Active' and direction eq 'Outgoing' and type eq 'Shared' and team/any(t:t/email eq 'r2d2@contoso.com')",
        "direction eq 'Incoming' and substatus eq 'Pending' and createdDateTime le now() sub duration'P11D'",
        "contains(tolower(customerProfile/name), 'brien') or customerProfile/address/city eq '東京'",
        "details/currency in ('EUR', 'GBP') and details/dealValue gt 50000.5",
        "salesStage eq 'Develop'",
        "favorite eq true and salesStage ne null",
        "inviteContext/assistanceRequestCode eq 'ProofOfConceptOrDemo'",
        "details/customerRequestedContact and startswith(campaignId,'CMP-')",
        "lastModifiedVia eq 'API' or lastRunId ne null",
        "referralProgram eq 'Co-sell' and startswith(mpnId,'40000')",
        "closedDateTime ge 2026-11-01T00:00:00Z and registrationStatus eq 'Approved'",
        // Served beyond the library's schema: checked with the emulator's declaration.
        "isSpam eq true",
        "not isSpam and direction eq 'Incoming'",
    ];
    for filter in filters {
        let f =
            Filter::parse_in(filter, served_schema()).unwrap_or_else(|e| panic!("{filter}: {e}"));
        let expected: Vec<&str> = data
            .iter()
            .filter(|r| f.matches(r, now()))
            .map(|r| r["id"].as_str().unwrap())
            .collect();
        assert!(
            !expected.is_empty() && expected.len() < data.len(),
            "{filter}: {}",
            expected.len()
        );
        assert_eq!(ids(&all_pages(addr, &list(filter, ""))), expected, "{filter}");
    }
    // Independently of the evaluator: the documented "incoming pending" sample.
    let pending: Vec<&str> = data
        .iter()
        .filter(|r| r["direction"] == "Incoming" && r["substatus"] == "Pending")
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    let served = all_pages(addr, &list("direction eq 'Incoming' and substatus eq 'Pending'", ""));
    assert_eq!(ids(&served), pending);
    // The documented engagementId sample finds the documented referral.
    let one =
        ids(&all_pages(addr, &list("engagementId eq '65edc0b5-3485-41b7-a17e-dfa9ef4706e2'", "")));
    assert!(one.contains(&DOCUMENTED_ID.to_string()));
}

#[test]
fn invalid_options_answer_400_with_the_documented_error_body() {
    let emu = emulator();
    let addr = emu.addr();
    let cases = [
        (list("status eq 'new'", ""), "$filter", "did you mean `'New'`"),
        (list("customerProfile/adress/country eq 'US'", ""), "$filter", "address"),
        (list("status eq", ""), "$filter", "position"),
        ("/v1.0/engagements/referrals?$orderby=name%20desc".into(), "$orderby", "name"),
        ("/v1.0/engagements/referrals?$orderby=createdDateTime%20up".into(), "$orderby", "up"),
        ("/v1.0/engagements/referrals?$select=id,nope".into(), "$select", "nope"),
        ("/v1.0/engagements/referrals?$top=0".into(), "$top", "positive"),
        ("/v1.0/engagements/referrals?$top=ten".into(), "$top", "positive"),
        ("/v1.0/engagements/referrals?$count=maybe".into(), "$count", "true"),
        ("/v1.0/engagements/referrals?$skip=5".into(), "$skip", "not supported"),
        ("/v1.0/engagements/referrals?$skiptoken=garbage".into(), "$skiptoken", "invalid"),
    ];
    for (target, option, needle) in cases {
        let reply = get(addr, &target);
        assert_eq!(reply.status, 400, "{target}");
        let body = reply.json();
        let error = body["error"].as_object().unwrap();
        assert_eq!(body.as_object().unwrap().len(), 1);
        assert_eq!(error["code"], "invalidRequest");
        assert_eq!(error["target"], option, "{target}");
        let message = error["message"].as_str().unwrap();
        assert!(message.contains(needle), "{target}: {message}");
        assert!(reply.header("Request-ID").is_some());
    }
    // The filter message is the library's own, position included.
    let reply = get(addr, &list("status eq 'new'", ""));
    let library = Filter::parse("status eq 'new'").unwrap_err().to_string();
    assert_eq!(reply.json()["error"]["message"], library);
}

#[test]
fn orderby_sorts_both_fields_both_ways() {
    let emu = emulator();
    let addr = emu.addr();
    for field in ["createdDateTime", "updatedDateTime"] {
        for dir in ["asc", "desc", ""] {
            let order = format!("{field} {dir}").trim().to_string();
            let target =
                format!("/v1.0/engagements/referrals?$orderby={}&$top=100", percent_encode(&order));
            let pages = all_pages(addr, &target);
            let all: Vec<&Value> =
                pages.iter().flat_map(|p| p["value"].as_array().unwrap()).collect();
            assert_eq!(all.len(), 500);
            let sorted = all.windows(2).all(|w| {
                let (a, b) = (date(w[0], field), date(w[1], field));
                if dir == "desc" {
                    a >= b
                } else {
                    a <= b
                }
            });
            assert!(sorted, "{order}");
        }
    }
}

#[test]
fn top_sets_the_page_size_capped_at_100_and_count_is_always_sent() {
    let emu = emulator();
    let addr = emu.addr();
    let reply = get(addr, "/v1.0/engagements/referrals?$top=5");
    let page = decode_referral_page(&reply.body).unwrap();
    assert_eq!(page.value.len(), 5);
    assert_eq!(page.count, Some(500));
    assert!(page.next_link.is_some());
    let big =
        decode_referral_page(&get(addr, "/v1.0/engagements/referrals?$top=1000").body).unwrap();
    assert_eq!(big.value.len(), 100);
    let counted = get(addr, &list("status eq 'Closed'", "&$count=true&$top=3"));
    let page = decode_referral_page(&counted.body).unwrap();
    let closed = dump(addr).iter().filter(|r| r["status"] == "Closed").count();
    assert_eq!(page.count, Some(closed as u64));
    let uncounted =
        decode_referral_page(&get(addr, &list("status eq 'Closed'", "&$count=false")).body)
            .unwrap();
    assert_eq!(uncounted.count, Some(closed as u64));
    // Small page-size configuration.
    let small = start(Config { page_size: 7, count: 20, ..Config::default() });
    let pages = all_pages(small.addr(), "/v1.0/engagements/referrals?$top=50");
    assert_eq!(
        pages.iter().map(|p| p["value"].as_array().unwrap().len()).collect::<Vec<_>>(),
        [7, 7, 6]
    );
}

#[test]
fn select_returns_only_the_selected_properties() {
    let emu = emulator();
    let addr = emu.addr();
    let reply = get(addr, "/v1.0/engagements/referrals?$select=id,status,customerProfile");
    let page = reply.json();
    assert_eq!(
        page["@odata.context"],
        format!("http://{addr}/v1.0/$metadata#Referrals(id,status,customerProfile)")
    );
    for r in page["value"].as_array().unwrap() {
        let keys: HashSet<&str> = r.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(keys, HashSet::from(["id", "status", "customerProfile"]));
    }
    let without_id = get(addr, "/v1.0/engagements/referrals?$select=status").json();
    assert!(without_id["value"][0].get("id").is_none());
    decode_referral_page(&reply.body).unwrap();
}

#[test]
fn the_documented_quirk_path_is_the_list_endpoint() {
    let emu = emulator();
    let addr = emu.addr();
    let a = get(addr, "/v1.0/engagements/referrals?$top=3").json();
    let b = get(addr, "/v1.0/referrals?$top=3").json();
    assert_eq!(a, b);
    let next = a["@odata.nextLink"].as_str().unwrap();
    assert!(next.starts_with(&format!("http://{addr}/v1.0/referrals?$skiptoken=")), "{next}");
    // The same continuation on either path.
    let token = next.split_once("$skiptoken=").unwrap().1;
    let via_quirk = get(addr, &format!("/v1.0/referrals?$skiptoken={token}")).json();
    let via_list = get(addr, &format!("/v1.0/engagements/referrals?$skiptoken={token}")).json();
    assert_eq!(via_quirk, via_list);
    assert_eq!(via_quirk["value"].as_array().unwrap().len(), 3);
    // The nextLink uses the host the client addressed.
    let host = format!("localhost:{}", addr.port());
    let reply = send(
        addr,
        "GET",
        "/v1.0/referrals?$top=1",
        &[("Authorization", TOKEN), ("Host", &host)],
        "",
    );
    let next = reply.unwrap().json()["@odata.nextLink"].as_str().unwrap().to_string();
    assert!(next.starts_with(&format!("http://{host}/v1.0/referrals?$skiptoken=")), "{next}");
}

#[test]
fn the_documented_referral_is_served_verbatim_and_by_id() {
    let emu = emulator();
    let addr = emu.addr();
    let documented = serde_json::from_str::<Value>(SEED_PAGE).unwrap()["value"][0].clone();
    assert!(dump(addr).contains(&documented));
    let reply = get(addr, &format!("/v1.0/engagements/referrals/{DOCUMENTED_ID}"));
    assert_eq!(reply.status, 200);
    decode_referral(&reply.body).unwrap();
    let mut body = reply.json();
    let context = body.as_object_mut().unwrap().remove("@odata.context").unwrap();
    assert_eq!(context, format!("http://{addr}/v1.0/$metadata#Referrals/$entity"));
    assert_eq!(body, documented);
    // Selected properties only, and the quirk path too.
    let selected = get(addr, &format!("/v1.0/referrals/{DOCUMENTED_ID}?$select=id,status")).json();
    assert_eq!(selected["status"], "New");
    assert_eq!(selected.as_object().unwrap().len(), 3);
    // Every generated referral is reachable by id and has its eTag as ETag.
    let some = dump(addr)[17].clone();
    let reply = get(addr, &format!("/v1.0/engagements/referrals/{}", some["id"].as_str().unwrap()));
    assert_eq!(reply.header("ETag"), some["eTag"].as_str());
    // Unknown id: 404 with the documented body.
    let missing = get(addr, "/v1.0/engagements/referrals/00000000-0000-0000-0000-000000000000");
    assert_eq!(missing.status, 404);
    assert_eq!(missing.json()["error"]["code"], "itemNotFound");
    assert_eq!(missing.json()["error"]["target"], "id");
    let nowhere = get(addr, "/v1.0/engagements/nothing");
    assert_eq!(nowhere.status, 404);
}

#[test]
fn auth_is_required_and_401_has_the_documented_shape() {
    let emu = emulator();
    let addr = emu.addr();
    for auth in [None, Some("Basic abc"), Some("Bearer "), Some("Bearer"), Some("Bearer expired-1")]
    {
        let headers: Vec<(&str, &str)> = auth.map(|a| ("Authorization", a)).into_iter().collect();
        let reply = send(addr, "GET", "/v1.0/engagements/referrals", &headers, "").unwrap();
        assert_eq!(reply.status, 401, "{auth:?}");
        assert!(reply.header("WWW-Authenticate").unwrap().starts_with("Bearer"));
        let body = reply.json();
        assert_eq!(body["error"]["code"], "unauthenticated");
        assert!(body["error"]["message"].as_str().is_some_and(|m| !m.is_empty()));
    }
    let ok =
        send(addr, "GET", "/v1.0/engagements/referrals/x", &[("authorization", "bearer t")], "");
    assert_eq!(ok.unwrap().status, 404, "scheme is case-insensitive; then the id is unknown");
    let post = send(addr, "POST", "/v1.0/engagements/referrals", &[("Authorization", TOKEN)], "{}");
    let post = post.unwrap();
    assert_eq!(post.status, 405);
    assert_eq!(post.header("Allow"), Some("GET, OPTIONS"));
}

#[test]
fn correlation_headers_are_echoed_and_request_ids_are_fresh() {
    let emu = emulator();
    let addr = emu.addr();
    let headers = [
        ("Authorization", TOKEN),
        ("MS-CorrelationId", "11111111-2222-3333-4444-555555555555"),
        ("client-request-id", "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"),
        ("MS-RequestId", "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"),
    ];
    let a = send(addr, "GET", "/v1.0/engagements/referrals?$top=1", &headers, "").unwrap();
    let b = send(addr, "GET", "/v1.0/engagements/referrals?$top=1", &headers, "").unwrap();
    assert_eq!(a.header("MS-CorrelationId"), Some("11111111-2222-3333-4444-555555555555"));
    assert_eq!(a.header("client-request-id"), Some("aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"));
    assert_eq!(a.header("MS-RequestId"), Some("aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"));
    let (ra, rb) = (a.header("Request-ID").unwrap(), b.header("Request-ID").unwrap());
    assert_ne!(ra, rb);
    for id in [ra, rb] {
        assert_eq!(id.len(), 36);
        assert_eq!(id.matches('-').count(), 4);
    }
    assert_eq!(a.header("Content-Type"), Some("application/json; charset=utf-8"));
}

#[test]
fn cors_preflight_and_headers() {
    let emu = emulator();
    let addr = emu.addr();
    let origin = "http://127.0.0.1:5173";
    let pre = send(
        addr,
        "OPTIONS",
        "/v1.0/engagements/referrals?$top=1",
        &[
            ("Origin", origin),
            ("Access-Control-Request-Method", "GET"),
            ("Access-Control-Request-Headers", "authorization,client-request-id,ms-correlationid"),
        ],
        "",
    )
    .unwrap();
    assert_eq!(pre.status, 204);
    assert_eq!(pre.header("Access-Control-Allow-Origin"), Some(origin));
    assert!(pre.header("Access-Control-Allow-Methods").unwrap().contains("GET"));
    let allowed = pre.header("Access-Control-Allow-Headers").unwrap();
    for h in [
        "authorization",
        "accept",
        "client-request-id",
        "ms-requestid",
        "ms-correlationid",
        "x-locale",
        "content-type",
    ] {
        assert!(allowed.split(", ").any(|a| a == h), "{h}");
    }
    let reply = send(
        addr,
        "GET",
        "/v1.0/engagements/referrals?$top=1",
        &[("Authorization", TOKEN), ("Origin", origin)],
        "",
    )
    .unwrap();
    assert_eq!(reply.header("Access-Control-Allow-Origin"), Some(origin));
    let exposed = reply.header("Access-Control-Expose-Headers").unwrap();
    for h in ["Request-ID", "Retry-After", "MS-CorrelationId", "client-request-id"] {
        assert!(exposed.split(", ").any(|e| e == h), "{h}");
    }
    // Errors are readable cross-origin too, and without Origin the answer is `*`.
    let denied =
        send(addr, "GET", "/v1.0/engagements/referrals", &[("Origin", origin)], "").unwrap();
    assert_eq!(denied.header("Access-Control-Allow-Origin"), Some(origin));
    let plain = get(addr, "/v1.0/engagements/referrals?$top=1");
    assert_eq!(plain.header("Access-Control-Allow-Origin"), Some("*"));
}

/// What a client observes for one request: status, Retry-After, whether the body is JSON.
fn observe(addr: SocketAddr, target: &str, headers: &[(&str, &str)]) -> String {
    let mut all = vec![("Authorization", TOKEN)];
    all.extend_from_slice(headers);
    match send(addr, "GET", target, &all, "") {
        None => "dropped".into(),
        Some(r) => {
            let json = serde_json::from_str::<Value>(&r.body).is_ok();
            format!("{} ra={:?} json={json}", r.status, r.header("Retry-After"))
        }
    }
}

#[test]
fn process_faults_are_reproducible_with_a_seed() {
    let plan =
        FaultPlan::parse("429:0.25,503:0.15,504:0.05,drop:0.1,malformed:0.1,slow:0.05").unwrap();
    let run = |fault_seed| {
        let emu =
            start(Config { faults: plan.clone(), fault_seed, slow_ms: 1, ..Config::default() });
        (0..60)
            .map(|_| observe(emu.addr(), "/v1.0/engagements/referrals?$top=2", &[]))
            .collect::<Vec<_>>()
    };
    let a = run(7);
    assert_eq!(a, run(7));
    assert_ne!(a, run(8));
    for wanted in [
        "200 ra=None json=true",
        "429 ra=Some(\"1\") json=true",
        "429 ra=None json=true",
        "503 ra=Some(\"1\") json=true",
        "503 ra=None json=true",
        "504 ra=None json=true",
        "200 ra=None json=false",
        "dropped",
    ] {
        assert!(a.iter().any(|o| o == wanted), "{wanted} not in {a:#?}");
    }
    // Admin hooks and preflights never draw faults.
    let emu = start(Config { faults: FaultPlan::parse("drop:1").unwrap(), ..Config::default() });
    assert_eq!(dump(emu.addr()).len(), 500);
    assert_eq!(
        send(emu.addr(), "OPTIONS", "/v1.0/engagements/referrals", &[], "").unwrap().status,
        204
    );
    assert_eq!(observe(emu.addr(), "/v1.0/engagements/referrals", &[]), "dropped");
    // `none` overrides the plan for one request.
    let clean = observe(emu.addr(), "/v1.0/engagements/referrals?_fault=none", &[]);
    assert_eq!(clean, "200 ra=None json=true");
}

#[test]
fn per_request_faults_by_header_or_query() {
    let emu = start(Config { slow_ms: 1, retry_after_seconds: 2, ..Config::default() });
    let addr = emu.addr();
    let cases = [
        ("429", "429 ra=Some(\"2\") json=true"),
        ("429-no-retry-after", "429 ra=None json=true"),
        ("503", "503 ra=None json=true"),
        ("503-retry-after", "503 ra=Some(\"2\") json=true"),
        ("504", "504 ra=None json=true"),
        ("500", "500 ra=None json=true"),
        ("401", "401 ra=None json=true"),
        ("403", "403 ra=None json=true"),
        ("slow", "200 ra=None json=true"),
        ("malformed", "200 ra=None json=false"),
        ("drop", "dropped"),
    ];
    for (fault, expected) in cases {
        let by_header =
            observe(addr, "/v1.0/engagements/referrals", &[("X-Emulator-Fault", fault)]);
        assert_eq!(by_header, expected, "header {fault}");
        let by_query = observe(addr, &format!("/v1.0/engagements/referrals?_fault={fault}"), &[]);
        assert_eq!(by_query, expected, "query {fault}");
    }
    // The malformed body is what a client must reject as InvalidResponse.
    let bad = send(
        addr,
        "GET",
        "/v1.0/engagements/referrals?_fault=malformed",
        &[("Authorization", TOKEN)],
        "",
    )
    .unwrap();
    assert_eq!(decode_referral_page(&bad.body).unwrap_err().code().to_string(), "InvalidResponse");
    // An HTTP-date Retry-After.
    let dated = send(
        addr,
        "GET",
        "/v1.0/engagements/referrals?_fault=429-date",
        &[("Authorization", TOKEN)],
        "",
    )
    .unwrap();
    let ra = dated.header("Retry-After").unwrap();
    assert!(ra.ends_with(" GMT") && ra.len() == 29, "{ra}");
    // The 429 body is the documented throttling shape; 503 the Partner API error shape.
    let throttled = send(addr, "GET", "/v1.0/engagements/referrals?_fault=429", &[], "").unwrap();
    assert_eq!(throttled.json()["statusCode"], 429);
    let unavailable = send(addr, "GET", "/v1.0/engagements/referrals?_fault=503", &[], "").unwrap();
    assert_eq!(unavailable.json()["error"]["code"], "serviceNotAvailable");
    // The `_fault` parameter is not an OData option and does not leak into nextLinks.
    let page = get(addr, "/v1.0/engagements/referrals?_fault=none&$top=1").json();
    assert!(!page["@odata.nextLink"].as_str().unwrap().contains("fault"));
    let unknown = observe(addr, "/v1.0/engagements/referrals?_fault=teapot", &[]);
    assert_eq!(unknown, "400 ra=None json=true");
}

#[test]
fn data_is_deterministic_and_varied() {
    let a = emulator();
    let b = emulator();
    let c = start(Config { seed: 2, ..Config::default() });
    let data = dump(a.addr());
    assert_eq!(data, dump(b.addr()));
    assert_ne!(data, dump(c.addr()));
    let values = |path: &str| -> HashSet<String> {
        data.iter()
            .filter_map(|r| r.pointer(path))
            .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_string))
            .collect()
    };
    let pairs: HashSet<(String, String)> = data
        .iter()
        .map(|r| (r["status"].as_str().unwrap().into(), r["substatus"].as_str().unwrap().into()))
        .collect();
    for (s, ss) in STATUS_PAIRS {
        assert!(pairs.contains(&(s.to_string(), ss.to_string())), "{s}/{ss}");
    }
    assert_eq!(pairs.len(), STATUS_PAIRS.len(), "only the allowed pairs");
    assert_eq!(values("/direction"), HashSet::from(["Incoming".into(), "Outgoing".into()]));
    assert_eq!(values("/type"), HashSet::from(["Independent".into(), "Shared".into()]));
    assert_eq!(values("/qualification").len(), 4);
    assert!(values("/customerProfile/address/country").len() >= 20);
    assert!(values("/details/currency").len() >= 15);
    let deal_values: Vec<&Value> = data.iter().map(|r| &r["details"]["dealValue"]).collect();
    assert!(deal_values.iter().any(|v| v.is_string()));
    assert!(deal_values.iter().any(|v| v.is_u64()));
    assert!(deal_values.iter().any(|v| v.is_f64()));
    assert!(data.iter().any(|r| r["customerProfile"]["ids"].is_object()));
    assert!(data.iter().any(|r| r["customerProfile"]["ids"].is_array()));
    let generated = data.iter().filter(|r| r["id"] != DOCUMENTED_ID);
    assert!(generated.clone().all(|r| {
        let team = r["team"].as_array().unwrap();
        !team.is_empty() && team.iter().all(|m| m["email"].as_str().unwrap().contains('@'))
    }));
    assert!(generated.clone().all(|r| r["customerProfile"]["team"][0]["email"].is_string()));
    assert!(data.iter().filter(|r| r["target"].is_array()).count() > 100);
    // Incoming Pending referrals near their 14-day deadline.
    let near = data
        .iter()
        .filter(|r| r["direction"] == "Incoming" && r["substatus"] == "Pending")
        .filter(|r| {
            let age = now().unix_seconds - date(r, "createdDateTime").unix_seconds;
            (12 * 86_400..14 * 86_400).contains(&age)
        })
        .count();
    assert!(near >= 40, "{near}");
    // Every generated referral passes the library's decoder.
    let page = json!({ "value": data }).to_string();
    assert_eq!(decode_referral_page(&page).unwrap().value.len(), 500);
}

#[test]
fn admin_hooks_add_update_and_delete_referrals() {
    let emu = start(Config { count: 10, ..Config::default() });
    let addr = emu.addr();
    let created = send(
        addr,
        "POST",
        "/_emulator/referrals",
        &[],
        r#"{"name":"Added at runtime","status":"New","substatus":"Pending","direction":"Incoming","type":"Independent"}"#,
    )
    .unwrap();
    assert_eq!(created.status, 201, "{}", created.body);
    let referral = created.json();
    let id = referral["id"].as_str().unwrap().to_string();
    assert_eq!(referral["createdDateTime"], "2026-11-28T00:00:00.0000000Z");
    assert!(referral["eTag"].as_str().unwrap().starts_with('"'));
    assert!(referral["links"]["self"]["uri"].as_str().unwrap().ends_with(&id));
    let found = ids(&all_pages(addr, &list("name eq 'Added at runtime'", "")));
    assert_eq!(found, std::slice::from_ref(&id));
    // Newest first by default.
    assert_eq!(ids(&all_pages(addr, "/v1.0/engagements/referrals?$top=1"))[0], id);
    // Update by id.
    let mut changed = referral.clone();
    changed["status"] = json!("Active");
    changed["substatus"] = json!("Accepted");
    let updated = send(addr, "POST", "/_emulator/referrals", &[], &changed.to_string()).unwrap();
    assert_eq!(updated.status, 200);
    assert_ne!(updated.json()["eTag"], referral["eTag"]);
    let got = get(addr, &format!("/v1.0/engagements/referrals/{id}")).json();
    assert_eq!(got["status"], "Active");
    assert_eq!(dump(addr).len(), 11);
    // Something the decoder would reject is refused.
    let bad = send(addr, "POST", "/_emulator/referrals", &[], r#"{"createdDateTime": 5}"#).unwrap();
    assert_eq!(bad.status, 400);
    assert_eq!(bad.json()["error"]["target"], "body");
    assert_eq!(send(addr, "POST", "/_emulator/referrals", &[], "[1]").unwrap().status, 400);
    // Delete.
    let deleted = send(addr, "DELETE", &format!("/_emulator/referrals/{id}"), &[], "").unwrap();
    assert_eq!(deleted.status, 204);
    assert_eq!(get(addr, &format!("/v1.0/engagements/referrals/{id}")).status, 404);
    assert_eq!(
        send(addr, "DELETE", &format!("/_emulator/referrals/{id}"), &[], "").unwrap().status,
        404
    );
}

#[test]
fn keep_alive_serves_several_requests_on_one_connection() {
    let emu = start(Config { count: 3, ..Config::default() });
    let mut stream = TcpStream::connect(emu.addr()).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let request = format!(
        "GET /v1.0/engagements/referrals HTTP/1.1\r\nHost: x\r\nAuthorization: {TOKEN}\r\n\r\n"
    );
    stream.write_all(format!("{request}{request}").as_bytes()).unwrap();
    stream
        .write_all(b"GET /v1.0/referrals?$top=1 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer t\r\nConnection: close\r\n\r\n")
        .unwrap();
    let mut raw = String::new();
    stream.read_to_string(&mut raw).unwrap();
    assert_eq!(raw.matches("HTTP/1.1 200 OK\r\n").count(), 3);
    assert_eq!(raw.matches("Connection: keep-alive").count(), 2);
    assert!(raw.contains("Connection: close"));
    // A malformed request line gets a 400 and the connection closes.
    let mut bad = TcpStream::connect(emu.addr()).unwrap();
    bad.write_all(b"NONSENSE\r\n\r\n").unwrap();
    let mut raw = String::new();
    bad.read_to_string(&mut raw).unwrap();
    assert!(raw.starts_with("HTTP/1.1 400 Bad Request\r\n"), "{raw}");
}

#[test]
fn the_binary_prints_its_url_and_serves() {
    use std::io::BufRead;
    use std::process::{Command, Stdio};
    let mut child = Command::new(env!("CARGO_BIN_EXE_partner-referrals-emulator"))
        .args(["--port", "0", "--count", "5", "--quiet", "--now", NOW])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let url =
        line.trim().strip_prefix("emulator listening on ").unwrap_or_else(|| panic!("{line}"));
    let port: u16 = url
        .strip_prefix("http://127.0.0.1:")
        .and_then(|rest| rest.strip_suffix("/v1.0/"))
        .unwrap_or_else(|| panic!("{url}"))
        .parse()
        .unwrap();
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let reply = get(addr, "/v1.0/engagements/referrals");
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(decode_referral_page(&reply.body).unwrap().count, Some(5));
    let bad = Command::new(env!("CARGO_BIN_EXE_partner-referrals-emulator"))
        .args(["--faults", "nope"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("error: fault `nope`"));
}
