"""Reason lexicons, one module per language, compiled once into lookup tables.

Each language module defines ``TERMS``: for every reason code a block of lines
``<weight> <phrase>``. A phrase is one or more words in their ordinary form;
they are folded and stemmed like the text, so "price" also matches "prices"
and "cenę" also matches "cene". A word ending in ``*`` matches any word that
starts with it ("bug*": bug, bugs, buggy). A weight written ``~3`` marks a
phrase that counts only when negated ("need" in "we do not need it anymore").
Besides ``TERMS`` a module lists the
small word classes the matcher needs: ``NEGATORS`` ("not", "nie"), ``SKIP``
(words that may stand between a negator and the term it negates), ``POINTERS``
("about", "chodzi": "not *about* the price"), ``CAUSE`` (words that mark the
clause stating the cause), ``CONTRAST`` ("but"), ``PROBLEM`` ("the price is not
the *problem*") and ``FINE`` ("support was *great*").

Vietnamese writes one syllable per word and its tones carry meaning, so it is
compiled twice: with diacritics, used when the text has them, and folded, used
when it has none.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from functools import cache
from importlib import import_module

from churnlens.explain._stemming import fold, stem

LEXICON_LANGUAGES = ("en", "pl", "lt", "da", "vi", "sl")
_CACHE_SIZE = 200_000
_WORD_CLASSES = ("NEGATORS", "SKIP", "POINTERS", "CAUSE", "CONTRAST", "PROBLEM", "FINE")


@dataclass(frozen=True)
class Entry:
    """One weighted phrase: its elements are ``(is_prefix, key)`` pairs."""

    reason: str
    weight: float
    elements: tuple[tuple[bool, str], ...]
    text: str
    negated_form: bool = False


@dataclass
class Lexicon:
    """A language's compiled lexicon; ``key`` turns a text word into its lookup key."""

    lang: str
    accented: bool
    words: dict[str, frozenset[str]]
    exact: dict[str, list[Entry]]
    prefixed: list[tuple[str, Entry]]
    _cache: dict[str, list[Entry]] = field(default_factory=dict, repr=False)
    _keys: dict[str, str] = field(default_factory=dict, repr=False)
    _classes: dict[str, frozenset[str]] = field(default_factory=dict, repr=False)

    def key(self, word: str) -> str:
        found = self._keys.get(word)
        if found is None:
            if self.lang != "vi":
                found = stem(word, self.lang)
            elif self.accented:
                found = unicodedata.normalize("NFC", word)
            else:
                found = fold(word)
            _remember(self._keys, word, found)
        return found

    def surface(self, word: str) -> str:
        """The form prefixes are compared with: folded, or as written."""
        return word if self.accented else fold(word)

    def starting(self, word: str) -> list[Entry]:
        """Entries whose first element matches ``word`` (cached per word)."""
        hit = self._cache.get(word)
        if hit is None:
            surface = self.surface(word)
            hit = list(self.exact.get(self.key(word), ()))
            hit += [e for prefix, e in self.prefixed if surface.startswith(prefix)]
            _remember(self._cache, word, hit)
        return hit

    def element_matches(self, element: tuple[bool, str], word: str) -> bool:
        is_prefix, value = element
        if is_prefix:
            return self.surface(word).startswith(value)
        return self.key(word) == value

    def has(self, word_class: str, word: str) -> bool:
        classes = self._classes.get(word)
        if classes is None:
            key = self.key(word)
            classes = frozenset(n for n, keys in self.words.items() if key in keys)
            _remember(self._classes, word, classes)
        return word_class in classes


def _remember(cache: dict, word: str, value: object) -> None:
    if len(cache) > _CACHE_SIZE:
        cache.clear()  # bounded memory on an endless vocabulary
    cache[word] = value


@cache
def load_lexicon(lang: str, *, accented: bool = False) -> Lexicon:
    """The compiled lexicon of ``lang`` (``accented`` matters for Vietnamese only)."""
    module = import_module(f"churnlens.explain._lexicons.{lang}")
    lexicon = Lexicon(lang, accented and lang == "vi", {}, {}, [])
    for name in _WORD_CLASSES:
        words = getattr(module, name).split()
        lexicon.words[name] = frozenset(lexicon.key(w) for w in words)
    for reason, block in module.TERMS.items():
        for line in block.strip().splitlines():
            entry = _entry(lexicon, reason, line.split())
            first_is_prefix, first = entry.elements[0]
            if first_is_prefix:
                lexicon.prefixed.append((first, entry))
            else:
                lexicon.exact.setdefault(first, []).append(entry)
    return lexicon


def _entry(lexicon: Lexicon, reason: str, parts: list[str]) -> Entry:
    negated_form = parts[0].startswith("~")
    weight, words = float(parts[0].lstrip("~")), parts[1:]
    elements = tuple(
        (True, lexicon.surface(w[:-1])) if w.endswith("*") else (False, lexicon.key(w))
        for w in words
    )
    text = ("not " if negated_form else "") + " ".join(words)
    return Entry(reason, weight, elements, text, negated_form)
