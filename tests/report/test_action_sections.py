"""The support-impact, contact-list and loyal-customer sections: shown on the
demo store, translated and locale-formatted; left out cleanly (with a logged
note) when their data are missing or their API fails."""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path

import pandas as pd
import pytest

import churnlens
from churnlens.errors import ConfigError
from churnlens.report.html import build_report
from churnlens.report.i18n import translations
from churnlens.report.sections import TIER_LABELS

KEYS = ("support_impact", "contact_list", "loyal_customers")


def _text(page: str) -> str:
    return re.sub(r"<script.*?</script>", "", page, flags=re.DOTALL)


def _section(page: str, key: str) -> str:
    found = re.search(rf'<section id="{key}">(.*?)</section>', _text(page), re.S)
    assert found is not None, f"no section {key}"
    return found.group(1)


def _rows(section: str) -> list[list[str]]:
    body = re.search(r"<tbody>(.*?)</tbody>", section, re.S)
    assert body is not None
    return [
        [re.sub(r"\s+", " ", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", r)]
        for r in re.findall(r"<tr>(.*?)</tr>", body.group(1), re.S)
    ]


@pytest.fixture(scope="module")
def polish(demo_store: Path, fx_file: Path, tmp_path_factory) -> str:
    out = tmp_path_factory.mktemp("actions") / "pl.html"
    return build_report(
        demo_store, output=out, lang="pl", fx=fx_file, currency="EUR"
    ).read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def no_tickets(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small demo store without tickets."""
    root = tmp_path_factory.mktemp("no-tickets")
    files = churnlens.generate_demo(root / "demo", n_customers=300)
    db = root / "demo.duckdb"
    churnlens.ingest([files.subscriptions, files.customers], db=db)
    return db


def test_the_three_sections_appear_translated(polish: str) -> None:
    gettext = translations("pl").gettext
    text = _text(polish)
    for heading in ("Support and churn", "Who to contact", "Loyal customers"):
        assert gettext(heading) != heading
        assert gettext(heading) in text
    for key in KEYS:
        assert f'href="#{key}"' in polish  # in the contents too


def test_support_impact_is_a_forest_plot(polish: str) -> None:
    section = _section(polish, "support_impact")
    gettext = translations("pl").gettext
    label = gettext("Slow first response")  # a covariate's label, in the JSON
    assert label != "Slow first response"
    assert json.dumps(label)[1:-1] in polish or label in polish
    assert '"type":"log"' in polish  # the log x axis
    assert '"error_x"' in polish  # the intervals
    line = re.search(r'<p class="line">(.*?)</p>', section, re.S)
    assert line is not None
    # Polish decimals: "około 8,5 klientów mniej".
    assert re.search(r"około \d+,\d klient", line.group(1)), line.group(1)


def test_contact_list_table(polish: str) -> None:
    rows = _rows(_section(polish, "contact_list"))
    assert len(rows) == 20
    gettext = translations("pl").gettext
    statuses = {gettext(s) for s in ("Cancellation requested", "Renewal due", "Active")}
    for row in rows:
        assert len(row) == 8
        assert row[2] in statuses
        assert re.fullmatch(r"\d+,\d\s?%", row[3]), row[3]  # churn probability
    # Customers who asked to cancel come first.
    asked = [r[2] == gettext("Cancellation requested") for r in rows]
    assert asked == sorted(asked, reverse=True)


def test_loyal_customers_table(polish: str, demo_store: Path, fx_file: Path) -> None:
    rows = _rows(_section(polish, "loyal_customers"))
    assert 0 < len(rows) <= 20
    gettext = translations("pl").gettext
    tiers = {gettext(label) for label in TIER_LABELS.values()}
    assert all(r[5] in tiers for r in rows)
    assert all("€" in r[3] for r in rows)  # lifetime revenue in the currency
    # The same customers as the API, in its order (by lifetime revenue).
    store = churnlens.Store.open(demo_store, read_only=True)
    loyal = churnlens.loyal_customers(store, fx=fx_file, currency="EUR")
    assert [r[0] for r in rows] == loyal["name"].head(20).tolist()


def test_missing_tickets_leave_support_impact_out(
    no_tickets: Path,
    fx_file: Path,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.INFO, logger="churnlens.report"):
        page = build_report(
            no_tickets,
            output=tmp_path / "r.html",
            fx=fx_file,
            currency="EUR",
            contacts=False,
        ).read_text(encoding="utf-8")
    assert 'id="support_impact"' not in page
    assert "'support_impact' left out: the store has no tickets" in caplog.text
    assert 'id="loyal_customers"' in page  # needs no tickets


def test_contacts_false_trains_no_model(
    no_tickets: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    def fail(*args, **kwargs):
        raise AssertionError("contact_list must not run with contacts=False")

    monkeypatch.setattr(churnlens, "contact_list", fail)
    with caplog.at_level(logging.INFO, logger="churnlens.report"):
        page = build_report(no_tickets, output=tmp_path / "r.html", contacts=False)
    assert 'id="contact_list"' not in page.read_text(encoding="utf-8")
    assert "contacts=False" in caplog.text


def test_api_errors_leave_sections_out(
    demo_store: Path,
    fx_file: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    def too_little(*args, **kwargs):
        raise ConfigError("too little history to train the risk model")

    def cannot_fit(*args, **kwargs):
        raise ConfigError("the Cox model did not converge")

    def nobody(*args, **kwargs):
        return pd.DataFrame(columns=["customer_id", "name", "reward_tier"])

    monkeypatch.setattr(churnlens, "support_impact", cannot_fit)
    monkeypatch.setattr(churnlens, "contact_list", too_little)
    monkeypatch.setattr(churnlens, "loyal_customers", nobody)
    with caplog.at_level(logging.INFO, logger="churnlens.report"):
        page = build_report(
            demo_store, output=tmp_path / "r.html", fx=fx_file, currency="EUR"
        ).read_text(encoding="utf-8")
    for key in KEYS:
        assert f'id="{key}"' not in page
    assert "the Cox model did not converge" in caplog.text
    assert "too little history to train the risk model" in caplog.text
    assert "'loyal_customers' left out: nothing to show" in caplog.text
    assert 'id="churn_trend"' in page  # the rest of the report is there


@pytest.mark.parametrize(
    ("columns", "note"),
    [
        (True, "'contact_list' left out: 47 days of history, the churn-risk model"),
        (False, "'contact_list' left out: the subscriptions have no billing_period"),
    ],
)
def test_too_little_data_leaves_the_contact_list_out(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, columns: bool, note: str
) -> None:
    # 40 customers over seven weeks: no as-of date has a known 90-day outcome.
    subscriptions = pd.DataFrame(
        {
            "subscription_id": [f"s{i}" for i in range(40)],
            "customer_id": [f"c{i}" for i in range(40)],
            "started_at": [f"2026-08-{1 + i % 20:02d}" for i in range(40)],
            "ended_at": [
                f"2026-09-{1 + i % 20:02d}" if i % 4 == 0 else None for i in range(40)
            ],
            "mrr": 100.0,
            "currency": "EUR",
            "plan": "pro",
        }
    )
    data: object = subscriptions  # a table without the risk model's columns
    if columns:  # a store has them all
        (tmp_path / "in").mkdir()
        subscriptions.to_csv(tmp_path / "in" / "subscriptions.csv", index=False)
        data = tmp_path / "young.duckdb"
        churnlens.ingest([tmp_path / "in" / "subscriptions.csv"], db=data)
    with caplog.at_level(logging.INFO, logger="churnlens.report"):
        page = build_report(data, output=tmp_path / "r.html", period="week")
    assert 'id="contact_list"' not in page.read_text(encoding="utf-8")
    assert note in caplog.text
