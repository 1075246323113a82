-- The refused records kept before their kind and ward had columns
-- (migration 0011) and not released yet: what a ward officer's list
-- reads beside its ward's own waiting rows, which the index on
-- (ward_code, received_at) finds (`database/quarantine.rs`). Their ward is
-- known only from the record itself. Before, a ward's list read every
-- waiting row of the city, newest first, to keep its ward's: half a
-- second at a million responses with 10,000 refused.
CREATE INDEX rejected_mutations_waiting_before_kinds
    ON rejected_mutations (received_at DESC, client_id, seq)
    WHERE released_at IS NULL AND kind IS NULL;
