-- What children wrote, coded by officers: each survey's codebook of themes
-- and the answers tagged with them. PostgreSQL dialect of
-- ../sqlite/0012_themes.sql. A theme is an officer's data (a label of at
-- most 80 characters, unique in its survey once case, spacing and
-- diacritics are set aside: `label_key`); a tag names a response, the
-- question answered and a theme. A withdrawn response is deleted, and its
-- tags with it; a deleted theme takes its tags with it.
CREATE TABLE themes (
    id         TEXT PRIMARY KEY,
    survey_id  TEXT NOT NULL,
    label      TEXT NOT NULL,
    label_key  TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT COLLATE "C" NOT NULL,
    CHECK (char_length(label) <= 80),
    UNIQUE (survey_id, label_key)
);

CREATE TABLE answer_tags (
    theme_id    TEXT NOT NULL REFERENCES themes (id) ON DELETE CASCADE,
    response_id TEXT COLLATE "C" NOT NULL REFERENCES responses (id) ON DELETE CASCADE,
    question_id TEXT NOT NULL,
    ward_code   TEXT NOT NULL,
    tagged_by   TEXT NOT NULL,
    tagged_at   TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (theme_id, response_id, question_id)
);
CREATE INDEX answer_tags_by_response ON answer_tags (response_id);
