"""Reasons per churned customer, against a hand-counted example."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from churnlens.report._data import ReportData


def _subs(rows: list[tuple]) -> pd.DataFrame:
    columns = [
        "subscription_id",
        "customer_id",
        "started_at",
        "ended_at",
        "mrr",
        "currency",
        "cancel_reason",
        "cancel_feedback",
    ]
    frame = pd.DataFrame(rows, columns=columns)
    for column in ("started_at", "ended_at"):
        frame[column] = pd.to_datetime(frame[column], format="ISO8601")
    return frame


def _reasons(
    frame: pd.DataFrame, start: str | None = None
) -> dict[str, tuple[int, float]]:
    data = ReportData(
        frame,
        period="month",
        start=start,
        end=None,
        by=None,
        fx=None,
        currency=None,
        tz="UTC",
        now=dt.datetime(2024, 7, 1),
    )
    table = data.reasons
    return {r.reason: (r.customers, r.mrr) for r in table.itertuples()}


def test_reasons_of_churned_customers() -> None:
    frame = _subs(
        [
            # a: coded (Stripe) reason; churns in March.
            ("s1", "a", "2024-01-01", "2024-03-10", 10.0, "EUR", "too_expensive", None),
            # b: free text only; churns in April.
            (
                "s2",
                "b",
                "2024-01-05",
                "2024-04-02",
                20.0,
                "EUR",
                None,
                "Too expensive for a team our size",
            ),
            # c: a plan change is not churn; the second subscription ends it,
            # without a reason.
            (
                "s3",
                "c",
                "2024-01-01",
                "2024-02-01",
                5.0,
                "EUR",
                "switched_service",
                None,
            ),
            ("s4", "c", "2024-02-01", "2024-05-15", 7.0, "EUR", None, "  "),
            # d: still a customer (open subscription).
            ("s5", "d", "2024-01-01", None, 30.0, "EUR", None, None),
            # g: the export's latest start: the data run to the end of May.
            ("s8", "g", "2024-06-01 08:00", None, 30.0, "EUR", None, None),
            # e: churns in January, before the report's first period.
            ("s6", "e", "2024-01-01", "2024-01-20", 9.0, "EUR", "unused", None),
            # f: the code wins over the text.
            (
                "s7",
                "f",
                "2024-01-03",
                "2024-03-20",
                4.0,
                "EUR",
                "missing_features",
                "Too expensive",
            ),
        ]
    )
    assert _reasons(frame, start="2024-02-01") == {
        "price": (2, 30.0),
        "missing_feature": (1, 4.0),
        "not_given": (1, 7.0),
    }
    assert _reasons(frame)["no_longer_needed"] == (1, 9.0)


def test_several_currencies_have_no_lost_mrr() -> None:
    frame = _subs(
        [
            ("s1", "a", "2024-01-01", "2024-03-10", 10.0, "EUR", "too_expensive", None),
            ("s2", "b", "2024-01-01", "2024-03-12", 10.0, "PLN", "unused", None),
            ("s3", "c", "2024-01-01", None, 10.0, "PLN", None, None),
            ("s4", "d", "2024-05-01", None, 10.0, "PLN", None, None),
        ]
    )
    reasons = _reasons(frame)
    assert set(reasons) == {"price", "no_longer_needed"}
    assert all(pd.isna(mrr) for _, mrr in reasons.values())


def test_no_reason_columns_no_reasons_section(tmp_path, caplog) -> None:
    import logging

    from churnlens.report.html import build_report

    frame = _subs(
        [
            ("s1", "a", "2024-01-01", "2024-03-10", 10.0, "EUR", None, None),
            ("s2", "b", "2024-01-01", None, 10.0, "EUR", None, None),
            ("s3", "c", "2024-05-01", None, 10.0, "EUR", None, None),
        ]
    ).drop(columns=["cancel_reason", "cancel_feedback"])
    with caplog.at_level(logging.INFO, logger="churnlens.report"):
        page = build_report(frame, output=tmp_path / "r.html", lang="en")
    text = page.read_text(encoding="utf-8")
    assert 'id="churn_trend"' in text
    assert 'id="reasons"' not in text
    assert "no cancel_reason or cancel_feedback" in caplog.text
