"""Vectorised dictionary matching: token stream, greedy longest-first matches, negation, scores.

The corpus' space-joined tokens are split once by pyarrow into one array of token codes; a
lexicon's trie is walked over the candidate positions with numpy; the matches become sparse
count matrices (plain and negated) that weight vectors turn into ``(P - N) / (P + N + k)``.
:func:`reference_score_sentence` is the plain per-sentence version the tests compare with.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import scipy.sparse as sp

from .. import progress, tokens
from .._kernels import arrow_texts, run_starts
from .lexicon import NEGATION_WINDOW, SMOOTHING_K, Lexicon, framing_lexicon


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


def token_stream(joined: pd.Series, words, *, block: int = 200_000) -> TokenStream:
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
        raise ValueError(f"lexicon_counts: the token stream lacks lexicon words {sorted(missing)[:5]}; "
                         "build it with token_stream(joined, lexicon.words)")
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
    tok: tokens.Tokens, lexicon: Lexicon, *, window: int = NEGATION_WINDOW, stream: TokenStream | None = None
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


def lexicon_score(counts: tokens.DFM, lexicon: Lexicon, *, k: float = SMOOTHING_K) -> pd.DataFrame:
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
    text: str, *, lexicon: Lexicon | None = None, k: float = SMOOTHING_K, window: int = NEGATION_WINDOW
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


def term_frequencies(tok: tokens.Tokens, *, lexicon: Lexicon | None = None) -> pd.DataFrame:
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
