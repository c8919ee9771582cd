"""support_measures' options: time zones, customers, windows, and bad options."""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd
import pytest

from churnlens.errors import ConfigError, SchemaError
from churnlens.metrics.support import SUPPORT_COLUMNS, support_measures


def tickets() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "customer_id": ["a", "a", "b"],
            "created_at": pd.to_datetime(
                ["2024-03-01 10:00", "2024-03-31 21:30", "2024-04-10 08:00"]
            ),
            "first_response_at": pd.to_datetime(
                ["2024-03-01 12:00", "2024-03-31 23:30", None]
            ),
            "resolved_at": pd.to_datetime(["2024-03-02 10:00", None, None]),
            "channel": ["email", "chat", "email"],
            "satisfaction": [4.0, None, None],
        }
    )


def test_a_date_means_its_end_in_the_time_zone():
    # 2024-03-31 ends at midnight in Warsaw: 22:00 UTC (summer time began that day)
    table = support_measures(tickets(), as_of=date(2024, 3, 31), tz="Europe/Warsaw")
    assert table["as_of"].tolist() == [pd.Timestamp("2024-03-31 22:00")]
    row = table.iloc[0]
    # the ticket at 21:30 UTC is before the cut; its response at 23:30 is not
    assert (row["tickets_total"], row["responded_tickets"]) == (2, 1)
    assert row["first_response_hours_median"] == 2.0
    assert row["oldest_open_days"] == pytest.approx(0.5 / 24)


def test_periods_end_at_local_midnight():
    table = support_measures(tickets(), period="month", tz="Europe/Warsaw")
    assert table[["customer_id", "period_start", "as_of"]].values.tolist() == [
        ["a", date(2024, 3, 1), pd.Timestamp("2024-03-31 22:00")],
        ["a", date(2024, 4, 1), pd.Timestamp("2024-04-30 22:00")],
        ["b", date(2024, 4, 1), pd.Timestamp("2024-04-30 22:00")],
    ]
    ends = [date(2024, 4, 1), date(2024, 5, 1), date(2024, 5, 1)]
    assert table["period_end"].tolist() == ends
    lead = ["customer_id", "period_start", "period_end", "as_of"]
    assert list(table.columns[:4]) == lead


def test_customers_get_a_row_at_every_cut():
    table = support_measures(
        tickets(), period="month", start="2024-02-01", customers=["a", "b", "z"]
    )
    assert len(table) == 3 * 3  # February to April
    z = table[table["customer_id"] == "z"]
    assert (z["tickets_total"] == 0).all() and z["satisfaction_mean"].isna().all()
    b = table[table["customer_id"] == "b"]
    assert b["tickets_total"].tolist() == [0, 0, 1]


def test_a_window_limits_the_ticket_measures_but_not_the_backlog():
    table = support_measures(
        tickets(), as_of=datetime(2024, 4, 20), window_days=15, customers=["a"]
    )
    row = table.iloc[0]
    assert row["tickets_total"] == 2 and row["open_tickets"] == 1
    assert row["responded_tickets"] == 0 and row["channel_email"] == 0


def test_columns_are_stable():
    table = support_measures(tickets(), as_of="2024-04-30")
    assert tuple(table.columns[: len(SUPPORT_COLUMNS)]) == SUPPORT_COLUMNS
    assert [c for c in table.columns if c.startswith("channel_")] == [
        "channel_chat",
        "channel_email",
    ]


def test_bad_options_are_config_errors():
    with pytest.raises(ConfigError, match="sla_first_response_hours"):
        support_measures(tickets(), sla_first_response_hours=-1)
    with pytest.raises(ConfigError, match="no period"):
        support_measures(tickets(), start="2024-01-01")
    with pytest.raises(ConfigError, match="as_of"):
        support_measures(tickets(), as_of="yesterday")
    with pytest.raises(ConfigError, match="unknown period"):
        support_measures(tickets(), period="fortnight")


def test_a_tickets_frame_without_created_at_names_the_column() -> None:
    with pytest.raises(
        SchemaError, match="tickets table has no column 'created_at'"
    ) as e:
        support_measures(pd.DataFrame({"customer_id": ["a"], "opened": ["x"]}))
    assert "columns found: customer_id, opened" in str(e.value)
    assert "churnlens.read_table" in str(e.value)
