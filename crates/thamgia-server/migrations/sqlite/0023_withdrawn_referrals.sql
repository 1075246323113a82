-- A referral after a possible disclosure outlives its response's consent:
-- when consent is withdrawn, the answers go, but a disclosure of harm is
-- never dropped from the ward officer's follow-up. What is kept names no
-- child and holds no answer: the ward, the survey, to whom and when.
CREATE TABLE withdrawn_referrals (
    response_id  TEXT PRIMARY KEY,
    ward_code    TEXT NOT NULL,
    survey_id    TEXT NOT NULL,
    referred_to  TEXT NOT NULL,
    made_at      TEXT NOT NULL
);
CREATE INDEX withdrawn_referrals_by_ward ON withdrawn_referrals (ward_code);
