"""The indicators' counts as one table of cells with the equations between them.

Every numerator and denominator that counts people or journeys is a cell,
identified by the **quantity** it counts (people in treatment, completions,
...), the period's dates (a financial year and the rolling 12 months ending
with it are the same cell), the area and the substance group. The same count
published twice (people in treatment: the numerator of ``in_treatment``, the
denominator of three other indicators, ``n`` of the case-mix comparison) is
one cell, suppressed or published everywhere at once.

The equations an attacker knows, checked on the data by
:meth:`CellTable.check` before anything is published:

- **areas**: a region's local authorities add up to the region exactly; the
  regions add up to England plus the people of an unknown area (a hidden
  cell, area ``_unknown``);
- **substance groups**: the four groups add up to ``all`` plus the people with
  no substance recorded (a hidden cell, group ``_none``); the hidden cells
  follow the same sums (so ``_none`` of a region is the sum over its local
  authorities);
- **numerator and denominator**: each denominator is its numerator plus a
  hidden complement (people in treatment who did not complete, ...);
  completions are those who re-presented plus those who did not, where both
  are published.

Counts missing from the outputs are zero (no row is written where no one is
counted) and are known to be zero.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from recoverylink.publish.disclosure import CellTable, equations_matrix

UNKNOWN_AREA = "_unknown"
NO_SUBSTANCE = "_none"
GROUPS = ("opiate", "non_opiate", "alcohol", "non_opiate_and_alcohol")

NUMERATOR = {
    "in_treatment": "in_treatment",
    "new_presentations": "new_presentations",
    "successful_completions": "completed",
    "successful_completions_not_representing": "completed_not_representing",
    "representations": "represented",
    "effective_treatment": "effective",
    "waiting_under_3_weeks": "waits_under_3_weeks",
    "deaths_in_treatment": "died",
}
"""The quantity each indicator's numerator counts."""

DENOMINATOR = {
    "successful_completions": "in_treatment",
    "successful_completions_not_representing": "in_treatment",
    "representations": "completed",
    "effective_treatment": "effective_known",
    "waiting_under_3_weeks": "journeys",
    "deaths_in_treatment": "in_treatment",
}
"""The quantity each denominator counts; the two population rates' denominators
are resident populations, not counts, and are always published."""

PAIRS = (
    ("completed", "in_treatment"),
    ("completed_not_representing", "in_treatment"),
    ("effective", "effective_known"),
    ("effective_known", "in_treatment"),
    ("waits_under_3_weeks", "journeys"),
    ("died", "in_treatment"),
    ("new_presentations", "in_treatment"),
)
"""(part, whole): the part is at most the whole; their difference is a hidden complement."""

SPLIT = ("completed", ("completed_not_representing", "represented"))
"""Completions are those who did not re-present plus those who did."""

LEVEL_COST = {"local_authority": 1.0, "region": 4.0, "england": 100.0}
"""Suppressing a region costs more than a local authority, England most of all."""

KEY = ["quantity", "period_start", "period_end", "area_code", "substance_group"]


def _counts(values: pd.DataFrame) -> pd.DataFrame:
    """One row per published count: its quantity, key, level, region and value."""
    base = ["period_start", "period_end", "level", "area_code", "region_code", "substance_group"]
    frames = []
    num = values[[*base, "indicator_id", "numerator"]].rename(columns={"numerator": "value"})
    num["quantity"] = num["indicator_id"].map(NUMERATOR)
    frames.append(num)
    has_den = values["indicator_id"].isin(list(DENOMINATOR))
    den = values.loc[has_den, [*base, "indicator_id", "denominator"]].rename(
        columns={"denominator": "value"}
    )
    den["quantity"] = den["indicator_id"].map(DENOMINATOR)
    frames.append(den)
    out = pd.concat(frames, ignore_index=True).drop(columns="indicator_id")
    out["value"] = out["value"].astype(np.float64)
    return out


def build_cells(values: pd.DataFrame) -> tuple[CellTable, pd.DataFrame]:
    """The cells and equations of ``indicator_values`` (the analysts' file, with true counts).

    Returns the table and the published counts with their ``cell`` number
    (columns of :data:`KEY` plus ``cell``), to map suppression back to rows.
    """
    counts = _counts(values)
    distinct = counts.drop_duplicates([*KEY, "value"])
    clash = distinct.duplicated(KEY, keep=False)
    if clash.any():
        first = distinct[clash].iloc[0]
        raise ValueError(
            f"one count, two values: {first['quantity']} {first['area_code']} "
            f"{first['substance_group']} {first['period_start']}"
        )
    published = distinct.assign(published=True)
    la_region = (
        published.loc[published["level"] == "local_authority", ["area_code", "region_code"]]
        .drop_duplicates("area_code")
        .set_index("area_code")["region_code"]
    )
    period_cols = ["quantity", "period_start", "period_end"]

    # hidden: no substance recorded, per area present (all minus the four groups)
    wide = published.pivot_table(
        index=[*period_cols, "level", "area_code"], columns="substance_group",
        values="value", aggfunc="first", fill_value=0.0,
    )
    for g in ("all", *GROUPS):
        if g not in wide.columns:
            wide[g] = 0.0
    none = (wide["all"] - wide[list(GROUPS)].sum(axis=1)).rename("value").reset_index()
    none["substance_group"] = NO_SUBSTANCE
    none["published"] = False
    with_none = pd.concat([published, none], ignore_index=True)
    # hidden: unknown area, per group (England minus the regions)
    eng = with_none[with_none["level"] == "england"].set_index([*period_cols, "substance_group"])[
        "value"
    ]
    reg = with_none[with_none["level"] == "region"].groupby([*period_cols, "substance_group"])[
        "value"
    ].sum()
    unknown = eng.sub(reg, fill_value=0.0).rename("value").reset_index()
    unknown["level"] = "unknown"
    unknown["area_code"] = UNKNOWN_AREA
    unknown["published"] = False
    cells = pd.concat([with_none, unknown], ignore_index=True)
    # hidden: complements of each (part, whole) pair, on every key of the whole
    comp_frames = []
    for part, whole in PAIRS:
        w = cells[cells["quantity"] == whole]
        p = cells[cells["quantity"] == part]
        if p.empty:
            continue
        periods = p[["period_start", "period_end"]].drop_duplicates()
        w = w.merge(periods, on=["period_start", "period_end"])
        merged = w.merge(
            p[[*KEY[1:], "value"]], on=KEY[1:], how="left", suffixes=("", "_part")
        )
        comp = merged.drop(columns="value_part").assign(
            value=merged["value"] - merged["value_part"].fillna(0.0),
            quantity=f"{whole}-{part}",
            published=False,
        )
        comp_frames.append(comp)
    cells = pd.concat([cells, *comp_frames], ignore_index=True)
    cells = cells.drop_duplicates(KEY).reset_index(drop=True)
    cells["region_code"] = cells["area_code"].map(la_region).where(
        cells["level"] == "local_authority"
    )
    cells["cell"] = np.arange(len(cells))
    cells["block"] = pd.factorize(
        cells["period_start"].astype(str) + "/" + cells["period_end"].astype(str)
    )[0]
    cells["cost"] = cells["value"] * cells["level"].map(LEVEL_COST).fillna(1.0) + np.where(
        cells["substance_group"] == "all", 0.5, 0.0
    )
    triples = _equations(cells)
    table = CellTable(cells, equations_matrix(triples, len(cells)))
    mapping = cells.loc[cells["published"], [*KEY, "cell"]]
    return table, mapping


def _sum_equations(
    total: pd.DataFrame, parts: pd.DataFrame, on: list[str], name: str
) -> pd.DataFrame:
    """``total - sum(parts) = 0`` for each value of ``on``: (equation, cell, coefficient)."""
    t = total[[*on, "cell"]].assign(coefficient=1.0)
    p = parts[[*on, "cell"]].assign(coefficient=-1.0)
    both = pd.concat([t, p], ignore_index=True)
    both["equation"] = name + "|" + both.groupby(on, dropna=False).ngroup().astype(str)
    return both[["equation", "cell", "coefficient"]]


def _equations(cells: pd.DataFrame) -> pd.DataFrame:
    period_cols = ["quantity", "period_start", "period_end"]
    counts = cells[~cells["quantity"].str.contains("-", regex=False)]
    frames = []
    # local authorities to their region
    la = counts[counts["level"] == "local_authority"]
    la = la.assign(region=la["region_code"])
    region = counts[counts["level"] == "region"]
    region = region.assign(region=region["area_code"])
    # only where local authorities are published for that period (not rolling years)
    keys = [*period_cols, "substance_group", "region"]
    region = region.merge(la[keys].drop_duplicates(), on=keys)
    frames.append(_sum_equations(region, la, keys, "region"))
    # regions and the unknown area to England
    eng = counts[counts["level"] == "england"]
    parts = counts[counts["level"].isin(["region", "unknown"])]
    frames.append(_sum_equations(eng, parts, [*period_cols, "substance_group"], "england"))
    # substance groups and no substance to all
    total = counts[counts["substance_group"] == "all"]
    groups = counts[counts["substance_group"] != "all"]
    frames.append(_sum_equations(total, groups, [*period_cols, "area_code"], "groups"))
    # whole = part + complement
    for part, whole in PAIRS:
        w = cells[cells["quantity"] == whole]
        p = cells[cells["quantity"] == part]
        c = cells[cells["quantity"] == f"{whole}-{part}"]
        if c.empty:
            continue
        on = KEY[1:]
        both = pd.concat([p, c], ignore_index=True)
        w = w.merge(c[on], on=on)
        frames.append(_sum_equations(w, both, on, f"pair:{whole}-{part}"))
    # completions = not re-presenting + re-presented, where both are counted
    whole, (a, b) = SPLIT
    pa = cells[cells["quantity"].isin([a, b])]
    if not pa.empty:
        on = KEY[1:]
        w = cells[cells["quantity"] == whole].merge(
            pa[["period_start", "period_end"]].drop_duplicates(), on=["period_start", "period_end"]
        )
        frames.append(_sum_equations(w, pa, on, "split"))
    return pd.concat(frames, ignore_index=True)
