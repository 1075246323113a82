-- Targets a city officer set, replacing the shipped catalogue's targets for
-- that indicator (targets are data, per jurisdiction and year).
CREATE TABLE indicator_targets (
    code         TEXT COLLATE "C" NOT NULL,
    jurisdiction TEXT COLLATE "C" NOT NULL,
    year         BIGINT  NOT NULL,
    value        DOUBLE PRECISION NOT NULL,
    updated_at   TEXT    NOT NULL,
    PRIMARY KEY (code, jurisdiction, year)
);
CREATE TABLE indicator_target_sets (
    code       TEXT PRIMARY KEY,
    updated_at TEXT NOT NULL
);
