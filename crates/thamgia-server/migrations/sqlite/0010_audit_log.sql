-- The audit log: who did what with children's data (Decree 13/2023).
-- Append-only: the server never updates or deletes a row, and the triggers
-- below refuse it to anyone else. No row holds a child's answers: actors
-- are user names, targets ids or names of things, details codes and counts,
-- each bounded.
CREATE TABLE audit_log (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    at         TEXT    NOT NULL,      -- RFC 3339, UTC, milliseconds
    actor      TEXT,                  -- user name, or the typed name's prefix
    actor_role TEXT,                  -- collector | ward_officer | city_officer
    action     TEXT    NOT NULL,      -- sign_in, export_responses, …
    ward_code  TEXT,
    target     TEXT    NOT NULL,
    detail     TEXT    NOT NULL,
    CHECK (length(actor) <= 64),
    CHECK (length(action) <= 64),
    CHECK (length(ward_code) <= 16),
    CHECK (length(target) <= 160),
    CHECK (length(detail) <= 200)
);
CREATE INDEX audit_log_by_at ON audit_log (at);
CREATE INDEX audit_log_by_action ON audit_log (action, id);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
