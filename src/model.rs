//! Typed referral records (serde) and the response-deadline rule.
//!
//! One job: give the referral resource of docs/partner-api.md section 1 a Rust shape that loses
//! nothing. Every struct keeps the properties this version does not know in `extra`
//! (`#[serde(flatten)]`), every field is an `Option` that is left out when absent, and every
//! remote enum is **open**: a value the server adds later is kept as `Other(String)`.
//! Serializing a decoded record therefore gives back every property and value the server sent,
//! with one documented exception: a *known* property sent as `null` decodes to `None`, like an
//! absent one, and is not written back (unknown properties keep their `null`).
//!
//! Field names are snake_case in Rust and camelCase on the wire and in JavaScript (`eTag`,
//! `consentToToShareInfoWithOthers` with the API's doubled "To"); `type` is `referral_type`,
//! `solution_type` and `target_type`.
//!
//! This room imports `schema` (tests only), `datetime` and `error`, never `query` or anything
//! that knows JavaScript.
//!
//! # TypeScript
//! On `wasm32` every struct derives `tsify::Tsify` (an attribute, never a `use wasm_bindgen`:
//! the exception STYLE.md allows for this room). The generated declarations are interfaces whose
//! properties are optional and nullable (`status?: ReferralStatus | null`), because the
//! JavaScript decoder hands out what `JSON.parse` made of the server's text, and the server
//! sends `null` for documented-nullable fields; unknown properties appear through
//! `extends Record<string, unknown>`. The open enums cannot be expressed by tsify: their fields
//! name a type (`ReferralStatus`) that `src/wasm/enums.d.ts` declares as
//! `"None" | "New" | … | (string & {})`. That file must be appended to the package's `.d.ts`
//! (`#[wasm_bindgen(typescript_custom_section)] const _: &str = include_str!("enums.d.ts");`);
//! a native test renders it from [`crate::schema::ENUMS`] so it cannot drift.
//! [`ReferralPage`] is `{ value: Referral[]; count?: number; nextLink?: string; context?: string }`
//! (plus unknown envelope properties): its JavaScript names differ from the wire's
//! `@odata.*` names, so it serializes with the JavaScript names and is decoded from the wire only
//! by [`crate::page::decode_referral_page`].

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

use crate::datetime::DateTimeOffset;
use crate::record::{JsonNode, Record, Scalar};

/// Unknown properties of an object, kept as sent.
pub type Extra = Map<String, Value>;

/// `skip_serializing_if` for the nullable optional fields. Deliberately not spelled
/// `Option::is_none`: tsify would then strip the `| null` from the TypeScript type, and the
/// JavaScript objects the package hands out can hold `null` (see the module docs).
fn is_absent<T>(value: &Option<T>) -> bool {
    value.is_none()
}

// ---- open enums ---------------------------------------------------------------------------

macro_rules! open_enum {
    (
        $(#[$doc:meta])*
        $name:ident {
            $($(#[$vdoc:meta])* $variant:ident = $text:literal,)*
        }
    ) => {
        $(#[$doc])*
        ///
        /// Open: a value this version does not know is kept as `Other` and serialized back as
        /// sent. [`From<&str>`] maps a documented spelling to its variant, so
        /// `Other("New".into())` is never produced by decoding.
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vdoc])* $variant,)*
            /// A value this version does not know, kept as sent.
            Other(String),
        }

        impl $name {
            /// The documented members, as the server spells them (the order of the schema).
            pub const MEMBERS: &'static [&'static str] = &[$($text),*];

            /// The wire spelling of the value.
            pub fn as_str(&self) -> &str {
                match self {
                    $(Self::$variant => $text,)*
                    Self::Other(other) => other,
                }
            }
        }

        impl From<&str> for $name {
            fn from(text: &str) -> Self {
                match text {
                    $($text => Self::$variant,)*
                    other => Self::Other(other.to_owned()),
                }
            }
        }

        impl From<String> for $name {
            fn from(text: String) -> Self {
                match text.as_str() {
                    $($text => Self::$variant,)*
                    _ => Self::Other(text),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                String::deserialize(deserializer).map(Self::from)
            }
        }
    };
}

open_enum! {
    /// `status`: the lifecycle state (`ReferralStatus`).
    ReferralStatus {
        /// `"None"`.
        None = "None",
        /// `"New"`: not yet accepted.
        New = "New",
        /// `"Active"`: accepted, being worked on.
        Active = "Active",
        /// `"Closed"`: won, lost, declined or expired.
        Closed = "Closed",
    }
}

open_enum! {
    /// `substatus`: the sub-state (`ReferralSubstatus`).
    ReferralSubstatus {
        /// `"None"`.
        None = "None",
        /// `"Pending"`: new, awaiting action (expires unanswered after 14 days).
        Pending = "Pending",
        /// `"Received"`: new, received.
        Received = "Received",
        /// `"Accepted"`: active.
        Accepted = "Accepted",
        /// `"Won"`: closed.
        Won = "Won",
        /// `"Lost"`: closed.
        Lost = "Lost",
        /// `"Declined"`: closed.
        Declined = "Declined",
        /// `"Expired"`: closed, nobody responded in time.
        Expired = "Expired",
    }
}

open_enum! {
    /// `type`: who can see the referral (`ReferralType`).
    ReferralType {
        /// `"Independent"`: visible to one partner only.
        Independent = "Independent",
        /// `"Shared"`: visible to two parties, e.g. Microsoft and a partner (co-sell).
        Shared = "Shared",
    }
}

open_enum! {
    /// `qualification`: how the referral was sourced (`ReferralQualification`).
    ReferralQualification {
        /// `"None"`: no quality measure.
        None = "None",
        /// `"Direct"`: the customer created it.
        Direct = "Direct",
        /// `"MarketingQualified"`: from Microsoft marketing automation.
        MarketingQualified = "MarketingQualified",
        /// `"SalesQualified"`: from a Microsoft seller.
        SalesQualified = "SalesQualified",
    }
}

open_enum! {
    /// `direction`: whether the organisation received or sent the referral (`ReferralDirection`).
    ReferralDirection {
        /// `"Incoming"`: received.
        Incoming = "Incoming",
        /// `"Outgoing"`: sent.
        Outgoing = "Outgoing",
    }
}

open_enum! {
    /// `details.requirements.solutions[].type` (`SolutionType`).
    SolutionType {
        /// `"None"`.
        None = "None",
        /// `"Category"`: one of the predefined solution names.
        Category = "Category",
        /// `"Name"`: a Microsoft catalog solution.
        Name = "Name",
    }
}

open_enum! {
    /// `target[].type` (`ReferralTargetType`).
    ReferralTargetType {
        /// `"None"`.
        None = "None",
        /// `"BusinessProfileLocation"`: a location of a business profile (Microsoft is `msft`).
        BusinessProfileLocation = "BusinessProfileLocation",
        /// `"SolutionProfile"`: a partner solution, e.g. `SOL-34104-EBB`.
        SolutionProfile = "SolutionProfile",
    }
}

open_enum! {
    /// `customerProfile.size`: the employee-count band (`CustomerSize`).
    CustomerSize {
        /// `"1to50employees"`.
        Employees1To50 = "1to50employees",
        /// `"51to500employees"`.
        Employees51To500 = "51to500employees",
        /// `"Morethan500employees"`.
        MoreThan500Employees = "Morethan500employees",
        /// `"1to9employees"`.
        Employees1To9 = "1to9employees",
        /// `"10to50employees"`.
        Employees10To50 = "10to50employees",
        /// `"51to250employees"`.
        Employees51To250 = "51to250employees",
        /// `"251to1000employees"`.
        Employees251To1000 = "251to1000employees",
        /// `"1001to5000employees"`.
        Employees1001To5000 = "1001to5000employees",
        /// `"5001to10000employees"`.
        Employees5001To10000 = "5001to10000employees",
        /// `"10001to20000employees"`.
        Employees10001To20000 = "10001to20000employees",
        /// `"Morethan20000employees"`.
        MoreThan20000Employees = "Morethan20000employees",
    }
}

open_enum! {
    /// `salesStage`: where the deal stands (`SalesStage`, from Microsoft's connector definition).
    SalesStage {
        /// `"Qualify"`.
        Qualify = "Qualify",
        /// `"Develop"`.
        Develop = "Develop",
        /// `"Propose"`.
        Propose = "Propose",
        /// `"Close"`.
        Close = "Close",
    }
}

open_enum! {
    /// `inviteContext.assistanceRequestCode`: the help an invitation asks for
    /// (`AssistanceRequestCode`, from Microsoft's connector definition).
    AssistanceRequestCode {
        /// `"Unknown"`.
        Unknown = "Unknown",
        /// `"GeneralOrOther"`.
        GeneralOrOther = "GeneralOrOther",
        /// `"CustomerTechnicalArchitecture"`.
        CustomerTechnicalArchitecture = "CustomerTechnicalArchitecture",
        /// `"ProofOfConceptOrDemo"`.
        ProofOfConceptOrDemo = "ProofOfConceptOrDemo",
        /// `"QuotesOrLicensing"`.
        QuotesOrLicensing = "QuotesOrLicensing",
        /// `"PostSalesCustomerSuccess"`.
        PostSalesCustomerSuccess = "PostSalesCustomerSuccess",
        /// `"WorkloadSpecificValueProposition"`.
        WorkloadSpecificValueProposition = "WorkloadSpecificValueProposition",
    }
}

// ---- dealValue ----------------------------------------------------------------------------

/// `details.dealValue`, kept exactly as sent: the API documents a decimal and sends a JSON
/// number in some examples and a decimal string (`"10000"`) in others.
#[derive(Debug, Clone, PartialEq)]
pub enum DealValue {
    /// A JSON number, e.g. `10000` or `2500.5`.
    Number(serde_json::Number),
    /// A decimal string, e.g. `"10000"` (the decoder checks that it is a decimal).
    String(String),
}

impl DealValue {
    /// The amount as a float (`None` for a string that is not a decimal number).
    pub fn to_f64(&self) -> Option<f64> {
        match self {
            DealValue::Number(n) => n.as_f64(),
            DealValue::String(s) => crate::platform::parse_f64(s.trim()).filter(|f| f.is_finite()),
        }
    }
}

impl Serialize for DealValue {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            DealValue::Number(n) => n.serialize(serializer),
            DealValue::String(s) => serializer.serialize_str(s),
        }
    }
}

impl<'de> Deserialize<'de> for DealValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = DealValue;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a number or a decimal string")
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<DealValue, E> {
                Ok(DealValue::Number(v.into()))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<DealValue, E> {
                Ok(DealValue::Number(v.into()))
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<DealValue, E> {
                serde_json::Number::from_f64(v)
                    .map(DealValue::Number)
                    .ok_or_else(|| E::custom("dealValue is not a finite number"))
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<DealValue, E> {
                Ok(DealValue::String(v.to_owned()))
            }
            fn visit_string<E: serde::de::Error>(self, v: String) -> Result<DealValue, E> {
                Ok(DealValue::String(v))
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

// ---- records ------------------------------------------------------------------------------

/// A postal address (`customerProfile.address`, docs/partner-api.md).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify), tsify(missing_as_null))]
#[serde(rename_all = "camelCase", default)]
pub struct Address {
    /// `addressLine1`.
    #[serde(skip_serializing_if = "is_absent")]
    pub address_line1: Option<String>,
    /// `addressLine2` (often `""`).
    #[serde(skip_serializing_if = "is_absent")]
    pub address_line2: Option<String>,
    /// `city`.
    #[serde(skip_serializing_if = "is_absent")]
    pub city: Option<String>,
    /// `state`.
    #[serde(skip_serializing_if = "is_absent")]
    pub state: Option<String>,
    /// `postalCode`.
    #[serde(skip_serializing_if = "is_absent")]
    pub postal_code: Option<String>,
    /// `country`: ISO 3166 alpha-2 in every example (`US`).
    #[serde(skip_serializing_if = "is_absent")]
    pub country: Option<String>,
    /// `region`.
    #[serde(skip_serializing_if = "is_absent")]
    pub region: Option<String>,
    /// Properties this version does not know, kept as sent.
    #[serde(flatten)]
    #[cfg_attr(target_arch = "wasm32", tsify(type = "Record<string, unknown>"))]
    pub extra: Extra,
}

/// `contactPreference` of a [`Member`] (1.6).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify), tsify(missing_as_null))]
#[serde(rename_all = "camelCase", default)]
pub struct ContactPreference {
    /// `locale`: a culture name, e.g. `en-US`.
    #[serde(skip_serializing_if = "is_absent")]
    pub locale: Option<String>,
    /// `disableNotifications`: no e-mail notifications for this user.
    #[serde(skip_serializing_if = "is_absent")]
    pub disable_notifications: Option<bool>,
    /// Properties this version does not know, kept as sent.
    #[serde(flatten)]
    #[cfg_attr(target_arch = "wasm32", tsify(type = "Record<string, unknown>"))]
    pub extra: Extra,
}

/// A contact or team member (`team[]`, `customerProfile.team[]`, 1.6).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify), tsify(missing_as_null))]
#[serde(rename_all = "camelCase", default)]
pub struct Member {
    /// `firstName`.
    #[serde(skip_serializing_if = "is_absent")]
    pub first_name: Option<String>,
    /// `lastName`.
    #[serde(skip_serializing_if = "is_absent")]
    pub last_name: Option<String>,
    /// `phoneNumber`.
    #[serde(skip_serializing_if = "is_absent")]
    pub phone_number: Option<String>,
    /// `email`.
    #[serde(skip_serializing_if = "is_absent")]
    pub email: Option<String>,
    /// `contactPreference`.
    #[serde(skip_serializing_if = "is_absent")]
    pub contact_preference: Option<ContactPreference>,
    /// Properties this version does not know, kept as sent.
    #[serde(flatten)]
    #[cfg_attr(target_arch = "wasm32", tsify(type = "Record<string, unknown>"))]
    pub extra: Extra,
}

/// The customer organisation (`customerProfile`, 1.4).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify), tsify(missing_as_null))]
#[serde(rename_all = "camelCase", default)]
pub struct CustomerProfile {
    /// `name`: the customer organisation's name.
    #[serde(skip_serializing_if = "is_absent")]
    pub name: Option<String>,
    /// `address`.
    #[serde(skip_serializing_if = "is_absent")]
    pub address: Option<Address>,
    /// `size`: the employee-count band.
    #[serde(skip_serializing_if = "is_absent")]
    #[cfg_attr(target_arch = "wasm32", tsify(type = "CustomerSize | null"))]
    pub size: Option<CustomerSize>,
    /// `team`: the customer's contacts.
    #[serde(skip_serializing_if = "is_absent")]
    pub team: Option<Vec<Member>>,
    /// `ids`: external IDs. Documented with two shapes (an object, or an array of
    /// `{profileType, id}`), so it is kept as any JSON value.
    #[serde(skip_serializing_if = "is_absent")]
    #[cfg_attr(target_arch = "wasm32", tsify(type = "unknown"))]
    pub ids: Option<Value>,
    /// `id` (2018 responses only).
    #[serde(skip_serializing_if = "is_absent")]
    pub id: Option<String>,
    /// Properties this version does not know, kept as sent.
    #[serde(flatten)]
    #[cfg_attr(target_arch = "wasm32", tsify(type = "Record<string, unknown>"))]
    pub extra: Extra,
}

/// Consent flags (`consent`, 1.7).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify), tsify(missing_as_null))]
#[serde(rename_all = "camelCase", default)]
pub struct Consent {
    /// `consentToToShareInfoWithOthers` (the doubled "To" is the API's real spelling).
    #[serde(skip_serializing_if = "is_absent")]
    pub consent_to_to_share_info_with_others: Option<bool>,
    /// `consentToContact`.
    #[serde(skip_serializing_if = "is_absent")]
    pub consent_to_contact: Option<bool>,
    /// `consentToShareReferralWithMicrosoftSellers`: `false` = a private deal.
    #[serde(skip_serializing_if = "is_absent")]
    pub consent_to_share_referral_with_microsoft_sellers: Option<bool>,
    /// `consentToMicrosoftToContactSpecificPartners` (2018/2019 examples).
    #[serde(skip_serializing_if = "is_absent")]
    pub consent_to_microsoft_to_contact_specific_partners: Option<bool>,
    /// `consentToMicrosoftToShareInfoWithPartners` (2018 preview).
    #[serde(skip_serializing_if = "is_absent")]
    pub consent_to_microsoft_to_share_info_with_partners: Option<bool>,
    /// `consentToMicrosoftToContact` (2018 preview).
    #[serde(skip_serializing_if = "is_absent")]
    pub consent_to_microsoft_to_contact: Option<bool>,
    /// Properties this version does not know, kept as sent.
    #[serde(flatten)]
    #[cfg_attr(target_arch = "wasm32", tsify(type = "Record<string, unknown>"))]
    pub extra: Extra,
}

/// `{ id }`: an industry, product or service of [`ReferralRequirements`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify), tsify(missing_as_null))]
#[serde(rename_all = "camelCase", default)]
pub struct Tag {
    /// `id`, e.g. `Education`, `Microsoft365`.
    #[serde(skip_serializing_if = "is_absent")]
    pub id: Option<String>,
    /// Properties this version does not know, kept as sent.
    #[serde(flatten)]
    #[cfg_attr(target_arch = "wasm32", tsify(type = "Record<string, unknown>"))]
    pub extra: Extra,
}

/// A solution of [`ReferralRequirements`]: `{ id, name, type }`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify), tsify(missing_as_null))]
#[serde(rename_all = "camelCase", default)]
pub struct SolutionTag {
    /// `id`, e.g. `SOL-Microsoft365`.
    #[serde(skip_serializing_if = "is_absent")]
    pub id: Option<String>,
    /// `name`.
    #[serde(skip_serializing_if = "is_absent")]
    pub name: Option<String>,
    /// `type`.
    #[serde(rename = "type", skip_serializing_if = "is_absent")]
    #[cfg_attr(target_arch = "wasm32", tsify(type = "SolutionType | null"))]
    pub solution_type: Option<SolutionType>,
    /// Properties this version does not know, kept as sent.
    #[serde(flatten)]
    #[cfg_attr(target_arch = "wasm32", tsify(type = "Record<string, unknown>"))]
    pub extra: Extra,
}

/// `details.requirements` (1.8).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify), tsify(missing_as_null))]
#[serde(rename_all = "camelCase", default)]
pub struct ReferralRequirements {
    /// `industries`.
    #[serde(skip_serializing_if = "is_absent")]
    pub industries: Option<Vec<Tag>>,
    /// `products`.
    #[serde(skip_serializing_if = "is_absent")]
    pub products: Option<Vec<Tag>>,
    /// `services`.
    #[serde(skip_serializing_if = "is_absent")]
    pub services: Option<Vec<Tag>>,
    /// `solutions`.
    #[serde(skip_serializing_if = "is_absent")]
    pub solutions: Option<Vec<SolutionTag>>,
    /// Properties this version does not know, kept as sent.
    #[serde(flatten)]
    #[cfg_attr(target_arch = "wasm32", tsify(type = "Record<string, unknown>"))]
    pub extra: Extra,
}

/// `details` (1.8).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify), tsify(missing_as_null))]
#[serde(rename_all = "camelCase", default)]
pub struct ReferralDetails {
    /// `notes` for the receiving organisation.
    #[serde(skip_serializing_if = "is_absent")]
    pub notes: Option<String>,
    /// `dealValue`, a number or a decimal string, kept as sent.
    #[serde(skip_serializing_if = "is_absent")]
    #[cfg_attr(target_arch = "wasm32", tsify(type = "number | string | null"))]
    pub deal_value: Option<DealValue>,
    /// `currency`: ISO 4217, e.g. `USD`.
    #[serde(skip_serializing_if = "is_absent")]
    pub currency: Option<String>,
    /// `closingDateTime`: ISO 8601, kept as sent.
    #[serde(skip_serializing_if = "is_absent")]
    pub closing_date_time: Option<String>,
    /// `requirements`.
    #[serde(skip_serializing_if = "is_absent")]
    pub requirements: Option<ReferralRequirements>,
    /// `customerAction`: what the customer did or asked for.
    #[serde(skip_serializing_if = "is_absent")]
    pub customer_action: Option<String>,
    /// `customerRequestedContact`: whether the customer asked to be contacted.
    #[serde(skip_serializing_if = "is_absent")]
    pub customer_requested_contact: Option<bool>,
    /// Properties this version does not know, kept as sent.
    #[serde(flatten)]
    #[cfg_attr(target_arch = "wasm32", tsify(type = "Record<string, unknown>"))]
    pub extra: Extra,
}

/// `inviteContext.invitedBy` (1.9).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify), tsify(missing_as_null))]
#[serde(rename_all = "camelCase", default)]
pub struct InvitedBy {
    /// `organizationId` of the sender (Microsoft is `msft`).
    #[serde(skip_serializing_if = "is_absent")]
    pub organization_id: Option<String>,
    /// `organizationName`.
    #[serde(skip_serializing_if = "is_absent")]
    pub organization_name: Option<String>,
    /// Properties this version does not know, kept as sent.
    #[serde(flatten)]
    #[cfg_attr(target_arch = "wasm32", tsify(type = "Record<string, unknown>"))]
    pub extra: Extra,
}

/// `inviteContext` (1.9).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify), tsify(missing_as_null))]
#[serde(rename_all = "camelCase", default)]
pub struct InviteContext {
    /// `notes`: a message to the invited organisation.
    #[serde(skip_serializing_if = "is_absent")]
    pub notes: Option<String>,
    /// `invitedBy`.
    #[serde(skip_serializing_if = "is_absent")]
    pub invited_by: Option<InvitedBy>,
    /// `assistanceRequestCode`: the help asked for.
    #[serde(skip_serializing_if = "is_absent")]
    #[cfg_attr(target_arch = "wasm32", tsify(type = "AssistanceRequestCode | null"))]
    pub assistance_request_code: Option<AssistanceRequestCode>,
    /// Properties this version does not know, kept as sent.
    #[serde(flatten)]
    #[cfg_attr(target_arch = "wasm32", tsify(type = "Record<string, unknown>"))]
    pub extra: Extra,
}

/// A `target[]` entry: who the referral is addressed to (1.10).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify), tsify(missing_as_null))]
#[serde(rename_all = "camelCase", default)]
pub struct ReferralTarget {
    /// `id`, e.g. `SOL-ABC-DEF` or `msft`.
    #[serde(skip_serializing_if = "is_absent")]
    pub id: Option<String>,
    /// `type`.
    #[serde(rename = "type", skip_serializing_if = "is_absent")]
    #[cfg_attr(target_arch = "wasm32", tsify(type = "ReferralTargetType | null"))]
    pub target_type: Option<ReferralTargetType>,
    /// Properties this version does not know, kept as sent.
    #[serde(flatten)]
    #[cfg_attr(target_arch = "wasm32", tsify(type = "Record<string, unknown>"))]
    pub extra: Extra,
}

/// A navigation link `{ uri, method }`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify), tsify(missing_as_null))]
#[serde(rename_all = "camelCase", default)]
pub struct Link {
    /// `uri` (the API spells some "engagments"; kept as sent).
    #[serde(skip_serializing_if = "is_absent")]
    pub uri: Option<String>,
    /// `method`, e.g. `GET`.
    #[serde(skip_serializing_if = "is_absent")]
    pub method: Option<String>,
    /// Properties this version does not know, kept as sent.
    #[serde(flatten)]
    #[cfg_attr(target_arch = "wasm32", tsify(type = "Record<string, unknown>"))]
    pub extra: Extra,
}

/// `links` of a referral (read-only).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify), tsify(missing_as_null))]
#[serde(rename_all = "camelCase", default)]
pub struct ReferralLinks {
    /// `relatedReferrals`: the referrals of the same engagement.
    #[serde(skip_serializing_if = "is_absent")]
    pub related_referrals: Option<Link>,
    /// `self`: this referral.
    #[serde(rename = "self", skip_serializing_if = "is_absent")]
    pub self_link: Option<Link>,
    /// `headers` (older responses send `[]`), kept as any JSON value.
    #[serde(skip_serializing_if = "is_absent")]
    #[cfg_attr(target_arch = "wasm32", tsify(type = "unknown"))]
    pub headers: Option<Value>,
    /// Properties this version does not know, kept as sent.
    #[serde(flatten)]
    #[cfg_attr(target_arch = "wasm32", tsify(type = "Record<string, unknown>"))]
    pub extra: Extra,
}

/// `attributes` of a referral (2018 responses only): `{ objectType }`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify), tsify(missing_as_null))]
#[serde(rename_all = "camelCase", default)]
pub struct ReferralAttributes {
    /// `objectType`, e.g. `Referral`.
    #[serde(skip_serializing_if = "is_absent")]
    pub object_type: Option<String>,
    /// Properties this version does not know, kept as sent.
    #[serde(flatten)]
    #[cfg_attr(target_arch = "wasm32", tsify(type = "Record<string, unknown>"))]
    pub extra: Extra,
}

/// A Partner Center referral: a lead or co-sell opportunity (docs/partner-api.md).
///
/// Date-times are kept as the strings the server sent (`2020-10-30T21:03:00.0000000Z`); the
/// page decoder has checked that they parse as ISO 8601 date-times.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify), tsify(missing_as_null))]
#[serde(rename_all = "camelCase", default)]
pub struct Referral {
    /// `id` (GUID).
    #[serde(skip_serializing_if = "is_absent")]
    pub id: Option<String>,
    /// `engagementId` (GUID) shared by the referrals of one engagement.
    #[serde(skip_serializing_if = "is_absent")]
    pub engagement_id: Option<String>,
    /// `name` of the deal.
    #[serde(skip_serializing_if = "is_absent")]
    pub name: Option<String>,
    /// `organizationId` of the owner.
    #[serde(skip_serializing_if = "is_absent")]
    pub organization_id: Option<String>,
    /// `organizationName` of the owner.
    #[serde(skip_serializing_if = "is_absent")]
    pub organization_name: Option<String>,
    /// `businessProfileId` (2018 only).
    #[serde(skip_serializing_if = "is_absent")]
    pub business_profile_id: Option<String>,
    /// `externalReferenceId`: the caller's own ID, e.g. a CRM ID.
    #[serde(skip_serializing_if = "is_absent")]
    pub external_reference_id: Option<String>,
    /// `createdDateTime` (ISO 8601, UTC).
    #[serde(skip_serializing_if = "is_absent")]
    pub created_date_time: Option<String>,
    /// `updatedDateTime` (ISO 8601, UTC).
    #[serde(skip_serializing_if = "is_absent")]
    pub updated_date_time: Option<String>,
    /// `expirationDateTime` (ISO 8601, UTC).
    #[serde(skip_serializing_if = "is_absent")]
    pub expiration_date_time: Option<String>,
    /// `acceptedDateTime` (ISO 8601, UTC).
    #[serde(skip_serializing_if = "is_absent")]
    pub accepted_date_time: Option<String>,
    /// `status`.
    #[serde(skip_serializing_if = "is_absent")]
    #[cfg_attr(target_arch = "wasm32", tsify(type = "ReferralStatus | null"))]
    pub status: Option<ReferralStatus>,
    /// `substatus`.
    #[serde(skip_serializing_if = "is_absent")]
    #[cfg_attr(target_arch = "wasm32", tsify(type = "ReferralSubstatus | null"))]
    pub substatus: Option<ReferralSubstatus>,
    /// `statusReason`: free text, e.g. why a deal was lost.
    #[serde(skip_serializing_if = "is_absent")]
    pub status_reason: Option<String>,
    /// `type`.
    #[serde(rename = "type", skip_serializing_if = "is_absent")]
    #[cfg_attr(target_arch = "wasm32", tsify(type = "ReferralType | null"))]
    pub referral_type: Option<ReferralType>,
    /// `qualification`.
    #[serde(skip_serializing_if = "is_absent")]
    #[cfg_attr(target_arch = "wasm32", tsify(type = "ReferralQualification | null"))]
    pub qualification: Option<ReferralQualification>,
    /// `direction`.
    #[serde(skip_serializing_if = "is_absent")]
    #[cfg_attr(target_arch = "wasm32", tsify(type = "ReferralDirection | null"))]
    pub direction: Option<ReferralDirection>,
    /// `referralSource` (an enum whose members are not documented: a string).
    #[serde(skip_serializing_if = "is_absent")]
    pub referral_source: Option<String>,
    /// `callToAction` (an enum whose members are not documented: a string).
    #[serde(skip_serializing_if = "is_absent")]
    pub call_to_action: Option<String>,
    /// `customerProfile`.
    #[serde(skip_serializing_if = "is_absent")]
    pub customer_profile: Option<CustomerProfile>,
    /// `consent`.
    #[serde(skip_serializing_if = "is_absent")]
    pub consent: Option<Consent>,
    /// `details`.
    #[serde(skip_serializing_if = "is_absent")]
    pub details: Option<ReferralDetails>,
    /// `team`: the organisation's users on the engagement.
    #[serde(skip_serializing_if = "is_absent")]
    pub team: Option<Vec<Member>>,
    /// `inviteContext`.
    #[serde(skip_serializing_if = "is_absent")]
    pub invite_context: Option<InviteContext>,
    /// `target`.
    #[serde(skip_serializing_if = "is_absent")]
    pub target: Option<Vec<ReferralTarget>>,
    /// `eTag`: the concurrency token (echo it in `If-Match`).
    #[serde(skip_serializing_if = "is_absent")]
    pub e_tag: Option<String>,
    /// `links`.
    #[serde(skip_serializing_if = "is_absent")]
    pub links: Option<ReferralLinks>,
    /// `attributes` (2018 only).
    #[serde(skip_serializing_if = "is_absent")]
    pub attributes: Option<ReferralAttributes>,
    /// `partnerRole` (create-only, Services co-sell).
    #[serde(skip_serializing_if = "is_absent")]
    pub partner_role: Option<String>,
    /// `solutionArea` (create-only, Services co-sell).
    #[serde(skip_serializing_if = "is_absent")]
    pub solution_area: Option<String>,
    /// `solutionPlay` (create-only, Services co-sell).
    #[serde(skip_serializing_if = "is_absent")]
    pub solution_play: Option<String>,
    /// `campaignId`: the marketing campaign.
    #[serde(skip_serializing_if = "is_absent")]
    pub campaign_id: Option<String>,
    /// `favorite`: marked as a favourite.
    #[serde(skip_serializing_if = "is_absent")]
    pub favorite: Option<bool>,
    /// `lastModifiedVia`: what changed the referral last.
    #[serde(skip_serializing_if = "is_absent")]
    pub last_modified_via: Option<String>,
    /// `lastRunId`: the identifier of the last run.
    #[serde(skip_serializing_if = "is_absent")]
    pub last_run_id: Option<String>,
    /// `salesStage`.
    #[serde(skip_serializing_if = "is_absent")]
    #[cfg_attr(target_arch = "wasm32", tsify(type = "SalesStage | null"))]
    pub sales_stage: Option<SalesStage>,
    /// `referralProgram`: the name of the referral program.
    #[serde(skip_serializing_if = "is_absent")]
    pub referral_program: Option<String>,
    /// `mpnId`: the partner's MPN ID.
    #[serde(skip_serializing_if = "is_absent")]
    pub mpn_id: Option<String>,
    /// `registrationStatus`: the status of the deal registration (set by the server).
    #[serde(skip_serializing_if = "is_absent")]
    pub registration_status: Option<String>,
    /// `closedDateTime` (ISO 8601, UTC): when the referral was closed (set by the server).
    #[serde(skip_serializing_if = "is_absent")]
    pub closed_date_time: Option<String>,
    /// Properties this version does not know, kept as sent (a GET-by-id body's
    /// `@odata.context` lands here too).
    #[serde(flatten)]
    #[cfg_attr(target_arch = "wasm32", tsify(type = "Record<string, unknown>"))]
    pub extra: Extra,
}

/// One page of `GET /v1.0/engagements/referrals`.
///
/// Built from the wire by [`crate::page::decode_referral_page`], which maps `@odata.count`,
/// `@odata.nextLink` and `@odata.context` to `count`, `next_link` and `context`. Serde uses
/// the JavaScript names (`value`, `count`, `nextLink`, `context`), both ways, so a page handed
/// out to JavaScript and back (`client.next(page)`) keeps its shape. A `null` envelope
/// property decodes to `None`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct ReferralPage {
    /// `value`: the referrals, in server order.
    pub value: Vec<Referral>,
    /// `@odata.count`: the total number of matching referrals, when the server sent it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<u64>,
    /// `@odata.nextLink`: the URL of the next page, exactly as sent (absent on the last page).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_link: Option<String>,
    /// `@odata.context`: the metadata URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context: Option<String>,
    /// Envelope properties this version does not know, kept under their wire names.
    #[serde(flatten)]
    #[cfg_attr(target_arch = "wasm32", tsify(type = "Record<string, unknown>"))]
    pub extra: Extra,
}

// ---- response deadline --------------------------------------------------------------------

/// The days an incoming, pending referral may stay unanswered before it is archived as
/// `Expired` (docs/partner-api.md 1.3); the JavaScript `respondBy` default.
pub const DEFAULT_RESPONSE_DAYS: u32 = 14;

/// When an incoming referral that is still pending must be answered (docs/contract.md,
/// "Pages"), as JavaScript's `Date.prototype.toISOString` prints it
/// (`2020-11-13T21:03:00.000Z`).
///
/// Only for `direction == Incoming` **and** `substatus == Pending`; anything else is `None`.
/// The deadline is the referral's `expirationDateTime` when the server sent a parseable one
/// (normalised to UTC milliseconds, so every answer has one format), else `createdDateTime`
/// plus `days` whole days. `None` when `createdDateTime` is then missing or unparseable, or the
/// result falls outside the years 0000-9999.
///
/// ```
/// use partner_referrals::model::{respond_by, Referral, ReferralDirection, ReferralSubstatus};
/// let referral = Referral {
///     direction: Some(ReferralDirection::Incoming),
///     substatus: Some(ReferralSubstatus::Pending),
///     created_date_time: Some("2020-10-30T21:03:00.0000000Z".into()),
///     ..Referral::default()
/// };
/// assert_eq!(respond_by(&referral, 14).as_deref(), Some("2020-11-13T21:03:00.000Z"));
/// ```
pub fn respond_by(referral: &Referral, days: u32) -> Option<String> {
    let incoming = matches!(referral.direction, Some(ReferralDirection::Incoming));
    let pending = matches!(referral.substatus, Some(ReferralSubstatus::Pending));
    if !(incoming && pending) {
        return None;
    }
    deadline(referral.expiration_date_time.as_deref(), referral.created_date_time.as_deref(), days)
}

/// [`respond_by`] over a plain JSON object, as JavaScript passes one (nothing is decoded or
/// validated first: a property of the wrong type counts as absent).
///
/// ```
/// use partner_referrals::model::respond_by_value;
/// let referral = serde_json::json!({
///     "direction": "Incoming", "substatus": "Pending",
///     "createdDateTime": "2020-10-30T21:03:00Z",
///     "expirationDateTime": "2020-11-01T00:00:00+02:00",
/// });
/// assert_eq!(respond_by_value(&referral, 14).as_deref(), Some("2020-10-31T22:00:00.000Z"));
/// ```
pub fn respond_by_value<R: Record + ?Sized>(referral: &R, days: u32) -> Option<String> {
    let root = referral.root();
    let text = |name: &str| match root.member(name)?.scalar() {
        Scalar::String(s) => Some(s),
        _ => None,
    };
    if text("direction").as_deref() != Some("Incoming")
        || text("substatus").as_deref() != Some("Pending")
    {
        return None;
    }
    deadline(text("expirationDateTime").as_deref(), text("createdDateTime").as_deref(), days)
}

fn deadline(expiration: Option<&str>, created: Option<&str>, days: u32) -> Option<String> {
    let at = match expiration.and_then(|e| DateTimeOffset::parse(e).ok()) {
        Some(expires) => expires,
        None => DateTimeOffset::parse(created?).ok()?.plus_days(i64::from(days)),
    };
    let utc = DateTimeOffset { offset_minutes: 0, ..at };
    let (year, _, _) = utc.local_date();
    (0..=9999).contains(&year).then(|| at.to_iso_millis_utc())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn open_enum_known_values_map_to_variants_and_back() {
        for &text in ReferralStatus::MEMBERS {
            let status = ReferralStatus::from(text);
            assert!(!matches!(status, ReferralStatus::Other(_)), "{text}");
            assert_eq!(status.as_str(), text);
            assert_eq!(ReferralStatus::from(text.to_owned()), status);
        }
        assert_eq!(CustomerSize::from("1to50employees"), CustomerSize::Employees1To50);
    }

    #[test]
    fn open_enum_unknown_values_round_trip_through_serde() {
        let status: ReferralStatus = serde_json::from_str(r#""Archived""#).unwrap();
        assert_eq!(status, ReferralStatus::Other("Archived".into()));
        assert_eq!(serde_json::to_string(&status).unwrap(), r#""Archived""#);
        // Case matters, as on the server: "new" is not "New".
        let lower: ReferralStatus = serde_json::from_str(r#""new""#).unwrap();
        assert_eq!(lower, ReferralStatus::Other("new".into()));
        let known: ReferralSubstatus = serde_json::from_str(r#""Pending""#).unwrap();
        assert_eq!(known, ReferralSubstatus::Pending);
        assert_eq!(serde_json::to_string(&known).unwrap(), r#""Pending""#);
        assert_eq!(known.to_string(), "Pending");
    }

    #[test]
    fn open_enum_rejects_non_strings() {
        assert!(serde_json::from_str::<ReferralStatus>("1").is_err());
    }

    #[test]
    fn deal_value_keeps_numbers_and_strings_as_sent() {
        for text in ["10000", "2500.5", "-3", r#""10000""#, r#""1e3""#] {
            let deal: DealValue = serde_json::from_str(text).unwrap();
            assert_eq!(serde_json::to_string(&deal).unwrap(), text);
        }
        let deal: DealValue = serde_json::from_str(r#""2500.50""#).unwrap();
        assert_eq!(deal.to_f64(), Some(2500.5));
        assert!(serde_json::from_str::<DealValue>("true").is_err());
    }

    #[test]
    fn deadline_prefers_expiration_and_normalises_it() {
        assert_eq!(
            deadline(Some("2021-01-01T01:00:00+01:00"), Some("2020-10-30T21:03:00Z"), 14)
                .as_deref(),
            Some("2021-01-01T00:00:00.000Z")
        );
        assert_eq!(
            deadline(Some("garbage"), Some("2020-10-30T21:03:00.1234567Z"), 1).as_deref(),
            Some("2020-10-31T21:03:00.123Z")
        );
        assert_eq!(deadline(None, Some("9999-12-31T00:00:00Z"), 1), None);
        assert_eq!(deadline(None, None, 14), None);
    }
}
