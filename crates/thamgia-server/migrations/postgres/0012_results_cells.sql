-- Survey results are kept summarised by cell: one ward in one quarter of
-- Hanoi's calendar (thamgia_core::results::maintained). Each response
-- names its quarter and the revision of its cell its arrival raised; each
-- cell has a revision the push transaction raises whenever anything of
-- the cell changes, and a count of the changes that were more than a
-- response added (withdrawals, corrections), so every server re-reads
-- only what changed: the responses added since it last looked, or the
-- whole cell after a removal.
ALTER TABLE responses ADD COLUMN results_quarter TEXT;
ALTER TABLE responses ADD COLUMN results_revision BIGINT;
CREATE INDEX responses_by_cell ON responses (survey_id, ward_code, results_quarter, results_revision);

CREATE TABLE results_cells (
    survey_id TEXT   NOT NULL,
    ward_code TEXT   NOT NULL,
    quarter   TEXT   NOT NULL,
    revision  BIGINT NOT NULL,
    removals  BIGINT NOT NULL,
    PRIMARY KEY (survey_id, ward_code, quarter)
);
