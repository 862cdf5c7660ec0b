-- What the linkage reads from the stores, and the one place it reads it.
--
-- Run on a private working connection with the identity store attached
-- read-only as `idn` and the warehouse read-only as `wh`, the `committed` block
-- first: the other blocks read the identity store only through its views of
-- committed rows (`committed_<table>`). Identifiers come only from `idn`; from
-- `wh` only what is not an identifier: a record's source key (provider and
-- episode reference, test id, death id), provider, local authority, police
-- force, and the record id of the PNC nominal a drug test or an alias belongs
-- to. `ref_las` (la_code, police_force_code, region_code) and `ref_forces`
-- (force_code, region_code) are the reference tables shipped with the system.
--
-- A *node* is what Splink compares: one treatment client record as one provider
-- recorded it, one PNC nominal or alias, one drug test, one death. Its id is the
-- smallest record id among its records.

-- name: committed
-- Only committed loads are read. The identity store is committed before the
-- warehouse (ingest/stores.py): after a run killed between the two commits, or
-- before its clean-up of replaced loads, it holds rows of loads the ledger
-- does not list as current, and a PNC nominal keeps its record id from one
-- extract to the next, so such rows can even share a record id with committed
-- ones. Every identity row read below is therefore taken only when its load is
-- current in the ledger and the warehouse holds the same record of the same
-- load (the warehouse commits content and ledger in one transaction).
CREATE OR REPLACE TEMP VIEW current_loads AS
SELECT load_id FROM wh.ingest.loads WHERE status = 'current';

CREATE OR REPLACE TEMP VIEW committed_treatment_episodes AS
SELECT i.* FROM idn.treatment_episodes AS i
JOIN wh.raw.treatment_episodes AS w ON w.record_id = i.record_id AND w.load_id = i.load_id
WHERE i.load_id IN (SELECT load_id FROM current_loads);

CREATE OR REPLACE TEMP VIEW committed_pnc_nominals AS
SELECT i.* FROM idn.pnc_nominals AS i
JOIN wh.raw.pnc_nominals AS w ON w.record_id = i.record_id AND w.load_id = i.load_id
WHERE i.load_id IN (SELECT load_id FROM current_loads);

CREATE OR REPLACE TEMP VIEW committed_pnc_aliases AS
SELECT i.* FROM idn.pnc_aliases AS i
JOIN wh.raw.pnc_aliases AS w ON w.record_id = i.record_id AND w.load_id = i.load_id
WHERE i.load_id IN (SELECT load_id FROM current_loads);

CREATE OR REPLACE TEMP VIEW committed_drug_tests AS
SELECT i.* FROM idn.drug_tests AS i
JOIN wh.raw.drug_tests AS w ON w.record_id = i.record_id AND w.load_id = i.load_id
WHERE i.load_id IN (SELECT load_id FROM current_loads);

CREATE OR REPLACE TEMP VIEW committed_deaths AS
SELECT i.* FROM idn.deaths AS i
JOIN wh.raw.deaths AS w ON w.record_id = i.record_id AND w.load_id = i.load_id
WHERE i.load_id IN (SELECT load_id FROM current_loads);

-- name: uncommitted
-- The views above, dropped before the stores are detached.
DROP VIEW IF EXISTS committed_treatment_episodes;
DROP VIEW IF EXISTS committed_pnc_nominals;
DROP VIEW IF EXISTS committed_pnc_aliases;
DROP VIEW IF EXISTS committed_drug_tests;
DROP VIEW IF EXISTS committed_deaths;
DROP VIEW IF EXISTS current_loads;

-- name: duplicate_records
-- Record ids that would be two records (none, when only committed rows are read).
SELECT record_id, count(*) AS n FROM records GROUP BY record_id HAVING count(*) > 1
ORDER BY record_id LIMIT 5;

-- name: records
-- Every linkable record: its source, its key as in truth/records.csv, its node.
-- A treatment node is a provider's client record with one set of attributors
-- (episodes in several financial years are several records of one episode).
CREATE OR REPLACE TABLE records AS
WITH treatment AS (
    SELECT i.record_id, 'treatment' AS source,
           w.provider_code || '|' || w.episode_ref AS key,
           w.provider_code, i.client_ref,
           upper(trim(i.first_initial)) AS first_initial,
           upper(trim(i.last_initial)) AS last_initial,
           i.date_of_birth, i.sex,
           upper(trim(i.postcode_district)) AS postcode_district,
           w.local_authority
    FROM committed_treatment_episodes AS i
    JOIN wh.raw.treatment_episodes AS w USING (record_id)
    WHERE w.linkable
)
SELECT record_id, source, key,
       min(record_id) OVER (
           PARTITION BY provider_code, client_ref, first_initial, last_initial, date_of_birth,
                        sex, postcode_district, local_authority
       ) AS node_id,
       'client:' || provider_code || '|' || client_ref AS group_key
FROM treatment
UNION ALL
SELECT record_id, 'pnc', pnc_id, record_id, 'pnc:' || pnc_id
FROM committed_pnc_nominals
UNION ALL
SELECT a.record_id, 'pnc', a.pnc_id, a.record_id, 'pnc:' || a.pnc_id
FROM committed_pnc_aliases AS a
UNION ALL
SELECT t.record_id, 'drug_tests', w.test_id, t.record_id,
       CASE WHEN w.nominal_record_id IS NOT NULL THEN 'pnc:' || t.pnc_id END
FROM committed_drug_tests AS t
JOIN wh.raw.drug_tests AS w USING (record_id)
UNION ALL
SELECT d.record_id, 'deaths', w.death_id, d.record_id, NULL
FROM committed_deaths AS d
JOIN wh.raw.deaths AS w USING (record_id);

-- name: demographics
-- Sex and age in whole years at the record's own date, for every linkable
-- treatment episode, drug test and death: what the warehouse may know of a
-- person without a date of birth (see link.demographics in person_map.sql).
CREATE OR REPLACE TABLE demographics AS
WITH dated AS (
    SELECT i.record_id, 'treatment' AS source, i.sex, i.date_of_birth, w.triage_date AS on_date
    FROM committed_treatment_episodes AS i
    JOIN wh.raw.treatment_episodes AS w USING (record_id)
    WHERE w.linkable
    UNION ALL
    SELECT t.record_id, 'drug_tests', t.sex, t.date_of_birth, w.test_date
    FROM committed_drug_tests AS t
    JOIN wh.raw.drug_tests AS w USING (record_id)
    UNION ALL
    SELECT d.record_id, 'deaths', d.sex, d.date_of_birth, w.date_of_death
    FROM committed_deaths AS d
    JOIN wh.raw.deaths AS w USING (record_id)
)
SELECT record_id, source,
       nullif(sex, 'not_stated') AS sex,
       CAST(year(on_date) - year(date_of_birth)
            - CASE WHEN month(on_date) * 100 + day(on_date)
                        < month(date_of_birth) * 100 + day(date_of_birth)
                   THEN 1 ELSE 0 END AS SMALLINT) AS age
FROM dated;

-- name: forenames
-- The distinct first forenames of named records, for the nickname lookup.
SELECT DISTINCT forename FROM (
    SELECT split_part(trim(upper(forenames)), ' ', 1) AS forename FROM committed_pnc_nominals
    UNION ALL
    SELECT split_part(trim(upper(forenames)), ' ', 1) FROM committed_pnc_aliases
    UNION ALL
    SELECT split_part(trim(upper(forenames)), ' ', 1) FROM committed_deaths
) WHERE forename <> '';

-- name: nodes
-- One row per node, in the columns every linkage job compares (NULL where a
-- source does not record it). `names` holds the node's forenames; the Python
-- side adds the nickname-widened initials and variants.
CREATE OR REPLACE TABLE nodes AS
WITH treatment AS (
    SELECT DISTINCT r.node_id AS unique_id, 'treatment' AS source,
           false AS is_alias,
           nullif(upper(trim(i.first_initial)), '') AS first_initial,
           nullif(upper(trim(i.last_initial)), '') AS last_initial,
           CAST(NULL AS VARCHAR) AS forenames,
           CAST(NULL AS VARCHAR) AS surname,
           i.date_of_birth AS dob,
           nullif(i.sex, 'not_stated') AS sex,
           nullif(upper(trim(i.postcode_district)), '') AS postcode_district,
           w.local_authority,
           la.police_force_code AS police_force,
           la.region_code AS region
    FROM records AS r
    JOIN committed_treatment_episodes AS i ON i.record_id = r.node_id
    JOIN wh.raw.treatment_episodes AS w ON w.record_id = r.node_id
    LEFT JOIN ref_las AS la ON la.la_code = w.local_authority
    WHERE r.source = 'treatment'
),
nominals AS (
    SELECT n.record_id AS unique_id, 'pnc' AS source, false AS is_alias,
           n.forenames, n.surname, n.date_of_birth AS dob, nullif(n.sex, 'not_stated') AS sex,
           n.postcode, w.police_force
    FROM committed_pnc_nominals AS n
    JOIN wh.raw.pnc_nominals AS w USING (record_id)
),
named AS (
    SELECT * FROM nominals
    UNION ALL
    -- an alias: another name and date of birth of the same nominal; sex,
    -- postcode and force are the nominal's
    SELECT a.record_id, 'pnc', true, a.forenames, a.surname, a.date_of_birth,
           n.sex, n.postcode, n.police_force
    FROM committed_pnc_aliases AS a
    JOIN wh.raw.pnc_aliases AS w USING (record_id)
    JOIN nominals AS n ON n.unique_id = w.nominal_record_id
    UNION ALL
    SELECT d.record_id, 'deaths', false, d.forenames, d.surname, d.date_of_birth,
           nullif(d.sex, 'not_stated'), d.postcode, CAST(NULL AS VARCHAR)
    FROM committed_deaths AS d
),
tests AS (
    -- drug tests whose PNC id names no nominal in the extract, or that had none:
    -- none is linked by its id, so all are linked by the models (with no PNC
    -- extract at all, every test is here)
    SELECT t.record_id AS unique_id, 'drug_tests' AS source, false AS is_alias,
           nullif(upper(trim(t.first_initial)), '') AS first_initial,
           nullif(upper(trim(t.last_initial)), '') AS last_initial,
           t.date_of_birth AS dob, nullif(t.sex, 'not_stated') AS sex, w.police_force
    FROM committed_drug_tests AS t
    JOIN wh.raw.drug_tests AS w USING (record_id)
    WHERE w.nominal_record_id IS NULL
       OR w.nominal_record_id NOT IN (SELECT record_id FROM committed_pnc_nominals)
)
SELECT unique_id, source, is_alias, first_initial, last_initial, forenames,
       surname, dob, sex, postcode_district, local_authority, police_force, region
FROM treatment
UNION ALL
SELECT unique_id, source, is_alias,
       nullif(left(upper(trim(forenames)), 1), ''),
       nullif(left(upper(trim(surname)), 1), ''),
       upper(trim(forenames)), upper(trim(surname)), dob, sex,
       -- the outward code: all but the last three characters (the inward code)
       nullif(upper(left(replace(postcode, ' ', ''),
                         length(replace(postcode, ' ', '')) - 3)), ''),
       NULL, named.police_force, f.region_code
FROM named
LEFT JOIN ref_forces AS f ON f.force_code = named.police_force
UNION ALL
SELECT unique_id, source, is_alias, first_initial, last_initial, NULL, NULL, dob,
       sex, NULL, NULL, tests.police_force, f.region_code
FROM tests
LEFT JOIN ref_forces AS f ON f.force_code = tests.police_force;

-- name: rule_edges
-- Links the sources make themselves: episodes of one client record at one
-- provider; an alias and its nominal; a drug test and the nominal of its PNC id.
CREATE OR REPLACE TABLE rule_edges AS
SELECT DISTINCT least(a.node_id, b.node_id) AS node_l, greatest(a.node_id, b.node_id) AS node_r,
       'same ' || split_part(a.group_key, ':', 1) AS rule
FROM (SELECT group_key, min(node_id) AS node_id FROM records
      WHERE group_key IS NOT NULL GROUP BY group_key) AS a
JOIN (SELECT DISTINCT group_key, node_id FROM records WHERE group_key IS NOT NULL) AS b
  ON a.group_key = b.group_key AND a.node_id <> b.node_id;

-- name: timeline
-- What a node says about when its person was alive (no identifier: dates of
-- events, from the warehouse). seen_on: the latest date the person was seen
-- alive (a treatment client's latest triage, a nominal's latest offence, a drug
-- test's date); died_on: a death's date, or a treatment discharge for "died".
CREATE OR REPLACE TABLE timeline AS
SELECT r.node_id,
       max(CASE WHEN r.source = 'treatment' THEN t.triage_date
                WHEN r.source = 'drug_tests' THEN d.test_date END) AS seen_on,
       max(CASE WHEN r.source = 'treatment' AND t.discharge_reason = 'died'
                THEN t.discharge_date
                WHEN r.source = 'deaths' THEN x.date_of_death END) AS died_on
FROM records AS r
LEFT JOIN wh.raw.treatment_episodes AS t ON r.source = 'treatment' AND t.record_id = r.record_id
LEFT JOIN wh.raw.drug_tests AS d ON r.source = 'drug_tests' AND d.record_id = r.record_id
LEFT JOIN wh.raw.deaths AS x ON r.source = 'deaths' AND x.record_id = r.record_id
GROUP BY r.node_id
UNION ALL
-- a nominal and its aliases: the latest offence on its disposals
SELECT n.record_id, max(p.offence_date), NULL
FROM wh.raw.pnc_disposals AS p
JOIN (SELECT record_id, record_id AS nominal FROM wh.raw.pnc_nominals
      UNION ALL SELECT record_id, nominal_record_id FROM wh.raw.pnc_aliases) AS n
  ON n.nominal = p.nominal_record_id
GROUP BY n.record_id;

-- name: link_nodes
-- The nodes as Splink sees them: names normalised, the first forename's
-- nickname variants (`name_variants`, from the nicknames dataset), every
-- initial the person might give, and the date of birth in parts for the slip
-- comparisons.
CREATE OR REPLACE TABLE link_nodes AS
WITH named AS (
    SELECT unique_id,
           nullif(trim(regexp_replace(regexp_replace(forenames, '[^A-Z ]', '', 'g'),
                                      ' +', ' ', 'g')), '') AS forenames,
           nullif(regexp_replace(surname, '[^A-Z ]', '', 'g'), '') AS surname
    FROM nodes
),
variants AS (
    SELECT name, list(variant ORDER BY variant) AS variants
    FROM name_variants GROUP BY name
),
widened AS (
    SELECT n.unique_id, n.forenames, n.surname,
           split_part(n.forenames, ' ', 1) AS forename,
           coalesce(v.variants, []) AS forename_variants,
           list_sort(list_distinct(list_concat(
               [left(t, 1) FOR t IN string_split(n.forenames, ' ') IF t <> ''],
               [left(x, 1) FOR x IN coalesce(v.variants, [])]
           ))) AS first_initials
    FROM named AS n
    LEFT JOIN variants AS v ON v.name = split_part(n.forenames, ' ', 1)
    WHERE n.forenames IS NOT NULL
)
SELECT n.unique_id, n.source, n.is_alias,
       n.first_initial, n.last_initial,
       w.forename, coalesce(w.forename_variants, []) AS forename_variants,
       coalesce(w.first_initials,
                CASE WHEN n.first_initial IS NULL THEN [] ELSE [n.first_initial] END)
           AS first_initials,
       w.surname,
       strftime(n.dob, '%Y-%m-%d') AS dob,
       CAST(year(n.dob) AS INTEGER) AS dob_y,
       CAST(month(n.dob) AS INTEGER) AS dob_m,
       CAST(day(n.dob) AS INTEGER) AS dob_d,
       CAST(date_diff('day', DATE '1970-01-01', n.dob) AS INTEGER) AS dob_days,
       year(n.dob) || '-' || least(month(n.dob), day(n.dob)) || '-'
           || greatest(month(n.dob), day(n.dob)) AS dob_sorted,
       n.sex, n.postcode_district,
       nullif(regexp_extract(n.postcode_district, '^[A-Z]+'), '') AS postcode_area,
       n.local_authority, n.police_force, n.region,
       CAST(date_diff('day', DATE '1970-01-01', tl.seen_on) AS INTEGER) AS seen_day,
       CAST(date_diff('day', DATE '1970-01-01', tl.died_on) AS INTEGER) AS died_day
FROM nodes AS n
LEFT JOIN widened AS w USING (unique_id)
LEFT JOIN (SELECT node_id, max(seen_on) AS seen_on, max(died_on) AS died_on
           FROM timeline GROUP BY node_id) AS tl ON tl.node_id = n.unique_id
ORDER BY n.unique_id;

-- name: review_identities
-- What a reviewer sees of each node in `review_nodes` (node_id): the
-- identifiers of the node's own record, from the identity store only, and the
-- non-identifying place from the warehouse.
SELECT r.node_id, 'treatment' AS source, NULL AS forenames, NULL AS surname,
       i.first_initial, i.last_initial, strftime(i.date_of_birth, '%Y-%m-%d') AS date_of_birth,
       i.sex, i.postcode_district AS postcode, w.local_authority AS area
FROM review_nodes AS r
JOIN committed_treatment_episodes AS i ON i.record_id = r.node_id
JOIN wh.raw.treatment_episodes AS w ON w.record_id = r.node_id
UNION ALL
SELECT r.node_id, 'pnc', n.forenames, n.surname, NULL, NULL,
       strftime(n.date_of_birth, '%Y-%m-%d'), n.sex, n.postcode, w.police_force
FROM review_nodes AS r
JOIN committed_pnc_nominals AS n ON n.record_id = r.node_id
JOIN wh.raw.pnc_nominals AS w ON w.record_id = r.node_id
UNION ALL
SELECT r.node_id, 'pnc (alias)', a.forenames, a.surname, NULL, NULL,
       strftime(a.date_of_birth, '%Y-%m-%d'), NULL, NULL, NULL
FROM review_nodes AS r
JOIN committed_pnc_aliases AS a ON a.record_id = r.node_id
UNION ALL
SELECT r.node_id, 'drug_tests', NULL, NULL, t.first_initial, t.last_initial,
       strftime(t.date_of_birth, '%Y-%m-%d'), t.sex, NULL, w.police_force
FROM review_nodes AS r
JOIN committed_drug_tests AS t ON t.record_id = r.node_id
JOIN wh.raw.drug_tests AS w ON w.record_id = r.node_id
UNION ALL
SELECT r.node_id, 'deaths', d.forenames, d.surname, NULL, NULL,
       strftime(d.date_of_birth, '%Y-%m-%d'), d.sex, d.postcode, NULL
FROM review_nodes AS r
JOIN committed_deaths AS d ON d.record_id = r.node_id;

-- name: record_keys
-- Every linkable record's source and key as in truth/records.csv (the PNC id
-- from the identity store; the other keys are not identifiers).
SELECT w.record_id, 'treatment' AS source, w.provider_code || '|' || w.episode_ref AS key
FROM wh.raw.treatment_episodes AS w WHERE w.linkable
UNION ALL
SELECT record_id, 'pnc', pnc_id FROM committed_pnc_nominals
UNION ALL
SELECT record_id, 'pnc', pnc_id FROM committed_pnc_aliases
UNION ALL
SELECT record_id, 'drug_tests', test_id FROM wh.raw.drug_tests
UNION ALL
SELECT record_id, 'deaths', death_id FROM wh.raw.deaths;
