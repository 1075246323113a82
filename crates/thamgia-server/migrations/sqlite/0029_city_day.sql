-- Each response's day in Hanoi's calendar (UTC+7), kept beside it, and the
-- participation counts of 0020/0025/0026 kept by that day instead of the
-- UTC day `created_at` starts with. A response made between midnight and
-- 07:00 in Hanoi fell on the UTC day before: on the last day of a quarter
-- it counted in the quarter before at the town hall's participation,
-- while the survey results (Hanoi's quarters since 0012) counted it in
-- its own. The server writes `city_day` with every response (core's
-- `response::counts::city_day`); the triggers that move a response's
-- counts read it, so they move exactly what was added.
--
-- Stored times are RFC 3339 in UTC with milliseconds, written by the
-- server; years outside 1000-9998 (a tablet clock gone wild) keep the
-- first ten characters, as before: they fall in no period anyone reads.
ALTER TABLE responses ADD COLUMN city_day TEXT NOT NULL DEFAULT '';
UPDATE responses SET city_day =
    CASE WHEN created_at >= '1000' AND created_at < '9999'
         THEN COALESCE(date(created_at, '+7 hours'), substr(created_at, 1, 10))
         ELSE substr(created_at, 1, 10)
    END;

DROP TRIGGER participation_of_deleted;
DROP TRIGGER participation_of_updated;

DELETE FROM participation_by_day;
INSERT INTO participation_by_day (day, ward_code, survey_id, responses, older, first_time,
                                  again)
    SELECT city_day, ward_code, survey_id, COUNT(*),
           SUM(age_band IN ('7-9', '10-12', '13-15')),
           SUM(age_band IN ('7-9', '10-12', '13-15') AND heard_before = 'first_time'),
           SUM(age_band IN ('7-9', '10-12', '13-15') AND heard_before = 'again')
    FROM responses
    WHERE superseded_by IS NULL
    GROUP BY city_day, ward_code, survey_id;

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
        WHERE day = OLD.city_day AND ward_code = OLD.ward_code
          AND survey_id = OLD.survey_id;
END;

-- A response superseded by a correction (or counted again), or its day,
-- ward, survey, age band or earlier consultation changed: out of what it
-- was counted in, into what it now is. Only when what is counted changes.
CREATE TRIGGER participation_of_updated
AFTER UPDATE OF superseded_by, city_day, ward_code, survey_id, age_band, heard_before
ON responses
WHEN (OLD.superseded_by IS NULL) <> (NEW.superseded_by IS NULL)
  OR (NEW.superseded_by IS NULL
      AND (OLD.city_day IS NOT NEW.city_day
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
          AND day = OLD.city_day AND ward_code = OLD.ward_code
          AND survey_id = OLD.survey_id;
    INSERT INTO participation_by_day (day, ward_code, survey_id, responses, older, first_time,
                                      again)
        SELECT NEW.city_day, NEW.ward_code, NEW.survey_id, 1,
               NEW.age_band IN ('7-9', '10-12', '13-15'),
               NEW.age_band IN ('7-9', '10-12', '13-15') AND NEW.heard_before = 'first_time',
               NEW.age_band IN ('7-9', '10-12', '13-15') AND NEW.heard_before = 'again'
        WHERE NEW.superseded_by IS NULL
    ON CONFLICT (day, ward_code, survey_id) DO UPDATE
        SET responses = responses + 1, older = older + excluded.older,
            first_time = first_time + excluded.first_time, again = again + excluded.again;
END;
