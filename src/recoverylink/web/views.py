"""What each page shows, worked out once and given to all three of its forms.

Each function here returns a :class:`PageModel`: the template and its context
for the HTML, the data for the ``.json`` twin and the rows for the ``.csv``
twin, all from the same query results, so that the three forms cannot
disagree. A page that does not exist raises :class:`NotFound` with a message
and, for an unknown area, the areas it might have meant.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup

from recoverylink.web import fmt, urls
from recoverylink.web.charts import FunnelPoint, TrendPoint, funnel_chart, trend_chart
from recoverylink.web.store import (
    ALL_SUBSTANCES,
    ENGLAND,
    SUBSTANCE_LABELS,
    Area,
    PublicationStore,
    Row,
    jsonable,
)

STUDY_TABLE_ROWS = 200
"""Rows of a study table shown on its page (and in its twin); the download has all."""

VALUE_COLUMNS = (
    "indicator_id",
    "title",
    "period",
    "area_code",
    "area_name",
    "substance_group",
    "numerator",
    "denominator",
    "value",
    "lower_95",
    "upper_95",
    "lower_99_8",
    "upper_99_8",
    "england_value",
    "compared_95",
    "compared_99_8",
    "trend",
    "numerator_status",
    "denominator_status",
    "value_status",
)
"""The columns of an area page's CSV twin: one row per indicator."""


class NotFound(Exception):
    """No such page; ``suggestions`` are areas the reader may have meant."""

    def __init__(self, message: str, suggestions: list[Area] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.suggestions = suggestions or []


@dataclass
class PageModel:
    template: str
    title: str
    context: dict[str, Any]
    data: dict[str, Any]
    csv_columns: list[str]
    csv_rows: list[dict[str, Any]]
    breadcrumbs: list[tuple[str, str]] = field(default_factory=list)
    nav: str = ""


# -- area pages (England's is the overview) ---------------------------------------------------


def area_page(
    store: PublicationStore, code: str, period: str | None, substance: str | None
) -> PageModel:
    area = store.area_by_code.get(code) or store.area_by_code.get(code.upper())
    if area is None:
        raise NotFound(
            f"There is no area with the code {code}.", store.suggestions(code)
        )
    year = period or store.latest_year
    if year is None or year not in store.financial_years:
        raise NotFound(
            f"There are no figures for the financial year {period}. "
            f"Years with figures: {', '.join(store.financial_years) or 'none'}."
        )
    group = substance or ALL_SUBSTANCES
    if group not in store.substance_groups:
        raise NotFound(
            f"There is no substance group {substance}. "
            f"Groups: {', '.join(store.substance_groups)}."
        )
    years = store.trend_years(year)
    trends = store.trends([area.code, ENGLAND], years, group)  # the year's rows among them
    values = {iid: by_year[year] for (code_, iid), by_year in trends.items()
              if code_ == area.code and year in by_year}
    england = {iid: by_year[year] for (code_, iid), by_year in trends.items()
               if code_ == ENGLAND and year in by_year}
    points = store.funnel_points(year, group)
    lines = store.funnel_lines(year, group)
    members = (
        {la.code for la in store.local_authorities(area.code)} if area.level == "region" else set()
    )

    figures = []
    for indicator in store.indicators:
        iid = indicator["indicator_id"]
        row = values.get(iid)
        figures.append(
            _figure(
                store, area, indicator, row, england.get(iid), years,
                trends.get((area.code, iid), {}), trends.get((ENGLAND, iid), {}),
                points.get(iid, []), lines.get(iid, {}), members,
            )
        )
    case_mix = _case_mix(store, area, year)
    children = (
        store.regions
        if area.level == "england"
        else store.local_authorities(area.code) if area.level == "region" else []
    )
    region = store.area_by_code.get(area.region_code or "") if area.region_code else None
    title = (
        "Drug treatment outcomes in England"
        if area.level == "england"
        else f"Drug treatment outcomes in {area.name}"
    )
    query = {"period": period, "substance": substance}
    data = {
        "area": area.as_dict(),
        "period": year,
        "substance_group": group,
        "financial_years": store.financial_years,
        "substance_groups": store.substance_groups,
        "indicators": [figure["data"] for figure in figures],
        "case_mix": case_mix["data"] if case_mix else None,
        "children": [
            {**child.as_dict(), "url": urls.url("area", code=child.code)} for child in children
        ],
        "links": _twin_links("area" if area.level != "england" else "overview",
                             area.code, query),
    }
    csv_rows = [
        {column: _cell(figure["data"], column) for column in VALUE_COLUMNS} for figure in figures
    ]
    breadcrumbs: list[tuple[str, str]] = []
    if area.level != "england":
        breadcrumbs.append(("England", urls.url("overview")))
        if region is not None:
            breadcrumbs.append((region.name, urls.url("area", code=region.code)))
    return PageModel(
        template="area.html",
        title=title,
        context={
            "area": area,
            "region": region,
            "year": year,
            "group": group,
            "group_label": SUBSTANCE_LABELS.get(group, group),
            "years": store.financial_years,
            "groups": [(g, SUBSTANCE_LABELS.get(g, g)) for g in store.substance_groups],
            "figures": figures,
            "case_mix": case_mix,
            "children": children,
            "query": query,
        },
        data=data,
        csv_columns=list(VALUE_COLUMNS),
        csv_rows=csv_rows,
        breadcrumbs=breadcrumbs,
        nav="overview" if area.level == "england" else "areas",
    )


def _twin_links(name: str, code: str, query: dict[str, str | None]) -> dict[str, str]:
    params: dict[str, object] = {k: v for k, v in query.items() if v}
    if name == "area":
        params["code"] = code
    return {fmt_: urls.url(name, fmt_, **params) for fmt_ in urls.FORMATS}


def _cell(data: dict[str, Any], column: str) -> Any:
    """A CSV cell: a suppressed or unavailable figure as its mark."""
    value = data.get(column)
    status_column = {
        "numerator": "numerator_status",
        "denominator": "denominator_status",
    }.get(column, "value_status" if column in _VALUE_FIGURES else None)
    if status_column:
        mark = fmt.status_mark(data.get(status_column))
        if mark:
            return mark
        if value is None:
            return fmt.NOT_AVAILABLE
    return value


_VALUE_FIGURES = {"value", "lower_95", "upper_95", "lower_99_8", "upper_99_8"}


def _figure(
    store: PublicationStore,
    area: Area,
    indicator: Row,
    row: Row | None,
    england_row: Row | None,
    years: list[str],
    trend_rows: dict[str, Row],
    england_trend: dict[str, Row],
    points: list[Row],
    lines: dict[str, list[Row]],
    members: set[str],
) -> dict[str, Any]:
    iid = indicator["indicator_id"]
    unit = fmt.unit_label(indicator)
    y_label = "Percentage" if indicator["kind"] == "proportion" else f"Rate {unit}"
    status = row["value_status"] if row is not None else "x"
    england_value = (
        england_row.get("value")
        if england_row is not None and not england_row.get("value_status")
        else None
    )
    tag_text, tag_class = fmt.comparison(row.get("compared_95") if row and not status else None)

    # the five-year trend
    trend_points = []
    trend_data = []
    for year in years:
        own = trend_rows.get(year)
        eng = england_trend.get(year)
        published = own is not None and not own.get("value_status")
        eng_value = eng.get("value") if eng is not None and not eng.get("value_status") else None
        trend_points.append(
            TrendPoint(
                period=year,
                value=own["value"] if published and own else None,
                lower=own["lower_95"] if published and own else None,
                upper=own["upper_95"] if published and own else None,
                england=eng_value if area.code != ENGLAND else None,
            )
        )
        trend_data.append(
            {
                "period": year,
                "value": own["value"] if published and own else None,
                "lower_95": own["lower_95"] if published and own else None,
                "upper_95": own["upper_95"] if published and own else None,
                "value_status": own["value_status"] if own is not None else "x",
                "numerator": own["numerator"] if own is not None else None,
                "numerator_status": own["numerator_status"] if own is not None else "x",
                "denominator": own["denominator"] if own is not None else None,
                "denominator_status": own["denominator_status"] if own is not None else "x",
                "england_value": eng_value,
                "text": {
                    "value": fmt.value(own, indicator) if own is not None else fmt.NOT_AVAILABLE,
                    "interval": fmt.interval(own, indicator),
                    "numerator": fmt.count(own["numerator"], own["numerator_status"])
                    if own is not None else fmt.NOT_AVAILABLE,
                    "denominator": fmt.count(own["denominator"], own["denominator_status"])
                    if own is not None else fmt.NOT_AVAILABLE,
                    "england": fmt.bare(eng_value, indicator),
                },
            }
        )
    trend_desc = _trend_description(area, indicator, trend_data)
    trend_svg = trend_chart(
        f"trend-{iid}",
        f"{indicator['title']}: {area.name}, {years[0]} to {years[-1]}" if years
        else indicator["title"],
        trend_desc,
        area.name,
        trend_points,
        y_label,
        show_england=area.code != ENGLAND,
    )

    # the funnel plot
    funnel_rows = []
    funnel_points = []
    for point in points:
        chosen = point["area_code"] == area.code
        member = point["area_code"] in members
        funnel_points.append(
            FunnelPoint(point["area_name"], float(point["denominator"]), float(point["value"]),
                        highlight=chosen, member=member)
        )
        funnel_rows.append(
            {
                "area_code": point["area_code"],
                "area_name": point["area_name"],
                "denominator": point["denominator"],
                "value": point["value"],
                "position": point["position"],
                "this_area": chosen,
                "in_region": member,
                "text": {
                    "denominator": fmt.count(point["denominator"]),
                    "value": fmt.bare(point["value"], indicator),
                },
            }
        )
    line_data = {
        name: [(float(r["denominator"]), float(r["value"])) for r in rows_]
        for name, rows_ in lines.items()
    }
    funnel_desc = _funnel_description(area, indicator, funnel_rows, england_value, members)
    funnel_svg: Markup | None = None
    if funnel_rows:
        funnel_svg = funnel_chart(
            f"funnel-{iid}",
            f"Funnel plot: {indicator['title']}, local authorities",
            funnel_desc,
            funnel_points,
            line_data,
            england_value,
            x_label=indicator.get("denominator_label") or "Denominator",
            y_label=y_label,
            highlight_label=area.name if area.level == "local_authority" else None,
            member_label=f"Local authorities in {area.name}" if members else None,
        )
    own_point = next((r for r in funnel_rows if r["this_area"]), None)

    data = {
        "indicator_id": iid,
        "title": indicator["title"],
        "kind": indicator["kind"],
        "unit": unit,
        "polarity": indicator["polarity"],
        "period": row["period"] if row else None,
        "area_code": area.code,
        "area_name": area.name,
        "substance_group": row["substance_group"] if row else None,
        "numerator": row["numerator"] if row else None,
        "denominator": row["denominator"] if row else None,
        "value": row["value"] if row else None,
        "lower_95": row["lower_95"] if row else None,
        "upper_95": row["upper_95"] if row else None,
        "lower_99_8": row["lower_99_8"] if row else None,
        "upper_99_8": row["upper_99_8"] if row else None,
        "england_value": england_value,
        "compared_95": row["compared_95"] if row else None,
        "compared_99_8": row["compared_99_8"] if row else None,
        "trend": row["trend"] if row else None,
        "numerator_status": row["numerator_status"] if row else "x",
        "denominator_status": row["denominator_status"] if row else "x",
        "value_status": status,
        "benchmark": tag_text,
        "five_year_trend": [{k: v for k, v in t.items() if k != "text"} for t in trend_data],
        "funnel": {
            "position": own_point["position"] if own_point else None,
            "points": [
                {k: v for k, v in r.items() if k != "text"} for r in funnel_rows
            ],
        },
    }
    return {
        "id": iid,
        "indicator": indicator,
        "row": row,
        "unit": unit,
        "status": status,
        "text": {
            "value": fmt.value(row, indicator),
            "interval_95": fmt.interval(row, indicator, "95"),
            "interval_99_8": fmt.interval(row, indicator, "99_8"),
            "numerator": fmt.count(row["numerator"], row["numerator_status"])
            if row else fmt.NOT_AVAILABLE,
            "denominator": fmt.count(row["denominator"], row["denominator_status"])
            if row else fmt.NOT_AVAILABLE,
            "england": fmt.bare(england_value, indicator),
            "trend": fmt.trend_text(row.get("trend") if row and not status else None),
            "compared_99_8": fmt.comparison(
                row.get("compared_99_8") if row and not status else None
            )[0],
        },
        "tag": (tag_text, tag_class),
        "trend": trend_data,
        "trend_svg": trend_svg,
        "trend_description": trend_desc,
        "funnel": funnel_rows,
        "funnel_svg": funnel_svg,
        "funnel_description": funnel_desc,
        "own_point": own_point,
        "data": data,
    }


def _trend_description(area: Area, indicator: Row, trend: list[dict[str, Any]]) -> str:
    if not trend:
        return f"No financial years with figures for {area.name}."
    parts = [
        f"{t['period']}: {t['text']['value']}"
        + (f" (England {t['text']['england']})" if area.code != ENGLAND else "")
        for t in trend
    ]
    shown = [t for t in trend if t["value"] is not None]
    start = (
        f"{indicator['title']} in {area.name}, {trend[0]['period']} to {trend[-1]['period']}. "
    )
    if len(shown) >= 2:
        first, last = shown[0], shown[-1]
        direction = (
            "rose" if last["value"] > first["value"]
            else "fell" if last["value"] < first["value"] else "did not change"
        )
        start += (
            f"The value {direction} from {first['text']['value']} in {first['period']} "
            f"to {last['text']['value']} in {last['period']}. "
        )
    return start + "; ".join(parts) + "."


def _funnel_description(
    area: Area, indicator: Row, rows: list[dict[str, Any]], england_value: float | None,
    members: set[str],
) -> str:
    if not rows:
        return "No local authority has a published value for this period."
    counts: dict[str, int] = {}
    for r in rows:
        counts[r["position"]] = counts.get(r["position"], 0) + 1
    text = (
        f"{len(rows)} local authorities' values of {indicator['title'].lower()} plotted against "
        f"their {str(indicator.get('denominator_label') or 'denominator').lower()}, with "
        f"England's value ({fmt.bare(england_value, indicator)}) and its 95% and 99.8% limits. "
    )
    text += "Positions: " + "; ".join(f"{k}: {v}" for k, v in sorted(counts.items())) + ". "
    own = next((r for r in rows if r["this_area"]), None)
    if area.level == "local_authority":
        if own is None:
            text += f"{area.name} has no published value and is not plotted."
        else:
            text += (
                f"{area.name} is marked with a large diamond: {own['text']['value']} of "
                f"{own['text']['denominator']}, position {own['position']}."
            )
    elif members:
        inside = [r for r in rows if r["in_region"]]
        text += f"The {len(inside)} local authorities in {area.name} are marked with triangles."
    return text


def _case_mix(store: PublicationStore, area: Area, year: str) -> dict[str, Any] | None:
    """Successful completions adjusted for case mix: the area beside its comparator group."""
    rows = store.case_mix(year)
    if not rows:
        return None
    if area.level == "local_authority":
        mine = next((r for r in rows if r["area_code"] == area.code), None)
        group = mine["comparator_group"] if mine else area.comparator_group
        members = [_case_mix_row(r) for r in rows
                   if group is not None and r["comparator_group"] == group]
        own = next((r for r in members if r["area_code"] == area.code), None)
        heading = (
            f"Comparator group {group}: local authorities with a similar case mix"
            if group is not None else None
        )
    elif area.level == "region":
        own = None
        group = None
        members = [_case_mix_row(r) for r in rows if r["region_code"] == area.code]
        heading = f"Local authorities in {area.name}"
    else:
        own = None
        group = None
        members = [_case_mix_row(r) for r in rows]
        heading = "Every local authority"
    for r in members:
        r["this_area"] = r["area_code"] == area.code
    return {
        "period": year,
        "own": own,
        "group": group,
        "heading": heading,
        "rows": members,
        "data": {
            "period": year,
            "comparator_group": group,
            "area": {k: v for k, v in own.items() if k != "text"} if own else None,
            "rows": [{k: v for k, v in r.items() if k != "text"} for r in members],
        },
    }


CASE_MIX_FIGURES = (
    "n", "observed", "expected", "observed_rate", "expected_rate", "ratio", "ratio_lower_95",
    "ratio_upper_95", "adjusted_rate", "adjusted_rate_lower_95", "adjusted_rate_upper_95",
)


def _case_mix_row(row: Row) -> dict[str, Any]:
    status = row.get("status") or ""
    out: dict[str, Any] = {
        "area_code": row["area_code"],
        "area_name": row["area_name"],
        "region_code": row["region_code"],
        "comparator_group": row["comparator_group"],
        "status": status,
        "significance": row.get("significance"),
    }
    for name in CASE_MIX_FIGURES:
        out[name] = row.get(name)
    mark = fmt.status_mark(status)
    out["text"] = {
        "n": mark or fmt.count(row.get("n")),
        "observed": mark or fmt.count(row.get("observed")),
        "expected": mark or fmt.number(row.get("expected")),
        "observed_rate": mark or fmt.rate_percent(row.get("observed_rate")),
        "expected_rate": mark or fmt.rate_percent(row.get("expected_rate")),
        "ratio": mark or fmt.ratio(row.get("ratio")),
        "ratio_interval": mark
        or f"{fmt.ratio(row.get('ratio_lower_95'))} to {fmt.ratio(row.get('ratio_upper_95'))}",
        "adjusted_rate": mark or fmt.rate_percent(row.get("adjusted_rate")),
        "adjusted_interval": mark
        or (
            f"{fmt.rate_percent(row.get('adjusted_rate_lower_95'))} to "
            f"{fmt.rate_percent(row.get('adjusted_rate_upper_95'))}"
        ),
        "significance": mark or (row.get("significance") or fmt.NOT_AVAILABLE),
    }
    return out


# -- finding an area --------------------------------------------------------------------------


def areas_page(store: PublicationStore, words: str | None) -> PageModel:
    query = (words or "").strip()
    results = store.search(query) if query else []
    listed = results if query else store.areas
    rows = [
        {**area.as_dict(), "url": urls.url("area", code=area.code)} for area in listed
    ]
    by_region: list[tuple[Area, list[Area]]] = [
        (region, store.local_authorities(region.code)) for region in store.regions
    ]
    return PageModel(
        template="areas.html",
        title=f"Areas matching ‘{query}’" if query else "Find an area",
        context={"query": query, "results": results, "by_region": by_region,
                 "searched": bool(query)},
        data={"query": query or None, "areas": rows},
        csv_columns=["area_code", "area_name", "level", "region_code", "region_name",
                     "comparator_group", "url"],
        csv_rows=rows,
        breadcrumbs=[("England", urls.url("overview"))],
        nav="areas",
    )


# -- studies ----------------------------------------------------------------------------------


def studies_page(store: PublicationStore) -> PageModel:
    rows = [
        {
            "study": s["study"],
            "title": s["title"],
            "cohort": s["cohort"],
            "summary": s["summary"],
            "url": urls.url("study", study=s["study"]),
        }
        for s in store.studies
    ]
    return PageModel(
        template="studies.html",
        title="Outcome studies",
        context={"studies": rows},
        data={"studies": rows},
        csv_columns=["study", "title", "cohort", "summary", "url"],
        csv_rows=rows,
        breadcrumbs=[("England", urls.url("overview"))],
        nav="studies",
    )


SUPPRESSED_COLUMNS = "suppressed_columns"
"""A study table's column naming, for each row, the cells suppressed (NULL, shown [c])."""


def _study_cell(row: Row, column: str) -> str:
    value = row.get(column)
    if value is None:
        named = str(row.get(SUPPRESSED_COLUMNS) or "")
        return fmt.SUPPRESSED if column in [c.strip() for c in named.split(",")] else (
            fmt.NOT_AVAILABLE
        )
    return fmt.plain(value)


HEADLINE_COLUMNS = ["study", "headline_id", "label", "value", "unit", "lower", "upper",
                    "published", "published_text", "note", "status"]


def study_page(store: PublicationStore, name: str) -> PageModel:
    study = store.study_by_name.get(name)
    if study is None:
        raise NotFound(
            f"There is no study called {name}. Studies: "
            f"{', '.join(s['study'] for s in store.studies) or 'none'}."
        )
    headlines = []
    for h in store.headlines.get(name, []):
        mark = fmt.status_mark(h.get("status"))
        unit = h.get("unit") or ""
        suffix = "%" if unit == "%" else ""
        lower, upper = h.get("lower"), h.get("upper")
        headlines.append(
            {
                **{k: h.get(k) for k in HEADLINE_COLUMNS},
                "text": {
                    "value": mark or fmt.headline(h.get("value"), unit),
                    "interval": mark
                    or (
                        f"{fmt.headline(lower, unit)} to {fmt.headline(upper, unit)}"
                        if fmt.is_number(lower) and fmt.is_number(upper) else ""
                    ),
                    "unit": "" if suffix else unit,
                    "published": h.get("published_text")
                    or (fmt.plain(h.get("published")) if h.get("published") is not None
                        else ""),
                },
            }
        )
    tables = []
    for entry in store.study_tables(name):
        try:
            columns, rows = store.table(entry["table_id"], limit=STUDY_TABLE_ROWS)
        except KeyError:
            continue
        shown = [c for c in columns if c != SUPPRESSED_COLUMNS]
        tables.append(
            {
                "table_id": entry["table_id"],
                "title": entry["title"],
                "description": entry["description"],
                "notes": entry["notes"],
                "row_count": entry["row_count"],
                "csv": urls.download(entry["csv_file"]) if entry.get("csv_file") else None,
                "columns": columns,
                "shown_columns": shown,
                "rows": rows,
                "cells": [[_study_cell(row, c) for c in shown] for row in rows],
                "shown": len(rows),
            }
        )
    return PageModel(
        template="study.html",
        title=study["title"],
        context={"study": study, "headlines": headlines, "tables": tables,
                 "methods_html": Markup(study.get("methods_html") or "")},
        data={
            "study": {k: study.get(k) for k in ("study", "title", "cohort", "summary")},
            "headlines": [{k: h[k] for k in HEADLINE_COLUMNS} for h in headlines],
            "tables": [
                {
                    "table_id": t["table_id"],
                    "title": t["title"],
                    "row_count": t["row_count"],
                    "csv": t["csv"],
                    "columns": t["columns"],
                    "rows": [{c: jsonable(r[c]) for c in t["columns"]} for r in t["rows"]],
                }
                for t in tables
            ],
        },
        csv_columns=HEADLINE_COLUMNS,
        csv_rows=[{k: h[k] for k in HEADLINE_COLUMNS} for h in headlines],
        breadcrumbs=[("England", urls.url("overview")),
                     ("Outcome studies", urls.url("studies"))],
        nav="studies",
    )


# -- methods and downloads --------------------------------------------------------------------


INDICATOR_COLUMNS = ["indicator_id", "title", "numerator_label", "denominator_label", "kind",
                     "multiplier", "polarity", "unit", "method_note"]


def methods_page(store: PublicationStore) -> PageModel:
    rows = [{k: i.get(k) for k in INDICATOR_COLUMNS} for i in store.indicators]
    return PageModel(
        template="methods.html",
        title="Methods and definitions",
        context={"indicators": store.indicators, "build": store.build_info,
                 "groups": [(g, SUBSTANCE_LABELS.get(g, g)) for g in store.substance_groups]},
        data={"indicators": rows, "build_info": {k: jsonable(v)
                                                 for k, v in store.build_info.items()}},
        csv_columns=INDICATOR_COLUMNS,
        csv_rows=rows,
        breadcrumbs=[("England", urls.url("overview"))],
        nav="methods",
    )


CATALOGUE_COLUMNS = ["table_id", "title", "description", "topic", "study", "notes", "row_count",
                     "csv_file", "url"]
WORKBOOKS = (
    ("recoverylink-outcomes.xlsx", "Every table in one spreadsheet (Excel, .xlsx)"),
    ("recoverylink-outcomes.ods", "Every table in one spreadsheet (OpenDocument, .ods)"),
)


def downloads_page(store: PublicationStore, files: dict[str, int]) -> PageModel:
    """The catalogue; ``files`` are the names and sizes in the downloads folder."""
    rows = []
    for entry in store.catalogue:
        name = entry.get("csv_file")
        rows.append(
            {
                **{k: entry.get(k) for k in CATALOGUE_COLUMNS if k != "url"},
                "url": urls.download(name) if name and name in files else None,
                "size": files.get(name or ""),
            }
        )
    workbooks = [
        {"file": name, "title": title, "url": urls.download(name), "size": files[name]}
        for name, title in WORKBOOKS
        if name in files
    ]
    topics: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        topics.setdefault(str(row["topic"] or "other"), []).append(row)
    return PageModel(
        template="downloads.html",
        title="Download the data",
        context={"topics": topics, "workbooks": workbooks},
        data={"workbooks": workbooks, "tables": rows},
        csv_columns=CATALOGUE_COLUMNS,
        csv_rows=rows,
        breadcrumbs=[("England", urls.url("overview"))],
        nav="downloads",
    )
