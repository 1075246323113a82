-- Referrals after a possible disclosure (thamgia_core::safeguarding): when
-- the worker recorded one on a response, and, once the ward officer has
-- followed it up, when and by whom. Nothing about the child.
ALTER TABLE responses ADD COLUMN referral_made_at TEXT;
CREATE INDEX responses_with_referral ON responses (ward_code) WHERE referral_made_at IS NOT NULL;
CREATE TABLE referral_follow_ups (
    response_id      TEXT PRIMARY KEY,
    followed_up_at   TEXT NOT NULL,
    followed_up_by   TEXT NOT NULL
);
