"""support_steps pinned to the naive reference at instants between changes, and
read from a store on the way the model reads it."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from churnlens.errors import ConfigError
from churnlens.metrics.support_steps import STEP_COVARIATES, support_steps
from oracle.support_steps_reference import reference_steps

BASE = datetime(2024, 1, 1)
CUSTOMERS = ("a", "b")


@st.composite
def tickets(draw: Any) -> list[dict[str, Any]]:
    rows = []
    for _ in range(draw(st.integers(1, 12))):
        # Whole hours: every change falls on a whole hour, the probes between.
        created = BASE + timedelta(hours=draw(st.integers(0, 24 * 200)))
        response = draw(st.none() | st.integers(0, 24 * 6))
        resolved = draw(st.none() | st.integers(0, 24 * 30))
        rows.append(
            {
                "customer_id": draw(st.sampled_from(CUSTOMERS)),
                "created_at": created,
                "first_response_at": None
                if response is None
                else created + timedelta(hours=response),
                "resolved_at": None
                if resolved is None
                else created + timedelta(hours=resolved),
                "satisfaction": draw(st.none() | st.integers(1, 5)),
                "reopens": draw(st.sampled_from([None, 0, 1, 2])),
            }
        )
    return rows


def _frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows)
    for column in ("created_at", "first_response_at", "resolved_at"):
        frame[column] = pd.to_datetime(frame[column])
    frame["reopens"] = frame["reopens"].astype("Int64")
    frame["satisfaction"] = frame["satisfaction"].astype("Float64")
    return frame


def _value_at(steps: pd.DataFrame, customer: str, t: datetime) -> dict[str, float]:
    own = steps[(steps["customer_id"] == customer) & (steps["at"] <= t)]
    if own.empty:
        return dict.fromkeys(STEP_COVARIATES, 0.0)
    return own.iloc[-1][list(STEP_COVARIATES)].astype(float).to_dict()


@settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(rows=tickets(), sla=st.sampled_from([4.0, 24.0]))
def test_steps_equal_the_reference_between_changes(rows: list, sla: float) -> None:
    steps = support_steps(_frame(rows), sla_first_response_hours=sla)
    assert steps.groupby("customer_id")["at"].is_monotonic_increasing.all()
    hours = sorted(
        {
            int((r[k] - BASE).total_seconds() // 3600) + extra
            for r in rows
            for k in ("created_at", "first_response_at", "resolved_at")
            if r[k] is not None
            for extra in (0, int(sla), 24 * 7, 24 * 90)
        }
    )
    for customer in CUSTOMERS:
        own = [r for r in rows if r["customer_id"] == customer]
        for hour in [-1, *hours]:
            t = BASE + timedelta(hours=hour, minutes=30)
            expected = reference_steps(own, t, sla_first_response_hours=sla)
            got = _value_at(steps, customer, t)
            assert got == pytest.approx(expected), (customer, t)


def test_only_the_chosen_covariates_and_their_changes_come_back() -> None:
    rows = [
        {
            "customer_id": "a",
            "created_at": BASE,
            "first_response_at": BASE + timedelta(hours=30),
            "resolved_at": BASE + timedelta(days=10),
            "satisfaction": 5,
            "reopens": 0,
        }
    ]
    steps = support_steps(_frame(rows), covariates=["open_ticket_over_7d"])
    assert list(steps.columns) == ["customer_id", "at", "open_ticket_over_7d"]
    assert steps["at"].tolist() == [BASE + timedelta(days=7), BASE + timedelta(days=10)]
    assert steps["open_ticket_over_7d"].tolist() == [1.0, 0.0]
    slow = support_steps(_frame(rows), covariates=["slow_first_response"])
    assert slow["at"].tolist() == [
        BASE + timedelta(hours=30),
        BASE + timedelta(days=90),
    ]
    assert slow["slow_first_response"].tolist() == [1.0, 0.0]


def test_a_store_gives_the_same_steps_as_its_tickets_file(tmp_path: Any) -> None:
    import churnlens

    files = churnlens.generate_demo(tmp_path / "demo", n_customers=300, seed=5)
    db = tmp_path / "demo.duckdb"
    churnlens.ingest([files.subscriptions, files.customers, files.tickets], db=db)
    from_store = support_steps(db)
    from_file = support_steps(files.tickets)
    pd.testing.assert_frame_equal(from_store, from_file)
    assert len(from_store) > 300
    assert np.isin(from_store["slow_first_response"], [0.0, 1.0]).all()


def test_unknown_covariates_are_config_errors() -> None:
    frame = _frame(
        [{"customer_id": "a", "created_at": BASE, "first_response_at": None,
          "resolved_at": None, "satisfaction": None, "reopens": None}]
    )  # fmt: skip
    with pytest.raises(ConfigError, match="no step function for nps"):
        support_steps(frame, covariates=["nps"])
