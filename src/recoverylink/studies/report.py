"""Write a study's result: ``report.html``, a CSV per table, headlines and a manifest."""

from __future__ import annotations

import json
import math
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
from jinja2 import Environment, PackageLoader, select_autoescape

from recoverylink.ingest.report import safe_frame
from recoverylink.studies.base import StudyResult


def fmt(value: float | None, unit: str) -> str:
    """A figure for people to read: '-47.2%', '1,234', '0.83'."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    if unit == "%":
        return f"{value:+.1f}%" if value < 0 else f"{value:.1f}%"
    if unit == "people":
        return f"{value:,.0f}"
    return f"{value:,.2f}"


def html_table(frame: pd.DataFrame) -> str:
    def cell(value: object) -> str:
        if isinstance(value, float):
            if math.isnan(value):
                return ""
            return f"{value:,.3g}" if abs(value) < 10 else f"{value:,.1f}"
        return str(value)

    return frame.to_html(
        index=False, border=0, na_rep="", formatters={c: cell for c in frame.columns},
        escape=True,
    )


def _safe_csv(frame: pd.DataFrame, path: Path) -> None:
    safe_frame(frame).to_csv(path, index=False)


def write_report(result: StudyResult, out_dir: Path) -> Path:
    """Write everything into ``out_dir`` (made if need be); returns the HTML report's path."""
    out_dir.mkdir(parents=True, exist_ok=True)
    env = Environment(
        loader=PackageLoader("recoverylink.studies", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
    )
    generated = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    html = env.get_template("report.html.j2").render(
        result=result, generated=generated, fmt=fmt, html_table=html_table
    )
    report = out_dir / "report.html"
    report.write_text(html, encoding="utf-8")
    for table in result.tables:
        _safe_csv(table.frame, out_dir / f"{table.name}.csv")
    _safe_csv(pd.DataFrame([asdict(h) for h in result.headlines]), out_dir / "headlines.csv")
    manifest = {
        "study": result.study,
        "title": result.title,
        "schema": result.schema,
        "generated": generated,
        "parameters": result.parameters,
        "tables": {t.name: len(t.frame) for t in result.tables},
        "headlines": [asdict(h) for h in result.headlines],
    }
    (out_dir / "manifest.json").write_text(
        json.dumps(manifest, indent=2, default=str) + "\n", encoding="utf-8"
    )
    return report
