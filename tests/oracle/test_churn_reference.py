"""The oracle itself, on examples worked out by hand from docs/churn-rate.md.

Each expected row was derived on paper from the definitions; the comments show the
derivation so that a reader can re-check it without running anything. Instants are
naive UTC unless a test says otherwise.
"""

from __future__ import annotations

import math
import random
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

from oracle.churn_reference import (
    COLUMNS,
    _midnight,
    reference_churn_table,
    wilson,
)

KEYS = ("customers_start", "new", "churned", "churned_new", "reactivated")


def sub(customer: str, started: datetime, ended: datetime | None = None) -> dict:
    return {"customer_id": customer, "started_at": started, "ended_at": ended}


def counts(table: pd.DataFrame) -> list[tuple[int, ...]]:
    """(customers_start, new, churned, churned_new, reactivated, customers_end)."""
    return [
        tuple(int(v) for v in row)
        for row in table[[*KEYS, "customers_end"]].itertuples(index=False)
    ]


def test_columns_and_types() -> None:
    table = reference_churn_table(
        [sub("a", datetime(2024, 1, 5))], start=date(2024, 1, 1), end=date(2024, 2, 1)
    )
    assert tuple(table.columns) == COLUMNS
    assert table["period_start"].tolist() == [date(2024, 1, 1), date(2024, 2, 1)]
    assert table["period_end"].tolist() == [date(2024, 2, 1), date(2024, 3, 1)]
    assert all(table[c].dtype == "int64" for c in COLUMNS[2:8])
    assert all(table[c].dtype == "float64" for c in COLUMNS[8:])
    # January has nobody at its start, so every rate is empty.
    assert table.loc[0, list(COLUMNS[8:])].isna().all()


def test_start_on_a_boundary_counts_in_the_period_it_opens() -> None:
    # Started at Feb 1 00:00: at the Feb 1 head count started_at < t fails (equal),
    # so January sees nothing and February gains a new customer, present on Mar 1.
    table = reference_churn_table(
        [sub("a", datetime(2024, 2, 1))], start=date(2024, 1, 1), end=date(2024, 3, 1)
    )
    assert counts(table) == [
        (0, 0, 0, 0, 0, 0),
        (0, 1, 0, 0, 0, 1),
        (1, 0, 0, 0, 0, 1),
    ]


def test_end_on_a_boundary_is_churn_in_the_period_after() -> None:
    # Ended at Mar 1 00:00: t <= ended_at holds at the Mar 1 head count, so the
    # customer is still there at the end of February and is lost in March.
    table = reference_churn_table(
        [sub("a", datetime(2024, 1, 10), datetime(2024, 3, 1))],
        start=date(2024, 1, 1),
        end=date(2024, 3, 1),
    )
    assert counts(table) == [
        (0, 1, 0, 0, 0, 1),
        (1, 0, 0, 0, 0, 1),
        (1, 0, 1, 0, 0, 0),
    ]
    assert table["churn_rate"].tolist()[1:] == [0.0, 1.0]


def test_zero_length_subscription_is_new_and_lost_at_once() -> None:
    # a: zero-length in January: new, never in the base, so churned_new.
    # b: zero-length at exactly Feb 1 00:00: new in February (its start is there).
    # c: zero-length in January, then a real subscription in March: new in January,
    #    and in March back in the base with a first start before March: reactivated.
    table = reference_churn_table(
        [
            sub("a", datetime(2024, 1, 15), datetime(2024, 1, 15)),
            sub("b", datetime(2024, 2, 1), datetime(2024, 2, 1)),
            sub("c", datetime(2024, 1, 20), datetime(2024, 1, 20)),
            sub("c", datetime(2024, 3, 5), None),
        ],
        start=date(2024, 1, 1),
        end=date(2024, 3, 1),
    )
    assert counts(table) == [
        (0, 2, 0, 2, 0, 0),
        (0, 1, 0, 1, 0, 0),
        (0, 0, 0, 0, 1, 1),
    ]


def test_overlapping_and_touching_subscriptions_count_one_customer() -> None:
    # a: (Jan 5, Mar 10] and (Feb 20, open): one customer, never lost.
    # b: (Jan 5, Feb 15] and (Feb 15, Mar 20]: the upgrade instant Feb 15 is covered
    #    by the first, so b is present on Feb 1 and Mar 1 and lost in March.
    table = reference_churn_table(
        [
            sub("a", datetime(2024, 1, 5), datetime(2024, 3, 10)),
            sub("a", datetime(2024, 2, 20), None),
            sub("b", datetime(2024, 1, 5), datetime(2024, 2, 15)),
            sub("b", datetime(2024, 2, 15), datetime(2024, 3, 20)),
        ],
        start=date(2024, 1, 1),
        end=date(2024, 3, 1),
    )
    assert counts(table) == [
        (0, 2, 0, 0, 0, 2),
        (2, 0, 0, 0, 0, 2),
        (2, 0, 1, 0, 0, 1),
    ]
    assert math.isnan(table.loc[0, "churn_rate"])
    assert table["churn_rate"].tolist()[1:] == [0.0, 0.5]


def test_gap_then_reactivation_in_a_later_period() -> None:
    # (Jan 5, Feb 10], then (Apr 3, open).
    # Jan: new, present Feb 1.  Feb: present at Feb 1, gone at Mar 1: churned.
    # Mar: absent at both ends.  Apr: absent Apr 1, present May 1, first start in
    # January: reactivated.  May: present at both ends.
    table = reference_churn_table(
        [
            sub("a", datetime(2024, 1, 5), datetime(2024, 2, 10)),
            sub("a", datetime(2024, 4, 3), None),
        ],
        start=date(2024, 1, 1),
        end=date(2024, 5, 31),
    )
    assert counts(table) == [
        (0, 1, 0, 0, 0, 1),
        (1, 0, 1, 0, 0, 0),
        (0, 0, 0, 0, 0, 0),
        (0, 0, 0, 0, 1, 1),
        (1, 0, 0, 0, 0, 1),
    ]


def test_leaving_and_returning_inside_one_period_is_invisible() -> None:
    # a: present on Feb 1 and Mar 1, away Feb 10..20: no churn, no reactivation.
    # b: new in January, away Jan 10..20, present Feb 1: new but not churned_new.
    table = reference_churn_table(
        [
            sub("a", datetime(2023, 12, 5), datetime(2024, 2, 10)),
            sub("a", datetime(2024, 2, 20), None),
            sub("b", datetime(2024, 1, 5), datetime(2024, 1, 10)),
            sub("b", datetime(2024, 1, 20), None),
        ],
        start=date(2024, 1, 1),
        end=date(2024, 2, 1),
    )
    assert counts(table) == [
        (1, 1, 0, 0, 0, 2),
        (2, 0, 0, 0, 0, 2),
    ]


@pytest.mark.parametrize(
    ("grace_days", "expected"),
    [
        # Not joined: a gap of exactly 3 days is not shorter than 3 days. Jan: new,
        # gone on Feb 1 (churned_new). Feb: back on Mar 1 (reactivated). Mar: lost.
        (0, [(0, 1, 0, 1, 0, 0), (0, 0, 0, 0, 1, 1), (1, 0, 1, 0, 0, 0)]),
        (3, [(0, 1, 0, 1, 0, 0), (0, 0, 0, 0, 1, 1), (1, 0, 1, 0, 0, 0)]),
        # Joined: the customer is in the base from Jan 5 to Mar 15 without a break.
        (3.5, [(0, 1, 0, 0, 0, 1), (1, 0, 0, 0, 0, 1), (1, 0, 1, 0, 0, 0)]),
        (30, [(0, 1, 0, 0, 0, 1), (1, 0, 0, 0, 0, 1), (1, 0, 1, 0, 0, 0)]),
    ],
)
def test_grace_joins_a_short_gap(grace_days: float, expected: list) -> None:
    # Gap from Jan 31 12:00 to Feb 3 12:00: exactly 3 days, spanning Feb 1.
    table = reference_churn_table(
        [
            sub("a", datetime(2024, 1, 5), datetime(2024, 1, 31, 12)),
            sub("a", datetime(2024, 2, 3, 12), datetime(2024, 3, 15)),
        ],
        start=date(2024, 1, 1),
        end=date(2024, 3, 1),
        grace_days=grace_days,
    )
    assert counts(table) == expected


def test_grace_with_an_open_and_a_closed_subscription_sharing_a_start() -> None:
    # (Jan 5, Jan 20] and (Jan 5, open): one spell, never lost. Sorting the two by
    # (start, end) compared the open end (None) with a datetime: a TypeError
    # whenever grace_days > 0.
    table = reference_churn_table(
        [
            sub("a", datetime(2024, 1, 5), datetime(2024, 1, 20)),
            sub("a", datetime(2024, 1, 5), None),
            sub("a", datetime(2024, 1, 5), datetime(2024, 2, 10)),
        ],
        start=date(2024, 1, 1),
        end=date(2024, 2, 1),
        grace_days=3,
    )
    assert counts(table) == [(0, 1, 0, 0, 0, 1), (1, 0, 0, 0, 0, 1)]


def test_a_joined_gap_ending_on_a_boundary_covers_that_boundary() -> None:
    # (Jan 5, Jan 29] and (Feb 1 00:00, Mar 15] with 4 days of grace: the joined
    # spell is (Jan 5, Mar 15], which contains Feb 1 00:00 although neither
    # subscription does. So no churned_new in January and no reactivation after.
    table = reference_churn_table(
        [
            sub("a", datetime(2024, 1, 5), datetime(2024, 1, 29)),
            sub("a", datetime(2024, 2, 1), datetime(2024, 3, 15)),
        ],
        start=date(2024, 1, 1),
        end=date(2024, 2, 1),
        grace_days=4,
    )
    assert counts(table) == [(0, 1, 0, 0, 0, 1), (1, 0, 0, 0, 0, 1)]


def test_grace_can_raise_total_churn() -> None:
    # Why the property tests do not assert "grace never raises churn": spells
    # (Jan 2, Jan 3], (Feb 5, Feb 20], (Mar 2, Mar 10]; no head count falls inside
    # any of them, so without grace the customer is only churned_new in January.
    # With 15 days of grace the last two join into (Feb 5, Mar 10], which covers
    # Mar 1: reactivated in February, then churned in March - one loss more.
    data = [
        sub("a", datetime(2024, 1, 2), datetime(2024, 1, 3)),
        sub("a", datetime(2024, 2, 5), datetime(2024, 2, 20)),
        sub("a", datetime(2024, 3, 2), datetime(2024, 3, 10)),
    ]
    window = {"start": date(2024, 1, 1), "end": date(2024, 3, 1)}
    plain = reference_churn_table(data, **window)
    grace = reference_churn_table(data, grace_days=15, **window)
    assert counts(plain) == [(0, 1, 0, 1, 0, 0), (0,) * 6, (0,) * 6]
    assert counts(grace) == [
        (0, 1, 0, 1, 0, 0),
        (0, 0, 0, 0, 1, 1),
        (1, 0, 1, 0, 0, 0),
    ]
    # What does hold: grace only adds instants to the base.
    for column in ("customers_start", "customers_end"):
        assert (grace[column] >= plain[column]).all()


def test_weeks_start_on_monday() -> None:
    # Sunday Mar 3 23:00 belongs to the week of Monday Feb 26. The subscription ends
    # at Monday Mar 11 00:00, a boundary: present at that head count, lost the week
    # after. start (a Thursday) and end (a Sunday) pick their weeks.
    table = reference_churn_table(
        [sub("a", datetime(2024, 3, 3, 23), datetime(2024, 3, 11))],
        period="week",
        start=date(2024, 2, 29),
        end=date(2024, 3, 17),
    )
    assert table["period_start"].tolist() == [
        date(2024, 2, 26),
        date(2024, 3, 4),
        date(2024, 3, 11),
    ]
    assert table["period_end"].tolist()[-1] == date(2024, 3, 18)
    assert counts(table) == [
        (0, 1, 0, 0, 0, 1),
        (1, 0, 0, 0, 0, 1),
        (1, 0, 1, 0, 0, 0),
    ]


def test_quarters() -> None:
    # a: (Mar 31 23:59:59, Jul 1 00:00]: new in Q1, present on Apr 1 and Jul 1, lost
    #    in Q3.  b: (2023-11-01, Apr 15]: present Jan 1 and Apr 1, lost in Q2.
    table = reference_churn_table(
        [
            sub("a", datetime(2024, 3, 31, 23, 59, 59), datetime(2024, 7, 1)),
            sub("b", datetime(2023, 11, 1), datetime(2024, 4, 15)),
        ],
        period="quarter",
        start=date(2024, 2, 15),
        end=date(2024, 8, 1),
    )
    assert table["period_start"].tolist() == [
        date(2024, 1, 1),
        date(2024, 4, 1),
        date(2024, 7, 1),
    ]
    assert table["period_end"].tolist() == [
        date(2024, 4, 1),
        date(2024, 7, 1),
        date(2024, 10, 1),
    ]
    assert counts(table) == [
        (1, 1, 0, 0, 0, 2),
        (2, 0, 1, 0, 0, 1),
        (1, 0, 1, 0, 0, 0),
    ]
    assert table["churn_rate"].tolist() == [0.0, 0.5, 1.0]


def test_years_and_days_cover_the_calendar() -> None:
    table = reference_churn_table(
        [sub("a", datetime(2022, 6, 1), datetime(2023, 12, 31, 23))],
        period="year",
        start=date(2022, 3, 3),
        end=date(2024, 1, 1),
    )
    assert table["period_start"].tolist() == [date(y, 1, 1) for y in (2022, 2023, 2024)]
    assert counts(table) == [
        (0, 1, 0, 0, 0, 1),
        (1, 0, 1, 0, 0, 0),
        (0,) * 6,
    ]
    days = reference_churn_table(
        [sub("a", datetime(2024, 2, 28, 12), datetime(2024, 3, 1))],
        period="day",
        start=date(2024, 2, 28),
        end=date(2024, 3, 1),
    )
    # 2024 is a leap year; the end at Mar 1 00:00 is present at that head count.
    assert days["period_start"].tolist() == [
        date(2024, 2, 28),
        date(2024, 2, 29),
        date(2024, 3, 1),
    ]
    assert counts(days) == [
        (0, 1, 0, 0, 0, 1),
        (1, 0, 0, 0, 0, 1),
        (1, 0, 1, 0, 0, 0),
    ]


def test_months_in_warsaw_across_the_spring_change() -> None:
    # Warsaw: Mar 1 00:00 CET = Feb 29 23:00Z; Apr 1 00:00 CEST = Mar 31 22:00Z
    # (clocks went forward on Mar 31, 2024); May 1 00:00 CEST = Apr 30 22:00Z.
    # a starts at Mar 31 22:00Z, exactly the April boundary: new in April.
    # b starts at 21:59:59Z, 23:59:59 local on Mar 31: new in March.
    # c starts at Feb 29 23:30Z, 00:30 local on Mar 1 (February in UTC!): new in
    #   March; it ends on the April boundary, so present then and lost in April.
    # March: start 0; new b, c; end b, c.  April: start b, c; new a; lost c.
    table = reference_churn_table(
        [
            sub("a", datetime(2024, 3, 31, 22, tzinfo=UTC)),
            sub("b", datetime(2024, 3, 31, 21, 59, 59, tzinfo=UTC)),
            sub("c", datetime(2024, 2, 29, 23, 30), datetime(2024, 3, 31, 22)),
        ],
        tz="Europe/Warsaw",
        start=date(2024, 3, 1),
        end=date(2024, 4, 1),
    )
    assert counts(table) == [
        (0, 2, 0, 0, 0, 2),
        (2, 1, 1, 0, 0, 2),
    ]
    in_utc = reference_churn_table(
        [sub("c", datetime(2024, 2, 29, 23, 30), datetime(2024, 3, 31, 22))],
        start=date(2024, 2, 1),
        end=date(2024, 2, 1),
    )
    assert counts(in_utc) == [(0, 1, 0, 0, 0, 1)]


def test_a_day_of_25_hours_in_new_york() -> None:
    # Nov 3, 2024 in New York runs from 04:00Z (EDT) to Nov 4 05:00Z (EST).
    # A start at Nov 4 04:30Z is 23:30 local on Nov 3: new on that day.
    table = reference_churn_table(
        [sub("a", datetime(2024, 11, 4, 4, 30), datetime(2024, 11, 4, 5))],
        period="day",
        tz="America/New_York",
        start=date(2024, 11, 3),
        end=date(2024, 11, 4),
    )
    assert counts(table) == [(0, 1, 0, 0, 0, 1), (1, 0, 1, 0, 0, 0)]
    ny = ZoneInfo("America/New_York")
    assert _midnight(date(2024, 11, 3), ny) == datetime(2024, 11, 3, 4, tzinfo=UTC)
    assert _midnight(date(2024, 11, 4), ny) == datetime(2024, 11, 4, 5, tzinfo=UTC)


def test_a_midnight_in_a_dst_gap_is_the_first_instant_of_the_day() -> None:
    # Sao Paulo skipped Nov 4, 2018 00:00-00:59 (-03 -> -02): the day began at
    # 01:00 -02, which is 03:00Z, the same instant as the missing 00:00 -03.
    zone = ZoneInfo("America/Sao_Paulo")
    first = _midnight(date(2018, 11, 4), zone)
    assert first == datetime(2018, 11, 4, 3, tzinfo=UTC)
    assert first.astimezone(zone).replace(tzinfo=None) == datetime(2018, 11, 4, 1)
    assert (first - timedelta(microseconds=1)).astimezone(zone).day == 3


def test_default_range_is_the_full_periods_in_the_data() -> None:
    # Earliest start Jan 15: January is not full, so the table starts in February.
    # data_end is the latest start or end, Apr 10: April is not full either.
    data = [
        sub("a", datetime(2024, 1, 15), datetime(2024, 4, 10)),
        sub("b", datetime(2024, 2, 1), None),
    ]
    now = datetime(2025, 1, 1, tzinfo=UTC)
    table = reference_churn_table(data, now=now)
    assert table["period_start"].tolist() == [date(2024, 2, 1), date(2024, 3, 1)]
    # b starts exactly on Feb 1: still new in February, as the range starts there.
    assert counts(table)[0] == (1, 1, 0, 0, 0, 2)
    # The current time caps data_end: on Mar 20, March is not over yet.
    capped = reference_churn_table(data, now=datetime(2024, 3, 20, tzinfo=UTC))
    assert capped["period_start"].tolist() == [date(2024, 2, 1)]
    # Only one bound given: the other one stays the default.
    assert reference_churn_table(data, start=date(2024, 1, 9), now=now)[
        "period_start"
    ].tolist() == [date(2024, 1, 1), date(2024, 2, 1), date(2024, 3, 1)]


def test_default_range_includes_periods_touching_the_data_edges() -> None:
    # Earliest start exactly Jan 1 00:00 and latest end exactly Mar 1 00:00.
    data = [sub("a", datetime(2024, 1, 1), datetime(2024, 3, 1))]
    table = reference_churn_table(data, now=datetime(2025, 1, 1))
    assert table["period_start"].tolist() == [date(2024, 1, 1), date(2024, 2, 1)]
    # No full period at all: an empty table with the same columns.
    short = reference_churn_table(
        [sub("a", datetime(2024, 1, 5), datetime(2024, 1, 20))],
        now=datetime(2025, 1, 1),
    )
    assert short.empty and tuple(short.columns) == COLUMNS


def test_segments() -> None:
    # a, b: "pro"; c: "basic"; d: empty value; e: absent from customers.
    # Segments sort by value with the empty segment (None) last; every segment has
    # every period, zeros and empty rates included.
    data = [
        sub("a", datetime(2024, 1, 5), datetime(2024, 2, 10)),
        sub("b", datetime(2023, 12, 1), None),
        sub("c", datetime(2024, 2, 5), None),
        sub("d", datetime(2023, 12, 1), datetime(2024, 1, 20)),
        sub("e", datetime(2024, 1, 7), None),
    ]
    customers = pd.DataFrame(
        {
            "customer_id": ["a", "b", "c", "d", "z"],
            "plan": ["pro", "pro", "basic", None, "gold"],
        }
    )
    table = reference_churn_table(
        data,
        start=date(2024, 1, 1),
        end=date(2024, 2, 1),
        customers=customers,
        by="plan",
    )
    assert list(table.columns) == [*COLUMNS[:2], "plan", *COLUMNS[2:]]
    assert table["plan"].tolist() == ["basic", "pro", None] * 2
    assert counts(table) == [
        # January: basic empty; pro b present, a new; None d lost, e new.
        (0, 0, 0, 0, 0, 0),
        (1, 1, 0, 0, 0, 2),
        (1, 1, 1, 0, 0, 1),
        # February: c new; a lost; e stays.
        (0, 1, 0, 0, 0, 1),
        (2, 0, 1, 0, 0, 1),
        (1, 0, 0, 0, 0, 1),
    ]
    assert math.isnan(table.loc[0, "churn_rate"])
    assert table.loc[2, "churn_rate"] == 1.0


def test_wilson_interval_matches_published_values() -> None:
    # Commonly tabulated Wilson 95% intervals: 1 of 4 is (0.0456, 0.6994), 0 of 10
    # is (0, 0.2775) and 10 of 10 is (0.7225, 1).
    assert wilson(1, 4) == pytest.approx((0.04559, 0.69936), abs=1e-5)
    assert wilson(0, 10) == pytest.approx((0.0, 0.27753), abs=1e-5)
    assert wilson(10, 10) == pytest.approx((0.72247, 1.0), abs=1e-5)
    assert all(math.isnan(v) for v in wilson(0, 0))


def _random_subscriptions(rng: random.Random, n: int) -> list[dict]:
    origin = datetime(2023, 1, 1, tzinfo=UTC)
    rows = []
    for _ in range(n):
        start = origin + timedelta(hours=rng.randrange(0, 24 * 500))
        kind = rng.random()
        end = None if kind < 0.2 else start
        if kind >= 0.3:
            end = start + timedelta(hours=rng.randrange(1, 24 * 120))
        rows.append(sub(f"c{rng.randrange(12)}", start, end))
    return rows


@pytest.mark.parametrize("seed", range(12))
def test_identity_and_continuity_on_random_data(seed: int) -> None:
    rng = random.Random(seed)
    period = ["day", "week", "month", "quarter", "year"][seed % 5]
    tz = ["UTC", "Europe/Warsaw", "Asia/Ho_Chi_Minh", "America/New_York"][seed % 4]
    days = {"day": 40, "week": 200, "month": 365, "quarter": 700, "year": 800}
    table = reference_churn_table(
        _random_subscriptions(rng, 25),
        period=period,
        tz=tz,
        start=date(2023, 2, 1),
        end=date(2023, 2, 1) + timedelta(days=days[period]),
        grace_days=rng.choice([0, 0, 2, 10.5]),
    )
    assert len(table) > 1
    expected_end = (
        table.customers_start
        - table.churned
        + table.new
        - table.churned_new
        + table.reactivated
    )
    assert (table.customers_end == expected_end).all()
    ends, starts = table.customers_end.to_numpy(), table.customers_start.to_numpy()
    assert (ends[:-1] == starts[1:]).all()
