-- PostgreSQL dialect of ../sqlite/0025_participation_by_survey.sql: the
-- counts of 0020 by survey as well, made again from the responses, and the
-- function that moves a response's counts keyed by survey too.
DROP TRIGGER IF EXISTS participation_of_deleted ON responses;
DROP TRIGGER IF EXISTS participation_of_updated ON responses;
DROP FUNCTION IF EXISTS participation_of_changed();
DROP TABLE participation_by_day;

CREATE TABLE participation_by_day (
    day       TEXT COLLATE "C" NOT NULL,
    ward_code TEXT    NOT NULL,
    survey_id TEXT    NOT NULL,
    responses BIGINT  NOT NULL,  -- responses that count
    older     BIGINT  NOT NULL,  -- those of children aged 7 and over
    PRIMARY KEY (day, ward_code, survey_id)
);

INSERT INTO participation_by_day (day, ward_code, survey_id, responses, older)
    SELECT substr(created_at, 1, 10), ward_code, survey_id, COUNT(*),
           SUM(CASE WHEN age_band IN ('7-9', '10-12', '13-15') THEN 1 ELSE 0 END)
    FROM responses
    WHERE superseded_by IS NULL
    GROUP BY substr(created_at, 1, 10), ward_code, survey_id;

-- A response withdrawn (deleted), superseded by a correction (or counted
-- again), or its day, ward, survey or age band changed: out of what it
-- was counted in, into what it now is.
CREATE FUNCTION participation_of_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.superseded_by IS NULL THEN
        UPDATE participation_by_day
            SET responses = responses - 1,
                older = older - CASE WHEN OLD.age_band IN ('7-9', '10-12', '13-15') THEN 1 ELSE 0 END
            WHERE day = substr(OLD.created_at, 1, 10) AND ward_code = OLD.ward_code
              AND survey_id = OLD.survey_id;
    END IF;
    IF TG_OP = 'UPDATE' THEN
        IF NEW.superseded_by IS NULL THEN
            INSERT INTO participation_by_day AS counts (day, ward_code, survey_id, responses, older)
                VALUES (substr(NEW.created_at, 1, 10), NEW.ward_code, NEW.survey_id, 1,
                        CASE WHEN NEW.age_band IN ('7-9', '10-12', '13-15') THEN 1 ELSE 0 END)
            ON CONFLICT (day, ward_code, survey_id) DO UPDATE
                SET responses = counts.responses + 1,
                    older = counts.older + excluded.older;
        END IF;
    END IF;
    RETURN NULL;
END;
$$;
CREATE TRIGGER participation_of_deleted AFTER DELETE ON responses
    FOR EACH ROW WHEN (OLD.superseded_by IS NULL)
    EXECUTE FUNCTION participation_of_changed();
-- Only when what is counted changes: a chain settled again sets
-- `superseded_by` to what it already was.
CREATE TRIGGER participation_of_updated
    AFTER UPDATE OF superseded_by, created_at, ward_code, survey_id, age_band ON responses
    FOR EACH ROW
    WHEN ((OLD.superseded_by IS NULL) <> (NEW.superseded_by IS NULL)
          OR (NEW.superseded_by IS NULL
              AND (OLD.created_at IS DISTINCT FROM NEW.created_at
                   OR OLD.ward_code IS DISTINCT FROM NEW.ward_code
                   OR OLD.survey_id IS DISTINCT FROM NEW.survey_id
                   OR OLD.age_band IS DISTINCT FROM NEW.age_band)))
    EXECUTE FUNCTION participation_of_changed();
