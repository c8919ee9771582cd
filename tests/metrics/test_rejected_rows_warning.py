"""A data file handed straight to a metric keeps its accepted rows and says how
many it left out: a RejectedRowsWarning naming the file, raised at the caller's
line, for subscriptions, tickets and activity alike."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from pathlib import Path

import pytest

import churnlens
from churnlens.metrics.support import support_measures


def _files(folder: Path) -> dict[str, Path]:
    texts = {
        "subscriptions": "customer_id,started_at,ended_at\n"
        "a,2024-01-01,2024-03-01\nb,not a date,\n",
        "tickets": "ticket_id,customer_id,created_at\nt1,a,2024-01-05\nt2,a,garbage\n",
        "activity": "customer_id,occurred_at\na,2024-01-05\na,garbage\n",
    }
    paths = {}
    for name, text in texts.items():
        paths[name] = folder / f"{name}.csv"
        paths[name].write_text(text)
    return paths


@pytest.mark.parametrize("table", ["subscriptions", "tickets", "activity"])
def test_rejected_rows_are_announced_at_the_callers_line(
    table: str, tmp_path: Path
) -> None:
    path = _files(tmp_path)[table]
    calls: dict[str, Callable[[], object]] = {
        "subscriptions": lambda: churnlens.churn_rate(path, period="month"),
        "tickets": lambda: support_measures(path),
        "activity": lambda: churnlens.churn_rate(
            activity=path, inactive_days=30, period="month"
        ),
    }
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        calls[table]()
    found = [w for w in caught if issubclass(w.category, churnlens.RejectedRowsWarning)]
    assert len(found) == 1
    assert str(found[0].message).startswith(f"{path}: 1 of 2 rows rejected")
    assert found[0].filename == __file__
