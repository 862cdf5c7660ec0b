"""Nothing the website publishes identifies anyone or shows a count from 1 to 4.

Every page of the site, with its .json and .csv twins, and every file in the
downloads folder are scanned for the identifiers in the identity store of the
data directory the site was built from, and for unsuppressed counts from 1 to
4 in count columns (see privacy_scan.py for what is searched for and how).
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
from fastapi.testclient import TestClient
from privacy_scan import Identifiers, Scan, crawl, place_names

from recoverylink.web import urls
from recoverylink.web.app import create_app


def study_count_columns(publication: Path) -> dict[str, set[str]]:
    """Each published study table's count columns, from the publisher's table specs."""
    from recoverylink.publish.study_tables import SPECS

    con = duckdb.connect(str(publication), read_only=True)
    try:
        tables = con.execute(
            "SELECT table_id, study FROM catalogue WHERE study IS NOT NULL"
        ).fetchall()
    finally:
        con.close()
    out: dict[str, set[str]] = {}
    for table_id, study in tables:
        for name, spec in SPECS.get(study, {}).items():
            if table_id in (f"study_{study}_{name}", f"{study}_{name}", name):
                out[table_id] = set(spec.counts)
    return out


def scan_site(data_dir: Path, identifiers: Identifiers) -> tuple[Scan, list[str]]:
    publish = data_dir / "publish"
    db = publish / "publication.duckdb"
    scan = Scan(identifiers)
    con = duckdb.connect(str(db), read_only=True)
    try:
        scan.population_indicators = {
            row[0] for row in con.execute(
                "SELECT indicator_id FROM indicators WHERE "
                "lower(denominator_label) LIKE '%population%'"
            ).fetchall()
        }
        groups = [r[0] for r in con.execute(
            "SELECT DISTINCT substance_group FROM indicator_values").fetchall()]
        years = [r[0] for r in con.execute(
            "SELECT period FROM periods WHERE period_type = 'financial_year'").fetchall()]
        region, local = con.execute(
            "SELECT region_code, area_code FROM areas WHERE level = 'local_authority' "
            "ORDER BY sort_key LIMIT 1").fetchone() or ("", "")
    finally:
        con.close()
    scan.study_counts = study_count_columns(db)
    # every page reachable from the overview, and each level's page for every substance
    # group and every financial year (the form's choices, which no link leads to)
    seeds: list[str] = []
    for name, code in (("overview", None), ("area", region), ("area", local)):
        params = {"code": code} if code else {}
        for group in groups:
            seeds += [urls.url(name, f, substance=group, **params) for f in urls.FORMATS]
        for year in years:
            seeds += [urls.url(name, f, period=year, **params) for f in urls.FORMATS]
    fetched = []
    with TestClient(create_app(db, publish / "downloads")) as client:
        for url, content_type, body in crawl(client.get, "/", seeds):
            fetched.append(url)
            if content_type.startswith("application/json"):
                scan.json_document(url, json.loads(body))
            elif content_type.startswith("text/csv"):
                table_id = Path(url.split("?")[0]).stem if "/downloads/files/" in url else ""
                scan.csv_document(url, body.decode("utf-8"), table_id)
            elif url.endswith((".xlsx", ".ods")):
                scan.workbook(url, body)
            else:
                scan.text(url, body.decode("utf-8"))
    # every file in the downloads folder that no link led to (the rest were read above)
    for path in sorted((publish / "downloads").iterdir()):
        if urls.download(path.name) in fetched:
            continue
        source = f"downloads/{path.name}"
        if path.suffix == ".csv":
            scan.csv_document(source, path.read_text(encoding="utf-8"), path.stem)
        elif path.suffix in (".xlsx", ".ods"):
            scan.workbook(source, path.read_bytes())
        else:
            scan.text(source, path.read_bytes().decode("utf-8", "replace"))
    return scan, fetched


def test_nothing_published_holds_an_identifier_or_a_small_count(site_data_dir: Path) -> None:
    identifiers = Identifiers.from_identity_store(site_data_dir / "identity.duckdb")
    assert identifiers.single and identifiers.phrases and identifiers.names
    scan, fetched = scan_site(site_data_dir, identifiers)
    con = duckdb.connect(str(site_data_dir / "publish" / "publication.duckdb"), read_only=True)
    try:
        areas = [r[0] for r in con.execute("SELECT area_code FROM areas").fetchall()]
        files = [r[0] for r in con.execute("SELECT csv_file FROM catalogue").fetchall()]
    finally:
        con.close()
    # the crawl reached every area in every form, and every download
    for code in areas:
        forms = ("/", "/index.json", "/index.csv") if code == "E92000001" else tuple(
            urls.url("area", f, code=code) for f in urls.FORMATS
        )
        assert set(forms) <= set(fetched), code
    for name in [*files, "recoverylink-outcomes.xlsx", "recoverylink-outcomes.ods"]:
        assert urls.download(name) in fetched, name
    assert scan.leaks() == []
    assert scan.small_counts() == []


# -- the scan finds what it looks for ---------------------------------------------------------


def test_the_scan_finds_planted_identifiers_and_counts(site_data_dir: Path) -> None:
    identifiers = Identifiers.from_identity_store(site_data_dir / "identity.duckdb")
    people = duckdb.connect(str(site_data_dir / "identity.duckdb"), read_only=True)
    try:
        places = place_names()
        pnc, surname, forenames, born, postcode = next(
            row for row in people.execute(
                "SELECT pnc_id, surname, forenames, date_of_birth, postcode FROM pnc_nominals "
                "WHERE postcode IS NOT NULL ORDER BY record_id"
            ).fetchall()
            if row[1].lower() not in places  # (a surname that is also a place is not a cell)
        )
        (client_ref,) = people.execute(
            "SELECT client_ref FROM treatment_episodes LIMIT 1").fetchone() or ("",)
    finally:
        people.close()
    first = forenames.split()[0]
    planted = {
        "pnc": f"<td>{pnc}</td>",
        "client": f"ref {client_ref}.",
        "born": f"born {born:%d/%m/%Y}",
        "born-iso": f'"{born.isoformat()}"',
        "name": f"<p>{first} {surname} was seen</p>",
        "reversed": f"{surname.upper()}, {first.lower()}",
        "postcode": f"lives at {postcode}",
    }
    for label, text in planted.items():
        scan = Scan(identifiers)
        scan.text(label, f"<html>An ordinary page. {text} The end.</html>")
        assert scan.leaks(), label
    scan = Scan(identifiers)
    scan.json_document("cell", {"rows": [{"who": surname}]})
    assert scan.leaks() == [f"cell: cell {surname.lower()!r}"]
    clean = Scan(identifiers)
    clean.text("clean", "<p>36.0% of 500 people in Leeds, 2010-11 (2010-04-01 to 2011-03-31)</p>")
    clean.json_document("place", {"area_name": "Wakefield"})  # a place, though also a surname
    assert clean.leaks() == []

    counts = Scan()
    counts.population_indicators = {"in_treatment"}
    counts.json_document("j", {"indicators": [
        {"indicator_id": "successful_completions", "numerator": 3, "denominator": 40.0},
        {"indicator_id": "in_treatment", "numerator": 12, "denominator": 4.0},
        {"indicator_id": "successful_completions", "numerator": None, "value": 2.5},
    ]})
    counts.csv_document("c", "group,people,rate\r\na,2,1.5\r\nb,[c],[c]\r\nc,0,0\r\n")
    counts.json_document("h", {"headlines": [{"unit": "people", "value": 4.0},
                                             {"unit": "%", "value": 3.0}]})
    assert counts.small_counts() == [
        "j: numerator = 3", "c: people = 2.0", "h: value = 4.0",
    ]
