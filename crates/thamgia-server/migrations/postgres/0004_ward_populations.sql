-- The ward's child population aged 7-15, entered per ward and year: the
-- denominator of the participation indicator.
CREATE TABLE ward_populations (
    ward_code     TEXT    NOT NULL,
    year          BIGINT  NOT NULL,
    children_7_15 BIGINT  NOT NULL,
    updated_at    TEXT    NOT NULL,
    PRIMARY KEY (ward_code, year)
);
