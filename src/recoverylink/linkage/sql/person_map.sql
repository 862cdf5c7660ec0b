-- What the linkage writes to the warehouse (schema `link`). No identifier:
-- record ids, sources, pseudonymous person ids, probabilities.
--
-- link.person_map: one row per linkable record of the last run. person_id is a
--   keyed HMAC (RECOVERYLINK_PSEUDONYM_KEY) of the person's cluster, so it
--   reveals nothing and cannot be recomputed without the key.
--   match_probability: the strongest accepted link between the record's node
--   and the rest of its person (1 for links the sources make themselves, NULL
--   for a person of one node), so a study can drop weaker links and see what
--   changes.
-- link.links: every pair a model scored at or above the candidate floor, with
--   its probability, whether it was accepted (at or above the threshold, or by
--   review) and, if a source rule refused it, which; plus the links the sources
--   make themselves (method 'rule') and reviewed pairs (method 'review').
--   record_id_l/_r are the node ids (a node's smallest record id).
-- link.demographics: sex ('male', 'female' or NULL for not stated) and age in
--   whole years at the record's own date (an episode's triage, a test, a
--   death) of every linkable treatment episode, drug test and death, worked
--   out from the identity store so that the warehouse never holds a date of
--   birth.
-- link.runs: one row per run.
-- link.review_decisions: clerical decisions read back by `link review import`;
--   they override the model in every later run.

-- name: schema
CREATE SCHEMA IF NOT EXISTS link;
CREATE TABLE IF NOT EXISTS link.runs (
    run_id          VARCHAR NOT NULL,
    started_at      TIMESTAMP NOT NULL,
    finished_at     TIMESTAMP NOT NULL,
    engine          VARCHAR NOT NULL,
    match_threshold DOUBLE NOT NULL,
    models          VARCHAR NOT NULL,   -- the folder of the models used
    trained         BOOLEAN NOT NULL,   -- trained in this run, or reused
    records         BIGINT NOT NULL,
    persons         BIGINT NOT NULL,
    accepted_links  BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS link.person_map (
    record_id         BIGINT NOT NULL,
    source            VARCHAR NOT NULL,
    person_id         VARCHAR NOT NULL,
    match_probability DOUBLE,
    run_id            VARCHAR NOT NULL
);
CREATE TABLE IF NOT EXISTS link.demographics (
    record_id BIGINT NOT NULL,
    source    VARCHAR NOT NULL,
    sex       VARCHAR,
    age       SMALLINT NOT NULL,
    run_id    VARCHAR NOT NULL
);
CREATE TABLE IF NOT EXISTS link.links (
    record_id_l       BIGINT NOT NULL,
    record_id_r       BIGINT NOT NULL,
    source_l          VARCHAR NOT NULL,
    source_r          VARCHAR NOT NULL,
    job               VARCHAR NOT NULL,   -- a model's job, 'rule' or 'review'
    method            VARCHAR NOT NULL,   -- model, rule, review
    match_weight      DOUBLE,
    match_probability DOUBLE NOT NULL,
    accepted          BOOLEAN NOT NULL,
    refused_by        VARCHAR,            -- the source rule that kept the pair apart
    run_id            VARCHAR NOT NULL
);
CREATE TABLE IF NOT EXISTS link.review_decisions (
    record_id_l BIGINT NOT NULL,
    record_id_r BIGINT NOT NULL,
    decision    VARCHAR NOT NULL,         -- accept or reject
    decided_at  TIMESTAMP NOT NULL,
    file        VARCHAR NOT NULL
);

-- name: replace
DELETE FROM link.person_map;
DELETE FROM link.links;
DELETE FROM link.demographics;
INSERT INTO link.demographics SELECT record_id, source, sex, age, run_id FROM new_demographics;
INSERT INTO link.person_map SELECT record_id, source, person_id, match_probability, run_id
    FROM new_person_map;
INSERT INTO link.links SELECT record_id_l, record_id_r, source_l, source_r, job, method,
    match_weight, match_probability, accepted, refused_by, run_id FROM new_links;
