-- TOP study: change from the Treatment Outcomes Profile at the start of
-- treatment to the latest review (studies/top.py; docs/study-top.md).
--
-- Unit: one per treatment journey, its FIRST episode (by triage date, then
-- episode id) that has a TOP at stage `start`. That episode's earliest start
-- TOP is compared with its latest TOP at stage `review` or `exit`
-- (mart.episode_top). The unit is chosen before looking at reviews: a journey
-- whose first start-TOP episode has no later review is counted as "not
-- reviewed", never replaced by a later episode that has one (which would pick
-- the people who stayed).
--
-- Reviewed: a review or exit TOP dated after the start TOP (a review on the
-- same day is not a change).
--
-- Window: the start TOP's date from $window_start to $window_end.
--
-- Main drug: the episode's substance_1, scored on the TOP column of days of
-- use in the past 28 days:
--   heroin, methadone, other_opiate -> days_opiates;  crack -> days_crack;
--   cocaine -> days_cocaine;  amphetamine -> days_amphetamines;
--   cannabis -> days_cannabis;  alcohol -> days_alcohol;
--   anything else (benzodiazepine, other, not recorded): not scored.
-- Group and area: the episode's substance group and local authority.

-- name: units
CREATE OR REPLACE TEMP TABLE top_units AS
WITH firsts AS (
    SELECT je.journey_id, e.person_id, e.episode_id, e.triage_date, e.substance_1,
           e.substance_group, e.local_authority, e.region_code,
           t.* EXCLUDE (episode_id),
           row_number() OVER (
               PARTITION BY je.journey_id ORDER BY e.triage_date, e.episode_id
           ) AS nth
    FROM episode_top AS t
    JOIN episodes AS e ON e.episode_id = t.episode_id
    JOIN journey_episodes AS je ON je.episode_id = t.episode_id
    WHERE t.start_date IS NOT NULL
),
units AS (
    SELECT *,
           CASE
               WHEN substance_1 IN ('heroin', 'methadone', 'other_opiate') THEN 'opiates'
               WHEN substance_1 = 'crack' THEN 'crack'
               WHEN substance_1 = 'cocaine' THEN 'cocaine'
               WHEN substance_1 = 'amphetamine' THEN 'amphetamines'
               WHEN substance_1 = 'cannabis' THEN 'cannabis'
               WHEN substance_1 = 'alcohol' THEN 'alcohol'
           END AS main_drug
    FROM firsts
    WHERE nth = 1
      AND start_date BETWEEN CAST($window_start AS DATE) AND CAST($window_end AS DATE)
)
SELECT journey_id, person_id, episode_id, triage_date, substance_1, main_drug,
       substance_group, local_authority, region_code,
       start_date AS start_top_date, latest_review_date, latest_review_stage,
       coalesce(latest_review_date > start_date, false) AS reviewed,
       CASE main_drug
           WHEN 'opiates' THEN start_days_opiates WHEN 'crack' THEN start_days_crack
           WHEN 'cocaine' THEN start_days_cocaine
           WHEN 'amphetamines' THEN start_days_amphetamines
           WHEN 'cannabis' THEN start_days_cannabis WHEN 'alcohol' THEN start_days_alcohol
       END AS start_days_main,
       CASE main_drug
           WHEN 'opiates' THEN review_days_opiates WHEN 'crack' THEN review_days_crack
           WHEN 'cocaine' THEN review_days_cocaine
           WHEN 'amphetamines' THEN review_days_amphetamines
           WHEN 'cannabis' THEN review_days_cannabis WHEN 'alcohol' THEN review_days_alcohol
       END AS review_days_main,
       start_days_opiates, review_days_opiates, start_days_crack, review_days_crack,
       start_days_cocaine, review_days_cocaine,
       start_days_amphetamines, review_days_amphetamines,
       start_days_cannabis, review_days_cannabis, start_days_alcohol, review_days_alcohol,
       start_days_injected, review_days_injected, start_crime_days, review_crime_days,
       start_acute_housing_problem = 'y' AS start_housing_problem,
       review_acute_housing_problem = 'y' AS review_housing_problem,
       start_paid_work_days, review_paid_work_days,
       start_psychological_health, review_psychological_health,
       start_physical_health, review_physical_health,
       start_quality_of_life, review_quality_of_life
FROM units;

-- name: reviewed
SELECT * FROM top_units WHERE reviewed ORDER BY journey_id;

-- name: cohort
SELECT
    (SELECT count(*) FROM episode_top WHERE start_date IS NOT NULL
        AND start_date BETWEEN CAST($window_start AS DATE) AND CAST($window_end AS DATE))
        AS episodes_with_start_top,
    (SELECT count(*) FROM top_units) AS journeys,
    (SELECT count(*) FROM top_units WHERE reviewed) AS reviewed,
    (SELECT count(*) FROM top_units WHERE NOT reviewed AND latest_review_date IS NULL)
        AS no_review,
    (SELECT count(*) FROM top_units WHERE NOT reviewed AND latest_review_date IS NOT NULL)
        AS review_not_later,
    (SELECT count(*) FROM top_units WHERE reviewed AND main_drug IS NULL)
        AS reviewed_not_scored;
