"""Where notebooks write their outputs, and how, so reruns are byte-stable.

Also the one way corpus values (outlets, headlines, ids, speakers, terms) enter Markdown:
:func:`md_escape` for running text and :func:`md_code` for a code span.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd


@dataclass(frozen=True)
class OutputPaths:
    """Folders a notebook writes to, under one ``output_dir``.

    Attributes
    ----------
    root : pathlib.Path
        The ``output_dir`` parameter of the notebooks.
    figures : pathlib.Path
        ``root / "figures"``.
    processed : pathlib.Path
        ``root / "data" / "processed"``.
    """

    root: Path
    figures: Path
    processed: Path


def output_paths(output_dir: str | Path) -> OutputPaths:
    """Create (if needed) and return the output folders under ``output_dir``.

    Parameters
    ----------
    output_dir : str or pathlib.Path
        The notebooks' ``output_dir`` parameter: ``".."`` (the project root,
        seen from ``notebooks/``) for the bundled corpus, or the ``OUT`` of a
        run on another corpus.

    Returns
    -------
    OutputPaths
    """
    root = Path(output_dir)
    paths = OutputPaths(root, root / "figures", root / "data" / "processed")
    paths.figures.mkdir(parents=True, exist_ok=True)
    paths.processed.mkdir(parents=True, exist_ok=True)
    return paths


def write_table(df: pd.DataFrame, path: str | Path, *, float_decimals: int = 6) -> Path:
    """Write a table as CSV deterministically (fixed float format, ``\\n`` line ends, no index).

    Parameters
    ----------
    df : pandas.DataFrame
        The table. Its row order is kept: sort it before writing.
    path : str or pathlib.Path
        Destination ``.csv`` file.
    float_decimals : int, default 6
        Decimals written for float columns.

    Returns
    -------
    pathlib.Path
        ``path``.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    df.to_csv(path, index=False, float_format=f"%.{float_decimals}f", lineterminator="\n", date_format="%Y-%m-%d")
    return path


#: Markdown punctuation that can start markup anywhere in a line (``_`` is handled apart).
_MD_PUNCT = re.compile(r"([\\`*\[\]~$])")
#: ``_`` that can open or close emphasis: not between two letters or digits (CommonMark).
_MD_UNDERSCORE = re.compile(r"(?<![0-9A-Za-z])_|_(?![0-9A-Za-z])")
_HTML_CHARS = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}


def md_escape(value: object) -> str:
    r"""A corpus value as literal Markdown text: no markup, no HTML, no math, one line.

    ``&``, ``<`` and ``>`` become HTML character references, so no tag, comment or
    autolink can start; backslash, backtick, ``*``, ``[``, ``]``, ``~`` and ``$`` are
    backslash-escaped (no code span, emphasis, link or math can start), as is ``_``
    where it could open or close emphasis (``united_nations`` and ``001_3159`` stay as
    they are); line breaks become spaces. Plain names, words and ids come back
    unchanged.

    Parameters
    ----------
    value : object
        Any value; ``str(value)`` is escaped.

    Returns
    -------
    str

    Examples
    --------
    >>> md_escape("China Daily")
    'China Daily'
    >>> md_escape('<svg onload="alert(1)">')
    '&lt;svg onload="alert(1)"&gt;'
    >>> md_escape("`US$` *win_win* _x")
    '\\`US\\$\\` \\*win_win\\* \\_x'
    """
    text = " ".join(str(value).splitlines())
    text = re.sub(r"[&<>]", lambda m: _HTML_CHARS[m.group()], text)
    text = _MD_PUNCT.sub(r"\\\1", text)
    return _MD_UNDERSCORE.sub(r"\\_", text)


def md_code(value: object) -> str:
    """A corpus value as a Markdown code span that no backtick in it can close early.

    The fence is one backtick longer than the longest run of backticks in the value,
    and a space pads a value that starts or ends with a backtick (CommonMark strips
    it). Inside a code span Markdown shows HTML as text; line breaks become spaces.

    Parameters
    ----------
    value : object
        Any value; ``str(value)`` is quoted.

    Returns
    -------
    str

    Examples
    --------
    >>> md_code("China Daily")
    '`China Daily`'
    >>> md_code("`<img src=x onerror=alert(1)>`")
    '`` `<img src=x onerror=alert(1)>` ``'
    """
    text = " ".join(str(value).splitlines())
    fence = "`" * (max((len(r) for r in re.findall(r"`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"
