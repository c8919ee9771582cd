"""The dashboard's messages: its own catalogue, falling back to the report's.

Strings the report has already ("Churn rate", the reason names...) come from the
report's catalogues; only the dashboard's own words live in
``web/locale/<lang>/LC_MESSAGES/churnlens-web.po``, compiled in memory like the
report's (``churnlens.report.i18n``).
"""

from __future__ import annotations

import gettext
import io
from functools import lru_cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from churnlens.report import i18n as report_i18n
from churnlens.report.i18n import LANGUAGES, N_

__all__ = ["DOMAIN", "LANGUAGES", "LOCALE_DIR", "N_", "catalogue_path", "translations"]

DOMAIN = "churnlens-web"
LOCALE_DIR = Path(__file__).parent / "locale"


def catalogue_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


@lru_cache(maxsize=len(LANGUAGES))
def translations(lang: str) -> gettext.GNUTranslations:
    """The dashboard catalogue of ``lang``, backed by the report's."""
    lang = report_i18n.resolve_language(lang)
    with catalogue_path(lang).open("rb") as po:
        catalog = read_po(po, locale=lang, domain=DOMAIN)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    own = gettext.GNUTranslations(buffer)
    own.add_fallback(report_i18n.translations(lang))
    return own
