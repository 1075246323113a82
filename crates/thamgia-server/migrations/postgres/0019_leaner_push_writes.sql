-- What each stored response costs the push to write and the disk to keep,
-- with nothing any query reads given up: responses_by_survey (survey_id,
-- survey_version) and responses_by_ward (ward_code) are the first columns
-- of indexes kept beside them (responses_for_export and responses_by_cell
-- begin with survey_id, responses_by_ward_received with ward_code), and no
-- query asks for a survey version through an index: two fewer trees to
-- grow per response. (SQLite's step also keeps mutation_log in its
-- primary key's tree alone; a PostgreSQL table is a heap beside its
-- primary key's index whatever it is declared as.)
DROP INDEX IF EXISTS responses_by_survey;
DROP INDEX IF EXISTS responses_by_ward;
