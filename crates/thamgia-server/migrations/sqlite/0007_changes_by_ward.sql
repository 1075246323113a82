-- The ward a change concerns (NULL for changes every tablet needs, such as
-- surveys), so a tablet pulls only its own ward's reports and forums.
ALTER TABLE changes ADD COLUMN ward_code TEXT;
CREATE INDEX changes_by_ward ON changes (ward_code, seq);
