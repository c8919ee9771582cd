"""``churnlens why FILE --churned COLUMN --reason COLUMN``: the reasons of a
table with one row per customer, through the command line.

IBM's extended Telco release gives each churned customer a reason text and IBM's
own category of it: the counts are checked against the raw file read with plain
pandas, and the classification against IBM's categories (independent labels).
A small file checks codes, other languages and missing reasons.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner, Result

from _datasets import dataset, needs_datasets
from churnlens.cli import main

TELCO = dataset("ibm_telco_churn_v11")


def why(*args: str | Path) -> Result:
    return CliRunner().invoke(main, ["why", *map(str, args)])


def reasons(*args: str | Path) -> pd.DataFrame:
    result = why(*args, "--format", "json")
    assert result.exit_code == 0, result.output
    return pd.DataFrame(json.loads(result.stdout)["reasons"])


@needs_datasets
def test_telco_reasons_add_up_to_the_raw_file() -> None:
    path = TELCO / "Telco_customer_churn.csv"
    raw = pd.read_csv(path)
    churned = raw[raw["Churn Value"] == 1]
    table = reasons(
        path, "--churned", "Churn Value", "--reason", "Churn Reason",
        "--mrr", "Monthly Charges",
    )  # fmt: skip
    assert table["churned"].sum() == len(churned) == 1869
    assert (table["churned_total"] == len(churned)).all()
    assert table["lost_mrr"].sum() == pytest.approx(churned["Monthly Charges"].sum())
    assert table["from_text"].sum() == churned["Churn Reason"].notna().sum()
    by_reason = table.set_index("reason")
    # Texts that name their cause plainly, counted in the raw file.
    plain = {
        "switched_to_competitor": churned["Churn Reason"].str.startswith("Competitor"),
        "technical_problems": churned["Churn Reason"] == "Network reliability",
        "price": churned["Churn Reason"] == "Price too high",
    }
    for reason, rows in plain.items():
        assert by_reason.loc[reason, "churned"] == rows.sum(), reason
    assert (
        "Network reliability (103)" in by_reason.loc["technical_problems", "top_texts"]
    )


@needs_datasets
def test_telco_reasons_agree_with_ibms_categories() -> None:
    """IBM put each reason text in a category; where a category is one reason
    of ours, every customer in it gets that reason."""
    status = pd.read_csv(TELCO / "Telco_customer_churn_status.csv")
    churned = status[status["Churn Value"] == 1]
    per_text = reasons(
        TELCO / "Telco_customer_churn_status.csv",
        "--churned", "Churn Value", "--reason", "Churn Reason",
        "--by", "Churn Category", "--lang", "en",
    )  # fmt: skip
    got = per_text.pivot_table(
        index="Churn Category", columns="reason", values="churned", aggfunc="sum"
    )
    sizes = churned["Churn Category"].value_counts()
    assert got.loc["Competitor", "switched_to_competitor"] == sizes["Competitor"]
    assert got.loc["Attitude", "poor_support"] == sizes["Attitude"]
    # IBM's "Price" holds charges and slow-but-affordable speeds: money reasons
    # of ours (price, billing) cover most of it, never support or competitors.
    money = got.loc["Price", ["price", "billing_payment"]].sum()
    assert money / sizes["Price"] > 0.8
    assert got.loc["Price", ["poor_support", "switched_to_competitor"]].sum() == 0


def test_codes_languages_and_missing_reasons(tmp_path: Path) -> None:
    path = tmp_path / "churn.csv"
    pd.DataFrame(
        {
            "id": range(7),
            "left": ["yes", "yes", "yes", "yes", "yes", "no", "yes"],
            "why": [
                "too_expensive",  # a Stripe code
                "switched_service",  # another
                "Za drogo, budżet się skończył",  # Polish free text: price
                "Support never answered our tickets",
                "",  # churned without a reason: unknown
                "Too expensive",  # did not churn: not counted
                "Competitor",  # a common spelling of a code
            ],
            "segment": ["a", "a", "b", "b", "b", "a", "a"],
            "mrr": [10, 20, 30, 40, 50, 60, 70],
        }
    ).to_csv(path, index=False)
    table = reasons(path, "--churned", "left", "--reason", "why", "--mrr", "mrr")
    got = table.set_index("reason")
    assert got["churned"].to_dict() == {
        "price": 2,
        "missing_feature": 0,
        "poor_support": 1,
        "technical_problems": 0,
        "switched_to_competitor": 2,
        "no_longer_needed": 0,
        "onboarding": 0,
        "billing_payment": 0,
        "other": 0,
        "unknown": 1,
    }
    assert got.loc["price", "from_code"] == 1 and got.loc["price", "from_text"] == 1
    assert got.loc["switched_to_competitor", "lost_mrr"] == 90
    assert got.loc["unknown", "lost_mrr_share"] == pytest.approx(50 / 220)
    split = reasons(path, "--churned", "left", "--reason", "why", "--by", "segment")
    totals = split.groupby("segment")["churned_total"].first().to_dict()
    assert totals == {"a": 3, "b": 3}


def test_customers_without_a_segment_form_their_own(tmp_path: Path) -> None:
    path = tmp_path / "churn.csv"
    why_ = ["too_expensive", "Too expensive", "missing_features"]
    frame = pd.DataFrame({"left": [1, 1, 1], "why": why_, "segment": ["a", None, None]})
    frame.to_csv(path, index=False)
    split = reasons(path, "--churned", "left", "--reason", "why", "--by", "segment")
    blank = split[split["segment"].isna()].set_index("reason")
    assert blank["churned_total"].iloc[0] == 2
    assert blank.loc["price", "top_texts"] == "Too expensive (1)"
    assert blank.loc["missing_feature", "top_texts"] == "missing_features (1)"


def test_reason_options_are_checked(tmp_path: Path) -> None:
    path = tmp_path / "churn.csv"
    pd.DataFrame({"left": [1, 0], "why": ["price", None]}).to_csv(path, index=False)
    alone = why(path, "--churned", "left")
    assert alone.exit_code == 2 and "--reason COLUMN" in alone.output
    by = why(path, "--churned", "left", "--measure", "why", "--by", "why")
    assert by.exit_code == 2 and "--by needs --reason" in by.output
    typo = why(path, "--churned", "left", "--reason", "wyh")
    assert typo.exit_code == 2 and "there is no column 'wyh'" in typo.output
    assert "did you mean 'why'" in typo.output and "Traceback" not in typo.output
