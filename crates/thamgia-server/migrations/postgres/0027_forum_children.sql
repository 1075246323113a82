-- PostgreSQL dialect of ../sqlite/0027_forum_children.sql: the children
-- aged 7 and over each forum recorded, counted once here for the forums
-- stored before, and the forums by the day they were held.
ALTER TABLE forums ADD COLUMN children_7_plus BIGINT NOT NULL DEFAULT 0;

UPDATE forums SET children_7_plus = LEAST(4294967295, COALESCE((
    SELECT SUM((part ->> 'count')::BIGINT)
    FROM jsonb_array_elements(COALESCE(forums.content::jsonb -> 'participants', '[]'::jsonb))
        AS part
    WHERE part ->> 'age_band' IN ('7-9', '10-12', '13-15')
), 0));

CREATE INDEX forums_by_day ON forums (held_on);
