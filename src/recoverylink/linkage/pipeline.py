"""One linkage run: read the stores, train and score each job, cluster, write the person map.

``run_linkage`` is the whole of ``recoverylink link``:

1. read identifiers from the identity store (``inputs``);
2. for each job, train its Splink model (or load a saved one) and score the
   job's blocked pairs, keeping those at or above the candidate floor;
3. apply clerical review decisions; cluster the links at or above the match
   threshold under the source rules (``clustering``);
4. the deterministic baseline beside it (``baseline``);
5. write the person map, links and run to the warehouse (``person_map``), the
   models to ``linkage/models/``, and the report (``report``), scored against
   ``truth/records.csv`` when a truth folder is given (``scoring``).
"""

from __future__ import annotations

import math
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from recoverylink.config import DuckDBConfig
from recoverylink.linkage import baseline, models
from recoverylink.linkage.clustering import Clusters, SourceRules, cluster
from recoverylink.linkage.engines import open_engine
from recoverylink.linkage.fallbacks import possible_pairs, reference_model
from recoverylink.linkage.inputs import StorePaths, load_inputs, nodes_of
from recoverylink.linkage.jobs import JOBS, Job
from recoverylink.linkage.person_map import connect_warehouse, person_ids, write_results
from recoverylink.linkage.review import read_decisions
from recoverylink.linkage.scoring import Score, load_truth, score
from recoverylink.linkage.training import JobResult, TrainingPlan, run_job
from recoverylink.progress import NULL_PROGRESS, Progress

LINKAGE_FOLDER = "linkage"
CANDIDATE_FLOOR = 0.01
"""Scored pairs below this probability are not kept at all."""
CHUNK_ROWS = 4_000_000
"""Prediction is split into chunks of at most this many records a side."""
PRIORITY_RULE, PRIORITY_REVIEW, PRIORITY_MODEL = 0, 1, 2


@dataclass(frozen=True)
class LinkOptions:
    data_dir: Path
    duckdb: DuckDBConfig
    pseudonym_key: bytes
    match_threshold: float = 0.9
    engine: str = "duckdb"
    models_dir: Path | None = None
    """Reuse the models saved here instead of training."""
    truth_dir: Path | None = None
    report_dir: Path | None = None
    plan: TrainingPlan = field(default_factory=TrainingPlan)
    rules: SourceRules = field(default_factory=SourceRules)
    jobs: tuple[Job, ...] = JOBS


@dataclass
class LinkResult:
    run_id: str
    records: int
    persons: int
    nodes: dict[str, int]
    accepted_links: int
    models_dir: Path
    trained: bool
    report_dir: Path
    seconds: dict[str, float]
    scores: list[Score]
    job_results: list[JobResult]
    person_map: pd.DataFrame
    links: pd.DataFrame


def prediction_chunks(job: Job, rows: dict[str, int]) -> tuple[int, int]:
    """How many chunks to split the left and the right side of ``job``'s prediction into.

    Each side on its own: one chunk per ``CHUNK_ROWS`` records. Every chunk
    pair re-runs the blocking joins, so chunking costs time (at scale 1,
    treatment against the PNC took 270 s as 6 x 6 chunks and 116 s as one,
    peaking at 3.8 and 5.0 GiB; docs/benchmarks.md); DuckDB spills to disk
    beyond its memory limit anyway, so chunks are kept for sides bigger than
    a scale-1 England's.
    """
    left = rows[job.left]
    right = rows[job.right] if job.right is not None else left
    return max(1, math.ceil(left / CHUNK_ROWS)), max(1, math.ceil(right / CHUNK_ROWS))


def skip_reason(job: Job, rows: dict[str, int]) -> str:
    """Why ``job`` cannot run on inputs of these sizes (an empty source), or ''."""
    empty = [s for s in job.sources if rows[s] == 0]
    if empty:
        return f"no {' and no '.join(dict.fromkeys(empty))} records to link"
    if possible_pairs(job, rows) == 0:
        return f"a single {job.left} record: nothing to compare it with"
    return ""


def linkage_folder(data_dir: Path) -> Path:
    return data_dir / LINKAGE_FOLDER


def run_linkage(options: LinkOptions, progress: Progress = NULL_PROGRESS) -> LinkResult:
    started = datetime.now(UTC)
    run_id = started.strftime("%Y%m%dT%H%M%SZ")
    StorePaths.of(options.data_dir)  # refuse before writing anything
    folder = linkage_folder(options.data_dir)
    folder.mkdir(parents=True, exist_ok=True)
    seconds: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="work-", dir=folder) as tmp:
        con = duckdb.connect(
            str(Path(tmp) / "work.duckdb"),
            config={
                "memory_limit": options.duckdb.memory_limit,
                "threads": options.duckdb.threads,
                "temp_directory": str(Path(tmp) / "spill"),
            },
        )
        try:
            return _run(options, con, Path(tmp), run_id, started, seconds, progress)
        finally:
            con.close()


def _run(
    options: LinkOptions,
    con: duckdb.DuckDBPyConnection,
    tmp: Path,
    run_id: str,
    started: datetime,
    seconds: dict[str, float],
    progress: Progress,
) -> LinkResult:
    folder = linkage_folder(options.data_dir)
    clock = time.perf_counter()
    progress.stage("reading the identity store", 1)
    node_counts = load_inputs(con, options.data_dir)
    decisions = read_decisions(options.data_dir, options.duckdb)
    progress.advance()
    seconds["read"] = time.perf_counter() - clock

    tables = {s: nodes_of(con, s) for s in node_counts}
    engine = open_engine(options.engine, options.duckdb, tmp)
    trained = options.models_dir is None
    results: list[JobResult] = []
    documents: dict[str, dict[str, Any]] = {}
    try:
        progress.stage("training and scoring", len(options.jobs))
        for job in options.jobs:
            clock = time.perf_counter()
            saved = (
                models.splink_settings(models.load_model(options.models_dir, job))
                if options.models_dir is not None
                else None
            )
            rows = {s: tables[s].num_rows for s in job.sources}
            chunks = prediction_chunks(job, rows)
            skipped = skip_reason(job, rows)
            if skipped:
                model = saved or models.splink_settings(reference_model(job))
                results.append(JobResult(job, model, _no_pairs(), 0, skipped=skipped))
            else:
                results.append(
                    run_job(engine, job, tables, options.plan, saved, CANDIDATE_FLOOR, *chunks)
                )
            documents[job.name] = models.model_document(
                job,
                results[-1].model,
                {
                    "engine": options.engine,
                    "run_id": run_id,
                    "trained_in_run": trained,
                    "records": {s: tables[s].num_rows for s in job.sources},
                    "training": options.plan.as_dict() if trained else None,
                    "skipped": results[-1].skipped or None,
                    "notes": results[-1].notes,
                    "parameter_sources": [p.as_dict() for p in results[-1].sources],
                },
            )
            seconds[job.name] = time.perf_counter() - clock
            progress.advance()
    finally:
        engine.close()

    if trained:
        models_dir = models.save_models(documents, folder / "models" / run_id)[0].parent
        models.publish_current(models_dir, folder / "models" / "current")
    else:
        assert options.models_dir is not None
        models_dir = options.models_dir

    clock = time.perf_counter()
    progress.stage("clustering", 1)
    nodes = con.execute(
        "SELECT node_id AS unique_id, bool_or(source = 'deaths')::INTEGER AS is_death, "
        "coalesce(max(CASE WHEN source = 'pnc' THEN dense_rank END), 0) AS nominal "
        "FROM (SELECT node_id, source, dense_rank() OVER (ORDER BY group_key) AS dense_rank "
        "      FROM records) GROUP BY node_id ORDER BY node_id"
    ).df()
    rule_links = con.execute(
        "SELECT node_l, node_r, rule FROM rule_edges ORDER BY node_l, node_r"
    ).df()
    candidates = _candidates(results)
    # decisions about nodes no longer loaded (a submission replaced) are kept but unused
    known = set(nodes["unique_id"].tolist())
    decisions = decisions[decisions["node_l"].isin(known) & decisions["node_r"].isin(known)]
    links_for_clustering, cannot_link = _links_to_cluster(
        candidates, rule_links, decisions, options.match_threshold
    )
    clusters = cluster(nodes, links_for_clustering, options.rules, cannot_link)
    base = baseline.baseline_clusters(con, nodes, _rule_links(rule_links))
    progress.advance()
    seconds["cluster"] = time.perf_counter() - clock

    records = con.execute(
        "SELECT record_id, source, key, node_id FROM records ORDER BY record_id"
    ).df()
    records["cluster"] = records["node_id"].map(clusters.cluster_of)
    records["person_id"] = person_ids(options.pseudonym_key, records)
    records["match_probability"] = records["node_id"].map(clusters.joining_probability)
    person_map = records[["record_id", "source", "person_id", "match_probability"]].copy()
    person_map["run_id"] = run_id
    node_source = con.execute(
        "SELECT node_id, any_value(source) AS source FROM records GROUP BY node_id"
    ).df().set_index("node_id")["source"]
    links = _links_table(
        candidates, rule_links, decisions, clusters, options.match_threshold, node_source, run_id
    )

    scores: list[Score] = []
    if options.truth_dir is not None:
        clock = time.perf_counter()
        load_truth(con, options.truth_dir)
        assigned = pd.concat(
            [
                _assigned("splink", records, records["cluster"]),
                _assigned("baseline", records, records["node_id"].map(base.cluster_of)),
            ]
        )
        scores = score(con, assigned)
        seconds["score"] = time.perf_counter() - clock

    persons = int(records["person_id"].nunique())
    accepted = int(links["accepted"].sum())
    finished = datetime.now(UTC)
    demographics = con.execute(
        "SELECT record_id, source, sex, age, ? AS run_id FROM demographics ORDER BY record_id",
        [run_id],
    ).df()
    with connect_warehouse(options.data_dir, options.duckdb) as warehouse:
        write_results(
            warehouse,
            person_map,
            links,
            {
                "run_id": run_id,
                "started_at": started.replace(tzinfo=None),
                "finished_at": finished.replace(tzinfo=None),
                "engine": options.engine,
                "match_threshold": options.match_threshold,
                "models": str(models_dir),
                "trained": trained,
                "records": len(records),
                "persons": persons,
                "accepted_links": accepted,
            },
            demographics,
        )
    result = LinkResult(
        run_id=run_id,
        records=len(records),
        persons=persons,
        nodes=dict(con.execute("SELECT source, count(DISTINCT node_id) FROM records GROUP BY 1")
                   .fetchall()),
        accepted_links=accepted,
        models_dir=models_dir,
        trained=trained,
        report_dir=options.report_dir or folder / "report",
        seconds=seconds,
        scores=scores,
        job_results=results,
        person_map=person_map,
        links=links,
    )
    from recoverylink.linkage.report import write_report

    write_report(result, options, documents)
    return result


def _no_pairs() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "unique_id_l": pd.Series(dtype="int64"),
            "unique_id_r": pd.Series(dtype="int64"),
            "match_weight": pd.Series(dtype="float64"),
            "match_probability": pd.Series(dtype="float64"),
        }
    )


def _candidates(results: list[JobResult]) -> pd.DataFrame:
    frames = []
    for r in results:
        f = r.predictions[["unique_id_l", "unique_id_r", "match_weight", "match_probability"]]
        f = f.rename(columns={"unique_id_l": "node_l", "unique_id_r": "node_r"})
        frames.append(f.assign(job=r.job.name))
    out = pd.concat(frames, ignore_index=True) if frames else _no_pairs()
    return out.astype({"node_l": "int64", "node_r": "int64"})


def _rule_links(rule_links: pd.DataFrame) -> pd.DataFrame:
    return rule_links.assign(match_probability=1.0, priority=PRIORITY_RULE)[
        ["node_l", "node_r", "match_probability", "priority"]
    ]


def _links_to_cluster(
    candidates: pd.DataFrame,
    rule_links: pd.DataFrame,
    decisions: pd.DataFrame,
    threshold: float,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    accepted = decisions[decisions["decision"] == "accept"]
    rejected = decisions[decisions["decision"] == "reject"]
    model = candidates[candidates["match_probability"] >= threshold]
    if len(rejected):
        pairs = set(zip(rejected["node_l"], rejected["node_r"], strict=True))
        keep = [
            (a, b) not in pairs
            for a, b in zip(model["node_l"], model["node_r"], strict=True)
        ]
        model = model[keep]
    links = pd.concat(
        [
            _rule_links(rule_links),
            accepted[["node_l", "node_r"]].assign(match_probability=1.0, priority=PRIORITY_REVIEW),
            model[["node_l", "node_r", "match_probability"]].assign(priority=PRIORITY_MODEL),
        ],
        ignore_index=True,
    )
    return links, rejected[["node_l", "node_r"]]


def _links_table(
    candidates: pd.DataFrame,
    rule_links: pd.DataFrame,
    decisions: pd.DataFrame,
    clusters: Clusters,
    threshold: float,
    node_source: pd.Series,
    run_id: str,
) -> pd.DataFrame:
    refused = (
        clusters.refused.drop_duplicates(["node_l", "node_r"])
        .set_index(["node_l", "node_r"])["refused_by"]
    )
    model = candidates.copy()
    model["method"] = "model"
    decided = decisions.set_index(["node_l", "node_r"])["decision"]
    pair = pd.MultiIndex.from_arrays([model["node_l"], model["node_r"]])
    verdict = pd.Series(decided.reindex(pair).to_numpy(), index=model.index)
    model["accepted"] = (model["match_probability"] >= threshold) & (verdict != "reject")
    model["accepted"] |= verdict == "accept"
    rules = rule_links.assign(
        job="rule", method="rule", match_weight=None, match_probability=1.0, accepted=True
    )
    reviews = decisions.assign(
        job="review",
        method="review",
        match_weight=None,
        match_probability=(decisions["decision"] == "accept").astype(float),
        accepted=decisions["decision"] == "accept",
    )
    columns = ["node_l", "node_r", "job", "method", "match_weight", "match_probability", "accepted"]
    out = pd.concat([rules[columns], reviews[columns], model[columns]], ignore_index=True)
    index = pd.MultiIndex.from_arrays([out["node_l"], out["node_r"]])
    out["refused_by"] = refused.reindex(index).to_numpy()
    out["accepted"] = out["accepted"].astype(bool) & out["refused_by"].isna()
    out["source_l"] = out["node_l"].map(node_source)
    out["source_r"] = out["node_r"].map(node_source)
    out["run_id"] = run_id
    out["match_weight"] = out["match_weight"].astype("float64")
    return out.rename(columns={"node_l": "record_id_l", "node_r": "record_id_r"})[
        [
            "record_id_l", "record_id_r", "source_l", "source_r", "job", "method",
            "match_weight", "match_probability", "accepted", "refused_by", "run_id",
        ]
    ]


def _assigned(method: str, records: pd.DataFrame, cluster: pd.Series) -> pd.DataFrame:
    """Each record's cluster under ``method`` (scoring puts a key in its records' smallest)."""
    return pd.DataFrame({
        "method": method, "source": records["source"], "key": records["key"], "cluster": cluster,
    })
