"""The tone dictionaries: reading, checking and compiling a lexicon CSV.

A lexicon lists scored terms (direction +1 / -1 and a weight), zero-weight blockers, and, for
the framing dictionary, the negation rules (negators, shifters, pseudo-negations). Terms are
normalised by the shared tokenizer (:func:`analysis.tokens.normalize_terms`) and compiled into
a token trie for :mod:`analysis.tone.match`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from .. import tokens
from ..config import ASSERTIVENESS_LEXICON, FRAMING_LEXICON

#: A negator reverses the first term starting within this many tokens after it.
NEGATION_WINDOW = 3

#: Pseudo-count of the dictionary score (P - N) / (P + N + k).
SMOOTHING_K = 1.0

_LEXICON_COLUMNS = ["term", "direction", "weight", "category", "note"]

_RULE_CATEGORIES = {"negator", "shifter", "pseudo_negation"}


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


def load_lexicon(path: str | Path, *, name: str | None = None) -> Lexicon:
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
        raise ValueError(f"load_lexicon: {path.name}: missing column(s) {missing}; expected {_LEXICON_COLUMNS}")
    row = pd.Series(np.arange(len(df)) + 2, index=df.index)
    direction = pd.to_numeric(df["direction"], errors="coerce")
    weight = pd.to_numeric(df["weight"], errors="coerce")
    bad = ~direction.isin([-1, 0, 1]) | weight.isna() | (weight < 0)
    bad |= (direction == 0) != (weight == 0)
    if bad.any():
        r = int(row[bad].iloc[0])
        raise ValueError(
            f"load_lexicon: {path.name}, row {r} ({df.loc[bad, 'term'].iloc[0]!r}): direction must be -1, 1 "
            "(or 0 with weight 0 for a blocker / negation rule) and weight a number >= 0"
        )
    norm = tokens.normalize_terms(df["term"]).to_numpy()
    df = df.assign(norm=norm, direction=direction.astype("int64"), weight=weight.astype(float))
    empty = df["norm"] == ""
    if empty.any():
        raise ValueError(f"load_lexicon: {path.name}, row {int(row[empty].iloc[0])}: term {df.loc[empty, 'term'].iloc[0]!r} has no token")
    is_rule = df["category"].isin(_RULE_CATEGORIES)
    rules, terms = df[is_rule], df[~is_rule].reset_index(drop=True)
    n_tok = rules["norm"].str.count(" ") + 1
    wrong = (rules["category"].isin(["negator", "shifter"]) & (n_tok != 1)) | (
        (rules["category"] == "pseudo_negation") & (n_tok != 2)
    ) | (rules["direction"] != 0)
    if wrong.any():
        raise ValueError(
            f"load_lexicon: {path.name}, row {int(row[wrong.index[wrong]].iloc[0])}: negators/shifters must be "
            "one token and pseudo-negations two tokens, with direction 0 and weight 0"
        )
    dup = terms["norm"].duplicated(keep=False)
    if dup.any():
        raise ValueError(
            f"load_lexicon: {path.name}: entries {terms.loc[dup, 'term'].tolist()} normalise to the same tokens; "
            "keep one of each"
        )
    terms["n_tokens"] = (terms["norm"].str.count(" ") + 1).astype("int64")
    negators = frozenset(rules.loc[rules["category"] != "pseudo_negation", "norm"])
    pseudo = frozenset(tuple(s.split()) for s in rules.loc[rules["category"] == "pseudo_negation", "norm"])
    unknown = [p for p in pseudo if p[0] not in negators]
    if unknown:
        raise ValueError(f"load_lexicon: {path.name}: pseudo-negations {unknown} do not start with a listed negator")
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
    return load_lexicon(FRAMING_LEXICON, name="framing")


@lru_cache(maxsize=1)
def assertiveness_lexicon() -> Lexicon:
    """The assertiveness / hedging dictionary (``analysis/data/assertiveness_lexicon.csv``)."""
    return load_lexicon(ASSERTIVENESS_LEXICON, name="assertiveness")
