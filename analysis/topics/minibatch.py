"""The scale path: hashing (or precomputed counts) + ``MiniBatchKMeans``, chunk by chunk.

:func:`fit_minibatch` clusters corpora that do not fit in memory: a hashing vectorizer fed by
the shared tokenizer (or row blocks of one document-feature matrix), an optional fixed-IDF
pass, and ``MiniBatchKMeans.partial_fit`` chunk by chunk. Memory is one chunk's matrix, a
bounded buffer and the ``k x n_features`` centroids, whatever the corpus size.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import chain

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.cluster import KMeans, MiniBatchKMeans
from sklearn.feature_extraction.text import HashingVectorizer
from sklearn.preprocessing import normalize

from ..config import RANDOM_STATE
from ..tokens import DFM, count_matrix, stopwords, tokenize_joined
from .labels import TOO_SHORT


def hashing_vectorizer(*, n_features: int = 2**16) -> HashingVectorizer:
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
            raise ValueError(f"fit_minibatch: a DataFrame chunk has no 'text' column (it has "
                             f"{list(chunk.columns)}); give chunks a 'text' column")
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


def matrix_chunks(x, *, size: int = 50_000):
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
            "fit_minibatch: several passes over the chunks are needed (an IDF pass, or n_epochs > 1) "
            "but got a one-shot iterator; pass a function returning a fresh iterator of chunks, "
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
                f"MinibatchTopics.transform: a matrix chunk has {counts.shape[1]} columns but the "
                f"model was fitted on {len(self.keep)}; give every chunk the same columns (one dfm's row blocks)"
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
            raise ValueError(f"MinibatchTopics.transform: this model was fitted on {fitted} "
                             f"chunks; give it {fitted} chunks")
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
    *,
    n_clusters: int,
    vectorizer: HashingVectorizer | None = None,
    random_state: int | None = RANDOM_STATE,
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
        raise ValueError(f"fit_minibatch: batch_size ({batch_size}) is below n_clusters "
                         f"({n_clusters}); give a batch_size of at least n_clusters")
    first, chunks, head = _peek(chunks)
    if first is not None and _is_matrix(first):
        result, passes = _setup_matrix(first, chunks, head, min_tokens=min_tokens, idf=idf,
                                       n_epochs=n_epochs, max_features=max_features)
    else:
        result, passes = _setup_text(chunks, head, vectorizer=vectorizer, min_tokens=min_tokens,
                                     idf=idf, n_epochs=n_epochs)
    _fit_epochs(result, passes, n_clusters=n_clusters, batch_size=batch_size,
                init_size=init_size or 3 * batch_size, n_init=n_init, n_epochs=n_epochs,
                random_state=random_state)
    if result.model is None:
        raise ValueError(
            f"fit_minibatch: only {result.n_fitted} units with at least {min_tokens} content "
            f"tokens, fewer than n_clusters={n_clusters}; lower min_tokens or n_clusters."
        )
    return result


def _document_frequencies(result: MinibatchTopics, chunks: Iterable, n: int) -> tuple[np.ndarray, int]:
    """Units per column (hash bucket or input column) over one pass, and the units counted."""
    df = np.zeros(n)
    n_docs = 0
    for chunk in chunks:
        X, _ = result.transform(chunk)
        df += np.bincount(X.indices, minlength=n)
        n_docs += X.shape[0]
    return df, n_docs


def _setup_matrix(first, chunks, head, *, min_tokens: int, idf: bool, n_epochs: int,
                  max_features: int | None) -> tuple[MinibatchTopics, Iterator[Iterable]]:
    """Model and passes for precomputed counts: the first pass picks the kept columns."""
    n_input = first.shape[1]
    keep = np.ones(n_input)
    names = first.features if isinstance(first, DFM) else None
    if names is not None:
        keep[np.flatnonzero(pd.Index(names).isin(stopwords()))] = 0.0
    result = MinibatchTopics(None, None, None, keep, min_tokens)
    passes = _passes(chunks, n_epochs + 1, head)
    df, n_docs = _document_frequencies(result, next(passes), n_input)
    df *= keep
    order = np.argsort(-df, kind="stable")
    order = order[df[order] > 0][:max_features]
    result.columns = np.sort(order)
    if names is not None:
        result.features = pd.Index(names[result.columns], dtype="str")
    if idf:
        result.idf = np.log((1 + n_docs) / (1 + df[result.columns])) + 1
    return result, passes


def _setup_text(chunks, head, *, vectorizer: HashingVectorizer | None, min_tokens: int, idf: bool,
                n_epochs: int) -> tuple[MinibatchTopics, Iterator[Iterable]]:
    """Model and passes for texts: stopword buckets zeroed, an IDF pass when ``idf``."""
    vectorizer = vectorizer or hashing_vectorizer()
    n_features = vectorizer.n_features
    keep = np.ones(n_features)
    keep[vectorizer.transform([" ".join(sorted(stopwords()))]).indices] = 0.0
    result = MinibatchTopics(None, vectorizer, None, keep, min_tokens)
    passes = _passes(chunks, n_epochs + int(idf), head)
    if idf:
        df, n_docs = _document_frequencies(result, next(passes), n_features)
        result.idf = np.log((1 + n_docs) / (1 + df)) + 1
    return result, passes


def _fit_epochs(result: MinibatchTopics, passes: Iterator[Iterable], *, n_clusters: int,
                batch_size: int, init_size: int, n_init: int, n_epochs: int,
                random_state: int | None) -> None:
    """``partial_fit`` over ``n_epochs`` passes, buffering rows into minibatches."""

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
