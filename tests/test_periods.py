from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from churnlens.errors import ConfigError
from churnlens.periods import PERIODS, Calendar, _offset_changes


@pytest.mark.parametrize("period", PERIODS)
@settings(max_examples=200, deadline=None, derandomize=True)
@given(day=st.dates(min_value=dt.date(1971, 1, 1), max_value=dt.date(2200, 12, 31)))
def test_key_round_trips_through_the_period_start(period: str, day: dt.date) -> None:
    calendar = Calendar(period)
    start = calendar.floor(day)
    assert start <= day < calendar.next(start)
    assert calendar.key_of(day) == calendar.key_of(start)
    assert calendar.from_key(calendar.key_of(day)) == start
    assert calendar.key_of(calendar.next(start)) == calendar.key_of(start) + 1


def test_weeks_start_on_monday() -> None:
    calendar = Calendar("week")
    assert calendar.floor(dt.date(2024, 3, 3)) == dt.date(2024, 2, 26)  # a Sunday
    assert calendar.from_key(calendar.key_of(dt.date(2024, 3, 4))).weekday() == 0


def test_local_midnight_in_a_dst_zone() -> None:
    calendar = Calendar("month", "Europe/Warsaw")
    # Winter: UTC+1; summer: UTC+2.
    assert calendar.instant(dt.date(2024, 1, 1)) == dt.datetime(2023, 12, 31, 23)
    assert calendar.instant(dt.date(2024, 7, 1)) == dt.datetime(2024, 6, 30, 22)


def test_offset_changes_are_found_to_the_microsecond() -> None:
    changes = _offset_changes(
        "Europe/Warsaw", dt.datetime(2024, 1, 1), dt.datetime(2024, 12, 31)
    )
    assert changes == [
        (dt.datetime(2024, 1, 1), 3600),
        (dt.datetime(2024, 3, 31, 1), 7200),
        (dt.datetime(2024, 10, 27, 1), 3600),
    ]


def test_unknown_period_and_zone_are_refused() -> None:
    with pytest.raises(ConfigError, match="unknown period 'fortnight'"):
        Calendar("fortnight")
    with pytest.raises(ConfigError, match="unknown time zone 'Mars/Olympus'"):
        Calendar("month", "Mars/Olympus")
