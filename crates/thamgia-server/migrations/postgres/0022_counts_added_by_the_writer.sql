-- PostgreSQL dialect of ../sqlite/0022_counts_added_by_the_writer.sql:
-- the counts of 0020 gained by stored responses are added by the server,
-- as on SQLite, so both backends count a stored response by the same
-- code (core's `response::counts`). The statement-level triggers that
-- added them go; those that move a response's counts when it is
-- superseded, changed or withdrawn stay.
DROP TRIGGER IF EXISTS participation_of_inserted ON responses;
DROP FUNCTION IF EXISTS participation_of_inserted();
DROP TRIGGER IF EXISTS survey_count_of_inserted ON responses;
DROP FUNCTION IF EXISTS survey_count_of_inserted();
