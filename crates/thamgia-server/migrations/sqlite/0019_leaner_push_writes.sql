-- What each stored response costs the push to write and the disk to keep,
-- with nothing any query reads given up:
--
-- * responses_by_survey (survey_id, survey_version) and responses_by_ward
--   (ward_code) are the first columns of indexes kept beside them
--   (responses_for_export and responses_by_cell begin with survey_id,
--   responses_by_ward_received with ward_code), and no query asks for a
--   survey version through an index: two fewer trees to grow per response.
-- * mutation_log is read only by its primary key (client_id, seq): kept in
--   that key's tree alone (WITHOUT ROWID) instead of a table and an index
--   holding the key a second time.
DROP INDEX IF EXISTS responses_by_survey;
DROP INDEX IF EXISTS responses_by_ward;

CREATE TABLE mutation_log_by_key (
    client_id   TEXT    NOT NULL,
    seq         INTEGER NOT NULL,
    record_id   TEXT    NOT NULL,
    outcome     TEXT    NOT NULL,
    received_at TEXT    NOT NULL,
    PRIMARY KEY (client_id, seq)
) WITHOUT ROWID;
INSERT INTO mutation_log_by_key (client_id, seq, record_id, outcome, received_at)
    SELECT client_id, seq, record_id, outcome, received_at FROM mutation_log;
DROP TABLE mutation_log;
ALTER TABLE mutation_log_by_key RENAME TO mutation_log;
