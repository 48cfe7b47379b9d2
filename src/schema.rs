//! The Partner Center referral schema as static tables: every property, nested type and enum
//! that `partner-api.md` section 1 documents.
//!
//! One job: describe the shape. The filter checker uses it to resolve property paths and
//! type-check comparisons, the page decoder uses it to check the JSON types of known
//! properties, `$select` uses the top-level names. No serde, no runtime loading, and nothing
//! about the AST or JSON values lives here.
//!
//! Enums are **open** on the wire (a new server value is kept as its string by the decoder) but
//! closed in filters (comparing `status` with a value that is not a member is an error, because
//! the server would silently match nothing).

/// The type of a property.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `Edm.String`: a JSON string.
    String,
    /// A JSON string holding a GUID (`id`, `engagementId`). Filters accept both a quoted
    /// string (`'65edc0b5-…'`, as the API documents) and a bare GUID literal.
    Guid,
    /// A JSON string holding an ISO 8601 date-time, UTC (`createdDateTime`).
    DateTimeOffset,
    /// A JSON string holding an ISO 8601 date (`2026-11-15`, `Edm.Date`). No documented field
    /// has this type; a caller may declare one (see [`crate::extra_fields`]).
    Date,
    /// A JSON boolean.
    Boolean,
    /// A decimal amount: the API sends a JSON number or a decimal string (`details.dealValue`);
    /// both are kept as sent and compared numerically.
    Decimal,
    /// A JSON string that should be one of the enum's members (open on the wire).
    Enum(&'static EnumType),
    /// A JSON object with known properties (unknown ones are kept).
    Complex(&'static ComplexType),
    /// A JSON array of the element kind.
    Collection(&'static Kind),
    /// Any JSON value (documented with inconsistent shapes, e.g. `customerProfile.ids` is an
    /// object in some examples and an array in others): kept, never type-checked, not filterable.
    Json,
}

impl Kind {
    /// A short human name for messages, e.g. `String`, `DateTimeOffset`, `ReferralStatus`,
    /// `Collection(Member)`.
    pub fn name(&self) -> String {
        match self {
            Kind::String => "String".into(),
            Kind::Guid => "Guid".into(),
            Kind::DateTimeOffset => "DateTimeOffset".into(),
            Kind::Date => "Date".into(),
            Kind::Boolean => "Boolean".into(),
            Kind::Decimal => "Decimal".into(),
            Kind::Enum(e) => e.name.into(),
            Kind::Complex(c) => c.name.into(),
            Kind::Collection(k) => format!("Collection({})", k.name()),
            Kind::Json => "Json".into(),
        }
    }
}

/// A property of a complex type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Property {
    /// The JSON (camelCase) name.
    pub name: &'static str,
    /// Its type. Every property may also be `null` on the wire.
    pub kind: Kind,
    /// Set by the server only (partner-api.md 1.1: ids, timestamps, `direction`, `eTag`,
    /// `links`): a write must not name it. Filters and `$select` may.
    pub read_only: bool,
}

/// A structured type: Referral, CustomerProfile, Address, ...
#[derive(Debug, PartialEq, Eq)]
pub struct ComplexType {
    /// The documented type name, e.g. `CustomerProfile`.
    pub name: &'static str,
    /// Its properties, in documentation order.
    pub properties: &'static [Property],
}

impl ComplexType {
    /// The property called exactly `name` (case-sensitive, as OData is).
    pub fn property(&self, name: &str) -> Option<&'static Property> {
        // invariant: `properties` is 'static because every ComplexType is a static.
        let props: &'static [Property] = self.properties;
        // Lengths first: most names differ in length, and that needs no call to compare text.
        props.iter().find(|p| p.name.len() == name.len() && p.name == name)
    }

    /// The property name closest to `name`, for "did you mean" messages.
    pub fn suggest(&self, name: &str) -> Option<&'static str> {
        suggest(name, self.properties.iter().map(|p| p.name))
    }

    /// The property at a `/`-separated path below this type (`details/dealValue`), stepping
    /// into complex properties and into the element type of collections of complex types
    /// (`team/email` is Member's `email`); `None` when a segment is unknown or leads into a
    /// value that has no properties.
    ///
    /// ```
    /// use partner_referrals::schema::{Kind, REFERRAL, SALES_STAGE};
    /// assert_eq!(REFERRAL.property_at("salesStage").map(|p| p.kind), Some(Kind::Enum(&SALES_STAGE)));
    /// assert_eq!(REFERRAL.property_at("team/email").map(|p| p.kind), Some(Kind::String));
    /// assert!(REFERRAL.property_at("id").is_some_and(|p| p.read_only));
    /// assert!(REFERRAL.property_at("status/x").is_none());
    /// ```
    pub fn property_at(&self, path: &str) -> Option<&'static Property> {
        let props: &'static [Property] = self.properties;
        let mut segments = path.split('/');
        let first = segments.next()?;
        let mut property = props.iter().find(|p| p.name == first)?;
        for segment in segments {
            let mut kind = &property.kind;
            while let Kind::Collection(element) = kind {
                kind = element;
            }
            let Kind::Complex(ty) = kind else { return None };
            property = ty.property(segment)?;
        }
        Some(property)
    }
}

/// An enum with its documented members.
#[derive(Debug, PartialEq, Eq)]
pub struct EnumType {
    /// The documented enum name, e.g. `ReferralStatus`.
    pub name: &'static str,
    /// The members, as the server spells them.
    pub members: &'static [&'static str],
}

impl EnumType {
    /// Whether `value` is a member (case-sensitive, as the server compares).
    pub fn contains(&self, value: &str) -> bool {
        // Lengths first, as in `ComplexType::property`.
        self.members.iter().any(|m| m.len() == value.len() && *m == value)
    }

    /// The member closest to `value` (a case-insensitive match wins), for "did you mean".
    pub fn suggest(&self, value: &str) -> Option<&'static str> {
        suggest(value, self.members.iter().copied())
    }
}

/// The candidate closest to `input` by edit distance, if it is close enough to be a plausible
/// typo: a case-insensitive equal wins outright; otherwise at most one edit per three
/// characters (and at least one).
///
/// Case is folded for ASCII letters only: every schema name, enum member and option name is
/// ASCII, and std's Unicode case tables would cost the wasm build about 18 KiB. A non-ASCII
/// character of `input` therefore only matches itself (an edit away from any ASCII letter),
/// which still finds the name when the rest is close.
pub fn suggest<'a>(input: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let budget = (input.chars().count() / 3).max(1);
    let mut best: Option<(usize, &'a str)> = None;
    for candidate in candidates {
        let distance =
            if candidate.eq_ignore_ascii_case(input) { 0 } else { edit_distance(input, candidate) };
        if distance <= budget && best.map_or(true, |(d, _)| distance < d) {
            best = Some((distance, candidate));
        }
    }
    best.map(|(_, c)| c)
}

/// Levenshtein distance over chars, ignoring ASCII case (inputs are short identifiers).
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = if ca.eq_ignore_ascii_case(cb) {
                diagonal
            } else {
                1 + diagonal.min(above).min(row[j])
            };
            diagonal = above;
        }
    }
    row[b.len()]
}

const fn prop(name: &'static str, kind: Kind) -> Property {
    Property { name, kind, read_only: false }
}

/// A property only the server sets.
const fn read_only(name: &'static str, kind: Kind) -> Property {
    Property { name, kind, read_only: true }
}

// ---- enums (partner-api.md 1.2, 1.4) ---------------------------------------------------------

/// `status`: lifecycle state.
pub static REFERRAL_STATUS: EnumType =
    EnumType { name: "ReferralStatus", members: &["None", "New", "Active", "Closed"] };

/// `substatus`: sub-state (Pending/Received go with New, Accepted with Active, the rest with Closed).
pub static REFERRAL_SUBSTATUS: EnumType = EnumType {
    name: "ReferralSubstatus",
    members: &["None", "Pending", "Received", "Accepted", "Won", "Lost", "Declined", "Expired"],
};

/// `type`: who can see the referral.
pub static REFERRAL_TYPE: EnumType =
    EnumType { name: "ReferralType", members: &["Independent", "Shared"] };

/// `qualification`: how the referral was sourced.
pub static REFERRAL_QUALIFICATION: EnumType = EnumType {
    name: "ReferralQualification",
    members: &["None", "Direct", "MarketingQualified", "SalesQualified"],
};

/// `direction`: whether the organisation received or sent the referral.
pub static REFERRAL_DIRECTION: EnumType =
    EnumType { name: "ReferralDirection", members: &["Incoming", "Outgoing"] };

/// `details.requirements.solutions[].type`.
pub static SOLUTION_TYPE: EnumType =
    EnumType { name: "SolutionType", members: &["None", "Category", "Name"] };

/// `target[].type`.
pub static TARGET_TYPE: EnumType = EnumType {
    name: "ReferralTargetType",
    members: &["None", "BusinessProfileLocation", "SolutionProfile"],
};

/// `customerProfile.size`: employee-count band.
pub static CUSTOMER_SIZE: EnumType = EnumType {
    name: "CustomerSize",
    members: &[
        "1to50employees",
        "51to500employees",
        "Morethan500employees",
        "1to9employees",
        "10to50employees",
        "51to250employees",
        "251to1000employees",
        "1001to5000employees",
        "5001to10000employees",
        "10001to20000employees",
        "Morethan20000employees",
    ],
};

/// `salesStage` (partner-api.md 1.1a, Microsoft's connector definition).
pub static SALES_STAGE: EnumType =
    EnumType { name: "SalesStage", members: &["Qualify", "Develop", "Propose", "Close"] };

/// `inviteContext.assistanceRequestCode` (partner-api.md 1.1a): the help a co-sell invitation
/// asks for.
pub static ASSISTANCE_REQUEST_CODE: EnumType = EnumType {
    name: "AssistanceRequestCode",
    members: &[
        "Unknown",
        "GeneralOrOther",
        "CustomerTechnicalArchitecture",
        "ProofOfConceptOrDemo",
        "QuotesOrLicensing",
        "PostSalesCustomerSuccess",
        "WorkloadSpecificValueProposition",
    ],
};

/// The type of `customerProfile.ids[].profileType` when `ids` is sent as an array.
pub static CUSTOMER_PROFILE_TYPE: EnumType =
    EnumType { name: "CustomerProfileType", members: &["Duns", "External"] };

/// Every enum, for tests and generated documentation.
pub static ENUMS: &[&EnumType] = &[
    &REFERRAL_STATUS,
    &REFERRAL_SUBSTATUS,
    &REFERRAL_TYPE,
    &REFERRAL_QUALIFICATION,
    &REFERRAL_DIRECTION,
    &SOLUTION_TYPE,
    &TARGET_TYPE,
    &CUSTOMER_SIZE,
    &CUSTOMER_PROFILE_TYPE,
    &SALES_STAGE,
    &ASSISTANCE_REQUEST_CODE,
];

// ---- complex types (partner-api.md 1.4 - 1.11) ----------------------------------------------

/// Address (1.5).
pub static ADDRESS: ComplexType = ComplexType {
    name: "Address",
    properties: &[
        prop("addressLine1", Kind::String),
        prop("addressLine2", Kind::String),
        prop("city", Kind::String),
        prop("state", Kind::String),
        prop("postalCode", Kind::String),
        prop("country", Kind::String),
        prop("region", Kind::String),
    ],
};

/// Member.contactPreference (1.6).
pub static CONTACT_PREFERENCE: ComplexType = ComplexType {
    name: "ContactPreference",
    properties: &[prop("locale", Kind::String), prop("disableNotifications", Kind::Boolean)],
};

/// Member: a contact or team member (1.6).
pub static MEMBER: ComplexType = ComplexType {
    name: "Member",
    properties: &[
        prop("firstName", Kind::String),
        prop("lastName", Kind::String),
        prop("phoneNumber", Kind::String),
        prop("email", Kind::String),
        prop("contactPreference", Kind::Complex(&CONTACT_PREFERENCE)),
    ],
};

/// CustomerProfile (1.4).
pub static CUSTOMER_PROFILE: ComplexType = ComplexType {
    name: "CustomerProfile",
    properties: &[
        prop("name", Kind::String),
        prop("address", Kind::Complex(&ADDRESS)),
        prop("size", Kind::Enum(&CUSTOMER_SIZE)),
        prop("team", Kind::Collection(&Kind::Complex(&MEMBER))),
        // Object in some documented examples, array of {profileType,id} in others.
        prop("ids", Kind::Json),
        prop("id", Kind::String),
    ],
};

/// Consent flags (1.7). Note the real, doubled "To" in `consentToToShareInfoWithOthers`.
pub static CONSENT: ComplexType = ComplexType {
    name: "Consent",
    properties: &[
        prop("consentToToShareInfoWithOthers", Kind::Boolean),
        prop("consentToContact", Kind::Boolean),
        prop("consentToShareReferralWithMicrosoftSellers", Kind::Boolean),
        prop("consentToMicrosoftToContactSpecificPartners", Kind::Boolean),
        prop("consentToMicrosoftToShareInfoWithPartners", Kind::Boolean),
        prop("consentToMicrosoftToContact", Kind::Boolean),
    ],
};

/// Tag: `{ id }` (industries, products, services).
pub static TAG: ComplexType = ComplexType { name: "Tag", properties: &[prop("id", Kind::String)] };

/// SolutionTag: `{ id, name, type }`.
pub static SOLUTION_TAG: ComplexType = ComplexType {
    name: "SolutionTag",
    properties: &[
        prop("id", Kind::String),
        prop("name", Kind::String),
        prop("type", Kind::Enum(&SOLUTION_TYPE)),
    ],
};

/// ReferralRequirements (1.8).
pub static REQUIREMENTS: ComplexType = ComplexType {
    name: "ReferralRequirements",
    properties: &[
        prop("industries", Kind::Collection(&Kind::Complex(&TAG))),
        prop("products", Kind::Collection(&Kind::Complex(&TAG))),
        prop("services", Kind::Collection(&Kind::Complex(&TAG))),
        prop("solutions", Kind::Collection(&Kind::Complex(&SOLUTION_TAG))),
    ],
};

/// ReferralDetails (1.8).
pub static DETAILS: ComplexType = ComplexType {
    name: "ReferralDetails",
    properties: &[
        prop("notes", Kind::String),
        prop("dealValue", Kind::Decimal),
        prop("currency", Kind::String),
        prop("closingDateTime", Kind::DateTimeOffset),
        prop("requirements", Kind::Complex(&REQUIREMENTS)),
        prop("customerAction", Kind::String),
        prop("customerRequestedContact", Kind::Boolean),
    ],
};

/// InviteContext.invitedBy (1.9).
pub static INVITED_BY: ComplexType = ComplexType {
    name: "InvitedBy",
    properties: &[prop("organizationId", Kind::String), prop("organizationName", Kind::String)],
};

/// InviteContext (1.9).
pub static INVITE_CONTEXT: ComplexType = ComplexType {
    name: "InviteContext",
    properties: &[
        prop("notes", Kind::String),
        prop("invitedBy", Kind::Complex(&INVITED_BY)),
        prop("assistanceRequestCode", Kind::Enum(&ASSISTANCE_REQUEST_CODE)),
    ],
};

/// ReferralTarget (1.10).
pub static REFERRAL_TARGET: ComplexType = ComplexType {
    name: "ReferralTarget",
    properties: &[prop("id", Kind::String), prop("type", Kind::Enum(&TARGET_TYPE))],
};

/// A navigation link `{ uri, method }`.
pub static LINK: ComplexType = ComplexType {
    name: "Link",
    properties: &[prop("uri", Kind::String), prop("method", Kind::String)],
};

/// `links` (1.1): `relatedReferrals`, `self`, and in older responses `headers: []`.
pub static LINKS: ComplexType = ComplexType {
    name: "ReferralLinks",
    properties: &[
        prop("relatedReferrals", Kind::Complex(&LINK)),
        prop("self", Kind::Complex(&LINK)),
        prop("headers", Kind::Json),
    ],
};

/// `attributes` (2018 examples only).
pub static ATTRIBUTES: ComplexType =
    ComplexType { name: "ReferralAttributes", properties: &[prop("objectType", Kind::String)] };

/// The Referral resource (1.1): the entity type of `GET /v1.0/engagements/referrals`.
///
/// `referralSource`, `callToAction`, `partnerRole`, `solutionArea` and `solutionPlay` are
/// documented enums whose members were not retrievable, so they are plain strings here.
pub static REFERRAL: ComplexType = ComplexType {
    name: "Referral",
    properties: &[
        read_only("id", Kind::Guid),
        read_only("engagementId", Kind::Guid),
        prop("name", Kind::String),
        read_only("organizationId", Kind::String),
        read_only("organizationName", Kind::String),
        read_only("businessProfileId", Kind::String),
        prop("externalReferenceId", Kind::String),
        read_only("createdDateTime", Kind::DateTimeOffset),
        read_only("updatedDateTime", Kind::DateTimeOffset),
        read_only("expirationDateTime", Kind::DateTimeOffset),
        read_only("acceptedDateTime", Kind::DateTimeOffset),
        prop("status", Kind::Enum(&REFERRAL_STATUS)),
        prop("substatus", Kind::Enum(&REFERRAL_SUBSTATUS)),
        prop("statusReason", Kind::String),
        prop("type", Kind::Enum(&REFERRAL_TYPE)),
        prop("qualification", Kind::Enum(&REFERRAL_QUALIFICATION)),
        read_only("direction", Kind::Enum(&REFERRAL_DIRECTION)),
        prop("referralSource", Kind::String),
        prop("callToAction", Kind::String),
        prop("customerProfile", Kind::Complex(&CUSTOMER_PROFILE)),
        prop("consent", Kind::Complex(&CONSENT)),
        prop("details", Kind::Complex(&DETAILS)),
        prop("team", Kind::Collection(&Kind::Complex(&MEMBER))),
        prop("inviteContext", Kind::Complex(&INVITE_CONTEXT)),
        prop("target", Kind::Collection(&Kind::Complex(&REFERRAL_TARGET))),
        read_only("eTag", Kind::String),
        read_only("links", Kind::Complex(&LINKS)),
        read_only("attributes", Kind::Complex(&ATTRIBUTES)),
        prop("partnerRole", Kind::String),
        prop("solutionArea", Kind::String),
        prop("solutionPlay", Kind::String),
        // Documented by Microsoft's connector definition (partner-api.md 1.1a).
        prop("campaignId", Kind::String),
        prop("favorite", Kind::Boolean),
        prop("lastModifiedVia", Kind::String),
        prop("lastRunId", Kind::String),
        prop("salesStage", Kind::Enum(&SALES_STAGE)),
        // Added by the connector definition's 2023 revision.
        prop("referralProgram", Kind::String),
        prop("mpnId", Kind::String),
        read_only("registrationStatus", Kind::String),
        read_only("closedDateTime", Kind::DateTimeOffset),
    ],
};

/// The two properties `$orderby` accepts (partner-api.md section 2).
pub const ORDERABLE: &[&str] = &["createdDateTime", "updatedDateTime"];

/// Properties a PATCH must not name, as schema paths (`/`-separated property names; a path
/// covers everything under it), besides those flagged [`Property::read_only`]. Every other
/// property of the schema is writable, so a field added to the tables above is writable
/// unless it is flagged or listed here.
///
/// partner-api.md 1.1: server-assigned or response-only (`id`, `engagementId`, the
/// organisation, the timestamps, the inferred `direction`, the concurrency token `eTag`,
/// `links`, the 2018 `attributes`), create-only (`partnerRole`, `solutionArea`,
/// `solutionPlay`), and what the server records about its own writes (`lastModifiedVia`,
/// `lastRunId`).
pub const READ_ONLY: &[&str] = &[
    "id",
    "engagementId",
    "organizationId",
    "organizationName",
    "businessProfileId",
    "createdDateTime",
    "updatedDateTime",
    "expirationDateTime",
    "acceptedDateTime",
    "direction",
    "eTag",
    "links",
    "attributes",
    "partnerRole",
    "solutionArea",
    "solutionPlay",
    "lastModifiedVia",
    "lastRunId",
];

/// Whether the schema path `path` (`details/dealValue`) is read-only: it or a path above it
/// is in [`READ_ONLY`] or is a property flagged [`Property::read_only`].
pub fn is_read_only(path: &str) -> bool {
    let listed = READ_ONLY.iter().any(|ro| {
        path.strip_prefix(ro).is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
    });
    listed
        || path
            .match_indices('/')
            .map(|(at, _)| &path[..at])
            .chain([path])
            .any(|prefix| REFERRAL.property_at(prefix).is_some_and(|p| p.read_only))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn referral_properties_are_unique() {
        let mut names: Vec<&str> = REFERRAL.properties.iter().map(|p| p.name).collect();
        names.sort_unstable();
        let before = names.len();
        names.dedup();
        assert_eq!(before, names.len());
    }

    #[test]
    fn property_lookup_is_case_sensitive() {
        assert!(REFERRAL.property("status").is_some());
        assert!(REFERRAL.property("Status").is_none());
    }

    #[test]
    fn suggest_prefers_case_insensitive_match_then_small_edits() {
        assert_eq!(REFERRAL_STATUS.suggest("new"), Some("New"));
        assert_eq!(REFERRAL.suggest("stauts"), Some("status"));
        assert_eq!(REFERRAL.suggest("customerProfil"), Some("customerProfile"));
        assert_eq!(REFERRAL.suggest("zzzzzzzz"), None);
    }

    #[test]
    fn suggest_folds_ascii_case_and_treats_other_letters_as_edits() {
        assert_eq!(REFERRAL.suggest("CUSTOMERPROFILE"), Some("customerProfile"));
        assert_eq!(REFERRAL_STATUS.suggest("ACTİVE"), Some("Active"));
        assert_eq!(REFERRAL.suggest("stätus"), Some("status"));
        assert_eq!(REFERRAL_STATUS.suggest("ñew"), Some("New"));
        assert_eq!(REFERRAL_STATUS.suggest("ñëw"), None);
    }

    #[test]
    fn read_only_covers_paths_below_and_nothing_beside() {
        assert!(is_read_only("eTag"));
        assert!(is_read_only("links/self/uri"));
        assert!(!is_read_only("linksExtra"));
        assert!(!is_read_only("details/dealValue"));
        assert!(!is_read_only("status"));
        assert!(!is_read_only("salesStage"));
        assert!(is_read_only("partnerRole"));
        // Every property the tables flag is read-only, also below it.
        for p in REFERRAL.properties.iter().filter(|p| p.read_only) {
            assert!(is_read_only(p.name), "{}", p.name);
            assert!(is_read_only(&format!("{}/x", p.name)), "{}", p.name);
        }
    }

    #[test]
    fn orderable_properties_are_date_times() {
        for name in ORDERABLE {
            assert_eq!(REFERRAL.property(name).map(|p| p.kind), Some(Kind::DateTimeOffset));
        }
    }
}
