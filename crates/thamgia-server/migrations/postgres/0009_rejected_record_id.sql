-- The id of the record a refused mutation carried, so withdrawing consent
-- finds its refused copies without reading the JSON payload.
ALTER TABLE rejected_mutations ADD COLUMN record_id TEXT;
UPDATE rejected_mutations SET record_id = payload::jsonb ->> 'id';
CREATE INDEX rejected_mutations_by_record ON rejected_mutations (record_id);
