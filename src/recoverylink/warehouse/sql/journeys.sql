-- Treatment journeys (mart.journeys) and each episode's journey
-- (mart.journey_episodes).
--
-- A journey joins one person's episodes, at any providers, where the next
-- triage comes no more than 21 days after the latest discharge so far, or
-- while an earlier episode is still open (overlap). An episode starts a new
-- journey when its triage is more than 21 days after every earlier episode's
-- discharge. An open episode reaches to 9000-01-01, so nothing after it
-- starts a new journey.
--
-- A journey ends when its last episode ends (the latest discharge; it is open
-- while any episode is). Its exit is the discharge reason of the episode that
-- ends last (ties: the later triage, then the episode id). Its local authority
-- and provider are that last episode's (where the person lived when treatment
-- ended); its substance group takes every substance cited in any of its
-- episodes, by the NDTMS hierarchy (see episodes.sql); its case-mix
-- characteristics (age, referral source, injecting, housing, employment,
-- previous treatment) are those recorded at its first episode.
--
-- Re-presentation (PUBLISHED_FIGURES.md): after a successful exit on D, a new
-- triage T with D <= T < D + 6 months. A later triage within 21 days of D
-- would have joined this journey, so the re-presenting triage is the start of
-- the person's next journey. `follow_up_complete` says whether the data reach
-- to D + 6 months - 1 day, so that "did not re-present" is known.
--
-- Died in treatment: a linked death registration dated from the journey's
-- start to its end (or to the end of the data while it is open), or else an
-- exit for the reason `died`, on its discharge date.

-- name: journey_episodes
CREATE OR REPLACE TABLE journey_episodes AS
WITH reach AS (
    SELECT episode_id, person_id, triage_date,
           max(coalesce(discharge_date, DATE '9000-01-01')) OVER (
               PARTITION BY person_id ORDER BY triage_date, episode_id
               ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING
           ) AS reached
    FROM episodes
),
starts AS (
    SELECT episode_id, person_id, triage_date,
           CASE WHEN reached IS NULL OR triage_date > reached + INTERVAL 21 DAY
                THEN 1 ELSE 0 END AS starts_journey
    FROM reach
)
SELECT episode_id, person_id,
       person_id || '#' || CAST(sum(starts_journey) OVER (
           PARTITION BY person_id ORDER BY triage_date, episode_id
           ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
       ) AS VARCHAR) AS journey_id
FROM starts;

-- name: journeys
CREATE OR REPLACE TABLE journeys AS
WITH ep AS (
    SELECT e.*, je.journey_id,
           row_number() OVER (
               PARTITION BY je.journey_id
               ORDER BY coalesce(e.discharge_date, DATE '9000-01-01') DESC,
                        e.triage_date DESC, e.episode_id DESC
           ) AS from_last,
           row_number() OVER (
               PARTITION BY je.journey_id ORDER BY e.triage_date, e.episode_id
           ) AS from_first
    FROM episodes AS e
    JOIN journey_episodes AS je ON je.episode_id = e.episode_id
),
spans AS (
    SELECT journey_id,
           any_value(person_id) AS person_id,
           min(referral_date) AS referral_date,
           min(triage_date) AS start_date,
           CASE WHEN bool_and(discharge_date IS NOT NULL) THEN max(discharge_date) END
               AS end_date,
           count(*) AS episodes,
           count(DISTINCT provider_code) AS providers,
           bool_or(cites_opiate) AS cites_opiate,
           bool_or(cites_alcohol) AS cites_alcohol,
           bool_or(cites_non_opiate) AS cites_non_opiate,
           bool_and(consented) AS consented,
           bool_and(linked) AS linked
    FROM ep
    GROUP BY journey_id
),
shaped AS (
    SELECT s.*,
           CASE WHEN s.end_date IS NOT NULL THEN fin.discharge_reason END AS exit_reason,
           CASE WHEN s.end_date IS NOT NULL THEN fin.exit_class END AS exit_class,
           fin.local_authority,
           fin.region_code,
           fin.provider_code,
           beg.sex,
           beg.age,
           beg.referral_source,
           beg.injecting_status,
           beg.accommodation,
           beg.employment,
           beg.parental_status,
           beg.previously_treated,
           CASE
               WHEN s.cites_opiate THEN 'opiate'
               WHEN s.cites_non_opiate AND s.cites_alcohol THEN 'non_opiate_and_alcohol'
               WHEN s.cites_non_opiate THEN 'non_opiate'
               WHEN s.cites_alcohol THEN 'alcohol'
           END AS substance_group,
           lead(s.start_date) OVER (PARTITION BY s.person_id ORDER BY s.start_date)
               AS next_start_date
    FROM spans AS s
    JOIN ep AS fin ON fin.journey_id = s.journey_id AND fin.from_last = 1
    JOIN ep AS beg ON beg.journey_id = s.journey_id AND beg.from_first = 1
),
linked_deaths AS (
    SELECT person_id, min(date_of_death) AS date_of_death
    FROM deaths
    GROUP BY person_id
)
SELECT sh.journey_id, sh.person_id,
       sh.referral_date, sh.start_date, sh.end_date,
       sh.exit_reason, sh.exit_class,
       sh.local_authority, sh.region_code, sh.provider_code,
       sh.substance_group, sh.sex, sh.age, ab.age_band,
       sh.referral_source, sh.injecting_status, sh.accommodation, sh.employment,
       sh.parental_status, sh.previously_treated,
       sh.episodes, sh.providers, sh.consented, sh.linked,
       sh.next_start_date,
       CASE WHEN sh.exit_class = 'successful'
            THEN coalesce(sh.next_start_date < sh.end_date + INTERVAL 6 MONTH, false)
       END AS represented_6m,
       sh.end_date IS NOT NULL
           AND sh.end_date + INTERVAL 6 MONTH <= b.data_end + INTERVAL 1 DAY AS follow_up_complete,
       CASE
           WHEN d.date_of_death BETWEEN sh.start_date AND coalesce(sh.end_date, b.data_end)
               THEN d.date_of_death
           WHEN sh.exit_reason = 'died' THEN sh.end_date
       END AS died_in_treatment_date
FROM shaped AS sh
CROSS JOIN build_info AS b
LEFT JOIN linked_deaths AS d ON d.person_id = sh.person_id
LEFT JOIN age_bands AS ab ON sh.age BETWEEN ab.age_from AND ab.age_to;
