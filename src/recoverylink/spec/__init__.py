"""The source data specification: code lists, table schemas, reference data, validation.

Public API (see docs/data-spec-rules.md for every rule):

- ``columns(table_name)``, ``column_rules(table_name)``, ``identifier_columns(table_name)``
- ``read_csv_strict(data, file)``, ``validate_table(table, frame, file, context)``
- ``validate_path(path)`` and the per-dataset ``validate_*`` functions
- ``Problem``, ``ValidationContext``, ``read_provider_codes(path)``
"""

from recoverylink.spec.context import ValidationContext
from recoverylink.spec.csvread import read_csv_strict
from recoverylink.spec.problems import Problem
from recoverylink.spec.rules import RULES
from recoverylink.spec.tables import TABLES, column_rules, columns, identifier_columns, table
from recoverylink.spec.treatment_links import outcome_class
from recoverylink.spec.validate import (
    read_provider_codes,
    validate_deaths_csv,
    validate_drug_tests_csv,
    validate_path,
    validate_pnc_zip,
    validate_providers_csv,
    validate_table,
    validate_treatment_zip,
)

__all__ = [
    "RULES",
    "TABLES",
    "Problem",
    "ValidationContext",
    "column_rules",
    "columns",
    "identifier_columns",
    "outcome_class",
    "read_csv_strict",
    "read_provider_codes",
    "table",
    "validate_deaths_csv",
    "validate_drug_tests_csv",
    "validate_path",
    "validate_pnc_zip",
    "validate_providers_csv",
    "validate_table",
    "validate_treatment_zip",
]
