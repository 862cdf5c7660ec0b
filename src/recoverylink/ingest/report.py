"""Problem reports, as shared with providers: identifiers masked, safe in a spreadsheet.

A report lists every :class:`~recoverylink.spec.Problem` of every file checked,
with file, row, column, value, rule and message, and a summary per submitted
file. It is shown in the terminal as a table and written as CSV and JSON (see
docs/validate.md). Reports are shared, so:

- **Identifiers are masked** everywhere (terminal, CSV, JSON). A value in an
  identifier column (``recoverylink.spec.identifier_columns``: names, initials,
  dates of birth, sex, postcodes, PNC ids, client references) is replaced by its
  *shape*: each capital letter becomes ``A``, each small letter ``a``, each digit
  ``9``; spaces and ASCII punctuation stay, anything else becomes ``*``. So
  ``ls6 1an`` shows as ``aa9 9aa`` and ``17/05/1980`` as ``99/99/9999``: enough to
  see what is wrong with the format, nothing of who it is. The same is done
  wherever a message quotes an identifier, the problem's own value or another
  column's (``date_of_death ... is before date_of_birth 9999-99-99``). A file
  whose first line matches no column of its table has probably lost its header,
  so that line may be a record: its "unknown column" names are masked too.
- **CSV cells are never formulas**: a cell that starts (after any spaces) with
  ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a leading ``'``, as
  the OWASP guidance on CSV injection advises, so a spreadsheet shows the text
  instead of evaluating it.
- **Terminal text is inert**: rich markup is not interpreted and control or
  invisible characters are shown as escapes (``\\x1b``), never sent to the terminal.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import re
import string
import tempfile
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.table import Table
from rich.text import Text

if TYPE_CHECKING:
    import pandas as pd

from recoverylink import __version__
from recoverylink.spec import Problem
from recoverylink.spec.limits import ReadLimits
from recoverylink.spec.tables import table_for_file

REPORT_COLUMNS = ("file", "row", "column", "value", "rule", "message")
"""The columns of the CSV report, and the keys of each problem in the JSON report."""

CSV_NAME = "validation-report.csv"
JSON_NAME = "validation-report.json"

UNREADABLE = "unreadable"
"""The report's rule for a path that could not be read at all (not a rule of the spec)."""

MASKING_NOTE = (
    "identifier values (names, initials, dates of birth, sex, postcodes, PNC ids, "
    "client references) are shown by their shape: A = capital letter, a = small letter, "
    "9 = digit, * = any other character"
)

_KEPT = set(string.punctuation + " ")
_SHAPE_MAX = 40
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_HEADER_RULES = {"unknown_column", "missing_column", "duplicate_column", "column_case"}


class Status(StrEnum):
    """What checking one submitted file came to; the exit code follows from it."""

    VALID = "valid"
    INVALID = "invalid"
    """Read and checked, and it breaks at least one rule (exit code 1)."""
    UNRECOGNISED = "unrecognised"
    """No dataset has files named like this, so nothing in it could be checked (exit code 2)."""
    UNREADABLE = "unreadable"
    """Missing, or the operating system would not let it be read (exit code 2)."""


EXIT_CODES = {Status.VALID: 0, Status.INVALID: 1, Status.UNRECOGNISED: 2, Status.UNREADABLE: 2}


@dataclass(frozen=True)
class FileResult:
    """One submitted file (or a path that could not be read) and its problems."""

    path: str
    """The path as given, or as found under a folder that was given."""
    dataset: str | None
    status: Status
    problems: tuple[Problem, ...] = ()


# Masking ------------------------------------------------------------------


def mask_value(value: str) -> str:
    """The shape of a value: letters as ``A``/``a``, digits as ``9``, punctuation kept.

    >>> mask_value("LS6 1AN"), mask_value("1980-05-17"), mask_value("O'Brien-Smith")
    ('AA9 9AA', '9999-99-99', "A'Aaaaa-Aaaaa")
    >>> mask_value("Zoë\\x00")
    'Aaa*'
    """
    shape = []
    for ch in value[:_SHAPE_MAX]:
        if ch.isdigit():
            shape.append("9")
        elif ch.isalpha():
            shape.append("A" if ch.isupper() else "a")
        else:
            shape.append(ch if ch in _KEPT else "*")
    return "".join(shape) + ("…" if len(value) > _SHAPE_MAX else "")


def _mask_token(token: str) -> str:
    if len(token) >= 2 and token[0] == token[-1] and token[0] in "'\"":
        return token[0] + mask_value(token[1:-1]) + token[0]
    return mask_value(token)


_PATTERNS: dict[tuple[str, ...], re.Pattern[str]] = {}


def _quoted_after(columns: tuple[str, ...]) -> re.Pattern[str]:
    """A column name followed by a value: quoted, or starting with a digit (dates, ids)."""
    if columns not in _PATTERNS:
        names = "|".join(re.escape(c) for c in sorted(columns, key=len, reverse=True))
        _PATTERNS[columns] = re.compile(rf"(?<![\w])({names}) ('[^']*'|\"[^\"]*\"|[0-9][^\s,;()]*)")
    return _PATTERNS[columns]


def _mask_message(message: str, value: str | None, identifiers: tuple[str, ...]) -> str:
    if value:
        masked = mask_value(value)
        message = message.replace(repr(value), repr(masked))
        if len(value) >= 3:
            message = message.replace(value, masked)
    if identifiers:
        pattern = _quoted_after(identifiers)
        message = pattern.sub(lambda m: f"{m.group(1)} {_mask_token(m.group(2))}", message)
    return message


def mask_problems(problems: Iterable[Problem]) -> list[Problem]:
    """The problems with every identifier value masked, in values and in messages."""
    problems = list(problems)
    headerless = _headerless_files(problems)
    out: list[Problem] = []
    for p in problems:
        spec = table_for_file(p.file)
        identifiers = spec.identifiers if spec is not None else ()
        if p.rule in _HEADER_RULES and p.row == 1:
            # The header names columns, not people, unless the header is really a record.
            if p.rule == "unknown_column" and p.file in headerless:
                column = mask_value(p.column) if p.column else p.column
                out.append(_masked(p, p.value, (), column))
            else:
                out.append(p)
            continue
        own = p.value if p.column in identifiers else None
        out.append(_masked(p, own, identifiers, p.column))
    return out


def _masked(
    p: Problem, own: str | None, identifiers: tuple[str, ...], column: str | None
) -> Problem:
    value = mask_value(own) if own else p.value
    message = _mask_message(p.message, own, identifiers)
    return Problem(p.file, p.row, column, value, p.rule, message)


def _headerless_files(problems: Sequence[Problem]) -> set[str]:
    """Files whose header matched none of their table's columns (so it may be a record)."""
    missing = Counter(p.file for p in problems if p.rule == "missing_column")
    out = set()
    for file, count in missing.items():
        spec = table_for_file(file)
        if spec is not None and count == len(spec.columns):
            out.add(file)
    return out


# Spreadsheet and terminal safety -------------------------------------------


def spreadsheet_safe(text: str) -> str:
    """Text that a spreadsheet shows as text: a leading ``'`` before a formula trigger.

    >>> spreadsheet_safe("=cmd|' /C calc'!A0"), spreadsheet_safe("-1"), spreadsheet_safe("ok")
    ("'=cmd|' /C calc'!A0", "'-1", 'ok')
    """
    if text.lstrip(" ").startswith(_FORMULA_START):
        return "'" + text
    return text


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` to write as CSV: every text cell through :func:`spreadsheet_safe`.

    Numbers stay numbers (a number is never a formula); only text is escaped,
    in any column (a column may mix numbers with markers such as ``[c]``).
    """
    import pandas as pd

    out = frame.copy()
    for column in out.columns:
        if pd.api.types.is_object_dtype(out[column]) or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(
                lambda v: spreadsheet_safe(v) if isinstance(v, str) else v
            ).astype(object)
    return out


def printable(text: str) -> str:
    """Text for a terminal: control and invisible characters written as escapes.

    >>> printable("a\\x1b[2Jb\\nc")
    'a\\\\x1b[2Jb\\\\nc'
    """
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in text)


# The report -----------------------------------------------------------------


@dataclass
class ValidationReport:
    """Every file checked and its problems, identifiers already masked."""

    results: list[FileResult]
    limits: ReadLimits
    skipped: list[str] = field(default_factory=list)
    """Files found in folders whose names fit no dataset, so not checked."""
    created: str = field(
        default_factory=lambda: dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    )

    @classmethod
    def build(
        cls, results: Iterable[FileResult], limits: ReadLimits, skipped: Iterable[str] = ()
    ) -> ValidationReport:
        masked = [
            FileResult(r.path, r.dataset, r.status, tuple(mask_problems(r.problems)))
            for r in results
        ]
        return cls(masked, limits, list(skipped))

    @property
    def problems(self) -> list[Problem]:
        return [p for r in self.results for p in r.problems]

    @property
    def exit_code(self) -> int:
        """0 if every file is valid, 2 if any could not be read or recognised, else 1."""
        return max((EXIT_CODES[r.status] for r in self.results), default=0)

    def counts(self) -> dict[str, int]:
        statuses = Counter(r.status for r in self.results)
        return {
            "files": len(self.results),
            **{status.value: statuses.get(status, 0) for status in Status},
            "problems": sum(len(r.problems) for r in self.results),
            "skipped": len(self.skipped),
        }

    def as_json(self) -> dict[str, Any]:
        return {
            "report": "recoverylink validate",
            "version": __version__,
            "created": self.created,
            "valid": self.exit_code == 0,
            "exit_code": self.exit_code,
            "summary": self.counts(),
            "masking": MASKING_NOTE,
            "limits": asdict(self.limits),
            "files": [_file_summary(r) for r in self.results],
            "skipped": self.skipped,
            "problems": [p.as_dict() for p in self.problems],
        }


def _file_summary(result: FileResult) -> dict[str, Any]:
    return {
        "path": result.path,
        "dataset": result.dataset,
        "status": result.status.value,
        "problems": len(result.problems),
        "rules": dict(sorted(Counter(p.rule for p in result.problems).items())),
        "files": dict(Counter(p.file for p in result.problems)),
    }


def csv_text(problems: Iterable[Problem]) -> str:
    """The CSV report: a header, then one line per problem, every text cell spreadsheet-safe."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(REPORT_COLUMNS)
    for p in problems:
        row = p.as_dict()
        writer.writerow(
            "" if row[c] is None else row[c] if c == "row" else spreadsheet_safe(str(row[c]))
            for c in REPORT_COLUMNS
        )
    return out.getvalue()


def write_reports(report: ValidationReport, folder: Path) -> tuple[Path, Path]:
    """Write the CSV and JSON reports into ``folder`` (made if need be); their paths.

    Each file is written whole under a temporary name and then renamed, so a
    report is never left half-written. The CSV starts with a UTF-8 byte-order
    mark, which spreadsheet programs need to read it as UTF-8.
    """
    folder.mkdir(parents=True, exist_ok=True)
    csv_path, json_path = folder / CSV_NAME, folder / JSON_NAME
    _write_atomic(csv_path, "\ufeff" + csv_text(report.problems))
    _write_atomic(json_path, json.dumps(report.as_json(), indent=2, ensure_ascii=False) + "\n")
    return csv_path, json_path


def _write_atomic(path: Path, text: str) -> None:
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            out.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def problems_table(problems: Sequence[Problem], max_rows: int) -> Table:
    """The first ``max_rows`` problems as a rich table (values already masked)."""
    shown = problems[:max_rows]
    title = (
        f"Problems ({len(problems):,})"
        if len(shown) == len(problems)
        else (f"Problems (the first {len(shown):,} of {len(problems):,})")
    )
    table = Table(title=title, title_justify="left", show_lines=False)
    for name in REPORT_COLUMNS:
        table.add_column(name, overflow="fold", no_wrap=name in ("row", "rule"))
    for p in shown:
        table.add_row(
            *(
                Text("" if cell is None else printable(str(cell)))
                for cell in (p.file, p.row, p.column, p.value, p.rule, p.message)
            )
        )
    return table


def files_table(results: Sequence[FileResult], max_rows: int) -> Table:
    """Files that are not valid: status, problem count and the commonest rules."""
    bad = [r for r in results if r.status is not Status.VALID]
    table = Table(title="Files with problems", title_justify="left")
    for name in ("path", "status", "problems", "rules"):
        table.add_column(name, overflow="fold")
    for r in bad[:max_rows]:
        rules = Counter(p.rule for p in r.problems).most_common(3)
        table.add_row(
            Text(printable(r.path)),
            Text(r.status.value),
            Text(f"{len(r.problems):,}"),
            Text(", ".join(f"{rule} ({n:,})" for rule, n in rules)),
        )
    return table
