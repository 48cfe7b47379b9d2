// Generated from `schema::ENUMS` and `schema::REFERRAL` (src/schema.rs). Do not edit: run
// `UPDATE_ENUMS_D_TS=1 cargo test --test model_schema` after changing the schema.
// Open unions: the documented members, plus any other string the server may send.
export type ReferralStatus = "None" | "New" | "Active" | "Closed" | (string & {});
export type ReferralSubstatus = "None" | "Pending" | "Received" | "Accepted" | "Won" | "Lost" | "Declined" | "Expired" | (string & {});
export type ReferralType = "Independent" | "Shared" | (string & {});
export type ReferralQualification = "None" | "Direct" | "MarketingQualified" | "SalesQualified" | (string & {});
export type ReferralDirection = "Incoming" | "Outgoing" | (string & {});
export type SolutionType = "None" | "Category" | "Name" | (string & {});
export type ReferralTargetType = "None" | "BusinessProfileLocation" | "SolutionProfile" | (string & {});
export type CustomerSize = "1to50employees" | "51to500employees" | "Morethan500employees" | "1to9employees" | "10to50employees" | "51to250employees" | "251to1000employees" | "1001to5000employees" | "5001to10000employees" | "10001to20000employees" | "Morethan20000employees" | (string & {});
export type CustomerProfileType = "Duns" | "External" | (string & {});
export type SalesStage = "Qualify" | "Develop" | "Propose" | "Close" | (string & {});
export type AssistanceRequestCode = "Unknown" | "GeneralOrOther" | "CustomerTechnicalArchitecture" | "ProofOfConceptOrDemo" | "QuotesOrLicensing" | "PostSalesCustomerSuccess" | "WorkloadSpecificValueProposition" | (string & {});
// Closed unions: the names `select` and `orderBy` accept (a typo is a compile error).
export type ReferralField = "id" | "engagementId" | "name" | "organizationId" | "organizationName" | "businessProfileId" | "externalReferenceId" | "createdDateTime" | "updatedDateTime" | "expirationDateTime" | "acceptedDateTime" | "status" | "substatus" | "statusReason" | "type" | "qualification" | "direction" | "referralSource" | "callToAction" | "customerProfile" | "consent" | "details" | "team" | "inviteContext" | "target" | "eTag" | "links" | "attributes" | "partnerRole" | "solutionArea" | "solutionPlay" | "campaignId" | "favorite" | "lastModifiedVia" | "lastRunId" | "salesStage";
export type OrderableField = "createdDateTime" | "updatedDateTime";
