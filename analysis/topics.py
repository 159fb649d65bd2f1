"""Topic clustering of paragraphs (or sentences, or articles): which topics make up the coverage?

The pipeline follows scikit-learn's "Clustering text documents using k-means"
example: a TF-IDF matrix (built from the ONE shared tokenizer, :mod:`analysis.tokens`)
is reduced by latent semantic analysis (``TruncatedSVD`` then ``Normalizer``), and the
unit vectors are clustered by k-means (or, as the alternative, Ward agglomerative
clustering). Everything random takes a ``random_state``.

Choosing k
----------
:func:`select_k` scores every candidate k by

* the mean silhouette of the k-means partition (how well separated it is), and
* its stability: the mean adjusted Rand index (ARI) between runs on different seeds
  (``stability_seed``) and between the full-data partition and partitions fitted on
  bootstrap resamples of the units, compared on the units drawn (``stability_boot``).

:func:`choose_k` then applies one documented rule: among the k whose bootstrap
stability is at least ``min_stability`` (0.6 by default), take the smallest k whose
silhouette is within 0.01 of the highest (so near-ties go to fewer topics). Silhouette alone
rewards splitting noise in small samples; the stability filter keeps only partitions
that come back when the data are resampled. 0.6 is borrowed from Hennig's (2007)
guideline for the bootstrap (Jaccard) stability of single clusters, below which a cluster
should not be trusted; applied here to the ARI of whole partitions it is a convention, not
a calibrated threshold (``min_stability`` changes it). If no k
reaches the threshold, the most stable k is taken (tie -> smaller k) and the reason
says so. A candidate k needs at least ``min_units_per_topic`` (3) fitted units per
topic on average; if no k qualifies (one short article, say) everything is one topic.

Short units
-----------
Headings (``is_heading``), datelines and any unit with fewer than ``min_tokens`` (5)
content words (stopwords removed) carry no topic of their own, and neither does a unit
none of whose words occurs in another unit (nothing links it to the rest). They are
**excluded from fitting** (they would otherwise form, or dilute, a junk cluster) and get
topic ``-1`` with the label ``"(too short)"``; ``units_.short_reason`` says why. They stay
in every table, so counts always add up to the number of units.

Representation choices
----------------------
The clustering vocabulary keeps words found in at least ``min_df`` (2) units, and LSA
keeps about one dimension per 15 fitted units (at most 100, :func:`auto_components`).
Both matter on small corpora, where the full TF-IDF space makes every paragraph nearly
orthogonal to every other; :meth:`TopicModel.sensitivity` shows how k moves with the
number of dimensions.

Topic labels
------------
Top terms per topic by class-based TF-IDF (BERTopic's c-TF-IDF, :func:`ctfidf`),
``topic_label`` = the top three joined with ``" / "``, and the most central units of each
topic (cosine similarity to the topic's centroid in LSA space, :func:`central_units`).

Scale
-----
:func:`fit_minibatch` clusters corpora that do not fit in memory: a hashing vectorizer
fed by the shared tokenizer, an optional fixed-IDF pass, and ``MiniBatchKMeans.partial_fit``
chunk by chunk. Memory is one chunk's matrix, a bounded buffer and the
``k x n_features`` centroids, whatever the corpus size.
"""

from __future__ import annotations

import textwrap
import warnings
from collections.abc import Iterable, Iterator, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field
from itertools import chain, combinations
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.base import BaseEstimator
from sklearn.cluster import AgglomerativeClustering, KMeans, MiniBatchKMeans
from sklearn.decomposition import PCA, TruncatedSVD
from sklearn.feature_extraction.text import HashingVectorizer
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score, silhouette_score
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import Normalizer, normalize
from threadpoolctl import threadpool_limits

from analysis._checks import check_one_of
from analysis.tokens import (
    DFM,
    LEVEL_KEYS,
    Tokens,
    count_matrix,
    dfm,
    stopwords,
    tokenize_joined,
)

#: Topic id given to units too short to carry a topic (not used in fitting).
TOO_SHORT = -1
#: Label of :data:`TOO_SHORT`.
TOO_SHORT_LABEL = "(too short)"
METHODS = ("kmeans", "agglomerative")
SELECTION_COLUMNS = ["k", "silhouette", "stability_seed", "stability_boot"]
#: Inputs up to this many units are clustered on one thread (see :func:`cluster`).
SMALL = 50_000


# --------------------------------------------------------------------------------------
# Representation
# --------------------------------------------------------------------------------------
def lsa(
    X: sp.spmatrix | np.ndarray,
    n_components: int = 100,
    random_state: int | None = 0,
) -> tuple[np.ndarray, Pipeline | None]:
    """Reduce a TF-IDF matrix by latent semantic analysis and L2-normalise the rows.

    ``TruncatedSVD`` then ``Normalizer(copy=False)``, as in scikit-learn's text
    clustering example. ``n_components`` adapts to tiny inputs: it is capped at
    ``n_features - 1`` and ``n_units - 1``. When even one component is impossible
    (one unit or one feature) the rows are only L2-normalised and no pipeline is
    returned.

    Parameters
    ----------
    X : scipy.sparse matrix or numpy.ndarray, shape (n_units, n_features)
        TF-IDF weights.
    n_components : int, default 100
        Upper bound on the number of LSA dimensions.
    random_state : int or None, default 0
        Seed of the randomized SVD.

    Returns
    -------
    vectors : numpy.ndarray, shape (n_units, n_dims)
        Unit-length rows (all-zero rows stay zero).
    pipeline : sklearn.pipeline.Pipeline or None
        The fitted ``TruncatedSVD`` + ``Normalizer`` (``pipeline[0].inverse_transform``
        maps back to term space), or None when no SVD was possible.
    """
    n_units, n_features = X.shape
    n = min(int(n_components), n_features - 1, n_units - 1)
    if n < 1:
        dense = X.toarray() if sp.issparse(X) else np.asarray(X, dtype=float)
        return normalize(dense), None
    pipeline = make_pipeline(
        TruncatedSVD(n_components=n, random_state=random_state), Normalizer(copy=False)
    )
    with _one_thread(n_units):
        return pipeline.fit_transform(X), pipeline


def auto_components(n_units: int, per_dimension: int = 15, maximum: int = 100) -> int:
    """Default number of LSA dimensions: one per ``per_dimension`` units, 2 to ``maximum``.

    scikit-learn's example keeps 100 dimensions for ~3,400 documents. On a small corpus
    that many dimensions leave every unit nearly orthogonal to every other (the space
    is as sparse as the TF-IDF itself) and no partition is stable; about one dimension
    per 15 units keeps the shared co-occurrence structure and drops the rest.

    Parameters
    ----------
    n_units : int
    per_dimension : int, default 15
    maximum : int, default 100

    Returns
    -------
    int
    """
    return int(min(maximum, max(2, n_units // per_dimension)))


# --------------------------------------------------------------------------------------
# Clustering
# --------------------------------------------------------------------------------------
def canonical_labels(labels: np.ndarray) -> np.ndarray:
    """Renumber cluster labels by size (largest = 0), ties by first appearance.

    Makes topic ids independent of the arbitrary numbering of the clustering
    algorithm, so that equal partitions get equal ids. Negative labels are kept.

    Parameters
    ----------
    labels : array-like of int

    Returns
    -------
    numpy.ndarray of int
    """
    labels = np.asarray(labels)
    out = labels.copy()
    pos = labels >= 0
    if not pos.any():
        return out
    values, first, counts = np.unique(labels[pos], return_index=True, return_counts=True)
    order = np.lexsort((first, -counts))  # size descending, then first appearance
    mapping = np.empty(values.max() + 1, dtype=int)
    mapping[values[order]] = np.arange(len(values))
    out[pos] = mapping[labels[pos]]
    return out


def cluster(
    X: np.ndarray,
    k: int,
    method: str = "kmeans",
    random_state: int | None = 0,
    n_init: int = 10,
) -> np.ndarray:
    """Partition the rows of ``X`` into ``k`` clusters, with canonical ids.

    Parameters
    ----------
    X : numpy.ndarray, shape (n_units, n_dims)
        Unit vectors (LSA output).
    k : int
        Number of clusters (``1 <= k <= n_units``).
    method : {"kmeans", "agglomerative"}, default "kmeans"
        k-means (``n_init`` restarts, seeded) or Ward agglomerative clustering
        (deterministic, no seed needed).
    random_state : int or None, default 0
        k-means seed.
    n_init : int, default 10
        k-means restarts; the best inertia is kept.

    Returns
    -------
    numpy.ndarray of int, shape (n_units,)
        Labels ``0..k-1``, 0 = largest cluster (see :func:`canonical_labels`).
    """
    n = X.shape[0]
    check_one_of("method", method, METHODS, func="cluster")
    m = n_distinct(X)
    if not 1 <= k <= m:
        raise ValueError(f"k={k} clusters is impossible for {n} units with {m} distinct "
                         f"vectors: use 1 <= k <= {m}.")
    if k == 1:
        return np.zeros(n, dtype=int)
    with _one_thread(n):
        if method == "kmeans":
            model = KMeans(n_clusters=k, n_init=n_init, random_state=random_state)
        else:
            model = AgglomerativeClustering(n_clusters=k, linkage="ward")
        labels = model.fit_predict(X)
    return canonical_labels(labels)


def n_distinct(X: np.ndarray) -> int:
    """Number of distinct rows of ``X`` (rounded to 10 decimals).

    k-means cannot make more clusters than there are distinct points (duplicated
    paragraphs, e.g. from syndicated copies, are common), so k is capped by this.

    Parameters
    ----------
    X : numpy.ndarray

    Returns
    -------
    int
    """
    return int(np.unique(np.round(np.asarray(X), 10), axis=0).shape[0]) if len(X) else 0


def _one_thread(n_units: int):
    """Limit OpenMP and BLAS to one thread for inputs up to :data:`SMALL` units.

    k-selection runs hundreds of small fits, for which thread start-up and contention
    dominate (3 to 20 times slower on a busy machine), and one thread fixes the order of
    floating-point sums, so results do not depend on the machine's core count.
    """
    return threadpool_limits(1) if n_units <= SMALL else nullcontext()


def _seeds(random_state: int | None, n: int) -> list[int]:
    """``n`` reproducible integer seeds derived from ``random_state``."""
    return [int(s) for s in np.random.default_rng(random_state).integers(0, 2**31 - 1, n)]


def stability_seed(
    X: np.ndarray,
    k: int,
    random_state: int | None = 0,
    n_seeds: int = 5,
    method: str = "kmeans",
    n_init: int = 10,
) -> float:
    """Mean pairwise adjusted Rand index between clusterings run with different seeds.

    Measures how much the partition depends on the initialisation, with the same
    ``n_init`` the final model uses. Deterministic methods (agglomerative) score 1.

    Parameters
    ----------
    X : numpy.ndarray
        Unit vectors.
    k : int
        Number of clusters.
    random_state : int or None, default 0
        Seed from which the ``n_seeds`` run seeds are derived.
    n_seeds : int, default 5
        Number of runs (at least 2).
    method : {"kmeans", "agglomerative"}
    n_init : int, default 10

    Returns
    -------
    float
    """
    runs = [cluster(X, k, method, s, n_init) for s in _seeds(random_state, max(n_seeds, 2))]
    return float(np.mean([adjusted_rand_score(a, b) for a, b in combinations(runs, 2)]))


def stability_boot(
    X: np.ndarray,
    k: int,
    random_state: int | None = 0,
    n_boot: int = 20,
    method: str = "kmeans",
    n_init: int = 10,
    reference: np.ndarray | None = None,
) -> float:
    """Mean adjusted Rand index between the full-data partition and bootstrap partitions.

    Each replicate draws ``n_units`` units with replacement, clusters them, and
    compares the labels of the distinct units drawn (the units common to both
    partitions) with their labels in the full-data partition.

    Parameters
    ----------
    X : numpy.ndarray
        Unit vectors.
    k : int
        Number of clusters.
    random_state : int or None, default 0
        Seed of the resampling and of the clusterings.
    n_boot : int, default 20
        Bootstrap replicates. Replicates with ``k`` or fewer distinct units are skipped.
    method : {"kmeans", "agglomerative"}
    n_init : int, default 10
    reference : numpy.ndarray, optional
        The full-data partition, if already computed (else it is computed with
        ``random_state``).

    Returns
    -------
    float
        NaN if every replicate was skipped.
    """
    n = X.shape[0]
    if reference is None:
        reference = cluster(X, k, method, random_state, n_init)
    rng = np.random.default_rng(random_state)
    scores = []
    for seed in _seeds(random_state, n_boot):
        idx = np.sort(rng.integers(0, n, n))
        distinct, first = np.unique(idx, return_index=True)
        if n_distinct(X[distinct]) < k:
            continue
        labels = cluster(X[idx], k, method, seed, n_init)[first]
        scores.append(adjusted_rand_score(reference[distinct], labels))
    return float(np.mean(scores)) if scores else float("nan")


def feasible_k(
    n_units: int,
    k_range: Iterable[int],
    min_units_per_topic: int = 3,
    n_distinct_units: int | None = None,
) -> list[int]:
    """The candidate k that can be scored on ``n_units`` units.

    Silhouette needs ``2 <= k <= n_units - 1``; k-means needs ``k`` at most the number of
    distinct vectors; on top of that a topic should hold at least ``min_units_per_topic``
    units on average (``k * min_units_per_topic <= n_units``).

    Parameters
    ----------
    n_units : int
    k_range : iterable of int
    min_units_per_topic : int, default 3
    n_distinct_units : int, optional
        Distinct unit vectors (:func:`n_distinct`); default ``n_units``.

    Returns
    -------
    list of int
        Sorted.
    """
    m = n_units if n_distinct_units is None else n_distinct_units
    return sorted(
        {int(k) for k in k_range
         if 2 <= k <= min(n_units - 1, m) and k * min_units_per_topic <= n_units}
    )


def select_k(
    X: np.ndarray,
    k_range: Iterable[int] = range(2, 9),
    random_state: int | None = 0,
    n_boot: int = 20,
    n_seeds: int = 5,
    method: str = "kmeans",
    n_init: int = 10,
    min_units_per_topic: int = 3,
    silhouette_sample: int | None = 10_000,
) -> pd.DataFrame:
    """Score each candidate number of topics by silhouette and stability.

    Parameters
    ----------
    X : numpy.ndarray, shape (n_units, n_dims)
        Unit vectors (LSA output).
    k_range : iterable of int, default range(2, 9)
        Candidates; infeasible ones are dropped (see :func:`feasible_k`).
    random_state : int or None, default 0
    n_boot : int, default 20
        Bootstrap replicates per k (:func:`stability_boot`).
    n_seeds : int, default 5
        Seeded runs per k (:func:`stability_seed`).
    method : {"kmeans", "agglomerative"}
    n_init : int, default 10
    min_units_per_topic : int, default 3
    silhouette_sample : int or None, default 10000
        Above this many units the silhouette is computed on a seeded sample of this
        size (it is quadratic in the number of units). None = always exact.

    Returns
    -------
    pandas.DataFrame
        Columns ``k, silhouette, stability_seed, stability_boot``, one row per feasible
        k, sorted by k; empty (with those columns) if no k is feasible.
    """
    n = X.shape[0]
    sample = silhouette_sample if silhouette_sample and n > silhouette_sample else None
    rows = []
    for k in feasible_k(n, k_range, min_units_per_topic, n_distinct(X)):
        labels = cluster(X, k, method, random_state, n_init)
        with _one_thread(n):
            sil = silhouette_score(X, labels, sample_size=sample, random_state=random_state)
        rows.append(
            {
                "k": k,
                "silhouette": float(sil),
                "stability_seed": stability_seed(X, k, random_state, n_seeds, method, n_init),
                "stability_boot": stability_boot(
                    X, k, random_state, n_boot, method, n_init, reference=labels
                ),
            }
        )
    return pd.DataFrame(rows, columns=SELECTION_COLUMNS).astype({"k": int})


def choose_k(
    selection: pd.DataFrame, min_stability: float = 0.6, tolerance: float = 0.01
) -> tuple[int, str]:
    """Pick k from a :func:`select_k` table by the module's documented rule.

    Among the k with ``stability_boot >= min_stability``, take the smallest k whose
    silhouette is within ``tolerance`` of the best silhouette among them: differences
    of a hundredth of silhouette are noise, and fewer topics are easier to read (and
    keep the silhouette's drift towards the largest k in check). If no k is stable
    enough, the most stable k is taken (to 3 decimals; tie -> smaller k). With no
    feasible k the answer is one topic.

    Parameters
    ----------
    selection : pandas.DataFrame
        Output of :func:`select_k`.
    min_stability : float, default 0.6
        Bootstrap stability (mean ARI) a k must reach to be preferred.
    tolerance : float, default 0.01
        Silhouette difference treated as a tie.

    Returns
    -------
    k : int
    reason : str
        One sentence, with the numbers, saying why.
    """
    if selection.empty:
        return 1, (
            "Too few units to compare numbers of topics (k-selection needs at least "
            "two candidate topics with several units each), so all units form one topic."
        )
    sel = selection.sort_values("k", ignore_index=True)
    stable = sel[sel["stability_boot"] >= min_stability]
    if not stable.empty:
        top = stable.loc[stable["silhouette"].idxmax()]
        pick = stable[stable["silhouette"] >= top["silhouette"] - tolerance].iloc[0]
        k = int(pick["k"])
        why = (f"the highest silhouette ({pick['silhouette']:.3f})" if k == int(top["k"]) else
               f"the smallest k whose silhouette ({pick['silhouette']:.3f}) is within "
               f"{tolerance:g} of the best ({top['silhouette']:.3f}, k={int(top['k'])})")
        others = ", ".join(f"k={int(x)}" for x in stable["k"] if x != k)
        return k, (
            f"k={k}: {why} among the k whose bootstrap stability reaches {min_stability:.2f} "
            f"(its stability: {pick['stability_boot']:.3f}; seed stability "
            f"{pick['stability_seed']:.3f})"
            + (f"; the other stable candidates were {others}." if others else
               "; it was the only stable candidate.")
        )
    best = sel.assign(_stab=sel["stability_boot"].fillna(-1).round(3)).sort_values(
        ["_stab", "k"], ascending=[False, True]
    ).iloc[0]
    return int(best["k"]), (
        f"k={int(best['k'])}: no k reached a bootstrap stability of {min_stability:.2f}, so the "
        f"most stable one was taken (stability {best['stability_boot']:.3f}, silhouette "
        f"{best['silhouette']:.3f}); treat these topics as tentative."
    )


# --------------------------------------------------------------------------------------
# Labels: c-TF-IDF and central units
# --------------------------------------------------------------------------------------
def _indicator(labels: np.ndarray) -> tuple[sp.csr_matrix, np.ndarray]:
    """Sparse (n_classes, n_units) membership matrix over labels >= 0, and the classes."""
    labels = np.asarray(labels)
    rows = np.flatnonzero(labels >= 0)
    classes, inverse = np.unique(labels[rows], return_inverse=True)
    member = sp.csr_matrix(
        (np.ones(len(rows)), (inverse, rows)), shape=(len(classes), len(labels))
    )
    return member, classes


def ctfidf(counts: sp.spmatrix, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Class-based TF-IDF (BERTopic's c-TF-IDF) of each topic's terms.

    Each topic is the concatenation of its units. With ``tf[t, c]`` the count of
    term ``t`` in topic ``c`` divided by the topic's total count (L1 normalisation),
    ``A`` the average number of words per topic and ``f[t]`` the count of ``t`` over
    all topics, the weight is ``tf[t, c] * log(1 + A / f[t])``. Units with a negative
    label (too short) are left out. Unlike BERTopic, ``A`` is not truncated to an
    integer. Terms that never occur in a topic unit get weight 0.

    Parameters
    ----------
    counts : scipy.sparse matrix, shape (n_units, n_features)
        Raw term counts (stopwords removed) from the shared tokenizer.
    labels : array-like of int, shape (n_units,)
        Topic of each unit; negative = excluded.

    Returns
    -------
    weights : numpy.ndarray, shape (n_topics, n_features)
    topics : numpy.ndarray
        The topic id of each row of ``weights`` (sorted).
    """
    member, classes = _indicator(labels)
    tf = np.asarray((member @ sp.csr_matrix(counts, dtype=float)).todense())
    if len(classes) == 0:
        return np.zeros((0, counts.shape[1])), classes
    totals = tf.sum(axis=1, keepdims=True)
    freq = tf.sum(axis=0)
    avg_words = totals.mean()
    with np.errstate(divide="ignore"):
        idf = np.where(freq > 0, np.log1p(avg_words / np.where(freq > 0, freq, 1)), 0.0)
    tf_norm = np.divide(tf, totals, out=np.zeros_like(tf), where=totals > 0)
    return tf_norm * idf, classes


def top_terms(
    counts: sp.spmatrix,
    labels: np.ndarray,
    features: Sequence[str],
    n_terms: int = 10,
) -> pd.DataFrame:
    """The ``n_terms`` highest c-TF-IDF terms of each topic.

    Parameters
    ----------
    counts : scipy.sparse matrix, shape (n_units, n_features)
        Raw term counts.
    labels : array-like of int
        Topic of each unit; negative = excluded.
    features : sequence of str
        Term of each column of ``counts``.
    n_terms : int, default 10

    Returns
    -------
    pandas.DataFrame
        Columns ``topic, rank`` (1 = top), ``term, score``; ties broken by term, zero
        scores dropped; sorted by topic then rank.
    """
    weights, topics = ctfidf(counts, labels)
    features = np.asarray(features, dtype=object)
    frames = []
    for row, topic in zip(weights, topics, strict=True):
        nz = np.flatnonzero(row > 0)
        order = nz[np.lexsort((features[nz], -row[nz]))][:n_terms]
        frames.append(
            pd.DataFrame(
                {"topic": int(topic), "rank": np.arange(1, len(order) + 1),
                 "term": features[order].astype(str), "score": row[order]}
            )
        )
    cols = ["topic", "rank", "term", "score"]
    if not frames:
        return pd.DataFrame({c: pd.Series(dtype=t) for c, t in
                             zip(cols, ["int64", "int64", "str", "float64"], strict=True)})
    return pd.concat(frames, ignore_index=True)[cols]


def topic_labels(terms: pd.DataFrame, n: int = 3, sep: str = " / ") -> pd.Series:
    """Short topic labels: the top ``n`` c-TF-IDF terms joined by ``sep``.

    Parameters
    ----------
    terms : pandas.DataFrame
        Output of :func:`top_terms`.
    n : int, default 3
    sep : str, default " / "

    Returns
    -------
    pandas.Series
        Indexed by topic id; also holds :data:`TOO_SHORT` -> :data:`TOO_SHORT_LABEL`.
    """
    top = terms[terms["rank"] <= n].sort_values(["topic", "rank"])
    labels = {int(t): sep.join(g) for t, g in top.groupby("topic")["term"]}
    labels[TOO_SHORT] = TOO_SHORT_LABEL
    return pd.Series(labels, dtype="str", name="topic_label").rename_axis("topic").sort_index()


def centroid_similarity(vectors: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Cosine similarity of each unit to the centroid (mean vector) of its topic.

    Parameters
    ----------
    vectors : numpy.ndarray, shape (n_units, n_dims)
    labels : array-like of int
        Negative labels get NaN.

    Returns
    -------
    numpy.ndarray of float
    """
    labels = np.asarray(labels)
    member, classes = _indicator(labels)
    sims = np.full(len(labels), np.nan)
    if len(classes) == 0:
        return sims
    sizes = np.asarray(member.sum(axis=1))
    centroids = normalize(np.asarray(member @ vectors) / sizes)
    unit = normalize(vectors)
    rows = np.flatnonzero(labels >= 0)
    which = np.searchsorted(classes, labels[rows])
    sims[rows] = np.einsum("ij,ij->i", unit[rows], centroids[which])
    return sims


def central_units(vectors: np.ndarray, labels: np.ndarray, n: int = 3) -> pd.DataFrame:
    """The ``n`` units closest (cosine) to the centroid of each topic.

    Parameters
    ----------
    vectors : numpy.ndarray, shape (n_units, n_dims)
    labels : array-like of int
        Negative labels are skipped.
    n : int, default 3

    Returns
    -------
    pandas.DataFrame
        Columns ``topic, rank, row`` (position of the unit in ``vectors``), ``similarity``;
        sorted by topic then rank; ties go to the earlier row.
    """
    labels = np.asarray(labels)
    df = pd.DataFrame({"topic": labels, "row": np.arange(len(labels)),
                       "similarity": centroid_similarity(vectors, labels)})
    df = df[df["topic"] >= 0].sort_values(["topic", "similarity", "row"],
                                          ascending=[True, False, True])
    df["rank"] = df.groupby("topic").cumcount() + 1
    df = df[df["rank"] <= n]
    return df[["topic", "rank", "row", "similarity"]].reset_index(drop=True)


# --------------------------------------------------------------------------------------
# Shares, time, map
# --------------------------------------------------------------------------------------
def _topic_names(topic: pd.Series, label: pd.Series) -> pd.Series:
    """``"id: label"`` display names of topics."""
    return topic.astype(str) + ": " + label.astype(str)


def _label_map(assignments: pd.DataFrame) -> pd.Series:
    return assignments.drop_duplicates("topic").set_index("topic")["topic_label"]


def topic_shares(assignments: pd.DataFrame, by: str = "outlet") -> pd.DataFrame:
    """Count and share of each topic within each outlet (or outlet group, genre...).

    Every (group, topic) pair appears, zeros included, and the too-short units
    (topic -1) are counted too, so the counts of a group add up to its number of units.

    Parameters
    ----------
    assignments : pandas.DataFrame
        One row per unit with ``topic``, ``topic_label`` and the ``by`` column
        (:attr:`TopicModel.assignments_`).
    by : str, default "outlet"
        Grouping column, e.g. ``"outlet_group"``.

    Returns
    -------
    pandas.DataFrame
        Columns ``<by>, topic, topic_label, n, n_units, share`` (``share = n / n_units``),
        sorted by ``by`` then topic.
    """
    if by not in assignments.columns:
        raise KeyError(f"topic_shares: no column {by!r} in the assignments table.")
    counts = pd.crosstab(assignments[by].astype(str), assignments["topic"])
    long = counts.stack().rename("n").reset_index().rename(columns={"row_0": by})
    long.columns = [by, "topic", "n"]
    long["n_units"] = long.groupby(by)["n"].transform("sum")
    long["share"] = long["n"] / long["n_units"]
    long["topic_label"] = long["topic"].map(_label_map(assignments))
    long = long.astype({"topic": int, "n": int, "n_units": int})
    return long.sort_values([by, "topic"], ignore_index=True)[
        [by, "topic", "topic_label", "n", "n_units", "share"]
    ]


def wide_shares(shares: pd.DataFrame, by: str = "outlet") -> pd.DataFrame:
    """Display form of :func:`topic_shares`: one row per topic, one column per group.

    Parameters
    ----------
    shares : pandas.DataFrame
        Output of :func:`topic_shares`.
    by : str, default "outlet"

    Returns
    -------
    pandas.DataFrame of str
        Cells ``"43% (6)"`` (share, count); the last row gives each group's unit count.
    """
    cell = (shares["share"] * 100).round().astype(int).astype(str) + "% (" + \
        shares["n"].astype(str) + ")"
    topic = _topic_names(shares["topic"], shares["topic_label"])
    wide = shares.assign(cell=cell, topic=topic).pivot(index="topic", columns=by, values="cell")
    order = shares.drop_duplicates("topic").sort_values("topic")
    wide = wide.loc[_topic_names(order["topic"], order["topic_label"]).to_numpy()]
    totals = shares.drop_duplicates(by).set_index(by)["n_units"].astype(str)
    wide.loc["all units (n)"] = totals.loc[wide.columns].to_numpy()
    wide.columns.name = by
    return wide


def largest_gap(shares: pd.DataFrame, by: str = "outlet_group") -> pd.Series | None:
    """The topic whose share differs most between two groups (too-short units ignored).

    Parameters
    ----------
    shares : pandas.DataFrame
        Output of :func:`topic_shares`.
    by : str, default "outlet_group"

    Returns
    -------
    pandas.Series or None
        ``topic, topic_label, high, high_share, high_n, low, low_share, low_n`` (groups
        with the highest and lowest share of that topic); None with fewer than two groups
        or no topic. Ties go to the smaller topic id, then to the group sorted first.
    """
    topical = shares[shares["topic"] >= 0]
    if topical[by].nunique() < 2 or topical.empty:
        return None
    ranked = topical.sort_values(["topic", "share", by], ascending=[True, False, True])
    high = ranked.groupby("topic").head(1).set_index("topic")
    low = ranked.groupby("topic").tail(1).set_index("topic")
    gap = (high["share"] - low["share"]).round(12)
    t = gap.sort_index().idxmax()
    return pd.Series({
        "topic": int(t), "topic_label": high.loc[t, "topic_label"],
        "high": high.loc[t, by], "high_share": float(high.loc[t, "share"]),
        "high_n": int(high.loc[t, "n"]), "high_units": int(high.loc[t, "n_units"]),
        "low": low.loc[t, by], "low_share": float(low.loc[t, "share"]),
        "low_n": int(low.loc[t, "n"]), "low_units": int(low.loc[t, "n_units"]),
    })


def topics_over_time(
    assignments: pd.DataFrame, date: str = "published", freq: str = "M"
) -> pd.DataFrame:
    """Count and share of each topic per period of the article date.

    Units of articles without a date are left out; with no dated unit at all the
    result is empty (same columns), so callers can say so and move on.

    Parameters
    ----------
    assignments : pandas.DataFrame
        One row per unit with ``topic``, ``topic_label`` and a datetime column ``date``.
    date : str, default "published"
    freq : str, default "M"
        A pandas period frequency ("M" month, "W" week, "D" day, "Y" year).

    Returns
    -------
    pandas.DataFrame
        Columns ``period`` (str), ``topic, topic_label, n, n_units, share``.
    """
    cols = ["period", "topic", "topic_label", "n", "n_units", "share"]
    if date not in assignments.columns:
        return pd.DataFrame(columns=cols)
    dated = assignments[assignments[date].notna()]
    if dated.empty:
        return pd.DataFrame(columns=cols)
    dated = dated.assign(period=pd.to_datetime(dated[date]).dt.to_period(freq).astype(str))
    return topic_shares(dated, by="period")[cols]


def articles_per_period(articles: pd.DataFrame, by: str = "outlet",
                        freq: str = "M") -> pd.DataFrame:
    """Number of articles per period (rows) and ``by`` group (columns); undated left out.

    Parameters
    ----------
    articles : pandas.DataFrame
        The corpus ``articles`` table (``published`` and ``by`` columns).
    by : str, default "outlet"
    freq : str, default "M"

    Returns
    -------
    pandas.DataFrame
        Empty when no article has a date.
    """
    dated = articles[articles["published"].notna()]
    period = pd.to_datetime(dated["published"]).dt.to_period(freq).astype(str).rename("period")
    return pd.crosstab(period, dated[by].astype(str))


def map_coordinates(vectors: np.ndarray, random_state: int | None = 0) -> np.ndarray:
    """2-D coordinates of the units for a map: PCA of the LSA vectors.

    Parameters
    ----------
    vectors : numpy.ndarray, shape (n_units, n_dims)
    random_state : int or None, default 0
        Passed to PCA (used only by its randomized solver).

    Returns
    -------
    numpy.ndarray, shape (n_units, 2)
        Missing dimensions (one unit, one LSA dimension) are zero.
    """
    n, d = vectors.shape
    out = np.zeros((n, 2))
    m = min(2, n - 1, d) if n > 1 else 0
    if m >= 1:
        out[:, :m] = PCA(n_components=m, random_state=random_state).fit_transform(vectors)
    return out


# --------------------------------------------------------------------------------------
# Plots (each returns its Figure; save with analysis.plots.save_figure)
# --------------------------------------------------------------------------------------
_MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*", "<", ">", "h", "p")


def topic_colours(topics: Iterable[int]) -> dict[int, tuple]:
    """A fixed colour per topic id (grey for the too-short units).

    Parameters
    ----------
    topics : iterable of int

    Returns
    -------
    dict
        topic id -> RGBA tuple.
    """
    ids = sorted({int(t) for t in topics if t >= 0})
    name = "tab10" if len(ids) <= 10 else "tab20" if len(ids) <= 20 else "turbo"
    cmap = plt.get_cmap(name)
    colours = {t: cmap(i if name != "turbo" else i / max(len(ids) - 1, 1))
               for i, t in enumerate(ids)}
    colours[TOO_SHORT] = (0.75, 0.75, 0.75, 1.0)
    return colours


def _short(label: str, width: int = 40) -> str:
    return label if len(label) <= width else label[: width - 1] + "…"


def _wrap(label: str, width: int = 16, lines: int = 3) -> str:
    return "\n".join(textwrap.wrap(label, width, max_lines=lines, placeholder="…"))


def plot_k_selection(
    selection: pd.DataFrame, k: int | None = None, min_stability: float = 0.6
) -> plt.Figure:
    """Silhouette and stability curves against the number of topics.

    Parameters
    ----------
    selection : pandas.DataFrame
        Output of :func:`select_k`.
    k : int, optional
        The chosen k, marked by a vertical line.
    min_stability : float, default 0.6
        The stability threshold of :func:`choose_k`, drawn as a dashed line.

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9, 3.6), sharex=True)
    if selection.empty:
        for ax in (ax1, ax2):
            ax.text(0.5, 0.5, "too few units to compare k", ha="center", va="center",
                    transform=ax.transAxes)
            ax.set_xticks([])
            ax.set_yticks([])
    else:
        ax1.plot(selection["k"], selection["silhouette"], "o-", color="#444444")
        ax1.set_ylabel("mean silhouette")
        ax2.plot(selection["k"], selection["stability_boot"], "o-", label="bootstrap resamples")
        ax2.plot(selection["k"], selection["stability_seed"], "s--", label="k-means seeds")
        ax2.axhline(min_stability, color="grey", lw=0.8, ls=":",
                    label=f"threshold {min_stability:.2f}")
        ax2.set_ylabel("stability (mean ARI)")
        ax2.set_ylim(min(-0.05, float(selection[["stability_boot", "stability_seed"]].min().min())),
                     1.05)
        ax2.legend(frameon=False, fontsize=8, loc="lower left")
        for ax in (ax1, ax2):
            ax.set_xlabel("number of topics k")
            ax.set_xticks(selection["k"])
            if k is not None and k in set(selection["k"]):
                ax.axvline(k, color="#d62728", lw=1, alpha=0.6)
    ax1.set_title("Separation")
    ax2.set_title("Stability")
    fig.tight_layout()
    return fig


def plot_map(points: pd.DataFrame, marker_by: str = "outlet") -> plt.Figure:
    """Scatter map of the units, coloured by topic and marked by outlet.

    With more than 12 outlets the markers show ``outlet_group`` instead, so the
    legend stays readable.

    Parameters
    ----------
    points : pandas.DataFrame
        Columns ``x, y, topic, topic_label`` and ``marker_by`` (:meth:`TopicModel.map_table`).
    marker_by : str, default "outlet"

    Returns
    -------
    matplotlib.figure.Figure
    """
    if points[marker_by].nunique() > len(_MARKERS) and "outlet_group" in points:
        marker_by = "outlet_group"
    fig, ax = plt.subplots(figsize=(8, 5.5))
    if points.empty:
        ax.text(0.5, 0.5, "no unit long enough to map", ha="center", va="center",
                transform=ax.transAxes)
        ax.set_xticks([])
        ax.set_yticks([])
        return fig
    colours = topic_colours(points["topic"])
    groups = sorted(points[marker_by].astype(str).unique())
    markers = {g: _MARKERS[i % len(_MARKERS)] for i, g in enumerate(groups)}
    size = float(np.clip(6000 / len(points), 8, 42))  # smaller markers for many units
    for g in groups:
        sub = points[points[marker_by].astype(str) == g]
        ax.scatter(sub["x"], sub["y"], c=[colours[t] for t in sub["topic"]], marker=markers[g],
                   s=size, edgecolors="black", linewidths=0.4 if size > 20 else 0.2, alpha=0.8)
    labels = _label_map(points).sort_index()
    topic_handles = [
        plt.Line2D([], [], ls="", marker="o", color=colours[t], markeredgecolor="black",
                   markeredgewidth=0.4, label=f"{t}: {_short(str(lab))}")
        for t, lab in labels.items()
    ]
    marker_handles = [
        plt.Line2D([], [], ls="", marker=markers[g], color="white", markeredgecolor="black",
                   label=_short(g))
        for g in groups
    ]
    ax.set_xlabel("PCA 1 of the LSA vectors")
    ax.set_ylabel("PCA 2")
    ax.set_title("Map of the units (colour = topic, marker = " + marker_by.replace("_", " ") + ")")
    fig.tight_layout()
    # figure-level legends, so that bbox_inches="tight" keeps them whole
    fig.legend(handles=topic_handles, title="topic", frameon=False, fontsize=8,
               loc="upper left", bbox_to_anchor=(0.99, 0.95))
    fig.legend(handles=marker_handles, title=marker_by.replace("_", " "), frameon=False,
               fontsize=8, loc="lower left", bbox_to_anchor=(0.99, 0.08))
    return fig


def plot_outlet_heatmap(
    shares: pd.DataFrame, by: str = "outlet", annotate_max: int = 150
) -> plt.Figure:
    """Heatmap of topic shares (rows = outlets or groups, columns = topics).

    Cells show the share and, below it, the count, as long as there are at most
    ``annotate_max`` cells; the figure grows with the number of rows.

    Parameters
    ----------
    shares : pandas.DataFrame
        Output of :func:`topic_shares` with the same ``by``.
    by : str, default "outlet"
    annotate_max : int, default 150

    Returns
    -------
    matplotlib.figure.Figure
    """
    share = shares.pivot(index=by, columns="topic", values="share").sort_index()
    count = shares.pivot(index=by, columns="topic", values="n").loc[share.index, share.columns]
    labels = shares.drop_duplicates("topic").set_index("topic")["topic_label"]
    n_rows, n_cols = share.shape
    fig, ax = plt.subplots(figsize=(max(6.0, 1.3 * n_cols + 3), max(2.5, 0.45 * n_rows + 2.0)))
    im = ax.imshow(share.to_numpy(dtype=float), cmap="Blues", vmin=0,
                   vmax=max(float(share.to_numpy().max()), 1e-9), aspect="auto")
    ax.set_yticks(range(n_rows), [_short(str(r), 30) for r in share.index])
    ax.set_xticks(range(n_cols), [_wrap(f"{t}: {labels[t]}") for t in share.columns],
                  fontsize=8, rotation=0 if n_cols <= 8 else 90)
    if n_rows * n_cols <= annotate_max:
        top = float(share.to_numpy().max())
        for i in range(n_rows):
            for j in range(n_cols):
                v = float(share.iat[i, j])
                ax.text(j, i, f"{v:.0%}\n({int(count.iat[i, j])})", ha="center", va="center",
                        fontsize=7, color="white" if v > 0.6 * top else "black")
    fig.colorbar(im, ax=ax, label="share of the units", fraction=0.04)
    ax.set_title(f"Topic shares by {by.replace('_', ' ')} (count in brackets)")
    fig.tight_layout()
    return fig


def plot_topics_over_time(over_time: pd.DataFrame) -> plt.Figure:
    """Stacked bars of topic shares per period, with the number of units on top.

    Parameters
    ----------
    over_time : pandas.DataFrame
        Output of :func:`topics_over_time` (not empty).

    Returns
    -------
    matplotlib.figure.Figure
    """
    share = over_time.pivot(index="period", columns="topic", values="share").sort_index()
    totals = over_time.drop_duplicates("period").set_index("period")["n_units"].loc[share.index]
    labels = over_time.drop_duplicates("topic").set_index("topic")["topic_label"]
    colours = topic_colours(share.columns)
    fig, ax = plt.subplots(figsize=(max(6.0, 0.6 * len(share) + 4), 4.2))
    bottom = np.zeros(len(share))
    x = np.arange(len(share))
    for t in share.columns:
        vals = share[t].to_numpy(dtype=float)
        ax.bar(x, vals, bottom=bottom, color=colours[t], width=0.8,
               label=f"{t}: {_short(str(labels[t]))}")
        bottom += vals
    for xi, n in zip(x, totals, strict=True):
        ax.text(xi, 1.01, f"n={int(n)}", ha="center", va="bottom", fontsize=7)
    ax.set_xticks(x, share.index, rotation=45 if len(share) > 8 else 0)
    ax.set_ylim(0, 1.08)
    ax.set_ylabel("share of the units")
    ax.set_title("Topics over time (by article date)")
    ax.legend(frameon=False, fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    fig.tight_layout()
    return fig


# --------------------------------------------------------------------------------------
# Validation against hand-coded topics
# --------------------------------------------------------------------------------------
ANNOTATION_COLUMNS = ["article_id", "paragraph", "text", "topic_label"]


def read_annotations(path: str | Path) -> pd.DataFrame:
    """Read a hand-coded topic sample (``article_id, paragraph, text, topic_label``).

    Rows with an empty ``topic_label`` are dropped (not coded).

    Parameters
    ----------
    path : str or pathlib.Path
        CSV file.

    Returns
    -------
    pandas.DataFrame
        The four columns, ``paragraph`` as int, sorted by key.

    Raises
    ------
    ValueError
        If a column is missing or a paragraph index is not an integer.
    """
    path = Path(path)
    df = pd.read_csv(path, dtype={"article_id": str, "text": str, "topic_label": str})
    missing = [c for c in ANNOTATION_COLUMNS if c not in df.columns]
    if missing:
        raise ValueError(
            f"{path.name}: missing column(s) {missing}; a topic annotation file needs "
            f"{ANNOTATION_COLUMNS}."
        )
    para = pd.to_numeric(df["paragraph"], errors="coerce")
    bad = df.index[para.isna() | (para != para.round())]
    if len(bad):
        raise ValueError(
            f"{path.name}: row(s) {[int(i) + 2 for i in bad[:5]]} (line numbers) have a "
            "paragraph index that is not an integer; use the 0-based paragraph index of the corpus."
        )
    df = df.assign(paragraph=para.astype(int))
    df = df[df["topic_label"].fillna("").str.strip() != ""]
    return df[ANNOTATION_COLUMNS].sort_values(["article_id", "paragraph"], ignore_index=True)


def _squash(text: pd.Series) -> pd.Series:
    return text.fillna("").astype(str).str.replace(r"\s+", " ", regex=True).str.strip()


@dataclass
class Validation:
    """Agreement between topics and a hand-coded sample.

    Attributes
    ----------
    ari : float
        Adjusted Rand index over the matched units with a topic (>= 0); NaN if < 2 units.
    nmi : float
        Normalised mutual information over the same units.
    n_annotated : int
        Coded rows in the annotation file.
    n_compared : int
        Units entering ARI and NMI.
    n_too_short : int
        Matched units that the model left out as too short (topic -1).
    confusion : pandas.DataFrame
        Topic (rows, ``"id: label"``) x hand label (columns), counts, matched units only.
    mismatches : pandas.DataFrame
        Annotation rows not used: ``article_id, paragraph, problem, annotation_text,
        corpus_text``.
    """

    ari: float
    nmi: float
    n_annotated: int
    n_compared: int
    n_too_short: int
    confusion: pd.DataFrame
    mismatches: pd.DataFrame = field(repr=False)

    def summary(self) -> pd.DataFrame:
        """The scalar results as a one-column table (rounded to 3 decimals)."""
        values = [round(self.ari, 3), round(self.nmi, 3), self.n_annotated, self.n_compared,
                  self.n_too_short, len(self.mismatches)]
        return pd.DataFrame(
            {"value": pd.Series(values, dtype=object)},
        ).set_index(pd.Index(["adjusted Rand index", "normalised mutual information",
                              "annotated paragraphs", "compared (with a topic)",
                              "too short (topic -1)", "not matched to the corpus"],
                             name="measure"))

    def majority(self) -> pd.DataFrame:
        """For each topic, the hand label most of its units carry (ties: first label).

        Returns
        -------
        pandas.DataFrame
            ``topic`` (``"id: label"``), ``hand_label``, ``n`` (units with that label),
            ``n_topic`` (coded units in the topic), ``purity`` (``n / n_topic``).
        """
        conf = self.confusion
        if conf.empty:
            return pd.DataFrame(columns=["topic", "hand_label", "n", "n_topic", "purity"])
        n_topic = conf.sum(axis=1)
        out = pd.DataFrame({"topic": conf.index, "hand_label": conf.idxmax(axis=1).to_numpy(),
                            "n": conf.max(axis=1).to_numpy(), "n_topic": n_topic.to_numpy()})
        out["purity"] = out["n"] / out["n_topic"].where(out["n_topic"] > 0)
        return out.reset_index(drop=True)


def validate(assignments: pd.DataFrame, annotations: pd.DataFrame) -> Validation:
    """Compare paragraph topics with hand labels: ARI, NMI and a confusion table.

    Annotation rows are joined to the corpus on ``article_id`` + ``paragraph``; the
    annotation's text must equal the corpus paragraph (whitespace-insensitive),
    otherwise the row is reported in ``mismatches``, left out, and a warning is raised
    (the annotator probably coded a different version or numbering of the corpus).

    Parameters
    ----------
    assignments : pandas.DataFrame
        Paragraph-level assignments (``article_id, paragraph, text, topic, topic_label``).
    annotations : pandas.DataFrame
        Output of :func:`read_annotations`.

    Returns
    -------
    Validation
    """
    missing = [c for c in ("paragraph", "topic") if c not in assignments.columns]
    if missing or "sentence" in assignments.columns:
        raise ValueError("validate: hand-coded topics are paragraph-level; fit the model with "
                         "level='paragraph'.")
    keys = ["article_id", "paragraph"]
    merged = annotations.merge(
        assignments[keys + ["text", "topic", "topic_label"]].rename(
            columns={"text": "corpus_text", "topic_label": "model_label"}),
        on=keys, how="left", validate="one_to_one",
    )
    absent = merged["topic"].isna()
    differs = ~absent & (_squash(merged["text"]) != _squash(merged["corpus_text"]))
    problem = np.where(absent, "no such paragraph in the corpus",
                       np.where(differs, "text differs from the corpus paragraph", ""))
    mismatches = merged.assign(problem=problem)[absent | differs].rename(
        columns={"text": "annotation_text"}
    )[["article_id", "paragraph", "problem", "annotation_text", "corpus_text"]]
    if len(mismatches):
        warnings.warn(
            f"{len(mismatches)} annotated paragraph(s) do not match the corpus (first: "
            f"{mismatches.iloc[0]['article_id']} paragraph {mismatches.iloc[0]['paragraph']}: "
            f"{mismatches.iloc[0]['problem']}); they are left out of the validation.",
            UserWarning, stacklevel=2,
        )
    ok = merged[~(absent | differs)].astype({"topic": int})
    coded = ok[ok["topic"] >= 0]
    enough = len(coded) >= 2
    ari = adjusted_rand_score(coded["topic_label"], coded["topic"]) if enough else float("nan")
    nmi = (normalized_mutual_info_score(coded["topic_label"], coded["topic"])
           if enough else float("nan"))
    confusion = pd.crosstab(
        _topic_names(ok["topic"], ok["model_label"]).rename("topic"),
        ok["topic_label"].rename("hand label"),
    )
    order = sorted(confusion.index, key=lambda c: int(c.split(":", 1)[0]))
    return Validation(
        ari=float(ari), nmi=float(nmi), n_annotated=len(annotations), n_compared=len(coded),
        n_too_short=int((ok["topic"] < 0).sum()), confusion=confusion.loc[order],
        mismatches=mismatches.reset_index(drop=True),
    )


# --------------------------------------------------------------------------------------
# Scale path: hashing + MiniBatchKMeans, chunk by chunk
# --------------------------------------------------------------------------------------
def hashing_vectorizer(n_features: int = 2**16) -> HashingVectorizer:
    """A stateless vectorizer for the shared tokenizer's output.

    It consumes the space-joined tokens of :func:`analysis.tokens.tokenize_joined`
    (``analyzer=str.split``), so words are exactly the suite's words; it returns raw
    counts (``norm=None``, ``alternate_sign=False``) so that IDF weighting and the
    short-unit rule can be applied afterwards.

    Parameters
    ----------
    n_features : int, default 2**16
        Hash buckets. k-means centroids are dense ``n_clusters x n_features`` arrays updated
        at every minibatch, so fewer buckets are much faster; 2**16 buckets for the few
        10^4 words that carry topics cost a few collisions between rare words, which do not
        move the clusters (the known-topic tests hold).

    Returns
    -------
    sklearn.feature_extraction.text.HashingVectorizer
    """
    return HashingVectorizer(analyzer=str.split, n_features=n_features, alternate_sign=False,
                             norm=None, dtype=np.float64)


def _hashed_counts(vectorizer: HashingVectorizer, joined: pd.Series) -> sp.csr_matrix:
    """``vectorizer.transform(joined)``, hashing each distinct word of the chunk once.

    For the suite's vectorizer (:func:`hashing_vectorizer`: whole words, raw counts) the
    bucket counts are the word counts times a word -> bucket 0/1 matrix; any other
    vectorizer is called on the texts.
    """
    params = vectorizer.get_params()
    plain = (params["analyzer"] is str.split and params["norm"] is None
             and not params["alternate_sign"] and not params["binary"])
    if not plain or not len(joined):
        return sp.csr_matrix(vectorizer.transform(joined.tolist()))
    words_counts, words = count_matrix(joined)
    if not len(words):
        return sp.csr_matrix((len(joined), vectorizer.n_features), dtype=params["dtype"])
    buckets = sp.csr_matrix(vectorizer.transform(words.tolist()), dtype=params["dtype"])
    return sp.csr_matrix(words_counts.astype(params["dtype"]) @ buckets)


def _chunk_texts(chunk) -> pd.Series:
    if isinstance(chunk, pd.DataFrame):
        if "text" not in chunk.columns:
            raise ValueError(f"a DataFrame chunk needs a 'text' column (has {list(chunk.columns)})")
        return chunk["text"]
    if isinstance(chunk, pd.Series):
        return chunk
    return pd.Series(list(chunk), dtype="str")


def _is_matrix(chunk) -> bool:
    return isinstance(chunk, DFM) or sp.issparse(chunk)


def _peek(chunks):
    """The first chunk, ``chunks`` (a one-shot iterator re-chained) and the first pass.

    The first pass is the iterator the first chunk was taken from, so peeking neither calls
    a chunk function nor reads a chunk one time more than the passes do.
    """
    one_shot = not callable(chunks) and iter(chunks) is chunks
    it = iter(chunks()) if callable(chunks) else iter(chunks)
    first = next(it, None)
    head = chain([first], it) if first is not None else iter(())
    return first, (head if one_shot else chunks), head


def matrix_chunks(x, size: int = 50_000):
    """A function yielding the row blocks of a matrix lazily, for :func:`fit_minibatch`.

    Parameters
    ----------
    x : analysis.tokens.DFM or scipy.sparse matrix
        E.g. ``tokens.dfm(tokens, level="paragraph")``: counts, stopwords removed.
    size : int, default 50_000
        Rows per block.

    Returns
    -------
    callable
        Each call returns a fresh generator of blocks (a DFM's blocks are DFMs with their
        ``docs`` rows); blocks are views sliced on demand, so nothing is copied up front.
    """
    n = x.shape[0]

    def blocks():
        for start in range(0, n, size):
            if isinstance(x, DFM):
                yield DFM(x.matrix[start:start + size], x.features,
                          x.docs.iloc[start:start + size], x.level, x.weighting)
            else:
                yield x[start:start + size]

    return blocks


def _passes(chunks, n_passes: int, head: Iterable | None = None) -> Iterator[Iterable]:
    """Yield one fresh iterable of chunks per pass (a callable is called each time).

    ``head``, when given, is the first pass (see :func:`_peek`).
    """
    if callable(chunks):
        for i in range(n_passes):
            yield head if i == 0 and head is not None else chunks()
        return
    if n_passes > 1 and iter(chunks) is chunks:
        raise ValueError(
            "fit_minibatch needs several passes over the chunks (an IDF pass, or n_epochs > 1) "
            "but got a one-shot iterator: pass a function returning a fresh iterator of chunks, "
            "a list of chunks, or idf=False with n_epochs=1."
        )
    for i in range(n_passes):
        yield head if i == 0 and head is not None else chunks


@dataclass
class MinibatchTopics:
    """A topic model fitted chunk by chunk (:func:`fit_minibatch`).

    Attributes
    ----------
    model : sklearn.cluster.MiniBatchKMeans
        Centroids in hashed TF-IDF space.
    vectorizer : sklearn.feature_extraction.text.HashingVectorizer
    idf : numpy.ndarray or None
        Fixed IDF weights per hash bucket (None = plain term frequencies).
    keep : numpy.ndarray
        1 for hash buckets kept, 0 for the buckets of stopwords.
    min_tokens : int
        Units with fewer content tokens get topic -1 and are not fitted.
    n_units : int
        Units seen in the (last) fitting pass.
    n_fitted : int
        Of which long enough to be fitted.
    """

    model: MiniBatchKMeans | None
    vectorizer: HashingVectorizer | None
    idf: np.ndarray | None
    keep: np.ndarray
    min_tokens: int
    n_units: int = 0
    n_fitted: int = 0
    columns: np.ndarray | None = None
    features: pd.Index | None = None

    def _all_columns(self, n: int) -> bool:
        """Whether :attr:`columns` keeps every one of ``n`` columns, in order."""
        cols = self.columns
        return len(cols) == n and (n == 0 or (cols[0] == 0 and cols[-1] == n - 1))

    def _matrix_rows(self, chunk) -> tuple[sp.csr_matrix, np.ndarray]:
        """Precomputed counts -> (TF-)IDF rows over the kept :attr:`columns`, short mask."""
        counts = chunk.matrix if isinstance(chunk, DFM) else chunk
        if counts.shape[1] != len(self.keep):
            raise ValueError(
                f"a matrix chunk has {counts.shape[1]} columns but the model was fitted on "
                f"{len(self.keep)}: give every chunk the same columns (one dfm's row blocks)"
            )
        counts = sp.csr_matrix(counts)
        # content-token counts per row: sums of integers, exact whatever the value type
        short = np.asarray(counts @ self.keep).ravel() < self.min_tokens
        if isinstance(chunk, DFM) and "is_heading" in chunk.docs.columns:
            short |= chunk.docs["is_heading"].fillna(False).to_numpy(dtype=bool)
        # rows first, then float values (fewer to convert); columns unless all are kept
        X = sp.csr_matrix(counts[np.flatnonzero(~short)], dtype=np.float64)
        if self.columns is not None and not self._all_columns(counts.shape[1]):
            X = X[:, self.columns]
        X = sp.csr_matrix(X)
        if self.idf is not None:
            X.data *= self.idf[X.indices]
        return normalize(X), short

    def transform(self, texts) -> tuple[sp.csr_matrix, np.ndarray]:
        """Vectorise one chunk of texts, or of precomputed counts.

        Parameters
        ----------
        texts : pandas.Series, DataFrame with ``text``, sequence of str, DFM or sparse matrix
            A DataFrame's optional boolean ``is_heading`` column marks headings as short
            (for a :class:`analysis.tokens.DFM`, its ``docs``' ``is_heading``). Models fitted
            on matrices transform matrices with the same columns; models fitted on texts,
            texts.

        Returns
        -------
        X : scipy.sparse.csr_matrix
            L2-normalised (TF-)IDF rows of the units long enough to be clustered.
        short : numpy.ndarray of bool
            True for headings and units with fewer than ``min_tokens`` content tokens
            (not in ``X``).
        """
        if (self.vectorizer is None) != _is_matrix(texts):
            fitted = "text" if self.vectorizer is not None else "matrix"
            raise ValueError(f"this model was fitted on {fitted} chunks; give it {fitted} chunks")
        if self.vectorizer is None:
            return self._matrix_rows(texts)
        joined = tokenize_joined(_chunk_texts(texts).reset_index(drop=True))
        counts = _hashed_counts(self.vectorizer, joined)
        counts.sum_duplicates()
        counts.data *= self.keep[counts.indices]
        counts.eliminate_zeros()
        short = np.asarray(counts.sum(axis=1)).ravel() < self.min_tokens
        if isinstance(texts, pd.DataFrame) and "is_heading" in texts.columns:
            short |= texts["is_heading"].fillna(False).to_numpy(dtype=bool)
        X = counts[~short]
        if self.idf is not None:
            X.data *= self.idf[X.indices]
        return normalize(X), short

    def predict(self, chunks) -> Iterator[np.ndarray]:
        """Topic of every unit, chunk by chunk (-1 = too short).

        Parameters
        ----------
        chunks : iterable of chunks, or a function returning one
            Same forms as :func:`fit_minibatch`.

        Yields
        ------
        numpy.ndarray of int
            One array per chunk, aligned with the chunk's rows.
        """
        for chunk in next(_passes(chunks, 1)):
            X, short = self.transform(chunk)
            labels = np.full(len(short), TOO_SHORT, dtype=int)
            if X.shape[0]:
                labels[~short] = self.model.predict(X)
            yield labels


def fit_minibatch(
    chunks,
    n_clusters: int,
    vectorizer: HashingVectorizer | None = None,
    random_state: int | None = 0,
    idf: bool = True,
    min_tokens: int = 5,
    batch_size: int = 4096,
    n_epochs: int = 1,
    init_size: int | None = None,
    n_init: int = 3,
    max_features: int | None = 2**14,
) -> MinibatchTopics:
    """Cluster a corpus too large for memory with ``MiniBatchKMeans.partial_fit``.

    Each chunk is tokenized by the shared tokenizer (:func:`analysis.tokens.tokenize_joined`),
    hashed (no vocabulary kept), stripped of stopwords (their hash buckets are zeroed),
    weighted by a fixed IDF computed in a first pass (optional), L2-normalised and fed
    to ``partial_fit`` in minibatches of ``batch_size`` rows. Units with fewer than
    ``min_tokens`` content tokens are skipped (topic -1 at prediction). Memory holds one
    chunk's sparse matrix, a buffer under ``batch_size`` rows, the document-frequency
    vector and the ``n_clusters x n_features`` centroids; it does not grow with the corpus.
    There is no LSA step on this path: k-means runs on the sparse hashed TF-IDF.

    When the corpus is already tokenized, give precomputed counts instead of texts
    (tokens made once): chunks that are row blocks of one
    ``analysis.tokens.dfm(tokens, level="paragraph")`` (see :func:`matrix_chunks`), or of
    any sparse unit x word count matrix with the same columns. Nothing is tokenized or
    hashed then: a first pass counts document frequencies, the ``max_features`` columns
    found in most units are kept (stopword columns of a DFM are dropped first; the
    short-unit rule counts every content word), and the fit and :meth:`MinibatchTopics.predict`
    work on those columns. ``predict`` then takes the same kind of chunks; its labels follow
    the chunks' rows (a DFM's ``docs``).

    Parameters
    ----------
    chunks : callable or iterable
        Chunks are DataFrames with a ``text`` column (and optionally ``is_heading``, whose
        True rows are treated as too short), Series of texts or lists of texts; or
        precomputed counts: :class:`analysis.tokens.DFM` row blocks (``docs`` may have
        ``is_heading``) or scipy sparse matrices, all with the same columns.
        Pass a function returning a fresh iterator of chunks (e.g. reading a Parquet file
        batch by batch) when several passes are needed (``idf=True`` or ``n_epochs > 1``);
        a list of chunks works too; a one-shot generator only with ``idf=False, n_epochs=1``.
    n_clusters : int
        Number of topics.
    vectorizer : HashingVectorizer, optional
        Default :func:`hashing_vectorizer`. It receives space-joined tokens, so it must
        use ``analyzer=str.split`` and ``norm=None``.
    random_state : int or None, default 0
    idf : bool, default True
        Weight terms by a smoothed IDF (as scikit-learn's) from a first pass over the chunks.
    min_tokens : int, default 5
    batch_size : int, default 4096
        Rows per ``partial_fit`` call (at least ``n_clusters``).
    n_epochs : int, default 1
        Passes over the data for fitting.
    init_size : int, optional
        Rows buffered before the first update (default ``3 * batch_size``): the centroids
        start from a seeded k-means (``n_init`` restarts) on them, which is far more
        reliable than k-means++ on one minibatch.
    n_init : int, default 3
        Restarts of that initial k-means.
    max_features : int or None, default 2**14
        Matrix chunks only: columns kept (highest document frequency, ties by column
        order); None keeps every column. k-means centroids are dense over these columns.

    Returns
    -------
    MinibatchTopics
        ``columns``/``features`` hold the kept input columns (and their names, for a DFM)
        when fitted on matrices; ``vectorizer`` is then None.
    """
    if batch_size < n_clusters:
        raise ValueError(f"batch_size ({batch_size}) must be at least n_clusters ({n_clusters}).")
    first, chunks, head = _peek(chunks)
    if first is not None and _is_matrix(first):
        n_input = first.shape[1]
        keep = np.ones(n_input)
        names = first.features if isinstance(first, DFM) else None
        if names is not None:
            keep[np.flatnonzero(pd.Index(names).isin(stopwords()))] = 0.0
        result = MinibatchTopics(None, None, None, keep, min_tokens)
        passes = _passes(chunks, n_epochs + 1, head)
        df = np.zeros(n_input)
        n_docs = 0
        for chunk in next(passes):
            X, _ = result.transform(chunk)
            df += np.bincount(X.indices, minlength=n_input)
            n_docs += X.shape[0]
        df *= keep
        order = np.argsort(-df, kind="stable")
        order = order[df[order] > 0][:max_features]
        result.columns = np.sort(order)
        if names is not None:
            result.features = pd.Index(names[result.columns], dtype="str")
        if idf:
            result.idf = np.log((1 + n_docs) / (1 + df[result.columns])) + 1
    else:
        vectorizer = vectorizer or hashing_vectorizer()
        n_features = vectorizer.n_features
        keep = np.ones(n_features)
        keep[vectorizer.transform([" ".join(sorted(stopwords()))]).indices] = 0.0
        result = MinibatchTopics(None, vectorizer, None, keep, min_tokens)
        passes = _passes(chunks, n_epochs + int(idf), head)
        if idf:
            df = np.zeros(n_features)
            n_docs = 0
            for chunk in next(passes):
                X, _ = result.transform(chunk)
                df += np.bincount(X.indices, minlength=n_features)
                n_docs += X.shape[0]
            result.idf = np.log((1 + n_docs) / (1 + df)) + 1
    init_size = init_size or 3 * batch_size

    def feed(block: sp.csr_matrix) -> None:
        if result.model is None:  # seeded k-means (n_init restarts) on the first block
            centres = KMeans(n_clusters=n_clusters, n_init=n_init,
                             random_state=random_state).fit(block).cluster_centers_
            # compute_labels=False: partial_fit would label each minibatch again after the
            # update, for labels_/inertia_ of that batch only (unused; centres unaffected)
            result.model = MiniBatchKMeans(n_clusters=n_clusters, init=centres, n_init=1,
                                           batch_size=batch_size, random_state=random_state,
                                           compute_labels=False)
        for start in range(0, block.shape[0], batch_size):
            result.model.partial_fit(block[start:start + batch_size])

    for _ in range(n_epochs):
        buffer: list[sp.csr_matrix] = []
        n_buffered = n_units = n_fitted = 0
        for chunk in next(passes):
            X, short = result.transform(chunk)
            n_units += len(short)
            n_fitted += X.shape[0]
            buffer.append(X)
            n_buffered += X.shape[0]
            target = batch_size if result.model is not None else init_size
            if n_buffered >= target:
                block = sp.vstack(buffer, format="csr")
                cut = block.shape[0] if result.model is None else (
                    block.shape[0] // batch_size * batch_size)
                feed(block[:cut])
                buffer, n_buffered = [block[cut:]], block.shape[0] - cut
        if n_buffered and (result.model is not None or n_buffered >= n_clusters):
            feed(sp.vstack(buffer, format="csr"))
        result.n_units, result.n_fitted = n_units, n_fitted
    if result.model is None:
        raise ValueError(
            f"fit_minibatch: only {result.n_fitted} units with at least {min_tokens} content "
            f"tokens, fewer than n_clusters={n_clusters}."
        )
    return result


# --------------------------------------------------------------------------------------
# The estimator
# --------------------------------------------------------------------------------------
def unit_table(corpus, level: str = "paragraph") -> pd.DataFrame:
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
    frame = {"sentence": "sentences", "paragraph": "paragraphs", "article": "articles"}[level]
    units = getattr(corpus, frame)[keys + ["text"]].copy()
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
    else:
        units = units.merge(corpus.articles[["article_id", *meta]], on="article_id")
    if "published" not in units:
        units["published"] = pd.NaT
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
        size (k-selection runs ``1 + n_seeds + n_boot`` clusterings per candidate k); the
        final clustering always uses every unit. None = never subsample.
    embed : callable, optional
        ``embed(list_of_texts) -> array (n, d)`` replacing TF-IDF + LSA as the unit
        vectors (rows are L2-normalised). Nothing is downloaded by this module.
    random_state : int or None, default 0

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
    counts_ : analysis.tokens.DFM
        Counts over the clustering vocabulary, all units (for c-TF-IDF).
    tfidf_ : scipy.sparse.csr_matrix or None
        TF-IDF rows of the fitted units (None with ``embed``).
    lsa_ : sklearn.pipeline.Pipeline or None
    """

    def __init__(self, k=None, k_range=range(2, 9), level="paragraph", method="kmeans",
                 min_tokens=5, min_df=2, n_components="auto", n_init=10, n_boot=20, n_seeds=5,
                 min_stability=0.6, k_tolerance=0.01, n_terms=10, n_central=3,
                 max_select_units=5000, embed=None, random_state=0):
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
        self.embed = embed
        self.random_state = random_state

    def fit(self, corpus) -> TopicModel:
        """Fit the topics of ``corpus``.

        Parameters
        ----------
        corpus : analysis.corpus.Corpus

        Returns
        -------
        TopicModel
            self.
        """
        self._prepare(corpus)
        self.vectors_, self.lsa_ = self._vectors(self.n_components)
        n_fit = len(self.fit_rows_)
        self.k_selection_ = pd.DataFrame(columns=SELECTION_COLUMNS)
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
            self.k_, self.k_reason_ = choose_k(self.k_selection_, self.min_stability,
                                               self.k_tolerance)
        labels = (cluster(self.vectors_, self.k_, self.method, self.random_state, self.n_init)
                  if n_fit else np.zeros(0, dtype=int))
        self._describe(labels)
        return self

    def _prepare(self, corpus) -> None:
        """Units, count and TF-IDF matrices from the shared tokenizer, and the short units."""
        check_one_of("level", self.level, LEVEL_KEYS, func="TopicModel.fit")
        keys = LEVEL_KEYS[self.level]
        units = unit_table(corpus, self.level)
        toks = Tokens.from_corpus(corpus, level=self.level)
        if not toks.docs[keys].equals(units[keys]):
            raise ValueError(f"topics: the tokenizer's {self.level} keys do not match the corpus "
                             "table; rebuild the corpus with analysis.corpus.load_corpus.")
        content = np.asarray(dfm(toks, weighting="count").matrix.sum(axis=1)).ravel()
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
        self.tfidf_ = (dfm(toks, weighting="tfidf", min_df=self.min_df).matrix[self.fit_rows_]
                       if self.embed is None else None)

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
        return lsa(self.tfidf_, n_components, self.random_state)

    def _select(self, vectors: np.ndarray, max_units: int | None = None) -> pd.DataFrame:
        """k-selection, on a seeded subsample of ``max_units`` units if larger.

        ``max_units`` defaults to ``max_select_units``.
        """
        n = len(vectors)
        max_units = max_units or self.max_select_units
        if max_units and n > max_units:
            rng = np.random.default_rng(self.random_state)
            vectors = vectors[np.sort(rng.choice(n, max_units, replace=False))]
        return select_k(vectors, self.k_range, self.random_state, self.n_boot, self.n_seeds,
                        self.method, self.n_init)

    def _describe(self, labels: np.ndarray) -> None:
        """Assignments, labels, top terms and central units from the fitted labels."""
        keys = LEVEL_KEYS[self.level]
        units, fit_rows = self.units_, self.fit_rows_
        n_fit = len(fit_rows)
        self.terms_ = top_terms(self.counts_.matrix[fit_rows], labels, self.counts_.features,
                                self.n_terms)
        names = topic_labels(self.terms_)
        topic = np.full(len(units), TOO_SHORT, dtype=int)
        topic[fit_rows] = labels
        similarity = np.full(len(units), np.nan)
        similarity[fit_rows] = centroid_similarity(self.vectors_, labels) if n_fit else []
        self.assignments_ = units[keys + ["text"]].assign(
            topic=topic,
            topic_label=pd.Series(topic).map(names).fillna("").to_numpy(),
            similarity=similarity,
            is_short=units["is_short"],
            outlet=units.get("outlet"),
            outlet_group=units.get("outlet_group"),
            published=units["published"],
        )
        central = central_units(self.vectors_, labels, self.n_central) if n_fit else None
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
        self, n_components: Iterable[int] | None = None, max_units: int | None = 1000
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
            k is selected on a seeded subsample of at most this many units (the LSA is
            fitted on all of them), which bounds the cost on large corpora. None = all.

        Returns
        -------
        pandas.DataFrame
            ``n_components`` (as used, after capping), ``explained_variance``, ``k``,
            ``silhouette``, ``stability_seed``, ``stability_boot`` (of the chosen k) and
            ``stable`` (whether it reached ``min_stability``).
        """
        if self.embed is not None or len(self.fit_rows_) == 0:
            raise ValueError("sensitivity: needs a fitted LSA model (no embed hook, some units).")
        if n_components is None:
            d = self.vectors_.shape[1]
            n_components = [max(2, d // 2), d, 2 * d, 4 * d]
        cap = min(self.tfidf_.shape) - 1  # what lsa() would cap at
        rows = []
        for nc in sorted({max(1, min(int(nc), cap)) for nc in n_components}):
            vectors, pipe = self._vectors(nc)
            sel = self._select(vectors, max_units)
            k, _ = choose_k(sel, self.min_stability, self.k_tolerance)
            row = sel.set_index("k").loc[k] if k in set(sel["k"]) else pd.Series(dtype=float)
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

    def shares(self, by: str = "outlet") -> pd.DataFrame:
        """Topic counts and shares per ``by`` group (see :func:`topic_shares`)."""
        return topic_shares(self.assignments_, by)

    def over_time(self, freq: str = "M") -> pd.DataFrame:
        """Topic counts and shares per period (see :func:`topics_over_time`)."""
        return topics_over_time(self.assignments_, "published", freq)

    def map_table(self) -> pd.DataFrame:
        """2-D coordinates (PCA of the unit vectors) of the fitted units, with topic and outlet.

        Returns
        -------
        pandas.DataFrame
            Keys, ``x, y, topic, topic_label, outlet, outlet_group``.
        """
        fitted = self.assignments_[~self.assignments_["is_short"]]
        xy = map_coordinates(self.vectors_, self.random_state)
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
        return validate(self.assignments_, read_annotations(annotations))
