"""The conventions oracle agrees with the worked example of docs/conventions.md,
derived by hand."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from oracle.conventions_reference import (
    reference_contributions,
    reference_convention_table,
)


def _utc(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text).replace(tzinfo=UTC) if text else None


# The worked example: March 2024 (docs/conventions.md).
EXAMPLE = [
    ("a", "2024-01-05", None),  # stays
    ("b", "2024-01-10", "2024-03-01"),  # ends exactly on March 1
    ("c", "2024-02-01", None),  # starts exactly on February 1
    ("d", "2024-03-05", "2024-03-20"),  # joins and leaves in March
    ("e", "2023-12-01", "2024-03-10"),  # leaves and comes back in March
    ("e", "2024-03-15", None),
    ("f", "2023-11-01", "2024-03-25"),  # leaves in March
]
SUBSCRIPTIONS = [
    {"customer_id": c, "started_at": _utc(a), "ended_at": _utc(b)}
    for c, a, b in EXAMPLE
]
# (churned, base) in March, worked out by hand.
MARCH = {
    "standard": (2, 5),  # base a b c e f; b (at Mar 1 only) and f leave
    "snapshot": (1, 4),  # b is not active on Mar 1; f leaves
    "stripe": (3, 6),  # window Mar 2 - Apr 1: base a c e f + entries d e; exits d e f
    "baremetrics": (3, 4),  # leavers d e f over base a c e f
    "profitwell": (2, 5),
    "recurly": (4, 5),  # leavers b d e f over base at Mar 1
}


@pytest.mark.parametrize("name", list(MARCH))
def test_march_by_hand(name: str) -> None:
    table = reference_convention_table(
        SUBSCRIPTIONS, convention=name, start=date(2024, 3, 1), end=date(2024, 3, 1)
    )
    row = table.iloc[0]
    assert (row["churned"], row["churn_base"]) == MARCH[name]
    assert row["churn_rate"] == pytest.approx(MARCH[name][0] / MARCH[name][1])


def test_profitwell_ignores_joined_and_left() -> None:
    table = reference_convention_table(
        SUBSCRIPTIONS,
        convention="profitwell",
        start=date(2024, 3, 1),
        end=date(2024, 3, 1),
    )
    assert (table.iloc[0]["new"], table.iloc[0]["churned_new"]) == (0, 0)
    standard = reference_convention_table(
        SUBSCRIPTIONS,
        convention="standard",
        start=date(2024, 3, 1),
        end=date(2024, 3, 1),
    )
    assert (standard.iloc[0]["new"], standard.iloc[0]["churned_new"]) == (1, 1)


def test_snapshot_counts_a_boundary_start_in_the_period_before() -> None:
    # c starts exactly on Feb 1: active on Feb 1 under snapshot, so new in January.
    table = reference_convention_table(
        SUBSCRIPTIONS,
        convention="snapshot",
        start=date(2024, 1, 1),
        end=date(2024, 2, 1),
    )
    assert table["new"].tolist() == [3, 0]
    standard = reference_convention_table(
        SUBSCRIPTIONS,
        convention="standard",
        start=date(2024, 1, 1),
        end=date(2024, 2, 1),
    )
    assert standard["new"].tolist() == [2, 1]


def test_contributions_sum_to_the_figures() -> None:
    shares = reference_contributions(SUBSCRIPTIONS, period_start=date(2024, 3, 1))
    for name, (churned, base) in MARCH.items():
        assert sum(c for c, _ in shares[name].values()) == churned
        assert sum(b for _, b in shares[name].values()) == base
    assert shares["stripe"]["e"] == (1, 2)  # in the base 30 days ago, and back
