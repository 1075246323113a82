-- The children aged 7 and over each forum recorded (core's
-- `Forum::children_7_plus`, written as a forum is stored), so that the
-- town hall's participation shows a ward's forum children of a period
-- beside its consultations, read by the day the forum was held. Forums
-- stored before are counted once here from their participants.
ALTER TABLE forums ADD COLUMN children_7_plus INTEGER NOT NULL DEFAULT 0;

UPDATE forums SET children_7_plus = MIN(4294967295, COALESCE((
    SELECT SUM(json_extract(part.value, '$.count'))
    FROM json_each(forums.content, '$.participants') AS part
    WHERE json_extract(part.value, '$.age_band') IN ('7-9', '10-12', '13-15')
), 0));

CREATE INDEX forums_by_day ON forums (held_on);
