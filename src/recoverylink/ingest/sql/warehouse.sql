-- The warehouse (warehouse.duckdb): what was received and the content of every
-- submission that passed, keyed by record_id and stamped with the load it came
-- from. No identifier (spec: identifier_columns) is ever a column here: names,
-- initials, dates of birth, sex, postcodes and PNC ids go to identity.duckdb
-- (identity.sql), keyed by the same record_id. Links that the sources make
-- through an identifier (a disposal's or a drug test's pnc_id) are made here
-- through record_ids instead (nominal_record_id).
--
-- Empty fields are NULL; dates are DATE and counts SMALLINT; every code is kept
-- as submitted (lower-case text, y/n as 'y'/'n').

CREATE SCHEMA IF NOT EXISTS ingest;
CREATE SCHEMA IF NOT EXISTS raw;
CREATE SCHEMA IF NOT EXISTS ref;

-- The ledger: one row per file received (an identical re-send adds nothing).
-- status: current (its rows are in the stores), superseded (was current; a
-- newer file for the same slot replaced it), rejected (broke the spec; nothing
-- loaded), refused (older than the file already loaded for its slot).
-- A load's rows are in the stores exactly when its status is current.
CREATE TABLE IF NOT EXISTS ingest.loads (
    load_id         BIGINT NOT NULL,
    file_name       VARCHAR NOT NULL,
    kind            VARCHAR NOT NULL,   -- treatment, pnc, drug_tests, deaths, providers, reference, unrecognised
    slot            VARCHAR NOT NULL,   -- what a newer file replaces, e.g. treatment/P001/2021-22; '' for none
    period          VARCHAR NOT NULL,   -- submission month, extract date or year from the file name
    provider_code   VARCHAR,
    sha256          VARCHAR NOT NULL,
    size_bytes      BIGINT NOT NULL,
    landing_path    VARCHAR NOT NULL,   -- relative to the data directory
    received_at     TIMESTAMP NOT NULL, -- UTC
    status          VARCHAR NOT NULL,
    note            VARCHAR NOT NULL,   -- one line: what loading it did, or why not
    replaces        BIGINT,             -- the load it replaced
    replaced_by     BIGINT,             -- the load that replaced it
    first_record_id BIGINT,             -- record ids first_record_id .. next_record_id - 1 are its rows'
    next_record_id  BIGINT,
    row_count       BIGINT NOT NULL,    -- records in the file (all its tables)
    problem_count   BIGINT NOT NULL
);

-- Records per table of each file received.
CREATE TABLE IF NOT EXISTS ingest.load_tables (
    load_id    BIGINT NOT NULL,
    table_name VARCHAR NOT NULL,
    row_count  BIGINT NOT NULL
);

-- The first problems of a rejected file, identifiers masked, and a count per rule.
CREATE TABLE IF NOT EXISTS ingest.load_problems (
    load_id  BIGINT NOT NULL,
    seq      INTEGER NOT NULL,
    file     VARCHAR NOT NULL,
    row      BIGINT,
    "column" VARCHAR,
    value    VARCHAR,
    rule     VARCHAR NOT NULL,
    message  VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS ingest.load_rules (
    load_id       BIGINT NOT NULL,
    rule          VARCHAR NOT NULL,
    problem_count BIGINT NOT NULL
);

-- Treatment (spec §1). Interventions and TOP reviews carry the record_id of
-- their episode in the same submission.
CREATE TABLE IF NOT EXISTS raw.treatment_episodes (
    record_id          BIGINT NOT NULL,
    load_id            BIGINT NOT NULL,
    source_row         BIGINT NOT NULL,
    provider_code      VARCHAR NOT NULL,
    episode_ref        VARCHAR NOT NULL,
    consent            VARCHAR NOT NULL,
    linkable           BOOLEAN NOT NULL,   -- consent = 'y'; a non-consenting episode is never linked
    local_authority    VARCHAR,
    ethnicity          VARCHAR,
    referral_date      DATE NOT NULL,
    referral_source    VARCHAR,
    triage_date        DATE NOT NULL,
    substance_1        VARCHAR,
    substance_2        VARCHAR,
    substance_3        VARCHAR,
    injecting_status   VARCHAR,
    accommodation      VARCHAR,
    employment         VARCHAR,
    parental_status    VARCHAR,
    previously_treated VARCHAR,
    discharge_date     DATE,
    discharge_reason   VARCHAR
);

CREATE TABLE IF NOT EXISTS raw.treatment_interventions (
    record_id         BIGINT NOT NULL,
    load_id           BIGINT NOT NULL,
    source_row        BIGINT NOT NULL,
    episode_record_id BIGINT NOT NULL,
    provider_code     VARCHAR NOT NULL,
    episode_ref       VARCHAR NOT NULL,
    intervention_ref  VARCHAR NOT NULL,
    intervention_type VARCHAR NOT NULL,
    setting           VARCHAR NOT NULL,
    referred_date     DATE NOT NULL,
    start_date        DATE NOT NULL,
    end_date          DATE,
    exit_status       VARCHAR
);

CREATE TABLE IF NOT EXISTS raw.treatment_top (
    record_id             BIGINT NOT NULL,
    load_id               BIGINT NOT NULL,
    source_row            BIGINT NOT NULL,
    episode_record_id     BIGINT NOT NULL,
    provider_code         VARCHAR NOT NULL,
    episode_ref           VARCHAR NOT NULL,
    top_date              DATE NOT NULL,
    stage                 VARCHAR NOT NULL,
    days_opiates          SMALLINT NOT NULL,
    days_crack            SMALLINT NOT NULL,
    days_cocaine          SMALLINT NOT NULL,
    days_amphetamines     SMALLINT NOT NULL,
    days_cannabis         SMALLINT NOT NULL,
    days_alcohol          SMALLINT NOT NULL,
    days_injected         SMALLINT NOT NULL,
    shoplifting_days      SMALLINT NOT NULL,
    drug_selling_days     SMALLINT NOT NULL,
    other_theft_days      SMALLINT NOT NULL,
    assault               VARCHAR NOT NULL,
    psychological_health  SMALLINT NOT NULL,
    physical_health       SMALLINT NOT NULL,
    quality_of_life       SMALLINT NOT NULL,
    acute_housing_problem VARCHAR NOT NULL,
    housing_risk          VARCHAR NOT NULL,
    paid_work_days        SMALLINT NOT NULL,
    education_days        SMALLINT NOT NULL
);

-- PNC extract (spec §2). A nominal's record_id stays the same from one extract
-- to the next (identity.pnc_ids maps each PNC id to it), so drug tests and
-- later extracts point at the same person's record.
CREATE TABLE IF NOT EXISTS raw.pnc_nominals (
    record_id    BIGINT NOT NULL,
    load_id      BIGINT NOT NULL,
    source_row   BIGINT NOT NULL,
    police_force VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS raw.pnc_aliases (
    record_id         BIGINT NOT NULL,
    load_id           BIGINT NOT NULL,
    source_row        BIGINT NOT NULL,
    nominal_record_id BIGINT NOT NULL
);

CREATE TABLE IF NOT EXISTS raw.pnc_disposals (
    record_id         BIGINT NOT NULL,
    load_id           BIGINT NOT NULL,
    source_row        BIGINT NOT NULL,
    nominal_record_id BIGINT NOT NULL,
    disposal_id       VARCHAR NOT NULL,
    offence_date      DATE NOT NULL,
    disposal_date     DATE NOT NULL,
    disposal_type     VARCHAR NOT NULL,
    offence_code      VARCHAR NOT NULL
);

-- Drug tests on arrest (spec §3): nominal_record_id is the PNC nominal's
-- record_id when the test carried a PNC id, else NULL.
CREATE TABLE IF NOT EXISTS raw.drug_tests (
    record_id            BIGINT NOT NULL,
    load_id              BIGINT NOT NULL,
    source_row           BIGINT NOT NULL,
    nominal_record_id    BIGINT,
    test_id              VARCHAR NOT NULL,
    police_force         VARCHAR NOT NULL,
    test_date            DATE NOT NULL,
    opiates              VARCHAR NOT NULL,
    cocaine              VARCHAR NOT NULL,
    trigger_offence_code VARCHAR NOT NULL,
    required_assessment  VARCHAR NOT NULL
);

-- Death registrations (spec §4).
CREATE TABLE IF NOT EXISTS raw.deaths (
    record_id        BIGINT NOT NULL,
    load_id          BIGINT NOT NULL,
    source_row       BIGINT NOT NULL,
    death_id         VARCHAR NOT NULL,
    date_of_death    DATE NOT NULL,
    date_registered  DATE NOT NULL,
    underlying_cause VARCHAR NOT NULL,
    drug_poisoning   VARCHAR NOT NULL
);

-- The providers register (spec §5): each register received adds providers and
-- updates those it names; none is ever deleted. load_id: the register that
-- last set the row.
CREATE TABLE IF NOT EXISTS ref.providers (
    provider_code   VARCHAR NOT NULL,
    provider_name   VARCHAR NOT NULL,
    local_authority VARCHAR NOT NULL,
    load_id         BIGINT NOT NULL
);
