"""Trained models: Splink settings and parameters, saved as versioned JSON, one per job.

A model file is Splink's own model JSON (``Linker(df, settings=...)`` reads it)
with a ``recoverylink`` block added: the format and its version, the job, the
engine it was trained on, when, on how many records, and how it was trained.
A run writes ``models/<run id>/<job>.json`` under the linkage folder and copies
the set to ``models/current/``; ``--models DIR`` reuses a saved set instead of
training.
"""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from recoverylink.errors import InputError
from recoverylink.linkage.jobs import MODEL_FORMAT, MODEL_FORMAT_VERSION, Job


class ModelError(InputError):
    """A saved model that cannot be used: missing, unreadable or of another version."""


def model_document(job: Job, splink_model: dict[str, Any], about: dict[str, Any]) -> dict[str, Any]:
    """Splink's model dict with RecoveryLink's ``recoverylink`` block added."""
    document = dict(splink_model)
    document["recoverylink"] = {
        "format": MODEL_FORMAT,
        "format_version": MODEL_FORMAT_VERSION,
        "job": job.name,
        "description": job.description,
        "sources": list(job.sources),
        "saved_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        **about,
    }
    return document


def save_models(models: dict[str, dict[str, Any]], folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, document in models.items():
        path = folder / f"{name}.json"
        path.write_text(json.dumps(document, indent=2, sort_keys=False) + "\n", "utf-8")
        written.append(path)
    return written


def publish_current(run_folder: Path, current: Path) -> None:
    """Make ``current`` a copy of ``run_folder`` (replacing what was there)."""
    staging = current.with_name(current.name + ".new")
    if staging.exists():
        shutil.rmtree(staging)
    shutil.copytree(run_folder, staging)
    if current.exists():
        shutil.rmtree(current)
    staging.rename(current)


def load_model(folder: Path, job: Job) -> dict[str, Any]:
    """The saved model of ``job`` in ``folder``, checked for format and version."""
    path = folder / f"{job.name}.json"
    try:
        document = json.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        raise ModelError(
            f"no model for job {job.name} in {folder} ({path.name} is missing)"
        ) from None
    except (OSError, ValueError) as err:
        raise ModelError(f"cannot read model {path}: {err}") from None
    about = document.get("recoverylink") if isinstance(document, dict) else None
    if not isinstance(about, dict) or about.get("format") != MODEL_FORMAT:
        raise ModelError(f"{path} is not a RecoveryLink linkage model")
    if about.get("format_version") != MODEL_FORMAT_VERSION:
        raise ModelError(
            f"{path} is a version {about.get('format_version')} model; this RecoveryLink "
            f"reads version {MODEL_FORMAT_VERSION}: train again without --models"
        )
    if about.get("job") != job.name:
        raise ModelError(f"{path} holds a model of job {about.get('job')}, not {job.name}")
    return document


def splink_settings(document: dict[str, Any]) -> dict[str, Any]:
    """The Splink part of a model document (without RecoveryLink's block)."""
    return {k: v for k, v in document.items() if k != "recoverylink"}
