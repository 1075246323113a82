-- PostgreSQL dialect of ../sqlite/0029_city_day.sql: each response's day
-- in Hanoi's calendar (UTC+7) kept beside it, the participation counts
-- kept by that day, and the function that moves a response's counts
-- reading it. Stored times are RFC 3339 in UTC with milliseconds, written
-- by the server; years outside 1000-9998 keep the first ten characters.
ALTER TABLE responses ADD COLUMN city_day TEXT COLLATE "C" NOT NULL DEFAULT '';
UPDATE responses SET city_day =
    CASE WHEN created_at >= '1000' AND created_at < '9999'
         THEN to_char(CAST(substr(created_at, 1, 19) AS timestamp) + interval '7 hours',
                      'YYYY-MM-DD')
         ELSE substr(created_at, 1, 10)
    END;

DROP TRIGGER participation_of_deleted ON responses;
DROP TRIGGER participation_of_updated ON responses;
DROP FUNCTION participation_of_changed();

DELETE FROM participation_by_day;
INSERT INTO participation_by_day (day, ward_code, survey_id, responses, older, first_time,
                                  again)
    SELECT city_day, ward_code, survey_id, COUNT(*),
           SUM(CASE WHEN age_band IN ('7-9', '10-12', '13-15') THEN 1 ELSE 0 END),
           SUM(CASE WHEN age_band IN ('7-9', '10-12', '13-15') AND heard_before = 'first_time'
                    THEN 1 ELSE 0 END),
           SUM(CASE WHEN age_band IN ('7-9', '10-12', '13-15') AND heard_before = 'again'
                    THEN 1 ELSE 0 END)
    FROM responses
    WHERE superseded_by IS NULL
    GROUP BY city_day, ward_code, survey_id;

-- A response withdrawn (deleted), superseded by a correction (or counted
-- again), or its day, ward, survey, age band or earlier consultation
-- changed: out of what it was counted in, into what it now is.
CREATE FUNCTION participation_of_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    was_older BOOLEAN;
    now_older BOOLEAN;
BEGIN
    IF OLD.superseded_by IS NULL THEN
        was_older := OLD.age_band IN ('7-9', '10-12', '13-15');
        UPDATE participation_by_day
            SET responses = responses - 1,
                older = older - CASE WHEN was_older THEN 1 ELSE 0 END,
                first_time = first_time
                    - CASE WHEN was_older AND OLD.heard_before = 'first_time' THEN 1 ELSE 0 END,
                again = again
                    - CASE WHEN was_older AND OLD.heard_before = 'again' THEN 1 ELSE 0 END
            WHERE day = OLD.city_day AND ward_code = OLD.ward_code
              AND survey_id = OLD.survey_id;
    END IF;
    IF TG_OP = 'UPDATE' THEN
        IF NEW.superseded_by IS NULL THEN
            now_older := NEW.age_band IN ('7-9', '10-12', '13-15');
            INSERT INTO participation_by_day AS counts
                (day, ward_code, survey_id, responses, older, first_time, again)
                VALUES (NEW.city_day, NEW.ward_code, NEW.survey_id, 1,
                        CASE WHEN now_older THEN 1 ELSE 0 END,
                        CASE WHEN now_older AND NEW.heard_before = 'first_time' THEN 1 ELSE 0 END,
                        CASE WHEN now_older AND NEW.heard_before = 'again' THEN 1 ELSE 0 END)
            ON CONFLICT (day, ward_code, survey_id) DO UPDATE
                SET responses = counts.responses + 1,
                    older = counts.older + excluded.older,
                    first_time = counts.first_time + excluded.first_time,
                    again = counts.again + excluded.again;
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
    AFTER UPDATE OF superseded_by, city_day, ward_code, survey_id, age_band, heard_before
    ON responses
    FOR EACH ROW
    WHEN ((OLD.superseded_by IS NULL) <> (NEW.superseded_by IS NULL)
          OR (NEW.superseded_by IS NULL
              AND (OLD.city_day IS DISTINCT FROM NEW.city_day
                   OR OLD.ward_code IS DISTINCT FROM NEW.ward_code
                   OR OLD.survey_id IS DISTINCT FROM NEW.survey_id
                   OR OLD.age_band IS DISTINCT FROM NEW.age_band
                   OR OLD.heard_before IS DISTINCT FROM NEW.heard_before)))
    EXECUTE FUNCTION participation_of_changed();
