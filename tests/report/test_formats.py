from __future__ import annotations

import datetime as dt

import pytest

from churnlens.report.formats import LocaleFormat


def test_polish_uses_a_decimal_comma_and_space_groups() -> None:
    pl = LocaleFormat("pl")
    assert pl.percent(0.0333) == "3,3%"
    assert pl.number(12345.6, 1) == "12\xa0345,6"
    assert pl.money(544243.39, "EUR") == "544\xa0243,39\xa0€"
    assert pl.separators == ",\xa0"


def test_english_and_danish() -> None:
    assert LocaleFormat("en").number(1020) == "1,020"
    assert LocaleFormat("en").money(1234.5, "USD") == "$1,234.50"
    assert LocaleFormat("da").number(1020) == "1.020"
    assert LocaleFormat("da").separators == ",."


def test_signed_percent() -> None:
    en = LocaleFormat("en")
    assert en.percent(0.028, signed=True) == "+2.8%"
    assert en.percent(-0.028, signed=True) == "-2.8%"


@pytest.mark.parametrize("value", [None, float("nan"), float("inf")])
def test_missing_values(value: float | None) -> None:
    en = LocaleFormat("en")
    assert en.percent(value) == en.number(value) == en.money(value, "EUR") == "–"


def test_period_labels() -> None:
    day = dt.date(2026, 8, 1)
    assert LocaleFormat("en").period(day, "month") == "Aug 2026"
    assert LocaleFormat("pl").period(day, "month") == "sie 2026"
    assert LocaleFormat("en").period(day, "quarter") == "Q3 2026"
    assert LocaleFormat("en").period(day, "year") == "2026"
    assert LocaleFormat("en").period(day, "week") == "Aug 1, 2026"
