"""churnlens: measure customer churn, explain it, and keep customers.

The public API is flat: everything a user needs is importable from ``churnlens``.

>>> import churnlens
>>> table = churnlens.churn_rate("subscriptions.csv", period="month")  # doctest: +SKIP
"""

from __future__ import annotations

from churnlens.demo import DemoFiles, generate_demo
from churnlens.errors import (
    ChurnlensError,
    ConfigError,
    EngineError,
    InputError,
    RejectedRowsError,
    SchemaError,
)
from churnlens.inputs import QUARANTINE_SCHEMA, ReadResult, read_table
from churnlens.inputs.load import IngestReport, SourceReport, ingest
from churnlens.metrics import CHURN_COLUMNS, churn_rate
from churnlens.metrics.calculator import churn_from_counts
from churnlens.periods import PERIODS, Calendar
from churnlens.schema import TABLES
from churnlens.sources import RejectedRowsWarning
from churnlens.spells import spells
from churnlens.store import Store

__all__ = [
    "CHURN_COLUMNS",
    "PERIODS",
    "QUARANTINE_SCHEMA",
    "TABLES",
    "Calendar",
    "ChurnlensError",
    "ConfigError",
    "DemoFiles",
    "EngineError",
    "IngestReport",
    "InputError",
    "ReadResult",
    "RejectedRowsError",
    "RejectedRowsWarning",
    "SchemaError",
    "SourceReport",
    "Store",
    "churn_from_counts",
    "churn_rate",
    "generate_demo",
    "ingest",
    "read_table",
    "spells",
]
