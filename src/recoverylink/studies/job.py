"""Run one study and write its report (``recoverylink study NAME``)."""

from __future__ import annotations

from pathlib import Path

from recoverylink.studies.base import StudyContext, StudyOptions, StudyResult
from recoverylink.studies.registry import study_function
from recoverylink.studies.report import write_report


def output_dir(name: str, options: StudyOptions) -> Path:
    if options.out_dir is not None:
        return options.out_dir
    suffix = "-truth" if options.truth else ""
    return options.data_dir / "outputs" / "studies" / f"{name}{suffix}"


def run_study(name: str, options: StudyOptions) -> tuple[StudyResult, Path]:
    """The study's result and the path of its HTML report."""
    function = study_function(name)
    context = StudyContext.open(options, name)
    try:
        result = function(context)
    finally:
        context.close()
    return result, write_report(result, output_dir(name, options))
