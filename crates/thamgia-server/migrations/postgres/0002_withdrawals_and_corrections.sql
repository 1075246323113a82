-- Consent withdrawal and corrections.

-- A correction is a new response pointing to the one it corrects; the
-- corrected one is then superseded and no longer counted.
ALTER TABLE responses ADD COLUMN corrects TEXT;
ALTER TABLE responses ADD COLUMN superseded_by TEXT;

-- What remains of a response whose consent was withdrawn: no answers, no
-- participant attributes, only what is needed to count it as withdrawn and
-- to refuse it if it is sent again.
CREATE TABLE withdrawals (
    response_id    TEXT    PRIMARY KEY,
    survey_id      TEXT,
    survey_version BIGINT,
    ward_code      TEXT,
    withdrawn_at   TEXT    NOT NULL,
    received_at    TEXT    NOT NULL,
    source         TEXT    NOT NULL
);
