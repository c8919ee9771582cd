"""The support oracle itself, on cases worked out by hand."""

from __future__ import annotations

from datetime import datetime

from oracle.support_reference import reference_support

CUT = datetime(2024, 3, 31)


def ticket(**values):
    return {"customer_id": "a", "channel": "email", **values}


def test_a_ticket_resolved_after_the_cut_is_open_and_unrated():
    rows = reference_support(
        [
            ticket(
                created_at=datetime(2024, 3, 1),
                first_response_at=datetime(2024, 3, 1, 2),
                resolved_at=datetime(2024, 4, 2),
                satisfaction=1.0,
                reopens=3,
            )
        ],
        CUT,
    )
    row = rows["a"]
    assert row["open_tickets"] == 1
    assert row["oldest_open_days"] == 30.0
    assert row["rated_tickets"] == 0 and row["reopened_tickets"] == 0
    assert row["first_response_hours_median"] == 2.0
    # still open after 30 days: past a 72-hour resolution target already
    assert row["resolution_sla_breaches"] == 1
    assert row["first_response_sla_breaches"] == 0


def test_counts_medians_and_ratings():
    rows = reference_support(
        [
            ticket(
                created_at=datetime(2024, 1, 1),
                first_response_at=datetime(2024, 1, 2, 6),
                resolved_at=datetime(2024, 1, 5),
                satisfaction=2.0,
            ),
            ticket(
                created_at=datetime(2024, 3, 20),
                first_response_at=datetime(2024, 3, 20, 1),
                resolved_at=datetime(2024, 3, 20, 3),
                satisfaction=5.0,
                reopens=1,
            ),
            ticket(created_at=datetime(2024, 4, 1)),  # after the cut
        ],
        CUT,
    )
    row = rows["a"]
    assert row["tickets_total"] == 2
    assert row["tickets_30d"] == 1 and row["tickets_90d"] == 2
    assert row["first_response_hours_median"] == 15.5  # (30 + 1) / 2
    assert row["resolution_hours_mean"] == (96 + 3) / 2
    assert row["satisfaction_mean"] == 3.5 and row["bad_ratings"] == 1
    assert row["first_response_sla_breaches"] == 1  # 30 hours > 24
    assert row["resolution_sla_breaches"] == 1  # 96 hours > 72
    assert row["reopened_tickets"] == 1
    assert row["channels"] == {"email": 2}


def test_customers_without_tickets_before_the_cut_have_no_row():
    assert reference_support([ticket(created_at=CUT)], CUT) == {}
