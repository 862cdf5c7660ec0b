"""Run one study and write its report (``recoverylink study NAME``).

A study the data cannot support raises
:class:`~recoverylink.studies.base.StudyNotApplicableError`. Its output folder
then holds only ``not_applicable.json`` (the study, the reason, when): what an
earlier run wrote there is removed, so ``publish build`` never publishes a
report of other data, and says why the study is left out.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from recoverylink.studies.base import (
    StudyContext,
    StudyNotApplicableError,
    StudyOptions,
    StudyResult,
)
from recoverylink.studies.linkage_error import EFFECT, linkage_error_caveat
from recoverylink.studies.registry import study_function
from recoverylink.studies.report import write_report

NOT_APPLICABLE = "not_applicable.json"
"""Written in a study's output folder when the study does not apply to the data."""


def output_dir(name: str, options: StudyOptions) -> Path:
    if options.out_dir is not None:
        return options.out_dir
    suffix = "-truth" if options.truth else ""
    return options.data_dir / "outputs" / "studies" / f"{name}{suffix}"


def _clear(out_dir: Path) -> None:
    """Remove what :func:`write_report` wrote there before (only those files)."""
    manifest = out_dir / "manifest.json"
    tables: list[str] = []
    if manifest.is_file():
        try:
            tables = list(json.loads(manifest.read_text("utf-8")).get("tables", {}))
        except (ValueError, AttributeError):
            tables = []
    for name in ("report.html", "headlines.csv", *(f"{t}.csv" for t in tables),
                 "manifest.json", NOT_APPLICABLE):
        (out_dir / name).unlink(missing_ok=True)


def _not_applicable(name: str, reason: str, out_dir: Path) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    _clear(out_dir)
    record = {"study": name, "reason": reason,
              "at": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")}
    (out_dir / NOT_APPLICABLE).write_text(json.dumps(record, indent=2) + "\n", "utf-8")


def run_study(name: str, options: StudyOptions) -> tuple[StudyResult, Path]:
    """The study's result and the path of its HTML report."""
    function = study_function(name)
    context = StudyContext.open(options, name)
    out_dir = output_dir(name, options)
    try:
        result = function(context)
    except StudyNotApplicableError as exc:
        _not_applicable(name, exc.reason, out_dir)
        raise
    finally:
        context.close()
    (out_dir / NOT_APPLICABLE).unlink(missing_ok=True)
    if not options.truth and name in EFFECT:
        result.caveats.append(linkage_error_caveat(name))
    return result, write_report(result, out_dir)
