-- A refused record an officer accepted afterwards (a response sent by an
-- account that could not reach its ward): when and by whom. It leaves the
-- list of refused records; its row stays, as the record of the refusal.
ALTER TABLE rejected_mutations ADD COLUMN released_at TEXT;
ALTER TABLE rejected_mutations ADD COLUMN released_by TEXT;
