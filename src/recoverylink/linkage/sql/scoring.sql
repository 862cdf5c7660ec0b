-- Scores of a set of clusters against ground truth (a synthetic England's
-- truth/records.csv), per pair of sources.
--
-- Inputs: `truth` (source, key, person) and `assigned` (method, source, key,
-- cluster). Both are at the level of truth's keys: a treatment episode
-- (provider|episode_ref), a PNC id, a drug test, a death. Only keys present in
-- both are scored.
--
-- Pairwise: every pair of keys, one from each source of the pair (two from the
-- same source for a source with itself), is a predicted link when the keys share
-- a cluster and a true link when they share a person. precision = true
-- predicted links / predicted links; recall = true predicted links / true links.
-- `group_a`/`group_b` split a source into parts (treatment by provider) so that
-- pairs within one part can be told from pairs across parts.
--
-- Cluster level: the keys of the two sources, grouped by cluster and by person;
-- a cluster is exact when it holds exactly the keys of one person.
-- cluster precision = exact clusters / clusters; recall = exact / persons.

-- name: cells
-- `assigned` may hold several records of one key (a treatment episode sent in
-- several months): a key is in the smallest cluster any of its records is in.
CREATE OR REPLACE TEMP TABLE scored AS
WITH keys AS (
    SELECT method, source, key, min(cluster) AS cluster FROM assigned GROUP BY ALL
)
SELECT a.method, a.source, a.key, a.cluster, t.person,
       CASE WHEN a.source = 'treatment' THEN split_part(a.key, '|', 1) ELSE '' END AS part
FROM keys AS a
JOIN truth AS t ON t.source = a.source AND t.key = a.key;

-- name: paired
-- The keys that share their cluster or their person with another key. A key
-- alone in both is in no pair, predicted or true, so the pairwise counts are
-- the same without it (and at scale 1 most PNC nominals are such keys).
CREATE OR REPLACE TEMP TABLE paired AS
SELECT * FROM scored
QUALIFY count(*) OVER (PARTITION BY method, cluster) > 1
     OR count(*) OVER (PARTITION BY method, person) > 1;

-- name: pairwise
-- $1, $2: the two sources; '*' for $2 is every source but $1. Same source:
-- unordered pairs of distinct keys.
WITH sides AS (
    SELECT method, cluster, person, part,
           count(*) FILTER (WHERE source = $1) AS n_a,
           count(*) FILTER (WHERE source = $2 OR ($2 = '*' AND source <> $1)) AS n_b
    FROM paired WHERE source = $1 OR source = $2 OR $2 = '*'
    GROUP BY ALL
),
pairs AS (
    SELECT method,
           CASE WHEN $1 = $2 THEN n_a * (n_a - 1) / 2 ELSE n_a * n_b END AS n,
           cluster, person, part, n_a, n_b
    FROM sides
),
by_cluster AS (
    SELECT method, cluster, sum(n_a) AS n_a, sum(n_b) AS n_b FROM sides GROUP BY ALL
),
by_person AS (
    SELECT method, person, sum(n_a) AS n_a, sum(n_b) AS n_b FROM sides GROUP BY ALL
),
cells AS (  -- cluster x person: the true predicted links
    SELECT method, cluster, person, sum(n_a) AS n_a, sum(n_b) AS n_b
    FROM sides GROUP BY ALL
),
within_part AS (  -- cluster x person x part: true predicted links inside one part
    SELECT method, sum(n) AS tp_within FROM pairs GROUP BY method
),
cluster_part AS (
    SELECT method, cluster, part, sum(n_a) AS n_a, sum(n_b) AS n_b FROM sides GROUP BY ALL
),
person_part AS (
    SELECT method, person, part, sum(n_a) AS n_a, sum(n_b) AS n_b FROM sides GROUP BY ALL
)
SELECT m.method,
       (SELECT sum(CASE WHEN $1 = $2 THEN n_a * (n_a - 1) / 2 ELSE n_a * n_b END)
        FROM by_cluster c WHERE c.method = m.method) AS predicted,
       (SELECT sum(CASE WHEN $1 = $2 THEN n_a * (n_a - 1) / 2 ELSE n_a * n_b END)
        FROM by_person p WHERE p.method = m.method) AS actual,
       (SELECT sum(CASE WHEN $1 = $2 THEN n_a * (n_a - 1) / 2 ELSE n_a * n_b END)
        FROM cells x WHERE x.method = m.method) AS true_positive,
       (SELECT sum(CASE WHEN $1 = $2 THEN n_a * (n_a - 1) / 2 ELSE n_a * n_b END)
        FROM cluster_part c WHERE c.method = m.method) AS predicted_within_part,
       (SELECT sum(CASE WHEN $1 = $2 THEN n_a * (n_a - 1) / 2 ELSE n_a * n_b END)
        FROM person_part p WHERE p.method = m.method) AS actual_within_part,
       w.tp_within AS true_positive_within_part
FROM (SELECT DISTINCT method FROM sides) AS m
JOIN within_part AS w USING (method)
ORDER BY m.method;

-- name: clusters
-- $1, $2: the two sources (the same source twice for one source alone; '*'
-- for $2: every source).
WITH members AS (
    SELECT method, cluster, person FROM scored WHERE source = $1 OR source = $2 OR $2 = '*'
),
cluster_sizes AS (
    SELECT method, cluster, count(*) AS n, count(DISTINCT person) AS persons, min(person) AS person
    FROM members GROUP BY ALL
),
person_sizes AS (
    SELECT method, person, count(*) AS n FROM members GROUP BY ALL
)
SELECT c.method,
       count(*) AS clusters,
       (SELECT count(*) FROM person_sizes p WHERE p.method = c.method) AS persons,
       count(*) FILTER (WHERE c.persons = 1 AND c.n = p.n) AS exact
FROM cluster_sizes AS c
JOIN person_sizes AS p ON p.method = c.method AND p.person = c.person
GROUP BY c.method
ORDER BY c.method;
