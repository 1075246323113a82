-- The counts of 0020 by survey as well: a child consulted by two surveys
-- counts twice among a ward's consultations (answers are anonymous, so
-- nothing tells them apart), and the town hall is shown beside them the
-- most children any one survey heard from in the period, which at least
-- that many different children are. Made again from the responses, with
-- the triggers that move a response's counts (0020) keyed by survey too;
-- the server adds what a push stores (0022, core's `response::counts`).
DROP TRIGGER IF EXISTS participation_of_deleted;
DROP TRIGGER IF EXISTS participation_of_updated;
DROP TABLE participation_by_day;

CREATE TABLE participation_by_day (
    day       TEXT    NOT NULL,
    ward_code TEXT    NOT NULL,
    survey_id TEXT    NOT NULL,
    responses INTEGER NOT NULL,  -- responses that count
    older     INTEGER NOT NULL,  -- those of children aged 7 and over
    PRIMARY KEY (day, ward_code, survey_id)
) WITHOUT ROWID;

INSERT INTO participation_by_day (day, ward_code, survey_id, responses, older)
    SELECT substr(created_at, 1, 10), ward_code, survey_id, COUNT(*),
           SUM(age_band IN ('7-9', '10-12', '13-15'))
    FROM responses
    WHERE superseded_by IS NULL
    GROUP BY substr(created_at, 1, 10), ward_code, survey_id;

-- A response withdrawn (deleted): one fewer.
CREATE TRIGGER participation_of_deleted AFTER DELETE ON responses
WHEN OLD.superseded_by IS NULL
BEGIN
    UPDATE participation_by_day
        SET responses = responses - 1,
            older = older - (OLD.age_band IN ('7-9', '10-12', '13-15'))
        WHERE day = substr(OLD.created_at, 1, 10) AND ward_code = OLD.ward_code
          AND survey_id = OLD.survey_id;
END;

-- A response superseded by a correction (or counted again), or its day,
-- ward, survey or age band changed: out of what it was counted in, into
-- what it now is. Only when what is counted changes.
CREATE TRIGGER participation_of_updated
AFTER UPDATE OF superseded_by, created_at, ward_code, survey_id, age_band ON responses
WHEN (OLD.superseded_by IS NULL) <> (NEW.superseded_by IS NULL)
  OR (NEW.superseded_by IS NULL
      AND (OLD.created_at IS NOT NEW.created_at
           OR OLD.ward_code IS NOT NEW.ward_code
           OR OLD.survey_id IS NOT NEW.survey_id
           OR OLD.age_band IS NOT NEW.age_band))
BEGIN
    UPDATE participation_by_day
        SET responses = responses - 1,
            older = older - (OLD.age_band IN ('7-9', '10-12', '13-15'))
        WHERE OLD.superseded_by IS NULL
          AND day = substr(OLD.created_at, 1, 10) AND ward_code = OLD.ward_code
          AND survey_id = OLD.survey_id;
    INSERT INTO participation_by_day (day, ward_code, survey_id, responses, older)
        SELECT substr(NEW.created_at, 1, 10), NEW.ward_code, NEW.survey_id, 1,
               NEW.age_band IN ('7-9', '10-12', '13-15')
        WHERE NEW.superseded_by IS NULL
    ON CONFLICT (day, ward_code, survey_id) DO UPDATE
        SET responses = responses + 1, older = older + excluded.older;
END;
