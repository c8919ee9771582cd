"""The lifetime oracle itself, on cases worked out by hand."""

from __future__ import annotations

from datetime import UTC, datetime

from oracle.lifetime_reference import reference_lifetimes


def _t(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def _row(cid: str, start: str, end: str | None) -> dict:
    return {"customer_id": cid, "started_at": _t(start), "ended_at": end and _t(end)}


NOW = _t("2030-01-01")


def test_touching_subscriptions_are_one_lifetime_and_open_ones_are_censored() -> None:
    rows = [
        _row("a", "2024-01-01", "2024-02-01"),
        _row("a", "2024-02-01", "2024-03-01"),  # an upgrade: touches
        _row("b", "2024-01-15", None),
        _row("c", "2024-02-10", "2024-02-10"),  # zero length: never a customer
    ]
    assert reference_lifetimes(rows, now=NOW) == {
        (None, 60): [1, 0],
        (None, 46): [0, 1],
    }


def test_a_gap_ends_the_first_lifetime_unless_the_grace_covers_it() -> None:
    rows = [
        _row("a", "2024-01-01", "2024-01-11"),
        _row("a", "2024-01-13", "2024-01-21"),
    ]
    assert reference_lifetimes(rows, now=NOW) == {(None, 10): [1, 0]}
    assert reference_lifetimes(rows, now=NOW, spell="all") == {
        (None, 10): [1, 0],
        (None, 8): [1, 0],
    }
    assert reference_lifetimes(rows, now=NOW, grace_days=2.5) == {(None, 20): [1, 0]}
    # A gap of exactly the grace is not covered.
    assert reference_lifetimes(rows, now=NOW, grace_days=2) == {(None, 10): [1, 0]}


def test_now_caps_the_data_end_and_whole_seconds_count() -> None:
    rows = [
        _row("a", "2024-01-01T12:00:00.9", "2024-03-01"),
        _row("b", "2024-01-02T00:00:00", "2024-01-03T00:00:00.5"),
        _row("c", "2024-02-20", "2024-02-25"),  # starts after now: no lifetime
    ]
    now = _t("2024-02-01T12:00:00")
    assert reference_lifetimes(rows, now=now, segment_of={"a": "x"}) == {
        ("x", 31): [0, 1],
        (None, 1): [1, 0],
    }
