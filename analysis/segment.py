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
    r"(?:(?<=[.!?])|(?<=[.!?][\"”’')\]]))"  # sentence punctuation, maybe a closing mark
    rf"(?<!\b(?:{_TITLES_2})\.)(?<!\b(?:{_TITLES_3})\.)(?<!\b(?:{_TITLES_4})\.)"
    r"(?<!\be\.g\.)(?<!\bi\.e\.)"
    rf"(?:(?<!\b[A-Z]\.)|(?=[“\"‘(]?(?:{_OPENERS})\b))"  # initials / acronyms
    rf"(?!(?:(?<=\b(?:{_NUM_ABBR_3})\.)|(?<=\bSept\.)|(?<=\bNo\.)|(?<=\bpp\.)) \d)"
    r" "
    r"(?=[“\"‘'(\[]?[A-Z0-9])"
)

_WORD = re.compile(r"\S+")


def word_count(texts: pd.Series) -> pd.Series:
    """Number of whitespace-separated words of each text (an int64 Series, same index)."""
    return texts.astype(str).str.count(r"\S+").astype("int64")


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
    n = word_count(texts)
    open_end = ~texts.astype(str).str.contains(r"[.!?…:;,\"”’')\]]$", regex=True)
    return ((n <= 3) | ((n <= 20) & open_end)).astype(bool)


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
    parts = articles["text"].astype(str).str.split("\n\n")
    lens = parts.str.len().to_numpy()
    flat = parts.explode().to_numpy(dtype=object)
    out = pd.DataFrame({"article_id": np.repeat(ids, lens), "text": flat})
    out["paragraph"] = out.groupby("article_id", sort=False).cumcount().astype("int64")
    length = out["text"].str.len().astype("int64")
    step = length + 2
    out["start"] = (step.groupby(out["article_id"], sort=False).cumsum() - step).astype("int64")
    out["end"] = out["start"] + length
    out = out[out["text"].str.len() > 0]
    out["paragraph"] = out.groupby("article_id", sort=False).cumcount().astype("int64")
    out["n_words"] = word_count(out["text"])
    out["is_heading"] = is_heading(out["text"])
    cols = ["article_id", "paragraph", "start", "end", "text", "n_words", "is_heading"]
    out = out[cols].sort_values(["article_id", "paragraph"], kind="stable")
    out["text"] = out["text"].astype(str)
    return out.reset_index(drop=True)


def sentences(paras: pd.DataFrame) -> pd.DataFrame:
    """Split paragraphs into sentences with :data:`SENTENCE_BOUNDARY`.

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
    texts = paras["text"].astype(str).to_numpy(dtype=object)
    # positions of the boundary spaces, per paragraph: one compiled regex, C-level scanning
    cuts = [[m.start() for m in SENTENCE_BOUNDARY.finditer(t)] for t in texts]
    n_cuts = np.fromiter((len(c) for c in cuts), dtype=np.int64, count=len(cuts))
    flat_cuts = np.fromiter(
        (p for c in cuts for p in c), dtype=np.int64, count=int(n_cuts.sum())
    )
    n_sent = n_cuts + 1
    row = np.repeat(np.arange(len(texts)), n_sent)
    lengths = paras["text"].astype(str).str.len().to_numpy(dtype=np.int64)
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
    p_texts = texts[row]
    out = pd.DataFrame(
        {
            "article_id": paras["article_id"].to_numpy(dtype=object)[row],
            "paragraph": paras["paragraph"].to_numpy(dtype=np.int64)[row],
            "start": paras["start"].to_numpy(dtype=np.int64)[row] + lstart,
            "end": paras["start"].to_numpy(dtype=np.int64)[row] + lend,
            "text": [t[a:b] for t, a, b in zip(p_texts, lstart, lend, strict=True)],
        }
    )
    out.insert(2, "sentence", out.groupby("article_id", sort=False).cumcount().astype("int64"))
    out["n_words"] = word_count(out["text"])
    if "is_heading" in paras:
        out["is_heading"] = paras["is_heading"].to_numpy(dtype=bool)[row]
    else:
        out["is_heading"] = False
    out["text"] = out["text"].astype(str)
    return out.sort_values(["article_id", "sentence"], kind="stable").reset_index(drop=True)
