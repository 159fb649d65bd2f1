"""The learned, target-aware tone model: ``tone`` on the scale of the hand codes (code / 2).

Why a learned model
-------------------
The framing dictionary was written around the five bundled articles and is target-blind; VADER
measures general sentiment. On real coverage neither holds: on the development corpus (see
:mod:`analysis.devcorpus`) the dictionary put Chinese state media above international outlets
where two coders put them below. The model here is fitted on the coded ``train`` sentences of
that corpus and committed as a data file (``analysis/data/models/tone.json``), so any corpus is
scored without the development corpus. It was chosen by five-fold cross-validation grouped by
article on ``train``; ``test`` is scored once, by :mod:`analysis.tone.devcheck`.

The model (two linear stages)
-----------------------------
1. **Words.** Every sentence's word types (the shared tokenizer's tokens, stopwords kept:
   "not", "no" and "against" carry tone) as binary tf-idf over the model's vocabulary (types in
   at least :data:`MIN_DF` training sentences; idf from ``train``), rows L2-normalised. A
   multinomial logistic regression over the five codes −2…2 gives a probability per code; its
   expectation ``E[code] / 2`` is ``words``, a calibrated conditional mean on −1…1.
2. **Target.** :func:`target_features` says whether the sentence is about the two countries
   (both sides named, or "the two sides / countries / leaders", "China-US", "bilateral"):
   ``relationship``; about one side only (China's self-praise, a US domestic debate):
   ``one_side``; or neither. A ridge regression lets the weight of ``words`` depend on that
   target class and adds VADER's positive and negative parts where the sentence is about the
   relationship (general sentiment words such as "great" or "accused" count there, and only
   there). Its output, clipped to [−1, 1], is ``tone``.

   The framing dictionary is deliberately *not* an input: in the grouped cross-validation on
   ``train`` it had the largest differential error between the outlet groups of any measure
   (+0.10 on −1…1), and feeding it to stage 2 moved the model's differential error from 0.00 to
   +0.01 and halved the measured group contrast, for +0.02 of sentence-level Spearman
   (``data/validation/README.md`` lists the candidates). The question the suite asks is a group
   contrast, so the group-neutral variant was chosen.

Stage 2 is fitted on out-of-fold stage-1 predictions (inner cross-validation grouped by
article), so it learns how far to trust ``words`` on sentences the words model has not seen.

Everything at scoring time is sparse algebra over the sentence-level :class:`~analysis.tokens.Tokens`
the pipeline builds anyway, plus the VADER scores :func:`~analysis.tone.score_sentences`
computes anyway: no second tokenizer, no per-sentence Python. :func:`reference_predict` is a
plain per-sentence restatement used by the tests.

Examples
--------
>>> import pandas as pd
>>> from analysis import tone
>>> frame = pd.DataFrame({"article_id": ["a"] * 3, "paragraph": [0, 0, 1], "sentence": [0, 1, 2],
...     "text": ["China and the United States agreed to expand cooperation and keep talking.",
...              "Beijing condemned the new US tariffs and vowed to retaliate.",
...              "The meeting took place on Thursday."]})
>>> scores = tone.score_sentences(frame, measures=("learned",))
>>> bool(scores.loc[0, "learned"] > 0.1 and scores.loc[1, "learned"] < -0.1)
True
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.compute as pc
import scipy.sparse as sp

from .. import tokens
from .._kernels import arrow_texts
from ..config import DATA_DIR, GAZETTEER_FILE

__all__ = [
    "MODEL_FILE",
    "STAGE2_FEATURES",
    "TARGET_CLASSES",
    "ToneModel",
    "fit_tone_model",
    "load_tone_model",
    "reference_predict",
    "target_features",
]

#: The committed model parameters (JSON; never pickle: a data file must not run code).
MODEL_FILE = DATA_DIR / "models" / "tone.json"
#: Word types kept by the model: those in at least this many training sentences.
MIN_DF = 2
#: Inverse regularisation of the words model (chosen by grouped CV on ``train``).
C_WORDS = 3.0
#: Ridge penalty of the target stage.
ALPHA_TARGET = 1.0
#: Folds of the inner cross-validation that gives stage 2 out-of-fold stage-1 predictions.
INNER_FOLDS = 5
#: Target classes of a sentence (see :func:`target_features`).
TARGET_CLASSES = ("relationship", "one_side", "none")
#: Stage-2 inputs, in the order of the committed coefficients.
STAGE2_FEATURES = (
    "words", "words:relationship", "words:one_side", "relationship", "one_side",
    "vader_pos:relationship", "vader_neg:relationship",
)

# Sides of the relationship: gazetteer persons and countries of China and the United States
# (their names, tokenized like the text), plus the nationality adjectives, which the gazetteer
# leaves out on purpose ("tariffs on Chinese goods" is about the relationship).
_SIDES = {"China": "china", "United States": "us"}
_ADJECTIVES = {"china": ("chinese", "sino"), "us": ("american", "americans")}
# Phrases naming the pair: on the space-joined tokens (the tokenizer keeps "china-us" whole).
_PAIR_RE = (r"(?:^| )(?:china-us|bilateral|(?:two|both) (?:sides|countries|nations|leaders|"
            r"presidents|powers|economies|governments|heads of state|militaries|delegations))(?: |$)")


@lru_cache(maxsize=1)
def side_terms() -> dict[str, frozenset[str]]:
    """The tokens that name each side: ``{"china": …, "us": …}``.

    From ``analysis/data/gazetteer.csv``: the ``names`` of its persons and countries whose
    ``country`` is China or the United States (every word of a name, tokenized like the text:
    "Xi Jinping" → ``xi``, ``jinping``; "U.S." → ``united_states``), plus ``chinese``, ``sino``,
    ``american``, ``americans``. Titles and descriptions ("President", "the Foreign Ministry")
    are not used: their words are not specific to one side.
    """
    gaz = pd.read_csv(GAZETTEER_FILE, keep_default_na=False)
    out = {}
    for country, side in _SIDES.items():
        rows = gaz[(gaz["country"] == country) & gaz["actor_type"].isin(["person", "country"])]
        names = [n for cell in rows["names"] for n in cell.split("|") if n]
        words = {w for term in tokens.normalize_terms(names) for w in term.split()}
        out[side] = frozenset((words - tokens.stopwords()) | set(_ADJECTIVES[side]))
    return out


def _side_counts(tok: tokens.Tokens) -> dict[str, np.ndarray]:
    vocab = tok.vocabulary
    counts = tok.counts
    out = {}
    for side, terms in side_terms().items():
        cols = np.flatnonzero(vocab.isin(list(terms)))
        out[side] = np.asarray(counts[:, cols].sum(axis=1)).ravel()
    return out


def target_features(tok: tokens.Tokens) -> pd.DataFrame:
    """Is each sentence about the China–US relationship, about one side, or neither?

    Parameters
    ----------
    tok : analysis.tokens.Tokens
        Sentence-level tokens.

    Returns
    -------
    pandas.DataFrame
        One row per unit of ``tok``: ``china`` and ``us`` (mentions of each side, see
        :func:`side_terms`), ``pair`` (a phrase naming the two together: "the two sides",
        "both countries", "China-US", "bilateral", …) and ``target``:
        ``"relationship"`` when both sides are named or the pair is, ``"one_side"`` when
        exactly one side is named, else ``"none"``.
    """
    side = _side_counts(tok)
    joined = arrow_texts(tok.joined)  # no copy of Arrow-backed texts
    pair = pc.match_substring_regex(joined, _PAIR_RE).to_numpy(zero_copy_only=False).astype(bool)
    china, us = side["china"] > 0, side["us"] > 0
    relationship = (china & us) | pair
    one_side = (china ^ us) & ~relationship
    target = np.where(relationship, "relationship", np.where(one_side, "one_side", "none"))
    return pd.DataFrame({"china": side["china"], "us": side["us"], "pair": pair, "target": target})


def _stage2_matrix(words: np.ndarray, vader: np.ndarray, target: np.ndarray) -> np.ndarray:
    rel = (target == "relationship").astype(float)
    one = (target == "one_side").astype(float)
    vpos, vneg = np.clip(vader, 0, None), np.clip(-vader, 0, None)
    return np.column_stack([words, words * rel, words * one, rel, one, vpos * rel, vneg * rel])


@dataclass
class ToneModel:
    """The fitted two-stage tone model (parameters only; see the module docstring).

    Attributes
    ----------
    vocabulary : list of str
        Word types of the words model.
    idf : numpy.ndarray
        Their inverse document frequencies (from the training sentences).
    classes : numpy.ndarray
        The codes, −2 … 2.
    coef : numpy.ndarray
        Words model coefficients, shape (n_classes, n_vocabulary).
    intercept : numpy.ndarray
        Words model intercepts, shape (n_classes,).
    stage2_coef : numpy.ndarray
        Target stage coefficients, in the order of :data:`STAGE2_FEATURES`.
    stage2_intercept : float
    meta : dict
        Provenance: training data hashes, sizes, settings, library versions, CV figures.
    """

    vocabulary: list[str]
    idf: np.ndarray
    classes: np.ndarray
    coef: np.ndarray
    intercept: np.ndarray
    stage2_coef: np.ndarray
    stage2_intercept: float
    meta: dict = field(default_factory=dict)

    # ------------------------------------------------------------------ scoring
    def word_matrix(self, tok: tokens.Tokens) -> sp.csr_matrix:
        """Binary tf-idf rows (L2-normalised) of ``tok``'s units over the model vocabulary."""
        vocab = tok.vocabulary
        position = pd.Index(self.vocabulary).get_indexer(vocab)
        keep = np.flatnonzero(position >= 0)
        counts = tok.counts[:, keep].tocsr()
        counts.data[:] = 1.0
        cols = position[keep]
        x = sp.csr_matrix((counts.data.astype(float), counts.indices, counts.indptr),
                          shape=(counts.shape[0], len(keep)))
        # move to model column order and weight by idf
        remap = sp.csr_matrix((self.idf[cols], (np.arange(len(keep)), cols)),
                              shape=(len(keep), len(self.vocabulary)))
        x = (x @ remap).tocsr()
        norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=1)).ravel())
        norms[norms == 0] = 1.0
        return sp.diags(1.0 / norms) @ x

    def words_score(self, x: sp.csr_matrix) -> np.ndarray:
        """Stage 1: expected code / 2 under the words model, one value per row of ``x``."""
        logits = np.asarray(x @ self.coef.T) + self.intercept
        logits -= logits.max(axis=1, keepdims=True)
        prob = np.exp(logits)
        prob /= prob.sum(axis=1, keepdims=True)
        return prob @ self.classes / 2.0

    def predict(self, tok: tokens.Tokens, *, vader: np.ndarray,
                target: pd.DataFrame | None = None, block: int = 250_000) -> pd.DataFrame:
        """Score every unit of ``tok``.

        Parameters
        ----------
        tok : analysis.tokens.Tokens
            Sentence-level tokens.
        vader : numpy.ndarray
            VADER's compound scores of the same units, in the same order.
        target : pandas.DataFrame, optional
            :func:`target_features` of ``tok`` if already computed.
        block : int, default 250_000
            Units scored at a time (bounds the memory of the float matrices on large corpora;
            the result does not depend on it).

        Returns
        -------
        pandas.DataFrame
            ``words`` (stage 1), ``target`` (its class) and ``tone`` (on −1…1), one row per unit.
        """
        vader = np.asarray(vader, float)
        n = len(tok)
        parts = []
        for start in range(0, max(n, 1), block):
            rows = np.arange(start, min(start + block, n))
            sub = tok if len(rows) == n else tok.subset(rows)
            tgt = (target_features(sub) if target is None else target.iloc[rows])["target"].to_numpy()
            words = self.words_score(self.word_matrix(sub))
            z = _stage2_matrix(words, vader[rows], tgt)
            tone = np.clip(z @ self.stage2_coef + self.stage2_intercept, -1.0, 1.0)
            parts.append(pd.DataFrame({"words": words, "target": tgt, "tone": tone}))
        return pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]

    def term_weights(self) -> pd.DataFrame:
        """The words model read as a weighted dictionary.

        ``weight`` is the change of the expected code / 2 that the term alone moves a sentence
        from the intercept-only prediction (one-term sentence), so positive terms push toward
        cooperation and negative ones toward conflict. Sorted by weight.
        """
        x = sp.diags(np.ones(len(self.vocabulary))).tocsr()  # one-term sentences (norm 1)
        base = self.words_score(sp.csr_matrix((1, len(self.vocabulary))))[0]
        weight = self.words_score(x) - base
        return (pd.DataFrame({"term": self.vocabulary, "weight": weight, "idf": self.idf})
                .sort_values("weight", kind="stable").reset_index(drop=True))

    # ------------------------------------------------------------------ persistence
    def to_dict(self) -> dict:
        return {
            "format": "analysis.tone.model/1",
            "vocabulary": list(self.vocabulary),
            "idf": [float(v) for v in self.idf],
            "classes": [int(c) for c in self.classes],
            "coef": [[float(v) for v in row] for row in self.coef],
            "intercept": [float(v) for v in self.intercept],
            "stage2_features": list(STAGE2_FEATURES),
            "stage2_coef": [float(v) for v in self.stage2_coef],
            "stage2_intercept": float(self.stage2_intercept),
            "meta": self.meta,
        }

    @classmethod
    def from_dict(cls, d: dict) -> ToneModel:
        if d.get("format") != "analysis.tone.model/1" or list(d.get("stage2_features", [])) != list(STAGE2_FEATURES):
            raise ValueError("ToneModel.from_dict: not a tone model file of this version of the suite; "
                             "refit it with `python -m analysis.tone.devcheck fit`")
        return cls(list(d["vocabulary"]), np.asarray(d["idf"], float), np.asarray(d["classes"], float),
                   np.asarray(d["coef"], float), np.asarray(d["intercept"], float),
                   np.asarray(d["stage2_coef"], float), float(d["stage2_intercept"]), d.get("meta", {}))

    def save(self, path: str | Path = MODEL_FILE) -> Path:
        """Write the parameters as JSON (rounded to 10 significant digits, stable key order)."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)

        def rounded(obj):
            if isinstance(obj, float):
                return float(f"{obj:.10g}")
            if isinstance(obj, list):
                return [rounded(v) for v in obj]
            if isinstance(obj, dict):
                return {k: rounded(v) for k, v in obj.items()}
            return obj

        path.write_text(json.dumps(rounded(self.to_dict()), indent=1, ensure_ascii=False) + "\n",
                        encoding="utf-8")
        return path


@lru_cache(maxsize=4)
def _load(path: str) -> ToneModel:
    with open(path, encoding="utf-8") as fh:
        return ToneModel.from_dict(json.load(fh))


def load_tone_model(path: str | Path | None = None) -> ToneModel:
    """The committed tone model (``analysis/data/models/tone.json``), or the one at ``path``."""
    path = Path(path) if path is not None else MODEL_FILE
    if not path.is_file():
        raise FileNotFoundError(f"load_tone_model: no model file at {path}; the suite ships one at "
                                f"{MODEL_FILE} (refit: `make models DEV_CORPUS=...`)")
    return _load(str(path.resolve()))


# =========================================================================== fitting
def _fit_words(tok: tokens.Tokens, rows: np.ndarray, y: np.ndarray, *, C: float,
               random_state: int) -> ToneModel:
    """Stage 1 on the given rows of ``tok``: vocabulary, idf and the multinomial regression."""
    from sklearn.linear_model import LogisticRegression

    counts = tok.counts[rows].tocsr()
    counts.data[:] = 1
    df = np.asarray(counts.sum(axis=0)).ravel()
    keep = np.flatnonzero(df >= MIN_DF)
    vocab = [str(t) for t in tok.vocabulary[keep]]
    n = len(rows)
    idf = np.log((1 + n) / (1 + df[keep])) + 1.0  # scikit-learn's smooth idf
    model = ToneModel(vocab, idf, np.arange(-2, 3, dtype=float), np.zeros((5, len(vocab))),
                      np.zeros(5), np.zeros(len(STAGE2_FEATURES)), 0.0)
    x = model.word_matrix(tok)[rows]
    codes = np.rint(y * 2).astype(int)
    clf = LogisticRegression(C=C, max_iter=5000, random_state=random_state).fit(x, codes)
    coef = np.zeros((5, len(vocab)))
    intercept = np.full(5, -1e3)  # a code never seen in training gets no probability
    for i, c in enumerate(clf.classes_):
        coef[c + 2], intercept[c + 2] = clf.coef_[i], clf.intercept_[i]
    model.coef, model.intercept = coef, intercept
    return model


def _folds(article_ids: np.ndarray, n_splits: int, random_state: int) -> np.ndarray:
    from ..devcorpus import article_folds

    return article_folds(article_ids, n_splits=n_splits, random_state=random_state)


def fit_tone_model(tok: tokens.Tokens, y: np.ndarray, *, vader: np.ndarray,
                   article_ids: np.ndarray, C: float = C_WORDS, alpha: float = ALPHA_TARGET,
                   inner_folds: int = INNER_FOLDS, random_state: int = 0,
                   meta: dict | None = None) -> ToneModel:
    """Fit both stages on coded sentences.

    Parameters
    ----------
    tok : analysis.tokens.Tokens
        Sentence-level tokens of the coded sentences (one unit per row of ``y``).
    y : numpy.ndarray
        Codes / 2 (on −1…1; a mean of two coders' codes is rounded to the nearest code for the
        words model, kept as is for the target stage).
    vader : numpy.ndarray
        VADER's compound scores of the same sentences.
    article_ids : numpy.ndarray
        Article of each sentence: the inner cross-validation keeps articles whole.
    C, alpha, inner_folds, random_state
        Settings (defaults: :data:`C_WORDS`, :data:`ALPHA_TARGET`, :data:`INNER_FOLDS`, 0).
    meta : dict, optional
        Provenance stored with the model.

    Returns
    -------
    ToneModel
    """
    from sklearn.linear_model import Ridge

    y = np.asarray(y, float)
    rows = np.arange(len(y))
    target = target_features(tok)["target"].to_numpy()
    folds = _folds(np.asarray(article_ids), inner_folds, random_state)
    oof = np.zeros(len(y))
    for f in range(inner_folds):
        fit_rows, held = rows[folds != f], rows[folds == f]
        inner = _fit_words(tok, fit_rows, y[fit_rows], C=C, random_state=random_state)
        oof[held] = inner.words_score(inner.word_matrix(tok)[held])
    model = _fit_words(tok, rows, y, C=C, random_state=random_state)
    z = _stage2_matrix(oof, np.asarray(vader, float), target)
    ridge = Ridge(alpha=alpha).fit(z, y)
    model.stage2_coef, model.stage2_intercept = ridge.coef_.astype(float), float(ridge.intercept_)
    import sklearn

    model.meta = {"n_sentences": int(len(y)), "n_articles": int(pd.Series(article_ids).nunique()),
                  "n_vocabulary": len(model.vocabulary), "C": C, "alpha": alpha, "min_df": MIN_DF,
                  "inner_folds": inner_folds, "random_state": random_state,
                  "scikit_learn": sklearn.__version__, **(meta or {})}
    return model


# =========================================================================== reference
def reference_predict(model: ToneModel, joined: str, vader: float) -> float:
    """``tone`` of one sentence by plain Python (for the tests): same result as :meth:`ToneModel.predict`.

    ``joined`` is the sentence's tokens joined by spaces (``Tokens.joined``).
    """
    words = joined.split()
    types = set(words)
    index = {t: i for i, t in enumerate(model.vocabulary)}
    present = sorted(index[t] for t in types if t in index)
    norm = math.sqrt(sum(model.idf[i] ** 2 for i in present)) or 1.0
    logits = [model.intercept[k] + sum(model.coef[k][i] * model.idf[i] / norm for i in present)
              for k in range(len(model.classes))]
    top = max(logits)
    exps = [math.exp(v - top) for v in logits]
    words_score = sum(e * c for e, c in zip(exps, model.classes, strict=True)) / sum(exps) / 2.0
    sides = side_terms()
    china = any(w in sides["china"] for w in words)
    us = any(w in sides["us"] for w in words)
    import re

    pair = re.search(_PAIR_RE, joined) is not None
    rel = 1.0 if (china and us) or pair else 0.0
    one = 1.0 if (china != us) and not rel else 0.0
    vpos, vneg = max(vader, 0.0), max(-vader, 0.0)
    z = [words_score, words_score * rel, words_score * one, rel, one, vpos * rel, vneg * rel]
    value = sum(a * b for a, b in zip(z, model.stage2_coef, strict=True)) + model.stage2_intercept
    return min(1.0, max(-1.0, value))


def file_digest(path: str | Path) -> str:
    """SHA-256 of a file (provenance of the training data in the model's ``meta``)."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()
