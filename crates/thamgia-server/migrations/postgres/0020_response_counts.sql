-- The town hall's overview counts each ward's responses of a period, and
-- those of children aged 7 and over, among the responses that count (not
-- superseded by a correction; a withdrawn one is deleted). Counted from
-- the responses, that read a quarter's entries of an index at every
-- request: 250,000 at a million responses. This table holds the same
-- counts by day and ward, kept by the database itself (the triggers
-- below) at every write of a response whoever writes it, so the overview
-- sums at most days × wards rows however many responses there are.
-- PostgreSQL dialect of ../sqlite/0020_response_counts.sql.
--
-- `day` is the first ten characters of `created_at`, which is stored as
-- RFC 3339 in UTC ('2026-04-01T09:30:00.000Z') and compared byte by byte
-- (collation "C", as `created_at`): a response's
-- `created_at >= '<D>T00:00:00'` exactly when its `day >= '<D>'`, so a
-- period's days [first day, first day after) hold exactly the responses
-- its range of `created_at` held.
-- A day and ward whose responses are all withdrawn or superseded keeps
-- its row at 0 (the overview leaves out wards at 0, as counting did).
CREATE TABLE participation_by_day (
    day       TEXT COLLATE "C" NOT NULL,
    ward_code TEXT    NOT NULL,
    responses BIGINT  NOT NULL,  -- responses that count
    older     BIGINT  NOT NULL,  -- those of children aged 7 and over
    PRIMARY KEY (day, ward_code)
);

INSERT INTO participation_by_day (day, ward_code, responses, older)
    SELECT substr(created_at, 1, 10), ward_code, COUNT(*),
           SUM(CASE WHEN age_band IN ('7-9', '10-12', '13-15') THEN 1 ELSE 0 END)
    FROM responses
    WHERE superseded_by IS NULL
    GROUP BY substr(created_at, 1, 10), ward_code;

-- Responses stored: once per statement, each day and ward of the rows it
-- inserted gains them (a push stores a batch in one statement).
CREATE FUNCTION participation_of_inserted() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO participation_by_day AS counts (day, ward_code, responses, older)
        SELECT substr(created_at, 1, 10), ward_code, COUNT(*),
               SUM(CASE WHEN age_band IN ('7-9', '10-12', '13-15') THEN 1 ELSE 0 END)
        FROM inserted
        WHERE superseded_by IS NULL
        GROUP BY substr(created_at, 1, 10), ward_code
    ON CONFLICT (day, ward_code) DO UPDATE
        SET responses = counts.responses + excluded.responses,
            older = counts.older + excluded.older;
    RETURN NULL;
END;
$$;
CREATE TRIGGER participation_of_inserted AFTER INSERT ON responses
    REFERENCING NEW TABLE AS inserted
    FOR EACH STATEMENT EXECUTE FUNCTION participation_of_inserted();

-- A response withdrawn (deleted), superseded by a correction (or counted
-- again), or its day, ward or age band changed: out of what it was
-- counted in, into what it now is.
CREATE FUNCTION participation_of_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.superseded_by IS NULL THEN
        UPDATE participation_by_day
            SET responses = responses - 1,
                older = older - CASE WHEN OLD.age_band IN ('7-9', '10-12', '13-15') THEN 1 ELSE 0 END
            WHERE day = substr(OLD.created_at, 1, 10) AND ward_code = OLD.ward_code;
    END IF;
    IF TG_OP = 'UPDATE' THEN
        IF NEW.superseded_by IS NULL THEN
            INSERT INTO participation_by_day AS counts (day, ward_code, responses, older)
                VALUES (substr(NEW.created_at, 1, 10), NEW.ward_code, 1,
                        CASE WHEN NEW.age_band IN ('7-9', '10-12', '13-15') THEN 1 ELSE 0 END)
            ON CONFLICT (day, ward_code) DO UPDATE
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
    AFTER UPDATE OF superseded_by, created_at, ward_code, age_band ON responses
    FOR EACH ROW
    WHEN ((OLD.superseded_by IS NULL) <> (NEW.superseded_by IS NULL)
          OR (NEW.superseded_by IS NULL
              AND (OLD.created_at IS DISTINCT FROM NEW.created_at
                   OR OLD.ward_code IS DISTINCT FROM NEW.ward_code
                   OR OLD.age_band IS DISTINCT FROM NEW.age_band)))
    EXECUTE FUNCTION participation_of_changed();

-- What only the count read (0018): one index fewer to grow per response.
DROP INDEX IF EXISTS responses_for_participation;

-- The responses export logs how many responses of the survey it holds
-- when it starts (`rows=` in the audit log). Counted, that read all the
-- survey's entries of an index (a million at a million responses) before
-- the export's first byte; kept here, it is one row read.
CREATE TABLE survey_response_counts (
    survey_id TEXT    PRIMARY KEY,
    responses BIGINT  NOT NULL  -- every response held, superseded or not
);

INSERT INTO survey_response_counts (survey_id, responses)
    SELECT survey_id, COUNT(*) FROM responses GROUP BY survey_id;

CREATE FUNCTION survey_count_of_inserted() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO survey_response_counts AS counts (survey_id, responses)
        SELECT survey_id, COUNT(*) FROM inserted GROUP BY survey_id
    ON CONFLICT (survey_id) DO UPDATE
        SET responses = counts.responses + excluded.responses;
    RETURN NULL;
END;
$$;
CREATE TRIGGER survey_count_of_inserted AFTER INSERT ON responses
    REFERENCING NEW TABLE AS inserted
    FOR EACH STATEMENT EXECUTE FUNCTION survey_count_of_inserted();

CREATE FUNCTION survey_count_of_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE survey_response_counts SET responses = responses - 1
        WHERE survey_id = OLD.survey_id;
    IF TG_OP = 'UPDATE' THEN
        INSERT INTO survey_response_counts AS counts (survey_id, responses)
            VALUES (NEW.survey_id, 1)
        ON CONFLICT (survey_id) DO UPDATE SET responses = counts.responses + 1;
    END IF;
    RETURN NULL;
END;
$$;
CREATE TRIGGER survey_count_of_deleted AFTER DELETE ON responses
    FOR EACH ROW EXECUTE FUNCTION survey_count_of_changed();
-- Nothing moves a response to another survey; were it to, the counts follow.
CREATE TRIGGER survey_count_of_updated AFTER UPDATE OF survey_id ON responses
    FOR EACH ROW WHEN (OLD.survey_id IS DISTINCT FROM NEW.survey_id)
    EXECUTE FUNCTION survey_count_of_changed();
