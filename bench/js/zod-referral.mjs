// The baseline a developer would write instead of decodeReferralPage: JSON.parse, then a zod
// schema of the referral page. It checks what the library checks (partner-api.md section 1, as
// the crate's src/schema.rs tables encode it) and keeps what the library keeps:
// - every object is loose (unknown properties survive), every known property optional and
//   nullable (the API omits or nulls them freely);
// - enums are open, so they are plain strings (an unknown status must not fail the page);
// - GUIDs are GUIDs, date-times are ISO 8601 with an offset, a deal value is a number or a
//   decimal string, `customerProfile.ids` is anything;
// - the envelope: `value` an array of referrals, `@odata.count` a non-negative safe integer,
//   `@odata.nextLink`/`@odata.context` strings.
import { z } from "zod";

const opt = (schema) => schema.nullish();
const str = () => opt(z.string());
const bool = () => opt(z.boolean());
const dateTime = () => opt(z.iso.datetime({ offset: true }));
const guid = () => opt(z.guid());
const decimal = () => opt(z.union([z.number(), z.string().regex(/^-?\d+(\.\d+)?$/)]));
const list = (item) => opt(z.array(item));

const address = z.looseObject({
  addressLine1: str(),
  addressLine2: str(),
  city: str(),
  state: str(),
  postalCode: str(),
  country: str(),
  region: str(),
});
const member = z.looseObject({
  firstName: str(),
  lastName: str(),
  phoneNumber: str(),
  email: str(),
  contactPreference: opt(z.looseObject({ locale: str(), disableNotifications: bool() })),
});
const customerProfile = z.looseObject({
  name: str(),
  address: opt(address),
  size: str(),
  team: list(member),
  ids: z.unknown().optional(),
  id: str(),
});
const consent = z.looseObject({
  consentToToShareInfoWithOthers: bool(),
  consentToContact: bool(),
  consentToShareReferralWithMicrosoftSellers: bool(),
  consentToMicrosoftToContactSpecificPartners: bool(),
  consentToMicrosoftToShareInfoWithPartners: bool(),
  consentToMicrosoftToContact: bool(),
});
const tag = z.looseObject({ id: str() });
const solutionTag = z.looseObject({ id: str(), name: str(), type: str() });
const details = z.looseObject({
  notes: str(),
  dealValue: decimal(),
  currency: str(),
  closingDateTime: dateTime(),
  requirements: opt(
    z.looseObject({
      industries: list(tag),
      products: list(tag),
      services: list(tag),
      solutions: list(solutionTag),
    }),
  ),
});
const link = z.looseObject({ uri: str(), method: str() });

export const referral = z.looseObject({
  id: guid(),
  engagementId: guid(),
  name: str(),
  organizationId: str(),
  organizationName: str(),
  businessProfileId: str(),
  externalReferenceId: str(),
  createdDateTime: dateTime(),
  updatedDateTime: dateTime(),
  expirationDateTime: dateTime(),
  acceptedDateTime: dateTime(),
  status: str(),
  substatus: str(),
  statusReason: str(),
  type: str(),
  qualification: str(),
  direction: str(),
  referralSource: str(),
  callToAction: str(),
  customerProfile: opt(customerProfile),
  consent: opt(consent),
  details: opt(details),
  team: list(member),
  inviteContext: opt(
    z.looseObject({
      notes: str(),
      invitedBy: opt(z.looseObject({ organizationId: str(), organizationName: str() })),
    }),
  ),
  target: list(z.looseObject({ id: str(), type: str() })),
  eTag: str(),
  links: opt(z.looseObject({ relatedReferrals: opt(link), self: opt(link), headers: z.unknown().optional() })),
  attributes: opt(z.looseObject({ objectType: str() })),
  partnerRole: str(),
  solutionArea: str(),
  solutionPlay: str(),
});

export const referralPage = z.looseObject({
  "@odata.context": str(),
  "@odata.count": opt(z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER)),
  "@odata.nextLink": str(),
  value: z.array(referral),
});
