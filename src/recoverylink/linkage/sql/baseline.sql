-- The NDTMS-style deterministic baseline, run beside the Splink models.
--
-- A record's key is its initials, date of birth and sex, exactly as recorded;
-- a record with any of them missing has no key. Treatment client records
-- sharing a key and a local authority are one person (as NDTMS builds its
-- client id). Between two sources, a key (with the police force area where both
-- sources record one) links two persons only when it is one-to-one: the
-- treatment person matches exactly one PNC person on it and that PNC person
-- exactly one treatment person. Links the sources make themselves (episodes of
-- one client record, aliases, PNC ids on drug tests) are kept.

-- name: keys
CREATE OR REPLACE TEMP TABLE baseline_keys AS
SELECT unique_id AS node, source,
       first_initial || last_initial || '|' || dob || '|' || sex AS k,
       police_force AS area, local_authority
FROM link_nodes
WHERE first_initial IS NOT NULL AND last_initial IS NOT NULL AND dob IS NOT NULL
  AND sex IS NOT NULL;

-- name: treatment_edges
-- Treatment client records with the same key and local authority.
SELECT min(node) OVER w AS node_l, node AS node_r
FROM baseline_keys
WHERE source = 'treatment'
WINDOW w AS (PARTITION BY k, local_authority)
QUALIFY node <> min(node) OVER w;

-- name: one_to_one
-- $1, $2: the two sources; $3: match on police force area as well. `components`
-- (node, comp) says which person (so far) each node belongs to.
WITH a AS (
    SELECT DISTINCT c.comp, k.k, k.area FROM baseline_keys AS k
    JOIN components AS c USING (node) WHERE k.source = $1
),
b AS (
    SELECT DISTINCT c.comp, k.k, k.area FROM baseline_keys AS k
    JOIN components AS c USING (node) WHERE k.source = $2
),
candidates AS (
    SELECT DISTINCT a.comp AS comp_a, b.comp AS comp_b
    FROM a JOIN b ON a.k = b.k AND (NOT $3 OR a.area = b.area)
)
SELECT comp_a AS node_l, comp_b AS node_r
FROM candidates
QUALIFY count(*) OVER (PARTITION BY comp_a) = 1 AND count(*) OVER (PARTITION BY comp_b) = 1;
