"""The generator's run: check arguments, build every table, write every file."""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd

from recoverylink.errors import SynthArgumentError
from recoverylink.progress import Progress
from recoverylink.spec import reference
from recoverylink.synth import (
    assemble,
    episodes,
    interventions,
    mortality,
    offending,
    police,
    registrations,
)
from recoverylink.synth.careers import draw_journeys
from recoverylink.synth.dates import fy_start, month_index
from recoverylink.synth.geography import build_geography
from recoverylink.synth.params import SynthParams
from recoverylink.synth.people import make_people
from recoverylink.synth.writer import (
    Lines,
    TreatmentTables,
    csv_body,
    header,
    write_csv,
    write_treatment,
    write_zip_streamed,
)

MAX_SCALE = 4.0
OUR_ENTRIES = ("treatment", "pnc", "drug_tests", "deaths", "reference", "truth", "manifest.json")
REFERENCE_FILES = {
    "local_authorities.csv": reference.local_authorities,
    "police_forces.csv": reference.police_forces,
    "offence_codes.csv": reference.offence_codes,
    "treatment_unit_costs.csv": reference.treatment_unit_costs,
    "crime_unit_costs.csv": reference.crime_unit_costs,
}


def check_arguments(out: Path, scale: float, seed: int, force: bool) -> Path:
    if not (scale > 0) or scale > MAX_SCALE:
        raise SynthArgumentError(f"scale must be above 0 and at most {MAX_SCALE:g} (got {scale:g})")
    if seed < 0:
        raise SynthArgumentError(f"seed must be zero or a positive whole number (got {seed})")
    out = out.expanduser()
    if out.exists() and not out.is_dir():
        raise SynthArgumentError(f"output path {out} exists and is not a folder")
    if out.exists() and any(out.iterdir()) and not force:
        raise SynthArgumentError(f"output folder {out} is not empty; use --force to overwrite it")
    parent = out
    while not parent.exists():
        parent = parent.parent
    if not parent.is_dir() or not os.access(parent, os.W_OK | os.X_OK):
        raise SynthArgumentError(
            f"output folder {out} cannot be written ({parent} is not writable)"
        )
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise SynthArgumentError(f"output folder {out} cannot be created: {exc.strerror}") from exc
    if force:
        # only what an earlier run of the generator wrote is removed
        for name in OUR_ENTRIES:
            target = out / name
            if target.is_dir():
                shutil.rmtree(target)
            elif target.exists():
                target.unlink()
    return out


def generate_into(
    out: Path, scale: float, seed: int, p: SynthParams, progress: Progress, workers: int
) -> dict[str, int]:
    streams = [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(12)]
    progress.stage("modelling people, treatment and offending", 7)
    geo = build_geography(scale, p.population_per_provider)
    people = make_people(streams[0], p, scale, geo)
    progress.advance()
    deaths = mortality.draw_deaths(streams[1], people, p)
    progress.advance()
    journeys = draw_journeys(streams[2], people, deaths, geo, p)
    progress.advance()
    ep = episodes.build_episodes(streams[3], journeys, people, geo, p)
    content = episodes.episode_content(streams[4], ep, people, p)
    ep = pd.concat([ep, content], axis=1)
    # completed_occasional_user is no success for heroin or crack users: they complete drug free
    heroin_crack = content[["substance_1", "substance_2", "substance_3"]].isin(["heroin", "crack"])
    occasional = (ep["reason"] == "completed_occasional_user") & heroin_crack.any(axis=1)
    ep.loc[occasional, "reason"] = "completed_drug_free"
    ident = episodes.identity_columns(streams[5], ep, people, geo, p)
    ep = pd.concat([ep, ident], axis=1)
    ep["episode_ref"] = assemble.sequential_refs(
        "E", ep["provider"].to_numpy(), ep["triage"].to_numpy() * 10_000_000 + np.arange(len(ep)), 8
    )
    progress.advance()
    data_end = fy_start(p.last_fy + 1) - 1
    iv = interventions.build_interventions(streams[6], ep, people)
    iv["closed"] &= iv["end"] <= data_end
    top = interventions.build_top(streams[7], ep, people, data_end, p.top_abstinence)
    progress.advance()
    ev = offending.draw_events(streams[8], people, journeys, deaths, p)
    codes = offending.assign_offence_codes(streams[8], ev)
    nominals, aliases, disposals, pnc_of = police.build_pnc(streams[9], people, ev, codes, geo, p)
    progress.advance()
    tests = police.build_drug_tests(streams[10], people, ev, codes, pnc_of, geo, p)
    death_rows = registrations.build_deaths(streams[11], people, deaths, geo, p, scale)
    del ev, codes  # the largest intermediate tables: free them before writing
    progress.advance()

    # police, drug test and death files first, so their tables are freed before the
    # treatment lines are rendered and the forked treatment writers start
    progress.stage("writing police, drug test and death files", 4)
    counts_police = _write_police(out, nominals, aliases, disposals, p)
    del aliases, disposals
    progress.advance()
    _write_drug_tests(out, tests, p)
    progress.advance()
    _write_deaths(out, death_rows, p)
    progress.advance()
    write_csv(
        out / "reference" / "providers.csv",
        geo.providers[["provider_code", "provider_name", "local_authority"]],
    )
    for name, loader in REFERENCE_FILES.items():
        write_csv(out / "reference" / name, loader())
    test_keys = (tests["test_id"].to_numpy(), tests["_person"].to_numpy())
    death_keys = (death_rows["death_id"].to_numpy(), death_rows["_person"].to_numpy())
    n_tests, n_deaths, n_nominals = len(tests), len(death_rows), len(nominals)
    del tests, death_rows, nominals
    progress.advance()

    provider_codes = geo.providers["provider_code"].to_numpy(dtype=object)
    la_codes = geo.las["la_code"].to_numpy(dtype=object)
    ep_frame = assemble.episode_frame(
        ep, provider_codes, la_codes, people.dob[ep["person"].to_numpy()]
    )
    iv_frame = assemble.intervention_frame(iv, ep_frame)
    top_frame = assemble.top_frame(top, ep_frame)
    big = np.iinfo(np.int32).max
    tables = TreatmentTables(
        provider_codes=provider_codes,
        ep_provider=ep["provider"].to_numpy(),
        ep_triage=ep["triage"].to_numpy(),
        ep_discharge=np.where(ep["discharged"], ep["end"], big).astype(np.int64),
        ep_lines=Lines.of(
            ep_frame, assemble.open_form(ep_frame, ["discharge_date", "discharge_reason"])
        ),
        iv_ep=iv["ep"].to_numpy(),
        iv_start=iv["start"].to_numpy(),
        iv_end=np.where(iv["closed"], iv["end"], big).astype(np.int64),
        iv_lines=Lines.of(iv_frame, assemble.open_form(iv_frame, ["end_date", "exit_status"])),
        top_ep=top["ep"].to_numpy(),
        top_date=top["top_date"].to_numpy(),
        top_lines=Lines.of(top_frame),
        headers=(
            header(assemble.EPISODE_COLUMNS),
            header(assemble.INTERVENTION_COLUMNS),
            header(assemble.TOP_COLUMNS),
        ),
        first_fy=p.first_fy,
        last_fy=p.last_fy,
    )
    n_interventions, n_top = len(iv_frame), len(top_frame)
    del iv_frame, top_frame, iv, top
    n_zips = write_treatment(tables, out / "treatment", workers=workers, progress=progress)
    del tables
    _write_truth(out, ep_frame, test_keys, death_keys, ep, pnc_of, p, scale, seed)
    progress.close()
    counts = {
        "people": len(people),
        "providers": len(provider_codes),
        "episodes": len(ep_frame),
        "interventions": n_interventions,
        "top_reviews": n_top,
        "treatment_submissions": int(n_zips),
        "pnc_nominals": n_nominals,
        "pnc_aliases": counts_police[0],
        "pnc_disposals": counts_police[1],
        "drug_tests": n_tests,
        "deaths": n_deaths,
    }
    manifest = {
        "generator": "recoverylink synth",
        "spec_version": 1,
        "scale": scale,
        "seed": seed,
        "counts": counts,
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    return counts


CHUNK_ROWS = 500_000


def _write_police(
    out: Path,
    nominals: pd.DataFrame,
    aliases: pd.DataFrame,
    disposals: pd.DataFrame,
    p: SynthParams,
) -> tuple[int, int]:
    """The PNC extract zip; returns the numbers of aliases and disposals.

    Each table is rendered in slices of :data:`CHUNK_ROWS` rows and streamed into
    its member, so the ten million disposals at scale 1 are never all text at once.
    """

    def chunks(frame: pd.DataFrame, dates: list[str]) -> Iterator[bytes]:
        yield header(list(frame.columns))
        for i in range(0, len(frame), CHUNK_ROWS):
            yield csv_body(assemble.dated(frame.iloc[i : i + CHUNK_ROWS], dates))

    (out / "pnc").mkdir(parents=True, exist_ok=True)
    write_zip_streamed(
        out / "pnc" / f"pnc_{p.pnc_extract_date}.zip",
        [
            ("nominals.csv", chunks(nominals, ["date_of_birth"])),
            ("aliases.csv", chunks(aliases, ["date_of_birth"])),
            ("disposals.csv", chunks(disposals, ["offence_date", "disposal_date"])),
        ],
    )
    return len(aliases), len(disposals)


def _write_drug_tests(out: Path, tests: pd.DataFrame, p: SynthParams) -> None:
    """One file of drug tests on arrest per month, April 2004 to the end of the data."""
    months = month_index(tests["test_date"].to_numpy())
    first_m, last_m = (
        int(month_index(np.array([fy_start(2004)]))[0]),
        int(month_index(np.array([fy_start(p.last_fy + 2) + 270]))[0]),
    )
    order = np.argsort(months, kind="stable")
    bounds = np.searchsorted(months[order], np.arange(first_m, last_m + 2))
    for k, mi in enumerate(range(first_m, last_m + 1)):
        y, m = divmod(mi, 12)
        rows = tests.iloc[order[bounds[k] : bounds[k + 1]]]
        write_csv(
            out / "drug_tests" / f"drug_tests_{1970 + y:04d}-{m + 1:02d}.csv",
            assemble.dated(rows, ["date_of_birth", "test_date"]),
        )


def _write_deaths(out: Path, death_rows: pd.DataFrame, p: SynthParams) -> None:
    """One file of death registrations per calendar year of registration."""
    reg_year = (
        death_rows["date_registered"]
        .to_numpy()
        .astype("datetime64[D]")
        .astype("datetime64[Y]")
        .astype(int)
        + 1970
    )
    d_out = assemble.dated(death_rows, ["date_of_birth", "date_of_death", "date_registered"])
    for year in range(p.deaths_from_year, p.deaths_to_year + 1):
        write_csv(out / "deaths" / f"deaths_{year}.csv", d_out[reg_year == year])


def _write_truth(
    out: Path,
    ep_frame: pd.DataFrame,
    test_keys: tuple[np.ndarray, np.ndarray],
    death_keys: tuple[np.ndarray, np.ndarray],
    ep: pd.DataFrame,
    pnc_of: np.ndarray,
    p: SynthParams,
    scale: float,
    seed: int,
) -> None:
    """truth/records.csv (source, key, person) and the parameters that made the folder."""

    def pid(x: np.ndarray) -> np.ndarray:
        return np.array([f"S{int(i):08d}" for i in x], dtype=object)

    pnc_person = np.flatnonzero(pnc_of != "")
    records = pd.concat(
        [
            pd.DataFrame(
                {
                    "source": "treatment",
                    "key": ep_frame["provider_code"] + "|" + ep_frame["episode_ref"],
                    "person": pid(ep["person"].to_numpy()),
                }
            ),
            pd.DataFrame({"source": "pnc", "key": pnc_of[pnc_person], "person": pid(pnc_person)}),
            pd.DataFrame(
                {
                    "source": "drug_tests",
                    "key": test_keys[0],
                    "person": pid(test_keys[1]),
                }
            ),
            pd.DataFrame(
                {
                    "source": "deaths",
                    "key": death_keys[0],
                    "person": pid(death_keys[1]),
                }
            ),
        ],
        ignore_index=True,
    )
    write_csv(out / "truth" / "records.csv", records)
    params = dataclasses.asdict(p)
    params.pop("extra", None)
    (out / "truth" / "parameters.json").write_text(
        json.dumps({"scale": scale, "seed": seed, "parameters": params}, indent=2, sort_keys=True)
        + "\n"
    )
