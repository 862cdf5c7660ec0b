-- Mortality study: deaths in treatment and in the year after leaving
-- (studies/mortality.py runs these blocks in order; docs/study-mortality.md).
--
-- Unit: the treatment journey of a consenting person (a non-consenting
-- episode is never linked, so a death could never be found for it).
--
-- Each journey gives up to two periods at risk, both ends included:
--   in_treatment   start_date .. end_date (data_end while the journey is open)
--   after_leaving  end_date + 1 day .. the earliest of end_date + 1 year
--                  (calendar: 2010-06-30 -> 2011-06-30), the day before the
--                  person's next journey starts, and data_end.
-- A death on the end date is a death in treatment (as mart.journeys'
-- died_in_treatment_date); a death on end_date + 1 year is in the year after
-- leaving; one a day later is in neither. A person's journeys do not overlap
-- and the year after leaving stops where the next journey starts, so the
-- periods of one person never overlap and a death falls in one period at most.
--
-- The death: the person's earliest linked death registration whose link
-- probability is at least $min_probability (NULL: every link), its
-- drug_poisoning flag (ties on the date: a drug poisoning first). Time at risk
-- ends on the day of death; periods starting after it (a journey starting after
-- the person's linked death: a false link, or a wrong date) give no time.
--
-- The study window ($window_start .. $window_end) clips every period: only
-- time and deaths inside the window count.
--
-- Ageing: the journey's age is in whole years at its start. Follow-up is cut
-- at each anniversary of the journey's start; in the k-th year after the start
-- (k = 0, 1, ...) the person is counted at age + k, banded into the five-year
-- bands of the reference rates (15-19 .. 85-89; younger ages count as 15-19,
-- older as 85-89).

-- name: death_records
CREATE OR REPLACE TEMP TABLE mortality_death_records AS
SELECT person_id, death_id, date_of_death, drug_poisoning, link_probability
FROM deaths;

-- name: death_records_without_probability
-- A mart built before link_probability was added: every link is kept.
CREATE OR REPLACE TEMP TABLE mortality_death_records AS
SELECT person_id, death_id, date_of_death, drug_poisoning,
       CAST(NULL AS DOUBLE) AS link_probability
FROM deaths;

-- name: deaths
CREATE OR REPLACE TEMP TABLE mortality_deaths AS
WITH kept AS (
    SELECT person_id, death_id, date_of_death, coalesce(drug_poisoning, false) AS drug_poisoning,
           row_number() OVER (
               PARTITION BY person_id
               ORDER BY date_of_death, coalesce(drug_poisoning, false) DESC, death_id
           ) AS nth,
           count(*) OVER (PARTITION BY person_id) AS registrations
    FROM mortality_death_records
    WHERE CAST($min_probability AS DOUBLE) IS NULL
       OR coalesce(link_probability, 1.0) >= CAST($min_probability AS DOUBLE)
)
SELECT person_id, death_id, date_of_death, drug_poisoning, registrations
FROM kept
WHERE nth = 1;

-- name: periods
CREATE OR REPLACE TEMP TABLE mortality_periods AS
WITH cohort AS (
    SELECT j.journey_id, j.person_id, j.start_date, j.end_date, j.next_start_date,
           j.exit_reason, j.sex, j.age, j.age_band, j.substance_group,
           d.date_of_death, d.drug_poisoning
    FROM journeys AS j
    LEFT JOIN mortality_deaths AS d ON d.person_id = j.person_id
    WHERE j.consented
),
periods AS (
    SELECT *, 'in_treatment' AS period, start_date AS period_start,
           coalesce(end_date, CAST($data_end AS DATE)) AS period_end
    FROM cohort
    UNION ALL
    SELECT *, 'after_leaving' AS period, CAST(end_date + 1 AS DATE) AS period_start,
           least(CAST(end_date + INTERVAL 1 YEAR AS DATE),
                 coalesce(CAST(next_start_date - 1 AS DATE), DATE '9999-12-31'),
                 CAST($data_end AS DATE)) AS period_end
    FROM cohort
    WHERE end_date IS NOT NULL
),
clipped AS (
    SELECT *,
           greatest(period_start, CAST($window_start AS DATE)) AS risk_start,
           least(period_end, CAST($window_end AS DATE),
                 coalesce(date_of_death, DATE '9999-12-31')) AS risk_end
    FROM periods
)
SELECT journey_id, person_id, start_date, end_date, exit_reason, sex, age, age_band,
       substance_group, period, period_start, period_end, risk_start, risk_end,
       date_of_death, drug_poisoning,
       coalesce(date_of_death BETWEEN risk_start AND risk_end, false) AS died
FROM clipped
WHERE risk_start <= risk_end;

-- name: pieces
-- Each period cut at the anniversaries of its journey's start.
CREATE OR REPLACE TEMP TABLE mortality_pieces AS
WITH years AS (
    SELECT p.*,
           unnest(range(date_diff('year', p.start_date, p.risk_start) - 1,
                        date_diff('year', p.start_date, p.risk_end) + 1)) AS k
    FROM mortality_periods AS p
),
bounds AS (
    SELECT *,
           CAST(start_date + to_years(CAST(k AS INTEGER)) AS DATE) AS year_start,
           CAST(CAST(start_date + to_years(CAST(k + 1 AS INTEGER)) AS DATE) - 1 AS DATE)
               AS year_end
    FROM years
    WHERE k >= 0
)
SELECT journey_id, person_id, period, sex, age_band, substance_group,
       greatest(risk_start, year_start) AS piece_start,
       least(risk_end, year_end) AS piece_end,
       date_diff('day', greatest(risk_start, year_start), least(risk_end, year_end)) + 1
           AS person_days,
       age + k AS attained_age,
       least(greatest(CAST(floor((age + k) / 5) * 5 AS INTEGER), 15), 85) AS ref_age_from,
       died AND date_of_death BETWEEN greatest(risk_start, year_start)
                                  AND least(risk_end, year_end) AS died,
       drug_poisoning
FROM bounds
WHERE greatest(risk_start, year_start) <= least(risk_end, year_end);

-- name: strata
-- Person-days and deaths by period and every grouping the study reports.
SELECT period, sex, age_band, substance_group, ref_age_from,
       sum(person_days) AS person_days,
       count(*) FILTER (WHERE died) AS deaths,
       count(*) FILTER (WHERE died AND drug_poisoning) AS drug_poisoning_deaths
FROM mortality_pieces
GROUP BY ALL
ORDER BY ALL;

-- name: people
-- Distinct people and journeys with time at risk, by period ('both' for
-- either) and grouping.
WITH p AS (
    SELECT period, person_id, journey_id, sex, age_band, substance_group
    FROM mortality_periods
    UNION ALL
    SELECT 'both', person_id, journey_id, sex, age_band, substance_group
    FROM mortality_periods
),
long AS (
    SELECT period, person_id, journey_id, 'england' AS breakdown, 'England' AS "group" FROM p
    UNION ALL
    SELECT period, person_id, journey_id, 'sex', coalesce(sex, 'not stated') FROM p
    UNION ALL
    SELECT period, person_id, journey_id, 'age_band', coalesce(age_band, 'not known') FROM p
    UNION ALL
    SELECT period, person_id, journey_id, 'substance_group',
           coalesce(substance_group, 'not known')
    FROM p
)
SELECT period, breakdown, "group",
       count(DISTINCT person_id) AS people,
       count(DISTINCT journey_id) AS journeys
FROM long
GROUP BY ALL;

-- name: cohort
-- The counts behind the cohort lines of the report.
SELECT
    (SELECT count(*) FROM journeys WHERE NOT consented
        AND start_date <= CAST($window_end AS DATE)
        AND coalesce(end_date, CAST($data_end AS DATE)) >= CAST($window_start AS DATE))
        AS non_consenting_journeys,
    (SELECT count(DISTINCT journey_id) FROM mortality_periods) AS journeys,
    (SELECT count(DISTINCT person_id) FROM mortality_periods) AS people,
    (SELECT count(*) FROM mortality_death_records) AS death_records,
    (SELECT count(*) FROM mortality_death_records
        WHERE CAST($min_probability AS DOUBLE) IS NOT NULL
          AND coalesce(link_probability, 1.0) < CAST($min_probability AS DOUBLE))
        AS death_records_below_threshold,
    (SELECT count(*) FROM mortality_deaths WHERE registrations > 1)
        AS people_with_several_deaths,
    (SELECT count(*) FROM mortality_periods WHERE died) AS deaths_counted,
    (SELECT count(*) FROM journeys AS j JOIN mortality_deaths AS d USING (person_id)
        WHERE j.consented AND j.start_date > d.date_of_death
          AND j.start_date <= CAST($window_end AS DATE))
        AS journeys_after_death,
    (SELECT count(*) FROM journeys AS j
        WHERE j.consented AND j.exit_reason = 'died'
          AND j.end_date BETWEEN CAST($window_start AS DATE) AND CAST($window_end AS DATE)
          AND NOT EXISTS (SELECT 1 FROM mortality_periods AS p
                          WHERE p.person_id = j.person_id AND p.died))
        AS died_exits_without_registration,
    (SELECT min(date_of_death) FROM mortality_death_records) AS first_death_date,
    (SELECT max(date_of_death) FROM mortality_death_records) AS last_death_date;
