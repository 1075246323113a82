-- A family's reference is eight random digits of its response's id
-- (thamgia_core::response::reference): the first eight of a random id
-- (version 4), which the town hall finds through the primary key's range,
-- and, since the app makes time-ordered ids (version 7, whose first digits
-- are the time they were made), the last eight, found through this index.
-- Only such ids are in it: the 15th character of an id as stored
-- (lowercase, with dashes) is its version.
CREATE INDEX responses_by_reference_at_end ON responses (substr(id, 29, 8))
    WHERE substr(id, 15, 1) = '7';
