"""Monthly MRR from any billing period, currencies and FX tables (metrics._mrr)."""

from __future__ import annotations

from pathlib import Path

import ibis
import pandas as pd
import pytest

from churnlens.errors import ConfigError, InputError, SchemaError
from churnlens.metrics._mrr import (
    monthly_mrr,
    months_per_period,
    read_fx,
    to_constant_currency,
)


@pytest.mark.parametrize(
    ("text", "months"),
    [
        ("weekly", 12 / 52),
        ("Monthly", 1),
        ("quarterly", 3),
        ("semi_annual", 6),
        ("half-yearly", 6),
        ("ANNUAL", 12),
        ("yearly", 12),
        ("biennial", 24),
        ("triennial", 36),
        ("6 months", 6),
        ("every 2 months", 2),
        ("2 years", 24),
        ("4 weeks", 48 / 52),
        ("fortnightly", None),
        ("0 months", None),
        (None, None),
    ],
)
def test_months_per_period(text: str | None, months: float | None) -> None:
    got = months_per_period(text)
    assert got == (pytest.approx(months) if months is not None else None)


def _table(**columns: list) -> ibis.Table:
    n = len(next(iter(columns.values())))
    frame = pd.DataFrame({"customer_id": [f"c{i}" for i in range(n)], **columns})
    return ibis.duckdb.connect().create_table("subscriptions", frame)


def test_mrr_first_then_amount_by_period() -> None:
    t = _table(
        mrr=[10.0, None, None, None],
        amount=[999.0, 120.0, 30.0, 7.0],
        billing_period=["annual", "annual", "quarterly", "weekly"],
    )
    got = t.select(m=monthly_mrr(t)).to_pandas()["m"].tolist()
    assert got == pytest.approx([10.0, 10.0, 10.0, 7 * 52 / 12])


def test_either_column_may_be_absent() -> None:
    only_amount = _table(amount=[24.0], billing_period=["biennial"])
    assert only_amount.select(m=monthly_mrr(only_amount)).to_pandas()["m"][0] == 1.0
    only_mrr = _table(mrr=[5.0])
    assert only_mrr.select(m=monthly_mrr(only_mrr)).to_pandas()["m"][0] == 5.0
    with pytest.raises(SchemaError, match="neither an 'mrr' nor an 'amount'"):
        monthly_mrr(_table(plan=["x"]))


def test_unknown_billing_period_is_named() -> None:
    t = _table(amount=[10.0, 5.0], billing_period=["monthly", "fortnightly"])
    with pytest.raises(ConfigError, match="unknown billing_period 'fortnightly'"):
        monthly_mrr(t)
    # Not an error where mrr is given: the period is then not used.
    t = _table(mrr=[1.0], amount=[10.0], billing_period=["fortnightly"])
    assert t.select(m=monthly_mrr(t)).to_pandas()["m"][0] == 1.0


def test_constant_currency_uses_each_latest_rate(tmp_path: Path) -> None:
    fx = tmp_path / "fx.csv"
    fx.write_text("currency,date,rate\nEUR,2024-01-01,1.1\neur,2024-06-01,1.2\n")
    t = _table(mrr=[10.0, 10.0, 10.0], currency=["EUR", "usd", None])
    out = to_constant_currency(t, fx=fx, currency="USD").to_pandas()
    assert out["mrr_monthly"].tolist() == pytest.approx([12.0, 10.0, 10.0])


def test_one_currency_needs_no_fx() -> None:
    t = _table(mrr=[3.0], currency=["PLN"])
    assert to_constant_currency(t).to_pandas()["mrr_monthly"][0] == 3.0
    with pytest.raises(ConfigError, match="in PLN, not EUR"):
        to_constant_currency(t, currency="EUR")


def test_currency_errors_say_what_to_do() -> None:
    t = _table(mrr=[1.0, 2.0], currency=["EUR", "GBP"])
    with pytest.raises(ConfigError, match="several currencies") as e:
        to_constant_currency(t)
    assert "--fx" in str(e.value)
    fx = pd.DataFrame({"currency": ["EUR"], "date": ["2024-01-01"], "rate": [1.1]})
    with pytest.raises(ConfigError, match="no rate for GBP"):
        to_constant_currency(t, fx=fx, currency="USD")
    chf = fx.assign(currency=["CHF"])
    with pytest.raises(ConfigError, match="cannot tell the reporting currency"):
        to_constant_currency(t, fx=chf)


def test_bad_fx_tables() -> None:
    with pytest.raises(SchemaError, match="no column 'rate'"):
        read_fx(pd.DataFrame({"currency": ["EUR"], "date": ["2024-01-01"]}))
    with pytest.raises(InputError, match="rate that is not a positive number"):
        read_fx(
            pd.DataFrame({"currency": ["EUR"], "date": ["2024-01-01"], "rate": [0]})
        )
    with pytest.raises(InputError, match="two rates on"):
        read_fx(
            pd.DataFrame(
                {
                    "currency": ["EUR", "eur"],
                    "date": ["2024-01-01"] * 2,
                    "rate": [1.0, 2.0],
                }
            )
        )
