"""The website's routes on a hand-made publication: every page, its twins, errors, the cache.

Expected figures are worked out here from the hand-made counts (see
handmade_publication.py) or read from the database, never copied from a page.
"""

from __future__ import annotations

import csv
import gzip
import io
import re
import shutil
import socket
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import duckdb
import pytest
from fastapi.testclient import TestClient
from handmade_publication import ENGLAND, LATEST, LATEST_COUNTS, write_publication

from recoverylink.cli.main import main
from recoverylink.web import app as web_app
from recoverylink.web import urls
from recoverylink.web.app import WebAssetsError, create_app
from recoverylink.web.store import PublicationError

LEEDS, WAKEFIELD, YORKSHIRE = "E08000035", "E08000036", "E12000003"

PAGES = [
    ("overview", {}),
    ("areas", {}),
    ("areas", {"q": "e0"}),
    ("area", {"code": LEEDS}),
    ("area", {"code": YORKSHIRE}),
    ("area", {"code": LEEDS, "period": "2008-09", "substance": "all"}),
    ("studies", {}),
    ("study", {"study": "reconviction"}),
    ("methods", {}),
    ("downloads", {}),
]
CONTENT_TYPES = {"html": "text/html", "json": "application/json", "csv": "text/csv"}


class Cells(HTMLParser):
    """The text of each element carrying data-indicator and data-field, by (indicator, field)."""

    def __init__(self) -> None:
        super().__init__()
        self.cells: dict[tuple[str, str], list[str]] = {}
        self._row: str | None = None
        self._open: list[tuple[str, tuple[str, str] | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "tr" and found.get("data-indicator"):
            self._row = found["data-indicator"]
        key = None
        if found.get("data-field"):
            indicator = found.get("data-indicator") or self._row
            if indicator:
                key = (indicator, str(found["data-field"]))
                self.cells.setdefault(key, []).append("")
        self._open.append((tag, key))

    def handle_endtag(self, tag: str) -> None:
        while self._open:
            open_tag, _ = self._open.pop()
            if open_tag == tag:
                break
        if tag == "tr":
            self._row = None

    def handle_data(self, data: str) -> None:
        for _, key in self._open:
            if key is not None:
                self.cells[key][-1] += data


def cells(html: str) -> dict[tuple[str, str], list[str]]:
    parser = Cells()
    parser.feed(html)
    return {key: [" ".join(text.split()) for text in texts] for key, texts in parser.cells.items()}


def db_row(data_dir: Path, indicator: str, area: str, period: str = LATEST) -> dict[str, object]:
    con = duckdb.connect(str(data_dir / "publish" / "publication.duckdb"), read_only=True)
    try:
        cursor = con.execute(
            "SELECT * FROM indicator_values WHERE indicator_id = ? AND area_code = ? "
            "AND period = ? AND substance_group = 'all'",
            [indicator, area, period],
        )
        names = [d[0] for d in cursor.description]
        rows = cursor.fetchall()
    finally:
        con.close()
    assert len(rows) == 1
    return dict(zip(names, rows[0], strict=True))


# -- the URL builder --------------------------------------------------------------------------


def test_url_builder_makes_every_form_of_every_page() -> None:
    assert urls.url("overview") == "/"
    assert urls.url("overview", "json") == "/index.json"
    assert urls.url("overview", "csv", period="2009-10") == "/index.csv?period=2009-10"
    assert urls.url("area", code=LEEDS) == f"/areas/{LEEDS}"
    assert urls.url("area", "json", code=LEEDS, substance="opiate", period="2010-11") == (
        f"/areas/{LEEDS}.json?period=2010-11&substance=opiate"
    )
    assert urls.url("area", code=LEEDS, period=None) == f"/areas/{LEEDS}"
    assert urls.url("areas", q="St Helens") == "/areas?q=St+Helens"
    assert urls.url("study", "csv", study="top") == "/studies/top.csv"
    assert urls.download("a b.csv") == "/downloads/files/a%20b.csv"
    with pytest.raises(ValueError, match="needs code"):
        urls.url("area")
    with pytest.raises(KeyError):
        urls.url("nowhere")
    with pytest.raises(ValueError, match="no format"):
        urls.url("overview", "xml")  # type: ignore[arg-type]


def test_twins_of_a_path_keep_its_query() -> None:
    assert urls.twin("/", "period=2009-10", "json") == "/index.json?period=2009-10"
    assert urls.twin("/index.csv", "", "html") == "/"
    assert urls.twin(f"/areas/{LEEDS}.json", "a=1", "csv") == f"/areas/{LEEDS}.csv?a=1"
    assert urls.requested_format("/areas.csv") == "csv"
    assert urls.page_path("/studies/top.json") == "/studies/top"


def test_every_link_in_the_templates_comes_from_the_url_builder() -> None:
    folder = Path(web_app.__file__).parent / "templates"
    for template in folder.glob("*.html"):
        text = template.read_text(encoding="utf-8")
        for href in re.findall(r'(?:href|src|action)="([^"]*)"', text):
            assert href.startswith(("{{", "#", "https://")), (template.name, href)


# -- every page, in every form ----------------------------------------------------------------


@pytest.mark.parametrize(("name", "params"), PAGES)
@pytest.mark.parametrize("fmt", urls.FORMATS)
def test_every_page_answers_in_every_format(
    client: TestClient, name: str, params: dict[str, str], fmt: urls.Format
) -> None:
    response = client.get(urls.url(name, fmt, **params))
    assert response.status_code == 200, response.text[:500]
    assert response.headers["content-type"].startswith(CONTENT_TYPES[fmt])
    if fmt == "html":
        assert '<main class="govuk-main-wrapper" id="main-content">' in response.text
        twins = urls.url(name, "json", **params)
        assert f'href="{twins.replace("&", "&amp;")}"' in response.text
    elif fmt == "json":
        assert isinstance(response.json(), dict)
    else:
        header = next(csv.reader(io.StringIO(response.text)))
        assert header and all(header)


def test_area_page_shows_the_figures_of_the_database(
    client: TestClient, handmade_dir: Path
) -> None:
    html = client.get(urls.url("area", code=LEEDS)).text
    shown = cells(html)
    row = db_row(handmade_dir, "successful_completions", LEEDS)
    num, den = LATEST_COUNTS[("successful_completions", LEEDS)]
    assert row["value"] == pytest.approx(num / den * 100)
    value = f"{num / den * 100:.1f}%"  # 36.0%
    assert shown[("successful_completions", "value")] == [value, value]
    assert shown[("successful_completions", "interval")] == [
        f"{row['lower_95']:.1f}% to {row['upper_95']:.1f}%"
    ]
    assert shown[("successful_completions", "numerator")] == [f"{num:,}"]
    assert shown[("successful_completions", "denominator")] == [f"{den:,}"]
    england = LATEST_COUNTS[("successful_completions", ENGLAND)]
    assert shown[("successful_completions", "england")] == [f"{england[0] / england[1] * 100:.1f}%"]
    assert shown[("successful_completions", "benchmark")] == ["Better than England"]
    rate_num, population = LATEST_COUNTS[("in_treatment", LEEDS)]
    assert shown[("in_treatment", "value")][0] == f"{rate_num / population * 100000:,.1f}"
    assert shown[("in_treatment", "benchmark")] == ["Lower than England"]
    assert "Drug treatment outcomes in Leeds" in html
    assert ">Yorkshire and The Humber</a>" in html  # the breadcrumb to its region


def test_suppressed_figures_show_as_c_and_never_their_count(client: TestClient) -> None:
    html = client.get(urls.url("area", code=WAKEFIELD)).text
    shown = cells(html)
    for field in ("value", "interval", "numerator", "denominator"):
        assert shown[("successful_completions", field)][0] == "[c]", field
    assert shown[("successful_completions", "benchmark")] == ["Not compared"]
    data = client.get(urls.url("area", "json", code=WAKEFIELD)).json()
    (completions,) = [
        i for i in data["indicators"] if i["indicator_id"] == "successful_completions"
    ]
    assert completions["value"] is None and completions["numerator"] is None
    assert completions["value_status"] == "c"
    text = client.get(urls.url("area", "csv", code=WAKEFIELD)).text
    rows = list(csv.DictReader(io.StringIO(text)))
    (row,) = [r for r in rows if r["indicator_id"] == "successful_completions"]
    assert row["numerator"] == row["value"] == row["lower_95"] == "[c]"


def test_area_twins_agree_with_the_page_and_the_database(
    client: TestClient, handmade_dir: Path
) -> None:
    data = client.get(urls.url("area", "json", code=LEEDS)).json()
    rows = list(csv.DictReader(io.StringIO(client.get(urls.url("area", "csv", code=LEEDS)).text)))
    shown = cells(client.get(urls.url("area", code=LEEDS)).text)
    assert data["area"]["area_code"] == LEEDS and data["period"] == LATEST
    assert [i["indicator_id"] for i in data["indicators"]] == [r["indicator_id"] for r in rows]
    for indicator, row in zip(data["indicators"], rows, strict=True):
        expected = db_row(handmade_dir, indicator["indicator_id"], LEEDS)
        for column in ("numerator", "denominator", "value", "lower_95", "upper_95",
                       "compared_95", "trend"):
            assert indicator[column] == expected[column], column
            assert row[column] == str(expected[column]), column
        suffix = "%" if indicator["kind"] == "proportion" else ""
        assert shown[(indicator["indicator_id"], "value")][0] == (
            f"{expected['value']:,.1f}{suffix}"
        )
        years = [t["period"] for t in indicator["five_year_trend"]]
        assert years == ["2006-07", "2007-08", "2008-09", "2009-10", "2010-11"]
        for point in indicator["five_year_trend"]:
            assert point["value"] == db_row(
                handmade_dir, indicator["indicator_id"], LEEDS, point["period"]
            )["value"]


def test_area_page_has_accessible_charts_beside_their_data(client: TestClient) -> None:
    html = client.get(urls.url("area", code=LEEDS)).text
    charts = re.findall(r"<svg[^>]*>", html)
    assert len(charts) == 4  # a trend and a funnel for each of the two indicators
    for chart in charts:
        assert 'role="img"' in chart and "aria-labelledby=" in chart
    for iid in ("successful_completions", "in_treatment"):
        for kind in ("trend", "funnel"):
            assert f'<title id="{kind}-{iid}-title">' in html
            assert f'<desc id="{kind}-{iid}-desc">' in html
            assert f'id="{iid}-{kind}-text"' in html  # the description, shown as text
    # the area is picked out by shape and by its name, not by colour alone
    assert 'class="rl-chart__callout">Leeds</text>' in html
    assert "The data in the trend chart" in html and "The data in the funnel plot" in html
    assert 'stroke-dasharray="6 4"' in html and 'stroke-dasharray="2 3"' in html
    assert "marked with a large diamond" in html


def test_region_page_marks_its_local_authorities(client: TestClient) -> None:
    html = client.get(urls.url("area", code=YORKSHIRE)).text
    assert "Local authorities in Yorkshire and The Humber" in html
    assert "Leeds (in Yorkshire and The Humber)" in html
    assert f'href="/areas/{LEEDS}"' in html and f'href="/areas/{WAKEFIELD}"' in html


def test_local_authority_is_compared_with_its_case_mix_group(client: TestClient) -> None:
    html = client.get(urls.url("area", code=LEEDS)).text
    assert "Comparator group 2" in html
    group = html.split('id="case-mix-group"', 1)[1].split("</table>", 1)[0]
    assert "Leeds (this area)" in group and "Camden" in group
    assert "Westminster" not in group  # group 1
    data = client.get(urls.url("area", "json", code=LEEDS)).json()["case_mix"]
    assert data["comparator_group"] == 2
    assert data["area"]["ratio"] == pytest.approx(1.2)
    assert sorted(r["area_code"] for r in data["rows"]) == [LEEDS, "E09000007"]


def test_period_and_substance_choose_the_figures(
    client: TestClient, handmade_dir: Path
) -> None:
    data = client.get(urls.url("area", "json", code=LEEDS, period="2008-09")).json()
    (completions,) = [
        i for i in data["indicators"] if i["indicator_id"] == "successful_completions"
    ]
    assert completions["value"] == db_row(handmade_dir, "successful_completions", LEEDS,
                                          "2008-09")["value"]
    opiate = client.get(urls.url("area", "json", code=LEEDS, substance="opiate")).json()
    (completions,) = [
        i for i in opiate["indicators"] if i["indicator_id"] == "successful_completions"
    ]
    assert completions["value"] == pytest.approx(90 / 300 * 100)
    assert client.get(urls.url("area", code=LEEDS, period="1999-00")).status_code == 404
    assert client.get(urls.url("area", code=LEEDS, substance="tea")).status_code == 404


def test_england_area_page_is_the_overview(client: TestClient) -> None:
    response = client.get(urls.url("area", code=ENGLAND), follow_redirects=False)
    assert response.status_code == 302 and response.headers["location"] == "/"
    response = client.get(urls.url("area", "json", code=ENGLAND), follow_redirects=False)
    assert response.headers["location"] == "/index.json"
    overview = client.get("/").text
    assert "<h2 class=\"govuk-heading-l\" id=\"children\">Regions</h2>" in overview
    assert 'href="/areas/E12000007"' in overview


# -- finding an area --------------------------------------------------------------------------


def test_search_by_name_or_code_goes_to_the_one_match(client: TestClient) -> None:
    for words in ("wakefield", "  WAKE ", WAKEFIELD, WAKEFIELD.lower()):
        response = client.get(urls.url("areas", q=words), follow_redirects=False)
        assert response.status_code == 302, words
        assert response.headers["location"] == f"/areas/{WAKEFIELD}"


def test_search_lists_several_matches_and_says_when_none(client: TestClient) -> None:
    html = client.get(urls.url("areas", q="E09")).text
    assert "2 areas found." in html and "Camden" in html and "Westminster" in html
    data = client.get(urls.url("areas", "json", q="E09")).json()
    assert [a["area_code"] for a in data["areas"]] == ["E09000007", "E09000033"]
    html = client.get(urls.url("areas", q="Atlantis")).text
    assert "No area matches ‘Atlantis’" in html
    assert client.get(urls.url("areas", "json", q="Atlantis")).json()["areas"] == []


def test_search_works_as_a_plain_form(client: TestClient) -> None:
    html = client.get(urls.url("areas")).text
    form = re.search(r'<form method="get" action="([^"]+)" role="search"', html)
    assert form is not None and form.group(1) == "/areas"
    assert 'name="q"' in html and "<script" not in html.split("<main", 1)[1].split("</main>")[0]


# -- errors -----------------------------------------------------------------------------------


def test_unknown_area_code_is_a_helpful_404_in_html(client: TestClient) -> None:
    response = client.get("/areas/E08000099")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "There is no area with the code E08000099." in response.text
    suggestions = response.text.split('id="suggestions"', 1)[1].split("</ul>", 1)[0]
    assert f'href="/areas/{LEEDS}"' in suggestions  # a code one digit away
    assert 'action="/areas"' in response.text and 'value="E08000099"' in response.text


def test_unknown_area_code_is_a_404_in_json(client: TestClient) -> None:
    for response in (
        client.get("/areas/E08000099.json"),
        client.get("/areas/E08000099.csv"),
        client.get("/areas/E08000099", headers={"accept": "application/json"}),
    ):
        assert response.status_code == 404
        error = response.json()["error"]
        assert error["status"] == 404
        assert error["message"] == "There is no area with the code E08000099."
        assert LEEDS in [s["area_code"] for s in error["suggestions"]]


def test_unknown_pages_and_files_are_404s(client: TestClient) -> None:
    assert client.get("/nowhere").status_code == 404
    assert client.get("/nowhere.json").json()["error"]["status"] == 404
    assert client.get("/studies/astrology").status_code == 404
    assert client.get(urls.download("secrets.toml")).status_code == 404
    assert client.get("/downloads/files/..%2Fpublication.duckdb").status_code == 404


# -- studies, methods, downloads --------------------------------------------------------------


def test_study_page_shows_headlines_and_tables(client: TestClient) -> None:
    html = client.get(urls.url("study", study="reconviction")).text
    assert "Drug treatment and reconviction" in html
    headline = html.split('data-headline="fall"', 1)[1].split("</tr>", 1)[0]
    assert "-47.5%" in headline and "-50.1% to -44.9%" in headline and "-47%" in headline
    assert "Reconviction by outcome group" in html and "dropped out" in html
    table = html.split('id="table-study_reconviction_outcome_groups"', 1)[1].split("</table>")[0]
    assert "suppressed_columns" not in table
    other = re.sub(r"\s+", "", table.split(">other<", 1)[1].split("</tr>", 1)[0])
    assert other == (
        '/td><tdclass="govuk-table__cell">[c]</td><tdclass="govuk-table__cell">[c]</td>'
        '<tdclass="govuk-table__cell">[x]</td>'
    )
    assert "<p>Counts of convictions before and after the start" in html
    data = client.get(urls.url("study", "json", study="reconviction")).json()
    assert [h["headline_id"] for h in data["headlines"]] == ["cohort", "fall"]
    (table,) = data["tables"]
    assert table["rows"][1] == {"outcome_group": "dropped out", "people": 700,
                                "convictions_before": 1600, "convictions_after": 1100,
                                "suppressed_columns": ""}
    assert table["rows"][2]["people"] is None


def test_methods_page_lists_every_indicator(client: TestClient) -> None:
    html = client.get(urls.url("methods")).text
    assert "Successful completions as a percentage of people in treatment" in html
    assert "People in treatment per 100,000 population" in html
    rows = list(csv.DictReader(io.StringIO(client.get(urls.url("methods", "csv")).text)))
    assert [r["indicator_id"] for r in rows] == ["successful_completions", "in_treatment"]


def test_downloads_page_links_every_catalogued_file(client: TestClient) -> None:
    html = client.get(urls.url("downloads")).text
    for name in ("indicator_values_table.csv", "study_reconviction_outcome_groups.csv",
                 "recoverylink-outcomes.xlsx", "recoverylink-outcomes.ods"):
        assert f'href="{urls.download(name)}"' in html, name
    response = client.get(urls.download("recoverylink-outcomes.xlsx"))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert response.headers["content-disposition"].startswith("attachment")
    assert "xl/workbook.xml" in zipfile.ZipFile(io.BytesIO(response.content)).namelist()


def test_csv_twins_cannot_start_a_formula() -> None:
    assert web_app.csv_cell("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert web_app.csv_cell("-2 people") == "'-2 people"
    assert web_app.csv_cell(-2.5) == "-2.5"
    assert web_app.csv_cell(None) == ""


# -- speed: the cache -------------------------------------------------------------------------


def test_pages_are_cached_compressed_and_revalidated(client: TestClient) -> None:
    cache = client.app.state.cache  # type: ignore[attr-defined]
    url = urls.url("area", code="E09000033")
    first = client.get(url)
    hits = cache.hits
    second = client.get(url, headers={"accept-encoding": "gzip"})
    assert cache.hits == hits + 1
    assert second.text == first.text
    assert second.headers["content-encoding"] == "gzip"
    raw = client.get(url, headers={"accept-encoding": "identity"})
    assert "content-encoding" not in raw.headers and raw.text == first.text
    assert gzip.decompress(gzip.compress(raw.content)) == raw.content
    etag = first.headers["etag"]
    again = client.get(url, headers={"if-none-match": etag})
    assert again.status_code == 304 and again.content == b""


def test_a_head_request_first_does_not_empty_the_cached_page(client: TestClient) -> None:
    url = urls.url("area", code=LEEDS, substance="opiate")
    head = client.head(url)
    assert head.status_code == 200 and head.content == b""
    assert "Drug treatment outcomes in Leeds" in client.get(url).text
    assert client.head(url).content == b""


def test_a_new_build_is_served_without_a_restart(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_publication(tmp_path)
    db = tmp_path / "publish" / "publication.duckdb"
    with TestClient(create_app(db, tmp_path / "publish" / "downloads")) as test_client:
        monkeypatch.setattr(web_app, "RELOAD_CHECK_SECONDS", 0.0)
        assert "Camden" in test_client.get("/areas").text
        new = tmp_path / "new.duckdb"
        shutil.copy(db, new)
        con = duckdb.connect(str(new))
        con.execute("UPDATE areas SET area_name = 'Camden Town' WHERE area_code = 'E09000007'")
        con.close()
        new.replace(db)  # as publish build does: a new file renamed into place
        assert "Camden Town" in test_client.get("/areas").text


# -- set-up errors ----------------------------------------------------------------------------


def test_missing_govuk_frontend_is_a_clear_error(handmade_dir: Path, tmp_path: Path) -> None:
    with pytest.raises(WebAssetsError, match=r"GOV\.UK Frontend is not installed.*npm ci"):
        create_app(handmade_dir / "publish" / "publication.duckdb",
                   handmade_dir / "publish" / "downloads", govuk_frontend=tmp_path)


def test_missing_publication_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(PublicationError, match="run `recoverylink publish build` first"):
        create_app(tmp_path / "publication.duckdb", tmp_path)
    not_one = tmp_path / "other.duckdb"
    duckdb.connect(str(not_one)).close()
    with pytest.raises(PublicationError, match="is not a publication database"):
        create_app(not_one, tmp_path)


def test_serve_command_says_what_is_missing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["serve", "--data-dir", str(tmp_path), "--port", "8123"])
    assert code == 2
    assert "no publication database" in capsys.readouterr().err


def test_serve_command_refuses_a_port_in_use(
    handmade_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code = main(["serve", "--data-dir", str(handmade_dir), "--port", str(port)])
    assert code == 2
    assert f"port {port} on 127.0.0.1 is in use" in capsys.readouterr().err
