-- The town hall's overview counts each ward's responses of a period (and
-- those of children aged 7 and over) from the responses kept, not the
-- corrected ones. This index holds exactly what that count reads, in the
-- order of the period's days: the count reads the period's entries of the
-- index instead of every response with its content.
CREATE INDEX responses_for_participation ON responses (created_at, ward_code, age_band)
    WHERE superseded_by IS NULL;
