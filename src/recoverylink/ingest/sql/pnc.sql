-- Loading a PNC extract (spec §2) from staged_nominals, staged_aliases and
-- staged_disposals: every column as text, plus record_id, load_id, source_row
-- and nominal_record_id (the record_id that stands for the row's PNC id, from
-- identity.pnc_ids; for a nominal it is its own record_id).

-- name: identity
INSERT INTO identity.pnc_nominals BY NAME
SELECT
    record_id,
    load_id,
    pnc_id,
    surname,
    forenames,
    CAST(date_of_birth AS DATE) AS date_of_birth,
    sex,
    nullif(postcode, '') AS postcode
FROM staged_nominals;

INSERT INTO identity.pnc_aliases BY NAME
SELECT
    record_id,
    load_id,
    nominal_record_id,
    pnc_id,
    surname,
    forenames,
    CAST(date_of_birth AS DATE) AS date_of_birth
FROM staged_aliases;

-- name: warehouse
INSERT INTO raw.pnc_nominals BY NAME
SELECT record_id, load_id, source_row, police_force
FROM staged_nominals;

INSERT INTO raw.pnc_aliases BY NAME
SELECT record_id, load_id, source_row, nominal_record_id
FROM staged_aliases;

INSERT INTO raw.pnc_disposals BY NAME
SELECT
    record_id,
    load_id,
    source_row,
    nominal_record_id,
    disposal_id,
    CAST(offence_date AS DATE) AS offence_date,
    CAST(disposal_date AS DATE) AS disposal_date,
    disposal_type,
    offence_code
FROM staged_disposals;
