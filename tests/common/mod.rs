//! Shared test data and helpers: a corpus of realistic filters (all canonical), the wire form
//! of a decoded page, and a poller that drives the client's futures over fake transports.
#![allow(dead_code)]

use std::future::Future;
use std::pin::pin;
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};

struct NoopWaker;
impl Wake for NoopWaker {
    fn wake(self: Arc<Self>) {}
}

/// A waker that does nothing: the fakes are polled again by [`block_on`], never woken.
pub fn noop_waker() -> Waker {
    Waker::from(Arc::new(NoopWaker))
}

/// Polls `future` to completion with a no-op waker. The fakes are ready at once (or after one
/// `Pending`), so a handful of polls suffice; a future that never finishes is a test bug.
pub fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let waker = noop_waker();
    let mut cx = Context::from_waker(&waker);
    for _ in 0..10_000 {
        if let Poll::Ready(out) = future.as_mut().poll(&mut cx) {
            return out;
        }
    }
    panic!("future did not complete")
}

/// The filters documented for the referrals API (partner-api.md section 2), canonical.
pub const DOCUMENTED: &[&str] = &[
    "engagementId eq '65edc0b5-3485-41b7-a17e-dfa9ef4706e2'",
    "status eq 'New' and qualification eq 'SalesQualified'",
    "customerProfile/address/country eq 'US' and direction eq 'Incoming'",
    "type eq 'Shared' and direction eq 'Incoming'",
    "direction eq 'Incoming' and substatus eq 'Pending'",
    "status eq 'Active' and direction eq 'Outgoing' and type eq 'Shared' and team/any(t:t/email eq 'r2d2@contoso.com')",
];

/// Realistic filters beyond the documented ones, each canonical and schema-valid.
pub const CORPUS: &[&str] = &[
    "status eq 'New'",
    "status ne 'Closed'",
    "status in ('New','Active')",
    "substatus in ('Won','Lost','Declined','Expired') and status eq 'Closed'",
    "status eq 'New' or status eq 'Active'",
    "(status eq 'New' or status eq 'Active') and direction eq 'Incoming'",
    "status eq 'New' and (substatus eq 'Pending' or substatus eq 'Received')",
    "not (status eq 'Closed')",
    "not contains(customerProfile/name,'Test')",
    "contains(tolower(customerProfile/name),'fabrikam')",
    "startswith(name,'Contoso') and endswith(name,'Deal')",
    "length(details/notes) gt 100",
    "indexof(customerProfile/address/city,'Red') eq 0",
    "substring(customerProfile/address/postalCode,0,3) eq '980'",
    "substring(name,2) eq 'ntoso'",
    "trim(toupper(customerProfile/address/country)) eq 'US'",
    "concat(concat(customerProfile/address/city,', '),customerProfile/address/state) eq 'Redmond, WA'",
    "createdDateTime gt 2020-10-30T21:03:00Z",
    "createdDateTime ge 2020-12-01 and createdDateTime lt 2021-01-01",
    "updatedDateTime gt createdDateTime",
    "expirationDateTime lt now()",
    "createdDateTime gt now() sub duration'P14D'",
    "createdDateTime add duration'PT12H' lt updatedDateTime",
    "year(createdDateTime) eq 2020 and month(createdDateTime) ge 10",
    "day(details/closingDateTime) eq 1 and hour(createdDateTime) lt 12",
    "minute(createdDateTime) eq 3 and second(createdDateTime) eq 0",
    "date(createdDateTime) eq 2020-10-30",
    "details/dealValue ge 10000",
    "details/dealValue gt 999.99 and details/currency eq 'USD'",
    "details/dealValue mul 2 gt 15000",
    "details/dealValue div 1000 ge 10",
    "details/dealValue divby 3 lt 5000.5",
    "details/dealValue mod 2 eq 0",
    "details/dealValue add 100 sub 50 gt 10000",
    "(details/dealValue add 100) mul 2 gt 1",
    "round(details/dealValue) eq 10000 or floor(details/dealValue) eq 1 or ceiling(details/dealValue) eq 2",
    "-details/dealValue lt -1e3",
    "details/dealValue gt 1.5e4 or details/dealValue lt -3",
    "details/dealValue ne null",
    "externalReferenceId eq null",
    "statusReason ne null and contains(statusReason,'budget')",
    "consent/consentToContact eq true and consent/consentToShareReferralWithMicrosoftSellers eq false",
    "customerProfile/size eq 'Morethan500employees'",
    "customerProfile/team/any(c:c/contactPreference/locale eq 'en-US')",
    "customerProfile/team/all(c:c/contactPreference/disableNotifications eq false)",
    "team/any()",
    "not team/any()",
    "team/all(m:endswith(m/email,'@contoso.com'))",
    "team/any(m:m/firstName eq 'Ada' and m/lastName eq 'Lovelace')",
    "target/any(x:x/type eq 'SolutionProfile' and x/id eq 'SOL-34104-EBB')",
    "details/requirements/solutions/any(s:s/type eq 'Category' or s/name eq 'Microsoft365')",
    "details/requirements/industries/any(i:i/id eq 'Education') and details/requirements/products/any(p:p/id eq 'Microsoft365')",
    "team/any(t:t/email eq 'a@b.com') or customerProfile/team/any(t:t/email eq 'a@b.com')",
    "inviteContext/invitedBy/organizationId eq 'msft'",
    "customerProfile/name eq 'O''Brien & Co #1+2'",
    "customerProfile/name eq '💝 gifts' and name ne ''",
    "customerProfile/name eq 'Café Zürich'",
    "name eq 'a%20b' or name eq '100%' or name eq 'x=y&z'",
    "id eq 'c5fbb3b6-be74-4795-9fb5-4324c73fed37' or engagementId eq 65edc0b5-3485-41b7-a17e-dfa9ef4706e2",
    "id in ('c5fbb3b6-be74-4795-9fb5-4324c73fed37','65edc0b5-3485-41b7-a17e-dfa9ef4706e2')",
    "createdDateTime ge 2020-10-30T21:03:00+01:00",
    "createdDateTime lt 2020-10-30T21:03:00.5Z",
    "status has 'New'",
    "qualification eq 'MarketingQualified' and type eq 'Independent' and direction eq 'Outgoing'",
    "referralSource eq 'Marketplace' or callToAction ne null",
    "organizationName gt 'M' and organizationName le 'Z'",
    "links/self/method eq 'GET'",
];

/// A decoded page as the wire carries it: the JavaScript names back to `@odata.*`.
pub fn to_wire(page: &partner_referrals::ReferralPage) -> serde_json::Value {
    let mut value = serde_json::to_value(page).unwrap();
    let map = value.as_object_mut().unwrap();
    for (js, wire) in
        [("count", "@odata.count"), ("nextLink", "@odata.nextLink"), ("context", "@odata.context")]
    {
        if let Some(v) = map.remove(js) {
            map.insert(wire.to_owned(), v);
        }
    }
    value
}
