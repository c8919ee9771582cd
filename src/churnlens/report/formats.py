"""Numbers, percentages, money, dates and period labels in a locale's formats
(Babel's CLDR data, bundled: nothing is looked up at run time)."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from babel import Locale
from babel.dates import format_date, format_skeleton
from babel.numbers import (
    format_compact_currency,
    format_currency,
    format_decimal,
    format_percent,
    get_decimal_symbol,
    get_group_symbol,
)

__all__ = ["LocaleFormat"]

# How a period is named on an axis: "Aug 2026", "III kw. 2026", "2026".
_PERIOD_SKELETONS = {"month": "yMMM", "quarter": "yQQQ", "year": "y"}


@dataclass(frozen=True)
class LocaleFormat:
    """Formatting in one locale (``"pl"``). Missing values print as an en dash."""

    locale: str

    def number(self, value: float, digits: int = 0) -> str:
        if _missing(value):
            return "–"
        pattern = "#,##0" + ("." + "0" * digits if digits else "")
        return format_decimal(value, format=pattern, locale=self.locale)

    def percent(self, value: float, digits: int = 1, *, signed: bool = False) -> str:
        if _missing(value):
            return "–"
        pattern = "#,##0" + ("." + "0" * digits if digits else "") + "%"
        if signed:  # "+2.8%" for a rise; the locale's minus sign for a fall
            pattern = f"+{pattern};-{pattern}"
        return format_percent(value, format=pattern, locale=self.locale)

    def money(
        self, value: float, currency: str | None, *, compact: bool = False
    ) -> str:
        if _missing(value):
            return "–"
        if not currency:
            return self.number(value, 2)
        if compact and abs(value) >= 10_000:
            return format_compact_currency(
                value, currency, locale=self.locale, fraction_digits=1
            )
        return format_currency(value, currency, locale=self.locale)

    def date(self, value: dt.date) -> str:
        return format_date(value, "medium", locale=self.locale)

    def period(self, start: dt.date, period: str) -> str:
        """The label of the period starting on ``start``."""
        skeleton = _PERIOD_SKELETONS.get(period)
        if skeleton is None:  # day, week: the first day
            return self.date(start)
        return format_skeleton(skeleton, start, locale=self.locale)

    @property
    def separators(self) -> str:
        """Plotly's ``layout.separators``: the decimal then the group symbol, so
        that axes and hover numbers follow the locale too."""
        return get_decimal_symbol(self.locale) + get_group_symbol(self.locale)

    @property
    def name(self) -> str:
        """The language's own name ("polski")."""
        return Locale.parse(self.locale).get_display_name(self.locale) or self.locale


def _missing(value: float | None) -> bool:
    if value is None:
        return True
    try:
        return math.isnan(value) or math.isinf(value)
    except TypeError:
        return False
