-- The state of each results cell (one ward in one quarter) its published
-- figures are of: a cell's figures change only once at least k changes
-- came since its last release (core's `results::release`), so that no two
-- views of the results differ by one child's answers. Kept in the store so
-- that a restart or another server publishes the same release. Every cell
-- already kept is released as it stands: the figures shown before this
-- version stay what they were.
CREATE TABLE results_released (
    survey_id TEXT   NOT NULL,
    ward_code TEXT   NOT NULL,
    quarter   TEXT   NOT NULL,
    revision  BIGINT NOT NULL,
    removals  BIGINT NOT NULL,
    PRIMARY KEY (survey_id, ward_code, quarter)
);
INSERT INTO results_released (survey_id, ward_code, quarter, revision, removals)
SELECT survey_id, ward_code, quarter, revision, removals FROM results_cells;
