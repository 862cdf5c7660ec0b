-- Loading drug tests on arrest (spec §3) from staged_drug_tests: every column
-- as text, plus record_id, load_id, source_row and nominal_record_id (the
-- record_id standing for the test's PNC id in identity.pnc_ids; NULL without one).

-- name: identity
INSERT INTO identity.drug_tests BY NAME
SELECT
    record_id,
    load_id,
    nullif(pnc_id, '') AS pnc_id,
    nullif(first_initial, '') AS first_initial,
    nullif(last_initial, '') AS last_initial,
    CAST(date_of_birth AS DATE) AS date_of_birth,
    sex
FROM staged_drug_tests;

-- name: warehouse
INSERT INTO raw.drug_tests BY NAME
SELECT
    record_id,
    load_id,
    source_row,
    nominal_record_id,
    test_id,
    police_force,
    CAST(test_date AS DATE) AS test_date,
    opiates,
    cocaine,
    trigger_offence_code,
    required_assessment
FROM staged_drug_tests;
