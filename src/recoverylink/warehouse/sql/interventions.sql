-- Interventions (mart.interventions), the wait for each journey's first
-- intervention (mart.journey_waits) and each episode's Treatment Outcomes
-- Profile at its start and latest review (mart.episode_top).
--
-- Like episodes, interventions come in every financial year's extract they
-- touch; the newest version of each (provider, intervention_ref) is kept.
-- `days` counts the days of an intervention, its first and last included; an
-- open one runs to its episode's discharge or, while that is open too, to the
-- end of the data.
--
-- Waiting time (PUBLISHED_FIGURES.md: referral to first intervention): for
-- each journey, its first intervention (the earliest start; ties: the smaller
-- intervention_id, `provider|intervention_ref`) and the days from that intervention's referral to its
-- start. NDTMS measures waits per intervention (modality), from the referral
-- to that modality, so the intervention's own referral date is used, not the
-- episode's.

-- name: interventions
CREATE OR REPLACE TABLE interventions AS
WITH versions AS (
    SELECT i.*,
           row_number() OVER (
               PARTITION BY i.provider_code, i.intervention_ref
               ORDER BY l.period DESC, i.load_id DESC
           ) AS newest
    FROM raw.treatment_interventions AS i
    JOIN ingest.loads AS l ON l.load_id = i.load_id
)
SELECT v.provider_code || '|' || v.intervention_ref AS intervention_id,
       e.episode_id, je.journey_id, e.person_id,
       v.intervention_type, v.setting,
       v.referred_date, v.start_date, v.end_date, v.exit_status,
       date_diff('day', v.referred_date, v.start_date) AS wait_days,
       date_diff('day', v.start_date,
                 coalesce(v.end_date, e.discharge_date, b.data_end)) + 1 AS days
FROM versions AS v
JOIN episodes AS e
    ON e.provider_code = v.provider_code AND e.episode_ref = v.episode_ref
JOIN journey_episodes AS je ON je.episode_id = e.episode_id
CROSS JOIN build_info AS b
WHERE v.newest = 1;

-- name: journey_waits
CREATE OR REPLACE TABLE journey_waits AS
WITH ranked AS (
    SELECT journey_id, intervention_id, intervention_type, referred_date, start_date,
           wait_days,
           row_number() OVER (
               PARTITION BY journey_id ORDER BY start_date, intervention_id
           ) AS nth
    FROM interventions
)
SELECT journey_id, intervention_id AS first_intervention_id, intervention_type,
       referred_date, start_date, wait_days, wait_days < 21 AS under_3_weeks
FROM ranked
WHERE nth = 1;

-- name: episode_top
CREATE OR REPLACE TABLE episode_top AS
WITH tops AS (
    SELECT DISTINCT e.episode_id, t.top_date, t.stage,
           t.days_opiates, t.days_crack, t.days_cocaine, t.days_amphetamines,
           t.days_cannabis, t.days_alcohol, t.days_injected,
           t.shoplifting_days + t.drug_selling_days + t.other_theft_days AS crime_days,
           t.psychological_health, t.physical_health, t.quality_of_life,
           t.acute_housing_problem, t.paid_work_days
    FROM raw.treatment_top AS t
    JOIN episodes AS e ON e.provider_code = t.provider_code AND e.episode_ref = t.episode_ref
),
starts AS (
    SELECT *, row_number() OVER (PARTITION BY episode_id ORDER BY top_date) AS nth
    FROM tops WHERE stage = 'start'
),
reviews AS (
    SELECT *, row_number() OVER (PARTITION BY episode_id ORDER BY top_date DESC) AS nth
    FROM tops WHERE stage IN ('review', 'exit')
)
SELECT coalesce(s.episode_id, r.episode_id) AS episode_id,
       s.top_date AS start_date,
       r.top_date AS latest_review_date,
       r.stage AS latest_review_stage,
       s.days_opiates AS start_days_opiates, r.days_opiates AS review_days_opiates,
       s.days_crack AS start_days_crack, r.days_crack AS review_days_crack,
       s.days_cocaine AS start_days_cocaine, r.days_cocaine AS review_days_cocaine,
       s.days_amphetamines AS start_days_amphetamines,
       r.days_amphetamines AS review_days_amphetamines,
       s.days_cannabis AS start_days_cannabis, r.days_cannabis AS review_days_cannabis,
       s.days_alcohol AS start_days_alcohol, r.days_alcohol AS review_days_alcohol,
       s.days_injected AS start_days_injected, r.days_injected AS review_days_injected,
       s.crime_days AS start_crime_days, r.crime_days AS review_crime_days,
       s.psychological_health AS start_psychological_health,
       r.psychological_health AS review_psychological_health,
       s.physical_health AS start_physical_health, r.physical_health AS review_physical_health,
       s.quality_of_life AS start_quality_of_life, r.quality_of_life AS review_quality_of_life,
       s.acute_housing_problem AS start_acute_housing_problem,
       r.acute_housing_problem AS review_acute_housing_problem,
       s.paid_work_days AS start_paid_work_days, r.paid_work_days AS review_paid_work_days
FROM (SELECT * FROM starts WHERE nth = 1) AS s
FULL OUTER JOIN (SELECT * FROM reviews WHERE nth = 1) AS r ON r.episode_id = s.episode_id;
