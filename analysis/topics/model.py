"""The estimator: :class:`TopicModel` (units, TF-IDF + LSA, k-selection, clustering, labels)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.base import BaseEstimator
from sklearn.feature_extraction.text import TfidfTransformer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import normalize

from .._checks import check_one_of
from ..handcoded import read_annotations
from ..tokens import LEVEL_KEYS, LEVEL_TABLES, Tokens, content_token_counts, dfm
from .labels import TOO_SHORT, central_units, centroid_similarity, top_terms, topic_labels
from .select import (
    SELECTION_COLUMNS,
    _one_thread,
    auto_components,
    choose_k,
    cluster,
    lsa,
    n_distinct,
    select_k,
    stability_seed,
)
from .shares import map_coordinates, topic_shares, topics_over_time
from .validate import Validation, validate


def unit_table(corpus, *, level: str = "paragraph") -> pd.DataFrame:
    """The units to cluster, with their text, heading flag and article metadata.

    Parameters
    ----------
    corpus : analysis.corpus.Corpus
        Needs ``articles`` and ``paragraphs`` (and ``sentences`` for ``level="sentence"``).
    level : {"paragraph", "sentence", "article"}, default "paragraph"

    Returns
    -------
    pandas.DataFrame
        Keys of the level, ``text``, ``is_heading`` (a paragraph flagged as heading by the
        corpus; sentences inherit it; articles never), ``outlet``, ``outlet_group``,
        ``published`` (NaT if absent); sorted by keys.
    """
    check_one_of("level", level, LEVEL_KEYS, func="unit_table")
    keys = LEVEL_KEYS[level]
    table = getattr(corpus, LEVEL_TABLES[level])
    # below the article level the keys are merged with the metadata and the texts attached
    # afterwards: left merges keep the rows in order, so the texts are not copied (issue #18)
    units = table[keys].copy() if level != "article" else table[keys + ["text"]].copy()
    paragraphs = getattr(corpus, "paragraphs", None)
    if level != "article" and paragraphs is not None and "is_heading" in paragraphs:
        heading = paragraphs[["article_id", "paragraph", "is_heading"]]
        units = units.merge(heading, on=["article_id", "paragraph"], how="left",
                            validate="many_to_one")
        units["is_heading"] = units["is_heading"].fillna(False).astype(bool)
    else:
        units["is_heading"] = False
    meta = [c for c in ("outlet", "outlet_group", "published") if c in corpus.articles]
    if level != "article":
        units = units.merge(corpus.articles[["article_id", *meta]], on="article_id", how="left",
                            validate="many_to_one")
        units.insert(len(keys), "text", table["text"].array)
    else:
        units = units.merge(corpus.articles[["article_id", *meta]], on="article_id")
    if "published" not in units:
        units["published"] = pd.NaT
    if level != "article" and pd.MultiIndex.from_frame(units[keys]).is_monotonic_increasing:
        return units  # already in key order (a corpus's tables are): no copy by sorting
    return units.sort_values(keys, ignore_index=True)


class TopicModel(BaseEstimator):
    """Topics of a corpus: LSA + k-means with k chosen by silhouette and stability.

    Parameters
    ----------
    k : int, optional
        Number of topics; None = chosen by :func:`select_k` / :func:`choose_k`.
    k_range : iterable of int, default range(2, 9)
        Candidates when ``k`` is None.
    level : {"paragraph", "sentence", "article"}, default "paragraph"
    method : {"kmeans", "agglomerative"}, default "kmeans"
    min_tokens : int, default 5
        Units with fewer content words (stopwords removed), headings, and units with no
        word of the clustering vocabulary get topic -1 and are not fitted.
    min_df : int or float, default 2
        Vocabulary of the clustering: words in at least ``min_df`` units (passed to
        :func:`analysis.tokens.dfm`). A word found in one unit cannot link two units; it
        only adds noise dimensions (scikit-learn's example uses ``min_df=5`` on ~3,400
        documents).
    n_components : int or "auto", default "auto"
        LSA dimensions; "auto" = :func:`auto_components` of the number of fitted units.
        Always capped for tiny corpora (see :func:`lsa`).
    n_init : int, default 10
    n_boot : int, default 20
    n_seeds : int, default 5
    min_stability : float, default 0.6
    k_tolerance : float, default 0.01
        ``min_stability`` and ``tolerance`` of :func:`choose_k`.
    n_terms : int, default 10
        Top terms kept per topic.
    n_central : int, default 3
        Central units kept per topic.
    max_select_units : int or None, default 5000
        Above this many fitted units, k is chosen on a seeded random subsample of this
        size (drawn with ``random_state``; k-selection runs ``1 + n_seeds + n_boot``
        clusterings per candidate k, and the silhouette is computed on the subsample), and
        the ``n_init`` restarts of the final k-means run on the same subsample, whose best
        centres start one k-means run over every unit (:func:`cluster` ``init_sample``): the
        cost is linear in the units and every unit is assigned. None = never subsample.
    max_lsa_units : int or None, default 20000
        Above this many fitted units, the LSA (truncated SVD) is fitted on a seeded random
        sample of this size and every unit is projected on it (:func:`lsa` ``fit_sample``).
        None = fit on all units.
    embed : callable, optional
        ``embed(list_of_texts) -> array (n, d)`` replacing TF-IDF + LSA as the unit
        vectors (rows are L2-normalised). Nothing is downloaded by this module.
    random_state : int or None, default 0
    n_jobs : int or None, default None
        Processes for the k-selection and :meth:`sensitivity` (``select_k``'s ``n_jobs``;
        -1 = all cores, None = 1). The results do not depend on it.

    Attributes
    ----------
    units_ : pandas.DataFrame
        :func:`unit_table` plus ``n_content_tokens``, ``short_reason`` ("" if not short)
        and ``is_short``.
    assignments_ : pandas.DataFrame
        One row per unit: keys, ``text``, ``topic``, ``topic_label``, ``similarity`` (cosine
        to its topic centroid), ``is_short``, ``outlet``, ``outlet_group``, ``published``.
    labels_ : pandas.DataFrame
        One row per topic (-1 first): ``topic, topic_label, n_units, share, top_terms``.
    terms_ : pandas.DataFrame
        :func:`top_terms` output.
    central_ : pandas.DataFrame
        Most central units: ``topic, rank``, keys, ``similarity, text``.
    k_selection_ : pandas.DataFrame
        :func:`select_k` output (empty if ``k`` was given or no k was feasible).
    k_ : int
        Number of topics fitted (0 when no unit was long enough).
    k_reason_ : str
        Why ``k_`` (from :func:`choose_k`).
    vectors_ : numpy.ndarray
        Unit vectors of the fitted (not short) units, in ``assignments_`` order.
    fit_rows_ : numpy.ndarray
        Positions of the fitted units in ``units_``.
    select_rows_ : numpy.ndarray
        Positions, among the fitted units (rows of ``vectors_``), of the units k was
        selected on: all of them, or the seeded subsample of ``max_select_units``.
    counts_ : analysis.tokens.DFM
        Counts over the clustering vocabulary, all units (for c-TF-IDF).
    tfidf_ : scipy.sparse.csr_matrix or None
        TF-IDF rows of the fitted units (None with ``embed``).
    lsa_ : sklearn.pipeline.Pipeline or None

    Examples
    --------
    >>> from analysis import load_corpus, topics
    >>> from analysis.config import RAW_DIR
    >>> model = topics.TopicModel(k=4).fit(load_corpus(RAW_DIR))
    >>> model.k_, len(model.assignments_), int((model.assignments_["topic"] >= 0).sum())
    (4, 78, 73)
    >>> model.labels_[["topic", "topic_label", "n_units"]]
       topic                          topic_label  n_units
    0     -1                          (too short)        5
    1      0  china-us / relationship / relations       26
    2      1         trade / economic / countries       17
    3      2         mutual / cooperation / world       16
    4      3            president / china / trump       14
    """

    def __init__(self, *, k=None, k_range=range(2, 9), level="paragraph", method="kmeans",
                 min_tokens=5, min_df=2, n_components="auto", n_init=10, n_boot=20, n_seeds=5,
                 min_stability=0.6, k_tolerance=0.01, n_terms=10, n_central=3,
                 max_select_units=5000, max_lsa_units=20_000, embed=None, random_state=0,
                 n_jobs=None):
        self.k = k
        self.k_range = k_range
        self.level = level
        self.method = method
        self.min_tokens = min_tokens
        self.min_df = min_df
        self.n_components = n_components
        self.n_init = n_init
        self.n_boot = n_boot
        self.n_seeds = n_seeds
        self.min_stability = min_stability
        self.k_tolerance = k_tolerance
        self.n_terms = n_terms
        self.n_central = n_central
        self.max_select_units = max_select_units
        self.max_lsa_units = max_lsa_units
        self.embed = embed
        self.random_state = random_state
        self.n_jobs = n_jobs

    def fit(self, corpus, *, tokens: Tokens | None = None) -> TopicModel:
        """Fit the topics of ``corpus``.

        Parameters
        ----------
        corpus : analysis.corpus.Corpus
        tokens : analysis.tokens.Tokens, optional
            ``Tokens.from_corpus(corpus, level=level)`` if the caller already made them
            (a notebook tokenizes once); default: tokenized here.

        Returns
        -------
        TopicModel
            self.
        """
        self._prepare(corpus, tokens)
        self.vectors_, self.lsa_ = self._vectors(self.n_components)
        n_fit = len(self.fit_rows_)
        self.k_selection_ = pd.DataFrame(columns=SELECTION_COLUMNS)
        self.select_rows_ = self._sample_rows(n_fit)
        if n_fit == 0:
            self.k_, self.k_reason_ = 0, (
                "No unit is long enough to carry a topic, so there is nothing to cluster.")
        elif self.k is not None:
            self.k_ = min(int(self.k), n_distinct(self.vectors_))
            self.k_reason_ = f"k={self.k_} was fixed by the caller" + (
                f" (asked {self.k}, capped at the {self.k_} distinct units)."
                if self.k_ < self.k else ".")
        else:
            self.k_selection_ = self._select(self.vectors_)
            self.k_, self.k_reason_ = choose_k(self.k_selection_,
                                               min_stability=self.min_stability,
                                               tolerance=self.k_tolerance)
        labels = (cluster(self.vectors_, self.k_, method=self.method,
                          random_state=self.random_state, n_init=self.n_init,
                          init_sample=self.max_select_units)
                  if n_fit else np.zeros(0, dtype=int))
        self._describe(labels)
        return self

    def _prepare(self, corpus, tokens: Tokens | None = None) -> None:
        """Units, count and TF-IDF matrices from the shared tokenizer, and the short units."""
        check_one_of("level", self.level, LEVEL_KEYS, func="TopicModel.fit")
        keys = LEVEL_KEYS[self.level]
        units = unit_table(corpus, level=self.level)
        toks = Tokens.from_corpus(corpus, level=self.level) if tokens is None else tokens
        if not toks.docs[keys].equals(units[keys]):
            raise ValueError(f"TopicModel.fit: the tokenizer's {self.level} keys do not match the corpus "
                             "table; rebuild the corpus with analysis.corpus.load_corpus.")
        content = content_token_counts(toks)  # no second full-vocabulary matrix
        self.counts_ = dfm(toks, weighting="count", min_df=self.min_df)
        shared = np.asarray(self.counts_.matrix.sum(axis=1)).ravel()
        units["n_content_tokens"] = content.astype(int)
        reason = np.select(
            [units["is_heading"].to_numpy(), content < self.min_tokens, shared == 0],
            ["heading", f"fewer than {self.min_tokens} content words",
             "no word shared with another unit"], default="")
        units["short_reason"] = pd.Series(reason, dtype="str")
        units["is_short"] = units["short_reason"] != ""
        self.units_ = units
        self.fit_rows_ = np.flatnonzero(~units["is_short"].to_numpy())
        # the TF-IDF dfm(weighting="tfidf") would give, from the counts just built (not twice)
        self.tfidf_ = (sp.csr_matrix(TfidfTransformer().fit_transform(self.counts_.matrix))[
            self.fit_rows_] if self.embed is None else None)

    def _vectors(self, n_components) -> tuple[np.ndarray, Pipeline | None]:
        """Unit vectors of the fitted units: LSA of the TF-IDF rows, or the ``embed`` hook."""
        n_fit = len(self.fit_rows_)
        if n_fit == 0:
            return np.zeros((0, 0)), None
        if self.embed is not None:
            texts = self.units_["text"].iloc[self.fit_rows_].tolist()
            return normalize(np.asarray(self.embed(texts), dtype=float)), None
        if n_components == "auto":
            n_components = auto_components(n_fit)
        return lsa(self.tfidf_, n_components=n_components, random_state=self.random_state,
                   fit_sample=self.max_lsa_units)

    def _sample_rows(self, n: int, max_units: int | None = None) -> np.ndarray:
        """Sorted positions of the seeded subsample of ``max_units`` of ``n`` units (all if fewer).

        ``max_units`` defaults to ``max_select_units``; the draw is the one :func:`cluster`
        makes with ``init_sample`` and the same seed.
        """
        max_units = max_units or self.max_select_units
        if max_units and n > max_units:
            rng = np.random.default_rng(self.random_state)
            return np.sort(rng.choice(n, max_units, replace=False))
        return np.arange(n)

    def _select(self, vectors: np.ndarray, max_units: int | None = None) -> pd.DataFrame:
        """k-selection, on a seeded subsample of ``max_units`` units if larger.

        ``max_units`` defaults to ``max_select_units``.
        """
        rows = self._sample_rows(len(vectors), max_units)
        if len(rows) < len(vectors):
            vectors = vectors[rows]
        return select_k(vectors, k_range=self.k_range, random_state=self.random_state,
                        n_boot=self.n_boot, n_seeds=self.n_seeds, method=self.method,
                        n_init=self.n_init, n_jobs=self.n_jobs)

    def _describe(self, labels: np.ndarray) -> None:
        """Assignments, labels, top terms and central units from the fitted labels."""
        keys = LEVEL_KEYS[self.level]
        units, fit_rows = self.units_, self.fit_rows_
        n_fit = len(fit_rows)
        topic = np.full(len(units), TOO_SHORT, dtype=int)
        topic[fit_rows] = labels
        # all rows, the short ones labelled -1: no copy of the count matrix's fitted rows
        self.terms_ = top_terms(self.counts_.matrix, topic, self.counts_.features,
                                n_terms=self.n_terms)
        names = topic_labels(self.terms_)
        fit_similarity = centroid_similarity(self.vectors_, labels) if n_fit else []
        similarity = np.full(len(units), np.nan)
        similarity[fit_rows] = fit_similarity
        self.assignments_ = units[keys + ["text"]].assign(
            topic=topic,
            topic_label=pd.Series(topic).map(names).fillna("").to_numpy(),
            similarity=similarity,
            is_short=units["is_short"],
            outlet=units.get("outlet"),
            outlet_group=units.get("outlet_group"),
            published=units["published"],
        )
        central = (central_units(self.vectors_, labels, n=self.n_central,
                                 similarity=fit_similarity) if n_fit else None)
        if central is None or central.empty:
            self.central_ = pd.DataFrame(columns=["topic", "rank", *keys, "similarity", "text"])
        else:
            picked = self.assignments_.iloc[fit_rows[central["row"].to_numpy()]]
            self.central_ = pd.concat(
                [central[["topic", "rank"]].reset_index(drop=True),
                 picked[keys + ["similarity", "text"]].reset_index(drop=True)], axis=1)
        sizes = self.assignments_["topic"].value_counts()
        joined = {int(t): ", ".join(g) for t, g in self.terms_.groupby("topic")["term"]}
        self.labels_ = pd.DataFrame({"topic": names.index.astype(int),
                                     "topic_label": names.to_numpy()})
        self.labels_["n_units"] = self.labels_["topic"].map(sizes).fillna(0).astype(int)
        self.labels_["share"] = self.labels_["n_units"] / max(len(units), 1)
        self.labels_["top_terms"] = [joined.get(t, "") for t in self.labels_["topic"]]

    def sensitivity(
        self, *, n_components: Iterable[int] | None = None, max_units: int | None = 1000
    ) -> pd.DataFrame:
        """How the choice of k depends on the number of LSA dimensions.

        Re-runs the k-selection on the fitted units for each number of dimensions
        (the matrices are reused, nothing is re-tokenized) and applies :func:`choose_k`.

        Parameters
        ----------
        n_components : iterable of int, optional
            Default: half, once, twice and four times the fitted number of dimensions
            (at least 2).
        max_units : int or None, default 1000
            The LSA and the k-selection are fitted on a seeded subsample of at most this
            many units, which bounds the cost on large corpora (nothing here grows with
            the corpus). None = all units.

        Returns
        -------
        pandas.DataFrame
            ``n_components`` (as used, after capping), ``explained_variance``, ``k``,
            ``silhouette``, ``stability_seed``, ``stability_boot`` (of the chosen k) and
            ``stable`` (whether it reached ``min_stability``).
        """
        if self.embed is not None or len(self.fit_rows_) == 0:
            raise ValueError("TopicModel.sensitivity: there is no fitted LSA model (an embed hook, or no "
                             "unit clustered); fit without embed on a corpus with long enough units")
        if n_components is None:
            d = self.vectors_.shape[1]
            n_components = [max(2, d // 2), d, 2 * d, 4 * d]
        sample = self._sample_rows(len(self.fit_rows_), max_units or len(self.fit_rows_))
        tfidf = self.tfidf_
        if len(sample) < len(self.fit_rows_):
            # words absent from the sample are all-zero columns: they change no LSA vector but
            # the randomized SVD would hold dense (words x dimensions) matrices for them, so the
            # memory grew with the corpus vocabulary; dropped (this changes the SVD's random
            # draw, so sampled sensitivity tables differ from those before issue #18)
            tfidf = tfidf[sample]
            tfidf = tfidf[:, np.flatnonzero(tfidf.getnnz(axis=0))]
        cap = min(tfidf.shape) - 1  # what lsa() would cap at
        rows = []
        for nc in sorted({max(1, min(int(nc), cap)) for nc in n_components}):
            vectors, pipe = lsa(tfidf, n_components=nc, random_state=self.random_state)
            # the seed stability only of the k the rule picks (the only one reported; the rule
            # does not read it): the same value, without n_seeds fits of every other k
            sel = select_k(vectors, k_range=self.k_range, random_state=self.random_state,
                           n_boot=self.n_boot, n_seeds=self.n_seeds, method=self.method,
                           n_init=self.n_init, n_jobs=self.n_jobs, seed_stability=False)
            k, _ = choose_k(sel, min_stability=self.min_stability, tolerance=self.k_tolerance)
            row = sel.set_index("k").loc[k] if k in set(sel["k"]) else pd.Series(dtype=float)
            if len(row):
                with _one_thread(len(vectors)):
                    row["stability_seed"] = stability_seed(
                        vectors, k, random_state=self.random_state, n_seeds=self.n_seeds,
                        method=self.method, n_init=self.n_init)
            rows.append({
                "n_components": vectors.shape[1],
                "explained_variance": (float(pipe[0].explained_variance_ratio_.sum())
                                       if pipe is not None else float("nan")),
                "k": k,
                "silhouette": row.get("silhouette", np.nan),
                "stability_seed": row.get("stability_seed", np.nan),
                "stability_boot": row.get("stability_boot", np.nan),
            })
        out = pd.DataFrame(rows)
        out["stable"] = out["stability_boot"] >= self.min_stability
        return out

    # ---- views ---------------------------------------------------------------------
    def to_table(self) -> pd.DataFrame:
        """The export: keys, ``text``, ``topic``, ``topic_label`` of every unit, sorted by key."""
        return self.assignments_[[*LEVEL_KEYS[self.level], "text", "topic", "topic_label"]]

    def summary(self) -> pd.DataFrame:
        """The numbers behind the method, as a two-column table (``measure``, ``value``)."""
        reasons = self.units_["short_reason"].value_counts()
        rows = [("units", len(self.units_)),
                *[(f"too short: {r}", int(reasons.get(r, 0))) for r in sorted(reasons.index)
                  if r],
                ("units clustered", len(self.fit_rows_)),
                ("clustering vocabulary (words)", self.counts_.matrix.shape[1]),
                ("unit vector dimensions", self.vectors_.shape[1])]
        if self.lsa_ is not None:
            rows.append(("LSA explained variance",
                         round(float(self.lsa_[0].explained_variance_ratio_.sum()), 3)))
        rows.append(("topics (k)", self.k_))
        measures, values = zip(*rows, strict=True)
        return pd.DataFrame({"measure": list(measures), "value": pd.Series(values, dtype=object)})

    def shares(self, *, by: str = "outlet", units=None) -> pd.DataFrame:
        """Topic counts and shares per ``by`` group (see :func:`topic_shares`; ``units=``
        from :func:`analysis.stats.independent_units` counts near-duplicate copies once)."""
        return topic_shares(self.assignments_, by=by, units=units)

    def over_time(self, *, freq: str = "M", units=None) -> pd.DataFrame:
        """Topic counts and shares per period (see :func:`topics_over_time`)."""
        return topics_over_time(self.assignments_, date="published", freq=freq, units=units)

    def map_table(self) -> pd.DataFrame:
        """2-D coordinates (PCA of the unit vectors) of the fitted units, with topic and outlet.

        Returns
        -------
        pandas.DataFrame
            Keys, ``x, y, topic, topic_label, outlet, outlet_group``.
        """
        fitted = self.assignments_[~self.assignments_["is_short"]]
        xy = map_coordinates(self.vectors_, random_state=self.random_state)
        cols = [*LEVEL_KEYS[self.level], "topic", "topic_label", "outlet", "outlet_group"]
        return fitted[cols].assign(x=xy[:, 0], y=xy[:, 1]).reset_index(drop=True)

    def validate(self, annotations: str | Path | pd.DataFrame) -> Validation | None:
        """Compare the topics with a hand-coded sample (see :func:`validate`).

        Parameters
        ----------
        annotations : str, pathlib.Path or pandas.DataFrame
            A CSV path, an already read table, or ``""`` for none.

        Returns
        -------
        Validation or None
            None when no sample was given or the file does not exist (yet).
        """
        if isinstance(annotations, pd.DataFrame):
            return validate(self.assignments_, annotations)
        if not annotations or not Path(annotations).is_file():
            return None
        return validate(self.assignments_,
                        read_annotations(annotations, level="paragraph"))
