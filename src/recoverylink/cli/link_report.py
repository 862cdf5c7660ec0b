"""How ``recoverylink link`` shows its result in the terminal."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from recoverylink.linkage.pipeline import LinkResult
from recoverylink.linkage.report import REPORT_FILE


def show(console: Console, result: LinkResult) -> None:
    jobs = Table(title="Linkage", title_justify="left")
    for column in ("job", "pairs scored", "accepted", "seconds"):
        jobs.add_column(column, justify="left" if column == "job" else "right")
    accepted = result.links[result.links["accepted"]].groupby("job").size()
    for r in result.job_results:
        jobs.add_row(
            r.job.name,
            f"{len(r.predictions):,}",
            f"{int(accepted.get(r.job.name, 0)):,}",
            f"{result.seconds.get(r.job.name, 0.0):.1f}",
        )
    jobs.add_row("rule", "", f"{int(accepted.get('rule', 0)):,}", "")
    if "review" in accepted:
        jobs.add_row("review", "", f"{int(accepted['review']):,}", "")
    console.print(jobs)
    for r in result.job_results:
        if r.skipped:
            console.print(escape(f"{r.job.name}: skipped, {r.skipped}."))
            continue
        fallbacks = [p for p in r.sources if p.source != "estimated"]
        if fallbacks:
            console.print(escape(
                f"{r.job.name}: {len(fallbacks)} of {len(r.sources)} parameters from the "
                "reference model (this data could not estimate them); see the report."))
    if result.scores:
        scores = Table(title="Scores against the truth (pairwise)", title_justify="left")
        for column in ("sources", "pairs", "method", "precision", "recall", "F1"):
            scores.add_column(column, justify="left" if column in ("sources", "pairs",
                                                                   "method") else "right")
        for s in result.scores:
            if not s.predicted and not s.actual:
                # a source absent, or nobody in both: nothing to score
                scores.add_row(f"{s.source_a} - {s.source_b}", s.scope, s.method,
                               "no pairs", "", "")
                continue
            scores.add_row(
                f"{s.source_a} - {s.source_b}", s.scope, s.method,
                f"{s.precision:.4f}", f"{s.recall:.4f}", f"{s.f1:.4f}",
            )
        console.print(scores)
    models = "trained" if result.trained else "reused from"
    console.print(
        escape(
            f"{result.records:,} records in {result.persons:,} persons; "
            f"{result.accepted_links:,} links accepted. Models {models} {result.models_dir}; "
            f"report in {result.report_dir / REPORT_FILE}. Run {result.run_id}."
        )
    )
