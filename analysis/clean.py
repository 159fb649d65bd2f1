"""Cleaning: remove site chrome and boilerplate from raw article texts, vectorized.

The unit of cleaning is the *line*. Every text is normalised (BOM, CRLF, non-breaking and
zero-width spaces), split into lines in one Arrow array, and each line is classified by a fixed
set of regular expressions applied column-wise (RE2 kernels of ``pyarrow.compute``; Python
regexes only on the few lines they flag) over all lines of a block of articles (about 8 MB of
text) at once. Nothing is dropped silently: every removed line (or removed prefix, or removed
markdown mark) is returned in a ``removed`` table with a reason.

Rules (reason strings in quotes)
--------------------------------
Anywhere in the text, a whole line is removed when it is

* a language picker: "language picker" (``CHOOSE YOUR LANGUAGE``);
* a Chinese internet-news licence / ICP line: "licence";
* a disinformation or reporting hotline: "hotline";
* an invitation to contribute or follow an account: "contribute note";
* an editor's note on the column: "editor's note";
* a copyright line: "copyright";
* a "RELATED STORIES" / "Read more" link block header: "related stories";
* a photo caption ending in an agency credit ("... /Xinhua"): "photo caption";
* a photo or cover credit ("(Cover via VCG)", "Photo: ..."): "photo credit";
* a timestamp or date line ("2025.10.29 23:38 GMT+8", "Updated ..."): "timestamp";
* a byline ("By: TA | AP Brief"): "byline".

In the *header* (the lines before the first body-like line, i.e. before the first line of at
least 8 words ending in sentence punctuation, or of more than 30 words) the first title-like
line (3-30 words, not ending in ``.``) is the "headline", and other lines of one to three words
("China", "CGTN") are "section label". An article without any body-like line has no header, so
a short text is never emptied.

At the start of a line, a leading "date YYYY-MM-DD" stamp ("date stamp") and a wire dateline
("BEIJING (AP) —", "dateline") are cut off and the rest of the line kept. Markdown emphasis
(``**words**``, ``__words__``) and heading marks (``## ``) are removed with the words kept
("markdown emphasis", "markdown heading").

Paragraph rule
--------------
After removal, every non-empty line is one paragraph (this handles both blank-line separated
texts and texts with one paragraph per line, such as the CGTN opinion piece), except in a
*hard-wrapped* text (at least 5 lines, 80 % of them at most 100 characters and none longer than
120): there blank lines separate paragraphs and single line breaks inside a paragraph become
spaces. The clean text joins paragraphs with ``"\\n\\n"``; runs of spaces are collapsed to one.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ._kernels import arrow_texts, block_map, byte_blocks

__all__ = [
    "REMOVAL_REASONS",
    "clean_texts",
    "extract_metadata",
    "normalize_text",
    "ns_dates",
    "parse_text_date",
]

_TERMINAL = ".!?…\"”’')]"

#: Whole-line rules applied anywhere in the text: (reason, pattern). First match wins.
_LINE_RULES: list[tuple[str, str]] = [
    ("language picker", r"(?i)^(?:choose|select|change)\s+(?:your\s+)?language\b.{0,20}$"),
    ("licence", r"许可证|ICP备|(?i:^licen[cs]e\s*(?:no\.?|number)?\s*:?\s*[\w-]*\d{5,})"),
    ("hotline", r"(?i)^.{0,80}\bhotline\b.{0,80}$"),
    ("contribute note", r"(?i)^\(?\s*(?:if you want to contribute\b|follow @\w+ on (?:twitter|x)\b)"),
    ("editor's note", r"(?i)^editor[’']?s[’']?\s+note\s*:"),
    (
        "copyright",
        r"(?i)^(?:copyright\b|©|\(c\)\s*\d{4}).{0,120}$|^.{0,80}\ball rights reserved\.?$",
    ),
    (
        "related stories",
        r"(?i)^(?:related(?:\s+(?:stories|articles|news|coverage|content|reading))?|read more|"
        r"more from .{1,40}|recommended(?: stories)?|you may also like|also read|see also)"
        r"\s*:?(?:\s.{0,150})?$",
    ),
    (
        "photo caption",
        r"/\s*(?:Xinhua|VCG|CFP|IC|AP|AFP|Reuters|Getty Images|CGTN|China Daily|CNSPHOTO|"
        r"Visual China Group|People's Daily|Global Times|EPA|Bloomberg)\s*\)?\s*$",
    ),
    (
        "photo credit",
        r"(?i)^\(\s*(?:cover|photo|file photo|cover image|video|image|graphic)s?\s*"
        r"(?:via|by|:|/|credit)[^)]{0,80}\)$|^(?:photo|file photo|cover image|image|picture)s?"
        r"\s*(?::|/|via\b|by\b|credit\b).{0,120}$",
    ),
]

_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
    r"Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
)
_DATE = (
    r"(?:\d{4}[./-]\d{1,2}[./-]\d{1,2}|" + _MONTH + r"\s+\d{1,2},?\s+\d{4}|\d{1,2}\s+"
    + _MONTH + r",?\s+\d{4})"
)
_TIME = r"(?:,?\s*\d{1,2}:\d{2}(?::\d{2})?\s*(?:[AaPp]\.?[Mm]\.?)?)"
_TZ = r"(?:\s*(?:GMT|UTC|BJT|CST|EST|EDT|ET|PST|PDT|CET|BST)(?:\s*[+-]\s*\d{1,2}(?::?\d{2})?)?)"
_TIMESTAMP = (
    r"(?i)^(?:(?:last\s+)?(?:updated|published|posted|released)(?:\s+on)?\s*:?\s*)?"
    r"(?:(?:mon|tues?|wed(?:nes)?|thu(?:rs)?|fri|sat(?:ur)?|sun)(?:day)?,?\s*)?"
    + _DATE + _TIME + r"?" + _TZ + r"?$"
)
_BYLINE = (
    r"^(?:By:\s*\S.{0,100}|By\s+[A-Z][\w.'’-]*(?:\s+(?:[A-Z][\w.'’-]*|and|\||,|&))*"
    r"|(?i:(?:reporter|writer|author|editor|written by)s?\s*:\s*\S.{0,80}))$"
)
#: Rules for lines of the header that are also valid anywhere: timestamp and byline.
_LINE_RULES += [("timestamp", _TIMESTAMP), ("byline", _BYLINE)]



def _scoped(pat: str) -> str:
    """Turn a leading global ``(?i)`` into a scoped group so patterns can be combined."""
    return f"(?i:{pat[4:]})" if pat.startswith("(?i)") else pat


_DATE_STAMP_RE = r"^(?P<stamp>date:?\s+\d{4}-\d{2}-\d{2})\b\s*"
_DATELINE_RE = (
    r"^(?P<dateline>[A-Z]{2,}[A-Za-z0-9 ,.'/-]{0,60}?\s*"
    r"\((?:AP|Reuters|AFP|Xinhua|Bloomberg|UPI|dpa|CNN|Kyodo|Yonhap|AFX|CNS|ANI|"
    r"[A-Z][A-Za-z]{1,15} News)\))\s*(?:—|–|--|-|:)\s+"
)
_EMPHASIS_RE = r"\*\*(?=\S)(?P<w1>.+?)(?<=\S)\*\*|__(?=\S)(?P<w2>.+?)(?<=\S)__"
_HEADING_MARK_RE = r"^#{1,6}\s+"

_ANY_RULE = "|".join(f"(?:{_scoped(pat)})" for _, pat in _LINE_RULES)
_RULES_RE = [(name, re.compile(pat)) for name, pat in _LINE_RULES]

#: Every reason the cleaner can give, in rule order.
REMOVAL_REASONS = tuple(
    [r for r, _ in _LINE_RULES]
    + ["headline", "section label", "date stamp", "dateline", "markdown emphasis",
       "markdown heading"]
)

#: Reasons by code (the whole-line rules first, in order, then the header's).
_REASONS = tuple(name for name, _ in _LINE_RULES) + ("headline", "section label")

#: Characters normalised to one space, and characters dropped.
_SPACE_CHARS = "\t\u00a0\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000\f\v"
_ZERO_WIDTH_CHARS = "\u200b\u200c\u200d\u2060\ufeff"
_TERMINAL = frozenset(".!?…\"”’')]")


def _normalize_arrow(arr: pa.Array) -> pa.Array:
    """Normalised texts; only the texts with something to normalise are rewritten."""
    need = pc.match_substring_regex(arr, f"[\r{_ZERO_WIDTH_CHARS}{_SPACE_CHARS}]|  ")
    rows = np.flatnonzero(need.to_numpy(zero_copy_only=False))
    if len(rows) == len(arr):
        return _normalize_all(arr)
    if not len(rows):
        return arr
    index = np.arange(len(arr), dtype=np.int64)
    index[rows] = len(arr) + np.arange(len(rows))
    fixed = _normalize_all(arr.take(pa.array(rows)))
    return pa.concat_arrays([arr, fixed.cast(arr.type)]).take(pa.array(index))


def _normalize_all(arr: pa.Array) -> pa.Array:
    arr = pc.replace_substring(arr, "\r\n", "\n")
    arr = pc.replace_substring(arr, "\r", "\n")
    arr = pc.replace_substring_regex(arr, "[" + _ZERO_WIDTH_CHARS + "]", "")
    # one pass: a special space, or a run of two or more spaces, becomes one space
    sp = "[ " + _SPACE_CHARS + "]"
    return pc.replace_substring_regex(arr, f"{sp}*[{_SPACE_CHARS}]{sp}*| {{2,}}", " ")


def normalize_text(texts: pd.Series) -> pd.Series:
    """Normalise raw texts: BOM and zero-width characters, line ends, spaces.

    Parameters
    ----------
    texts : pandas.Series of str
        Raw texts.

    Returns
    -------
    pandas.Series of str
        Same index; ``\\r\\n`` and ``\\r`` become ``\\n``, BOM / zero-width characters are
        dropped, every run of horizontal whitespace (including non-breaking spaces) becomes one
        space.
    """
    return pd.Series(_normalize_arrow(arrow_texts(texts)), index=texts.index, dtype="str")


def _group_starts(doc: np.ndarray, n_docs: int) -> tuple[np.ndarray, np.ndarray]:
    """For rows sorted by ``doc``: index of each doc's first row, and of each row's doc start."""
    counts = np.bincount(doc, minlength=n_docs)
    starts = (np.cumsum(counts) - counts).astype(np.int64)
    return starts, np.repeat(starts, counts)


def _group_cumsum(x: np.ndarray, row_start: np.ndarray) -> np.ndarray:
    """Cumulative sum of ``x`` within groups of consecutive rows (inclusive)."""
    cs = np.cumsum(x.astype(np.int64))
    before = np.concatenate([[0], cs])[row_start]
    return cs - before


def _match(arr: pa.Array, pattern: str) -> np.ndarray:
    """RE2 regex search over a pyarrow array, as a numpy bool array."""
    return pc.match_substring_regex(arr, pattern).to_numpy(zero_copy_only=False)


def clean_texts(texts: pd.Series) -> tuple[pd.Series, pd.DataFrame]:
    """Clean raw article texts; return the clean texts and what was removed.

    Parameters
    ----------
    texts : pandas.Series of str
        Raw texts; the index labels identify the articles (e.g. article ids).

    Returns
    -------
    clean : pandas.Series of str
        Clean texts, same index: paragraphs separated by ``"\\n\\n"``, no leading or trailing
        whitespace. See the module docstring for the rules.
    removed : pandas.DataFrame
        One row per removed item, columns ``article_id`` (the index label of ``texts``),
        ``line`` (the removed text; for markdown, the marked-up span), ``reason`` and
        ``line_no`` (0-based line of the normalised raw text). Sorted by article then line.
    """
    texts = pd.Series(texts)
    labels = texts.index.to_numpy()
    arr = arrow_texts(texts)
    # blocks of articles: the Arrow temporaries of one block stay small and are reused; two
    # blocks at a time on two threads (their kernels release the GIL)
    parts = block_map(lambda span: _clean_block(arr.slice(span[0], span[1] - span[0]), labels[span[0]:span[1]]),
                      byte_blocks(arr, _BLOCK_BYTES))
    joined = [p[0] for p in parts]
    clean = pd.Series(
        pa.concat_arrays(joined) if joined else pa.array([], type=pa.large_string()),
        index=texts.index, dtype="str",
    )
    found = [p[1] for p in parts if p[1] is not None]
    cols = ["article_id", "line", "reason", "line_no"]
    if found:
        rem = pd.DataFrame(
            {
                "article_id": np.concatenate([f[0] for f in found]),
                "line": pd.Series(pa.concat_arrays([f[1] for f in found]), dtype="str"),
                "reason": pd.Series(np.concatenate([f[2] for f in found]), dtype="str"),
                "line_no": np.concatenate([f[3] for f in found]),
            }
        )
    else:
        rem = pd.DataFrame({c: pd.Series(dtype=object) for c in cols})
    rem["line_no"] = rem["line_no"].astype("int64")
    for c in ("line", "reason"):
        rem[c] = rem[c].astype(str)
    return clean, rem[cols]


#: Bytes of raw text cleaned at a time.
_BLOCK_BYTES = 1 << 23


def _clean_block(arr: pa.Array, labels: np.ndarray) -> tuple[pa.Array, tuple | None]:
    """:func:`clean_texts` on a block of raw texts: the clean texts, and the removed items
    (article labels, lines, reasons, line numbers; in order) or None.

    Why one long function: it is the per-block kernel of the cleaning stage, a straight sequence
    of Arrow/numpy passes over the same line arrays (split, classify, drop, rejoin) that share
    a dozen intermediate arrays; cut into helpers, each would take and return most of them, and
    the order of the passes (which the rules depend on) would no longer read top to bottom.
    """
    n_docs = len(arr)
    lists = pc.split_pattern(_normalize_arrow(arr), "\n")
    doc = pc.list_parent_indices(lists).to_numpy().astype(np.int64)
    lines = pc.utf8_trim_whitespace(pc.list_flatten(lists))
    del lists
    n = len(lines)
    _, row_start = _group_starts(doc, n_docs)
    line_no = np.arange(n, dtype=np.int64) - row_start

    # markdown marks and leading stamps: one RE2 prefilter, then Python regexes on the hits
    marks = (
        ("markdown heading", re.compile(_HEADING_MARK_RE)),
        ("date stamp", re.compile(_DATE_STAMP_RE)),
        ("dateline", re.compile(_DATELINE_RE)),
    )
    emph = re.compile(_EMPHASIS_RE)
    pre = "|".join(["^#{1,6} ", r"^date:? +\d{4}-\d{2}-\d{2}",
                    _DATELINE_RE.replace("?P<dateline>", ""), r"\*\*", "__"])
    m_rows, m_lines, m_reasons = [], [], []
    cut_rows = []  # lines that started with a date stamp or dateline: they start the story
    hits = np.flatnonzero(_match(lines, pre))
    edited = lines.take(pa.array(hits)).to_pylist()
    for j, r in enumerate(hits.tolist()):
        value = edited[j]
        for reason, rx in marks:
            m = rx.match(value)
            if m:
                m_rows.append(r)
                m_lines.append(m.group(0).strip() if reason == "markdown heading" else m.group(1))
                m_reasons.append(reason)
                value = value[m.end():]
                if reason != "markdown heading":
                    cut_rows.append(r)
        spans = [m.group(0) for m in emph.finditer(value)]
        if spans:
            m_rows += [r] * len(spans)
            m_lines += spans
            m_reasons += ["markdown emphasis"] * len(spans)
            value = emph.sub(lambda m: m.group("w1") or m.group("w2"), value)
        edited[j] = value
    if len(hits):  # the edited lines replace the originals (one Arrow take)
        index = np.arange(n, dtype=np.int64)
        index[hits] = n + np.arange(len(hits))
        lines = pa.concat_arrays([lines, pa.array(edited, type=lines.type)]).take(pa.array(index))
        del index
    del edited

    # per-line counts with Arrow kernels (text is normalised: single spaces, stripped)
    length = pc.utf8_length(lines).to_numpy().astype(np.int64)
    nonempty = length > 0
    n_words = np.where(nonempty, pc.count_substring(lines, " ").to_numpy() + 1, 0)
    last = pc.utf8_slice_codeunits(lines, start=-1)
    terminal = pc.is_in(last, value_set=pa.array(sorted(_TERMINAL), type=last.type))
    terminal = terminal.to_numpy(zero_copy_only=False)
    ends_dot = pc.equal(last, ".").to_numpy(zero_copy_only=False)
    del last

    # whole-line rules: one combined RE2 pass over lines short enough to be chrome, then the
    # first matching rule (Python regex) for the few hits; reasons are codes into _REASONS
    reason = np.full(n, -1, dtype=np.int8)
    cand = np.flatnonzero(nonempty & (length <= 500))
    ruled_rows = cand[_match(lines.take(pa.array(cand)), _ANY_RULE)]
    for r, value in zip(ruled_rows.tolist(), lines.take(pa.array(ruled_rows)).to_pylist(), strict=True):
        reason[r] = next((k for k, (_, rx) in enumerate(_RULES_RE) if rx.search(value)), -1)
    ruled = reason >= 0

    # hard-wrapped texts (see module docstring)
    n_lines = np.bincount(doc, weights=nonempty, minlength=n_docs)
    n_short = np.bincount(doc, weights=nonempty & (length <= 100), minlength=n_docs)
    longest = np.zeros(n_docs, dtype=np.int64)
    np.maximum.at(longest, doc, length)
    wrapped_doc = (n_lines >= 5) & (n_short >= 0.8 * n_lines) & (longest <= 120)

    # header: lines before the first body-like line (only if the article has one)
    body_like = nonempty & ~ruled & (((n_words >= 8) & terminal) | (n_words > 30))
    cut = np.array(cut_rows, dtype=np.int64)
    body_like[cut] = nonempty[cut]
    seen_body = _group_cumsum(body_like, row_start) > 0
    has_body = (np.bincount(doc, weights=body_like, minlength=n_docs) > 0)[doc]
    header = has_body & ~seen_body & nonempty & ~ruled
    # in a hard-wrapped text a title stands alone: the next line is blank
    next_nonempty = np.r_[nonempty[1:], False] & np.r_[doc[1:] == doc[:-1], False]
    title_like = header & (n_words >= 3) & (n_words <= 30) & ~ends_dot
    title_like &= ~(wrapped_doc[doc] & next_nonempty)
    first_title = title_like & (_group_cumsum(title_like, row_start) == 1)
    reason[first_title] = _REASONS.index("headline")
    reason[header & ~first_title & (n_words <= 3)] = _REASONS.index("section label")
    drop = reason >= 0
    rows = np.flatnonzero(drop)

    # paragraphs: every kept line, except in hard-wrapped texts (see module docstring), where
    # the kept lines of one blank-line block are joined by spaces
    keep = nonempty & ~drop
    kept_doc = doc[keep]
    new_para = np.ones(len(kept_doc), dtype=bool)
    if wrapped_doc.any():
        block = _group_cumsum(~nonempty, row_start)[keep]
        same = (kept_doc[1:] == kept_doc[:-1]) & (block[1:] == block[:-1]) & wrapped_doc[kept_doc[1:]]
        new_para[1:] = ~same
    para_start = np.flatnonzero(new_para)
    kept = lines.filter(pa.array(keep))
    paras = pc.binary_join(
        pa.LargeListArray.from_arrays(pa.array(np.r_[para_start, len(kept_doc)], pa.int64()), kept),
        pa.scalar(" ", type=pa.large_string()),
    )
    del kept
    para_doc = kept_doc[para_start]
    offsets = np.concatenate([[0], np.cumsum(np.bincount(para_doc, minlength=n_docs))])
    by_doc = pa.LargeListArray.from_arrays(pa.array(offsets, pa.int64()), paras)
    joined = pc.binary_join(by_doc, pa.scalar("\n\n", type=pa.large_string()))
    del paras, by_doc

    all_rows = np.concatenate([np.array(m_rows, dtype=np.int64), rows])
    if not len(all_rows):
        return joined, None
    order = np.argsort(all_rows, kind="stable")
    all_rows = all_rows[order]
    line = pa.concat_arrays([pa.array(m_lines, type=lines.type), lines.take(pa.array(rows))])
    names = np.array(list(_REASONS), dtype=object)
    why = np.concatenate([np.array(m_reasons, dtype=object), names[reason[rows]]])
    return joined, (labels[doc[all_rows]], line.take(pa.array(order)), why[order], line_no[all_rows])


_DATE_IN_TEXT = re.compile(r"(\d{4})[./-](\d{1,2})[./-](\d{1,2})")


#: Earliest and latest date a ``datetime64[ns]`` column can hold (pandas' Timestamp range).
DATE_RANGE = (pd.Timestamp.min.ceil("D"), pd.Timestamp.max.floor("D"))


def ns_dates(dates: pd.Series) -> pd.Series:
    """Dates as ``datetime64[ns]``, NaT where a date lies outside :data:`DATE_RANGE`.

    pandas parses ``9999-12-31`` or ``0001-01-01`` at a coarser unit; converting such a date to
    nanoseconds raises ``OutOfBoundsDatetime``. Here it becomes missing instead (the callers warn).

    Parameters
    ----------
    dates : pandas.Series of datetime64 (any unit)

    Returns
    -------
    pandas.Series of datetime64[ns]
    """
    lo, hi = DATE_RANGE
    inside = dates.isna() | ((dates >= lo) & (dates <= hi))
    return dates.where(inside).astype("datetime64[ns]")


def _text_dates(values: pd.Series) -> pd.Series:
    """The date written in each line, at whatever unit pandas parses it (may lie outside DATE_RANGE)."""
    values = values.astype(object).fillna("").astype(str)
    ymd = values.str.extract(_DATE_IN_TEXT)
    iso = ymd[0] + "-" + ymd[1].str.zfill(2) + "-" + ymd[2].str.zfill(2)
    out = pd.to_datetime(iso, format="%Y-%m-%d", errors="coerce").astype("datetime64[s]")
    rest = out.isna() & values.str.len().gt(0)
    if rest.any():
        words = values[rest].str.extract(
            r"(" + _MONTH + r"\s+\d{1,2},?\s+\d{4}|\d{1,2}\s+" + _MONTH + r",?\s+\d{4})",
            flags=re.IGNORECASE,
        )[0]
        words = words.str.replace(".", "", regex=False).str.replace(",", "", regex=False)
        words = words.str.replace(r"\bSept\b", "Sep", regex=True)
        parsed = pd.Series(pd.NaT, index=words.index, dtype="datetime64[s]")
        for fmt in ("%b %d %Y", "%B %d %Y", "%d %b %Y", "%d %B %Y"):
            todo = parsed.isna() & words.notna()
            if not todo.any():
                break
            parsed[todo] = pd.to_datetime(words[todo], format=fmt, errors="coerce").astype("datetime64[s]")
        out[rest] = parsed
    return out


def parse_text_date(values: pd.Series) -> pd.Series:
    """Parse the date out of removed date stamps and timestamp lines.

    Parameters
    ----------
    values : pandas.Series of str
        Lines such as ``"date 2025-10-28"``, ``"2025.10.29 23:38 GMT+8"`` or
        ``"Updated Oct. 29, 2025"``.

    Returns
    -------
    pandas.Series of datetime64
        The calendar date written in the line (local to the outlet, time of day dropped),
        NaT where none can be read or where it lies outside :data:`DATE_RANGE`.
    """
    return ns_dates(_text_dates(values))


def extract_metadata(removed: pd.DataFrame, ids: pd.Index | None = None) -> pd.DataFrame:
    """Metadata found in the text: headline, byline, dateline and date, from ``removed``.

    Parameters
    ----------
    removed : pandas.DataFrame
        The ``removed`` table of :func:`clean_texts`.
    ids : pandas.Index, optional
        Article ids to return rows for (all, in this order); default the ids in ``removed``.

    Returns
    -------
    pandas.DataFrame
        Indexed by article id, columns ``headline``, ``byline`` (without "By:"), ``dateline``
        (the first wire dateline, else the first timestamp line, as written), ``date``
        (datetime64, from the first date stamp or timestamp; NaT if none) and
        ``date_outside`` (the first stamp whose date lies outside :data:`DATE_RANGE` and was
        dropped, as written). Missing values are ``<NA>``.
    """
    ids = pd.Index(removed["article_id"].unique() if ids is None else ids, name="article_id")
    out = pd.DataFrame(index=ids)

    def first(reason: str | tuple[str, ...]) -> pd.Series:
        reasons = (reason,) if isinstance(reason, str) else reason
        sub = removed[removed["reason"].isin(reasons)]
        return sub.groupby("article_id", sort=False)["line"].first().reindex(ids)

    out["headline"] = first("headline").astype("string")
    byline = first("byline").astype("string")
    out["byline"] = byline.str.replace(r"(?i)^(?:by|reporter|writer|author|editor|written by)s?\s*:?\s*", "", regex=True)
    dl = first("dateline").fillna(first("timestamp"))
    out["dateline"] = dl.astype("string")
    dated = removed[removed["reason"].isin(["date stamp", "timestamp"])]
    written = _text_dates(dated["line"])
    dates = ns_dates(written)
    outside = dated.loc[written.notna() & dates.isna(), ["article_id", "line"]]
    dates = dates.groupby(dated["article_id"].to_numpy()).first() if len(dated) else dates
    out["date"] = pd.Series(dates).reindex(ids).astype("datetime64[ns]").to_numpy()
    out["date_outside"] = (outside.groupby("article_id", sort=False)["line"].first()
                           .reindex(ids).astype("string"))
    return out
