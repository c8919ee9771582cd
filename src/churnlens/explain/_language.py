"""Offline language detection for short feedback in en, pl, lt, da, vi and sl.

Two kinds of evidence, both shipped here: letters that belong to one language
(ł and ż are Polish, ė and ų Lithuanian, ø and å Danish, ơ and ư Vietnamese) and
frequent function words. Function words are compared folded, so
"nie chodzi o cene" and "khong dung nua" are recognised without their
diacritics; a word used by several languages counts for each of them in equal
parts. When those are weak (a few words without marks), the spelling decides:
letter-trigram frequencies taken from the shipped lexicons and word lists
("prz", "kh", "ij" and "erne" are typical of one language each), and the
caller adds which language's reason lexicon matches (``reasons._detect``).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from functools import cache
from importlib import import_module

from churnlens.explain._stemming import fold

LANGUAGES = ("en", "pl", "lt", "da", "vi", "sl")

# Letters specific to one language (weight 1) or shared (split between them).
_LETTERS = {
    "pl": "łśźżćńó",
    "lt": "ėįųū",
    "da": "æøå",
    "vi": "ăâêôơưđàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ",
}
_SHARED_LETTERS = {
    "ą": ("pl", "lt"),
    "ę": ("pl", "lt"),
    "č": ("lt", "sl"),
    "š": ("lt", "sl"),
    "ž": ("lt", "sl"),
}

_STOPWORDS = {
    "en": """the and is are was were we to of it too not our for with you this
        that they have has had no but my me i be been just any more than
        would could very also from its don didn doesn what which because
        anymore longer so an at by on us your their there""",
    "pl": """nie i w na jest się to że z do za mnie nam już bo dla ale co jak tak
        był była było były jestem mamy nas nasz nasza nasze który która
        które oraz czy ten ta tego tej przez po od aby żeby więc też bardzo
        ich jego go mi my wy jednak tylko jeszcze niż dlatego ponieważ""",
    "lt": """ir ne yra kad mums man per su bet jau nebe labai dėl nes tai mes
        jūs buvo nėra kaip kai čia mūsų jūsų jis ji jie tik dar nei arba
        todėl taip pat be iš į ar šis ši tas ta kuris kuri""",
    "da": """og ikke det er vi til for en et at med har den som på af men kan
        jeg os vores var der de så også meget hvor fra når eller har havde
        bliver blev skal vil kunne ingen noget nogen mere end fordi derfor
        sig sin dem jeres hos""",
    "vi": """không của và là có được cho chúng tôi quá này với rất những vì
        nên một các đã đang sẽ thì mà nhưng cũng khi nữa người bị cần
        dùng ở lại rồi hơn như để từ""",
    "sl": """in ne je da se za smo na pa ki so bi ker zaradi nam ni že ali tudi
        preveč bil bila bilo sem nismo nas naš naša vaš kot kar tega to
        ta smo imamo nimamo več samo še zelo pri iz po od do""",
}


def _stopword_table() -> dict[str, dict[str, float]]:
    owners: dict[str, set[str]] = {}
    for lang, words in _STOPWORDS.items():
        for word in words.split():
            owners.setdefault(fold(word), set()).add(lang)
    return {
        w: {lang: 1.0 / len(langs) for lang in langs} for w, langs in owners.items()
    }


_STOP_TABLE = _stopword_table()
_LETTER_TABLE: dict[str, dict[str, float]] = {
    ch: {lang: 1.0} for lang, chars in _LETTERS.items() for ch in chars
}
_LETTER_TABLE.update(
    {
        ch: {lang: 1.0 / len(langs) for lang in langs}
        for ch, langs in _SHARED_LETTERS.items()
    }
)
# Vietnamese and Polish share ó; Polish text has one ó in a sentence, Vietnamese
# many marked vowels, so ó leans Polish without deciding.
_LETTER_TABLE["ó"] = {"pl": 0.7, "vi": 0.3}


_VI_MARKS = frozenset(_LETTERS["vi"]) - frozenset("óáàâ")


def has_vietnamese_marks(text: str) -> bool:
    """Whether ``text`` carries Vietnamese tone or vowel marks (then they count)."""
    return not _VI_MARKS.isdisjoint(text.lower())


def language_scores(text: str, words: Iterable[str]) -> dict[str, float]:
    """Evidence for each language from the letters of ``text`` and its ``words``."""
    scores = dict.fromkeys(LANGUAGES, 0.0)
    marked = {ch for ch in text.lower() if ch > "\x7f"}  # every marked letter
    for ch in marked:
        for lang, weight in _LETTER_TABLE.get(ch, {}).items():
            # Marked letters are strong evidence: a typist who uses them is
            # writing in that language.
            scores[lang] += 2.0 * weight
    for word in words:
        for lang, weight in _STOP_TABLE.get(fold(word), {}).items():
            scores[lang] += weight
    return scores


def rank_languages(text: str, words: Iterable[str]) -> list[tuple[str, float]]:
    """Languages by decreasing evidence, as ``(language, score)`` pairs."""
    scores = language_scores(text, words)
    return sorted(scores.items(), key=lambda kv: (-kv[1], LANGUAGES.index(kv[0])))


def trigram_scores(words: Iterable[str]) -> dict[str, float]:
    """Mean log-probability of the words' letter trigrams under each language,
    minus the best one's: 0 for the best language, negative for the others."""
    grams = [g for w in words for g in _trigrams(fold(w))]
    if not grams:
        return dict.fromkeys(LANGUAGES, 0.0)
    means = {}
    for lang in LANGUAGES:
        logp, unseen = _profile(lang)
        means[lang] = sum(logp.get(g, unseen) for g in grams) / len(grams)
    best = max(means.values())
    return {lang: mean - best for lang, mean in means.items()}


_VOCABULARY = 28**3


def _trigrams(word: str) -> list[str]:
    padded = f" {word} "
    return [padded[i : i + 3] for i in range(len(padded) - 2)]


@cache
def _profile(lang: str) -> tuple[dict[str, float], float]:
    """Log-probabilities (add-one smoothed) of the letter trigrams of every word
    the package ships for ``lang``, and that of an unseen trigram."""
    module = import_module(f"churnlens.explain._lexicons.{lang}")
    text = " ".join(
        [_STOPWORDS[lang], *module.TERMS.values()]
        + [
            getattr(module, name)
            for name in (
                "NEGATORS",
                "SKIP",
                "POINTERS",
                "CAUSE",
                "CONTRAST",
                "PROBLEM",
                "FINE",
            )
        ]
    )
    counts: Counter[str] = Counter()
    for word in text.split():
        word = fold(word.strip("*~"))
        if word.isalpha():
            counts.update(_trigrams(word))
    denominator = math.log(sum(counts.values()) + _VOCABULARY)
    logp = {g: math.log(n + 1) - denominator for g, n in counts.items()}
    return logp, -denominator
