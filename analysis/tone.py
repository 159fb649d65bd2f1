"""Sentence tone toward China–US relations: three measures, validation, outlet comparison.

Measures (one value per sentence, each on [-1, 1])
--------------------------------------------------
``vader``
    VADER's compound score (Hutto & Gilbert 2014; ``vaderSentiment``), computed on the raw
    sentence text. General sentiment, the field's common baseline. vaderSentiment scores one
    sentence per Python call; :mod:`analysis.vader` gives the same numbers for whole blocks of
    sentences (about 20 times faster; the tests compare it with vaderSentiment sentence by
    sentence).
``framing``
    The suite's cooperation–conflict framing dictionary
    (``analysis/data/framing_lexicon.csv``, documented in ``framing_lexicon.md``).
``assertiveness``
    Assertiveness (+) versus hedging (-) (``analysis/data/assertiveness_lexicon.csv``,
    ``assertiveness_lexicon.md``). A second dimension, not a tone: it is reported and validated
    for information but never chosen as ``tone``.

Dictionary scoring (both dictionaries)
--------------------------------------
Text is tokenized once by the shared tokenizer (:mod:`analysis.tokens`); lexicon terms are
normalised by the same code (:func:`analysis.tokens.normalize_terms`), so "Win-win", "win win"
and "U.S." match the way the text is tokenized. Matching is greedy, left to right, longest
term first (a term is matched at the first position where it starts; "trade war" is one match
of weight 2, not "trade war" + "war"). Zero-weight "blocker" entries consume names such as
"Asia-Pacific Economic Cooperation" so that their words are not scored.

Negation (framing dictionary only, because only it lists negators): a negator or polarity
shifter ("not", "no", "never", "without", "cannot", "don't", ..., "avoid", "prevent", "reduce",
"oppose", ...) reverses the sign of the FIRST matched term that starts within
:data:`NEGATION_WINDOW` tokens after it ("not sustainable", "no intention of decoupling",
"avoid miscalculation"). Each negator acts on one term at most, so "not confrontation but
cooperation" reverses "confrontation" only. Pseudo-negations ("not only", "no doubt") do not
negate.

With ``P`` the summed weight of cooperation (positive) matches and ``N`` that of conflict
(negative) matches after negation, the sentence score is ``(P - N) / (P + N + k)`` with
``k = SMOOTHING_K = 1``: the balance of cooperation over conflict vocabulary, shrunk toward 0
when there is little evidence (one weight-1 term gives ±0.5, two give ±0.67; a sentence
without any term scores 0). It is bounded in (-1, 1), does not depend on sentence length
beyond the vocabulary it contains, and is the smoothed form of the "relative proportional
difference" (R - L) / (R + L) used for dictionary and manifesto scaling (Lowe et al. 2011).

All of this is vectorized over the whole corpus: one pyarrow split of the space-joined tokens,
a dictionary encoding, a trie walk over candidate positions with numpy, and sparse count
matrices (term counts and negated-term counts) multiplied by weight vectors. A per-sentence
pure-Python version, :func:`reference_score_sentence`, exists only so tests can check that the
vectorized scores equal it.

``tone``
    The primary sentence score, chosen by the validation among :data:`TONE_CANDIDATES`
    (:func:`choose_primary`: highest Spearman correlation with the hand codes).
"""

from __future__ import annotations

import math
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import scipy.sparse as sp

from . import progress, stats, tokens, vader
from ._checks import check_all_of
from ._kernels import arrow_texts, run_starts
from .config import ASSERTIVENESS_LEXICON, CHINESE_STATE, FRAMING_LEXICON, INTERNATIONAL

__all__ = [
    "ASSERTIVENESS_LEXICON",
    "FRAMING_LEXICON",
    "Lexicon",
    "MEASURES",
    "TokenStream",
    "NEGATION_WINDOW",
    "NEUTRAL_BAND",
    "SMOOTHING_K",
    "TONE_CANDIDATES",
    "align_annotations",
    "article_tone",
    "assertiveness_lexicon",
    "choose_primary",
    "compare_groups",
    "coverage",
    "disagreements",
    "exemplars",
    "findings_markdown",
    "framing_lexicon",
    "group_estimates",
    "lexicon_counts",
    "lexicon_score",
    "load_annotations",
    "load_lexicon",
    "plot_group_tone",
    "plot_topic_tone",
    "plot_validation",
    "read_topics",
    "reference_score_sentence",
    "score_sentences",
    "token_stream",
    "sentence_table",
    "settings_table",
    "sign_class",
    "term_frequencies",
    "tone_by_topic",
    "validate_measures",
    "vader_compound",
    "voice_agreement",
    "voice_of",
]


#: A negator reverses the first term starting within this many tokens after it.
NEGATION_WINDOW = 3
#: Pseudo-count of the dictionary score (P - N) / (P + N + k).
SMOOTHING_K = 1.0
#: |score| below this is "neutral" for the sign accuracy (VADER's customary 0.05 threshold).
NEUTRAL_BAND = 0.05
#: From this many sentences on, VADER and the dictionaries are scored in two threads.
_THREADED_MIN = 50_000
#: Share of a sentence's characters inside direct quotes from which it is "quoted" speech.
QUOTED_THRESHOLD = 0.5
#: The measures :func:`score_sentences` computes.
MEASURES = ("vader", "framing", "assertiveness")
#: Measures among which the validation chooses ``tone`` (``framing_vader`` = their mean).
TONE_CANDIDATES = ("framing", "vader", "framing_vader")

_LEXICON_COLUMNS = ["term", "direction", "weight", "category", "note"]
_RULE_CATEGORIES = {"negator", "shifter", "pseudo_negation"}
_KEYS = ["article_id", "paragraph", "sentence"]


# =========================================================================== lexicons


@dataclass(frozen=True)
class Lexicon:
    """A scoring dictionary compiled for vectorized matching.

    Attributes
    ----------
    name : str
        Short name, used as the score column (``"framing"``).
    terms : pandas.DataFrame
        One row per term: ``term`` (as written in the file), ``norm`` (normalised, space-joined
        tokens), ``n_tokens``, ``direction`` (+1 / -1, 0 for blockers), ``weight``,
        ``category``, ``note``. Row order = column order of :func:`lexicon_counts`.
    negators : frozenset of str
        Normalised single-token negators and shifters (empty: no negation handling).
    pseudo_negations : frozenset of tuple
        Two-token sequences starting with a negator that do not negate ("not only").
    source : str
        File name the lexicon was read from.
    """

    name: str
    terms: pd.DataFrame
    negators: frozenset
    pseudo_negations: frozenset
    source: str

    @property
    def negation(self) -> bool:
        """Whether the lexicon handles negation (it lists negators)."""
        return bool(self.negators)

    @property
    def weights(self) -> tuple[np.ndarray, np.ndarray]:
        """Weight vectors ``(w_pos, w_neg)``: weight of each term on the cooperation side and on the conflict side."""
        w = self.terms["weight"].to_numpy(float)
        d = self.terms["direction"].to_numpy()
        return np.where(d > 0, w, 0.0), np.where(d < 0, w, 0.0)

    @property
    def words(self) -> frozenset:
        """Every token the matcher needs: term words, negators and pseudo-negation words."""
        term_words = {t for n in self.terms["norm"] for t in n.split()}
        return frozenset(term_words | set(self.negators) | {t for p in self.pseudo_negations for t in p})

    @property
    def _trie(self) -> _Trie:
        return _compile(tuple(self.terms["norm"]))


@dataclass(frozen=True)
class _Trie:
    """Token trie over the normalised terms, as sorted transition keys for numpy lookups."""

    tokens: pd.Index  # lexicon token vocabulary; code = position + 1 (0 = not a lexicon token)
    base: int  # len(tokens) + 1
    keys: np.ndarray  # sorted int64: state * base + token code
    targets: np.ndarray  # next state for each key
    terminal: np.ndarray  # term index ending at each state, -1 if none
    max_len: int
    starts: np.ndarray  # bool per token code: the token begins some term


@lru_cache(maxsize=16)
def _compile(norms: tuple[str, ...]) -> _Trie:
    vocab = pd.Index(sorted({t for n in norms for t in n.split()}), dtype="str")
    code = {t: i + 1 for i, t in enumerate(vocab)}
    base = len(vocab) + 1
    trans: dict[tuple[int, int], int] = {}
    terminal = [-1]
    for i, norm in enumerate(norms):
        state = 0
        for tok in norm.split():
            key = (state, code[tok])
            if key not in trans:
                trans[key] = len(terminal)
                terminal.append(-1)
            state = trans[key]
        terminal[state] = i
    keys = np.array([s * base + c for s, c in trans], dtype=np.int64)
    targets = np.array(list(trans.values()), dtype=np.int64)
    order = np.argsort(keys)
    starts = np.zeros(base, bool)
    starts[[c for s, c in trans if s == 0]] = True
    return _Trie(
        vocab, base, keys[order], targets[order], np.array(terminal, dtype=np.int64),
        max((len(n.split()) for n in norms), default=0), starts,
    )


def load_lexicon(path: str | Path, name: str | None = None) -> Lexicon:
    """Read and check a lexicon CSV (columns ``term, direction, weight, category, note``).

    Rows with category ``negator`` or ``shifter`` (single tokens) and ``pseudo_negation``
    (two tokens) define the negation rules; all others are scored terms. ``direction`` is +1
    (cooperation / assertive), -1 (conflict / hedging) or 0 with weight 0 (a blocker).

    Parameters
    ----------
    path : str or pathlib.Path
        The CSV file.
    name : str, optional
        Lexicon name; default: the file stem without ``_lexicon``.

    Returns
    -------
    Lexicon

    Raises
    ------
    ValueError
        Naming the file and row (1-based, header = row 1) of a malformed entry: missing
        column, bad direction or weight, a term with no token after normalisation, or two
        entries that normalise to the same tokens.
    """
    path = Path(path)
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [c for c in _LEXICON_COLUMNS if c not in df.columns]
    if missing:
        raise ValueError(f"{path.name}: missing column(s) {missing}; expected {_LEXICON_COLUMNS}")
    row = pd.Series(np.arange(len(df)) + 2, index=df.index)
    direction = pd.to_numeric(df["direction"], errors="coerce")
    weight = pd.to_numeric(df["weight"], errors="coerce")
    bad = ~direction.isin([-1, 0, 1]) | weight.isna() | (weight < 0)
    bad |= (direction == 0) != (weight == 0)
    if bad.any():
        r = int(row[bad].iloc[0])
        raise ValueError(
            f"{path.name}, row {r} ({df.loc[bad, 'term'].iloc[0]!r}): direction must be -1, 1 "
            "(or 0 with weight 0 for a blocker / negation rule) and weight a number >= 0"
        )
    norm = tokens.normalize_terms(df["term"]).to_numpy()
    df = df.assign(norm=norm, direction=direction.astype("int64"), weight=weight.astype(float))
    empty = df["norm"] == ""
    if empty.any():
        raise ValueError(f"{path.name}, row {int(row[empty].iloc[0])}: term {df.loc[empty, 'term'].iloc[0]!r} has no token")
    is_rule = df["category"].isin(_RULE_CATEGORIES)
    rules, terms = df[is_rule], df[~is_rule].reset_index(drop=True)
    n_tok = rules["norm"].str.count(" ") + 1
    wrong = (rules["category"].isin(["negator", "shifter"]) & (n_tok != 1)) | (
        (rules["category"] == "pseudo_negation") & (n_tok != 2)
    ) | (rules["direction"] != 0)
    if wrong.any():
        raise ValueError(
            f"{path.name}, row {int(row[wrong.index[wrong]].iloc[0])}: negators/shifters must be "
            "one token and pseudo-negations two tokens, with direction 0 and weight 0"
        )
    dup = terms["norm"].duplicated(keep=False)
    if dup.any():
        raise ValueError(
            f"{path.name}: entries {terms.loc[dup, 'term'].tolist()} normalise to the same tokens; "
            "keep one of each"
        )
    terms["n_tokens"] = (terms["norm"].str.count(" ") + 1).astype("int64")
    negators = frozenset(rules.loc[rules["category"] != "pseudo_negation", "norm"])
    pseudo = frozenset(tuple(s.split()) for s in rules.loc[rules["category"] == "pseudo_negation", "norm"])
    unknown = [p for p in pseudo if p[0] not in negators]
    if unknown:
        raise ValueError(f"{path.name}: pseudo-negations {unknown} do not start with a listed negator")
    cols = ["term", "norm", "n_tokens", "direction", "weight", "category", "note"]
    return Lexicon(
        name=name or path.stem.removesuffix("_lexicon"),
        terms=terms[cols],
        negators=negators,
        pseudo_negations=pseudo,
        source=path.name,
    )


@lru_cache(maxsize=1)
def framing_lexicon() -> Lexicon:
    """The suite's cooperation–conflict framing dictionary (``analysis/data/framing_lexicon.csv``)."""
    return load_lexicon(FRAMING_LEXICON, "framing")


@lru_cache(maxsize=1)
def assertiveness_lexicon() -> Lexicon:
    """The assertiveness / hedging dictionary (``analysis/data/assertiveness_lexicon.csv``)."""
    return load_lexicon(ASSERTIVENESS_LEXICON, "assertiveness")


# =========================================================================== matching


@dataclass(frozen=True)
class TokenStream:
    """The tokens of a corpus as one flat array of codes, for vectorized dictionary matching.

    Attributes
    ----------
    codes : numpy.ndarray of int32
        One entry per token of the corpus, in order: the token's position in ``words``, or -1
        for a token that no lexicon in use needs.
    words : pandas.Index of str
        The tokens the lexicons need (term words, negators, pseudo-negation words).
    ends : numpy.ndarray of int64
        Exclusive end of each unit (document) in ``codes``: unit ``i`` is
        ``codes[ends[i-1]:ends[i]]``.
    positions : numpy.ndarray of int64
        Positions of the coded tokens (``codes >= 0``), ascending: the only places a lexicon
        can match, so per-lexicon work never touches the whole token array.
    """

    codes: np.ndarray
    words: pd.Index
    ends: np.ndarray
    positions: np.ndarray

    def doc_of(self, pos: np.ndarray) -> np.ndarray:
        """Unit index of each token position."""
        return np.searchsorted(self.ends, pos, side="right")


def token_stream(joined: pd.Series, words, block: int = 200_000) -> TokenStream:
    """Split space-joined token strings (pyarrow) and code the tokens in ``words``.

    Parameters
    ----------
    joined : pandas.Series of str
        ``Tokens.joined`` of the shared tokenizer.
    words : iterable of str
        Normalised tokens to code (e.g. the union of :attr:`Lexicon.words`).
    block : int, default 200_000
        Units split at a time: only their token strings are in memory at once, the stream
        itself keeps 4 bytes per token.

    Returns
    -------
    TokenStream
    """
    arr = arrow_texts(joined)
    words = pd.Index(sorted(set(words)), dtype="str")
    value_set = pa.array(list(words), type=arr.type)
    codes, lengths = [np.zeros(0, np.int32)], [np.zeros(0, np.int64)]
    for lo, hi in progress.blocks(len(arr), block, "dictionary tokens"):
        lists = pc.ascii_split_whitespace(arr.slice(lo, hi - lo))  # "" gives an empty list
        lengths.append(pc.list_value_length(lists).to_numpy(zero_copy_only=False).astype(np.int64))
        found = pc.index_in(lists.flatten(), value_set=value_set).fill_null(-1)
        codes.append(found.to_numpy(zero_copy_only=False).astype(np.int32, copy=False))
        del lists, found
    codes = np.concatenate(codes)
    ends = np.cumsum(np.concatenate(lengths), dtype=np.int64)
    return TokenStream(codes, words, ends, np.flatnonzero(codes >= 0))


@dataclass(frozen=True)
class _Matches:
    doc: np.ndarray
    term: np.ndarray
    negated: np.ndarray


def _match(stream: TokenStream, lexicon: Lexicon, window: int = NEGATION_WINDOW) -> _Matches:
    """Greedy longest-first matches of the lexicon's terms, and which of them are negated."""
    trie = lexicon._trie
    missing = set(lexicon.words) - set(stream.words)
    if missing:
        raise ValueError(f"token stream lacks lexicon words {sorted(missing)[:5]}; build it with lexicon.words")
    codes, ends, coded = stream.codes, stream.ends, stream.positions
    n = len(codes)
    # trie code of each word (0 = not a term word); code -1 (any other token) hits the last 0
    lut = np.r_[trie.tokens.get_indexer(stream.words) + 1, 0].astype(np.int64)

    def tok(pos: np.ndarray) -> np.ndarray:
        return lut[codes[pos]]

    # --- trie walk from every position whose token begins a term
    cand = coded[trie.starts[tok(coded)]]
    cand_doc = stream.doc_of(cand)
    cand_end = ends[cand_doc] if len(cand) else cand
    best_len = np.zeros(len(cand), np.int64)
    best_term = np.full(len(cand), -1, np.int64)
    state = np.zeros(len(cand), np.int64)
    alive = np.arange(len(cand))
    for j in range(trie.max_len):
        pos = cand[alive] + j
        ok = pos < cand_end[alive]
        alive, pos = alive[ok], pos[ok]
        t = tok(pos)
        key = state[alive] * trie.base + t
        at = np.minimum(np.searchsorted(trie.keys, key), len(trie.keys) - 1)
        ok = (trie.keys[at] == key) & (t > 0)
        alive = alive[ok]
        state[alive] = trie.targets[at[ok]]
        term_here = trie.terminal[state[alive]]
        hit = term_here >= 0
        best_len[alive[hit]] = j + 1
        best_term[alive[hit]] = term_here[hit]
        if not len(alive):
            break
    found = best_len > 0
    start, length, term, mdoc = cand[found], best_len[found], best_term[found], cand_doc[found]

    # --- greedy selection: first match of each doc, then the next match starting at or after
    # the end of the last kept one (exactly a left-to-right scan that consumes matched tokens)
    m = len(start)
    kept = np.zeros(m, bool)
    if m:
        succ = np.minimum(np.searchsorted(start, start + length, side="left"), m - 1)
        has_succ = (start[succ] >= start + length) & (mdoc[succ] == mdoc)
        frontier = run_starts(mdoc)
        while len(frontier):
            kept[frontier] = True
            frontier = succ[frontier[has_succ[frontier]]]
    start, term, mdoc = start[kept], term[kept], mdoc[kept]

    # --- negation: each negator reverses the first kept match starting within `window` tokens
    negated = np.zeros(len(start), bool)
    if lexicon.negation and len(start):
        is_neg = np.r_[stream.words.isin(list(lexicon.negators)), False]
        neg_pos = coded[is_neg[codes[coded]]]
        neg_doc = stream.doc_of(neg_pos)
        if lexicon.pseudo_negations and len(neg_pos):
            nxt = np.minimum(neg_pos + 1, n - 1)
            base = len(stream.words) + 1
            pair = codes[neg_pos].astype(np.int64) * base + codes[nxt]
            pseudo_keys = [stream.words.get_loc(a) * base + stream.words.get_loc(b)
                           for a, b in lexicon.pseudo_negations]
            pseudo = np.isin(pair, pseudo_keys) & (neg_pos + 1 < ends[neg_doc])
            neg_pos, neg_doc = neg_pos[~pseudo], neg_doc[~pseudo]
        target = np.minimum(np.searchsorted(start, neg_pos, side="right"), len(start) - 1)
        ok = (start[target] > neg_pos) & (mdoc[target] == neg_doc) & (start[target] - neg_pos <= window)
        negated[target[ok]] = True
    return _Matches(mdoc, term, negated)


def lexicon_counts(
    tok: tokens.Tokens, lexicon: Lexicon, window: int = NEGATION_WINDOW, stream: TokenStream | None = None
) -> tokens.DFM:
    """Sparse counts of each lexicon term per unit, plain and negated.

    Parameters
    ----------
    tok : analysis.tokens.Tokens
        The corpus tokenized once.
    lexicon : Lexicon
        The dictionary.
    window : int, default NEGATION_WINDOW
        Negation window in tokens.
    stream : TokenStream, optional
        ``token_stream(tok.joined, words)`` built once for several lexicons; ``words`` must
        include ``lexicon.words``. Default: built here.

    Returns
    -------
    analysis.tokens.DFM
        Rows = units of ``tok``; columns = the lexicon's terms (normalised form, in the order
        of ``lexicon.terms``), then the same terms prefixed ``"NOT "`` for negated matches.
    """
    if stream is None:
        stream = token_stream(tok.joined, lexicon.words)
    mt = _match(stream, lexicon, window)
    k = len(lexicon.terms)
    col = mt.term + k * mt.negated
    x = sp.csr_matrix(
        (np.ones(len(col), np.int64), (mt.doc, col)), shape=(len(tok.joined), 2 * k), dtype=np.int64
    )
    x.sum_duplicates()
    feats = pd.Index(list(lexicon.terms["norm"]) + ["NOT " + t for t in lexicon.terms["norm"]], dtype="str")
    return tokens.DFM(matrix=x, features=feats, docs=tok.docs.copy(), level=tok.level, weighting="count")


def lexicon_score(counts: tokens.DFM, lexicon: Lexicon, k: float = SMOOTHING_K) -> pd.DataFrame:
    """Dictionary score ``(P - N) / (P + N + k)`` from :func:`lexicon_counts`.

    A negated cooperation term adds its weight to ``N`` and a negated conflict term to ``P``.

    Parameters
    ----------
    counts : analysis.tokens.DFM
        Output of :func:`lexicon_counts` for ``lexicon``.
    lexicon : Lexicon
    k : float, default SMOOTHING_K

    Returns
    -------
    pandas.DataFrame
        ``score``, ``pos`` (P), ``neg`` (N) and ``n_terms`` (scored, non-blocker matches), one
        row per unit, RangeIndex aligned with ``counts.docs``.
    """
    wp, wn = lexicon.weights
    w = sp.csr_matrix(np.column_stack([np.r_[wp, wn], np.r_[wn, wp]]))
    pn = (counts.matrix @ w).toarray() if counts.matrix.shape[0] else np.zeros((0, 2))
    p, n = pn[:, 0], pn[:, 1]
    scored = np.r_[lexicon.terms["weight"].to_numpy() > 0, lexicon.terms["weight"].to_numpy() > 0]
    n_terms = np.asarray(counts.matrix[:, np.flatnonzero(scored)].sum(axis=1)).ravel()
    return pd.DataFrame({"score": (p - n) / (p + n + k), "pos": p, "neg": n, "n_terms": n_terms.astype("int64")})


def reference_score_sentence(
    text: str, lexicon: Lexicon | None = None, k: float = SMOOTHING_K, window: int = NEGATION_WINDOW
) -> float:
    """Straightforward per-sentence dictionary score, for tests only.

    Tokenizes one text with the shared tokenizer, scans left to right taking the longest
    term at each position, applies the negation rule with plain loops, and returns
    ``(P - N) / (P + N + k)``. :func:`score_sentences` must give the same numbers.

    Parameters
    ----------
    text : str
    lexicon : Lexicon, optional
        Default :func:`framing_lexicon`.
    k : float
    window : int

    Returns
    -------
    float
    """
    lexicon = lexicon or framing_lexicon()
    toks = tokens.tokenize(pd.Series([text], dtype="str")).iloc[0]
    entries = {
        tuple(r.norm.split()): (r.direction, r.weight) for r in lexicon.terms.itertuples(index=False)
    }
    longest = max(len(e) for e in entries)
    matches = []  # [start, direction, weight, negated]
    i = 0
    while i < len(toks):
        for size in range(min(longest, len(toks) - i), 0, -1):
            if tuple(toks[i : i + size]) in entries:
                matches.append([i, *entries[tuple(toks[i : i + size])], False])
                i += size
                break
        else:
            i += 1
    for q, word in enumerate(toks):
        if word not in lexicon.negators:
            continue
        if q + 1 < len(toks) and (word, toks[q + 1]) in lexicon.pseudo_negations:
            continue
        after = [m for m in matches if m[0] > q]
        if after and after[0][0] - q <= window:
            after[0][3] = True
    pos = neg = 0.0
    for _, direction, weight, negated in matches:
        signed = -direction if negated else direction
        if signed > 0:
            pos += weight
        elif signed < 0:
            neg += weight
    return (pos - neg) / (pos + neg + k)


# =========================================================================== VADER


def vader_compound(texts: pd.Series) -> pd.Series:
    """VADER's compound score of each text (vaderSentiment's numbers, computed in blocks).

    Delegates to :func:`analysis.vader.compound`, which applies VADER's rules to whole blocks of
    sentences and sends the rare sentences it does not vectorize to vaderSentiment itself; the
    tests check that every score equals ``SentimentIntensityAnalyzer.polarity_scores``.

    Parameters
    ----------
    texts : pandas.Series of str
        Raw sentence texts (VADER uses case and punctuation).

    Returns
    -------
    pandas.Series of float
        Same index.
    """
    return vader.compound(texts)


# =========================================================================== scoring


def score_sentences(
    data,
    measures: tuple[str, ...] = MEASURES,
    texts: pd.Series | None = None,
    lexicons: dict[str, Lexicon] | None = None,
    tok: tokens.Tokens | None = None,
) -> pd.DataFrame:
    """Score every unit (sentence) with the requested measures.

    Parameters
    ----------
    data : analysis.corpus.Corpus, analysis.tokens.Tokens or pandas.DataFrame
        A corpus (its sentences are tokenized once), an already tokenized corpus, or a table
        of sentences with ``text`` and key columns.
    measures : tuple of str, default ("vader", "framing", "assertiveness")
        Any of :data:`MEASURES`.
    texts : pandas.Series, optional
        Raw texts aligned with the rows of a ``Tokens`` (needed only for ``"vader"``).
    lexicons : dict, optional
        ``{"framing": Lexicon, "assertiveness": Lexicon}`` to override the bundled ones.
    tok : analysis.tokens.Tokens, optional
        With a Corpus: its sentence-level ``Tokens`` if already built (not tokenized again).

    Returns
    -------
    pandas.DataFrame
        The unit keys and ``n_tokens`` (from ``Tokens.docs``), one column per measure, and
        ``framing_terms`` / ``assertiveness_terms`` (number of scored dictionary matches);
        plus ``framing_vader`` (the mean of the two) when both are computed.
    """
    check_all_of("measures", measures, MEASURES, func="score_sentences")
    if isinstance(data, tokens.Tokens):
        tok = data
        if "vader" in measures and texts is None:
            raise ValueError("score_sentences: VADER needs the raw texts; pass texts= aligned with the Tokens")
    elif isinstance(data, pd.DataFrame):
        frame = data.sort_values([k for k in _KEYS if k in data.columns], kind="stable").reset_index(drop=True)
        tok = tokens.tokens_from_frame(frame)
        texts = frame["text"]
    else:  # a Corpus
        tok = tok if tok is not None else tokens.Tokens.from_corpus(data)
        texts = data.sentences.sort_values(_KEYS, kind="stable")["text"].reset_index(drop=True)
    lex = {"framing": framing_lexicon(), "assertiveness": assertiveness_lexicon(), **(lexicons or {})}
    out = tok.docs.copy()
    dictionaries = [m for m in measures if m != "vader"]

    def dictionary_scores() -> dict[str, np.ndarray]:
        stream = token_stream(tok.joined, set().union(*(lex[m].words for m in dictionaries)))
        cols = {}
        for m in dictionaries:
            res = lexicon_score(lexicon_counts(tok, lex[m], stream=stream), lex[m])
            cols[m], cols[f"{m}_terms"] = res["score"].to_numpy(), res["n_terms"].to_numpy()
        return cols

    # VADER and the dictionaries are independent and spend their time in Arrow and numpy
    # kernels, which release the GIL: on large corpora they run side by side on two cores.
    cols: dict[str, np.ndarray] = {}
    with ThreadPoolExecutor(max_workers=2 if len(tok.joined) >= _THREADED_MIN else 1) as pool:
        pending = pool.submit(dictionary_scores) if dictionaries else None
        if "vader" in measures:
            cols["vader"] = vader_compound(pd.Series(texts).reset_index(drop=True)).to_numpy()
        if pending is not None:
            cols.update(pending.result())
    for m in measures:
        out[m] = cols[m]
        if m != "vader":
            out[f"{m}_terms"] = cols[f"{m}_terms"]
    if {"vader", "framing"} <= set(measures):
        out["framing_vader"] = (out["framing"] + out["vader"]) / 2
    return out


def voice_of(quote_share: pd.Series, threshold: float = QUOTED_THRESHOLD) -> pd.Series:
    """``"quoted"`` when at least ``threshold`` of a sentence's characters are inside quotes, else ``"own"``.

    Parameters
    ----------
    quote_share : pandas.Series of float
    threshold : float, default QUOTED_THRESHOLD

    Returns
    -------
    pandas.Series of str
    """
    return pd.Series(np.where(quote_share.fillna(0).to_numpy() >= threshold, "quoted", "own"),
                     index=quote_share.index, dtype="str")


def sentence_table(corpus, scores: pd.DataFrame, tone: str | None = None) -> pd.DataFrame:
    """Sentences with their scores, quote share, voice and article metadata.

    Parameters
    ----------
    corpus : analysis.corpus.Corpus
    scores : pandas.DataFrame
        Output of :func:`score_sentences` on that corpus.
    tone : str, optional
        Measure copied into a ``tone`` column (the primary score).

    Returns
    -------
    pandas.DataFrame
        One row per sentence, sorted by article, paragraph, sentence: keys, ``text``,
        ``quote_share``, ``speaker``, ``voice``, ``outlet``, ``outlet_group``, ``genre``, the
        measure columns and ``tone``.
    """
    sent = corpus.sentences[[*_KEYS, "text", "quote_share", "speaker"]]
    meta = corpus.articles[["article_id", "outlet", "outlet_group", "genre"]]
    score_cols = [c for c in scores.columns if c not in (*_KEYS, "outlet", "outlet_group")]
    table = sent.merge(scores[[*_KEYS, *score_cols]], on=_KEYS, how="left", validate="one_to_one")
    table = table.merge(meta, on="article_id", how="left", validate="many_to_one")
    table["voice"] = voice_of(table["quote_share"])
    if tone is not None:
        table["tone"] = table[tone]
    return table.sort_values(_KEYS, kind="stable").reset_index(drop=True)


# =========================================================================== validation


def load_annotations(path: str | Path | None) -> pd.DataFrame | None:
    """Read a hand-coded tone sample, or None when none is given.

    Parameters
    ----------
    path : str or pathlib.Path or None
        CSV with ``article_id, sentence, text, tone_code`` (five-point scale -2..+2; other
        columns such as ``voice`` are kept), or a folder holding ``sentence_tone.csv``.
        ``""``/None or a missing file gives None.

    Returns
    -------
    pandas.DataFrame or None
        Sorted by article and sentence; ``tone_code`` as int. Rows with an empty code are
        dropped (not coded); every other column is read as text.

    Raises
    ------
    ValueError
        Naming the file and the first bad row: missing column, a code outside -2..2, or a
        repeated (article_id, sentence).
    """
    if not path:
        return None
    path = Path(path)
    if path.is_dir():
        path = path / "sentence_tone.csv"
    if not path.is_file():
        return None
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    need = ["article_id", "sentence", "text", "tone_code"]
    missing = [c for c in need if c not in df.columns]
    if missing:
        raise ValueError(f"{path.name}: missing column(s) {missing}; expected at least {need}")
    blank = df["tone_code"].str.strip() == ""
    df = df[~blank]
    code = pd.to_numeric(df["tone_code"], errors="coerce")
    df = df.assign(tone_code=code)
    bad = ~df["tone_code"].isin([-2, -1, 0, 1, 2])
    if bad.any():
        r = int(df.index[bad][0]) + 2
        raise ValueError(f"{path.name}, row {r}: tone_code must be an integer from -2 to 2")
    df["tone_code"] = df["tone_code"].astype("int64")
    sentence = pd.to_numeric(df["sentence"], errors="coerce")
    if sentence.isna().any() or (sentence % 1 != 0).any():
        r = int(df.index[sentence.isna() | (sentence % 1 != 0)][0]) + 2
        raise ValueError(f"{path.name}, row {r}: sentence must be a whole number (0-based index in the article)")
    df["sentence"] = sentence.astype("int64")
    dup = df.duplicated(["article_id", "sentence"], keep=False)
    if dup.any():
        r = int(df.index[dup][0]) + 2
        raise ValueError(f"{path.name}, row {r}: (article_id, sentence) appears more than once")
    return df.sort_values(["article_id", "sentence"], kind="stable").reset_index(drop=True)


def _squash(s: pd.Series) -> pd.Series:
    """Whitespace-collapsed, typographic-quote-folded text for comparing two copies of a sentence."""
    s = s.fillna("").astype(str)
    s = s.str.replace("[\u2018\u2019]", "'", regex=True).str.replace("[\u201c\u201d]", '"', regex=True)
    return s.str.replace(r"\s+", " ", regex=True).str.strip()


def align_annotations(annotations: pd.DataFrame, table: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Join hand codes to scored sentences on ``article_id`` + ``sentence``, checking the text.

    Parameters
    ----------
    annotations : pandas.DataFrame
        From :func:`load_annotations`.
    table : pandas.DataFrame
        From :func:`sentence_table` (keys, ``text`` and the measures).

    Returns
    -------
    joined : pandas.DataFrame
        Sentences whose key and text both match, with ``tone_code`` (and any annotation
        columns such as ``voice`` suffixed ``_coded``).
    mismatches : pandas.DataFrame
        ``article_id``, ``sentence``, ``problem`` (``text differs``, ``not in corpus`` or
        ``not annotated``), ``corpus_text``, ``annotated_text``; empty when all agree.
    """
    ann = annotations.rename(columns={c: f"{c}_coded" for c in annotations.columns
                                      if c not in ("article_id", "sentence", "tone_code")})
    merged = table.merge(ann, on=["article_id", "sentence"], how="outer", indicator=True)
    same = _squash(merged["text"]) == _squash(merged["text_coded"])
    problem = pd.Series(pd.NA, index=merged.index, dtype="string")
    problem[merged["_merge"] == "right_only"] = "not in corpus"
    problem[merged["_merge"] == "left_only"] = "not annotated"
    problem[(merged["_merge"] == "both") & ~same] = "text differs"
    mism = merged.loc[problem.notna(), ["article_id", "sentence", "text", "text_coded"]]
    mism = mism.assign(problem=problem[problem.notna()]).rename(
        columns={"text": "corpus_text", "text_coded": "annotated_text"}
    )[["article_id", "sentence", "problem", "corpus_text", "annotated_text"]]
    joined = merged[(merged["_merge"] == "both") & same].drop(columns=["_merge", "text_coded"])
    joined = joined.astype({"tone_code": "int64"})
    return (joined.sort_values(["article_id", "sentence"]).reset_index(drop=True),
            mism.sort_values(["article_id", "sentence"]).reset_index(drop=True))


def sign_class(values: pd.Series | np.ndarray, band: float = NEUTRAL_BAND) -> np.ndarray:
    """-1 / 0 / +1: negative, neutral (``|value| < band``) or positive.

    Parameters
    ----------
    values : array-like
    band : float, default NEUTRAL_BAND

    Returns
    -------
    numpy.ndarray of int
    """
    v = np.asarray(values, dtype=float)
    return np.where(np.abs(v) < band, 0, np.sign(v)).astype(int)


def _spearman(x: np.ndarray, y: np.ndarray) -> float:
    """Spearman's rho (average ranks); NaN when either side is constant."""
    from scipy.stats import rankdata

    if len(x) < 3:
        return math.nan
    rx, ry = rankdata(x), rankdata(y)
    sx, sy = rx.std(), ry.std()
    if sx == 0 or sy == 0:
        return math.nan
    return float(((rx - rx.mean()) * (ry - ry.mean())).mean() / (sx * sy))


def validate_measures(
    joined: pd.DataFrame,
    measures: list[str],
    code: str = "tone_code",
    cluster: str = "article_id",
    n_boot: int = 2000,
    random_state: int = 0,
    band: float = NEUTRAL_BAND,
) -> pd.DataFrame:
    """Agreement of each measure with the hand codes, with article-bootstrap intervals.

    Parameters
    ----------
    joined : pandas.DataFrame
        From :func:`align_annotations`.
    measures : list of str
        Measure columns of ``joined``.
    code : str, default "tone_code"
    cluster : str, default "article_id"
        Resampling unit of the bootstrap (articles, not sentences).
    n_boot : int, default 2000
    random_state : int, default 0
    band : float, default NEUTRAL_BAND
        Neutral band of :func:`sign_class` (hand codes of 0 are neutral).

    Returns
    -------
    pandas.DataFrame
        One row per measure: ``measure``, ``candidate`` (eligible as ``tone``), ``n_sentences``,
        ``n_articles``, ``spearman``, ``spearman_low``, ``spearman_high``, ``sign_accuracy``,
        ``accuracy_low``, ``accuracy_high``.
    """
    rows = []
    y = joined[code].to_numpy(float)
    y_sign = np.sign(y).astype(int)
    for m in measures:
        x = joined[m].to_numpy(float)
        acc = sign_class(x, band) == y_sign
        groups = joined[cluster].to_numpy()
        rho = stats.bootstrap_statistic(groups, lambda i, x=x: _spearman(x[i], y[i]), n_boot, random_state)
        accuracy = stats.bootstrap_statistic(groups, lambda i, a=acc: float(a[i].mean()), n_boot, random_state)
        rows.append({
            "measure": m, "candidate": m in TONE_CANDIDATES, "n_sentences": len(x),
            "n_articles": joined[cluster].nunique(),
            "spearman": rho[0], "spearman_low": rho[1], "spearman_high": rho[2],
            "sign_accuracy": accuracy[0], "accuracy_low": accuracy[1], "accuracy_high": accuracy[2],
        })
    return pd.DataFrame(rows)


def choose_primary(validation: pd.DataFrame | None, candidates: tuple[str, ...] = TONE_CANDIDATES,
                   default: str = "framing") -> str:
    """The measure used as ``tone``: the candidate with the highest Spearman correlation.

    Ties go to the earlier candidate (the simpler measure). Without a validation table (no
    hand codes) or without any finite correlation, ``default`` is returned.

    Parameters
    ----------
    validation : pandas.DataFrame or None
        From :func:`validate_measures`.
    candidates : tuple of str, default TONE_CANDIDATES
    default : str, default "framing"

    Returns
    -------
    str
    """
    if validation is None or validation.empty:
        return default
    v = validation[validation["measure"].isin(candidates)].dropna(subset=["spearman"])
    if v.empty:
        return default
    order = {c: i for i, c in enumerate(candidates)}
    v = v.assign(_order=v["measure"].map(order)).sort_values(["spearman", "_order"], ascending=[False, True])
    return str(v["measure"].iloc[0])


def disagreements(joined: pd.DataFrame, measure: str, code: str = "tone_code", n: int = 5) -> pd.DataFrame:
    """Sentences where a measure and the hand codes disagree most.

    The gap is ``measure - code / 2`` (the five-point code mapped onto [-1, 1]).

    Parameters
    ----------
    joined : pandas.DataFrame
    measure : str
    code : str, default "tone_code"
    n : int, default 5

    Returns
    -------
    pandas.DataFrame
        ``article_id``, ``sentence``, ``text``, ``tone_code``, the measure and ``gap``,
        largest ``|gap|`` first (ties by key).
    """
    d = joined[["article_id", "sentence", "text", code, measure]].copy()
    d["gap"] = d[measure] - d[code] / 2
    d["_abs"] = d["gap"].abs().round(9)
    d = d.sort_values(["_abs", "article_id", "sentence"], ascending=[False, True, True])
    return d.drop(columns="_abs").head(n).reset_index(drop=True)


# =========================================================================== comparison


def article_tone(table: pd.DataFrame, value: str = "tone") -> pd.DataFrame:
    """Mean ``value`` per article: all sentences, own voice and quoted speech.

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`sentence_table`.
    value : str, default "tone"

    Returns
    -------
    pandas.DataFrame
        One row per article: ``article_id``, ``outlet``, ``outlet_group``, ``genre``,
        ``n_sentences``, ``n_quoted``, ``all``, ``own``, ``quoted`` (NaN when an article has
        no sentence of that voice).
    """
    keys = ["article_id", "outlet", "outlet_group", "genre"]
    base = table.groupby(keys, sort=True, dropna=False).agg(
        n_sentences=(value, "size"), n_quoted=("voice", lambda v: int((v == "quoted").sum())),
        all=(value, "mean"),
    )
    by_voice = table.pivot_table(index="article_id", columns="voice", values=value, aggfunc="mean")
    out = base.reset_index()
    for v in ("own", "quoted"):
        out[v] = out["article_id"].map(by_voice[v]) if v in by_voice else np.nan
    return out


def _voice_rows(table: pd.DataFrame, voice: str) -> pd.DataFrame:
    return table if voice == "all" else table[table["voice"] == voice]


def group_estimates(
    table: pd.DataFrame,
    by: str = "outlet",
    value: str = "tone",
    voices: tuple[str, ...] = ("all", "own", "quoted"),
    n_boot: int = 2000,
    random_state: int = 0,
) -> pd.DataFrame:
    """Mean ``value`` per group and voice, each article counting once, with article-bootstrap intervals.

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`sentence_table`.
    by : str, default "outlet"
        Grouping column (``outlet``, ``outlet_group``, ``genre``).
    value : str, default "tone"
    voices : tuple of str
        ``"all"``, ``"own"``, ``"quoted"``.
    n_boot, random_state
        As in :func:`analysis.stats.cluster_bootstrap`.

    Returns
    -------
    pandas.DataFrame
        ``voice``, ``by`` column, ``n_clusters`` (articles), ``n_units`` (sentences),
        ``estimate``, ``ci_low``, ``ci_high`` (NaN for a group with one article).
    """
    parts = []
    for voice in voices:
        rows = _voice_rows(table, voice)
        if rows.empty:
            continue
        est = stats.cluster_bootstrap(rows, value, "article_id", by, n_boot, random_state)
        parts.append(est.assign(voice=voice))
    if not parts:
        return pd.DataFrame(columns=["voice", by, "n_clusters", "n_units", "estimate", "ci_low", "ci_high"])
    out = pd.concat(parts, ignore_index=True)
    return out[["voice", by, "n_clusters", "n_units", "estimate", "ci_low", "ci_high"]]


def compare_groups(
    table: pd.DataFrame,
    by: str = "outlet_group",
    groups: tuple[str, str] = (CHINESE_STATE, INTERNATIONAL),
    value: str = "tone",
    voices: tuple[str, ...] = ("all", "own", "quoted"),
    n_boot: int = 2000,
    random_state: int = 0,
) -> tuple[pd.DataFrame, list[str]]:
    """Article-level comparison of two groups for each voice; notes instead of errors.

    For each voice: difference in means (``groups[0] - groups[1]``, each article counting once)
    with a stratified article bootstrap interval, the exact (or Monte Carlo) article-level
    permutation p-value with the smallest attainable p, Hedges' g and Cliff's delta with
    intervals (:func:`analysis.stats.compare_two_groups`).

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`sentence_table`.
    by : str, default "outlet_group"
    groups : tuple of str
    value : str, default "tone"
    voices : tuple of str
    n_boot, random_state
        Bootstrap settings.

    Returns
    -------
    comparison : pandas.DataFrame
        One row per voice that could be compared (columns of
        :func:`analysis.stats.compare_two_groups` plus ``voice``); empty if none.
    notes : list of str
        Why a voice (or the whole comparison) could not be made, e.g. a corpus with one
        outlet group only.
    """
    rows, notes = [], []
    present = sorted(map(str, table[by].dropna().unique()))
    for voice in voices:
        sub = _voice_rows(table, voice)
        if sub.empty and len(present) >= 2:
            notes.append(f"No {voice} sentences in the corpus: nothing to compare in that voice.")
            continue
        try:
            res = stats.compare_two_groups(sub, value, by, groups, "article_id", n_boot, random_state)
        except stats.ComparisonError as exc:
            if len(present) < 2:
                notes.append(
                    f"No comparison: the corpus has only one {by} ({', '.join(present) or 'none'}), "
                    "so there is nothing to compare it with."
                )
                break
            notes.append(f"{voice} voice: {exc}")
            continue
        rows.append({"voice": voice, **res})
    return pd.DataFrame(rows), notes


def tone_by_topic(table: pd.DataFrame, topics: pd.DataFrame | None, by: str = "outlet", value: str = "tone") -> pd.DataFrame | None:
    """Mean ``value`` per topic and group, joining topic assignments on article + paragraph.

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`sentence_table`.
    topics : pandas.DataFrame or None
        ``article_id, paragraph, topic, topic_label`` (notebook 03's export). None gives None.
    by : str, default "outlet"
    value : str, default "tone"

    Returns
    -------
    pandas.DataFrame or None
        ``topic``, ``topic_label``, ``by``, ``n_articles``, ``n_sentences``, ``mean``; sorted
        by topic then group.
    """
    if topics is None or topics.empty:
        return None
    t = topics[["article_id", "paragraph", "topic", "topic_label"]].astype({"article_id": str})
    joined = table.merge(t, on=["article_id", "paragraph"], how="inner", validate="many_to_one")
    out = joined.groupby(["topic", "topic_label", by], sort=True).agg(
        n_articles=("article_id", "nunique"), n_sentences=(value, "size"), mean=(value, "mean")
    )
    return out.reset_index()


def exemplars(table: pd.DataFrame, by: str = "outlet", value: str = "tone", n: int = 2) -> pd.DataFrame:
    """Most positive and most negative sentences of each group, with their neighbours.

    Only strictly positive (negative) sentences qualify as positive (negative) exemplars.

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`sentence_table` (sorted by article and sentence).
    by : str, default "outlet"
    value : str, default "tone"
    n : int, default 2
        Exemplars per group and direction.

    Returns
    -------
    pandas.DataFrame
        ``by``, ``direction`` (``most positive`` / ``most negative``), ``article_id``,
        ``sentence``, ``voice``, ``value``, ``previous``, ``text``, ``next``.
    """
    t = table.sort_values(_KEYS, kind="stable").reset_index(drop=True)
    same_prev = t["article_id"].eq(t["article_id"].shift(1))
    same_next = t["article_id"].eq(t["article_id"].shift(-1))
    t["previous"] = t["text"].shift(1).where(same_prev, "")
    t["next"] = t["text"].shift(-1).where(same_next, "")
    parts = []
    for direction, sign in (("most positive", 1), ("most negative", -1)):
        pool = t[np.sign(t[value]) == sign].assign(_key=lambda d, s=sign: -s * d[value])
        pool = pool.sort_values([by, "_key", "article_id", "sentence"], kind="stable")
        parts.append(pool.groupby(by, sort=True).head(n).assign(direction=direction))
    cols = [by, "direction", "article_id", "sentence", "voice", "value", "previous", "text", "next"]
    out = pd.concat(parts, ignore_index=True).rename(columns={value: "value"})
    return out.sort_values([by, "direction", "value"], ascending=[True, False, False], kind="stable")[cols].reset_index(drop=True)


# =========================================================================== reporting


def settings_table(n_boot: int) -> pd.DataFrame:
    """The fixed choices of the tone analysis, for the notebook's method section.

    Parameters
    ----------
    n_boot : int
        Bootstrap replicates used by the notebook.

    Returns
    -------
    pandas.DataFrame
        ``setting``, ``value``, ``meaning``.
    """
    rows = [
        ("negation window", NEGATION_WINDOW, "a negator reverses the first framing term starting within this many tokens after it"),
        ("smoothing k", SMOOTHING_K, "dictionary score = (P - N) / (P + N + k)"),
        ("neutral band", NEUTRAL_BAND, "|score| below this counts as neutral for sign accuracy"),
        ("quoted threshold", QUOTED_THRESHOLD, "sentence is quoted speech when this share of its characters is inside quotes"),
        ("bootstrap replicates", n_boot, "article (cluster) bootstrap"),
        ("framing lexicon", len(framing_lexicon().terms), "entries incl. blockers (framing_lexicon.csv)"),
        ("assertiveness lexicon", len(assertiveness_lexicon().terms), "entries incl. blockers (assertiveness_lexicon.csv)"),
    ]
    return pd.DataFrame([(a, str(b), c) for a, b, c in rows], columns=["setting", "value", "meaning"])


def coverage(scores: pd.DataFrame) -> pd.DataFrame:
    """How often each measure says anything, and its distribution.

    Parameters
    ----------
    scores : pandas.DataFrame
        From :func:`score_sentences`.

    Returns
    -------
    pandas.DataFrame
        One row per measure: ``measure``, ``n_sentences``, ``share_nonzero`` (share of
        sentences with a non-zero score), ``mean``, ``sd``, ``min``, ``max``.
    """
    rows = []
    for m in [c for c in (*MEASURES, "framing_vader") if c in scores]:
        v = scores[m]
        rows.append({"measure": m, "n_sentences": len(v), "share_nonzero": float((v != 0).mean()) if len(v) else np.nan,
                     "mean": v.mean(), "sd": v.std(), "min": v.min(), "max": v.max()})
    return pd.DataFrame(rows)


def term_frequencies(tok: tokens.Tokens, lexicon: Lexicon | None = None) -> pd.DataFrame:
    """How often each dictionary entry matched in the corpus, plainly and negated.

    Parameters
    ----------
    tok : analysis.tokens.Tokens
    lexicon : Lexicon, optional
        Default :func:`framing_lexicon`.

    Returns
    -------
    pandas.DataFrame
        ``term``, ``direction``, ``weight``, ``category``, ``matches``, ``negated``, for the
        entries that matched at least once, most frequent first (ties by term).
    """
    lexicon = lexicon or framing_lexicon()
    counts = np.asarray(lexicon_counts(tok, lexicon).matrix.sum(axis=0)).ravel()
    k = len(lexicon.terms)
    out = lexicon.terms[["term", "direction", "weight", "category"]].assign(
        matches=counts[:k] + counts[k:], negated=counts[k:]
    )
    out = out[out["matches"] > 0].sort_values(["matches", "term"], ascending=[False, True])
    return out.reset_index(drop=True)


def read_topics(processed: str | Path) -> pd.DataFrame | None:
    """Notebook 03's paragraph topic assignments, or None when they have not been exported.

    Parameters
    ----------
    processed : str or pathlib.Path
        The ``data/processed`` folder (``OutputPaths.processed``).

    Returns
    -------
    pandas.DataFrame or None
        ``paragraph_topics.csv`` with ``article_id`` as str.
    """
    path = Path(processed) / "paragraph_topics.csv"
    if not path.is_file():
        return None
    df = pd.read_csv(path, dtype={"article_id": str})
    need = {"article_id", "paragraph", "topic", "topic_label"}
    if not need <= set(df.columns):
        raise ValueError(f"{path.name}: expected columns {sorted(need)}, found {list(df.columns)}")
    return df


def plot_validation(validation: pd.DataFrame):
    """Spearman correlation and sign accuracy of each measure with the hand codes, with intervals.

    Parameters
    ----------
    validation : pandas.DataFrame
        From :func:`validate_measures`.

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt

    v = validation.iloc[::-1].reset_index(drop=True)
    fig, axes = plt.subplots(1, 2, figsize=(9, 1.2 + 0.45 * len(v)), sharey=True)
    y = np.arange(len(v))
    for ax, (est, lo, hi, label) in zip(
        axes,
        [("spearman", "spearman_low", "spearman_high", "Spearman correlation with hand codes"),
         ("sign_accuracy", "accuracy_low", "accuracy_high", "accuracy on the sign (pos / neutral / neg)")],
        strict=True,
    ):
        err = np.vstack([v[est] - v[lo], v[hi] - v[est]])
        colours = np.where(v["candidate"], "#333333", "#999999")
        for i in range(len(v)):
            ax.errorbar(v[est].iloc[i], y[i], xerr=np.nan_to_num(err[:, [i]]), fmt="o", color=colours[i], capsize=3)
        ax.axvline(0, color="#cccccc", lw=0.8)
        ax.set_xlabel(label)
    axes[0].set_yticks(y, v["measure"])
    axes[0].set_title("95% article-bootstrap intervals; grey = not a tone candidate", loc="left", fontsize=9)
    fig.tight_layout()
    return fig


def plot_group_tone(estimates: pd.DataFrame, articles: pd.DataFrame, by: str = "outlet"):
    """Mean tone per group in each voice, with article-bootstrap intervals and article dots.

    One row per group (legible with many outlets: the figure grows with the number of groups).

    Parameters
    ----------
    estimates : pandas.DataFrame
        From :func:`group_estimates`.
    articles : pandas.DataFrame
        From :func:`article_tone` (dots: each article's mean over all its sentences).
    by : str, default "outlet"

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt

    groups = sorted(map(str, estimates[by].dropna().unique()))
    fig, ax = plt.subplots(figsize=(8, 1.4 + 0.55 * max(len(groups), 1)))
    pos = {g: i for i, g in enumerate(groups)}
    offsets = {"all": 0.0, "own": -0.22, "quoted": 0.22}
    styles = {"all": ("o", "#333333"), "own": ("s", "#1b9e77"), "quoted": ("^", "#d95f02")}
    for voice, part in estimates.groupby("voice", sort=False):
        yv = part[by].astype(str).map(pos).to_numpy() + offsets.get(voice, 0.0)
        err = np.vstack([part["estimate"] - part["ci_low"], part["ci_high"] - part["estimate"]])
        marker, colour = styles.get(voice, ("o", "#777777"))
        ax.errorbar(part["estimate"], yv, xerr=np.nan_to_num(err), fmt=marker, color=colour, capsize=3,
                    label=f"{voice} sentences", ms=6)
    dots = articles.dropna(subset=["all"])
    ax.scatter(dots["all"], dots[by].astype(str).map(pos) + 0.38, s=14, color="#aaaaaa",
               label="one article (all sentences)", zorder=1)
    ax.axvline(0, color="#cccccc", lw=0.8)
    ax.set_yticks(range(len(groups)), groups)
    ax.set_ylim(-0.6, len(groups) - 0.4 + 0.2)
    ax.invert_yaxis()
    ax.set_xlabel("mean sentence tone (each article counts once)")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False, fontsize=8)
    ax.set_title("Tone by outlet and voice; bars = 95% article-bootstrap intervals (none with one article)",
                 loc="left", fontsize=9)
    fig.tight_layout()
    return fig


def plot_topic_tone(topic_table: pd.DataFrame, by: str = "outlet"):
    """Heatmap of mean tone per topic (rows) and group (columns), annotated with n sentences.

    Parameters
    ----------
    topic_table : pandas.DataFrame
        From :func:`tone_by_topic`.
    by : str, default "outlet"

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt

    t = topic_table.assign(row=topic_table["topic"].astype(str) + ": " + topic_table["topic_label"].astype(str))
    mean = t.pivot_table(index="row", columns=by, values="mean", aggfunc="first")
    n = t.pivot_table(index="row", columns=by, values="n_sentences", aggfunc="first")
    fig, ax = plt.subplots(figsize=(2.5 + 1.1 * mean.shape[1], 1.2 + 0.5 * mean.shape[0]))
    im = ax.imshow(mean.to_numpy(float), cmap="RdBu", vmin=-1, vmax=1, aspect="auto")
    for (i, j), val in np.ndenumerate(mean.to_numpy(float)):
        if np.isfinite(val):
            ax.text(j, i, f"{val:+.2f}\nn={int(n.iloc[i, j])}", ha="center", va="center", fontsize=7)
    ax.set_xticks(range(mean.shape[1]), mean.columns, rotation=30, ha="right")
    ax.set_yticks(range(mean.shape[0]), [r if len(r) <= 45 else r[:44] + "…" for r in mean.index])
    fig.colorbar(im, ax=ax, label="mean tone", shrink=0.8)
    ax.set_title("Tone by topic and outlet (n = sentences)", loc="left", fontsize=9)
    fig.tight_layout()
    return fig


def _fmt_ci(est: float, lo: float, hi: float, sign: str = "+") -> str:
    if not np.isfinite(est):
        return "n/a"
    f = f"{{:{sign}.2f}}"
    if np.isfinite(lo) and np.isfinite(hi):
        return f"{f.format(est)} [{f.format(lo)}, {f.format(hi)}]"
    return f"{f.format(est)} (no interval)"


def findings_markdown(
    validation: pd.DataFrame | None,
    primary: str,
    comparison: pd.DataFrame,
    notes: list[str],
    estimates: pd.DataFrame,
    articles: pd.DataFrame,
    by: str = "outlet",
    coded_comparison: pd.DataFrame | None = None,
    agreement: pd.DataFrame | None = None,
) -> str:
    """The notebook's findings, written from the computed tables.

    Parameters
    ----------
    validation : pandas.DataFrame or None
        From :func:`validate_measures` (None: no hand codes were given).
    primary : str
        The measure used as ``tone`` (:func:`choose_primary`).
    comparison : pandas.DataFrame
        From :func:`compare_groups`.
    notes : list of str
        Notes returned by :func:`compare_groups`.
    estimates : pandas.DataFrame
        From :func:`group_estimates` by ``by``.
    articles : pandas.DataFrame
        From :func:`article_tone`.
    by : str, default "outlet"
    coded_comparison : pandas.DataFrame, optional
        :func:`compare_groups` run on the hand codes instead of ``tone``.
    agreement : pandas.DataFrame, optional
        From :func:`voice_agreement`.

    Returns
    -------
    str
        Markdown.
    """
    out = ["## Findings", ""]
    # --- validation
    if validation is None or validation.empty:
        out.append(
            f"- **Validation:** no hand-coded sample was given, so `tone` falls back to `{primary}` "
            "without any check against human judgement. Read every tone number below as unvalidated."
        )
    else:
        v = validation.set_index("measure")
        p, b = v.loc[primary], v.loc["vader"] if "vader" in v.index else None
        line = (
            f"- **Validation:** on {int(p['n_sentences'])} hand-coded sentences from {int(p['n_articles'])} "
            f"articles, `tone` = `{primary}` (chosen as the candidate with the highest Spearman correlation) "
            f"has Spearman {_fmt_ci(p['spearman'], p['spearman_low'], p['spearman_high'])} and sign accuracy "
            f"{_fmt_ci(p['sign_accuracy'], p['accuracy_low'], p['accuracy_high'], '')}"
        )
        if b is not None and primary != "vader":
            line += (f"; VADER's compound has {_fmt_ci(b['spearman'], b['spearman_low'], b['spearman_high'])} and "
                     f"{_fmt_ci(b['sign_accuracy'], b['accuracy_low'], b['accuracy_high'], '')}.")
            better = p["spearman"] > b["spearman"]
            overlap = not (p["spearman_low"] > b["spearman_high"])
            if better:
                line += (" The primary tone tracks the hand codes better than VADER on the point estimate"
                         + ("; the article-bootstrap intervals overlap, so the advantage is not established."
                            if overlap else ", and the intervals do not overlap."))
            else:  # only on a tie: the primary is the best candidate
                line += " **The primary tone does not track the hand codes better than VADER.**"
        elif primary == "vader":
            line += (". VADER itself was the best candidate: **the suite's framing dictionary did not beat the "
                     "general-purpose baseline** on this sample. Likely reasons: the dictionary scores only "
                     "explicit cooperation/conflict vocabulary, so sentences without such terms score 0 whatever "
                     "their evaluative content, and it cannot tell whose relations a conflict word is about.")
        else:
            line += "."
        out.append(line)
        out.append(
            "- The validation is **in-sample**: the dictionary was written by someone who had read these same "
            "articles, and the hand codes cover them. Expect lower agreement on new articles."
        )
    # --- comparison
    for note in notes:
        out.append(f"- **Comparison:** {note}")
    if not comparison.empty:
        for r in comparison.itertuples(index=False):
            interval = (f"[{r.diff_low:+.2f}, {r.diff_high:+.2f}]" if np.isfinite(r.diff_low)
                        else "(no bootstrap interval: a group has a single article)")
            test = "exact article-level permutation" if r.p_exact else "Monte Carlo article-level permutation"
            out.append(
                f"- **{r.voice} sentences:** `{r.group_a}` articles average {r.mean_a:+.2f} (n = {r.n_a} articles), "
                f"`{r.group_b}` {r.mean_b:+.2f} (n = {r.n_b}); difference {r.diff:+.2f} {interval}; "
                f"{test} p = {r.p_perm:.3g}, where the smallest p this design can reach "
                f"is {r.min_p:.2g}; Hedges' g = {_fmt_ci(r.hedges_g, r.g_low, r.g_high)}."
            )
        small = comparison[["n_a", "n_b"]].min(axis=1).min()
        if small <= 2:
            out.append(
                f"- **What n supports:** the smaller group has {int(small)} article(s). A group mean over one article "
                "is that article's tone, not the outlet's; the difference above describes these articles and "
                "cannot be generalised to the outlets' coverage."
            )
    if coded_comparison is not None and not coded_comparison.empty and not comparison.empty:
        both = comparison.merge(coded_comparison, on="voice", suffixes=("", "_coded"))
        same = int((np.sign(both["diff"]) == np.sign(both["diff_coded"])).sum())
        parts = ", ".join(f"{r.voice} {r.diff_coded:+.2f}" for r in both.itertuples(index=False))
        out.append(
            f"- **Check with the hand codes:** with the codes (/2) in place of `tone`, the group differences are "
            f"{parts}; the sign agrees with `tone` in {same} of {len(both)} voices."
        )
    if agreement is not None and "own" in agreement.index:
        own_row = agreement.loc["own"]
        other = int(own_row.drop(labels=["own"], errors="ignore").sum())
        out.append(
            f"- **Voice:** of the {int(own_row.sum())} sentences in the outlets' own voice by quotation marks, the "
            f"coder attributes {other} to a quoted or mixed voice (reported speech without quote marks), so "
            "\"own voice\" here mixes the outlets' narration with paraphrased officials."
        )
    # --- per group
    allv = estimates[estimates["voice"] == "all"].sort_values("estimate", ascending=False)
    if len(allv) >= 2:
        top, bottom = allv.iloc[0], allv.iloc[-1]
        out.append(
            f"- **By {by}:** highest mean tone `{top[by]}` {top['estimate']:+.2f} ({int(top['n_clusters'])} article(s)), "
            f"lowest `{bottom[by]}` {bottom['estimate']:+.2f} ({int(bottom['n_clusters'])} article(s))."
        )
    own = articles.dropna(subset=["own", "quoted"])
    if len(own):
        gap = (own["quoted"] - own["own"]).mean()
        out.append(
            f"- **Own voice vs quoted:** in the {len(own)} article(s) with both, the mean of the quoted sentences "
            f"minus the mean of the outlet's own sentences is {gap:+.2f} on average (own voice includes "
            "paraphrased speech)."
        )
    return "\n".join(out)


def voice_agreement(joined: pd.DataFrame) -> pd.DataFrame | None:
    """Cross-tabulate the quote-mark voice rule against a coder's ``voice`` judgement.

    Parameters
    ----------
    joined : pandas.DataFrame
        From :func:`align_annotations`; needs ``voice`` and the coder's ``voice_coded``.

    Returns
    -------
    pandas.DataFrame or None
        Sentence counts, rows = ``voice`` by quotation marks, columns = coded voice; None when
        the hand-coded sample has no ``voice`` column.
    """
    if "voice_coded" not in joined.columns:
        return None
    return pd.crosstab(joined["voice"].rename("voice by quote marks"),
                       joined["voice_coded"].rename("voice coded by hand"))
