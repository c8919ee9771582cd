"""Text normalisation for the reason lexicons: folding, tokens and light stemmers.

Customers often type without diacritics ("cene" for "cenę", "khong" for
"không"), so every comparison happens on *folded* text: lower case, marks
removed, letters that Unicode does not decompose (ł, đ, ø, æ) spelled out.
The stemmers are deliberately light: they strip one inflectional ending from a
folded word, leaving a stem of at least three letters. Lexicon phrases go
through the same functions, so a phrase written in its dictionary form matches
its inflected, unaccented forms.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Letters without a Unicode decomposition, and how people type them on a
# keyboard that lacks them.
_FOLD_TABLE = str.maketrans(
    {"ł": "l", "đ": "d", "ø": "o", "æ": "ae", "ß": "ss", "ı": "i", "’": "'"}
)
# A word, or a mark that ends a clause (a dash counts: "great tool - too pricey").
_TOKEN = re.compile(r"[^\W\d_]+|[.,;:!?()\n]|\s[-–—]\s")
_NOT = re.compile(r"n't\b|n’t\b")

# Endings stripped by the light stemmers, longest first; written folded.
_SUFFIXES = {
    "en": """
        ations ation ities ity ings ing ies ied ers est ed es ly er s e y
    """,
    "pl": """
        owaniu owanie owania aniem eniem iliśmy ilismy aliśmy alismy iłem ilem ałem
        alem owali owala owalo owych owego owemu owej owym owy owa owe ami ach ego
        emu ych ich ymi imi cie ową owi iej ało alo ała ala ali ili ila ilo om em ie
        ia iu ow ej ym im my li ło lo y a e i o u
    """,
    "lt": """
        iuose uose omis emis imis umis iais iams jome iame iate ėjome ejome ome ote
        ams oms ems ims ums ose yse oje eje uje avo ojo ejo iau ius iai ių iu ia io
        ie ji jo ti as is ys us os es ai ei ui au ą a e i o u y
    """,
    "da": """
        erne ende ede ene ens ers ets hed er en et es e s t
    """,
    "sl": """
        ovanje ovanja iranje irati ami ega emu imi ima ama amo ate ajo ila ilo ili
        ali ala alo eti iti ati ega ih ah em om ov ev ne ni na no a e i o u
    """,
}


@lru_cache(maxsize=131_072)
def fold(text: str) -> str:
    """Lower-case ``text`` and remove diacritics: ``"Cenę"`` -> ``"cene"``."""
    lowered = text.lower().translate(_FOLD_TABLE)
    decomposed = unicodedata.normalize("NFD", lowered)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def tokens(text: str) -> list[str]:
    """Words (lower case, accents kept) and clause marks of ``text``."""
    lowered = _NOT.sub(" not", unicodedata.normalize("NFC", text.lower()))
    return [t.strip() or "," for t in _TOKEN.findall(lowered.replace("’", "'"))]


def is_boundary(token: str) -> bool:
    """Whether ``token`` is a punctuation mark that ends a clause."""
    return not token[:1].isalpha()


_FOLDED_SUFFIXES = {
    lang: tuple(sorted({fold(s) for s in ends.split()}, key=len, reverse=True))
    for lang, ends in _SUFFIXES.items()
}


@lru_cache(maxsize=65_536)
def stem(word: str, lang: str) -> str:
    """Fold ``word`` and strip one ending: ``stem("cenami", "pl") == "cen"``.

    Vietnamese is isolating and has no endings: its syllables are only folded.
    """
    folded = fold(word)
    for suffix in _FOLDED_SUFFIXES.get(lang, ()):
        if folded.endswith(suffix) and len(folded) - len(suffix) >= 3:
            folded = folded[: -len(suffix)]
            break
    # Doubled final consonants ("stopp-ed", "bugg-y") collapse to one.
    doubled = len(folded) > 3 and folded[-1] == folded[-2] not in "aeiouls"
    if lang == "en" and doubled:
        folded = folded[:-1]
    return folded
