//! The deterministic referral data set: `generate(count, seed, now)` always returns the same
//! referrals for the same arguments. It covers every status/substatus pair partner-api.md 1.3
//! allows, both directions and types, every qualification, 24 countries, deal values as numbers
//! and as decimal strings, customer contacts and partner team members with e-mail addresses,
//! requirements, targets, consent, invite context, links and eTags, and incoming `Pending`
//! referrals created 12-14 days before `now` so that response deadlines are near. The
//! documented example referral (`tests/fixtures/seed-page.json`) is always the first record.

use partner_referrals::datetime::{civil_from_days, DateTimeOffset};
use partner_referrals::schema::{CUSTOMER_SIZE, REFERRAL_QUALIFICATION};
use serde_json::{json, Map, Value};

use crate::rng::SplitMix64;

/// The documented example page, as shipped in the repository's fixtures.
pub const SEED_PAGE: &str = include_str!("../../fixtures/seed-page.json");

/// The id of the documented example referral (always present in generated data).
pub const DOCUMENTED_ID: &str = "c5fbb3b6-be74-4795-9fb5-4324c73fed37";

/// The organisation that owns every generated referral (the documented example's).
pub const ORGANIZATION_ID: &str = "7d23e5ca-19dc-4eaa-aac8-5e6b559f0d1d";
/// Its name.
pub const ORGANIZATION_NAME: &str = "Contoso Company";

/// Where generated `links` point (the real service's host, like the documented example).
pub const LINK_BASE: &str = "https://api.partner.microsoft.com/v1.0/engagements/referrals";

/// The status/substatus pairs partner-api.md 1.3 allows.
pub const STATUS_PAIRS: &[(&str, &str)] = &[
    ("New", "Pending"),
    ("New", "Received"),
    ("Active", "Accepted"),
    ("Closed", "Won"),
    ("Closed", "Lost"),
    ("Closed", "Declined"),
    ("Closed", "Expired"),
];

/// The documented example referral, exactly as in the fixture.
pub fn documented_referral() -> Value {
    // invariant: the fixture is valid JSON with one referral (checked by the crate's page tests
    // and by this crate's tests); fall back to a minimal record rather than panic.
    serde_json::from_str::<Value>(SEED_PAGE)
        .ok()
        .and_then(|page| page.get("value")?.get(0).cloned())
        .unwrap_or_else(|| json!({ "id": DOCUMENTED_ID }))
}

/// Formats an instant the way the API does: UTC, seven fractional digits
/// (`2020-10-30T21:03:00.0000000Z`).
pub fn format_datetime(t: DateTimeOffset) -> String {
    let utc = DateTimeOffset { offset_minutes: 0, ..t };
    let (y, mo, d) = utc.local_date();
    let (h, mi, s) = utc.local_time();
    format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{:07}Z", t.nanos / 100)
}

/// Today's date at midnight UTC plus `days`, as the API writes `closingDateTime`.
fn format_date_midnight(t: DateTimeOffset, days: i64) -> String {
    let (y, m, d) = civil_from_days(t.unix_seconds.div_euclid(86_400) + days);
    format!("{y:04}-{m:02}-{d:02}T00:00:00Z")
}

struct Country {
    code: &'static str,
    city: &'static str,
    state: &'static str,
    postal: &'static str,
    currency: &'static str,
    region: &'static str,
    locale: &'static str,
}

const fn c(
    code: &'static str,
    city: &'static str,
    state: &'static str,
    postal: &'static str,
    currency: &'static str,
    region: &'static str,
    locale: &'static str,
) -> Country {
    Country { code, city, state, postal, currency, region, locale }
}

const COUNTRIES: &[Country] = &[
    c("US", "Redmond", "WA", "98052", "USD", "North America", "en-US"),
    c("US", "Austin", "TX", "78701", "USD", "North America", "en-US"),
    c("US", "New York", "NY", "10001", "USD", "North America", "en-US"),
    c("CA", "Toronto", "ON", "M5H 2N2", "CAD", "North America", "en-CA"),
    c("MX", "Ciudad de México", "CDMX", "06600", "MXN", "Latin America", "es-MX"),
    c("BR", "São Paulo", "SP", "01310-100", "BRL", "Latin America", "pt-BR"),
    c("AR", "Buenos Aires", "C", "C1002", "ARS", "Latin America", "es-AR"),
    c("GB", "London", "", "EC1A 1BB", "GBP", "Europe", "en-GB"),
    c("IE", "Dublin", "", "D02 X285", "EUR", "Europe", "en-IE"),
    c("DE", "München", "BY", "80331", "EUR", "Europe", "de-DE"),
    c("FR", "Paris", "", "75001", "EUR", "Europe", "fr-FR"),
    c("NL", "Amsterdam", "NH", "1012 JS", "EUR", "Europe", "nl-NL"),
    c("ES", "Madrid", "M", "28013", "EUR", "Europe", "es-ES"),
    c("IT", "Milano", "MI", "20121", "EUR", "Europe", "it-IT"),
    c("SE", "Stockholm", "", "111 52", "SEK", "Europe", "sv-SE"),
    c("PL", "Warszawa", "", "00-001", "PLN", "Europe", "pl-PL"),
    c("CH", "Zürich", "ZH", "8001", "CHF", "Europe", "de-CH"),
    c("ZA", "Johannesburg", "GP", "2001", "ZAR", "Middle East and Africa", "en-ZA"),
    c("AE", "Dubai", "", "00000", "AED", "Middle East and Africa", "ar-AE"),
    c("IN", "Bengaluru", "KA", "560001", "INR", "Asia", "en-IN"),
    c("JP", "東京", "13", "100-0005", "JPY", "Asia", "ja-JP"),
    c("KR", "Seoul", "", "04524", "KRW", "Asia", "ko-KR"),
    c("SG", "Singapore", "", "018956", "SGD", "Asia", "en-SG"),
    c("AU", "Sydney", "NSW", "2000", "AUD", "Asia Pacific", "en-AU"),
    c("NZ", "Auckland", "", "1010", "NZD", "Asia Pacific", "en-NZ"),
];

const COMPANY_STEMS: &[&str] = &[
    "Fabrikam",
    "Northwind Traders",
    "Adventure Works",
    "Tailspin Toys",
    "Wide World Importers",
    "Litware",
    "Proseware",
    "Woodgrove Bank",
    "Alpine Ski House",
    "Blue Yonder Airlines",
    "Coho Winery",
    "Fourth Coffee",
    "Graphic Design Institute",
    "Humongous Insurance",
    "Lamna Healthcare",
    "Margie's Travel",
    "Relecloud",
    "Trey Research",
    "VanArsdel",
    "Wingtip Toys",
    "Datum Corporation",
    "Consolidated Messenger",
    "Lucerne Publishing",
    "Southridge Video",
    "City Power & Light",
    "School of Fine Art",
    "Nod Publishers",
    "O'Brien & Co",
    "Bellows College",
    "Münchner Rück Demo",
];

const COMPANY_SUFFIXES: &[&str] = &["Inc", "Ltd", "GmbH", "S.A.", "Group", "Holdings", "LLC", "KK"];

const FIRST_NAMES: &[&str] = &[
    "Ava", "Ben", "Chloé", "Diego", "Emma", "Farah", "Goran", "Hana", "Ines", "Jun", "Kofi",
    "Lena", "Mateo", "Nadia", "Omar", "Priya", "Quinn", "Rosa", "Sven", "Tariq", "Uma", "Viktor",
    "Wen", "Yuki", "Zoë",
];

const LAST_NAMES: &[&str] = &[
    "Andersen", "Bianchi", "Chen", "Dubois", "Esposito", "Fischer", "García", "Hansen", "Ito",
    "Jansen", "Kowalski", "López", "Müller", "Nakamura", "O'Neil", "Patel", "Quispe", "Rossi",
    "Silva", "Tanaka", "Umarov", "Varga", "Wójcik", "Yilmaz", "Zhang",
];

const PRODUCTS: &[&str] = &[
    "Azure",
    "EnterpriseMobilityAndSecurity",
    "Exchange",
    "DeveloperTools",
    "Dynamics365Business",
    "Dynamics365Enterprise",
    "Microsoft365",
    "Office",
    "PowerBI",
    "SharePoint",
    "Surface",
    "SQL",
    "Teams",
    "Windows",
];

const SERVICES: &[&str] = &[
    "ConsultingAndProfessional",
    "CustomSolution(ISV)",
    "DeploymentOrMigration",
    "Hardware",
    "Integration",
    "LearningAndCertification",
    "Licensing",
    "ManagedServices",
    "ProjectServices",
];

const INDUSTRIES: &[&str] = &[
    "Agriculture, Forestry, & Fishing",
    "Communications & Media",
    "Education",
    "Financial Services",
    "Government",
    "Healthcare",
    "Hospitality",
    "Manufacturing",
    "Power & Utilities",
    "Retail & Consumer Goods",
    "Travel & Transportation",
];

const SOLUTIONS: &[&str] = &[
    "AdvancedAnalytics",
    "ArtificialIntelligence",
    "BackupDisasterRecovery",
    "CloudMigration",
    "DataWarehouse",
    "DevOps",
    "Dynamics365forSales",
    "IdentityandAccessManagement",
    "InternetofThings",
    "MachineLearning",
    "SAPonAzure",
    "ThreatProtection",
];

const NOTES: &[&str] = &[
    "We are planning a migration of our on-premises workloads and need a partner with experience.",
    "Looking for help rolling out Teams to 2,000 seats across three sites.",
    "Customer asked for a proof of concept before the end of the quarter.",
    "Renewal is coming up; the customer wants a security assessment first.",
    "Interested in a data platform modernisation. Budget approved for phase 1.",
    "Needs training for administrators — urgent, before go-live.",
    "Co-sell opportunity: Microsoft seller engaged, customer prefers a local partner.",
    "",
];

const LOST_REASONS: &[&str] = &[
    "Customer chose a competitor",
    "No budget this fiscal year",
    "Project cancelled",
    "Out of our service area",
    "Duplicate of an existing opportunity",
];

const PARTNER_TEAM: &[(&str, &str, &str)] = &[
    ("R2", "D2", "r2d2@contoso.com"),
    ("Leia", "Organa", "leia.organa@contoso.com"),
    ("Lando", "Calrissian", "lando@contoso.com"),
    ("Mon", "Mothma", "mon.mothma@contoso.com"),
    ("Wedge", "Antilles", "wedge@contoso.com"),
    ("Padmé", "Amidala", "padme@contoso.com"),
];

/// Generates `count` referrals (the documented example first when `count >= 1`) from `seed`,
/// with dates relative to `now`. The result is in generation order; the server sorts.
pub fn generate(count: usize, seed: u64, now: DateTimeOffset) -> Vec<Value> {
    let mut out = Vec::with_capacity(count);
    if count == 0 {
        return out;
    }
    out.push(documented_referral());
    let mut rng = SplitMix64::new(seed);
    let mut engagements: Vec<String> = Vec::new();
    for index in 1..count {
        out.push(generate_one(&mut rng, index, now, &mut engagements));
    }
    out
}

fn pick<'a>(rng: &mut SplitMix64, items: &'a [&'a str]) -> &'a str {
    rng.pick(items).copied().unwrap_or("")
}

fn tags(rng: &mut SplitMix64, items: &[&str], max: u64) -> Value {
    let n = 1 + rng.below(max);
    let mut chosen: Vec<&str> = Vec::new();
    for _ in 0..n {
        let t = pick(rng, items);
        if !chosen.contains(&t) {
            chosen.push(t);
        }
    }
    Value::Array(chosen.into_iter().map(|id| json!({ "id": id })).collect())
}

fn email_local(first: &str, last: &str) -> String {
    let ascii = |s: &str| -> String {
        s.chars()
            .map(|ch| match ch {
                'é' | 'è' => 'e',
                'á' => 'a',
                'í' => 'i',
                'ó' => 'o',
                'ü' => 'u',
                'ö' => 'o',
                'ë' => 'e',
                _ => ch,
            })
            .filter(|ch| ch.is_ascii_alphanumeric())
            .collect::<String>()
            .to_lowercase()
    };
    format!("{}.{}", ascii(first), ascii(last))
}

fn domain_of(company: &str) -> String {
    let stem: String = company.chars().filter(char::is_ascii_alphanumeric).collect();
    format!("{}.example", stem.to_lowercase())
}

fn member(rng: &mut SplitMix64, domain: &str, locale: &str) -> Value {
    let first = pick(rng, FIRST_NAMES);
    let last = pick(rng, LAST_NAMES);
    json!({
        "firstName": first,
        "lastName": last,
        "phoneNumber": format!("+1 425 555 {:04}", rng.below(10_000)),
        "email": format!("{}@{domain}", email_local(first, last)),
        "contactPreference": { "locale": locale, "disableNotifications": rng.chance(0.2) },
    })
}

fn generate_one(
    rng: &mut SplitMix64,
    index: usize,
    now: DateTimeOffset,
    engagements: &mut Vec<String>,
) -> Value {
    let id = rng.guid();
    let engagement_id = match rng.pick(engagements) {
        Some(existing) if rng.chance(0.15) => existing.clone(),
        _ => {
            let fresh = rng.guid();
            engagements.push(fresh.clone());
            fresh
        }
    };

    // Designated slots guarantee the interesting cases whatever the seed.
    let near_deadline = index % 10 == 3;
    let documented_sample = index % 50 == 7;
    let (mut status, mut substatus) = *rng.pick(STATUS_PAIRS).unwrap_or(&("New", "Pending"));
    let mut direction = if rng.chance(0.55) { "Incoming" } else { "Outgoing" };
    let mut kind = if rng.chance(0.5) { "Shared" } else { "Independent" };
    let qualification = pick(rng, REFERRAL_QUALIFICATION.members);

    // Created between 15 minutes and 540 days ago.
    let mut age_seconds = rng.range(15 * 60, 540 * 86_400);
    if near_deadline {
        (status, substatus, direction) = ("New", "Pending", "Incoming");
        age_seconds = rng.range(12 * 86_400, 14 * 86_400 - 60);
    } else if documented_sample {
        (status, substatus, direction, kind) = ("Active", "Accepted", "Outgoing", "Shared");
    } else if substatus == "Pending" && direction == "Incoming" && rng.chance(0.5) {
        // Most pending incoming referrals are recent (the others expire).
        age_seconds = rng.range(60, 14 * 86_400);
    }
    let created = DateTimeOffset {
        unix_seconds: now.unix_seconds - age_seconds,
        nanos: (rng.below(10_000_000) as u32) * 100,
        sub_nanos: 0,
        offset_minutes: 0,
    };
    let updated = DateTimeOffset {
        unix_seconds: created.unix_seconds + rng.range(0, age_seconds.max(0)),
        nanos: (rng.below(10_000_000) as u32) * 100,
        sub_nanos: 0,
        offset_minutes: 0,
    };
    let updated = updated.max(created);

    let country = rng.pick(COUNTRIES).unwrap_or(&COUNTRIES[0]);
    let company = format!("{} {}", pick(rng, COMPANY_STEMS), pick(rng, COMPANY_SUFFIXES));
    let domain = domain_of(&company);
    let product = pick(rng, PRODUCTS);

    let mut customer_team = Vec::new();
    for _ in 0..1 + rng.below(2) {
        customer_team.push(member(rng, &domain, country.locale));
    }
    let ids = match rng.below(4) {
        0 => json!([{ "profileType": "Duns", "id": format!("{:09}", rng.below(1_000_000_000)) }]),
        1 => json!([
            { "profileType": "External", "id": format!("CUST-{:06}", rng.below(1_000_000)) }
        ]),
        2 => json!({}),
        _ => json!([]),
    };
    let mut customer = json!({
        "name": company,
        "address": {
            "addressLine1": format!("{} Main Street", 1 + rng.below(999)),
            "addressLine2": if rng.chance(0.3) { format!("Suite {}", 100 + rng.below(900)) } else { String::new() },
            "city": country.city,
            "state": country.state,
            "postalCode": country.postal,
            "country": country.code,
            "region": country.region,
        },
        "size": pick(rng, CUSTOMER_SIZE.members),
        "team": customer_team,
        "ids": ids,
    });
    if rng.chance(0.1) {
        // Some responses leave `ids` out entirely.
        if let Some(map) = customer.as_object_mut() {
            map.remove("ids");
        }
    }

    let mut partner_team = Vec::new();
    let team_size = 1 + rng.below(3);
    if documented_sample {
        partner_team.push(partner_member(rng, 0));
    }
    for _ in 0..team_size {
        let at = rng.below(PARTNER_TEAM.len() as u64) as usize;
        if !partner_team.iter().any(|m| m["email"] == PARTNER_TEAM[at].2) {
            partner_team.push(partner_member(rng, at));
        }
    }

    // Deal values: whole and fractional numbers, and (a quarter of them) decimal strings.
    let cents =
        rng.range(500, 2_500_000) * 100 + if rng.chance(0.3) { rng.range(1, 99) } else { 0 };
    let deal_value = if rng.chance(0.25) {
        json!(format!("{}.{:02}", cents / 100, cents % 100))
    } else if cents % 100 == 0 {
        json!(cents / 100)
    } else {
        json!(cents as f64 / 100.0)
    };
    let mut requirements = json!({
        "industries": tags(rng, INDUSTRIES, 2),
        "products": [{ "id": product }],
        "services": tags(rng, SERVICES, 3),
        "solutions": [],
    });
    if rng.chance(0.7) {
        let solution = pick(rng, SOLUTIONS);
        requirements["solutions"] = if rng.chance(0.5) {
            json!([{ "id": solution, "name": solution, "type": "Category" }])
        } else {
            json!([{ "id": format!("SOL-{solution}"), "name": solution }])
        };
    }
    let details = json!({
        "notes": pick(rng, NOTES),
        "dealValue": deal_value,
        "currency": country.currency,
        "closingDateTime": format_date_midnight(now, rng.range(-120, 240)),
        "requirements": requirements,
    });

    let consent = json!({
        "consentToToShareInfoWithOthers": rng.chance(0.6),
        "consentToContact": rng.chance(0.8),
        "consentToShareReferralWithMicrosoftSellers": kind == "Shared" || rng.chance(0.3),
    });

    let mut record = Map::new();
    let mut put = |k: &str, v: Value| {
        record.insert(k.to_string(), v);
    };
    put("id", json!(id));
    put("engagementId", json!(engagement_id));
    put("name", json!(format!("{company} - {product}")));
    put("organizationId", json!(ORGANIZATION_ID));
    put("organizationName", json!(ORGANIZATION_NAME));
    put(
        "externalReferenceId",
        if direction == "Outgoing" && rng.chance(0.7) {
            json!(format!("CRM-{:06}", rng.below(1_000_000)))
        } else {
            Value::Null
        },
    );
    put("createdDateTime", json!(format_datetime(created)));
    put("updatedDateTime", json!(format_datetime(updated)));
    let pending_incoming = direction == "Incoming" && substatus == "Pending";
    put(
        "expirationDateTime",
        if pending_incoming && rng.chance(0.5) {
            json!(format_datetime(created.plus_days(14)))
        } else {
            Value::Null
        },
    );
    if status == "Active" || matches!(substatus, "Won" | "Lost") {
        let accepted = if direction == "Outgoing" {
            created
        } else {
            DateTimeOffset {
                unix_seconds: created.unix_seconds + rng.range(0, 13 * 86_400),
                ..created
            }
            .min(updated)
        };
        put("acceptedDateTime", json!(format_datetime(accepted)));
    }
    put("status", json!(status));
    put("substatus", json!(substatus));
    put(
        "statusReason",
        if matches!(substatus, "Lost" | "Declined") {
            json!(pick(rng, LOST_REASONS))
        } else if substatus == "Expired" {
            json!("No response within 14 days")
        } else {
            Value::Null
        },
    );
    put("type", json!(kind));
    put("qualification", json!(qualification));
    put("direction", json!(direction));
    put("customerProfile", customer);
    put("consent", consent);
    put("details", details);
    put("team", Value::Array(partner_team));
    if direction == "Incoming" {
        let from_microsoft = kind == "Shared" || rng.chance(0.5);
        put(
            "inviteContext",
            json!({
                "notes": "Please review and respond within 14 days.",
                "invitedBy": if from_microsoft {
                    json!({ "organizationId": "msft", "organizationName": "Microsoft" })
                } else {
                    json!({ "organizationId": rng.guid(), "organizationName": format!("{} Partners", pick(rng, COMPANY_STEMS)) })
                },
            }),
        );
    }
    if kind == "Shared" {
        let target = if rng.chance(0.5) {
            json!({ "type": "BusinessProfileLocation", "id": "msft" })
        } else {
            json!({ "type": "SolutionProfile", "id": format!("SOL-{}-{:03X}", 10_000 + rng.below(90_000), rng.below(4096)) })
        };
        put("target", json!([target]));
    }
    put("eTag", json!(etag(rng)));
    put("links", links(&id, &engagement_id));
    Value::Object(record)
}

fn partner_member(rng: &mut SplitMix64, at: usize) -> Value {
    let (first, last, email) = PARTNER_TEAM[at % PARTNER_TEAM.len()];
    json!({
        "firstName": first,
        "lastName": last,
        "phoneNumber": format!("+1 206 555 {:04}", rng.below(10_000)),
        "email": email,
        "contactPreference": { "locale": "en-US", "disableNotifications": false },
    })
}

/// A fresh eTag in the documented shape (`"\"2500ec5a-0000-0000-0000-5bf4967d0000\""`).
pub fn etag(rng: &mut SplitMix64) -> String {
    format!("\"{:08x}-0000-0000-0000-{:012x}\"", rng.next_u64() as u32, rng.next_u64() >> 16)
}

/// The `links` object of a referral.
pub fn links(id: &str, engagement_id: &str) -> Value {
    json!({
        "relatedReferrals": {
            "uri": format!("{LINK_BASE}?$filter=engagementId eq '{engagement_id}'"),
            "method": "GET",
        },
        "self": { "uri": format!("{LINK_BASE}/{id}"), "method": "GET" },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn datetime_format_has_seven_digits_and_parses_back() {
        let t = DateTimeOffset::parse("2020-10-30T21:03:00.1234567Z").unwrap();
        assert_eq!(format_datetime(t), "2020-10-30T21:03:00.1234567Z");
        let back = DateTimeOffset::parse(&format_datetime(t)).unwrap();
        assert_eq!(back, t);
        assert_eq!(format_date_midnight(t, 2), "2020-11-01T00:00:00Z");
    }

    #[test]
    fn email_locals_are_ascii() {
        assert_eq!(email_local("Zoë", "O'Neil"), "zoe.oneil");
        assert_eq!(domain_of("O'Brien & Co Ltd"), "obriencoltd.example");
    }
}
