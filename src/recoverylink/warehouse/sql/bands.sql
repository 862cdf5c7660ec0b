-- NDTMS age bands (mart.age_bands), for ages in whole years at triage.

-- name: age_bands
CREATE OR REPLACE TABLE age_bands AS
SELECT * FROM (VALUES
    ('18-24', 0, 24), ('25-29', 25, 29), ('30-34', 30, 34), ('35-39', 35, 39),
    ('40-44', 40, 44), ('45-49', 45, 49), ('50-54', 50, 54), ('55-59', 55, 59),
    ('60-64', 60, 64), ('65+', 65, 200)
) AS bands (age_band, age_from, age_to);
