"""The demo company's FX table: a rate per currency at each month's start.

Prices are in five currencies, so revenue needs rates to report in one. EUR is
the reporting currency (rate 1); the others drift around a typical level by a
seeded random walk, so the FX effect on MRR is visible but small.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from churnlens.demo._clock import Calendar
from churnlens.demo._params import CURRENCIES

__all__ = ["REPORTING_CURRENCY", "fx_table"]

REPORTING_CURRENCY = "EUR"
# EUR per unit, about where each currency stood in the mid-2020s.
_LEVEL = {"EUR": 1.0, "USD": 0.92, "GBP": 1.17, "PLN": 0.23, "DKK": 0.134}
_MONTHLY_SIGMA = 0.015


def fx_table(cal: Calendar, rng: np.random.Generator) -> pd.DataFrame:
    """Columns ``currency, date, rate``: EUR per unit from each month's start."""
    months = cal.month_starts[:-1]
    dates = [cal.iso_date(int(m)) for m in months]
    frames = []
    for currency in CURRENCIES:
        if currency == REPORTING_CURRENCY:
            rates = np.ones(len(months))
        else:
            steps = rng.normal(0.0, _MONTHLY_SIGMA, size=len(months))
            rates = _LEVEL[currency] * np.exp(np.cumsum(steps) - steps[0])
        # As text: the CSV writer rounds floats to cents, too coarse for rates.
        text = [f"{r:.6f}" for r in rates]
        frames.append(pd.DataFrame({"currency": currency, "date": dates, "rate": text}))
    return pd.concat(frames, ignore_index=True)
