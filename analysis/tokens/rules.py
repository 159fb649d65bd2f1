"""The token rules: normalisation and tokenization of texts, the one way the suite does it.

See :mod:`analysis.tokens` for the rules; this module holds their implementation (regular
expressions for the few non-ASCII texts, pyarrow and numpy over bytes for the rest).
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .. import progress
from .._kernels import chunked_texts, run_starts, string_buffers, text_series
from ..config import COMPOUNDS_FILE, STOPWORDS_FILE

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
#: Regex sources of the written forms of the United States and China that the rules turn into
#: tokens (``united_states``, ``china-us``); kwic finds them in the original text with these.
US_FORMS = _US
CHINA_FORMS = _CHINA

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


def compound_words() -> frozenset[str]:
    """The hyphenated compounds of ``analysis/data/compounds.txt`` (``"win-win"``, ...).

    Written with spaces or hyphens in a text, each becomes one token (``win win`` ->
    ``win-win``).

    Returns
    -------
    frozenset of str
    """
    return frozenset(_compound_re()[1].values())


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
