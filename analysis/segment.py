"""Segmentation of clean texts into paragraphs and sentences, with character offsets.

Paragraphs are the ``"\\n\\n"``-separated blocks of the clean text (see :mod:`analysis.clean`
for how raw line breaks become paragraphs). Sentences are found inside each paragraph by ONE
compiled boundary regex (:data:`SENTENCE_BOUNDARY`) that matches the single space between two
sentences; there is no per-token Python loop.

A boundary is a space that follows ``.``, ``!`` or ``?`` (optionally followed by one closing
quote or bracket, so ``.”`` ends a sentence) and precedes an optional opening quote or bracket and
an upper-case letter or digit. It is *not* a boundary after

* a title abbreviation: Mr. Mrs. Ms. Dr. Prof. St. Gen. Sen. Rep. Gov. Lt. Col. Capt. Sgt.
  Rev. Hon. Amb. Pres. Gov. Mt. Ft. vs. etc. e.g. i.e. cf.;
* a single capital letter with a period, which covers initials ("J. K. Rowling") and the end
  of dotted acronyms ("U.S.", "U.N.", "U.K."), unless the next word is a common sentence opener
  (The, He, She, It, They, We, But, This, In, ...), so "... in the U.S. The minister ..." still
  splits while "the U.S. Section 301" and "U.N. Security Council" do not;
* a month abbreviation ("Jan.", "Sept.") or "No." / "Nos." / "Art." / "Vol." / "pp." when a
  number follows ("Jan. 5", "No. 1").

Decimals ("3.5") never split because there is no space after the point.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

__all__ = ["SENTENCE_BOUNDARY", "is_heading", "paragraphs", "sentences", "word_count"]

_OPENERS = (
    "The|A|An|He|She|It|They|We|I|You|But|And|This|That|These|Those|There|In|On|At|For|"
    "Its|His|Her|Their|Our|Some|Many|Most|No|Yes|If|When|While|After|Before|As|However|"
    "Meanwhile|Still|Yet|So|Then|Last|Earlier|Later|Now|Also|Both|Such|What|Why|How|Who"
)
_TITLES_2 = "Mr|Ms|Dr|St|Lt|Mt|Ft|Jr|Sr|vs|cf"
_TITLES_3 = "Mrs|Gen|Sen|Rep|Gov|Col|Sgt|Rev|Hon|Amb|Adm|Maj|etc|Cpl|Pvt"
_TITLES_4 = "Prof|Capt|Pres|Supt|Cmdr"
_NUM_ABBR_3 = "Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Oct|Nov|Dec|Nos|Art|Vol|Fig"

#: The sentence boundary: the single space between two sentences inside a paragraph.
SENTENCE_BOUNDARY = re.compile(
    # starts with a literal space so the regex engine skips quickly to candidates
    r" (?=[“\"‘'(\[]?[A-Z0-9])"  # the next sentence starts with a capital or digit
    r"(?:(?<=[.!?] )|(?<=[.!?][\"”’')\]] ))"  # sentence punctuation, maybe a closing mark
    rf"(?<!\b(?:{_TITLES_2})\. )(?<!\b(?:{_TITLES_3})\. )(?<!\b(?:{_TITLES_4})\. )"
    r"(?<!\be\.g\. )(?<!\bi\.e\. )"
    rf"(?:(?<!\b[A-Z]\. )|(?=[“\"‘(]?(?:{_OPENERS})\b))"  # initials / acronyms
    rf"(?!(?:(?<=\b(?:{_NUM_ABBR_3})\. )|(?<=\bSept\. )|(?<=\bNo\. )|(?<=\bpp\. ))\d)"
)

#: The same boundary, found from each sentence-final mark: a regex that starts with a literal
#: is scanned much faster by Python's engine than one that starts with a lookaround.
_BOUNDARY_FROM = {
    p: re.compile(re.escape(p) + r"[\"”’')\]]? " + SENTENCE_BOUNDARY.pattern[1:]) for p in ".?!"
}
_OPEN_END = frozenset(".!?…:;,\"”’')]")


def _count_words(texts: list[str]) -> np.ndarray:
    """Words of whitespace-normalised texts (single spaces, no leading/trailing space)."""
    return np.fromiter((t.count(" ") + 1 if t else 0 for t in texts), dtype=np.int64, count=len(texts))


def _heading(texts: list[str], n_words: np.ndarray) -> np.ndarray:
    open_end = np.fromiter((t[-1:] not in _OPEN_END for t in texts), dtype=bool, count=len(texts))
    return (n_words <= 3) | ((n_words <= 20) & open_end)


def word_count(texts: pd.Series) -> pd.Series:
    """Number of whitespace-separated words of each text (an int64 Series, same index)."""
    return pd.Series(
        [len(t.split()) for t in texts.astype(str)], index=texts.index, dtype="int64"
    )


def is_heading(texts: pd.Series) -> pd.Series:
    """Whether each paragraph is a sub-heading or a too-short unit.

    Parameters
    ----------
    texts : pandas.Series of str
        Paragraph texts.

    Returns
    -------
    pandas.Series of bool
        True for a paragraph of at most 3 words, or of at most 20 words that does not end in
        sentence punctuation, a closing quote or bracket, a colon or a comma (e.g. "Steering
        bilateral ties", or AP's sub-head "Wang reiterated his call for ... in Iran").
    """
    values = [" ".join(t.split()) for t in texts.astype(str)]
    return pd.Series(_heading(values, _count_words(values)), index=texts.index, dtype=bool)


def _group_offsets(doc: np.ndarray, step: np.ndarray) -> np.ndarray:
    """Start offsets of consecutive pieces of each doc: cumulative sum of ``step`` before them."""
    cs = np.cumsum(step) - step
    counts = np.bincount(doc, minlength=int(doc.max()) + 1 if len(doc) else 0)
    first = np.concatenate([[0], np.cumsum(counts)[:-1]])
    return cs - np.repeat(cs[first[counts > 0]], counts[counts > 0]) if len(doc) else cs


def paragraphs(articles: pd.DataFrame) -> pd.DataFrame:
    """Split clean article texts into paragraphs.

    Parameters
    ----------
    articles : pandas.DataFrame
        Columns ``article_id`` and ``text`` (clean text, paragraphs separated by ``"\\n\\n"``).

    Returns
    -------
    pandas.DataFrame
        Columns ``article_id``, ``paragraph`` (0-based within the article), ``start``, ``end``
        (offsets into the article text, ``text[start:end]`` is the paragraph), ``text``,
        ``n_words``, ``is_heading``. Sorted by article_id, paragraph; empty articles have no rows.
    """
    ids = articles["article_id"].astype(str).to_numpy(dtype=object)
    parts = [t.split("\n\n") for t in articles["text"].astype(str)]
    counts = np.fromiter(map(len, parts), dtype=np.int64, count=len(parts))
    flat = [p for ps in parts for p in ps]
    doc = np.repeat(np.arange(len(parts)), counts)
    length = np.fromiter(map(len, flat), dtype=np.int64, count=len(flat))
    start = _group_offsets(doc, length + 2)
    keep = length > 0
    values = [p for p, k in zip(flat, keep, strict=True) if k]
    doc, start, length = doc[keep], start[keep], length[keep]
    n_words = _count_words(values)
    out = pd.DataFrame(
        {
            "article_id": ids[doc],
            "paragraph": _group_offsets(doc, np.ones(len(doc), dtype=np.int64)),
            "start": start,
            "end": start + length,
            "text": pd.Series(values, dtype="str"),
            "n_words": n_words,
            "is_heading": _heading(values, n_words),
        }
    )
    out["article_id"] = out["article_id"].astype("str")
    return out.sort_values(["article_id", "paragraph"], kind="stable").reset_index(drop=True)


def _cuts(text: str) -> list[int]:
    """Positions of the boundary spaces of one paragraph."""
    cuts = [m.end() - 1 for m in _BOUNDARY_FROM["."].finditer(text)]
    more = [m.end() - 1 for p in "?!" if p in text for m in _BOUNDARY_FROM[p].finditer(text)]
    return sorted(cuts + more) if more else cuts


def sentences(paras: pd.DataFrame) -> pd.DataFrame:
    """Split paragraphs into sentences at :data:`SENTENCE_BOUNDARY`.

    Parameters
    ----------
    paras : pandas.DataFrame
        The output of :func:`paragraphs` (``article_id``, ``paragraph``, ``start``, ``text``;
        ``is_heading`` is carried over when present).

    Returns
    -------
    pandas.DataFrame
        Columns ``article_id``, ``paragraph``, ``sentence`` (0-based index within the
        ARTICLE), ``start``, ``end`` (offsets into the article text), ``text``, ``n_words``,
        ``is_heading`` (the sentence is, or is in, a heading paragraph). Sorted by article_id,
        sentence.
    """
    texts = paras["text"].astype(str).to_list()
    cuts = [_cuts(t) for t in texts]
    n_cuts = np.fromiter(map(len, cuts), dtype=np.int64, count=len(cuts))
    flat_cuts = np.fromiter((p for c in cuts for p in c), dtype=np.int64, count=int(n_cuts.sum()))
    n_sent = n_cuts + 1
    row = np.repeat(np.arange(len(texts)), n_sent)
    lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
    # local starts: 0, then cut + 1; local ends: cut, then the paragraph length
    last_pos = np.cumsum(n_sent) - 1
    first_pos = last_pos - n_cuts
    inner_start = np.ones(len(row), dtype=bool)
    inner_start[first_pos] = False
    inner_end = np.ones(len(row), dtype=bool)
    inner_end[last_pos] = False
    lstart = np.zeros(len(row), dtype=np.int64)
    lstart[inner_start] = flat_cuts + 1
    lend = np.empty(len(row), dtype=np.int64)
    lend[inner_end] = flat_cuts
    lend[last_pos] = lengths
    sent_text = [texts[r][a:b] for r, a, b in zip(row.tolist(), lstart.tolist(), lend.tolist(), strict=True)]
    p_start = paras["start"].to_numpy(dtype=np.int64)[row]
    art = paras["article_id"].astype(str).to_numpy(dtype=object)[row]
    doc = pd.factorize(art)[0] if len(art) else np.zeros(0, dtype=np.int64)
    out = pd.DataFrame(
        {
            "article_id": pd.Series(art, dtype="str"),
            "paragraph": paras["paragraph"].to_numpy(dtype=np.int64)[row],
            "sentence": _group_offsets(doc, np.ones(len(doc), dtype=np.int64)),
            "start": p_start + lstart,
            "end": p_start + lend,
            "text": pd.Series(sent_text, dtype="str"),
            "n_words": _count_words(sent_text),
            "is_heading": (
                paras["is_heading"].to_numpy(dtype=bool)[row] if "is_heading" in paras
                else np.zeros(len(row), dtype=bool)
            ),
        }
    )
    return out.sort_values(["article_id", "sentence"], kind="stable").reset_index(drop=True)
