-- The refused records not released yet, newest first: the order the town
-- hall's list reads them in (`database/quarantine.rs`), so a page of the
-- list reads its rows and no more, however many were refused. Before, the
-- list sorted every waiting row, each with its record, at every request.
CREATE INDEX rejected_mutations_waiting
    ON rejected_mutations (received_at DESC, client_id, seq)
    WHERE released_at IS NULL;
