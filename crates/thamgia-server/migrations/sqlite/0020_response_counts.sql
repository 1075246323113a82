-- The town hall's overview counts each ward's responses of a period, and
-- those of children aged 7 and over, among the responses that count (not
-- superseded by a correction; a withdrawn one is deleted). Counted from
-- the responses, that read a quarter's entries of an index at every
-- request: 250,000 at a million responses. This table holds the same
-- counts by day and ward, kept by the database itself (the triggers
-- below) at every write of a response whoever writes it, so the overview
-- sums at most days × wards rows however many responses there are.
--
-- `day` is the first ten characters of `created_at`, which is stored as
-- RFC 3339 in UTC ('2026-04-01T09:30:00.000Z'): a response's
-- `created_at >= '<D>T00:00:00'` exactly when its `day >= '<D>'`, compared
-- as text, so a period's days [first day, first day after) hold exactly
-- the responses its range of `created_at` held.
-- A day and ward whose responses are all withdrawn or superseded keeps
-- its row at 0 (the overview leaves out wards at 0, as counting did).
CREATE TABLE participation_by_day (
    day       TEXT    NOT NULL,
    ward_code TEXT    NOT NULL,
    responses INTEGER NOT NULL,  -- responses that count
    older     INTEGER NOT NULL,  -- those of children aged 7 and over
    PRIMARY KEY (day, ward_code)
) WITHOUT ROWID;

INSERT INTO participation_by_day (day, ward_code, responses, older)
    SELECT substr(created_at, 1, 10), ward_code, COUNT(*),
           SUM(age_band IN ('7-9', '10-12', '13-15'))
    FROM responses
    WHERE superseded_by IS NULL
    GROUP BY substr(created_at, 1, 10), ward_code;

-- A response stored: one more in its day and ward.
CREATE TRIGGER participation_of_inserted AFTER INSERT ON responses
WHEN NEW.superseded_by IS NULL
BEGIN
    INSERT INTO participation_by_day (day, ward_code, responses, older)
    VALUES (substr(NEW.created_at, 1, 10), NEW.ward_code, 1,
            NEW.age_band IN ('7-9', '10-12', '13-15'))
    ON CONFLICT (day, ward_code) DO UPDATE
        SET responses = responses + 1, older = older + excluded.older;
END;

-- A response withdrawn (deleted): one fewer.
CREATE TRIGGER participation_of_deleted AFTER DELETE ON responses
WHEN OLD.superseded_by IS NULL
BEGIN
    UPDATE participation_by_day
        SET responses = responses - 1,
            older = older - (OLD.age_band IN ('7-9', '10-12', '13-15'))
        WHERE day = substr(OLD.created_at, 1, 10) AND ward_code = OLD.ward_code;
END;

-- A response superseded by a correction (or counted again), or its day,
-- ward or age band changed: out of what it was counted in, into what it
-- now is. Only when what is counted changes: a chain settled again sets
-- `superseded_by` to what it already was.
CREATE TRIGGER participation_of_updated
AFTER UPDATE OF superseded_by, created_at, ward_code, age_band ON responses
WHEN (OLD.superseded_by IS NULL) <> (NEW.superseded_by IS NULL)
  OR (NEW.superseded_by IS NULL
      AND (OLD.created_at IS NOT NEW.created_at
           OR OLD.ward_code IS NOT NEW.ward_code
           OR OLD.age_band IS NOT NEW.age_band))
BEGIN
    UPDATE participation_by_day
        SET responses = responses - 1,
            older = older - (OLD.age_band IN ('7-9', '10-12', '13-15'))
        WHERE OLD.superseded_by IS NULL
          AND day = substr(OLD.created_at, 1, 10) AND ward_code = OLD.ward_code;
    INSERT INTO participation_by_day (day, ward_code, responses, older)
        SELECT substr(NEW.created_at, 1, 10), NEW.ward_code, 1,
               NEW.age_band IN ('7-9', '10-12', '13-15')
        WHERE NEW.superseded_by IS NULL
    ON CONFLICT (day, ward_code) DO UPDATE
        SET responses = responses + 1, older = older + excluded.older;
END;

-- What only the count read (0018): one tree fewer to grow per response.
DROP INDEX IF EXISTS responses_for_participation;

-- The responses export logs how many responses of the survey it holds
-- when it starts (`rows=` in the audit log). Counted, that read all the
-- survey's entries of an index (a million at a million responses) before
-- the export's first byte; kept here, it is one row read.
CREATE TABLE survey_response_counts (
    survey_id TEXT    PRIMARY KEY,
    responses INTEGER NOT NULL  -- every response held, superseded or not
) WITHOUT ROWID;

INSERT INTO survey_response_counts (survey_id, responses)
    SELECT survey_id, COUNT(*) FROM responses GROUP BY survey_id;

CREATE TRIGGER survey_count_of_inserted AFTER INSERT ON responses
BEGIN
    INSERT INTO survey_response_counts (survey_id, responses) VALUES (NEW.survey_id, 1)
    ON CONFLICT (survey_id) DO UPDATE SET responses = responses + 1;
END;

CREATE TRIGGER survey_count_of_deleted AFTER DELETE ON responses
BEGIN
    UPDATE survey_response_counts SET responses = responses - 1
        WHERE survey_id = OLD.survey_id;
END;

-- Nothing moves a response to another survey; were it to, the counts follow.
CREATE TRIGGER survey_count_of_updated AFTER UPDATE OF survey_id ON responses
WHEN OLD.survey_id IS NOT NEW.survey_id
BEGIN
    UPDATE survey_response_counts SET responses = responses - 1
        WHERE survey_id = OLD.survey_id;
    INSERT INTO survey_response_counts (survey_id, responses) VALUES (NEW.survey_id, 1)
    ON CONFLICT (survey_id) DO UPDATE SET responses = responses + 1;
END;

-- A migration that rebuilds `responses` (a new table copied and renamed)
-- drops these triggers with the old table: it must make them again.
