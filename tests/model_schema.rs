//! The serde model (`model.rs`), the schema tables (`schema.rs`) and the hand-written
//! TypeScript enum unions (`src/wasm/enums.d.ts`) describe one thing three times: these tests
//! make them agree.
// Reads and writes src/wasm/enums.d.ts with std::fs: native only.
#![cfg(not(target_arch = "wasm32"))]

use std::collections::BTreeSet;

use partner_referrals::model::*;
use partner_referrals::page::check_referral;
use partner_referrals::schema::{self, ComplexType, EnumType, Kind};
use serde_json::{json, Map, Value};

/// A referral with every field set (struct literals without `..Default::default()`, so adding
/// a field to the model without adding it here does not compile).
fn full_referral() -> Referral {
    let link =
        |uri: &str| Link { uri: Some(uri.into()), method: Some("GET".into()), extra: Map::new() };
    let member = || Member {
        first_name: Some("Ada".into()),
        last_name: Some("Lovelace".into()),
        phone_number: Some("+1 555 0100".into()),
        email: Some("ada@contoso.com".into()),
        contact_preference: Some(ContactPreference {
            locale: Some("en-US".into()),
            disable_notifications: Some(false),
            extra: Map::new(),
        }),
        extra: Map::new(),
    };
    let tag = |id: &str| Tag { id: Some(id.into()), extra: Map::new() };
    Referral {
        id: Some("c5fbb3b6-be74-4795-9fb5-4324c73fed37".into()),
        engagement_id: Some("65edc0b5-3485-41b7-a17e-dfa9ef4706e2".into()),
        name: Some("Deal".into()),
        organization_id: Some("org".into()),
        organization_name: Some("Contoso".into()),
        business_profile_id: Some("bp".into()),
        external_reference_id: Some("crm-1".into()),
        created_date_time: Some("2020-10-30T21:03:00.0000000Z".into()),
        updated_date_time: Some("2020-10-30T21:03:00.0000000Z".into()),
        expiration_date_time: Some("2020-11-13T21:03:00Z".into()),
        accepted_date_time: Some("2020-10-31T00:00:00Z".into()),
        status: Some(ReferralStatus::New),
        substatus: Some(ReferralSubstatus::Pending),
        status_reason: Some("because".into()),
        referral_type: Some(ReferralType::Shared),
        qualification: Some(ReferralQualification::SalesQualified),
        direction: Some(ReferralDirection::Incoming),
        referral_source: Some("Marketplace".into()),
        call_to_action: Some("ContactMe".into()),
        customer_profile: Some(CustomerProfile {
            name: Some("Fabrikam".into()),
            address: Some(Address {
                address_line1: Some("One Microsoft Way".into()),
                address_line2: Some(String::new()),
                city: Some("Redmond".into()),
                state: Some("WA".into()),
                postal_code: Some("98052".into()),
                country: Some("US".into()),
                region: Some("NA".into()),
                extra: Map::new(),
            }),
            size: Some(CustomerSize::Employees51To250),
            team: Some(vec![member()]),
            ids: Some(json!([{ "profileType": "Duns", "id": "123456789" }])),
            id: Some("cust".into()),
            extra: Map::new(),
        }),
        consent: Some(Consent {
            consent_to_to_share_info_with_others: Some(true),
            consent_to_contact: Some(true),
            consent_to_share_referral_with_microsoft_sellers: Some(false),
            consent_to_microsoft_to_contact_specific_partners: Some(true),
            consent_to_microsoft_to_share_info_with_partners: Some(true),
            consent_to_microsoft_to_contact: Some(false),
            extra: Map::new(),
        }),
        details: Some(ReferralDetails {
            notes: Some("notes".into()),
            deal_value: Some(DealValue::String("10000".into())),
            currency: Some("USD".into()),
            closing_date_time: Some("2020-12-01T00:00:00Z".into()),
            requirements: Some(ReferralRequirements {
                industries: Some(vec![tag("Education")]),
                products: Some(vec![tag("Microsoft365")]),
                services: Some(vec![tag("LearningAndCertification")]),
                solutions: Some(vec![SolutionTag {
                    id: Some("SOL-Microsoft365".into()),
                    name: Some("Microsoft365".into()),
                    solution_type: Some(SolutionType::Category),
                    extra: Map::new(),
                }]),
                extra: Map::new(),
            }),
            customer_action: Some("RequestedContact".into()),
            customer_requested_contact: Some(true),
            extra: Map::new(),
        }),
        team: Some(vec![member()]),
        invite_context: Some(InviteContext {
            notes: Some("hello".into()),
            invited_by: Some(InvitedBy {
                organization_id: Some("msft".into()),
                organization_name: Some("Microsoft".into()),
                extra: Map::new(),
            }),
            assistance_request_code: Some(AssistanceRequestCode::ProofOfConceptOrDemo),
            extra: Map::new(),
        }),
        target: Some(vec![ReferralTarget {
            id: Some("msft".into()),
            target_type: Some(ReferralTargetType::BusinessProfileLocation),
            extra: Map::new(),
        }]),
        e_tag: Some("\"2500ec5a-0000-0000-0000-5bf4967d0000\"".into()),
        links: Some(ReferralLinks {
            related_referrals: Some(link("https://related")),
            self_link: Some(link("https://self")),
            headers: Some(json!([])),
            extra: Map::new(),
        }),
        attributes: Some(ReferralAttributes {
            object_type: Some("Referral".into()),
            extra: Map::new(),
        }),
        partner_role: Some("role".into()),
        solution_area: Some("area".into()),
        solution_play: Some("play".into()),
        campaign_id: Some("CMP-1".into()),
        favorite: Some(true),
        last_modified_via: Some("PartnerCenter".into()),
        last_run_id: Some("run-1".into()),
        sales_stage: Some(SalesStage::Propose),
        extra: Map::new(),
    }
}

/// Asserts that `value`'s keys are exactly `ty`'s properties, recursively through complex
/// properties and collections of complex types.
fn assert_same_shape(value: &Value, ty: &ComplexType, path: &str) {
    let object = value.as_object().unwrap_or_else(|| panic!("{path}: not an object"));
    let keys: BTreeSet<&str> = object.keys().map(String::as_str).collect();
    let names: BTreeSet<&str> = ty.properties.iter().map(|p| p.name).collect();
    assert_eq!(keys, names, "{path} ({}): model keys vs schema properties", ty.name);
    for property in ty.properties {
        let child = &object[property.name];
        let child_path = format!("{path}/{}", property.name);
        match property.kind {
            Kind::Complex(inner) => assert_same_shape(child, inner, &child_path),
            Kind::Collection(Kind::Complex(inner)) => {
                let items =
                    child.as_array().unwrap_or_else(|| panic!("{child_path}: not an array"));
                assert!(!items.is_empty(), "{child_path}: fill the collection");
                for (i, item) in items.iter().enumerate() {
                    assert_same_shape(item, inner, &format!("{child_path}/{i}"));
                }
            }
            _ => {}
        }
    }
}

#[test]
fn a_full_referral_serializes_to_exactly_the_schema_properties() {
    let value = serde_json::to_value(full_referral()).unwrap();
    assert_same_shape(&value, &schema::REFERRAL, "");
    check_referral(&value).unwrap();
    // And it reads back to the same record.
    let back: Referral = serde_json::from_value(value).unwrap();
    assert_eq!(back, full_referral());
}

/// A sample JSON value of every kind: every property filled, enums with their last member.
fn sample(kind: &Kind) -> Value {
    match kind {
        Kind::String => json!("text"),
        Kind::Guid => json!("65edc0b5-3485-41b7-a17e-dfa9ef4706e2"),
        Kind::DateTimeOffset => json!("2020-10-30T21:03:00.0000000Z"),
        Kind::Date => json!("2020-10-30"),
        Kind::Boolean => json!(true),
        Kind::Decimal => json!(12.5),
        Kind::Enum(e) => json!(e.members[e.members.len() - 1]),
        Kind::Complex(ty) => Value::Object(
            ty.properties.iter().map(|p| (p.name.to_owned(), sample(&p.kind))).collect(),
        ),
        Kind::Collection(element) => json!([sample(element), sample(element)]),
        Kind::Json => json!({ "any": [1, "two", null] }),
    }
}

#[test]
fn a_referral_generated_from_the_schema_decodes_into_typed_fields_and_back() {
    let value = sample(&Kind::Complex(&schema::REFERRAL));
    check_referral(&value).unwrap();
    let referral: Referral = serde_json::from_value(value.clone()).unwrap();
    // Everything went into typed fields, nothing into `extra`.
    assert!(referral.extra.is_empty(), "{:?}", referral.extra.keys());
    let profile = referral.customer_profile.as_ref().unwrap();
    assert!(profile.extra.is_empty() && profile.address.as_ref().unwrap().extra.is_empty());
    let details = referral.details.as_ref().unwrap();
    assert!(details.extra.is_empty());
    let requirements = details.requirements.as_ref().unwrap();
    assert!(requirements.extra.is_empty());
    assert!(requirements.solutions.as_ref().unwrap()[0].extra.is_empty());
    // Enum-typed properties landed in the right Rust enum as a known member.
    assert_eq!(referral.status, Some(ReferralStatus::Closed));
    assert_eq!(referral.substatus, Some(ReferralSubstatus::Expired));
    assert_eq!(referral.referral_type, Some(ReferralType::Shared));
    assert_eq!(referral.qualification, Some(ReferralQualification::SalesQualified));
    assert_eq!(referral.direction, Some(ReferralDirection::Outgoing));
    assert_eq!(profile.size, Some(CustomerSize::MoreThan20000Employees));
    assert_eq!(requirements.solutions.as_ref().unwrap()[0].solution_type, Some(SolutionType::Name));
    assert_eq!(
        referral.target.as_ref().unwrap()[0].target_type,
        Some(ReferralTargetType::SolutionProfile)
    );
    assert_eq!(referral.sales_stage, Some(SalesStage::Close));
    assert_eq!(referral.favorite, Some(true));
    assert_eq!(details.customer_requested_contact, Some(true));
    assert_eq!(
        referral.invite_context.as_ref().unwrap().assistance_request_code,
        Some(AssistanceRequestCode::WorkloadSpecificValueProposition)
    );
    assert_eq!(serde_json::to_value(&referral).unwrap(), value);
}

macro_rules! rust_enums {
    ($($name:ident),* $(,)?) => {
        vec![$((stringify!($name), $name::MEMBERS)),*]
    };
}

/// Every enum that a typed property of the schema uses.
fn schema_enums_in_use(ty: &'static ComplexType, out: &mut Vec<&'static EnumType>) {
    for property in ty.properties {
        let mut kind = &property.kind;
        while let Kind::Collection(element) = kind {
            kind = element;
        }
        match kind {
            Kind::Enum(e) if !out.iter().any(|o| o.name == e.name) => out.push(e),
            Kind::Complex(inner) => schema_enums_in_use(inner, out),
            _ => {}
        }
    }
}

#[test]
fn rust_open_enums_have_the_schema_members() {
    let rust = rust_enums![
        ReferralStatus,
        ReferralSubstatus,
        ReferralType,
        ReferralQualification,
        ReferralDirection,
        SolutionType,
        ReferralTargetType,
        CustomerSize,
        SalesStage,
        AssistanceRequestCode,
    ];
    let mut used = Vec::new();
    schema_enums_in_use(&schema::REFERRAL, &mut used);
    assert_eq!(used.len(), rust.len(), "every schema enum in use has a Rust enum, and no more");
    for (name, members) in rust {
        let schema_enum = schema::ENUMS
            .iter()
            .find(|e| e.name == name)
            .unwrap_or_else(|| panic!("{name} is not in schema::ENUMS"));
        assert_eq!(members, schema_enum.members, "{name}");
        assert!(used.iter().any(|e| e.name == name), "{name} is used by a property");
    }
}

/// The content `src/wasm/enums.d.ts` must have: one open union per schema enum.
fn render_enums_d_ts() -> String {
    let mut out = String::from(
        "// Generated from `schema::ENUMS` and `schema::REFERRAL` (src/schema.rs). Do not edit: run\n\
         // `UPDATE_ENUMS_D_TS=1 cargo test --test model_schema` after changing the schema.\n\
         // Open unions: the documented members, plus any other string the server may send.\n",
    );
    let quoted = |names: &mut dyn Iterator<Item = &str>| -> String {
        names.map(|m| format!("\"{m}\"")).collect::<Vec<_>>().join(" | ")
    };
    for e in schema::ENUMS {
        out.push_str(&format!(
            "export type {} = {} | (string & {{}});\n",
            e.name,
            quoted(&mut e.members.iter().copied())
        ));
    }
    out.push_str(
        "// Closed unions: the names `select` and `orderBy` accept (a typo is a compile error).\n",
    );
    out.push_str(&format!(
        "export type ReferralField = {};\n",
        quoted(&mut schema::REFERRAL.properties.iter().map(|p| p.name))
    ));
    out.push_str(&format!(
        "export type OrderableField = {};\n",
        quoted(&mut schema::ORDERABLE.iter().copied())
    ));
    out
}

#[test]
fn enums_d_ts_matches_the_schema() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/src/wasm/enums.d.ts");
    let expected = render_enums_d_ts();
    if std::env::var_os("UPDATE_ENUMS_D_TS").is_some() {
        std::fs::write(path, &expected).unwrap();
    }
    let actual = std::fs::read_to_string(path).unwrap_or_default();
    assert_eq!(
        actual, expected,
        "src/wasm/enums.d.ts is out of date; run `UPDATE_ENUMS_D_TS=1 cargo test --test model_schema`"
    );
    // The tsify type overrides in model.rs name these unions; each must be declared.
    for name in [
        "ReferralStatus",
        "ReferralSubstatus",
        "ReferralType",
        "ReferralQualification",
        "ReferralDirection",
        "SolutionType",
        "ReferralTargetType",
        "CustomerSize",
        "SalesStage",
        "AssistanceRequestCode",
    ] {
        assert!(actual.contains(&format!("export type {name} = ")), "{name}");
    }
    assert!(actual.contains(
        "export type ReferralStatus = \"None\" | \"New\" | \"Active\" | \"Closed\" | (string & {});"
    ));
}
