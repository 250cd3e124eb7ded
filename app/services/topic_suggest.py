"""Topic suggestion (issue 17.3): a classifier trained on the department's
own categorised appeals suggests, as the clerk types the substance, the
three likeliest topics with a confidence — never choosing one itself.

- **Features**: TF-IDF over words (uni- and bigrams) and over character
  2–4-grams inside words (``char_wb``), so Kazakh and Russian, their
  inflections, typing errors and Kazakh letters typed as Russian look-alikes
  land on shared features; the appeal's language is one more token.
- **Model**: Complement Naive Bayes — a linear model over those features,
  which trains in seconds where a linear SVM or logistic regression needs
  minutes at the same accuracy within a few points (docs/performance.md) —
  with one temperature fitted on the held-out appeals so that "70 %" means
  right about seven times in ten.
- **Labels**: topics (level 2 of the classifier, "01.02"); an appeal filed
  under a question ("01.02.03") counts for its topic, one filed under a
  section counts for none. Only active topics are learnt and suggested.
- **Held-out**: the latest ``TOPIC_TEST_SHARE`` of the appeals by date is
  kept out, the model trained on the earlier ones is measured on it (top-1,
  top-3), then the same pipeline is fitted again on all of them and stored.
- **Bounded**: the most recent ``TOPIC_TRAIN_MAX`` appeals only, read
  newest first along the ``(registered_on, id)`` index.
- **Too little data**: fewer than ``TOPIC_MIN_APPEALS`` appeals on topics
  having ``TOPIC_MIN_PER_TOPIC`` each, or fewer than two such topics: no
  model, and the form shows no suggestion.

A version is a ``TopicModel`` row; its ``blob`` is the joblib pickle of a
``TopicClassifier`` written here and only here (see that model's note on
why unpickling it is acceptable). The loaded model is cached per process,
keyed by the active version.
"""
from __future__ import annotations

import io
import math
import threading
import time
from collections import Counter
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import Appeal, Category, TopicModel
from app.security.scope import scoped

DEFAULTS = {"TOPIC_TRAIN_MAX": 200_000, "TOPIC_MIN_APPEALS": 200, "TOPIC_MIN_PER_TOPIC": 5,
            "TOPIC_TEST_SHARE": 0.15}
MAX_TEXT = 2000
"""Characters of the substance a suggestion reads (the rest says no more)."""
MIN_TEXT = 8
"""Fewer characters typed: too early to suggest anything."""
TOP = 3
MIN_CONFIDENCE = 0.03
"""A topic less likely than this is not worth a button."""


def settings(**overrides) -> dict:
    """The training settings: the app's config over ``DEFAULTS``, then ``overrides``."""
    out = {k: current_app.config.get(k, v) for k, v in DEFAULTS.items()}
    out.update({k: v for k, v in overrides.items() if v is not None})
    return out


def _prepared(text: str, language: str) -> str:
    return f"__{language}__ {text[:MAX_TEXT]}"


class TopicClassifier:
    """The fitted pipeline, its topic ids (in its column order) and the
    temperature of its confidences."""

    def __init__(self, pipeline, labels: list[int], scale: float = 1.0):
        self.pipeline, self.labels, self.scale = pipeline, labels, scale

    def scores(self, texts: list[str], languages: list[str]):
        """Per text, the probability of each topic (rows sum to 1)."""
        import numpy as np

        x = self.pipeline.named_steps["features"].transform([_prepared(t, lang) for t, lang in zip(texts, languages)])
        jll = self.pipeline.named_steps["model"].predict_joint_log_proba(x) * self.scale
        jll -= jll.max(axis=1, keepdims=True)
        p = np.exp(jll)
        return p / p.sum(axis=1, keepdims=True)

    def top(self, text: str, language: str, k: int) -> list[tuple[int, float]]:
        p = self.scores([text], [language])[0]
        order = p.argsort()[::-1][:k]
        return [(self.labels[i], float(p[i])) for i in order]


def build_pipeline():
    """The untrained pipeline (also what ``bench/topics.py`` measures)."""
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.naive_bayes import ComplementNB
    from sklearn.pipeline import FeatureUnion, Pipeline

    words = TfidfVectorizer(ngram_range=(1, 2), min_df=2, max_features=40_000, sublinear_tf=True, dtype=np.float32)
    chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), min_df=2, max_features=80_000, sublinear_tf=True,
                            dtype=np.float32)
    return Pipeline([("features", FeatureUnion([("words", words), ("chars", chars)])),
                     ("model", ComplementNB(alpha=0.1))])


def fit(texts: list[str], languages: list[str], labels: list[int]) -> TopicClassifier:
    import numpy as np

    pipeline = build_pipeline()
    pipeline.fit([_prepared(t, lang) for t, lang in zip(texts, languages)], labels)
    for _, vectorizer in pipeline.named_steps["features"].transformer_list:
        if hasattr(vectorizer, "stop_words_"):
            del vectorizer.stop_words_  # the terms cut by min_df / max_features: only size in the pickle
    nb = pipeline.named_steps["model"]
    nb.feature_log_prob_ = nb.feature_log_prob_.astype(np.float32)  # all a prediction reads
    del nb.feature_count_, nb.feature_all_  # counts kept for partial_fit only: half the size
    return TopicClassifier(pipeline, [int(c) for c in pipeline.named_steps["model"].classes_])


def evaluate(model: TopicClassifier, texts, languages, labels, calibrate: bool = False) -> tuple[float, float]:
    """Top-1 and top-3 accuracy on these appeals; with ``calibrate``, first
    the temperature that best predicts them (log-loss over a small grid)."""
    import numpy as np

    if not texts:
        return 0.0, 0.0
    index = {c: i for i, c in enumerate(model.labels)}
    truth = np.array([index.get(y, -1) for y in labels])
    if calibrate:
        model.scale = 1.0
        base = np.log(np.clip(model.scores(texts, languages), 1e-300, None))
        known = truth >= 0
        best = (math.inf, 1.0)
        for scale in (0.5, 0.75, 1, 1.5, 2, 3, 4, 6, 8):  # a perfect held-out set must not make it 100 % sure
            z = base[known] * scale
            z -= z.max(axis=1, keepdims=True)
            logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
            loss = -logp[np.arange(known.sum()), truth[known]].mean() if known.any() else 0.0
            best = min(best, (loss, scale))
        model.scale = best[1]
    p = model.scores(texts, languages)
    top = np.argsort(-p, axis=1)[:, :TOP]
    return float((top[:, 0] == truth).mean()), float((top == truth[:, None]).any(axis=1).mean())


def topic_of_category() -> dict[int, int]:
    """Category id → the id of its active topic (a topic is itself; a
    question is its topic; a section, or anything inactive, is absent)."""
    rows = db.session.execute(select(Category.id, Category.code, Category.parent_id, Category.active)).all()
    by_id = {r.id: r for r in rows}
    out = {}
    for r in rows:
        topic = r if r.code.count(".") == 1 else by_id.get(r.parent_id) if r.code.count(".") == 2 else None
        if topic is not None and topic.active and topic.code.count(".") == 1:
            out[r.id] = topic.id
    return out


@dataclass
class Outcome:
    """What a training did: the new version, or why there is none."""

    model: TopicModel | None
    n_rows: int
    n_topics: int
    reason: str | None = None  # "too_little_data"


def _rows(limit: int, user, system: bool) -> list[tuple[str, str, int]]:
    """The newest ``limit`` categorised appeals, oldest first: (substance, language, category id)."""
    stmt = (select(Appeal.substance, Appeal.language, Appeal.category_id)
            .order_by(Appeal.registered_on.desc(), Appeal.id.desc()).limit(limit))
    if not system:  # the Manager who asked (every row); the demo loader passes system=True
        stmt = scoped(stmt, Appeal, user)
    rows = [(s or "", getattr(lang, "value", lang), c)
            for s, lang, c in db.session.execute(stmt.execution_options(yield_per=10_000))]
    rows.reverse()
    return rows


def train(user=None, job_id: str | None = None, progress=None, system: bool = False, **overrides) -> Outcome:
    """Train, measure and store a new active version — or, with too little
    data, store nothing (the active version, if any, stays)."""
    started = time.monotonic()
    report = progress or (lambda pct: None)
    cfg = settings(**overrides)
    topics = topic_of_category()
    rows = [(s, lang, topics[c]) for s, lang, c in _rows(int(cfg["TOPIC_TRAIN_MAX"]), user, system)
            if c in topics and s.strip()]
    counts = Counter(t for _, _, t in rows)
    kept = {t for t, n in counts.items() if n >= int(cfg["TOPIC_MIN_PER_TOPIC"])}
    rows = [r for r in rows if r[2] in kept]
    if len(rows) < int(cfg["TOPIC_MIN_APPEALS"]) or len(kept) < 2:
        return Outcome(None, len(rows), len(kept), "too_little_data")
    report(10)
    cut = min(len(rows) - 1, max(1, round(len(rows) * (1 - float(cfg["TOPIC_TEST_SHARE"])))))
    train_rows, test_rows = rows[:cut], rows[cut:]
    texts, langs, labels = (list(c) for c in zip(*train_rows))
    first = fit(texts, langs, labels)
    report(45)
    t_texts, t_langs, t_labels = (list(c) for c in zip(*test_rows))
    top1, top3 = evaluate(first, t_texts, t_langs, t_labels, calibrate=True)
    report(55)
    final = fit(texts + t_texts, langs + t_langs, labels + t_labels)  # the measured pipeline, on every appeal
    final.scale = first.scale
    report(90)
    import joblib

    buf = io.BytesIO()
    joblib.dump(final, buf, compress=1)
    blob = buf.getvalue()
    values = dict(trained_at=_utcnow(), n_train=len(train_rows), n_test=len(test_rows), top1=top1, top3=top3,
                  labels=final.labels, size=len(blob), job_id=job_id, trained_by_id=getattr(user, "id", None),
                  params={k: cfg[k] for k in DEFAULTS}, blob=blob, active=True)
    version = _store(values, started)
    report(100)
    model = db.session.execute(select(TopicModel).where(TopicModel.version == version)).scalar_one()
    return Outcome(model, len(rows), len(kept))


def _utcnow():
    from datetime import datetime

    return datetime.utcnow()


def _store(values: dict, started: float) -> int:
    """Insert the version as the only active one. Core statements, not the
    ORM: a version is a derived artefact whose row names who trained it,
    and the audit log must not copy a megabyte blob per version."""
    for attempt in (1, 2):
        version = (db.session.execute(select(func.max(TopicModel.version))).scalar() or 0) + 1
        try:
            db.session.execute(update(TopicModel).where(TopicModel.active.is_(True)).values(active=False))
            db.session.execute(insert(TopicModel).values(version=version, seconds=round(time.monotonic() - started, 2),
                                                         **values))
            db.session.commit()
            return version
        except IntegrityError:  # another training took this number in between
            db.session.rollback()
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


# --- serving ----------------------------------------------------------------------
_cache: dict[str, object] = {}
_lock = threading.Lock()


def active_version() -> int | None:
    return db.session.execute(
        select(TopicModel.version).where(TopicModel.active.is_(True)).order_by(TopicModel.version.desc()).limit(1)
    ).scalar()


def loaded() -> tuple[int, TopicClassifier] | None:
    """The active version's classifier, loaded once per process and version."""
    version = active_version()
    if version is None:
        return None
    cached = _cache.get("model")
    if cached is not None and cached[0] == version:
        return cached
    with _lock:
        cached = _cache.get("model")
        if cached is None or cached[0] != version:
            import joblib

            blob = db.session.execute(select(TopicModel.blob).where(TopicModel.version == version)).scalar_one()
            # only train() above writes this blob (TopicModel's docstring): never a file or upload
            cached = (version, joblib.load(io.BytesIO(blob)))
            _cache["model"] = cached
    return cached


@dataclass(frozen=True)
class Suggestion:
    id: int
    code: str
    name: str
    confidence: float


def suggest(text: str, language: str, user=None, k: int = TOP) -> list[Suggestion]:
    """Up to ``k`` active topics, likeliest first, with their confidence
    (0–1); none when there is no model or too little was typed. Topics
    come through the user's scope like any other record."""
    text = (text or "").strip()[:MAX_TEXT]
    if len(text) < MIN_TEXT or language not in ("kk", "ru"):
        return []
    model = loaded()
    if model is None:
        return []
    ranked = model[1].top(text, language, k + 5)  # a few spare, should some topics be retired since
    ids = [cid for cid, _ in ranked]
    cats = {c.id: c for c in db.session.execute(
        scoped(select(Category).where(Category.id.in_(ids), Category.active.is_(True)), Category, user)).scalars()}
    out = []
    for cid, p in ranked:
        c = cats.get(cid)
        if c is not None and len(out) < k and p >= MIN_CONFIDENCE:
            out.append(Suggestion(c.id, c.code, c.name, round(p, 3)))
    return out


def versions(limit: int = 20) -> list[TopicModel]:
    """The latest versions, newest first (without their blobs)."""
    return list(db.session.execute(select(TopicModel).order_by(TopicModel.version.desc()).limit(limit)).scalars())
