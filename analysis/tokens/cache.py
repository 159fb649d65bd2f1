"""Tokens kept for the notebooks that follow: ``Tokens.from_corpus(corpus, cache=folder)``.

Notebooks 02 and 04 both tokenize the corpus's sentences. With ``cache=paths.cache`` the first
one writes its :class:`~analysis.tokens.Tokens` (units, space-joined tokens, and the count
matrix with its vocabulary) beside the corpus in ``OUT/.cache``, and the next one reads them
instead of tokenizing again. An entry is read only when its key is the one the tokens would be
made with now (:func:`tokens_key`): a sha256 of the level, of every column the tokens are made
from (the units' keys, text and outlets and the articles' outlets: their values, so a table
edited after loading is never served another table's tokens) and of the code and data that make
tokens (:data:`TOKEN_MODULES`, ``analysis/data``, the versions of the package, Python, pandas,
numpy and pyarrow). Written atomically (:mod:`analysis._cache`): a parallel reader never sees
half an entry; one entry per level is kept. A damaged entry is ignored with a warning and made
again. The read tokens equal freshly made ones: the same tables, strings, dtypes and counts
(``tests/test_tokens_cache.py``).

What it costs and saves (CPU seconds on the 2-core development machine, synthetic corpora with
the Heaps vocabulary of ``make bench``): at 10,000 articles (221,014 sentences) tokenizing and
counting takes 1.8-2.0 s, the key 0.04 s, writing the entry (85 MB, uncompressed Arrow IPC and
``.npy``) 0.03-0.07 s, reading it 0.04-0.05 s; at 100,000 articles (2.2 million sentences)
16.0 s against 0.4 s, 0.5-1.1 s (849 MB) and 0.3-0.9 s. The notebook that writes pays the key
and the write; the one that reads saves the rest.
"""

from __future__ import annotations

import hashlib
import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse as sp

from .._cache import code_fingerprint, read_entry, read_frame, write_entry, write_frame
from .._kernels import chunked_texts, string_buffers
from ..readers import CorpusWarning
from .matrices import LEVEL_TABLES, Tokens, tokens_from_frame

#: The modules that make tokens: the ``analysis.tokens`` package and every module of the
#: package it imports (``tests/test_tokens_cache.py`` checks it); their source is part of the key.
TOKEN_MODULES = (
    "_cache", "_checks", "_kernels", "config", "decoding", "progress", "readers",
    "tokens/__init__", "tokens/cache", "tokens/matrices", "tokens/rules",
)
#: Layout of an entry; an entry written with another layout is not read.
_FORMAT = 1
_PREFIX = "tokens-"
#: Columns of the units and of the articles that tokens can be made from (keys and text aside).
_META_COLUMNS = ("article_id", "outlet", "outlet_group")
_COUNT_ARRAYS = ("data", "indices", "indptr")


def _column_digest(digest, name: str, values: pd.Series) -> None:
    """Feed a column (name, dtype, length and values) into ``digest`` without copying its text."""
    digest.update(f"{name}\0{values.dtype}\0{len(values)}\0".encode())
    if values.dtype == "str":
        missing = values.isna().to_numpy()
        digest.update(np.packbits(missing).tobytes())
        if missing.any():
            values = values.fillna("")
        for chunk in chunked_texts(values).chunks:  # lengths, not offsets: chunking does not count
            offsets, data = string_buffers(chunk)
            digest.update(np.diff(offsets).tobytes())
            digest.update(data)
    elif values.dtype.kind in "biuf" and isinstance(values.dtype, np.dtype):
        digest.update(np.ascontiguousarray(values.to_numpy()).tobytes())
    else:  # anything else (rare): pandas' hash of each value
        digest.update(pd.util.hash_pandas_object(values, index=False).to_numpy().tobytes())


def tokens_key(frame: pd.DataFrame, *, keys: list[str], articles: pd.DataFrame | None = None) -> str:
    """The key of the tokens of ``frame`` in the cache of :meth:`Tokens.from_corpus`.

    It changes when any value of the columns the tokens are made from changes (``keys``,
    ``text``, the units' and the articles' ``article_id``, ``outlet`` and ``outlet_group``), and
    when the code or package data that make tokens change (:data:`TOKEN_MODULES`,
    ``analysis/data``, the versions of the package and of Python, pandas, numpy and pyarrow).

    Parameters
    ----------
    frame : pandas.DataFrame
        The units (e.g. ``corpus.sentences``).
    keys : list of str
        Their key columns.
    articles : pandas.DataFrame, optional
        The corpus's articles.

    Returns
    -------
    str
        A hex sha256 digest.

    Examples
    --------
    >>> units = pd.DataFrame({"article_id": ["a", "a"], "sentence": [0, 1], "text": ["Hi.", "Yes."]})
    >>> key = tokens_key(units, keys=["article_id", "sentence"])
    >>> key == tokens_key(units.assign(text=["Hi.", "No."]), keys=["article_id", "sentence"])
    False
    """
    digest = hashlib.sha256()
    text = "text"  # the units' text column
    parts = {"format": _FORMAT, "keys": list(keys), "text": text, "code": code_fingerprint(TOKEN_MODULES)}
    digest.update(json.dumps(parts, sort_keys=True).encode())
    used = dict.fromkeys([*keys, text, *(c for c in _META_COLUMNS if c in frame.columns)])
    for name in used:
        _column_digest(digest, f"units.{name}", frame[name])
    if articles is not None:
        for name in (c for c in _META_COLUMNS if c in articles.columns):
            _column_digest(digest, f"articles.{name}", articles[name])
    return digest.hexdigest()


def _write(folder: Path, key: str, tokens: Tokens) -> None:
    counts, vocab = tokens._count_cache(), tokens.vocabulary

    def fill(tmp: Path) -> None:
        write_frame(tokens.docs, tmp / "docs")
        write_frame(pd.DataFrame({"joined": tokens.joined}), tmp / "joined")
        write_frame(pd.DataFrame({"word": vocab}), tmp / "vocabulary")
        for name in _COUNT_ARRAYS:
            np.save(tmp / f"counts_{name}.npy", getattr(counts, name), allow_pickle=False)

    meta = {"level": tokens.level, "keys": list(tokens.keys), "units": len(tokens), "words": len(vocab)}
    write_entry(folder, f"{_PREFIX}{tokens.level}-", key, _FORMAT, fill, meta)


def _read(folder: Path, key: str, level: str) -> Tokens | None:
    """The cached tokens of ``key``, or None. A damaged entry is removed with a warning."""
    entry = folder / f"{_PREFIX}{level}-{key}"

    def read(entry: Path, meta: dict) -> Tokens:
        docs = read_frame(entry / "docs")
        joined = read_frame(entry / "joined")["joined"].rename(None)
        vocab = pd.Index(read_frame(entry / "vocabulary")["word"], dtype="str").rename(None)
        data, indices, indptr = (np.load(entry / f"counts_{name}.npy", allow_pickle=False)
                                 for name in _COUNT_ARRAYS)
        n = int(meta["units"])
        if not (len(docs) == len(joined) == len(indptr) - 1 == n and len(vocab) == meta["words"]):
            raise ValueError("its tables do not have the recorded sizes")
        counts = sp.csr_matrix((data, indices, indptr), shape=(n, len(vocab)), copy=False)
        counts.has_sorted_indices = True
        out = Tokens(docs=docs, joined=joined, level=meta["level"], keys=list(meta["keys"]))
        out._counts, out._vocab = counts, vocab
        return out

    def damaged(exc: Exception) -> None:
        warnings.warn(f"Tokens.from_corpus: the cached tokens in {str(entry)!r} cannot be read ({exc}); "
                      "they are ignored and made again.", CorpusWarning, stacklevel=6)

    return read_entry(entry, key, _FORMAT, read, damaged)


def cached_tokens(frame: pd.DataFrame, *, keys: list[str], articles: pd.DataFrame | None,
                  level: str, folder: str | Path, rebuild: bool = False) -> Tokens:
    """:func:`tokens_from_frame` through the cache in ``folder`` (one line on standard output
    says whether the tokens were read or made); see :meth:`Tokens.from_corpus`."""
    folder = Path(folder)
    units = LEVEL_TABLES[level]
    key = tokens_key(frame, keys=keys, articles=articles)
    found = None if rebuild else _read(folder, key, level)
    if found is not None:
        print(f"tokens read from the cache in {folder} (made by an earlier notebook from the same "
              f"{units} with the same code)", flush=True)
        return found
    tokens = tokens_from_frame(frame, keys=keys, articles=articles)
    try:
        _write(folder, key, tokens)
    except OSError as exc:  # a cache that cannot be written costs time, never the tokens
        warnings.warn(f"Tokens.from_corpus: the tokens cannot be kept in {str(folder)!r} ({exc}); "
                      "the next notebooks tokenize again. Check that the folder can be written.",
                      CorpusWarning, stacklevel=3)
        print(f"tokens made from the {units}; not cached", flush=True)
        return tokens
    print(f"tokens made from the {units}; cached in {folder} for the notebooks that follow", flush=True)
    return tokens
