-- The publication database's tables, from the analysts' files and the
-- suppression decided in Python (disclosure.py).
--
-- Run on a fresh DuckDB file with these relations registered:
--   raw_values: outputs/indicators/indicator_values with numerator_c and
--     denominator_c (booleans: the count is suppressed);
--   raw_points: outputs/indicators/funnel_points;
--   raw_case_mix: outputs/indicators/case_mix_areas with n_c and observed_c;
--   raw_definitions, raw_periods: the indicator definitions and periods.
-- A suppressed ('c') or unavailable ('x') figure is NULL; its status column
-- says which.

-- name: indicator_values
-- value_status: 'c' when the numerator or the denominator is suppressed (the
-- value and its limits would give it back), 'x' when there is no value (a
-- zero denominator), else ''. Comparisons and trends go with the value.
CREATE TABLE indicator_values AS
WITH status AS (
    SELECT *,
           CASE WHEN numerator_c THEN 'c' ELSE '' END AS numerator_status,
           CASE WHEN denominator_c THEN 'c' ELSE '' END AS denominator_status,
           CASE WHEN numerator_c OR denominator_c THEN 'c'
                WHEN value IS NULL OR isnan(value) THEN 'x'
                ELSE '' END AS value_status
    FROM raw_values
),
england AS (
    SELECT indicator_id, period_type, period, substance_group,
           CASE WHEN value_status = '' THEN value END AS england_value
    FROM status
    WHERE level = 'england'
)
SELECT s.indicator_id, s.period_type, s.period, s.period_start::DATE AS period_start,
       s.period_end::DATE AS period_end, s.level, s.area_code, s.area_name,
       nullif(s.region_code, '') AS region_code, s.substance_group,
       CASE WHEN s.numerator_status = '' THEN s.numerator END::BIGINT AS numerator,
       CASE WHEN s.denominator_status = '' THEN s.denominator END::DOUBLE AS denominator,
       CASE WHEN s.value_status = '' THEN s.value END AS value,
       CASE WHEN s.value_status = '' THEN s.lower_95 END AS lower_95,
       CASE WHEN s.value_status = '' THEN s.upper_95 END AS upper_95,
       CASE WHEN s.value_status = '' THEN s.lower_99_8 END AS lower_99_8,
       CASE WHEN s.value_status = '' THEN s.upper_99_8 END AS upper_99_8,
       e.england_value,
       CASE WHEN s.value_status = '' AND e.england_value IS NOT NULL
            THEN s.compared_95 END AS compared_95,
       CASE WHEN s.value_status = '' AND e.england_value IS NOT NULL
            THEN s.compared_99_8 END AS compared_99_8,
       CASE WHEN s.value_status = '' THEN nullif(s.trend, '') END AS trend,
       s.numerator_status, s.denominator_status, s.value_status
FROM status AS s
LEFT JOIN england AS e USING (indicator_id, period_type, period, substance_group)
ORDER BY s.indicator_id, s.period_type, s.period, s.level, s.area_code, s.substance_group;

-- name: funnel_points
-- Financial years, local authorities whose value is published.
CREATE TABLE funnel_points AS
SELECT p.indicator_id, p.period, p.substance_group, p.area_code, p.area_name,
       v.denominator, v.value, p.position
FROM raw_points AS p
JOIN indicator_values AS v
  ON v.indicator_id = p.indicator_id AND v.period_type = p.period_type
 AND v.period = p.period AND v.area_code = p.area_code
 AND v.substance_group = p.substance_group
WHERE p.period_type = 'financial_year' AND v.value_status = '' AND v.denominator_status = ''
ORDER BY p.indicator_id, p.period, p.substance_group, p.area_code;

-- name: case_mix_areas
-- n and observed are the people in treatment and their completions (the same
-- cells as the indicators'); every figure derived from a suppressed one goes.
CREATE TABLE case_mix_areas AS
SELECT period, area_code, area_name, region_code, comparator_group::INTEGER AS comparator_group,
       CASE WHEN NOT n_c THEN n END::BIGINT AS n,
       CASE WHEN NOT observed_c THEN observed END::BIGINT AS observed,
       CASE WHEN NOT (n_c OR observed_c) THEN expected END AS expected,
       CASE WHEN NOT (n_c OR observed_c) THEN observed_rate END AS observed_rate,
       CASE WHEN NOT (n_c OR observed_c) THEN expected_rate END AS expected_rate,
       CASE WHEN NOT (n_c OR observed_c) THEN ratio END AS ratio,
       CASE WHEN NOT (n_c OR observed_c) THEN ratio_lower_95 END AS ratio_lower_95,
       CASE WHEN NOT (n_c OR observed_c) THEN ratio_upper_95 END AS ratio_upper_95,
       CASE WHEN NOT (n_c OR observed_c) THEN adjusted_rate END AS adjusted_rate,
       CASE WHEN NOT (n_c OR observed_c) THEN adjusted_rate_lower_95 END AS adjusted_rate_lower_95,
       CASE WHEN NOT (n_c OR observed_c) THEN adjusted_rate_upper_95 END AS adjusted_rate_upper_95,
       CASE WHEN NOT (n_c OR observed_c) THEN significance END AS significance,
       CASE WHEN n_c OR observed_c THEN 'c' ELSE '' END AS status
FROM raw_case_mix
ORDER BY period, area_code;

-- name: indicators
CREATE TABLE indicators AS
SELECT id AS indicator_id, title, numerator AS numerator_label,
       denominator AS denominator_label, kind, multiplier::DOUBLE AS multiplier,
       coalesce(polarity, '') AS polarity, unit, method_note,
       (row_number() OVER ())::INTEGER AS sort_key
FROM raw_definitions;

-- name: periods
CREATE TABLE periods AS
SELECT period_type, period, period_start::DATE AS period_start, period_end::DATE AS period_end,
       period_end = max(period_end) OVER (PARTITION BY period_type) AS is_latest
FROM raw_periods
ORDER BY period_type, period_start;

-- name: areas
-- Every area with a published row; comparator groups from the latest year
-- of the case-mix comparison.
CREATE TABLE areas AS
WITH named AS (
    SELECT DISTINCT area_code, area_name, level, region_code FROM indicator_values
),
regions AS (
    SELECT area_code AS region_code, area_name AS region_name FROM named WHERE level = 'region'
),
groups AS (
    SELECT area_code, arg_max(comparator_group, period) AS comparator_group
    FROM case_mix_areas GROUP BY area_code
)
SELECT n.area_code, n.area_name, n.level, n.region_code, r.region_name,
       g.comparator_group,
       (row_number() OVER (ORDER BY CASE n.level WHEN 'england' THEN 0 WHEN 'region' THEN 1
                                   ELSE 2 END, n.area_name, n.area_code))::INTEGER AS sort_key
FROM named AS n
LEFT JOIN regions AS r USING (region_code)
LEFT JOIN groups AS g USING (area_code)
ORDER BY sort_key;

-- name: keys
-- What identifies a row of each table the website looks rows up in (a
-- duplicate would be a build error, refused here rather than shown twice).
ALTER TABLE areas ADD PRIMARY KEY (area_code);
ALTER TABLE indicators ADD PRIMARY KEY (indicator_id);
ALTER TABLE periods ADD PRIMARY KEY (period_type, period);
ALTER TABLE studies ADD PRIMARY KEY (study);
ALTER TABLE catalogue ADD PRIMARY KEY (table_id);
ALTER TABLE indicator_values
    ADD PRIMARY KEY (indicator_id, period_type, period, area_code, substance_group);
ALTER TABLE funnel_points ADD PRIMARY KEY (indicator_id, period, substance_group, area_code);
ALTER TABLE case_mix_areas ADD PRIMARY KEY (period, area_code);
ALTER TABLE study_headlines ADD PRIMARY KEY (study, headline_id);
