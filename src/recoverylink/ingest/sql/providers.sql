-- Merging a providers register (spec §5) from staged_providers (provider_code,
-- provider_name, local_authority as text, plus load_id): a provider already
-- known takes the new name and local authority, a new one is added, and none
-- is ever deleted.

-- name: warehouse
UPDATE ref.providers AS p
SET provider_name = s.provider_name, local_authority = s.local_authority, load_id = s.load_id
FROM staged_providers AS s
WHERE p.provider_code = s.provider_code
    AND (p.provider_name <> s.provider_name OR p.local_authority <> s.local_authority);

INSERT INTO ref.providers BY NAME
SELECT provider_code, provider_name, local_authority, load_id
FROM staged_providers AS s
WHERE NOT EXISTS (SELECT 1 FROM ref.providers AS p WHERE p.provider_code = s.provider_code);
