-- Children's forums, their recommendations, the authorities' answers and
-- the feedback given back to the children.

CREATE TABLE forums (
    id             TEXT PRIMARY KEY,
    ward_code      TEXT NOT NULL,
    held_on        TEXT NOT NULL,
    content        TEXT NOT NULL,
    content_sha256 TEXT NOT NULL,
    client_id      TEXT NOT NULL,
    received_at    TEXT NOT NULL,
    corrects       TEXT,
    superseded_by  TEXT
);
CREATE INDEX forums_by_ward ON forums (ward_code);

-- A forum sent again under its id with other content: kept, never overwriting.
CREATE TABLE forum_conflicts (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    forum_id       TEXT NOT NULL,
    content        TEXT NOT NULL,
    content_sha256 TEXT NOT NULL,
    client_id      TEXT NOT NULL,
    received_at    TEXT NOT NULL,
    UNIQUE (forum_id, content_sha256)
);

CREATE TABLE recommendations (
    id       TEXT PRIMARY KEY,
    forum_id TEXT NOT NULL,
    content  TEXT NOT NULL
);

CREATE TABLE recommendation_answers (
    recommendation_id TEXT PRIMARY KEY,
    content           TEXT NOT NULL,
    recorded_at       TEXT NOT NULL
);

CREATE TABLE child_feedback (
    recommendation_id TEXT PRIMARY KEY,
    content           TEXT NOT NULL,
    recorded_at       TEXT NOT NULL
);
