"""Cleaning: remove site chrome and boilerplate from raw article texts, vectorized.

The unit of cleaning is the *line*. Every text is normalised (BOM, CRLF, non-breaking and
zero-width spaces), split into lines with one ``Series.str.split`` / ``explode``, and each line is
classified by a fixed set of regular expressions applied column-wise over all lines of all
articles at once. Nothing is dropped silently: every removed line (or removed prefix, or removed
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

__all__ = [
    "REMOVAL_REASONS",
    "clean_texts",
    "extract_metadata",
    "normalize_text",
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


_LINE_RE = re.compile(
    "|".join(f"(?P<r{i}>{_scoped(pat)})" for i, (_, pat) in enumerate(_LINE_RULES))
)

_DATE_STAMP_RE = r"^(?P<stamp>date:?\s+\d{4}-\d{2}-\d{2})\b\s*"
_DATELINE_RE = (
    r"^(?P<dateline>[A-Z]{2,}[A-Za-z0-9 ,.'/-]{0,60}?\s*"
    r"\((?:AP|Reuters|AFP|Xinhua|Bloomberg|UPI|dpa|CNN|Kyodo|Yonhap|AFX|CNS|ANI|"
    r"[A-Z][A-Za-z]{1,15} News)\))\s*(?:—|–|--|-|:)\s+"
)
_EMPHASIS_RE = r"\*\*(?=\S)(?P<w1>.+?)(?<=\S)\*\*|__(?=\S)(?P<w2>.+?)(?<=\S)__"
_HEADING_MARK_RE = r"^#{1,6}\s+"

#: Every reason the cleaner can give, in rule order.
REMOVAL_REASONS = tuple(
    [r for r, _ in _LINE_RULES]
    + ["headline", "section label", "date stamp", "dateline", "markdown emphasis",
       "markdown heading"]
)

_WS_RE = r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000\f\v]+"
_ZERO_WIDTH_RE = r"[\u200b\u200c\u200d\u2060\ufeff]"


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
    s = texts.astype(object).fillna("").astype(str)
    s = s.str.replace("\r\n", "\n", regex=False).str.replace("\r", "\n", regex=False)
    s = s.str.replace(_ZERO_WIDTH_RE, "", regex=True)
    return s.str.replace(_WS_RE, " ", regex=True)


def _ends_terminal(s: pd.Series) -> pd.Series:
    return s.str.contains(r"[.!?…\"”’')\]]$", regex=True)


def _split_lines(texts: pd.Series) -> pd.DataFrame:
    """One row per line: ``doc`` (position), ``line_no``, ``line`` (stripped)."""
    parts = texts.str.split("\n")
    lens = parts.str.len().to_numpy()
    doc = np.repeat(np.arange(len(texts)), lens)
    flat = parts.explode()
    lines = pd.DataFrame({"doc": doc, "line": flat.to_numpy(dtype=object)})
    lines["line_no"] = lines.groupby("doc").cumcount()
    lines["line"] = lines["line"].astype(str).str.strip()
    return lines


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
    lines = _split_lines(normalize_text(texts).reset_index(drop=True))
    removed: list[pd.DataFrame] = []

    def _record(mask: pd.Series, reason: str | pd.Series, text: pd.Series | None = None) -> None:
        if not mask.any():
            return
        sub = lines.loc[mask]
        removed.append(
            pd.DataFrame(
                {
                    "doc": sub["doc"].to_numpy(),
                    "line_no": sub["line_no"].to_numpy(),
                    "line": (sub["line"] if text is None else text[mask]).to_numpy(dtype=object),
                    "reason": reason[mask].to_numpy(dtype=object)
                    if isinstance(reason, pd.Series)
                    else reason,
                }
            )
        )

    # markdown marks: keep the words, record the marked-up spans
    line = lines["line"]
    heading_mark = line.str.match(_HEADING_MARK_RE)
    if heading_mark.any():
        _record(heading_mark, "markdown heading", line.str.extract(f"({_HEADING_MARK_RE})")[0])
        line = line.str.replace(_HEADING_MARK_RE, "", regex=True)
    has_emph = line.str.contains(r"\*\*|__", regex=True)
    if has_emph.any():
        spans = line[has_emph].str.extractall(f"(?P<span>{_EMPHASIS_RE})")
        if len(spans):
            pos = spans.index.get_level_values(0)
            removed.append(
                pd.DataFrame(
                    {
                        "doc": lines.loc[pos, "doc"].to_numpy(),
                        "line_no": lines.loc[pos, "line_no"].to_numpy(),
                        "line": spans["span"].to_numpy(dtype=object),
                        "reason": "markdown emphasis",
                    }
                )
            )
        line = line.str.replace(
            _EMPHASIS_RE, lambda m: m.group("w1") or m.group("w2"), regex=True
        )
    lines["line"] = line

    # leading stamps and datelines: cut off, keep the rest of the line
    for reason, pat, group in (
        ("date stamp", _DATE_STAMP_RE, "stamp"),
        ("dateline", _DATELINE_RE, "dateline"),
    ):
        hit = lines["line"].str.match(pat)
        if hit.any():
            _record(hit, reason, lines["line"].str.extract(pat)[group])
            lines.loc[hit, "line"] = lines.loc[hit, "line"].str.replace(pat, "", regex=True)

    line = lines["line"]
    n_words = line.str.count(r"\S+")
    nonempty = n_words > 0
    # whole-line rules, one combined regex, on lines short enough to be chrome
    candidate = nonempty & (line.str.len() <= 500)
    reason = pd.Series(pd.NA, index=lines.index, dtype=object)
    if candidate.any():
        groups = line[candidate].str.extract(_LINE_RE)
        first = groups.notna().to_numpy()
        has = first.any(axis=1)
        idx = np.argmax(first, axis=1)
        names = np.array([r for r, _ in _LINE_RULES], dtype=object)
        reason.loc[candidate[candidate].index[has]] = names[idx[has]]
    ruled = reason.notna()

    # header: lines before the first body-like line (only if the article has one)
    body_like = nonempty & ~ruled & (((n_words >= 8) & _ends_terminal(line)) | (n_words > 30))
    seen_body = body_like.groupby(lines["doc"]).cummax()
    has_body = body_like.groupby(lines["doc"]).transform("any")
    header = has_body & ~seen_body & nonempty & ~ruled
    title_like = header & (n_words >= 3) & (n_words <= 30) & ~line.str.endswith(".")
    first_title = title_like & (title_like.groupby(lines["doc"]).cumsum() == 1)
    reason[first_title] = "headline"
    reason[header & ~first_title & (n_words <= 3)] = "section label"
    drop = reason.notna()
    _record(drop, reason)

    keep = lines.loc[nonempty & ~drop, ["doc", "line_no", "line"]]
    # hard-wrapped texts: join single line breaks inside blank-line separated blocks
    length = lines["line"].str.len()
    stats = pd.DataFrame({"doc": lines["doc"], "short": (length <= 100) & nonempty,
                          "n": nonempty, "len": length.where(nonempty, 0)})
    agg = stats.groupby("doc").agg(short=("short", "sum"), n=("n", "sum"), mx=("len", "max"))
    wrapped_docs = agg.index[(agg["n"] >= 5) & (agg["short"] >= 0.8 * agg["n"]) & (agg["mx"] <= 120)]
    block = (~nonempty).groupby(lines["doc"]).cumsum()
    keep = keep.assign(block=block[keep.index])
    wrapped = keep["doc"].isin(wrapped_docs)
    if wrapped.any():
        joined = (
            keep[wrapped].groupby(["doc", "block"], sort=True)["line"].agg(" ".join).reset_index()
        )
        keep = pd.concat(
            [keep.loc[~wrapped, ["doc", "block", "line"]], joined], ignore_index=True
        ).sort_values(["doc", "block"], kind="stable")
    paras = keep["line"].str.replace(" {2,}", " ", regex=True)
    joined = paras.groupby(keep["doc"].to_numpy()).agg("\n\n".join)
    clean = pd.Series("", index=range(len(texts)), dtype=object)
    clean.loc[joined.index] = joined.to_numpy()
    clean.index = texts.index
    clean = clean.astype(str)

    cols = ["article_id", "line", "reason", "line_no"]
    if removed:
        rem = pd.concat(removed, ignore_index=True)
        rem = rem.sort_values(["doc", "line_no"], kind="stable").reset_index(drop=True)
        rem.insert(0, "article_id", labels[rem["doc"].to_numpy()])
        rem = rem[cols]
    else:
        rem = pd.DataFrame({c: pd.Series(dtype=object) for c in cols})
    rem["line_no"] = rem["line_no"].astype("int64")
    return clean, rem


_DATE_IN_TEXT = re.compile(r"(\d{4})[./-](\d{1,2})[./-](\d{1,2})")


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
        NaT where none can be read.
    """
    values = values.astype(object).fillna("").astype(str)
    ymd = values.str.extract(_DATE_IN_TEXT)
    iso = ymd[0] + "-" + ymd[1].str.zfill(2) + "-" + ymd[2].str.zfill(2)
    out = pd.to_datetime(iso, format="%Y-%m-%d", errors="coerce")
    rest = out.isna() & values.str.len().gt(0)
    if rest.any():
        words = values[rest].str.extract(
            r"(" + _MONTH + r"\s+\d{1,2},?\s+\d{4}|\d{1,2}\s+" + _MONTH + r",?\s+\d{4})",
            flags=re.IGNORECASE,
        )[0]
        words = words.str.replace(".", "", regex=False).str.replace(",", "", regex=False)
        words = words.str.replace(r"\bSept\b", "Sep", regex=True)
        parsed = pd.Series(pd.NaT, index=words.index, dtype="datetime64[ns]")
        for fmt in ("%b %d %Y", "%B %d %Y", "%d %b %Y", "%d %B %Y"):
            todo = parsed.isna() & words.notna()
            if not todo.any():
                break
            parsed[todo] = pd.to_datetime(words[todo], format=fmt, errors="coerce")
        out[rest] = parsed
    return out.astype("datetime64[ns]")


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
        (the first wire dateline, else the first timestamp line, as written) and ``date`` (datetime64, from the first date stamp or timestamp; NaT if none).
        Missing values are ``<NA>``.
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
    dates = parse_text_date(dated["line"])
    dates = dates.groupby(dated["article_id"].to_numpy()).first() if len(dated) else dates
    out["date"] = pd.Series(dates).reindex(ids).astype("datetime64[ns]").to_numpy()
    return out
