"""Where notebooks write their outputs, and how, so reruns are byte-stable.

Also the one way corpus values (outlets, headlines, ids, speakers, terms) enter Markdown:
:func:`md_escape` for running text and :func:`md_code` for a code span.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .config import ROOT


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


#: First characters that make a spreadsheet read a cell as a formula (OWASP "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
#: Suffix of the spreadsheet-safe copy written next to a table: ``x.csv`` -> ``x_spreadsheet.csv``.
SPREADSHEET_SUFFIX = "_spreadsheet"
#: The committed tables of the bundled corpus: no spreadsheet copy is written there by default.
COMMITTED_TABLES = (ROOT / "data" / "processed").resolve()


def spreadsheet_safe(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of a table whose text cells cannot run as spreadsheet formulas.

    A text cell (and a column name) starting with ``=``, ``+``, ``-``, ``@``, a tab or a
    carriage return gets a leading ``'``, which Excel, LibreOffice and Google Sheets read as
    "this is text". Numbers (``-0.25`` in a float column) are left as they are.

    Parameters
    ----------
    df : pandas.DataFrame

    Returns
    -------
    pandas.DataFrame
        A new table; ``df`` is not changed.

    Examples
    --------
    >>> t = pd.DataFrame({"outlet": ["=1+1", "@SUM(A1)", "AP"], "tone": [-0.5, 0.1, 0.2]})
    >>> spreadsheet_safe(t).to_dict("list")
    {'outlet': ["'=1+1", "'@SUM(A1)", 'AP'], 'tone': [-0.5, 0.1, 0.2]}
    """

    def safe(value: object) -> object:
        return "'" + value if isinstance(value, str) and value.startswith(FORMULA_STARTS) else value

    out = df.copy()
    for col in out.columns:
        if not (pd.api.types.is_numeric_dtype(out[col]) or pd.api.types.is_datetime64_any_dtype(out[col])):
            out[col] = out[col].map(safe, na_action="ignore")
    return out.rename(columns=lambda c: safe(c) if isinstance(c, str) else c)


def write_table(
    df: pd.DataFrame,
    path: str | Path,
    *,
    float_decimals: int = 6,
    spreadsheet: bool | None = None,
) -> Path:
    """Write a table as CSV deterministically (fixed float format, ``\\n`` line ends, no index).

    The CSV holds every value exactly as computed, for pandas, R and other code: a cell
    such as ``=cmd|...`` stays as it is. For opening in a spreadsheet, a copy made by
    :func:`spreadsheet_safe` can be written next to it as ``<name>_spreadsheet.csv``.

    Parameters
    ----------
    df : pandas.DataFrame
        The table. Its row order is kept: sort it before writing.
    path : str or pathlib.Path
        Destination ``.csv`` file.
    float_decimals : int, default 6
        Decimals written for float columns.
    spreadsheet : bool, optional
        Also write the spreadsheet-safe copy. Default (None): yes, unless ``path`` is in the
        project's committed ``data/processed`` (the bundled corpus' tables stay as committed);
        so a run on another corpus (``make run CORPUS=... OUT=...``) gets the copies under
        ``OUT/data/processed``.

    Returns
    -------
    pathlib.Path
        ``path``.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    options = {"index": False, "float_format": f"%.{float_decimals}f", "lineterminator": "\n",
               "date_format": "%Y-%m-%d"}
    df.to_csv(path, **options)
    if spreadsheet is None:
        spreadsheet = path.resolve().parent != COMMITTED_TABLES
    if spreadsheet:
        spreadsheet_safe(df).to_csv(path.with_name(f"{path.stem}{SPREADSHEET_SUFFIX}{path.suffix}"), **options)
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
