-- Treatment episodes, one row per episode, by person (mart.episodes).
--
-- Run with the mart schema as the default schema, and a temporary table
-- `person_ids (record_id, person_id)` that says which person each linkable
-- record belongs to (the last linkage run's link.person_map, or a synthetic
-- England's truth for comparison). `build_info (data_end)` holds the last day
-- the submissions cover.
--
-- A provider sends a cumulative financial-year-to-date extract, so an episode
-- open across the end of a financial year is in the current submission of
-- each year it touches. The newest version (the latest submission month) is
-- the one kept: it carries the discharge, if any.
--
-- A non-consenting episode is counted but never linked: it is its own person,
-- `unlinked:<provider>|<episode>`, and has no sex, age or substance.
--
-- Substance groups follow NDTMS: `opiate` when any of the three substances is
-- an opiate (heroin, methadone, other opiate), with or without crack or
-- alcohol; otherwise `non_opiate_and_alcohol` when alcohol is cited with
-- another drug, `non_opiate` for other drugs only, `alcohol` for alcohol only.
--
-- Exit classes are those of DATA_SPEC.md: successful (completed_*), transfer,
-- unsuccessful (dropped out, withdrawn, retained in custody, declined), other
-- (died, moved away). `completed_occasional_user` is not a success for a
-- heroin or crack user (the spec); it is classed `other`, as the validation's
-- outcome_class does (spec/treatment_links.py).

-- name: episodes
CREATE OR REPLACE TABLE episodes AS
WITH versions AS (
    SELECT e.*, l.period AS submitted,
           row_number() OVER (
               PARTITION BY e.provider_code, e.episode_ref
               ORDER BY l.period DESC, e.load_id DESC
           ) AS newest
    FROM raw.treatment_episodes AS e
    JOIN ingest.loads AS l ON l.load_id = e.load_id
),
flagged AS (
    SELECT v.*,
           coalesce(v.substance_1 IN ('heroin', 'methadone', 'other_opiate'), false)
           OR coalesce(v.substance_2 IN ('heroin', 'methadone', 'other_opiate'), false)
           OR coalesce(v.substance_3 IN ('heroin', 'methadone', 'other_opiate'), false)
               AS cites_opiate,
           coalesce(v.substance_1 = 'alcohol', false)
           OR coalesce(v.substance_2 = 'alcohol', false)
           OR coalesce(v.substance_3 = 'alcohol', false) AS cites_alcohol,
           coalesce(v.substance_1 NOT IN ('heroin', 'methadone', 'other_opiate', 'alcohol'), false)
           OR coalesce(v.substance_2 NOT IN ('heroin', 'methadone', 'other_opiate', 'alcohol'), false)
           OR coalesce(v.substance_3 NOT IN ('heroin', 'methadone', 'other_opiate', 'alcohol'), false)
               AS cites_non_opiate
    FROM versions AS v
    WHERE v.newest = 1
)
SELECT f.provider_code || '|' || f.episode_ref AS episode_id,
       f.record_id,
       coalesce(p.person_id, 'unlinked:' || f.provider_code || '|' || f.episode_ref) AS person_id,
       p.person_id IS NOT NULL AS linked,
       p.match_probability AS link_probability,
       f.consent = 'y' AS consented,
       f.provider_code,
       f.episode_ref,
       coalesce(f.local_authority, pr.local_authority) AS local_authority,
       la.region_code,
       d.sex,
       d.age,
       f.ethnicity,
       f.referral_date,
       f.referral_source,
       f.triage_date,
       f.discharge_date,
       f.discharge_reason,
       CASE
           WHEN f.discharge_reason = 'completed_occasional_user'
                AND (coalesce(f.substance_1 IN ('heroin', 'crack'), false)
                     OR coalesce(f.substance_2 IN ('heroin', 'crack'), false)
                     OR coalesce(f.substance_3 IN ('heroin', 'crack'), false))
               THEN 'other'
           WHEN f.discharge_reason IN ('completed_drug_free', 'completed_alcohol_free',
                                       'completed_occasional_user') THEN 'successful'
           WHEN f.discharge_reason IN ('transferred_not_in_custody', 'transferred_in_custody')
               THEN 'transfer'
           WHEN f.discharge_reason IN ('dropped_out', 'withdrawn_by_provider',
                                       'retained_in_custody', 'declined_treatment')
               THEN 'unsuccessful'
           WHEN f.discharge_reason IN ('died', 'moved_away') THEN 'other'
       END AS exit_class,
       f.substance_1,
       f.substance_2,
       f.substance_3,
       f.cites_opiate,
       f.cites_alcohol,
       f.cites_non_opiate,
       CASE
           WHEN f.cites_opiate THEN 'opiate'
           WHEN f.cites_non_opiate AND f.cites_alcohol THEN 'non_opiate_and_alcohol'
           WHEN f.cites_non_opiate THEN 'non_opiate'
           WHEN f.cites_alcohol THEN 'alcohol'
       END AS substance_group,
       f.injecting_status,
       f.accommodation,
       f.employment,
       f.parental_status,
       f.previously_treated,
       f.submitted AS last_submitted
FROM flagged AS f
LEFT JOIN person_ids AS p ON p.record_id = f.record_id
LEFT JOIN link.demographics AS d ON d.record_id = f.record_id
LEFT JOIN ref.providers AS pr ON pr.provider_code = f.provider_code
LEFT JOIN ref.local_authorities AS la
    ON la.la_code = coalesce(f.local_authority, pr.local_authority);
