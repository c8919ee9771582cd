"""Scanning a package for the messages it translates, and reading catalogues.

Shared by the report's and the dashboard's catalogue tests, which check the same
rules on different packages.
"""

from __future__ import annotations

import string
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po
from jinja2.ext import babel_extract

__all__ = ["KEYWORDS", "placeholders", "read_catalogue", "used_messages"]

# The names the sources translate with: gettext's, the deferred marker, and
# ``t``, a bound gettext.
KEYWORDS = {"_": None, "N_": None, "t": None, "gettext": None}


def used_messages(package: Path) -> dict[str, str]:
    """msgid -> where it is used, from the package's Python files and its
    ``templates/*.j2``."""
    found: dict[str, str] = {}
    for path in sorted(package.rglob("*.py")):
        for line, message, _, _ in extract_from_file("python", path, keywords=KEYWORDS):
            found.setdefault(message, f"{path.name}:{line}")
    for path in sorted((package / "templates").rglob("*.j2")):
        for line, message, _, _ in extract_from_file(
            babel_extract,
            path,
            keywords=KEYWORDS,
            options={"extensions": "jinja2.ext.i18n"},
        ):
            found.setdefault(message, f"{path.name}:{line}")
    return found


def read_catalogue(path: Path, lang: str) -> Catalog:
    with path.open("rb") as po:
        return read_po(po, locale=lang)


def placeholders(text: str) -> set[str]:
    """The ``{name}`` fields of a message."""
    return {
        name for _, name, _, _ in string.Formatter().parse(text) if name is not None
    }
