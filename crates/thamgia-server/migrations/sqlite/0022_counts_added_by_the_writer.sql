-- The counts of 0020 gained by a stored response are added by the server
-- in the statement after the one that stores it (the server's
-- src/database/responses/counts.rs, core's `response::counts`): one
-- multi-row statement per table for a whole push, where these triggers
-- ran two upserts for every row. They also made every multi-row insert of
-- responses keep a statement journal (a trigger's upsert may abort the
-- statement), about 0.9 GB of page copies per 40,000 responses pushed.
-- The triggers that move a response's counts when it is superseded,
-- changed or withdrawn stay: every writer of those goes through them.
DROP TRIGGER IF EXISTS participation_of_inserted;
DROP TRIGGER IF EXISTS survey_count_of_inserted;
