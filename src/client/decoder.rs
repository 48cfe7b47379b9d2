//! The crate's own [`Decoder`]: referral pages and referrals through `crate::page`.
//!
//! Kept in its own file so that the rest of `client/` stays independent of the model: the
//! policy is tested with tiny fake decoders, and this is the one place where the two meet.

use super::Decoder;
use crate::error::Result;
use crate::model::{Referral, ReferralPage};
use crate::page;

/// Decodes bodies with [`page::decode_referral_page`] and [`page::decode_referral`].
#[derive(Debug, Clone, Copy, Default)]
pub struct ReferralDecoder;

impl Decoder for ReferralDecoder {
    type Page = ReferralPage;
    type Item = Referral;

    fn decode_page(&self, body: &str) -> Result<ReferralPage> {
        page::decode_referral_page(body)
    }

    fn decode_item(&self, body: &str) -> Result<Referral> {
        page::decode_referral(body)
    }

    fn next_link<'p>(&self, page: &'p ReferralPage) -> Option<&'p str> {
        page.next_link.as_deref()
    }

    fn item_id(&self, item: &Referral) -> Option<String> {
        item.id.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_the_documented_page_and_exposes_its_next_link() {
        let page = ReferralDecoder
            .decode_page(include_str!("../../tests/fixtures/seed-page.json"))
            .unwrap();
        assert_eq!(page.value.len(), 1);
        assert_eq!(
            ReferralDecoder.next_link(&page),
            Some(
                "http://api.partner.microsoft.com/v1.0/referrals?$skiptoken=k181pEdP0ykypkieJfcxX"
            )
        );
    }
}
