"""Generated files are valid against the data specification (recoverylink.spec validators).

Validating a file costs tens of milliseconds whatever its size, and a small
England still has thousands of monthly treatment submissions, so this checks
every police, drug-test, death and reference file, every monthly submission of
three providers across all nine years, the final (March 2012) submission of
every provider, and a seeded sample of the rest.
"""

from __future__ import annotations

import random
from collections import Counter
from pathlib import Path

from recoverylink.spec import ValidationContext, read_provider_codes, validate_path


def _files(root: Path) -> list[Path]:
    treatment = sorted((root / "treatment").rglob("*.zip"))
    providers = sorted({p.name.split("_")[1] for p in treatment})
    chosen = set(providers[:: max(1, len(providers) // 3)][:3])
    picked = [p for p in treatment if p.name.split("_")[1] in chosen]
    picked += [p for p in treatment if p.name.endswith("_2012-03.zip")]
    picked += random.Random(1).sample(treatment, 100)
    others = [
        *sorted((root / "pnc").glob("*.zip")),
        *sorted((root / "drug_tests").glob("*.csv")),
        *sorted((root / "deaths").glob("*.csv")),
        root / "reference" / "providers.csv",
    ]
    return sorted(set(picked)) + others


def test_generated_files_are_valid(small_england: Path) -> None:
    ctx = ValidationContext(
        provider_codes=read_provider_codes(small_england / "reference" / "providers.csv")
    )
    files = _files(small_england)
    assert len(files) > 500
    problems = Counter()
    examples = {}
    for path in files:
        for problem in validate_path(path, ctx):
            problems[problem.rule] += 1
            examples.setdefault(problem.rule, problem)
    assert not problems, f"{dict(problems)}; e.g. {list(examples.values())[:3]}"


def test_every_financial_year_is_covered(small_england: Path) -> None:
    months = {p.name.rsplit("_", 1)[1][:7] for p in (small_england / "treatment").rglob("*.zip")}
    assert min(months) == "2003-04" and max(months) == "2012-03"
    assert len(months) == 108
