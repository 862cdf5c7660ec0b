-- The system-wide figures of `recoverylink synth --check`, counted on the
-- mart built from the synthetic England's true person ids (truth_mart; the
-- connection's schema is set to it). The study figures (reconviction,
-- long-term outcomes) come from the studies themselves; these are the counts
-- of people, journeys and completions that the published reports give for
-- the whole treatment system.
--
-- Drug treatment means journeys whose substance group is not alcohol only
-- (and is known). A journey is "in a year" when it is open on any day of the
-- financial year; an entrant starts a journey in the year, a leaver ends one.

-- name: years
CREATE OR REPLACE TEMP TABLE ck_years AS
SELECT y AS fy,
       make_date(y::INTEGER, 4, 1) AS fy_start,
       make_date(y::INTEGER + 1, 3, 31) AS fy_end
FROM range(2003, 2012) AS t(y);

-- name: drug_journeys
CREATE OR REPLACE TEMP TABLE ck_journeys AS
SELECT * FROM journeys
WHERE substance_group IS NOT NULL AND substance_group <> 'alcohol';

-- name: per_year
-- One row per financial year: people completing, people in treatment,
-- journeys started and ended, people leaving, and the share of journeys
-- ended in the year that ended successfully or by a transfer (the
-- "successful" of the old definition).
SELECT y.fy,
       count(DISTINCT j.person_id) FILTER (
           WHERE j.end_date BETWEEN y.fy_start AND y.fy_end AND j.exit_class = 'successful'
       ) AS completions,
       count(DISTINCT j.person_id) FILTER (
           WHERE j.start_date <= y.fy_end AND coalesce(j.end_date >= y.fy_start, true)
       ) AS in_treatment,
       count(*) FILTER (WHERE j.start_date BETWEEN y.fy_start AND y.fy_end) AS entrants,
       count(*) FILTER (WHERE j.end_date BETWEEN y.fy_start AND y.fy_end) AS exits,
       count(DISTINCT j.person_id) FILTER (
           WHERE j.end_date BETWEEN y.fy_start AND y.fy_end
       ) AS leavers,
       count(*) FILTER (
           WHERE j.end_date BETWEEN y.fy_start AND y.fy_end
             AND j.exit_class IN ('successful', 'transfer')
       ) AS exits_successful_or_transfer
FROM ck_years AS y
CROSS JOIN ck_journeys AS j
GROUP BY y.fy
ORDER BY y.fy;

-- name: treated_2004_2008
-- People in drug treatment at any time from April 2004 to March 2009.
SELECT count(DISTINCT person_id)
FROM ck_journeys
WHERE start_date <= DATE '2009-03-31' AND coalesce(end_date >= DATE '2004-04-01', true);

-- name: circumstances_2010
-- Journeys started in 2010-11 by people who consented: their housing and
-- parental responsibility at the start, as shares, and how many there were.
SELECT avg((accommodation = 'no_fixed_abode')::INTEGER) AS no_fixed_abode,
       avg((accommodation = 'housing_problem')::INTEGER) AS housing_problem,
       avg((parental_status IN ('lives_with_children', 'children_elsewhere'))::INTEGER)
           AS parental,
       count(*) AS journeys
FROM ck_journeys
WHERE start_date BETWEEN DATE '2010-04-01' AND DATE '2011-03-31' AND consented;

-- name: dip_entrants_2008
-- People entering drug treatment through the criminal justice system (DIP
-- or arrest referral) in 2008-09, a month on average.
SELECT count(DISTINCT e.person_id) / 12.0
FROM episodes AS e
JOIN (SELECT DISTINCT person_id FROM ck_journeys) AS d USING (person_id)
WHERE e.triage_date BETWEEN DATE '2008-04-01' AND DATE '2009-03-31'
  AND e.referral_source IN ('dip', 'arrest_referral');

-- name: area_rates_2010
-- Completion rates by local authority in 2010-11: each person in drug
-- treatment in the year counted once, in the area of their latest episode
-- open in the year; completions as people with a journey ending successfully
-- in the year.
WITH open_episodes AS (
    SELECT e.person_id, e.local_authority, e.triage_date, e.discharge_date
    FROM episodes AS e
    JOIN (SELECT DISTINCT person_id FROM ck_journeys) AS d USING (person_id)
    WHERE e.triage_date <= DATE '2011-03-31'
      AND coalesce(e.discharge_date >= DATE '2010-04-01', true)
      AND e.local_authority IS NOT NULL
),
person_area AS (
    SELECT person_id,
           arg_max(local_authority,
                   (triage_date, coalesce(discharge_date, DATE '9999-12-31'))) AS la
    FROM open_episodes
    GROUP BY person_id
),
completed AS (
    SELECT DISTINCT person_id
    FROM ck_journeys
    WHERE end_date BETWEEN DATE '2010-04-01' AND DATE '2011-03-31'
      AND exit_class = 'successful'
)
SELECT p.la AS la_code,
       count(*) AS people,
       count(c.person_id) AS completed
FROM person_area AS p
LEFT JOIN completed AS c USING (person_id)
GROUP BY p.la;

-- name: poisoning_deaths_2008
-- Drug-poisoning deaths registered as happening in 2008-09 of people known
-- to treatment (any journey, alcohol included).
SELECT count(*)
FROM deaths AS d
WHERE d.drug_poisoning
  AND d.date_of_death BETWEEN DATE '2008-04-01' AND DATE '2009-03-31'
  AND d.person_id IN (SELECT person_id FROM journeys);
