"""A subscription's monthly amount: its ``mrr``, or its price per billing period
normalised to a month.

A subscription's monthly amount is its ``mrr`` when given, else its ``amount``
(price per billing period) divided by the period's length in months, in the
subscription's own currency. Billing periods are few distinct values: they are read
once, mapped in Python and sent back to the engine as CASE literals, so no string
function runs over every subscription.

Below the metrics on purpose: the store materialises MRR change points at ingest
(``churnlens.mrr_changes``) from this definition.
"""

from __future__ import annotations

import re

import ibis
import ibis.expr.types as ir

from churnlens.errors import ConfigError, SchemaError

__all__ = ["monthly_mrr", "months_per_period"]

# Months per billing period, by the spellings billing exports use.
_MONTHS = {
    "weekly": 12 / 52,
    "week": 12 / 52,
    "monthly": 1.0,
    "month": 1.0,
    "quarterly": 3.0,
    "quarter": 3.0,
    "semiannual": 6.0,
    "semiannually": 6.0,
    "semi-annual": 6.0,
    "semi-annually": 6.0,
    "semi annual": 6.0,
    "semi annually": 6.0,
    "half year": 6.0,
    "half yearly": 6.0,
    "half-year": 6.0,
    "half-yearly": 6.0,
    "halfyearly": 6.0,
    "annual": 12.0,
    "annually": 12.0,
    "yearly": 12.0,
    "year": 12.0,
    "biennial": 24.0,
    "biennially": 24.0,
    "triennial": 36.0,
    "triennially": 36.0,
}
_UNIT_MONTHS = {"week": 12 / 52, "month": 1.0, "year": 12.0}
_COUNTED = re.compile(r"^(?:every\s+)?(\d+)\s*[- ]?\s*(week|month|year)s?$")
_KNOWN = (
    "weekly, monthly, quarterly, semiannual, annual, biennial, triennial, 'N months'"
)


def months_per_period(billing_period: str | None) -> float | None:
    """The length of a billing period in months (None when unknown).

    >>> months_per_period("annual"), months_per_period("6 months")
    (12.0, 6.0)
    """
    if billing_period is None:
        return None
    text = " ".join(str(billing_period).strip().lower().replace("_", " ").split())
    if text in _MONTHS:
        return _MONTHS[text]
    counted = _COUNTED.match(text)
    if counted and int(counted.group(1)) > 0:
        return int(counted.group(1)) * _UNIT_MONTHS[counted.group(2)]
    return None


def monthly_mrr(subscriptions: ir.Table) -> ir.FloatingValue:
    """Each subscription's monthly amount, in its own currency (float).

    ``mrr`` where present and not null, else ``amount`` normalised by
    ``billing_period``; null when neither is known. Reads the distinct billing
    periods of rows priced by ``amount`` (one small query) to check them.
    """
    columns = set(subscriptions.columns)
    mrr = subscriptions.mrr.cast("float64") if "mrr" in columns else None
    if "amount" not in columns:
        if mrr is None:
            raise SchemaError(
                "the subscriptions have neither an 'mrr' nor an 'amount' column",
                column="mrr",
                hint="add 'mrr' (monthly amount) or 'amount' with 'billing_period'",
            )
        return mrr
    from_amount = _amount_per_month(subscriptions, mrr)
    return from_amount if mrr is None else mrr.coalesce(from_amount)


def _amount_per_month(
    subscriptions: ir.Table, mrr: ir.FloatingValue | None
) -> ir.FloatingValue:
    amount = subscriptions.amount.cast("float64")
    priced = subscriptions.filter(amount.notnull())
    if mrr is not None:
        priced = priced.filter(priced.mrr.isnull())
    if "billing_period" not in subscriptions.columns:
        if priced.count().to_pyarrow().as_py() == 0:
            return ibis.null("float64")
        raise SchemaError(
            "the subscriptions have an 'amount' but no 'billing_period' column",
            column="billing_period",
            hint="add billing_period (monthly, quarterly, annual, ...) or give 'mrr'",
        )
    values = priced.select("billing_period").distinct().to_pyarrow()
    factors: dict[str, float] = {}
    for value in values.column("billing_period").to_pylist():
        months = months_per_period(value)
        if months is None:
            raise ConfigError(
                f"unknown billing_period '{value}' on a subscription priced by 'amount'"
                if value is not None
                else "a subscription has an 'amount' but no billing_period",
                hint=f"use one of: {_KNOWN} (or 'N weeks'/'N years'), "
                "or give the monthly amount in 'mrr'",
            )
        factors[value] = 1.0 / months
    if not factors:
        return ibis.null("float64")
    period = subscriptions.billing_period
    factor = ibis.cases(*[(period == v, f) for v, f in factors.items()])
    return amount * factor.cast("float64")
