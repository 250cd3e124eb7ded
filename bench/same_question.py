"""A labelled set for "the same question" (issue 17.2): appeals on eight
kinds of problem, each about one place (a village and a street, sometimes a
house), written from several paraphrases in Russian or Kazakh by different
people — two appeals are the same question when they are about the same
problem at the same place. ``measure`` reports the precision and recall of
``app.domain.similarity.rank`` over every earlier appeal on the same topic.

    .venv/bin/python -m bench.same_question [N] [seed]
"""
from __future__ import annotations

import random
import sys
import time
from dataclasses import dataclass

VILLAGES = [("Карабулак", "Қарабұлақ"), ("Балпык би", "Балпық би"), ("Жансугуров", "Жансүгіров"),
            ("Уштобе", "Үштөбе"), ("Сарканд", "Сарқан"), ("Ушарал", "Үшарал"), ("Текели", "Текелі"),
            ("Кабанбай", "Қабанбай"), ("Лепсы", "Лепсі"), ("Коктал", "Көктал"), ("Бескайнар", "Бесқайнар"),
            ("Мукры", "Мұқыры")]
STREETS = [("Абая", "Абай"), ("Толе би", "Төле би"), ("Жамбыла", "Жамбыл"), ("Сейфуллина", "Сейфуллин"),
           ("Назарбаева", "Назарбаев"), ("Кабанбай батыра", "Қабанбай батыр"), ("Шокана Уалиханова", "Шоқан Уәлиханов"),
           ("Ауэзова", "Әуезов"), ("Гагарина", "Гагарин"), ("Момышулы", "Момышұлы")]
MONTHS = [("мая", "мамырдан"), ("июня", "маусымнан"), ("сентября", "қыркүйектен"), ("января", "қаңтардан")]

PROBLEMS = {
    "01.01": [  # water
        ("Прошу принять по вопросу отсутствия водоснабжения в с. {v} по ул. {s} с {m}.",
         "{v} ауылы, {s} көшесінде {m} бері сумен жабдықтаудың болмауы мәселесі бойынша қабылдауыңызды сұраймын."),
        ("В с. {v} на улице {s} нет воды с {m}, просим восстановить водоснабжение.",
         "{v} ауылындағы {s} көшесінде {m} бері су жоқ, сумен жабдықтауды қалпына келтіруді сұраймыз."),
        ("Жители ул. {s} ({v}) остаются без питьевой воды с {m}. Прошу помочь.",
         "{s} көшесінің ({v}) тұрғындары {m} бері ауыз сусыз отыр. Көмектесуіңізді сұраймын."),
    ],
    "01.02": [  # heating
        ("Низкая температура в квартирах дома № {h} по ул. {s} в {v}, прошу принять меры.",
         "{v}, {s} көшесі, {h} үйдегі пәтерлерде температура төмен, шара қолдануыңызды сұраймын."),
        ("В доме {h} на улице {s} ({v}) холодные батареи с {m}.",
         "{v}, {s} көшесіндегі {h} үйде {m} бері батареялар суық."),
    ],
    "01.03": [  # power
        ("Частые отключения электроэнергии в с. {v}, ул. {s}, с {m}.",
         "{v} ауылы, {s} көшесінде {m} бері электр энергиясы жиі өшіріледі."),
        ("Прошу решить вопрос перебоев со светом на ул. {s} в {v}.",
         "{v} ауылындағы {s} көшесінде жарықтың үзілуі мәселесін шешуді сұраймын."),
    ],
    "02.01": [  # roads
        ("Прошу отремонтировать дорогу по ул. {s} в с. {v}: ямы, проезд затруднён.",
         "{v} ауылы, {s} көшесіндегі жолды жөндеуді сұраймын: шұңқырлар, жүру қиын."),
        ("Разбитая дорога на улице {s} ({v}), с {m} ремонта не было.",
         "{s} көшесіндегі ({v}) жол бұзылған, {m} бері жөндеу болмады."),
    ],
    "02.02": [  # street lights
        ("На ул. {s} в {v} не работает уличное освещение.",
         "{v}, {s} көшесінде көше жарығы жұмыс істемейді."),
        ("Прошу установить фонари освещения по улице {s}, с. {v}.",
         "{v} ауылы, {s} көшесіне жарық шамдарын орнатуды сұраймын."),
    ],
    "03.01": [  # school transport
        ("Дети с ул. {s} ({v}) не могут добраться до школы: нет школьного автобуса.",
         "{s} көшесіндегі ({v}) балалар мектепке жете алмайды: мектеп автобусы жоқ."),
        ("Прошу организовать подвоз учащихся из с. {v} (ул. {s}) до школы.",
         "{v} ауылынан ({s} көшесі) оқушыларды мектепке тасымалдауды ұйымдастыруды сұраймын."),
    ],
    "04.01": [  # land
        ("Прошу рассмотреть вопрос выделения земельного участка под ИЖС в с. {v}, ул. {s}.",
         "{v} ауылы, {s} көшесінде жеке тұрғын үй құрылысына жер учаскесін бөлу мәселесін қарауды сұраймын."),
        ("Затянуто оформление земельного участка по ул. {s}, {h} в {v}.",
         "{v}, {s} көшесі, {h} жер учаскесін ресімдеу созылып кетті."),
    ],
    "05.01": [  # garbage
        ("Не вывозится мусор на ул. {s} в с. {v} с {m}.",
         "{v} ауылы, {s} көшесінде {m} бері қоқыс шығарылмайды."),
        ("Стихийная свалка у дома {h} по улице {s} ({v}), прошу убрать.",
         "{v}, {s} көшесіндегі {h} үйдің жанында стихиялық қоқыс үйіндісі, тазалауды сұраймын."),
    ],
}


@dataclass(frozen=True)
class Labelled:
    id: int
    topic: str
    question: tuple
    language: str
    text: str


def generate(n: int = 3000, seed: int = 17, questions_per_topic: int = 40) -> list[Labelled]:
    """``n`` appeals, in order of registration; each about one of
    ``questions_per_topic`` questions (problem × village × street × house) of
    its topic, most questions asked by two or more people."""
    rnd = random.Random(seed)
    questions = {}
    for topic in PROBLEMS:
        qs = set()
        while len(qs) < questions_per_topic:
            v, st = rnd.randrange(len(VILLAGES)), rnd.randrange(len(STREETS))
            qs.add((v, st, 1 + (v * 31 + st * 7) % 60))  # one house per street of a village
        questions[topic] = sorted(qs)
    out = []
    for i in range(1, n + 1):
        topic = rnd.choice(list(PROBLEMS))
        q = rnd.choice(questions[topic])
        language = "kk" if rnd.random() < 0.45 else "ru"
        ru, kk = rnd.choice(PROBLEMS[topic])
        month = rnd.choice(MONTHS)
        template, k = (kk, 1) if language == "kk" else (ru, 0)
        text = template.format(v=VILLAGES[q[0]][k], s=STREETS[q[1]][k], h=q[2], m=month[k])
        if rnd.random() < 0.15:  # a typo: two letters swapped
            j = rnd.randrange(1, len(text) - 2)
            text = text[:j] + text[j + 1] + text[j] + text[j + 2:]
        out.append(Labelled(i, topic, (topic, *q), language, text))
    return out


def measure(rows: list[Labelled], threshold: float, window: int = 400) -> dict:
    """Precision and recall of "the same question" over pairs (an appeal and
    an earlier one on its topic, among the ``window`` latest on it), overall
    and for pairs written in one language."""
    from app.domain.similarity import rank

    tp = fp = fn = tp_same = fn_same = 0
    seen: dict[str, list[Labelled]] = {}
    started = time.perf_counter()
    for row in rows:
        earlier = seen.setdefault(row.topic, [])[-window:]
        hits = {pk for pk, _ in rank(row.text, [(e.id, e.text) for e in earlier], threshold, limit=len(earlier) or 1)}
        for e in earlier:
            same = e.question == row.question
            one_language = e.language == row.language
            if e.id in hits:
                tp += same
                fp += not same
                tp_same += same and one_language
            elif same:
                fn += 1
                fn_same += one_language
        seen[row.topic].append(row)
    elapsed = time.perf_counter() - started
    return {"threshold": threshold, "pairs_same": tp + fn, "precision": tp / (tp + fp) if tp + fp else 1.0,
            "recall": tp / (tp + fn) if tp + fn else 1.0,
            "recall_one_language": tp_same / (tp_same + fn_same) if tp_same + fn_same else 1.0,
            "ms_per_appeal": 1000 * elapsed / max(len(rows), 1)}


THRESHOLDS = (0.3, 0.4, 0.5, 0.55, 0.6, 0.7)


def main(argv: list[str]) -> None:
    n = int(argv[1]) if len(argv) > 1 else 3000
    seed = int(argv[2]) if len(argv) > 2 else 17
    rows = generate(n, seed)
    print("| threshold | precision | recall | recall, one language | same-question pairs | ms per appeal |")
    print("|---:|---:|---:|---:|---:|---:|")
    for threshold in THRESHOLDS:
        m = measure(rows, threshold)
        print(f"| {threshold:.2f} | {m['precision']:.3f} | {m['recall']:.3f} | {m['recall_one_language']:.3f} "
              f"| {m['pairs_same']} | {m['ms_per_appeal']:.2f} |")


if __name__ == "__main__":
    main(sys.argv)
