"""VADER's compound score for whole corpora: vaderSentiment's numbers, computed in blocks.

``vaderSentiment.SentimentIntensityAnalyzer.polarity_scores`` (Hutto & Gilbert 2014;
vaderSentiment 3.3.2, pinned) is a Python call per sentence that walks every character (emoji
replacement) and every word, rebuilding lower-cased word lists for each scored word: about
7,000 sentences per second, 5 minutes for 100,000 articles. :func:`compound` gives the same
compound scores (the tests compare every sentence of the bundled corpus, a synthetic corpus and
constructed edge cases with the reference, to the last digit) by applying the reference's rules
to all words of a block of sentences at once, with pyarrow string kernels and numpy:

1. words are the whitespace-separated tokens, stripped of leading and trailing ASCII
   punctuation unless fewer than three characters would remain (the reference's
   ``SentiText``);
2. each word's valence is looked up (lower-cased) in VADER's lexicon; booster and dampener
   words score 0 themselves;
3. "no" before a lexicon word scores 0, a lexicon word within three words after "no" is
   scaled by ``N_SCALAR`` (-0.74);
4. for the three preceding words, in order, when the word is not itself in the lexicon:
   add its booster value (sign-matched, damped by 0.95 and 0.9 with distance), then the
   negation check (a negation word or "n't" scales by ``N_SCALAR``; "never so/this" by 1.25;
   "without doubt" leaves the valence alone), exactly in the reference's order and with its
   operator precedence;
5. "but": valences before the first "but" are halved, after it multiplied by 1.5;
6. the sum, plus ``!`` (up to four, 0.292 each) and ``?`` (two or more) emphasis in the
   sentence's direction, is normalised by ``x / sqrt(x^2 + 15)`` and rounded to 4 decimals.

Sentences whose rules are not vectorized here go to the reference ``polarity_scores`` itself,
one call each, so every score is the reference's: characters other than printable ASCII,
Latin-1 letters, typographic quotes, dashes and ellipses (emoji, symbols such as (c), other
scripts, whitespace other than the space); a lexicon
or booster word in capitals (VADER's capitals emphasis); "least", "kind" and the words of
VADER's idioms ("the shit", "kiss of death", "sort of", "just enough", ...). In "but"
sentences where an earlier rescaled valence equals a later one, the reference's own
``_but_check`` is applied to the vectorized word valences, because its rule (``list.index``)
then rescales the earlier word twice.
:func:`scoring_paths` reports how many sentences took which path. In the synthetic benchmark corpus,
built from the bundled articles, about 2 in 10,000 sentences go to the reference.

The sum of a sentence's word valences is the one the reference's ``sum()`` computes on the
running interpreter: left to right up to Python 3.11; from Python 3.12 on, ``sum`` of floats is
compensated (Neumaier), which can differ in the last bit, and a near-zero sum that differs in
sign or from zero turns VADER's ``!``/``?`` emphasis the other way. :func:`python_sum_is_compensated`
probes the interpreter's ``sum`` once and :func:`sentence_sums` follows it.

The rules are those of vaderSentiment :data:`REFERENCE_VERSION`; with any other installed
version, :func:`compound` warns once and scores every sentence with vaderSentiment itself.
"""

from __future__ import annotations

import string
import warnings
from functools import lru_cache
from importlib import metadata

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .. import progress
from .._kernels import arrow_texts

__all__ = ["BLOCK_SIZE", "REFERENCE_VERSION", "compound", "python_sum_is_compensated",
           "reference_compound", "rules_match_reference", "scoring_paths", "sentence_sums"]

#: The vaderSentiment release whose rules :func:`compound` restates (the tests compare the two).
REFERENCE_VERSION = "3.3.2"

#: Sentences scored per block (bounds the memory of the per-word arrays).
BLOCK_SIZE = 100_000

#: Any character outside these sends a sentence to the reference implementation
#: (printable ASCII, the Latin-1 letters, typographic quotes, en and em dashes, ellipsis: none
#: of them is an emoji or a whitespace other than the space, and Python and Arrow lower-case
#: them alike).
_UNSAFE_RE = "[^\\x20-\\x7e\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u00ff\u2018\u2019\u201c\u201d\u2013\u2014\u2026]"

#: Lower-cased words whose rules run only in the reference: "least" (_least_check), "kind"
#: ("kind of"), and for each of VADER's idioms and multi-word boosters one word it contains,
#: so that no idiom can match in a sentence without one of them.
_REFERENCE_WORDS = ("least", "kind", "sort", "enough", "shit", "bomb", "ass", "bus", "yeah",
                    "kiss", "die", "beating")

#: Function words the rules look at.
_RULE_WORDS = ("no", "or", "nor", "never", "so", "this", "without", "doubt", "but")


def _installed_version() -> str:
    """The installed vaderSentiment version."""
    return metadata.version("vaderSentiment")


@lru_cache(maxsize=1)
def rules_match_reference() -> bool:
    """Whether the installed vaderSentiment is the release the vectorized rules restate.

    Returns
    -------
    bool
        True for vaderSentiment :data:`REFERENCE_VERSION`. Otherwise False, after one
        ``RuntimeWarning``: :func:`compound` then scores every text with vaderSentiment itself.
    """
    installed = _installed_version()
    if installed == REFERENCE_VERSION:
        return True
    warnings.warn(
        f"vader.compound: vaderSentiment {installed} is installed, the vectorized rules restate "
        f"{REFERENCE_VERSION}; every sentence is scored by vaderSentiment itself (slow). Install "
        f"vaderSentiment=={REFERENCE_VERSION} for the fast path.", RuntimeWarning, stacklevel=3)
    return False


@lru_cache(maxsize=1)
def python_sum_is_compensated() -> bool:
    """Whether this interpreter's ``sum()`` of floats is compensated (Python 3.12 and later).

    Returns
    -------
    bool
        ``sum([0.1] * 10) == 1.0``: True with compensated (Neumaier) summation, False with
        plain left-to-right addition (0.9999999999999999).
    """
    return sum([0.1] * 10) == 1.0


def sentence_sums(sent: np.ndarray, values: np.ndarray, n: int, *,
                  compensated: bool | None = None) -> np.ndarray:
    """Per-sentence sums of ``values``, equal to Python's ``sum()`` over each sentence's list.

    Parameters
    ----------
    sent : numpy.ndarray of int
        Sentence of each value, non-decreasing (values in sentence order, then word order).
    values : numpy.ndarray of float
        The values, in word order within each sentence.
    n : int
        Number of sentences.
    compensated : bool, optional
        Neumaier summation as CPython 3.12+ ``sum`` does (True), or left-to-right addition as
        up to 3.11 (False). Default: what this interpreter's ``sum`` does.

    Returns
    -------
    numpy.ndarray of float
        Length ``n``; 0.0 for a sentence without values.

    Examples
    --------
    >>> s = sentence_sums(np.zeros(10, dtype=int), np.full(10, 0.1), 1)
    >>> bool(s[0] == sum([0.1] * 10))
    True
    """
    if compensated is None:
        compensated = python_sum_is_compensated()
    if not compensated or len(values) == 0:
        return np.bincount(sent, weights=values, minlength=n)  # adds in order
    # CPython's loop, run position by position for all sentences at once:
    # t = f + x; c += (f - t) + x if |f| >= |x| else (x - t) + f; f = t; finally f += c.
    group_start = np.flatnonzero(np.r_[True, sent[1:] != sent[:-1]])
    sizes = np.diff(np.r_[group_start, len(sent)])
    rank = np.arange(len(sent)) - np.repeat(group_start, sizes)
    order = np.argsort(rank, kind="stable")
    bounds = np.r_[0, np.cumsum(np.bincount(rank))]
    total, comp = np.zeros(n), np.zeros(n)
    for lo, hi in zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True):
        idx = order[lo:hi]  # the k-th value of every sentence that has one
        s, x = sent[idx], values[idx]
        f = total[s]
        t = f + x
        comp[s] += np.where(np.abs(f) >= np.abs(x), (f - t) + x, (x - t) + f)
        total[s] = t
    fix = (comp != 0) & np.isfinite(comp)
    total[fix] += comp[fix]
    return total


@lru_cache(maxsize=1)
def _analyzer():
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


@lru_cache(maxsize=1)
def _tables() -> dict:
    """Lexicon, boosters and rule words as Arrow value sets and numpy lookups."""
    import vaderSentiment.vaderSentiment as V

    analyzer = _analyzer()
    if not _covers_idioms(V):  # pragma: no cover - guards an upgrade of vaderSentiment
        raise RuntimeError("vader: _REFERENCE_WORDS no longer covers every VADER idiom; update it")
    lex = pd.Series(analyzer.lexicon, dtype=float)
    single = {k: v for k, v in V.BOOSTER_DICT.items() if " " not in k}
    boost = pd.Series(single, dtype=float)
    return {
        "lex_keys": pa.array(lex.index.tolist(), type=pa.large_string()),
        "lex_vals": lex.to_numpy(),
        "boost_keys": pa.array(boost.index.tolist(), type=pa.large_string()),
        "boost_vals": boost.to_numpy(),
        "negate": pa.array(list(V.NEGATE), type=pa.large_string()),
        "rule": pa.array(list(_RULE_WORDS), type=pa.large_string()),
        "reference": pa.array(list(_REFERENCE_WORDS), type=pa.large_string()),
        "n_scalar": V.N_SCALAR,
    }


def _covers_idioms(V) -> bool:
    """Whether every multi-word idiom and booster of VADER contains one of ``_REFERENCE_WORDS``."""
    keys = [k for k in V.SPECIAL_CASES if " " in k] + [k for k in V.BOOSTER_DICT if " " in k]
    return all(any(w in k.split() for w in _REFERENCE_WORDS) for k in keys)


def reference_compound(texts: pd.Series) -> pd.Series:
    """VADER's compound score from the reference implementation, one call per text (slow).

    Parameters
    ----------
    texts : pandas.Series of str
        Raw sentence texts. Missing values count as ``""``.

    Returns
    -------
    pandas.Series of float
        Same index.
    """
    analyzer = _analyzer()
    values = [analyzer.polarity_scores(t)["compound"] for t in texts.fillna("").astype(str)]
    return pd.Series(values, index=texts.index, dtype=float)


def _codes(words: pa.Array, value_set: pa.Array) -> np.ndarray:
    """Position of each word in ``value_set``, -1 where absent."""
    idx = pc.index_in(words, value_set=value_set)
    return pc.fill_null(idx, -1).to_numpy(zero_copy_only=False).astype(np.int64)


def _score_block(texts: pa.Array) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Compound scores (unrounded) of one block of texts free of unsafe characters.

    Word properties are computed once per distinct word (a dictionary encoding of the block's
    words), and the rules only for the words found in the lexicon.

    Returns
    -------
    scores : numpy.ndarray of float
        Valid where ``reference`` is False.
    reference : numpy.ndarray of bool
        Texts that must go to the reference implementation.
    but_quirk : numpy.ndarray of bool
        Texts whose "but" rule was taken from the reference's ``_but_check``.

    Notes
    -----
    Why one long function: it restates vaderSentiment's ``polarity_scores`` rules in the
    reference's own order (valence, "no", boosters and negation over three preceding words,
    "but", punctuation emphasis) over the block's word arrays; the order and operator precedence
    are what make the scores equal the reference's, and they read best as one sequence, as in
    the module docstring's numbered list.
    """
    t = _tables()
    n = len(texts)
    lists = pc.split_pattern(texts, " ")
    parent = pc.list_parent_indices(lists).to_numpy()
    enc = pc.dictionary_encode(lists.flatten())
    codes = enc.indices.to_numpy(zero_copy_only=False)
    raw = enc.dictionary
    del lists, enc
    # --- properties of each distinct word -------------------------------------------------
    stripped = pc.utf8_trim(raw, characters=string.punctuation)
    word = pc.if_else(pc.less_equal(pc.utf8_length(stripped), 2), raw, stripped)
    lower = pc.utf8_lower(word)
    lex_c, boost_c, rule_c = (_codes(lower, t[k]) for k in ("lex_keys", "boost_keys", "rule"))
    in_lex, in_boost = lex_c >= 0, boost_c >= 0
    valence = np.where(in_lex & ~in_boost, t["lex_vals"][lex_c], 0.0)
    bval = np.where(in_boost, t["boost_vals"][boost_c], 0.0)
    neg = (pc.is_in(lower, value_set=t["negate"]).to_numpy(zero_copy_only=False)
           | pc.match_substring(lower, "n't").to_numpy(zero_copy_only=False))
    special = (pc.is_in(lower, value_set=t["reference"]).to_numpy(zero_copy_only=False)
               | ((in_lex | in_boost) & pc.utf8_is_upper(word).to_numpy(zero_copy_only=False)))
    empty = pc.equal(raw, "").to_numpy(zero_copy_only=False)
    # --- the words of the block, in order ------------------------------------------------
    if empty.any():
        keep = ~empty[codes]
        codes, parent = codes[keep], parent[keep]
    n_words = np.bincount(parent, minlength=n)
    starts = np.r_[0, np.cumsum(n_words)[:-1]]
    to_reference = np.zeros(n, dtype=bool)
    to_reference[parent[special[codes]]] = True

    scored = np.flatnonzero(valence[codes] != 0)  # words in the lexicon (not boosters)
    pos = scored - starts[parent[scored]]
    wc = codes[scored]
    base = valence[wc]
    rule = rule_c.astype(np.int8)
    nsc = t["n_scalar"]

    def near(k: int):
        """Code of word t - k (t + 1 for k = -1) of each scored word, and whether it exists."""
        ok = pos >= k if k > 0 else pos < n_words[parent[scored]] - 1
        return codes[np.where(ok, scored - k, 0)], ok

    def is_(c: np.ndarray, ok: np.ndarray, *names: str) -> np.ndarray:
        return ok & np.isin(rule[c], [_RULE_WORDS.index(w) for w in names])

    (c1, ok1), (c2, ok2), (c3, ok3), (cn, okn) = near(1), near(2), near(3), near(-1)
    v = base.copy()
    v = np.where(is_(wc, True, "no") & okn & in_lex[cn], 0.0, v)
    after_no = is_(c1, ok1, "no") | is_(c2, ok2, "no") | (is_(c3, ok3, "no") & is_(c1, ok1, "or", "nor"))
    v = np.where(after_no, base * nsc, v)
    for k, c, ok in ((1, c1, ok1), (2, c2, ok2), (3, c3, ok3)):
        cond = ok & ~in_lex[c]
        s = np.where(v < 0, -bval[c], bval[c])
        if k > 1:
            s = np.where(s != 0, s * (0.95 if k == 2 else 0.9), s)
        w = v + s
        if k == 1:
            w = np.where(neg[c1], w * nsc, w)
        elif k == 2:
            w = np.select([is_(c2, ok2, "never") & is_(c1, ok1, "so", "this"),
                           is_(c2, ok2, "without") & is_(c1, ok1, "doubt"), neg[c2]],
                          [w * 1.25, w, w * nsc], w)
        else:
            w = np.select([(is_(c3, ok3, "never") & is_(c2, ok2, "so", "this")) | is_(c1, ok1, "so", "this"),
                           is_(c3, ok3, "without") & (is_(c2, ok2, "doubt") | is_(c1, ok1, "doubt")), neg[c3]],
                          [w * 1.25, w, w * nsc], w)
        v = np.where(cond, w, v)

    # --- "but": valences before the sentence's first "but" halved, after it x 1.5 ---------
    but_words = np.flatnonzero(rule[codes] == _RULE_WORDS.index("but"))
    first_but = np.full(n, np.iinfo(np.int64).max)
    np.minimum.at(first_but, parent[but_words], but_words - starts[parent[but_words]])
    sent = parent[scored]
    fb = first_but[sent]
    with_but = fb < np.iinfo(np.int64).max
    factor = np.where(pos < fb, 0.5, 1.5)
    sentiment = np.where(with_but, v * factor, v)
    quirk = _but_collisions(sent, v, factor, with_but, n) & ~to_reference
    but_check = type(_analyzer())._but_check
    for r in np.flatnonzero(quirk).tolist():  # the reference's order-dependent rule
        a, m = int(starts[r]), int(n_words[r])
        words = lower.take(pa.array(codes[a : a + m])).to_pylist()
        values = np.zeros(m)
        mine = sent == r
        values[pos[mine]] = v[mine]
        checked = np.asarray(but_check(words, values.tolist()), dtype=float)
        sentiment[mine] = checked[pos[mine]]

    total = sentence_sums(sent, sentiment, n)
    ep = np.minimum(pc.count_substring(texts, "!").to_numpy(zero_copy_only=False), 4) * 0.292
    qm_count = pc.count_substring(texts, "?").to_numpy(zero_copy_only=False)
    amp = ep + np.where(qm_count > 3, 0.96, np.where(qm_count > 1, qm_count * 0.18, 0.0))
    total = np.where(total > 0, total + amp, np.where(total < 0, total - amp, total)) + 0.0
    score = np.clip(total / np.sqrt(total * total + 15), -1.0, 1.0)
    return score, to_reference, quirk


def _but_collisions(sent, v, factor, with_but, n) -> np.ndarray:
    """Sentences where the reference's "but" rule departs from "before x 0.5, after x 1.5".

    The reference walks the valences in order and rescales the FIRST position holding the
    current value (``list.index``). That is the current position unless an earlier scored
    word, already rescaled, now holds the same value: ``v[j] * factor[j] == v[p]``, j < p.
    """
    idx = np.flatnonzero(with_but & (v != 0))
    out = np.zeros(n, dtype=bool)
    g = sent[idx]
    for d in range(1, len(idx)):
        a, b = idx[:-d], idx[d:]
        same = g[:-d] == g[d:]
        if not same.any():
            break
        hit = same & (v[a] * factor[a] == v[b])
        out[g[d:][hit]] = True
    return out


def _paths(texts: pd.Series, block: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Vectorized scores (unrounded), reference mask and "but" mask of every text."""
    arr = arrow_texts(texts)
    n = len(arr)
    if not rules_match_reference():  # another vaderSentiment: every text to the reference
        unsafe = np.ones(n, dtype=bool)
    else:
        unsafe = pc.match_substring_regex(arr, _UNSAFE_RE).to_numpy(zero_copy_only=False)
    score = np.zeros(n)
    reference = unsafe.copy()
    quirk = np.zeros(n, dtype=bool)
    safe = np.flatnonzero(~unsafe)
    for lo, hi in progress.blocks(len(safe), block, "vader"):
        rows = safe[lo:hi]
        s, ref, q = _score_block(arr.take(pa.array(rows)))
        score[rows], reference[rows], quirk[rows] = s, ref, q
    return score, reference, quirk


def _round4(x: np.ndarray) -> np.ndarray:
    """``round(v, 4)`` of Python for every value: numpy's rounding, and Python's own where the
    scaled value lies within 1e-6 of a half (the only places the two can differ)."""
    out = np.round(x, 4)
    y = x * 1e4
    near = np.abs(y - np.floor(y) - 0.5) < 1e-6
    out[near] = [round(v, 4) for v in x[near].tolist()]
    return out


def compound(texts: pd.Series, *, block: int = BLOCK_SIZE) -> pd.Series:
    """VADER's compound score of each text, equal to vaderSentiment's ``polarity_scores``.

    Parameters
    ----------
    texts : pandas.Series of str
        Raw sentence texts (VADER uses case and punctuation). Missing values count as ``""``.
    block : int, default BLOCK_SIZE
        Sentences per block (memory of the per-word arrays grows with it).

    Returns
    -------
    pandas.Series of float
        Compound score in [-1, 1], rounded to 4 decimals as the reference does; same index.

    Examples
    --------
    >>> compound(pd.Series(["The talks were not bad at all.", "A very good deal!"])).tolist()
    [0.431, 0.54]
    """
    texts = pd.Series(texts)
    score, reference, _ = _paths(texts, block)
    values = _round4(score)
    values[reference] = reference_compound(texts[reference]).to_numpy()
    return pd.Series(values, index=texts.index, dtype=float)


def scoring_paths(texts: pd.Series, *, block: int = BLOCK_SIZE) -> pd.Series:
    """How many texts :func:`compound` scores vectorized, and how many go to the reference.

    Parameters
    ----------
    texts : pandas.Series of str
    block : int, default BLOCK_SIZE

    Returns
    -------
    pandas.Series of int
        ``texts``, ``vectorized``, ``reference`` (sent whole to ``polarity_scores``) and
        ``but_rule`` (vectorized, with the reference's ``_but_check``).
    """
    _, reference, quirk = _paths(pd.Series(texts), block)
    return pd.Series({"texts": len(reference), "vectorized": int((~reference).sum()),
                      "reference": int(reference.sum()), "but_rule": int(quirk.sum())})
