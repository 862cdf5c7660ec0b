-- Long-term outcomes of people leaving treatment (NTA 2010, "A Long Term
-- Study of the Outcomes of Drug Users Leaving Treatment"): who left treatment
-- in a financial year, and what the four years after their exit hold.
-- Run by recoverylink.studies.long_term, block by block, on the mart (or
-- truth_mart) as the default schema; every table made here is a TEMP table
-- named lt_*. Parameters: $fy_start, $fy_end (the cohort's financial year),
-- $data_end (the end of the data), $cjs_days, $min_link_probability.
--
-- Leaving treatment. A person leaves treatment in the year when a treatment
-- journey of theirs ends in it (end_date from $fy_start to $fy_end). Of a
-- person's journeys ending in the year the LAST one (latest end_date) is
-- their exit; one row per person. The person is left out, for the first of
-- these reasons that applies to that last exit:
--   no_consent      the journey's episodes were submitted without consent:
--                   such an episode is a person of its own (mart rule) and
--                   can never be followed up;
--   prison          exit reason retained_in_custody or transferred_in_custody
--                   (left for prison, as the published study did);
--   died            exit reason died: there is no follow-up to speak of;
--   alcohol_only    substance group alcohol: the published cohort was of drug
--                   users (NDTMS then recorded drug treatment);
--   back_in_year    the person's next journey starts on or before $fy_end:
--                   back in treatment by the end of the year, so not a
--                   leaver of the year (the synthetic generator's reading).
--
-- Follow-up. From the day after the exit to the same calendar day four years
-- later, both included: (end_date, end_date + 4 years], cut at $data_end if
-- the data end earlier (the study refuses such a year unless told to go on).
--
-- Return to treatment: the person's next journey (journeys.next_start_date)
-- starting in the follow-up. It necessarily starts more than 21 days after
-- the exit (else it would be the same journey).
--
-- Drug-related offending: in the follow-up, a positive drug test on arrest
-- (drug_tests.positive, on test_date) or a conviction (not a caution) for a
-- trigger offence (offences.trigger_offence, on offence_date: when the
-- offence happened, wherever the disposal date falls). With
-- $min_link_probability, records linked with a lower probability are dropped
-- (block events_min_probability), as a stricter linkage would not have made
-- those links.
--
-- Returned through the criminal justice system: the return journey's first
-- episode was referred by a criminal-justice route (journeys.referral_source
-- in arrest_referral, dip, probation, prison, court_order), or a drug-related
-- offence (as above, after the exit) falls in the $cjs_days days before the
-- return: return start - $cjs_days <= event date <= return start.
--
-- The four outcome categories are mutually exclusive, decided in this order:
--   returned_via_cjs          returned, through the criminal justice system;
--   returned_directly         returned, not through it;
--   offending_without_return  not returned, drug-related offending;
--   sustained_recovery        neither returned nor drug-related offending.
-- So a person who offended and then returned counts as a return (via the CJS
-- or not by the rule above), and "re-offenders" (anyone with drug-related
-- offending in the follow-up) cut across the categories.

-- name: events
CREATE OR REPLACE TEMP TABLE lt_events AS
SELECT person_id, test_date AS event_date, 'positive_drug_test' AS kind
FROM drug_tests
WHERE positive
UNION ALL
SELECT person_id, offence_date AS event_date, 'trigger_offence_conviction' AS kind
FROM offences
WHERE disposal_type = 'conviction' AND trigger_offence;

-- name: events_min_probability
CREATE OR REPLACE TEMP TABLE lt_events AS
SELECT person_id, test_date AS event_date, 'positive_drug_test' AS kind
FROM drug_tests
WHERE positive AND coalesce(link_probability, 1.0) >= $min_link_probability
UNION ALL
SELECT person_id, offence_date AS event_date, 'trigger_offence_conviction' AS kind
FROM offences
WHERE disposal_type = 'conviction' AND trigger_offence
  AND coalesce(link_probability, 1.0) >= $min_link_probability;

-- name: leavers
CREATE OR REPLACE TEMP TABLE lt_leavers AS
WITH ended AS (
    SELECT j.*,
           row_number() OVER (
               PARTITION BY j.person_id ORDER BY j.end_date DESC, j.start_date DESC, j.journey_id DESC
           ) AS from_last,
           count(*) OVER (PARTITION BY j.person_id) AS journeys_ended_in_year
    FROM journeys AS j
    WHERE j.end_date BETWEEN $fy_start AND $fy_end
)
SELECT journey_id, person_id, start_date, end_date, exit_reason, exit_class,
       substance_group, next_start_date, journeys_ended_in_year,
       CASE
           WHEN NOT consented THEN 'no_consent'
           WHEN exit_reason IN ('retained_in_custody', 'transferred_in_custody') THEN 'prison'
           WHEN exit_reason = 'died' THEN 'died'
           WHEN substance_group = 'alcohol' THEN 'alcohol_only'
           WHEN next_start_date <= $fy_end THEN 'back_in_year'
       END AS excluded
FROM ended
WHERE from_last = 1;

-- name: exclusions
SELECT coalesce(excluded, 'in_cohort') AS reason, count(*) AS people
FROM lt_leavers
GROUP BY ALL
ORDER BY reason;

-- name: outcomes
CREATE OR REPLACE TEMP TABLE lt_outcomes AS
WITH cohort AS (
    SELECT l.*,
           CAST(l.end_date + INTERVAL 4 YEAR AS DATE) AS window_end,
           least(CAST(l.end_date + INTERVAL 4 YEAR AS DATE), CAST($data_end AS DATE))
               AS follow_up_end
    FROM lt_leavers AS l
    WHERE l.excluded IS NULL
),
returned AS (
    SELECT c.person_id, r.start_date AS return_date, r.referral_source AS return_referral_source,
           r.journey_id AS return_journey_id
    FROM cohort AS c
    JOIN journeys AS r ON r.person_id = c.person_id AND r.start_date = c.next_start_date
    WHERE c.next_start_date <= c.follow_up_end
),
offending AS (
    SELECT c.person_id, min(e.event_date) AS first_offence_date,
           count(*) AS offence_events
    FROM cohort AS c
    JOIN lt_events AS e
      ON e.person_id = c.person_id
     AND e.event_date > c.end_date AND e.event_date <= c.follow_up_end
    GROUP BY c.person_id
),
offence_before_return AS (
    SELECT DISTINCT c.person_id
    FROM cohort AS c
    JOIN returned AS r ON r.person_id = c.person_id
    JOIN lt_events AS e
      ON e.person_id = c.person_id
     AND e.event_date > c.end_date
     AND e.event_date BETWEEN r.return_date - CAST($cjs_days AS INTEGER) AND r.return_date
),
deaths_in AS (
    SELECT c.person_id, min(d.date_of_death) AS date_of_death
    FROM cohort AS c
    JOIN deaths AS d
      ON d.person_id = c.person_id
     AND d.date_of_death > c.end_date AND d.date_of_death <= c.follow_up_end
    GROUP BY c.person_id
),
flags AS (
    SELECT c.journey_id, c.person_id, c.start_date, c.end_date, c.exit_reason, c.exit_class,
           c.substance_group, c.journeys_ended_in_year, c.window_end, c.follow_up_end,
           c.follow_up_end = c.window_end AS follow_up_complete,
           r.return_date, r.return_journey_id, r.return_referral_source,
           r.person_id IS NOT NULL AS returned,
           coalesce(r.return_referral_source IN
               ('arrest_referral', 'dip', 'probation', 'prison', 'court_order'), false)
               AS cj_referral,
           b.person_id IS NOT NULL AS offence_before_return,
           o.first_offence_date,
           coalesce(o.offence_events, 0) AS offence_events,
           o.person_id IS NOT NULL AS offended,
           dd.date_of_death
    FROM cohort AS c
    LEFT JOIN returned AS r ON r.person_id = c.person_id
    LEFT JOIN offending AS o ON o.person_id = c.person_id
    LEFT JOIN offence_before_return AS b ON b.person_id = c.person_id
    LEFT JOIN deaths_in AS dd ON dd.person_id = c.person_id
)
SELECT f.*,
       CASE
           WHEN f.returned AND (f.cj_referral OR f.offence_before_return) THEN 'returned_via_cjs'
           WHEN f.returned THEN 'returned_directly'
           WHEN f.offended THEN 'offending_without_return'
           ELSE 'sustained_recovery'
       END AS outcome,
       CASE
           WHEN f.returned AND f.cj_referral THEN 'cj_referral'
           WHEN f.returned AND f.offence_before_return THEN 'offence_before_return'
       END AS cjs_route,
       date_diff('day', f.end_date, f.return_date) AS days_to_return,
       date_diff('day', f.end_date, f.first_offence_date) AS days_to_offence,
       date_diff('day', f.end_date, f.follow_up_end) AS follow_up_days,
       date_diff('day', f.end_date, f.date_of_death) AS days_to_death,
       coalesce(f.return_date <= CAST(f.end_date + INTERVAL 1 YEAR AS DATE), false)
           AS returned_within_year
FROM flags AS f;

-- name: outcome_rows
SELECT * FROM lt_outcomes ORDER BY person_id;

-- name: event_span
SELECT (SELECT min(test_date) FROM drug_tests) AS first_drug_test,
       (SELECT max(test_date) FROM drug_tests) AS last_drug_test,
       (SELECT min(offence_date) FROM offences) AS first_offence,
       (SELECT max(disposal_date) FROM offences) AS last_disposal;
