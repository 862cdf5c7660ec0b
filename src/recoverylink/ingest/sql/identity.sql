-- The identity store (identity.duckdb): identifiers only, keyed by the
-- record_id of the same record in the warehouse, stamped with its load_id.
-- Only the linkage step reads it. It can live on a restricted volume.
--
-- Non-consenting treatment episodes have no row here: they are stored without
-- attributors and never linked.

CREATE TABLE IF NOT EXISTS treatment_episodes (
    record_id         BIGINT NOT NULL,
    load_id           BIGINT NOT NULL,
    client_ref        VARCHAR NOT NULL,
    first_initial     VARCHAR,
    last_initial      VARCHAR,
    date_of_birth     DATE NOT NULL,
    sex               VARCHAR NOT NULL,
    postcode_district VARCHAR
);

CREATE TABLE IF NOT EXISTS pnc_nominals (
    record_id     BIGINT NOT NULL,
    load_id       BIGINT NOT NULL,
    pnc_id        VARCHAR NOT NULL,
    surname       VARCHAR NOT NULL,
    forenames     VARCHAR NOT NULL,
    date_of_birth DATE NOT NULL,
    sex           VARCHAR NOT NULL,
    postcode      VARCHAR
);

-- An alias keeps the PNC id it was listed under; nominal_record_id is the
-- warehouse's link to the same person's nominal.
CREATE TABLE IF NOT EXISTS pnc_aliases (
    record_id         BIGINT NOT NULL,
    load_id           BIGINT NOT NULL,
    nominal_record_id BIGINT NOT NULL,
    pnc_id            VARCHAR NOT NULL,
    surname           VARCHAR NOT NULL,
    forenames         VARCHAR NOT NULL,
    date_of_birth     DATE NOT NULL
);

CREATE TABLE IF NOT EXISTS drug_tests (
    record_id     BIGINT NOT NULL,
    load_id       BIGINT NOT NULL,
    pnc_id        VARCHAR,
    first_initial VARCHAR,
    last_initial  VARCHAR,
    date_of_birth DATE NOT NULL,
    sex           VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS deaths (
    record_id     BIGINT NOT NULL,
    load_id       BIGINT NOT NULL,
    surname       VARCHAR NOT NULL,
    forenames     VARCHAR NOT NULL,
    date_of_birth DATE NOT NULL,
    sex           VARCHAR NOT NULL,
    postcode      VARCHAR
);

-- Each PNC id ever seen (in an extract or on a drug test) and the record_id
-- that stands for it in the warehouse (nominal_record_id), kept from one
-- extract to the next. load_id: the load that first saw it.
CREATE TABLE IF NOT EXISTS pnc_ids (
    pnc_id    VARCHAR NOT NULL,
    record_id BIGINT NOT NULL,
    load_id   BIGINT NOT NULL
);
