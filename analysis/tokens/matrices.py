"""Tokens made once per corpus, count matrices, and document-feature matrices (:func:`dfm`)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import scipy.sparse as sp

from .._checks import check_one_of
from .._kernels import chunked_texts, string_buffers
from .rules import _blocks, normalize_terms, stopwords, tokenize_joined

#: The keys of each unit level, coarse to fine.
LEVEL_KEYS = {
    "article": ["article_id"],
    "paragraph": ["article_id", "paragraph"],
    "sentence": ["article_id", "paragraph", "sentence"],
}
#: The :class:`~analysis.corpus.Corpus` table of each unit level.
LEVEL_TABLES = {"article": "articles", "paragraph": "paragraphs", "sentence": "sentences"}


@dataclass
class Tokens:
    """A corpus tokenized once, at one unit level.

    Attributes
    ----------
    docs : pandas.DataFrame
        One row per unit: its keys (``article_id`` [, ``paragraph`` [, ``sentence``]]), plus
        ``outlet`` and ``outlet_group`` when articles were given, and ``n_tokens``.
    joined : pandas.Series of str
        Space-joined normalised tokens of each unit (RangeIndex aligned with ``docs``); what
        vectorizers consume with ``analyzer=str.split``.
    level : str
        ``"sentence"``, ``"paragraph"`` or ``"article"`` (``"unit"`` for other keys).
    keys : list of str
        Key columns of ``docs`` identifying a unit.

    Examples
    --------
    >>> from analysis import load_corpus
    >>> from analysis.config import RAW_DIR
    >>> toks = Tokens.from_corpus(load_corpus(RAW_DIR), level="paragraph")
    >>> len(toks), toks.docs.columns.tolist()
    (78, ['article_id', 'paragraph', 'outlet', 'outlet_group', 'n_tokens'])
    >>> toks.joined.iloc[1][:43]
    'china foreign minister wang yi speaking sun'
    >>> dfm(toks, level="article").matrix.shape
    (5, 776)
    """

    docs: pd.DataFrame
    joined: pd.Series
    level: str = "sentence"
    keys: list[str] = field(default_factory=lambda: list(LEVEL_KEYS["sentence"]))
    _counts: sp.csr_matrix | None = field(default=None, repr=False)
    _vocab: pd.Index | None = field(default=None, repr=False)

    @classmethod
    def from_corpus(cls, corpus, *, level: str = "sentence", cache=None,
                    rebuild: bool = False) -> Tokens:
        """Tokenize a :class:`analysis.corpus.Corpus` at ``level``.

        Parameters
        ----------
        corpus : analysis.corpus.Corpus
            Needs ``articles`` and, for ``level="sentence"``/``"paragraph"``, ``sentences`` /
            ``paragraphs`` (data contract).
        level : {"sentence", "paragraph", "article"}, default "sentence"
            Unit of tokenization. Matrices can be aggregated to coarser levels, never finer.
        cache : str or pathlib.Path, optional
            A folder where the tokens are kept for the notebooks that follow (the notebooks
            give ``output_paths(...).cache``, where the corpus is kept too: notebook 02 makes
            the sentences' tokens, 04 reads them). Tokens are read from it instead of made when
            its entry was made from the same values of the columns they are made from, by the
            same code and data (:func:`analysis.tokens.cache.tokens_key`); else they are made,
            counted (:attr:`counts`, at once) and written there (Arrow IPC and ``.npy``,
            atomically; one entry per level is kept). A damaged entry is ignored with a warning
            and made again. One line on standard output says where the tokens came from.
        rebuild : bool, default False
            With ``cache``: make the tokens even if the cache holds them, and write them there
            (notebook 02 does, as notebook 01 rebuilds the corpus: so each run says the same
            thing whatever an earlier run left in the cache).

        Returns
        -------
        Tokens
        """
        check_one_of("level", level, LEVEL_KEYS, func="Tokens.from_corpus")
        frame = getattr(corpus, LEVEL_TABLES[level])
        if cache is not None:
            from .cache import cached_tokens

            return cached_tokens(frame, keys=LEVEL_KEYS[level], articles=corpus.articles,
                                 level=level, folder=cache, rebuild=rebuild)
        return tokens_from_frame(frame, keys=LEVEL_KEYS[level], articles=corpus.articles)

    def _count_cache(self) -> sp.csr_matrix:
        """The counts, built once and kept compactly (int8/16/32 values, see count_matrix)."""
        if self._counts is None:
            self._counts, self._vocab = _compact_counts(self.joined)
        return self._counts

    @property
    def counts(self) -> sp.csr_matrix:
        """Unit x word count matrix (CSR of int64, unigrams, full vocabulary incl. stopwords).

        Counted once (:func:`count_matrix`) and kept compactly; each access returns a new
        int64 matrix.
        """
        return _as_int64(self._count_cache())

    @property
    def vocabulary(self) -> pd.Index:
        """Sorted vocabulary (columns of :attr:`counts`), stopwords included."""
        if self._vocab is None:
            self._count_cache()
        return self._vocab

    def __len__(self) -> int:
        return len(self.joined)

    def subset(self, rows) -> Tokens:
        """The units at positions ``rows``, with the same vocabulary (nothing is tokenized again).

        Parameters
        ----------
        rows : array-like of int

        Returns
        -------
        Tokens
        """
        rows = np.asarray(rows, dtype=np.int64)
        out = Tokens(self.docs.iloc[rows].reset_index(drop=True),
                     self.joined.iloc[rows].reset_index(drop=True), self.level, list(self.keys))
        out._counts, out._vocab = self._count_cache()[rows], self.vocabulary
        return out


def _space_ended_tokens(arr: pa.Array) -> tuple[pa.Array, np.ndarray]:
    """The " "-separated pieces of some texts, each ending with one space, and their text.

    One space is added at the end of each non-empty text, so that every piece (a token, or
    ``" "`` where two spaces meet) is a slice ``[start, next start)`` of one byte buffer: an
    Arrow array over it needs no copy per token.
    """
    offsets, b = string_buffers(arr)
    filled = np.flatnonzero(offsets[1:] > offsets[:-1])
    buf = np.insert(b, offsets[filled + 1], ord(" "))
    spaces = np.flatnonzero(buf == ord(" "))
    starts = np.zeros(len(spaces) + 1, dtype=np.int64)
    starts[1:] = spaces + 1
    pieces = pa.LargeStringArray.from_buffers(len(spaces), pa.py_buffer(starts), pa.py_buffer(buf))
    # pieces per text: the spaces in its (extended) bytes
    shift = np.zeros(len(arr) + 1, dtype=np.int64)
    shift[filled + 1] = 1
    ends = offsets + np.cumsum(shift)
    per_text = np.diff(np.searchsorted(spaces, ends, side="left"))
    return pieces, np.repeat(np.arange(len(arr)), per_text)


def _as_int64(m: sp.csr_matrix) -> sp.csr_matrix:
    out = sp.csr_matrix((m.data.astype(np.int64), m.indices.copy(), m.indptr.copy()),
                        shape=m.shape)
    out.has_sorted_indices = m.has_sorted_indices
    return out


def _take_columns(m: sp.csr_matrix, columns: np.ndarray, nnz: int = 4_000_000) -> sp.csr_matrix:
    """``m[:, columns]`` (increasing columns) as int64, built a block of rows at a time.

    Same matrix as scipy's column indexing followed by ``astype(int64)``, without the
    intermediate copy: the memory is the result plus one block.
    """
    new_col = np.full(m.shape[1], -1, dtype=np.int64)
    new_col[columns] = np.arange(len(columns))
    n = m.shape[0]
    cuts = np.unique(np.r_[np.searchsorted(m.indptr, np.arange(0, m.nnz, nnz), side="right") - 1,
                           n])
    cuts = cuts[cuts >= 0]
    per_row = np.zeros(n, dtype=np.int64)
    for lo, hi in zip(cuts[:-1], cuts[1:], strict=True):
        a, b = m.indptr[lo], m.indptr[hi]
        hit = np.zeros(b - a + 1, dtype=np.int64)
        np.cumsum(new_col[m.indices[a:b]] >= 0, out=hit[1:])
        per_row[lo:hi] = np.diff(hit[m.indptr[lo : hi + 1] - a])
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(per_row, out=indptr[1:])
    index_dtype = np.int32 if max(indptr[-1], len(columns)) < 2**31 else np.int64
    data = np.empty(indptr[-1], dtype=np.int64)
    indices = np.empty(indptr[-1], dtype=index_dtype)
    for lo, hi in zip(cuts[:-1], cuts[1:], strict=True):
        a, b = m.indptr[lo], m.indptr[hi]
        col = new_col[m.indices[a:b]]
        hit = col >= 0
        data[indptr[lo] : indptr[hi]] = m.data[a:b][hit]
        indices[indptr[lo] : indptr[hi]] = col[hit]
    out = sp.csr_matrix((data, indices, indptr.astype(index_dtype)),
                        shape=(n, len(columns)), copy=False)
    out.has_sorted_indices = m.has_sorted_indices
    return out


def count_matrix(joined: pd.Series, *, rows: int = 100_000) -> tuple[sp.csr_matrix, pd.Index]:
    """Unit x word counts of space-joined tokens, as ``CountVectorizer(analyzer=str.split)``.

    Same matrix and sorted vocabulary, computed with Arrow kernels (dictionary encoding of
    the tokens, sliced out of the texts' bytes without a copy) and numpy, a block of ``rows``
    units at a time, instead of a Python loop over tokens. Tokens are separated by " ".

    Parameters
    ----------
    joined : pandas.Series of str
        Space-joined tokens (:attr:`Tokens.joined`, :func:`tokenize_joined`).
    rows : int, default 100_000
        Units per block (bounds the memory of the token arrays).

    Returns
    -------
    counts : scipy.sparse.csr_matrix of int64
        Units x words, sorted indices.
    words : pandas.Index of str
        Sorted vocabulary (columns).
    """
    m, words = _compact_counts(joined, rows)
    return _as_int64(m), words


def _compact_counts(joined: pd.Series, rows: int = 100_000) -> tuple[sp.csr_matrix, pd.Index]:
    """:func:`count_matrix` with compact values: int8, int16 or int32, whichever holds them."""
    n = len(joined)
    arr = chunked_texts(joined.fillna(""))
    # pass 1: each block's distinct tokens (with their trailing space), its tokens' codes
    # (without the " " pieces) and the number of tokens of each unit
    blocks, per_unit = [], []
    for block in _blocks(arr, rows):
        pieces, row = _space_ended_tokens(block)
        enc = pc.dictionary_encode(pieces)
        codes = enc.indices.to_numpy(zero_copy_only=False)
        space = pc.index_in(pa.array([" "], pa.large_string()), value_set=enc.dictionary)[0]
        if space.is_valid:
            real = codes != space.as_py()
            codes, row = codes[real], row[real]
        blocks.append((enc.dictionary, codes.astype(np.int32)))
        per_unit.append(np.bincount(row, minlength=len(block)))
    local = [d for d, _ in blocks]
    vocab = pc.unique(pa.concat_arrays(local)) if local else pa.array([], pa.large_string())
    vocab = vocab.filter(pc.not_equal(vocab, " "))
    vocab = vocab.take(pc.sort_indices(vocab))  # with the trailing space: same order
    if not len(vocab):
        return sp.csr_matrix((n, 0), dtype=np.int32), pd.Index([], dtype="str")
    # pass 2: codes -> sorted vocabulary positions; each block's matrix (rows sorted, one
    # entry per (unit, word)) is copied into arrays sized for all tokens, trimmed at the end
    total = sum(len(codes) for _, codes in blocks)
    data = np.empty(total, dtype=np.int32)
    indices = np.empty(total, dtype=np.int32)
    indptr = np.zeros(n + 1, dtype=np.int64)
    at = row_at = 0
    for i, ((words, codes), counts) in enumerate(zip(blocks, per_unit, strict=True)):
        blocks[i] = None
        rank = pc.index_in(words, value_set=vocab).to_numpy(zero_copy_only=False)
        block_ptr = np.zeros(len(counts) + 1, dtype=np.int64)
        np.cumsum(counts, out=block_ptr[1:])
        block = sp.csr_matrix(
            (np.ones(len(codes), dtype=np.int32), rank.astype(np.int32)[codes], block_ptr),
            shape=(len(counts), len(vocab)),
        )
        del codes
        block.sum_duplicates()  # sorts each row's words, one entry per (unit, word)
        data[at : at + block.nnz] = block.data
        indices[at : at + block.nnz] = block.indices
        indptr[row_at + 1 : row_at + len(counts) + 1] = block.indptr[1:] + at
        at, row_at = at + block.nnz, row_at + len(counts)
    data.resize(at, refcheck=False)
    indices.resize(at, refcheck=False)
    top = int(data.max(initial=0))
    small = np.int8 if top < 2**7 else np.int16 if top < 2**15 else None
    if small is not None:  # the smallest integer type holding every count
        data = data.astype(small)
    m = sp.csr_matrix((data, indices, indptr), shape=(n, len(vocab)), copy=False)
    m.has_sorted_indices = True
    words = pd.Index(pc.utf8_slice_codeunits(vocab, 0, -1).to_pylist(), dtype="str")
    return m, words


def tokens_from_frame(
    frame: pd.DataFrame,
    *,
    keys: list[str] | None = None,
    text: str = "text",
    articles: pd.DataFrame | None = None,
) -> Tokens:
    """Tokenize the ``text`` column of a table of units.

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per unit, with ``text`` and the ``keys`` columns.
    keys : list of str, optional
        Unit keys; default: the :data:`LEVEL_KEYS` level whose keys are all present
        (sentence, else paragraph, else article).
    text : str, default "text"
        Column holding the unit text.
    articles : pandas.DataFrame, optional
        The corpus articles table; its ``outlet``/``outlet_group`` are joined on ``article_id``
        (when ``frame`` does not have them already).

    Returns
    -------
    Tokens
        Units sorted by ``keys``.
    """
    if keys is None:
        finest_first = reversed(list(LEVEL_KEYS.values()))
        keys = next((k for k in finest_first if set(k) <= set(frame.columns)), None)
        if keys is None:
            raise ValueError(
                f"tokens_from_frame: pass keys=[...]; no article_id column in {list(frame.columns)}"
            )
    keys = list(keys)
    missing = [c for c in [*keys, text] if c not in frame.columns]
    if missing:
        raise ValueError(
            f"tokens_from_frame: columns {missing} missing from the table "
            f"(has {list(frame.columns)})"
        )
    frame = frame.sort_values(keys, kind="stable").reset_index(drop=True)
    meta = [c for c in ("outlet", "outlet_group") if c in frame.columns and c not in keys]
    docs = frame[keys + meta].copy()
    if articles is not None and "article_id" in keys:
        extra = [c for c in ("outlet", "outlet_group") if c in articles.columns and c not in docs]
        if extra:
            docs = docs.merge(
                articles[["article_id", *extra]].drop_duplicates("article_id"),
                on="article_id",
                how="left",
                validate="many_to_one",
            )
    joined = tokenize_joined(frame[text])
    joined.index = pd.RangeIndex(len(joined))
    arr = chunked_texts(joined)
    n_spaces = pc.count_substring(arr, " ").to_numpy()
    docs["n_tokens"] = (n_spaces + (pc.utf8_length(arr).to_numpy() > 0)).astype("int64")
    level = next((lv for lv, k in LEVEL_KEYS.items() if k == keys), "unit")
    return Tokens(docs=docs, joined=joined, level=level, keys=list(keys))


@dataclass
class DFM:
    """A document-feature matrix with its row keys and feature names.

    Attributes
    ----------
    matrix : scipy.sparse.csr_matrix
        Rows = units (``docs``), columns = ``features``. Counts (int) or TF-IDF (float).
    features : pandas.Index of str
        Feature names: normalised words, or space-joined n-grams.
    docs : pandas.DataFrame
        Row keys (``article_id`` [, ``paragraph`` [, ``sentence``]], ``outlet``,
        ``outlet_group`` when known), RangeIndex.
    level : str
    weighting : str
    """

    matrix: sp.csr_matrix
    features: pd.Index
    docs: pd.DataFrame
    level: str = "sentence"
    weighting: str = "count"

    @property
    def shape(self) -> tuple[int, int]:
        return self.matrix.shape

    def to_frame(self, index: str | list[str] | None = None) -> pd.DataFrame:
        """Dense DataFrame (for small matrices / display).

        Parameters
        ----------
        index : str or list of str, optional
            ``docs`` columns used as the row index; default: the level's keys.
        """
        if self.matrix.shape[0] * max(self.matrix.shape[1], 1) > 5e7:
            raise MemoryError(
                f"DFM.to_frame: {self.matrix.shape} is too large to densify; select rows/columns"
            )
        if isinstance(index, str):
            index = [index]
        meta = ("outlet", "outlet_group", "n_tokens")
        index = index or [c for c in self.docs.columns if c not in meta]
        idx = (
            pd.MultiIndex.from_frame(self.docs[index])
            if len(index) > 1
            else pd.Index(self.docs[index[0]])
        )
        return pd.DataFrame(self.matrix.toarray(), index=idx, columns=self.features)

    def term_totals(self) -> pd.Series:
        """Column sums (total count / weight of each feature), indexed by feature."""
        return pd.Series(np.asarray(self.matrix.sum(axis=0)).ravel(), index=self.features)


def _ngram_analyzer(lo: int, hi: int):
    def analyze(doc: str) -> list[str]:
        toks = doc.split()
        out = []
        for n in range(lo, min(hi, len(toks)) + 1):
            out.extend(" ".join(toks[i : i + n]) for i in range(len(toks) - n + 1))
        return out

    return analyze


def _phrase_analyzer(phrases: pd.Index):
    """Analyzer returning every (overlapping) occurrence of the given space-joined phrases.

    One regex per phrase length, made of a zero-width look-ahead, so overlapping and nested
    occurrences are all found ("win-win" and "win-win cooperation"; "a b" twice in "a b a b"),
    exactly as n-gram counting would, without generating every n-gram of every unit.
    """
    by_len: dict[int, list[str]] = {}
    for p in phrases:
        by_len.setdefault(p.count(" ") + 1, []).append(p)
    regexes = []
    for group in by_len.values():
        first = "".join(sorted({re.escape(p[0]) for p in group}))
        alts = "|".join(map(re.escape, sorted(group, key=lambda p: (-len(p), p))))
        regexes.append(re.compile(rf"(?=[{first}])(?<![^ ])(?=({alts})(?![^ ]))"))
    if len(regexes) == 1:
        return regexes[0].findall

    def analyze(doc: str) -> list[str]:
        out: list[str] = []
        for rx in regexes:
            out.extend(rx.findall(doc))
        return out

    return analyze


def _sorted_group_starts(docs: pd.DataFrame, keys: list[str]) -> np.ndarray | None:
    """First row of each group of ``keys`` when ``docs`` is sorted by them (else None).

    Then the groups are runs of rows, in the order ``groupby(keys, sort=True)`` numbers them.
    Only str (compared by code point, as Python and Arrow do) and integer keys without
    missing values qualify.
    """
    n = len(docs)
    if n < 2:
        return None
    undecided = np.ones(n - 1, dtype=bool)  # rows i, i+1 equal on the keys so far
    for key in keys:
        col = docs[key]
        if col.dtype == "str":
            arr = chunked_texts(col)
            if arr.null_count:
                return None
            arr = arr.combine_chunks() if arr.num_chunks > 1 else arr.chunk(0)
            a, b = arr[:-1], arr[1:]
            less = pc.less(a, b).to_numpy(zero_copy_only=False)
            equal = pc.equal(a, b).to_numpy(zero_copy_only=False)
        elif pd.api.types.is_integer_dtype(col.dtype) and not col.hasnans:
            values = col.to_numpy()
            less, equal = values[:-1] < values[1:], values[:-1] == values[1:]
        else:
            return None
        if (undecided & ~less & ~equal).any():
            return None
        undecided &= equal
    return np.flatnonzero(np.r_[True, ~undecided])


def _group_matrix(docs: pd.DataFrame, keys: list[str]) -> tuple[sp.csr_matrix, pd.DataFrame]:
    """Sparse (groups x units) 0/1 matrix summing units into groups of ``keys``."""
    first = _sorted_group_starts(docs, keys)
    if first is not None:  # runs of rows: the same matrix, built directly
        n = len(docs)
        g = sp.csr_matrix(
            (np.ones(n, dtype=np.int64), np.arange(n), np.r_[first, n]),
            shape=(len(first), n),
        )
    else:
        codes = docs.groupby(keys, sort=True).ngroup().to_numpy()
        n_groups = int(codes.max()) + 1 if len(codes) else 0
        g = sp.csr_matrix(
            (np.ones(len(codes), dtype=np.int64), (codes, np.arange(len(codes)))),
            shape=(n_groups, len(codes)),
        )
        first = pd.Series(np.arange(len(codes))).groupby(codes).first().to_numpy()
    keep = [c for c in docs.columns if c in keys or c in ("outlet", "outlet_group")]
    out = docs.iloc[first][keep].copy()
    if "n_tokens" in docs.columns:
        out["n_tokens"] = np.asarray(g @ docs["n_tokens"].to_numpy()).ravel()
    return g, out.reset_index(drop=True)


def _vocabulary_counts(tokens: Tokens, vocabulary) -> tuple[sp.csr_matrix, pd.Index]:
    """Counts of the given terms (words or phrases, normalised like the text) per unit."""
    norm = normalize_terms(vocabulary)
    empty = norm.index[norm == ""].tolist()
    if empty:
        raise ValueError(f"dfm: vocabulary terms with no token after normalisation: {empty}; "
                         "drop them or give words")
    feats = pd.Index(pd.unique(norm.to_numpy()), dtype="str")
    if not (feats.str.count(" ") > 0).any():
        pos = tokens.vocabulary.get_indexer(feats)
        found = np.flatnonzero(pos >= 0)
        select = sp.csr_matrix(
            (np.ones(len(found), dtype=np.int64), (pos[found], found)),
            shape=(len(tokens.vocabulary), len(feats)),
        )
        return sp.csr_matrix(tokens._count_cache() @ select), feats
    from sklearn.feature_extraction.text import CountVectorizer  # here, not at import (see dfm)

    vec = CountVectorizer(
        analyzer=_phrase_analyzer(feats),
        vocabulary={f: i for i, f in enumerate(feats)},
        dtype=np.int64,
    )
    return sp.csr_matrix(vec.transform(tokens.joined.tolist())), feats


def dfm(
    tokens: Tokens,
    *,
    level: str | None = None,
    weighting: str = "count",
    remove_stopwords: bool = True,
    ngram_range: tuple[int, int] = (1, 1),
    min_df: int | float = 1,
    vocabulary=None,
) -> DFM:
    """Build a document-feature matrix from a :class:`Tokens` (no re-tokenizing).

    Parameters
    ----------
    tokens : Tokens
        The corpus tokenized once (:meth:`Tokens.from_corpus`).
    level : {"sentence", "paragraph", "article"}, optional
        Row unit; default ``tokens.level``. Coarser levels are aggregated from the unit matrix
        with a sparse grouping matrix; n-grams never cross the units of ``tokens``.
    weighting : {"count", "tfidf"}, default "count"
        ``"tfidf"``: scikit-learn's ``TfidfTransformer`` (smooth idf, l2 rows) fitted on the
        counts at ``level``.
    remove_stopwords : bool, default True
        Drop :func:`stopwords`. Unigrams that are stopwords are dropped; an n-gram is dropped
        when its first or last word is a stopword (keeps "rule of law", drops "of the").
        Ignored with a fixed ``vocabulary`` (you get exactly the terms asked for).
    ngram_range : (int, int), default (1, 1)
        Smallest and largest n. n-grams are built within each unit of ``tokens``.
    min_df : int or float, default 1
        Keep features found in at least ``min_df`` rows at ``level`` (a float in (0, 1] is a
        share of rows). Not applied with a fixed ``vocabulary``.
    vocabulary : iterable of str, optional
        Fixed features, words or phrases, normalised with :func:`normalize_terms` (so
        ``"Win-win"`` counts ``win-win`` and ``"meet halfway"`` the bigram). The columns keep
        the order given (duplicates after normalisation dropped); ``features`` holds the
        normalised forms; ``ngram_range`` is then irrelevant (phrases of any length are
        counted, overlapping occurrences included, never across units of ``tokens``).

    Returns
    -------
    DFM
    """
    level = level or tokens.level
    if level != tokens.level:
        check_one_of("level", level, LEVEL_KEYS, func="dfm")
    if level != tokens.level and not set(LEVEL_KEYS[level]) < set(tokens.keys):
        raise ValueError(
            f"dfm: cannot build a {level}-level matrix from {tokens.level}-level tokens; "
            f"tokenize at the {level} level (Tokens.from_corpus(corpus, level={level!r}))"
        )
    check_one_of("weighting", weighting, ("count", "tfidf"), func="dfm")
    lo, hi = ngram_range
    if not 1 <= lo <= hi:
        raise ValueError(f"dfm: ngram_range must satisfy 1 <= min <= max; got {ngram_range}")

    if vocabulary is not None:
        x, features = _vocabulary_counts(tokens, vocabulary)
    elif (lo, hi) == (1, 1):
        x, features = tokens._count_cache(), tokens.vocabulary
        if level != tokens.level:  # units summed first: fewer entries to drop stopwords from
            g, docs = _group_matrix(tokens.docs, LEVEL_KEYS[level])
            x = sp.csr_matrix(g @ x)
        if remove_stopwords and len(features):  # stopwords dropped here, in one copy
            content = np.flatnonzero(~features.isin(stopwords()))
            x, features = _take_columns(x, content), features[content]
        else:
            x = _as_int64(x)
    else:
        # scikit-learn (and scipy.stats, which it imports) only where n-grams, phrases or
        # TF-IDF need it: importing it costs about 1.3 s of CPU, which unigram counts never need
        from sklearn.feature_extraction.text import CountVectorizer

        vec = CountVectorizer(analyzer=_ngram_analyzer(lo, hi), dtype=np.int64)
        if tokens.joined.str.len().sum() == 0:
            x, features = sp.csr_matrix((len(tokens), 0), dtype=np.int64), pd.Index([], dtype="str")
        else:
            x = sp.csr_matrix(vec.fit_transform(tokens.joined.tolist()))
            features = pd.Index(vec.get_feature_names_out().tolist(), dtype="str")

    if remove_stopwords and vocabulary is None and len(features) and (lo, hi) != (1, 1):
        sw = stopwords()
        first = features.str.split(" ").str[0]
        last = features.str.split(" ").str[-1]
        keep = ~(first.isin(sw) | last.isin(sw))
        x, features = x[:, np.flatnonzero(keep)], features[keep]

    if level == tokens.level:
        docs = tokens.docs.copy()
    elif vocabulary is not None or (lo, hi) != (1, 1):  # (unigrams were summed above)
        g, docs = _group_matrix(tokens.docs, LEVEL_KEYS[level])
        x = sp.csr_matrix(g @ x)

    if vocabulary is None and min_df != 1:
        n_rows = x.shape[0]
        threshold = min_df * n_rows if isinstance(min_df, float) else min_df
        df_counts = np.asarray((x > 0).sum(axis=0)).ravel()
        keep = np.flatnonzero(df_counts >= threshold)
        x, features = x[:, keep], features[keep]

    x = sp.csr_matrix(x, dtype=np.int64)
    x.sort_indices()
    if weighting == "tfidf":
        from sklearn.feature_extraction.text import TfidfTransformer  # see the n-grams above

        x = sp.csr_matrix(TfidfTransformer().fit_transform(x))
    return DFM(
        matrix=x,
        features=pd.Index(features, dtype="str"),
        docs=docs.reset_index(drop=True),
        level=level,
        weighting=weighting,
    )

#: Below this share of stopword tokens a corpus is probably not English (English news prose
#: has roughly 40-50 %); notebooks 02 and 04 warn through :func:`probably_not_english`.
MIN_ENGLISH_STOPWORD_SHARE = 0.25


def content_token_counts(tokens: Tokens) -> np.ndarray:
    """Tokens of each unit that are not stopwords: the row sums of ``dfm(tokens)``, without it.

    Read from the shared count matrix (all tokens minus the few stopword columns), so no
    second full-vocabulary matrix is built.

    Parameters
    ----------
    tokens : Tokens

    Returns
    -------
    numpy.ndarray of int64, one value per unit

    Examples
    --------
    >>> toks = Tokens(pd.DataFrame({"doc": [0, 1]}), pd.Series(["the talks went on", "of the"]),
    ...               level="unit", keys=["doc"])
    >>> content_token_counts(toks).tolist()
    [2, 0]
    """
    counts = tokens._count_cache()
    stop = np.flatnonzero(tokens.vocabulary.isin(stopwords()))
    return (np.asarray(counts.sum(axis=1, dtype=np.int64)).ravel()
            - np.asarray(counts[:, stop].sum(axis=1, dtype=np.int64)).ravel())


def stopword_share(tokens: Tokens) -> float:
    """Share of all tokens that are (English) stopwords: a cheap check of the text's language.

    English news prose has roughly 40-50 % stopword tokens; a much lower share means the
    texts are probably not English, for which the tokenizer, stopwords and lexicons of this
    suite are not made.

    Parameters
    ----------
    tokens : Tokens

    Returns
    -------
    float
        0 when there is no token.
    """
    counts = tokens._count_cache()
    total = counts.sum(dtype=np.int64)
    if total == 0:
        return 0.0
    is_stop = tokens.vocabulary.isin(stopwords())
    return float(counts[:, np.flatnonzero(is_stop)].sum(dtype=np.int64) / total)


def probably_not_english(tokens: Tokens) -> bool:
    """Whether the texts are probably not English (stopword share below the threshold).

    Parameters
    ----------
    tokens : Tokens

    Returns
    -------
    bool
        True when :func:`stopword_share` is below :data:`MIN_ENGLISH_STOPWORD_SHARE`.
    """
    return stopword_share(tokens) < MIN_ENGLISH_STOPWORD_SHARE
