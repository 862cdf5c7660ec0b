"""Reading a synthetic England folder back, as the calibration check needs it.

This reads the written files (not the generator's memory), so the check measures
exactly what the pipeline will receive. For treatment it applies the spec's
replacement rule: the latest submission of each provider and financial year
replaces the earlier ones, and an episode spanning years is taken from the
latest year that holds it.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from recoverylink.errors import InputError
from recoverylink.progress import NULL_PROGRESS, Progress

TREATMENT_NAME = re.compile(
    r"^treatment_(?P<provider>[A-Za-z0-9]+)_(?P<year>\d{4})-(?P<month>\d{2})\.zip$"
)


@dataclass
class SynthFolder:
    episodes: pd.DataFrame
    interventions: pd.DataFrame
    top: pd.DataFrame
    nominals: pd.DataFrame
    disposals: pd.DataFrame
    drug_tests: pd.DataFrame
    deaths: pd.DataFrame
    truth: pd.DataFrame  # source, key, person
    providers: pd.DataFrame
    offence_codes: pd.DataFrame
    local_authorities: pd.DataFrame


def _read(data: bytes | Path) -> pd.DataFrame:
    src = io.BytesIO(data) if isinstance(data, bytes) else data
    return pd.read_csv(src, dtype=str, keep_default_na=False, encoding="utf-8-sig")


def latest_submissions(folder: Path) -> list[Path]:
    """The last monthly submission of each provider and financial year."""
    latest: dict[tuple[str, int], tuple[int, Path]] = {}
    for path in sorted(folder.rglob("treatment_*.zip")):
        m = TREATMENT_NAME.match(path.name)
        if not m:
            continue
        year, month = int(m["year"]), int(m["month"])
        fy = year if month >= 4 else year - 1
        key = (m["provider"], fy)
        stamp = year * 12 + month
        if key not in latest or latest[key][0] < stamp:
            latest[key] = (stamp, path)
    return [p for _, p in sorted(latest.values(), key=lambda x: (x[1].name, x[0]))]


def read_folder(folder: Path, progress: Progress = NULL_PROGRESS) -> SynthFolder:
    if not (folder / "truth" / "records.csv").exists():
        raise InputError(f"{folder} has no truth/records.csv: is it a synthetic England folder?")
    subs = latest_submissions(folder / "treatment")
    progress.stage("reading treatment submissions", len(subs))
    eps, ivs, tops = [], [], []
    for path in subs:
        m = TREATMENT_NAME.match(path.name)
        assert m is not None
        stamp = int(m["year"]) * 12 + int(m["month"])
        with zipfile.ZipFile(path) as zf:
            e = _read(zf.read("episodes.csv"))
            i = _read(zf.read("interventions.csv"))
            t = _read(zf.read("top.csv"))
        for frame in (e, i, t):
            frame["_stamp"] = stamp
        eps.append(e)
        ivs.append(i)
        tops.append(t)
        progress.advance()
    episodes = _newest(pd.concat(eps, ignore_index=True), ["provider_code", "episode_ref"])
    interventions = _newest(
        pd.concat(ivs, ignore_index=True), ["provider_code", "intervention_ref"]
    )
    top = pd.concat(tops, ignore_index=True)
    # a TOP row has no id of its own: keep the rows of the newest submission of each episode
    newest = top.groupby(["provider_code", "episode_ref"])["_stamp"].transform("max")
    top = top[top["_stamp"] == newest].drop(columns="_stamp").reset_index(drop=True)
    progress.stage("reading police, drug test and death files", 3)
    pnc = sorted((folder / "pnc").glob("pnc_*.zip"))[-1]
    with zipfile.ZipFile(pnc) as zf:
        nominals = _read(zf.read("nominals.csv"))
        disposals = _read(zf.read("disposals.csv"))
    progress.advance()
    tests = pd.concat(
        [_read(p) for p in sorted((folder / "drug_tests").glob("drug_tests_*.csv"))],
        ignore_index=True,
    )
    progress.advance()
    deaths = pd.concat(
        [_read(p) for p in sorted((folder / "deaths").glob("deaths_*.csv"))], ignore_index=True
    )
    progress.advance()
    progress.close()
    return SynthFolder(
        episodes=episodes,
        interventions=interventions,
        top=top,
        nominals=nominals,
        disposals=disposals,
        drug_tests=tests,
        deaths=deaths,
        truth=_read(folder / "truth" / "records.csv"),
        providers=_read(folder / "reference" / "providers.csv"),
        offence_codes=_read(folder / "reference" / "offence_codes.csv"),
        local_authorities=_read(folder / "reference" / "local_authorities.csv"),
    )


def _newest(frame: pd.DataFrame, key: list[str]) -> pd.DataFrame:
    frame = frame.sort_values("_stamp", kind="stable")
    return frame.drop_duplicates(key, keep="last").drop(columns="_stamp").reset_index(drop=True)
