-- Persons (mart.persons): everyone in any mart table, once.
--
-- sex: the sex most often recorded across the person's episodes, drug tests
-- and death registration (ties: 'female' before 'male', alphabetically);
-- NULL when never stated. The age and local authority are those at the first
-- treatment episode; the age band is NDTMS's (mart.age_bands). The substance group takes every
-- substance the person ever cited in treatment, by the hierarchy in
-- episodes.sql.

-- name: persons
CREATE OR REPLACE TABLE persons AS
WITH everyone AS (
    SELECT person_id FROM episodes
    UNION SELECT person_id FROM offences
    UNION SELECT person_id FROM drug_tests
    UNION SELECT person_id FROM deaths
),
sexes AS (
    SELECT person_id, sex, count(*) AS records
    FROM (
        SELECT person_id, sex FROM episodes
        UNION ALL SELECT person_id, sex FROM drug_tests
        UNION ALL SELECT person_id, sex FROM deaths
    ) AS s
    WHERE sex IS NOT NULL
    GROUP BY person_id, sex
),
modal_sex AS (
    SELECT person_id, sex,
           row_number() OVER (PARTITION BY person_id ORDER BY records DESC, sex) AS nth
    FROM sexes
),
first_episode AS (
    SELECT person_id, triage_date, age, local_authority, region_code,
           row_number() OVER (PARTITION BY person_id ORDER BY triage_date, episode_id) AS nth
    FROM episodes
),
treatment AS (
    SELECT person_id,
           count(*) AS episodes,
           count(DISTINCT journey_id) AS journeys,
           bool_or(cites_opiate) AS cites_opiate,
           bool_or(cites_alcohol) AS cites_alcohol,
           bool_or(cites_non_opiate) AS cites_non_opiate
    FROM episodes
    JOIN journey_episodes USING (episode_id, person_id)
    GROUP BY person_id
),
offending AS (
    SELECT person_id, count(*) AS disposals, min(offence_date) AS first_offence_date
    FROM offences GROUP BY person_id
),
tests AS (
    SELECT person_id, count(*) AS drug_tests FROM drug_tests GROUP BY person_id
),
died AS (
    SELECT person_id, min(date_of_death) AS date_of_death, bool_or(drug_poisoning) AS drug_poisoning
    FROM deaths GROUP BY person_id
)
SELECT e.person_id,
       s.sex,
       f.age AS age_at_first_triage,
       ab.age_band,
       f.triage_date AS first_triage_date,
       f.local_authority AS first_local_authority,
       f.region_code AS first_region_code,
       CASE
           WHEN t.cites_opiate THEN 'opiate'
           WHEN t.cites_non_opiate AND t.cites_alcohol THEN 'non_opiate_and_alcohol'
           WHEN t.cites_non_opiate THEN 'non_opiate'
           WHEN t.cites_alcohol THEN 'alcohol'
       END AS substance_group,
       coalesce(t.episodes, 0) AS episodes,
       coalesce(t.journeys, 0) AS journeys,
       coalesce(o.disposals, 0) AS disposals,
       o.first_offence_date,
       coalesce(dt.drug_tests, 0) AS drug_tests,
       d.date_of_death,
       d.drug_poisoning AS drug_poisoning_death
FROM everyone AS e
LEFT JOIN modal_sex AS s ON s.person_id = e.person_id AND s.nth = 1
LEFT JOIN first_episode AS f ON f.person_id = e.person_id AND f.nth = 1
LEFT JOIN age_bands AS ab ON f.age BETWEEN ab.age_from AND ab.age_to
LEFT JOIN treatment AS t ON t.person_id = e.person_id
LEFT JOIN offending AS o ON o.person_id = e.person_id
LEFT JOIN tests AS dt ON dt.person_id = e.person_id
LEFT JOIN died AS d ON d.person_id = e.person_id;
