"""Codebook topics: fitting, cross-validation and the development-corpus commands.

The classifier of :mod:`analysis.topics.codebook` is fitted here on coded paragraphs: the
``train`` split of the development corpus (:mod:`analysis.devcorpus`, outside the repository).
:func:`cross_validate` compares feature blocks and regularisation by cross-validation grouped by
article, :func:`fit` fits the chosen settings and picks the ``secondary`` threshold on
out-of-fold probabilities (:func:`choose_threshold`), :func:`score_test` scores the locked
``test`` split (once per frozen method). From the command line::

    python -m analysis.topics.codebook_fit cv         --dev-corpus PATH   # data/validation/topics_cv.csv
    python -m analysis.topics.codebook_fit fit        --dev-corpus PATH   # analysis/data/models/codebook_topics.json
    python -m analysis.topics.codebook_fit score-test --dev-corpus PATH   # data/validation/topics.csv

Nothing here runs in the notebooks: they read the committed model and tables.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.metrics import accuracy_score, f1_score, precision_recall_fscore_support
from threadpoolctl import threadpool_limits

from ..tokens import dfm, tokens_from_frame
from .codebook import (
    DEFAULT_SETTINGS,
    KEYS,
    MODEL_PATH,
    OTHER,
    SEEDS_PATH,
    VALIDATION_DIR,
    CodebookModel,
    _select,
    assign_topics,
    codebook_categories,
    design,
    load_model,
    load_seeds,
)
from .codebook_validate import CodebookValidation, validate

__all__ = [
    "THRESHOLDS",
    "VARIANTS",
    "choose_threshold",
    "cross_validate",
    "fit",
    "fit_dev",
    "main",
    "score_test",
]

_ALL = ["terms", "seeds", "context", "length"]
#: The variants compared by :func:`cross_validate`, simplest first: name -> ``blocks`` and the
#: settings that differ from :data:`~analysis.topics.codebook.DEFAULT_SETTINGS`
#: (``nb_alpha: None`` = logistic regression alone, the method scored first on ``test``).
VARIANTS = {
    "seeds only": {"blocks": ["seeds", "length"], "nb_alpha": None},
    "learned only": {"blocks": ["terms", "length"], "nb_alpha": None},
    "seeds + learned": {"blocks": ["terms", "seeds", "length"], "nb_alpha": None},
    "seeds + learned + article context": {"blocks": _ALL, "nb_alpha": None},
    "seeds + learned + article context, no class weights": {
        "blocks": _ALL, "nb_alpha": None, "class_weight": None},
    "seeds + learned + article context, LR + complement NB (alpha 1)": {
        "blocks": _ALL, "nb_alpha": 1.0},
    "seeds + learned + article context, LR + complement NB (alpha 0.3)": {
        "blocks": _ALL, "nb_alpha": 0.3},
    "seeds + learned + article context, LR + complement NB (alpha 0.1)": {
        "blocks": _ALL, "nb_alpha": 0.1},
}
#: Secondary-probability thresholds tried by :func:`fit`.
THRESHOLDS = tuple(np.round(np.arange(0.05, 0.625, 0.025), 3))


# --------------------------------------------------------------------------------------
# Fitting and cross-validation (on the coded training paragraphs)
# --------------------------------------------------------------------------------------
def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@dataclass
class _Training:
    """Coded paragraphs tokenized once: full counts, token counts, labels, folds."""

    counts: sp.csr_matrix
    vocabulary: pd.Index
    n_tokens: np.ndarray
    articles: np.ndarray
    y: np.ndarray
    secondary: np.ndarray

    @classmethod
    def from_paragraphs(cls, paragraphs: pd.DataFrame) -> _Training:
        need = [*KEYS, "text", "topic"]
        missing = [c for c in need if c not in paragraphs.columns]
        if missing:
            raise ValueError(f"fit: the coded paragraphs lack columns {missing}; pass a table "
                             f"with {need} (and optionally secondary).")
        coded = paragraphs[paragraphs["topic"].fillna("").astype(str) != ""]
        coded = coded.sort_values(KEYS, kind="stable").reset_index(drop=True)
        toks = tokens_from_frame(coded, keys=KEYS)
        x = dfm(toks, level="paragraph")
        secondary = (coded["secondary"] if "secondary" in coded.columns
                     else pd.Series("", index=coded.index)).fillna("").astype(str)
        return cls(sp.csr_matrix(x.matrix), x.features, x.docs["n_tokens"].to_numpy(),
                   coded["article_id"].to_numpy(), coded["topic"].astype(str).to_numpy(),
                   secondary.to_numpy())

    def folds(self, n_splits: int, random_state: int) -> np.ndarray:
        from ..devcorpus import article_folds

        return article_folds(self.articles, n_splits=n_splits, random_state=random_state)


def _fit_rows(data: _Training, rows: np.ndarray, seeds: pd.DataFrame, classes: list[str],
              settings: dict) -> CodebookModel:
    """Fit the classifier on some rows of the training data."""
    from sklearn import __version__ as sklearn_version
    from sklearn.linear_model import LogisticRegression

    x = data.counts[rows]
    df = np.asarray((x > 0).sum(axis=0)).ravel()
    vocab = data.vocabulary[df >= settings["min_df"]]
    features = vocab.union(pd.Index(seeds["term"], dtype="str")).astype("str")
    pos = data.vocabulary.get_indexer(features)
    counts = _select(x, data.vocabulary, features)
    df_f = np.where(pos >= 0, df[np.maximum(pos, 0)], 0)
    idf = np.log((1 + len(rows)) / (1 + df_f)) + 1.0
    seed_class = np.full(len(features), -1, dtype=np.int64)
    seed_class[features.get_indexer(seeds["term"])] = [classes.index(c) for c in seeds["category"]]
    model = CodebookModel(classes, features, idf, seed_class, {}, np.zeros(len(classes)),
                          dict(settings), {"sklearn_version": sklearn_version})
    X = design(counts, data.articles[rows], data.n_tokens[rows], idf=idf,
               seeds=model.seed_matrix(), blocks=model.blocks)
    y = data.y[rows]
    present = [c for c in classes if c in set(y)]
    lr = LogisticRegression(C=settings["C"], class_weight=settings["class_weight"],
                            solver=settings["solver"], tol=settings["tol"],
                            max_iter=settings["max_iter"])
    with threadpool_limits(1):
        lr.fit(X, y)
    nb = None
    if settings.get("nb_alpha") is not None:
        from sklearn.naive_bayes import ComplementNB

        nb = ComplementNB(alpha=settings["nb_alpha"]).fit(X, y)
    # classes absent from these rows get a very low intercept, so the columns stay aligned
    coef = np.zeros((len(classes), X.shape[1]))
    intercept = np.full(len(classes), -50.0)
    at = [classes.index(c) for c in lr.classes_]
    coef[at], intercept[at] = lr.coef_, lr.intercept_
    widths = {"terms": len(features), "seeds": len(classes), "context": len(classes),
              "length": 2}
    edges = np.cumsum([0] + [widths[b] for b in model.blocks])
    model.coef = {b: coef[:, edges[i]:edges[i + 1]] for i, b in enumerate(model.blocks)}
    model.intercept = intercept
    if nb is not None:  # its joint log-likelihood is X @ feature_log_prob_.T (norm=False)
        nb_coef = np.zeros((len(classes), X.shape[1]))
        nb_intercept = np.full(len(classes), -1e6)
        at = [classes.index(c) for c in nb.classes_]
        nb_coef[at], nb_intercept[at] = nb.feature_log_prob_, 0.0
        model.nb_coef = {b: nb_coef[:, edges[i]:edges[i + 1]]
                         for i, b in enumerate(model.blocks)}
        model.nb_intercept = nb_intercept
    model.meta["classes_fitted"] = present
    return model


def _oof_proba(data: _Training, seeds, classes, settings) -> np.ndarray:
    """Out-of-fold probabilities, folds grouped by article."""
    folds = data.folds(settings["n_splits"], settings["random_state"])
    proba = np.zeros((len(data.y), len(classes)))
    for f in range(settings["n_splits"]):
        train, held = np.flatnonzero(folds != f), np.flatnonzero(folds == f)
        model = _fit_rows(data, train, seeds, classes, settings)
        held_counts = _select(data.counts[held], data.vocabulary, model.features)
        proba[held] = model.predict_proba(held_counts, data.articles[held], data.n_tokens[held])
    return proba


def _scores(y: np.ndarray, pred: np.ndarray, classes: list[str]) -> dict:
    """Accuracy, macro-F1 and per-category F1 / recall of predictions."""
    p, r, f, s = precision_recall_fscore_support(y, pred, labels=classes, zero_division=0)
    out = {"accuracy": accuracy_score(y, pred), "macro_f1": f1_score(y, pred, average="macro",
                                                                      zero_division=0)}
    out.update({f"f1_{c}": v for c, v in zip(classes, f, strict=True)})
    out.update({f"recall_{c}": v for c, v in zip(classes, r, strict=True)})
    return out


def _dictionary_predictions(data: _Training, seeds: pd.DataFrame, classes: list[str]) -> np.ndarray:
    """The seed dictionary alone, no fitting: most seed hits; none (or a tie) -> ``other``."""
    features = pd.Index(seeds["term"], dtype="str")
    counts = _select(data.counts, data.vocabulary, features)
    member = sp.csr_matrix((np.ones(len(seeds)), (np.arange(len(seeds)),
                            [classes.index(c) for c in seeds["category"]])),
                           shape=(len(seeds), len(classes)))
    hits = np.asarray((counts @ member).todense())
    top = hits.max(axis=1, keepdims=True)
    unique = (hits == top).sum(axis=1) == 1
    return np.where((top.ravel() > 0) & unique, np.asarray(classes)[hits.argmax(axis=1)], OTHER)


def cross_validate(paragraphs: pd.DataFrame, *, variants: dict | None = None,
                   Cs: Iterable[float] = (1.0, 10.0, 100.0), seeds: pd.DataFrame | None = None,
                   classes: list[str] | None = None, settings: dict | None = None
                   ) -> pd.DataFrame:
    """Compare feature sets and regularisation by cross-validation grouped by article.

    Parameters
    ----------
    paragraphs : pandas.DataFrame
        Coded paragraphs (``article_id, paragraph, text, topic``); rows with an empty ``topic``
        (coders disagreed) are left out. Use the ``train`` split only.
    variants : dict, optional
        Name -> ``{"blocks": [...], other settings}`` (or a list of blocks); default
        :data:`VARIANTS`.
    Cs : iterable of float, default (1, 10, 100)
    seeds : pandas.DataFrame, optional
        Default :func:`load_seeds`.
    classes : list of str, optional
        Default :func:`codebook_categories`.
    settings : dict, optional
        Overrides of :data:`DEFAULT_SETTINGS` (folds, solver ...).

    Returns
    -------
    pandas.DataFrame
        One row per variant and C (plus ``seed dictionary (no fitting)``): ``variant, blocks,
        C, class_weight, nb_alpha, accuracy, macro_f1``, ``f1_<category>`` and ``recall_<category>``, ``chosen``
        (the best macro-F1; within 0.005 of it, the first row in table order, i.e. the simpler
        variant and the smaller C).
    """
    seeds = load_seeds() if seeds is None else seeds
    classes = codebook_categories() if classes is None else list(classes)
    base = {**DEFAULT_SETTINGS, **(settings or {})}
    data = _Training.from_paragraphs(paragraphs)
    rows = [{"variant": "seed dictionary (no fitting)", "blocks": "", "C": np.nan,
             "class_weight": "", "nb_alpha": np.nan,
             **_scores(data.y, _dictionary_predictions(data, seeds, classes), classes)}]
    for name, spec in (variants or VARIANTS).items():
        spec = dict(spec) if isinstance(spec, dict) else {"blocks": list(spec)}
        for C in Cs:
            cfg = {**base, **spec, "C": float(C)}
            pred = np.asarray(classes)[_oof_proba(data, seeds, classes, cfg).argmax(axis=1)]
            rows.append({"variant": name, "blocks": " + ".join(cfg["blocks"]), "C": float(C),
                         "class_weight": str(cfg["class_weight"] or ""),
                         "nb_alpha": (np.nan if cfg.get("nb_alpha") is None
                                      else float(cfg["nb_alpha"])),
                         **_scores(data.y, pred, classes)})
    table = pd.DataFrame(rows)
    fitted = table["blocks"] != ""
    best = table.loc[fitted, "macro_f1"].max()
    pick = table.index[fitted & (table["macro_f1"] >= best - 0.005)][0]
    table["chosen"] = table.index == pick
    return table


def choose_threshold(proba: np.ndarray, classes: list[str], topic: np.ndarray,
                     reference: np.ndarray, *, thresholds: Iterable[float] = THRESHOLDS
                     ) -> tuple[float, pd.DataFrame]:
    """The secondary threshold that best reproduces the coders' secondary codes.

    A paragraph gets a secondary when the most probable category other than its topic and
    ``other`` reaches the threshold. Scored by F1 over (paragraph, secondary) pairs: a hit is a
    predicted secondary equal to the reference one.

    Parameters
    ----------
    proba : numpy.ndarray
        Out-of-fold probabilities.
    classes : list of str
    topic : numpy.ndarray
        The predicted topics (argmax of ``proba``).
    reference : numpy.ndarray of str
        The coders' agreed secondary ("" = none).
    thresholds : iterable of float

    Returns
    -------
    threshold : float
        Best F1; ties go to the higher threshold (fewer secondaries).
    table : pandas.DataFrame
        ``threshold, n_predicted, n_reference, hits, precision, recall, f1``.
    """
    classes_arr = np.asarray(classes)
    masked = proba.copy()
    masked[np.arange(len(topic)), pd.Index(classes).get_indexer(topic)] = -1
    if OTHER in classes:
        masked[:, classes.index(OTHER)] = -1
    second, p = classes_arr[masked.argmax(axis=1)], masked.max(axis=1)
    rows = []
    for t in thresholds:
        given = p >= t
        hits = int((given & (second == reference) & (reference != "")).sum())
        n_pred, n_ref = int(given.sum()), int((reference != "").sum())
        prec = hits / n_pred if n_pred else 0.0
        rec = hits / n_ref if n_ref else 0.0
        rows.append({"threshold": float(t), "n_predicted": n_pred, "n_reference": n_ref,
                     "hits": hits, "precision": prec, "recall": rec,
                     "f1": 2 * prec * rec / (prec + rec) if prec + rec else 0.0})
    table = pd.DataFrame(rows)
    best = table["f1"].round(6).max()
    return float(table.loc[table["f1"].round(6) == best, "threshold"].max()), table


def fit(paragraphs: pd.DataFrame, *, settings: dict | None = None,
        seeds: pd.DataFrame | None = None, classes: list[str] | None = None) -> CodebookModel:
    """Fit the codebook-topic classifier on coded paragraphs.

    Parameters
    ----------
    paragraphs : pandas.DataFrame
        ``article_id, paragraph, text, topic`` and optionally ``secondary`` (the coders' agreed
        secondary, "" for none). Rows with an empty ``topic`` are left out.
    settings : dict, optional
        Overrides of :data:`DEFAULT_SETTINGS`.
    seeds : pandas.DataFrame, optional
        Default :func:`load_seeds`.
    classes : list of str, optional
        Default :func:`codebook_categories`.

    Returns
    -------
    CodebookModel
        Fitted on all rows; ``settings["secondary_threshold"]`` chosen on out-of-fold
        probabilities (:func:`choose_threshold`); ``meta["cv"]`` holds the out-of-fold figures.
    """
    seeds_sha256 = (_sha256(SEEDS_PATH) if seeds is None else
                    hashlib.sha256(seeds.to_csv(index=False).encode()).hexdigest())
    seeds = load_seeds() if seeds is None else seeds
    classes = codebook_categories() if classes is None else list(classes)
    settings = {**DEFAULT_SETTINGS, **(settings or {})}
    data = _Training.from_paragraphs(paragraphs)
    proba = _oof_proba(data, seeds, classes, settings)
    topic = np.asarray(classes)[proba.argmax(axis=1)]
    threshold, table = choose_threshold(proba, classes, topic, data.secondary)
    model = _fit_rows(data, np.arange(len(data.y)), seeds, classes,
                      {**settings, "secondary_threshold": threshold})
    chosen = table[table["threshold"] == threshold].iloc[0]
    model.meta.update({
        "n_paragraphs": int(len(data.y)),
        "n_articles": int(pd.Series(data.articles).nunique()),
        "class_counts": {c: int((data.y == c).sum()) for c in classes},
        "seeds_sha256": seeds_sha256,
        "cv": {k: round(float(v), 6) for k, v in _scores(data.y, topic, classes).items()},
        "cv_secondary": {k: round(float(chosen[k]), 6) for k in ("precision", "recall", "f1")},
    })
    return model


# --------------------------------------------------------------------------------------
# The development corpus (outside the repository)
# --------------------------------------------------------------------------------------
def _dev_paragraphs(path, split: str):
    """The coded paragraphs of one split of the development corpus, and its file hashes."""
    from ..devcorpus import load_dev_corpus

    dev = load_dev_corpus(path)
    rows = dev.split("paragraphs", split)
    agreed = np.where(rows["secondary_1"] == rows["secondary_2"], rows["secondary_1"], "")
    rows = rows.assign(secondary=agreed)
    hashes = {name: _sha256(dev.path / name)
              for name in ("articles.jsonl", "paragraphs.csv", "sentences.csv")}
    return dev, rows, hashes


def fit_dev(path=None, *, settings: dict | None = None) -> CodebookModel:
    """Fit on the coded ``train`` paragraphs of the development corpus (see :func:`fit`).

    Parameters
    ----------
    path : str or pathlib.Path, optional
        The development corpus folder (:func:`analysis.devcorpus.load_dev_corpus`).
    settings : dict, optional

    Returns
    -------
    CodebookModel
        With the corpus files' SHA-256 in ``meta["dev_corpus_sha256"]``.

    Raises
    ------
    analysis.devcorpus.DevCorpusMissing
    """
    _, train, hashes = _dev_paragraphs(path, "train")
    model = fit(train, settings=settings)
    model.meta["dev_corpus_sha256"] = hashes
    model.meta["excluded_disagreements"] = int((train["topic"] == "").sum())
    return model


def score_test(path=None, *, model: CodebookModel | None = None) -> CodebookValidation:
    """Score the development corpus's ``test`` split (ONCE per frozen method).

    Parameters
    ----------
    path : str or pathlib.Path, optional
        The development corpus folder.
    model : CodebookModel, optional
        Default: the committed model.

    Returns
    -------
    CodebookValidation
    """
    model = model or load_model()
    dev, test, _ = _dev_paragraphs(path, "test")
    assigned = assign_topics(dev.corpus, model=model)
    coded = test[test["topic"] != ""].rename(columns={"topic": "topic_label"})
    return validate(assigned, coded[[*KEYS, "text", "topic_label"]], categories=model.classes)


# --------------------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------------------
def _write(table: pd.DataFrame, path: Path) -> Path:
    from ..outputs import write_table

    path.parent.mkdir(parents=True, exist_ok=True)
    return write_table(table, path)


def main(argv: list[str] | None = None) -> int:
    """``python -m analysis.topics.codebook_fit {cv,fit,score-test} --dev-corpus PATH``."""
    parser = argparse.ArgumentParser(prog="python -m analysis.topics.codebook_fit",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["cv", "fit", "score-test"],
                        help="cv: compare variants on train (grouped CV) and write "
                             "topics_cv.csv; fit: refit the committed model on train; "
                             "score-test: score the test split once and write topics.csv")
    parser.add_argument("--dev-corpus", default=None,
                        help="the development corpus folder (default ../shared/dev-corpus)")
    parser.add_argument("--model", default=str(MODEL_PATH), help="model file to write / read")
    parser.add_argument("--out-dir", default=str(VALIDATION_DIR),
                        help="folder of the validation tables")
    args = parser.parse_args(argv)
    from ..devcorpus import DevCorpusMissing

    try:
        if args.command == "cv":
            _, train, _ = _dev_paragraphs(args.dev_corpus, "train")
            table = cross_validate(train)
            _write(table, Path(args.out_dir) / "topics_cv.csv")
            print(table[["variant", "C", "accuracy", "macro_f1", "chosen"]].round(3).to_string())
        elif args.command == "fit":
            model = fit_dev(args.dev_corpus)
            model.save(args.model)
            print(f"{args.model}: {len(model.features)} features, cross-validated macro-F1 "
                  f"{model.meta['cv']['macro_f1']:.3f}, secondary threshold {model.threshold}")
        else:
            result = score_test(args.dev_corpus, model=load_model(args.model))
            out = Path(args.out_dir)
            _write(result.to_frame(), out / "topics.csv")
            _write(result.confusion.reset_index(), out / "topics_confusion.csv")
            print(result.summary().to_string(index=False))
    except DevCorpusMissing as err:
        print(err, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
