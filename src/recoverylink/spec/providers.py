"""The providers register (spec §5): ``providers.csv``.

A register is data the system ingests; a newer one adds to and updates the older.
Its provider codes (``validate.read_provider_codes``) are what a
:class:`ValidationContext` checks treatment submissions against.
"""

from __future__ import annotations

from recoverylink.spec.reference import local_authority_codes
from recoverylink.spec.schema import Table, code, text

PROVIDERS = Table(
    "providers",
    "providers.csv",
    (
        text("provider_code"),
        text("provider_name"),
        code(
            "local_authority",
            local_authority_codes,
            source="reference/local_authorities.csv (la_code)",
        ),
    ),
    unique=(("provider_code",),),
)
