"""The linkage report: one self-contained HTML page and its CSV twins.

- ``parameters.csv``: every model's m and u probabilities and match weight per
  comparison level (Splink's parameter estimates);
- ``links_by_threshold.csv``: pairs each model scored at or above each threshold;
- ``match_weights.csv``: how the scored pairs spread over match weight;
- ``scores.csv`` (with truth): pairwise precision, recall and F1 and
  cluster-level scores per source pair, for the models and for the
  deterministic baseline;
- ``linkage-report.html``: all of the above, with the match-weight charts drawn
  as inline SVG (no scripts, nothing fetched), so it opens anywhere.

No identifier appears in the report.
"""

from __future__ import annotations

import html
import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from recoverylink.linkage.scoring import scores_frame

if TYPE_CHECKING:
    from recoverylink.linkage.pipeline import LinkOptions, LinkResult

THRESHOLDS = (0.5, 0.8, 0.9, 0.95, 0.99, 0.999)
STUDY_EFFECT = (
    "Measured on synthetic England at scale 1 (7.9 million records; pairwise F1 0.975 "
    "treatment deduplication, 0.947 treatment-PNC, 0.971 deaths with any source), the "
    "studies on these links against the same studies on the true person ids: the "
    "reconviction cohort 7% smaller (missed links to the police records) and its share with "
    "a conviction before 32.5% against 35.8%, its changes in convictions within 1.1 points; "
    "deaths in the year after leaving 9.33 against 10.35 per 1,000 person-years (missed "
    "links to death registrations); long-term outcomes within 1 point; TOP changes the "
    "same. docs/studies.md has the table; each study's report carries its own line."
)
REPORT_FILE = "linkage-report.html"


def parameters_frame(documents: dict[str, dict[str, Any]]) -> pd.DataFrame:
    """Every model's parameters, and where each came from.

    ``m_source``/``u_source`` (``prior_source`` on the prior's row, in
    ``m_source``): ``estimated`` from this data, ``reference`` (the shipped
    fallback, with the reason in ``fallback_reason``), or ``saved model`` when
    the run reused models; empty for a job that was skipped.
    """
    rows = []
    for job, document in documents.items():
        about = document.get("recoverylink", {})
        origin: dict[tuple[str, str, str], dict[str, Any]] = {
            (p["comparison"], p["level"], p["parameter"]): p
            for p in about.get("parameter_sources") or []
        }
        default = "" if about.get("skipped") else (
            "saved model" if not about.get("trained_in_run", True) else "")

        def source(
            comparison: str, level: str, parameter: str,
            origin: dict[tuple[str, str, str], dict[str, Any]] = origin, default: str = default,
        ) -> tuple[str, str]:
            found = origin.get((comparison, level, parameter))
            return (found["source"], found["reason"]) if found else (default, "")

        prior = document.get("probability_two_random_records_match")
        prior_source, prior_reason = source("prior", "two random records match", "prior")
        rows.append({"job": job, "comparison": "prior", "level": "two random records match",
                     "m_probability": None, "u_probability": None,
                     "match_weight": _log2_odds(prior), "m_source": prior_source,
                     "u_source": "", "fallback_reason": prior_reason})
        for comp in document.get("comparisons", []):
            for level in comp["comparison_levels"]:
                if level.get("is_null_level"):
                    continue
                m, u = level.get("m_probability"), level.get("u_probability")
                label = level.get("label_for_charts", level["sql_condition"])
                m_source, m_reason = source(comp["output_column_name"], label, "m")
                u_source, u_reason = source(comp["output_column_name"], label, "u")
                reasons = [f"m: {m_reason}" if m_reason else "",
                           f"u: {u_reason}" if u_reason else ""]
                rows.append(
                    {
                        "job": job,
                        "comparison": comp["output_column_name"],
                        "level": label,
                        "m_probability": m,
                        "u_probability": u,
                        "match_weight": math.log2(m / u) if m and u else None,
                        "m_source": m_source,
                        "u_source": u_source,
                        "fallback_reason": "; ".join(r for r in reasons if r),
                    }
                )
    return pd.DataFrame(rows)


def _log2_odds(p: float | None) -> float | None:
    if p is None or not 0 < p < 1:
        return None
    return math.log2(p / (1 - p))


def thresholds_frame(result: LinkResult) -> pd.DataFrame:
    rows = []
    for r in result.job_results:
        probs = r.predictions["match_probability"]
        for t in THRESHOLDS:
            rows.append({"job": r.job.name, "sources": " - ".join(r.job.sources)
                         if r.job.right else f"{r.job.left} - {r.job.left}",
                         "threshold": t, "links": int((probs >= t).sum())})
    return pd.DataFrame(rows)


def weights_frame(result: LinkResult) -> pd.DataFrame:
    rows = []
    edges = np.arange(-10, 42, 2)
    for r in result.job_results:
        weights = r.predictions["match_weight"].to_numpy(dtype=float)
        if not len(weights):
            continue
        counts, _ = np.histogram(np.clip(weights, -10, 39.99), bins=edges)
        for low, count in zip(edges[:-1].tolist(), counts.tolist(), strict=True):
            rows.append({"job": r.job.name, "weight_from": low, "weight_to": low + 2,
                         "pairs": count})
    return pd.DataFrame(rows, columns=["job", "weight_from", "weight_to", "pairs"])


def write_report(
    result: LinkResult, options: LinkOptions, documents: dict[str, dict[str, Any]]
) -> Path:
    folder = result.report_dir
    folder.mkdir(parents=True, exist_ok=True)
    parameters = parameters_frame(documents)
    thresholds = thresholds_frame(result)
    weights = weights_frame(result)
    parameters.to_csv(folder / "parameters.csv", index=False)
    thresholds.to_csv(folder / "links_by_threshold.csv", index=False)
    weights.to_csv(folder / "match_weights.csv", index=False)
    scores = scores_frame(result.scores) if result.scores else None
    if scores is not None:
        scores.to_csv(folder / "scores.csv", index=False)
    elif (folder / "scores.csv").exists():
        (folder / "scores.csv").unlink()
    page = _page(result, options, parameters, thresholds, weights, scores)
    path = folder / REPORT_FILE
    path.write_text(page, "utf-8")
    return path


def _e(value: object) -> str:
    return html.escape(str(value))


def _fmt(value: object, digits: int = 4) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, float):
        if value != 0 and abs(value) < 10**-digits:
            return f"{value:.2e}"
        return f"{value:.{digits}f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def _table(frame: pd.DataFrame, digits: int = 4) -> str:
    head = "".join(f"<th>{_e(c)}</th>" for c in frame.columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{_e(_fmt(v, digits))}</td>" for v in row) + "</tr>"
        for row in frame.itertuples(index=False)
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _weights_chart(rows: pd.DataFrame) -> str:
    """Horizontal bars of match weight per comparison level (Splink's match weights chart)."""
    rows = rows.dropna(subset=["match_weight"])
    if rows.empty:
        return ""
    width, label_w, bar_h = 760, 330, 16
    weights = rows["match_weight"].to_numpy(dtype=float)
    scale_max = max(1.0, float(np.abs(weights).max()))
    half = (width - label_w - 20) / 2
    zero = label_w + half
    parts = []
    labels = [f"{c}: {lvl}" for c, lvl in zip(rows["comparison"], rows["level"], strict=True)]
    for i, (label, weight) in enumerate(zip(labels, weights.tolist(), strict=True)):
        y = 20 + i * (bar_h + 4)
        w = weight / scale_max * half
        x = zero if w >= 0 else zero + w
        colour = "#2b7a3d" if w >= 0 else "#b03a2e"
        parts.append(
            f'<text x="{label_w - 6}" y="{y + 12}" text-anchor="end">{_e(label[:48])}</text>'
            f'<rect x="{x:.1f}" y="{y}" width="{abs(w):.1f}" height="{bar_h}" fill="{colour}">'
            f"<title>{_e(label)}: {weight:.2f}</title></rect>"
            f'<text x="{(zero + w + (4 if w >= 0 else -4)):.1f}" y="{y + 12}" '
            f'text-anchor="{"start" if w >= 0 else "end"}">{weight:.1f}</text>'
        )
    height = 30 + len(rows) * (bar_h + 4)
    axis = f'<line x1="{zero}" y1="10" x2="{zero}" y2="{height - 5}" stroke="#333"/>'
    return (
        f'<svg class="chart" width="{width}" height="{height}" font-size="11" '
        f'role="img" aria-label="match weights">{axis}{"".join(parts)}</svg>'
    )


def _histogram(rows: pd.DataFrame) -> str:
    if rows.empty or rows["pairs"].sum() == 0:
        return ""
    width, height, pad = 760, 160, 30
    pairs = [int(v) for v in rows["pairs"].tolist()]
    lows = [int(v) for v in rows["weight_from"].tolist()]
    bar_w = (width - 2 * pad) / len(pairs)
    top = math.log10(max(pairs) + 1)
    parts = []
    for i, (low, count) in enumerate(zip(lows, pairs, strict=True)):
        h = (math.log10(count + 1) / top) * (height - 2 * pad) if top else 0
        x = pad + i * bar_w
        parts.append(
            f'<rect x="{x:.1f}" y="{height - pad - h:.1f}" width="{bar_w - 2:.1f}" '
            f'height="{h:.1f}" fill="#34608c"><title>weight {low} to '
            f'{low + 2}: {count:,} pairs</title></rect>'
        )
        if i % 5 == 0:
            parts.append(f'<text x="{x:.1f}" y="{height - pad + 14}">{low}</text>')
    return (
        f'<svg class="chart" width="{width}" height="{height}" font-size="11" role="img" '
        f'aria-label="pairs by match weight (log scale)">{"".join(parts)}'
        f'<text x="{pad}" y="14">pairs by match weight (bar height: log scale)</text></svg>'
    )


def _scores_html(scores: pd.DataFrame) -> str:
    metric_names = ("precision", "recall", "f1", "cluster_precision", "cluster_recall")
    found: dict[tuple[str, str, str], dict[str, dict[Any, Any]]] = {}
    for row in scores.to_dict("records"):
        key = (str(row["source_a"]), str(row["source_b"]), str(row["scope"]))
        found.setdefault(key, {})[str(row["method"])] = row
    out = []
    for (a, b, scope), methods in found.items():
        cells = [f"{a} - {b}", scope]
        for metric in metric_names:
            for method in ("splink", "baseline"):
                value = methods.get(method, {}).get(metric)
                cells.append(_fmt(value) if isinstance(value, float) else "")
        out.append("<tr>" + "".join(f"<td>{_e(c)}</td>" for c in cells) + "</tr>")
    metrics = ("precision", "recall", "F1", "cluster precision", "cluster recall")
    head1 = '<tr><th rowspan="2">sources</th><th rowspan="2">pairs</th>' + "".join(
        f'<th colspan="2">{m}</th>' for m in metrics
    ) + "</tr>"
    head2 = "<tr>" + "<th>Splink</th><th>baseline</th>" * len(metrics) + "</tr>"
    return f"<table><thead>{head1}{head2}</thead><tbody>{''.join(out)}</tbody></table>"


def _fallbacks_html(result: LinkResult) -> str:
    """A line per job: skipped, or how many parameters fell back to the reference model."""
    items = []
    for r in result.job_results:
        if r.skipped:
            items.append(f"{r.job.name}: skipped, {r.skipped}.")
        elif not r.sources:
            items.append(f"{r.job.name}: every parameter from the saved model.")
        else:
            fell = [p for p in r.sources if p.source != "estimated"]
            items.append(
                f"{r.job.name}: {len(r.sources) - len(fell)} of {len(r.sources)} parameters "
                f"estimated from this data, {len(fell)} from the reference model"
                + (" (" + "; ".join(f"{p.comparison} {p.level} {p.parameter}" for p in fell[:12])
                   + ("; ..." if len(fell) > 12 else "") + ")" if fell else "") + ".")
    intro = ("<p>Where this data cannot estimate a parameter (a comparison level never seen, "
             "a rule that finds no pairs, an estimate of 0 or 1, too few records), the model "
             "uses the reference model shipped with RecoveryLink (trained on synthetic "
             "England); the tables below say, per level, which (docs/linkage.md, "
             "Fallbacks).</p>")
    return intro + "<ul>" + "".join(f"<li>{_e(i)}</li>" for i in items) + "</ul>"


_STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em; max-width: 72em; color: #222; }
table { border-collapse: collapse; margin: 0.5em 0 1.5em; font-size: 0.9em; }
th, td { border: 1px solid #bbb; padding: 0.2em 0.5em; text-align: right; }
th { background: #eef; } td:first-child { text-align: left; }
.chart text { fill: #222; } h2 { border-bottom: 1px solid #ccc; }
"""


def _page(
    result: LinkResult,
    options: LinkOptions,
    parameters: pd.DataFrame,
    thresholds: pd.DataFrame,
    weights: pd.DataFrame,
    scores: pd.DataFrame | None,
) -> str:
    summary = pd.DataFrame(
        [
            ("run", result.run_id),
            ("engine", options.engine),
            ("match threshold", f"{options.match_threshold}"),
            ("models",
             "trained in this run" if result.trained else f"reused from {result.models_dir}"),
            ("records linked", f"{result.records:,}"),
            ("persons", f"{result.persons:,}"),
            ("accepted links", f"{result.accepted_links:,}"),
            *((f"time: {k}", f"{v:.1f} s") for k, v in result.seconds.items()),
        ],
        columns=["", "value"],
    )
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>RecoveryLink linkage report {_e(result.run_id)}</title>",
        f"<style>{_STYLE}</style></head><body>",
        f"<h1>Linkage report, run {_e(result.run_id)}</h1>",
        _table(summary),
    ]
    if scores is not None:
        parts += [
            "<h2>Scores against the truth</h2>",
            "<p>Pairwise: every pair of records (one of each source) is a predicted link "
            "when the run puts them in one person, a true link when the truth does. "
            "Cluster level: the records of the two sources grouped by person; a cluster is "
            "exact when it holds exactly one true person's records. Baseline: the "
            "NDTMS-style deterministic method (exact initials, date of birth and sex, "
            "plus police force area, one-to-one).</p>",
            _scores_html(scores),
            _table(scores[["method", "source_a", "source_b", "scope", "predicted", "actual",
                           "true_positive"]]),
        ]
    parts += ["<h2>Links per source pair at each threshold</h2>",
              _table(thresholds.pivot_table(index=["job", "sources"], columns="threshold",
                                            values="links", aggfunc="sum").reset_index())]
    parts += ["<h2>What this data could not estimate</h2>", _fallbacks_html(result)]
    parts += ["<h2>What linkage error does to the studies</h2>", f"<p>{_e(STUDY_EFFECT)}</p>"]
    for r in result.job_results:
        rows = parameters[parameters["job"] == r.job.name]
        parts += [
            f"<h2>Model {_e(r.job.name)}</h2>",
            f"<p>{_e(r.job.description)}.</p>",
            *(f"<p><strong>Skipped:</strong> {_e(r.skipped)}.</p>" for _ in [0] if r.skipped),
            *(f"<p>{_e(note)}.</p>" for note in r.notes),
            "<h3>Match weights</h3>",
            _weights_chart(rows),
            _table(rows.drop(columns=["job"])),
            "<h3>Scored pairs</h3>",
            _histogram(weights[weights["job"] == r.job.name]),
        ]
    parts.append("</body></html>")
    return "\n".join(parts)
