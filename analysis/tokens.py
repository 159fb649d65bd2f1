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

How it runs (same results as applying the rules text by text): columns are processed in
blocks of Arrow strings; the typography is folded over the UTF-8 bytes; each regex rule runs
once over the rows an Arrow (RE2) selector says it can change, joined by a control character
absent from them; the tokens of ASCII texts are found over their bytes with numpy (the rule of
:data:`TOKEN_RE`, restated), other texts use ``TOKEN_RE`` itself. ``tests/test_tokens_equivalence.py``
compares everything with the plain per-text implementation.
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

from . import progress
from ._checks import check_one_of
from ._kernels import chunked_texts, run_starts, string_buffers, text_series
from .config import COMPOUNDS_FILE, STOPWORDS_FILE

#: The keys of each unit level, coarse to fine.
LEVEL_KEYS = {
    "article": ["article_id"],
    "paragraph": ["article_id", "paragraph"],
    "sentence": ["article_id", "paragraph", "sentence"],
}

# --- normalisation rules (compiled once) ------------------------------------------------------
# Each rule is a Python regex applied to whole texts, but only to the rows that can contain a
# match: an Arrow kernel (RE2 or a literal search, vectorised over the column) first selects the
# rows holding the rule's trigger (a superset of its matches), so most rows never reach Python.
# The regexes start with a literal character (a top-level alternation of literal-led branches)
# so that Python's regex engine skips quickly to candidate positions; the left word boundary is
# checked in the replacement callables.
_FOLD = {
    **dict.fromkeys("\u2018\u2019\u201a\u201b\u2032\u0060\u00b4", "'"),
    **dict.fromkeys("\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb", '"'),
    **dict.fromkeys("\u2010\u2011\u2012\u2212\ufe63\uff0d", "-"),
    "\u00ad": "",
    "\u2014": " ",
    "\u2015": " ",
}
_EN_DASH_SPACE = re.compile("\u2013")
_EN_DASH_JOIN = re.compile(r"\u2013(?<=\w\u2013)(?=\w)")

_US = r"(?:U\.S\.A\.|U\.S\.(?!A\.)|USA|US|United\s+States(?:\s+of\s+America)?|UNITED\s+STATES)"
_US_TAIL = r"(?:\.S\.A\.|\.S\.(?!A\.)|SA|S|nited\s+States(?:\s+of\s+America)?|NITED\s+STATES)"
_CHINA = r"(?:China|CHINA|Sino|SINO)"
_END = r"(?![A-Za-z0-9_$])"
#: The country forms, matched case-sensitively before lower-casing, one group per target token:
#: ``dyad_*`` ("Sino-US", "China-U.S.", "US-China", "U.S.-China", "Sino-American") ->
#: "china-us"; ``usd`` ("US$") -> "usd"; ``us`` (upper-case US forms) -> "united_states" (the
#: pronoun "us" is lower-case and untouched); ``un`` ("U.N.", "UN", "United Nations") ->
#: "united_nations". Written as one branch per first letter (C, S, U; ``_US_TAIL`` is ``_US``
#: without its "U"), in the priority order of ``(dyad | usd | us | un)``.
_ENTITY_C = rf"C(?P<dyad_c>(?:hina|HINA)-U{_US_TAIL}{_END})"
_ENTITY_S = rf"S(?P<dyad_s>(?:ino|INO)-U{_US_TAIL}{_END}|(?:ino|INO)-American{_END})"
_ENTITY_U = (
    rf"U(?:(?P<dyad_u>{_US_TAIL}-(?:China|CHINA){_END})"
    r"|(?P<usd>S\$)"
    rf"|(?P<us>{_US_TAIL}{_END})"
    r"|(?P<un>(?:\.N\.|N|nited\s+Nations|NITED\s+NATIONS)(?![A-Za-z0-9_])))"
)
ENTITY_RE = re.compile(f"{_ENTITY_C}|{_ENTITY_S}|{_ENTITY_U}")
#: ENTITY_RE's "U" branch alone: the same matches in texts without "China-", "CHINA-",
#: "Sino-" or "SINO-" (where the other branches cannot match), found faster (a literal "U").
_ENTITY_U_RE = re.compile(_ENTITY_U)
_POSSESSIVE = re.compile(r"'s\b")

#: One token: word characters joined by internal hyphens/apostrophes. The first alternative
#: swallows letter-less runs (pure numbers such as "2026", "2026-2030") as an empty match,
#: filtered out; the captured group is a token containing at least one letter.
TOKEN_RE = re.compile(r"[\d_'-]+(?![\w'-])|(\w+(?:['-]\w+)*)")

US_TOKEN = "united_states"
UN_TOKEN = "united_nations"
DYAD_TOKEN = "china-us"
_ENTITY_TOKENS = {
    "dyad_c": DYAD_TOKEN, "dyad_s": DYAD_TOKEN, "dyad_u": DYAD_TOKEN,
    "usd": " usd ", "us": US_TOKEN, "un": UN_TOKEN,
}

#: The characters Python's ``\s`` matches in str patterns (``tests`` check it against ``re``);
#: spelled out for RE2, whose ``\s`` is ASCII-only.
_PY_SPACE = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005"
    "\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)


def _re2_class(chars) -> str:
    """An RE2 character class matching exactly ``chars`` (every character escaped)."""
    return "[" + "".join(f"\\x{{{ord(c):x}}}" for c in chars) + "]"


def _re2_literal(text: str) -> str:
    return "".join(c if c.isascii() and c.isalnum() else f"\\x{{{ord(c):x}}}" for c in text)


#: Row selectors (RE2, vectorised): a row without a match cannot be changed by the rule.
#: Every ENTITY_RE match starts with "U" followed by ".", "S", "N" or "n", or is a dyad
#: starting with "China-", "CHINA-", "Sino-" or "SINO-".
_ENTITY_ROWS = r"U[.SNn]|(?:China|CHINA|Sino|SINO)-"
_DYAD_ROWS = r"(?:China|CHINA|Sino|SINO)-"


def _replace_entity(match: re.Match[str]) -> str:
    i = match.start()  # left word boundary (no letter, digit, "_" or "." before)
    if i:
        prev = match.string[i - 1]
        if prev.isalnum() or prev == "_" or prev == ".":
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


def _compound_entries() -> list[str]:
    entries = sorted(set(_read_list(COMPOUNDS_FILE)), key=lambda s: (-len(s), s))
    bad = [e for e in entries if e != e.lower() or " " in e or "-" not in e]
    if bad:
        raise ValueError(
            f"{COMPOUNDS_FILE}: entries must be lower-case hyphenated compounds without spaces; "
            f"fix {bad}"
        )
    return entries


@lru_cache(maxsize=1)
def _compound_re() -> tuple[re.Pattern[str], dict[str, str]]:
    entries = _compound_entries()
    alts = [r"[\s-]+".join(map(re.escape, e.split("-"))) for e in entries]
    pattern = re.compile("(?:" + "|".join(alts) + r")(?![\w-])")
    return pattern, {e.replace("-", ""): e for e in entries}


@lru_cache(maxsize=1)
def _compound_rows() -> str:
    """RE2 selector of the rows where a compound can match (the pattern, minus boundaries)."""
    sep = _re2_class(_PY_SPACE + "-") + "+"
    return "|".join(sep.join(map(_re2_literal, e.split("-"))) for e in _compound_entries())


_SEPARATOR_RUN = re.compile(r"[\s-]+")


def _join_compound(match: re.Match[str]) -> str:
    i = match.start()  # left boundary (no letter, digit, "_" or "-" before)
    if i:
        prev = match.string[i - 1]
        if prev.isalnum() or prev == "_" or prev == "-":
            return match.group(0)
    return _compound_re()[1][_SEPARATOR_RUN.sub("", match.group(0))]


def _en_dashes(text: str) -> str:
    return _EN_DASH_SPACE.sub(" ", _EN_DASH_JOIN.sub("-", text))


def _entities(text: str) -> str:
    return ENTITY_RE.sub(_replace_entity, text)


def _us_entities(text: str) -> str:
    return _ENTITY_U_RE.sub(_replace_entity, text)


def _compounds(text: str) -> str:
    return _compound_re()[0].sub(_join_compound, text)


def _possessives(text: str) -> str:
    return _POSSESSIVE.sub("", text)


#: Separators for running a rule once over many texts joined together: control characters
#: that no rule matches or changes, that are neither word characters nor spaces, neither cased
#: nor case-ignorable (``str.lower``'s final-sigma rule stops at them as at a text's end).
#: The first one absent from the texts is used.
_SEPARATORS = [*range(0x00, 0x09), *range(0x0E, 0x1C)]


def _apply(arr: pa.Array, rule) -> pa.Array:
    """``rule`` (str -> str, a regex rule that never matches a separator) on every text.

    The texts are joined by a separator absent from them, the rule runs once over the whole
    string, and the result is split again (one text at a time if every separator occurs).
    """
    offsets, b = string_buffers(arr)
    n = len(arr)
    sep = next((c for c in _SEPARATORS if not (b == c).any()), None)
    if sep is None:
        return pa.array([rule(t) for t in arr.to_pylist()], type=pa.large_string())
    text = np.insert(b, offsets[1:-1], sep).tobytes().decode("utf-8")
    data = np.frombuffer(rule(text).encode("utf-8"), dtype=np.uint8)
    cuts = np.flatnonzero(data == sep)
    if len(cuts) != n - 1:
        raise AssertionError("a normalisation rule changed the text separators")
    new_offsets = np.empty(n + 1, dtype=np.int64)
    new_offsets[0], new_offsets[-1] = 0, len(data) - (n - 1)
    new_offsets[1:-1] = cuts - np.arange(n - 1)
    return pa.LargeStringArray.from_buffers(n, pa.py_buffer(new_offsets),
                                           pa.py_buffer(np.delete(data, cuts)))


def _where(arr: pa.Array, rows: pa.Array, rule, source: pa.Array | None = None) -> pa.Array:
    """``arr`` with its selected ``rows`` replaced by ``rule`` (see :func:`_apply`) of them.

    The texts are taken from ``source`` (same length) when given, else from ``arr``.
    """
    picked = (arr if source is None else source).filter(rows)
    if not len(picked):
        return arr
    return pc.replace_with_mask(arr, rows, _apply(picked, rule))


#: Rows per block of :func:`normalize` / :func:`tokenize_joined` (bounds their memory).
BLOCK_ROWS = 100_000


def _utf8_key(char: str) -> int:
    """A character's UTF-8 bytes as one integer, tagged with their number."""
    data = char.encode("utf-8")
    return len(data) << 24 | int.from_bytes(data, "big")


_EN_DASH_KEY = _utf8_key("\u2013")
#: The folded characters' keys (sorted), with their ASCII replacement byte (-1: removed).
_FOLD_KEYS = np.array(sorted(map(_utf8_key, _FOLD)), dtype=np.int64)
_FOLD_TO = np.array([ord(_FOLD[c]) if _FOLD[c] else -1
                     for c in sorted(_FOLD, key=_utf8_key)], dtype=np.int64)
#: Bytes that start one of those characters (or the en dash), and their UTF-8 lengths.
_FOLD_LEAD = np.zeros(256, dtype=np.int64)
for _c in [*_FOLD, "\u2013"]:
    _FOLD_LEAD[_c.encode("utf-8")[0]] = len(_c.encode("utf-8"))


def _fold_arrow(arr: pa.Array) -> tuple[pa.Array, np.ndarray]:
    """:data:`_FOLD` applied to an Arrow column of texts, over its UTF-8 bytes.

    Returns the folded column and a mask of the texts holding an en dash. UTF-8 is
    self-synchronising (a lead byte never occurs inside another character), so matching a
    character's bytes anywhere is matching the character.
    """
    offsets, b = string_buffers(arr)
    lead = np.flatnonzero((b >= 0xC2) | (b == ord("`")))  # "`", or a multi-byte lead byte
    size = _FOLD_LEAD[b[lead]]
    lead, size = lead[size > 0], size[size > 0]
    key = b[lead].astype(np.int64)
    for i in (1, 2):  # the character's other bytes (complete: the UTF-8 is valid)
        more = size > i
        key[more] = key[more] << 8 | b[lead[more] + i]
    key |= size << 24
    dashes = np.zeros(len(arr), dtype=bool)
    dashes[np.searchsorted(offsets, lead[key == _EN_DASH_KEY], side="right") - 1] = True
    at = np.minimum(np.searchsorted(_FOLD_KEYS, key), len(_FOLD_KEYS) - 1)
    hit = _FOLD_KEYS[at] == key
    if not hit.any():
        return arr, dashes
    lead, size, to = lead[hit], size[hit], _FOLD_TO[at[hit]]
    b = b.copy()
    b[lead[to >= 0]] = to[to >= 0]
    gone = _ranges(lead + (to >= 0), lead + size)  # the other bytes (all, when removed)
    keep = np.ones(len(b), dtype=bool)
    keep[gone] = False
    new_offsets = offsets - np.searchsorted(gone, offsets)
    out = pa.LargeStringArray.from_buffers(len(arr), pa.py_buffer(new_offsets),
                                           pa.py_buffer(b[keep]))
    return out, dashes


def _normalize_arrow(arr: pa.Array) -> pa.Array:
    """The rules of :func:`normalize`, in order, over an Arrow column of texts (no nulls)."""
    arr, dashes = _fold_arrow(arr)
    arr = _where(arr, pa.array(dashes), _en_dashes)
    rows = pc.match_substring_regex(arr, _ENTITY_ROWS)
    picked = arr.filter(rows)
    if len(picked):
        dyads = pc.match_substring_regex(picked, _DYAD_ROWS)
        picked = _where(picked, pc.invert(dyads), _us_entities)
        arr = pc.replace_with_mask(arr, rows, _where(picked, dyads, _entities))
    # ascii_lower is str.lower on ASCII texts; the others are lower-cased by Python
    arr = _where(pc.ascii_lower(arr), pc.invert(pc.string_is_ascii(arr)), str.lower, arr)
    arr = _where(arr, pc.match_substring_regex(arr, _compound_rows()), _compounds)
    rows = pc.match_substring_regex(arr, "'s")
    picked = arr.filter(rows)
    if not len(picked):
        return arr
    # RE2's \b is ASCII, Python's Unicode: the same on ASCII texts; Python for the others
    new = pc.replace_substring_regex(picked, _POSSESSIVE.pattern, "")
    new = _where(new, pc.invert(pc.string_is_ascii(picked)), _possessives, picked)
    return pc.replace_with_mask(arr, rows, new)


def _arrow_texts(texts) -> tuple[pa.ChunkedArray, pd.Index]:
    s = text_series(texts)
    return chunked_texts(s), s.index


def _blocks(arr: pa.ChunkedArray, rows: int | None = None):
    """Slices of at most ``rows`` (default :data:`BLOCK_ROWS`) texts, chunk by chunk."""
    rows = rows or BLOCK_ROWS
    slices = (chunk.slice(start, rows) for chunk in arr.chunks for start in range(0, len(chunk), rows))
    yield from progress.track(slices, len(arr), "tokens")


def _series(chunks: list[pa.Array], index: pd.Index) -> pd.Series:
    """A str Series over the Arrow chunks (not concatenated: no copy)."""
    return pd.Series(pa.chunked_array(chunks, type=pa.large_string()), index=index, dtype="str")


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
    arr, index = _arrow_texts(texts)
    return _series([_normalize_arrow(block) for block in _blocks(arr)], index)


# --- the token rule over bytes ----------------------------------------------------------------
# TOKEN_RE, restated for ASCII texts: a *chunk* is a maximal run of [A-Za-z0-9_'-]; its *groups*
# are the maximal runs of word characters [A-Za-z0-9_] joined by single ' or - (what
# ``\w+(?:['-]\w+)*`` matches greedily); TOKEN_RE's first alternative swallows the rest of a
# chunk once that rest has no letter, so a group is a token unless neither it nor a later group
# of its chunk has a letter ("2026--abc" gives "2026" and "abc", "x--2026" gives "x").
_WORD, _LETTER, _JOINER = 1, 2, 4
_CLASS = bytes(
    (_WORD | _LETTER) if chr(i).isascii() and chr(i).isalpha()
    else _WORD if chr(i).isascii() and (chr(i).isdigit() or chr(i) == "_")
    else _JOINER if chr(i) in "'-"
    else 0
    for i in range(256)
)
#: Bytes of text handled at once by :func:`_joined_ascii` (its arrays stay in the CPU cache).
_PIECE_BYTES = 1 << 18


def _ranges(starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """All positions of the ranges [starts[i], ends[i]), concatenated."""
    lengths = ends - starts
    return np.repeat(starts - np.cumsum(lengths) + lengths, lengths) + np.arange(lengths.sum())


def _all_in_ranges(mask: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """For each range [starts[i], ends[i]), whether ``mask`` is True all over it."""
    misses = np.zeros(len(starts) + 1, dtype=np.int64)
    lengths = ends - starts
    np.cumsum(lengths, out=misses[1:])
    bad = np.zeros(int(misses[-1]) + 1, dtype=np.int64)
    np.cumsum(~mask[_ranges(starts, ends)], out=bad[1:])
    return bad[misses[1:]] == bad[misses[:-1]]


def _join_piece(offsets: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Tokens of some ASCII texts, space-joined: (bytes of each text's result, all bytes)."""
    size = len(b)
    cls = np.frombuffer(b.tobytes().translate(_CLASS), dtype=np.uint8)
    first = np.zeros(size + 1, dtype=bool)  # first byte of a text (and the end)
    first[offsets] = True
    inner = ~first[1:-1]  # byte i+1 continues the text of byte i
    w = (cls & _WORD).view(bool)
    joiner = (cls & _JOINER).view(bool)
    # groups: word characters, and joiners linking two word characters of the same text
    g = w.copy()
    g[1:-1] |= joiner[1:-1] & w[:-2] & w[2:] & inner[:-1] & inner[1:]
    start = g.copy()
    start[1:] &= ~(g[:-1] & inner)
    end = g.copy()
    end[:-1] &= ~(g[1:] & inner)
    starts = np.flatnonzero(start)
    ends = np.flatnonzero(end) + 1
    selected = g
    # groups without a letter, among those holding a digit or "_" (rare)
    other = np.flatnonzero(w & ~(cls & _LETTER).view(bool))
    cand = np.searchsorted(starts, other, side="right") - 1
    cand = cand[run_starts(cand)]
    bare = cand[_all_in_ranges(~(cls & _LETTER).view(bool), starts[cand], ends[cand])]
    if len(bare):
        # a bare group is a token when a later group of its chunk has a letter: follow the
        # groups while only joiners of the same text separate them
        linked = joiner & ~first[:-1]
        n_groups = len(starts)
        drop, cur, nxt = [], bare, bare + 1
        while len(cur):
            on = nxt < n_groups
            drop.append(cur[~on])
            cur, nxt = cur[on], nxt[on]
            same = ~first[starts[nxt]] & _all_in_ranges(linked, ends[nxt - 1], starts[nxt])
            drop.append(cur[~same])
            cur, nxt = cur[same], nxt[same]
            go_on = _all_in_ranges(~(cls & _LETTER).view(bool), starts[nxt], ends[nxt])
            cur, nxt = cur[go_on], nxt[go_on] + 1
        drop = np.concatenate(drop)
        if len(drop):
            selected[_ranges(starts[drop], ends[drop])] = False
            keep = np.ones(len(starts), dtype=bool)
            keep[drop] = False
            starts, ends = starts[keep], ends[keep]
    # tokens per text, and one space after each token followed by another of its text (in
    # the byte right after it, which is not part of a token)
    first_tok = np.searchsorted(starts, offsets)
    n_tok = np.diff(first_tok)
    opens = np.zeros(len(starts) + 1, dtype=bool)
    opens[first_tok] = True
    gap = ends[:-1][~opens[1:-1]]
    b = b.copy()
    b[gap] = ord(" ")
    selected[gap] = True
    chars = np.zeros(len(starts) + 1, dtype=np.int64)
    np.cumsum(ends - starts, out=chars[1:])
    return np.diff(chars[first_tok]) + np.maximum(n_tok - 1, 0), b[selected]


def _joined_ascii(arr: pa.Array) -> pa.Array:
    """Space-joined tokens of normalised texts, for the ASCII ones (others: anything).

    The texts are cut into pieces of about :data:`_PIECE_BYTES` bytes (whole texts).
    """
    offsets, b = string_buffers(arr)
    n = len(arr)
    cuts = np.unique(np.r_[0, np.searchsorted(offsets, np.arange(0, len(b), _PIECE_BYTES)), n])
    lengths, parts = [], []
    for lo, hi in zip(cuts[:-1], cuts[1:], strict=True):
        out_len, out = _join_piece(offsets[lo : hi + 1] - offsets[lo],
                                   b[offsets[lo] : offsets[hi]])
        lengths.append(out_len)
        parts.append(out)
    out_off = np.zeros(n + 1, dtype=np.int64)
    if n:
        np.cumsum(np.concatenate(lengths), out=out_off[1:])
    data = np.concatenate(parts) if parts else np.zeros(0, dtype=np.uint8)
    return pa.LargeStringArray.from_buffers(n, pa.py_buffer(out_off), pa.py_buffer(data))


def _joined_arrow(normalized: pa.Array) -> pa.Array:
    """Space-joined tokens of an Arrow column of normalised texts (TOKEN_RE's matches).

    ASCII texts go through the byte rule (:func:`_joined_ascii`); the others (where ``\\w``
    and ``\\d`` are Unicode classes) through ``TOKEN_RE.findall``.
    """
    findall = TOKEN_RE.findall
    joined = _joined_ascii(normalized)
    rows = pc.invert(pc.string_is_ascii(normalized))
    texts = normalized.filter(rows).to_pylist()
    if not texts:
        return joined
    new = pa.array([" ".join(filter(None, findall(t))) for t in texts], type=pa.large_string())
    return pc.replace_with_mask(joined, rows, new)


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
    arr, index = _arrow_texts(texts)
    return _series([_joined_arrow(_normalize_arrow(block)) for block in _blocks(arr)], index)


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
        check_one_of("level", level, LEVEL_KEYS, func="Tokens.from_corpus")
        table = {"sentence": "sentences", "paragraph": "paragraphs", "article": "articles"}[level]
        frame = getattr(corpus, table)
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


def count_matrix(joined: pd.Series, rows: int = 100_000) -> tuple[sp.csr_matrix, pd.Index]:
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
    if level != tokens.level:
        check_one_of("level", level, LEVEL_KEYS, func="dfm")
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
            x = sp.csr_matrix(tokens._count_cache() @ select)
        else:
            vec = CountVectorizer(
                analyzer=_phrase_analyzer(feats),
                vocabulary={f: i for i, f in enumerate(feats)},
                dtype=np.int64,
            )
            x = sp.csr_matrix(vec.transform(tokens.joined.tolist()))
        features = feats
    elif (lo, hi) == (1, 1):
        x, features = tokens._count_cache(), tokens.vocabulary
        if remove_stopwords and len(features):  # stopwords dropped here, in one copy
            content = np.flatnonzero(~features.isin(stopwords()))
            x, features = _take_columns(x, content), features[content]
        else:
            x = _as_int64(x)
    else:
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
