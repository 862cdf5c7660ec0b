"""The website in a real browser: Debian's chromium driven by Playwright, over a live server.

A reader's journey (the overview, a search, an area's page whose figures must
equal the publication database's, a spreadsheet download), an axe-core
accessibility check of every page type, and the site with JavaScript turned
off. Screenshots, the download and axe's findings go to test-artefacts/.
"""

from __future__ import annotations

import json
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from recoverylink.web import fmt, urls

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
ARTEFACTS = REPO / "test-artefacts"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: the browser tests need Debian's chromium "
            "(`make venv` installs it with apt-get install chromium)"
        )
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1200, "height": 900}, accept_downloads=True)
    context.set_default_timeout(20_000)
    page = context.new_page()
    yield page
    context.close()


def shot(page: Page, name: str) -> None:
    folder = ARTEFACTS / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"), full_page=False)


def publication(data_dir: Path) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(data_dir / "publish" / "publication.duckdb"), read_only=True)


def shown_value(row: dict[str, Any] | None, kind: str) -> str:
    """What the page must show for a row of indicator_values, worked out from the row."""
    if row is None or row["value_status"] == "x" or (row["value"] is None and not row[
        "value_status"
    ]):
        return "[x]"
    if row["value_status"] == "c":
        return "[c]"
    return f"{row['value']:,.1f}" + ("%" if kind == "proportion" else "")


def test_reader_finds_an_area_and_sees_the_published_figures(
    page: Page, live_site: str, site_data_dir: Path, sample_area: tuple[str, str]
) -> None:
    code, name = sample_area
    page.goto(live_site + "/")
    expect(page.locator("h1")).to_have_text("England")
    shot(page, "01-overview")

    page.get_by_role("link", name="Find an area").first.click()
    page.get_by_label("Search by name or code").fill(name)
    shot(page, "02-search")
    page.get_by_role("button", name="Search").click()
    expect(page).to_have_url(re.compile(re.escape(f"/areas/{code}") + "$"))
    expect(page.locator("h1")).to_have_text(name)
    shot(page, "03-area")

    con = publication(site_data_dir)
    try:
        (year,) = con.execute(
            "SELECT period FROM periods WHERE period_type = 'financial_year' AND is_latest"
        ).fetchone() or (None,)
        indicators = con.execute(
            "SELECT indicator_id, kind FROM indicators ORDER BY sort_key"
        ).fetchall()
        cursor = con.execute(
            "SELECT * FROM indicator_values WHERE area_code = ? AND period = ? "
            "AND period_type = 'financial_year' AND substance_group = 'all'",
            [code, year],
        )
        names = [d[0] for d in cursor.description]
        rows = {r[0]: dict(zip(names, r, strict=True)) for r in cursor.fetchall()}
    finally:
        con.close()
    assert indicators, "the publication has no indicators"
    checked = 0
    for indicator_id, kind in indicators:
        row = rows.get(indicator_id)
        cell = page.locator(
            f'#indicator-summary tr[data-indicator="{indicator_id}"] td[data-field="value"]'
        )
        expect(cell).to_have_text(shown_value(row, kind))
        if row is not None and not row["value_status"]:
            numerator = page.locator(
                f'#indicator-summary tr[data-indicator="{indicator_id}"] '
                'td[data-field="numerator"]'
            )
            expect(numerator).to_have_text(fmt.count(row["numerator"]))
            checked += 1
    assert checked >= min(3, len(indicators)), f"{name} has too few published figures to check"

    page.locator(".rl-chart").first.scroll_into_view_if_needed()
    shot(page, "04-area-trend")


def test_reader_downloads_the_spreadsheet(page: Page, live_site: str) -> None:
    page.goto(live_site + urls.url("downloads"))
    shot(page, "05-downloads")
    link = page.locator(f'a[href="{urls.download("recoverylink-outcomes.xlsx")}"]')
    with page.expect_download() as info:
        link.click()
    download = info.value
    target = ARTEFACTS / "downloads" / download.suggested_filename
    target.parent.mkdir(parents=True, exist_ok=True)
    download.save_as(target)
    assert download.suggested_filename == "recoverylink-outcomes.xlsx"
    with zipfile.ZipFile(target) as book:
        names = book.namelist()
        assert book.testzip() is None
    assert "[Content_Types].xml" in names and "xl/workbook.xml" in names


def axe_pages(sample_area: tuple[str, str], region: str, study: str) -> list[tuple[str, str]]:
    code, name = sample_area
    return [
        ("overview", urls.url("overview")),
        ("search", urls.url("areas", q=name[:3])),
        ("local-authority", urls.url("area", code=code)),
        ("region", urls.url("area", code=region)),
        ("studies", urls.url("studies")),
        ("study", urls.url("study", study=study)),
        ("methods", urls.url("methods")),
        ("downloads", urls.url("downloads")),
        ("not-found", "/areas/E06999999"),
    ]


def test_every_page_type_passes_axe(
    page: Page, live_site: str, sample_area: tuple[str, str], sample_region: str,
    sample_study: str,
) -> None:
    assert AXE.is_file(), f"{AXE} is missing: run `make venv` (npm ci installs axe-core)"
    findings: dict[str, list[dict[str, Any]]] = {}
    for label, path in axe_pages(sample_area, sample_region, sample_study):
        page.goto(live_site + path)
        page.add_script_tag(path=str(AXE))
        result = page.evaluate(
            "async () => await axe.run(document, {resultTypes: ['violations']})"
        )
        findings[label] = [
            {"id": v["id"], "impact": v["impact"], "help": v["help"],
             "nodes": [n["target"] for n in v["nodes"]][:5]}
            for v in result["violations"]
        ]
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    (ARTEFACTS / "axe.json").write_text(json.dumps(findings, indent=2), encoding="utf-8")
    serious = {
        label: [f"{v['id']} ({v['impact']}): {v['help']} at {v['nodes']}" for v in found
                if v["impact"] in ("serious", "critical")]
        for label, found in findings.items()
    }
    assert not any(serious.values()), serious


def test_the_site_works_without_javascript(
    browser: Browser, live_site: str, sample_area: tuple[str, str]
) -> None:
    code, name = sample_area
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1200,
                                                                        "height": 900})
    try:
        page = context.new_page()
        page.goto(live_site + urls.url("areas"))
        assert "js-enabled" not in (page.locator("body").get_attribute("class") or "")
        page.get_by_label("Search by name or code").fill(code)
        page.get_by_label("Search by name or code").press("Enter")
        expect(page).to_have_url(re.compile(re.escape(f"/areas/{code}") + "$"))
        expect(page.locator("h1")).to_have_text(name)
        years = page.locator("#period option").all_inner_texts()
        assert len(years) >= 2
        page.select_option("#period", years[-2])
        page.get_by_role("button", name="Show figures").click()
        expect(page).to_have_url(re.compile(re.escape(f"period={years[-2]}")))
        expect(page.locator("#period option[selected]")).to_have_text(years[-2])
        details = page.locator("details.govuk-details").first
        details.locator("summary").click()
        assert details.get_attribute("open") is not None
        shot(page, "06-no-javascript")
    finally:
        context.close()
