"""``churnlens why FILE --churned COLUMN --measure COLUMN``: a public churn table
with one row per customer, through the command line.

Each figure is checked against the raw file read with plain pandas: the churn
share per bucket equals a crosstab, and the Cox hazard ratio contains the crude
rate ratio (churned per unit of time observed, with against without) and agrees
with it in direction and size. Bad input ends with exit code 2 and one message
naming the file, the line and the column, with a hint.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner, Result

from _datasets import dataset, needs_datasets
from churnlens.cli import main

IRANIAN = dataset("iranian_telecom_churn") / "Customer Churn.csv"
TELCO = dataset("ibm_telco_churn") / "WA_Fn-UseC_-Telco-Customer-Churn.csv"
MLC = dataset("mlc_telecom_churn") / "mlc_churn.csv"
RAVENSTACK = dataset("ravenstack_saas_synthetic")


def why(*args: str | Path) -> Result:
    return CliRunner().invoke(main, ["why", *map(str, args)])


def document(*args: str | Path) -> dict:
    result = why(*args, "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def shares(doc: dict, measure: str) -> pd.DataFrame:
    table = pd.DataFrame(doc["support_buckets"])
    return table[table["measure"] == measure].set_index("bucket")


def ratio(doc: dict, covariate: str) -> pd.Series:
    return pd.DataFrame(doc["hazard_ratios"]).set_index("covariate").loc[covariate]


def crude_rate_ratio(churned: pd.Series, time: pd.Series, exposed: pd.Series) -> float:
    """Churned per unit of time observed, exposed against the others."""
    rate = churned.groupby(exposed).sum() / time.groupby(exposed).sum()
    return float(rate[True] / rate[False])


def check_shares(table: pd.DataFrame, groups: pd.Series, churned: pd.Series) -> None:
    expected = churned.groupby(groups).agg(["size", "sum", "mean"])
    got = table.loc[expected.index.astype(str)]
    assert got["observations"].tolist() == expected["size"].tolist()
    assert got["churned"].tolist() == expected["sum"].tolist()
    assert got["churn_share"].to_numpy() == pytest.approx(expected["mean"].to_numpy())
    assert (got["churn_share_lower"] <= got["churn_share"]).all()
    assert (got["churn_share"] <= got["churn_share_upper"]).all()


@needs_datasets
def test_iranian_complaints() -> None:
    raw = pd.read_csv(IRANIAN)
    doc = document(
        IRANIAN,
        *("--churned", "Churn", "--measure", "Complains"),
        *("--duration", "Subscription Length"),  # one space: found all the same
    )
    table = shares(doc, "Complains")
    check_shares(table, raw["Complains"], raw["Churn"])
    # The SOURCE: 83.0% churn with a complaint, 10.1% without.
    assert table.loc["1", "churn_share"] == pytest.approx(0.830, abs=0.001)
    assert table.loc["0", "churn_share"] == pytest.approx(0.101, abs=0.001)
    assert table.loc["1", "churn_share_lower"] > table.loc["0", "churn_share_upper"]
    crude = crude_rate_ratio(
        raw["Churn"], raw["Subscription  Length"], raw["Complains"] == 1
    )
    hr = ratio(doc, "Complains")
    assert hr["hazard_ratio_lower"] < crude < hr["hazard_ratio_upper"]
    assert hr["hazard_ratio"] == pytest.approx(crude, rel=0.15)
    assert hr["hazard_ratio_lower"] > 5


@needs_datasets
def test_ibm_telco_tech_support_adjusted_for_contract() -> None:
    raw = pd.read_csv(TELCO)
    churned = (raw["Churn"] == "Yes").astype(int)
    doc = document(
        TELCO, "--churned", "Churn", "--measure", "TechSupport", "--duration", "tenure"
    )
    table = shares(doc, "TechSupport")
    check_shares(table, raw["TechSupport"], churned)
    assert table.loc["No", "churn_share"] > 2 * table.loc["Yes", "churn_share"]
    # The eleven customers of tenure 0 have no time at risk: left out, and said.
    assert doc["model_fit"][0]["left_out"] == 11
    assert any("11 rows with a tenure of 0" in n for n in doc["notes"])
    kept = raw["tenure"] > 0
    both = kept & raw["TechSupport"].isin(["Yes", "No"])
    crude = crude_rate_ratio(
        churned[both], raw.loc[both, "tenure"], raw.loc[both, "TechSupport"] == "Yes"
    )
    hr = ratio(doc, "TechSupport=Yes")  # against the most frequent level, No
    assert hr["kind"] == "support"
    assert hr["hazard_ratio_lower"] < crude < hr["hazard_ratio_upper"]
    assert hr["hazard_ratio_upper"] < 0.3
    # Adjusted for the contract, tech support still goes with less churn, but
    # far less so: month-to-month customers lack it more often.
    adjusted = document(
        TELCO,
        *("--churned", "Churn=Yes", "--measure", "TechSupport"),
        *("--duration", "tenure", "--adjust", "Contract"),
    )
    hr_adjusted = ratio(adjusted, "TechSupport=Yes")
    assert hr["hazard_ratio"] < hr_adjusted["hazard_ratio"] < 1
    assert ratio(adjusted, "Contract=Two year")["kind"] == "adjustment"


@needs_datasets
def test_mlc_four_customer_service_calls_or_more() -> None:
    raw = pd.read_csv(MLC)
    churned = (raw["churn"] == "yes").astype(int)
    calls = raw["number_customer_service_calls"]
    doc = document(
        MLC,
        *("--churned", "churn", "--measure", "number_customer_service_calls"),
        *("--buckets", "number_customer_service_calls=0,4"),
        *("--duration", "account_length"),
    )
    table = shares(doc, "number_customer_service_calls")
    assert table.index.tolist() == ["0-3", "4+"]
    check_shares(table, pd.Series(np.where(calls >= 4, "4+", "0-3")), churned)
    # The SOURCE: about 11% up to three calls, far more from the fourth.
    assert table.loc["0-3", "churn_share"] == pytest.approx(0.11, abs=0.01)
    assert table.loc["4+", "churn_share"] > 0.4
    crude = crude_rate_ratio(churned, raw["account_length"], calls >= 4)
    hr = ratio(doc, "number_customer_service_calls=4+")
    assert hr["hazard_ratio_lower"] < crude < hr["hazard_ratio_upper"]
    assert hr["hazard_ratio_lower"] > 2


@needs_datasets
def test_ravenstack_tickets_per_account(tmp_path: Path) -> None:
    accounts = pd.read_csv(RAVENSTACK / "ravenstack_accounts.csv")
    tickets = pd.read_csv(RAVENSTACK / "ravenstack_support_tickets.csv")
    events = pd.read_csv(RAVENSTACK / "ravenstack_churn_events.csv")
    counts = tickets["account_id"].value_counts()
    frame = pd.DataFrame(
        {
            "account_id": accounts["account_id"],
            "tickets": accounts["account_id"].map(counts).fillna(0).astype(int),
            "churned": accounts["account_id"].isin(events["account_id"]),
        }
    )
    path = tmp_path / "accounts.csv"
    frame.to_csv(path, index=False)
    doc = document(
        path, "--churned", "churned", "--measure", "tickets", "--buckets", "0,3,5"
    )
    table = shares(doc, "tickets")
    groups = pd.cut(frame["tickets"], [0, 3, 5, np.inf], right=False)
    labels = groups.cat.rename_categories(["0-2", "3-4", "5+"]).astype(str)
    check_shares(table, labels, frame["churned"].astype(int))
    # Synthetic data without a support effect (its SOURCE): every interval
    # overlaps every other, and no Cox model without --duration.
    assert table["churn_share_lower"].max() < table["churn_share_upper"].min()
    assert "hazard_ratios" not in doc
    assert any("no duration column" in n for n in doc["notes"])


# -- bad input -------------------------------------------------------------------


def assert_user_error(result: Result, *needles: str) -> None:
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    message = result.stderr[result.stderr.index("Error: ") :]
    assert "\nHint: " in message, message
    for needle in needles:
        assert needle in message, f"{needle!r} not in {message!r}"


TABLE = """customer_id,churned,tickets,plan,months
a,yes,1,basic,3
b,no,0,pro,12
c,maybe,2,basic,5
d,no,x,pro,
"""


@pytest.fixture
def table(tmp_path: Path) -> Path:
    path = tmp_path / "customers.csv"
    path.write_text(TABLE, encoding="utf-8")
    return path


def test_a_missing_column_is_named_with_the_columns_there(table: Path) -> None:
    result = why(table, "--churned", "churned", "--measure", "ticket")
    assert_user_error(
        result, "customers.csv", "column 'ticket'", "did you mean 'tickets'"
    )


def test_an_unknown_churn_value_names_its_line(table: Path) -> None:
    result = why(table, "--churned", "churned", "--measure", "plan")
    assert_user_error(
        result, "customers.csv", "line 4", "'maybe' is not a churn outcome", "=VALUE"
    )
    # Naming the churned value reads every other one as not churned.
    fine = why(table, "--churned", "churned=yes", "--measure", "plan")
    assert fine.exit_code == 0, fine.output


def test_a_non_numeric_measure_cannot_be_bucketed(table: Path) -> None:
    result = why(
        table, "--churned", "churned=yes", "--measure", "tickets", "--buckets", "0,1"
    )
    assert_user_error(
        result, "customers.csv", "line 5", "column 'tickets'", "'x' is not a number"
    )


def test_a_non_numeric_duration_names_its_line(table: Path) -> None:
    result = why(
        table, "--churned", "churned=yes", "--measure", "plan", "--duration", "plan"
    )
    assert_user_error(result, "line 2", "column 'plan'", "the duration must be one")


def test_options_of_the_other_mode_are_refused(table: Path) -> None:
    result = why(table, "--churned", "churned=yes", "--measure", "plan", "--fx", table)
    assert result.exit_code == 2 and "--fx: only for subscriptions" in result.output
    # --by splits the reasons of a table: it needs them.
    result = why(table, "--churned", "churned=yes", "--measure", "plan", "--by", "x")
    assert result.exit_code == 2 and "--by needs --reason" in result.output
    result = why(table, "--duration", "months")
    assert result.exit_code == 2 and "--duration: only with --churned" in result.output
    result = why(table, "--churned", "churned=yes")
    assert result.exit_code == 2 and "one or more --measure COLUMN" in result.output
    # Without --churned, --measure names a covariate of the store's model.
    result = why(table, "--measure", "tickets")
    assert_user_error(result, "unknown support measure(s): tickets", "--churned")
