"""Dates and times: accepted forms, time zones, daylight saving changes."""

from __future__ import annotations

import datetime as dt

import pytest

from churnlens.errors import ConfigError
from churnlens.inputs import read_table
from inputs._helpers import rejections, values


def _read(write, stamps: list[str], tz: str = "UTC"):
    text = "customer_id,started_at\n" + "".join(
        f'C{i},"{s}"\n' for i, s in enumerate(stamps)
    )
    return read_table(write("subscriptions.csv", text), tz=tz)


@pytest.mark.parametrize(
    ("text", "utc"),
    [
        ("2024-03-01", dt.datetime(2024, 3, 1)),
        ("2024-3-1", dt.datetime(2024, 3, 1)),
        ("2024-03-01T10:20", dt.datetime(2024, 3, 1, 10, 20)),
        ("2024-03-01 10:20:30", dt.datetime(2024, 3, 1, 10, 20, 30)),
        ("2024-03-01T10:20:30.5", dt.datetime(2024, 3, 1, 10, 20, 30, 500000)),
        ("2024-03-01T10:20:30.123456789", dt.datetime(2024, 3, 1, 10, 20, 30, 123456)),
        ("2024-03-01T10:20:30Z", dt.datetime(2024, 3, 1, 10, 20, 30)),
        ("2024-03-01 10:20:30 UTC", dt.datetime(2024, 3, 1, 10, 20, 30)),
        ("2024-03-01T10:20:30+02:00", dt.datetime(2024, 3, 1, 8, 20, 30)),
        ("2024-03-01T10:20:30+0200", dt.datetime(2024, 3, 1, 8, 20, 30)),
        ("2024-03-01T10:20:30+02", dt.datetime(2024, 3, 1, 8, 20, 30)),
        ("2024-03-01T10:20:30-05:30", dt.datetime(2024, 3, 1, 15, 50, 30)),
        ("2024-03-01 10:20:30.25+00", dt.datetime(2024, 3, 1, 10, 20, 30, 250000)),
        ("  2024-03-01  ", dt.datetime(2024, 3, 1)),
    ],
)
def test_accepted_forms(write, text, utc):
    result = _read(write, [text])
    assert rejections(result) == []
    assert values(result, "started_at") == [utc]


@pytest.mark.parametrize(
    "text",
    [
        "2024-02-30",
        "2024-13-01",
        "01/03/2024",
        "20240301",
        "March 1, 2024",
        "2024-03-01T10:00:00 Europe/Warsaw",
        "2024-03-01T10:00:00+25:00",
        "2024-03-01Z",
        "infinity",
        "epoch",
        "1709287200",
    ],
)
def test_rejected_forms(write, text):
    result = _read(write, [text])
    assert rejections(result) == [
        (
            2,
            "started_at",
            f"started_at '{text}' is not a date (expected ISO 8601 such as "
            "2024-03-01 or 2024-03-01T10:00:00+02:00)",
        )
    ]


@pytest.mark.parametrize(
    "text", ["9999-12-31", "0001-01-01", "1899-12-30", "2200-01-01"]
)
def test_implausible_years_are_rejected(write, text):
    result = _read(write, [text])
    assert rejections(result) == [
        (
            2,
            "started_at",
            f"started_at '{text}' is outside the years 1900-2199 (a placeholder "
            "date? leave it empty)",
        )
    ]


def test_naive_times_are_local_in_tz(write):
    result = _read(
        write,
        ["2024-01-15", "2024-07-15", "2024-07-15T12:00:00", "2024-07-15T12:00:00Z"],
        tz="Europe/Warsaw",
    )
    assert values(result, "started_at") == [
        dt.datetime(2024, 1, 14, 23),  # midnight in winter time, UTC+1
        dt.datetime(2024, 7, 14, 22),  # midnight in summer time, UTC+2
        dt.datetime(2024, 7, 15, 10),
        dt.datetime(2024, 7, 15, 12),  # an offset wins over tz
    ]


def test_dst_gap_uses_the_offset_before_the_change(write):
    # 2024-03-31 in Warsaw: 02:00 CET jumps to 03:00 CEST; 02:xx never happens.
    result = _read(
        write,
        [
            "2024-03-31T01:59",
            "2024-03-31T02:00",
            "2024-03-31T02:30",
            "2024-03-31T03:00",
        ],
        tz="Europe/Warsaw",
    )
    assert values(result, "started_at") == [
        dt.datetime(2024, 3, 31, 0, 59),
        dt.datetime(2024, 3, 31, 1, 0),  # as PostgreSQL and DuckDB read it
        dt.datetime(2024, 3, 31, 1, 30),
        dt.datetime(2024, 3, 31, 1, 0),
    ]


def test_dst_overlap_takes_standard_time(write):
    # 2024-10-27 in Warsaw: 03:00 CEST falls back to 02:00 CET; 02:xx happens twice.
    result = _read(
        write,
        [
            "2024-10-27T01:59",
            "2024-10-27T02:00",
            "2024-10-27T02:30",
            "2024-10-27T03:00",
        ],
        tz="Europe/Warsaw",
    )
    assert values(result, "started_at") == [
        dt.datetime(2024, 10, 26, 23, 59),
        dt.datetime(2024, 10, 27, 1, 0),  # the later 02:00, CET
        dt.datetime(2024, 10, 27, 1, 30),
        dt.datetime(2024, 10, 27, 2, 0),
    ]


def test_other_zones_and_fixed_offsets(write):
    result = _read(write, ["2024-07-01T12:00"], tz="America/New_York")
    assert values(result, "started_at") == [dt.datetime(2024, 7, 1, 16)]
    result = _read(write, ["2024-07-01T12:00"], tz="Asia/Kolkata")
    assert values(result, "started_at") == [dt.datetime(2024, 7, 1, 6, 30)]
    # A fixed offset is a zone name too (POSIX signs: Etc/GMT-2 is UTC+2).
    result = _read(write, ["2024-07-01T12:00"], tz="Etc/GMT-2")
    assert values(result, "started_at") == [dt.datetime(2024, 7, 1, 10)]


def test_an_offset_is_not_a_zone_name(write):
    # The report calendar takes zone names only; one --tz works everywhere.
    with pytest.raises(ConfigError, match="unknown time zone"):
        _read(write, ["2024-07-01T12:00"], tz="+05:30")


@pytest.mark.parametrize("tz", ["Mars/Olympus", "", "Europe/Warszawa"])
def test_invalid_tz_is_a_config_error(write, tz):
    path = write("subscriptions.csv", "customer_id,started_at\nC1,2024-01-01\n")
    with pytest.raises(ConfigError, match=f"unknown time zone '{tz}'") as e:
        read_table(path, tz=tz)
    assert "Europe/Warsaw" in str(e.value.hint)
