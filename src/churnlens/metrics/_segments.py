"""Splitting a metric by a customer attribute (``by=``).

A customer's segment is their value in the customers table, else the value on
their latest subscription; customers without one form the empty segment (None),
listed last.
"""

from __future__ import annotations

from typing import Any

import ibis
import ibis.expr.types as ir
import pandas as pd

from churnlens.errors import ConfigError
from churnlens.sources import Source

__all__ = ["SEGMENT", "ordered_segments", "with_segment"]

SEGMENT = "_segment"


def with_segment(spells: ir.Table, source: Source, by: str | None) -> ir.Table:
    if by is None:
        return spells
    customers = source.customers
    if customers is not None and by in customers.columns:
        values = customers.select(
            customer_id=customers.customer_id, _value=customers[by]
        )
    elif by in source.subscriptions.columns:
        values = _latest_subscription_value(source.subscriptions, by)
    else:
        known = sorted(
            c
            for c in set(customers.columns if customers is not None else [])
            | set(source.subscriptions.columns)
            if not c.startswith("_")  # the store's own bookkeeping
        )
        raise ConfigError(
            f"no column '{by}' to split by",
            hint=f"use a customer or subscription column: {', '.join(known)}",
        )
    joined = spells.left_join(values, spells.customer_id == values.customer_id)
    return joined.select(
        *[spells[c] for c in spells.columns], **{SEGMENT: values._value.cast("string")}
    )


def _latest_subscription_value(subscriptions: ir.Table, column: str) -> ir.Table:
    """A customer's segment from a subscription column: its latest subscription's."""
    latest_first = ibis.window(
        group_by=subscriptions.customer_id,
        order_by=[ibis.desc(subscriptions.started_at)],
    )
    ranked = subscriptions.mutate(_rank=ibis.row_number().over(latest_first))
    latest = ranked.filter(ranked._rank == 0)
    return latest.select(customer_id=latest.customer_id, _value=latest[column])


def ordered_segments(values: pd.Series) -> list[Any]:
    present = [v for v in values.dropna().unique().tolist()]
    ordered: list[Any] = sorted(present)
    if values.isna().any():
        ordered.append(None)
    return ordered
