"""The ONE tokenizer of the suite, and document-feature matrices built from it.

Every later stage (keyness, topics, tone, kwic) uses :func:`normalize` / :func:`tokenize`
and :func:`dfm`, so a word is the same word everywhere.

Normalisation rules (in this order, see :func:`normalize`):

1. Typography folded: curly quotes and apostrophes to ``"`` and ``'``; hyphen-like characters
   (U+2010, U+2011, U+2012, U+2212) to ``-``; soft hyphens removed; an en dash between two
   word characters (``China–US``, ``2026–2030``) becomes ``-``, any other en/em dash a space.
2. Before lower-casing (the forms are only safe in their upper-case spelling):

   - the China-US dyad, ``Sino-US``, ``Sino-U.S.``, ``China-US``, ``China-U.S.``,
     ``US-China``, ``U.S.-China``, ``Sino-American``, ``China-United States`` -> ``china-us``;
   - ``U.S.``, ``US``, ``U.S.A.``, ``USA``, ``United States (of America)`` -> ``united_states``
     (a distinct token: the pronoun "us" is lower-case in running text and stays ``us``, a
     stopword). ``US$`` becomes ``usd``; "the States" and "America" are not mapped (ambiguous);
   - ``U.N.``, ``UN``, ``United Nations`` -> ``united_nations``.
3. Lower-casing; spaced spellings of the domain compounds listed in
   ``analysis/data/compounds.txt`` (``head of state``, ``win win``, ``one China``) are joined
   into their hyphenated form.
4. The possessive / contracted ``'s`` is removed (``china's`` -> ``china``, ``it's`` -> ``it``).

Tokens (:data:`TOKEN_RE`) are runs of word characters, possibly joined by internal hyphens or
apostrophes: hyphenated compounds stay whole (``win-win``, ``head-of-state``, ``five-year``,
``one-china``, ``china-us``) and so do contractions (``don't``). A token must contain at least
one letter: pure numbers (``2026``, ``3,000``, ``2026-2030``) are dropped, while ``15th``,
``g20``, ``covid-19`` and ``1990s`` are kept. Stopwords are KEPT in tokens; they are removed only
when a matrix is built (:func:`dfm`, ``remove_stopwords=True``, list in
``analysis/data/stopwords.txt``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import scipy.sparse as sp
from sklearn.feature_extraction.text import CountVectorizer, TfidfTransformer

DATA_DIR = Path(__file__).resolve().parent / "data"
STOPWORDS_FILE = DATA_DIR / "stopwords.txt"
COMPOUNDS_FILE = DATA_DIR / "compounds.txt"

#: The keys of each unit level, coarse to fine.
LEVEL_KEYS = {
    "article": ["article_id"],
    "paragraph": ["article_id", "paragraph"],
    "sentence": ["article_id", "paragraph", "sentence"],
}

# --- normalisation regexes (compiled once) -------------------------------------------------
# Regexes start with literals (no leading look-behind) so the regex engine can skip quickly to
# candidate positions; the left word boundary is checked in the replacement callables.
_FOLD = {
    **dict.fromkeys("\u2018\u2019\u201a\u201b\u2032\u0060\u00b4", "'"),
    **dict.fromkeys("\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb", '"'),
    **dict.fromkeys("\u2010\u2011\u2012\u2212\ufe63\uff0d", "-"),
    "\u00ad": "",
    "\u2014": " ",
    "\u2015": " ",
}
_FOLD_RE = re.compile("[" + "".join(_FOLD) + "]")
_EN_DASH_SPACE = re.compile("\u2013")
_EN_DASH_JOIN = re.compile(r"\u2013(?<=\w\u2013)(?=\w)")

_US = r"(?:U\.S\.A\.|U\.S\.(?!A\.)|USA|US|United\s+States(?:\s+of\s+America)?|UNITED\s+STATES)"
_CHINA = r"(?:China|CHINA|Sino|SINO)"
_END = r"(?![A-Za-z0-9_$])"
#: The country forms, matched case-sensitively before lower-casing, one group per target token:
#: ``dyad`` ("Sino-US", "China-U.S.", "US-China", "U.S.-China", "Sino-American") -> "china-us";
#: ``usd`` ("US$") -> "usd"; ``us`` (upper-case US forms) -> "united_states" (the pronoun "us" is
#: lower-case and untouched); ``un`` ("U.N.", "UN", "United Nations") -> "united_nations".
ENTITY_RE = re.compile(
    r"(?=[UCS])"  # lets the regex engine skip to candidate positions
    rf"(?:(?P<dyad>(?:{_CHINA}-{_US}|{_US}-(?:China|CHINA)|(?:Sino|SINO)-American){_END})"
    r"|(?P<usd>US\$)"
    rf"|(?P<us>{_US}{_END})"
    r"|(?P<un>(?:U\.N\.|UN|United\s+Nations|UNITED\s+NATIONS)(?![A-Za-z0-9_])))"
)
_POSSESSIVE = re.compile(r"'s\b")

#: One token: word characters joined by internal hyphens/apostrophes. The first alternative
#: swallows letter-less runs (pure numbers such as "2026", "2026-2030") as an empty match,
#: filtered out; the captured group is a token containing at least one letter.
TOKEN_RE = re.compile(r"[\d_'-]+(?![\w'-])|(\w+(?:['-]\w+)*)")

US_TOKEN = "united_states"
UN_TOKEN = "united_nations"
DYAD_TOKEN = "china-us"
_ENTITY_TOKENS = {"dyad": DYAD_TOKEN, "usd": " usd ", "us": US_TOKEN, "un": UN_TOKEN}


def _left_boundary(match: re.Match[str], forbidden: str) -> bool:
    i = match.start()
    if i == 0:
        return True
    prev = match.string[i - 1]
    return not (prev.isalnum() or prev == "_" or prev in forbidden)


def _replace_entity(match: re.Match[str]) -> str:
    if not _left_boundary(match, "."):
        return match.group(0)
    return _ENTITY_TOKENS[match.lastgroup]


def _read_list(path: Path) -> list[str]:
    """Lines of a one-item-per-line data file, without comments and blanks."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [ln.strip() for ln in lines if ln.strip() and not ln.lstrip().startswith("#")]


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    """The suite's stopword list (``analysis/data/stopwords.txt``).

    Returns
    -------
    frozenset of str
        Lower-case normalised words. ``not``/``no``/``us`` are in it; they are only dropped
        from matrices built with ``remove_stopwords=True``, never from tokens.
    """
    return frozenset(_read_list(STOPWORDS_FILE))


@lru_cache(maxsize=1)
def _compound_re() -> tuple[re.Pattern[str], dict[str, str]]:
    entries = sorted(set(_read_list(COMPOUNDS_FILE)), key=lambda s: (-len(s), s))
    bad = [e for e in entries if e != e.lower() or " " in e or "-" not in e]
    if bad:
        raise ValueError(
            f"{COMPOUNDS_FILE}: entries must be lower-case hyphenated compounds without spaces; "
            f"fix {bad}"
        )
    alts = [r"[\s-]+".join(map(re.escape, e.split("-"))) for e in entries]
    first = "".join(sorted({e[0] for e in entries}))
    pattern = re.compile(rf"(?=[{first}])(?:" + "|".join(alts) + r")(?![\w-])")
    return pattern, {e.replace("-", ""): e for e in entries}


def _join_compound(match: re.Match[str]) -> str:
    if not _left_boundary(match, "-"):
        return match.group(0)
    _, lookup = _compound_re()
    return lookup[re.sub(r"[\s-]+", "", match.group(0))]


def _as_text_series(texts: pd.Series | list[str] | str) -> pd.Series:
    if isinstance(texts, str):
        texts = [texts]
    s = texts if isinstance(texts, pd.Series) else pd.Series(list(texts), dtype="str")
    return s.fillna("").astype("str")


def _fold(match: re.Match[str]) -> str:
    return _FOLD[match.group(0)]


def _normalize_one(text: str) -> str:
    """Normalise one text: every rule is a regex over the whole text (no per-token loop)."""
    text = _FOLD_RE.sub(_fold, text)
    text = _EN_DASH_SPACE.sub(" ", _EN_DASH_JOIN.sub("-", text))
    text = ENTITY_RE.sub(_replace_entity, text).lower()
    text = _compound_re()[0].sub(_join_compound, text)
    return _POSSESSIVE.sub("", text)


def normalize(texts: pd.Series) -> pd.Series:
    """Normalise texts the one way the suite does (see the module docstring for the rules).

    Parameters
    ----------
    texts : pandas.Series of str
        Raw unit texts (sentences, paragraphs or articles). Missing values become ``""``.

    Returns
    -------
    pandas.Series of str
        Lower-cased, folded texts with the US/UN/China-US forms replaced by one token each;
        same index as ``texts``.

    Examples
    --------
    >>> normalize(pd.Series(["U.S.-China ties: the U.S. and us"])).iloc[0]
    'china-us ties: the united_states and us'
    """
    s = _as_text_series(texts)
    return pd.Series([_normalize_one(t) for t in s.tolist()], index=s.index, dtype="str")


def _joined(normalized: pd.Series) -> pd.Series:
    """Space-joined tokens of already normalised texts (one regex findall per unit)."""
    findall = TOKEN_RE.findall
    return pd.Series(
        [" ".join(filter(None, findall(t))) for t in normalized.tolist()],
        index=normalized.index,
        dtype="str",
    )


def tokenize(texts: pd.Series) -> pd.Series:
    """Split texts into normalised tokens (stopwords kept).

    Parameters
    ----------
    texts : pandas.Series of str

    Returns
    -------
    pandas.Series of list of str
        One list per text, same index.

    Examples
    --------
    >>> tokenize(pd.Series(["China's win-win Sino-US ties, 2026."])).iloc[0]
    ['china', 'win-win', 'china-us', 'ties']
    """
    return tokenize_joined(texts).str.split()


def tokenize_joined(texts: pd.Series) -> pd.Series:
    """Like :func:`tokenize`, but each unit's tokens joined by single spaces (memory-light).

    Parameters
    ----------
    texts : pandas.Series of str

    Returns
    -------
    pandas.Series of str
    """
    return _joined(normalize(texts))


def normalize_terms(terms) -> pd.Series:
    """Normalise lexicon terms or phrases the way texts are, for a fixed ``dfm`` vocabulary.

    Parameters
    ----------
    terms : iterable of str
        Words or phrases, e.g. ``["Win-win", "mutual respect", "U.S."]``.

    Returns
    -------
    pandas.Series of str
        Indexed by the original term; values are the space-joined normalised tokens
        (``"win-win"``, ``"mutual respect"``, ``"united_states"``); ``""`` when a term has no
        token (e.g. a pure number).
    """
    terms = list(terms)
    out = tokenize_joined(pd.Series(terms, dtype="str"))
    out.index = pd.Index(terms, dtype="str")
    return out


# --- Tokens: the corpus tokenized once -------------------------------------------------------


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
    """

    docs: pd.DataFrame
    joined: pd.Series
    level: str = "sentence"
    keys: list[str] = field(default_factory=lambda: list(LEVEL_KEYS["sentence"]))
    _counts: sp.csr_matrix | None = field(default=None, repr=False)
    _vocab: pd.Index | None = field(default=None, repr=False)

    @classmethod
    def from_corpus(cls, corpus, level: str = "sentence") -> Tokens:
        """Tokenize a :class:`analysis.corpus.Corpus` at ``level``.

        Parameters
        ----------
        corpus : analysis.corpus.Corpus
            Needs ``articles`` and, for ``level="sentence"``/``"paragraph"``, ``sentences`` /
            ``paragraphs`` (data contract).
        level : {"sentence", "paragraph", "article"}, default "sentence"
            Unit of tokenization. Matrices can be aggregated to coarser levels, never finer.

        Returns
        -------
        Tokens
        """
        if level not in LEVEL_KEYS:
            raise ValueError(f"level must be one of {list(LEVEL_KEYS)}, got {level!r}")
        table = {"sentence": "sentences", "paragraph": "paragraphs", "article": "articles"}[level]
        frame = getattr(corpus, table)
        return tokens_from_frame(frame, keys=LEVEL_KEYS[level], articles=corpus.articles)

    @property
    def counts(self) -> sp.csr_matrix:
        """Unit x word count matrix (CSR, unigrams, full vocabulary incl. stopwords), built once."""
        if self._counts is None:
            self._counts, self._vocab = count_matrix(self.joined)
        return self._counts

    @property
    def vocabulary(self) -> pd.Index:
        """Sorted vocabulary (columns of :attr:`counts`), stopwords included."""
        if self._vocab is None:
            _ = self.counts
        return self._vocab

    def __len__(self) -> int:
        return len(self.joined)


def count_matrix(joined: pd.Series, rows: int = 500_000) -> tuple[sp.csr_matrix, pd.Index]:
    """Unit x word counts of space-joined tokens, as ``CountVectorizer(analyzer=str.split)``.

    Same matrix and sorted vocabulary, computed with Arrow kernels (split, dictionary
    encoding) a block of ``rows`` units at a time instead of a Python loop over tokens.

    Parameters
    ----------
    joined : pandas.Series of str
        Space-joined tokens (:attr:`Tokens.joined`, :func:`tokenize_joined`).
    rows : int, default 500_000
        Units per block (bounds the memory of the token arrays).

    Returns
    -------
    counts : scipy.sparse.csr_matrix of int64
        Units x words, sorted indices.
    words : pandas.Index of str
        Sorted vocabulary (columns).
    """
    n = len(joined)
    arr = pa.array(joined.fillna(""), type=pa.large_string())
    vocab = pa.array([], type=pa.large_string())
    blocks = []
    for start in range(0, n, rows):
        lists = pc.split_pattern(arr[start : start + rows], " ")
        flat = lists.flatten()
        row = pc.list_parent_indices(lists).to_numpy()
        nonempty = pc.not_equal(flat, "").to_numpy(zero_copy_only=False)
        flat, row = flat.filter(pa.array(nonempty)), row[nonempty]
        enc = pc.dictionary_encode(flat)
        local = enc.dictionary
        pos = pc.index_in(local, value_set=vocab).to_numpy(zero_copy_only=False)
        new = np.isnan(pos) if pos.dtype.kind == "f" else np.zeros(len(pos), dtype=bool)
        pos = np.where(new, 0, pos).astype(np.int64)
        pos[new] = len(vocab) + np.arange(int(new.sum()))
        vocab = pa.concat_arrays([vocab, local.filter(pa.array(new))])
        codes = pos[enc.indices.to_numpy(zero_copy_only=False)]
        indptr = np.r_[0, np.cumsum(np.bincount(row, minlength=min(rows, n - start)))]
        block = sp.csr_matrix((np.ones(len(codes), dtype=np.int64), codes, indptr),
                              shape=(len(indptr) - 1, int(codes.max(initial=-1)) + 1))
        block.sum_duplicates()  # one entry per (unit, word): the block shrinks here
        blocks.append(block)
    if not len(vocab):
        return sp.csr_matrix((n, 0), dtype=np.int64), pd.Index([], dtype="str")
    order = pc.sort_indices(vocab).to_numpy()
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    for block in blocks:
        block.resize(block.shape[0], len(order))
    m = sp.csr_matrix(sp.vstack(blocks, format="csr"), dtype=np.int64)
    del blocks
    m.indices = rank[m.indices].astype(m.indices.dtype)
    m.has_sorted_indices = False
    m.sort_indices()
    words = pd.Index(vocab.take(pa.array(order)).to_pylist(), dtype="str")
    return m, words


def tokens_from_frame(
    frame: pd.DataFrame,
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
    arr = pa.array(joined, type=pa.large_string())
    n_spaces = pc.count_substring(arr, " ").to_numpy(zero_copy_only=False)
    docs["n_tokens"] = (n_spaces + (pc.utf8_length(arr).to_numpy(zero_copy_only=False) > 0)
                        ).astype("int64")
    level = next((lv for lv, k in LEVEL_KEYS.items() if k == keys), "unit")
    return Tokens(docs=docs, joined=joined, level=level, keys=list(keys))


# --- document-feature matrices ----------------------------------------------------------------


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


def _group_matrix(docs: pd.DataFrame, keys: list[str]) -> tuple[sp.csr_matrix, pd.DataFrame]:
    """Sparse (groups x units) 0/1 matrix summing units into groups of ``keys``."""
    codes = docs.groupby(keys, sort=True).ngroup().to_numpy()
    n_groups = int(codes.max()) + 1 if len(codes) else 0
    g = sp.csr_matrix(
        (np.ones(len(codes), dtype=np.int64), (codes, np.arange(len(codes)))),
        shape=(n_groups, len(codes)),
    )
    keep = [c for c in docs.columns if c in keys or c in ("outlet", "outlet_group")]
    first = pd.Series(np.arange(len(codes))).groupby(codes).first().to_numpy()
    out = docs.iloc[first][keep].copy()
    if "n_tokens" in docs.columns:
        out["n_tokens"] = np.asarray(g @ docs["n_tokens"].to_numpy()).ravel()
    return g, out.reset_index(drop=True)


def dfm(
    tokens: Tokens,
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
    if level != tokens.level and level not in LEVEL_KEYS:
        raise ValueError(f"level must be one of {list(LEVEL_KEYS)}, got {level!r}")
    if level != tokens.level and not set(LEVEL_KEYS[level]) < set(tokens.keys):
        raise ValueError(
            f"dfm: cannot build a {level}-level matrix from {tokens.level}-level tokens; "
            f"tokenize at the {level} level (Tokens.from_corpus(corpus, level={level!r}))"
        )
    if weighting not in ("count", "tfidf"):
        raise ValueError(f"weighting must be 'count' or 'tfidf', got {weighting!r}")
    lo, hi = ngram_range
    if not 1 <= lo <= hi:
        raise ValueError(f"ngram_range must satisfy 1 <= min <= max, got {ngram_range}")

    if vocabulary is not None:
        norm = normalize_terms(vocabulary)
        empty = norm.index[norm == ""].tolist()
        if empty:
            raise ValueError(f"dfm: vocabulary terms with no token after normalisation: {empty}")
        feats = pd.Index(pd.unique(norm.to_numpy()), dtype="str")
        if not (feats.str.count(" ") > 0).any():
            pos = tokens.vocabulary.get_indexer(feats)
            found = np.flatnonzero(pos >= 0)
            select = sp.csr_matrix(
                (np.ones(len(found), dtype=np.int64), (pos[found], found)),
                shape=(len(tokens.vocabulary), len(feats)),
            )
            x = sp.csr_matrix(tokens.counts @ select)
        else:
            vec = CountVectorizer(
                analyzer=_phrase_analyzer(feats),
                vocabulary={f: i for i, f in enumerate(feats)},
                dtype=np.int64,
            )
            x = sp.csr_matrix(vec.transform(tokens.joined.tolist()))
        features = feats
    elif (lo, hi) == (1, 1):
        x, features = tokens.counts, tokens.vocabulary
    else:
        vec = CountVectorizer(analyzer=_ngram_analyzer(lo, hi), dtype=np.int64)
        if tokens.joined.str.len().sum() == 0:
            x, features = sp.csr_matrix((len(tokens), 0), dtype=np.int64), pd.Index([], dtype="str")
        else:
            x = sp.csr_matrix(vec.fit_transform(tokens.joined.tolist()))
            features = pd.Index(vec.get_feature_names_out().tolist(), dtype="str")

    if remove_stopwords and vocabulary is None and len(features):
        sw = stopwords()
        first = features.str.split(" ").str[0]
        last = features.str.split(" ").str[-1]
        keep = ~(first.isin(sw) | last.isin(sw))
        x, features = x[:, np.flatnonzero(keep)], features[keep]

    docs = tokens.docs
    if level != tokens.level:
        g, docs = _group_matrix(docs, LEVEL_KEYS[level])
        x = sp.csr_matrix(g @ x)
    else:
        docs = docs.copy()

    if vocabulary is None and min_df != 1:
        n_rows = x.shape[0]
        threshold = min_df * n_rows if isinstance(min_df, float) else min_df
        df_counts = np.asarray((x > 0).sum(axis=0)).ravel()
        keep = np.flatnonzero(df_counts >= threshold)
        x, features = x[:, keep], features[keep]

    x = sp.csr_matrix(x, dtype=np.int64)
    x.sort_indices()
    if weighting == "tfidf":
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
    counts = tokens.counts
    total = counts.sum()
    if total == 0:
        return 0.0
    is_stop = tokens.vocabulary.isin(stopwords())
    return float(counts[:, np.flatnonzero(is_stop)].sum() / total)


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
