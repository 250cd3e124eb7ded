"""How alike two appeals' texts are, for "the same question" (R15 grounds
2, 3 and 5 rest on an earlier decision on it): pure Python, no database.

A text becomes a set of terms: its words in lower case, cut to a stem of
``STEM`` letters (Russian and Kazakh inflect and agglutinate: «водоснабжения»
and «водоснабжением», «көшесінде» and «көшесі» share their stems), numbers
kept whole (a house number tells two streets' questions apart), and the
request formulas every appeal has («прошу принять», «сұраймын») dropped.
Their names and numbers (``anchors``) are what tells two appeals on one
topic apart. Two texts are compared by the weighted Jaccard index of their
names and numbers (``ANCHOR_WEIGHT``) and of their other terms, each term
weighted by its rarity among the texts compared (an inverse document
frequency). 1.0 is the same text; unrelated texts score near 0.
"""
from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable

STEM = 6
WORD = re.compile(r"\w+", re.UNICODE)
FORMULAS = frozenset({
    # Russian request formulas and function words
    "прошу", "просим", "принят", "вопрос", "оказат", "содейс", "помочь", "помощи", "решить", "решени", "обраща",
    "связи", "также", "котор", "наличи", "отсутс", "данног", "имени", "этого", "этому", "моего", "моему", "нашег",
    "нашей", "очень", "более", "менее", "после", "перед", "через", "кроме", "между", "улица", "улице", "улицы",
    "района", "район", "област", "города", "город", "поселк", "село", "сельс",
    # Kazakh request formulas and function words
    "сұраймы", "сұрайм", "қабылд", "мәселе", "мәселес", "бойынш", "жәрдем", "көрсет", "көмек", "жүгіне",
    "шешуді", "шешу", "туралы", "байлан", "сондай", "және", "бірақ", "көшесі", "көшес", "ауданы", "аудан",
    "облысы", "қаласы", "ауылы", "ауылын",
})
ANCHOR_WEIGHT = 0.9
"""The share of the names and numbers two texts share in their likeness (the rest: their other terms)."""


def terms(text: str) -> frozenset[str]:
    """The text's terms (see the module's docstring)."""
    out = set()
    for word in WORD.findall((text or "").lower().replace("ё", "е")):
        if word.isdigit():
            out.add(word)
            continue
        if len(word) < 3:
            continue
        stem = word[:STEM]
        if stem not in FORMULAS and word[:STEM - 1] not in FORMULAS:
            out.add(stem)
    return frozenset(out)


KAZAKH_TO_RUSSIAN = str.maketrans("әғқңөұүһіэё", "агкноуухиее")
ENDINGS = "аяйыиуеоюь"
ANCHOR_STEM = 4


def anchors(text: str) -> frozenset[str]:
    """The names and numbers of a text — the village, the street, the house:
    what tells two appeals on one topic apart. A capitalised word (a word
    that only begins a sentence is common to many texts, and its rarity
    weighs it down), or a number; Kazakh letters are read as their
    Russian neighbours, a final vowel goes and a name is cut to its first
    four letters, so «Қарабұлақ» and «Карабулак», «Абай» and «Абая»,
    «Әуезов» and «Ауэзова» are one name."""
    out = set()
    text = text or ""
    for m in WORD.finditer(text):
        word = m.group(0)
        if word.isdigit():
            out.add(word)
            continue
        if not word[:1].isupper():
            continue
        if len(word) >= 3:
            name = word.lower().translate(KAZAKH_TO_RUSSIAN)
            out.add((name[:-1] if name[-1] in ENDINGS else name)[:ANCHOR_STEM])
    return frozenset(out)


def rarity(documents: Iterable[frozenset[str]]) -> dict[str, float]:
    """Each term's weight among ``documents``: log((N + 1) / df), so a word
    every text on the topic has («водоснабжения» among the water appeals)
    weighs next to nothing and the place it is about decides."""
    docs = list(documents)
    df = Counter(t for d in docs for t in d)
    n = len(docs)
    return {t: math.log((n + 1) / k) for t, k in df.items()}


def weighted_jaccard(a: frozenset[str], b: frozenset[str], weight: dict[str, float]) -> float:
    union = a | b
    if not union:
        return 0.0
    top = sum(weight.get(t, 1.0) for t in a & b)
    return top / sum(weight.get(t, 1.0) for t in union)


Features = tuple[frozenset[str], frozenset[str]]
"""A text's (terms, names and numbers)."""


def features(text: str) -> Features:
    return terms(text), anchors(text)


def _score(a: Features, b: Features, weight: dict[str, float]) -> float:
    words = weighted_jaccard(a[0], b[0], weight)
    if not (a[1] or b[1]):
        return round(words, 4)
    return round(ANCHOR_WEIGHT * weighted_jaccard(a[1], b[1], weight) + (1 - ANCHOR_WEIGHT) * words, 4)


def score(text_a: str, text_b: str, weight: dict[str, float] | None = None) -> float:
    """How alike two texts are, 0..1 (``weight``: the terms' rarity; 1 each
    when none): the names and numbers they share weigh ``ANCHOR_WEIGHT``,
    their other terms the rest."""
    return _score(features(text_a), features(text_b), weight or {})


def rank(query: str, candidates: list[tuple[int, str]], threshold: float, limit: int) -> list[tuple[int, float]]:
    """The candidates (id, text) at least ``threshold`` alike to ``query``,
    most alike first (ties: the later id first), at most ``limit``; the
    terms' and names' rarity is taken over the candidates and the query.
    Each text is read once."""
    mine = features(query)
    theirs = [(pk, features(text)) for pk, text in candidates]
    weight = rarity([mine[0] | mine[1], *(f[0] | f[1] for _, f in theirs)])
    scored = [(pk, _score(mine, f, weight)) for pk, f in theirs]
    hits = sorted((s for s in scored if s[1] >= threshold), key=lambda s: (-s[1], -s[0]))
    return hits[:limit]
