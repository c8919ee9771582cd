"""The catalogues: every message the code and templates use is translated in
every language, with the same placeholders; language choice from the locale."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from _messages import placeholders, read_catalogue, used_messages
from churnlens.errors import ConfigError
from churnlens.report import i18n
from churnlens.report.i18n import LANGUAGES, default_language, resolve_language

REPORT = Path(i18n.__file__).parent


def _catalogue(lang: str):  # noqa: ANN202 - babel's Catalog
    return read_catalogue(i18n.catalogue_path(lang), lang)


USED = used_messages(REPORT)


def test_the_scan_finds_the_messages() -> None:
    # Guards the scan itself: a broken extractor would make every check pass.
    assert len(USED) > 60
    assert "Churn rate over time" in USED  # Python, via N_ and t
    assert "Customer churn report" in USED  # the template
    assert "{reason}: {mrr} lost MRR" in USED


@pytest.mark.parametrize("lang", LANGUAGES)
def test_catalogue_has_every_message(lang: str) -> None:
    catalogue = _catalogue(lang)
    missing = [f"{m!r} ({where})" for m, where in USED.items() if m not in catalogue]
    assert not missing, f"{lang}: not in the catalogue: {missing}"
    if lang != "en":
        empty = [m for m in USED if not catalogue[m].string]
        assert not empty, f"{lang}: untranslated: {empty}"
        fuzzy = [m.id for m in catalogue if m.id and m.fuzzy]
        assert not fuzzy, f"{lang}: fuzzy (left out when compiled): {fuzzy}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_catalogue_has_no_stale_messages(lang: str) -> None:
    stale = [m.id for m in _catalogue(lang) if m.id and m.id not in USED]
    assert not stale, f"{lang}: no longer used, remove: {stale}"


@pytest.mark.parametrize("lang", [lang for lang in LANGUAGES if lang != "en"])
def test_placeholders_match(lang: str) -> None:
    wrong = [
        (m.id, m.string)
        for m in _catalogue(lang)
        if m.id and placeholders(m.id) != placeholders(m.string)
    ]
    assert not wrong, f"{lang}: placeholders differ: {wrong}"


@pytest.mark.parametrize("lang", [lang for lang in LANGUAGES if lang != "en"])
def test_translations_are_translated(lang: str) -> None:
    # A catalogue that copies the English would pass the checks above.
    catalogue = _catalogue(lang)
    long = [m for m in catalogue if m.id and len(m.id) > 25]
    copied = [m.id for m in long if m.string == m.id]
    assert not copied, f"{lang}: English left in: {copied}"


def test_compiled_catalogue_translates() -> None:
    assert i18n.translations("pl").gettext("Churn rate") == "Wskaźnik rezygnacji"
    assert i18n.translations("da").gettext("Customers") == "Kunder"
    assert i18n.translations("en").gettext("Customers") == "Customers"


def test_placeholder_pattern_is_format_style() -> None:
    # printf-style placeholders would survive str.format untouched, unnoticed.
    assert not [m for m in USED if re.search(r"%\(?\w*\)?[sd]", m)]


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({"LANG": "pl_PL.UTF-8"}, "pl"),
        ({"LANG": "da_DK.UTF-8", "LC_ALL": "sl_SI.UTF-8"}, "sl"),
        ({"LC_ALL": "C", "LANG": "pl_PL.UTF-8"}, "en"),
        ({"LANG": "de_DE.UTF-8"}, "en"),
        ({"LANGUAGE": "de:lt", "LANG": "pl_PL.UTF-8"}, "lt"),
        ({"LANGUAGE": "de", "LANG": "vi_VN.UTF-8"}, "vi"),
        ({}, "en"),
    ],
)
def test_default_language(environ: dict[str, str], expected: str) -> None:
    assert default_language(environ) == expected


def test_resolve_language() -> None:
    assert resolve_language("pl-PL") == "pl"
    assert resolve_language("DA") == "da"
    with pytest.raises(ConfigError, match="no report language 'de'"):
        resolve_language("de")
