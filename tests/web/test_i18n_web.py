"""The dashboard's messages: each one the code and templates use is translated
in every language, by the dashboard's catalogue or the report's, with the same
placeholders; the dashboard's catalogue keeps no unused message."""

from __future__ import annotations

from pathlib import Path

import pytest

from _messages import placeholders, read_catalogue, used_messages
from churnlens.report import i18n as report_i18n
from churnlens.web import i18n
from churnlens.web.i18n import LANGUAGES, translations

WEB = Path(i18n.__file__).parent
USED = used_messages(WEB)


def test_the_scan_finds_the_messages() -> None:
    assert len(USED) > 80
    assert "Record an outreach outcome" in USED  # a template
    assert "Churn by period" in USED  # Python, via N_
    assert "Customer {customer}" in USED  # Python, via t
    assert "Churn rate" in USED  # the report's, reused


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_message_is_translated(lang: str) -> None:
    own = read_catalogue(i18n.catalogue_path(lang), lang)
    report = read_catalogue(report_i18n.catalogue_path(lang), lang)
    missing = [
        f"{m!r} ({w})" for m, w in USED.items() if m not in own and m not in report
    ]
    assert not missing, f"{lang}: in neither catalogue: {missing}"
    if lang != "en":
        empty = [m for m in USED if m in own and not own[m].string]
        assert not empty, f"{lang}: untranslated: {empty}"
        fuzzy = [m.id for m in own if m.id and m.fuzzy]
        assert not fuzzy, f"{lang}: fuzzy: {fuzzy}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_stale_messages(lang: str) -> None:
    stale = [
        m.id
        for m in read_catalogue(i18n.catalogue_path(lang), lang)
        if m.id and m.id not in USED
    ]
    assert not stale, f"{lang}: no longer used, remove: {stale}"


@pytest.mark.parametrize("lang", [lang for lang in LANGUAGES if lang != "en"])
def test_placeholders_match_and_text_is_translated(lang: str) -> None:
    own = read_catalogue(i18n.catalogue_path(lang), lang)
    wrong = [
        (m.id, m.string)
        for m in own
        if m.id and placeholders(m.id) != placeholders(m.string)
    ]
    assert not wrong, f"{lang}: placeholders differ: {wrong}"
    copied = [m.id for m in own if m.id and len(m.id) > 20 and m.string == m.id]
    assert not copied, f"{lang}: English left in: {copied}"


def test_compiled_catalogue_falls_back_to_the_report() -> None:
    pl = translations("pl")
    assert pl.gettext("Contact list") == "Lista kontaktów"  # the dashboard's
    assert pl.gettext("Churn rate") == "Wskaźnik rezygnacji"  # the report's
    assert translations("en").gettext("Contact list") == "Contact list"
