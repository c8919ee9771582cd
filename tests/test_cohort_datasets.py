"""Cohort tables on public data (../shared/datasets, see each SOURCE.md).

* RavenStack (synthetic B2B SaaS, 5,000 subscriptions of 500 accounts): the
  customer and revenue tables, split by the accounts' industry, equal a pandas
  computation written here from the definitions, vectorised over a cross join of
  subscriptions and month boundaries (no churnlens code).
* IBM Telco (7,043 customers, tenure in months and a churn flag, no dates): with
  synthetic starts ``tenure`` months before a common data end, the table must show
  the retention the raw file implies (see ``test_telco_...``).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from _datasets import dataset, needs_datasets
from churnlens.metrics.cohorts import cohort_table, to_wide

pytestmark = needs_datasets


def _ravenstack() -> tuple[pd.DataFrame, pd.DataFrame]:
    folder = dataset("ravenstack_saas_synthetic")
    raw = pd.read_csv(
        folder / "ravenstack_subscriptions.csv", parse_dates=["start_date", "end_date"]
    )
    # mrr_amount is monthly already (arr_amount = 12 x mrr_amount on every row).
    subs = pd.DataFrame(
        {
            "customer_id": raw["account_id"],
            "started_at": raw["start_date"],
            "ended_at": raw["end_date"],
            "mrr": raw["mrr_amount"].astype("float64"),
        }
    )
    accounts = pd.read_csv(folder / "ravenstack_accounts.csv")
    customers = accounts[["account_id", "industry"]].rename(
        columns={"account_id": "customer_id"}
    )
    return subs, customers


def _pandas_cohorts(subs: pd.DataFrame, industry: pd.Series) -> pd.DataFrame:
    """Monthly cohorts in UTC, from the definitions in docs/cohorts.md."""
    first = subs.groupby("customer_id")["started_at"].min()
    cohort = first.dt.to_period("M").rename("cohort")
    data_end = max(subs["started_at"].max(), subs["ended_at"].max())
    boundaries = pd.period_range(cohort.min(), data_end.to_period("M"), freq="M")
    boundaries = boundaries[boundaries.start_time <= data_end][1:]
    grid = pd.DataFrame({"boundary": boundaries})
    rows = subs.join(cohort, on="customer_id").merge(grid, how="cross")
    t = rows["boundary"].map(lambda p: p.start_time)
    rows["covers"] = (rows["started_at"] < t) & (
        rows["ended_at"].isna() | (t <= rows["ended_at"])
    )
    rows["age"] = (rows["boundary"] - rows["cohort"]).map(lambda d: d.n) - 1
    rows = rows[rows["age"] >= 0].join(industry, on="customer_id")
    covering = rows[rows["covers"]]
    keys = ["cohort", "industry", "age"]
    heads = covering.groupby(keys)["customer_id"].nunique().rename("customers")
    mrr = covering.groupby(keys)["mrr"].sum().rename("mrr")
    sizes = (
        pd.DataFrame({"cohort": cohort}).join(industry).groupby(["cohort", "industry"])
    ).size()
    ages = rows[keys].drop_duplicates()
    out = ages.join(heads, on=keys).join(mrr, on=keys).fillna(0)
    out["cohort_size"] = out.set_index(["cohort", "industry"]).index.map(sizes)
    out = out.fillna({"cohort_size": 0}).sort_values(keys).reset_index(drop=True)
    out["cohort"] = out["cohort"].map(lambda p: p.start_time.date())
    return out


def test_ravenstack_equals_a_pandas_computation() -> None:
    subs, customers = _ravenstack()
    industry = customers.set_index("customer_id")["industry"]
    expected = _pandas_cohorts(subs, industry)
    people = cohort_table(subs, by="industry", customers=customers)
    money = cohort_table(subs, kind="revenue", by="industry", customers=customers)
    keys = ["cohort", "industry", "age"]
    people = people.set_index(keys)
    money = money.set_index(keys)
    # pandas lists only (cohort, industry) pairs that have members.
    wanted = expected.set_index(keys)
    assert set(wanted.index) <= set(people.index)
    rest = people.drop(wanted.index)
    assert (rest["cohort_size"] == 0).all() and (rest["customers"] == 0).all()
    got = people.loc[wanted.index]
    assert got["customers"].tolist() == wanted["customers"].astype(int).tolist()
    assert got["cohort_size"].tolist() == wanted["cohort_size"].astype(int).tolist()
    np.testing.assert_allclose(
        money.loc[wanted.index, "mrr"], wanted["mrr"], rtol=1e-12, atol=1e-6
    )
    # Signups from January 2023; the data end on 2024-12-31, so the last
    # boundary is 2024-12-01: 23 cohorts, the first with 23 ages.
    assert people.reset_index()["cohort"].nunique() == 23
    assert len(to_wide(people.reset_index()).columns) == 23
    assert len(wanted) > 1000  # most (cohort, industry) pairs have members


def test_telco_tenure_round_trip_gives_the_retention_the_file_implies() -> None:
    """Every customer starts ``tenure`` months before the data end E (at local
    midnight on the 1st); a churned customer leaves during the last month (a day
    before E), the others stay open. So each signup month holds exactly the
    customers with one tenure t, present at every boundary before E, and at E
    (age t - 1, the triangle's diagonal) the share of that tenure group who did
    not churn. Tenure 0 customers signed up in E's own month: no age yet."""
    raw = pd.read_csv(
        dataset("ibm_telco_churn") / "WA_Fn-UseC_-Telco-Customer-Churn.csv"
    )
    end = pd.Timestamp("2025-01-01")
    churned = raw["Churn"].eq("Yes")
    starts = pd.Series(
        [end - pd.DateOffset(months=int(t)) for t in raw["tenure"]], dtype="M8[us]"
    )
    subs = pd.DataFrame(
        {
            "customer_id": raw["customerID"],
            "started_at": starts,
            "ended_at": pd.Series(
                np.where(churned, end - pd.Timedelta(days=1), pd.NaT), dtype="M8[us]"
            ),
        }
    )
    # Tenure 0 customers start at E itself: E is the data end.
    table = cohort_table(subs, now=dt.datetime(2030, 1, 1))
    tenure = (
        table["cohort"].map(lambda d: (2025 - d.year) * 12 + 1 - d.month).astype(int)
    )
    by_tenure = raw.groupby("tenure")
    sizes = by_tenure.size()
    stayed = by_tenure["Churn"].apply(lambda c: float((c == "No").mean()))
    assert table["cohort_size"].tolist() == sizes.loc[tenure].tolist()
    last = table["age"] == tenure - 1
    np.testing.assert_allclose(
        table.loc[last, "retention"], stayed.loc[tenure[last]], rtol=0, atol=1e-15
    )
    assert (table.loc[~last, "retention"] == 1.0).all()
    # Tenure 0 (11 customers, none churned) would be January 2025: not reported.
    assert tenure.min() == 1 and tenure.max() == 72
    assert int(table.loc[last, "customers"].sum()) == int(
        ((raw["tenure"] > 0) & ~churned).sum()
    )
    assert table.loc[last, "retention"].mean() == pytest.approx(
        stayed.drop(0).mean(), abs=1e-12
    )
