"""Keyword-in-context concordances (in the manner of quanteda's ``kwic``).

A pattern is a word or phrase; ``*`` is a wildcard inside a word (``"tariff*"`` finds
"tariff", "tariffs", "tariff-free"). The pattern is normalised with the suite's tokenizer
(:mod:`analysis.tokens`) and then matched in the ORIGINAL text, so the table shows the
original casing and punctuation while a hit is exactly a place where the tokenizer would see
the pattern's tokens:

- words match case-insensitively, with an optional possessive ``'s``, and only as whole tokens
  (``"Taiwan"`` does not match inside ``"pro-Taiwan"``, which the tokenizer keeps whole);
- ``"U.S."``, ``"US"``, ``"United States"`` all mean the token ``united_states`` and match any
  of its upper-case forms (never the pronoun "us"); likewise ``"UN"``/``"U.N."`` and the
  China-US dyad (``"China-US"`` finds "Sino-US", "China-U.S.", "US-China", ...);
- hyphens match any hyphen-like character; for the domain compounds of
  ``analysis/data/compounds.txt`` (``"win-win"``, ``"head-of-state"``) they also match spaces;
- the words of a phrase may be separated by spaces or punctuation other than ``. ! ?``.

Context windows are whitespace-separated words of the same document (article), so they may
cross sentences but never articles; at the start or end of a document they are shorter.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from analysis import _kernels
from analysis import tokens as tk

COLUMNS = [
    "article_id",
    "outlet",
    "paragraph",
    "sentence",
    "start",
    "end",
    "pre",
    "keyword",
    "post",
]
_GLOB = "zqglobqz"  # placeholder letters for "*" while the pattern is normalised
_POSS = r"(?:['\u2019]s)?"
_HYPHEN = "[-\u2010\u2011\u2012\u2013]"
_SEP = r"[^\w.!?]+"
_ENTITY_SURFACE = {
    tk.US_TOKEN: tk.US_FORMS,
    tk.UN_TOKEN: r"(?:U\.N\.|UN|United\s+Nations|UNITED\s+NATIONS)",
    tk.DYAD_TOKEN: rf"(?:{tk.CHINA_FORMS}{_HYPHEN}{tk.US_FORMS}|{tk.US_FORMS}{_HYPHEN}(?:China|CHINA)"
    rf"|(?:Sino|SINO){_HYPHEN}American)",
    "usd": r"US\$",
}


def _pattern_tokens(pattern: str) -> list[str]:
    if not isinstance(pattern, str) or not pattern.strip():
        raise ValueError(f"kwic: pattern must be a non-empty string, got {pattern!r}")
    joined = tk.tokenize_joined(pd.Series([pattern.replace("*", _GLOB)], dtype="str")).iloc[0]
    if not joined:
        raise ValueError(
            f"kwic: pattern {pattern!r} has no token (pure numbers and punctuation are not "
            "tokens); use a word"
        )
    return joined.split(" ")


def _word_regex(token: str) -> str:
    if token in _ENTITY_SURFACE:
        return _ENTITY_SURFACE[token] + _POSS
    if token == "us":  # the pronoun only: the country is united_states
        return "(?:us|Us)"
    compound = token in tk.compound_words()
    hyphen = rf"(?:{_HYPHEN}|\s+)" if compound else _HYPHEN
    parts = []
    for piece in re.split(f"({_GLOB}|-|')", token):
        if piece == _GLOB:
            parts.append(r"[\w'\u2019-]*")
        elif piece == "-":
            parts.append(hyphen)
        elif piece == "'":
            parts.append("['\u2019]")
        elif piece:
            parts.append(re.escape(piece))
    return "(?i:" + "".join(parts) + ")" + _POSS


def pattern_regex(pattern: str) -> re.Pattern[str]:
    """The regex that finds ``pattern`` in original text (see the module docstring).

    Parameters
    ----------
    pattern : str
        A word or phrase, ``*`` as an in-word wildcard.

    Returns
    -------
    re.Pattern
    """
    words = [_word_regex(t) for t in _pattern_tokens(pattern)]
    return re.compile(r"(?<![\w'\u2019-])" + _SEP.join(words) + r"(?![\w-])")


def _token_regex(pattern: str) -> re.Pattern[str]:
    toks = [re.escape(t).replace(_GLOB, r"[^ ]*") for t in _pattern_tokens(pattern)]
    return re.compile(r"(?<!\S)" + " ".join(toks) + r"(?!\S)")


def _context(text: str, start: int, end: int, window: int) -> tuple[str, str]:
    reach = 40 * (window + 1)
    lo = max(0, start - reach)
    before = text[lo:start].split()
    if lo > 0 and before and not text[lo - 1].isspace():
        before = before[1:]  # the slice cut a word
    hi = min(len(text), end + reach)
    after = text[end:hi].split()
    if hi < len(text) and after and not text[hi].isspace():
        after = after[:-1]
    pre = " ".join(before[-window:]) if window > 0 else ""
    post = " ".join(after[:window]) if window > 0 else ""
    return pre, post


def _start_needle(pattern: str) -> str:
    """Lower-case ASCII letters and digits every match of ``pattern_regex(pattern)`` starts with.

    "" when there is none to rely on (an entity such as "U.S.", the pronoun "us", a leading
    wildcard or a word starting with another character): :func:`_matches` then searches the
    whole text.
    """
    first = _pattern_tokens(pattern)[0]
    if first in _ENTITY_SURFACE or first == "us":
        return ""
    piece = re.split(f"({_GLOB}|-|')", first)[0]
    lead = re.match(r"[a-z0-9]+", piece)
    return lead.group(0) if lead else ""


def _matches(text: str, rx: re.Pattern[str], needle: str, low: str | None):
    """``rx.finditer(text)``, trying ``rx`` only where ``needle`` starts in ``low``.

    ``low`` is :func:`analysis._kernels.caseless_lower` of ``text``; when it or ``needle`` is
    missing, the whole text is searched. The result equals ``rx.finditer(text)``: every match
    starts with ``needle``'s characters in some case, hence at a start of ``needle`` in
    ``low``; trying these starts in order and skipping those inside the previous match finds
    the same non-overlapping matches (``rx.match(text, pos)`` sees the text before ``pos``, so
    the look-behind is kept).
    """
    if not needle or low is None:
        yield from rx.finditer(text)
        return
    end = 0
    for pos in _kernels.find_all(low, needle):
        if pos < end:
            continue
        m = rx.match(text, pos)
        if m is not None:
            yield m
            end = m.end()


def _hits(texts: list[str], searches: list[tuple[re.Pattern[str], str]], window: int):
    """The hits of each ``(regex, needle)`` search in ``texts``, one table per search.

    One pass over the texts: each is lower-cased once (:func:`analysis._kernels.caseless_lower`,
    when a needle needs it) for all the searches, and not kept.
    """
    rows: list[list] = [[] for _ in searches]
    lower = any(needle for _, needle in searches)
    for i, text in enumerate(texts):
        low = _kernels.caseless_lower(text) if lower else None
        for found, (rx, needle) in zip(rows, searches, strict=True):
            for m in _matches(text, rx, needle, low):
                pre, post = _context(text, m.start(), m.end(), window) if window > 0 else ("", "")
                found.append((i, m.start(), m.end(), pre, m.group(0), post))
    dtypes = {"row": "int64", "start": "int64", "end": "int64", "pre": "str", "keyword": "str",
              "post": "str"}
    return [pd.DataFrame(found, columns=list(dtypes)).astype(dtypes) for found in rows]


def _empty() -> pd.DataFrame:
    out = pd.DataFrame({c: pd.Series(dtype="str") for c in COLUMNS})
    return out.astype({"paragraph": "Int64", "sentence": "Int64", "start": "int64", "end": "int64"})


def kwic(source, pattern: str, *, window: int = 5) -> pd.DataFrame:
    """Concordance of ``pattern``: every hit with ``window`` words of context on each side.

    Parameters
    ----------
    source : analysis.corpus.Corpus, pandas.DataFrame or analysis.tokens.Tokens
        A corpus (articles' clean text; hits located in paragraphs/sentences through the
        ``sentences`` offsets); a table with ``article_id`` and ``text`` (and optionally
        ``outlet``, ``paragraph``, ``sentence``: each row is a document); or a
        :class:`~analysis.tokens.Tokens`, matched on normalised tokens within each unit
        (lower-case context, windows in tokens, never crossing units).
    pattern : str
        Word or phrase; ``*`` is an in-word wildcard (``"tariff*"``).
    window : int, default 5
        Words of context before and after.

    Returns
    -------
    pandas.DataFrame
        ``article_id``, ``outlet``, ``paragraph``, ``sentence`` (<NA> if unknown), ``start``,
        ``end`` (character offsets of the keyword in the document text; token offsets for
        ``Tokens``), ``pre``, ``keyword``, ``post``; sorted by article and position.
    """
    if window < 0:
        raise ValueError(f"kwic: window must be >= 0, got {window}")
    if isinstance(source, tk.Tokens):
        return _kwic_tokens(source, pattern, window)
    return _kwic_docs(_Documents(source), [pattern], window)[0]


class _Documents:
    """A :func:`kwic` source (Corpus or DataFrame): its texts, keys and sentence offsets."""

    def __init__(self, source):
        if hasattr(source, "articles") and hasattr(source, "sentences"):
            docs, sentences = source.articles, source.sentences
        elif isinstance(source, pd.DataFrame):
            docs, sentences = source, None
        else:
            raise TypeError(
                f"kwic: source must be a Corpus, a DataFrame or Tokens, got {type(source).__name__}"
            )
        missing = [c for c in ("article_id", "text") if c not in docs.columns]
        if missing:
            raise ValueError(
                f"kwic: the table has no column(s) {missing}; it needs article_id, text"
            )
        self.docs = docs.reset_index(drop=True)
        self.sentences = sentences


def _kwic_docs(documents: _Documents, patterns: list[str], window: int) -> list[pd.DataFrame]:
    """:func:`kwic` of each pattern, the texts searched in one pass."""
    searches = [(pattern_regex(p), _start_needle(p)) for p in patterns]
    docs, sentences = documents.docs, documents.sentences
    texts = docs["text"].fillna("").astype("str").tolist()
    keys = [c for c in ("article_id", "outlet", "paragraph", "sentence") if c in docs.columns]
    starts = None
    tables = []
    for hits in _hits(texts, searches, window):
        if hits.empty:
            tables.append(_empty())
            continue
        meta = docs[keys].iloc[hits["row"].to_numpy()].reset_index(drop=True)  # not the texts
        out = pd.DataFrame({"article_id": meta["article_id"].astype("str").to_numpy()})
        out["outlet"] = meta["outlet"].to_numpy() if "outlet" in meta else pd.NA
        for key in ("paragraph", "sentence"):
            out[key] = meta[key].to_numpy() if key in meta else pd.NA
        out = pd.concat([out, hits.drop(columns="row")], axis=1)
        if sentences is not None and len(sentences):
            starts = _sentence_starts(sentences) if starts is None else starts
            out = _locate(out.drop(columns=["paragraph", "sentence"]), starts)
        out = out.astype({"paragraph": "Int64", "sentence": "Int64", "outlet": "str"})
        out = out.sort_values(["article_id", "start"], kind="stable").reset_index(drop=True)
        tables.append(out[COLUMNS])
    return tables


def _sentence_starts(sentences: pd.DataFrame) -> pd.DataFrame:
    """The sentences' keys and start offsets, sorted by start (the right side of :func:`_locate`)."""
    s = sentences[["article_id", "paragraph", "sentence", "start"]].copy()
    s["article_id"] = s["article_id"].astype("str")
    return s.sort_values("start", kind="stable").rename(columns={"start": "_s_start"})


def _locate(hits: pd.DataFrame, starts: pd.DataFrame) -> pd.DataFrame:
    """Paragraph and sentence of each hit, from the sentences' start offsets (:func:`_sentence_starts`)."""
    h = hits.reset_index(names="_order").sort_values("start", kind="stable")
    merged = pd.merge_asof(
        h,
        starts,
        left_on="start",
        right_on="_s_start",
        by="article_id",
        direction="backward",
    )
    return merged.sort_values("_order").drop(columns=["_order", "_s_start"]).reset_index(drop=True)


def _kwic_tokens(tokens: tk.Tokens, pattern: str, window: int) -> pd.DataFrame:
    rx = _token_regex(pattern)
    rows = []
    for i, joined in enumerate(tokens.joined.tolist()):
        for m in rx.finditer(joined):
            before = joined[: m.start()].split()
            after = joined[m.end() :].split()
            n0 = len(before)
            rows.append(
                (
                    i,
                    n0,
                    n0 + m.group(0).count(" ") + 1,
                    " ".join(before[-window:]) if window else "",
                    m.group(0),
                    " ".join(after[:window]) if window else "",
                )
            )
    if not rows:
        return _empty()
    hits = pd.DataFrame(rows, columns=["row", "start", "end", "pre", "keyword", "post"])
    meta = tokens.docs.iloc[hits["row"].to_numpy()].reset_index(drop=True)
    out = pd.DataFrame({"article_id": meta["article_id"].astype("str").to_numpy()})
    out["outlet"] = meta["outlet"].to_numpy() if "outlet" in meta else pd.NA
    for key in ("paragraph", "sentence"):
        out[key] = meta[key].to_numpy() if key in meta else pd.NA
    out = pd.concat([out, hits.drop(columns="row")], axis=1)
    out = out.astype(
        {
            "paragraph": "Int64",
            "sentence": "Int64",
            "outlet": "str",
            "start": "int64",
            "end": "int64",
        }
    )
    return out[COLUMNS].reset_index(drop=True)


def kwic_many(source, patterns, *, window: int = 5) -> pd.DataFrame:
    """:func:`kwic` for several patterns, stacked with a leading ``pattern`` column.

    Parameters
    ----------
    source : Corpus, DataFrame or Tokens
    patterns : iterable of str
    window : int, default 5

    Returns
    -------
    pandas.DataFrame
    """
    if window < 0:
        raise ValueError(f"kwic: window must be >= 0, got {window}")
    patterns = list(patterns)
    if isinstance(source, tk.Tokens) or not patterns:
        frames = [kwic(source, p, window=window).assign(pattern=p) for p in patterns]
    else:
        tables = _kwic_docs(_Documents(source), patterns, window)  # one pass over the texts
        frames = [t.assign(pattern=p) for t, p in zip(tables, patterns, strict=True)]
    out = pd.concat(frames, ignore_index=True) if frames else _empty().assign(pattern="")
    return out[["pattern", *COLUMNS]].astype({"pattern": "str"})


def count_hits(source, patterns, *, by: str = "outlet") -> pd.DataFrame:
    """Number of hits of each pattern per ``by`` group (a wide table, zeros filled).

    Parameters
    ----------
    source : Corpus, DataFrame or Tokens
    patterns : iterable of str
    by : str, default "outlet"
        A column of the :func:`kwic` table.

    Returns
    -------
    pandas.DataFrame
        Rows = patterns (in the order given), columns = groups (sorted).
    """
    patterns = list(patterns)
    return hit_table(kwic_many(source, patterns, window=0), patterns, by=by)


def hit_table(concordance: pd.DataFrame, patterns, *, by: str = "outlet") -> pd.DataFrame:
    """:func:`count_hits` from a :func:`kwic_many` table already made (any window).

    Parameters
    ----------
    concordance : pandas.DataFrame
        From :func:`kwic_many` over (at least) ``patterns``.
    patterns : iterable of str
    by : str, default "outlet"

    Returns
    -------
    pandas.DataFrame
        Rows = patterns (in the order given), columns = groups (sorted).
    """
    patterns = list(patterns)
    hits = concordance[concordance["pattern"].isin(patterns)]
    table = hits.groupby(["pattern", by]).size().unstack(by, fill_value=0)
    table = table.reindex(index=patterns, fill_value=0).sort_index(axis=1)
    return table.astype(np.int64)
