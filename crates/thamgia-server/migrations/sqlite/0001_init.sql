-- Tham Gia's central store, first schema.

-- Published survey versions; a version is never changed once published.
CREATE TABLE surveys (
    id           TEXT    NOT NULL,
    version      INTEGER NOT NULL,
    definition   TEXT    NOT NULL,
    published_at TEXT    NOT NULL,
    PRIMARY KEY (id, version)
);

-- The server's change log: pull cursors count its rows.
CREATE TABLE changes (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    kind       TEXT    NOT NULL,
    entity_id  TEXT    NOT NULL,
    payload    TEXT    NOT NULL,
    created_at TEXT    NOT NULL
);

-- One row per tablet install: the highest mutation seq applied.
CREATE TABLE clients (
    client_id  TEXT    PRIMARY KEY,
    last_seq   INTEGER NOT NULL,
    updated_at TEXT    NOT NULL
);

-- Every mutation applied, with its outcome, so a replay gets the same answer
-- and a reused seq is recognised.
CREATE TABLE mutation_log (
    client_id   TEXT    NOT NULL,
    seq         INTEGER NOT NULL,
    record_id   TEXT    NOT NULL,
    outcome     TEXT    NOT NULL,
    received_at TEXT    NOT NULL,
    PRIMARY KEY (client_id, seq)
);

-- Completed survey responses, append-only, keyed by the tablet-made id.
CREATE TABLE responses (
    id             TEXT    PRIMARY KEY,
    survey_id      TEXT    NOT NULL,
    survey_version INTEGER NOT NULL,
    ward_code      TEXT    NOT NULL,
    age_band       TEXT    NOT NULL,
    sex            TEXT    NOT NULL,
    content        TEXT    NOT NULL,
    content_sha256 TEXT    NOT NULL,
    client_id      TEXT    NOT NULL,
    client_seq     INTEGER NOT NULL,
    created_at     TEXT    NOT NULL,
    received_at    TEXT    NOT NULL
);
CREATE INDEX responses_by_survey ON responses (survey_id, survey_version);
CREATE INDEX responses_by_ward ON responses (ward_code);

-- A record that arrived under an existing id with other content: kept beside
-- the original, never overwriting it.
CREATE TABLE response_conflicts (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    response_id    TEXT    NOT NULL,
    content        TEXT    NOT NULL,
    content_sha256 TEXT    NOT NULL,
    client_id      TEXT    NOT NULL,
    client_seq     INTEGER NOT NULL,
    received_at    TEXT    NOT NULL,
    UNIQUE (response_id, content_sha256)
);

-- Mutations refused by the rules, kept whole with the reasons.
CREATE TABLE rejected_mutations (
    client_id   TEXT    NOT NULL,
    seq         INTEGER NOT NULL,
    payload     TEXT    NOT NULL,
    reasons     TEXT    NOT NULL,
    received_at TEXT    NOT NULL,
    PRIMARY KEY (client_id, seq)
);
