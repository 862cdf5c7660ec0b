-- What `recoverylink status` shows, from the ledger alone (warehouse.duckdb,
-- opened read-only). Parameters: $kind and $provider narrow the lists (NULL
-- for all); $limit caps the rows listed (NULL for no cap).

-- name: sources
-- One row per dataset: files by status, rows now in the stores, last received.
SELECT
    kind,
    count(*) FILTER (WHERE status = 'current') AS current_files,
    count(*) FILTER (WHERE status = 'superseded') AS superseded_files,
    count(*) FILTER (WHERE status = 'rejected') AS rejected_files,
    count(*) FILTER (WHERE status = 'refused') AS refused_files,
    coalesce(sum(row_count) FILTER (WHERE status = 'current'), 0) AS current_rows,
    max(received_at) AS last_received
FROM ingest.loads
WHERE ($kind IS NULL OR kind = $kind)
    AND ($provider IS NULL OR provider_code = $provider)
GROUP BY kind
ORDER BY CASE kind
    WHEN 'providers' THEN 0 WHEN 'reference' THEN 1 WHEN 'treatment' THEN 2
    WHEN 'pnc' THEN 3 WHEN 'drug_tests' THEN 4 WHEN 'deaths' THEN 5 ELSE 6 END;

-- name: current
-- The files whose rows are in the stores: per dataset, provider and period.
SELECT load_id, kind, file_name, provider_code, period, slot, row_count, received_at, note
FROM ingest.loads
WHERE status = 'current'
    AND ($kind IS NULL OR kind = $kind)
    AND ($provider IS NULL OR provider_code = $provider)
ORDER BY CASE kind
    WHEN 'providers' THEN 0 WHEN 'reference' THEN 1 WHEN 'treatment' THEN 2
    WHEN 'pnc' THEN 3 WHEN 'drug_tests' THEN 4 WHEN 'deaths' THEN 5 ELSE 6 END,
    provider_code NULLS FIRST, period, load_id
LIMIT $limit;

-- name: current_count
SELECT count(*)
FROM ingest.loads
WHERE status = 'current'
    AND ($kind IS NULL OR kind = $kind)
    AND ($provider IS NULL OR provider_code = $provider);

-- name: not_loaded
-- Files rejected or refused, newest first, with why.
SELECT load_id, kind, file_name, provider_code, period, status, row_count, problem_count,
    received_at, note
FROM ingest.loads
WHERE status IN ('rejected', 'refused')
    AND ($kind IS NULL OR kind = $kind)
    AND ($provider IS NULL OR provider_code = $provider)
ORDER BY load_id DESC
LIMIT $limit;

-- name: not_loaded_count
SELECT count(*)
FROM ingest.loads
WHERE status IN ('rejected', 'refused')
    AND ($kind IS NULL OR kind = $kind)
    AND ($provider IS NULL OR provider_code = $provider);

-- name: rules
-- Problems per rule of the listed rejected files.
SELECT load_id, rule, problem_count
FROM ingest.load_rules
WHERE list_contains($loads, load_id)
ORDER BY load_id, problem_count DESC, rule;

-- name: problems
-- The first problems kept for the listed rejected files (identifiers already masked).
SELECT load_id, file, row, "column", value, rule, message
FROM ingest.load_problems
WHERE list_contains($loads, load_id)
ORDER BY load_id, seq;
