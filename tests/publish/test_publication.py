"""The publication built end to end on a small England: privacy, suppression, recovery."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from recoverylink.publish.audit import Target, certify, intervals
from recoverylink.publish.build import publication_scope
from recoverylink.publish.disclosure import table_lp
from recoverylink.publish.indicator_cells import KEY, build_cells
from recoverylink.publish.study_tables import SPECS

ROW_KEY = ["indicator_id", "period_type", "period", "area_code", "substance_group"]
COUNT_DENOMINATORS = (
    "successful_completions", "successful_completions_not_representing", "representations",
    "effective_treatment", "waiting_under_3_weeks", "deaths_in_treatment",
)


def raw_values(published: Path) -> pd.DataFrame:
    """The indicator rows the publication covers (publication_scope), unsuppressed."""
    return publication_scope(
        pd.read_parquet(published / "outputs" / "indicators" / "indicator_values.parquet")
    )


def test_each_row_is_identified_by_its_declared_key(
    publication: duckdb.DuckDBPyConnection,
) -> None:
    # the keys the website looks rows up by (docs/publication.md), declared on the tables
    declared = {
        table: sorted(columns)
        for table, columns in publication.execute(
            "SELECT table_name, constraint_column_names FROM duckdb_constraints() "
            "WHERE constraint_type = 'PRIMARY KEY'"
        ).fetchall()
    }
    assert declared["areas"] == ["area_code"]
    assert declared["indicator_values"] == sorted(ROW_KEY)
    assert declared["funnel_points"] == sorted(
        ["indicator_id", "period", "substance_group", "area_code"])
    assert declared["study_headlines"] == ["headline_id", "study"]
    assert {"indicators", "periods", "studies", "catalogue", "case_mix_areas"} <= set(declared)
    # and they hold: no two rows of indicator_values share one
    total, distinct = publication.execute(
        f"SELECT count(*), count(DISTINCT ({', '.join(ROW_KEY)})) FROM indicator_values"
    ).fetchone()
    assert total == distinct > 0


def test_no_count_from_1_to_4_is_published(publication: duckdb.DuckDBPyConnection) -> None:
    small = publication.execute(
        "SELECT count(*) FROM indicator_values WHERE numerator BETWEEN 1 AND 4 "
        "OR (indicator_id IN ? AND denominator BETWEEN 1 AND 4)", [list(COUNT_DENOMINATORS)]
    ).fetchall()[0][0]
    assert small == 0
    assert publication.execute(
        "SELECT count(*) FROM case_mix_areas WHERE n BETWEEN 1 AND 4 OR observed BETWEEN 1 AND 4"
    ).fetchall()[0][0] == 0
    tables = {r[0] for r in publication.execute("SHOW TABLES").fetchall()}
    checked = 0
    for study, specs in SPECS.items():
        for name, spec in specs.items():
            table_id = f"study_{study}_{name}"
            if table_id not in tables:
                continue
            frame = publication.execute(f'SELECT * FROM "{table_id}"').df()
            for column in spec.counts:
                values = pd.to_numeric(frame[column], errors="coerce")
                assert not values.between(1, 4).any(), (table_id, column)
                checked += 1
    assert checked > 20
    people = publication.execute(
        "SELECT count(*) FROM study_headlines WHERE unit = 'people' AND value BETWEEN 1 AND 4"
    ).fetchall()[0][0]
    assert people == 0


def test_the_suppressed_are_the_small_counts_and_enough_others(
    published: Path, publication: duckdb.DuckDBPyConnection
) -> None:
    raw = raw_values(published)
    pub = publication.execute(
        "SELECT indicator_id, period_type, period, area_code, substance_group, numerator, "
        "numerator_status FROM indicator_values"
    ).df()
    both = raw.merge(pub, on=ROW_KEY, suffixes=("", "_pub"), validate="one_to_one")
    assert len(both) == len(raw) == len(pub)
    small = both["numerator"].between(1, 4)
    assert (both.loc[small, "numerator_status"] == "c").all()
    # zeros are published as zeros, unless a zero had to go for a neighbour (never:
    # a zero is never chosen)
    zero = both["numerator"] == 0
    assert (both.loc[zero, "numerator_status"] == "").all()
    # and some larger counts went too (secondary suppression)
    assert ((both["numerator"] >= 5) & (both["numerator_status"] == "c")).any()


def test_rates_and_intervals_from_suppressed_counts_are_null(
    publication: duckdb.DuckDBPyConnection,
) -> None:
    leaks = publication.execute(
        "SELECT count(*) FROM indicator_values "
        "WHERE (numerator_status = 'c' OR denominator_status = 'c') AND ("
        "value_status <> 'c' OR value IS NOT NULL OR lower_95 IS NOT NULL "
        "OR upper_95 IS NOT NULL OR lower_99_8 IS NOT NULL OR upper_99_8 IS NOT NULL "
        "OR compared_95 IS NOT NULL OR compared_99_8 IS NOT NULL OR trend IS NOT NULL)"
    ).fetchall()[0][0]
    assert leaks == 0
    assert publication.execute(
        "SELECT count(*) FROM indicator_values WHERE (numerator_status = 'c' AND numerator "
        "IS NOT NULL) OR (denominator_status = 'c' AND denominator IS NOT NULL)"
    ).fetchall()[0][0] == 0
    assert publication.execute(
        "SELECT count(*) FROM case_mix_areas WHERE status = 'c' AND (ratio IS NOT NULL OR "
        "observed_rate IS NOT NULL OR adjusted_rate IS NOT NULL OR expected IS NOT NULL)"
    ).fetchall()[0][0] == 0
    # every funnel point is a published value
    assert publication.execute(
        "SELECT count(*) FROM funnel_points p JOIN indicator_values v USING (indicator_id, "
        "period, substance_group, area_code) WHERE v.period_type = 'financial_year' "
        "AND v.value_status <> ''"
    ).fetchall()[0][0] == 0


def test_case_mix_counts_are_suppressed_with_the_indicator_cells(
    publication: duckdb.DuckDBPyConnection,
) -> None:
    # n is people in treatment (the in_treatment numerator), observed their completions
    mismatch = publication.execute(
        "SELECT count(*) FROM case_mix_areas c JOIN indicator_values v "
        "ON v.indicator_id = 'successful_completions' AND v.period_type = 'financial_year' "
        "AND v.period = c.period AND v.area_code = c.area_code AND v.substance_group = 'all' "
        "WHERE (c.n IS NULL) <> (v.denominator_status = 'c') "
        "OR (c.observed IS NULL) <> (v.numerator_status = 'c')"
    ).fetchall()[0][0]
    assert mismatch == 0


def test_no_column_or_value_about_one_person(publication: duckdb.DuckDBPyConnection) -> None:
    # (person_years, people and persons are aggregates; area_name and la_name are areas)
    forbidden = re.compile(
        r"person_id|record_id|episode_(id|ref)|journey_id|forename|surname|initials|"
        r"birth|\bdob\b|postcode|pnc|nhs_number|address", re.I,
    )
    columns = publication.execute(
        "SELECT table_name, column_name FROM duckdb_columns()"
    ).fetchall()
    assert columns
    assert [c for c in columns if forbidden.search(c[1])] == []
    pseudonym = re.compile(r"\bP[0-9a-f]{24}\b|unlinked:|truth:")
    for (table,) in publication.execute("SHOW TABLES").fetchall():
        frame = publication.execute(f'SELECT * FROM "{table}"').df()
        for column in frame.columns:
            if frame[column].dtype == object:
                text = " ".join(map(str, frame[column].dropna().unique()[:5000]))
                assert not pseudonym.search(text), (table, column)


def test_no_suppressed_cell_can_be_recovered(
    published: Path, publication: duckdb.DuckDBPyConnection
) -> None:
    """The attacker's programme over every breakdown of the same counts pins nothing.

    The equations are those the published rows themselves imply (areas to regions to
    England, groups to all, numerators within denominators); the known cells are the
    published counts; every suppressed count, and every unpublished remainder from 1
    to 4, must keep a feasible range at least 1 wide and, if it is from 1 to 4,
    reaching 0 or 5. Checked for the latest three financial years and the latest rolling
    year (every period is audited by the build; the test keeps its time down).
    """
    raw = raw_values(published)
    pub = publication.execute(
        "SELECT indicator_id, period_type, period, area_code, substance_group, numerator, "
        "denominator FROM indicator_values"
    ).df()
    table, mapping = build_cells(raw)  # the rows' structure, and the truth as a check
    truth_ok = np.abs(table.equations @ table.values).max()
    assert truth_ok < 1e-6
    # what the attacker knows: the published count of each cell, or nothing
    seen = raw[[*ROW_KEY, "period_start", "period_end", "level", "region_code"]].merge(
        pub, on=ROW_KEY, validate="one_to_one"
    )
    attacker, attacker_map = build_cells(seen)
    assert len(attacker_map) == len(mapping)
    lookup = attacker_map.merge(mapping, on=KEY, suffixes=("_attacker", ""))
    known_value = attacker.values[lookup["cell_attacker"].to_numpy()]
    suppressed = np.zeros(table.n, bool)
    suppressed[lookup["cell"].to_numpy()] = np.isnan(known_value)
    published_value = ~np.isnan(known_value)
    assert np.allclose(known_value[published_value],
                       table.values[lookup["cell"].to_numpy()][published_value])
    periods = publication.execute(
        "SELECT * FROM (SELECT DISTINCT period_start, period_end FROM indicator_values "
        "WHERE period_type = 'financial_year' ORDER BY period_start DESC LIMIT 3) "
        "UNION SELECT * FROM (SELECT period_start, "
        "period_end FROM periods WHERE period_type = 'rolling_12_months' AND is_latest)"
    ).df()
    for column in ("period_start", "period_end"):
        periods[column] = pd.to_datetime(periods[column]).dt.date
    cells = table.cells
    chosen = cells.merge(periods, on=["period_start", "period_end"])["block"].unique()
    small = (table.values >= 1) & (table.values <= 4)
    wanted_blocks = set(chosen.tolist())
    targets = [
        Target(int(c), 1.0, bool(small[c]))
        for c in np.flatnonzero(suppressed | (~table.published & small))
        if table.blocks[c] in wanted_blocks
    ]
    assert len(targets) > 1000
    model = table_lp(table)
    failures, lps = certify(model, suppressed, targets, blocks=chosen.tolist(), witness=False)
    assert failures == []
    assert lps > 0
    # and a few exactly: the truth lies inside each range, which reaches outside 1-4
    sample = [t.cell for t in targets if t.small][:5]
    known = table.published & ~suppressed
    for cell, (low, high) in intervals(model, known, sample).items():
        assert low - 1e-6 <= table.values[cell] <= high + 1e-6
        assert low <= 1e-6 or high >= 5 - 1e-6
