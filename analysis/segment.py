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

Other scripts: a Cyrillic capital (Russian, Ukrainian) starts a sentence like a Latin one, with
``«`` and ``»`` as opening and closing marks, and a Cyrillic initial ("В. Иванов") does not
end one. Chinese and Japanese sentences end at full-width ``。！？｡`` (and ``．`` not before a
digit) and any closing marks after them, with or without a following space
(:data:`CJK_BOUNDARY`). Word counts (``n_words``) count each CJK character as a word, since
these scripts put no space between words; so headings and the near-duplicate evidence
(:func:`analysis.corpus.flag_duplicates`, sentences of at least 5 words) work for them too.

Implementation: texts stay in Arrow arrays. Paragraphs are cut with ``pyarrow.compute``;
the boundary regex runs once over blocks of about 4 MB of paragraphs joined by ``"\\n"`` (a
character the boundary can neither match nor look through, so each paragraph is split exactly
as on its own), and sentence texts are cut out of the paragraphs' UTF-8 buffer by offset, so
no Python string is made per paragraph or sentence.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ._kernels import arrow_texts, block_map, byte_blocks, byte_offsets

__all__ = ["CJK_BOUNDARY", "SENTENCE_BOUNDARY", "is_heading", "paragraphs", "sentences", "word_count"]

_OPENERS = (
    "The|A|An|He|She|It|They|We|I|You|But|And|This|That|These|Those|There|In|On|At|For|"
    "Its|His|Her|Their|Our|Some|Many|Most|No|Yes|If|When|While|After|Before|As|However|"
    "Meanwhile|Still|Yet|So|Then|Last|Earlier|Later|Now|Also|Both|Such|What|Why|How|Who"
)
_TITLES_2 = "Mr|Ms|Dr|St|Lt|Mt|Ft|Jr|Sr|vs|cf"
_TITLES_3 = "Mrs|Gen|Sen|Rep|Gov|Col|Sgt|Rev|Hon|Amb|Adm|Maj|etc|Cpl|Pvt"
_TITLES_4 = "Prof|Capt|Pres|Supt|Cmdr"
_NUM_ABBR_3 = "Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Oct|Nov|Dec|Nos|Art|Vol|Fig"

#: Capital letters that may start a sentence: Latin, Cyrillic (Russian, Ukrainian), digits.
_CAPITAL = "A-Z0-9А-ЯЁЄІЇҐ"
#: Closing marks that may follow sentence punctuation (``.”``, ``.»``).
_CLOSE = "\"”’')\\]»"

#: The sentence boundary: the single space between two sentences inside a paragraph.
SENTENCE_BOUNDARY = re.compile(
    # starts with a literal space so the regex engine skips quickly to candidates
    rf" (?=[“\"‘'(\[«„]?[{_CAPITAL}])"  # the next sentence starts with a capital or digit
    rf"(?:(?<=[.!?] )|(?<=[.!?][{_CLOSE}] ))"  # sentence punctuation, maybe a closing mark
    rf"(?<!\b(?:{_TITLES_2})\. )(?<!\b(?:{_TITLES_3})\. )(?<!\b(?:{_TITLES_4})\. )"
    r"(?<!\be\.g\. )(?<!\bi\.e\. )"
    rf"(?:(?<!\b[A-ZА-ЯЁ]\. )|(?=[“\"‘(]?(?:{_OPENERS})\b))"  # initials / acronyms
    rf"(?!(?:(?<=\b(?:{_NUM_ABBR_3})\. )|(?<=\bSept\. )|(?<=\bNo\. )|(?<=\bpp\. ))\d)"
)

#: The same boundary, found from each sentence-final mark: a regex that starts with a literal
#: is scanned much faster by Python's engine than one that starts with a lookaround.
_BOUNDARY_FROM = {
    p: re.compile(re.escape(p) + rf"[{_CLOSE}]? " + SENTENCE_BOUNDARY.pattern[1:]) for p in ".?!"
}
#: Full-width sentence punctuation (Chinese, Japanese): 。！？｡ and ． (not before a digit).
_CJK_CLOSE = "”’」』）》〉】\"')"
#: A boundary after full-width sentence punctuation (and closing marks): between it and the next
#: character (no space is written in Chinese or Japanese), or at the one space after it.
CJK_BOUNDARY = re.compile(
    rf"(?:[。！？｡]|．(?![0-9０-９]))[{_CJK_CLOSE}]*( ?)(?=[^\s{_CJK_CLOSE}])"
)
#: Characters of scripts written without spaces between words (CJK ideographs, kana, hangul).
_CJK_CHARS = "[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]"
_OPEN_END = frozenset(".!?…:;,\"”’')]")


def _count_words(texts: list[str]) -> np.ndarray:
    """Words of whitespace-normalised texts (single spaces, no leading/trailing space; each CJK
    character a word, as in :func:`_cjk_words`)."""
    cjk = re.compile(_CJK_CHARS)
    return np.fromiter((t.count(" ") + 1 + max(len(cjk.findall(t)) - 1, 0) if t else 0 for t in texts),
                       dtype=np.int64, count=len(texts))


def _heading(texts: list[str], n_words: np.ndarray) -> np.ndarray:
    open_end = np.fromiter((t[-1:] not in _OPEN_END for t in texts), dtype=bool, count=len(texts))
    return (n_words <= 3) | ((n_words <= 20) & open_end)


def word_count(texts: pd.Series) -> pd.Series:
    """Number of whitespace-separated words of each text, each Chinese, Japanese or Korean
    character counting as a word (an int64 Series, same index)."""
    values = [" ".join(t.split()) for t in texts.astype(str)]
    return pd.Series(_count_words(values), index=texts.index, dtype="int64")


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


def _slices(arr: pa.Array, start: np.ndarray, end: np.ndarray) -> pa.Array:
    """The substrings ``[start, end)`` (byte offsets into ``arr``'s data buffer, in increasing,
    non-overlapping order) as a new ``large_string`` array."""
    if not len(start):
        return pa.array([], type=pa.large_string())
    bounds = np.empty(2 * len(start), dtype=np.int64)
    bounds[0::2], bounds[1::2] = start, end
    pieces = pa.LargeStringArray.from_buffers(
        2 * len(start) - 1, pa.py_buffer(bounds), arr.buffers()[2]
    )
    return pc.take(pieces, pa.array(np.arange(0, len(bounds) - 1, 2)))


def _cjk_words(arr: pa.Array) -> np.ndarray:
    """Words that Chinese, Japanese and Korean characters add to the space count: each such
    character is a word (these scripts put no space between words), and a string with any
    counts one fewer (its space-separated count already holds them as one word)."""
    out = np.zeros(len(arr), dtype=np.int64)
    if not len(arr):
        return out
    offs = byte_offsets(arr)
    if arr.buffers()[2] is None:
        return out
    data = np.frombuffer(arr.buffers()[2], dtype=np.uint8)[offs[0]:offs[-1]]
    # CJK characters (U+3000-U+FFFF) start with UTF-8 lead bytes E3-EF (curly quotes, E2, do not):
    # only the rows holding one are searched
    if not len(data) or data.max() < 0xE3:  # one fast pass: no such lead byte at all
        return out
    lead = np.flatnonzero((data >= 0xE3) & (data <= 0xEF))
    if not len(lead):
        return out
    rows = np.unique(np.searchsorted(offs[1:] - offs[0], lead, side="right"))
    n = pc.count_substring_regex(arr.take(pa.array(rows)), _CJK_CHARS).to_numpy().astype(np.int64)
    out[rows] = np.maximum(n - 1, 0)
    return out


def _words(arr: pa.Array) -> np.ndarray:
    """Words of whitespace-normalised strings: spaces + 1 (each CJK character a word, see
    :func:`_cjk_words`), 0 for an empty string."""
    n = pc.count_substring(arr, " ").to_numpy().astype(np.int64) + 1 + _cjk_words(arr)
    return np.where(pc.binary_length(arr).to_numpy() > 0, n, 0)


def _heading_arrow(arr: pa.Array, n_words: np.ndarray) -> np.ndarray:
    last = pc.utf8_slice_codeunits(arr, start=-1)
    closed = pc.is_in(last, value_set=pa.array(sorted(_OPEN_END), type=last.type))
    open_end = ~closed.to_numpy(zero_copy_only=False)
    return (n_words <= 3) | ((n_words <= 20) & open_end)


def _sorted_ids(ids: pd.Series) -> tuple[np.ndarray, bool]:
    """First-appearance codes of ``ids`` and whether the ids are already grouped in sorted order."""
    codes, uniques = pd.factorize(ids)
    codes = codes.astype(np.int64)
    grouped = bool(np.all(codes[1:] >= codes[:-1]))
    return codes, grouped and pd.Index(uniques).is_monotonic_increasing


def _paragraph_block(texts: pa.Array) -> tuple:
    """Paragraphs of a block of article texts: doc (position in the block), start, length,
    text, words, heading; empty pieces left out."""
    lists = pc.split_pattern(texts, "\n\n")
    doc = pc.list_parent_indices(lists).to_numpy().astype(np.int64)
    flat = pc.list_flatten(lists)
    length = pc.utf8_length(flat).to_numpy().astype(np.int64)
    start = _group_offsets(doc, length + 2)
    keep = length > 0
    flat = flat.filter(pa.array(keep))
    n_words = _words(flat)
    return doc[keep], start[keep], length[keep], flat, n_words, _heading_arrow(flat, n_words)


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
    ids = articles["article_id"].astype(str)
    texts = arrow_texts(articles["text"])
    spans = byte_blocks(texts, _BLOCK_BYTES)
    parts = block_map(lambda span: _paragraph_block(texts.slice(span[0], span[1] - span[0])), spans)
    doc = np.concatenate([np.zeros(0, dtype=np.int64)] + [p[0] + a for p, (a, _) in zip(parts, spans, strict=True)])
    start = np.concatenate([np.zeros(0, dtype=np.int64)] + [p[1] for p in parts])
    length = np.concatenate([np.zeros(0, dtype=np.int64)] + [p[2] for p in parts])
    flat = pa.concat_arrays([p[3] for p in parts]) if parts else pa.array([], type=pa.large_string())
    n_words = np.concatenate([np.zeros(0, dtype=np.int64)] + [p[4] for p in parts])
    heading = np.concatenate([np.zeros(0, dtype=bool)] + [p[5] for p in parts])
    del parts
    out = pd.DataFrame(
        {
            "article_id": pd.Series(pc.take(arrow_texts(ids), pa.array(doc)), dtype="str"),
            "paragraph": _group_offsets(doc, np.ones(len(doc), dtype=np.int64)),
            "start": start,
            "end": start + length,
            "text": pd.Series(flat, dtype="str"),
            "n_words": n_words,
            "is_heading": heading,
        }
    )
    if _sorted_ids(ids)[1] and ids.is_unique:
        return out
    return out.sort_values(["article_id", "paragraph"], kind="stable").reset_index(drop=True)


#: Bytes of paragraph text given to one run of the boundary regex.
_BLOCK_BYTES = 1 << 22


def _cut_positions(texts: pa.Array) -> tuple[np.ndarray, ...]:
    """Boundaries of every paragraph: row, character offset, byte offset in the row, number of
    spaces before it in the row and width (1: the boundary is a space, dropped from both
    sentences; 0: after full-width punctuation without a space); and the number of spaces of
    every paragraph.

    The regex runs over blocks of paragraphs joined by ``"\\n"``: the boundary consumes only
    sentence punctuation, a closing mark and the space, and its look-arounds treat ``"\\n"``
    exactly like the start or end of a string (not a letter, digit, punctuation, quote or
    space), so the matches are those of each paragraph on its own. Two blocks are worked on
    at a time (:func:`analysis._kernels.block_map`: one block's numpy passes run while the
    other's regex runs).
    """
    offs = byte_offsets(texts)
    n_chars = pc.utf8_length(texts).to_numpy().astype(np.int64)
    spans = byte_blocks(texts, _BLOCK_BYTES)
    blocks = block_map(lambda span: _cut_block(texts, offs, n_chars, *span), spans)
    para_spaces = np.zeros(len(texts), dtype=np.int64)
    for (a, b), found in zip(spans, blocks, strict=True):
        para_spaces[a:b] = found[-1]
    found = [f[:-1] for f in blocks if f[0] is not None]
    if not found:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty, empty, empty, para_spaces
    return (*(np.concatenate(parts) for parts in zip(*found, strict=True)), para_spaces)


def _cut_block(texts: pa.Array, offs: np.ndarray, n_chars: np.ndarray, a: int, b: int) -> tuple:
    """:func:`_cut_positions` of the paragraphs ``a:b``: rows, chars, bytes, spaces and widths
    of their boundaries (None each when there is none), and the spaces of each paragraph."""
    sep = pa.scalar("\n", type=pa.large_string())
    block = pa.LargeListArray.from_arrays(pa.array([0, b - a], pa.int64()), texts.slice(a, b - a))
    joined = pc.binary_join(block, sep)
    lo, hi = byte_offsets(joined).tolist()
    data = np.frombuffer(joined.buffers()[2], dtype=np.uint8)[lo:hi]
    space_at = np.flatnonzero(data == 32)

    def spaces(byte: np.ndarray) -> np.ndarray:
        """Number of spaces before each of these bytes of the block."""
        return np.searchsorted(space_at, byte, "left")

    bstart = offs[a:b] - offs[a] + np.arange(b - a)  # each paragraph's first byte in the block
    para_spaces = spaces(bstart + (offs[a + 1 : b + 1] - offs[a:b])) - spaces(bstart)
    text = joined[0].as_py()
    pos = [m.end() - 1 for m in _BOUNDARY_FROM["."].finditer(text)]
    more = [m.end() - 1 for p in "?!" if p in text for m in _BOUNDARY_FROM[p].finditer(text)]
    if not text.isascii() and any(p in text for p in "。！？｡．"):
        cjk = [(m.end() - len(m.group(1)), len(m.group(1))) for m in CJK_BOUNDARY.finditer(text)]
        more += [p for p, w in cjk if w]
        zero = [p for p, w in cjk if not w]
    else:
        zero = []
    pos = np.array(sorted(pos + more) if more else pos, dtype=np.int64)
    if zero:  # boundaries without a space: the next sentence starts right there
        pos = np.concatenate([pos, np.array(zero, dtype=np.int64)])
        order = np.argsort(pos, kind="stable")
        pos, width = pos[order], np.concatenate([np.ones(len(pos) - len(zero), np.int64),
                                                 np.zeros(len(zero), np.int64)])[order]
    else:
        width = np.ones(len(pos), dtype=np.int64)
    if not len(pos):
        return None, None, None, None, None, para_spaces
    step = n_chars[a:b] + 1
    cstart = np.cumsum(step) - step  # each paragraph's first character in the block
    row = np.searchsorted(cstart, pos, "right") - 1
    if text.isascii():
        bpos = pos
    else:  # byte of each character: the UTF-8 bytes that are not continuation bytes
        starts = np.flatnonzero((data & 0xC0) != 0x80)
        bpos = np.append(starts, len(data))[pos]
    return (row + a, pos - cstart[row], bpos - bstart[row], spaces(bpos) - spaces(bstart[row]), width,
            para_spaces)


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
    texts = arrow_texts(paras["text"])
    n = len(texts)
    cut_row, cut_char, cut_byte, cut_spaces, cut_width, para_spaces = _cut_positions(texts)
    n_cuts = np.bincount(cut_row, minlength=n).astype(np.int64)
    n_sent = n_cuts + 1
    row = np.repeat(np.arange(n, dtype=np.int64), n_sent)
    lengths = pc.utf8_length(texts).to_numpy().astype(np.int64)
    offs = byte_offsets(texts)
    # local starts: 0, then cut + 1; local ends: cut, then the paragraph length
    last_pos = np.cumsum(n_sent) - 1
    first_pos = last_pos - n_cuts
    inner_start = np.ones(len(row), dtype=bool)
    inner_start[first_pos] = False
    inner_end = np.ones(len(row), dtype=bool)
    inner_end[last_pos] = False
    lstart = np.zeros(len(row), dtype=np.int64)
    lstart[inner_start] = cut_char + cut_width
    lend = np.empty(len(row), dtype=np.int64)
    lend[inner_end] = cut_char
    lend[last_pos] = lengths
    bstart = offs[:-1][row]  # byte offsets into the paragraphs' buffer
    bstart[inner_start] += cut_byte + cut_width
    bend = np.empty(len(row), dtype=np.int64)
    bend[inner_end] = offs[:-1][row[inner_end]] + cut_byte
    bend[last_pos] = offs[1:]
    sent_text = _slices(texts, bstart, bend)
    # words: spaces inside the sentence + 1 (spaces before the cut, minus those before the start)
    sp_start = np.zeros(len(row), dtype=np.int64)
    sp_start[inner_start] = cut_spaces + cut_width
    sp_end = np.empty(len(row), dtype=np.int64)
    sp_end[inner_end] = cut_spaces
    sp_end[last_pos] = para_spaces
    n_words = np.where(lend > lstart, sp_end - sp_start + 1, 0) + _cjk_words(sent_text)
    ids = paras["article_id"].astype(str)
    codes, in_order = _sorted_ids(ids)
    doc = codes[row]
    out = pd.DataFrame(
        {
            "article_id": pd.Series(pc.take(arrow_texts(ids), pa.array(row)), dtype="str"),
            "paragraph": paras["paragraph"].to_numpy(dtype=np.int64)[row],
            "sentence": _group_offsets(doc, np.ones(len(doc), dtype=np.int64)),
            "start": paras["start"].to_numpy(dtype=np.int64)[row] + lstart,
            "end": paras["start"].to_numpy(dtype=np.int64)[row] + lend,
            "text": pd.Series(sent_text, dtype="str"),
            "n_words": n_words,
            "is_heading": (
                paras["is_heading"].to_numpy(dtype=bool)[row] if "is_heading" in paras
                else np.zeros(len(row), dtype=bool)
            ),
        }
    )
    if in_order:
        return out
    return out.sort_values(["article_id", "sentence"], kind="stable").reset_index(drop=True)
