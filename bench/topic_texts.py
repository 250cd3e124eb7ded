"""Labelled appeal substances for measuring the topic suggestion (issue 17.3).

The demo's ~2 sentences per topic make a classifier look perfect, so these
are made harder on purpose, the way real appeals are:

- a shared opener, place and detail (villages, streets, years, "ранее
  обращался") that say nothing of the topic;
- the topic told by one phrase of it — its name, one of its questions, or a
  few words cut out of a demo sentence — often only part of it;
- words of another topic mixed in (30 %: mostly a sibling in the same
  section, which shares vocabulary: "подключение" of water, gas, power);
- typing errors (swapped, dropped and doubled letters), Kazakh letters typed
  as their Russian look-alikes (ә→а, қ→к, ү→у …), lower-cased texts;
- 4 % of the labels are a sibling topic: a clerk's honest mistake, so no
  classifier can pass about 96 %.

Seeded and pure: ``labelled(n, seed)`` gives the same rows every time.
"""
from __future__ import annotations

import random
import re
from collections.abc import Iterator

from app.demo import data

RU_OPEN = ["Прошу принять по вопросу", "Обращаюсь по вопросу", "Прошу оказать содействие:", "Прошу разобраться:",
           "Прошу личного приема по вопросу", "Прошу решить вопрос", "Жалоба:", "Прошу рассмотреть",
           "Здравствуйте, прошу помочь.", ""]
KK_OPEN = ["Қабылдауыңызды сұраймын:", "Мына мәселе бойынша жүгінемін:", "Көмек көрсетуіңізді сұраймын.",
           "Шешуге жәрдем беруіңізді сұраймын:", "Шағым:", "Сәлеметсіз бе, көмектесіңіз.", ""]
RU_DETAIL = ["Ранее обращался, ответа не получил.", "Вопрос не решается с {y} года.", "Прошу принять меры.",
             "Жители обращались коллективно.", "Прилагаю копии документов.", "Ответ акимата не устраивает.",
             "Прошу ускорить рассмотрение.", "Я пенсионер, инвалид 2 группы.", "Многодетная семья.", "", "", ""]
KK_DETAIL = ["Бұрын жүгіндім, жауап алмадым.", "Мәселе {y} жылдан бері шешілмей келеді.", "Шара қолдануды сұраймын.",
             "Тұрғындар ұжымдық түрде жүгінді.", "Құжаттардың көшірмелерін қоса беремін.", "Зейнеткермін.",
             "Көп балалы отбасымыз.", "", "", ""]
VILLAGES = [("Карабулак", "Қарабұлақ"), ("Сарыозек", "Сарыөзек"), ("Балпык би", "Балпық би"),
            ("Жансугуров", "Жансүгіров"), ("Кабанбай", "Қабанбай"), ("Лепсы", "Лепсі"), ("Ушарал", "Үшарал"),
            ("Талдыкорган", "Талдықорған"), ("Текели", "Текелі"), ("Жаркент", "Жаркент"), ("Уштобе", "Үштөбе")]
LOOKALIKE = str.maketrans("әқөүұңғіһӘҚӨҮҰҢҒІҺ", "акоуунгихАКОУУНГИХ")
OPENERS = re.compile(r"^(Прошу|Обращаюсь|Қабылдауыңызды|Мына)\b[^:]*?(по вопросу|вопросу|бойынша)\s*", re.I)
WORD = re.compile(r"\w[\w-]*", re.U)


def _topics() -> list[dict]:
    out = []
    for section in data.CATEGORY_TREE:
        for topic in section["children"]:
            out.append({"code": topic["code"], "section": section["code"],
                        "names": [(topic["name_ru"], topic["name_kk"])]
                        + [(q["name_ru"], q["name_kk"]) for q in topic["children"]],
                        "sentences": data.SUBSTANCES.get(topic["code"], [])})
    return out


TOPICS = _topics()
CODES = [t["code"] for t in TOPICS]


def _window(rnd: random.Random, sentence: str, lo: int = 2, hi: int = 6) -> str:
    """A few consecutive words of a sentence (its opener left out)."""
    words = WORD.findall(OPENERS.sub("", sentence))
    if len(words) <= lo:
        return " ".join(words)
    size = rnd.randint(lo, min(hi, len(words)))
    start = rnd.randrange(0, len(words) - size + 1)
    return " ".join(words[start:start + size])


def _phrase(rnd: random.Random, topic: dict, kk: bool) -> str:
    i = 1 if kk else 0
    r = rnd.random()
    if r < 0.3 or not topic["sentences"]:
        name = rnd.choice(topic["names"])[i]
        return name[:1].lower() + name[1:] if rnd.random() < 0.7 else _window(rnd, name, 1, 3)
    return _window(rnd, rnd.choice(topic["sentences"])[i])


def _typo(rnd: random.Random, word: str) -> str:
    if len(word) < 4:
        return word
    k = rnd.randrange(1, len(word) - 1)
    kind = rnd.random()
    if kind < 0.35:
        return word[:k] + word[k + 1] + word[k] + word[k + 2:]
    if kind < 0.7:
        return word[:k] + word[k + 1:]
    return word[:k] + word[k] + word[k:]


def _noisy(rnd: random.Random, text: str, kk: bool) -> str:
    text = WORD.sub(lambda m: _typo(rnd, m.group(0)) if rnd.random() < 0.06 else m.group(0), text)
    if kk and rnd.random() < 0.2:
        text = text.translate(LOOKALIKE)
    if rnd.random() < 0.15:
        text = text.lower()
    return text


class Composer:
    """Composes substances and their (sometimes mistaken) labels."""

    def __init__(self, rnd: random.Random):
        self.rnd = rnd
        self.by_code = {t["code"]: t for t in TOPICS}
        self.siblings = {t["code"]: [s for s in TOPICS if s["section"] == t["section"] and s is not t] for t in TOPICS}

    def compose(self, code: str, kk: bool, year: int = 2026, district: tuple[str, str] | None = None) -> str:
        rnd, topic = self.rnd, self.by_code[code]
        opener = rnd.choice(KK_OPEN if kk else RU_OPEN)
        parts = [opener, _phrase(rnd, topic, kk)]
        if rnd.random() < 0.3:
            pool = self.siblings[code] if self.siblings[code] and rnd.random() < 0.75 else TOPICS
            parts.append(("және " if kk else "а также ") + _phrase(rnd, rnd.choice(pool), kk))
        ru, kz = district or rnd.choice(VILLAGES)
        if rnd.random() < 0.6:
            parts.append(f"{kz} ауылы." if kk else rnd.choice((f"в с. {ru}.", f"{ru}, {rnd.choice(data.STREETS)}.")))
        detail = rnd.choice(KK_DETAIL if kk else RU_DETAIL)
        if detail:
            parts.append(detail.format(y=year - rnd.randint(1, 8)))
        if rnd.random() < 0.25:  # a second sentence about the same topic
            parts.append(_phrase(rnd, topic, kk))
        return _noisy(rnd, " ".join(p for p in parts if p), kk)

    def label(self, code: str) -> str:
        """The topic a clerk files it under: now and then a sibling by mistake."""
        if self.siblings[code] and self.rnd.random() < 0.04:
            return self.rnd.choice(self.siblings[code])["code"]
        return code


def labelled(n: int, seed: int = 1, kk_share: float = 0.45) -> Iterator[tuple[str, str, str]]:
    """``n`` rows of (substance, language, topic code), oldest first; topics
    Zipf-like (some are ten times more frequent than others)."""
    rnd = random.Random(seed)
    order = list(CODES)
    rnd.shuffle(order)
    weights = [1.0 / (r + 1) ** 0.9 for r in range(len(order))]
    composer = Composer(rnd)
    for _ in range(n):
        code = rnd.choices(order, weights)[0]
        kk = rnd.random() < kk_share
        yield composer.compose(code, kk), "kk" if kk else "ru", composer.label(code)
