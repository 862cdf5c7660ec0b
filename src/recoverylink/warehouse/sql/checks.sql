-- Checks before a build.

-- name: unlinked
-- Linkable records of current loads that the last linkage run did not see
-- (they were loaded after it): by source. Empty when the map is up to date.
SELECT source, count(*) AS records FROM (
    SELECT 'treatment' AS source, record_id FROM raw.treatment_episodes WHERE linkable
    UNION ALL SELECT 'pnc', record_id FROM raw.pnc_nominals
    UNION ALL SELECT 'drug_tests', record_id FROM raw.drug_tests
    UNION ALL SELECT 'deaths', record_id FROM raw.deaths
) AS r
WHERE NOT EXISTS (SELECT 1 FROM person_ids AS p WHERE p.record_id = r.record_id)
GROUP BY source
ORDER BY source;
