"""Where notebooks write their outputs, and how, so reruns are byte-stable.

Also the one way corpus values (outlets, headlines, ids, speakers, terms) enter Markdown:
:func:`md_escape` for running text and :func:`md_code` for a code span, and the one rule by
which a notebook reuses a table an earlier notebook exported (:func:`corpus_fingerprint`,
:func:`read_current`): only when it was written for the same corpus, never a stale file of
another run.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
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
    cache : pathlib.Path
        ``root / ".cache"``: the corpus as notebook 01 loaded it, read by the later notebooks
        (``load_corpus(..., cache=paths.cache)``); not an output, never committed, safe to delete.
    """

    root: Path
    figures: Path
    processed: Path
    cache: Path


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
    paths = OutputPaths(root, root / "figures", root / "data" / "processed", root / ".cache")
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


def _formula_like(df: pd.DataFrame) -> bool:
    """Whether :func:`spreadsheet_safe` would change a cell or a column name of ``df``."""

    def any_formula(values) -> bool:
        return any(isinstance(v, str) and v.startswith(FORMULA_STARTS) for v in values)

    if any_formula(df.columns):
        return True
    for col in range(df.shape[1]):
        values = df.iloc[:, col]
        if pd.api.types.is_numeric_dtype(values) or pd.api.types.is_datetime64_any_dtype(values):
            continue
        if isinstance(values.dtype, pd.StringDtype):  # every cell a str (or missing)
            if values.str.startswith(FORMULA_STARTS).any(skipna=True):
                return True
            continue
        try:
            distinct = pd.unique(values.dropna())
        except TypeError:  # unhashable cells
            distinct = values.dropna()
        if any_formula(distinct):
            return True
    return False


def write_table(
    df: pd.DataFrame,
    path: str | Path,
    *,
    float_decimals: int = 6,
    spreadsheet: bool | None = None,
    corpus=None,
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
    corpus : analysis.corpus.Corpus, optional
        The corpus the table was computed from: its :func:`corpus_fingerprint` is recorded
        in :data:`PROVENANCE` next to the table, so that a later notebook can reuse the
        table with :func:`read_current` (and never reuses it for another corpus).

    Returns
    -------
    pathlib.Path
        ``path``.

    Notes
    -----
    The file holds exactly the bytes of ``df.to_csv(path, index=False,
    float_format="%.{float_decimals}f", lineterminator="\\n", date_format="%Y-%m-%d")``.
    For float, integer, boolean, text, categorical-text and date columns they are built
    column by column in Arrow's compute kernels (pandas formats every cell through a Python
    object, the slow part of writing a large table); for other dtypes (numbers or dates in an object column,
    time-zone-aware dates, periods, ...) pandas writes the table.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    _write_csv(df, path, float_decimals)
    if spreadsheet is None:
        spreadsheet = path.resolve().parent != COMMITTED_TABLES
    if spreadsheet:
        copy = path.with_name(f"{path.stem}{SPREADSHEET_SUFFIX}{path.suffix}")
        if _formula_like(df):
            _write_csv(spreadsheet_safe(df), copy, float_decimals)
        else:  # spreadsheet_safe would change no cell: the same file
            shutil.copyfile(path, copy)
    if corpus is not None:
        _record_provenance(path, corpus_fingerprint(corpus))
    return path


#: File next to the exported tables recording, per table, the corpus it was computed from.
PROVENANCE = "provenance.json"


def corpus_fingerprint(corpus) -> str:
    """A hash identifying a corpus by its article ids and clean texts.

    Two loads of the same files give the same fingerprint; a corpus differing in any
    article (added, removed, renamed or edited) gives another. Costs one pass over the
    texts (about a second per 10^5 articles).

    Parameters
    ----------
    corpus : analysis.corpus.Corpus
        Needs ``articles`` with ``article_id`` and ``text``.

    Returns
    -------
    str
        ``"sha256:<hex>"``.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> a = SimpleNamespace(articles=pd.DataFrame({"article_id": ["a1"], "text": ["Talks."]}))
    >>> b = SimpleNamespace(articles=pd.DataFrame({"article_id": ["a1"], "text": ["Talks!"]}))
    >>> corpus_fingerprint(a) == corpus_fingerprint(a), corpus_fingerprint(a) == corpus_fingerprint(b)
    (True, False)
    """
    digest = hashlib.sha256()
    articles = corpus.articles
    digest.update(str(len(articles)).encode())
    for column in ("article_id", "text"):
        values = articles[column].fillna("").astype(str)
        # lengths first, so that the boundaries between values are part of the hash
        digest.update(values.str.len().to_numpy(dtype="int64").tobytes())
        for start in range(0, len(values), 10_000):  # in blocks: memory stays small
            block = "".join(values.iloc[start:start + 10_000].tolist())
            digest.update(block.encode("utf-8", errors="surrogatepass"))
    return "sha256:" + digest.hexdigest()


def _provenance(folder: Path) -> dict:
    try:
        record = json.loads((folder / PROVENANCE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return record if isinstance(record, dict) else {}


def _record_provenance(path: Path, fingerprint: str) -> None:
    record = _provenance(path.parent)
    record[path.name] = {"corpus": fingerprint}
    text = json.dumps(dict(sorted(record.items())), indent=1) + "\n"
    (path.parent / PROVENANCE).write_text(text, encoding="utf-8")


def read_current(path: str | Path, corpus, **read_csv) -> pd.DataFrame | None:
    """A table exported by an earlier notebook, only if it was computed from ``corpus``.

    The table is reused when :data:`PROVENANCE` next to it records the fingerprint of this
    corpus (written by :func:`write_table` with ``corpus=``). A missing table, a table
    without a record (written by older code or by hand) and a table of another corpus (a
    stale file of an earlier run in the same folder) all give None: the caller computes it.

    Parameters
    ----------
    path : str or pathlib.Path
        The exported ``.csv``.
    corpus : analysis.corpus.Corpus
        The corpus of the running notebook.
    **read_csv
        Passed to :func:`pandas.read_csv` (e.g. ``dtype={"article_id": str}``).

    Returns
    -------
    pandas.DataFrame or None
    """
    path = Path(path)
    if not path.is_file():
        return None
    entry = _provenance(path.parent).get(path.name)
    if not isinstance(entry, dict) or entry.get("corpus") != corpus_fingerprint(corpus):
        return None
    return pd.read_csv(path, **read_csv)


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


# ---- the fast CSV writer: the bytes of ``DataFrame.to_csv(**_CSV_OPTIONS)``, built in Arrow
#: The options of every table's CSV besides ``float_format`` (``"%.{decimals}f"``): the
#: fast path below reproduces the bytes ``DataFrame.to_csv`` writes with them.
_CSV_OPTIONS = {"index": False, "lineterminator": "\n", "date_format": "%Y-%m-%d"}


def _csv_quote_chars() -> re.Pattern:
    """The characters that make this Python's csv writer quote a field (QUOTE_MINIMAL,
    delimiter ",", lineterminator "\\n", no escapechar): probed, not assumed, because they
    differ between versions (``,``, ``"`` and ``\\n`` everywhere; ``\\r`` from Python 3.13 on)."""
    import csv
    import io

    escapes = {",": ",", '"': '"', "\n": r"\n", "\r": r"\r", "\t": r"\t", " ": " "}
    quoted = []
    for char, escape in escapes.items():
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\n").writerow([f"a{char}b", "x"])
        if buf.getvalue().startswith('"'):
            quoted.append(escape)
    return re.compile("[" + "".join(quoted) + "]")


#: Characters that make Python's csv writer quote a field (see :func:`_csv_quote_chars`).
_CSV_QUOTE_CHARS = _csv_quote_chars()
#: |x * 10**d| at or above which a float is formatted by Python (ulp no longer << 0.5).
_FLOAT_FAST_LIMIT = 1e15


def _quote_text(arr):
    """Text cells (Arrow strings, nulls allowed) as csv's QUOTE_MINIMAL writes them."""
    import pyarrow as pa
    import pyarrow.compute as pc

    arr = arr.cast(pa.large_string())
    needs = pc.match_substring_regex(arr, _CSV_QUOTE_CHARS.pattern)
    quote, empty = pa.scalar('"', pa.large_string()), pa.scalar("", pa.large_string())
    quoted = pc.binary_join_element_wise(quote, pc.replace_substring(arr, '"', '""'), quote, empty)
    return pc.if_else(needs, quoted, arr)


def _format_floats(values, decimals: int):
    """``"%.{decimals}f" % x`` of every float, NaN as null, as an Arrow string array.

    Vectorised as round-half-even of ``x * 10**decimals`` (one rounding, error at most half
    an ulp); the few values where that error could change the result (within a few ulps of
    a tie ``.5``), very large magnitudes and infinities are formatted by Python itself.
    """
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    x = np.asarray(values, dtype="float64")  # float32 -> float64 is exact
    nan = np.isnan(x)
    scale = 10.0 ** decimals  # exact for decimals <= 22
    with np.errstate(invalid="ignore", over="ignore"):
        y = np.abs(x) * scale
        frac = y - np.floor(y)
        slow = ~np.isfinite(y) | (y >= _FLOAT_FAST_LIMIT) | (np.abs(frac - 0.5) <= 8 * np.spacing(y))
    slow &= ~nan
    n = np.where(slow | nan, 0.0, np.rint(y)).astype(np.int64)
    unit = 10 ** decimals
    whole = pa.array(n // unit).cast(pa.string())
    sign = pa.array(np.where(np.signbit(x), "-", ""))
    if decimals:
        digits = pc.utf8_lpad(pa.array(n % unit).cast(pa.string()), width=decimals, padding="0")
        text = pc.binary_join_element_wise(sign, whole, ".", digits, "")
    else:
        text = pc.binary_join_element_wise(sign, whole, "")
    if slow.any():
        fmt = f"%.{decimals}f"
        text = pc.replace_with_mask(text, pa.array(slow), pa.array([fmt % v for v in x[slow]], pa.string()))
    if nan.any():
        text = pc.if_else(pa.array(nan), pa.scalar(None, pa.string()), text)
    return text


def _csv_column(series: pd.Series, decimals: int):
    """One column's cells as :func:`write_table` writes them (Arrow strings), or None when
    the fast path does not reproduce pandas' formatting of this dtype exactly."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    dtype = series.dtype
    if isinstance(dtype, np.dtype):
        if dtype.kind == "f":
            return _format_floats(series.to_numpy(), decimals)
        if dtype.kind in "iu":
            return pa.array(series.to_numpy()).cast(pa.string())
        if dtype.kind == "b":
            return pa.array(np.where(series.to_numpy(), "True", "False"))
        if dtype.kind == "M":  # naive datetime64, date_format "%Y-%m-%d"
            return pc.strftime(pa.array(series.to_numpy()), format="%Y-%m-%d")
        if dtype.kind == "O":
            values = series.to_numpy()
            missing = pd.isna(values)
            present = values[~missing]
            if all(type(v) is str for v in present):
                return _quote_text(pa.array(np.where(missing, None, values), type=pa.string()))
            if all(type(v) is bool or type(v) is np.bool_ for v in present):  # booleans with gaps
                return pa.array(np.where(missing, None, np.where(missing, False, values).astype(bool).astype(str)),
                                type=pa.string())
            return None  # numbers, dates, mixtures in an object column: pandas formats them
        return None
    if isinstance(dtype, pd.Int64Dtype | pd.Int32Dtype | pd.Int16Dtype | pd.Int8Dtype):
        return pa.array(series.array.to_numpy(dtype="int64", na_value=0), mask=series.isna().to_numpy()
                        ).cast(pa.string())
    if isinstance(dtype, pd.BooleanDtype):
        mask = series.isna().to_numpy()
        return pa.array(np.where(series.array.to_numpy(dtype=bool, na_value=False), "True", "False"),
                        mask=mask)
    if isinstance(dtype, pd.StringDtype):  # Arrow-backed: no copy through Python objects
        return _quote_text(pa.array(series.array))
    if isinstance(dtype, pd.CategoricalDtype):
        categories = dtype.categories
        if len(categories) and (not (categories.dtype == object or isinstance(categories.dtype, pd.StringDtype))
                                or not all(type(v) is str for v in categories)):
            return None
        codes = series.cat.codes.to_numpy()
        words = _quote_text(pa.array(list(categories), type=pa.string()))
        return pc.take(words, pa.array(codes, mask=codes < 0))
    return None


def _csv_parts(df: pd.DataFrame, decimals: int):
    """``df`` as CSV text built column by column in Arrow: the header line (bytes) and the data
    lines (a memoryview of UTF-8 bytes), or None when a column name or a column's dtype is one
    the fast path does not reproduce (the caller then lets pandas write the table)."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    names = list(df.columns)
    if (not len(df) or not names or isinstance(df.columns, pd.MultiIndex)
            or not all(type(c) is str for c in names)):
        return None
    from ._kernels import block_map

    def cells(i: int):
        column = _csv_column(df.iloc[:, i], decimals)
        if column is None:
            return None
        if isinstance(column, pa.ChunkedArray):  # e.g. an Arrow-backed column of several chunks
            column = column.combine_chunks()
        return pc.fill_null(column.cast(pa.large_string()), "")  # 64-bit offsets: no 2 GiB limit

    # the columns are formatted two at a time on two threads (Arrow kernels release the GIL);
    # all of them are held until they are joined either way
    columns = block_map(cells, list(range(df.shape[1])))
    if any(column is None for column in columns):
        return None
    header = [f'"{c.replace(chr(34), 2 * chr(34))}"' if _CSV_QUOTE_CHARS.search(c) else c for c in names]
    if len(columns) == 1:  # csv writes a row of one empty field as ""
        columns = [pc.if_else(pc.equal(columns[0], ""), '""', columns[0])]
        header = ['""' if h == "" else h for h in header]
    def text(value: str):
        return pa.scalar(value, pa.large_string())

    columns[-1] = pc.binary_join_element_wise(columns[-1], text("\n"), text(""))  # the line end
    lines = pc.binary_join_element_wise(*columns, text(",")) if len(columns) > 1 else columns[0]
    # the lines back to back are the bytes of the value buffer between the first and last offset
    bounds = np.frombuffer(lines.buffers()[1], dtype=np.int64)[lines.offset:lines.offset + len(lines) + 1]
    body = memoryview(lines.buffers()[2])[bounds[0]:bounds[-1]]
    return (",".join(header) + "\n").encode("utf-8"), body


def _csv_bytes(df: pd.DataFrame, decimals: int) -> bytes | None:
    """The bytes ``df.to_csv(float_format="%.{decimals}f", **_CSV_OPTIONS)`` writes (UTF-8), by
    the fast path; None where it does not apply."""
    parts = _csv_parts(df, decimals)
    return None if parts is None else parts[0] + bytes(parts[1])


def _write_csv(df: pd.DataFrame, path: Path, decimals: int) -> None:
    """Write ``df`` as :func:`write_table` does: the fast Arrow path when it applies, else pandas."""
    try:
        parts = _csv_parts(df, decimals)
    except Exception:  # noqa: BLE001 -- any failure of the fast path: pandas writes (and raises) as before
        parts = None
    if parts is None:
        df.to_csv(path, float_format=f"%.{decimals}f", **_CSV_OPTIONS)
        return
    with open(path, "wb") as handle:
        handle.write(parts[0])
        handle.write(parts[1])
