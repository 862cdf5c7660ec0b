-- Convictions and cautions (mart.offences), drug tests on arrest
-- (mart.drug_tests) and deaths (mart.deaths), by person and date.
--
-- A PNC extract holds each nominal's whole record, so a disposal can be in
-- more than one extract; each disposal_id is kept once, from the newest
-- extract. A disposal belongs to its nominal's person. Offence group and the
-- trigger-offence flag come from the offence codes reference table.
--
-- A drug test is positive when opiates or cocaine (crack included) tested
-- positive. A test without a PNC id is still linked by the model. A record
-- with no person (possible only in a truth build, for records the truth does
-- not know) is its own person, `unlinked:<source>|<id>`.
--
-- link_probability: the linkage's match probability of the record's (for a
-- disposal, its nominal's) link to the rest of its person (1 for links the
-- sources make themselves, NULL for a person of one record; 1 in a truth
-- build), so that a study can drop weaker links and see what changes.

-- name: offences
CREATE OR REPLACE TABLE offences AS
WITH versions AS (
    SELECT d.*,
           row_number() OVER (
               PARTITION BY d.disposal_id ORDER BY l.period DESC, d.load_id DESC
           ) AS newest
    FROM raw.pnc_disposals AS d
    JOIN ingest.loads AS l ON l.load_id = d.load_id
)
SELECT v.disposal_id,
       coalesce(p.person_id, 'unlinked:pnc|' || CAST(v.nominal_record_id AS VARCHAR)) AS person_id,
       p.match_probability AS link_probability,
       v.offence_date,
       v.disposal_date,
       v.disposal_type,
       v.offence_code,
       coalesce(o.offence_group, 'other') AS offence_group,
       coalesce(o.is_trigger_offence = 'y', false) AS trigger_offence
FROM versions AS v
LEFT JOIN person_ids AS p ON p.record_id = v.nominal_record_id
LEFT JOIN ref.offence_codes AS o ON o.offence_code = v.offence_code
WHERE v.newest = 1;

-- name: drug_tests
CREATE OR REPLACE TABLE drug_tests AS
SELECT t.test_id,
       coalesce(p.person_id, 'unlinked:test|' || t.test_id) AS person_id,
       p.match_probability AS link_probability,
       t.test_date,
       t.police_force,
       t.opiates,
       t.cocaine,
       t.opiates = 'positive' OR t.cocaine = 'positive' AS positive,
       t.trigger_offence_code,
       t.required_assessment,
       d.sex,
       d.age
FROM raw.drug_tests AS t
LEFT JOIN person_ids AS p ON p.record_id = t.record_id
LEFT JOIN link.demographics AS d ON d.record_id = t.record_id;

-- name: deaths
CREATE OR REPLACE TABLE deaths AS
SELECT x.death_id,
       coalesce(p.person_id, 'unlinked:death|' || x.death_id) AS person_id,
       p.match_probability AS link_probability,
       x.date_of_death,
       x.date_registered,
       x.underlying_cause,
       x.drug_poisoning = 'y' AS drug_poisoning,
       d.sex,
       d.age
FROM raw.deaths AS x
LEFT JOIN person_ids AS p ON p.record_id = x.record_id
LEFT JOIN link.demographics AS d ON d.record_id = x.record_id;
