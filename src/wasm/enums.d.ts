// Generated from `schema::ENUMS` (src/schema.rs). Do not edit: run
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
