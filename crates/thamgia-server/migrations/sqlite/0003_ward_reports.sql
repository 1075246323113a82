-- Ward indicator reports: every field edit is kept; a report's fields are
-- their merge (see thamgia_core::report), so no edit is ever lost.

CREATE TABLE reports (
    id                TEXT PRIMARY KEY,
    ward_code         TEXT NOT NULL,
    period            TEXT NOT NULL,
    status            TEXT NOT NULL,
    status_changed_at TEXT NOT NULL
);

CREATE TABLE report_edits (
    report_id   TEXT    NOT NULL,
    field       TEXT    NOT NULL,
    wall_ms     INTEGER NOT NULL,
    counter     INTEGER NOT NULL,
    client_id   TEXT    NOT NULL,
    edit        TEXT    NOT NULL,
    received_at TEXT    NOT NULL,
    PRIMARY KEY (report_id, field, wall_ms, counter, client_id, edit)
);
CREATE INDEX report_edits_by_report ON report_edits (report_id);
