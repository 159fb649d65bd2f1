"""Bytes to text: encodings, stray bytes, NUL bytes, and web pages saved as text.

The readers (:mod:`analysis.readers`) give the bytes of every text file, and of every table or
manifest that is not UTF-8 or UTF-16, to :func:`decode`, and every decoded text file to
:func:`looks_like_html` / :func:`html_text`; they turn the notes returned here into warnings
naming the file. Pure functions: nothing here warns or reads a file.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

__all__ = ["decode", "html_text", "looks_like_html", "table_encoding"]


#: Encodings a detector may choose for text that is not UTF-8 and not in a Western script
#: (Western text is read as cp1252, else latin-1): Chinese, Japanese, Korean, Cyrillic, Greek,
#: Arabic, Hebrew, Thai. Python codec names as :mod:`charset_normalizer` gives them.
_NON_LATIN_ENCODINGS = frozenset({
    "gb18030", "gbk", "gb2312", "hz", "big5", "big5hkscs", "cp950", "euc_jp", "shift_jis",
    "cp932", "iso2022_jp", "euc_kr", "cp949", "johab", "cp1251", "koi8_r", "koi8_u",
    "iso8859_5", "mac_cyrillic", "cp866", "cp855", "cp1253", "iso8859_7", "cp1256",
    "iso8859_6", "cp1255", "iso8859_8", "cp874", "tis_620",
})
#: Detected encodings read as GB18030 (its superset) when the bytes decode as it: a suite on
#: China-US news meets GBK more often than Korean, which short texts are mistaken for.
_AS_GB18030 = frozenset({"gbk", "gb2312", "hz", "cp949", "euc_kr", "johab"})
#: Share of NUL bytes at odd (or even) positions from which BOM-less bytes are UTF-16.
_UTF16_NULS = 0.3


def _utf16_without_bom(data: bytes) -> str | None:
    """``"utf-16-le"``/``"utf-16-be"`` for UTF-16 text without a byte order mark, else None.

    Text in Latin scripts saved as UTF-16 has a NUL byte in every other position; one of
    the two positions is (almost) never NUL.
    """
    sample = data[:8192]
    half = len(sample) // 2
    if half < 2:
        return None
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    if odd >= _UTF16_NULS * half and even <= 0.02 * half:
        return "utf-16-le"
    if even >= _UTF16_NULS * half and odd <= 0.02 * half:
        return "utf-16-be"
    return None


def _line_numbers(text: str, positions: list[int], limit: int = 5) -> str:
    """``"line 3"`` / ``"lines 3, 8"`` (at most ``limit``, then "...") of character positions."""
    lines = sorted({text.count("\n", 0, p) + 1 for p in positions})
    shown = ", ".join(map(str, lines[:limit])) + (", ..." if len(lines) > limit else "")
    return f"line{'s' if len(lines) > 1 else ''} {shown}"


def _cp1252_byte(byte: int) -> str:
    """The character of one byte in cp1252 (latin-1 for its five undefined bytes)."""
    try:
        return bytes([byte]).decode("cp1252")
    except UnicodeDecodeError:
        return chr(byte)


def _repair_utf8(data: bytes, name: str, notes: list[str]) -> str | None:
    """Decode UTF-8 with a few stray bytes of another encoding, each read as cp1252.

    Returns None when the bytes are not mostly UTF-8 (fewer valid multi-byte characters than
    undecodable bytes): then the whole file is in a legacy encoding.
    """
    text = data.decode("utf-8", errors="surrogateescape")
    bad = [i for i, ch in enumerate(text) if "\udc80" <= ch <= "\udcff"]
    good = sum(1 for ch in text if ord(ch) > 127) - len(bad)
    if not bad or good < len(bad):
        return None
    where = _line_numbers(text, bad)
    repaired = "".join(_cp1252_byte(ord(ch) - 0xDC00) if "\udc80" <= ch <= "\udcff" else ch
                       for ch in text)
    notes.append(
        f"{name}: UTF-8 with {len(bad)} byte(s) that are not UTF-8 ({where}); each was read as "
        "cp1252 (e.g. an accent or curly quote pasted from another file). Check those lines and "
        "re-save the file as UTF-8 to silence this warning."
    )
    return repaired


def _legacy(data: bytes, name: str, notes: list[str]) -> tuple[str, str]:
    """Decode bytes that are not UTF-8: a detected non-Western encoding, else cp1252/latin-1."""
    non_ascii = sum(1 for b in data if b > 127)
    visible = max(len(data) - data.count(b" ") - data.count(b"\n"), 1)
    enc = None
    if non_ascii >= 0.1 * visible:  # a few accents in Latin text are cp1252, not a detector's guess
        from charset_normalizer import from_bytes

        best = from_bytes(data).best()
        found = best.encoding if best is not None else None
        if found in _AS_GB18030:
            try:
                data.decode("gb18030")
                found = "gb18030"
            except UnicodeDecodeError:
                pass
        if found in _NON_LATIN_ENCODINGS:
            enc = found
    for candidate in (enc,) if enc else ("cp1252", "latin-1"):
        try:
            text = data.decode(candidate)
        except UnicodeDecodeError:
            continue
        notes.append(
            f"{name}: not valid UTF-8; decoded as {candidate}. Check its "
            f"{'characters' if enc else 'accented characters'} and re-save it as UTF-8 to "
            "silence this warning."
        )
        return text, candidate
    return data.decode("latin-1"), "latin-1"  # pragma: no cover - a detected codec always decodes


def decode(data: bytes, name: str) -> tuple[str | None, str, list[str]]:
    """Decode the bytes of a text file or table.

    Parameters
    ----------
    data : bytes
        The file's content.
    name : str
        How the messages name the file.

    Returns
    -------
    text : str or None
        The text; None if the bytes are not text (empty, binary).
    encoding : str
        The encoding used (``utf-8``, ``utf-8-sig``, ``utf-16``, ``utf-16-le``, ``utf-16-be``,
        ``utf-8 (repaired)``, a detected legacy codec, ``cp1252``, ``latin-1``), or why there
        is no text.
    notes : list of str
        One ``"name: what was done; what to do"`` message per repair or fallback, for the
        caller to warn with.

    Notes
    -----

    In order: a UTF-16 byte order mark; UTF-16 without one (NUL in every other byte); NUL
    bytes in otherwise text (removed, with a warning naming the lines); UTF-8 (with or without
    BOM); UTF-8 with a few stray bytes (each read as cp1252, with a warning naming the lines);
    a legacy encoding: a detected non-Western one (GB18030, Big5, Shift-JIS, cp1251, KOI8-R,
    ...) when at least a tenth of the bytes are not ASCII, else cp1252, else latin-1 (with a
    warning naming the encoding).
    """
    notes: list[str] = []
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16", notes
        except UnicodeDecodeError:
            return None, "binary file (UTF-16 BOM but not decodable as UTF-16)", notes
    utf16 = _utf16_without_bom(data)
    if utf16 is not None:
        try:
            return data[: len(data) // 2 * 2].decode(utf16), utf16, notes
        except UnicodeDecodeError:
            pass
    if not data.strip():
        return None, "empty file", notes
    sample = data[:8192]
    nul = data.count(0)
    control = sum(b < 32 and b not in (0, 9, 10, 12, 13) for b in sample)
    if nul > 0.01 * len(data) or control > 0.05 * len(sample):
        return None, "binary file (not text): convert it to a UTF-8 .txt file or remove it", notes
    if nul:
        where = _line_numbers(data.decode("latin-1"), [m.start() for m in re.finditer(b"\x00", data)])
        notes.append(f"{name}: {nul} NUL byte(s) removed ({where}); they are not text. Check how "
                   "the file was exported.")
        data = data.replace(b"\x00", b"")
    try:
        text = data.decode("utf-8")
        if text.startswith("\ufeff"):
            return text[1:], "utf-8-sig", notes
        return text, "utf-8", notes
    except UnicodeDecodeError:
        pass
    repaired = _repair_utf8(data, name, notes)
    if repaired is not None:
        return repaired, "utf-8 (repaired)", notes
    text, encoding = _legacy(data, name, notes)
    return text, encoding, notes


#: The start of a saved web page (after blanks and comments): a doctype or an ``<html>`` tag.
_HTML_START = re.compile(r"\A(?:\s|<!--.*?-->)*<(?:!doctype\s+html|html[\s>])", re.I | re.S)
#: Or a page without them: a ``<head>`` or ``<body>`` tag and a closing paragraph or block tag.
_HTML_BODY = re.compile(r"<(?:head|body)[\s>]", re.I)
_HTML_BLOCK_END = re.compile(r"</(?:p|div|body)>", re.I)


def looks_like_html(text: str) -> bool:
    """Whether a text is a web page (HTML source) rather than plain article text.

    Parameters
    ----------
    text : str
        Decoded file content.

    Returns
    -------
    bool
        True if it starts with ``<!DOCTYPE html>`` or ``<html>`` (after blanks and comments),
        or has a ``<head>``/``<body>`` tag and a closing ``</p>``, ``</div>`` or ``</body>``.

    Examples
    --------
    >>> looks_like_html("<!DOCTYPE html><html><body><p>Hi.</p></body></html>")
    True
    >>> looks_like_html("Prices rose 3% <in> some cases.")
    False
    """
    head = text[:4096]
    return bool(_HTML_START.match(head) or (_HTML_BODY.search(head) and _HTML_BLOCK_END.search(text)))


class _PageText(HTMLParser):
    """The visible text of a page: blocks become paragraphs; script, style, navigation,
    header, footer, aside, form and similar chrome are dropped."""

    DROP = frozenset({"script", "style", "noscript", "template", "head", "nav", "header",
                      "footer", "aside", "form", "button", "select", "svg", "iframe"})
    BLOCK = frozenset({"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr",
                       "blockquote", "article", "section", "main", "figcaption", "pre", "hr",
                       "ul", "ol", "table", "title", "body"})

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.dropping = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.DROP:
            self.dropping += 1
        elif tag in self.BLOCK:
            self.parts.append("\n\n")

    def handle_endtag(self, tag):
        if tag in self.DROP:
            self.dropping = max(self.dropping - 1, 0)
        elif tag in self.BLOCK:
            self.parts.append("\n\n")

    def handle_data(self, data):
        if not self.dropping:
            self.parts.append(data)


def html_text(page: str) -> str:
    """The article text of a web page: tags removed, blocks as paragraphs, chrome dropped.

    Parameters
    ----------
    page : str
        HTML source.

    Returns
    -------
    str
        Paragraphs (whitespace inside each collapsed) separated by blank lines.

    Examples
    --------
    >>> html_text("<html><head><title>T</title><script>x()</script></head>"
    ...           "<body><nav>Home</nav><p>First &amp; one.</p><p>Second.</p></body></html>")
    'First & one.\\n\\nSecond.'
    """
    parser = _PageText()
    parser.feed(page)
    parser.close()
    blocks = "".join(parser.parts).split("\n\n")
    return "\n\n".join(b for b in (" ".join(x.split()) for x in blocks) if b)


def table_encoding(head: bytes) -> str:
    """The encoding of a table from its first bytes: ``"utf-16"`` (byte order mark),
    ``"utf-16-le"`` / ``"utf-16-be"`` (UTF-16 without one), else ``"utf-8-sig"``.

    Examples
    --------
    >>> table_encoding("id,text".encode("utf-16-le"))
    'utf-16-le'
    >>> table_encoding(b"id,text")
    'utf-8-sig'
    """
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return "utf-16"
    return _utf16_without_bom(head) or "utf-8-sig"
