-- Whether the child had already been consulted this year, as asked on the
-- tablet's start screen (core's `HeardBefore`, its serde name; '' when not
-- asked, as every response stored before this has it), and the counts of
-- 0025 with, of the children aged 7 and over, those consulted for the
-- first time this year and those consulted again. Responses stored before
-- were never asked, so both counts start at 0 and nothing is counted again;
-- the triggers that move a response's counts (0025) move them too.
ALTER TABLE responses ADD COLUMN heard_before TEXT NOT NULL DEFAULT '';
ALTER TABLE participation_by_day ADD COLUMN first_time INTEGER NOT NULL DEFAULT 0;
ALTER TABLE participation_by_day ADD COLUMN again INTEGER NOT NULL DEFAULT 0;

DROP TRIGGER participation_of_deleted;
DROP TRIGGER participation_of_updated;

-- A response withdrawn (deleted): one fewer.
CREATE TRIGGER participation_of_deleted AFTER DELETE ON responses
WHEN OLD.superseded_by IS NULL
BEGIN
    UPDATE participation_by_day
        SET responses = responses - 1,
            older = older - (OLD.age_band IN ('7-9', '10-12', '13-15')),
            first_time = first_time - (OLD.age_band IN ('7-9', '10-12', '13-15')
                                       AND OLD.heard_before = 'first_time'),
            again = again - (OLD.age_band IN ('7-9', '10-12', '13-15')
                             AND OLD.heard_before = 'again')
        WHERE day = substr(OLD.created_at, 1, 10) AND ward_code = OLD.ward_code
          AND survey_id = OLD.survey_id;
END;

-- A response superseded by a correction (or counted again), or its day,
-- ward, survey, age band or earlier consultation changed: out of what it
-- was counted in, into what it now is. Only when what is counted changes.
CREATE TRIGGER participation_of_updated
AFTER UPDATE OF superseded_by, created_at, ward_code, survey_id, age_band, heard_before
ON responses
WHEN (OLD.superseded_by IS NULL) <> (NEW.superseded_by IS NULL)
  OR (NEW.superseded_by IS NULL
      AND (OLD.created_at IS NOT NEW.created_at
           OR OLD.ward_code IS NOT NEW.ward_code
           OR OLD.survey_id IS NOT NEW.survey_id
           OR OLD.age_band IS NOT NEW.age_band
           OR OLD.heard_before IS NOT NEW.heard_before))
BEGIN
    UPDATE participation_by_day
        SET responses = responses - 1,
            older = older - (OLD.age_band IN ('7-9', '10-12', '13-15')),
            first_time = first_time - (OLD.age_band IN ('7-9', '10-12', '13-15')
                                       AND OLD.heard_before = 'first_time'),
            again = again - (OLD.age_band IN ('7-9', '10-12', '13-15')
                             AND OLD.heard_before = 'again')
        WHERE OLD.superseded_by IS NULL
          AND day = substr(OLD.created_at, 1, 10) AND ward_code = OLD.ward_code
          AND survey_id = OLD.survey_id;
    INSERT INTO participation_by_day (day, ward_code, survey_id, responses, older, first_time,
                                      again)
        SELECT substr(NEW.created_at, 1, 10), NEW.ward_code, NEW.survey_id, 1,
               NEW.age_band IN ('7-9', '10-12', '13-15'),
               NEW.age_band IN ('7-9', '10-12', '13-15') AND NEW.heard_before = 'first_time',
               NEW.age_band IN ('7-9', '10-12', '13-15') AND NEW.heard_before = 'again'
        WHERE NEW.superseded_by IS NULL
    ON CONFLICT (day, ward_code, survey_id) DO UPDATE
        SET responses = responses + 1, older = older + excluded.older,
            first_time = first_time + excluded.first_time, again = again + excluded.again;
END;
