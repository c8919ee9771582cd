"""Holdout assignment and saved contact-list snapshots."""

from __future__ import annotations

import pandas as pd
import pytest

import churnlens
from churnlens.actions.snapshots import (
    assign_holdout,
    contact_list_snapshot,
    save_contact_list,
)


def _ids(n: int) -> pd.DataFrame:
    return pd.DataFrame({"customer_id": [f"K{i:05d}" for i in range(n)]})


def test_holdout_is_deterministic_per_customer_and_seed() -> None:
    table = _ids(5000)
    first = assign_holdout(table, share=0.1, seed=7)
    again = assign_holdout(table.iloc[::-1], share=0.1, seed=7)
    assert first.set_index("customer_id")["holdout"].equals(
        again.set_index("customer_id")["holdout"].loc[first["customer_id"]]
    )
    other = assign_holdout(table, share=0.1, seed=8)
    assert not first["holdout"].equals(other["holdout"])
    # Binomial(5000, 0.1): mean 500, sd 21.
    assert 430 <= first["holdout"].sum() <= 570
    larger = assign_holdout(table, share=0.3, seed=7)
    assert (larger["holdout"] | ~first["holdout"]).all()  # a larger share only adds
    assert first.attrs == {"holdout_share": 0.1, "holdout_seed": 7}
    assert not assign_holdout(table, share=0.0)["holdout"].any()


@pytest.mark.parametrize("share", [-0.1, 1.0, 1.5])
def test_holdout_share_out_of_range(share) -> None:
    with pytest.raises(churnlens.ConfigError, match="holdout share"):
        assign_holdout(_ids(3), share=share)


def test_save_contact_list_keeps_the_snapshot_once(demo_store, contact_table) -> None:
    list_id = save_contact_list(demo_store, contact_table)
    assert list_id == 1 and contact_table.attrs["list_id"] == 1
    assert save_contact_list(demo_store, contact_table) == 1
    moved = contact_table.assign(holdout=[True, False, False, False])
    assert save_contact_list(demo_store, moved) == 2
    snapshot = contact_list_snapshot(demo_store, 1)
    assert list(snapshot["customer_id"]) == list(contact_table["customer_id"])
    assert (
        snapshot.loc[0, "reasons"] == "3 tickets open for over 5 days; usage down 60%"
    )
    assert list(snapshot["holdout"]) == [False, False, True, False]
    assert snapshot.attrs["as_of"] == pd.Timestamp("2026-06-30")
    assert contact_list_snapshot(demo_store).attrs["list_id"] == 2


def test_save_contact_list_checks_the_table(demo_store, contact_table) -> None:
    with pytest.raises(churnlens.ConfigError, match="no as-of date"):
        save_contact_list(demo_store, pd.DataFrame({"customer_id": ["C00001"]}))
    twice = pd.concat([contact_table, contact_table.head(1)])
    with pytest.raises(churnlens.InputError, match="on the contact list twice"):
        save_contact_list(demo_store, twice, as_of="2026-06-30")


def test_the_contact_lists_own_as_of_column(demo_store, contact_table) -> None:
    """``contact_list`` returns as_of, rank and currency as columns."""
    table = contact_table.assign(
        rank=range(1, 5), currency="EUR", as_of=pd.Timestamp("2026-06-30")
    )
    table.attrs.clear()
    list_id = save_contact_list(demo_store, table)
    snapshot = contact_list_snapshot(demo_store, list_id)
    assert snapshot.attrs["as_of"] == pd.Timestamp("2026-06-30")
    assert set(snapshot["currency"]) == {"EUR"}
    mixed = table.assign(as_of=pd.to_datetime(["2026-06-30"] * 3 + ["2026-07-01"]))
    with pytest.raises(churnlens.InputError, match="several as-of dates"):
        save_contact_list(demo_store, mixed)
