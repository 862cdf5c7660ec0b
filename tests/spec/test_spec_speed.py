"""Validation is vectorised: a large file goes through at a rate no per-row loop reaches.

The floor is set well below what one core does (about 300,000 episode rows a
second on a slow two-core CI box, read included) so the test is not flaky, yet
far above the few tens of thousands a second of a Python loop over rows.
"""

from __future__ import annotations

import time

import pytest
from specfiles import episode_rows

from recoverylink.spec import columns, read_csv_strict, validate_table

ROWS = 200_000
FLOOR = 60_000  # rows a second


@pytest.mark.slow
def test_large_episodes_file_is_validated_quickly() -> None:
    names = columns("episodes")
    templates = []
    for row in episode_rows():  # E1, E2 (no consent), E3 in turn, with fresh episode_refs
        values = [row[c] for c in names]
        values[names.index("episode_ref")] = "{ref}"
        templates.append(",".join(values))
    templates[0] = templates[0].replace(",male,", ",{sex},")
    lines = [
        templates[i % 3].format(ref=f"E{i}", sex="M" if i == ROWS - 2 else "male")
        for i in range(ROWS)
    ]
    # One problem: sex "M" in record ROWS - 2 (counting from 0, an E1), so on line ROWS.
    data = "\n".join([",".join(names), *lines, ""]).encode()

    start = time.perf_counter()
    table, problems = read_csv_strict(data, "episodes.csv")
    assert table is not None
    problems += validate_table("episodes", table, "episodes.csv")
    seconds = time.perf_counter() - start

    assert [(p.rule, p.row, p.column) for p in problems] == [("bad_code", ROWS, "sex")]
    assert ROWS / seconds > FLOOR, f"{ROWS / seconds:,.0f} rows a second"
