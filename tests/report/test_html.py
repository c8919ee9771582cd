"""The report on the demo store: one self-contained file per language, with
translated headings and locale-formatted numbers."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest

import churnlens
from churnlens.report import html as report_html
from churnlens.report.html import build_report
from churnlens.report.i18n import LANGUAGES, translations
from churnlens.report.sections import SECTIONS, Block, Section

HEADINGS = (
    "Customer churn report",
    "Churn rate over time",
    "How long customers stay",
    "Why customers leave",
)
EXTERNAL = re.compile(
    r"<script[^>]*\ssrc\s*=|<link[^>]*\shref\s*=\s*[\"']?(https?:)?//"
    r"|@import\s+url\(\s*[\"']?(https?:)?//|<iframe|<img[^>]*\ssrc\s*=\s*[\"']?https?:",
    re.IGNORECASE,
)


@pytest.fixture(scope="module")
def reports(demo_store: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:
    out = tmp_path_factory.mktemp("reports")
    return {
        lang: build_report(
            demo_store,
            output=out / f"{lang}.html",
            lang=lang,
            by="plan",
            contacts=False,  # the contact list is tested in test_action_sections
        ).read_text(encoding="utf-8")
        for lang in LANGUAGES
    }


def _text(page: str) -> str:
    """The page without its scripts: what a reader sees, roughly."""
    return re.sub(r"<script.*?</script>", "", page, flags=re.DOTALL)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_self_contained(reports: dict, lang: str) -> None:
    page = reports[lang]
    assert f'<html lang="{lang}">' in page
    assert not EXTERNAL.search(page)
    # plotly.js inline, exactly once, and every chart drawn by it.
    assert page.count("plotly.js v") >= 1
    assert page.count("Plotly.register(") == 1
    assert page.count("Plotly.newPlot(") >= 3


@pytest.mark.parametrize("lang", LANGUAGES)
def test_headings_are_translated(reports: dict, lang: str) -> None:
    gettext = translations(lang).gettext
    text = _text(reports[lang])
    for heading in HEADINGS:
        translated = gettext(heading)
        if lang != "en":
            assert translated != heading
        assert translated in text, f"{lang}: no heading {translated!r}"


def _latest(demo_store: Path):
    store = churnlens.Store.open(demo_store, read_only=True)
    return churnlens.churn_rate(store).iloc[-1]


@pytest.mark.parametrize(
    ("lang", "decimal", "group"),
    [("en", ".", ","), ("pl", ",", "\xa0"), ("da", ",", "."), ("vi", ",", ".")],
)
def test_headline_numbers_follow_the_locale(
    reports: dict, demo_store: Path, lang: str, decimal: str, group: str
) -> None:
    last = _latest(demo_store)
    text = _text(reports[lang])
    rate = f"{100 * last.churn_rate:.1f}".replace(".", decimal)
    assert re.search(rf'class="value">{re.escape(rate)}\s?%<', text), rate
    customers = f"{int(last.customers_end):,}".replace(",", group)
    assert f'class="value">{customers}<' in text


def test_polish_decimal_comma_in_captions(reports: dict) -> None:
    text = _text(reports["pl"])
    caption = re.search(
        r'<section id="churn_trend">.*?<p class="caption">(.*?)</p>', text, re.S
    )
    assert caption is not None
    assert re.search(r"\d,\d%", caption.group(1))
    assert not re.search(r"\d\.\d%", caption.group(1))


def test_revenue_sections_with_fx(
    demo_store: Path, fx_file: Path, tmp_path: Path, revenue_api: None
) -> None:
    page = build_report(
        demo_store, output=tmp_path / "r.html", lang="da", fx=fx_file, currency="EUR"
    ).read_text(encoding="utf-8")
    gettext = translations("da").gettext
    text = _text(page)
    for heading in (
        "MRR movements",
        "Retention by signup cohort",
        "Net revenue retention",
    ):
        assert gettext(heading) in text
    assert '"type":"waterfall"' in page and '"type":"heatmap"' in page
    assert re.search(r'class="value">[\d.]+,\d\d\xa0€<', text)  # Danish money


def test_several_currencies_without_fx_leave_revenue_out(
    demo_store: Path, tmp_path: Path, revenue_api: None
) -> None:
    page = build_report(
        demo_store, output=tmp_path / "r.html", lang="sl", contacts=False
    )
    text = _text(page.read_text(encoding="utf-8"))
    gettext = translations("sl").gettext
    assert gettext("MRR movements") not in text
    assert gettext("Notes") in text
    assert "DKK, EUR, GBP, PLN, USD" in text


def test_missing_api_leaves_a_section_out(
    demo_store: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    def build(context) -> Block:
        raise AssertionError("a section whose API is missing must not be built")

    later = Section("support_impact", ("support_impact_not_there",), build)
    monkeypatch.setattr(report_html, "SECTIONS", [*SECTIONS, later])
    steps = []
    with caplog.at_level(logging.INFO, logger="churnlens.report"):
        build_report(
            demo_store,
            output=tmp_path / "r.html",
            lang="en",
            contacts=False,
            progress=lambda done, total, step: steps.append((done, total, step)),
        )
    assert "support_impact" in caplog.text and "support_impact_not_there" in caplog.text
    done = [d for d, _, _ in steps]
    assert done == sorted(done) and done[-1] == steps[-1][1]


def test_no_full_period(demo_store: Path, tmp_path: Path) -> None:
    page = build_report(
        demo_store,
        output=tmp_path / "r.html",
        lang="pl",
        period="year",
        start="2026-01-01",
        contacts=False,
    ).read_text(encoding="utf-8")
    assert (
        translations("pl").gettext(
            "No full period lies in the chosen range, so the figures per period are "
            "left out. Try a shorter period or other dates."
        )
        in page
    )
