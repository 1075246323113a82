-- When each ward last pushed, read by /metrics at every scrape: one index
-- probe per ward for its newest response and its newest refused record.
CREATE INDEX responses_by_ward_received ON responses (ward_code, received_at);
CREATE INDEX rejected_mutations_by_ward_received ON rejected_mutations (ward_code, received_at);
