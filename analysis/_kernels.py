"""Shared Arrow/numpy kernels of the text stages (private: no public API of its own).

One home for the low-level pieces that clean, segment, quotes, corpus (near-duplicates),
tokens, tone and VADER all need: a text column as one Arrow ``large_string`` array, the
byte offsets and UTF-8 bytes of such an array, row blocks of about N bytes of text, a map over
those blocks on two threads (:func:`block_map`, as many as :func:`usable_cores` allows), and
the starts of runs of equal values in a sorted array. No stage imports another stage's private
helpers; they import these.

Examples
--------
>>> import pandas as pd
>>> arr = arrow_texts(pd.Series(["ab", None, "cde"]))
>>> arr.to_pylist()
['ab', '', 'cde']
>>> byte_offsets(arr).tolist()
[0, 2, 2, 5]
>>> byte_blocks(arr, 3)
[(0, 2), (2, 3)]
>>> run_starts(np.array([4, 4, 7, 7, 7, 9])).tolist()
[0, 2, 5]
"""

from __future__ import annotations

import os
import re

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc


def arrow_texts(values: pd.Series) -> pa.LargeStringArray:
    """The values as one pyarrow ``large_string`` array (``str`` of each; missing -> "").

    Without a copy when ``values`` already is an Arrow-backed ``str`` Series without missing
    values.

    Parameters
    ----------
    values : pandas.Series

    Returns
    -------
    pyarrow.LargeStringArray
    """
    if values.dtype == "str" and not values.isna().any():
        arr = pa.array(values)
        arr = arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr
    else:
        objs = values.astype(object).where(values.notna(), "").to_numpy(dtype=object)
        arr = pa.array([v if isinstance(v, str) else str(v) for v in objs], type=pa.large_string())
    return arr if arr.type == pa.large_string() else arr.cast(pa.large_string())


def text_series(texts: pd.Series | list[str] | str) -> pd.Series:
    """Texts as a ``str`` Series (one string, a list or a Series; missing -> "").

    Parameters
    ----------
    texts : str, list of str or pandas.Series

    Returns
    -------
    pandas.Series of str
        A Series keeps its index.
    """
    if isinstance(texts, str):
        texts = [texts]
    s = texts if isinstance(texts, pd.Series) else pd.Series(list(texts), dtype="str")
    return s.fillna("").astype("str")


def chunked_texts(s: pd.Series) -> pa.ChunkedArray:
    """A ``str`` Series' Arrow data as ``large_string`` chunks (no copy when it already is).

    Parameters
    ----------
    s : pandas.Series of str
        Without missing values.

    Returns
    -------
    pyarrow.ChunkedArray
    """
    arr = pa.array(s, type=pa.large_string())
    return arr if isinstance(arr, pa.ChunkedArray) else pa.chunked_array([arr])


def byte_offsets(arr: pa.Array) -> np.ndarray:
    """Byte offsets of the values of a ``large_string`` array into its data buffer (n + 1).

    Parameters
    ----------
    arr : pyarrow.LargeStringArray

    Returns
    -------
    numpy.ndarray of int64
    """
    return np.frombuffer(arr.buffers()[1], dtype=np.int64)[arr.offset : arr.offset + len(arr) + 1]


def string_buffers(arr: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """(offsets from 0, UTF-8 bytes) of a ``large_string`` Arrow array without nulls.

    Parameters
    ----------
    arr : pyarrow.LargeStringArray

    Returns
    -------
    offsets : numpy.ndarray of int64
        ``n + 1`` offsets into ``data``, starting at 0.
    data : numpy.ndarray of uint8
        The bytes of the values (a view, not a copy).
    """
    offsets = byte_offsets(arr)
    data_buf = arr.buffers()[2]
    data = (np.frombuffer(data_buf, dtype=np.uint8) if data_buf is not None and data_buf.size
            else np.zeros(0, dtype=np.uint8))
    data = data[offsets[0] : offsets[-1]]
    return offsets - offsets[0], data


def byte_blocks(arr: pa.Array, block_bytes: int) -> list[tuple[int, int]]:
    """Row ranges ``(start, stop)`` of consecutive blocks of about ``block_bytes`` of text.

    A block ends at the first value that reaches the next multiple of ``block_bytes``, so a
    long value is never split and every row is in exactly one block.

    Parameters
    ----------
    arr : pyarrow.LargeStringArray
    block_bytes : int

    Returns
    -------
    list of tuple of int
        Empty for an empty array.
    """
    offs = byte_offsets(arr)
    cuts = np.searchsorted(offs, np.arange(offs[0], offs[-1], block_bytes), "right") - 1
    bounds = np.unique(np.r_[0, cuts, len(arr)]).tolist()
    return list(zip(bounds[:-1], bounds[1:], strict=True))


def usable_cores() -> int:
    """Cores this process may run on: its CPU affinity where the platform tells (``taskset``, a
    container's cpuset), else every core of the machine.

    Examples
    --------
    >>> 1 <= usable_cores() <= (os.cpu_count() or 1)
    True
    """
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not on macOS or Windows
        return os.cpu_count() or 1


#: Threads :func:`block_map` runs blocks on (the stages' kernels are Arrow and numpy calls, which
#: release the GIL; this machine class has two cores): two, or one where this process may use
#: only one core.
BLOCK_THREADS = min(2, usable_cores())


def block_map(func, blocks: list) -> list:
    """``[func(b) for b in blocks]``, on :data:`BLOCK_THREADS` threads when there are several blocks.

    For the per-block kernels of the text stages, whose time is spent in Arrow and numpy calls
    that release the GIL: two blocks are then worked on at once. The results are in the order
    of ``blocks`` and the same as those of the loop (each block is computed on its own); the
    memory held at a time is that of two blocks instead of one.

    Examples
    --------
    >>> block_map(lambda span: span[1] - span[0], [(0, 2), (2, 3)])
    [2, 1]
    """
    if len(blocks) < 2 or BLOCK_THREADS < 2:
        return [func(b) for b in blocks]
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=BLOCK_THREADS) as pool:
        return list(pool.map(func, blocks))


def run_starts(x: np.ndarray) -> np.ndarray:
    """Positions where a run of equal consecutive values starts (empty for an empty array).

    Parameters
    ----------
    x : numpy.ndarray, one-dimensional

    Returns
    -------
    numpy.ndarray of int64
        Ascending; 0 is always first when ``x`` is not empty. ``x[run_starts(x)]`` are the
        distinct values of a sorted ``x``.
    """
    x = np.asarray(x)
    if not len(x):
        return np.zeros(0, dtype=np.int64)
    return np.flatnonzero(np.r_[True, x[1:] != x[:-1]])


#: The non-ASCII characters that Python's case-insensitive ``re`` matching takes for an ASCII
#: letter or digit (``İ``, ``ı`` ~ i; ``ſ`` ~ s; the Kelvin sign ~ k); checked against ``re``
#: in the tests. A text without them matches an ASCII letter or digit of a case-insensitive
#: pattern only with that ASCII character, in either case.
ASCII_FOLDS = "\u0130\u0131\u017f\u212a"


def ascii_needle(literal: str) -> str:
    """The longest run of ASCII letters and digits in ``literal``, lower-cased ("" if none).

    Every case-insensitive ``re`` match of a pattern that contains ``literal`` literally holds
    this run, in some letter case (or with a character of :data:`ASCII_FOLDS`).

    Parameters
    ----------
    literal : str

    Returns
    -------
    str
    """
    runs = re.findall(r"[A-Za-z0-9]+", literal)
    return max(runs, key=len).lower() if runs else ""


def caseless_rows(texts: pd.Series, needles: list[str]) -> np.ndarray:
    """Rows that may hold a case-insensitive ``re`` match of patterns needing ``needles``.

    Row ``i`` qualifies for needle ``j`` when its lower-cased text contains the needle (from
    :func:`ascii_needle`) or it holds a character of :data:`ASCII_FOLDS`: a superset of the
    rows where the pattern matches, so searching only these rows finds exactly what searching
    all rows finds. The texts are lower-cased once (Arrow), whatever the number of needles.

    Parameters
    ----------
    texts : pandas.Series
        Missing values are empty texts.
    needles : list of str
        Lower-case ASCII letters and digits; "" qualifies every row.

    Returns
    -------
    numpy.ndarray of bool, shape (len(texts), len(needles))
    """
    out = np.ones((len(texts), len(needles)), dtype=bool)
    if not len(texts) or not any(needles):
        return out
    if isinstance(texts.dtype, pd.StringDtype) and texts.dtype.storage == "pyarrow":
        arr = pa.array(texts)  # the Arrow data itself; missing values stay null (never match)
    else:
        arr = arrow_texts(texts)

    def mask(found) -> np.ndarray:
        return pc.fill_null(found, False).to_numpy(zero_copy_only=False).astype(bool)

    low = pc.utf8_lower(arr)
    folds = mask(pc.match_substring_regex(arr, f"[{ASCII_FOLDS}]"))
    for j, needle in enumerate(needles):
        if needle:
            out[:, j] = mask(pc.match_substring(low, needle)) | folds
    return out


def caseless_lower(text: str) -> str | None:
    """``text.lower()`` when case-insensitive ``re`` matches of ASCII can be found in it, or None.

    That is when lower-casing keeps every character's position (the length is unchanged) and
    the text holds neither ``ı`` nor ``ſ`` (which match ``i`` and ``s`` but stay as they are;
    the Kelvin sign becomes ``k``, and ``İ`` changes the length). Then every case-insensitive
    match of ASCII letters and digits is at a place where the result holds them in lower case.

    Parameters
    ----------
    text : str

    Returns
    -------
    str or None
    """
    low = text.lower()
    if len(low) != len(text) or "\u0131" in low or "\u017f" in low:
        return None
    return low


def find_all(text: str, needle: str):
    """Every position where ``needle`` (not empty) starts in ``text``, ascending (overlaps too).

    Parameters
    ----------
    text, needle : str

    Yields
    ------
    int
    """
    pos = text.find(needle)
    while pos >= 0:
        yield pos
        pos = text.find(needle, pos + 1)
