//! buildQuery / parse_query_string: documented requests round-trip, nasty values survive
//! `URLSearchParams`.

// The same tests run natively and, through wasm-bindgen-test-runner, in Node and headless
// Chromium (`make test-wasm-node`, `make test-wasm-browser`): plain `#[test]` is skipped there.
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use partner_referrals::query::{
    build_query, parse_query_string, validate_filter, OrderBy, ReferralQuery,
};
use partner_referrals::{Error, ErrorCode};

/// Decodes like `URLSearchParams`: split on `&`, key/value at the first `=`, `+` → space,
/// `%XX` → UTF-8 bytes. Written here independently of the crate's decoder.
fn search_params(query: &str) -> Vec<(String, String)> {
    fn decode(s: &str) -> String {
        let mut bytes = Vec::new();
        let mut it = s.bytes();
        while let Some(b) = it.next() {
            match b {
                b'+' => bytes.push(b' '),
                b'%' => {
                    let hi = it.next().unwrap();
                    let lo = it.next().unwrap();
                    let hex = std::str::from_utf8(&[hi, lo]).unwrap().to_string();
                    bytes.push(u8::from_str_radix(&hex, 16).unwrap());
                }
                b => bytes.push(b),
            }
        }
        String::from_utf8(bytes).unwrap()
    }
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (decode(k), decode(v))
        })
        .collect()
}

fn get(query: &str, key: &str) -> Option<String> {
    search_params(query).into_iter().find(|(k, _)| k == key).map(|(_, v)| v)
}

fn sample_requests() -> Vec<&'static str> {
    include_str!("fixtures/sample-requests.txt")
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .collect()
}

#[test]
fn every_documented_request_builds_validates_and_round_trips() {
    let lines = sample_requests();
    assert_eq!(lines.len(), 8);
    for line in lines {
        let (_, raw_query) = line.split_once('?').unwrap();
        let documented: Vec<(String, String)> = raw_query
            .split('&')
            .map(|p| {
                let (k, v) = p.split_once('=').unwrap();
                (k.to_string(), v.to_string())
            })
            .collect();
        let query = parse_query_string(line).unwrap_or_else(|e| panic!("{line}: {e}"));
        let built = build_query(&query).unwrap_or_else(|e| panic!("{line}: {e}"));
        assert!(!built.starts_with('?'));
        assert!(!built.contains(' '), "{built}");
        for (key, value) in documented {
            let got = get(&built, &key).unwrap_or_else(|| panic!("{key} missing from {built}"));
            match key.as_str() {
                "$filter" => {
                    let canonical = validate_filter(&value, true).unwrap().canonical;
                    assert_eq!(got, canonical, "{line}");
                    assert_eq!(query.filter.as_deref(), Some(canonical.as_str()));
                }
                _ => assert_eq!(got, value, "{line}"),
            }
        }
        // And the built string parses back to the same query.
        assert_eq!(parse_query_string(&built).unwrap(), query, "{line}");
    }
}

#[test]
fn documented_shapes_come_back_as_expected() {
    let q = parse_query_string(
        "/v1.0/engagements/referrals?$top=10&$filter=(type eq 'Shared' and direction eq 'Incoming')&$orderby=createdDateTime desc",
    )
    .unwrap();
    assert_eq!(
        q,
        ReferralQuery {
            filter: Some("type eq 'Shared' and direction eq 'Incoming'".into()),
            select: None,
            order_by: Some(OrderBy::Field {
                field: "createdDateTime".into(),
                direction: Some("desc".into())
            }),
            top: Some(10.0),
            count: None,
        }
    );
    assert_eq!(
        build_query(&q).unwrap(),
        "$filter=type%20eq%20'Shared'%20and%20direction%20eq%20'Incoming'&$orderby=createdDateTime%20desc&$top=10"
    );
    let q = parse_query_string("/v1.0/engagements/referrals?$select=id,status,customerProfile")
        .unwrap();
    assert_eq!(build_query(&q).unwrap(), "$select=id,status,customerProfile");
}

#[test]
fn nasty_filter_values_survive_url_search_params() {
    let values = [
        "O'Brien & Co #1+2",
        "100% = 50%+50%",
        "a?b=c&d=e#frag",
        "Café Zürich 💝",
        "tab\tnew\nline\r",
        "\u{0}\u{1f}\u{7f}",
        "%20%2B+",
        "''''",
        "<script>alert(1)</script>",
        "back\\slash \"quotes\" `tick` {brace} [bracket] |pipe| ^caret~",
        "$filter=x&$top=1",
    ];
    for v in values {
        let filter = format!("customerProfile/name eq '{}'", v.replace('\'', "''"));
        let q =
            ReferralQuery { filter: Some(filter.clone()), count: Some(true), ..Default::default() };
        let built = build_query(&q).unwrap();
        for c in [' ', '&', '+', '#', '%', '\n', '\u{0}', '?', '='] {
            let value_part = built.strip_prefix("$filter=").unwrap();
            let value_part = value_part.strip_suffix("&$count=true").unwrap();
            if c == '%' {
                assert!(value_part.split('%').skip(1).all(|h| h.len() >= 2), "{built}");
            } else {
                assert!(!value_part.contains(c), "{c:?} in {built}");
            }
        }
        assert_eq!(get(&built, "$filter").unwrap(), filter, "{v:?}");
        assert_eq!(get(&built, "$count").unwrap(), "true");
        // The crate's own reader agrees.
        assert_eq!(parse_query_string(&built).unwrap().filter.unwrap(), filter);
    }
}

#[test]
fn options_are_emitted_in_a_fixed_order_and_absent_ones_omitted() {
    let q = ReferralQuery {
        count: Some(true),
        top: Some(25.0),
        order_by: Some(OrderBy::Field { field: "updatedDateTime".into(), direction: None }),
        select: Some(vec!["status".into(), "id".into(), "status".into()]),
        filter: Some("STATUS eq 'New'".replace("STATUS", "status")),
    };
    assert_eq!(
        build_query(&q).unwrap(),
        "$filter=status%20eq%20'New'&$select=status,id&$orderby=updatedDateTime&$top=25&$count=true"
    );
    assert_eq!(build_query(&ReferralQuery::default()).unwrap(), "");
    let no_count = ReferralQuery { count: Some(false), ..Default::default() };
    assert_eq!(build_query(&no_count).unwrap(), "");
}

#[test]
fn invalid_options_are_rejected_with_their_codes() {
    let cases: Vec<(ReferralQuery, ErrorCode)> = vec![
        (
            ReferralQuery { filter: Some("status eq 'new'".into()), ..Default::default() },
            ErrorCode::InvalidFilter,
        ),
        (
            ReferralQuery { select: Some(vec!["stauts".into()]), ..Default::default() },
            ErrorCode::InvalidSelect,
        ),
        (ReferralQuery { select: Some(vec![]), ..Default::default() }, ErrorCode::InvalidSelect),
        (
            ReferralQuery {
                select: Some(vec!["customerProfile/name".into()]),
                ..Default::default()
            },
            ErrorCode::InvalidSelect,
        ),
        (
            ReferralQuery { order_by: Some(OrderBy::Text("name".into())), ..Default::default() },
            ErrorCode::InvalidOrderBy,
        ),
        (
            ReferralQuery {
                order_by: Some(OrderBy::Text("createdDateTime sideways".into())),
                ..Default::default()
            },
            ErrorCode::InvalidOrderBy,
        ),
        (
            ReferralQuery {
                order_by: Some(OrderBy::Field {
                    field: "createdDateTime".into(),
                    direction: Some("up".into()),
                }),
                ..Default::default()
            },
            ErrorCode::InvalidOrderBy,
        ),
        (ReferralQuery { top: Some(0.0), ..Default::default() }, ErrorCode::InvalidTop),
        (ReferralQuery { top: Some(-5.0), ..Default::default() }, ErrorCode::InvalidTop),
        (ReferralQuery { top: Some(1.5), ..Default::default() }, ErrorCode::InvalidTop),
        (ReferralQuery { top: Some(f64::NAN), ..Default::default() }, ErrorCode::InvalidTop),
        (ReferralQuery { top: Some(1e12), ..Default::default() }, ErrorCode::InvalidTop),
    ];
    for (q, code) in cases {
        assert_eq!(build_query(&q).unwrap_err().code(), code, "{q:?}");
    }
    let err =
        build_query(&ReferralQuery { select: Some(vec!["stauts".into()]), ..Default::default() })
            .unwrap_err();
    assert_eq!(
        err.to_string(),
        "`stauts` is not a Referral property and cannot be selected (did you mean `status`?)"
    );
    assert_eq!(
        build_query(&ReferralQuery { select: Some(vec![]), ..Default::default() })
            .unwrap_err()
            .to_string(),
        "`$select` needs at least one property name"
    );
}

#[test]
fn order_by_text_is_normalised() {
    let q = ReferralQuery {
        order_by: Some(OrderBy::Text("  createdDateTime   DESC ".into())),
        ..Default::default()
    };
    assert_eq!(build_query(&q).unwrap(), "$orderby=createdDateTime%20desc");
    let q = ReferralQuery {
        order_by: Some(OrderBy::Text("updatedDateTime asc,createdDateTime".into())),
        ..Default::default()
    };
    let built = build_query(&q).unwrap();
    assert_eq!(get(&built, "$orderby").unwrap(), "updatedDateTime asc,createdDateTime");
    assert_eq!(
        parse_query_string(&built).unwrap().order_by,
        Some(OrderBy::Text("updatedDateTime asc,createdDateTime".into()))
    );
}

#[test]
fn query_string_reader_edge_cases() {
    // Bare query, leading `?`, encoded keys, `+` as space, case-insensitive options.
    let a = parse_query_string("$filter=status+eq+'New'&$TOP=5").unwrap();
    let b = parse_query_string("?%24filter=status%20eq%20'New'&$top=5").unwrap();
    assert_eq!(a, b);
    assert_eq!(a.top, Some(5.0));
    // First occurrence wins, like URLSearchParams.get; unknown parameters are ignored.
    let q = parse_query_string("$top=1&$top=2&$skiptoken=abc&foo=bar&$count=TRUE").unwrap();
    assert_eq!((q.top, q.count), (Some(1.0), Some(true)));
    // A path without a query is an empty query.
    assert_eq!(
        parse_query_string("/v1.0/engagements/referrals").unwrap(),
        ReferralQuery::default()
    );
    // Invalid values carry their codes; filter errors point into the filter text.
    assert_eq!(parse_query_string("$top=ten").unwrap_err().code(), ErrorCode::InvalidTop);
    assert_eq!(parse_query_string("$top=0").unwrap_err().code(), ErrorCode::InvalidTop);
    assert_eq!(parse_query_string("$top=-1").unwrap_err().code(), ErrorCode::InvalidTop);
    assert_eq!(parse_query_string("$orderby=name").unwrap_err().code(), ErrorCode::InvalidOrderBy);
    assert_eq!(
        parse_query_string("$select=id,,status").unwrap_err().code(),
        ErrorCode::InvalidSelect
    );
    match parse_query_string("$filter=status eq 'new'") {
        Err(Error::UnknownEnumValue { span, .. }) => assert_eq!(span.start, 10),
        other => panic!("{other:?}"),
    }
}

#[test]
fn build_query_keeps_every_fractional_second_digit() {
    let filter = "createdDateTime lt 2020-10-30T21:03:00.123456789012Z \
                  and updatedDateTime sub createdDateTime gt duration'PT0.000000000001S'";
    let q = ReferralQuery { filter: Some(filter.into()), ..Default::default() };
    let built = build_query(&q).unwrap();
    assert_eq!(get(&built, "$filter").as_deref(), Some(filter));
    let q = ReferralQuery {
        filter: Some("createdDateTime lt 2020-10-30T21:03:00.1234567890123Z".into()),
        ..Default::default()
    };
    let err = build_query(&q).unwrap_err();
    assert_eq!((err.code().as_str(), err.span().map(|s| s.start)), ("InvalidFilter", Some(19)));
}
