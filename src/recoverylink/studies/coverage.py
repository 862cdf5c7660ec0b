"""What the data cover, and which cohort year a study uses.

The **span of the data** is the period the treatment submissions cover: from
the first day of the financial year of the earliest current treatment
submission (a submission is a cumulative financial-year-to-date extract, so it
holds every episode open from that 1 April) to the end of the data
(``build_info.data_end``, the last day of the newest submission month); the
indicators and the mortality study use the same span. A study that reads the
police records ends the span at the PNC extract's date when that comes first
(the extract is a full refresh of everyone's history, so it limits the end,
never the start).

A study whose cohort is one financial year says what the year needs around it
(:class:`Windows`): reconviction the 2 years before and the 2 years after
every start in the year, long-term outcomes the year itself and the 4 years
after every exit in it. With no ``--year`` the study uses its published year
when the span holds everything that year needs; otherwise the latest year
whose windows fit inside the span; where none fits it raises
:class:`~recoverylink.studies.base.StudyNotApplicableError` saying how many
years it needs and what the data span. An explicit ``--year`` whose windows
do not fit gives the same kind of error. docs/studies.md states these rules.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from recoverylink.studies.base import StudyContext, StudyNotApplicableError, financial_year


@dataclass(frozen=True)
class DataCoverage:
    """What the loaded data cover (see the module's docstring)."""

    treatment_start: date
    treatment_end: date
    pnc_end: date | None
    """The newest current PNC extract's date (else the last disposal); None: no police
    records at all."""
    drug_tests: bool
    """A drug-test file has been loaded, or the mart holds a drug test."""
    deaths: bool
    """A death-registration file has been loaded, or the mart holds a death."""

    @property
    def pnc(self) -> bool:
        return self.pnc_end is not None

    def span(self, police: bool) -> tuple[date, date]:
        """The span of the data; with ``police``, ended at the PNC extract if earlier."""
        end = self.treatment_end
        if police and self.pnc_end is not None and self.pnc_end < end:
            end = self.pnc_end
        return self.treatment_start, end

    def span_text(self, police: bool) -> str:
        start, end = self.span(police)
        text = f"{start} to {end}"
        if police and end < self.treatment_end:
            text += f" (the treatment records run to {self.treatment_end}, the police " \
                    f"records to {end})"
        return text


def _financial_year_start(day: date) -> date:
    return date(day.year if day.month >= 4 else day.year - 1, 4, 1)


def data_coverage(ctx: StudyContext) -> DataCoverage:
    """The coverage of the data under ``ctx`` (its mart and the ingest ledger)."""
    con = ctx.con
    first = con.execute(
        "SELECT min(period) FROM ingest.loads WHERE kind = 'treatment' AND status = 'current'"
    ).fetchall()[0][0]
    if first is None:  # a mart always has one; guard a hand-made or damaged ledger
        start = con.execute("SELECT min(start_date) FROM journeys").fetchall()[0][0]
        start = _financial_year_start(start) if start is not None else ctx.data_end
    else:
        year, month = (int(part) for part in str(first).split("-")[:2])
        start = _financial_year_start(date(year, month, 1))
    pnc_end, tests, deaths = con.execute(
        "SELECT coalesce("
        "  (SELECT max(TRY_CAST(period AS DATE)) FROM ingest.loads "
        "   WHERE kind = 'pnc' AND status = 'current'),"
        "  (SELECT max(disposal_date) FROM offences)), "
        "EXISTS (SELECT 1 FROM ingest.loads WHERE kind = 'drug_tests' AND status = 'current') "
        "  OR EXISTS (SELECT 1 FROM drug_tests), "
        "EXISTS (SELECT 1 FROM ingest.loads WHERE kind = 'deaths' AND status = 'current') "
        "  OR EXISTS (SELECT 1 FROM deaths)"
    ).fetchall()[0]
    return DataCoverage(start, ctx.data_end, pnc_end, bool(tests), bool(deaths))


def add_years(day: date, years: int) -> date:
    """``day`` ``years`` calendar years later (29 February -> 28 February), as DuckDB does."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


@dataclass(frozen=True)
class Windows:
    """What a cohort year needs around it."""

    before_years: int
    """Years of data before the year's first day."""
    after_years: int
    """Years of data after the year's last day."""
    after_exclusive: bool
    """The window after the last day ends the day before ``last day + after_years``
    (reconviction's [start, start + 2 years)); else on that day (long-term outcomes'
    (exit, exit + 4 years])."""
    what: str
    """How people read it: 'the 2 years before and the 2 years after it'."""

    def needs(self, label: str) -> tuple[date, date]:
        """The first and last day of data that year ``label`` needs."""
        fy_start, fy_end = financial_year(label)
        end = add_years(fy_end, self.after_years)
        if self.after_exclusive and self.after_years:
            end -= timedelta(days=1)
        return add_years(fy_start, -self.before_years), end

    @property
    def years(self) -> int:
        return self.before_years + 1 + self.after_years


@dataclass(frozen=True)
class YearChoice:
    year: str
    reason: str
    """One sentence: which year and why ('the published study's year, ...')."""


def _label(start_year: int) -> str:
    return f"{start_year}-{(start_year + 1) % 100:02d}"


def _fits(windows: Windows, label: str, span: tuple[date, date]) -> bool:
    first, last = windows.needs(label)
    return span[0] <= first and last <= span[1]


def latest_year(windows: Windows, span: tuple[date, date]) -> str | None:
    """The latest financial year whose windows fit inside ``span``; None if none does."""
    for start_year in range(span[1].year, span[0].year - 2, -1):
        if _fits(windows, _label(start_year), span):
            return _label(start_year)
    return None


def choose_year(study: str, requested: str | None, published: str, windows: Windows,
                coverage: DataCoverage, police: bool, hint: str = "") -> YearChoice:
    """The cohort year (see the module's docstring); ``hint`` ends a refusal's line."""
    span = coverage.span(police)
    data = coverage.span_text(police)
    tail = f"; {hint}" if hint else ""
    if requested is not None:
        first, last = windows.needs(requested)
        if not _fits(windows, requested, span):
            reason = (f"study {study}: {requested} needs data from {first} to {last} "
                      f"({windows.what}); the data span {data}")
            # the hint is for data that end too soon, not for a year before the data
            raise StudyNotApplicableError(reason + (tail if first >= span[0] else ""), reason)
        return YearChoice(requested, f"{requested}, chosen with --year; the data span {data}.")
    if _fits(windows, published, span):
        return YearChoice(published, f"{published}, the published study's year: the data, "
                                     f"{data}, hold {windows.what}.")
    latest = latest_year(windows, span)
    if latest is None:
        reason = (f"study {study}: needs {windows.years} years of data (a cohort year with "
                  f"{windows.what}); the data span {data}")
        raise StudyNotApplicableError(reason + tail, reason)
    return YearChoice(latest, f"{latest}: the published year {published} is outside the "
                              f"data, {data}; {latest} is the latest year with "
                              f"{windows.what} in the data.")
