-- A ward's children by group (age band and sex, children with a
-- disability), entered beside the 7-15 total so the survey results can
-- show who was heard against who lives there
-- (thamgia_core::results::representation::ChildPopulation, as JSON).
ALTER TABLE ward_populations ADD COLUMN groups TEXT;
