"""Codebook topics: paragraphs assigned to the categories of the topic codebook, with accuracy known.

The exploratory k-means clusters of :class:`analysis.topics.TopicModel` are a map for reading;
they do not measure the codebook's categories (``data/annotations/topic_codebook.md``). This
module does (with :mod:`~analysis.topics.codebook_fit` and
:mod:`~analysis.topics.codebook_validate`): a multinomial
logistic regression averaged with a complement naive Bayes (scikit-learn, both over the same
design matrix) fitted on the coded ``train`` paragraphs of the development
corpus (:mod:`analysis.devcorpus`), guided by seed terms per category written from the codebook
(``analysis/data/topic_seeds.csv``), gives each paragraph a probability per category; ``topic`` is
the most probable category and ``secondary`` the next one (never ``other``) when its probability
passes a threshold chosen by cross-validation against the coders' secondary codes.

Features
--------
All features come from the paragraph document-feature matrix of the suite's one tokenizer
(:func:`analysis.tokens.dfm`, counts, stopwords removed), over the model's fixed vocabulary (the
words of at least ``min_df`` training paragraphs, plus every seed term), in named blocks:

``terms``
    TF-IDF of the paragraph: sublinear term frequency ``1 + log(count)`` times the training IDF
    (scikit-learn's smooth IDF), rows L2-normalised. What the model learns from the coded text.
``seeds``
    ``log(1 + n)`` with ``n`` the paragraph's count of each category's seed terms (keyword
    assistance, as keyATM's keywords or BERTopic's seeded topics; one learned weight per
    category pair, so a seed term counts even if training rarely showed it).
``context``
    Each category's share of the seed terms of the whole article (0 when the article has none):
    the coders read every paragraph in its article, and a short paragraph of a Taiwan article is
    usually about Taiwan.
``length``
    ``log(1 + n_tokens)`` and ``n_tokens == 0`` (the tokenizer's token count, stopwords
    included): bylines, datelines and site chrome (``other``) are short.

Which blocks, the regularisation ``C`` and the naive Bayes smoothing ``nb_alpha`` (the two
models' probabilities are averaged with weight ``nb_weight``; both are sparse linear scores, so
assignment stays matrix products) were chosen by cross-validation on ``train`` grouped by article (:func:`analysis.topics.codebook_fit.cross_validate`; the figures are in
``data/validation/topics_cv.csv``).

Parameters as data
------------------
The fitted model is a JSON file (``analysis/data/models/codebook_topics.json``: vocabulary, IDF,
coefficients per block, intercepts, classes, settings, the SHA-256 of the development corpus files
and of the seed file, the scikit-learn version), loaded by :func:`load_model` without the
development corpus. ``python -m analysis.topics.codebook_fit fit --dev-corpus PATH`` refits it
(fitting, cross-validation and the scoring of the ``test`` split live in
:mod:`analysis.topics.codebook_fit`).

Scale
-----
Assignment is sparse matrix products over the paragraph document-feature matrix (a column
selection, the TF-IDF weighting, ``X @ S`` for the seed counts, an article grouping matrix for the
context, ``design @ coef.T`` for each of the two models), block by block of whole articles:
:func:`assign_topics` for a corpus in memory, :func:`assign_chunks` for corpora larger than memory (same committed parameters).
Measured on this 2-core machine on the synthetic corpus of 100,000 articles
(``analysis.synthetic.make_synthetic_corpus``, 1.57 million paragraphs): 2.0 to 2.9 s for
:func:`assign_topics` over ``tokens.dfm(sentence_tokens, level="paragraph")`` (which itself takes
8.6 s), the same in blocks of 100,000 rows through :func:`assign_chunks`; 10.4 s from paragraph
``Tokens`` whose count matrix is not built yet (the count matrix is most of it).
Those figures are for the logistic regression alone; the naive Bayes part added no measurable
CPU time on 25,000 synthetic articles (392,506 paragraphs, DFM built beforehand): 0.88 and
0.92 s CPU without it, 1.02 and 0.89 s with it (two runs each, ``time.process_time``, machine
shared with other jobs).

Validation
----------
:func:`analysis.topics.codebook_validate.validate` compares assignments with a hand-coded sample
(accuracy, macro-F1, per-category precision / recall / F1, confusion table, NMI and ARI). The development corpus's ``test`` split was
scored once with the committed model (``python -m analysis.topics.codebook_fit score-test``); the
figures are in ``data/validation/topics.csv`` and read by
:func:`analysis.topics.codebook_validate.read_validation`. The codes of the
development corpus come from AI coders following the codebook, not from human experts.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.preprocessing import normalize
from threadpoolctl import threadpool_limits

from ..config import ANNOTATIONS_DIR, DATA_DIR, ROOT
from ..tokens import DFM, LEVEL_KEYS, Tokens, dfm, normalize_terms, stopwords, tokens_from_frame

__all__ = [
    "BLOCKS",
    "CODEBOOK_PATH",
    "DEFAULT_SETTINGS",
    "FORMAT",
    "MODEL_PATH",
    "OTHER",
    "SEEDS_PATH",
    "VALIDATION_DIR",
    "CodebookModel",
    "article_chunks",
    "assign_chunks",
    "assign_topics",
    "codebook_categories",
    "design",
    "feature_blocks",
    "load_model",
    "load_seeds",
    "model_counts",
]

#: Seed terms per category (``category, term, source, codebook_phrase``).
SEEDS_PATH = DATA_DIR / "topic_seeds.csv"
#: The committed model.
MODEL_PATH = DATA_DIR / "models" / "codebook_topics.json"
#: The codebook whose ``categories:`` line lists the categories.
CODEBOOK_PATH = ANNOTATIONS_DIR / "topic_codebook.md"
#: Where the development-corpus validation tables are committed.
VALIDATION_DIR = ROOT / "data" / "validation"
#: The model file's format tag (written when the module was ``analysis.codebook_topics``; kept so
#: the committed model file stays as it was fitted).
FORMAT = "analysis.codebook_topics/2"
#: Earlier formats :meth:`CodebookModel.from_dict` still reads (``/1``: logistic regression only).
READABLE_FORMATS = ("analysis.codebook_topics/1", FORMAT)
KEYS = LEVEL_KEYS["paragraph"]
#: Feature blocks, in the order of the design matrix (see the module docstring).
BLOCKS = ("terms", "seeds", "context", "length")
#: The category never given as ``secondary`` (codebook rule 2).
OTHER = "other"

#: Settings of the committed model, chosen by :func:`~analysis.topics.codebook_fit.cross_validate`
#: on ``train`` (``secondary_threshold`` is chosen by :func:`~analysis.topics.codebook_fit.fit`).
DEFAULT_SETTINGS = {
    "blocks": ["terms", "seeds", "context", "length"],
    "C": 1.0,
    "class_weight": "balanced",
    "min_df": 2,
    "n_splits": 5,
    "random_state": 0,
    "solver": "lbfgs",
    "tol": 1e-8,
    "max_iter": 10_000,
    "nb_alpha": 0.1,
    "nb_weight": 0.5,
}




# --------------------------------------------------------------------------------------
# Categories and seeds
# --------------------------------------------------------------------------------------
def codebook_categories(path: str | Path | None = None) -> list[str]:
    """The categories listed on the ``categories:`` line of the topic codebook.

    Parameters
    ----------
    path : str or pathlib.Path, optional
        The codebook; default ``data/annotations/topic_codebook.md``.

    Returns
    -------
    list of str
        In the codebook's order.
    """
    path = Path(path or CODEBOOK_PATH)
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("categories:"):
            return [c.strip() for c in line.split(":", 1)[1].split(",") if c.strip()]
    raise ValueError(f"codebook_categories: no 'categories:' line in {path}; add one "
                     "('categories: a, b, c').")


def load_seeds(path: str | Path | None = None, *, categories: Iterable[str] | None = None
               ) -> pd.DataFrame:
    """Read and check the seed terms.

    Parameters
    ----------
    path : str or pathlib.Path, optional
        Default :data:`SEEDS_PATH`.
    categories : iterable of str, optional
        Allowed categories; default :func:`codebook_categories`.

    Returns
    -------
    pandas.DataFrame
        ``category, term, source, codebook_phrase``.

    Raises
    ------
    ValueError
        A term that is not one normalised, non-stopword token, a term seeded twice, or a
        category outside the codebook.
    """
    path = Path(path or SEEDS_PATH)
    seeds = pd.read_csv(path, dtype=str, keep_default_na=False)
    allowed = set(codebook_categories() if categories is None else categories)
    unknown = sorted(set(seeds["category"]) - allowed)
    normal = normalize_terms(seeds["term"]).to_numpy()
    bad = seeds["term"][(normal != seeds["term"].to_numpy())
                        | seeds["term"].isin(stopwords()).to_numpy()].tolist()
    twice = seeds["term"][seeds["term"].duplicated()].tolist()
    if unknown or bad or twice:
        raise ValueError(
            f"load_seeds: {path.name} has categories outside the codebook {unknown}, terms that "
            f"are not one normalised non-stopword token {bad}, terms seeded twice {twice}; write "
            "each term once, as analysis.tokens.normalize_terms spells it.")
    return seeds


# --------------------------------------------------------------------------------------
# The model
# --------------------------------------------------------------------------------------
@dataclass
class CodebookModel:
    """A fitted codebook-topic classifier: everything needed to assign topics, as plain arrays.

    Attributes
    ----------
    classes : list of str
        The categories, in the order of the probability columns.
    features : pandas.Index
        The vocabulary (normalised tokens), the columns of every term-level block.
    idf : numpy.ndarray
        IDF weight per feature (from the training paragraphs).
    seed_class : numpy.ndarray of int
        Per feature, the class index it is a seed of, or -1.
    coef : dict of str to numpy.ndarray
        Coefficients per block (``classes x block width``).
    intercept : numpy.ndarray
    settings : dict
        ``blocks``, ``C``, ``class_weight``, ``min_df``, ``nb_alpha``, ``nb_weight``,
        ``secondary_threshold`` ...
    meta : dict
        Provenance: training counts, SHA-256 of the development corpus files and of the seed
        file, scikit-learn version, cross-validated figures.
    nb_coef : dict of str to numpy.ndarray, optional
        Complement naive Bayes log weights per block (``classes x block width``) over the same
        design matrix; ``None`` for a logistic regression alone.
    nb_intercept : numpy.ndarray, optional
        0 for the classes the naive Bayes part was fitted on, a large negative number otherwise.
    """

    classes: list[str]
    features: pd.Index
    idf: np.ndarray
    seed_class: np.ndarray
    coef: dict[str, np.ndarray]
    intercept: np.ndarray
    settings: dict
    meta: dict = field(default_factory=dict)
    nb_coef: dict[str, np.ndarray] | None = None
    nb_intercept: np.ndarray | None = None

    @property
    def blocks(self) -> list[str]:
        """The feature blocks, in design-matrix order."""
        return [b for b in BLOCKS if b in self.settings["blocks"]]

    @property
    def threshold(self) -> float:
        """Probability a second category needs to be given as ``secondary``."""
        return float(self.settings.get("secondary_threshold", 1.0))

    def seed_matrix(self) -> sp.csr_matrix:
        """Feature x class 0/1 matrix of the seed terms."""
        rows = np.flatnonzero(self.seed_class >= 0)
        return sp.csr_matrix((np.ones(len(rows)), (rows, self.seed_class[rows])),
                             shape=(len(self.features), len(self.classes)))

    def coef_matrix(self) -> np.ndarray:
        """All coefficients side by side, ``classes x design width``."""
        return np.hstack([self.coef[b] for b in self.blocks])

    def to_dict(self) -> dict:
        """The JSON-ready form (lists and plain numbers)."""
        return {
            "format": FORMAT,
            "classes": list(self.classes),
            "settings": self.settings,
            "meta": self.meta,
            "features": self.features.tolist(),
            "idf": self.idf.tolist(),
            "seeds": {c: self.features[self.seed_class == i].tolist()
                      for i, c in enumerate(self.classes)},
            "intercept": self.intercept.tolist(),
            "coef": {b: self.coef[b].tolist() for b in self.blocks},
            **({} if self.nb_coef is None else {
                "nb_intercept": self.nb_intercept.tolist(),
                "nb_coef": {b: self.nb_coef[b].tolist() for b in self.blocks}}),
        }

    @classmethod
    def from_dict(cls, d: dict) -> CodebookModel:
        """Inverse of :meth:`to_dict`."""
        if d.get("format") not in READABLE_FORMATS:
            raise ValueError(f"CodebookModel: format {d.get('format')!r} is not {FORMAT!r}; "
                             "refit with python -m analysis.topics.codebook_fit fit.")
        features = pd.Index(d["features"], dtype="str")
        seed_class = np.full(len(features), -1, dtype=np.int64)
        for i, c in enumerate(d["classes"]):
            seed_class[features.get_indexer(d["seeds"][c])] = i
        return cls(classes=list(d["classes"]), features=features,
                   idf=np.asarray(d["idf"], dtype=float), seed_class=seed_class,
                   coef={b: np.asarray(v, dtype=float) for b, v in d["coef"].items()},
                   intercept=np.asarray(d["intercept"], dtype=float),
                   settings=dict(d["settings"]), meta=dict(d.get("meta", {})),
                   nb_coef=({b: np.asarray(v, dtype=float) for b, v in d["nb_coef"].items()}
                            if "nb_coef" in d else None),
                   nb_intercept=(np.asarray(d["nb_intercept"], dtype=float)
                                 if "nb_intercept" in d else None))

    def save(self, path: str | Path) -> Path:
        """Write the model as JSON (one line per top-level entry, stable for diffs)."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        d = self.to_dict()
        lines = [f"  {json.dumps(k)}: {json.dumps(v, ensure_ascii=False)}" for k, v in d.items()]
        path.write_text("{\n" + ",\n".join(lines) + "\n}\n", encoding="utf-8")
        return path

    def predict_proba(self, counts: sp.spmatrix, articles: np.ndarray,
                      n_tokens: np.ndarray) -> np.ndarray:
        """Probability per category of units given their counts over :attr:`features`.

        Parameters
        ----------
        counts : scipy.sparse matrix, shape (n_units, n_features)
            Counts over :attr:`features` (see :func:`model_counts`).
        articles : numpy.ndarray
            Article id of each row; rows of one article must be contiguous.
        n_tokens : numpy.ndarray
            The tokenizer's token count of each unit (stopwords included).

        Returns
        -------
        numpy.ndarray, shape (n_units, n_classes)
            Rows sum to 1: the logistic regression's probabilities, averaged with weight
            ``settings["nb_weight"]`` with the complement naive Bayes ones when the model has
            that part.
        """
        parts = feature_blocks(counts, articles, n_tokens, idf=self.idf,
                               seeds=self.seed_matrix(), blocks=self.blocks)
        proba = _softmax(parts, self.coef, self.intercept, counts.shape[0])
        if self.nb_coef is not None:
            w = float(self.settings.get("nb_weight", 0.5))
            proba *= 1.0 - w
            proba += w * _softmax(parts, self.nb_coef, self.nb_intercept, counts.shape[0])
        return proba


def _softmax(parts: dict, coef: dict, intercept: np.ndarray, n: int) -> np.ndarray:
    """Row-wise softmax of ``intercept + sum over blocks of block @ coef[block].T``."""
    scores = np.tile(intercept, (n, 1))
    for name, block in parts.items():  # design @ coef.T, one block at a time
        scores += block @ coef[name].T
    scores -= scores.max(axis=1, keepdims=True)
    np.exp(scores, out=scores)
    scores /= scores.sum(axis=1, keepdims=True)
    return scores


def load_model(path: str | Path | None = None) -> CodebookModel:
    """Read a fitted model (default: the committed :data:`MODEL_PATH`).

    Parameters
    ----------
    path : str or pathlib.Path, optional

    Returns
    -------
    CodebookModel
    """
    path = Path(path or MODEL_PATH)
    if not path.is_file():
        raise FileNotFoundError(f"load_model: no model file at {path}; refit it with "
                                "python -m analysis.topics.codebook_fit fit --dev-corpus PATH.")
    return CodebookModel.from_dict(json.loads(path.read_text(encoding="utf-8")))


# --------------------------------------------------------------------------------------
# Features (one function for fitting and assignment)
# --------------------------------------------------------------------------------------
def _article_groups(articles: np.ndarray) -> sp.csr_matrix:
    """Article x unit 0/1 matrix for contiguous runs of equal article ids."""
    articles = np.asarray(articles)
    n = len(articles)
    starts = np.r_[True, articles[1:] != articles[:-1]] if n else np.zeros(0, dtype=bool)
    group = np.cumsum(starts) - 1
    return sp.csr_matrix((np.ones(n), (group, np.arange(n))), shape=(int(starts.sum()), n))


def feature_blocks(counts: sp.spmatrix, articles: np.ndarray, n_tokens: np.ndarray, *,
                   idf: np.ndarray, seeds: sp.spmatrix, blocks: Iterable[str]) -> dict:
    """The feature blocks of the classifier (see the module docstring).

    Parameters
    ----------
    counts : scipy.sparse matrix, shape (n_units, n_features)
        Term counts over the model's features.
    articles : numpy.ndarray
        Article id per unit; an article's units must be contiguous (context block).
    n_tokens : numpy.ndarray
        Token count per unit (length block).
    idf : numpy.ndarray
        IDF per feature.
    seeds : scipy.sparse matrix, shape (n_features, n_classes)
        0/1 seed membership.
    blocks : iterable of str
        Blocks to build, a subset of :data:`BLOCKS`.

    Returns
    -------
    dict
        Block name -> matrix (sparse ``terms``, dense others), in :data:`BLOCKS` order.
    """
    blocks = set(blocks)
    counts = sp.csr_matrix(counts, dtype=np.float64)
    out = {}
    if "terms" in blocks:
        tf = counts.copy()
        np.log(tf.data, out=tf.data)
        tf.data += 1.0
        tf.data *= idf[tf.indices]
        out["terms"] = normalize(tf, copy=False)
    if {"seeds", "context"} & blocks:
        hits = counts @ (seeds.toarray() if sp.issparse(seeds) else np.asarray(seeds))
    if "seeds" in blocks:
        out["seeds"] = np.log1p(hits)
    if "context" in blocks:
        group = _article_groups(articles)
        per_article = np.asarray(group @ hits)
        per_article /= np.maximum(per_article.sum(axis=1, keepdims=True), 1.0)
        out["context"] = np.asarray(group.T @ per_article)
    if "length" in blocks:
        n = np.asarray(n_tokens, dtype=float)
        out["length"] = np.c_[np.log1p(n), n == 0]
    return out


def design(counts: sp.spmatrix, articles: np.ndarray, n_tokens: np.ndarray, *,
           idf: np.ndarray, seeds: sp.spmatrix, blocks: Iterable[str]) -> sp.csr_matrix:
    """The design matrix: the :func:`feature_blocks` side by side (same parameters).

    Returns
    -------
    scipy.sparse.csr_matrix
    """
    parts = feature_blocks(counts, articles, n_tokens, idf=idf, seeds=seeds, blocks=blocks)
    return sp.csr_matrix(sp.hstack([sp.csr_matrix(m) for m in parts.values()], format="csr"))


def model_counts(x: DFM, features: pd.Index) -> sp.csr_matrix:
    """The counts of a paragraph DFM over the model's features (absent words count 0).

    Parameters
    ----------
    x : analysis.tokens.DFM
        Counts (any columns: a full ``dfm(tokens)`` or one built with
        ``vocabulary=model.features``).
    features : pandas.Index

    Returns
    -------
    scipy.sparse.csr_matrix, shape (n_units, len(features))
    """
    if x.weighting != "count":
        raise ValueError("model_counts: the document-feature matrix must hold counts; build it "
                         "with analysis.tokens.dfm(tokens, weighting='count').")
    return _select(x.matrix, x.features, features)


def _select(matrix: sp.spmatrix, have: pd.Index, want: pd.Index) -> sp.csr_matrix:
    """The columns ``want`` of a matrix whose columns are ``have`` (absent ones are zero)."""
    if have.equals(want):
        return sp.csr_matrix(matrix)
    pos = have.get_indexer(want)
    found = np.flatnonzero(pos >= 0)
    sub = sp.csr_matrix(matrix)[:, pos[found]]  # scipy's column selection, then renumbered
    out = sp.csr_matrix((sub.data, found[sub.indices], sub.indptr),
                        shape=(matrix.shape[0], len(want)))
    out.sort_indices()  # one canonical layout: sums, hence fits, do not depend on the path
    return out


# --------------------------------------------------------------------------------------
# Assignment
# --------------------------------------------------------------------------------------
def _paragraph_dfm(data, model: CodebookModel, tokens: Tokens | None = None
                   ) -> tuple[DFM, pd.DataFrame | None]:
    """A paragraph-level count DFM of ``data`` over the model features, and the texts if known."""
    texts = None
    if isinstance(data, DFM):
        x = data
    else:
        if isinstance(data, pd.DataFrame):
            missing = [c for c in [*KEYS, "text"] if c not in data.columns]
            if missing:
                raise ValueError(f"assign_topics: a paragraph table needs columns {missing}; "
                                 "pass corpus.paragraphs or a Corpus.")
            texts = data[[*KEYS, "text"]]
            toks = tokens_from_frame(data, keys=KEYS)
        elif isinstance(data, Tokens):
            toks = data
        elif hasattr(data, "paragraphs") and hasattr(data, "articles"):
            texts = data.paragraphs[[*KEYS, "text"]]
            toks = Tokens.from_corpus(data, level="paragraph") if tokens is None else tokens
        else:
            raise TypeError(f"assign_topics: cannot assign topics to a {type(data).__name__}; "
                            "pass a Corpus, a paragraph table, paragraph Tokens or a DFM.")
        x = dfm(toks, level="paragraph", vocabulary=model.features)
    if list(x.docs.columns[:2]) != KEYS or "sentence" in x.docs.columns:
        raise ValueError("assign_topics: codebook topics are assigned to paragraphs; build the "
                         "matrix with analysis.tokens.dfm(tokens, level='paragraph').")
    if "n_tokens" not in x.docs.columns:
        raise ValueError("assign_topics: the DFM's docs lack n_tokens; build it with "
                         "analysis.tokens.dfm from analysis.tokens.Tokens.")
    return x, texts


def _result(x: DFM, proba: np.ndarray, model: CodebookModel, threshold: float) -> pd.DataFrame:
    """The assignment table of one block: keys, metadata, topic, secondary, probabilities."""
    rows = np.arange(len(proba))
    first = proba.argmax(axis=1) if len(model.classes) else np.zeros(len(proba), dtype=int)
    # the most probable category other than the topic and `other` (codebook rule 2)
    masked = proba.copy()
    masked[rows, first] = -1.0
    if OTHER in model.classes:
        masked[:, model.classes.index(OTHER)] = -1.0
    second = masked.argmax(axis=1)
    given = masked[rows, second] >= threshold
    columns = {k: x.docs[k].to_numpy() for k in [*KEYS, "outlet", "outlet_group"]
               if k in x.docs.columns}
    columns["topic"] = pd.Categorical.from_codes(first, categories=model.classes)
    columns["probability"] = proba[rows, first]
    columns["secondary"] = pd.Categorical.from_codes(
        np.where(given, second, len(model.classes)), categories=[*model.classes, ""])
    columns.update({f"p_{c}": proba[:, i] for i, c in enumerate(model.classes)})
    return pd.DataFrame(columns)


def article_chunks(x: DFM, *, size: int = 200_000) -> Callable[[], Iterator[DFM]]:
    """A function yielding row blocks of a paragraph DFM that never split an article.

    Parameters
    ----------
    x : analysis.tokens.DFM
        Paragraph-level, rows sorted by key (as :func:`analysis.tokens.dfm` returns them).
    size : int, default 200_000
        About this many rows per block (a block ends at the first article boundary after it).

    Returns
    -------
    callable
        Each call returns a fresh generator of blocks (views of ``x``).
    """
    ids = x.docs["article_id"].to_numpy()
    n = len(ids)
    boundaries = np.flatnonzero(np.r_[True, ids[1:] != ids[:-1]]) if n else np.zeros(0, int)

    def blocks():
        start = 0
        while start < n:
            nxt = np.searchsorted(boundaries, start + max(int(size), 1))
            stop = int(boundaries[nxt]) if nxt < len(boundaries) else n
            yield DFM(x.matrix[start:stop], x.features, x.docs.iloc[start:stop], x.level,
                      x.weighting)
            start = stop

    return blocks


def assign_chunks(chunks, *, model: CodebookModel | None = None,
                  threshold: float | None = None) -> Iterator[pd.DataFrame]:
    """Assign codebook topics chunk by chunk, for corpora larger than memory.

    Parameters
    ----------
    chunks : iterable, or a function returning one
        Each chunk holds WHOLE articles (the context block reads the article): a paragraph
        DFM block (:func:`article_chunks`), paragraph ``Tokens`` or a paragraph table with
        ``article_id, paragraph, text`` (e.g. read from Parquet article by article).
    model : CodebookModel, optional
        Default: the committed model (:func:`load_model`).
    threshold : float, optional
        Secondary threshold; default the model's.

    Yields
    ------
    pandas.DataFrame
        One assignment table per chunk (columns as :func:`assign_topics`).

    Raises
    ------
    ValueError
        When an article continues from one chunk into the next.
    """
    model = model or load_model()
    threshold = model.threshold if threshold is None else float(threshold)
    seen_last = None
    for chunk in (chunks() if callable(chunks) else chunks):
        x, texts = _paragraph_dfm(chunk, model)
        ids = x.docs["article_id"].to_numpy()
        if len(ids) and seen_last is not None and ids[0] == seen_last:
            raise ValueError(f"assign_chunks: article {seen_last!r} is split across two chunks; "
                             "cut chunks at article boundaries (article_chunks does).")
        seen_last = ids[-1] if len(ids) else seen_last
        with threadpool_limits(1):
            proba = model.predict_proba(model_counts(x, model.features), ids,
                                        x.docs["n_tokens"].to_numpy())
        out = _result(x, proba, model, threshold)
        if texts is not None:
            out.insert(2, "text", _texts_in_order(texts, out))
        yield out


def assign_topics(data, *, model: CodebookModel | None = None, threshold: float | None = None,
                  block_size: int = 200_000, tokens: Tokens | None = None) -> pd.DataFrame:
    """Assign every paragraph to a codebook category, with a probability per category.

    Parameters
    ----------
    data : Corpus, pandas.DataFrame, analysis.tokens.Tokens or analysis.tokens.DFM
        A corpus (its ``paragraphs`` are tokenized), a paragraph table
        (``article_id, paragraph, text``), paragraph-level ``Tokens``, or a paragraph-level
        count DFM (``analysis.tokens.dfm(tokens, level="paragraph")``, any columns).
    model : CodebookModel, optional
        Default: the committed model (:func:`load_model`).
    threshold : float, optional
        Probability the second category needs to be given as ``secondary``; default the
        model's (chosen by cross-validation against the coders' secondary codes).
    block_size : int, default 200_000
        Rows per block (whole articles), which bounds the memory of the products.
    tokens : analysis.tokens.Tokens, optional
        With a Corpus: its paragraph ``Tokens`` if the caller already made them (a notebook
        tokenizes once); default: tokenized here.

    Returns
    -------
    pandas.DataFrame
        One row per paragraph, sorted by key: ``article_id, paragraph``, ``text`` (when the
        input had texts), ``outlet, outlet_group`` (when known), ``topic`` (most probable
        category), ``probability`` (its probability), ``secondary`` (the next category other
        than ``other`` when its probability reaches ``threshold``, else ``""``) and
        ``p_<category>`` for every category (rows sum to 1).
    """
    model = model or load_model()
    x, texts = _paragraph_dfm(data, model, tokens)
    blocks = article_chunks(x, size=block_size)
    parts = list(assign_chunks(blocks, model=model, threshold=threshold))
    out = (pd.concat(parts, ignore_index=True) if parts else
           _result(x, np.zeros((0, len(model.classes))), model, 1.0))
    if texts is not None:
        out.insert(2, "text", _texts_in_order(texts, out))
    return out


def _texts_in_order(texts: pd.DataFrame, out: pd.DataFrame):
    """The ``text`` of ``texts`` for the rows of ``out``, matched by key.

    When the keys are already in the same order (a corpus's paragraphs and its tokens are
    both sorted by key), the column's own array is returned: no copy of the texts, and no
    Python string objects for them (issue #18: about 1 GiB at 1.5 M paragraphs).
    """
    same = (len(texts) == len(out)
            and all(np.array_equal(texts[k].to_numpy(), out[k].to_numpy()) for k in KEYS))
    if same:
        return texts["text"].array
    return texts.set_index(KEYS)["text"].reindex(pd.MultiIndex.from_frame(out[KEYS])).to_numpy()
