"""The canonical tables and their columns, defined once for the whole project.

Timestamps are stored as naive UTC instants (microseconds). Time zones matter only
when reading naive input (``tz``) and when cutting periods (calendar boundaries in
the report's time zone), never in storage, so every engine agrees.

Columns not listed here are kept as extra attributes (strings) on their table and
can be used to segment results (``by=...``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = [
    "ACTIVITY",
    "CUSTOMERS",
    "SUBSCRIPTIONS",
    "TABLES",
    "TICKETS",
    "Column",
    "TableSpec",
    "table_spec",
]

ColumnKind = Literal["string", "timestamp", "number", "integer"]


@dataclass(frozen=True)
class Column:
    name: str
    kind: ColumnKind
    required: bool = False
    description: str = ""


@dataclass(frozen=True)
class TableSpec:
    """A canonical table: its columns, its unique key and its references."""

    name: str
    columns: tuple[Column, ...]
    key: str | None = None
    references_customers: bool = False

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)

    def has(self, name: str) -> bool:
        return name in self.column_names


SUBSCRIPTIONS = TableSpec(
    "subscriptions",
    (
        Column("subscription_id", "string", description="unique per subscription"),
        Column("customer_id", "string", required=True),
        Column("started_at", "timestamp", required=True),
        Column(
            "ended_at",
            "timestamp",
            description="first instant without service; empty while active",
        ),
        Column("mrr", "number", description="monthly recurring revenue, >= 0"),
        Column("amount", "number", description="price per billing period, in currency"),
        Column("currency", "string"),
        Column("plan", "string"),
        Column("billing_period", "string"),
        Column("canceled_at", "timestamp", description="when cancellation was asked"),
        Column("cancel_reason", "string"),
        Column("cancel_feedback", "string", description="free text, any language"),
    ),
    key="subscription_id",
    references_customers=False,
)

CUSTOMERS = TableSpec(
    "customers",
    (
        Column("customer_id", "string", required=True),
        Column("name", "string"),
        Column("country", "string"),
        Column("segment", "string"),
        Column("language", "string"),
        Column("owner", "string", description="account manager the customer contacts"),
    ),
    key="customer_id",
)

TICKETS = TableSpec(
    "tickets",
    (
        Column("ticket_id", "string"),
        Column("customer_id", "string", required=True),
        Column("created_at", "timestamp", required=True),
        Column("first_response_at", "timestamp"),
        Column("resolved_at", "timestamp"),
        Column("status", "string"),
        Column("channel", "string"),
        Column("satisfaction", "number"),
        Column("reopens", "integer", description="times the ticket was reopened"),
        Column("subject", "string"),
        Column("text", "string"),
    ),
    key="ticket_id",
    references_customers=True,
)

ACTIVITY = TableSpec(
    "activity",
    (
        Column("customer_id", "string", required=True),
        Column("occurred_at", "timestamp", required=True),
        Column("event", "string"),
        Column("quantity", "number"),
    ),
    references_customers=True,
)

TABLES: dict[str, TableSpec] = {
    t.name: t for t in (SUBSCRIPTIONS, CUSTOMERS, TICKETS, ACTIVITY)
}


def table_spec(name: str) -> TableSpec:
    """The spec of a canonical table, with a clear error for an unknown name."""
    from churnlens.errors import ConfigError

    try:
        return TABLES[name]
    except KeyError:
        known = ", ".join(TABLES)
        raise ConfigError(
            f"unknown table '{name}'", hint=f"use one of: {known}"
        ) from None
