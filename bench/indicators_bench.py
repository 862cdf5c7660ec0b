"""Benchmark the mart and the indicators, and set England's figures beside the published ones.

On a loaded and linked data directory (``link_bench.py`` leaves one), times
``recoverylink build`` and ``recoverylink indicators`` (wall time, peak memory
of the process tree), then does the same from the synthetic England's true
person ids (``--truth``), and prints:

- England's figures for each financial year from the linked data, from the
  truth, and the published figure where there is one (scaled by the synthetic
  England's scale): the gap between linked and truth is what linkage error
  costs;
- the spread of successful completion rates across local authorities in
  2010-11 beside the published one (15% in London and the South East, 25% in
  the best area, Kent, 5% in the poorest, Gloucestershire).

The published treatment figures count drug users, so "drug" below is every
substance group but alcohol only (people with no substance recorded, who did
not consent, are in it).

    .venv/bin/python bench/indicators_bench.py --data-dir bench/output/data-0.1 \\
        --synth bench/output/synth-0.1
    .venv/bin/python bench/indicators_bench.py --data-dir bench/output/data-1 \\
        --synth bench/output/synth-1 --no-truth    # target: build + indicators < 5 min

Writes bench/output/indicators.json.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

from measure import measure

CLI = str(Path(sys.executable).with_name("recoverylink"))
ENGLAND = "E92000001"
KENT, GLOUCESTERSHIRE = "E10000016", "E10000013"
LONDON, SOUTH_EAST = "E12000007", "E12000008"

# PUBLISHED_FIGURES.md, "Treatment system statistics" (successful completions, people)
PUBLISHED_COMPLETIONS = {"2005-06": 11_000, "2009-10": 24_000, "2010-11": 27_969,
                         "2011-12": 30_000}
PUBLISHED_NEW_A_YEAR = 80_000  # 2004-05 to 2008-09, on average
PUBLISHED_IN_TREATMENT = 200_000  # "about 200,000 people a year"


def _run(cmd: list[str]) -> dict[str, float]:
    print("$", " ".join(cmd), flush=True)
    m = measure(cmd)
    if m.returncode != 0:
        raise SystemExit(f"failed with exit code {m.returncode}: {' '.join(cmd)}")
    return {"seconds": round(m.seconds, 1), "peak_gib": round(m.peak_rss_gib, 2)}


def _drug(values: pd.DataFrame) -> pd.DataFrame:
    """England, financial years: numerators and denominators for drug users (all - alcohol)."""
    e = values[(values["area_code"] == ENGLAND) & (values["period_type"] == "financial_year")]
    key = ["indicator_id", "period"]
    every = e[e["substance_group"] == "all"].set_index(key)[["numerator", "denominator"]]
    alcohol = e[e["substance_group"] == "alcohol"].set_index(key)[["numerator", "denominator"]]
    drug = every.sub(alcohol, fill_value=0)
    population = every["denominator"].where(
        every.index.get_level_values(0).isin(["in_treatment", "new_presentations"])
    )
    drug["denominator"] = population.fillna(drug["denominator"])
    return drug


def england_table(linked: pd.DataFrame, truth: pd.DataFrame | None, scale: float) -> list[dict]:
    ld = _drug(linked)
    td = _drug(truth) if truth is not None else None
    rows = []
    for (indicator, period), row in ld.sort_index().iterrows():
        out = {
            "indicator": indicator, "period": period,
            "linked_numerator": int(row["numerator"]),
            "linked_denominator": float(row["denominator"]),
        }
        if td is not None and (indicator, period) in td.index:
            t = td.loc[(indicator, period)]
            out["truth_numerator"] = int(t["numerator"])
            out["truth_denominator"] = float(t["denominator"])
        published = None
        if indicator == "successful_completions":
            published = PUBLISHED_COMPLETIONS.get(period)
        elif indicator == "new_presentations" and period in (
            "2004-05", "2005-06", "2006-07", "2007-08", "2008-09"
        ):
            published = PUBLISHED_NEW_A_YEAR
        elif indicator == "in_treatment":
            published = PUBLISHED_IN_TREATMENT
        if published is not None:
            out["published_scaled"] = round(published * scale, 1)
        rows.append(out)
    return rows


def spread(values: pd.DataFrame, minimum: int) -> dict[str, float]:
    v = values[
        (values["indicator_id"] == "successful_completions")
        & (values["period"] == "2010-11") & (values["substance_group"] == "all")
    ].set_index("area_code")
    la = v[(v["level"] == "local_authority") & (v["denominator"] >= minimum)]["value"]
    lse = v.loc[[LONDON, SOUTH_EAST]]
    return {
        "areas": len(la),
        "minimum": round(float(la.min()), 1),
        "quartile_1": round(float(la.quantile(0.25)), 1),
        "median": round(float(la.median()), 1),
        "quartile_3": round(float(la.quantile(0.75)), 1),
        "maximum": round(float(la.max()), 1),
        "london_and_south_east": round(
            float(100 * lse["numerator"].sum() / lse["denominator"].sum()), 1
        ),
        "kent": round(float(v.loc[KENT, "value"]), 1) if KENT in v.index else float("nan"),
        "gloucestershire": round(float(v.loc[GLOUCESTERSHIRE, "value"]), 1)
        if GLOUCESTERSHIRE in v.index else float("nan"),
        "england": round(float(v.loc[ENGLAND, "value"]), 1),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data-dir", type=Path, required=True)
    ap.add_argument("--synth", type=Path, required=True, help="the synthetic England's folder")
    ap.add_argument("--no-truth", action="store_true", help="skip the truth build")
    ap.add_argument("--min-denominator", type=int, default=30,
                    help="areas with fewer people in treatment are left out of the spread")
    ap.add_argument("--json", type=Path, default=Path("bench/output/indicators.json"))
    args = ap.parse_args()
    scale = float(json.loads((args.synth / "manifest.json").read_text())["scale"])
    data = str(args.data_dir)
    result: dict[str, object] = {"scale": scale, "data_dir": data}
    result["build"] = _run([CLI, "build", "--data-dir", data])
    result["indicators"] = _run(
        [CLI, "indicators", "--data-dir", data, "--population-scale", str(scale)]
    )
    truth = None
    if not args.no_truth:
        result["build_truth"] = _run(
            [CLI, "build", "--data-dir", data, "--truth", str(args.synth / "truth")]
        )
        result["indicators_truth"] = _run(
            [CLI, "indicators", "--data-dir", data, "--truth", "--population-scale", str(scale)]
        )
        truth = pd.read_parquet(
            args.data_dir / "outputs" / "indicators-truth" / "indicator_values.parquet"
        )
    linked = pd.read_parquet(args.data_dir / "outputs" / "indicators" / "indicator_values.parquet")
    models = pd.read_parquet(args.data_dir / "outputs" / "indicators" / "case_mix_models.parquet")
    result["england_drug"] = england_table(linked, truth, scale)
    result["spread_2010_11"] = spread(linked, args.min_denominator)
    if truth is not None:
        result["spread_2010_11_truth"] = spread(truth, args.min_denominator)
    result["case_mix_c_statistic"] = dict(
        zip(models["period"], models["c_statistic"].round(3), strict=True)
    )
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=2, default=str) + "\n")

    print("\n| step | time | peak memory |\n|---|---|---|")
    for step in ("build", "indicators", "build_truth", "indicators_truth"):
        if step in result:
            m = result[step]
            assert isinstance(m, dict)
            print(f"| {step} | {m['seconds']} s | {m['peak_gib']} GiB |")
    print("\nEngland, drug users (all substance groups but alcohol only), financial years:")
    print("\n| indicator | year | linked | truth | published x scale |\n|---|---|---|---|---|")
    for row in result["england_drug"]:  # type: ignore[attr-defined]
        def fmt(n: object, d: object, indicator: str = row["indicator"]) -> str:
            if n is None:
                return "-"
            if indicator in ("in_treatment", "new_presentations"):
                return f"{n:,}"
            return f"{n:,}/{d:,.0f} = {100 * n / d:.1f}%" if d else f"{n:,}/0"
        print(f"| {row['indicator']} | {row['period']} | "
              f"{fmt(row['linked_numerator'], row['linked_denominator'])} | "
              f"{fmt(row.get('truth_numerator'), row.get('truth_denominator'))} | "
              f"{row.get('published_scaled', '')} |")
    print("\nSuccessful completions as % of people in treatment, 2010-11 (all substances):")
    print(json.dumps(result["spread_2010_11"], indent=2))
    print(f"\nCase-mix model c statistic by year: {result['case_mix_c_statistic']}")
    print(f"\nWritten to {args.json}")


if __name__ == "__main__":
    main()
