-- The responses export reads a survey's responses page by page in the
-- order they were received (keyset: received_at, id), so a page costs the
-- same at the millionth row as at the first and no export holds the
-- whole table in memory or a connection for its whole length.
CREATE INDEX responses_for_export ON responses (survey_id, received_at, id);
