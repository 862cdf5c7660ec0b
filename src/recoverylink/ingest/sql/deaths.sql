-- Loading death registrations (spec §4) from staged_deaths: every column as
-- text, plus record_id, load_id and source_row.

-- name: identity
INSERT INTO identity.deaths BY NAME
SELECT
    record_id,
    load_id,
    surname,
    forenames,
    CAST(date_of_birth AS DATE) AS date_of_birth,
    sex,
    nullif(postcode, '') AS postcode
FROM staged_deaths;

-- name: warehouse
INSERT INTO raw.deaths BY NAME
SELECT
    record_id,
    load_id,
    source_row,
    death_id,
    CAST(date_of_death AS DATE) AS date_of_death,
    CAST(date_registered AS DATE) AS date_registered,
    underlying_cause,
    drug_poisoning
FROM staged_deaths;
