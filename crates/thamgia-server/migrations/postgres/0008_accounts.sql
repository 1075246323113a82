-- Accounts and their device tokens.
CREATE TABLE accounts (
    id            TEXT PRIMARY KEY,      -- uuid
    username      TEXT NOT NULL UNIQUE,
    display_name  TEXT NOT NULL,
    role          TEXT NOT NULL,         -- collector | ward_officer | city_officer
    ward_code     TEXT,                  -- NULL for city officers
    password_hash TEXT NOT NULL,         -- argon2 PHC string
    active        BIGINT NOT NULL,       -- 1 or 0 (INTEGER on SQLite)
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);
CREATE TABLE device_tokens (
    id           TEXT PRIMARY KEY,       -- uuid shown to city officers
    token_sha256 TEXT NOT NULL UNIQUE,   -- the token itself is never stored
    account_id   TEXT NOT NULL REFERENCES accounts (id),
    device_label TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    last_used_at TEXT,
    revoked_at   TEXT
);
CREATE INDEX device_tokens_by_account ON device_tokens (account_id);
