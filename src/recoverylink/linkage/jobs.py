"""The linkage jobs: which sources each Splink model compares, how, and how it is trained.

One model per job, each trained on its own pairs:

- ``treatment_dedupe``: treatment client records against each other (the same
  person at two providers, or registered twice at one);
- ``treatment_pnc``: treatment client records against PNC nominals and aliases;
- ``drug_tests_pnc`` and ``drug_tests_treatment``: drug tests that carry no PNC
  id (or one that names no nominal) against PNC identities and treatment
  records; a test with a PNC id is linked to its nominal by the id;
- ``deaths_treatment``, ``deaths_drug_tests`` and ``deaths_pnc``: death
  registrations against treatment records, drug tests without a usable PNC id
  (a person tested on arrest but never in treatment nor on the extract) and
  PNC identities.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from recoverylink.linkage import comparisons as c

MODEL_FORMAT = "recoverylink-linkage-model"
MODEL_FORMAT_VERSION = 2
"""Bumped whenever the inputs or comparisons change in a way a saved model cannot follow."""

# Blocking: a pair is scored if it agrees on any of these. Together they catch
# one slip in a date of birth or one wrong initial (but not both at once). The
# rules that allow a slip in the date of birth also ask for the same sex: half
# the pairs (at scale 1, 81 of the 112 million treatment-PNC pairs come from
# them), and a pair with a slipped date of birth and a wrong sex is two errors.
BLOCKING_INITIALS_AND_DOB = [
    "l.dob = r.dob AND l.last_initial = r.last_initial",
    "l.dob = r.dob AND l.first_initial = r.first_initial",
    "l.first_initial = r.first_initial AND l.last_initial = r.last_initial "
    "AND l.dob_y = r.dob_y AND l.dob_m = r.dob_m AND l.sex = r.sex",
    "l.first_initial = r.first_initial AND l.last_initial = r.last_initial "
    "AND l.dob_y = r.dob_y AND l.dob_d = r.dob_d AND l.sex = r.sex",
    "l.first_initial = r.first_initial AND l.last_initial = r.last_initial "
    "AND l.dob_m = r.dob_m AND l.dob_d = r.dob_d AND l.sex = r.sex",
    "l.last_initial = r.last_initial AND l.dob_sorted = r.dob_sorted AND l.sex = r.sex",
]
# Full names, for the sources that carry them: a name that agrees with at least
# one part of the date of birth (a 1 January default keeps the year). Names
# alone gave 63 million death-PNC pairs at scale 1, from common names.
BLOCKING_NAMES = (
    "l.surname = r.surname AND l.forename = r.forename "
    "AND (l.dob_y = r.dob_y OR l.dob_m = r.dob_m OR l.dob_d = r.dob_d)"
)


@dataclass(frozen=True)
class Job:
    name: str
    description: str
    left: str
    """Source of the left records (``treatment``, ``pnc``, ``drug_tests``, ``deaths``)."""
    right: str | None
    """Source of the right records; None for deduplication within ``left``."""
    comparisons: tuple[c.Comparison, ...]
    blocking_rules: tuple[str, ...]
    em_rules: tuple[str, ...]
    """Blocking rules for the EM passes; together they train every comparison."""
    prior_rules: tuple[str, ...]
    prior_recall: float
    """Deterministic rules for the prior, and the share of true matches they are thought to find."""
    notes: dict[str, Any] = field(default_factory=dict)

    @property
    def link_type(self) -> str:
        return "dedupe_only" if self.right is None else "link_only"

    @property
    def sources(self) -> tuple[str, ...]:
        return (self.left,) if self.right is None else (self.left, self.right)

    def settings(self) -> dict[str, Any]:
        """The Splink settings of an untrained model of this job."""
        return {
            "link_type": self.link_type,
            "unique_id_column_name": "unique_id",
            "probability_two_random_records_match": 1e-6,
            "blocking_rules_to_generate_predictions": list(self.blocking_rules),
            "comparisons": [dict(comp) for comp in self.comparisons],
            "retain_matching_columns": False,
            "retain_intermediate_calculation_columns": False,
            "em_convergence": 0.001,
            "max_iterations": 25,
        }


_INITIALS = (c.first_initial(), c.last_initial(), c.date_of_birth(), c.sex())
_INITIALS_ONLY = (c.first_initial(widened=False), c.last_initial(), c.date_of_birth(), c.sex())
_NAMES = (c.forename(), c.surname(), c.date_of_birth(), c.sex())

JOBS: tuple[Job, ...] = (
    Job(
        "treatment_dedupe",
        "Treatment client records of the same person, at one provider or several",
        "treatment",
        None,
        (*_INITIALS_ONLY, c.place(("district", "la", "force", "region"))),
        (*BLOCKING_INITIALS_AND_DOB,
         "l.first_initial = r.first_initial AND l.last_initial = r.last_initial "
         "AND l.postcode_district = r.postcode_district"),
        ("l.dob = r.dob",
         "l.first_initial = r.first_initial AND l.last_initial = r.last_initial "
         "AND l.local_authority = r.local_authority"),
        ("l.first_initial = r.first_initial AND l.last_initial = r.last_initial "
         "AND l.dob = r.dob AND l.sex = r.sex AND l.postcode_district = r.postcode_district",),
        0.6,
    ),
    Job(
        "treatment_pnc",
        "Treatment client records and PNC nominals and aliases",
        "treatment",
        "pnc",
        (*_INITIALS, c.place(("district", "area", "force", "region"))),
        (*BLOCKING_INITIALS_AND_DOB,
         "l.first_initial = r.first_initial AND l.last_initial = r.last_initial "
         "AND l.postcode_district = r.postcode_district"),
        ("l.dob = r.dob AND l.last_initial = r.last_initial",
         "l.first_initial = r.first_initial AND l.last_initial = r.last_initial "
         "AND l.police_force = r.police_force",
         "l.dob = r.dob AND l.first_initial = r.first_initial"),
        ("l.first_initial = r.first_initial AND l.last_initial = r.last_initial "
         "AND l.dob = r.dob AND l.sex = r.sex AND l.police_force = r.police_force",),
        0.6,
    ),
    Job(
        "drug_tests_pnc",
        "Drug tests without a usable PNC id and PNC nominals and aliases",
        "drug_tests",
        "pnc",
        (*_INITIALS, c.place(("force", "region"))),
        tuple(BLOCKING_INITIALS_AND_DOB),
        ("l.dob = r.dob AND l.last_initial = r.last_initial",
         "l.first_initial = r.first_initial AND l.last_initial = r.last_initial "
         "AND l.police_force = r.police_force",
         "l.dob = r.dob AND l.first_initial = r.first_initial"),
        ("l.first_initial = r.first_initial AND l.last_initial = r.last_initial "
         "AND l.dob = r.dob AND l.sex = r.sex AND l.police_force = r.police_force",),
        0.7,
    ),
    Job(
        "drug_tests_treatment",
        "Drug tests without a usable PNC id and treatment client records",
        "drug_tests",
        "treatment",
        (*_INITIALS_ONLY, c.place(("force", "region"))),
        tuple(BLOCKING_INITIALS_AND_DOB),
        ("l.dob = r.dob AND l.last_initial = r.last_initial",
         "l.first_initial = r.first_initial AND l.last_initial = r.last_initial "
         "AND l.police_force = r.police_force",
         "l.dob = r.dob AND l.first_initial = r.first_initial"),
        ("l.first_initial = r.first_initial AND l.last_initial = r.last_initial "
         "AND l.dob = r.dob AND l.sex = r.sex AND l.police_force = r.police_force",),
        0.6,
    ),
    Job(
        "deaths_treatment",
        "Death registrations and treatment client records",
        "deaths",
        "treatment",
        (*_INITIALS, c.place(("district", "area")), c.timeline()),
        (*BLOCKING_INITIALS_AND_DOB,
         "l.first_initial = r.first_initial AND l.last_initial = r.last_initial "
         "AND l.postcode_district = r.postcode_district"),
        ("l.dob = r.dob AND l.last_initial = r.last_initial",
         "l.first_initial = r.first_initial AND l.last_initial = r.last_initial "
         "AND l.postcode_area = r.postcode_area",
         "l.dob = r.dob AND l.first_initial = r.first_initial"),
        ("l.first_initial = r.first_initial AND l.last_initial = r.last_initial "
         "AND l.dob = r.dob AND l.sex = r.sex AND l.postcode_district = r.postcode_district",),
        0.6,
    ),
    Job(
        "deaths_drug_tests",
        "Death registrations and drug tests without a usable PNC id",
        "deaths",
        "drug_tests",
        (*_INITIALS, c.timeline(treatment_discharge=False)),
        tuple(BLOCKING_INITIALS_AND_DOB),
        ("l.dob = r.dob AND l.last_initial = r.last_initial",
         "l.dob = r.dob AND l.first_initial = r.first_initial",
         "l.first_initial = r.first_initial AND l.last_initial = r.last_initial "
         "AND l.sex = r.sex"),
        ("l.first_initial = r.first_initial AND l.last_initial = r.last_initial "
         "AND l.dob = r.dob AND l.sex = r.sex",),
        0.6,
    ),
    Job(
        "deaths_pnc",
        "Death registrations and PNC nominals and aliases",
        "deaths",
        "pnc",
        (*_NAMES, c.place(("district", "area")), c.timeline(treatment_discharge=False)),
        (*BLOCKING_INITIALS_AND_DOB, BLOCKING_NAMES),
        ("l.dob = r.dob",
         "l.surname = r.surname AND l.forename = r.forename"),
        ("l.forename = r.forename AND l.surname = r.surname AND l.dob = r.dob",),
        0.8,
    ),
)

JOB_NAMES: tuple[str, ...] = tuple(job.name for job in JOBS)


def job_named(name: str) -> Job:
    for job in JOBS:
        if job.name == name:
            return job
    raise KeyError(name)
