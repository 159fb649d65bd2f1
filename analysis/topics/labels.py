"""What a topic is about: c-TF-IDF top terms, short labels, central units."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.preprocessing import normalize

#: Topic id given to units too short to carry a topic (not used in fitting).
TOO_SHORT = -1

#: Label of :data:`TOO_SHORT`.
TOO_SHORT_LABEL = "(too short)"


#: Rows per block in :func:`centroid_similarity` (bounds its temporary arrays).
BLOCK = 100_000


def _indicator(labels: np.ndarray, dtype=float) -> tuple[sp.csr_matrix, np.ndarray]:
    """Sparse (n_classes, n_units) membership matrix over labels >= 0, and the classes."""
    labels = np.asarray(labels)
    rows = np.flatnonzero(labels >= 0)
    classes, inverse = np.unique(labels[rows], return_inverse=True)
    member = sp.csr_matrix(
        (np.ones(len(rows), dtype=dtype), (inverse, rows)), shape=(len(classes), len(labels))
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
        Topic of each unit; negative = excluded (pass the whole matrix with -1 for the units
        left out rather than a row slice: no copy of the matrix is made).

    Returns
    -------
    weights : numpy.ndarray, shape (n_topics, n_features)
    topics : numpy.ndarray
        The topic id of each row of ``weights`` (sorted).
    """
    counts = sp.csr_matrix(counts)
    # integer counts are summed as integers (exact, as float sums of whole numbers below 2**53
    # are): no float copy of the whole count matrix (issue #18: 1.5 M paragraphs)
    whole = np.issubdtype(counts.dtype, np.integer)
    member, classes = _indicator(labels, dtype=np.int64 if whole else float)
    tf = np.asarray((member @ (counts if whole else counts.astype(float))).todense(),
                    dtype=float)
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
    *,
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


def topic_labels(terms: pd.DataFrame, *, n: int = 3, sep: str = " / ") -> pd.Series:
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
    rows = np.flatnonzero(labels >= 0)
    which = np.searchsorted(classes, labels[rows])
    # row by row, so in blocks: no full-size normalised copy, row selection or centroid
    # array (three copies of the vectors at once before issue #18)
    for start in range(0, len(rows), BLOCK):
        block = rows[start:start + BLOCK]
        sims[block] = np.einsum("ij,ij->i", normalize(vectors[block]),
                                centroids[which[start:start + BLOCK]])
    return sims


def central_units(vectors: np.ndarray, labels: np.ndarray, *, n: int = 3,
                  similarity: np.ndarray | None = None) -> pd.DataFrame:
    """The ``n`` units closest (cosine) to the centroid of each topic.

    Parameters
    ----------
    vectors : numpy.ndarray, shape (n_units, n_dims)
    labels : array-like of int
        Negative labels are skipped.
    n : int, default 3
    similarity : numpy.ndarray, optional
        ``centroid_similarity(vectors, labels)`` if already computed.

    Returns
    -------
    pandas.DataFrame
        Columns ``topic, rank, row`` (position of the unit in ``vectors``), ``similarity``;
        sorted by topic then rank; ties go to the earlier row.
    """
    labels = np.asarray(labels)
    df = pd.DataFrame({"topic": labels, "row": np.arange(len(labels)),
                       "similarity": (centroid_similarity(vectors, labels)
                                      if similarity is None else similarity)})
    df = df[df["topic"] >= 0].sort_values(["topic", "similarity", "row"],
                                          ascending=[True, False, True])
    df["rank"] = df.groupby("topic").cumcount() + 1
    df = df[df["rank"] <= n]
    return df[["topic", "rank", "row", "similarity"]].reset_index(drop=True)
