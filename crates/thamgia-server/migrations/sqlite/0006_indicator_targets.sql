-- Targets a city officer set, replacing the shipped catalogue's targets for
-- that indicator (targets are data, per jurisdiction and year).
CREATE TABLE indicator_targets (
    code         TEXT    NOT NULL,
    jurisdiction TEXT    NOT NULL,
    year         INTEGER NOT NULL,
    value        REAL    NOT NULL,
    updated_at   TEXT    NOT NULL,
    PRIMARY KEY (code, jurisdiction, year)
);
CREATE TABLE indicator_target_sets (
    code       TEXT PRIMARY KEY,
    updated_at TEXT NOT NULL
);
