"""Why customers cancel: one taxonomy for coded reasons and free-text feedback.

``reason_from_code`` maps coded reasons (Stripe's eight ``feedback`` codes, our
own codes, common spellings) to the taxonomy. ``classify_reason`` reads free
text in English, Polish, Lithuanian, Danish, Vietnamese or Slovenian with the
lexicons shipped in ``_lexicons``: weighted phrases per reason, matched on
folded and lightly stemmed words, with negation ("not about the price") and a
preference for the clause that states the cause ("..., but we left *because*
of the price"). Nothing is downloaded; see docs/reasons.md for the method and
its measured precision and recall.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import pandas as pd

from churnlens.errors import ConfigError
from churnlens.explain._language import (
    LANGUAGES,
    has_vietnamese_marks,
    rank_languages,
    trigram_scores,
)
from churnlens.explain._lexicons import Entry, Lexicon, load_lexicon
from churnlens.explain._stemming import is_boundary, tokens

__all__ = [
    "REASONS",
    "REASON_COLUMNS",
    "REASON_LABELS",
    "STRIPE_FEEDBACK",
    "ReasonMatch",
    "classify_reason",
    "classify_reasons",
    "is_reason_code",
    "reason_from_code",
]

REASON_LABELS = {
    "price": "Price",
    "missing_feature": "Missing feature",
    "poor_support": "Poor support",
    "technical_problems": "Technical problems",
    "switched_to_competitor": "Switched to a competitor",
    "no_longer_needed": "No longer needed",
    "onboarding": "Onboarding / did not understand the product",
    "billing_payment": "Billing or payment",
    "other": "Other",
}
REASONS = tuple(REASON_LABELS)
STRIPE_FEEDBACK = {
    "too_expensive": "price",
    "missing_features": "missing_feature",
    "customer_service": "poor_support",
    "low_quality": "technical_problems",
    "switched_service": "switched_to_competitor",
    "unused": "no_longer_needed",
    "too_complex": "onboarding",
    "other": "other",
}
_SPELLINGS = {
    **{code: code for code in REASONS},
    **STRIPE_FEEDBACK,
    **dict.fromkeys(("expensive", "pricing", "cost", "costs", "too_costly"), "price"),
    **dict.fromkeys(("missing_feature", "features", "feature"), "missing_feature"),
    **dict.fromkeys(("support", "service", "bad_support"), "poor_support"),
    **dict.fromkeys(
        ("quality", "bugs", "technical", "technical_issues"), "technical_problems"
    ),
    **dict.fromkeys(
        ("competitor", "switched", "switched_services"), "switched_to_competitor"
    ),
    **dict.fromkeys(
        ("not_needed", "no_need", "not_used", "unused_service"), "no_longer_needed"
    ),
    **dict.fromkeys(("complex", "too_complicated", "complicated"), "onboarding"),
    **dict.fromkeys(
        ("billing", "payment", "payments", "billing_issue"), "billing_payment"
    ),
}
REASON_COLUMNS = ("reason", "reason_label", "score", "confidence", "lang", "terms")

# A term in the clause that states the cause ("because ...") or follows a
# contrast ("..., but ...") outweighs one in a conceded clause.
_CAUSE_FACTOR, _CONTRAST_FACTOR, _ASIDE_FACTOR = 1.5, 1.3, 0.5
_NEGATION_REACH = 3  # other words between "not about" and the term it negates
_PHRASE_GAP = 1  # extra words allowed between the words of a phrase
# When function words do not decide the language: points per nat of mean
# trigram log-likelihood, per unit of lexicon score, and how far behind the
# best a language may be and still be tried with its lexicon.
_TRIGRAM_WEIGHT, _LEXICON_WEIGHT, _LEXICON_REACH = 4.0, 0.3, 3.0


@dataclass(frozen=True)
class ReasonMatch:
    """The reason found in one text and why.

    ``score`` sums the weights of the matched terms for ``reason``;
    ``confidence`` in [0, 1] grows with the score and with its share of all
    reasons' scores. ``terms`` are the lexicon phrases that counted and
    ``negated`` those that were discounted ("not about the price").
    """

    reason: str
    score: float
    confidence: float
    lang: str | None
    terms: tuple[str, ...] = ()
    negated: tuple[str, ...] = ()
    scores: dict[str, float] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return REASON_LABELS[self.reason]


def reason_from_code(code: object) -> str | None:
    """Map a coded reason to the taxonomy: ``reason_from_code("too_expensive")``.

    Case, spaces and hyphens do not matter. Empty values give ``None`` (no
    reason given); unknown codes give ``"other"``.
    """
    if code is None or (isinstance(code, float) and math.isnan(code)):
        return None
    text = str(code).strip().lower().replace("-", "_").replace(" ", "_")
    if not text:
        return None
    return _SPELLINGS.get(text, "other")


def is_reason_code(value: object) -> bool:
    """Whether ``value`` is a reason code ``reason_from_code`` knows (taxonomy,
    Stripe's and common spellings), rather than text to classify."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return False
    return str(value).strip().lower().replace("-", "_").replace(" ", "_") in _SPELLINGS


def classify_reason(text: object, lang: str | None = None) -> ReasonMatch:
    """Classify free-text cancellation feedback into the reason taxonomy.

    ``lang`` is one of en, pl, lt, da, vi, sl (``"pl-PL"`` works too); ``None``
    detects it. Empty or missing text gives ``other`` with score 0.

    >>> classify_reason("Too expensive for a team our size").reason
    'price'
    """
    if text is None or (isinstance(text, float) and math.isnan(text)):
        text = ""
    text = str(text)
    words = tokens(text)
    code = _language_code(lang)
    if not any(not is_boundary(w) for w in words):
        return ReasonMatch("other", 0.0, 0.0, code)
    if code is not None:
        return _classify(words, _lexicon(code, text))
    return _detect(text, words)


def classify_reasons(
    texts: Iterable[object], langs: Iterable[str | None] | str | None = None
) -> pd.DataFrame:
    """``classify_reason`` for many texts: a DataFrame with ``REASON_COLUMNS``.

    ``langs`` is one language for all, or one per text (``None`` detects).
    Repeated texts are classified once. ``terms`` joins the matched phrases
    with ``"; "``. The index follows ``texts`` when it is a Series.
    """
    index = texts.index if isinstance(texts, pd.Series) else None
    items = list(texts)
    if langs is None or isinstance(langs, str):
        lang_list: Sequence[object] = [langs] * len(items)
    else:
        lang_list = list(langs)
        if len(lang_list) != len(items):
            raise ConfigError(
                f"got {len(items)} texts but {len(lang_list)} languages",
                hint="pass one language per text, one for all, or None to detect",
            )
    seen: dict[tuple[object, object], tuple[object, ...]] = {}
    rows = []
    for text, lang in zip(items, lang_list, strict=True):
        lang = None if lang is None or lang != lang or lang == "" else lang
        key = (text, lang)
        row = seen.get(key)
        if row is None:
            m = classify_reason(text, lang)  # type: ignore[arg-type]
            row = (m.reason, m.label, m.score, m.confidence, m.lang, "; ".join(m.terms))
            seen[key] = row
        rows.append(row)
    return pd.DataFrame(rows, columns=list(REASON_COLUMNS), index=index)


def _language_code(lang: str | None) -> str | None:
    if lang is None:
        return None
    code = str(lang).strip().lower().replace("_", "-").split("-")[0]
    code = {"dk": "da", "si": "sl", "slo": "sl", "vn": "vi"}.get(code, code)
    if code not in LANGUAGES:
        raise ConfigError(
            f"no reason lexicon for language {lang!r}",
            hint=f"use one of {', '.join(LANGUAGES)}, or None to detect it",
        )
    return code


def _lexicon(lang: str, text: str) -> Lexicon:
    return load_lexicon(lang, accented=lang == "vi" and has_vietnamese_marks(text))


def _detect(text: str, words: list[str]) -> ReasonMatch:
    """Pick the language from letters and function words; if they are weak, let
    spelling (letter trigrams) and the lexicons vote: feedback is often too
    short for function words alone."""
    plain = [w for w in words if not is_boundary(w)]
    ranked = rank_languages(text, plain)
    (best, top), (_, second) = ranked[0], ranked[1]
    if top >= 2.0 and top >= 2.0 * second:
        return _classify(words, _lexicon(best, text))
    evidence = dict(ranked)
    for lang, score in trigram_scores(plain).items():
        evidence[lang] += _TRIGRAM_WEIGHT * score
    # Only languages that the lexicon evidence could still lift to the top.
    best_evidence = max(evidence.values())
    candidates = [g for g in LANGUAGES if evidence[g] >= best_evidence - _LEXICON_REACH]
    matches = [_classify(words, _lexicon(lang, text)) for lang in candidates]
    return max(
        matches,
        key=lambda m: evidence[m.lang or ""] + _LEXICON_WEIGHT * sum(m.scores.values()),
    )


@dataclass(frozen=True)
class _Clause:
    cause: bool
    after_contrast: bool

    @property
    def factor(self) -> float:
        if self.cause:
            return _CAUSE_FACTOR
        return _CONTRAST_FACTOR if self.after_contrast else 1.0


def _clauses(words: list[str], lex: Lexicon) -> tuple[list[int], list[_Clause]]:
    """Number each word's clause; clauses end at punctuation and contrasts."""
    ids, flags = [], [[False, False]]
    for word in words:
        if is_boundary(word) or lex.has("CONTRAST", word):
            flags.append([False, lex.has("CONTRAST", word) or flags[-1][1]])
        elif lex.has("CAUSE", word):
            flags[-1][0] = True
        ids.append(len(flags) - 1)
    return ids, [_Clause(cause, after) for cause, after in flags]


def _classify(words: list[str], lex: Lexicon) -> ReasonMatch:
    spans = _longest(_find(words, lex))
    if not spans:
        return ReasonMatch("other", 0.0, 0.0, lex.lang)
    covered = {i for start, end, _ in spans for i in range(start, end)}
    clause_of, clauses = _clauses(words, lex)
    counted, negated = [], []
    for start, end, entry in spans:
        if _negation(words, start, end, lex, covered, clause_of) in _COUNTS[entry]:
            counted.append((clauses[clause_of[start]], entry))
        elif not entry.negated_form:
            negated.append(entry.text)
    # Once a clause states the cause, terms elsewhere are context.
    stated = any(clause.cause for clause, _ in counted)
    scores: dict[str, float] = {}
    for clause, entry in counted:
        factor = clause.factor if clause.cause or not stated else _ASIDE_FACTOR
        scores[entry.reason] = scores.get(entry.reason, 0.0) + entry.weight * factor
    terms = [entry.text for _, entry in counted]
    if not scores:
        return ReasonMatch("other", 0.0, 0.0, lex.lang, (), tuple(negated), {})
    reason = max(scores, key=lambda r: (scores[r], -REASONS.index(r)))
    top = scores[reason]
    confidence = top / sum(scores.values()) * (1.0 - math.exp(-top / 2.0))
    return ReasonMatch(
        reason,
        round(top, 3),
        round(confidence, 3),
        lex.lang,
        tuple(terms),
        tuple(negated),
        scores,
    )


_Span = tuple[int, int, Entry]


def _find(words: list[str], lex: Lexicon) -> list[_Span]:
    found = []
    for i, word in enumerate(words):
        if is_boundary(word):
            continue
        for entry in lex.starting(word):
            end = _phrase_end(words, i, entry.elements, lex)
            if end is not None:
                found.append((i, end, entry))
    return found


def _phrase_end(
    words: list[str], i: int, elements: tuple[tuple[bool, str], ...], lex: Lexicon
) -> int | None:
    j = i + 1
    for element in elements[1:]:
        for k in range(j, min(j + 1 + _PHRASE_GAP, len(words))):
            if is_boundary(words[k]):
                return None
            if lex.element_matches(element, words[k]):
                j = k + 1
                break
        else:
            return None
    return j


def _longest(found: list[_Span]) -> list[_Span]:
    """Drop matches inside a longer one: "too expensive" hides "expensive"."""
    kept: list[_Span] = []
    order = sorted(found, key=lambda m: (-len(m[2].elements), m[0], -m[2].weight))
    for start, end, entry in order:
        # A phrase of more words wins; two phrases of one reason on the same
        # words ("price", "pricing") count once.
        n = len(entry.elements)
        hidden = any(
            s <= start and end <= e and (len(other.elements) > n or _same(entry, other))
            for s, e, other in kept
        )
        if not hidden:
            kept.append((start, end, entry))
    return sorted(kept, key=lambda m: m[0])


def _same(a: Entry, b: Entry) -> bool:
    return a.reason == b.reason and a.negated_form == b.negated_form


class _Counts:
    """When a match counts, by the negation around it (see ``_negation``)."""

    def __getitem__(self, entry: Entry) -> tuple[str | None, ...]:
        if entry.negated_form:
            return ("direct", "pointed")
        # "no API", "nie ma integracji": a missing feature is negated by nature.
        return (None, "direct") if entry.reason == "missing_feature" else (None,)


_COUNTS = _Counts()


def _negation(
    words: list[str],
    start: int,
    end: int,
    lex: Lexicon,
    covered: set[int],
    clause_of: list[int],
) -> str | None:
    """How the words around a match negate it: ``"direct"`` ("not expensive"),
    ``"pointed"`` ("not about the price"), ``"problem"`` ("the price was not the
    problem"), ``"fine"`` ("support was great") or ``None``."""
    clause = clause_of[start]

    def free(k: int) -> bool:
        return 0 <= k < len(words) and k not in covered and clause_of[k] == clause

    # A phrase that starts with its own negator ("nie działa") is not negated
    # again by an earlier one: "nikoli ni sprejela" is negative concord.
    pointed, k, reach = False, start - 1, 0
    if lex.has("NEGATORS", words[start]):
        k = -1
    while free(k) and reach < _NEGATION_REACH and start - k <= 8:
        word = words[k]
        if lex.has("NEGATORS", word):
            return "pointed" if pointed else "direct"
        if lex.has("FINE", word) and start - k <= 2:
            return _fine(words, k, lex, free)
        if lex.has("POINTERS", word):
            pointed = True
        elif not lex.has("SKIP", word):
            if not pointed:
                break
            reach += 1
        k -= 1
    k = end
    while free(k) and k - end < _NEGATION_REACH:
        word = words[k]
        if lex.has("FINE", word):
            return _fine(words, k, lex, free)
        if lex.has("NEGATORS", word):
            problem = any(
                n < len(words)
                and clause_of[n] == clause
                and lex.has("PROBLEM", words[n])
                for n in range(k + 1, k + 4)
            )
            return "problem" if problem else None
        if not (lex.has("SKIP", word) or lex.has("POINTERS", word)):
            break
        k += 1
    return None


def _fine(
    words: list[str], k: int, lex: Lexicon, free: Callable[[int], bool]
) -> str | None:
    """A praise word negates the term unless it is itself negated ("not good")."""
    return None if free(k - 1) and lex.has("NEGATORS", words[k - 1]) else "fine"
