"""A small hand-made publication database, written to the contract, for the route tests.

England, two regions and four local authorities; two indicators (a percentage
and a rate) over five financial years; suppressed and unavailable cells; a
funnel, a case-mix comparison, one study and a catalogue with its files. The
figures are chosen by hand so that the tests can say what each page must show.
"""

from __future__ import annotations

import zipfile
from datetime import date, datetime
from pathlib import Path

import duckdb

ENGLAND = "E92000001"
YEARS = ["2006-07", "2007-08", "2008-09", "2009-10", "2010-11"]
LATEST = "2010-11"

AREAS = [
    # code, name, level, region_code, region_name, comparator_group, sort_key
    (ENGLAND, "England", "england", None, None, None, 0),
    ("E12000003", "Yorkshire and The Humber", "region", None, None, None, 1),
    ("E12000007", "London", "region", None, None, None, 2),
    ("E08000035", "Leeds", "local_authority", "E12000003", "Yorkshire and The Humber", 2, 3),
    ("E08000036", "Wakefield", "local_authority", "E12000003", "Yorkshire and The Humber", 1, 4),
    ("E09000007", "Camden", "local_authority", "E12000007", "London", 2, 5),
    ("E09000033", "Westminster", "local_authority", "E12000007", "London", 1, 6),
]

INDICATORS = [
    ("successful_completions",
     "Successful completions as a percentage of people in treatment",
     "People who completed treatment successfully", "People in treatment",
     "proportion", 100.0, "high_is_good", "persons",
     "A journey ended with a successful discharge in the period.", 1),
    ("in_treatment", "People in treatment per 100,000 population",
     "People in treatment", "Resident population", "rate", 100000.0, "", "persons",
     "Anyone with a journey open in the period.", 2),
]

# (indicator, area) -> numerator, denominator in the latest year; earlier years scale these
LATEST_COUNTS = {
    ("successful_completions", ENGLAND): (1200, 4000),
    ("successful_completions", "E12000003"): (300, 900),
    ("successful_completions", "E12000007"): (420, 1100),
    ("successful_completions", "E08000035"): (180, 500),
    ("successful_completions", "E08000036"): (3, 40),  # suppressed: a count from 1 to 4
    ("successful_completions", "E09000007"): (260, 600),
    ("successful_completions", "E09000033"): (160, 500),
    ("in_treatment", ENGLAND): (4000, 500000.0),
    ("in_treatment", "E12000003"): (900, 120000.0),
    ("in_treatment", "E12000007"): (1100, 150000.0),
    ("in_treatment", "E08000035"): (500, 75000.0),
    ("in_treatment", "E08000036"): (40, 33000.0),
    ("in_treatment", "E09000007"): (600, 22000.0),
    ("in_treatment", "E09000033"): (500, 21000.0),
}
COMPARED = {
    ("successful_completions", "E08000035"): "better",
    ("successful_completions", "E09000007"): "better",
    ("successful_completions", "E09000033"): "similar",
    ("successful_completions", "E12000003"): "similar",
    ("successful_completions", "E12000007"): "better",
    ("in_treatment", "E08000035"): "lower",
    ("in_treatment", "E08000036"): "lower",
    ("in_treatment", "E09000007"): "higher",
    ("in_treatment", "E09000033"): "higher",
    ("in_treatment", "E12000003"): "lower",
    ("in_treatment", "E12000007"): "similar",
}


def _limits(num: float, den: float, kind: str, mult: float) -> tuple[float, float, float]:
    value = num / den * mult
    half = 1.96 * (value * (mult - value) / den) ** 0.5 if kind == "proportion" else (
        1.96 * (num**0.5) / den * mult
    )
    return value, max(0.0, value - half), value + half


def value_rows() -> list[tuple[object, ...]]:
    rows = []
    area = {a[0]: a for a in AREAS}
    for iid, _title, _n, _d, kind, mult, *_ in INDICATORS:
        for offset, year in enumerate(YEARS):
            scale = 0.8 + 0.05 * offset  # rising to 1.0 in the latest year
            start = date(int(year[:4]), 4, 1)
            end = date(int(year[:4]) + 1, 3, 31)
            england_num, england_den = LATEST_COUNTS[(iid, ENGLAND)]
            england_value = round(england_num * scale, 0) / england_den * mult
            for code, name, level, region, *_ in AREAS:
                num, den = LATEST_COUNTS[(iid, code)]
                num = round(num * scale)
                if code == "E08000036" and iid == "successful_completions":
                    num = 3  # suppressed every year
                value, lower, upper = _limits(num, den, kind, mult)
                lower99, upper99 = lower - (value - lower) * 0.5, upper + (upper - value) * 0.5
                suppressed = 1 <= num <= 4
                compared = COMPARED.get((iid, code), "not compared")
                status = "c" if suppressed else ""
                rows.append(
                    (
                        iid, "financial_year", year, start, end, level, code, area[code][1],
                        region, "all",
                        None if suppressed else num,
                        None if suppressed and kind == "proportion" else den,
                        None if suppressed else value,
                        None if suppressed else lower,
                        None if suppressed else upper,
                        None if suppressed else lower99,
                        None if suppressed else upper99,
                        england_value,
                        None if suppressed else compared,
                        None if suppressed else compared,
                        None if suppressed else ("no significant change" if year == LATEST
                                                 else "could not be calculated"),
                        status, status if kind == "proportion" else "", status,
                    )
                )
                del name
    # an opiate breakdown for Leeds in the latest year, to test the substance filter
    rows.append(
        ("successful_completions", "financial_year", LATEST, date(2010, 4, 1),
         date(2011, 3, 31), "local_authority", "E08000035", "Leeds", "E12000003", "opiate",
         90, 300.0, 30.0, 25.0, 35.0, 23.0, 37.0, 28.0, "similar", "similar",
         "no significant change", "", "", "")
    )
    return rows


def write_publication(data_dir: Path) -> Path:
    """Write ``publish/publication.duckdb`` and ``publish/downloads/`` under ``data_dir``."""
    publish = data_dir / "publish"
    downloads = publish / "downloads"
    downloads.mkdir(parents=True, exist_ok=True)
    path = publish / "publication.duckdb"
    if path.exists():
        path.unlink()
    con = duckdb.connect(str(path))
    con.execute(
        "CREATE TABLE build_info(built_at TIMESTAMP, data_end DATE, policy_version VARCHAR, "
        "source VARCHAR)"
    )
    con.execute(
        "INSERT INTO build_info VALUES (?, ?, '1', 'a hand-made test publication')",
        [datetime(2026, 11, 22, 12, 0), date(2011, 9, 30)],
    )
    con.execute(
        "CREATE TABLE areas(area_code VARCHAR PRIMARY KEY, area_name VARCHAR, level VARCHAR, "
        "region_code VARCHAR, region_name VARCHAR, comparator_group INTEGER, sort_key INTEGER)"
    )
    con.executemany("INSERT INTO areas VALUES (?, ?, ?, ?, ?, ?, ?)", AREAS)
    con.execute(
        "CREATE TABLE indicators(indicator_id VARCHAR PRIMARY KEY, title VARCHAR, "
        "numerator_label VARCHAR, denominator_label VARCHAR, kind VARCHAR, multiplier DOUBLE, "
        "polarity VARCHAR, unit VARCHAR, method_note VARCHAR, sort_key INTEGER)"
    )
    con.executemany("INSERT INTO indicators VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", INDICATORS)
    con.execute(
        "CREATE TABLE periods(period_type VARCHAR, period VARCHAR, period_start DATE, "
        "period_end DATE, is_latest BOOLEAN)"
    )
    con.executemany(
        "INSERT INTO periods VALUES ('financial_year', ?, ?, ?, ?)",
        [
            (y, date(int(y[:4]), 4, 1), date(int(y[:4]) + 1, 3, 31), y == LATEST)
            for y in YEARS
        ],
    )
    con.execute(
        "CREATE TABLE indicator_values(indicator_id VARCHAR, period_type VARCHAR, "
        "period VARCHAR, period_start DATE, period_end DATE, level VARCHAR, area_code VARCHAR, "
        "area_name VARCHAR, region_code VARCHAR, substance_group VARCHAR, numerator BIGINT, "
        "denominator DOUBLE, value DOUBLE, lower_95 DOUBLE, upper_95 DOUBLE, "
        "lower_99_8 DOUBLE, upper_99_8 DOUBLE, england_value DOUBLE, compared_95 VARCHAR, "
        "compared_99_8 VARCHAR, trend VARCHAR, numerator_status VARCHAR, "
        "denominator_status VARCHAR, value_status VARCHAR)"
    )
    con.executemany(
        "INSERT INTO indicator_values VALUES (" + ", ".join("?" * 24) + ")", value_rows()
    )
    con.execute(
        "CREATE TABLE funnel_points(indicator_id VARCHAR, period VARCHAR, "
        "substance_group VARCHAR, area_code VARCHAR, area_name VARCHAR, denominator DOUBLE, "
        "value DOUBLE, position VARCHAR)"
    )
    con.execute(
        "INSERT INTO funnel_points SELECT indicator_id, period, substance_group, area_code, "
        "area_name, denominator, value, CASE WHEN compared_95 = 'better' OR "
        "compared_95 = 'higher' THEN 'High (0.025)' WHEN compared_95 IN ('worse', 'lower') "
        "THEN 'Low (0.025)' ELSE 'Not significant' END FROM indicator_values "
        "WHERE level = 'local_authority' AND value_status = ''"
    )
    con.execute(
        "CREATE TABLE funnel_lines(indicator_id VARCHAR, period VARCHAR, "
        "substance_group VARCHAR, line VARCHAR, point INTEGER, denominator DOUBLE, "
        "value DOUBLE, england_value DOUBLE)"
    )
    lines = []
    for iid, *_ in INDICATORS:
        for year in YEARS:
            for line, sign, z in (("lower_95", -1, 1.96), ("upper_95", 1, 1.96),
                                  ("lower_99_8", -1, 3.09), ("upper_99_8", 1, 3.09)):
                for point in range(10):
                    den = 20.0 + point * 70 if iid == "successful_completions" else (
                        5000.0 + point * 8000)
                    p = 0.3 if iid == "successful_completions" else 0.008
                    mult = 100.0 if iid == "successful_completions" else 100000.0
                    value = (p + sign * z * (p * (1 - p) / den) ** 0.5) * mult
                    lines.append((iid, year, "all", line, point, den, value, p * mult))
    con.executemany("INSERT INTO funnel_lines VALUES (?, ?, ?, ?, ?, ?, ?, ?)", lines)
    con.execute(
        "CREATE TABLE case_mix_areas(period VARCHAR, area_code VARCHAR, area_name VARCHAR, "
        "region_code VARCHAR, comparator_group INTEGER, n BIGINT, observed BIGINT, "
        "expected DOUBLE, observed_rate DOUBLE, expected_rate DOUBLE, ratio DOUBLE, "
        "ratio_lower_95 DOUBLE, ratio_upper_95 DOUBLE, adjusted_rate DOUBLE, "
        "adjusted_rate_lower_95 DOUBLE, adjusted_rate_upper_95 DOUBLE, significance VARCHAR, "
        "status VARCHAR)"
    )
    con.executemany(
        "INSERT INTO case_mix_areas VALUES (" + ", ".join("?" * 18) + ")",
        [
            (LATEST, "E08000035", "Leeds", "E12000003", 2, 500, 180, 150.0, 0.36, 0.30, 1.2,
             1.03, 1.39, 0.36, 0.309, 0.417, "High (0.025)", ""),
            (LATEST, "E09000007", "Camden", "E12000007", 2, 600, 260, 200.0, 0.4333, 0.3333,
             1.3, 1.15, 1.47, 0.39, 0.345, 0.441, "High (0.001)", ""),
            (LATEST, "E09000033", "Westminster", "E12000007", 1, 500, 160, 160.0, 0.32, 0.32,
             1.0, 0.85, 1.17, 0.30, 0.255, 0.351, "Not significant", ""),
            (LATEST, "E08000036", "Wakefield", "E12000003", 1, 40, None, None, None, None,
             None, None, None, None, None, None, None, "c"),
        ],
    )
    con.execute(
        "CREATE TABLE case_mix_funnel_lines(period VARCHAR, observed_events DOUBLE, "
        "lower_95_expected DOUBLE, lower_95_ratio DOUBLE, upper_95_expected DOUBLE, "
        "upper_95_ratio DOUBLE, lower_99_8_expected DOUBLE, lower_99_8_ratio DOUBLE, "
        "upper_99_8_expected DOUBLE, upper_99_8_ratio DOUBLE)"
    )
    con.execute(
        "INSERT INTO case_mix_funnel_lines VALUES (?, 10, 17, 0.59, 5.9, 1.7, 23, 0.43, "
        "4.2, 2.4)",
        [LATEST],
    )
    con.execute(
        "CREATE TABLE studies(study VARCHAR PRIMARY KEY, title VARCHAR, cohort VARCHAR, "
        "summary VARCHAR, methods_html VARCHAR, sort_key INTEGER)"
    )
    con.execute(
        "INSERT INTO studies VALUES ('reconviction', 'Drug treatment and reconviction', "
        "'People starting treatment in 2006-07 with a conviction', "
        "'Convictions in the two years before and after starting treatment.', "
        "'<p>Counts of convictions before and after the start, by outcome group.</p>', 1)"
    )
    con.execute(
        "CREATE TABLE study_headlines(study VARCHAR, headline_id VARCHAR, label VARCHAR, "
        "value DOUBLE, unit VARCHAR, lower DOUBLE, upper DOUBLE, published DOUBLE, "
        "published_text VARCHAR, note VARCHAR, status VARCHAR)"
    )
    con.executemany(
        "INSERT INTO study_headlines VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            ("reconviction", "fall", "Fall in convictions after starting treatment", -47.5,
             "%", -50.1, -44.9, -47.0, "-47%", "", ""),
            ("reconviction", "cohort", "People in the cohort", 1234.0, "people", None, None,
             None, "", "", ""),
        ],
    )
    con.execute(
        "CREATE TABLE catalogue(table_id VARCHAR PRIMARY KEY, title VARCHAR, "
        "description VARCHAR, topic VARCHAR, study VARCHAR, notes VARCHAR, sort_key INTEGER, "
        "row_count BIGINT, csv_file VARCHAR)"
    )
    con.execute(
        "CREATE TABLE study_reconviction_outcome_groups(outcome_group VARCHAR, people BIGINT, "
        "convictions_before BIGINT, convictions_after BIGINT, suppressed_columns VARCHAR)"
    )
    con.executemany(
        "INSERT INTO study_reconviction_outcome_groups VALUES (?, ?, ?, ?, ?)",
        [("completed", 400, 900, 300, ""), ("dropped out", 700, 1600, 1100, ""),
         ("other", None, None, None, "people, convictions_before")],
    )
    con.execute(
        "CREATE TABLE indicator_values_table AS SELECT indicator_id, period, area_code, "
        "area_name, substance_group, numerator, value FROM indicator_values"
    )
    con.executemany(
        "INSERT INTO catalogue VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            ("indicator_values_table", "Indicator values", "Every indicator by area and year",
             "indicators", None, "", 1, len(value_rows()), "indicator_values_table.csv"),
            ("study_reconviction_outcome_groups", "Reconviction by outcome group",
             "Convictions before and after, by how treatment ended", "studies",
             "reconviction", "", 2, 3, "study_reconviction_outcome_groups.csv"),
        ],
    )
    con.close()
    (downloads / "indicator_values_table.csv").write_text(
        "indicator_id,period,area_code,value\r\nsuccessful_completions,2010-11,E08000035,36.0\r\n"
        "successful_completions,2010-11,E08000036,[c]\r\n",
        encoding="utf-8",
    )
    (downloads / "study_reconviction_outcome_groups.csv").write_text(
        "outcome_group,people,convictions_before,convictions_after\r\n"
        "completed,400,900,300\r\ndropped out,700,1600,1100\r\nother,[c],[c],[x]\r\n",
        encoding="utf-8",
    )
    with zipfile.ZipFile(downloads / "recoverylink-outcomes.xlsx", "w") as book:
        book.writestr("[Content_Types].xml", "<Types/>")
        book.writestr("xl/workbook.xml", "<workbook/>")
    with zipfile.ZipFile(downloads / "recoverylink-outcomes.ods", "w") as book:
        book.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        book.writestr("content.xml", "<office:document-content/>")
    return path

