-- A refused record is kept only up to a stated size: beside its payload
-- (whole, or its first bytes when it was larger), what an officer needs to
-- act on it without the payload: who sent it, what it was, which ward, how
-- large it was and its digest.
ALTER TABLE rejected_mutations ADD COLUMN sent_by TEXT;
ALTER TABLE rejected_mutations ADD COLUMN kind TEXT;
ALTER TABLE rejected_mutations ADD COLUMN ward_code TEXT;
ALTER TABLE rejected_mutations ADD COLUMN payload_bytes INTEGER;
ALTER TABLE rejected_mutations ADD COLUMN payload_sha256 TEXT;
ALTER TABLE rejected_mutations ADD COLUMN payload_complete INTEGER NOT NULL DEFAULT 1;
UPDATE rejected_mutations SET payload_bytes = length(CAST(payload AS BLOB));
