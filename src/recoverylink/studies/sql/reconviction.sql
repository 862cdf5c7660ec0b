-- Reconviction before and after starting treatment (NTA 2012, "The Impact of
-- Drug Treatment on Reconviction"). Run by recoverylink.studies.reconviction,
-- block by block, on the mart (or truth_mart) as the default schema; every
-- table made here is a TEMP table named rc_*. docs/study-reconviction.md is
-- the study's page. Parameters: $fy_start, $fy_end (the cohort's financial
-- year), $by_offence_date (windows on offence_date, else disposal_date),
-- $cut and $doubt (the linkage cuts, below).
--
-- Starting treatment. Every treatment journey starting from $fy_start to
-- $fy_end is a candidate start; it is left out, for the first of these
-- reasons that applies:
--   no_consent    its episodes were submitted without consent: a person of
--                 its own (mart rule) that can never be linked;
--   alcohol_only  substance group alcohol (or nothing cited): the published
--                 cohort was of drug users (NDTMS then recorded drug treatment);
--   not_new       the person's previous journey ended on or after the start
--                 minus 6 calendar months: not a new presentation.
-- A person's FIRST remaining journey starting in the year is their start
-- (one row per person, rc_cohort). start_date is the journey's start.
--
-- Windows, on the conviction's offence_date ($by_offence_date, the default:
-- when the offence happened) or its disposal_date (when it was proven):
--   early   [start - 4 years, start - 2 years)  (only for the pre-period check)
--   before  [start - 2 years, start)
--   after   [start, start + 2 years)
-- Years are calendar years by DuckDB's date arithmetic (29 February minus 2
-- years is 28 February). A conviction dated on the start day is AFTER; one on
-- start - 2 years is BEFORE; one on start + 2 years is in no window.
-- A conviction is a PNC disposal of type 'conviction' (cautions are not) for
-- a trigger offence (offences.trigger_offence) or soliciting (offence_group
-- 'soliciting', not a trigger offence); one disposal, one conviction.
--
-- Outcome of the starting journey, with horizon = start + 2 years:
--   retained        still open at the horizon: end_date IS NULL or
--                   end_date >= horizon (the study refuses a year whose
--                   horizon passes the end of the data);
--   completed       exit_class successful, end_date < horizon and
--                   end_date >= start + 6 calendar months;
--   dropped_out     exit_class unsuccessful (dropped out, withdrawn by the
--                   provider, retained in custody, declined), end_date < horizon;
--   other           the rest: transfers, died, moved away, and successful
--                   exits within 6 months.
-- These four are exclusive. `returned` = the person's next journey starts
-- before the horizon (next_start_date < horizon); "completed and did not
-- return" is completed AND NOT returned, a subset of completed. A drop-out who
-- returns stays a drop-out: the outcome is that of the starting journey.
--
-- Opiate/crack users: any episode of the starting journey cites heroin,
-- methadone or another opiate (cites_opiate) or crack. DIP entrants: the
-- journey's referral source is dip or arrest_referral.
--
-- Linkage (block link_strength). For each cohort person, from the linkage's
-- own tables (link.person_map, link.links; a link's ends are node ids, a
-- node's smallest record id, each in link.person_map):
--   own_p    how strongly the person's PNC records hang on their treatment
--            records: the least of (a) the strongest accepted link between a
--            treatment node and a PNC node of the person, where there is one,
--            and (b) the weakest link_probability of the person's PNC
--            disposals (each nominal's strongest link into the person; NULL
--            counts as 1). NULL when the person has no disposal. 1 in a truth
--            build (links there are known, not scored).
--   cand_p, cand_person  the strongest candidate pair NOT accepted between
--            one of the person's treatment nodes and a PNC node of another
--            person who has no treatment record, no source rule refused, and
--            the strongest such candidate that PNC person has with any
--            treatment node (so that one police record goes to one person,
--            as the clustering takes links strongest first). Only for people
--            with no PNC record of their own (two nominals are joined only at
--            0.9999, so a lower candidate never adds a second one).
--   doubt_p  the strongest candidate of any kind (accepted but refused by a
--            source rule, or not accepted) between the person's treatment
--            nodes and another person's PNC nodes.
-- Block status applies a cut $cut (the study's reliability cut) and a doubt
-- floor $doubt < $cut:
--   matched         own_p >= $cut: the person's convictions count;
--   matched_looser  no own PNC record, cand_p >= $cut: cand_person's
--                   convictions count as theirs (a looser linkage would have
--                   made that link; happens only for $cut below the run's
--                   threshold);
--   doubtful        neither, but own_p, cand_p or doubt_p >= $doubt: neither
--                   reliably matched nor reliably absent, left out;
--   absent          the rest: no conviction counts.

-- name: starts
CREATE OR REPLACE TEMP TABLE rc_starts AS
WITH j AS (
    SELECT j.*,
           lag(j.end_date) OVER (
               PARTITION BY j.person_id ORDER BY j.start_date, j.journey_id
           ) AS previous_end
    FROM journeys AS j
),
opiate_crack AS (
    SELECT je.journey_id,
           bool_or(
               coalesce(e.cites_opiate, false)
               OR 'crack' IN (coalesce(e.substance_1, ''), coalesce(e.substance_2, ''),
                              coalesce(e.substance_3, ''))
           ) AS opiate_crack
    FROM journey_episodes AS je
    JOIN episodes AS e ON e.episode_id = je.episode_id
    GROUP BY je.journey_id
)
SELECT j.journey_id, j.person_id, j.start_date, j.end_date, j.exit_reason, j.exit_class,
       j.substance_group, j.referral_source, j.next_start_date, j.previous_end,
       coalesce(o.opiate_crack, false) AS opiate_crack,
       CASE
           WHEN NOT j.consented THEN 'no_consent'
           WHEN j.substance_group IS NULL OR j.substance_group = 'alcohol' THEN 'alcohol_only'
           WHEN j.previous_end >= CAST(j.start_date - INTERVAL 6 MONTH AS DATE) THEN 'not_new'
       END AS left_out
FROM j
LEFT JOIN opiate_crack AS o ON o.journey_id = j.journey_id
WHERE j.start_date BETWEEN CAST($fy_start AS DATE) AND CAST($fy_end AS DATE);

-- name: left_out
-- People with a journey starting in the year but none in the cohort, by the
-- reason of their first such journey.
WITH people AS (
    SELECT person_id,
           bool_or(left_out IS NULL) AS in_cohort,
           arg_min(left_out, start_date) AS first_reason
    FROM rc_starts
    GROUP BY person_id
)
SELECT CASE WHEN in_cohort THEN 'in_cohort' ELSE first_reason END AS reason,
       count(*) AS people
FROM people
GROUP BY ALL
ORDER BY reason;

-- name: cohort
CREATE OR REPLACE TEMP TABLE rc_cohort AS
WITH firsts AS (
    SELECT s.*,
           row_number() OVER (
               PARTITION BY s.person_id ORDER BY s.start_date, s.journey_id
           ) AS k
    FROM rc_starts AS s
    WHERE s.left_out IS NULL
),
shaped AS (
    SELECT f.*,
           CAST(f.start_date + INTERVAL 2 YEAR AS DATE) AS horizon,
           CAST(f.start_date + INTERVAL 6 MONTH AS DATE) AS six_months
    FROM firsts AS f
    WHERE f.k = 1
)
SELECT s.person_id, s.journey_id, s.start_date, s.end_date, s.exit_reason, s.exit_class,
       s.substance_group, s.referral_source, s.next_start_date, s.opiate_crack,
       coalesce(s.referral_source IN ('dip', 'arrest_referral'), false) AS dip,
       s.horizon,
       CASE
           WHEN s.end_date IS NULL OR s.end_date >= s.horizon THEN 'retained'
           WHEN s.exit_class = 'successful' AND s.end_date >= s.six_months THEN 'completed'
           WHEN s.exit_class = 'unsuccessful' THEN 'dropped_out'
           ELSE 'other'
       END AS outcome,
       coalesce(s.next_start_date < s.horizon, false) AS returned,
       coalesce(p.date_of_death >= s.start_date AND p.date_of_death < s.horizon, false)
           AS died_in_window
FROM shaped AS s
LEFT JOIN persons AS p ON p.person_id = s.person_id;

-- name: link_strength
CREATE OR REPLACE TEMP TABLE rc_link AS
WITH pm AS (
    SELECT record_id, source, person_id FROM link.person_map
),
treatment_people AS (
    SELECT DISTINCT person_id FROM pm WHERE source = 'treatment'
),
pairs AS (
    SELECT CASE WHEN l.source_l = 'treatment' THEN l.record_id_l ELSE l.record_id_r END
               AS treatment_node,
           CASE WHEN l.source_l = 'treatment' THEN l.record_id_r ELSE l.record_id_l END
               AS pnc_node,
           l.match_probability AS p, l.accepted, l.refused_by
    FROM link.links AS l
    WHERE (l.source_l = 'treatment' AND l.source_r = 'pnc')
       OR (l.source_l = 'pnc' AND l.source_r = 'treatment')
),
named AS (
    SELECT t.person_id AS treatment_person, q.person_id AS pnc_person,
           pr.treatment_node, pr.pnc_node, pr.p, pr.accepted, pr.refused_by
    FROM pairs AS pr
    JOIN pm AS t ON t.record_id = pr.treatment_node
    JOIN pm AS q ON q.record_id = pr.pnc_node
),
bridge AS (
    SELECT n.treatment_person AS person_id, max(n.p) AS bridge_p
    FROM named AS n
    JOIN rc_cohort AS c ON c.person_id = n.treatment_person
    WHERE n.accepted AND n.pnc_person = n.treatment_person
    GROUP BY ALL
),
-- candidates a looser linkage would take: not accepted, no rule against them,
-- to a police-only person, and that person's strongest treatment candidate
ranked AS (
    SELECT n.*,
           row_number() OVER (
               PARTITION BY n.pnc_person ORDER BY n.p DESC, n.treatment_person, n.pnc_node
           ) AS rank_for_pnc_person
    FROM named AS n
    WHERE NOT n.accepted AND n.refused_by IS NULL
      AND n.pnc_person <> n.treatment_person
      AND n.pnc_person NOT IN (SELECT person_id FROM treatment_people)
),
candidate AS (
    SELECT r.treatment_person AS person_id,
           arg_max(r.pnc_person, r.p) AS cand_person,
           max(r.p) AS cand_p
    FROM ranked AS r
    JOIN rc_cohort AS c ON c.person_id = r.treatment_person
    WHERE r.rank_for_pnc_person = 1
    GROUP BY ALL
),
doubt AS (
    SELECT n.treatment_person AS person_id, max(n.p) AS doubt_p
    FROM named AS n
    JOIN rc_cohort AS c ON c.person_id = n.treatment_person
    WHERE n.pnc_person <> n.treatment_person AND (NOT n.accepted OR n.refused_by IS NOT NULL)
    GROUP BY ALL
),
own AS (
    SELECT o.person_id, min(coalesce(o.link_probability, 1.0)) AS nominal_p
    FROM offences AS o
    JOIN rc_cohort AS c ON c.person_id = o.person_id
    GROUP BY ALL
)
SELECT c.person_id,
       CASE WHEN own.person_id IS NOT NULL
            THEN least(coalesce(b.bridge_p, 1.0), own.nominal_p) END AS own_p,
       CASE WHEN own.person_id IS NULL THEN cand.cand_p END AS cand_p,
       CASE WHEN own.person_id IS NULL THEN cand.cand_person END AS cand_person,
       d.doubt_p
FROM rc_cohort AS c
LEFT JOIN own ON own.person_id = c.person_id
LEFT JOIN bridge AS b ON b.person_id = c.person_id
LEFT JOIN candidate AS cand ON cand.person_id = c.person_id
LEFT JOIN doubt AS d ON d.person_id = c.person_id;

-- name: convictions
-- The counted convictions of each cohort person in the three windows: their
-- own ('own') and, for the looser cut, those of their candidate PNC person
-- ('attached').
CREATE OR REPLACE TEMP TABLE rc_convictions AS
WITH counted AS (
    SELECT person_id, disposal_id, offence_group,
           CASE WHEN $by_offence_date THEN offence_date ELSE disposal_date END AS on_date
    FROM offences
    WHERE disposal_type = 'conviction' AND (trigger_offence OR offence_group = 'soliciting')
),
theirs AS (
    SELECT c.person_id, k.disposal_id, k.offence_group, k.on_date, 'own' AS via
    FROM rc_cohort AS c
    JOIN counted AS k ON k.person_id = c.person_id
    UNION ALL
    SELECT l.person_id, k.disposal_id, k.offence_group, k.on_date, 'attached' AS via
    FROM rc_link AS l
    JOIN counted AS k ON k.person_id = l.cand_person
),
windowed AS (
    SELECT t.*,
           CASE
               WHEN t.on_date >= CAST(c.start_date - INTERVAL 4 YEAR AS DATE)
                AND t.on_date < CAST(c.start_date - INTERVAL 2 YEAR AS DATE) THEN 'early'
               WHEN t.on_date >= CAST(c.start_date - INTERVAL 2 YEAR AS DATE)
                AND t.on_date < c.start_date THEN 'before'
               WHEN t.on_date >= c.start_date AND t.on_date < c.horizon THEN 'after'
           END AS period
    FROM theirs AS t
    JOIN rc_cohort AS c ON c.person_id = t.person_id
)
SELECT * FROM windowed WHERE period IS NOT NULL;

-- name: status
CREATE OR REPLACE TEMP TABLE rc_status AS
SELECT person_id, own_p, cand_p, doubt_p,
       CASE
           WHEN own_p >= $cut THEN 'matched'
           WHEN own_p IS NULL AND cand_p >= $cut THEN 'matched_looser'
           WHEN greatest(own_p, cand_p, doubt_p) >= $doubt THEN 'doubtful'
           ELSE 'absent'
       END AS status
FROM rc_link;

-- name: status_counts
SELECT status, count(*) AS people FROM rc_status GROUP BY ALL ORDER BY status;

-- name: person_counts
-- One row per cohort person who is matched or absent at the cut: outcome and
-- convictions in each window.
WITH counted AS (
    SELECT v.person_id,
           count(*) FILTER (WHERE v.period = 'early') AS early,
           count(*) FILTER (WHERE v.period = 'before') AS before,
           count(*) FILTER (WHERE v.period = 'after') AS after
    FROM rc_convictions AS v
    JOIN rc_status AS s
      ON s.person_id = v.person_id
     AND ((s.status = 'matched' AND v.via = 'own')
          OR (s.status = 'matched_looser' AND v.via = 'attached'))
    GROUP BY ALL
)
SELECT c.person_id, c.journey_id, c.start_date, c.end_date, c.exit_class, c.outcome,
       c.returned, c.substance_group, c.opiate_crack, c.referral_source, c.dip,
       c.died_in_window, s.status,
       coalesce(n.early, 0) AS early,
       coalesce(n.before, 0) AS before,
       coalesce(n.after, 0) AS after
FROM rc_cohort AS c
JOIN rc_status AS s ON s.person_id = c.person_id
LEFT JOIN counted AS n ON n.person_id = c.person_id
WHERE s.status <> 'doubtful'
ORDER BY c.person_id;

-- name: group_counts
-- Convictions before and after by offence group, per person (people matched
-- at the cut; absent people have none).
SELECT v.person_id, v.offence_group,
       count(*) FILTER (WHERE v.period = 'before') AS before,
       count(*) FILTER (WHERE v.period = 'after') AS after
FROM rc_convictions AS v
JOIN rc_status AS s
  ON s.person_id = v.person_id
 AND ((s.status = 'matched' AND v.via = 'own')
      OR (s.status = 'matched_looser' AND v.via = 'attached'))
WHERE v.period IN ('before', 'after')
GROUP BY ALL
ORDER BY v.person_id, v.offence_group;

-- name: coverage
-- What the data reach: the PNC (the first offence; the date of the newest
-- current PNC extract, else the last disposal), whether the mart has
-- link_probability (built by this version), and the last linkage run's
-- threshold (NULL without one).
SELECT (SELECT min(offence_date) FROM offences) AS first_offence,
       coalesce(
           (SELECT max(TRY_CAST(period AS DATE)) FROM ingest.loads
            WHERE kind = 'pnc' AND status = 'current'),
           (SELECT max(disposal_date) FROM offences)
       ) AS pnc_end,
       (SELECT count(*) FROM duckdb_columns()
        WHERE schema_name = current_schema() AND table_name = 'offences'
          AND column_name = 'link_probability') = 1 AS has_link_probability,
       (SELECT arg_max(match_threshold, finished_at) FROM link.runs) AS run_threshold;
