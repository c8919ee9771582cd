"""Support impact on public churn tables: the bucket tables and Cox fits must
match, in direction and size, what a plain pandas crosstab of the raw table says."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from _datasets import dataset, needs_datasets
from churnlens.errors import ConfigError, InputError, SchemaError
from churnlens.explain.support_impact import (
    bucket_table,
    cox_from_table,
    table_support_impact,
)

pytestmark = needs_datasets


def _check_against_crosstab(
    table: pd.DataFrame, measure: pd.Series, churned: pd.Series
) -> pd.Series:
    expected = pd.crosstab(measure, churned, normalize="index")[1]
    got = table.set_index("bucket")["churn_share"]
    assert got.to_numpy() == pytest.approx(expected.to_numpy())
    counts = pd.crosstab(measure, churned).sum(axis=1)
    assert table["observations"].tolist() == counts.tolist()
    return got


def test_iranian_telecom_complaints() -> None:
    frame = pd.read_csv(dataset("iranian_telecom_churn") / "Customer Churn.csv")
    table = bucket_table(frame, "Complains", "Churn")
    got = _check_against_crosstab(table, frame["Complains"].astype(str), frame["Churn"])
    # The SOURCE's figures: 83.0% churn with a complaint, 10.1% without.
    assert got["1"] == pytest.approx(0.830, abs=0.001)
    assert got["0"] == pytest.approx(0.101, abs=0.001)
    rows = table.set_index("bucket")
    assert rows.loc["1", "churn_share_lower"] > rows.loc["0", "churn_share_upper"]
    ratios = cox_from_table(
        frame, "Subscription  Length", "Churn", ["Complains"]
    ).set_index("covariate")
    assert ratios.loc["Complains", "hazard_ratio_lower"] > 1


def test_ibm_telco_tech_support() -> None:
    path = dataset("ibm_telco_churn") / "WA_Fn-UseC_-Telco-Customer-Churn.csv"
    frame = pd.read_csv(path)
    churned = (frame["Churn"] == "Yes").astype(int)
    table = bucket_table(frame, "TechSupport", "Churn")
    got = _check_against_crosstab(table, frame["TechSupport"], churned)
    assert got["No"] > 2 * got["Yes"]
    # Tenure in months is the duration: the Cox model agrees in direction, and
    # its hazard ratio (Yes against the most frequent level, No) is well below 1.
    ratios = cox_from_table(
        frame, "tenure", "Churn", ["TechSupport"], categorical=["TechSupport"]
    ).set_index("covariate")
    assert ratios.loc["TechSupport=Yes", "hazard_ratio_upper"] < 0.6
    assert ratios.loc["TechSupport=No internet service", "hazard_ratio"] < 0.3


def test_mlc_telecom_customer_service_calls() -> None:
    frame = pd.read_csv(dataset("mlc_telecom_churn") / "mlc_churn.csv")
    churned = (frame["churn"] == "yes").astype(int)
    table = bucket_table(frame, "number_customer_service_calls", "churn", edges=[0, 4])
    calls = np.where(frame["number_customer_service_calls"] >= 4, "4+", "0-3")
    got = _check_against_crosstab(table, pd.Series(calls), churned)
    # The SOURCE: about 11% churn up to three calls, far more from the fourth.
    assert got["0-3"] == pytest.approx(0.11, abs=0.01)
    assert got["4+"] > 0.4
    ratios = cox_from_table(
        frame.assign(many_calls=(frame["number_customer_service_calls"] >= 4) * 1.0),
        "account_length",
        "churn",
        ["many_calls"],
    ).set_index("covariate")
    assert ratios.loc["many_calls", "hazard_ratio_lower"] > 2


def test_ravenstack_tickets() -> None:
    root = dataset("ravenstack_saas_synthetic")
    accounts = pd.read_csv(root / "ravenstack_accounts.csv")
    tickets = pd.read_csv(root / "ravenstack_support_tickets.csv")
    events = pd.read_csv(root / "ravenstack_churn_events.csv")
    per_account = tickets.groupby("account_id").agg(
        tickets=("ticket_id", "size"),
        escalations=("escalation_flag", "sum"),
    )
    frame = (
        accounts.set_index("account_id")
        .join(per_account)
        .fillna({"tickets": 0, "escalations": 0})
    )
    frame["churned"] = frame.index.isin(events["account_id"]).astype(int)
    table = bucket_table(frame, "tickets", "churned", edges=[0, 3, 5])
    buckets = pd.cut(frame["tickets"], [0, 3, 5, np.inf], right=False)
    got = _check_against_crosstab(table, buckets, frame["churned"])
    # Synthetic data without a planted support effect (its SOURCE says so): the
    # shares differ by less than their intervals.
    rows = table.set_index("bucket")
    assert rows["churn_share_lower"].max() < rows["churn_share_upper"].min()
    assert got.max() - got.min() < 0.15


def test_table_support_impact_on_a_dataframe() -> None:
    path = dataset("ibm_telco_churn") / "WA_Fn-UseC_-Telco-Customer-Churn.csv"
    frame = pd.read_csv(path)
    impact = table_support_impact(
        frame,
        "Churn",
        ["TechSupport", "PaperlessBilling"],
        duration="tenure",
        adjust_for=["Contract", "SeniorCitizen"],
    )
    assert set(impact.tables()) == {
        "support_buckets",
        "hazard_ratios",
        "ph_check",
        "model_fit",
    }
    buckets = impact.buckets.set_index(["measure", "bucket"])
    churned = frame["Churn"] == "Yes"
    for measure in ("TechSupport", "PaperlessBilling"):
        expected = churned.groupby(frame[measure]).mean()
        got = buckets.loc[measure, "churn_share"].loc[expected.index]
        assert got.to_numpy() == pytest.approx(expected.to_numpy())
    ratios = impact.hazard_ratios.set_index("covariate")
    assert ratios.loc["TechSupport=Yes", "kind"] == "support"
    assert ratios.loc["Contract=Two year", "kind"] == "adjustment"
    assert ratios.loc["SeniorCitizen", "kind"] == "adjustment"  # a number
    assert ratios.loc["TechSupport=Yes", "hazard_ratio_upper"] < 1
    assert impact.fit.loc[0, "left_out"] == (frame["tenure"] == 0).sum()
    # Two measures sharing a level ("No internet service": the same customers)
    # cannot be told apart, and the model says so.
    with pytest.raises(ConfigError, match="linear combinations"):
        table_support_impact(
            frame, "Churn", ["TechSupport", "StreamingTV"], duration="tenure"
        )

    bad = frame.assign(Churn=frame["Churn"].where(frame.index != 5, "maybe"))
    with pytest.raises(InputError, match="row 6: 'maybe' is not a churn outcome"):
        table_support_impact(bad, "Churn", ["TechSupport"])
    with pytest.raises(SchemaError, match="did you mean 'TechSupport'"):
        table_support_impact(frame, "Churn", ["TechSuport"])
