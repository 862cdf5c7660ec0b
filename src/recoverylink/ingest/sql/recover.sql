-- Recovery, run every time the stores are opened for writing (stores.py).
--
-- The warehouse commits in one transaction and needs nothing. The identity
-- store is written first, in its own transaction, so it may hold rows of a
-- load that never reached the warehouse (the run died between the two
-- commits), and rows of loads that the warehouse has since superseded (the
-- run died before deleting them). A row belongs only if its load is current.

-- name: identity
DELETE FROM identity.treatment_episodes
WHERE load_id NOT IN (SELECT load_id FROM ingest.loads WHERE status = 'current');

DELETE FROM identity.pnc_nominals
WHERE load_id NOT IN (SELECT load_id FROM ingest.loads WHERE status = 'current');

DELETE FROM identity.pnc_aliases
WHERE load_id NOT IN (SELECT load_id FROM ingest.loads WHERE status = 'current');

DELETE FROM identity.drug_tests
WHERE load_id NOT IN (SELECT load_id FROM ingest.loads WHERE status = 'current');

DELETE FROM identity.deaths
WHERE load_id NOT IN (SELECT load_id FROM ingest.loads WHERE status = 'current');

-- A PNC id keeps its record_id once its first load committed, even when that
-- load is later superseded; only ids first seen by a load that never
-- committed go.
DELETE FROM identity.pnc_ids
WHERE load_id NOT IN (SELECT load_id FROM ingest.loads);
