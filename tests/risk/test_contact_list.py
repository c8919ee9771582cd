"""The contact list: columns, ranking and the value arithmetic."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from churnlens.actions.contact_list import (
    CONTACT_COLUMNS,
    _model,
    contact_list,
    suggested_action,
)
from churnlens.errors import ConfigError
from churnlens.models.risk.features import risk_features
from churnlens.models.risk.training import train_risk_model

AS_OF = "2026-06-01"


@pytest.fixture(scope="module")
def model(demo_store):  # noqa: ANN001, ANN201
    return train_risk_model(
        demo_store, as_of="2026-03-01", history_days=120, step_days=60
    )


@pytest.fixture(scope="module")
def table(demo_store, model):  # noqa: ANN001, ANN201
    return contact_list(demo_store, as_of=AS_OF, model=model)


def test_columns_and_rows(demo_store, table) -> None:  # noqa: ANN001
    assert list(table.columns) == list(CONTACT_COLUMNS)
    base = risk_features(demo_store, as_of=AS_OF)
    assert sorted(table.customer_id) == sorted(base.customer_id)
    assert table["rank"].tolist() == list(range(1, len(table) + 1))
    assert table.churn_probability.between(0, 1).all()
    np.testing.assert_allclose(table.mrr_at_risk, table.churn_probability * table.mrr)
    np.testing.assert_allclose(
        table.expected_value_saved, table.mrr_at_risk * 12 * 0.25
    )
    assert (table.reasons != "").mean() > 0.9


def test_ranking(table) -> None:  # noqa: ANN001
    requested = (table.status == "cancel_requested").to_numpy()
    assert requested.any() and not requested[np.argmin(requested) :].any()
    for part in (table[requested], table[~requested]):
        assert part.expected_value_saved.is_monotonic_decreasing
    assert (table[requested].suggested_action.str.startswith("save call")).all()


def test_top_and_saved_model(demo_store, model, table, tmp_path) -> None:  # noqa: ANN001
    path = model.save(tmp_path / "risk.joblib")
    top = contact_list(demo_store, as_of=AS_OF, model=path, top=5)
    assert top.drop(columns="as_of").equals(table.head(5).drop(columns="as_of"))


def test_trains_without_look_ahead(demo_store) -> None:  # noqa: ANN001
    # With no model given, training uses only dates whose outcome was known.
    fitted = _model(demo_store, None, dt.datetime(2026, 5, 1), 90)
    last = max(pd.Timestamp(d) for d in fitted.metadata["trained_as_of"])
    assert last <= pd.Timestamp("2026-05-01") - pd.Timedelta(days=90)
    with pytest.raises(ConfigError, match="save_rate"):
        contact_list(demo_store, as_of=AS_OF, save_rate=0)


def test_actions() -> None:
    assert suggested_action("open_over_7d,tenure_days").startswith("escalate")
    assert suggested_action("tenure_days") == "onboarding call"
    assert suggested_action("price_increase_90d").startswith("price/plan review")
    assert suggested_action("") == "loyalty offer"
    # Only the three largest reasons pick the action; a request always counts.
    usage = "usage_7d,usage_30d,days_since_activity,tenure_days,open_over_7d"
    assert suggested_action(usage).startswith("usage review")
    assert suggested_action(usage + ",cancel_requested").startswith("save call")
    # A request too small a contribution to be listed still counts, by status.
    assert suggested_action(usage, cancel_requested=True).startswith("save call")
    assert suggested_action("usage_7d,bad_ratings_90d,tenure_days").startswith(
        "support recovery"
    )
