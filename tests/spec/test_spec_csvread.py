"""Reading CSV strictly: encodings, line ends, quoting, header checks and row numbers.

Row numbers are physical lines, the header being line 1; a record is numbered by
the line it starts on.
"""

from __future__ import annotations

import pandas as pd
from specfiles import triples

from recoverylink.spec import Problem, columns, read_csv_strict, validate_table
from recoverylink.spec.problems import sort_problems

HEADER = b"provider_code,provider_name,local_authority\n"
GOOD = HEADER + b"P001,Leeds Recovery Service,E08000035\nP002,Forward Leeds,E08000035\n"


def read_and_validate(
    data: bytes, file: str = "providers.csv"
) -> tuple[pd.DataFrame | None, list[Problem]]:
    """Read then validate, problems in reading order (as the validate_* functions give them)."""
    frame, problems = read_csv_strict(data, file)
    if frame is not None:
        problems += validate_table("providers", frame, file)
    order = {c: i for i, c in enumerate(columns("providers"))}
    return frame, sort_problems(problems, order)


def test_valid_file_reads_every_field_as_text() -> None:
    frame, problems = read_and_validate(GOOD)
    assert problems == []
    assert frame is not None
    assert list(frame.columns) == ["provider_code", "provider_name", "local_authority"]
    assert frame.index.name == "row" and list(frame.index) == [2, 3]
    assert frame.loc[3, "provider_name"] == "Forward Leeds"


def test_byte_order_mark_is_accepted() -> None:
    frame, problems = read_and_validate(b"\xef\xbb\xbf" + GOOD)
    assert problems == []
    assert frame is not None and frame.columns[0] == "provider_code"


def test_crlf_line_ends_are_accepted_and_not_kept_in_values() -> None:
    frame, problems = read_and_validate(GOOD.replace(b"\n", b"\r\n"))
    assert problems == []
    assert frame is not None
    assert list(frame["local_authority"]) == ["E08000035", "E08000035"]
    assert list(frame.index) == [2, 3]


def test_utf8_names_are_fine() -> None:
    frame, problems = read_and_validate(HEADER + "P001,Zoë’s Place,E08000035\n".encode())
    assert problems == []
    assert frame is not None and frame.loc[2, "provider_name"] == "Zoë’s Place"


def test_latin1_file_is_rejected_line_by_line() -> None:
    data = (
        HEADER
        + b"P001,Leeds,E08000035\nP002,Caf\xe9 Recovery,E08000035\nP003,Na\xefve \xe9,E08000035\n"
    )
    frame, problems = read_csv_strict(data, "providers.csv")
    assert frame is None
    assert triples(problems) == [("bad_encoding", 3, None), ("bad_encoding", 4, None)]
    assert problems[0].value == "\\xe9"


def test_utf16_file_is_rejected() -> None:
    frame, problems = read_csv_strict(GOOD.decode().encode("utf-16"), "providers.csv")
    assert frame is None
    assert triples(problems) == [("bad_encoding", None, None)]


def test_quoted_comma_and_newline_are_parsed_and_rows_numbered_by_first_line() -> None:
    data = (
        HEADER
        + b'P001,"Leeds Recovery, Central\nUnit",E08000035\n'  # lines 2-3
        + b"P002,Forward Leeds,E99999999\n"  # line 4
        + b'P003,"Say ""hello""",E08000035\n'  # line 5
    )
    for newline in (b"\n", b"\r\n"):
        frame, problems = read_and_validate(data.replace(b"\n", newline))
        assert frame is not None
        name = frame.loc[2, "provider_name"].replace("\r\n", "\n")
        assert name == "Leeds Recovery, Central\nUnit"
        assert frame.loc[5, "provider_name"] == 'Say "hello"'
        assert list(frame.index) == [2, 4, 5]
        assert triples(problems) == [("bad_code", 4, "local_authority")]
        assert problems[0].value == "E99999999"


def test_blank_lines_are_skipped_but_counted() -> None:
    data = HEADER + b"P001,Leeds,E08000035\n\nP002,Forward,E99999999\n\n"
    frame, problems = read_and_validate(data)
    assert frame is not None and list(frame.index) == [2, 4]
    assert triples(problems) == [("bad_code", 4, "local_authority")]


def test_blank_line_and_quoted_newline_together() -> None:
    data = (
        HEADER
        + b"\n"  # line 2, blank
        + b'P001,"two\nlines",E08000035\n'  # lines 3-4
        + b"\n"  # line 5, blank
        + b"P002,Forward,E99999999\n"  # line 6
    )
    for newline in (b"\n", b"\r\n"):
        frame, problems = read_and_validate(data.replace(b"\n", newline))
        assert frame is not None and list(frame.index) == [3, 6]
        assert triples(problems) == [("bad_code", 6, "local_authority")]


def test_records_with_the_wrong_number_of_fields_are_named_and_the_rest_checked() -> None:
    data = (
        HEADER + b"P001,Leeds,E08000035\nP002,Forward\nP003,X,E99999999\nP004,Y,E08000035,extra\n"
    )
    frame, problems = read_and_validate(data)
    assert frame is not None and list(frame.index) == [2, 4]
    assert triples(problems) == [
        ("wrong_field_count", 3, None),
        ("bad_code", 4, "local_authority"),
        ("wrong_field_count", 5, None),
    ]


def test_unterminated_quote_is_bad_csv() -> None:
    frame, problems = read_csv_strict(
        HEADER + b'P001,"Leeds,E08000035\nP002,X,Y\n', "providers.csv"
    )
    assert frame is None
    assert triples(problems) == [("bad_csv", 2, None)]


def test_empty_file() -> None:
    for data in (b"", b"\xef\xbb\xbf", b"\n\n"):
        frame, problems = read_csv_strict(data, "providers.csv")
        assert frame is None
        assert triples(problems) == [("empty_file", None, None)]


def test_header_only_is_a_valid_empty_table() -> None:
    frame, problems = read_and_validate(HEADER)
    assert problems == [] and frame is not None and len(frame) == 0


def test_header_problems_are_all_reported_and_rows_still_checked() -> None:
    data = (
        b"Provider_Code,provider_name,notes,provider_name\nP001,Leeds,x,Leeds again\n,Forward,y,z\n"
    )
    frame, problems = read_and_validate(data)
    assert frame is not None and list(frame.columns) == ["provider_code", "provider_name"]
    assert frame.loc[2, "provider_name"] == "Leeds"  # the first of duplicates is kept
    # In reading order: by row, then by the column's place in the spec (unknown last).
    assert triples(problems) == [
        ("column_case", 1, "provider_code"),
        ("duplicate_column", 1, "provider_name"),
        ("missing_column", 1, "local_authority"),
        ("unknown_column", 1, "notes"),
        ("required", 3, "provider_code"),
    ]
    case = next(p for p in problems if p.rule == "column_case")
    assert case.value == "Provider_Code"


def test_validate_table_checks_the_header_of_a_frame_it_did_not_read() -> None:
    frame = pd.DataFrame(
        {"provider_code": ["P001", "P001"], "Provider_Name": ["A", "B"], "extra": ["", ""]}
    )
    problems = validate_table("providers", frame, "providers.csv")
    # Without a "row" index, record i is taken to be on line i + 2.
    assert triples(problems) == [
        ("column_case", 1, "provider_name"),
        ("missing_column", 1, "local_authority"),
        ("unknown_column", 1, "extra"),
        ("not_unique", 3, "provider_code"),
    ]


def test_validate_table_treats_nan_as_missing() -> None:
    frame = pd.DataFrame(
        {
            "provider_code": ["P001", None],
            "provider_name": ["A", "B"],
            "local_authority": ["E08000035", float("nan")],
        },
        dtype=object,
    )
    problems = validate_table("providers", frame, "providers.csv")
    assert triples(problems) == [
        ("required", 3, "provider_code"),
        ("required", 3, "local_authority"),
    ]


def test_file_name_that_names_no_table() -> None:
    frame, problems = read_csv_strict(GOOD, "stuff.csv")
    assert frame is None and triples(problems) == [("bad_file_name", None, None)]
    frame, problems = read_csv_strict(GOOD, "stuff.csv", "providers")
    assert frame is not None and problems == []
