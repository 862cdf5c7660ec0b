-- The numerator and denominator of every indicator, for England, each region
-- and each local authority, all substances and each substance group, for
-- every period (indicators/definitions.py says what each indicator means).
--
-- Run with the mart (or truth_mart) as the default schema and these
-- temporary tables:
--   periods (period_type, period, period_start, period_end, follow_up_complete):
--     the financial years and rolling 12 months; follow_up_complete when the
--     data reach 6 months past the period's end (re-presentation is known);
--   indicator_settings (population_scale): resident populations are
--     multiplied by it (a synthetic England at scale 0.1 has a tenth of the
--     people).
--
-- The unit is the person. A person in treatment in a period is counted once,
-- in the local authority (and region) and substance group of their latest
-- journey open in it (the latest start; ties: the larger journey id).

-- name: person_periods
-- One row per person in treatment per period: where they are counted, their
-- case mix (at their latest journey's start) and what happened to them.
-- A person's journeys never start on the same day, so the latest is the one
-- with the latest start.
-- completed: a journey ended successfully in the period; represented: the
-- last such journey was followed by a new one within 6 months.
-- effective_known: retained 12 weeks by the period end, or ended by it;
-- effective: retained 12 weeks, or ended successfully before 12 weeks.
CREATE OR REPLACE TEMP TABLE person_periods AS
WITH active AS (
    -- every journey open at any time in each period
    SELECT p.period_type, p.period, p.period_start, p.period_end,
           j.person_id, j.journey_id, j.start_date, j.end_date, j.represented_6m,
           j.died_in_treatment_date,
           coalesce(j.exit_class = 'successful'
                    AND j.end_date BETWEEN p.period_start AND p.period_end, false)
               AS completed_in_period,
           date_diff('day', j.start_date,
                     least(coalesce(j.end_date, p.period_end), p.period_end)) >= 84
               AS retained_12_weeks,
           coalesce(j.end_date <= p.period_end, false) AS ended_by_period_end
    FROM periods AS p
    JOIN journeys AS j
        ON j.start_date <= p.period_end
       AND coalesce(j.end_date, DATE '9000-01-01') >= p.period_start
),
flags AS (
    SELECT period_type, period, person_id,
           arg_max(journey_id, start_date) AS latest_journey_id,
           bool_or(start_date BETWEEN period_start AND period_end) AS new_presentation,
           bool_or(completed_in_period) AS completed,
           coalesce(arg_max(represented_6m, end_date) FILTER (WHERE completed_in_period), false)
               AS represented,
           bool_or(retained_12_weeks OR ended_by_period_end) AS effective_known,
           bool_or(retained_12_weeks
                   OR (completed_in_period AND date_diff('day', start_date, end_date) < 84))
               AS effective,
           coalesce(bool_or(died_in_treatment_date BETWEEN period_start AND period_end), false)
               AS died
    FROM active
    GROUP BY period_type, period, person_id
)
SELECT f.period_type, f.period, f.person_id, f.new_presentation, f.completed, f.represented,
       f.effective_known, f.effective, f.died,
       j.local_authority, j.region_code, j.substance_group,
       j.sex, j.age_band, j.injecting_status, j.accommodation, j.employment,
       j.referral_source, j.previously_treated
FROM flags AS f
JOIN journeys AS j ON j.journey_id = f.latest_journey_id;

-- name: person_counts
-- Sums of the person flags for each area and substance group.
CREATE OR REPLACE TEMP TABLE person_counts AS
WITH grouped AS (
    SELECT period_type, period,
           CASE WHEN grouping(local_authority) = 0 THEN 'local_authority'
                WHEN grouping(region_code) = 0 THEN 'region'
                ELSE 'england' END AS level,
           CASE WHEN grouping(local_authority) = 0 THEN local_authority
                WHEN grouping(region_code) = 0 THEN region_code
                ELSE 'E92000001' END AS area_code,
           region_code AS parent_code,
           CASE WHEN grouping(substance_group) = 0 THEN substance_group ELSE 'all' END
               AS substance_group,
           grouping(substance_group) = 0 AND substance_group IS NULL AS no_substance,
           count(*) AS in_treatment,
           count_if(new_presentation) AS new_presentations,
           count_if(completed) AS completed,
           count_if(completed AND NOT represented) AS completed_not_representing,
           count_if(represented) AS represented,
           count_if(effective_known) AS effective_known,
           count_if(effective) AS effective,
           count_if(died) AS died
    FROM person_periods
    GROUP BY GROUPING SETS (
        (period_type, period),
        (period_type, period, region_code),
        (period_type, period, region_code, local_authority),
        (period_type, period, substance_group),
        (period_type, period, region_code, substance_group),
        (period_type, period, region_code, local_authority, substance_group)
    )
)
-- people with no substance recorded count in 'all' only; an area or region
-- that is not known is left out
SELECT period_type, period, level, area_code,
       CASE WHEN level = 'local_authority' THEN parent_code END AS region_code,
       substance_group, in_treatment, new_presentations, completed,
       completed_not_representing, represented, effective_known, effective, died
FROM grouped
WHERE NOT no_substance
  AND area_code IS NOT NULL
  AND NOT (level = 'local_authority' AND parent_code IS NULL);

-- name: wait_counts
-- Journeys whose first intervention started in the period, by the journey's
-- local authority and substance group, and how many waited under 3 weeks.
CREATE OR REPLACE TEMP TABLE wait_counts AS
WITH waits AS (
    SELECT p.period_type, p.period, j.local_authority, j.region_code, j.substance_group,
           w.under_3_weeks
    FROM journey_waits AS w
    JOIN journeys AS j ON j.journey_id = w.journey_id
    JOIN periods AS p ON w.start_date BETWEEN p.period_start AND p.period_end
),
grouped AS (
    SELECT period_type, period,
           CASE WHEN grouping(local_authority) = 0 THEN 'local_authority'
                WHEN grouping(region_code) = 0 THEN 'region'
                ELSE 'england' END AS level,
           CASE WHEN grouping(local_authority) = 0 THEN local_authority
                WHEN grouping(region_code) = 0 THEN region_code
                ELSE 'E92000001' END AS area_code,
           region_code AS parent_code,
           CASE WHEN grouping(substance_group) = 0 THEN substance_group ELSE 'all' END
               AS substance_group,
           grouping(substance_group) = 0 AND substance_group IS NULL AS no_substance,
           count(*) AS journeys,
           count_if(under_3_weeks) AS under_3_weeks
    FROM waits
    GROUP BY GROUPING SETS (
        (period_type, period),
        (period_type, period, region_code),
        (period_type, period, region_code, local_authority),
        (period_type, period, substance_group),
        (period_type, period, region_code, substance_group),
        (period_type, period, region_code, local_authority, substance_group)
    )
)
SELECT period_type, period, level, area_code, substance_group, journeys, under_3_weeks
FROM grouped
WHERE NOT no_substance
  AND area_code IS NOT NULL
  AND NOT (level = 'local_authority' AND parent_code IS NULL);

-- name: areas
-- Every area with its name, parent region and resident population (mid-2006,
-- times the population scale).
CREATE OR REPLACE TEMP TABLE areas AS
SELECT 'local_authority' AS level, la.la_code AS area_code, la.la_name AS area_name,
       la.region_code, la.population_mid2006 * s.population_scale AS population
FROM ref.local_authorities AS la CROSS JOIN indicator_settings AS s
UNION ALL
SELECT 'region', la.region_code, any_value(la.region_name), NULL,
       sum(la.population_mid2006) * any_value(s.population_scale)
FROM ref.local_authorities AS la CROSS JOIN indicator_settings AS s
GROUP BY la.region_code
UNION ALL
SELECT 'england', 'E92000001', 'England', NULL,
       sum(la.population_mid2006) * any_value(s.population_scale)
FROM ref.local_authorities AS la CROSS JOIN indicator_settings AS s;

-- name: counts
-- One row per indicator, period, area and substance group. The two
-- re-presentation indicators only for periods whose follow-up is complete.
WITH person_rows AS (
    SELECT c.*, a.area_name, a.population, a.region_code AS parent_code,
           p.period_start, p.period_end, p.follow_up_complete
    FROM person_counts AS c
    JOIN areas AS a ON a.level = c.level AND a.area_code = c.area_code
    JOIN periods AS p ON p.period_type = c.period_type AND p.period = c.period
),
long AS (
    SELECT 'in_treatment' AS indicator_id, *, in_treatment AS numerator,
           population AS denominator FROM person_rows
    UNION ALL
    SELECT 'new_presentations', *, new_presentations, population FROM person_rows
    UNION ALL
    SELECT 'successful_completions', *, completed, in_treatment FROM person_rows
    UNION ALL
    SELECT 'successful_completions_not_representing', *, completed_not_representing,
           in_treatment FROM person_rows WHERE follow_up_complete
    UNION ALL
    SELECT 'representations', *, represented, completed FROM person_rows
    WHERE follow_up_complete
    UNION ALL
    SELECT 'effective_treatment', *, effective, effective_known FROM person_rows
    UNION ALL
    SELECT 'deaths_in_treatment', *, died, in_treatment FROM person_rows
)
SELECT indicator_id, period_type, period, period_start, period_end, level, area_code,
       area_name, parent_code AS region_code, substance_group,
       CAST(numerator AS BIGINT) AS numerator, CAST(denominator AS DOUBLE) AS denominator
FROM long
UNION ALL
SELECT 'waiting_under_3_weeks', w.period_type, w.period, p.period_start, p.period_end,
       w.level, w.area_code, a.area_name, a.region_code, w.substance_group,
       CAST(w.under_3_weeks AS BIGINT), CAST(w.journeys AS DOUBLE)
FROM wait_counts AS w
JOIN areas AS a ON a.level = w.level AND a.area_code = w.area_code
JOIN periods AS p ON p.period_type = w.period_type AND p.period = w.period;

-- name: case_mix_persons
-- The people in treatment in each financial year, with their case mix and
-- whether they completed successfully: the input of the case-mix model.
SELECT period, person_id, local_authority AS area_code, region_code,
       CAST(completed AS INTEGER) AS completed,
       age_band, sex, substance_group, injecting_status, accommodation, employment,
       referral_source, previously_treated
FROM person_periods
WHERE period_type = 'financial_year'
ORDER BY period, person_id;
