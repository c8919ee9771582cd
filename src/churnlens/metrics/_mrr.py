"""Monthly recurring revenue of a subscription, and its currency.

A subscription's monthly amount is its ``mrr`` when given, else its ``amount``
(price per billing period) divided by the period's length in months. Amounts stay
in the subscription's own currency here; converting them needs an FX table:

``currency, date, rate`` with ``rate`` = reporting-currency units per 1 unit of
``currency``, valid from ``date`` (a calendar date) until that currency's next
date. Before its first date a currency's first rate applies. The reporting
currency is the ``currency=`` argument; without it, the one currency whose rates
are all 1 in the FX table, else the only currency of the subscriptions that the
FX table does not list. Subscriptions with no currency are in the reporting
currency.

Billing periods and currencies are few distinct values: they are read once, mapped
in Python and sent back to the engine as CASE literals, so no string function runs
over every subscription.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd

from churnlens.billing import monthly_mrr, months_per_period
from churnlens.errors import ConfigError, InputError, SchemaError

__all__ = [
    "Currencies",
    "currencies",
    "months_per_period",
    "monthly_mrr",
    "read_fx",
    "to_constant_currency",
]

# -- currencies ------------------------------------------------------------------


@dataclass(frozen=True)
class Currencies:
    """The currencies of a set of subscriptions and how to convert them.

    ``codes`` lists the (upper-cased) currencies present, the reporting currency
    first; ``raw`` maps each stored value (None: no currency) to its code. ``fx``
    holds the rates (``currency, date, rate``, sorted), None when no conversion
    is needed.
    """

    reporting: str | None
    codes: tuple[str | None, ...]
    raw: dict[Any, str | None]
    fx: pd.DataFrame | None = None

    @property
    def converts(self) -> bool:
        return self.fx is not None and len(self.codes) > 0

    def rates_on(self, days: list[dt.date]) -> np.ndarray:
        """Rates at the start of each day: shape (len(days), len(codes))."""
        out = np.ones((len(days), len(self.codes)))
        if self.fx is None:
            return out
        wanted = np.array(days, dtype="datetime64[D]")
        for j, code in enumerate(self.codes):
            if code == self.reporting:
                continue
            rows = self.fx[self.fx.currency == code]
            dates = rows.date.to_numpy(dtype="datetime64[D]")
            at = np.searchsorted(dates, wanted, side="right") - 1
            out[:, j] = rows.rate.to_numpy()[np.clip(at, 0, None)]
        return out

    def latest(self) -> dict[str | None, float]:
        """Each currency's latest rate (1 for the reporting currency)."""
        if self.fx is None:
            return dict.fromkeys(self.codes, 1.0)
        last = self.fx.groupby("currency").rate.last().to_dict()
        return {c: 1.0 if c == self.reporting else float(last[c]) for c in self.codes}

    def value_of(
        self, subscriptions: ir.Table, values: dict[str | None, float]
    ) -> ir.FloatingValue:
        """A number per currency (``values`` by code) for each row, as a CASE."""
        if len(self.codes) <= 1 or "currency" not in subscriptions.columns:
            return ibis.literal(float(values[self.codes[0]]), "float64")
        column = subscriptions.currency
        cases = [
            (column == v, float(values[c]))
            for v, c in self.raw.items()
            if v is not None
        ]
        # No currency: the reporting currency's.
        other = float(values[self.reporting])
        return ibis.cases(*cases, else_=other).cast("float64")

    def index_of(self, column: ir.Value) -> ir.IntegerValue:
        """The position in ``codes`` of each row's currency, as a CASE."""
        if len(self.codes) <= 1:
            return ibis.literal(0, "int64")
        known = [v for v in self.raw if v is not None]
        cases = [(column == v, self.codes.index(self.raw[v])) for v in known]
        other = self.codes.index(self.reporting) if self.reporting in self.codes else 0
        return ibis.cases(*cases, else_=other).cast("int64")


def currencies(
    subscriptions: ir.Table, *, fx: Any = None, currency: str | None = None
) -> Currencies:
    """Find the subscriptions' currencies and check that they can be converted."""
    wanted = _code(currency) if currency is not None else None
    if "currency" in subscriptions.columns:
        found = subscriptions.select("currency").distinct().to_pyarrow()
        raw_values = found.column("currency").to_pylist()
    else:
        raw_values = [None]
    raw = {v: _code(v) for v in raw_values} or {None: None}
    present = sorted({c for c in raw.values() if c is not None})
    rates = read_fx(fx) if fx is not None else None
    reporting = _reporting(present, rates, wanted)
    raw = {v: c if c is not None else reporting for v, c in raw.items()}
    codes = tuple(sorted({*raw.values()}, key=lambda c: (c != reporting, c or "")))
    if rates is None:
        if len(present) > 1:
            raise ConfigError(
                f"the subscriptions are in several currencies ({', '.join(present)})",
                hint="give an FX table (--fx FILE: columns currency, date, rate) "
                "and the reporting currency (--currency)",
            )
        return Currencies(reporting, codes, raw)
    missing = [c for c in present if c != reporting and c not in set(rates.currency)]
    if missing:
        raise ConfigError(
            f"the FX table has no rate for {', '.join(missing)}",
            hint=f"add rows 'currency, date, rate' (units of {reporting} per 1 unit) "
            "for every currency of the subscriptions",
        )
    off = rates[(rates.currency == reporting) & (rates.rate != 1.0)]
    if len(off):
        raise ConfigError(
            f"the FX table gives the reporting currency {reporting} a rate of "
            f"{off.rate.iloc[0]} (it must be 1)",
            hint="rates are units of the reporting currency per 1 unit of the other",
        )
    return Currencies(reporting, codes, raw, rates)


def _reporting(
    present: list[str], rates: pd.DataFrame | None, wanted: str | None
) -> str | None:
    if wanted is not None:
        if rates is None and present and present != [wanted]:
            raise ConfigError(
                f"the subscriptions are in {', '.join(present)}, not {wanted}",
                hint="give an FX table (--fx FILE) to convert them",
            )
        return wanted
    if rates is None:
        return present[0] if len(present) == 1 else None
    ones = rates.groupby("currency").rate.apply(lambda r: bool((r == 1.0).all()))
    unit = sorted(ones[ones].index)
    if len(unit) == 1:
        return str(unit[0])
    unlisted = [c for c in present if c not in set(rates.currency)]
    if len(unit) == 0 and len(unlisted) == 1:
        return unlisted[0]
    raise ConfigError(
        "cannot tell the reporting currency from the FX table",
        hint="name it: currency='USD' (CLI: --currency USD)",
    )


def _code(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip().upper()
    return text or None


def read_fx(fx: Any) -> pd.DataFrame:
    """An FX table (path to CSV/Parquet, frame or ibis table) as a sorted frame
    ``currency, date, rate``, checked."""
    frame = _fx_frame(fx)
    missing = [c for c in ("currency", "date", "rate") if c not in frame.columns]
    if missing:
        raise SchemaError(
            f"the FX table has no column '{missing[0]}' "
            f"(columns found: {', '.join(map(str, frame.columns)) or 'none'})",
            column=missing[0],
            hint="give columns currency, date, rate (reporting-currency units per "
            "1 unit of currency, valid from date)",
        )
    codes = frame["currency"].map(_code)
    try:
        dates = pd.to_datetime(frame["date"], format="ISO8601").dt.date
    except (ValueError, TypeError) as e:
        raise InputError(
            f"cannot read the FX dates: {e}", column="date", hint="use YYYY-MM-DD"
        ) from e
    rates = pd.to_numeric(frame["rate"], errors="coerce").astype("float64")
    bad = codes.isna() | dates.isna() | ~rates.map(_positive)
    if bad.any():
        line = int(np.flatnonzero(bad.to_numpy())[0]) + 1
        raise InputError(
            f"{int(bad.sum())} FX rows lack a currency or date, or have a rate "
            "that is not a positive number",
            line=line,
            hint="every row needs currency, date (YYYY-MM-DD) and a rate > 0",
        )
    out = pd.DataFrame({"currency": codes, "date": dates, "rate": rates})
    out = out.sort_values(["currency", "date"], kind="stable")
    twice = out.duplicated(["currency", "date"])
    if twice.any():
        row = out[twice].iloc[0]
        raise InputError(
            f"the FX table gives {row.currency} two rates on {row.date}",
            hint="keep one rate per currency and date",
        )
    return out.reset_index(drop=True)


def _positive(value: float) -> bool:
    return bool(value is not None and math.isfinite(value) and value > 0)


def _fx_frame(fx: Any) -> pd.DataFrame:
    if isinstance(fx, str | Path):
        path = Path(fx)
        if not path.is_file():
            raise InputError("no FX file here", path=path, hint="check the path")
        if path.suffix.lower() == ".parquet":
            return pd.read_parquet(path)
        return pd.read_csv(path, dtype={"currency": "string", "date": "string"})
    if isinstance(fx, pd.DataFrame):
        return fx
    if isinstance(fx, ir.Table):
        return fx.to_pandas()
    if hasattr(fx, "to_pandas"):  # Arrow, polars
        return fx.to_pandas()
    raise ConfigError(
        f"cannot read an FX table of type {type(fx).__name__}",
        hint="pass a CSV path, a pandas/polars/Arrow table or an ibis table",
    )


def to_constant_currency(
    subscriptions: ir.Table, *, fx: Any = None, currency: str | None = None
) -> ir.Table:
    """The subscriptions with ``mrr_monthly`` (float) in the reporting currency,
    each currency converted at ONE rate: its latest in the FX table."""
    monthly = monthly_mrr(subscriptions)
    found = currencies(subscriptions, fx=fx, currency=currency)
    if not found.converts:
        return subscriptions.mutate(mrr_monthly=monthly)
    rate = found.value_of(subscriptions, found.latest())
    return subscriptions.mutate(mrr_monthly=monthly * rate)
