"""churnlens: measure customer churn, explain it, and keep customers.

The public API is flat: everything a user needs is importable from ``churnlens``.

>>> import churnlens
>>> table = churnlens.churn_rate("subscriptions.csv", period="month")  # doctest: +SKIP
"""

from __future__ import annotations

from churnlens.errors import (
    ChurnlensError,
    ConfigError,
    EngineError,
    InputError,
    RejectedRowsError,
    SchemaError,
)
from churnlens.metrics import CHURN_COLUMNS, churn_rate
from churnlens.metrics.calculator import churn_from_counts
from churnlens.periods import PERIODS, Calendar
from churnlens.schema import TABLES
from churnlens.sources import RejectedRowsWarning
from churnlens.spells import spells

__all__ = [
    "CHURN_COLUMNS",
    "PERIODS",
    "TABLES",
    "Calendar",
    "ChurnlensError",
    "ConfigError",
    "EngineError",
    "InputError",
    "RejectedRowsError",
    "RejectedRowsWarning",
    "SchemaError",
    "churn_from_counts",
    "churn_rate",
    "generate_demo",
    "spells",
]


def generate_demo(*args, **kwargs):  # type: ignore[no-untyped-def]
    """Generate the seeded demo company (see ``churnlens.demo.generate_demo``).

    Imported on first use: the generator is large and most sessions never call it.
    """
    from churnlens.demo import generate_demo as _generate

    return _generate(*args, **kwargs)
