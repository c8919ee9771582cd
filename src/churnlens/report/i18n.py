"""The report's languages: gettext catalogues compiled in memory, and the choice
of language.

The ``.po`` files under ``locale/`` are the only source: they are compiled to
``.mo`` bytes with Babel when first needed, so nothing generated is committed and
an edited catalogue takes effect without a build step. Message ids are the
English text; placeholders are ``str.format`` names (``{period}``).
"""

from __future__ import annotations

import gettext
import io
import os
from functools import lru_cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from churnlens.errors import ConfigError

__all__ = [
    "DOMAIN",
    "LANGUAGES",
    "LOCALE_DIR",
    "N_",
    "catalogue_path",
    "default_language",
    "resolve_language",
    "translations",
]

DOMAIN = "churnlens"
LANGUAGES = ("en", "pl", "lt", "da", "vi", "sl")
LOCALE_DIR = Path(__file__).parent / "locale"
# The variables gettext itself consults, in its order of precedence.
_LOCALE_VARIABLES = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")


def N_(message: str) -> str:  # noqa: N802 - the gettext convention
    """Mark a message for the catalogues without translating it yet (it is
    translated when the report is rendered, in the report's language)."""
    return message


def catalogue_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


@lru_cache(maxsize=len(LANGUAGES))
def translations(lang: str) -> gettext.GNUTranslations:
    """The compiled catalogue of ``lang`` (one of ``LANGUAGES``)."""
    lang = resolve_language(lang)
    with catalogue_path(lang).open("rb") as po:
        catalog = read_po(po, locale=lang, domain=DOMAIN)
    buffer = io.BytesIO()
    # Fuzzy entries are drafts: like msgfmt, leave them out.
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


def resolve_language(lang: str | None) -> str:
    """``lang`` checked (``"pl_PL.UTF-8"`` gives ``"pl"``), or the system's."""
    if lang is None:
        return default_language()
    code = _code(lang)
    if code not in LANGUAGES:
        raise ConfigError(
            f"no report language '{lang}'",
            hint=f"use one of: {', '.join(LANGUAGES)}",
        )
    return code


def default_language(environ: dict[str, str] | None = None) -> str:
    """The language of the first set of LANGUAGE, LC_ALL, LC_MESSAGES, LANG
    when it is one of ``LANGUAGES``; English otherwise (also for ``C``).

    LANGUAGE is a list of preferences (``"sl:de"``); an unusable one defers to
    the others. Of the rest, the first set decides, as for gettext: LC_ALL=C
    means English whatever LANG says.
    """
    env = os.environ if environ is None else environ
    for variable in _LOCALE_VARIABLES:
        value = env.get(variable, "").strip()
        if not value:
            continue
        for part in value.split(":"):
            if _code(part) in LANGUAGES:
                return _code(part)
        if variable != "LANGUAGE":
            return "en"
    return "en"


def _code(value: str) -> str:
    # "pl_PL.UTF-8@euro" -> "pl"; Danish is sometimes given as "dk".
    text = value.strip().lower().split(".")[0].split("@")[0]
    code = text.replace("-", "_").split("_")[0]
    return {"dk": "da", "si": "sl", "vn": "vi"}.get(code, code)
