-- Loading treatment submissions (spec §1) from the staged tables
-- staged_episodes, staged_interventions and staged_top: every column of the
-- CSV file as text ('' = missing), plus record_id, load_id and source_row (the
-- line the record starts on). Each statement block runs in its own database's
-- transaction (see loader.py).

-- name: identity
-- Attributors of consenting episodes only: a non-consenting episode keeps none.
INSERT INTO identity.treatment_episodes BY NAME
SELECT
    record_id,
    load_id,
    client_ref,
    nullif(first_initial, '') AS first_initial,
    nullif(last_initial, '') AS last_initial,
    CAST(date_of_birth AS DATE) AS date_of_birth,
    sex,
    nullif(postcode_district, '') AS postcode_district
FROM staged_episodes
WHERE consent = 'y';

-- name: warehouse
INSERT INTO raw.treatment_episodes BY NAME
SELECT
    record_id,
    load_id,
    source_row,
    provider_code,
    episode_ref,
    consent,
    consent = 'y' AS linkable,
    nullif(local_authority, '') AS local_authority,
    nullif(ethnicity, '') AS ethnicity,
    CAST(referral_date AS DATE) AS referral_date,
    nullif(referral_source, '') AS referral_source,
    CAST(triage_date AS DATE) AS triage_date,
    nullif(substance_1, '') AS substance_1,
    nullif(substance_2, '') AS substance_2,
    nullif(substance_3, '') AS substance_3,
    nullif(injecting_status, '') AS injecting_status,
    nullif(accommodation, '') AS accommodation,
    nullif(employment, '') AS employment,
    nullif(parental_status, '') AS parental_status,
    nullif(previously_treated, '') AS previously_treated,
    CAST(nullif(discharge_date, '') AS DATE) AS discharge_date,
    nullif(discharge_reason, '') AS discharge_reason
FROM staged_episodes;

-- Every intervention and review has its episode in the same submission (the
-- validator made sure), so the inner joins keep every row.
INSERT INTO raw.treatment_interventions BY NAME
SELECT
    i.record_id,
    i.load_id,
    i.source_row,
    e.record_id AS episode_record_id,
    i.provider_code,
    i.episode_ref,
    i.intervention_ref,
    i.intervention_type,
    i.setting,
    CAST(i.referred_date AS DATE) AS referred_date,
    CAST(i.start_date AS DATE) AS start_date,
    CAST(nullif(i.end_date, '') AS DATE) AS end_date,
    nullif(i.exit_status, '') AS exit_status
FROM staged_interventions AS i
JOIN staged_episodes AS e
    ON e.load_id = i.load_id AND e.provider_code = i.provider_code AND e.episode_ref = i.episode_ref;

INSERT INTO raw.treatment_top BY NAME
SELECT
    t.record_id,
    t.load_id,
    t.source_row,
    e.record_id AS episode_record_id,
    t.provider_code,
    t.episode_ref,
    CAST(t.top_date AS DATE) AS top_date,
    t.stage,
    CAST(t.days_opiates AS SMALLINT) AS days_opiates,
    CAST(t.days_crack AS SMALLINT) AS days_crack,
    CAST(t.days_cocaine AS SMALLINT) AS days_cocaine,
    CAST(t.days_amphetamines AS SMALLINT) AS days_amphetamines,
    CAST(t.days_cannabis AS SMALLINT) AS days_cannabis,
    CAST(t.days_alcohol AS SMALLINT) AS days_alcohol,
    CAST(t.days_injected AS SMALLINT) AS days_injected,
    CAST(t.shoplifting_days AS SMALLINT) AS shoplifting_days,
    CAST(t.drug_selling_days AS SMALLINT) AS drug_selling_days,
    CAST(t.other_theft_days AS SMALLINT) AS other_theft_days,
    t.assault,
    CAST(t.psychological_health AS SMALLINT) AS psychological_health,
    CAST(t.physical_health AS SMALLINT) AS physical_health,
    CAST(t.quality_of_life AS SMALLINT) AS quality_of_life,
    t.acute_housing_problem,
    t.housing_risk,
    CAST(t.paid_work_days AS SMALLINT) AS paid_work_days,
    CAST(t.education_days AS SMALLINT) AS education_days
FROM staged_top AS t
JOIN staged_episodes AS e
    ON e.load_id = t.load_id AND e.provider_code = t.provider_code AND e.episode_ref = t.episode_ref;
